import copy

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tests.strategies import (
    ModeRecorder,
    bce_on_probabilities,
    class_targets,
    generator,
    logits_without_ties,
    module_modes,
    point_cloud,
    probabilities_away_from_half,
    recorders,
    recording_loader,
    small_network,
    tiny_loader,
)

CPU = torch.device("cpu")


@pytest.fixture
def training(load):
    return load("toy.training")


def classification_data(n: int = 10, seed: int = 0, num_classes: int = 3):
    gen = generator(seed)
    return point_cloud(n, gen), class_targets(n, num_classes, gen)


def reference_epoch(model, loader, optimizer, loss_fn) -> float:
    """Train one epoch in the order the exercise specifies and return the loss averaged over samples."""
    model.train()
    total_loss, total_samples = 0.0, 0
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(targets)
        total_samples += len(targets)
    return total_loss / total_samples


def assert_same_parameters(model, reference, context: str) -> None:
    for (name, parameter), expected in zip(model.named_parameters(), reference.parameters()):
        assert torch.allclose(parameter, expected, atol=1e-6), (
            f"{context}: parameter {name} differs from a reference loop (largest difference "
            f"{(parameter - expected).abs().max().item():.3g}). Each batch should run: forward, loss, "
            "optimizer.zero_grad(), loss.backward(), optimizer.step()"
        )


def all_flags(model, attribute: str) -> list[bool]:
    return [flag for recorder in recorders(model) for flag in getattr(recorder, attribute)]


# train_one_epoch


@pytest.mark.exercise("1.5", points=3)
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_train_one_epoch_matches_reference_loop(training, momentum):
    model = small_network(out_features=3)
    reference = copy.deepcopy(model)
    loader = tiny_loader(*classification_data(11), batch_size=4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=momentum)
    reference_optimizer = torch.optim.SGD(reference.parameters(), lr=0.2, momentum=momentum)

    result = training.train_one_epoch(model, loader, optimizer, F.cross_entropy)

    expected = reference_epoch(reference, loader, reference_optimizer, F.cross_entropy)
    assert_same_parameters(model, reference, "after one epoch")
    assert result == pytest.approx(expected, rel=1e-5), f"expected the epoch's loss {expected:.6f}, got {result}"


@pytest.mark.exercise("1.5", points=2)
@pytest.mark.parametrize(("n", "batch_size"), [(10, 4), (9, 8)])
def test_train_loss_averaged_over_samples(training, n, batch_size):
    points = point_cloud(n, generator(n))
    targets = torch.zeros(n, 1)
    targets[-1] = 10.0  # the short last batch has a much larger loss than the others
    model = small_network()
    loader = tiny_loader(points, targets, batch_size=batch_size)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)

    result = training.train_one_epoch(model, loader, optimizer, F.mse_loss)

    assert isinstance(result, float), f"train_one_epoch should return a float, got {type(result).__name__}"
    with torch.no_grad():
        expected = F.mse_loss(model(points), targets).item()
    assert result == pytest.approx(expected, rel=1e-5), (
        f"{n} samples in batches of {batch_size}: expected the mean over samples {expected:.5f}, got {result:.5f}"
    )


@pytest.mark.exercise("1.5", points=2)
def test_train_one_epoch_sets_train_mode(training):
    model = small_network(out_features=3, dropout=0.5)
    model.eval()
    loader = tiny_loader(*classification_data(), batch_size=4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    training.train_one_epoch(model, loader, optimizer, F.cross_entropy)

    flags = all_flags(model, "training_flags")
    assert flags, "the model was never called"
    assert all(flags), "every module should be in train mode during the epoch: call model.train() first"


@pytest.mark.exercise("1.5", points=1)
def test_train_one_epoch_moves_batches(training):
    model = small_network(out_features=3)
    loader, batches = recording_loader(*classification_data(), batch_size=4)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

    training.train_one_epoch(model, loader, optimizer, F.cross_entropy, device="cpu")

    assert len(batches) == 3
    for index, (inputs, targets) in enumerate(batches):
        assert CPU in inputs.moves, f"batch {index}: call inputs.to(device) before the forward pass"
        assert CPU in targets.moves, f"batch {index}: call targets.to(device) before the loss"


# evaluate


@pytest.mark.exercise("1.5", points=2)
def test_evaluate_uses_eval_mode(training):
    model = small_network(out_features=3, dropout=0.5)
    model.train()
    points, targets = classification_data(10)
    loader = tiny_loader(points, targets, batch_size=4)

    loss, accuracy = training.evaluate(model, loader, F.cross_entropy)

    flags = all_flags(model, "training_flags")
    assert flags, "the model was never called"
    assert not any(flags), "every module should be in eval mode while evaluating: call model.eval()"
    model.eval()
    with torch.no_grad():
        outputs = model(points)
    assert float(loss) == pytest.approx(F.cross_entropy(outputs, targets).item(), rel=1e-5)
    assert float(accuracy) == pytest.approx((outputs.argmax(dim=1) == targets).float().mean().item())


@pytest.mark.exercise("1.5", points=2)
def test_evaluate_disables_gradients(training):
    model = small_network(out_features=3)
    loader = tiny_loader(*classification_data(), batch_size=4)
    loss_grad_flags = []

    def recording_loss(outputs, targets):
        loss_grad_flags.append(torch.is_grad_enabled())
        return F.cross_entropy(outputs, targets)

    training.evaluate(model, loader, recording_loss)

    assert loss_grad_flags, "evaluate never called loss_fn"
    assert not any(loss_grad_flags), "loss_fn ran with gradients enabled: wrap the evaluation loop in torch.no_grad()"
    assert not any(all_flags(model, "grad_enabled_flags")), "the model ran with gradients enabled: use torch.no_grad()"
    assert torch.is_grad_enabled(), "gradients should be enabled again after evaluate returns"


@pytest.mark.exercise("1.5", points=1)
@pytest.mark.parametrize("start", ["train", "eval", "mixed"])
def test_evaluate_restores_modes(training, start):
    model = small_network(out_features=3, dropout=0.5)
    model.train(start != "eval")
    if start == "mixed":
        model.inner.eval()
        model.recorder.eval()
    before = module_modes(model)
    loader = tiny_loader(*classification_data(), batch_size=4)

    training.evaluate(model, loader, F.cross_entropy)

    after = module_modes(model)
    changed = sorted(name or "(model)" for name in before if before[name] != after[name])
    assert not changed, f"evaluate should leave every module in the mode it found it; these changed: {changed}"


@pytest.mark.exercise("1.5", points=2)
def test_evaluate_binary_accuracy_over_samples(training):
    probabilities = probabilities_away_from_half(9, generator(3))
    targets = (probabilities.squeeze(1) > 0.5).float()
    targets[8] = 1.0 - targets[8]  # only the last sample, alone in its batch, is wrong
    model = nn.Sequential(ModeRecorder(), nn.Dropout(0.5))  # the identity in eval mode
    loader = tiny_loader(probabilities, targets, batch_size=4)

    loss, accuracy = training.evaluate(model, loader, bce_on_probabilities)

    assert float(accuracy) == pytest.approx(8 / 9), (
        f"expected accuracy 8/9 over samples (a mean over the batches would give 2/3), got {accuracy}"
    )
    expected_loss = bce_on_probabilities(probabilities, targets).item()
    assert float(loss) == pytest.approx(expected_loss, rel=1e-5), f"expected loss {expected_loss:.5f}, got {loss}"


@pytest.mark.exercise("1.5", points=2)
def test_evaluate_multiclass_accuracy_over_samples(training):
    gen = generator(4)
    logits = logits_without_ties(9, 4, gen)
    targets = logits.argmax(dim=1)
    targets[8] = (targets[8] + 1) % 4  # only the last sample, alone in its batch, is wrong
    model = nn.Sequential(ModeRecorder(), nn.Dropout(0.5))
    loader = tiny_loader(logits, targets, batch_size=4)

    loss, accuracy = training.evaluate(model, loader, F.cross_entropy)

    assert float(accuracy) == pytest.approx(8 / 9), (
        f"expected accuracy 8/9: for outputs (N, C) the prediction is argmax over dim 1, averaged over samples; got {accuracy}"
    )
    expected_loss = F.cross_entropy(logits, targets).item()
    assert float(loss) == pytest.approx(expected_loss, rel=1e-5), f"expected loss {expected_loss:.5f}, got {loss}"


@pytest.mark.exercise("1.5", points=1)
def test_evaluate_moves_batches(training):
    model = small_network(out_features=3)
    loader, batches = recording_loader(*classification_data(), batch_size=4)

    training.evaluate(model, loader, F.cross_entropy, device="cpu")

    assert len(batches) == 3
    for index, (inputs, targets) in enumerate(batches):
        assert CPU in inputs.moves, f"batch {index}: call inputs.to(device) before the forward pass"
        assert CPU in targets.moves, f"batch {index}: call targets.to(device) before the loss"


# fit


def fit_setup(lr: float = 0.1):
    model = small_network(out_features=3)
    train_loader = tiny_loader(*classification_data(11, seed=5), batch_size=4)
    val_loader = tiny_loader(*classification_data(7, seed=6), batch_size=3)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return model, train_loader, val_loader, optimizer


@pytest.mark.exercise("1.5", points=1)
@pytest.mark.parametrize("epochs", [1, 3])
def test_fit_history_lengths(training, epochs):
    model, train_loader, val_loader, optimizer = fit_setup()

    history = training.fit(model, train_loader, val_loader, optimizer, F.cross_entropy, epochs=epochs)

    for key in ("train_loss", "val_loss", "val_accuracy"):
        assert key in history, f"the history should have the key {key!r}"
        assert len(history[key]) == epochs, f"history[{key!r}] should hold {epochs} entries, got {len(history[key])}"


@pytest.mark.exercise("1.5", points=2)
def test_fit_last_entries_match_evaluate(training):
    model, train_loader, val_loader, optimizer = fit_setup()

    history = training.fit(model, train_loader, val_loader, optimizer, F.cross_entropy, epochs=2)

    val_loss, val_accuracy = training.evaluate(model, val_loader, F.cross_entropy)
    assert float(history["val_loss"][-1]) == pytest.approx(float(val_loss), rel=1e-5), (
        "the last val_loss should be the validation loss of the final model"
    )
    assert float(history["val_accuracy"][-1]) == pytest.approx(float(val_accuracy)), (
        "the last val_accuracy should be the validation accuracy of the final model"
    )


@pytest.mark.exercise("1.5", points=2)
def test_fit_matches_reference_epochs(training):
    model, train_loader, val_loader, optimizer = fit_setup()
    reference = copy.deepcopy(model)
    reference_optimizer = torch.optim.SGD(reference.parameters(), lr=0.1)

    history = training.fit(model, train_loader, val_loader, optimizer, F.cross_entropy, epochs=2)

    expected_losses = [reference_epoch(reference, train_loader, reference_optimizer, F.cross_entropy) for _ in range(2)]
    assert_same_parameters(model, reference, "after fit(epochs=2)")
    assert [float(value) for value in history["train_loss"]] == pytest.approx(expected_losses, rel=1e-5), (
        f"train_loss should hold each epoch's training loss {expected_losses}, got {history['train_loss']}"
    )


@pytest.mark.exercise("1.5", points=1)
def test_fit_with_fixed_model(training):
    model, train_loader, val_loader, _ = fit_setup()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
    train_points, train_targets = train_loader.dataset.tensors
    val_points, val_targets = val_loader.dataset.tensors

    history = training.fit(model, train_loader, val_loader, optimizer, F.cross_entropy, epochs=2)

    with torch.no_grad():
        train_loss = F.cross_entropy(model(train_points), train_targets).item()
        val_outputs = model(val_points)
    val_loss = F.cross_entropy(val_outputs, val_targets).item()
    val_accuracy = (val_outputs.argmax(dim=1) == val_targets).float().mean().item()
    assert [float(value) for value in history["train_loss"]] == pytest.approx([train_loss] * 2, rel=1e-5), (
        f"with lr=0 every train_loss should be the mean loss over the training samples, {train_loss:.5f}"
    )
    assert [float(value) for value in history["val_loss"]] == pytest.approx([val_loss] * 2, rel=1e-5), (
        f"with lr=0 every val_loss should be the mean loss over the validation samples, {val_loss:.5f}"
    )
    assert [float(value) for value in history["val_accuracy"]] == pytest.approx([val_accuracy] * 2), (
        f"with lr=0 every val_accuracy should be the accuracy over the validation samples, {val_accuracy:.4f}"
    )
