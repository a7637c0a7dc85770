import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader


@pytest.fixture
def dataset(load):
    return load("toy.dataset")


POINTS = [[0.0, 1.0], [2.0, -1.0], [0.5, 0.5]]
LABELS = [1.0, 0.0, 1.0]


@pytest.mark.exercise("1.3", points=2)
def test_items_from_lists(dataset):
    points = dataset.PointsDataset(POINTS, LABELS)

    assert len(points) == 3, f"len() should be the number of points, 3, got {len(points)}"
    x, y = points[1]
    assert isinstance(x, torch.Tensor), f"the point of an item should be a tensor, got {type(x).__name__}"
    assert isinstance(y, torch.Tensor), f"the label of an item should be a tensor, got {type(y).__name__}"
    assert x.shape == (2,), f"a point should have shape (2,), got {tuple(x.shape)}"
    assert y.shape == (), f"a label should be a 0-dim tensor, shape (), got {tuple(y.shape)}"
    assert x.tolist() == [2.0, -1.0], f"item 1 should contain the point [2, -1], got {x.tolist()}"
    assert y.item() == 0.0, f"item 1 should contain the label 0, got {y.item()}"


@pytest.mark.exercise("1.3", points=2)
def test_float64_arrays_become_float32(dataset):
    points = dataset.PointsDataset(np.array(POINTS, dtype=np.float64), np.array(LABELS, dtype=np.float64))

    x, y = points[0]
    assert x.dtype == torch.float32, (
        f"points should be stored as float32, got {x.dtype}. NumPy arrays are float64 by default, "
        "and nn.Linear's float32 weights reject float64 inputs: convert with dtype=torch.float32"
    )
    assert y.dtype == torch.float32, (
        f"labels should be stored as float32, got {y.dtype}. The loss compares them with the model's float32 "
        "output, so convert the labels with dtype=torch.float32 too"
    )


@pytest.mark.exercise("1.3", points=1)
def test_dataloader_batches(dataset):
    points = dataset.PointsDataset(np.array(POINTS), np.array(LABELS))
    loader = DataLoader(points, batch_size=2, shuffle=False)

    inputs, targets = next(iter(loader))

    assert inputs.shape == (2, 2), f"a batch of 2 points should have shape (2, 2), got {tuple(inputs.shape)}"
    assert targets.shape == (2,), (
        f"a batch of 2 labels should have shape (2,), got {tuple(targets.shape)}: each label is a 0-dim tensor"
    )
    assert inputs.dtype == torch.float32, f"a batch of points should be float32, got {inputs.dtype}"
    assert targets.dtype == torch.float32, f"a batch of labels should be float32, got {targets.dtype}"
