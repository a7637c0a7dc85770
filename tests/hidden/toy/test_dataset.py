import pytest
import torch
from torch.utils.data import DataLoader

from tests.strategies import binary_targets, generator, point_cloud


@pytest.fixture
def dataset(load):
    return load("toy.dataset")


def reference_data(n: int = 7):
    gen = generator(n)
    return point_cloud(n, gen).double(), binary_targets(n, gen).double()


ARRAY_LIKES = {
    "lists": lambda x, y: (x.tolist(), y.tolist()),
    "float64 NumPy": lambda x, y: (x.numpy(), y.numpy()),
    "float32 NumPy": lambda x, y: (x.float().numpy(), y.float().numpy()),
    "float64 tensors": lambda x, y: (x.clone(), y.clone()),
    "float32 tensors": lambda x, y: (x.float(), y.float()),
    "integer labels": lambda x, y: (x.numpy(), y.long().numpy()),
}


@pytest.mark.exercise("1.3", points=1)
@pytest.mark.parametrize("kind", list(ARRAY_LIKES))
def test_stores_array_likes_as_float32(dataset, kind):
    x, y = reference_data()
    x_data, y_data = ARRAY_LIKES[kind](x, y)

    points = dataset.PointsDataset(x_data, y_data)

    assert len(points) == 7, f"{kind}: expected len 7, got {len(points)}"
    for index in range(7):
        point, label = points[index]
        assert isinstance(point, torch.Tensor), f"{kind}: a point should be a tensor, got {type(point).__name__}"
        assert isinstance(label, torch.Tensor), f"{kind}: a label should be a tensor, got {type(label).__name__}"
        assert point.dtype == torch.float32, f"{kind}: points should be float32, got {point.dtype}"
        assert label.dtype == torch.float32, f"{kind}: labels should be float32, got {label.dtype}"
        assert point.shape == (2,), f"{kind}: a point should have shape (2,), got {tuple(point.shape)}"
        assert label.shape == (), f"{kind}: a label should have shape (), got {tuple(label.shape)}"
        assert torch.equal(point, x[index].float()), f"{kind}: item {index} holds the wrong point"
        assert torch.equal(label, y[index].float()), f"{kind}: item {index} holds the wrong label"


@pytest.mark.exercise("1.3", points=1)
@pytest.mark.parametrize("n", [1, 2, 50])
def test_len(dataset, n):
    x, y = reference_data(n)

    points = dataset.PointsDataset(x.numpy(), y.numpy())

    assert len(points) == n, f"expected len {n}, got {len(points)}"


@pytest.mark.exercise("1.3", points=1)
def test_mismatched_lengths_raise(dataset):
    x, y = reference_data(5)

    with pytest.raises((ValueError, AssertionError)):
        dataset.PointsDataset(x.numpy(), y[:4].numpy())


@pytest.mark.exercise("1.3", points=1)
def test_dataloader_batches(dataset):
    x, y = reference_data(10)
    points = dataset.PointsDataset(x.numpy(), y.numpy())

    batches = list(DataLoader(points, batch_size=4, shuffle=False))

    assert [len(targets) for _, targets in batches] == [4, 4, 2]
    inputs, targets = batches[-1]
    assert inputs.shape == (2, 2), f"the last batch of points should have shape (2, 2), got {tuple(inputs.shape)}"
    assert targets.shape == (2,), f"the last batch of labels should have shape (2,), got {tuple(targets.shape)}"
    assert inputs.dtype == torch.float32, f"batches of points should be float32, got {inputs.dtype}"
    assert targets.dtype == torch.float32, f"batches of labels should be float32, got {targets.dtype}"
    assert torch.equal(inputs, x[8:].float()), "the last batch holds the wrong points"
    assert torch.equal(targets, y[8:].float()), "the last batch holds the wrong labels"


@pytest.mark.exercise("1.3", points=1)
def test_labels_feed_the_toy_loss(dataset):
    x, y = reference_data(6)
    points = dataset.PointsDataset(x.numpy(), y.numpy())
    inputs, targets = next(iter(DataLoader(points, batch_size=6)))
    probabilities = torch.sigmoid(torch.nn.Linear(2, 1)(inputs))

    loss = torch.nn.functional.binary_cross_entropy(probabilities.reshape(targets.shape), targets)

    assert loss.dtype == torch.float32
