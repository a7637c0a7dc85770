"""Print 50 MB while the module is imported."""

import torch
from torch import nn

import sys

_line = "x" * 1023 + "\n"
for _ in range(50 * 1024):
    sys.stdout.write(_line)


def make_perceptron(in_features: int = 3) -> nn.Linear:
    return nn.Linear(in_features, 1)


def perceptron_output(x: torch.Tensor, weight: torch.Tensor, bias) -> torch.Tensor:
    bias = torch.as_tensor(bias, dtype=x.dtype)
    if weight.dim() == 1:
        return (x * weight).sum(dim=-1) + bias.reshape(())
    return (x.unsqueeze(-2) * weight).sum(dim=-1) + bias
