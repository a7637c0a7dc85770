"""Wrong: perceptron_output passes the weighted sum through a sigmoid, though the perceptron has no activation."""

import torch
from torch import nn


def make_perceptron(in_features=3):
    return nn.Linear(in_features, 1)


def perceptron_output(x, weight, bias):
    if weight.dim() == 2:
        z = x @ weight.t() + bias
    else:
        z = x @ weight + bias
    return torch.sigmoid(z)
