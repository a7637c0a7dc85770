"""Wrong: only hidden0 is followed by a ReLU, and hidden1 feeds classif directly."""

import torch
from torch import nn


class Model(nn.Module):
    def __init__(self, n_neurons=20):
        super().__init__()
        self.hidden0 = nn.Linear(2, n_neurons)
        self.hidden1 = nn.Linear(n_neurons, n_neurons)
        self.classif = nn.Linear(n_neurons, 1)
        self.act = nn.ReLU()

    def forward(self, x):
        h = self.act(self.hidden0(x))
        h = self.hidden1(h)
        return torch.sigmoid(self.classif(h))
