"""Correct code that moves every tensor to the GPU, so it only works on CUDA."""

import torch
from torch import nn


def make_perceptron(in_features: int = 3) -> nn.Linear:
    return nn.Linear(in_features, 1).cuda()


def perceptron_output(x: torch.Tensor, weight: torch.Tensor, bias) -> torch.Tensor:
    x, weight = x.cuda(), weight.cuda()
    bias = torch.as_tensor(bias, dtype=x.dtype).cuda()
    if weight.dim() == 1:
        return ((x * weight).sum(dim=-1) + bias.reshape(())).cpu()
    return ((x.unsqueeze(-2) * weight).sum(dim=-1) + bias).cpu()
