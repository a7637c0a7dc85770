import pytest
import torch
from torch import nn

from tests.strategies import recording_loader, scripted_accuracy_run, threshold_classifier, tiny_loader

ACCURACIES = [0.25, 0.75, 0.5, 0.75, 0.25]  # best at epoch 1, tied at epoch 3, last epoch worse


@pytest.fixture
def training(load):
    return load("plantnet.training")


def run(training, accuracies, **options):
    model, optimizer, train_loader, val_loader, states = scripted_accuracy_run(accuracies)
    history = training.fit(model, train_loader, val_loader, optimizer, nn.CrossEntropyLoss(), device="cpu", **options)
    return model, history, states


def assert_same_weights(model: nn.Module, state: dict) -> None:
    for name, value in model.state_dict().items():
        assert torch.equal(value, state[name]), f"parameter {name} differs from the best epoch's"


@pytest.mark.exercise("2.6", points=2)
def test_best_epoch_is_earliest_best(training):
    _, history, _ = run(training, ACCURACIES, epochs=5)
    assert history["val_accuracy"] == pytest.approx(ACCURACIES)
    assert history["best_epoch"] == 1


@pytest.mark.exercise("2.6", points=3)
def test_checkpoint_holds_best_epoch(training, tmp_path):
    checkpoint = tmp_path / "best.pt"
    _, history, states = run(training, ACCURACIES, epochs=5, checkpoint_path=checkpoint)
    assert checkpoint.is_file()
    restored = threshold_classifier(0.0)
    restored.load_state_dict(torch.load(checkpoint, weights_only=True))
    assert_same_weights(restored, states[1])
    val_inputs = torch.tensor([[0.5], [1.5], [2.5], [3.5]])
    with torch.no_grad():
        accuracy = (restored(val_inputs).argmax(dim=1) == 1).float().mean().item()
    assert accuracy == pytest.approx(history["val_accuracy"][history["best_epoch"]])


@pytest.mark.exercise("2.6", points=2)
def test_model_returns_with_best_weights(training):
    model, _, states = run(training, ACCURACIES, epochs=5)
    assert_same_weights(model, states[1])


@pytest.mark.exercise("2.6", points=2)
def test_patience_stops_training(training):
    _, history, _ = run(training, ACCURACIES, epochs=5, patience=2)
    assert len(history["val_accuracy"]) == 4, "epochs 2 and 3 do not beat epoch 1 (0.75 ties it), so patience 2 stops after epoch 3"
    assert history["best_epoch"] == 1


@pytest.mark.exercise("2.6", points=2)
def test_patience_counts_epochs_in_a_row(training):
    accuracies = [0.25, 0.5, 0.25, 0.75, 0.5, 0.25, 0.25]
    _, history, _ = run(training, accuracies, epochs=7, patience=2)
    assert len(history["val_accuracy"]) == 6, "an improvement at epoch 3 resets the count, so patience 2 stops after epoch 5"
    assert history["best_epoch"] == 3


@pytest.mark.exercise("2.6", points=1)
def test_patience_none_runs_every_epoch(training):
    _, history, _ = run(training, [0.5] * 4, epochs=4, patience=None)
    assert len(history["train_loss"]) == 4
    assert history["best_epoch"] == 0


@pytest.mark.exercise("2.6", points=1)
@pytest.mark.parametrize("patience", [0, -1])
def test_patience_below_one_raises(training, patience):
    with pytest.raises(ValueError):
        run(training, [0.5], epochs=1, patience=patience)


@pytest.mark.exercise("2.6", points=2)
def test_train_metrics_are_sample_averages(training):
    model = nn.Linear(2, 3)
    inputs = torch.randn(10, 2)
    targets = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1, 2, 0])
    loader = tiny_loader(inputs, targets, batch_size=4)  # batches of 4, 4 and 2
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
    history = training.fit(model, loader, loader, optimizer, nn.CrossEntropyLoss(), epochs=1, device="cpu")
    with torch.no_grad():
        outputs = model(inputs)
    expected_loss = nn.functional.cross_entropy(outputs, targets).item()
    expected_accuracy = (outputs.argmax(dim=1) == targets).float().mean().item()
    assert history["train_loss"][0] == pytest.approx(expected_loss, rel=1e-5)
    assert history["train_accuracy"][0] == pytest.approx(expected_accuracy)
    assert history["val_loss"][0] == pytest.approx(expected_loss, rel=1e-5)


@pytest.mark.exercise("2.6", points=1)
def test_batches_move_to_device(training):
    model = nn.Linear(2, 3)
    loader, batches = recording_loader(torch.randn(6, 2), torch.tensor([0, 1, 2, 0, 1, 2]), batch_size=3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    training.fit(model, loader, loader, optimizer, nn.CrossEntropyLoss(), epochs=1, device=torch.device("cpu"))
    assert batches, "fit never iterated over the loader"
    for inputs, targets in batches:
        assert torch.device("cpu") in inputs.moves, "each batch of inputs must be moved with .to(device)"
        assert torch.device("cpu") in targets.moves, "each batch of targets must be moved with .to(device)"


@pytest.mark.cuda
@pytest.mark.exercise("2.6", points=1)
def test_trains_on_cuda(training):
    model, optimizer, train_loader, val_loader, _ = scripted_accuracy_run([0.5, 0.75])
    training.fit(model, train_loader, val_loader, optimizer, nn.CrossEntropyLoss(), epochs=2, device="cuda")
    assert all(parameter.device.type == "cuda" for parameter in model.parameters())
