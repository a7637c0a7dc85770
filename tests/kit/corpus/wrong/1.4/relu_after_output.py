"""Wrong: a ReLU also follows classif, before the sigmoid, so no probability can drop below 0.5."""

import torch
from torch import nn


class Model(nn.Module):
    def __init__(self, n_neurons=20):
        super().__init__()
        self.hidden0 = nn.Linear(2, n_neurons)
        self.hidden1 = nn.Linear(n_neurons, n_neurons)
        self.classif = nn.Linear(n_neurons, 1)

    def forward(self, x):
        x = torch.relu(self.hidden0(x))
        x = torch.relu(self.hidden1(x))
        x = torch.relu(self.classif(x))
        return torch.sigmoid(x)
