"""Correct variant: builds tensors of the input's own dtype, then converts them with .float()."""

import torch
from torch.utils.data import Dataset


class PointsDataset(Dataset):
    def __init__(self, x_data, y_data):
        if not isinstance(x_data, torch.Tensor):
            x_data = torch.tensor(x_data)
        if not isinstance(y_data, torch.Tensor):
            y_data = torch.tensor(y_data)
        self.x = x_data.float()
        self.y = y_data.float()
        if len(self.x) != len(self.y):
            raise ValueError(f"x_data and y_data must have the same length, got {len(self.x)} and {len(self.y)}")

    def __len__(self):
        return len(self.x)

    def __getitem__(self, idx):
        return (self.x[idx], self.y[idx])
