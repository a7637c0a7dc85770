"""Exercise 1.5: the training loop, shared by the toy MLP and the CNN of part 2.

``loss_fn`` receives the model output and the targets as the loader yields them;
matching their shapes is the loss function's job.
"""

import torch


def train_one_epoch(model, loader, optimizer, loss_fn, device="cpu") -> float:
    """Train ``model`` for one pass over ``loader`` and return the loss averaged over samples."""
    # TODO: switch the model to train mode, then for each batch: move it to the
    #   device, forward, compute the loss, zero the gradients, backward, step.
    #   Weight each batch's loss by its size, so a short last batch counts less.
    raise NotImplementedError("Exercise 1.5: write one training epoch")


def evaluate(model, loader, loss_fn, device="cpu"):
    """Return ``(loss, accuracy)`` of ``model`` on ``loader``, both averaged over samples.

    Runs in eval mode under ``torch.no_grad()`` and leaves every module in the mode it found it.
    Accuracy takes the ``argmax`` of ``(N, C)`` outputs and thresholds ``(N, 1)`` outputs at 0.5.
    """
    # TODO: remember each module's mode, switch to eval mode (dropout off,
    #   batch norm uses its running statistics), loop under torch.no_grad(),
    #   count correct predictions, then restore the modes you found.
    raise NotImplementedError("Exercise 1.5: evaluate without training")


def fit(model, train_loader, val_loader, optimizer, loss_fn, epochs, device="cpu") -> dict:
    """Train for ``epochs`` epochs and return the history.

    The history holds lists ``train_loss``, ``val_loss`` and ``val_accuracy``, one entry per epoch.
    """
    # TODO: move the model to the device, then each epoch train once, evaluate
    #   on the validation loader and append the three numbers to the history.
    raise NotImplementedError("Exercise 1.5: chain the epochs")
