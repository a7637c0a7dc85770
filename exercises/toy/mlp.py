"""Exercise 1.4: a multilayer perceptron that separates the blob from the ring."""

import torch
import torch.nn.functional as F
from torch import nn


class Model(nn.Module):
    """Two hidden layers of ``n_neurons`` and one output: the probability of class 1 (the ring)."""

    def __init__(self, n_neurons: int = 20):
        super().__init__()
        self.hidden0 = nn.Linear(2, n_neurons)
        self.hidden1 = nn.Linear(n_neurons, n_neurons)
        self.classif = nn.Linear(n_neurons, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map points ``(N, 2)`` to probabilities ``(N, 1)``."""
        # TODO: put a ReLU after hidden0 and after hidden1. Without them the three
        #   layers compose into one affine map, and the boundary stays a straight line.
        x = self.hidden0(x)
        x = self.hidden1(x)
        return torch.sigmoid(self.classif(x))
