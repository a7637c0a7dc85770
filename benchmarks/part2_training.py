"""Time one training epoch of the part 2 CNN, two ways each:

1. the reference ``fit`` (exercise 2.6) against a bare PyTorch loop doing the
   same work (one training pass, one validation pass under ``no_grad``);
2. images decoded and resized once by ``data.cache`` against ``ImageFolder``
   decoding every JPEG in every epoch, both with the bare loop.

Run from the kit root: ``python benchmarks/part2_training.py [--data-root DIR]``.
It prints a Markdown table of the median epoch time over ``--epochs`` epochs,
after one warm-up epoch.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.cache import cached_splits
from data.roots import resolve_data_root
from grader.calibrate.procedures import CNN_BATCH_SIZE, cnn_transforms
from grader.seeding import seed_everything
from solutions.plantnet.cnn import build_cnn
from solutions.plantnet.training import fit


def bare_epoch(model, train_loader, val_loader, optimizer, criterion) -> None:
    model.train()
    for inputs, targets in train_loader:
        loss = criterion(model(inputs), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        for inputs, targets in val_loader:
            criterion(model(inputs), targets)


def fit_epoch(model, train_loader, val_loader, optimizer, criterion) -> None:
    fit(model, train_loader, val_loader, optimizer, criterion, epochs=1, device="cpu")


def median_epoch_seconds(run_epoch, train_set, val_set, num_classes: int, epochs: int) -> float:
    """Return the median wall time of ``run_epoch`` over ``epochs`` epochs, after one warm-up epoch."""
    seed_everything(0)
    model = build_cnn(num_classes)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    criterion = torch.nn.CrossEntropyLoss()
    train_loader = DataLoader(train_set, batch_size=CNN_BATCH_SIZE, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=128)
    run_epoch(model, train_loader, val_loader, optimizer, criterion)
    times = []
    for _ in range(epochs):
        started = time.perf_counter()
        run_epoch(model, train_loader, val_loader, optimizer, criterion)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def image_folder_splits(root: Path, image_size: int):
    normalize = transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    train = transforms.Compose([transforms.Resize((image_size, image_size)), transforms.RandomHorizontalFlip(),
                                transforms.RandomVerticalFlip(), transforms.ToTensor(), normalize])
    evaluation = transforms.Compose([transforms.Resize((image_size, image_size)), transforms.ToTensor(), normalize])
    return datasets.ImageFolder(root / "train", train), datasets.ImageFolder(root / "val", evaluation)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", type=Path, default=None, help="ImageFolder tree (default: $KIT_DATA_ROOT, else the generated set)")
    parser.add_argument("--image-size", type=int, default=64, help="side of the square input images, in pixels (default: 64)")
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs per measurement (default: 5)")
    args = parser.parse_args()

    root = resolve_data_root(args.data_root)
    cached = cached_splits(root, args.image_size, {"train": cnn_transforms(True), "val": cnn_transforms(False)}, splits=("train", "val"))
    num_classes = len(cached["train"].classes)
    decoded_train, decoded_val = image_folder_splits(root, args.image_size)

    bare = median_epoch_seconds(bare_epoch, cached["train"], cached["val"], num_classes, args.epochs)
    with_fit = median_epoch_seconds(fit_epoch, cached["train"], cached["val"], num_classes, args.epochs)
    decoding = median_epoch_seconds(bare_epoch, decoded_train, decoded_val, num_classes, args.epochs)

    print(f"data: {root.name} ({len(cached['train'])} training and {len(cached['val'])} validation images, "
          f"{args.image_size} x {args.image_size} px); torch {torch.__version__}, {torch.get_num_threads()} threads, "
          f"{platform.processor() or platform.machine()}")
    print()
    print("| measurement | median epoch (s) | ratio |")
    print("|---|---|---|")
    print(f"| bare loop, cached images | {bare:.2f} | 1.00 |")
    print(f"| reference `fit`, cached images | {with_fit:.2f} | {with_fit / bare:.2f} |")
    print(f"| bare loop, `ImageFolder` decoding | {decoding:.2f} | {decoding / bare:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
