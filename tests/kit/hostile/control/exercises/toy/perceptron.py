"""Exercise 1.1: the perceptron, a weighted sum of the inputs plus a bias."""

import torch
from torch import nn


def make_perceptron(in_features: int = 3) -> nn.Linear:
    """Return a linear layer with ``in_features`` inputs and one output."""
    # BEGIN SOLUTION 1.1: build a one-output linear layer
    # TODO: return an nn.Linear with `in_features` inputs and a single output.
    return nn.Linear(in_features, 1)
    # END SOLUTION


def perceptron_output(x: torch.Tensor, weight: torch.Tensor, bias) -> torch.Tensor:
    """Compute ``sum_i w_i x_i + b`` over the last axis of ``x``, with no activation.

    ``x`` has shape ``(..., in_features)``. A ``weight`` of shape ``(in_features,)``
    with a scalar or ``(1,)`` bias gives shape ``(...)``; a ``weight`` of shape
    ``(1, in_features)`` with a ``(1,)`` bias gives ``(..., 1)``, as ``nn.Linear`` does.
    """
    # BEGIN SOLUTION 1.1: compute the weighted sum by hand
    # TODO: multiply x by the weights, sum over the last axis and add the bias,
    #   without nn.Linear or F.linear. Keep a trailing axis of size 1 when
    #   `weight` has shape (1, in_features), as nn.Linear does.
    bias = torch.as_tensor(bias, dtype=x.dtype)
    if weight.dim() == 1:
        return (x * weight).sum(dim=-1) + bias.reshape(())
    return (x.unsqueeze(-2) * weight).sum(dim=-1) + bias
    # END SOLUTION
