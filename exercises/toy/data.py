"""The toy data set, given complete: a Gaussian blob (class 0) inside a noisy ring (class 1).

No straight line separates the two classes, so a model needs a non-linearity to
do better than always predicting the ring.
"""

import numpy as np

BLOB_STD = 0.5
RING_RADIUS = 2.0
RING_NOISE = 0.25


def make_blob_ring(n_blob: int = 300, n_ring: int = 700, seed: int = 0):
    """Return shuffled points ``x`` (N, 2) and labels ``y`` (N,), both NumPy float32.

    Class 0 is a Gaussian blob at the origin, class 1 a ring of radius 2 around it.
    """
    if n_blob < 0 or n_ring < 0:
        raise ValueError(f"n_blob and n_ring must be non-negative, got n_blob={n_blob}, n_ring={n_ring}")
    rng = np.random.default_rng(seed)
    blob = rng.normal(0.0, BLOB_STD, size=(n_blob, 2))
    angle = rng.uniform(0.0, 2 * np.pi, size=n_ring)
    radius = RING_RADIUS + rng.normal(0.0, RING_NOISE, size=n_ring)
    ring = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)

    x = np.concatenate([blob, ring]).astype(np.float32)
    y = np.concatenate([np.zeros(n_blob), np.ones(n_ring)]).astype(np.float32)
    order = rng.permutation(len(x))
    return x[order], y[order]


def train_val_split(x, y, val_fraction: float = 0.2, seed: int = 0):
    """Split ``(x, y)`` into ``(x_train, x_val, y_train, y_val)``, stratified by label.

    Each class keeps the same share in both parts: ``round(val_fraction * n_c)``
    of its ``n_c`` points go to validation.
    """
    if not 0.0 < val_fraction < 1.0:
        raise ValueError(f"val_fraction must be in (0, 1), got {val_fraction}")
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    rng = np.random.default_rng(seed)
    val_parts = []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        val_parts.append(members[: int(round(val_fraction * len(members)))])
    val_index = np.sort(np.concatenate(val_parts))
    is_val = np.zeros(len(x), dtype=bool)
    is_val[val_index] = True
    return x[~is_val], x[is_val], y[~is_val], y[is_val]
