"""Replaces the frozen BatchNorm layers with timm's FrozenBatchNorm2d, whose statistics and affine weights are buffers."""

import timm
import torch
from safetensors.torch import load_file
from timm.layers import freeze_batch_norm_2d


def load_weights(path):
    path = str(path)
    if path.endswith(".safetensors"):
        return load_file(path)
    checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    if "state_dict" in checkpoint:
        return checkpoint["state_dict"]
    if "model" in checkpoint:
        return checkpoint["model"]
    return checkpoint


def create_resnet18(num_classes, pretrained=True, weights_file=None):
    model = timm.create_model("resnet18", pretrained=False, num_classes=num_classes)
    if weights_file is None and not pretrained:
        return model
    if weights_file is not None:
        weights = load_weights(weights_file)
    else:
        try:
            weights = timm.create_model("resnet18", pretrained=True).state_dict()
        except Exception as error:
            raise RuntimeError("cannot download the ImageNet weights; save them to a file and call "
                               "create_resnet18(num_classes, weights_file=path)") from error
    weights = {name: value for name, value in weights.items() if not name.startswith("fc.")}
    weights["fc.weight"] = model.fc.weight.detach().clone()
    weights["fc.bias"] = model.fc.bias.detach().clone()
    model.load_state_dict(weights)
    return model


def _freeze_children(model, keep):
    for name, child in model.named_children():
        if name in keep:
            continue
        for parameter in child.parameters():
            parameter.requires_grad_(False)
        setattr(model, name, freeze_batch_norm_2d(child))


def freeze_backbone(model):
    _freeze_children(model, keep={"fc"})


def apply_strategy(model, strategy):
    if strategy == "feature_extraction":
        _freeze_children(model, keep={"fc"})
    elif strategy == "partial":
        _freeze_children(model, keep={"fc", "layer4"})
    elif strategy == "full":
        pass
    else:
        raise ValueError(f"strategy must be feature_extraction, partial or full, not {strategy!r}")


def trainable_parameters(model):
    return [p for p in model.parameters() if p.requires_grad]


def make_optimizer(model, lr=1e-4):
    return torch.optim.AdamW(trainable_parameters(model), lr=lr)
