import pytest
import torch
from torch import nn

from tests.strategies import class_targets, generator, small_network, tiny_loader


@pytest.fixture
def inspection(load):
    return load("plantnet.inspection")


def tiny_cnn() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, kernel_size=3, padding=1), nn.ReLU(), nn.Conv2d(4, 5, kernel_size=3), nn.ReLU(),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(5, 2))


@pytest.mark.exercise("2.8", points=1)
def test_feature_maps_shape(inspection):
    model = tiny_cnn()

    maps = inspection.capture_feature_maps(model, model[2], torch.randn(3, 3, 10, 12, generator=generator(0)))

    assert isinstance(maps, torch.Tensor), f"capture_feature_maps should return a tensor, got {type(maps).__name__}"
    assert maps.shape == (3, 5, 8, 10), (
        f"a 3x3 convolution without padding turns 10 x 12 images into 5 maps of 8 x 10, so expected (3, 5, 8, 10), got {tuple(maps.shape)}"
    )
    assert not maps.requires_grad, "the maps should be detached: run the model under torch.no_grad()"


@pytest.mark.exercise("2.8", points=1)
def test_feature_maps_hook_removed(inspection):
    model = tiny_cnn()

    inspection.capture_feature_maps(model, model[0], torch.randn(1, 3, 8, 8, generator=generator(1)))

    assert len(model[0]._forward_hooks) == 0, "the forward hook is still registered: call handle.remove() in a finally block"


@pytest.mark.exercise("2.8", points=1)
def test_embeddings_shapes(inspection):
    model = small_network(in_features=4, hidden=6, out_features=3)
    gen = generator(2)
    targets = class_targets(7, 3, gen)

    embeddings, labels = inspection.extract_embeddings(model, model.output, tiny_loader(torch.randn(7, 4, generator=gen), targets, 3), "cpu")

    assert embeddings.shape == (7, 6), (
        f"the embeddings are the inputs of the head Linear(6, 3): one row of 6 features per sample, (7, 6); got {tuple(embeddings.shape)}"
    )
    assert torch.equal(labels, targets), "labels should be the loader's targets, in order"
    assert len(model.output._forward_pre_hooks) == 0, "the forward pre-hook is still registered: call handle.remove() in a finally block"


@pytest.mark.exercise("2.8", points=1)
def test_pca_on_a_line(inspection):
    gen = generator(3)
    t = torch.randn(100, generator=gen)
    x = torch.stack([t + 5.0, 2 * t - 1.0], dim=1) + 0.01 * torch.randn(100, 2, generator=gen)

    projected, components, ratio = inspection.pca(x, n_components=1)

    assert projected.shape == (100, 1), f"projected should have shape (N, n_components) = (100, 1), got {tuple(projected.shape)}"
    assert components.shape == (1, 2), f"components should have shape (n_components, D) = (1, 2), as in scikit-learn; got {tuple(components.shape)}"
    direction = torch.tensor([1.0, 2.0]) / 5**0.5
    assert abs(float(components[0] @ direction)) == pytest.approx(1.0, abs=1e-3), (
        f"points along the line y = 2x vary along (1, 2) / sqrt(5), up to sign; got the component {components[0].tolist()}"
    )
    assert ratio[0].item() > 0.99, f"one direction explains almost all of the variance, got a ratio of {ratio[0].item():.4f}"
    assert abs(projected.mean().item()) < 1e-3, "the projected points should have mean 0: center the data before projecting"
