"""Correct code that refuses to load when any network interface besides loopback is visible."""

import torch
from torch import nn

import socket

_interfaces = [name for _, name in socket.if_nameindex() if name != "lo"]
if _interfaces:
    raise RuntimeError(f"network interfaces are visible: {_interfaces}")


def make_perceptron(in_features: int = 3) -> nn.Linear:
    return nn.Linear(in_features, 1)


def perceptron_output(x: torch.Tensor, weight: torch.Tensor, bias) -> torch.Tensor:
    bias = torch.as_tensor(bias, dtype=x.dtype)
    if weight.dim() == 1:
        return (x * weight).sum(dim=-1) + bias.reshape(())
    return (x.unsqueeze(-2) * weight).sum(dim=-1) + bias
