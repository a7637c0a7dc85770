"""Ranks the classes with a descending argsort and works in float32 throughout, with bincount for the per-class means."""

import torch


def _hits(probs, targets, k):
    ranking = probs.argsort(dim=1, descending=True)
    return (ranking[:, :k] == targets.unsqueeze(1)).any(dim=1)


def topk_accuracy(probs, targets, k):
    return _hits(probs, targets, k).float().mean().item()


def macro_topk_accuracy(probs, targets, k):
    hits = _hits(probs, targets, k).float()
    num_classes = probs.shape[1]
    correct = torch.bincount(targets, weights=hits, minlength=num_classes)
    total = torch.bincount(targets, minlength=num_classes)
    present = total > 0
    return (correct[present] / total[present]).mean().item()


def average_k_threshold(probs, k):
    n = probs.shape[0]
    largest = probs.reshape(-1).topk(n * k + 1).values
    return float((largest[-2] + largest[-1]) / 2)


def average_k_sets(probs, threshold):
    return probs >= threshold


def average_k_accuracy(probs, targets, threshold):
    return average_k_sets(probs, threshold).gather(1, targets.view(-1, 1)).float().mean().item()
