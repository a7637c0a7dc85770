"""Figures of the plant species practical, given complete: each function writes one PNG file and returns its path.

Images come as tensors ``(N, 3, H, W)``, normalised with the ImageNet statistics
unless ``normalized=False``; they are un-normalised for display.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: no window, works on machines without a display

import matplotlib.pyplot as plt
import torch

# The ImageNet statistics of exercise 2.2, repeated so that the figures work before that exercise is done.
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def _displayable(images: torch.Tensor, normalized: bool) -> torch.Tensor:
    """Return images as ``(N, H, W, 3)`` floats in ``[0, 1]``."""
    images = images.detach().cpu().float()
    if normalized:
        mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
        std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
        images = images * std + mean
    return images.clamp(0, 1).permute(0, 2, 3, 1)


def _save(figure, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)
    return path


def _image_grid(images, titles, path, normalized: bool, columns: int = 8, title_colours=None) -> Path:
    pictures = _displayable(images, normalized)
    rows = max(1, math.ceil(len(pictures) / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(2 * columns, 2.3 * rows), squeeze=False)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index < len(pictures):
            axis.imshow(pictures[index].numpy())
            colour = title_colours[index] if title_colours else "black"
            axis.set_title(titles[index], fontsize=8, color=colour)
    return _save(figure, path)


def plot_batch(images: torch.Tensor, labels, class_names: list[str], path, normalized: bool = True) -> Path:
    """Write a grid of a batch of images, each titled with its species name."""
    titles = [class_names[int(label)] for label in labels]
    return _image_grid(images, titles, path, normalized)


def plot_class_counts(counts: dict[str, torch.Tensor], class_names: list[str], path) -> Path:
    """Write a grouped bar chart of the images per class, one bar colour per split (``{"train": counts, ...}``)."""
    figure, axis = plt.subplots(figsize=(max(6, 0.8 * len(class_names)), 4))
    width = 0.8 / max(1, len(counts))
    for offset, (split, values) in enumerate(counts.items()):
        positions = [index + offset * width for index in range(len(class_names))]
        axis.bar(positions, [int(value) for value in values], width=width, label=split)
    axis.set_xticks([index + width * (len(counts) - 1) / 2 for index in range(len(class_names))])
    axis.set_xticklabels(class_names, rotation=45, ha="right")
    axis.set_ylabel("images")
    axis.set_title("Images per class and split")
    axis.legend()
    return _save(figure, path)


def plot_learning_curves(history: dict, path) -> Path:
    """Write the loss and accuracy per epoch, training and validation, side by side; mark the best epoch."""
    figure, (loss_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(11, 4))
    epochs = range(1, len(history["train_loss"]) + 1)
    loss_axis.plot(epochs, history["train_loss"], marker="o", label="train")
    loss_axis.plot(epochs, history["val_loss"], marker="o", label="validation")
    loss_axis.set(xlabel="epoch", ylabel="loss", title="Loss")
    if "train_accuracy" in history:
        accuracy_axis.plot(epochs, history["train_accuracy"], marker="o", label="train")
    accuracy_axis.plot(epochs, history["val_accuracy"], marker="o", label="validation")
    accuracy_axis.set(xlabel="epoch", ylabel="accuracy", title="Accuracy", ylim=(0, 1))
    if history.get("best_epoch") is not None:
        for axis in (loss_axis, accuracy_axis):
            axis.axvline(history["best_epoch"] + 1, color="grey", linestyle="--", label="best epoch")
    loss_axis.legend()
    accuracy_axis.legend()
    return _save(figure, path)


def plot_confusion_matrix(matrix: torch.Tensor, class_names: list[str], path) -> Path:
    """Write the confusion matrix (rows: true class, columns: predicted class) with the count in each cell."""
    matrix = torch.as_tensor(matrix).cpu()
    size = max(5, 0.7 * len(class_names))
    figure, axis = plt.subplots(figsize=(size + 1, size))
    image = axis.imshow(matrix.numpy(), cmap="Blues")
    figure.colorbar(image, ax=axis)
    ticks = range(len(class_names))
    axis.set_xticks(ticks, class_names, rotation=45, ha="right")
    axis.set_yticks(ticks, class_names)
    axis.set(xlabel="predicted class", ylabel="true class", title="Confusion matrix")
    threshold = matrix.max().item() / 2 if matrix.numel() else 0
    for row in ticks:
        for column in ticks:
            value = int(matrix[row, column])
            axis.text(column, row, value, ha="center", va="center", color="white" if value > threshold else "black", fontsize=8)
    return _save(figure, path)


def plot_predictions(images: torch.Tensor, y_true, y_pred, confidences, class_names: list[str], path,
                     normalized: bool = True) -> Path:
    """Write a grid of test images titled with the true class, the predicted class and its probability.

    Titles of wrong predictions are red.
    """
    titles, colours = [], []
    for true, predicted, confidence in zip(y_true, y_pred, confidences):
        titles.append(f"true: {class_names[int(true)]}\npred: {class_names[int(predicted)]} ({float(confidence):.0%})")
        colours.append("black" if int(true) == int(predicted) else "red")
    return _image_grid(images, titles, path, normalized, title_colours=colours)


def plot_feature_maps(maps: torch.Tensor, path, title: str = "Feature maps", max_maps: int = 32, columns: int = 8) -> Path:
    """Write a grid of the feature maps of one image, one grey-scale panel per channel (the first ``max_maps``).

    ``maps`` has shape ``(C, H, W)``, or ``(1, C, H, W)`` as ``capture_feature_maps``
    returns for a single image. Each panel has its own colour scale, so weak channels stay visible.
    """
    maps = maps.detach().cpu().float()
    if maps.dim() == 4 and maps.shape[0] == 1:
        maps = maps[0]
    if maps.dim() != 3:
        raise ValueError(f"maps must have shape (C, H, W) or (1, C, H, W) for one image, got {tuple(maps.shape)}")
    displayed = maps[:max_maps]
    columns = min(columns, len(displayed))
    rows = math.ceil(len(displayed) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(1.6 * columns, 1.6 * rows + 0.5), squeeze=False)
    for index, axis in enumerate(axes.flat):
        axis.axis("off")
        if index < len(displayed):
            axis.imshow(displayed[index].numpy(), cmap="gray")
            axis.set_title(f"channel {index}", fontsize=7)
    figure.suptitle(f"{title} ({len(displayed)} of {len(maps)} channels, {maps.shape[1]} x {maps.shape[2]})")
    return _save(figure, path)


def plot_embedding_pca(panels: dict[str, tuple], class_names: list[str], path) -> Path:
    """Write PCA scatter plots of embeddings side by side, one panel per model, points coloured by species.

    ``panels`` maps a panel title (for example "scratch CNN" and "transfer ResNet-18")
    to ``(projected, labels)`` or ``(projected, labels, explained_variance_ratio)``,
    where ``projected`` is the ``(N, 2)`` output of ``pca``. With the ratios, the
    axis labels give the share of variance that each component explains.
    """
    colours = plt.get_cmap("tab10" if len(class_names) <= 10 else "tab20")
    figure, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4.8), squeeze=False)
    for axis, (title, panel) in zip(axes.flat, panels.items()):
        projected = torch.as_tensor(panel[0]).detach().cpu().float()
        labels = torch.as_tensor(panel[1]).cpu().long()
        if projected.dim() != 2 or projected.shape[1] < 2:
            raise ValueError(f"panel {title!r}: projected must have shape (N, 2) or wider, got {tuple(projected.shape)}")
        for class_index, name in enumerate(class_names):
            chosen = labels == class_index
            axis.scatter(projected[chosen, 0].numpy(), projected[chosen, 1].numpy(), s=12, alpha=0.8,
                         color=colours(class_index % colours.N), label=name)
        if len(panel) > 2:
            ratio = torch.as_tensor(panel[2]).cpu().float()
            axis.set(xlabel=f"PC1 ({ratio[0].item():.0%} of the variance)", ylabel=f"PC2 ({ratio[1].item():.0%})")
        else:
            axis.set(xlabel="PC1", ylabel="PC2")
        axis.set_title(title)
    axes.flat[-1].legend(fontsize=7, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return _save(figure, path)
