"""Shuffles all indices together and deals them to the folds, ignoring the classes (plain K-fold, not stratified)."""

import torch


def stratified_kfold(labels, n_splits=5, seed=42):
    labels = torch.as_tensor(labels)
    generator = torch.Generator().manual_seed(seed)
    order = torch.randperm(len(labels), generator=generator)
    everything = torch.arange(len(labels))
    folds = []
    for fold in range(n_splits):
        val_idx = order[fold::n_splits].sort().values
        train_mask = torch.ones(len(labels), dtype=torch.bool)
        train_mask[val_idx] = False
        folds.append((everything[train_mask], val_idx))
    return folds


def cross_validate(train_and_score, labels, n_splits=5, seed=42):
    scores = [float(train_and_score(train_idx, val_idx)) for train_idx, val_idx in stratified_kfold(labels, n_splits, seed)]
    values = torch.tensor(scores, dtype=torch.float64)
    return values.mean().item(), values.std(correction=0).item(), scores
