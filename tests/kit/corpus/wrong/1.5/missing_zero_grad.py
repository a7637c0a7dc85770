"""Wrong: train_one_epoch never calls optimizer.zero_grad(), so gradients pile up from batch to batch."""

import torch


def train_one_epoch(model, loader, optimizer, loss_fn, device="cpu"):
    model.train()
    running, seen = 0.0, 0
    for inputs, targets in loader:
        inputs = inputs.to(device)
        targets = targets.to(device)
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        running += loss.item() * inputs.shape[0]
        seen += inputs.shape[0]
    return running / seen


def evaluate(model, loader, loss_fn, device="cpu"):
    saved = {module: module.training for module in model.modules()}
    model.eval()
    running, correct, seen = 0.0, 0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            inputs, targets = inputs.to(device), targets.to(device)
            outputs = model(inputs)
            running += loss_fn(outputs, targets).item() * len(targets)
            if outputs.ndim == 2 and outputs.shape[1] > 1:
                predicted = outputs.argmax(1)
            else:
                predicted = (outputs.view(-1) > 0.5).to(targets.dtype)
            correct += int((predicted == targets.view(-1)).sum())
            seen += len(targets)
    for module, mode in saved.items():
        module.train(mode)
    return running / seen, correct / seen


def fit(model, train_loader, val_loader, optimizer, loss_fn, epochs, device="cpu"):
    model = model.to(device)
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        history["train_loss"].append(train_one_epoch(model, train_loader, optimizer, loss_fn, device))
        loss, accuracy = evaluate(model, val_loader, loss_fn, device)
        history["val_loss"].append(loss)
        history["val_accuracy"].append(accuracy)
    return history
