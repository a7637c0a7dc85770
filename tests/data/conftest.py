"""Small image trees built in a temporary folder, shared by the data tooling tests."""

from __future__ import annotations

import pytest

from data.synthetic import generate_image_set

TINY_CLASSES = ("clover", "five_round_petals")


@pytest.fixture
def tiny_tree(tmp_path):
    """Return a generated train/val/test tree with two classes, 3/2/2 images per class, 32 x 32 px."""
    return generate_image_set(
        tmp_path / "tiny", classes=TINY_CLASSES, per_split={"train": 3, "val": 2, "test": 2}, image_size=32, seed=1
    )
