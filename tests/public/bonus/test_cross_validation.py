import statistics

import pytest
import torch


@pytest.fixture
def cross_validation(load):
    return load("bonus.cross_validation")


# 12 samples of class 0 and 8 of class 1, interleaved.
LABELS = torch.tensor([0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1])


@pytest.mark.exercise("3.3", points=1)
def test_folds_cover_every_sample_once(cross_validation):
    folds = cross_validation.stratified_kfold(LABELS, n_splits=4, seed=0)

    assert len(folds) == 4, f"n_splits=4 should give 4 (train_idx, val_idx) pairs, got {len(folds)}"
    for number, (train_idx, val_idx) in enumerate(folds):
        assert val_idx.dtype == torch.long, f"fold {number}: indices should be torch.long, got {val_idx.dtype}"
        assert val_idx.dim() == 1, f"fold {number}: val_idx should be 1-D, got shape {tuple(val_idx.shape)}"
        assert torch.equal(val_idx, val_idx.sort().values), f"fold {number}: val_idx should be sorted, got {val_idx.tolist()}"
        assert sorted(train_idx.tolist() + val_idx.tolist()) == list(range(20)), (
            f"fold {number}: train_idx and val_idx together should contain every index 0..19 exactly once"
        )
    all_val = sorted(index for _, val_idx in folds for index in val_idx.tolist())
    assert all_val == list(range(20)), "the validation folds should be disjoint and cover every sample exactly once"


@pytest.mark.exercise("3.3", points=1)
def test_folds_keep_class_proportions(cross_validation):
    labels = torch.tensor([0] * 10 + [1] * 5)

    folds = cross_validation.stratified_kfold(labels, n_splits=5, seed=0)

    for number, (_, val_idx) in enumerate(folds):
        counts = torch.bincount(labels[val_idx], minlength=2).tolist()
        assert counts == [2, 1], (
            f"with 10 samples of class 0 and 5 of class 1 over 5 folds, each validation fold should contain 2 of class 0 "
            f"and 1 of class 1, but fold {number} contains {counts}: shuffle and split each class separately"
        )


@pytest.mark.exercise("3.3", points=1)
def test_cross_validate_small_example(cross_validation):
    calls = []

    def train_and_score(train_idx, val_idx):
        score = 0.5 + 0.01 * len(calls) + 0.001 * int(val_idx[0])
        calls.append(score)
        return score

    mean, std, scores = cross_validation.cross_validate(train_and_score, LABELS, n_splits=4, seed=0)

    assert len(calls) == 4, f"train_and_score should be called once per fold, 4 times, got {len(calls)}"
    assert list(scores) == pytest.approx(calls), f"scores should list what train_and_score returned, in order: {calls}, got {scores}"
    assert mean == pytest.approx(statistics.mean(calls)), f"mean should be the mean of the scores, {statistics.mean(calls)}, got {mean}"
    assert std == pytest.approx(statistics.pstdev(calls)), (
        f"std should be the population standard deviation (divide by the number of folds, ddof=0), "
        f"{statistics.pstdev(calls)}, got {std}"
    )


@pytest.mark.exercise("3.3", points=1)
def test_folds_reproducible_by_seed(cross_validation):
    first = cross_validation.stratified_kfold(LABELS, n_splits=4, seed=3)
    second = cross_validation.stratified_kfold(LABELS, n_splits=4, seed=3)

    for number, ((train_a, val_a), (train_b, val_b)) in enumerate(zip(first, second)):
        assert torch.equal(val_a, val_b), (
            f"fold {number} differs between two calls with seed=3: shuffle with a torch.Generator seeded by `seed`, "
            "so the same seed always gives the same folds"
        )
        assert torch.equal(train_a, train_b), f"fold {number}: train_idx differs between two calls with the same seed"
