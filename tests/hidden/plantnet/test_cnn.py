import pytest
import torch
from torch import nn
from torch.nn.modules.utils import _pair

from tests.strategies import generator

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


def parameter_count(module: nn.Module) -> int:
    return sum(parameter.numel() for parameter in module.parameters())


@pytest.mark.exercise("2.5", points=2)
def test_convolution_hyperparameters(cnn):
    found = layers(cnn.build_features())
    convolutions = [module for module in found if isinstance(module, nn.Conv2d)]
    poolings = [module for module in found if isinstance(module, nn.MaxPool2d)]

    assert len(convolutions) == 4, f"expected four Conv2d layers, got {type_names(found)}"
    assert len(poolings) == 4, f"expected four MaxPool2d layers, got {type_names(found)}"
    for index, conv in enumerate(convolutions):
        assert conv.kernel_size == (3, 3), f"Conv2d #{index} should have a 3x3 kernel, got {conv.kernel_size}"
        assert conv.padding == (1, 1), f"Conv2d #{index} should have padding=1 so it keeps height and width, got {conv.padding}"
        assert conv.stride == (1, 1), f"Conv2d #{index} should have stride 1 (the pooling does the downsampling), got {conv.stride}"
        assert conv.bias is not None, f"Conv2d #{index} should keep its bias"
    for index, pool in enumerate(poolings):
        assert _pair(pool.kernel_size) == (2, 2), f"MaxPool2d #{index} should have kernel_size 2, got {pool.kernel_size}"
        assert _pair(pool.stride) == (2, 2), f"MaxPool2d #{index} should have stride 2 to halve the size, got {pool.stride}"


@pytest.mark.exercise("2.5", points=2)
def test_features_output_shape(cnn):
    features = cnn.build_features()

    with torch.no_grad():
        maps = features(torch.randn(3, 3, 64, 48, generator=generator(0)))

    assert maps.shape == (3, 128, 4, 3), f"four poolings should turn 64x48 into 4x3 with 128 channels, got {tuple(maps.shape)}"


@pytest.mark.exercise("2.5", points=2)
@pytest.mark.parametrize("num_classes", [2, 9, 100])
def test_classifier_sizes(cnn, num_classes):
    head = cnn.build_classifier(num_classes)
    found = layers(head)

    assert has_layer_types(found, CLASSIFIER_TYPES), f"unexpected head layers {type_names(found)}"
    pool, _, hidden, _, _, output = found
    assert _pair(pool.output_size) == (4, 4), f"AdaptiveAvgPool2d should produce 4x4 maps, got output_size {pool.output_size}"
    assert (hidden.in_features, hidden.out_features) == (2048, 256), (
        f"the first Linear should map 128 * 4 * 4 = 2048 features to 256, got {hidden.in_features} -> {hidden.out_features}"
    )
    assert (output.in_features, output.out_features) == (256, num_classes), (
        f"the last Linear should map 256 features to num_classes={num_classes}, got {output.in_features} -> {output.out_features}"
    )


@pytest.mark.exercise("2.5", points=1)
def test_classifier_dropout_value(cnn):
    default = [module for module in layers(cnn.build_classifier(9)) if isinstance(module, nn.Dropout)]
    custom = [module for module in layers(cnn.build_classifier(9, dropout=0.55)) if isinstance(module, nn.Dropout)]

    assert len(default) == 1, f"the head should contain one Dropout layer, found {len(default)}"
    assert default[0].p == pytest.approx(0.3), f"build_classifier should default to Dropout(0.3), got p={default[0].p}"
    assert custom[0].p == pytest.approx(0.55), f"build_classifier(..., dropout=0.55) should use Dropout(0.55), got p={custom[0].p}"


@pytest.mark.exercise("2.5", points=2)
def test_cnn_structure(cnn):
    model = cnn.build_cnn(5)

    assert isinstance(model, nn.Sequential), f"build_cnn should return an nn.Sequential, got {type(model).__name__}"
    assert len(model) == 2, f"build_cnn should return nn.Sequential(features, classifier), got {len(model)} children"
    assert has_layer_types(layers(model[0]), FEATURE_TYPES), "model[0] should be the conv stack of build_features()"
    assert has_layer_types(layers(model[1]), CLASSIFIER_TYPES), "model[1] should be the head of build_classifier(num_classes)"
    assert layers(model[1])[-1].out_features == 5


@pytest.mark.exercise("2.5", points=2)
@pytest.mark.parametrize("num_classes", [2, 9, 40])
def test_cnn_parameter_count_any_classes(cnn, num_classes):
    model = cnn.build_cnn(num_classes)

    expected = 97_440 + 524_544 + 257 * num_classes  # convolutions, Linear(2048, 256), Linear(256, C)
    assert parameter_count(model) == expected, f"build_cnn({num_classes}) should have {expected:,} parameters, got {parameter_count(model):,}"


@pytest.mark.exercise("2.5", points=2)
@pytest.mark.parametrize(("height", "width"), [(16, 16), (17, 23), (224, 224), (40, 96), (150, 31)])
def test_cnn_any_input_size(cnn, height, width):
    model = cnn.build_cnn(9).eval()

    with torch.no_grad():
        logits = model(torch.randn(2, 3, height, width, generator=generator(1)))

    assert logits.shape == (2, 9), f"a {height}x{width} input should give logits (2, 9), got {tuple(logits.shape)}"
    assert torch.isfinite(logits).all()


@pytest.mark.exercise("2.5", points=1)
def test_cnn_returns_logits(cnn):
    model = cnn.build_cnn(4).eval()

    with torch.no_grad():
        logits = model(torch.randn(8, 3, 32, 32, generator=generator(2)))

    assert not torch.allclose(logits.sum(dim=1), torch.ones(8)), "the network should end with a Linear layer: CrossEntropyLoss expects raw logits, not probabilities"


@pytest.mark.exercise("2.5", points=1)
def test_dropout_active_only_in_train_mode(cnn):
    model = cnn.build_cnn(3)
    inputs = torch.randn(2, 3, 16, 16, generator=generator(3))

    model.eval()
    with torch.no_grad():
        first, second = model(inputs), model(inputs)

    assert torch.equal(first, second), "in eval mode the network should be deterministic"
    model.train()
    torch.manual_seed(0)
    with torch.no_grad():
        outputs = [model(inputs) for _ in range(3)]
    assert not all(torch.equal(outputs[0], output) for output in outputs[1:]), "in train mode the Dropout layer should change the outputs"
