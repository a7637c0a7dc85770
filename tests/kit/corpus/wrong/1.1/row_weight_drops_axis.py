"""Wrong: a (1, in_features) weight gives shape (...) instead of nn.Linear's (..., 1), because the sum drops the axis."""

import torch
from torch import nn


def make_perceptron(in_features=3):
    return nn.Linear(in_features, 1)


def perceptron_output(x, weight, bias):
    weighted = x * weight.reshape(-1)
    return weighted.sum(dim=-1) + torch.as_tensor(bias).reshape(())
