"""Exercise 2.8: look inside a trained network, through its feature maps, its embeddings and a PCA of them.

Hooks let you read what a layer computes without changing the model's code: a
forward hook receives a layer's output, a forward pre-hook its input. A hook
stays registered until its handle's ``remove()`` is called, so every function
here removes it in a ``finally`` block, even when the forward pass raises.
"""

from __future__ import annotations

import torch
from torch import nn


def check_submodule(model: nn.Module, layer: nn.Module, name: str) -> None:
    """Raise ``ValueError`` unless ``layer`` is one of ``model``'s modules, so a hook on it would fire."""
    if not isinstance(layer, nn.Module):
        raise ValueError(f"{name} must be an nn.Module inside the model, got {type(layer).__name__}")
    if not any(module is layer for module in model.modules()):
        raise ValueError(
            f"{name} ({type(layer).__name__}) is not a submodule of the model, so the forward pass never calls it; "
            f"pass one of the model's own layers, for example one listed by model.named_modules()"
        )


def model_device(model: nn.Module) -> torch.device:
    """Return the device of the model's first parameter or buffer, or the CPU for a model that has neither."""
    for tensor in model.parameters():
        return tensor.device
    for tensor in model.buffers():
        return tensor.device
    return torch.device("cpu")


def capture_feature_maps(model: nn.Module, layer: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """Run ``images`` through ``model`` and return the output of ``layer``, for example ``(N, C, H, W)`` feature maps.

    The model runs on its current device in eval mode under ``torch.no_grad()``,
    every module gets back the mode it had, and the result is a detached CPU tensor.
    The hook on ``layer`` is removed even when the forward pass raises.
    """
    check_submodule(model, layer, "layer")
    # BEGIN SOLUTION 2.8: capture the feature maps of a layer
    # TODO: remember module.training for every module of the model, then register a
    #   forward hook on `layer` whose function (module, inputs, output) keeps `output`.
    #   In a try block, switch the model to eval mode and, under torch.no_grad(), run
    #   it on the images moved to model_device(model). In the `finally` block, call
    #   the hook handle's remove() and restore every module's mode. Return the kept
    #   output detached and on the CPU (raise RuntimeError if the hook never fired).
    modes = {module: module.training for module in model.modules()}
    outputs = []

    def keep_output(module, inputs, output):
        outputs.append(output)

    handle = layer.register_forward_hook(keep_output)
    try:
        model.eval()
        with torch.no_grad():
            model(images.to(model_device(model)))
    finally:
        handle.remove()
        for module, training in modes.items():
            module.train(training)
    if not outputs:
        raise RuntimeError(f"the forward pass never called the layer {type(layer).__name__}, so there are no feature maps to return")
    return outputs[-1].detach().cpu()
    # END SOLUTION


def extract_embeddings(model: nn.Module, head: nn.Module, loader, device) -> tuple[torch.Tensor, torch.Tensor]:
    """Return ``(embeddings, labels)`` for every sample of ``loader``: the inputs of the final linear layer ``head``.

    ``embeddings`` has shape ``(N, D)`` for a head ``Linear(D, C)``, and ``labels``
    contains the loader's targets as a long tensor ``(N,)``. Both are detached CPU
    tensors, concatenated in the loader's order. The model is moved to ``device``
    and runs in eval mode under ``torch.no_grad()``; every module gets back the mode
    it had, and the pre-hook on ``head`` is removed even when a batch raises.
    """
    check_submodule(model, head, "head")
    # BEGIN SOLUTION 2.8: extract the embeddings that enter the head
    # TODO: as in capture_feature_maps, but with a forward *pre*-hook on `head`: its
    #   function (module, inputs) receives the tuple of the head's inputs, and
    #   inputs[0] is the embedding batch (N, D). Move the model to `device`, switch it
    #   to eval mode and run every batch under torch.no_grad(), keeping the embeddings
    #   and the labels (as long) on the CPU. Remove the hook and restore the modes in
    #   a `finally` block, then concatenate the batches.
    modes = {module: module.training for module in model.modules()}
    batches = []

    def keep_input(module, inputs):
        batches.append(inputs[0].detach().cpu())

    handle = head.register_forward_pre_hook(keep_input)
    labels = []
    try:
        model.to(device)
        model.eval()
        with torch.no_grad():
            for inputs, targets in loader:
                model(inputs.to(device))
                labels.append(torch.as_tensor(targets).long().cpu())
    finally:
        handle.remove()
        for module, training in modes.items():
            module.train(training)
    if not labels:
        raise ValueError("the loader yielded no batch, so there are no embeddings to extract")
    if len(batches) != len(labels):
        raise RuntimeError(f"the head was called {len(batches)} times for {len(labels)} batches; pass the model's final linear layer, "
                           f"which runs exactly once per batch")
    return torch.cat(batches), torch.cat(labels)
    # END SOLUTION


def pca(x, n_components: int = 2) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Project the rows of ``x`` ``(N, D)`` onto their first ``n_components`` principal components.

    Returns ``(projected, components, explained_variance_ratio)`` with shapes
    ``(N, n_components)``, ``(n_components, D)`` and ``(n_components,)``, as float32
    tensors. They equal scikit-learn's ``PCA(n_components).fit_transform(x)``,
    ``components_`` and ``explained_variance_ratio_`` up to the sign of each
    component, which both choices of sign describe equally well.
    """
    x = torch.as_tensor(x)
    if x.dim() != 2:
        raise ValueError(f"x must be 2-D (samples, features), got shape {tuple(x.shape)}; flatten each sample first")
    samples, features = x.shape
    if samples < 2:
        raise ValueError(f"x must contain at least 2 samples to have a variance, got {samples}")
    if isinstance(n_components, bool) or not isinstance(n_components, int) or n_components < 1:
        raise ValueError(f"n_components must be a positive int, got {n_components!r}")
    if n_components > min(samples, features):
        raise ValueError(
            f"n_components={n_components} is larger than min(samples, features) = min({samples}, {features}); "
            f"x has at most {min(samples, features)} principal components, so ask for that many or fewer"
        )
    x = x.double()
    if bool((x == x[0]).all()):
        raise ValueError("every row of x is the same, so x has no variance and no principal components")
    # BEGIN SOLUTION 2.8: project onto the principal components
    # TODO: center x by subtracting the mean of each column (feature), then take the
    #   thin SVD of the centered data: U, S, Vh = torch.linalg.svd(centered,
    #   full_matrices=False). The rows of Vh are the principal directions, sorted by
    #   decreasing variance: components = Vh[:n_components] and projected = centered
    #   @ components.T. Each direction explains the variance S**2 / (N - 1); divide by
    #   the sum over all directions (the total variance) for the ratio. Return float32.
    centered = x - x.mean(dim=0)
    _, singular_values, directions = torch.linalg.svd(centered, full_matrices=False)
    components = directions[:n_components]
    projected = centered @ components.T
    variances = singular_values**2 / (samples - 1)
    ratio = variances[:n_components] / variances.sum()
    return projected.float(), components.float(), ratio.float()
    # END SOLUTION
