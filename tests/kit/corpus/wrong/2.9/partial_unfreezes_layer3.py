"""Unfreezes layer3 instead of layer4 for the partial strategy."""

import types
from pathlib import Path

import timm
import torch
from torch import nn


def imagenet_state_dict():
    try:
        return timm.create_model("resnet18", pretrained=True).state_dict()
    except OSError as error:
        raise RuntimeError("ImageNet weights unavailable offline: pass weights_file='resnet18.pth' to create_resnet18") from error


def _train_in_eval_mode(module, mode=True):
    return nn.Module.train(module, False)


def lock_eval_mode(module):
    module.train = types.MethodType(_train_in_eval_mode, module)
    module.train(False)


def unlock_eval_mode(module):
    if "train" in vars(module):
        del module.train


def read_weights_file(path):
    path = Path(path)
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file
        return load_file(path)
    data = torch.load(path, map_location="cpu", weights_only=True)
    for key in ("state_dict", "model"):
        if key in data:
            data = data[key]
    return data


def create_resnet18(num_classes, pretrained=True, weights_file=None):
    model = timm.create_model("resnet18", pretrained=False, num_classes=num_classes)
    if weights_file is not None:
        state = read_weights_file(weights_file)
    elif pretrained:
        state = imagenet_state_dict()
    else:
        return model
    state = {k: v for k, v in state.items() if not k.startswith("fc.")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and set(missing) == {"fc.weight", "fc.bias"}
    return model


def freeze_backbone(model):
    for name, param in model.named_parameters():
        if not name.startswith("fc."):
            param.requires_grad = False
    for name, module in model.named_modules():
        if isinstance(module, nn.BatchNorm2d) and not name.startswith("fc"):
            lock_eval_mode(module)
    return model


def apply_strategy(model, strategy):
    if strategy == "feature_extraction":
        freeze_backbone(model)
    elif strategy == "partial":
        freeze_backbone(model)
        for param in model.layer3.parameters():
            param.requires_grad = True
        for module in model.layer3.modules():
            unlock_eval_mode(module)
        model.layer3.train(model.training)
    elif strategy != "full":
        raise ValueError(f"unknown strategy {strategy}")
    return model


def trainable_parameters(model):
    return [p for p in model.parameters() if p.requires_grad]


def make_optimizer(model, lr=1e-4):
    return torch.optim.Adam(trainable_parameters(model), lr=lr)
