"""Figures of the bonus material, given complete: each function writes one PNG file and returns its path."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no window, works on machines without a display

import matplotlib.pyplot as plt
import torch


def plot_set_sizes(sets, path, title: str = "Prediction set sizes on the test set") -> Path:
    """Write a bar chart of the number of samples per set size, from 0 to C classes, with the mean size marked.

    ``sets`` is the boolean mask ``(N, C)`` that ``prediction_sets`` or
    ``average_k_sets`` returns. Empty sets get the bar at size 0.
    """
    sets = torch.as_tensor(sets).detach().cpu()
    if sets.dim() != 2 or sets.shape[0] == 0:
        raise ValueError(f"sets must be a non-empty 2-D boolean tensor (N, C), got shape {tuple(sets.shape)}")
    sizes = sets.bool().sum(dim=1)
    num_classes = sets.shape[1]
    counts = torch.bincount(sizes, minlength=num_classes + 1)

    figure, axis = plt.subplots(figsize=(max(5, 0.5 * (num_classes + 1)), 4))
    axis.bar(range(num_classes + 1), counts.tolist(), color="tab:green")
    mean_size = sizes.double().mean().item()
    axis.axvline(mean_size, color="grey", linestyle="--", label=f"mean size {mean_size:.2f}")
    axis.set_xticks(range(num_classes + 1))
    axis.set(xlabel="classes in the set", ylabel="samples", title=title)
    axis.legend()

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return path
