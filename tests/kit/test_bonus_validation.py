"""Tests of the input checks that the bonus modules give students complete.

These checks sit outside the solution regions, so the stubs contain them too and
graded tests cannot tell a stub from a solution by them. They run against the reference.
"""

import importlib

import pytest
import torch


def reference(name: str):
    return importlib.import_module(f"solutions.bonus.{name}")


PROBS = torch.tensor([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]])
TARGETS = torch.tensor([0, 2])


@pytest.mark.parametrize(
    ("function", "k", "message"),
    [
        ("topk_accuracy", 0, r"1 <= k <= C.*got 0; pick k between 1 and 3"),
        ("topk_accuracy", 4, r"got 4"),
        ("macro_topk_accuracy", 2.0, r"k must be an int.*got 2.0"),
    ],
)
def test_topk_rejects_k_out_of_range(function, k, message):
    with pytest.raises(ValueError, match=message):
        getattr(reference("topk"), function)(PROBS, TARGETS, k)


@pytest.mark.parametrize("k", [0, 3])
def test_average_k_threshold_rejects_k_out_of_range(k):
    with pytest.raises(ValueError, match=rf"1 <= k < C.*got {k}; pick k between 1 and 2"):
        reference("topk").average_k_threshold(PROBS, k)


@pytest.mark.parametrize(
    ("probs", "targets", "message"),
    [
        (torch.tensor([0.7, 0.3]), TARGETS, r"probs must be a non-empty 2-D tensor \(N, C\).*got shape \(2,\)"),
        (torch.tensor([[1, 0], [0, 1]]), TARGETS, r"floating tensor.*torch.int64"),
        (PROBS, torch.tensor([0, 1, 2]), r"targets must have shape \(N,\) = \(2,\).*got shape \(3,\)"),
        (PROBS, torch.tensor([0.0, 1.0]), r"integer class indices"),
        (PROBS, torch.tensor([0, 3]), r"class indices in \[0, 2\], got values from 0 to 3"),
    ],
)
def test_topk_rejects_mismatched_inputs(probs, targets, message):
    with pytest.raises(ValueError, match=message):
        reference("topk").topk_accuracy(probs, targets, 1)


def test_conformity_scores_reject_mismatched_targets():
    with pytest.raises(ValueError, match=r"targets must have shape \(N,\) = \(2,\)"):
        reference("conformal").conformity_scores(PROBS, torch.tensor([0]))


def test_conformal_quantile_rejects_empty_scores():
    with pytest.raises(ValueError, match="non-empty 1-D tensor"):
        reference("conformal").conformal_quantile(torch.tensor([]), 0.1)


def test_conformal_alpha_message_names_value():
    with pytest.raises(ValueError, match=r"alpha must lie strictly between 0 and 1.*got 1.5"):
        reference("conformal").conformal_quantile(torch.tensor([0.1, 0.2]), 1.5)


@pytest.mark.parametrize(
    ("sets", "message"),
    [(torch.tensor([True, False]), r"2-D boolean tensor \(N, C\)"), (torch.tensor([[1, 0], [0, 1]]), r"boolean tensor.*torch.int64")],
)
def test_coverage_rejects_invalid_sets(sets, message):
    with pytest.raises(ValueError, match=message):
        reference("conformal").empirical_coverage(sets, torch.tensor([0, 1]))


def test_coverage_rejects_mismatched_targets():
    with pytest.raises(ValueError, match=r"targets must have shape \(N,\) = \(2,\)"):
        reference("conformal").empirical_coverage(torch.ones(2, 3, dtype=torch.bool), torch.tensor([0, 1, 2]))


@pytest.mark.parametrize(
    ("labels", "n_splits", "message"),
    [
        (torch.tensor([0] * 10 + [1] * 3), 5, r"n_splits=5 is larger than class 1, which has only 3 samples.*use n_splits <= 3"),
        (torch.tensor([0] * 10), 1, r"n_splits must be an int >= 2, got 1"),
        (torch.tensor([0] * 10), True, r"n_splits must be an int >= 2, got True"),
        (torch.tensor([[0, 1]]), 2, r"labels must be a non-empty 1-D tensor.*got shape \(1, 2\)"),
        (torch.tensor([0.0, 1.0, 0.0, 1.0]), 2, r"integer class indices"),
    ],
)
def test_stratified_kfold_rejects_invalid_input(labels, n_splits, message):
    with pytest.raises(ValueError, match=message):
        reference("cross_validation").stratified_kfold(labels, n_splits=n_splits)


def test_set_sizes_chart_rejects_1d_sets(tmp_path):
    with pytest.raises(ValueError, match=r"2-D boolean tensor \(N, C\).*got shape \(3,\)"):
        reference("plots").plot_set_sizes(torch.tensor([True, False, True]), tmp_path / "sizes.png")
