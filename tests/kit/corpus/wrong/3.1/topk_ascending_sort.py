"""Takes the top K after an ascending argsort, so it keeps the K least likely classes."""

import torch


def _hits(probs, targets, k):
    top = torch.argsort(probs, dim=1)[:, :k]
    return (top == targets[:, None]).any(dim=1).float()


def topk_accuracy(probs, targets, k):
    return _hits(probs, targets, k).mean().item()


def macro_topk_accuracy(probs, targets, k):
    hits = _hits(probs, targets, k)
    return torch.stack([hits[targets == c].mean() for c in targets.unique()]).mean().item()


def average_k_threshold(probs, k):
    values = probs.flatten().sort(descending=True).values
    n = probs.shape[0]
    return ((values[n * k - 1] + values[n * k]) / 2).item()


def average_k_sets(probs, threshold):
    return probs >= threshold


def average_k_accuracy(probs, targets, threshold):
    return (probs[torch.arange(len(targets)), targets] >= threshold).float().mean().item()
