"""Plain Python loops: sorts a list of scores, counts k as (n + 1) - floor((n + 1) alpha), builds the sets row by row."""

import math

import numpy as np
import torch


def conformity_scores(probs, targets):
    rows = probs.tolist()
    return torch.tensor([1 - rows[i][t] for i, t in enumerate(targets.tolist())])


def conformal_quantile(scores, alpha):
    if not (0 < alpha < 1):
        raise ValueError("alpha must be strictly between 0 and 1, got " + str(alpha))
    values = sorted(np.asarray(scores, dtype=np.float64).tolist())
    n = len(values)
    k = (n + 1) - math.floor((n + 1) * alpha)
    if k > n:
        return math.inf
    return values[k - 1]


def prediction_sets(probs, qhat):
    sets = torch.zeros(probs.shape, dtype=torch.bool)
    for i in range(probs.shape[0]):
        sets[i] = (1 - probs[i]) <= qhat
    return sets


def empirical_coverage(sets, targets):
    covered = 0
    for i, t in enumerate(targets.tolist()):
        covered += int(sets[i, t])
    return covered / len(targets)


def average_set_size(sets):
    return sum(int(row.sum()) for row in sets) / len(sets)
