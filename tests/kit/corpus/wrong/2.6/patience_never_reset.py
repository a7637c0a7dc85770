"""Counts every epoch without improvement since the start, instead of those in a row."""

import copy

import torch

from ..toy.training import evaluate


def select_device():
    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


def fit(model, train_loader, val_loader, optimizer, criterion, epochs, device, checkpoint_path=None, patience=None):
    if patience is not None and patience < 1:
        raise ValueError(f"bad patience {patience}")
    model.to(device)
    history = {"train_loss": [], "train_accuracy": [], "val_loss": [], "val_accuracy": [], "best_epoch": None}
    best_acc, best_weights, bad_epochs = None, None, 0
    for epoch in range(epochs):
        model.train()
        loss_sum, correct, n = 0.0, 0, 0
        for inputs, labels in train_loader:
            inputs, labels = inputs.to(device), labels.to(device)
            logits = model(inputs)
            loss = criterion(logits, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_sum += loss.item() * len(labels)
            correct += (logits.argmax(dim=1) == labels).sum().item()
            n += len(labels)
        val_loss, val_acc = evaluate(model, val_loader, criterion, device)
        for key, value in zip(history, (loss_sum / n, correct / n, val_loss, val_acc)):
            history[key].append(value)
        if best_acc is None or val_acc > best_acc:
            best_acc = val_acc
            history["best_epoch"] = epoch
            best_weights = copy.deepcopy(model.state_dict())
            if checkpoint_path:
                torch.save(best_weights, checkpoint_path)
        else:
            bad_epochs += 1
        if patience is not None and bad_epochs >= patience:
            break
    model.load_state_dict(best_weights)
    return history
