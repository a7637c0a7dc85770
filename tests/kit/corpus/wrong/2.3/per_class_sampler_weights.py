"""Gives WeightedRandomSampler one weight per class instead of one per sample, so it draws class ids, not sample indices."""

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
    weights = class_weights(torch.bincount(targets))
    if num_samples is None:
        num_samples = len(targets)
    return WeightedRandomSampler(weights, num_samples, replacement=True, generator=generator)
