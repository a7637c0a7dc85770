import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tests.strategies import (
    ModeRecorder,
    bce_on_probabilities,
    class_targets,
    generator,
    point_cloud,
    probabilities_away_from_half,
    recorders,
    small_network,
    tiny_loader,
)


@pytest.fixture
def training(load):
    return load("toy.training")


def classification_data(n: int = 10, seed: int = 0):
    gen = generator(seed)
    return point_cloud(n, gen), class_targets(n, 3, gen)


@pytest.mark.exercise("1.5", points=1)
def test_train_one_epoch_updates_model(training):
    model = small_network(out_features=3)
    before = [parameter.detach().clone() for parameter in model.parameters()]
    loader = tiny_loader(*classification_data(), batch_size=4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    result = training.train_one_epoch(model, loader, optimizer, F.cross_entropy)

    assert isinstance(result, float), (
        f"train_one_epoch should return a Python float, got {type(result).__name__}: "
        "add loss.item() to the total, so the total does not keep every batch's graph alive"
    )
    changed = any(not torch.equal(old, new) for old, new in zip(before, model.parameters()))
    assert changed, (
        "the parameters did not change: for every batch call optimizer.zero_grad() before loss.backward(), "
        "then optimizer.step(). Zeroing between backward() and step() erases the gradients that step() needs"
    )


@pytest.mark.exercise("1.5", points=2)
def test_train_one_epoch_sets_train_mode(training):
    model = small_network(out_features=3)
    model.eval()
    loader = tiny_loader(*classification_data(), batch_size=4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    training.train_one_epoch(model, loader, optimizer, F.cross_entropy)

    flags = [flag for recorder in recorders(model) for flag in recorder.training_flags]
    assert flags, "the model was never called"
    assert all(flags), (
        "the model ran in eval mode during training: call model.train() at the start of train_one_epoch, "
        "because evaluate() switches it to eval mode (dropout off) between epochs"
    )


@pytest.mark.exercise("1.5", points=2)
def test_train_loss_averaged_over_samples(training):
    points, _ = classification_data(10)
    # The last batch contains 2 samples with targets far from the others, so a mean over batches weighs it too much.
    targets = torch.tensor([0.0] * 8 + [5.0, 5.0]).unsqueeze(1)
    model = small_network()
    loader = tiny_loader(points, targets, batch_size=4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)  # lr=0 keeps the model fixed during the epoch

    result = training.train_one_epoch(model, loader, optimizer, F.mse_loss)

    with torch.no_grad():
        expected = F.mse_loss(model(points), targets).item()
    assert result == pytest.approx(expected, rel=1e-5), (
        f"expected the mean loss over all 10 samples, {expected:.5f}, got {result:.5f}. With batches of 4, 4 and 2 "
        "samples, a mean of the batch losses counts the last 2 samples twice as much: multiply each batch loss "
        "by the batch size, sum, and divide by the number of samples"
    )


@pytest.mark.exercise("1.5", points=2)
def test_evaluate_eval_mode_without_gradients(training):
    model = small_network(out_features=3, dropout=0.5)
    loader = tiny_loader(*classification_data(), batch_size=4)

    training.evaluate(model, loader, F.cross_entropy)

    flags = [flag for recorder in recorders(model) for flag in recorder.training_flags]
    assert flags, "the model was never called"
    assert not any(flags), "evaluate should call model.eval() first, so dropout is off and the result is deterministic"
    grad_flags = [flag for recorder in recorders(model) for flag in recorder.grad_enabled_flags]
    assert not any(grad_flags), (
        "evaluate should run the model under torch.no_grad(): no gradients are needed, and the graph costs memory"
    )


@pytest.mark.exercise("1.5", points=1)
def test_evaluate_restores_train_mode(training):
    model = small_network(out_features=3, dropout=0.5)
    model.train()
    loader = tiny_loader(*classification_data(), batch_size=4)

    training.evaluate(model, loader, F.cross_entropy)

    assert model.training, "evaluate should leave the model in the mode it found it: here train mode"


@pytest.mark.exercise("1.5", points=2)
def test_evaluate_binary_accuracy(training):
    probabilities = probabilities_away_from_half(10, generator(1))
    targets = (probabilities.squeeze(1) > 0.5).float()
    targets[:3] = 1.0 - targets[:3]  # three wrong predictions out of ten
    model = nn.Sequential(ModeRecorder())  # returns its input: the inputs are the predicted probabilities
    loader = tiny_loader(probabilities, targets, batch_size=4)

    loss, accuracy = training.evaluate(model, loader, bce_on_probabilities)

    # The three wrong predictions all sit in the first batch of 4, so a mean of per-batch accuracies gives 0.75.
    assert float(accuracy) != pytest.approx(0.75), (
        "got 0.75, the mean of the per-batch accuracies (0.25, 1 and 1): count the correct predictions "
        "over all batches and divide by the number of samples"
    )
    assert float(accuracy) == pytest.approx(0.7), (
        f"expected accuracy 0.7 (7 of 10 correct), got {accuracy}. For outputs of shape (N, 1), "
        "a prediction is class 1 when the probability is above 0.5; compare it with the targets reshaped to (N,)"
    )
    expected_loss = bce_on_probabilities(probabilities, targets).item()
    assert float(loss) == pytest.approx(expected_loss, rel=1e-5), f"expected loss {expected_loss:.5f}, got {loss}"


@pytest.mark.exercise("1.5", points=1)
def test_fit_history(training):
    model = small_network(out_features=3)
    train_loader = tiny_loader(*classification_data(12, seed=1), batch_size=4)
    val_loader = tiny_loader(*classification_data(6, seed=2), batch_size=4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    history = training.fit(model, train_loader, val_loader, optimizer, F.cross_entropy, epochs=3)

    for key in ("train_loss", "val_loss", "val_accuracy"):
        assert key in history, f"the history should have the key {key!r}, got keys {sorted(history)}"
        assert len(history[key]) == 3, f"history[{key!r}] should hold one entry per epoch (3), got {len(history[key])}"
