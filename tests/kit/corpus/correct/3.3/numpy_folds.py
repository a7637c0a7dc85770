"""Builds the folds with NumPy: a seeded default_rng, np.array_split of each shuffled class, rotated so the larger parts spread over the folds."""

import numpy as np
import torch


def stratified_kfold(labels, n_splits=5, seed=42):
    labels = np.asarray(torch.as_tensor(labels).cpu())
    rng = np.random.default_rng(seed)
    val_parts = [[] for _ in range(n_splits)]
    shift = 0
    for c in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == c))
        for part_number, part in enumerate(np.array_split(members, n_splits)):
            val_parts[(part_number + shift) % n_splits].append(part)
        shift += len(members) % n_splits
    folds = []
    everything = np.arange(len(labels))
    for parts in val_parts:
        val_idx = np.sort(np.concatenate(parts))
        train_idx = np.setdiff1d(everything, val_idx)
        folds.append((torch.from_numpy(train_idx).long(), torch.from_numpy(val_idx).long()))
    return folds


def cross_validate(train_and_score, labels, n_splits=5, seed=42):
    scores = [float(train_and_score(train, val)) for train, val in stratified_kfold(labels, n_splits, seed)]
    return float(np.mean(scores)), float(np.std(scores)), scores
