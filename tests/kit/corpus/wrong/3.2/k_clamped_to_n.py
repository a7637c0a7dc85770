"""Clamps k to n when k > n, returning the largest calibration score instead of math.inf."""

import math

import torch


def conformity_scores(probs, targets):
    return 1 - probs[torch.arange(len(targets)), targets]


def conformal_quantile(scores, alpha):
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    n = len(scores)
    k = min(math.ceil((n + 1) * (1 - alpha)), n)
    return scores.sort().values[k - 1].item()


def prediction_sets(probs, qhat):
    return (1 - probs) <= qhat


def empirical_coverage(sets, targets):
    return sets[torch.arange(len(targets)), targets].float().mean().item()


def average_set_size(sets):
    return sets.sum(dim=1).float().mean().item()
