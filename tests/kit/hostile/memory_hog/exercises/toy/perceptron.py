"""Allocate and touch memory in 256 MB steps, up to 3 GB."""

import torch
from torch import nn

_blocks = []
for _ in range(12):
    _block = bytearray(256 * 1024 * 1024)
    for _offset in range(0, len(_block), 4096):
        _block[_offset] = 1
    _blocks.append(_block)


def make_perceptron(in_features: int = 3) -> nn.Linear:
    return nn.Linear(in_features, 1)


def perceptron_output(x: torch.Tensor, weight: torch.Tensor, bias) -> torch.Tensor:
    bias = torch.as_tensor(bias, dtype=x.dtype)
    if weight.dim() == 1:
        return (x * weight).sum(dim=-1) + bias.reshape(())
    return (x.unsqueeze(-2) * weight).sum(dim=-1) + bias
