import pytest
import torch


@pytest.fixture
def topk(load):
    return load("bonus.topk")


# Four samples, three classes. The true class ranks 2nd, 3rd, 1st and 3rd in its row.
PROBS = torch.tensor([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3], [0.25, 0.15, 0.6], [0.7, 0.2, 0.1]])
TARGETS = torch.tensor([2, 1, 2, 2])

# Average-K example: a confident row, a row torn between two classes and a row that hesitates between all three.
VAL_PROBS = torch.tensor([[0.9, 0.06, 0.04], [0.48, 0.47, 0.05], [0.36, 0.33, 0.31]])
VAL_TARGETS = torch.tensor([0, 1, 2])


@pytest.mark.exercise("3.1", points=1)
@pytest.mark.parametrize(("k", "expected"), [(1, 0.25), (2, 0.5), (3, 1.0)])
def test_topk_accuracy_small_example(topk, k, expected):
    result = topk.topk_accuracy(PROBS, TARGETS, k)

    assert isinstance(result, float), f"topk_accuracy should return a Python float, got {type(result).__name__}: use .item()"
    assert result == pytest.approx(expected), (
        f"the true classes rank 2nd, 3rd, 1st and 3rd in their rows, so top-{k} accuracy is {expected}, got {result}: "
        f"a sample is correct when its true class is among the {k} highest probabilities"
    )


@pytest.mark.exercise("3.1", points=1)
def test_macro_topk_small_example(topk):
    result = topk.macro_topk_accuracy(PROBS, TARGETS, k=2)

    assert isinstance(result, float), f"macro_topk_accuracy should return a Python float, got {type(result).__name__}"
    assert result != pytest.approx(2 / 9), (
        "class 0 never occurs in the targets, so it has no accuracy: average over the classes present in targets only"
    )
    assert result == pytest.approx(1 / 3), (
        f"top-2 accuracy is 0 for class 1 (1 sample) and 2/3 for class 2 (3 samples), so the macro average is 1/3, got {result}"
    )


@pytest.mark.exercise("3.1", points=1)
@pytest.mark.parametrize(("k", "expected"), [(1, (0.47 + 0.36) / 2), (2, (0.31 + 0.06) / 2)])
def test_average_k_threshold_small_example(topk, k, expected):
    result = topk.average_k_threshold(VAL_PROBS, k)

    assert isinstance(result, float), f"average_k_threshold should return a Python float, got {type(result).__name__}"
    assert result == pytest.approx(expected, abs=1e-6), (
        f"sorted in decreasing order, the 9 probabilities start 0.9, 0.48, 0.47, 0.36, 0.33, 0.31, 0.06, ...; with N = 3 "
        f"samples the threshold for k={k} is the midpoint of the {3 * k}-th and {3 * k + 1}-th, {expected:.4f}, got {result}"
    )


@pytest.mark.exercise("3.1", points=1)
def test_average_k_sets_small_example(topk):
    threshold = topk.average_k_threshold(VAL_PROBS, 1)

    sets = topk.average_k_sets(VAL_PROBS, threshold)

    assert sets.dtype == torch.bool, f"the sets should be a boolean mask, got dtype {sets.dtype}"
    expected = torch.tensor([[True, False, False], [True, True, False], [False, False, False]])
    assert torch.equal(sets, expected), (
        f"a set contains every class whose probability is >= the threshold {threshold:.3f}: sizes 1, 2 and 0, one class on average.\n"
        f"expected\n{expected}\ngot\n{sets}"
    )


@pytest.mark.exercise("3.1", points=1)
def test_average_k_accuracy_small_example(topk):
    threshold = topk.average_k_threshold(VAL_PROBS, 1)

    result = topk.average_k_accuracy(VAL_PROBS, VAL_TARGETS, threshold)

    assert isinstance(result, float), f"average_k_accuracy should return a Python float, got {type(result).__name__}"
    assert result == pytest.approx(2 / 3), (
        f"the true classes have probabilities 0.9, 0.47 and 0.31; two reach the threshold {threshold:.3f}, so the accuracy is 2/3, got {result}"
    )
