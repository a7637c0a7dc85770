import numpy as np
import pytest
import torch
from sklearn.model_selection import StratifiedKFold

from tests.strategies import generator, labels_with_counts


@pytest.fixture
def cross_validation(load):
    return load("bonus.cross_validation")


# (samples per class, n_splits, seed of the label order)
LAYOUTS = [
    ([13, 17, 22], 5, 0),
    ([5, 5], 5, 1),
    ([40, 3, 9, 25], 3, 2),
    ([7, 100], 7, 3),
    ([2, 2, 2], 2, 4),
    ([11, 6, 30, 8, 19], 4, 5),
]


def layout_labels(counts: list[int], seed: int) -> torch.Tensor:
    return labels_with_counts(counts, generator(seed))


def class_counts_per_fold(labels: torch.Tensor, folds, num_classes: int) -> torch.Tensor:
    """Return a ``(n_splits, num_classes)`` tensor: the samples of each class in each validation fold."""
    return torch.stack([torch.bincount(labels[torch.as_tensor(val_idx)], minlength=num_classes) for _, val_idx in folds])


def as_lists(folds) -> list[tuple[list[int], list[int]]]:
    return [(train_idx.tolist(), val_idx.tolist()) for train_idx, val_idx in folds]


@pytest.mark.exercise("3.3", points=1)
@pytest.mark.parametrize(("counts", "n_splits", "seed"), LAYOUTS)
def test_validation_folds_partition_samples(cross_validation, counts, n_splits, seed):
    labels = layout_labels(counts, seed)

    folds = cross_validation.stratified_kfold(labels, n_splits=n_splits, seed=seed)

    assert len(folds) == n_splits, f"n_splits={n_splits} should give {n_splits} (train_idx, val_idx) pairs, got {len(folds)}"
    all_val = [index for _, val_idx in folds for index in val_idx.tolist()]
    assert len(all_val) == len(set(all_val)), "the validation folds overlap: every sample should be validated exactly once"
    assert sorted(all_val) == list(range(len(labels))), "the validation folds should cover every sample exactly once"


@pytest.mark.exercise("3.3", points=1)
@pytest.mark.parametrize(("counts", "n_splits", "seed"), LAYOUTS[:3])
def test_train_is_complement_of_validation(cross_validation, counts, n_splits, seed):
    labels = layout_labels(counts, seed)

    folds = cross_validation.stratified_kfold(labels, n_splits=n_splits, seed=seed)

    for number, (train_idx, val_idx) in enumerate(folds):
        expected = sorted(set(range(len(labels))) - set(val_idx.tolist()))
        assert train_idx.tolist() == expected, f"fold {number}: train_idx should be every index outside val_idx, in increasing order"


@pytest.mark.exercise("3.3", points=1)
def test_fold_indices_are_sorted_long_vectors(cross_validation):
    labels = layout_labels([13, 17, 22], 6)

    folds = cross_validation.stratified_kfold(labels, n_splits=5, seed=6)

    for number, (train_idx, val_idx) in enumerate(folds):
        for name, indices in (("train_idx", train_idx), ("val_idx", val_idx)):
            assert isinstance(indices, torch.Tensor), f"fold {number}: {name} should be a tensor, got {type(indices).__name__}"
            assert indices.dtype == torch.long, f"fold {number}: {name} should be torch.long, got {indices.dtype}"
            assert indices.dim() == 1, f"fold {number}: {name} should be 1-D, got shape {tuple(indices.shape)}"
            assert bool((indices[1:] > indices[:-1]).all()), f"fold {number}: {name} should be sorted in increasing order"


@pytest.mark.exercise("3.3", points=1)
@pytest.mark.parametrize(("counts", "n_splits", "seed"), LAYOUTS)
def test_class_counts_differ_by_at_most_one(cross_validation, counts, n_splits, seed):
    labels = layout_labels(counts, seed)

    folds = cross_validation.stratified_kfold(labels, n_splits=n_splits, seed=seed)

    per_fold = class_counts_per_fold(labels, folds, len(counts))
    for label, column in enumerate(per_fold.T.tolist()):
        assert max(column) - min(column) <= 1, (
            f"class {label} ({counts[label]} samples) is spread over the {n_splits} validation folds as {column}: "
            f"the counts should differ by at most one, so split each class separately"
        )


@pytest.mark.exercise("3.3", points=1)
@pytest.mark.parametrize(("counts", "n_splits", "seed"), LAYOUTS)
def test_class_proportions_match_sklearn(cross_validation, counts, n_splits, seed):
    labels = layout_labels(counts, seed)
    reference = list(StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed).split(np.zeros(len(labels)), labels.numpy()))

    folds = cross_validation.stratified_kfold(labels, n_splits=n_splits, seed=seed)

    ours = class_counts_per_fold(labels, folds, len(counts))
    theirs = class_counts_per_fold(labels, [(train, torch.from_numpy(val)) for train, val in reference], len(counts))
    for label in range(len(counts)):
        assert sorted(ours[:, label].tolist()) == sorted(theirs[:, label].tolist()), (
            f"class {label}: samples per validation fold {ours[:, label].tolist()}, but scikit-learn's StratifiedKFold "
            f"gives {theirs[:, label].tolist()} (in some order)"
        )
    overall = torch.tensor(counts, dtype=torch.float64) / len(labels)
    our_deviation = (ours / ours.sum(dim=1, keepdim=True) - overall).abs().max().item()
    their_deviation = (theirs / theirs.sum(dim=1, keepdim=True) - overall).abs().max().item()
    assert our_deviation <= their_deviation + 0.05, (
        f"a validation fold's class proportions stray by up to {our_deviation:.3f} from the whole data set's, "
        f"against {their_deviation:.3f} for scikit-learn's StratifiedKFold"
    )


@pytest.mark.exercise("3.3", points=1)
def test_class_ids_with_gaps(cross_validation):
    labels = torch.tensor([7] * 9 + [0] * 6 + [3] * 12)[torch.randperm(27, generator=generator(7))]

    folds = cross_validation.stratified_kfold(labels, n_splits=3, seed=7)

    all_val = sorted(index for _, val_idx in folds for index in val_idx.tolist())
    assert all_val == list(range(27)), "with class ids 0, 3 and 7 only, the validation folds should still cover every sample once"
    for number, (_, val_idx) in enumerate(folds):
        counts = {label: int((labels[val_idx] == label).sum()) for label in (0, 3, 7)}
        assert counts == {0: 2, 3: 4, 7: 3}, f"fold {number} should contain 2, 4 and 3 samples of classes 0, 3 and 7, got {counts}"


@pytest.mark.exercise("3.3", points=1)
def test_same_seed_gives_same_folds(cross_validation):
    labels = layout_labels([13, 17, 22], 8)

    first = cross_validation.stratified_kfold(labels, n_splits=5, seed=123)
    second = cross_validation.stratified_kfold(labels, n_splits=5, seed=123)

    assert as_lists(first) == as_lists(second), "the same seed should give the same folds: seed a generator, not the global state"


@pytest.mark.exercise("3.3", points=1)
def test_other_seed_gives_other_folds(cross_validation):
    labels = layout_labels([13, 17, 22], 9)

    first = cross_validation.stratified_kfold(labels, n_splits=5, seed=0)
    second = cross_validation.stratified_kfold(labels, n_splits=5, seed=1)

    assert as_lists(first) != as_lists(second), "another seed should shuffle differently and give other folds"


@pytest.mark.exercise("3.3", points=1)
def test_default_arguments(cross_validation):
    labels = layout_labels([10, 15, 20], 10)

    default = cross_validation.stratified_kfold(labels)
    explicit = cross_validation.stratified_kfold(labels, n_splits=5, seed=42)

    assert len(default) == 5, f"the default n_splits is 5, got {len(default)} folds"
    assert as_lists(default) == as_lists(explicit), "the defaults should be n_splits=5 and seed=42"


class RecordingScorer:
    """A ``train_and_score`` stand-in that records its arguments and returns a different score at each call."""

    def __init__(self):
        self.calls: list[tuple[list[int], list[int]]] = []
        self.returned: list[float] = []

    def __call__(self, train_idx, val_idx):
        self.calls.append((torch.as_tensor(train_idx).tolist(), torch.as_tensor(val_idx).tolist()))
        score = 0.6 + 0.07 * len(self.returned) ** 1.5 + 0.001 * len(val_idx)
        self.returned.append(score)
        return score


@pytest.mark.exercise("3.3", points=2)
@pytest.mark.parametrize(("n_splits", "seed"), [(3, 7), (5, 42)])
def test_cross_validate_calls_once_per_fold(cross_validation, n_splits, seed):
    labels = layout_labels([12, 20, 9], 11)
    scorer = RecordingScorer()

    cross_validation.cross_validate(scorer, labels, n_splits=n_splits, seed=seed)

    expected = as_lists(cross_validation.stratified_kfold(labels, n_splits=n_splits, seed=seed))
    assert len(scorer.calls) == n_splits, f"train_and_score should be called once per fold, {n_splits} times, got {len(scorer.calls)}"
    assert sorted(scorer.calls) == sorted(expected), (
        f"train_and_score should receive the (train_idx, val_idx) pairs of stratified_kfold(labels, n_splits={n_splits}, seed={seed})"
    )


@pytest.mark.exercise("3.3", points=2)
def test_cross_validate_returns_mean_std_scores(cross_validation):
    labels = layout_labels([12, 20, 9], 12)
    scorer = RecordingScorer()

    mean, std, scores = cross_validation.cross_validate(scorer, labels, n_splits=4, seed=3)

    assert list(scores) == pytest.approx(scorer.returned), (
        f"scores should list the values train_and_score returned, fold after fold: {scorer.returned}, got {list(scores)}"
    )
    assert float(mean) == pytest.approx(np.mean(scorer.returned)), f"mean should be {np.mean(scorer.returned):.5f}, got {mean}"
    assert float(std) == pytest.approx(np.std(scorer.returned)), (
        f"std should be the population standard deviation (ddof=0, divide by the number of folds), "
        f"{np.std(scorer.returned):.5f}; the sample standard deviation (ddof=1) would be {np.std(scorer.returned, ddof=1):.5f}; got {std}"
    )


@pytest.mark.exercise("3.3", points=1)
def test_cross_validate_default_arguments(cross_validation):
    labels = layout_labels([10, 15, 20], 13)
    scorer = RecordingScorer()

    cross_validation.cross_validate(scorer, labels)

    expected = as_lists(cross_validation.stratified_kfold(labels, n_splits=5, seed=42))
    assert sorted(scorer.calls) == sorted(expected), "by default cross_validate should use n_splits=5 and seed=42"
