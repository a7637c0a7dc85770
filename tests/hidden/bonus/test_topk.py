import pytest
import torch

from tests.strategies import class_probabilities, generator, labels_with_counts, synthetic_classifier


@pytest.fixture
def topk(load):
    return load("bonus.topk")


# Brute-force definitions, written sample by sample, for inputs without ties.


def rank_of_true_class(probs: torch.Tensor, targets: torch.Tensor) -> list[int]:
    """Return, for each sample, how many classes have a strictly higher probability than its true class (0 for the top class)."""
    ranks = []
    for row, target in zip(probs.tolist(), targets.tolist()):
        assert len(set(row)) == len(row), "test data: a row has tied probabilities; pick another seed"
        ranks.append(sum(1 for value in row if value > row[target]))
    return ranks


def brute_topk_accuracy(probs: torch.Tensor, targets: torch.Tensor, k: int) -> float:
    ranks = rank_of_true_class(probs, targets)
    return sum(rank < k for rank in ranks) / len(ranks)


def brute_macro_topk_accuracy(probs: torch.Tensor, targets: torch.Tensor, k: int) -> float:
    hits_by_class: dict[int, list[bool]] = {}
    for rank, target in zip(rank_of_true_class(probs, targets), targets.tolist()):
        hits_by_class.setdefault(target, []).append(rank < k)
    per_class = [sum(hits) / len(hits) for hits in hits_by_class.values()]
    return sum(per_class) / len(per_class)


def brute_average_k_threshold(probs: torch.Tensor, k: int) -> float:
    """Return the midpoint of the (N k)-th and (N k + 1)-th largest probabilities, after checking that they differ clearly."""
    ordered = sorted(probs.flatten().tolist(), reverse=True)
    position = probs.shape[0] * k
    upper, lower = ordered[position - 1], ordered[position]
    assert upper - lower > 1e-5, "test data: the two probabilities around the threshold nearly tie; pick another seed"
    return (upper + lower) / 2


def brute_average_k_accuracy(probs: torch.Tensor, targets: torch.Tensor, threshold: float) -> float:
    rows = probs.tolist()
    hits = [rows[i][target] >= threshold for i, target in enumerate(targets.tolist())]
    return sum(hits) / len(hits)


@pytest.mark.exercise("3.1", points=1)
@pytest.mark.parametrize(
    ("num_samples", "num_classes", "k", "seed"),
    [(50, 5, 1, 0), (200, 10, 3, 1), (300, 20, 5, 2), (64, 7, 6, 3), (30, 4, 4, 4)],
)
def test_topk_matches_definition(topk, num_samples, num_classes, k, seed):
    gen = generator(seed)
    probs, targets = synthetic_classifier(num_samples, num_classes, gen, boost=0.5)

    result = topk.topk_accuracy(probs, targets, k)

    expected = brute_topk_accuracy(probs, targets, k)
    assert isinstance(result, float), f"topk_accuracy should return a Python float, got {type(result).__name__}"
    assert result == pytest.approx(expected, abs=1e-6), (
        f"top-{k} accuracy over {num_samples} samples and {num_classes} classes should be {expected:.4f}, got {result:.4f}: "
        f"count a sample when its true class is among the {k} largest probabilities of its row"
    )


@pytest.mark.exercise("3.1", points=1)
def test_top1_is_argmax_accuracy(topk):
    gen = generator(5)
    probs, targets = synthetic_classifier(120, 6, gen, boost=0.8)

    result = topk.topk_accuracy(probs, targets, 1)

    expected = (probs.argmax(dim=1) == targets).double().mean().item()
    assert result == pytest.approx(expected, abs=1e-6), f"top-1 accuracy is the usual accuracy of the argmax, {expected:.4f}, got {result:.4f}"


@pytest.mark.exercise("3.1", points=1)
def test_topk_on_rows_in_any_order(topk):
    # The true class has the 2nd largest probability in every row, at a different position each time.
    probs = torch.tensor([[0.3, 0.6, 0.1, 0.0], [0.05, 0.15, 0.2, 0.6], [0.5, 0.1, 0.4, 0.0], [0.1, 0.2, 0.3, 0.4]])
    targets = torch.tensor([0, 2, 2, 2])

    assert topk.topk_accuracy(probs, targets, 1) == pytest.approx(0.0), "no true class is the largest of its row, so top-1 accuracy is 0"
    assert topk.topk_accuracy(probs, targets, 2) == pytest.approx(1.0), (
        "every true class is the 2nd largest of its row, so top-2 accuracy is 1: take the K largest, not the K smallest"
    )


@pytest.mark.exercise("3.1", points=1)
@pytest.mark.parametrize("k", [1, 2, 4])
def test_macro_topk_matches_definition(topk, k):
    gen = generator(10 + k)
    # Classes 1 and 4 never occur, class 3 is rare, so macro and micro averages differ.
    targets = labels_with_counts([40, 0, 7, 3, 0, 25], gen)
    probs = class_probabilities(len(targets), 6, gen)

    result = topk.macro_topk_accuracy(probs, targets, k)

    expected = brute_macro_topk_accuracy(probs, targets, k)
    assert isinstance(result, float), f"macro_topk_accuracy should return a Python float, got {type(result).__name__}"
    assert result == pytest.approx(expected, abs=1e-6), (
        f"macro top-{k} accuracy should be {expected:.4f}, got {result:.4f}: compute the top-{k} accuracy of each class "
        "present in targets (classes 0, 2, 3 and 5 here) and average these four values with equal weights"
    )


@pytest.mark.exercise("3.1", points=2)
def test_macro_topk_weighs_classes_equally(topk):
    # Class 0: 9 samples, all ranked first. Class 1: one sample, ranked last. Class 2 never occurs.
    probs = torch.tensor([[0.7, 0.2, 0.1]] * 9 + [[0.6, 0.1, 0.3]])
    targets = torch.tensor([0] * 9 + [1])

    result = topk.macro_topk_accuracy(probs, targets, 1)

    assert result == pytest.approx(0.5), (
        f"class 0 scores 1.0 and class 1 scores 0.0, so the macro average is 0.5 (not the micro 0.9, nor 1/3 over all "
        f"three classes), got {result}"
    )


@pytest.mark.exercise("3.1", points=1)
@pytest.mark.parametrize(("k", "seed"), [(1, 0), (2, 1), (5, 2), (9, 3)])
def test_average_k_threshold_is_global_midpoint(topk, k, seed):
    gen = generator(seed)
    val_probs, _ = synthetic_classifier(150, 10, gen, boost=1.0)

    result = topk.average_k_threshold(val_probs, k)

    expected = brute_average_k_threshold(val_probs, k)
    assert isinstance(result, float), f"average_k_threshold should return a Python float, got {type(result).__name__}"
    assert result == pytest.approx(expected, rel=1e-6), (
        f"for k={k} and N=150 samples, the threshold is the midpoint of the {150 * k}-th and {150 * k + 1}-th largest of "
        f"all 1500 probabilities taken together (one global threshold, not one per sample): expected {expected:.6f}, got {result:.6f}"
    )


@pytest.mark.exercise("3.1", points=1)
@pytest.mark.parametrize(("k", "seed"), [(1, 4), (3, 5), (7, 6)])
def test_validation_sets_contain_k_on_average(topk, k, seed):
    gen = generator(seed)
    val_probs, _ = synthetic_classifier(150, 10, gen, boost=1.0)
    brute_average_k_threshold(val_probs, k)  # checks that the data has no near tie at the threshold

    threshold = topk.average_k_threshold(val_probs, k)
    sets = topk.average_k_sets(val_probs, threshold)

    sizes = sets.sum(dim=1)
    assert sizes.sum().item() == 150 * k, (
        f"on the validation data that gave the threshold, the sets should contain k={k} classes on average "
        f"({150 * k} in total over 150 samples), got {sizes.sum().item()}"
    )
    assert sizes.min() < sizes.max(), "set sizes should vary from sample to sample: one global threshold, not K classes per sample"


@pytest.mark.exercise("3.1", points=2)
@pytest.mark.parametrize(("k", "seed"), [(1, 7), (2, 8)])
def test_threshold_applies_unchanged_to_test(topk, k, seed):
    gen = generator(seed)
    val_probs, _ = synthetic_classifier(150, 10, gen, boost=1.0)
    test_probs, test_targets = synthetic_classifier(200, 10, gen, boost=3.0)  # a sharper model than on validation
    threshold = brute_average_k_threshold(val_probs, k)

    sets = topk.average_k_sets(test_probs, threshold)
    accuracy = topk.average_k_accuracy(test_probs, test_targets, threshold)

    assert sets.dtype == torch.bool, f"average_k_sets should return a boolean mask, got dtype {sets.dtype}"
    assert sets.shape == test_probs.shape, f"the mask should have the shape of probs, {tuple(test_probs.shape)}, got {tuple(sets.shape)}"
    assert torch.equal(sets, test_probs >= threshold), "a test set contains every class whose probability is >= the validation threshold"
    assert sets.sum().item() != 200 * k, (
        "the test sets should not contain exactly k classes on average: the threshold comes from validation and is not refitted on test"
    )
    expected = brute_average_k_accuracy(test_probs, test_targets, threshold)
    assert isinstance(accuracy, float), f"average_k_accuracy should return a Python float, got {type(accuracy).__name__}"
    assert accuracy == pytest.approx(expected, abs=1e-6), (
        f"with the validation threshold {threshold:.5f}, the test average-{k} accuracy should be {expected:.4f}, got {accuracy:.4f}"
    )


@pytest.mark.exercise("3.1", points=2)
def test_average_k_end_to_end(topk):
    gen = generator(10)
    val_probs, _ = synthetic_classifier(300, 8, gen, boost=1.5)
    test_probs, test_targets = synthetic_classifier(250, 8, gen, boost=1.5)
    expected_threshold = brute_average_k_threshold(val_probs, 2)

    threshold = topk.average_k_threshold(val_probs, 2)
    accuracy = topk.average_k_accuracy(test_probs, test_targets, threshold)

    expected = brute_average_k_accuracy(test_probs, test_targets, expected_threshold)
    assert accuracy == pytest.approx(expected, abs=1e-6), (
        f"average-2 accuracy on test with the threshold of validation should be {expected:.4f}, got {accuracy:.4f}"
    )


@pytest.mark.exercise("3.1", points=1)
def test_average_k_includes_probability_at_threshold(topk):
    probs = torch.tensor([[0.5, 0.25, 0.25], [0.75, 0.125, 0.125]])
    targets = torch.tensor([0, 1])

    sets = topk.average_k_sets(probs, 0.5)
    accuracy = topk.average_k_accuracy(probs, targets, 0.5)

    expected = torch.tensor([[True, False, False], [True, False, False]])
    assert torch.equal(sets, expected), f"a probability equal to the threshold is in the set (>=, not >): expected\n{expected}\ngot\n{sets}"
    assert accuracy == pytest.approx(0.5), f"the first true class has probability 0.5 >= 0.5 and counts as correct, got {accuracy}"
