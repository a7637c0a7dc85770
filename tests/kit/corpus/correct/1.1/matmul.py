"""Correct variant: the weighted sum as a matrix product, with the weight transposed when it is a row."""

from torch import nn


def make_perceptron(in_features=3):
    layer = nn.Linear(in_features=in_features, out_features=1, bias=True)
    return layer


def perceptron_output(x, weight, bias):
    if weight.ndim == 1:
        return x @ weight + bias
    return x @ weight.t() + bias
