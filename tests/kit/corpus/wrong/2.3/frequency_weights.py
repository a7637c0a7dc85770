"""Weights each class by its frequency n_c / N instead of N / (C * n_c), so frequent classes weigh more."""

import torch
from torch.utils.data import WeightedRandomSampler


def class_counts(targets, num_classes):
    return torch.bincount(torch.as_tensor(targets), minlength=num_classes)


def class_weights(counts):
    counts = torch.as_tensor(counts).float()
    return (counts / counts.sum()).float()


def weighted_sampler(targets, num_samples=None, generator=None):
    targets = torch.as_tensor(targets)
    counts = torch.bincount(targets)
    weights = 1.0 / counts[targets].double()
    return WeightedRandomSampler(weights, num_samples or len(targets), replacement=True, generator=generator)
