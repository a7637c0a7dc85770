"""Exercise 2.9: transfer learning with a ResNet-18 from timm.

A network trained on a large data set (ImageNet) has learned features that
serve other images too. Transfer keeps those features, the backbone, and trains
a fresh final layer, the head ``fc``, for our classes:

- ``feature_extraction``: only the head trains, the whole backbone is frozen;
- ``partial``: the head and the last residual stage ``layer4`` train;
- ``full``: every layer trains, starting from the pretrained weights.

Freezing a layer means two things. Its parameters stop requiring gradients, so
the optimizer never changes them. Its BatchNorm layers stop updating their
running mean and variance, and normalise with them, as in eval mode, even while
the rest of the model trains in ``model.train()``. Otherwise every training
batch would shift the statistics the frozen weights were trained with.
"""

from __future__ import annotations

from pathlib import Path

import timm
import torch
from torch import nn

ARCHITECTURE = "resnet18"
HEAD = "fc"  # the name of timm's ResNet classifier layer
PARTIAL_STAGE = "layer4"
STRATEGIES = ("feature_extraction", "partial", "full")
WEIGHTS_SUFFIXES = (".pth", ".pt", ".safetensors")
WRAPPER_KEYS = ("state_dict", "model")  # keys under which training scripts often nest the state dict


# ---------------------------------------------------------------------------
# Given: loading ImageNet weights, and keeping a layer in eval mode


def imagenet_state_dict() -> dict[str, torch.Tensor]:
    """Return timm's ImageNet weights of ResNet-18, read from the Hugging Face cache or downloaded into it.

    Raises ``RuntimeError``, which explains how to pass ``weights_file``, when the
    weights are neither cached nor reachable. With ``HF_HUB_OFFLINE=1`` set, the
    hub client fails at once instead of trying to connect.
    """
    try:
        pretrained = timm.create_model(ARCHITECTURE, pretrained=True)
    except OSError as error:  # in huggingface_hub 2.4, the offline, not-found and HTTP errors all derive from OSError
        raise RuntimeError(
            f"could not load timm's ImageNet weights for {ARCHITECTURE}: they are not in the local cache and the hub "
            f"is not reachable ({type(error).__name__}: {error}). On a machine with internet access, save them once with "
            f"torch.save(timm.create_model('{ARCHITECTURE}', pretrained=True).state_dict(), 'resnet18.pth'), copy the "
            f"file here and pass it as create_resnet18(num_classes, weights_file='resnet18.pth'), or call "
            f"create_resnet18(num_classes, pretrained=False) to start from random weights."
        ) from error
    return pretrained.state_dict()


class EvalModeLock:
    """The ``train`` method of a locked layer: whatever mode is requested, it switches the layer to eval mode.

    An instance of a module-level class, rather than a function bound with ``types.MethodType``,
    so that ``copy.deepcopy`` and ``torch.save(model)`` keep the lock.
    """

    def __init__(self, module: nn.Module):
        self.module = module

    def __call__(self, mode: bool = True) -> nn.Module:
        return nn.Module.train(self.module, False)


def lock_eval_mode(module: nn.Module) -> None:
    """Switch ``module`` to eval mode and keep it there when ``model.train()`` is called later.

    A locked BatchNorm layer normalises with its running statistics and never
    updates them. ``unlock_eval_mode`` undoes the lock.
    """
    module.train = EvalModeLock(module)
    module.train(False)


def unlock_eval_mode(module: nn.Module) -> None:
    """Give ``module`` back the ``train()`` of its class, so that its mode follows the model's again."""
    if "train" in vars(module):
        del module.train


# ---------------------------------------------------------------------------
# The exercise


def read_weights_file(path) -> dict[str, torch.Tensor]:
    """Read a state dict from a ``.pth``/``.pt`` file (possibly nested under ``"state_dict"`` or ``"model"``) or a ``.safetensors`` file."""
    path = Path(path)
    if path.suffix.lower() not in WEIGHTS_SUFFIXES:
        raise ValueError(f"weights file {path} has the suffix {path.suffix!r}; use a state dict saved as "
                         f"{', '.join(WEIGHTS_SUFFIXES)}")
    if not path.is_file():
        raise FileNotFoundError(f"weights file {path} not found; pass the path of a ResNet-18 state dict")
    # TODO: a .safetensors file is read with safetensors.torch.load_file(path). Any other
    #   file with torch.load(path, map_location="cpu", weights_only=True), which
    #   returns a dict; when that dict has a "state_dict" or a "model" key, the
    #   weights are the dict under that key. Return the dict of tensors.
    raise NotImplementedError("Exercise 2.9: read a weights file")


def load_backbone_weights(model: nn.Module, state_dict: dict[str, torch.Tensor]) -> None:
    """Copy every weight of ``state_dict`` into ``model`` except the head's, which keeps its fresh initialisation.

    The file's head was trained for other classes, often another number of them.
    A key missing from the file or unknown to the model raises PyTorch's
    ``RuntimeError``, which lists the keys.
    """
    # TODO: drop every entry whose key starts with "fc." from the state dict, put the
    #   model's own fc entries (from model.state_dict()) in their place, then call
    #   model.load_state_dict(...) with the default strict=True, so that a file of
    #   another architecture fails loudly instead of loading half the weights.
    raise NotImplementedError("Exercise 2.9: load the backbone weights, not the head")


def create_resnet18(num_classes: int, pretrained: bool = True, weights_file=None) -> nn.Module:
    """Return timm's ResNet-18 with a freshly initialised head ``fc`` for ``num_classes`` classes.

    The backbone weights come from ``weights_file`` whenever it is given (its
    head is ignored), else from timm's ImageNet weights when ``pretrained``, else
    they are random. Without a file, ``pretrained=True`` needs the weights in the
    Hugging Face cache or a connection; offline it raises ``RuntimeError``.
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    # TODO: build timm.create_model(ARCHITECTURE, pretrained=False,
    #   num_classes=num_classes): random weights and a head Linear(512, num_classes).
    #   When weights_file is given, read it with read_weights_file; otherwise, when
    #   pretrained is True, take imagenet_state_dict(). Load either into the model
    #   with load_backbone_weights, and return the model.
    raise NotImplementedError("Exercise 2.9: build the ResNet-18 and load its backbone weights")


def head_of(model: nn.Module) -> nn.Module:
    """Return the model's head ``fc``; raise ``ValueError`` for a model without one."""
    head = getattr(model, HEAD, None)
    if not isinstance(head, nn.Module):
        raise ValueError(f"the model has no {HEAD!r} layer; build it with create_resnet18")
    return head


def freeze_backbone(model: nn.Module) -> nn.Module:
    """Freeze every layer outside the head ``fc`` and return the model.

    Frozen parameters stop requiring gradients, and frozen BatchNorm layers stay
    in eval mode, so they normalise with their running statistics and never update them.
    """
    head = head_of(model)
    # TODO: set requires_grad = False on every parameter that is not one of the
    #   head's, parameter by parameter (setting it on a module does nothing). Then
    #   keep every BatchNorm layer outside the head in eval mode: call
    #   lock_eval_mode on each nn.BatchNorm2d, or replace them with timm's
    #   FrozenBatchNorm2d through timm.layers.freeze_batch_norm_2d. Setting
    #   momentum=0 is not enough: in train mode it still normalises with the
    #   statistics of the batch.
    raise NotImplementedError("Exercise 2.9: freeze the backbone")


def apply_strategy(model: nn.Module, strategy: str) -> nn.Module:
    """Prepare a model from ``create_resnet18`` for ``strategy`` and return it.

    ``feature_extraction`` trains the head only, ``partial`` the head and
    ``layer4``, ``full`` every layer. Any other name raises ``ValueError``.
    """
    # TODO: raise ValueError naming the strategy and the valid ones (STRATEGIES)
    #   for an unknown name. feature_extraction: freeze_backbone(model). partial:
    #   freeze the backbone, then make layer4 trainable again: requires_grad = True
    #   on its parameters, and its BatchNorm layers unlocked (unlock_eval_mode) so
    #   they follow the model's mode. full: leave every layer trainable.
    raise NotImplementedError("Exercise 2.9: apply a transfer strategy")


def trainable_parameters(model: nn.Module) -> list[nn.Parameter]:
    """Return the parameters that require gradients, in the order of ``model.parameters()``."""
    # TODO: keep the parameters of model.parameters() whose requires_grad is True.
    raise NotImplementedError("Exercise 2.9: list the trainable parameters")


def make_optimizer(model: nn.Module, lr: float = 1e-4) -> torch.optim.Optimizer:
    """Return an Adam optimizer over exactly the trainable parameters, with learning rate ``lr``.

    Call it after ``apply_strategy``: an optimizer built before the freezing would hold the frozen parameters too.
    """
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    # TODO: return torch.optim.Adam over trainable_parameters(model) with lr=lr.
    #   Raise ValueError when the list is empty: there would be nothing to train.
    raise NotImplementedError("Exercise 2.9: build the optimizer")
