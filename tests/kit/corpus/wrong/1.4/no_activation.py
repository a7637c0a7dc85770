"""Wrong: no activation between the layers, so the model stays a logistic regression with a straight boundary."""

import torch
from torch import nn


class Model(nn.Module):
    def __init__(self, n_neurons=20):
        super().__init__()
        self.hidden0 = nn.Linear(2, n_neurons)
        self.hidden1 = nn.Linear(n_neurons, n_neurons)
        self.classif = nn.Linear(n_neurons, 1)

    def forward(self, x):
        out = self.hidden1(self.hidden0(x))
        return torch.sigmoid(self.classif(out))
