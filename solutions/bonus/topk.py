"""Exercise 3.1: top-K, macro top-K and average-K accuracy of a classifier's probabilities.

Top-K counts a prediction as correct when the true class is among the K
classes with the highest probability. Average-K uses one global threshold
instead: each sample's set contains every class whose probability reaches it, so
sets are large where the model hesitates and small where it is sure, and on the
validation data they contain K classes on average. The threshold is the one that
the Pl@ntNet-300K benchmark computes (``val_epoch`` in ``epoch.py`` of
github.com/plantnet/PlantNet-300K).
"""

from __future__ import annotations

import torch


def _as_probs(probs) -> torch.Tensor:
    """Return ``probs`` as a 2-D floating tensor ``(N, C)`` with at least one sample and one class."""
    probs = torch.as_tensor(probs)
    if probs.dim() != 2 or probs.shape[0] == 0 or probs.shape[1] == 0:
        raise ValueError(f"probs must be a non-empty 2-D tensor (N, C) of class probabilities, got shape {tuple(probs.shape)}")
    if not probs.is_floating_point():
        raise ValueError(f"probs must be a floating tensor of probabilities, got dtype {probs.dtype}")
    return probs


def _as_targets(targets, probs: torch.Tensor) -> torch.Tensor:
    """Return ``targets`` as a long tensor ``(N,)`` of class indices below ``C``, one per row of ``probs``."""
    targets = torch.as_tensor(targets, device=probs.device)
    num_samples, num_classes = probs.shape
    if targets.shape != (num_samples,):
        raise ValueError(f"targets must have shape (N,) = ({num_samples},), one class index per row of probs, got shape {tuple(targets.shape)}")
    if targets.is_floating_point() or targets.dtype == torch.bool:
        raise ValueError(f"targets must contain integer class indices, got dtype {targets.dtype}")
    if targets.min() < 0 or targets.max() >= num_classes:
        raise ValueError(
            f"targets must contain class indices in [0, {num_classes - 1}], "
            f"got values from {targets.min().item()} to {targets.max().item()}"
        )
    return targets.long()


def _check_k(k, low: int, high: int, rule: str) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or not low <= k <= high:
        raise ValueError(f"k must be an int with {rule}, got {k!r}; pick k between {low} and {high}")


def topk_accuracy(probs, targets, k: int) -> float:
    """Return the fraction of samples whose true class is among the ``k`` highest probabilities of its row.

    ``probs`` is ``(N, C)``, ``targets`` contains ``N`` class indices and ``1 <= k <= C``.
    When probabilities tie at the K-th place, the result depends on which tied class counts as in the top K.
    """
    probs = _as_probs(probs)
    targets = _as_targets(targets, probs)
    _check_k(k, 1, probs.shape[1], "1 <= k <= C, the number of classes")
    # BEGIN SOLUTION 3.1: compute the top-K accuracy
    # TODO: take the indices of the k largest probabilities of each row
    #   (torch.topk along dim=1, or a descending argsort), check whether the
    #   true class is one of them, and return the fraction of hits as a Python float.
    top_classes = probs.topk(k, dim=1).indices
    hits = (top_classes == targets.unsqueeze(1)).any(dim=1)
    return hits.double().mean().item()
    # END SOLUTION


def macro_topk_accuracy(probs, targets, k: int) -> float:
    """Return the mean over the classes present in ``targets`` of each class's top-K accuracy.

    Every class that occurs in ``targets`` weighs the same, however many samples
    it has, so rare classes count as much as common ones. Classes that never
    occur in ``targets`` have no accuracy and are left out of the mean.
    """
    probs = _as_probs(probs)
    targets = _as_targets(targets, probs)
    _check_k(k, 1, probs.shape[1], "1 <= k <= C, the number of classes")
    # BEGIN SOLUTION 3.1: compute the macro-averaged top-K accuracy
    # TODO: mark each sample as a hit or a miss as in topk_accuracy. For each class
    #   that occurs in `targets`, take the mean of its samples' hits. Return the
    #   mean of these per-class accuracies as a Python float: classes absent from
    #   `targets` do not count.
    top_classes = probs.topk(k, dim=1).indices
    hits = (top_classes == targets.unsqueeze(1)).any(dim=1).double()
    num_classes = probs.shape[1]
    hits_per_class = torch.zeros(num_classes, dtype=torch.float64, device=probs.device).index_add_(0, targets, hits)
    samples_per_class = torch.bincount(targets, minlength=num_classes)
    present = samples_per_class > 0
    return (hits_per_class[present] / samples_per_class[present]).mean().item()
    # END SOLUTION


def average_k_threshold(probs, k: int) -> float:
    """Return the global threshold at which the sets of ``probs`` contain ``k`` classes on average.

    With ``N`` samples, all ``N * C`` probabilities are sorted in decreasing
    order, and the threshold is the midpoint of the ``(N * k)``-th and the
    ``(N * k + 1)``-th of them, so exactly ``N * k`` probabilities reach it when
    these two differ. ``k`` is an int with ``1 <= k < C``. Compute it on
    validation data and apply it unchanged to the test data.
    """
    probs = _as_probs(probs)
    _check_k(k, 1, probs.shape[1] - 1, "1 <= k < C, because the threshold needs an (N * k + 1)-th probability")
    # BEGIN SOLUTION 3.1: compute the average-K threshold
    # TODO: flatten all N * C probabilities and sort them in decreasing order.
    #   Return the midpoint of the (N * k)-th and (N * k + 1)-th values as a Python
    #   float. Counting from 0, they sit at positions N * k - 1 and N * k.
    ordered = probs.flatten().double().sort(descending=True).values
    position = probs.shape[0] * k
    return ((ordered[position - 1] + ordered[position]) / 2).item()
    # END SOLUTION


def average_k_sets(probs, threshold: float) -> torch.Tensor:
    """Return the boolean mask ``(N, C)`` of the predicted sets: every class whose probability is at least ``threshold``."""
    probs = _as_probs(probs)
    # BEGIN SOLUTION 3.1: build the average-K sets
    # TODO: return a boolean tensor of the same shape as `probs` that is True where
    #   the probability is greater than or equal to `threshold`.
    return probs >= threshold
    # END SOLUTION


def average_k_accuracy(probs, targets, threshold: float) -> float:
    """Return the fraction of samples whose true class has a probability of at least ``threshold``, as a Python float."""
    probs = _as_probs(probs)
    targets = _as_targets(targets, probs)
    # BEGIN SOLUTION 3.1: compute the average-K accuracy
    # TODO: a sample counts as correct when its true class is in its average-K set,
    #   that is when the probability of the true class is >= threshold. Return the
    #   fraction of correct samples as a Python float.
    true_class_probs = probs.gather(1, targets.unsqueeze(1)).squeeze(1)
    return (true_class_probs >= threshold).double().mean().item()
    # END SOLUTION
