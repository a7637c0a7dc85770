"""Counts with numpy.unique and computes the weights with NumPy before converting to tensors."""

import numpy as np
import torch
from torch.utils.data import WeightedRandomSampler


def class_counts(targets, num_classes):
    labels, counts = np.unique(np.asarray(targets), return_counts=True)
    result = np.zeros(num_classes, dtype=np.int64)
    result[labels] = counts
    return torch.from_numpy(result)


def class_weights(counts):
    counts = np.asarray(counts, dtype=np.float64)
    with np.errstate(divide="ignore"):
        weights = np.where(counts > 0, counts.sum() / (len(counts) * counts), 0.0)
    return torch.tensor(weights, dtype=torch.float32)


def weighted_sampler(targets, num_samples=None, generator=None):
    labels = np.asarray(targets)
    _, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    weights = torch.from_numpy(1.0 / counts[inverse])
    return WeightedRandomSampler(weights, len(labels) if num_samples is None else num_samples, generator=generator)
