"""Correct variant: the activations are nn.ReLU modules kept as attributes."""

from torch import nn


class Model(nn.Module):
    def __init__(self, n_neurons=20):
        super().__init__()
        self.hidden0 = nn.Linear(2, n_neurons)
        self.relu0 = nn.ReLU()
        self.hidden1 = nn.Linear(n_neurons, n_neurons)
        self.relu1 = nn.ReLU()
        self.classif = nn.Linear(n_neurons, 1)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        x = self.relu0(self.hidden0(x))
        x = self.relu1(self.hidden1(x))
        return self.sigmoid(self.classif(x))
