"""Reports the sample standard deviation (torch.std's default, ddof 1) instead of the population one (ddof 0)."""

import torch


def stratified_kfold(labels, n_splits=5, seed=42):
    labels = torch.as_tensor(labels)
    generator = torch.Generator().manual_seed(seed)
    fold_of = torch.empty(len(labels), dtype=torch.long)
    offset = 0
    for c in labels.unique():
        members = torch.nonzero(labels == c).flatten()
        members = members[torch.randperm(len(members), generator=generator)]
        fold_of[members] = (torch.arange(len(members)) + offset) % n_splits
        offset += len(members)
    return [(torch.nonzero(fold_of != f).flatten(), torch.nonzero(fold_of == f).flatten()) for f in range(n_splits)]


def cross_validate(train_and_score, labels, n_splits=5, seed=42):
    scores = [float(train_and_score(train_idx, val_idx)) for train_idx, val_idx in stratified_kfold(labels, n_splits, seed)]
    values = torch.tensor(scores, dtype=torch.float64)
    return values.mean().item(), values.std().item(), scores
