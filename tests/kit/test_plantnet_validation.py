"""Tests of the input checks that the plant practical's modules give students complete.

These checks sit outside the solution regions, so the stubs contain them too and
graded tests cannot tell a stub from a solution by them. They run against the reference.
"""

import importlib

import pandas as pd
import pytest
import torch


def reference(name: str):
    return importlib.import_module(f"solutions.plantnet.{name}")


@pytest.mark.parametrize(
    ("image", "kernel", "options", "message"),
    [
        (torch.zeros(3, 8, 8), torch.zeros(3, 3), {}, r"image must be 2-D .*got shape \(3, 8, 8\).*image\[0\]"),
        (torch.zeros(8, 8), torch.zeros(1, 3, 3), {}, r"kernel must be 2-D"),
        (torch.zeros(8, 8), torch.zeros(3, 3), {"stride": 0}, r"stride must be an int >= 1.*got 0"),
        (torch.zeros(8, 8), torch.zeros(3, 3), {"padding": -1}, r"padding must be an int >= 0.*got -1"),
        (torch.zeros(2, 2), torch.zeros(3, 3), {}, r"kernel of size 3 does not fit in an input of size 2"),
    ],
)
def test_conv2d_single_rejects_invalid_input(image, kernel, options, message):
    with pytest.raises(ValueError, match=message):
        reference("convolution").conv2d_single(image, kernel, **options)


def test_class_counts_rejects_label_beyond_num_classes():
    with pytest.raises(ValueError, match="contain class 4, but num_classes is 3"):
        reference("balance").class_counts(torch.tensor([0, 4]), num_classes=3)


@pytest.mark.parametrize(
    ("targets", "message"),
    [(torch.tensor([[0, 1]]), "1-D"), (torch.tensor([0.0, 1.0]), "integer class indices"), (torch.tensor([-1, 0]), ">= 0")],
)
def test_sampler_rejects_invalid_targets(targets, message):
    with pytest.raises(ValueError, match=message):
        reference("balance").weighted_sampler(targets)


def test_class_weights_rejects_negative_counts():
    with pytest.raises(ValueError, match="non-negative"):
        reference("balance").class_weights(torch.tensor([3, -1]))


def test_transforms_reject_non_positive_size():
    with pytest.raises(ValueError, match="image_size must be a positive int"):
        reference("transforms").eval_transform(image_size=0)


def test_classifier_rejects_zero_classes():
    with pytest.raises(ValueError, match="num_classes must be a positive int, got 0"):
        reference("cnn").build_classifier(0)


def test_confusion_matrix_rejects_out_of_range_labels():
    with pytest.raises(ValueError, match=r"y_pred must contain class indices in \[0, 2\]"):
        reference("evaluation").confusion_matrix(torch.tensor([0, 1]), torch.tensor([0, 3]), num_classes=3)


def test_metrics_reject_non_square_matrix():
    with pytest.raises(ValueError, match=r"square 2-D tensor \(C, C\), got shape \(2, 3\)"):
        reference("evaluation").precision_recall_f1(torch.zeros(2, 3, dtype=torch.long))


def test_csv_dataset_names_missing_column():
    with pytest.raises(ValueError, match="label is missing"):
        reference("datasets").CsvImageDataset(pd.DataFrame({"path": ["a.png"]}))


@pytest.mark.parametrize(
    ("x", "n_components", "message"),
    [
        (torch.randn(10, 3), 4, r"n_components=4 is larger than min\(samples, features\) = min\(10, 3\)"),
        (torch.randn(10, 3), 0, "n_components must be a positive int, got 0"),
        (torch.randn(10), 1, r"x must be 2-D \(samples, features\), got shape \(10,\)"),
        (torch.randn(1, 3), 1, "at least 2 samples"),
        (torch.ones(5, 3), 1, "no variance"),
    ],
)
def test_pca_rejects_invalid_input(x, n_components, message):
    with pytest.raises(ValueError, match=message):
        reference("inspection").pca(x, n_components=n_components)


def test_feature_maps_reject_foreign_layer():
    model = torch.nn.Sequential(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="not a submodule of the model"):
        reference("inspection").capture_feature_maps(model, torch.nn.Linear(2, 2), torch.zeros(1, 2))


def test_weights_file_rejects_unknown_suffix(tmp_path):
    path = tmp_path / "resnet18.ckpt"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=r"suffix '\.ckpt'; use a state dict saved as \.pth, \.pt, \.safetensors"):
        reference("transfer").read_weights_file(path)


def test_weights_file_names_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.pth not found"):
        reference("transfer").read_weights_file(tmp_path / "missing.pth")


def test_optimizer_rejects_fully_frozen_model():
    model = torch.nn.Linear(2, 2).requires_grad_(False)
    with pytest.raises(ValueError, match="no trainable parameter"):
        reference("transfer").make_optimizer(model)
