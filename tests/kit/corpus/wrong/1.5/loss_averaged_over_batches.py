"""Wrong: the epoch losses are the mean of the batch losses, so a short last batch weighs as much as a full one."""

import torch


def train_one_epoch(model, loader, optimizer, loss_fn, device="cpu"):
    model.train()
    batch_losses = []
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        batch_losses.append(loss.item())
    return sum(batch_losses) / len(batch_losses)


def evaluate(model, loader, loss_fn, device="cpu"):
    modes = [m.training for m in model.modules()]
    model.eval()
    losses, accuracies = [], []
    with torch.no_grad():
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            out = model(x)
            losses.append(loss_fn(out, y).item())
            if out.shape[1] > 1:
                pred = out.argmax(dim=1)
            else:
                pred = (out.squeeze(1) > 0.5).float()
            accuracies.append((pred == y).float().mean().item())
    for m, mode in zip(model.modules(), modes):
        m.training = mode
    return sum(losses) / len(losses), sum(accuracies) / len(accuracies)


def fit(model, train_loader, val_loader, optimizer, loss_fn, epochs, device="cpu"):
    model.to(device)
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    for epoch in range(epochs):
        history["train_loss"].append(train_one_epoch(model, train_loader, optimizer, loss_fn, device))
        val_loss, val_acc = evaluate(model, val_loader, loss_fn, device)
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(val_acc)
    return history
