"""Registers each hook in a context manager that removes it on exit, and restores the modes in another."""

from contextlib import contextmanager

import numpy as np
import torch


@contextmanager
def hooked(module, hook, pre=False):
    handle = module.register_forward_pre_hook(hook) if pre else module.register_forward_hook(hook)
    try:
        yield
    finally:
        handle.remove()


@contextmanager
def evaluating(model):
    before = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        for m, was_training in before:
            m.training = was_training


def capture_feature_maps(model, layer, images):
    device = next(iter(model.parameters()), torch.empty(0)).device
    box = {}

    def hook(module, inputs, output):
        box["maps"] = output

    with hooked(layer, hook), evaluating(model):
        model(images.to(device))
    return box["maps"].detach().to("cpu")


def extract_embeddings(model, head, loader, device):
    chunks, labels = [], []

    def hook(module, inputs):
        chunks.append(inputs[0].to("cpu"))

    model = model.to(device)
    with hooked(head, hook, pre=True), evaluating(model):
        for images, targets in loader:
            model(images.to(device))
            labels.append(torch.as_tensor(targets, dtype=torch.long))
    return torch.cat(chunks), torch.cat(labels)


def pca(x, n_components=2):
    data = np.asarray(x, dtype=np.float64)
    centered = data - data.mean(axis=0)
    _, s, vt = np.linalg.svd(centered, full_matrices=False)
    variance = s**2 / (len(data) - 1)
    components = vt[:n_components]
    projected = centered @ components.T
    return (torch.from_numpy(projected).float(), torch.from_numpy(components).float(),
            torch.from_numpy(variance[:n_components] / variance.sum()).float())
