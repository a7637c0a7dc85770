"""Exercise 3.3: stratified K-fold cross-validation.

Each sample lands in exactly one validation fold, and each class is spread as
evenly as possible over the folds, so every fold has the class proportions of
the whole data set. That matters for a long-tailed data set such as
Pl@ntNet-300K, where a plain shuffle can leave a rare species out of a fold.
"""

from __future__ import annotations

import torch


def _as_labels(labels) -> torch.Tensor:
    """Return ``labels`` as a non-empty 1-D long tensor on the CPU."""
    labels = torch.as_tensor(labels)
    if labels.dim() != 1 or len(labels) == 0:
        raise ValueError(f"labels must be a non-empty 1-D tensor with one class index per sample, got shape {tuple(labels.shape)}")
    if labels.is_floating_point() or labels.dtype == torch.bool:
        raise ValueError(f"labels must contain integer class indices, got dtype {labels.dtype}")
    return labels.long().cpu()


def _check_n_splits(n_splits, labels: torch.Tensor) -> None:
    """Raise ``ValueError`` unless ``n_splits`` is an int >= 2 and no class has fewer samples than ``n_splits``."""
    if isinstance(n_splits, bool) or not isinstance(n_splits, int) or n_splits < 2:
        raise ValueError(f"n_splits must be an int >= 2, got {n_splits!r}")
    classes, counts = torch.unique(labels, return_counts=True)
    smallest = int(counts.argmin())
    if counts[smallest] < n_splits:
        raise ValueError(
            f"n_splits={n_splits} is larger than class {classes[smallest].item()}, which has only "
            f"{counts[smallest].item()} samples, so some folds would not contain it; "
            f"use n_splits <= {counts[smallest].item()} or drop the classes that are too rare"
        )


def stratified_kfold(labels, n_splits: int = 5, seed: int = 42) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Return ``n_splits`` pairs ``(train_idx, val_idx)`` of stratified folds.

    The validation folds are disjoint and cover every sample once, and within
    each class the number of samples per fold differs by at most one. ``seed``
    fixes the shuffle, so the same seed gives the same folds. Indices are
    sorted 1-D ``torch.long`` tensors, and ``train_idx`` contains every sample
    outside ``val_idx``. ``ValueError`` is raised when ``n_splits`` is below 2
    or above the number of samples of the smallest class.
    """
    labels = _as_labels(labels)
    _check_n_splits(n_splits, labels)
    # TODO: with a torch.Generator seeded by `seed`, shuffle the indices of each
    #   class (torch.randperm) and deal them out to the folds like cards. The i-th
    #   shuffled sample of a class goes to fold (offset + i) % n_splits. The offset
    #   carries on from the previous class, so that fold sizes stay even too.
    #   Fold f validates on the samples dealt to it and trains on all the others.
    #   Return the list of (train_idx, val_idx) pairs as sorted 1-D long tensors.
    raise NotImplementedError("Exercise 3.3: split the samples into stratified folds")


def cross_validate(train_and_score, labels, n_splits: int = 5, seed: int = 42) -> tuple[float, float, list[float]]:
    """Train and score once per stratified fold and return ``(mean, std, scores)``.

    ``train_and_score(train_idx, val_idx)`` trains a fresh model on ``train_idx``
    and returns its score on ``val_idx``. The folds are ``stratified_kfold(labels,
    n_splits, seed)``, ``scores`` lists one float per fold in that order, and
    ``std`` is the population standard deviation (ddof 0, as ``numpy.std``).
    """
    # TODO: build the folds with stratified_kfold(labels, n_splits, seed), call
    #   train_and_score(train_idx, val_idx) once per fold, and keep each score as a
    #   Python float. Return their mean, their population standard deviation
    #   (divide by the number of folds, not by one less) and the list of scores.
    raise NotImplementedError("Exercise 3.3: cross-validate a training function")
