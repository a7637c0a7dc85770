"""Saves the checkpoint of the last epoch instead of the best one."""

import torch

from ..toy.training import evaluate


def select_device():
    if torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


def fit(model, train_loader, val_loader, optimizer, criterion, epochs, device, checkpoint_path=None, patience=None):
    if patience is not None and patience < 1:
        raise ValueError("patience must be at least 1")
    model = model.to(device)
    history = {"train_loss": [], "train_accuracy": [], "val_loss": [], "val_accuracy": [], "best_epoch": 0}
    best = -1.0
    waited = 0
    for epoch in range(epochs):
        model.train()
        running_loss = 0.0
        right = 0
        count = 0
        for x, y in train_loader:
            x = x.to(device)
            y = y.to(device)
            optimizer.zero_grad()
            out = model(x)
            loss = criterion(out, y)
            loss.backward()
            optimizer.step()
            running_loss += loss.item() * x.shape[0]
            right += (out.argmax(1) == y).sum().item()
            count += x.shape[0]
        val_loss, val_acc = evaluate(model, val_loader, criterion, device)
        history["train_loss"].append(running_loss / count)
        history["train_accuracy"].append(right / count)
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(val_acc)
        if val_acc > best:
            best = val_acc
            history["best_epoch"] = epoch
            waited = 0
        else:
            waited += 1
        if checkpoint_path is not None:
            torch.save(model.state_dict(), checkpoint_path)
        if patience is not None and waited >= patience:
            break
    return history
