"""Uses the probability of the true class as the score instead of 1 - p_true, and keeps classes whose probability is at most qhat."""

import math

import torch


def conformity_scores(probs, targets):
    return probs[torch.arange(len(targets)), targets]


def conformal_quantile(scores, alpha):
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    n = len(scores)
    k = math.ceil((n + 1) * (1 - alpha))
    if k > n:
        return math.inf
    return scores.sort().values[k - 1].item()


def prediction_sets(probs, qhat):
    return probs <= qhat


def empirical_coverage(sets, targets):
    return sets[torch.arange(len(targets)), targets].float().mean().item()


def average_set_size(sets):
    return sets.sum(dim=1).float().mean().item()
