"""Locks the frozen BatchNorm layers through an overridden train() on the model, and uses SGD with momentum."""

import types

import timm
import torch
from torch import nn


def _read(path):
    path = str(path)
    if path.endswith(".safetensors"):
        import safetensors.torch
        return safetensors.torch.load_file(path)
    obj = torch.load(path, map_location="cpu", weights_only=True)
    return obj.get("state_dict", obj.get("model", obj))


def create_resnet18(num_classes, pretrained=True, weights_file=None):
    if weights_file is not None:
        state = _read(weights_file)
        model = timm.create_model("resnet18", num_classes=state["fc.weight"].shape[0])
        model.load_state_dict(state)
        model.reset_classifier(num_classes)
        return model
    if not pretrained:
        return timm.create_model("resnet18", num_classes=num_classes)
    try:
        return timm.create_model("resnet18", pretrained=True, num_classes=num_classes)
    except OSError as error:
        raise RuntimeError(f"offline ({error}); pass weights_file= with a saved ResNet-18 state dict") from error


def _locked_train(self, mode=True):
    nn.Module.train(self, mode)
    for layer in self._frozen_norms:
        layer.eval()
    return self


def _freeze(model, keep):
    frozen = []
    for name, module in model.named_modules():
        if name.split(".")[0] in keep:
            continue
        for parameter in module.parameters(recurse=False):
            parameter.requires_grad = False
        if isinstance(module, nn.BatchNorm2d):
            frozen.append(module)
    model._frozen_norms = frozen
    model.train = types.MethodType(_locked_train, model)
    model.train(model.training)


def freeze_backbone(model):
    _freeze(model, keep=("fc",))


def apply_strategy(model, strategy):
    keep = {"feature_extraction": ("fc",), "partial": ("layer4", "fc")}
    if strategy == "full":
        return
    if strategy not in keep:
        raise ValueError(f"unknown strategy: {strategy}")
    _freeze(model, keep[strategy])


def trainable_parameters(model):
    return [p for p in model.parameters() if p.requires_grad]


def make_optimizer(model, lr=1e-4):
    return torch.optim.SGD(trainable_parameters(model), lr=lr, momentum=0.9)
