"""Wrong: the labels are reshaped to a column (N, 1), so each label has shape (1,) instead of ()."""

import torch
from torch.utils.data import Dataset


class PointsDataset(Dataset):
    def __init__(self, x_data, y_data):
        self.x = torch.as_tensor(x_data, dtype=torch.float32)
        self.y = torch.as_tensor(y_data, dtype=torch.float32).reshape(-1, 1)
        if len(self.x) != len(self.y):
            raise ValueError(f"x_data and y_data must have the same length, got {len(self.x)} and {len(self.y)}")

    def __len__(self):
        return len(self.x)

    def __getitem__(self, idx):
        return self.x[idx], self.y[idx]
