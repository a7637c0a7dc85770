"""Correct variant: divides the size-weighted loss sum by len(loader.dataset) and evaluates under torch.inference_mode()."""

import torch


def train_one_epoch(model, loader, optimizer, loss_fn, device="cpu"):
    model.train()
    total = 0.0
    for batch in loader:
        inputs, targets = (tensor.to(device) for tensor in batch)
        predictions = model(inputs)
        loss = loss_fn(predictions, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += float(loss) * len(inputs)
    return total / len(loader.dataset)


def evaluate(model, loader, loss_fn, device="cpu"):
    previous = {name: module.training for name, module in model.named_modules()}
    model.eval()
    total, hits = 0.0, 0
    with torch.inference_mode():
        for inputs, targets in loader:
            inputs = inputs.to(device)
            targets = targets.to(device)
            scores = model(inputs)
            total += float(loss_fn(scores, targets)) * len(inputs)
            if scores.dim() == 2 and scores.size(1) > 1:
                guesses = scores.argmax(dim=1)
            else:
                guesses = torch.where(scores.flatten() > 0.5, 1, 0)
            hits += int(torch.sum(guesses == targets.flatten()))
    for name, module in model.named_modules():
        module.training = previous[name]
    n = len(loader.dataset)
    return total / n, hits / n


def fit(model, train_loader, val_loader, optimizer, loss_fn, epochs, device="cpu"):
    model.to(device)
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        train_loss = train_one_epoch(model, train_loader, optimizer, loss_fn, device)
        val_loss, val_accuracy = evaluate(model, val_loader, loss_fn, device)
        for key, value in zip(history, (train_loss, val_loss, val_accuracy)):
            history[key].append(value)
    return history
