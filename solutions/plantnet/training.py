"""Exercise 2.6: train the CNN with checkpoints and early stopping.

``fit`` builds on the loop of exercise 1.5: it also records the training
accuracy, keeps the weights of the best epoch (by validation accuracy), saves
them when asked, and stops once the validation accuracy has not improved for
``patience`` epochs in a row.
"""

from __future__ import annotations

import copy

import torch

from ..toy.training import evaluate


def select_device() -> torch.device:
    """Return the CUDA device when one is available, else the CPU."""
    # BEGIN SOLUTION 2.6: pick the device
    # TODO: return torch.device("cuda") when torch.cuda.is_available(), else torch.device("cpu").
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    # END SOLUTION


def count_correct(outputs: torch.Tensor, targets: torch.Tensor) -> int:
    """Return how many predictions are right: ``argmax`` for ``(N, C)`` outputs, ``> 0.5`` for ``(N, 1)``."""
    if outputs.dim() == 2 and outputs.shape[1] > 1:
        predictions = outputs.argmax(dim=1)
    else:
        predictions = (outputs.reshape(len(targets)) > 0.5).long()
    return (predictions == targets.reshape(len(targets)).long()).sum().item()


def fit(model, train_loader, val_loader, optimizer, criterion, epochs, device, checkpoint_path=None, patience=None) -> dict:
    """Train ``model`` and return its history; on return the model has the best epoch's weights.

    The history contains lists ``train_loss``, ``train_accuracy`` (over the training
    batches as they were seen), ``val_loss`` and ``val_accuracy``, one entry per
    epoch run, and ``best_epoch``, the 0-based index of the epoch with the best
    validation accuracy (the earliest on ties). That epoch's ``state_dict`` is
    saved to ``checkpoint_path`` when given. Training stops after ``patience``
    epochs in a row without a strictly better validation accuracy (``None``:
    never stop early).
    """
    # BEGIN SOLUTION 2.6: train with checkpoints and early stopping
    # TODO: check that patience is None or at least 1 (else raise ValueError). Then,
    #   each epoch: train as in 1.5 while counting correct predictions, evaluate on
    #   the validation loader, append the four numbers. When the validation accuracy
    #   is strictly above the best so far, remember the epoch and a copy of the
    #   state_dict, and save it to checkpoint_path if given. Otherwise count one more
    #   epoch without improvement, and stop when that count reaches patience. At the
    #   end, load the best state_dict back into the model.
    if patience is not None and patience < 1:
        raise ValueError(f"patience must be None or at least 1, got {patience}")
    model.to(device)
    history = {"train_loss": [], "train_accuracy": [], "val_loss": [], "val_accuracy": [], "best_epoch": None}
    best_accuracy, best_state, epochs_without_improvement = None, None, 0

    for epoch in range(epochs):
        model.train()
        total_loss, correct, seen = 0.0, 0, 0
        for inputs, targets in train_loader:
            inputs, targets = inputs.to(device), targets.to(device)
            outputs = model(inputs)
            loss = criterion(outputs, targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total_loss += loss.item() * len(inputs)
            correct += count_correct(outputs.detach(), targets)
            seen += len(inputs)
        val_loss, val_accuracy = evaluate(model, val_loader, criterion, device)
        history["train_loss"].append(total_loss / seen)
        history["train_accuracy"].append(correct / seen)
        history["val_loss"].append(val_loss)
        history["val_accuracy"].append(val_accuracy)

        if best_accuracy is None or val_accuracy > best_accuracy:
            best_accuracy, epochs_without_improvement = val_accuracy, 0
            history["best_epoch"] = epoch
            best_state = copy.deepcopy(model.state_dict())
            if checkpoint_path is not None:
                torch.save(best_state, checkpoint_path)
        else:
            epochs_without_improvement += 1
            if patience is not None and epochs_without_improvement >= patience:
                break

    if best_state is not None:
        model.load_state_dict(best_state)
    return history
    # END SOLUTION
