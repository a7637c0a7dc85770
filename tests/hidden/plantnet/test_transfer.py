import copy
import socket

import pytest
import timm
import torch
import torch.nn.functional as F
from torch import nn

from tests.strategies import class_targets, generator

STRATEGIES = ("feature_extraction", "partial", "full")
# Prefixes of the parameter names that each strategy trains; None means every parameter.
TRAINED_PREFIXES = {"feature_extraction": ("fc.",), "partial": ("layer4.", "fc."), "full": None}
RUNNING_STATISTICS = ("running_mean", "running_var")


@pytest.fixture
def transfer(load):
    return load("plantnet.transfer")


@pytest.fixture
def offline_hub(monkeypatch, tmp_path):
    """Cut every path to pretrained weights: hub offline mode, empty caches, and socket connections refused."""
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "huggingface"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    # The hub client reads these settings once, at import, so the module's copies are patched too.
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "huggingface" / "hub"))

    def refuse_connection(*args, **kwargs):
        raise OSError("network access is disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse_connection)
    monkeypatch.setattr(socket, "create_connection", refuse_connection)


def random_resnet18_state(num_classes: int, seed: int) -> dict[str, torch.Tensor]:
    """Return the state dict of a randomly initialised timm ResNet-18, with non-trivial BatchNorm statistics."""
    torch.manual_seed(seed)
    model = timm.create_model("resnet18", pretrained=False, num_classes=num_classes)
    gen = generator(seed)
    for module in model.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.running_mean.copy_(0.1 * torch.randn(module.num_features, generator=gen))
            module.running_var.copy_(0.5 + torch.rand(module.num_features, generator=gen))
    return {key: value.clone() for key, value in model.state_dict().items()}


def write_weights(state: dict, tmp_path, file_format: str):
    """Write ``state`` to a file in ``file_format`` and return its path."""
    if file_format == "safetensors":
        from safetensors.torch import save_file

        path = tmp_path / "resnet18.safetensors"
        save_file(state, str(path))
        return path
    payloads = {"pth": (state, "resnet18.pth"), "pt_state_dict": ({"state_dict": state, "epoch": 3}, "resnet18.pt"),
                "pth_model": ({"model": state, "optimizer": {}}, "checkpoint.pth")}
    payload, name = payloads[file_format]
    path = tmp_path / name
    torch.save(payload, path)
    return path


def is_trained(name: str, strategy: str) -> bool:
    prefixes = TRAINED_PREFIXES[strategy]
    return prefixes is None or name.startswith(prefixes)


def reference_parameter_names(num_classes: int) -> list[str]:
    """Return the parameter names of an unmodified timm ResNet-18."""
    return [name for name, _ in timm.create_model("resnet18", pretrained=False, num_classes=num_classes).named_parameters()]


def random_model(transfer, num_classes: int = 4, seed: int = 0) -> nn.Module:
    """Return a random-weight model from create_resnet18, with non-trivial BatchNorm statistics."""
    model = transfer.create_resnet18(num_classes, pretrained=False)
    model.load_state_dict(random_resnet18_state(num_classes, seed))
    return model


def prepared_model(transfer, strategy: str, num_classes: int = 4, seed: int = 0) -> nn.Module:
    """Return ``random_model(...)`` after ``apply_strategy(model, strategy)``."""
    model = random_model(transfer, num_classes, seed)
    transfer.apply_strategy(model, strategy)
    return model


def images(count: int, seed: int, size: int = 32, shift: float = 0.0) -> torch.Tensor:
    return torch.randn(count, 3, size, size, generator=generator(seed)) + shift


def batchnorm_layers(model: nn.Module) -> dict[str, nn.Module]:
    """Return every module that has running statistics (BatchNorm, or a frozen replacement), by qualified name."""
    return {name: module for name, module in model.named_modules() if isinstance(getattr(module, "running_mean", None), torch.Tensor)}


def running_statistics(model: nn.Module) -> dict[str, torch.Tensor]:
    return {f"{name}.{stat}": getattr(module, stat).clone() for name, module in batchnorm_layers(model).items() for stat in RUNNING_STATISTICS}


def train_steps(model: nn.Module, optimizer, steps: int = 3, num_classes: int = 4) -> None:
    """Run a few optimisation steps in train mode on random images."""
    model.train()
    for step in range(steps):
        loss = F.cross_entropy(model(images(8, 100 + step)), class_targets(8, num_classes, generator(200 + step)))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def optimizer_parameters(optimizer) -> list[torch.Tensor]:
    return [parameter for group in optimizer.param_groups for parameter in group["params"]]


# ---------------------------------------------------------------------------
# The model and its weights


@pytest.mark.exercise("2.9", points=1)
@pytest.mark.parametrize("num_classes", [2, 9])
def test_resnet18_architecture(transfer, num_classes):
    model = transfer.create_resnet18(num_classes, pretrained=False)

    names = [name for name, _ in model.named_parameters()]
    assert names == reference_parameter_names(num_classes), "the model should be timm.create_model('resnet18', num_classes=...)"
    assert isinstance(model.fc, nn.Linear), f"the head fc should be an nn.Linear, got {type(model.fc).__name__}"
    assert (model.fc.in_features, model.fc.out_features) == (512, num_classes), (
        f"the head should map 512 features to {num_classes} classes, got {model.fc.in_features} -> {model.fc.out_features}"
    )
    model.eval()
    with torch.no_grad():
        logits = model(images(3, 0))
    assert logits.shape == (3, num_classes), f"expected logits of shape (3, {num_classes}), got {tuple(logits.shape)}"


@pytest.mark.exercise("2.9", points=2)
@pytest.mark.parametrize("file_format", ["pth", "pt_state_dict", "pth_model", "safetensors"])
def test_weights_file_formats(transfer, offline_hub, tmp_path, file_format):
    state = random_resnet18_state(1000, seed=1)
    path = write_weights(state, tmp_path, file_format)

    model = transfer.create_resnet18(9, pretrained=True, weights_file=path)

    loaded = model.state_dict()
    backbone = [key for key in state if not key.startswith("fc.")]
    differing = [key for key in backbone if not torch.equal(loaded[key], state[key])]
    assert not differing, f"the backbone should contain the file's weights, but these differ: {differing[:5]}"
    assert loaded["fc.weight"].shape == (9, 512), (
        f"the head should be a fresh Linear(512, 9), whatever the file's head; got weight shape {tuple(loaded['fc.weight'].shape)}"
    )


@pytest.mark.exercise("2.9", points=2)
@pytest.mark.parametrize("pretrained", [True, False])
def test_weights_file_head_ignored(transfer, offline_hub, tmp_path, pretrained):
    state = random_resnet18_state(9, seed=2)
    path = write_weights(state, tmp_path, "pth")

    model = transfer.create_resnet18(9, pretrained=pretrained, weights_file=path)

    assert torch.equal(model.conv1.weight, state["conv1.weight"]), f"with pretrained={pretrained}, a weights_file is used whenever given"
    assert not torch.equal(model.fc.weight, state["fc.weight"]), (
        "the file's fc was trained for other classes and must be ignored, even when its shape fits: keep the fresh head"
    )
    assert not torch.equal(model.fc.bias, state["fc.bias"]), "the file's fc bias must be ignored too"


@pytest.mark.exercise("2.9", points=2)
def test_pretrained_offline_error_message(transfer, offline_hub):
    with pytest.raises(RuntimeError) as raised:
        transfer.create_resnet18(9, pretrained=True)

    assert "weights_file" in str(raised.value), (
        f"offline, the error should say how to pass weights_file instead; got: {raised.value}"
    )


# ---------------------------------------------------------------------------
# Strategies


@pytest.mark.exercise("2.9", points=3)
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_parameters_requiring_gradients(transfer, strategy):
    model = prepared_model(transfer, strategy)

    requiring = {name for name, parameter in model.named_parameters() if parameter.requires_grad}
    expected = {name for name in reference_parameter_names(4) if is_trained(name, strategy)}
    assert not requiring - expected, f"{strategy}: these parameters should be frozen: {sorted(requiring - expected)[:6]}"
    assert not expected - requiring, f"{strategy}: these parameters should train: {sorted(expected - requiring)[:6]}"


@pytest.mark.exercise("2.9", points=1)
def test_feature_extraction_parameter_count(transfer):
    model = prepared_model(transfer, "feature_extraction", num_classes=9)

    count = sum(parameter.numel() for parameter in transfer.trainable_parameters(model))
    assert count == 4617, f"feature extraction trains only the head Linear(512, 9): 512 * 9 + 9 = 4,617 parameters, got {count:,}"


@pytest.mark.exercise("2.9", points=1)
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_trainable_parameters_list(transfer, strategy):
    model = prepared_model(transfer, strategy)

    parameters = transfer.trainable_parameters(model)

    assert isinstance(parameters, list), f"trainable_parameters should return a list, got {type(parameters).__name__}"
    expected = [parameter for parameter in model.parameters() if parameter.requires_grad]
    assert len(parameters) == len(expected), f"{strategy}: expected {len(expected)} trainable parameters, got {len(parameters)}"
    assert {id(p) for p in parameters} == {id(p) for p in expected}, (
        f"{strategy}: the list should contain exactly the parameters with requires_grad=True"
    )


@pytest.mark.exercise("2.9", points=1)
@pytest.mark.parametrize("strategy", ["linear_probe", "Feature_Extraction", ""])
def test_unknown_strategy_raises(transfer, strategy):
    model = transfer.create_resnet18(3, pretrained=False)

    with pytest.raises(ValueError):
        transfer.apply_strategy(model, strategy)


@pytest.mark.exercise("2.9", points=2)
@pytest.mark.parametrize("strategy", STRATEGIES)
def test_optimizer_contains_trainable_parameters(transfer, strategy):
    model = prepared_model(transfer, strategy)

    optimizer = transfer.make_optimizer(model, lr=3e-3)

    assert isinstance(optimizer, torch.optim.Optimizer), f"make_optimizer should return a torch.optim optimizer, got {type(optimizer).__name__}"
    in_optimizer = optimizer_parameters(optimizer)
    trainable = [parameter for parameter in model.parameters() if parameter.requires_grad]
    assert len(in_optimizer) == len({id(p) for p in in_optimizer}), "the optimizer contains a parameter twice"
    assert {id(p) for p in in_optimizer} == {id(p) for p in trainable}, (
        f"{strategy}: the optimizer should contain exactly the {len(trainable)} trainable parameters, got {len(in_optimizer)}; "
        "build it after apply_strategy, over the parameters that require gradients"
    )
    assert all(group["lr"] == pytest.approx(3e-3) for group in optimizer.param_groups), "every parameter group should use lr"


@pytest.mark.exercise("2.9", points=1)
def test_optimizer_default_learning_rate(transfer):
    model = prepared_model(transfer, "feature_extraction")

    optimizer = transfer.make_optimizer(model)

    rates = [group["lr"] for group in optimizer.param_groups]
    assert rates == [pytest.approx(1e-4)] * len(rates), f"the default learning rate is 1e-4, got {rates}"


@pytest.mark.exercise("2.9", points=3)
@pytest.mark.parametrize("strategy", ["feature_extraction", "partial"])
def test_training_changes_only_trained_layers(transfer, strategy):
    model = prepared_model(transfer, strategy)
    before = {key: value.clone() for key, value in model.state_dict().items()}

    train_steps(model, transfer.make_optimizer(model, lr=1e-2))

    after = model.state_dict()
    moved = [key for key in before if not is_trained(key, strategy) and not torch.equal(before[key], after[key])]
    assert not moved, f"{strategy}: after three training steps these frozen entries changed: {moved[:6]}"
    assert not torch.equal(before["fc.weight"], after["fc.weight"]), f"{strategy}: the head should train"
    if strategy == "partial":
        assert not torch.equal(before["layer4.1.conv2.weight"], after["layer4.1.conv2.weight"]), "partial should train layer4"
        assert torch.equal(before["layer3.1.conv2.weight"], after["layer3.1.conv2.weight"]), "partial should leave layer3 frozen"


@pytest.mark.exercise("2.9", points=3)
def test_frozen_batchnorm_statistics_fixed(transfer):
    model = prepared_model(transfer, "feature_extraction")
    before = running_statistics(model)

    model.train()
    with torch.no_grad():
        for seed in range(2):
            model(images(8, seed, shift=2.0))

    after = running_statistics(model)
    moved = [key for key in before if not torch.equal(before[key], after[key])]
    assert not moved, (
        f"in model.train(), the frozen BatchNorm layers should keep their running statistics, but these moved: {moved[:4]}; "
        "keep those layers in eval mode"
    )


@pytest.mark.exercise("2.9", points=3)
def test_frozen_batchnorm_uses_running_statistics(transfer):
    model = random_model(transfer)
    reference = copy.deepcopy(model)
    transfer.apply_strategy(model, "feature_extraction")
    batch = images(8, 3, shift=1.0)

    model.train()
    with torch.no_grad():
        train_mode_logits = model(batch)
    reference.eval()
    with torch.no_grad():
        eval_mode_logits = reference(batch)

    assert torch.allclose(train_mode_logits, eval_mode_logits, atol=1e-5), (
        "in model.train(), the frozen backbone should compute what the unfrozen model computes in eval mode: its BatchNorm layers should "
        "normalise with their running statistics, not the batch's (momentum=0 alone still uses the batch's)"
    )


@pytest.mark.exercise("2.9", points=2)
def test_partial_trains_layer4_batchnorm(transfer):
    model = prepared_model(transfer, "partial")
    before = running_statistics(model)

    model.train()
    with torch.no_grad():
        model(images(8, 4, shift=2.0))

    after = running_statistics(model)
    moved = {key for key in before if not torch.equal(before[key], after[key])}
    layer4 = {key for key in before if key.startswith("layer4.")}
    assert layer4 <= moved, f"partial trains layer4, so its BatchNorm layers should update in train mode; fixed: {sorted(layer4 - moved)[:4]}"
    assert not moved - layer4, f"partial should keep the BatchNorm layers before layer4 frozen, but these moved: {sorted(moved - layer4)[:4]}"


@pytest.mark.exercise("2.9", points=1)
def test_full_updates_every_batchnorm(transfer):
    model = prepared_model(transfer, "full")
    before = running_statistics(model)

    model.train()
    with torch.no_grad():
        model(images(8, 5, shift=2.0))

    after = running_statistics(model)
    fixed = [key for key in before if torch.equal(before[key], after[key])]
    assert not fixed, f"full fine-tuning trains every layer, so every BatchNorm layer should update in train mode; fixed: {fixed[:4]}"
