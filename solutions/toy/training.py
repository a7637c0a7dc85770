"""Exercise 1.5: the training loop, shared by the toy MLP and the CNN of part 2.

``loss_fn`` receives the model output and the targets as the loader yields them;
matching their shapes is the loss function's job.
"""

import torch


def train_one_epoch(model, loader, optimizer, loss_fn, device="cpu") -> float:
    """Train ``model`` for one pass over ``loader`` and return the loss averaged over samples."""
    # BEGIN SOLUTION 1.5: write one training epoch
    # TODO: switch the model to train mode, then for each batch: move it to the
    #   device, forward, compute the loss, zero the gradients, backward, step.
    #   Weight each batch's loss by its size, so a short last batch counts less.
    model.train()
    total_loss, total_samples = 0.0, 0
    for inputs, targets in loader:
        inputs, targets = inputs.to(device), targets.to(device)
        outputs = model(inputs)
        loss = loss_fn(outputs, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(inputs)
        total_samples += len(inputs)
    return total_loss / total_samples
    # END SOLUTION


def evaluate(model, loader, loss_fn, device="cpu"):
    """Return ``(loss, accuracy)`` of ``model`` on ``loader``, both averaged over samples.

    Runs in eval mode under ``torch.no_grad()`` and leaves every module in the mode it found it.
    Accuracy takes the ``argmax`` of ``(N, C)`` outputs and thresholds ``(N, 1)`` outputs at 0.5.
    """
    # BEGIN SOLUTION 1.5: evaluate without training
    # TODO: remember each module's mode, switch to eval mode (dropout off,
    #   batch norm uses its running statistics), loop under torch.no_grad(),
    #   count correct predictions, then restore the modes you found.
    modes = {module: module.training for module in model.modules()}
    model.eval()
    total_loss, correct, total_samples = 0.0, 0, 0
    try:
        with torch.no_grad():
            for inputs, targets in loader:
                inputs, targets = inputs.to(device), targets.to(device)
                outputs = model(inputs)
                total_loss += loss_fn(outputs, targets).item() * len(inputs)
                if outputs.dim() == 2 and outputs.shape[1] > 1:
                    predictions = outputs.argmax(dim=1)
                else:
                    predictions = (outputs.reshape(len(inputs)) > 0.5).long()
                correct += (predictions == targets.reshape(len(inputs)).long()).sum().item()
                total_samples += len(inputs)
    finally:
        for module, training in modes.items():
            module.train(training)
    return total_loss / total_samples, correct / total_samples
    # END SOLUTION


def fit(model, train_loader, val_loader, optimizer, loss_fn, epochs, device="cpu") -> dict:
    """Train for ``epochs`` epochs and return the history.

    The history holds lists ``train_loss``, ``val_loss`` and ``val_accuracy``, one entry per epoch.
    """
    # BEGIN SOLUTION 1.5: chain the epochs
    # TODO: move the model to the device, then each epoch train once, evaluate
    #   on the validation loader and append the three numbers to the history.
    model.to(device)
    history = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    for _ in range(epochs):
        history["train_loss"].append(train_one_epoch(model, train_loader, optimizer, loss_fn, device))
        val_loss, val_accuracy = evaluate(model, val_loader, loss_fn, device)
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(val_accuracy)
    return history
    # END SOLUTION
