"""Deals each class's shuffled indices to folds 0, 1, ..., K-1, 0, ... in Python lists, restarting at fold 0 for every class."""

import statistics

import torch


def stratified_kfold(labels, n_splits=5, seed=42):
    labels = torch.as_tensor(labels).tolist()
    generator = torch.Generator()
    generator.manual_seed(seed)
    by_class = {}
    for index, label in enumerate(labels):
        by_class.setdefault(label, []).append(index)
    val_lists = [[] for _ in range(n_splits)]
    for label in sorted(by_class):
        members = by_class[label]
        order = torch.randperm(len(members), generator=generator).tolist()
        for position, i in enumerate(order):
            val_lists[position % n_splits].append(members[i])
    folds = []
    for val_list in val_lists:
        in_val = set(val_list)
        train_list = [i for i in range(len(labels)) if i not in in_val]
        folds.append((torch.tensor(train_list, dtype=torch.long), torch.tensor(sorted(val_list), dtype=torch.long)))
    return folds


def cross_validate(train_and_score, labels, n_splits=5, seed=42):
    scores = []
    for train_idx, val_idx in stratified_kfold(labels, n_splits=n_splits, seed=seed):
        scores.append(float(train_and_score(train_idx, val_idx)))
    return statistics.mean(scores), statistics.pstdev(scores), scores
