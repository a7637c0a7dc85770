"""Exercise 2.3: counter class imbalance with class weights for the loss or with a weighted sampler."""

from __future__ import annotations

import torch
from torch.utils.data import WeightedRandomSampler


def _as_targets(targets) -> torch.Tensor:
    """Return ``targets`` (a list, NumPy array or tensor of class indices) as a 1-D long tensor."""
    targets = torch.as_tensor(targets)
    if targets.dim() != 1:
        raise ValueError(f"targets must be 1-D class indices, got shape {tuple(targets.shape)}")
    if targets.is_floating_point() or targets.dtype == torch.bool:
        raise ValueError(f"targets must be integer class indices, got dtype {targets.dtype}")
    if len(targets) and targets.min() < 0:
        raise ValueError(f"targets must be class indices >= 0, got {targets.min().item()}")
    return targets.long()


def class_counts(targets, num_classes: int) -> torch.Tensor:
    """Return the number of samples of each class, a long tensor of length ``num_classes``.

    A class with no sample counts 0, including the last ones.
    """
    targets = _as_targets(targets)
    if len(targets) and targets.max() >= num_classes:
        raise ValueError(f"targets contain class {targets.max().item()}, but num_classes is {num_classes}; labels must be below num_classes")
    # TODO: return a long tensor of length num_classes whose entry c is the number of
    #   targets equal to c. torch.bincount does this, but its output stops at the
    #   largest label present: pass minlength so absent last classes still get a 0.
    raise NotImplementedError("Exercise 2.3: count the samples of each class")


def class_weights(counts) -> torch.Tensor:
    """Return the weight ``N / (C * n_c)`` of each class as float32, for ``CrossEntropyLoss(weight=...)``.

    ``n_c`` is the count of class ``c``, ``N`` the total count and ``C = len(counts)``
    (scikit-learn's "balanced" rule). A class with no samples gets weight 0.
    """
    counts = torch.as_tensor(counts)
    if counts.dim() != 1 or len(counts) == 0:
        raise ValueError(f"counts must be a non-empty 1-D tensor with one count per class, got shape {tuple(counts.shape)}")
    if (counts < 0).any():
        raise ValueError(f"counts must be non-negative, got {counts.tolist()}")
    # TODO: compute N / (C * n_c) for every class with n_c > 0 and leave 0 for absent
    #   classes (dividing by their zero count would give inf). Return float32, the
    #   dtype CrossEntropyLoss expects for its `weight` argument.
    raise NotImplementedError("Exercise 2.3: compute the balanced class weights")


def weighted_sampler(targets, num_samples: int | None = None, generator: torch.Generator | None = None) -> WeightedRandomSampler:
    """Return a sampler that draws every class equally often on average.

    Sample ``i`` is drawn with probability proportional to ``1 / n_{y_i}``, with
    replacement, ``num_samples`` times (default: the number of targets).
    ``generator`` seeds the draws.
    """
    targets = _as_targets(targets)
    if len(targets) == 0:
        raise ValueError("targets is empty: a sampler needs at least one sample to draw")
    if num_samples is not None and (isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples < 1):
        raise ValueError(f"num_samples must be a positive int or None (one draw per target), got {num_samples!r}")
    # TODO: give each sample the weight 1 / (count of its class), so every class gets
    #   the same total weight, and return a WeightedRandomSampler over these weights
    #   that draws num_samples indices (len(targets) when None) with replacement,
    #   passing `generator` on.
    raise NotImplementedError("Exercise 2.3: build the weighted sampler")
