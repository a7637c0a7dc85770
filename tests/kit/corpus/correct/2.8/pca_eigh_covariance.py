"""PCA through torch.linalg.eigh of the covariance matrix, eigenvalues sorted in decreasing order."""

import torch


def _device(model):
    params = list(model.parameters())
    return params[0].device if params else torch.device("cpu")


def capture_feature_maps(model, layer, images):
    modes = {m: m.training for m in model.modules()}
    saved = []
    handle = layer.register_forward_hook(lambda module, inputs, output: saved.append(output))
    try:
        model.eval()
        with torch.no_grad():
            model(images.to(_device(model)))
    finally:
        handle.remove()
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
    covariance = centered.T @ centered / (len(x) - 1)
    eigenvalues, eigenvectors = torch.linalg.eigh(covariance)
    order = torch.argsort(eigenvalues, descending=True)
    eigenvalues = eigenvalues[order].clamp(min=0)
    components = eigenvectors[:, order[:n_components]].T
    ratio = eigenvalues[:n_components] / eigenvalues.sum()
    return (centered @ components.T).float(), components.float(), ratio.float()
