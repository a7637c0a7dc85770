"""Vectorised: torch.kthvalue for the quantile, gather for the scores, probs >= 1 - qhat for the sets."""

import math

import torch


def conformity_scores(probs, targets):
    return 1.0 - probs.gather(1, targets.long().unsqueeze(1)).squeeze(1)


def conformal_quantile(scores, alpha):
    if alpha <= 0 or alpha >= 1:
        raise ValueError(f"alpha={alpha} is outside (0, 1)")
    n = scores.numel()
    k = int(math.ceil((n + 1) * (1 - alpha)))
    if k > n:
        return math.inf
    return float(torch.kthvalue(scores, k).values)


def prediction_sets(probs, qhat):
    return probs >= 1 - qhat


def empirical_coverage(sets, targets):
    return sets.gather(1, targets.long().unsqueeze(1)).float().mean().item()


def average_set_size(sets):
    return sets.float().sum(dim=1).mean().item()
