import math

import pytest
import torch
import torch.nn.functional as F

from tests.strategies import binary_targets, class_targets, generator, logits_without_ties, probabilities, uniform

TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}


@pytest.fixture
def losses(load):
    return load("toy.losses")


def check_scalar(loss, name: str) -> None:
    assert isinstance(loss, torch.Tensor), f"{name} should return a tensor, got {type(loss).__name__}"
    assert loss.dim() == 0, f"{name} should return a 0-dim tensor (mean reduction), got shape {tuple(loss.shape)}"


def gradient(loss_fn, leaf: torch.Tensor, *others) -> torch.Tensor:
    leaf = leaf.detach().clone().requires_grad_(True)
    loss_fn(leaf, *others).backward()
    assert leaf.grad is not None, "the loss is not connected to its input: compute it with differentiable torch operations"
    return leaf.grad


# mse_loss

MSE_CASES = {
    "vector": ((9,), (9,)),
    "matrix": ((5, 3), (5, 3)),
    "column output": ((6, 1), (6,)),
    "batch of one": ((1,), (1,)),
    "column batch of one": ((1, 1), (1,)),
}


@pytest.mark.exercise("1.2", points=1)
@pytest.mark.parametrize("case", list(MSE_CASES))
def test_mse_loss_matches_torch(losses, case):
    pred_shape, target_shape = MSE_CASES[case]
    gen = generator(3)
    pred = uniform(pred_shape, -3.0, 3.0, gen)
    target = uniform(target_shape, -3.0, 3.0, gen)

    loss = losses.mse_loss(pred, target)

    check_scalar(loss, "mse_loss")
    expected = F.mse_loss(pred.reshape(target.shape), target)
    assert torch.allclose(loss, expected, **TOLERANCE), (
        f"pred {pred_shape}, target {target_shape}: expected {expected.item()}, got {loss.item()}"
    )


@pytest.mark.exercise("1.2", points=1)
def test_mse_loss_zero_targets(losses):
    pred = torch.tensor([[1.0], [-2.0], [3.0]])
    target = torch.zeros(3)

    loss = losses.mse_loss(pred, target)

    check_scalar(loss, "mse_loss")
    assert loss.item() == pytest.approx(14 / 3, abs=1e-5)


@pytest.mark.exercise("1.2", points=1)
def test_mse_loss_gradient_matches_torch(losses):
    gen = generator(4)
    pred = uniform((8, 1), -2.0, 2.0, gen)
    target = uniform((8,), -2.0, 2.0, gen)

    grad = gradient(losses.mse_loss, pred, target)

    expected = gradient(lambda p, t: F.mse_loss(p.reshape(t.shape), t), pred, target)
    assert torch.allclose(grad, expected, **TOLERANCE), "the gradient of mse_loss differs from F.mse_loss's"


# binary_cross_entropy

BCE_CASES = {
    "vector": ((50,), (50,)),
    "column output": ((20, 1), (20,)),
    "batch of one": ((1,), (1,)),
    "column batch of one": ((1, 1), (1,)),
}


@pytest.mark.exercise("1.2", points=1)
@pytest.mark.parametrize("case", list(BCE_CASES))
def test_binary_cross_entropy_matches_torch(losses, case):
    prob_shape, target_shape = BCE_CASES[case]
    gen = generator(5)
    prob = probabilities(prob_shape, gen)
    target = binary_targets(target_shape[0], gen)

    loss = losses.binary_cross_entropy(prob, target)

    check_scalar(loss, "binary_cross_entropy")
    expected = F.binary_cross_entropy(prob.reshape(target.shape), target)
    assert torch.allclose(loss, expected, **TOLERANCE), (
        f"prob {prob_shape}, target {target_shape}: expected {expected.item()}, got {loss.item()}"
    )


@pytest.mark.exercise("1.2", points=1)
@pytest.mark.parametrize("target_value", [0.0, 1.0])
def test_binary_cross_entropy_constant_targets(losses, target_value):
    prob = probabilities((30, 1), generator(6))
    target = torch.full((30,), target_value)

    loss = losses.binary_cross_entropy(prob, target)

    check_scalar(loss, "binary_cross_entropy")
    expected = F.binary_cross_entropy(prob.reshape(30), target)
    assert torch.allclose(loss, expected, **TOLERANCE), (
        f"all targets {target_value}: expected {expected.item()}, got {loss.item()}"
    )


@pytest.mark.exercise("1.2", points=2)
def test_binary_cross_entropy_clamps_zero_and_one(losses):
    prob = torch.tensor([0.0, 1.0, 0.0, 1.0])
    target = torch.tensor([0.0, 1.0, 1.0, 0.0])

    loss = losses.binary_cross_entropy(prob, target)

    check_scalar(loss, "binary_cross_entropy")
    assert math.isfinite(loss.item()), f"probabilities exactly 0 and 1 gave {loss.item()}: clamp them to [eps, 1 - eps]"
    # Two of the four samples are confidently wrong, each costing about -log(eps) after clamping.
    expected = -2 * math.log(1e-7) / 4
    assert loss.item() == pytest.approx(expected, rel=0.03), (
        f"expected about {expected:.3f} (clamping at eps=1e-7), got {loss.item()}"
    )


@pytest.mark.exercise("1.2", points=1)
def test_binary_cross_entropy_uses_eps(losses):
    prob = torch.tensor([0.0, 1.0])
    target = torch.tensor([1.0, 0.0])

    loss = losses.binary_cross_entropy(prob, target, eps=1e-3)

    check_scalar(loss, "binary_cross_entropy")
    assert loss.item() == pytest.approx(-math.log(1e-3), rel=1e-4), (
        f"with eps=1e-3 each sample costs -log(1e-3) = 6.908, got {loss.item()}: clamp with the eps argument"
    )


@pytest.mark.exercise("1.2", points=1)
def test_binary_cross_entropy_gradient_matches_torch(losses):
    gen = generator(7)
    prob = probabilities((12, 1), gen, low=0.01, high=0.99)
    target = binary_targets(12, gen)

    grad = gradient(losses.binary_cross_entropy, prob, target)

    expected = gradient(lambda p, t: F.binary_cross_entropy(p.reshape(t.shape), t), prob, target)
    assert torch.allclose(grad, expected, **TOLERANCE), (
        "the gradient of binary_cross_entropy differs from F.binary_cross_entropy's"
    )


# cross_entropy


@pytest.mark.exercise("1.2", points=1)
@pytest.mark.parametrize(("n", "num_classes"), [(64, 10), (20, 2), (1, 5)])
def test_cross_entropy_matches_torch(losses, n, num_classes):
    gen = generator(8)
    logits = logits_without_ties(n, num_classes, gen)
    target = class_targets(n, num_classes, gen)

    loss = losses.cross_entropy(logits, target)

    check_scalar(loss, "cross_entropy")
    expected = F.cross_entropy(logits, target)
    assert torch.allclose(loss, expected, **TOLERANCE), f"N={n}, C={num_classes}: expected {expected.item()}, got {loss.item()}"


@pytest.mark.exercise("1.2", points=2)
def test_cross_entropy_extreme_logits(losses):
    logits = torch.tensor([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4], [-1e4, 0.0, 1e4]])
    target = torch.tensor([0, 2, 1, 0])

    loss = losses.cross_entropy(logits, target)

    check_scalar(loss, "cross_entropy")
    assert math.isfinite(loss.item()), f"logits of +-1e4 gave {loss.item()}: subtract each row's maximum before exp"
    expected = F.cross_entropy(logits, target)
    assert torch.allclose(loss, expected, rtol=1e-5, atol=1e-5), f"expected {expected.item()}, got {loss.item()}"


@pytest.mark.exercise("1.2", points=1)
def test_cross_entropy_shift_invariant(losses):
    gen = generator(9)
    logits = logits_without_ties(6, 4, gen)
    target = class_targets(6, 4, gen)

    shifted = losses.cross_entropy(logits + 1e4, target)

    check_scalar(shifted, "cross_entropy")
    expected = F.cross_entropy(logits, target)
    # float32 keeps about 1e-3 of resolution next to 1e4, so the shifted logits are only that precise.
    assert shifted.item() == pytest.approx(expected.item(), abs=5e-3), (
        f"adding 1e4 to every logit should not change the loss {expected.item():.4f}, got {shifted.item()}"
    )


@pytest.mark.exercise("1.2", points=1)
def test_cross_entropy_gradient_matches_torch(losses):
    gen = generator(10)
    logits = logits_without_ties(16, 3, gen)
    target = class_targets(16, 3, gen)

    grad = gradient(losses.cross_entropy, logits, target)

    expected = gradient(F.cross_entropy, logits, target)
    assert torch.allclose(grad, expected, **TOLERANCE), "the gradient of cross_entropy differs from F.cross_entropy's"
