"""Exercise 3.2: split conformal prediction, sets of classes that contain the true class with probability 1 - alpha.

A held-out calibration set gives one conformity score per sample, ``1 - p_true``
(high when the model gives the true class a low probability). With ``n`` such
scores and an allowed error rate ``alpha``, the threshold ``qhat`` is the
``k``-th smallest score, ``k = ceil((n + 1)(1 - alpha))``. A test sample's set
contains every class whose score ``1 - p`` is at most ``qhat``. When calibration
and test samples are exchangeable, the true class falls in the set with a
probability of at least ``1 - alpha``, whatever the model. When the scores also
have no ties, that probability is at most ``1 - alpha + 1 / (n + 1)``. This is
the split conformal guarantee, and the ``n + 1`` counts the test sample among
the scores.
"""

from __future__ import annotations

import math

import torch


def _as_probs(probs) -> torch.Tensor:
    """Return ``probs`` as a 2-D floating tensor ``(N, C)`` with at least one sample and one class."""
    probs = torch.as_tensor(probs)
    if probs.dim() != 2 or probs.shape[0] == 0 or probs.shape[1] == 0:
        raise ValueError(f"probs must be a non-empty 2-D tensor (N, C) of class probabilities, got shape {tuple(probs.shape)}")
    if not probs.is_floating_point():
        raise ValueError(f"probs must be a floating tensor of probabilities, got dtype {probs.dtype}")
    return probs


def _as_targets(targets, num_samples: int, num_classes: int, device) -> torch.Tensor:
    """Return ``targets`` as a long tensor ``(num_samples,)`` of class indices below ``num_classes``."""
    targets = torch.as_tensor(targets, device=device)
    if targets.shape != (num_samples,):
        raise ValueError(f"targets must have shape (N,) = ({num_samples},), one class index per sample, got shape {tuple(targets.shape)}")
    if targets.is_floating_point() or targets.dtype == torch.bool:
        raise ValueError(f"targets must contain integer class indices, got dtype {targets.dtype}")
    if targets.min() < 0 or targets.max() >= num_classes:
        raise ValueError(
            f"targets must contain class indices in [0, {num_classes - 1}], "
            f"got values from {targets.min().item()} to {targets.max().item()}"
        )
    return targets.long()


def _as_sets(sets) -> torch.Tensor:
    """Return ``sets`` as a boolean tensor ``(N, C)`` with at least one sample."""
    sets = torch.as_tensor(sets)
    if sets.dim() != 2 or sets.shape[0] == 0:
        raise ValueError(f"sets must be a non-empty 2-D boolean tensor (N, C), as prediction_sets returns, got shape {tuple(sets.shape)}")
    if sets.dtype != torch.bool:
        raise ValueError(f"sets must be a boolean tensor, True where a class is in the set, got dtype {sets.dtype}")
    return sets


def conformity_scores(probs, targets) -> torch.Tensor:
    """Return the score ``1 - p_true`` of each sample, a float tensor ``(N,)``.

    ``probs`` is ``(N, C)`` and ``targets`` contains ``N`` class indices. A low
    score means that the model gave the true class a high probability.
    """
    probs = _as_probs(probs)
    targets = _as_targets(targets, probs.shape[0], probs.shape[1], probs.device)
    # BEGIN SOLUTION 3.2: compute the conformity scores
    # TODO: pick the probability of each sample's true class (probs.gather, or
    #   indexing with torch.arange(N) and targets) and return 1 minus it, one
    #   score per sample.
    true_class_probs = probs.gather(1, targets.unsqueeze(1)).squeeze(1)
    return 1 - true_class_probs
    # END SOLUTION


def conformal_quantile(scores, alpha: float) -> float:
    """Return the threshold ``qhat``: the ``k``-th smallest of the ``n`` calibration scores, ``k = ceil((n + 1)(1 - alpha))``.

    ``alpha`` is the allowed error rate, strictly between 0 and 1, and ``ValueError``
    is raised otherwise. When ``k > n`` there are too few calibration scores
    for this ``alpha``, and ``qhat`` is ``math.inf``, so every set contains every class.
    """
    scores = torch.as_tensor(scores)
    if scores.dim() != 1 or len(scores) == 0:
        raise ValueError(f"scores must be a non-empty 1-D tensor with one calibration score per sample, got shape {tuple(scores.shape)}")
    # BEGIN SOLUTION 3.2: compute the conformal quantile
    # TODO: raise ValueError naming alpha unless 0 < alpha < 1. With n scores,
    #   compute k = ceil((n + 1) * (1 - alpha)) with math.ceil. If k > n, return
    #   math.inf; otherwise return the k-th smallest score (position k - 1 after
    #   sorting in increasing order) as a Python float.
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1 (0.1 asks for 90% coverage), got {alpha!r}")
    n = len(scores)
    k = math.ceil((n + 1) * (1 - alpha))
    if k > n:
        return math.inf
    return scores.sort().values[k - 1].item()
    # END SOLUTION


def prediction_sets(probs, qhat: float) -> torch.Tensor:
    """Return the boolean mask ``(N, C)`` of the conformal sets: every class whose score ``1 - p`` is at most ``qhat``."""
    probs = _as_probs(probs)
    # BEGIN SOLUTION 3.2: build the prediction sets
    # TODO: compute the score 1 - p of every class of every sample and return a
    #   boolean tensor shaped like `probs`, True where the score is <= qhat.
    #   With qhat = math.inf every class is in every set.
    return (1 - probs) <= qhat
    # END SOLUTION


def empirical_coverage(sets, targets) -> float:
    """Return the fraction of samples whose set contains their true class, as a Python float."""
    sets = _as_sets(sets)
    targets = _as_targets(targets, sets.shape[0], sets.shape[1], sets.device)
    # BEGIN SOLUTION 3.2: measure the coverage
    # TODO: look up, for each sample, whether its true class is in its set
    #   (sets[i, targets[i]]), and return the fraction of True as a Python float.
    covered = sets.gather(1, targets.unsqueeze(1)).squeeze(1)
    return covered.double().mean().item()
    # END SOLUTION


def average_set_size(sets) -> float:
    """Return the mean number of classes per set, as a Python float."""
    sets = _as_sets(sets)
    # BEGIN SOLUTION 3.2: measure the average set size
    # TODO: count the classes in each set (the True entries of each row) and
    #   return the mean count over the samples as a Python float.
    return sets.sum(dim=1).double().mean().item()
    # END SOLUTION
