import math

import pytest
import torch


@pytest.fixture
def losses(load):
    return load("toy.losses")


def as_float(loss) -> float:
    assert isinstance(loss, torch.Tensor), f"a loss should be a tensor that backward() can start from, got {type(loss).__name__}"
    assert loss.dim() == 0, f"a loss with mean reduction is a single number (a 0-dim tensor), got shape {tuple(loss.shape)}"
    return loss.item()


@pytest.mark.exercise("1.2", points=1)
def test_mse_loss_small_example(losses):
    pred = torch.tensor([1.0, 2.0, 3.0])
    target = torch.tensor([1.0, 0.0, 0.0])

    value = as_float(losses.mse_loss(pred, target))

    assert value == pytest.approx(13 / 3, abs=1e-5), f"expected (0 + 4 + 9) / 3 = 4.333, got {value}"


@pytest.mark.exercise("1.2", points=2)
def test_mse_loss_averages_over_samples(losses):
    pred = torch.tensor([0.5, 2.0, -1.0, 3.0])
    target = torch.tensor([1.0, 0.0, 0.0, 2.0])

    single = as_float(losses.mse_loss(pred, target))
    doubled = as_float(losses.mse_loss(torch.cat([pred, pred]), torch.cat([target, target])))

    assert doubled == pytest.approx(single, abs=1e-5), (
        f"the same samples twice gave {doubled} instead of {single}. The loss is a sum over samples: "
        "average it with .mean() so it does not grow with the batch size"
    )


@pytest.mark.exercise("1.2", points=2)
def test_mse_loss_column_output(losses):
    pred = torch.tensor([[0.0], [1.0], [2.0], [3.0]])
    target = torch.tensor([0.0, 1.0, 2.0, 5.0])

    value = as_float(losses.mse_loss(pred, target))

    broadcast_value = ((pred - target) ** 2).mean().item()
    assert value != pytest.approx(broadcast_value, abs=1e-5), (
        f"got {value}, the mean over a (4, 4) matrix: an output of shape (N, 1) minus targets of shape (N,) "
        "broadcasts to (N, N) and compares every prediction with every target. Reshape pred to target.shape first"
    )
    assert value == pytest.approx(1.0, abs=1e-5), f"expected the mean of the 4 squared differences, 1.0, got {value}"


@pytest.mark.exercise("1.2", points=1)
def test_binary_cross_entropy_small_example(losses):
    prob = torch.tensor([0.9, 0.2])
    target = torch.tensor([1.0, 0.0])

    value = as_float(losses.binary_cross_entropy(prob, target))

    expected = -(math.log(0.9) + math.log(0.8)) / 2
    assert value == pytest.approx(expected, abs=1e-5), (
        f"expected -(log 0.9 + log 0.8) / 2 = {expected:.5f}, got {value}: "
        "each sample contributes -(t log p + (1 - t) log(1 - p)), averaged over samples"
    )


@pytest.mark.exercise("1.2", points=1)
def test_binary_cross_entropy_finite_at_zero_and_one(losses):
    prob = torch.tensor([0.0, 1.0, 0.0, 1.0])
    target = torch.tensor([0.0, 1.0, 1.0, 0.0])

    value = as_float(losses.binary_cross_entropy(prob, target))

    assert math.isfinite(value), (
        f"got {value} for probabilities exactly 0 and 1: log(0) is -inf and 0 * -inf is nan. "
        "Clamp the probabilities to [eps, 1 - eps] before taking the logarithms"
    )


@pytest.mark.exercise("1.2", points=1)
def test_cross_entropy_small_example(losses):
    logits = torch.tensor([[2.0, 0.0, -1.0], [0.0, 0.0, 0.0]])
    target = torch.tensor([0, 2])

    value = as_float(losses.cross_entropy(logits, target))

    first = -2.0 + math.log(math.exp(2.0) + 1.0 + math.exp(-1.0))
    expected = (first + math.log(3.0)) / 2
    assert value == pytest.approx(expected, abs=1e-5), (
        f"expected {expected:.5f}, got {value}: the loss of a sample is -log softmax(logits)[true class], "
        "computed from the raw logits (no softmax before)"
    )


@pytest.mark.exercise("1.2", points=2)
def test_cross_entropy_large_logits(losses):
    logits = torch.tensor([[1e4, 0.0, -1e4]])
    target = torch.tensor([1])

    value = as_float(losses.cross_entropy(logits, target))

    assert math.isfinite(value), (
        f"got {value} for a logit of 1e4: exp(1e4) overflows to inf. "
        "Subtract each row's maximum before exp (the log-sum-exp trick); the result does not change"
    )
    assert value == pytest.approx(1e4, rel=1e-5), f"expected 1e4, got {value}"


@pytest.mark.exercise("1.2", points=1)
def test_losses_support_backward(losses):
    pred = torch.tensor([0.3, 0.6], requires_grad=True)
    logits = torch.tensor([[1.0, -1.0]], requires_grad=True)
    target = torch.tensor([0.0, 1.0])

    for name, loss in [
        ("mse_loss", losses.mse_loss(pred, target)),
        ("binary_cross_entropy", losses.binary_cross_entropy(pred, target)),
        ("cross_entropy", losses.cross_entropy(logits, torch.tensor([1]))),
    ]:
        assert isinstance(loss, torch.Tensor), f"{name} should return a tensor, got {type(loss).__name__}"
        assert loss.requires_grad, (
            f"{name} returned a tensor detached from the graph, so loss.backward() cannot train the model: "
            "compute it with torch operations, without .item(), .detach() or NumPy"
        )
