import numpy as np
import pytest
import timm
import torch
from sklearn.decomposition import PCA
from torch import nn
from torch.nn.modules import module as module_hooks

from tests.strategies import class_targets, generator, module_modes, recorders, recording_loader, small_network, tiny_loader


@pytest.fixture
def inspection(load):
    return load("plantnet.inspection")


class FailingLayer(nn.Module):
    """A layer whose forward pass always raises ``RuntimeError``."""

    def forward(self, x):
        raise RuntimeError("this layer fails on purpose")


class MoveRecordingSequential(nn.Sequential):
    """An ``nn.Sequential`` that records the arguments of every ``.to(...)`` call made on it."""

    def __init__(self, *layers):
        super().__init__(*layers)
        self.moves = []

    def to(self, *args, **kwargs):
        self.moves.append((args, kwargs))
        return super().to(*args, **kwargs)


def conv_network() -> nn.Sequential:
    """Return a small CNN in train mode, with BatchNorm and active dropout, whose layer 3 is a convolution."""
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(3, 4, kernel_size=3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(),
        nn.Conv2d(4, 6, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Dropout(0.5),
        nn.Linear(6, 3),
    )
    with torch.no_grad():
        model[1].running_mean.copy_(torch.tensor([0.2, -0.1, 0.3, 0.0]))
        model[1].running_var.copy_(torch.tensor([0.5, 2.0, 1.5, 0.8]))
    return model.train()


def mixed_mode_network(num_classes: int = 3) -> nn.Sequential:
    """Return ``small_network`` in train mode, with active dropout, whose first layer alone is in eval mode."""
    model = small_network(in_features=5, hidden=7, out_features=num_classes, dropout=0.5)
    model.train()
    model.recorder.eval()
    return model


def hook_counts(module: nn.Module) -> dict[str, int]:
    """Return the number of forward hooks and pre-hooks on ``module`` and registered globally."""
    return {
        "forward hooks on the layer": len(module._forward_hooks),
        "forward pre-hooks on the layer": len(module._forward_pre_hooks),
        "global forward hooks": len(module_hooks._global_forward_hooks),
        "global forward pre-hooks": len(module_hooks._global_forward_pre_hooks),
    }


def changed_modes(before: dict, after: dict) -> list[str]:
    return sorted(name or "<model>" for name in before if before[name] != after[name])


def anisotropic_data(samples: int, features: int, seed: int) -> torch.Tensor:
    """Draw float32 points with well separated variances along random orthogonal directions, far from the origin."""
    gen = generator(seed)
    scales = 3.0 * 0.75 ** torch.arange(features, dtype=torch.float64)  # each variance 1.8 times the next
    rotation, _ = torch.linalg.qr(torch.randn(features, features, generator=gen, dtype=torch.float64))
    offset = 10.0 * torch.randn(features, generator=gen, dtype=torch.float64)
    points = (torch.randn(samples, features, generator=gen, dtype=torch.float64) * scales) @ rotation.T + offset
    return points.float()


def align_signs(ours: torch.Tensor, expected: np.ndarray) -> torch.Tensor:
    """Return the sign (+1 or -1) per component that best aligns the rows of ``ours`` with the rows of ``expected``."""
    dots = (ours.double() * torch.from_numpy(expected).double()).sum(dim=1)
    return torch.where(dots < 0, -1.0, 1.0).double()


# ---------------------------------------------------------------------------
# Feature maps


@pytest.mark.exercise("2.8", points=3)
def test_feature_maps_match_layer_output(inspection):
    model = conv_network()
    batch = torch.randn(5, 3, 12, 10, generator=generator(0))

    maps = inspection.capture_feature_maps(model, model[3], batch)

    model.eval()
    with torch.no_grad():
        expected = model[:4](batch)
    assert isinstance(maps, torch.Tensor), f"expected a tensor, got {type(maps).__name__}"
    assert maps.shape == (5, 6, 12, 10), f"the second convolution gives (N, 6, H, W) = (5, 6, 12, 10), got {tuple(maps.shape)}"
    assert torch.allclose(maps, expected, atol=1e-6), (
        "the maps should be the layer's output in eval mode: BatchNorm with its running statistics"
    )


@pytest.mark.exercise("2.8", points=1)
def test_feature_maps_detached_on_cpu(inspection):
    model = conv_network()

    maps = inspection.capture_feature_maps(model, model[0], torch.randn(2, 3, 8, 8, generator=generator(1)))

    assert maps.device.type == "cpu", f"feature maps should come back on the CPU, got {maps.device}"
    assert not maps.requires_grad, "feature maps should be detached: run the model under torch.no_grad()"
    assert maps.grad_fn is None, "feature maps should not keep a graph"


@pytest.mark.exercise("2.8", points=2)
def test_feature_maps_eval_mode_without_grad(inspection):
    model = mixed_mode_network()

    inspection.capture_feature_maps(model, model.hidden, torch.randn(4, 5, generator=generator(2)))

    for recorder in recorders(model):
        assert recorder.training_flags == [False], f"the forward pass should run in eval mode, the layers saw {recorder.training_flags}"
        assert recorder.grad_enabled_flags == [False], "the forward pass should run under torch.no_grad()"


@pytest.mark.exercise("2.8", points=2)
def test_feature_maps_restore_modes(inspection):
    model = mixed_mode_network()
    before = module_modes(model)

    inspection.capture_feature_maps(model, model.inner, torch.randn(3, 5, generator=generator(3)))

    changed = changed_modes(before, module_modes(model))
    assert not changed, f"every module should get back the mode it had, but these changed: {changed}"


@pytest.mark.exercise("2.8", points=2)
def test_feature_maps_hook_removed(inspection):
    model = conv_network()
    before = hook_counts(model[3])

    inspection.capture_feature_maps(model, model[3], torch.randn(2, 3, 8, 8, generator=generator(4)))

    after = hook_counts(model[3])
    for kind in before:
        assert after[kind] == before[kind], f"{kind}: {before[kind]} before the call, {after[kind]} after; remove the hook with handle.remove()"


@pytest.mark.exercise("2.8", points=3)
def test_feature_maps_hook_removed_after_error(inspection):
    model = nn.Sequential(nn.Conv2d(3, 4, kernel_size=3), nn.Dropout(0.2), FailingLayer()).train()
    before = hook_counts(model[0])
    modes = module_modes(model)

    with pytest.raises(RuntimeError, match="fails on purpose"):
        inspection.capture_feature_maps(model, model[0], torch.randn(2, 3, 8, 8, generator=generator(5)))

    after = hook_counts(model[0])
    for kind in before:
        assert after[kind] == before[kind], (
            f"{kind}: {before[kind]} before, {after[kind]} after a forward pass that raised; remove the hook in a finally block"
        )
    changed = changed_modes(modes, module_modes(model))
    assert not changed, f"the modes should come back even when the forward pass raises, but these changed: {changed}"


@pytest.mark.exercise("2.8", points=1)
def test_feature_maps_of_resnet_stage(inspection):
    torch.manual_seed(1)
    model = timm.create_model("resnet18", pretrained=False, num_classes=5).train()

    maps = inspection.capture_feature_maps(model, model.layer2, torch.randn(2, 3, 64, 64, generator=generator(6)))

    assert maps.shape == (2, 128, 8, 8), f"layer2 of a ResNet-18 turns a 64 x 64 image into 128 maps of 8 x 8, got {tuple(maps.shape)}"


# ---------------------------------------------------------------------------
# Embeddings


@pytest.mark.exercise("2.8", points=3)
def test_embeddings_are_inputs_of_head(inspection):
    model = mixed_mode_network(num_classes=3)
    gen = generator(7)
    inputs, targets = torch.randn(10, 5, generator=gen), class_targets(10, 3, gen)

    embeddings, labels = inspection.extract_embeddings(model, model.output, tiny_loader(inputs, targets, batch_size=4), "cpu")

    model.eval()
    with torch.no_grad():
        expected = model[:-1](inputs)
    assert embeddings.shape == (10, 7), (
        f"the head Linear(7, 3) takes 7 features per sample, so the embeddings should have shape (10, 7), got {tuple(embeddings.shape)}"
    )
    assert torch.allclose(embeddings, expected, atol=1e-6), "the embeddings should be the head's inputs in eval mode, batch after batch in order"
    assert torch.equal(labels, targets), "the labels should be the loader's targets, concatenated in order"
    assert labels.dtype == torch.long, f"labels should be torch.long, got {labels.dtype}"


@pytest.mark.exercise("2.8", points=2)
def test_embeddings_of_resnet18(inspection):
    torch.manual_seed(2)
    model = timm.create_model("resnet18", pretrained=False, num_classes=4).train()
    gen = generator(8)
    inputs, targets = torch.randn(6, 3, 32, 32, generator=gen), class_targets(6, 4, gen)

    embeddings, labels = inspection.extract_embeddings(model, model.fc, tiny_loader(inputs, targets, batch_size=4), "cpu")

    model.eval()
    with torch.no_grad():
        expected = model.forward_head(model.forward_features(inputs), pre_logits=True)
    assert embeddings.shape == (6, 512), f"a ResNet-18's fc takes 512 pooled features, got embeddings of shape {tuple(embeddings.shape)}"
    assert torch.allclose(embeddings, expected, atol=1e-5), "the embeddings should be the pooled features that enter fc"
    assert torch.equal(labels, targets)


@pytest.mark.exercise("2.8", points=1)
def test_embeddings_detached_on_cpu(inspection):
    model = mixed_mode_network()
    gen = generator(9)
    loader = tiny_loader(torch.randn(5, 5, generator=gen), class_targets(5, 3, gen), batch_size=2)

    embeddings, labels = inspection.extract_embeddings(model, model.output, loader, "cpu")

    assert embeddings.device.type == "cpu", f"embeddings should be on the CPU, got {embeddings.device}"
    assert labels.device.type == "cpu", f"labels should be on the CPU, got {labels.device}"
    assert not embeddings.requires_grad, "embeddings should be detached: run the model under torch.no_grad()"
    assert embeddings.dtype == torch.float32, f"embeddings of a float32 model should be float32, got {embeddings.dtype}"


@pytest.mark.exercise("2.8", points=2)
def test_embeddings_eval_mode_and_modes_restored(inspection):
    model = mixed_mode_network()
    before = module_modes(model)
    gen = generator(10)
    loader = tiny_loader(torch.randn(7, 5, generator=gen), class_targets(7, 3, gen), batch_size=3)

    inspection.extract_embeddings(model, model.output, loader, "cpu")

    for recorder in recorders(model):
        assert recorder.training_flags == [False] * 3, f"every batch should run in eval mode, the layers saw {recorder.training_flags}"
        assert recorder.grad_enabled_flags == [False] * 3, "every batch should run under torch.no_grad()"
    changed = changed_modes(before, module_modes(model))
    assert not changed, f"every module should get back the mode it had, but these changed: {changed}"


@pytest.mark.exercise("2.8", points=1)
def test_embeddings_move_model_and_batches(inspection):
    torch.manual_seed(3)
    model = MoveRecordingSequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 2))
    loader, batches = recording_loader(torch.randn(5, 4), torch.tensor([0, 1, 1, 0, 1]), batch_size=3)

    inspection.extract_embeddings(model, model[2], loader, torch.device("cpu"))

    assert model.moves, "extract_embeddings should move the model to the device with model.to(device)"
    for inputs, _ in batches:
        assert torch.device("cpu") in inputs.moves, "each batch of inputs should be moved with .to(device)"


@pytest.mark.exercise("2.8", points=2)
def test_embeddings_hook_removed(inspection):
    model = mixed_mode_network()
    before = hook_counts(model.output)
    gen = generator(11)
    loader = tiny_loader(torch.randn(4, 5, generator=gen), class_targets(4, 3, gen), batch_size=2)

    inspection.extract_embeddings(model, model.output, loader, "cpu")

    after = hook_counts(model.output)
    for kind in before:
        assert after[kind] == before[kind], f"{kind}: {before[kind]} before the call, {after[kind]} after; remove the hook with handle.remove()"


@pytest.mark.exercise("2.8", points=2)
def test_embeddings_hook_removed_after_error(inspection):
    model = nn.Sequential(nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 2), FailingLayer()).train()
    before = hook_counts(model[2])
    loader = tiny_loader(torch.randn(4, 4, generator=generator(12)), torch.tensor([0, 1, 0, 1]), batch_size=2)

    with pytest.raises(RuntimeError, match="fails on purpose"):
        inspection.extract_embeddings(model, model[2], loader, "cpu")

    after = hook_counts(model[2])
    for kind in before:
        assert after[kind] == before[kind], (
            f"{kind}: {before[kind]} before, {after[kind]} after a forward pass that raised; remove the hook in a finally block"
        )
    assert model.training, "the model should be back in train mode after the error"


# ---------------------------------------------------------------------------
# PCA


@pytest.mark.exercise("2.8", points=2)
@pytest.mark.parametrize(("samples", "features", "n_components"), [(60, 5, 2), (200, 12, 3), (30, 64, 4), (80, 3, 3)])
def test_pca_matches_sklearn(inspection, samples, features, n_components):
    x = anisotropic_data(samples, features, seed=samples + features)
    expected = PCA(n_components=n_components).fit(x.double().numpy())

    projected, components, ratio = inspection.pca(x, n_components=n_components)

    case = f"{samples} samples, {features} features, {n_components} components"
    assert components.shape == (n_components, features), f"{case}: components should have shape {(n_components, features)}, got {tuple(components.shape)}"
    assert projected.shape == (samples, n_components), f"{case}: projected should have shape {(samples, n_components)}, got {tuple(projected.shape)}"
    assert ratio.shape == (n_components,), f"{case}: explained_variance_ratio should have shape ({n_components},), got {tuple(ratio.shape)}"
    signs = align_signs(components, expected.components_)
    assert np.allclose((components.double() * signs[:, None]).numpy(), expected.components_, atol=1e-4), (
        f"{case}: the components differ from scikit-learn's components_ (even up to sign): center x, then take the rows of Vh"
    )
    assert np.allclose((projected.double() * signs).numpy(), expected.transform(x.double().numpy()), rtol=1e-4, atol=1e-3), (
        f"{case}: projected should be the centered data times components.T, as PCA.fit_transform gives"
    )
    assert np.allclose(ratio.double().numpy(), expected.explained_variance_ratio_, atol=1e-5), (
        f"{case}: explained_variance_ratio should be {np.round(expected.explained_variance_ratio_, 4).tolist()}, got {ratio.tolist()}"
    )


@pytest.mark.exercise("2.8", points=2)
def test_pca_centers_the_data(inspection):
    x = anisotropic_data(50, 4, seed=20) + 100.0

    projected, components, _ = inspection.pca(x, n_components=2)

    assert torch.allclose(projected.double().mean(dim=0), torch.zeros(2, dtype=torch.float64), atol=1e-3), (
        f"the projected points should have mean 0 on each component, got {projected.mean(dim=0).tolist()}: subtract the mean of x first"
    )
    expected = PCA(n_components=2).fit(x.double().numpy()).components_
    signs = align_signs(components, expected)
    assert np.allclose((components.double() * signs[:, None]).numpy(), expected, atol=1e-4), (
        "far from the origin, the first component of uncentered data points at the mean instead of the spread"
    )


@pytest.mark.exercise("2.8", points=1)
def test_pca_projection_matches_components(inspection):
    x = anisotropic_data(40, 6, seed=21)

    projected, components, _ = inspection.pca(x, n_components=3)

    centered = x.double() - x.double().mean(dim=0)
    assert torch.allclose(projected.double(), centered @ components.double().T, atol=1e-3), (
        "projected should equal (x - mean) @ components.T with the components you return, signs included"
    )
    gram = components.double() @ components.double().T
    assert torch.allclose(gram, torch.eye(3, dtype=torch.float64), atol=1e-4), "the components should be orthonormal rows"


@pytest.mark.exercise("2.8", points=1)
def test_pca_full_ratio_sums_to_one(inspection):
    x = anisotropic_data(25, 4, seed=22)

    _, _, ratio = inspection.pca(x, n_components=4)

    assert ratio.sum().item() == pytest.approx(1.0, abs=1e-5), f"all components together explain all the variance, got a sum of {ratio.sum().item():.6f}"
    assert torch.all(ratio[:-1] >= ratio[1:]), f"the ratios should decrease from the first component, got {ratio.tolist()}"


# ---------------------------------------------------------------------------
# GPU


@pytest.mark.cuda
@pytest.mark.exercise("2.8", points=1)
def test_feature_maps_on_cuda_model(inspection):
    model = conv_network().to("cuda")

    maps = inspection.capture_feature_maps(model, model[3], torch.randn(2, 3, 8, 8, generator=generator(30)))

    assert maps.device.type == "cpu", f"the maps should come back on the CPU, got {maps.device}"
    assert all(parameter.device.type == "cuda" for parameter in model.parameters()), "the model should stay on its device"


@pytest.mark.cuda
@pytest.mark.exercise("2.8", points=1)
def test_embeddings_on_cuda(inspection):
    model = mixed_mode_network()
    gen = generator(31)
    loader = tiny_loader(torch.randn(4, 5, generator=gen), class_targets(4, 3, gen), batch_size=2)

    embeddings, labels = inspection.extract_embeddings(model, model.output, loader, "cuda")

    assert all(parameter.device.type == "cuda" for parameter in model.parameters()), "the model should be moved to the device"
    assert embeddings.device.type == "cpu", f"embeddings should come back on the CPU, got {embeddings.device}"
    assert labels.device.type == "cpu", f"labels should come back on the CPU, got {labels.device}"
