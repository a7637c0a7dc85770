"""Averages the per-class top-K accuracies over all C classes, counting classes absent from targets as 0."""

import torch


def _hits(probs, targets, k):
    top = probs.topk(k, dim=1).indices
    return (top == targets[:, None]).any(dim=1).float()


def topk_accuracy(probs, targets, k):
    return _hits(probs, targets, k).mean().item()


def macro_topk_accuracy(probs, targets, k):
    hits = _hits(probs, targets, k)
    per_class = torch.zeros(probs.shape[1])
    for c in range(probs.shape[1]):
        if (targets == c).any():
            per_class[c] = hits[targets == c].mean()
    return per_class.mean().item()


def average_k_threshold(probs, k):
    values = probs.flatten().sort(descending=True).values
    n = probs.shape[0]
    return ((values[n * k - 1] + values[n * k]) / 2).item()


def average_k_sets(probs, threshold):
    return probs >= threshold


def average_k_accuracy(probs, targets, threshold):
    return (probs[torch.arange(len(targets)), targets] >= threshold).float().mean().item()
