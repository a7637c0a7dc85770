import pytest
import torch
from torch import nn

from tests.strategies import scripted_accuracy_run


@pytest.fixture
def training(load):
    return load("plantnet.training")


@pytest.mark.exercise("2.6", points=1)
def test_select_device_returns_a_device(training):
    device = training.select_device()
    assert isinstance(device, torch.device), f"select_device should return a torch.device, got {type(device).__name__}"
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert device.type == expected, f"select_device returned {device}; it should use CUDA exactly when torch.cuda.is_available()"


@pytest.mark.exercise("2.6", points=2)
def test_history_has_one_entry_per_epoch(training):
    model, optimizer, train_loader, val_loader, _ = scripted_accuracy_run([0.25, 0.5, 0.75])
    history = training.fit(model, train_loader, val_loader, optimizer, nn.CrossEntropyLoss(), epochs=3, device="cpu")
    for key in ("train_loss", "train_accuracy", "val_loss", "val_accuracy"):
        assert key in history, f"the history needs a {key!r} list"
        assert len(history[key]) == 3, f"history[{key!r}] should hold one entry per epoch (3), got {len(history[key])}"
    assert history["val_accuracy"] == pytest.approx([0.25, 0.5, 0.75])
    assert history["best_epoch"] == 2, "best_epoch is the 0-based index of the epoch with the best validation accuracy"
