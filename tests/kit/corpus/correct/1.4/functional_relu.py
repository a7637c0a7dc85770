"""Correct variant: F.relu and torch.sigmoid called in one nested expression."""

import torch
import torch.nn.functional as F
from torch import nn


class Model(nn.Module):
    def __init__(self, n_neurons: int = 20):
        super().__init__()
        self.hidden0 = nn.Linear(in_features=2, out_features=n_neurons)
        self.hidden1 = nn.Linear(in_features=n_neurons, out_features=n_neurons)
        self.classif = nn.Linear(in_features=n_neurons, out_features=1)

    def forward(self, x):
        return torch.sigmoid(self.classif(F.relu(self.hidden1(F.relu(self.hidden0(x))))))
