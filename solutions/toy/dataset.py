"""Exercise 1.3: a ``Dataset`` over the toy points."""

import torch
from torch.utils.data import Dataset


class PointsDataset(Dataset):
    """Points ``x`` (N, 2) with labels ``y`` (N,), stored as float32 tensors.

    Accepts lists, NumPy arrays of any float type and tensors.
    """

    def __init__(self, x_data, y_data):
        # BEGIN SOLUTION 1.3: store the points and labels as float32 tensors
        # TODO: convert both array-likes to float32 tensors (the loss compares
        #   float32 model outputs with these labels) and keep them as attributes.
        #   Raise a ValueError when they do not hold the same number of samples.
        self.x = torch.as_tensor(x_data, dtype=torch.float32)
        self.y = torch.as_tensor(y_data, dtype=torch.float32)
        if len(self.x) != len(self.y):
            raise ValueError(f"x_data and y_data must have the same length, got {len(self.x)} and {len(self.y)}")
        # END SOLUTION

    def __len__(self) -> int:
        # BEGIN SOLUTION 1.3: return the number of points
        # TODO: return how many samples the dataset holds.
        return len(self.x)
        # END SOLUTION

    def __getitem__(self, idx):
        # BEGIN SOLUTION 1.3: return one sample
        # TODO: return the pair (point, label) at index `idx`, shapes (2,) and ().
        return self.x[idx], self.y[idx]
        # END SOLUTION
