"""Wrong: torch.from_numpy accepts only NumPy arrays, so lists and tensors raise a TypeError."""

import torch
from torch.utils.data import Dataset


class PointsDataset(Dataset):
    def __init__(self, x_data, y_data):
        self.x = torch.from_numpy(x_data).float()
        self.y = torch.from_numpy(y_data).float()
        if len(self.x) != len(self.y):
            raise ValueError(f"x_data and y_data must have the same length, got {len(self.x)} and {len(self.y)}")

    def __len__(self):
        return len(self.y)

    def __getitem__(self, idx):
        return self.x[idx], self.y[idx]
