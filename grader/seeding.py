"""One place that fixes every random number generator the kit uses."""

from __future__ import annotations

import random

import numpy as np


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and CUDA)."""
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


def torch_generator(seed: int):
    """Return a ``torch.Generator`` on the CPU seeded with ``seed``, for data loaders and samplers."""
    import torch

    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator
