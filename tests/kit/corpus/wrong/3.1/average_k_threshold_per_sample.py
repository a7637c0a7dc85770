"""Computes the average-K threshold per sample (midpoint of each row's k-th and (k+1)-th probabilities) and averages those, instead of one global threshold over all N*C probabilities."""

import torch


def _hits(probs, targets, k):
    top = probs.topk(k, dim=1).indices
    return (top == targets[:, None]).any(dim=1).float()


def topk_accuracy(probs, targets, k):
    return _hits(probs, targets, k).mean().item()


def macro_topk_accuracy(probs, targets, k):
    hits = _hits(probs, targets, k)
    return torch.stack([hits[targets == c].mean() for c in targets.unique()]).mean().item()


def average_k_threshold(probs, k):
    rows = probs.sort(dim=1, descending=True).values
    per_sample = (rows[:, k - 1] + rows[:, k]) / 2
    return per_sample.mean().item()


def average_k_sets(probs, threshold):
    return probs >= threshold


def average_k_accuracy(probs, targets, threshold):
    return (probs[torch.arange(len(targets)), targets] >= threshold).float().mean().item()
