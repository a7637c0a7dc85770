import math

import pytest
import torch

from tests.strategies import class_targets, generator, probabilities, synthetic_classifier


@pytest.fixture
def conformal(load):
    return load("bonus.conformal")


def distinct_scores(n: int, seed: int) -> torch.Tensor:
    """Return ``n`` float32 scores in shuffled order, pairwise at least 1e-3 apart."""
    gen = generator(seed)
    levels = (torch.randperm(n, generator=gen).float() + 0.5) / n
    return levels * 0.9 + 0.05


@pytest.mark.exercise("3.2", points=2)
def test_conformity_scores_random(conformal):
    gen = generator(0)
    probs, targets = synthetic_classifier(80, 7, gen)

    scores = conformal.conformity_scores(probs, targets)

    expected = 1 - probs[torch.arange(80), targets]
    assert scores.shape == (80,), f"scores should have one value per sample, shape (80,), got {tuple(scores.shape)}"
    assert scores.is_floating_point(), f"scores should be a float tensor, got dtype {scores.dtype}"
    assert torch.allclose(scores.double(), expected.double(), atol=1e-6), (
        "each score should be 1 minus the probability of the sample's true class (not of the predicted class, and not p itself)"
    )


# k = ceil((n + 1)(1 - alpha)), worked out by hand; None means k > n, so qhat is infinite.
# For n = 19 the product is exactly 19 or 18, and Python's float arithmetic computes it exactly.
SMALL_N_CASES = [
    (1, 0.05, None),
    (1, 0.1, None),
    (5, 0.05, None),
    (5, 0.1, None),
    (19, 0.05, 19),
    (19, 0.1, 18),
    (20, 0.05, 20),
    (20, 0.1, 19),
]


@pytest.mark.exercise("3.2", points=1)
@pytest.mark.parametrize(("n", "alpha", "k"), SMALL_N_CASES)
def test_quantile_on_small_calibration_sets(conformal, n, alpha, k):
    scores = distinct_scores(n, seed=n)

    qhat = conformal.conformal_quantile(scores, alpha)

    if k is None:
        assert qhat == math.inf, (
            f"with n = {n} and alpha = {alpha}, k = ceil((n + 1)(1 - alpha)) = ceil({(n + 1) * (1 - alpha):.2f}) exceeds n, "
            f"so qhat should be math.inf (every set contains every class), got {qhat}"
        )
        return
    expected = scores.sort().values[k - 1].item()
    assert isinstance(qhat, float), f"conformal_quantile should return a Python float, got {type(qhat).__name__}"
    assert qhat == pytest.approx(expected, abs=1e-6), (
        f"with n = {n} and alpha = {alpha}, k = ceil((n + 1)(1 - alpha)) = {k}, so qhat is the {k}-th smallest score, "
        f"{expected:.5f}, got {qhat}"
    )


@pytest.mark.exercise("3.2", points=1)
@pytest.mark.parametrize(("n", "alpha", "k"), [(100, 0.2, 81), (50, 0.05, 49), (1000, 0.1, 901)])
def test_quantile_on_larger_calibration_sets(conformal, n, alpha, k):
    scores = distinct_scores(n, seed=n)

    qhat = conformal.conformal_quantile(scores, alpha)

    expected = scores.sort().values[k - 1].item()
    assert qhat == pytest.approx(expected, abs=1e-6), (
        f"with n = {n} and alpha = {alpha}, k = ceil((n + 1)(1 - alpha)) = {k}: qhat should be the {k}-th smallest score "
        f"{expected:.5f}, got {qhat}"
    )


@pytest.mark.exercise("3.2", points=1)
def test_quantile_accepts_float64_scores(conformal):
    scores = distinct_scores(40, seed=3).double()

    qhat = conformal.conformal_quantile(scores, 0.25)

    expected = scores.sort().values[30].item()  # k = ceil(41 * 0.75) = ceil(30.75) = 31, at position 30
    assert qhat == pytest.approx(expected, abs=1e-6), f"qhat should be the 31st smallest score, {expected}, got {qhat}"


@pytest.mark.exercise("3.2", points=1)
@pytest.mark.parametrize("alpha", [0.0, 1.0, -0.05, 1.2])
def test_quantile_rejects_alpha_outside_open_interval(conformal, alpha):
    scores = distinct_scores(30, seed=4)

    with pytest.raises(ValueError, match="alpha"):
        conformal.conformal_quantile(scores, alpha)


@pytest.mark.exercise("3.2", points=1)
@pytest.mark.parametrize("qhat", [0.35, 0.7, 0.9])
def test_prediction_sets_random(conformal, qhat):
    gen = generator(5)
    probs = probabilities((60, 8), gen, low=0.0, high=1.0)
    margin = ((1 - probs.double()) - qhat).abs().min().item()
    assert margin > 1e-5, "test data: a score lies too close to qhat; pick another seed"

    sets = conformal.prediction_sets(probs, qhat)

    assert sets.dtype == torch.bool, f"the sets should be a boolean mask, got dtype {sets.dtype}"
    assert sets.shape == probs.shape, f"the mask should have the shape of probs, {tuple(probs.shape)}, got {tuple(sets.shape)}"
    assert torch.equal(sets, (1 - probs) <= qhat), f"a set contains every class whose score 1 - p is at most qhat = {qhat}"


@pytest.mark.exercise("3.2", points=1)
def test_prediction_sets_include_score_equal_to_qhat(conformal):
    probs = torch.tensor([[0.5, 0.25, 0.125, 0.125], [0.25, 0.25, 0.25, 0.25]])

    sets = conformal.prediction_sets(probs, 0.75)

    expected = torch.tensor([[True, True, False, False], [True, True, True, True]])
    assert torch.equal(sets, expected), (
        f"a class whose score 1 - p equals qhat belongs to the set (score <= qhat, not <): expected\n{expected}\ngot\n{sets}"
    )


@pytest.mark.exercise("3.2", points=1)
def test_prediction_sets_infinite_qhat(conformal):
    probs = probabilities((5, 4), generator(6))

    sets = conformal.prediction_sets(probs, math.inf)

    assert sets.dtype == torch.bool, f"the sets should be a boolean mask, got dtype {sets.dtype}"
    assert bool(sets.all()), "with qhat = math.inf every class of every sample belongs to the set"


@pytest.mark.exercise("3.2", points=2)
def test_empirical_coverage_matches_definition(conformal):
    gen = generator(7)
    sets = torch.rand(150, 6, generator=gen) < 0.4
    targets = class_targets(150, 6, gen)

    coverage = conformal.empirical_coverage(sets, targets)

    expected = sum(bool(sets[i, target]) for i, target in enumerate(targets.tolist())) / 150
    assert isinstance(coverage, float), f"empirical_coverage should return a Python float, got {type(coverage).__name__}"
    assert coverage == pytest.approx(expected, abs=1e-6), (
        f"coverage is the fraction of samples whose set contains their true class, {expected:.4f}, got {coverage:.4f}"
    )


@pytest.mark.exercise("3.2", points=1)
def test_average_set_size_matches_definition(conformal):
    gen = generator(8)
    sets = torch.rand(90, 5, generator=gen) < 0.3
    sets[0] = False  # an empty set counts with size 0

    size = conformal.average_set_size(sets)

    expected = sum(int(row.sum()) for row in sets) / 90
    assert isinstance(size, float), f"average_set_size should return a Python float, got {type(size).__name__}"
    assert size == pytest.approx(expected, abs=1e-6), f"the mean number of True entries per row is {expected:.4f}, got {size:.4f}"


POOL_SIZE = 1000
TEST_SIZE = 200
TRIALS = 1000
TOLERANCE_Z = 4.0  # standard errors of the mean coverage allowed for sampling error


def coverage_tolerance(n: int, k: int, test_size: int, trials: int) -> float:
    """Return ``TOLERANCE_Z`` standard errors of the mean coverage over ``trials`` random splits.

    Given its calibration set, a split's coverage is the fraction of test samples
    whose score is at most the k-th of n calibration scores. That fraction's
    expectation follows a Beta(k, n + 1 - k) distribution, and the finite test set
    adds at most a binomial variance of 1 / (4 * test_size).
    """
    beta_variance = k * (n + 1 - k) / ((n + 1) ** 2 * (n + 2))
    return TOLERANCE_Z * math.sqrt((beta_variance + 0.25 / test_size) / trials)


@pytest.mark.exercise("3.2", points=2)
@pytest.mark.parametrize(("n", "alpha"), [(20, 0.1), (19, 0.05), (100, 0.2)])
def test_coverage_guarantee_over_random_splits(conformal, n, alpha):
    gen = generator(n)
    probs, targets = synthetic_classifier(POOL_SIZE, 10, gen, boost=1.5)
    true_class_scores = 1 - probs[torch.arange(POOL_SIZE), targets]
    assert torch.unique(true_class_scores).numel() == POOL_SIZE, "test data: the upper bound needs scores without ties"

    coverages = []
    for _ in range(TRIALS):
        order = torch.randperm(POOL_SIZE, generator=gen)
        calibration, test = order[:n], order[n:n + TEST_SIZE]
        scores = conformal.conformity_scores(probs[calibration], targets[calibration])
        qhat = conformal.conformal_quantile(scores, alpha)
        sets = conformal.prediction_sets(probs[test], qhat)
        coverages.append(conformal.empirical_coverage(sets, targets[test]))

    mean_coverage = sum(coverages) / TRIALS
    k = math.ceil((n + 1) * (1 - alpha))
    tolerance = coverage_tolerance(n, k, TEST_SIZE, TRIALS)
    lower, upper = 1 - alpha, 1 - alpha + 1 / (n + 1)
    assert mean_coverage >= lower - tolerance, (
        f"over {TRIALS} random calibration/test splits with n = {n} and alpha = {alpha}, the mean coverage {mean_coverage:.4f} "
        f"falls below 1 - alpha = {lower:.4f} (tolerance {tolerance:.4f}): the sets are too small. Check the (n + 1) in "
        f"k = ceil((n + 1)(1 - alpha)) and that scores are 1 - p_true"
    )
    assert mean_coverage <= upper + tolerance, (
        f"over {TRIALS} random calibration/test splits with n = {n} and alpha = {alpha}, the mean coverage {mean_coverage:.4f} "
        f"exceeds 1 - alpha + 1 / (n + 1) = {upper:.4f} (tolerance {tolerance:.4f}): the sets are larger than they need to be. "
        f"Check that qhat is the k-th smallest score, not a later one"
    )
