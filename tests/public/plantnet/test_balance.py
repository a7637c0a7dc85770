import numpy as np
import pytest
import torch
from sklearn.utils.class_weight import compute_class_weight
from torch.utils.data import WeightedRandomSampler

from tests.strategies import generator


@pytest.fixture
def balance(load):
    return load("plantnet.balance")


@pytest.mark.exercise("2.3", points=1)
def test_class_counts_basic(balance):
    counts = balance.class_counts(torch.tensor([0, 2, 2, 1, 0, 2]), num_classes=3)

    assert counts.dtype == torch.long, f"counts should be torch.long, got {counts.dtype}"
    assert counts.tolist() == [2, 1, 3]


@pytest.mark.exercise("2.3", points=1)
def test_class_counts_absent_last_classes(balance):
    counts = balance.class_counts(torch.tensor([0, 1, 1]), num_classes=5)

    assert counts.tolist() == [1, 2, 0, 0, 0], (
        f"expected one count per class, 0 for the absent classes 2, 3 and 4, got {counts.tolist()}: "
        "torch.bincount needs minlength=num_classes"
    )


@pytest.mark.exercise("2.3", points=2)
def test_class_weights_match_sklearn(balance):
    targets = torch.tensor([0] * 6 + [1] * 3 + [2] * 1)

    weights = balance.class_weights(torch.tensor([6, 3, 1]))

    expected = compute_class_weight("balanced", classes=np.arange(3), y=targets.numpy())
    assert weights.dtype == torch.float32, f"weights should be float32 for CrossEntropyLoss, got {weights.dtype}"
    assert torch.allclose(weights, torch.tensor(expected, dtype=torch.float32)), (
        f"expected N / (C * n_c) = {expected.round(4).tolist()}, got {weights.tolist()}: rare classes get large weights"
    )


@pytest.mark.exercise("2.3", points=1)
def test_sampler_defaults(balance):
    targets = torch.tensor([0, 0, 0, 1, 2, 2])

    sampler = balance.weighted_sampler(targets)

    assert isinstance(sampler, WeightedRandomSampler), f"expected a WeightedRandomSampler, got {type(sampler).__name__}"
    assert sampler.num_samples == len(targets), f"by default the sampler should draw one index per target ({len(targets)}), got {sampler.num_samples}"
    assert sampler.replacement, "the sampler must draw with replacement, or a rare class cannot appear more often than it occurs"


@pytest.mark.exercise("2.3", points=2)
def test_sampler_balances_classes(balance):
    targets = torch.tensor([0] * 90 + [1] * 9 + [2] * 1)

    sampler = balance.weighted_sampler(targets, num_samples=6000, generator=generator(0))
    drawn = targets[torch.tensor(list(sampler))]

    shares = torch.bincount(drawn, minlength=3).double() / len(drawn)
    assert ((shares - 1 / 3).abs() < 0.05).all(), (
        f"each class should make up about a third of the draws, got shares {shares.numpy().round(3).tolist()}: "
        "weight each sample by 1 / (count of its class)"
    )
