"""Cuts each shuffled class into windows of ceil(n_c / K) samples that start every n_c // K samples, so folds overlap and the last samples are never validated."""

import math

import torch


def stratified_kfold(labels, n_splits=5, seed=42):
    labels = torch.as_tensor(labels)
    generator = torch.Generator().manual_seed(seed)
    val_parts = [[] for _ in range(n_splits)]
    for c in labels.unique():
        members = torch.nonzero(labels == c).flatten()
        members = members[torch.randperm(len(members), generator=generator)]
        size = math.ceil(len(members) / n_splits)
        step = len(members) // n_splits
        for fold in range(n_splits):
            val_parts[fold].append(members[fold * step: fold * step + size])
    folds = []
    everything = torch.arange(len(labels))
    for parts in val_parts:
        val_idx = torch.cat(parts).sort().values
        train_mask = torch.ones(len(labels), dtype=torch.bool)
        train_mask[val_idx] = False
        folds.append((everything[train_mask], val_idx))
    return folds


def cross_validate(train_and_score, labels, n_splits=5, seed=42):
    scores = [float(train_and_score(train_idx, val_idx)) for train_idx, val_idx in stratified_kfold(labels, n_splits, seed)]
    values = torch.tensor(scores, dtype=torch.float64)
    return values.mean().item(), values.std(correction=0).item(), scores
