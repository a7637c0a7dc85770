import numpy as np
import pytest
import torch
from sklearn.utils.class_weight import compute_class_weight
from torch import nn
from torch.utils.data import WeightedRandomSampler

from tests.strategies import class_targets, generator


@pytest.fixture
def balance(load):
    return load("plantnet.balance")


@pytest.mark.exercise("2.3", points=1)
def test_class_counts_random(balance):
    targets = class_targets(500, 7, generator(1))

    counts = balance.class_counts(targets, num_classes=7)

    expected = np.bincount(targets.numpy(), minlength=7)
    assert counts.dtype == torch.long
    assert counts.tolist() == expected.tolist()


@pytest.mark.exercise("2.3", points=1)
def test_class_counts_list_targets(balance):
    counts = balance.class_counts([3, 3, 0], num_classes=6)  # ImageFolder.targets is a Python list

    assert counts.dtype == torch.long
    assert counts.tolist() == [1, 0, 0, 2, 0, 0]


@pytest.mark.exercise("2.3", points=1)
def test_class_counts_absent_first_and_last(balance):
    counts = balance.class_counts(torch.tensor([2, 1, 2, 2]), num_classes=4)

    assert counts.shape == (4,), f"counts should have length num_classes=4, got shape {tuple(counts.shape)}"
    assert counts.tolist() == [0, 1, 3, 0]


@pytest.mark.exercise("2.3", points=2)
@pytest.mark.parametrize("num_classes", [2, 5, 9])
def test_class_weights_random_match_sklearn(balance, num_classes):
    gen = generator(num_classes)
    probabilities = torch.rand(num_classes, generator=gen) + 0.05
    targets = torch.multinomial(probabilities, 400, replacement=True, generator=gen)
    targets[:num_classes] = torch.arange(num_classes)  # every class present
    counts = torch.bincount(targets, minlength=num_classes)

    weights = balance.class_weights(counts)

    expected = compute_class_weight("balanced", classes=np.arange(num_classes), y=targets.numpy())
    assert weights.dtype == torch.float32, f"weights should be float32, got {weights.dtype}"
    assert weights.shape == (num_classes,)
    assert torch.allclose(weights, torch.tensor(expected, dtype=torch.float32), rtol=1e-5), (
        "weights should follow scikit-learn's 'balanced' rule N / (C * n_c); "
        f"expected {expected.round(4).tolist()}, got {weights.tolist()}"
    )


@pytest.mark.exercise("2.3", points=2)
def test_class_weights_absent_class_zero(balance):
    counts = torch.tensor([4, 0, 12, 4, 0])

    weights = balance.class_weights(counts)

    assert torch.isfinite(weights).all(), f"weights should be finite, got {weights.tolist()}: give a class with no samples weight 0"
    assert weights[1] == 0, f"absent class 1 should get weight 0, got {weights.tolist()}"
    assert weights[4] == 0, f"absent class 4 should get weight 0, got {weights.tolist()}"
    total, num_classes = 20, 5  # C counts every class, present or not
    expected = torch.tensor([total / (num_classes * 4), 0.0, total / (num_classes * 12), total / (num_classes * 4), 0.0])
    assert torch.allclose(weights, expected), f"expected N / (C * n_c) with C = len(counts) = 5, i.e. {expected.tolist()}, got {weights.tolist()}"


@pytest.mark.exercise("2.3", points=1)
def test_class_weights_feed_cross_entropy(balance):
    counts = balance.class_counts(torch.tensor([0, 0, 0, 1]), num_classes=3)
    loss_fn = nn.CrossEntropyLoss(weight=balance.class_weights(counts))

    loss = loss_fn(torch.randn(4, 3, generator=generator(2)), torch.tensor([0, 0, 1, 1]))

    assert torch.isfinite(loss), "CrossEntropyLoss with these class weights should give a finite loss"


@pytest.mark.exercise("2.3", points=1)
def test_class_weights_long_counts_float_result(balance):
    weights = balance.class_weights(torch.tensor([1, 3], dtype=torch.long))

    assert weights.dtype == torch.float32, f"integer counts should still give float32 weights, got {weights.dtype}"
    assert torch.allclose(weights, torch.tensor([2.0, 2 / 3])), f"expected [2.0, 0.6667], got {weights.tolist()}: divide in floating point"


@pytest.mark.exercise("2.3", points=2)
def test_sampler_weights_inverse_class_count(balance):
    targets = torch.tensor([1, 0, 1, 1, 2, 1, 0, 1])

    sampler = balance.weighted_sampler(targets)

    assert isinstance(sampler, WeightedRandomSampler)
    weights = torch.as_tensor(sampler.weights, dtype=torch.float64)
    assert weights.shape == (len(targets),), f"the sampler needs one weight per sample ({len(targets)}), got shape {tuple(weights.shape)}"
    expected = 1.0 / torch.tensor([5, 2, 5, 5, 1, 5, 2, 5], dtype=torch.float64)
    assert torch.allclose(weights / weights.sum(), expected / expected.sum()), (
        "sample i should have a weight proportional to 1 / n_{y_i}, the inverse count of its class, not one weight per class"
    )


@pytest.mark.exercise("2.3", points=1)
def test_sampler_num_samples(balance):
    targets = torch.tensor([0, 1, 1, 1])

    sampler = balance.weighted_sampler(targets, num_samples=50, generator=generator(3))

    indices = list(sampler)
    assert len(indices) == 50, f"num_samples=50 should give 50 indices, got {len(indices)}"
    assert all(0 <= index < len(targets) for index in indices), "indices should point into the targets"
    assert sampler.replacement


@pytest.mark.exercise("2.3", points=1)
def test_sampler_uses_generator(balance):
    targets = class_targets(60, 4, generator(4))

    first = list(balance.weighted_sampler(targets, generator=generator(11)))
    second = list(balance.weighted_sampler(targets, generator=generator(11)))

    assert first == second, "two samplers with generators seeded alike should draw the same indices: pass generator to WeightedRandomSampler"


@pytest.mark.exercise("2.3", points=3)
def test_sampler_balances_strong_imbalance(balance):
    targets = torch.tensor([0] * 950 + [1] * 45 + [3] * 5)  # class 2 is absent
    targets = targets[torch.randperm(len(targets), generator=generator(5))]

    sampler = balance.weighted_sampler(targets, num_samples=30000, generator=generator(6))
    drawn = targets[torch.tensor(list(sampler))]

    shares = torch.bincount(drawn, minlength=4).double() / len(drawn)
    # Each share of three present classes has a standard deviation of about 0.003 over 30000 draws.
    for label in (0, 1, 3):
        assert abs(shares[label] - 1 / 3) < 0.03, (
            f"class {label} should make up about a third of the draws, got {shares[label]:.3f}: "
            "weight each sample by 1 / (count of its class)"
        )
    assert shares[2] == 0


@pytest.mark.exercise("2.3", points=1)
def test_sampler_default_draws_all(balance):
    targets = class_targets(37, 3, generator(7))

    indices = list(balance.weighted_sampler(targets, generator=generator(8)))

    assert len(indices) == 37, f"by default the sampler should draw len(targets) = 37 indices, got {len(indices)}"
