"""Uses torch.topk for the top K and Python loops over the classes and over the sorted probabilities."""

import torch


def topk_accuracy(probs, targets, k):
    top = torch.topk(probs, k, dim=1).indices
    correct = 0
    for row, target in zip(top.tolist(), targets.tolist()):
        if target in row:
            correct += 1
    return correct / len(targets)


def macro_topk_accuracy(probs, targets, k):
    top = torch.topk(probs, k, dim=1).indices.tolist()
    accuracies = []
    for c in sorted(set(targets.tolist())):
        rows = [i for i, t in enumerate(targets.tolist()) if t == c]
        accuracies.append(sum(c in top[i] for i in rows) / len(rows))
    return sum(accuracies) / len(accuracies)


def average_k_threshold(probs, k):
    values = sorted(probs.flatten().tolist(), reverse=True)
    n = probs.shape[0]
    return (values[n * k - 1] + values[n * k]) / 2


def average_k_sets(probs, threshold):
    return probs >= threshold


def average_k_accuracy(probs, targets, threshold):
    sets = average_k_sets(probs, threshold)
    return sum(bool(sets[i, t]) for i, t in enumerate(targets.tolist())) / len(targets)
