"""Counts with a Python loop, computes the weights class by class and reuses class_weights for the sampler."""

import torch
from torch.utils.data import WeightedRandomSampler


def class_counts(targets, num_classes):
    counts = torch.zeros(num_classes, dtype=torch.long)
    for label in targets:
        counts[int(label)] += 1
    return counts


def class_weights(counts):
    counts = [int(count) for count in counts]
    total = sum(counts)
    weights = []
    for count in counts:
        weights.append(total / (len(counts) * count) if count > 0 else 0.0)
    return torch.tensor(weights, dtype=torch.float32)


def weighted_sampler(targets, num_samples=None, generator=None):
    labels = [int(label) for label in targets]
    weights = class_weights(class_counts(labels, max(labels) + 1))
    sample_weights = [float(weights[label]) for label in labels]  # N / (C n_y) is proportional to 1 / n_y
    if num_samples is None:
        num_samples = len(labels)
    return WeightedRandomSampler(sample_weights, num_samples=num_samples, replacement=True, generator=generator)
