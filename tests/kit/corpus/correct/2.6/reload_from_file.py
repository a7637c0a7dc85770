"""Keeps the best weights only in the checkpoint file (or a temporary one) and reloads them at the end."""

import os
import tempfile

import torch

from ..toy.training import evaluate


def select_device():
    return torch.device("cuda:0" if torch.cuda.is_available() else "cpu")


def fit(model, train_loader, val_loader, optimizer, criterion, epochs, device, checkpoint_path=None, patience=None):
    if patience is not None and patience < 1:
        raise ValueError(f"patience must be >= 1 or None, got {patience}")
    model.to(device)
    history = dict(train_loss=[], train_accuracy=[], val_loss=[], val_accuracy=[], best_epoch=None)
    path = checkpoint_path
    scratch = None
    if path is None:
        handle, scratch = tempfile.mkstemp(suffix=".pt")
        os.close(handle)
        path = scratch
    try:
        best = float("-inf")
        stale = 0
        for epoch in range(epochs):
            model.train()
            losses, hits, total = [], 0, 0
            for batch, target in train_loader:
                batch, target = batch.to(device), target.to(device)
                optimizer.zero_grad()
                output = model(batch)
                loss = criterion(output, target)
                loss.backward()
                optimizer.step()
                losses.append(loss.item() * len(target))
                hits += int((output.argmax(dim=1) == target).sum())
                total += len(target)
            val_loss, val_accuracy = evaluate(model, val_loader, criterion, device)
            history["train_loss"].append(sum(losses) / total)
            history["train_accuracy"].append(hits / total)
            history["val_loss"].append(val_loss)
            history["val_accuracy"].append(val_accuracy)
            if val_accuracy > best:
                best = val_accuracy
                stale = 0
                history["best_epoch"] = epoch
                torch.save(model.state_dict(), path)
                continue
            stale += 1
            if patience is not None and stale == patience:
                break
        if history["best_epoch"] is not None:
            model.load_state_dict(torch.load(path, weights_only=True))
    finally:
        if scratch is not None:
            os.remove(scratch)
    return history
