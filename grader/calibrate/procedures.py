"""Training procedures whose outcome the convergence tests check and ``grader calibrate`` measures.

Each procedure takes ``load`` (the tests' fixture that imports an exercise
module from the target package) and a seed, trains with the target's own code,
and returns the metric. The test and the calibration call the same function,
so the threshold is measured on exactly what the test runs.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from grader.seeding import seed_everything, torch_generator

TOY_EPOCHS = 30
TOY_BATCH_SIZE = 32
TOY_LEARNING_RATE = 1e-2


@contextmanager
def torch_threads(count: int):
    """Run the block with ``count`` intra-op threads, then restore the previous count.

    The toy model is so small that a second thread only adds synchronisation: on a
    busy 2-core machine one epoch took 30 times longer with 2 threads than with 1.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def toy_loss(outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy of ``(N, 1)`` probabilities against ``(N,)`` float targets."""
    return F.binary_cross_entropy(outputs.reshape(targets.shape), targets)


def toy_mlp(load, seed: int, model_module: str = "toy.mlp") -> float:
    """Train ``Model(20)`` on blob vs ring with the target's loop and return the final validation accuracy.

    ``model_module`` lets the calibration train the linear stub (``exercises`` has it) as the baseline.
    """
    data = load("toy.data")
    dataset = load("toy.dataset")
    training = load("toy.training")
    seed_everything(seed)
    x, y = data.make_blob_ring(seed=seed)
    x_train, x_val, y_train, y_val = data.train_val_split(x, y, seed=seed)
    train_loader = DataLoader(dataset.PointsDataset(x_train, y_train), batch_size=TOY_BATCH_SIZE, shuffle=True,
                              generator=torch_generator(seed))
    val_loader = DataLoader(dataset.PointsDataset(x_val, y_val), batch_size=256)
    model = load(model_module).Model(n_neurons=20)
    optimizer = torch.optim.Adam(model.parameters(), lr=TOY_LEARNING_RATE)
    with torch_threads(1):
        history = training.fit(model, train_loader, val_loader, optimizer, toy_loss, epochs=TOY_EPOCHS)
    return history["val_accuracy"][-1]




CNN_IMAGE_SIZE = 64
CNN_EPOCHS = 15
CNN_BATCH_SIZE = 32
CNN_LEARNING_RATE = 1e-3


def cnn_transforms(train: bool):
    """Return the tensor transform applied to cached uint8 images: flips for training, then ImageNet normalisation."""
    from torchvision.transforms import v2

    steps = [v2.RandomHorizontalFlip(), v2.RandomVerticalFlip()] if train else []
    steps += [v2.ToDtype(torch.float32, scale=True), v2.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])]
    return v2.Compose(steps)


def cnn_plants(load, seed: int, data_root, image_size: int = CNN_IMAGE_SIZE, epochs: int = CNN_EPOCHS,
               device: str = "cpu", learning_rate: float = CNN_LEARNING_RATE) -> float:
    """Train ``build_cnn`` with the target's ``fit`` on the data root's images; return the best validation accuracy.

    Images are decoded and resized once (``data.cache``), so an epoch costs the model, not JPEG decoding.
    ``learning_rate=0`` leaves the CNN untrained: the calibration's baseline.
    """
    from data.cache import cached_splits

    cnn = load("plantnet.cnn")
    training = load("plantnet.training")
    splits = cached_splits(data_root, image_size, {"train": cnn_transforms(True), "val": cnn_transforms(False)},
                           splits=("train", "val"))
    seed_everything(seed)
    train_loader = DataLoader(splits["train"], batch_size=CNN_BATCH_SIZE, shuffle=True, generator=torch_generator(seed))
    val_loader = DataLoader(splits["val"], batch_size=128)
    model = cnn.build_cnn(len(splits["train"].classes))
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
    history = training.fit(model, train_loader, val_loader, optimizer, torch.nn.CrossEntropyLoss(), epochs, device)
    return max(history["val_accuracy"])


COURSE_IMAGE_SIZE = 224
COURSE_EPOCHS = 30


def cnn_plants_course(load, seed: int, data_root, learning_rate: float = CNN_LEARNING_RATE) -> float:
    """Run the course schedule on a CUDA device: ``cnn_plants`` at 224 x 224 pixels for 30 epochs."""
    if not torch.cuda.is_available():
        raise RuntimeError("the course schedule trains at 224 x 224 pixels and needs a CUDA device; none is available")
    return cnn_plants(load, seed, data_root, image_size=COURSE_IMAGE_SIZE, epochs=COURSE_EPOCHS, device="cuda",
                      learning_rate=learning_rate)


PROCEDURES = {
    "toy_mlp": toy_mlp,
    "cnn_plants": cnn_plants,
    "cnn_plants_course": cnn_plants_course,
}
