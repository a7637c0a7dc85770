"""Wrong: make_perceptron builds nn.Linear with bias=False, so the perceptron has no bias b."""

from torch import nn


def make_perceptron(in_features=3):
    return nn.Linear(in_features, 1, bias=False)


def perceptron_output(x, weight, bias):
    if weight.dim() == 2:
        return x @ weight.t() + bias
    return x @ weight + bias
