"""Draws without replacement, so each sample appears at most once and the classes stay imbalanced."""

import torch
from torch.utils.data import WeightedRandomSampler


def class_counts(targets, num_classes):
    return torch.bincount(torch.as_tensor(targets), minlength=num_classes)


def class_weights(counts):
    counts = torch.as_tensor(counts).double()
    weights = torch.zeros_like(counts)
    weights[counts > 0] = counts.sum() / (len(counts) * counts[counts > 0])
    return weights.float()


def weighted_sampler(targets, num_samples=None, generator=None):
    targets = torch.as_tensor(targets)
    weights = 1.0 / torch.bincount(targets)[targets].double()
    if num_samples is None:
        num_samples = len(targets)
    return WeightedRandomSampler(weights, min(num_samples, len(targets)), replacement=False, generator=generator)
