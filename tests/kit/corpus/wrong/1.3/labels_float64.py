"""Wrong: the labels keep the dtype of the input array, so float64 NumPy labels stay float64."""

import torch
from torch.utils.data import Dataset


class PointsDataset(Dataset):
    def __init__(self, x_data, y_data):
        self.x = torch.tensor(x_data, dtype=torch.float32)
        self.y = torch.tensor(y_data)
        if len(self.x) != len(self.y):
            raise ValueError(f"x_data and y_data must have the same length, got {len(self.x)} and {len(self.y)}")

    def __len__(self):
        return self.x.shape[0]

    def __getitem__(self, idx):
        return self.x[idx], self.y[idx]
