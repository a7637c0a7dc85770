"""Exercise 2.7: predictions of a trained classifier, its confusion matrix and per-class metrics.

The metrics follow scikit-learn's ``precision_recall_fscore_support`` with
``labels=range(C)`` and ``zero_division=0``: every class counts in the averages,
even one that never occurs, and a ratio whose denominator is 0 is 0.0.
"""

from __future__ import annotations

import torch

METRICS = ("precision", "recall", "f1")


def predict(model, loader, device):
    """Run ``model`` over ``loader`` and return ``(y_true, y_pred, probs)`` on the CPU.

    ``y_true`` and ``y_pred`` are long tensors ``(N,)``, and ``probs`` contains
    the float32 softmax probabilities ``(N, C)``. The model runs on ``device`` in eval
    mode under ``torch.no_grad()``, and every module gets back the mode it had.
    """
    # BEGIN SOLUTION 2.7: predict the classes of a whole loader
    # TODO: remember module.training for every module in model.modules(), move the
    #   model to `device` and switch it to eval mode (dropout off, batch norm with its
    #   running statistics). Under torch.no_grad(), run each batch, turn the logits
    #   into probabilities with a softmax over the classes and take the argmax as the
    #   prediction. Concatenate the batches on the CPU (labels and predictions as
    #   long), and restore the modes you found in a `finally` block, so they come
    #   back even if a batch fails.
    modes = {module: module.training for module in model.modules()}
    model.to(device)
    model.eval()
    labels, predictions, probabilities = [], [], []
    try:
        with torch.no_grad():
            for inputs, targets in loader:
                logits = model(inputs.to(device))
                batch_probabilities = torch.softmax(logits.float(), dim=1)
                labels.append(torch.as_tensor(targets).long().cpu())
                predictions.append(batch_probabilities.argmax(dim=1).cpu())
                probabilities.append(batch_probabilities.cpu())
    finally:
        for module, training in modes.items():
            module.train(training)
    if not labels:
        raise ValueError("the loader yielded no batch, so there is nothing to predict")
    return torch.cat(labels), torch.cat(predictions), torch.cat(probabilities)
    # END SOLUTION


def _as_labels(values, name: str, num_classes: int) -> torch.Tensor:
    values = torch.as_tensor(values)
    if values.dim() != 1:
        raise ValueError(f"{name} must be 1-D class indices, got shape {tuple(values.shape)}")
    if values.is_floating_point():
        raise ValueError(f"{name} must contain integer class indices, got dtype {values.dtype}")
    if len(values) and (values.min() < 0 or values.max() >= num_classes):
        raise ValueError(f"{name} must contain class indices in [0, {num_classes - 1}], got values from {values.min().item()} to {values.max().item()}")
    return values.long().cpu()


def confusion_matrix(y_true, y_pred, num_classes: int) -> torch.Tensor:
    """Return the ``(num_classes, num_classes)`` long tensor whose entry ``[t, p]`` counts the samples of class ``t`` predicted as ``p``.

    Rows are true classes and columns predicted classes, as in scikit-learn.
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    y_true = _as_labels(y_true, "y_true", num_classes)
    y_pred = _as_labels(y_pred, "y_pred", num_classes)
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}")
    # BEGIN SOLUTION 2.7: count each (true class, predicted class) pair
    # TODO: start from a long tensor of zeros (num_classes, num_classes) and add 1 at
    #   [true class, predicted class] for every sample: rows are true classes,
    #   columns predicted ones. A Python loop works; index_put_ with
    #   accumulate=True, or bincount over true * num_classes + pred, does it in one call.
    matrix = torch.zeros(num_classes, num_classes, dtype=torch.long)
    matrix.index_put_((y_true, y_pred), torch.ones_like(y_true), accumulate=True)
    return matrix
    # END SOLUTION


def _check_matrix(cm) -> torch.Tensor:
    cm = torch.as_tensor(cm)
    if cm.dim() != 2 or cm.shape[0] != cm.shape[1] or cm.shape[0] == 0:
        raise ValueError(f"a confusion matrix must be a non-empty square 2-D tensor (C, C), got shape {tuple(cm.shape)}")
    if (cm < 0).any():
        raise ValueError(f"invalid confusion matrix: counts must be non-negative, got a minimum of {cm.min().item()}")
    return cm


def safe_divide(numerator: torch.Tensor, denominator: torch.Tensor) -> torch.Tensor:
    """Divide element-wise, giving 0.0 where the denominator is 0 (scikit-learn's ``zero_division=0``)."""
    numerator, denominator = torch.as_tensor(numerator, dtype=torch.float64), torch.as_tensor(denominator, dtype=torch.float64)
    nonzero = denominator != 0
    return torch.where(nonzero, numerator / torch.where(nonzero, denominator, torch.ones_like(denominator)), torch.zeros_like(numerator))


def precision_recall_f1(cm) -> dict:
    """Return the per-class metrics of a confusion matrix and their macro and weighted averages.

    The keys ``precision``, ``recall`` and ``f1`` hold float tensors of length C,
    ``support`` the long tensor of true samples per class, and ``macro`` and
    ``weighted`` dicts of Python floats with the keys ``precision``, ``recall`` and ``f1``.
    """
    cm = _check_matrix(cm)
    # BEGIN SOLUTION 2.7: compute precision, recall and F1
    # TODO: with true positives on the diagonal: precision = TP / column sum (all
    #   predictions of the class), recall = TP / row sum (all true samples of the
    #   class, its support), F1 = 2 P R / (P + R). Use safe_divide so a zero
    #   denominator gives 0.0. The macro average is the plain mean over all C classes,
    #   even absent ones; the weighted average weights each class by its support.
    #   Return the averages as Python floats (.item()).
    counts = cm.double()
    true_positives = counts.diagonal()
    support = counts.sum(dim=1)
    precision = safe_divide(true_positives, counts.sum(dim=0))
    recall = safe_divide(true_positives, support)
    f1 = safe_divide(2 * precision * recall, precision + recall)
    per_class = {"precision": precision, "recall": recall, "f1": f1}
    total = support.sum()
    return {
        **{name: values.float() for name, values in per_class.items()},
        "support": support.long(),
        "macro": {name: values.mean().item() for name, values in per_class.items()},
        "weighted": {name: safe_divide((values * support).sum(), total).item() for name, values in per_class.items()},
    }
    # END SOLUTION


def accuracy(cm) -> float:
    """Return the fraction of samples on the diagonal of the confusion matrix, as a Python float (0.0 for an empty matrix)."""
    cm = _check_matrix(cm)
    # BEGIN SOLUTION 2.7: compute the accuracy
    # TODO: divide the sum of the diagonal (correct predictions) by the sum of all
    #   entries (all samples), and return a Python float.
    return safe_divide(cm.diagonal().sum(), cm.sum()).item()
    # END SOLUTION
