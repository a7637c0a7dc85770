"""Training procedures whose outcome the convergence tests check and ``grader calibrate`` measures.

Each procedure takes ``load`` (the tests' fixture that imports an exercise
module from the target package) and a seed, trains with the target's own code,
and returns the metric. The test and the calibration call the same function,
so the threshold is measured on exactly what the test runs.
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

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



# ---------------------------------------------------------------------------
# Transfer learning (exercise 2.9)

TRANSFER_IMAGE_SIZE = 32
TRANSFER_PRETRAIN_EPOCHS = 8
TRANSFER_HEAD_EPOCHS = 8
TRANSFER_BATCH_SIZE = 32
TRANSFER_PRETRAIN_LEARNING_RATE = 3e-3  # the peak of the one-cycle schedule
TRANSFER_HEAD_LEARNING_RATE = 1e-2


class ClassSubset(torch.utils.data.Dataset):
    """The samples of ``dataset`` whose class is in ``classes``, relabelled ``0 .. len(classes) - 1`` in that order."""

    def __init__(self, dataset, classes: list[int]):
        self.dataset = dataset
        self.labels = {old: new for new, old in enumerate(classes)}
        self.indices = [index for index, target in enumerate(dataset.targets) if target in self.labels]
        self.targets = [self.labels[dataset.targets[index]] for index in self.indices]

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int):
        image, target = self.dataset[self.indices[index]]
        return image, self.labels[target]


def split_classes(classes: list[str]) -> tuple[list[int], list[int]]:
    """Split class indices into a source task (the first half, by name) and a target task (the rest)."""
    if len(classes) < 4:
        raise ValueError(f"the transfer procedure needs at least 4 classes, 2 for pretraining and 2 to transfer to; "
                         f"the data root has {len(classes)}: {', '.join(classes)}")
    middle = len(classes) // 2
    return list(range(middle)), list(range(middle, len(classes)))


def train_epochs(model, loader, optimizer, epochs: int, scheduler=None) -> None:
    """Train ``model`` in train mode with the cross-entropy for ``epochs`` passes over ``loader``.

    ``scheduler``, when given, steps after every batch.
    """
    model.train()
    for _ in range(epochs):
        for images, labels in loader:
            loss = F.cross_entropy(model(images), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if scheduler is not None:
                scheduler.step()


def loader_accuracy(model, loader) -> float:
    """Return the accuracy of ``model`` in eval mode over ``loader``."""
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for images, labels in loader:
            correct += (model(images).argmax(dim=1) == labels).sum().item()
            total += len(labels)
    return correct / total


def pretrain_source_backbone(source_set, seed: int, epochs: int, path) -> None:
    """Train timm's ResNet-18 from random weights on the source classes for ``epochs`` and save its state dict to ``path``.

    Adam follows a one-cycle schedule. In one measurement on flowers9 (seeds 0 to 4,
    2 CPU threads), it raised the worst transferred accuracy from 0.58 to 0.66
    compared with a constant learning rate of 1e-3.
    ``epochs=0`` saves the random initialisation: the calibration's baseline backbone.
    """
    import timm

    seed_everything(seed)
    model = timm.create_model("resnet18", pretrained=False, num_classes=len(source_set.labels))
    if epochs > 0:
        loader = DataLoader(source_set, batch_size=TRANSFER_BATCH_SIZE, shuffle=True, generator=torch_generator(seed))
        optimizer = torch.optim.Adam(model.parameters(), lr=TRANSFER_PRETRAIN_LEARNING_RATE)
        scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=TRANSFER_PRETRAIN_LEARNING_RATE,
                                                        total_steps=epochs * len(loader))
        train_epochs(model, loader, optimizer, epochs, scheduler)
    torch.save(model.state_dict(), path)


def transfer_plants(load, seed: int, data_root, pretrain_epochs: int = TRANSFER_PRETRAIN_EPOCHS,
                    head_epochs: int = TRANSFER_HEAD_EPOCHS, image_size: int = TRANSFER_IMAGE_SIZE) -> float:
    """Pretrain a backbone on half of the species, transfer it to the other half by feature extraction, and return the accuracy.

    The kit pretrains timm's ResNet-18 from random weights on the source classes
    (the first half of the classes by name) and saves it to a weights file. The
    target's ``create_resnet18`` loads that file for the target classes,
    ``apply_strategy(model, "feature_extraction")`` freezes the backbone, and Adam
    over ``trainable_parameters(model)`` trains the head in ``model.train()``. The
    result is the accuracy on the target classes' validation and test images
    together. ``pretrain_epochs=0`` gives the baseline: the same head on a frozen
    random backbone.
    """
    from data.cache import cached_splits

    transfer = load("plantnet.transfer")
    transforms = {"train": cnn_transforms(True), "val": cnn_transforms(False), "test": cnn_transforms(False)}
    splits = cached_splits(data_root, image_size, transforms)
    source, target = split_classes(splits["train"].classes)
    held_out = torch.utils.data.ConcatDataset([ClassSubset(splits["val"], target), ClassSubset(splits["test"], target)])

    with tempfile.TemporaryDirectory(prefix="kit-transfer-") as folder:
        weights_file = Path(folder) / "source_resnet18.pth"
        pretrain_source_backbone(ClassSubset(splits["train"], source), seed, pretrain_epochs, weights_file)
        seed_everything(seed)
        model = transfer.create_resnet18(len(target), pretrained=True, weights_file=weights_file)
    transfer.apply_strategy(model, "feature_extraction")
    optimizer = torch.optim.Adam(transfer.trainable_parameters(model), lr=TRANSFER_HEAD_LEARNING_RATE)
    train_loader = DataLoader(ClassSubset(splits["train"], target), batch_size=TRANSFER_BATCH_SIZE, shuffle=True,
                              generator=torch_generator(seed))
    train_epochs(model, train_loader, optimizer, head_epochs)
    return loader_accuracy(model, DataLoader(held_out, batch_size=128))


RESNET18_WEIGHTS_VARIABLE = "KIT_RESNET18_WEIGHTS"
TRANSFER_COURSE_EPOCHS = 10
TRANSFER_COURSE_LEARNING_RATES = {"feature_extraction": 1e-3, "full": 1e-4}


def resnet18_weights_file():
    """Return the ImageNet weights file of ResNet-18 that ``$KIT_RESNET18_WEIGHTS`` names.

    Raises ``RuntimeError``, which says how to create the file, when the variable is unset or names no file.
    """
    configured = os.environ.get(RESNET18_WEIGHTS_VARIABLE)
    hint = ("save timm's ImageNet weights on a machine with internet access, for example with "
            "torch.save(timm.create_model('resnet18', pretrained=True).state_dict(), 'resnet18.pth'), "
            f"and set {RESNET18_WEIGHTS_VARIABLE} to that file")
    if not configured:
        raise RuntimeError(f"{RESNET18_WEIGHTS_VARIABLE} is not set: {hint}")
    path = Path(configured).expanduser()
    if not path.is_file():
        raise RuntimeError(f"{RESNET18_WEIGHTS_VARIABLE}={configured} is not a file: {hint}")
    return path


def transfer_course(load, seed: int, data_root, strategy: str, pretrained: bool = True) -> float:
    """Fine-tune ResNet-18 on every species of the data root at 224 x 224 pixels on a CUDA device, and return the best validation accuracy.

    The target's ``create_resnet18`` loads the ImageNet weights of ``$KIT_RESNET18_WEIGHTS``
    (``pretrained=False``: random weights, the calibration's baseline), ``apply_strategy``
    prepares it, and the target's ``fit`` trains it for 10 epochs with Adam over
    ``trainable_parameters(model)``.
    """
    if not torch.cuda.is_available():
        raise RuntimeError("the transfer schedule trains at 224 x 224 pixels and needs a CUDA device; none is available")
    from data.cache import cached_splits

    transfer = load("plantnet.transfer")
    training = load("plantnet.training")
    weights_file = resnet18_weights_file() if pretrained else None
    splits = cached_splits(data_root, COURSE_IMAGE_SIZE, {"train": cnn_transforms(True), "val": cnn_transforms(False)},
                           splits=("train", "val"))
    seed_everything(seed)
    train_loader = DataLoader(splits["train"], batch_size=CNN_BATCH_SIZE, shuffle=True, generator=torch_generator(seed))
    val_loader = DataLoader(splits["val"], batch_size=128)
    model = transfer.create_resnet18(len(splits["train"].classes), pretrained=pretrained, weights_file=weights_file)
    transfer.apply_strategy(model, strategy)
    optimizer = torch.optim.Adam(transfer.trainable_parameters(model), lr=TRANSFER_COURSE_LEARNING_RATES[strategy])
    history = training.fit(model, train_loader, val_loader, optimizer, torch.nn.CrossEntropyLoss(), TRANSFER_COURSE_EPOCHS, "cuda")
    return max(history["val_accuracy"])


def transfer_course_feature_extraction(load, seed: int, data_root, pretrained: bool = True) -> float:
    """Run ``transfer_course`` with the backbone frozen: only the head trains."""
    return transfer_course(load, seed, data_root, "feature_extraction", pretrained)


def transfer_course_full(load, seed: int, data_root, pretrained: bool = True) -> float:
    """Run ``transfer_course`` with every layer training."""
    return transfer_course(load, seed, data_root, "full", pretrained)


PROCEDURES = {
    "toy_mlp": toy_mlp,
    "cnn_plants": cnn_plants,
    "cnn_plants_course": cnn_plants_course,
    "transfer_plants": transfer_plants,
    "transfer_course_feature_extraction": transfer_course_feature_extraction,
    "transfer_course_full": transfer_course_full,
}
