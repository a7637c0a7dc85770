import pytest
import torch
from torch import nn

FEATURE_TYPES = [nn.Conv2d, nn.ReLU, nn.MaxPool2d] * 4
CLASSIFIER_TYPES = [nn.AdaptiveAvgPool2d, nn.Flatten, nn.Linear, nn.ReLU, nn.Dropout, nn.Linear]


@pytest.fixture
def cnn(load):
    return load("plantnet.cnn")


def layers(module: nn.Module) -> list[nn.Module]:
    """Return the layers of ``module`` in order, looking inside nested containers."""
    return [child for child in module.modules() if not list(child.children())]


def type_names(modules) -> list[str]:
    return [type(module).__name__ for module in modules]


def has_layer_types(modules: list[nn.Module], expected: list[type]) -> bool:
    """Return whether ``modules`` are instances of the ``expected`` classes, one for one and in order."""
    return len(modules) == len(expected) and all(isinstance(module, kind) for module, kind in zip(modules, expected))


@pytest.mark.exercise("2.5", points=2)
def test_features_layer_order(cnn):
    found = layers(cnn.build_features())

    assert has_layer_types(found, FEATURE_TYPES), (
        f"expected four Conv2d -> ReLU -> MaxPool2d blocks, got {type_names(found)}"
    )


@pytest.mark.exercise("2.5", points=1)
def test_features_channels(cnn):
    convolutions = [module for module in layers(cnn.build_features()) if isinstance(module, nn.Conv2d)]

    channels = [(conv.in_channels, conv.out_channels) for conv in convolutions]
    assert channels == [(3, 16), (16, 32), (32, 64), (64, 128)], f"expected channels 3 -> 16 -> 32 -> 64 -> 128, got {channels}"


@pytest.mark.exercise("2.5", points=2)
def test_classifier_layer_order(cnn):
    found = layers(cnn.build_classifier(9))

    assert has_layer_types(found, CLASSIFIER_TYPES), (
        f"expected AdaptiveAvgPool2d -> Flatten -> Linear -> ReLU -> Dropout -> Linear, got {type_names(found)}"
    )


@pytest.mark.exercise("2.5", points=2)
def test_cnn_parameter_count(cnn):
    model = cnn.build_cnn(9)

    count = sum(parameter.numel() for parameter in model.parameters())
    assert count == 624_297, f"build_cnn(9) should have 624,297 parameters, got {count:,}"


@pytest.mark.exercise("2.5", points=1)
def test_cnn_output_shape(cnn):
    model = cnn.build_cnn(9).eval()

    with torch.no_grad():
        logits = model(torch.randn(2, 3, 64, 64))

    assert logits.shape == (2, 9), f"a batch of 2 images should give logits of shape (2, 9), got {tuple(logits.shape)}"
