"""Registers the forward hook for the feature maps and never removes it."""

import torch


def _device(model):
    params = list(model.parameters())
    return params[0].device if params else torch.device("cpu")


def capture_feature_maps(model, layer, images):
    modes = {m: m.training for m in model.modules()}
    saved = []
    layer.register_forward_hook(lambda module, inputs, output: saved.append(output))
    model.eval()
    with torch.no_grad():
        model(images.to(_device(model)))
    for m, training in modes.items():
        m.train(training)
    return saved[-1].detach().cpu()


def extract_embeddings(model, head, loader, device):
    modes = {m: m.training for m in model.modules()}
    feats, labels = [], []
    handle = head.register_forward_pre_hook(lambda module, inputs: feats.append(inputs[0].detach().cpu()))
    try:
        model.to(device)
        model.eval()
        with torch.no_grad():
            for x, y in loader:
                model(x.to(device))
                labels.append(y.long().cpu())
    finally:
        handle.remove()
        for m, training in modes.items():
            m.train(training)
    return torch.cat(feats), torch.cat(labels)


def pca(x, n_components=2):
    x = torch.as_tensor(x).double()
    centered = x - x.mean(dim=0)
    _, s, vh = torch.linalg.svd(centered, full_matrices=False)
    components = vh[:n_components]
    variance = s**2 / (len(x) - 1)
    return (centered @ components.T).float(), components.float(), (variance[:n_components] / variance.sum()).float()
