"""A module that does not parse."""

import torch
from torch import nn

def make_perceptron(in_features: int = 3) -> nn.Linear
    return nn.Linear(in_features, 1)
