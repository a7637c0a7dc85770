"""The given figure functions of part 2 each write a readable, non-empty PNG file."""

import pytest
import torch
from PIL import Image

from solutions.plantnet import plots

CLASSES = ["bluebell", "buttercup", "crocus"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path, min_width=100):
    assert path.is_file()
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    with Image.open(path) as image:
        assert image.width >= min_width
        assert image.height >= 50


@pytest.fixture
def images():
    return torch.randn(6, 3, 32, 40, generator=torch.Generator().manual_seed(0))


def test_batch_grid(tmp_path, images):
    assert_png(plots.plot_batch(images, [0, 1, 2, 0, 1, 2], CLASSES, tmp_path / "batch.png"))


def test_batch_grid_unnormalized(tmp_path):
    pixels = torch.rand(3, 3, 16, 16)
    assert_png(plots.plot_batch(pixels, torch.tensor([2, 1, 0]), CLASSES, tmp_path / "raw.png", normalized=False))


def test_class_counts(tmp_path):
    counts = {"train": torch.tensor([60, 40, 5]), "val": torch.tensor([10, 10, 1]), "test": torch.tensor([10, 9, 0])}
    assert_png(plots.plot_class_counts(counts, CLASSES, tmp_path / "counts.png"))


def test_learning_curves(tmp_path):
    history = {"train_loss": [2.0, 1.5, 1.2], "train_accuracy": [0.3, 0.5, 0.6], "val_loss": [1.9, 1.6, 1.7],
               "val_accuracy": [0.35, 0.5, 0.45], "best_epoch": 1}
    assert_png(plots.plot_learning_curves(history, tmp_path / "sub" / "curves.png"))


def test_confusion_matrix(tmp_path):
    assert_png(plots.plot_confusion_matrix(torch.tensor([[5, 1, 0], [2, 3, 1], [0, 0, 6]]), CLASSES, tmp_path / "cm.png"))


def test_predictions_grid(tmp_path, images):
    path = plots.plot_predictions(images, [0, 1, 2, 0, 1, 2], [0, 2, 2, 1, 1, 2], [0.9, 0.5, 0.8, 0.4, 0.7, 0.99],
                                  CLASSES, tmp_path / "predictions.png")
    assert_png(path)


def test_feature_maps_grid(tmp_path):
    maps = torch.randn(1, 20, 9, 11, generator=torch.Generator().manual_seed(1))
    assert_png(plots.plot_feature_maps(maps, tmp_path / "maps.png", title="layer1", max_maps=16))


def test_feature_maps_grid_fewer_maps_than_columns(tmp_path):
    assert_png(plots.plot_feature_maps(torch.rand(3, 6, 6), tmp_path / "three.png"))


def test_feature_maps_rejects_a_batch(tmp_path):
    with pytest.raises(ValueError, match=r"\(C, H, W\)"):
        plots.plot_feature_maps(torch.rand(2, 4, 6, 6), tmp_path / "batch.png")


def test_embedding_pca_panels(tmp_path):
    gen = torch.Generator().manual_seed(2)
    labels = torch.tensor([0, 1, 2] * 10)
    panels = {
        "scratch CNN": (torch.randn(30, 2, generator=gen), labels),
        "transfer ResNet-18": (torch.randn(30, 2, generator=gen), labels, torch.tensor([0.41, 0.22])),
    }
    assert_png(plots.plot_embedding_pca(panels, CLASSES, tmp_path / "pca.png"), min_width=400)
