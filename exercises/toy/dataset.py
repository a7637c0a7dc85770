"""Exercise 1.3: a ``Dataset`` over the toy points."""

import torch
from torch.utils.data import Dataset


class PointsDataset(Dataset):
    """Points ``x`` (N, 2) with labels ``y`` (N,), stored as float32 tensors.

    Accepts lists, NumPy arrays of any float type and tensors.
    """

    def __init__(self, x_data, y_data):
        # TODO: convert both array-likes to float32 tensors (the loss compares
        #   float32 model outputs with these labels) and keep them as attributes.
        #   Raise a ValueError when they do not hold the same number of samples.
        raise NotImplementedError("Exercise 1.3: store the points and labels as float32 tensors")

    def __len__(self) -> int:
        # TODO: return how many samples the dataset holds.
        raise NotImplementedError("Exercise 1.3: return the number of points")

    def __getitem__(self, idx):
        # TODO: return the pair (point, label) at index `idx`, shapes (2,) and ().
        raise NotImplementedError("Exercise 1.3: return one sample")
