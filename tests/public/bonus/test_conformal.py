import math

import pytest
import torch


@pytest.fixture
def conformal(load):
    return load("bonus.conformal")


@pytest.mark.exercise("3.2", points=1)
def test_conformity_scores_small_example(conformal):
    probs = torch.tensor([[0.7, 0.2, 0.1], [0.25, 0.25, 0.5], [0.1, 0.6, 0.3]])
    targets = torch.tensor([0, 2, 0])

    scores = conformal.conformity_scores(probs, targets)

    assert scores.shape == (3,), f"there should be one score per sample, shape (3,), got {tuple(scores.shape)}"
    assert torch.allclose(scores, torch.tensor([0.3, 0.5, 0.9])), (
        f"the score of a sample is 1 - (probability of its true class): expected [0.3, 0.5, 0.9], got {scores.tolist()}"
    )


@pytest.mark.exercise("3.2", points=1)
def test_quantile_small_example(conformal):
    # The scores 0.01, 0.02, ..., 0.20 in shuffled order: the k-th smallest is k / 100.
    scores = torch.randperm(20, generator=torch.Generator().manual_seed(0)).add(1).double() / 100

    qhat = conformal.conformal_quantile(scores, alpha=0.1)

    assert isinstance(qhat, float), f"conformal_quantile should return a Python float, got {type(qhat).__name__}: use .item()"
    assert qhat == pytest.approx(0.19), (
        f"with n = 20 scores and alpha = 0.1, k = ceil((n + 1)(1 - alpha)) = ceil(18.9) = 19, so qhat is the 19th smallest "
        f"score, 0.19, got {qhat}"
    )


@pytest.mark.exercise("3.2", points=1)
def test_quantile_infinite_with_too_few_scores(conformal):
    scores = torch.tensor([0.4, 0.1, 0.3, 0.2, 0.5])

    qhat = conformal.conformal_quantile(scores, alpha=0.1)

    assert qhat == math.inf, (
        f"with n = 5 scores and alpha = 0.1, k = ceil(6 * 0.9) = 6 > n: no calibration score is high enough, "
        f"so qhat should be math.inf and every set contains every class, got {qhat}"
    )


@pytest.mark.exercise("3.2", points=1)
@pytest.mark.parametrize("alpha", [0.0, 1.0, -0.1, 1.5])
def test_quantile_rejects_alpha_outside_open_interval(conformal, alpha):
    scores = torch.linspace(0.05, 0.95, 30)

    with pytest.raises(ValueError, match="alpha"):
        conformal.conformal_quantile(scores, alpha)


@pytest.mark.exercise("3.2", points=1)
def test_prediction_sets_small_example(conformal):
    probs = torch.tensor([[0.7, 0.2, 0.1], [0.4, 0.35, 0.25]])

    sets = conformal.prediction_sets(probs, qhat=0.7)

    assert sets.dtype == torch.bool, f"the sets should be a boolean mask, got dtype {sets.dtype}"
    expected = torch.tensor([[True, False, False], [True, True, False]])
    assert torch.equal(sets, expected), (
        f"a set contains every class whose score 1 - p is at most qhat = 0.7, that is p >= 0.3.\nexpected\n{expected}\ngot\n{sets}"
    )


@pytest.mark.exercise("3.2", points=1)
def test_coverage_and_size_small_example(conformal):
    sets = torch.tensor([[True, False, False], [True, True, False], [False, True, True], [True, True, True]])
    targets = torch.tensor([0, 2, 1, 2])

    coverage = conformal.empirical_coverage(sets, targets)
    size = conformal.average_set_size(sets)

    assert isinstance(coverage, float), f"empirical_coverage should return a Python float, got {type(coverage).__name__}"
    assert coverage == pytest.approx(0.75), f"3 of the 4 sets contain their true class, so the coverage is 0.75, got {coverage}"
    assert isinstance(size, float), f"average_set_size should return a Python float, got {type(size).__name__}"
    assert size == pytest.approx(2.0), f"the sets contain 1, 2, 2 and 3 classes, 2.0 on average, got {size}"
