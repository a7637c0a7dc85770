"""Divides by every count, so a class with no samples gets an infinite weight instead of 0."""

import torch
from torch.utils.data import WeightedRandomSampler


def class_counts(targets, num_classes):
    return torch.bincount(torch.as_tensor(targets), minlength=num_classes)


def class_weights(counts):
    counts = torch.as_tensor(counts).float()
    return counts.sum() / (len(counts) * counts)


def weighted_sampler(targets, num_samples=None, generator=None):
    targets = torch.as_tensor(targets)
    weights = 1.0 / torch.bincount(targets)[targets].double()
    return WeightedRandomSampler(weights, num_samples or len(targets), replacement=True, generator=generator)
