"""Correct variant: converts through a float32 NumPy array first, then wraps it with torch.from_numpy."""

import numpy as np
import torch
from torch.utils.data import Dataset


class PointsDataset(Dataset):
    def __init__(self, x_data, y_data):
        self.x = torch.from_numpy(np.asarray(x_data, dtype=np.float32))
        self.y = torch.from_numpy(np.asarray(y_data, dtype=np.float32))
        if len(self.x) != len(self.y):
            raise ValueError(f"x_data and y_data must have the same length, got {len(self.x)} and {len(self.y)}")

    def __len__(self):
        return self.y.shape[0]

    def __getitem__(self, idx):
        point = self.x[idx]
        label = self.y[idx]
        return point, label
