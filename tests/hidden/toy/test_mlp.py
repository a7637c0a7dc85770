import pytest
import torch
from torch import nn

from tests.strategies import generator, point_cloud


@pytest.fixture
def mlp(load):
    return load("toy.mlp")


def expected_forward(model, points: torch.Tensor) -> torch.Tensor:
    hidden = torch.relu(model.hidden0(points))
    hidden = torch.relu(model.hidden1(hidden))
    return torch.sigmoid(model.classif(hidden))


def check_forward_formula(model, points: torch.Tensor) -> torch.Tensor:
    """Run the model on ``points`` and check it against the formula built from its own layers; return the output."""
    with torch.no_grad():
        probabilities = model(points)
        expected = expected_forward(model, points)
    assert probabilities.shape == (len(points), 1), f"forward should return shape (N, 1), got {tuple(probabilities.shape)}"
    assert torch.allclose(probabilities, expected, atol=1e-6), (
        "forward should compute sigmoid(classif(relu(hidden1(relu(hidden0(x)))))); "
        f"largest difference {(probabilities - expected).abs().max().item():.3g}"
    )
    return probabilities


def check_linear(layer, name: str, in_features: int, out_features: int) -> None:
    assert isinstance(layer, nn.Linear), f"{name} should be an nn.Linear, got {type(layer).__name__}"
    assert (layer.in_features, layer.out_features) == (in_features, out_features), (
        f"{name} should map {in_features} -> {out_features}, got {layer.in_features} -> {layer.out_features}"
    )


def set_layer(layer: nn.Linear, weight, bias) -> None:
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(weight))
        layer.bias.copy_(torch.tensor(bias))


@pytest.mark.exercise("1.4", points=1)
@pytest.mark.parametrize("n_neurons", [None, 1, 4, 32])
def test_layers_and_forward(mlp, n_neurons):
    model = mlp.Model() if n_neurons is None else mlp.Model(n_neurons=n_neurons)
    width = 20 if n_neurons is None else n_neurons

    check_linear(getattr(model, "hidden0", None), "hidden0", 2, width)
    check_linear(getattr(model, "hidden1", None), "hidden1", width, width)
    check_linear(getattr(model, "classif", None), "classif", width, 1)
    check_forward_formula(model, point_cloud(64, generator(width)))


@pytest.mark.exercise("1.4", points=1)
def test_output_is_probability_column(mlp):
    model = mlp.Model()
    points = point_cloud(300, generator(1), scale=5.0)

    probabilities = check_forward_formula(model, points)

    assert probabilities.dtype == torch.float32, f"expected float32 probabilities, got {probabilities.dtype}"
    assert (probabilities > 0).all(), "a sigmoid output is strictly above 0"
    assert (probabilities < 1).all(), "a sigmoid output is strictly below 1"


@pytest.mark.exercise("1.4", points=1)
def test_batch_of_one(mlp):
    model = mlp.Model(n_neurons=8)

    check_forward_formula(model, torch.tensor([[0.5, -1.5]]))


@pytest.mark.exercise("1.4", points=2)
def test_relu_between_layers_only(mlp):
    model = mlp.Model(n_neurons=3)
    set_layer(model.hidden0, [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [0.0, 0.0, -1.0])
    set_layer(model.hidden1, [[1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 2.0]], [0.5, 0.0, 0.0])
    set_layer(model.classif, [[-1.0, 1.0, -0.5]], [0.25])
    points = torch.tensor([[2.0, 1.0], [-2.0, 0.5], [0.0, -3.0], [1.0, -1.0]])

    with torch.no_grad():
        probabilities = model(points)

    # Worked by hand: hidden0 -> relu, hidden1 -> relu, then classif.
    # [2, 1]   -> [2, 1, 2]     -> [2.5, 0, 4]   -> -2.5 + 0 - 2 + 0.25 = -4.25
    # [-2, .5] -> [0, .5, 0]    -> [0.5, 0, 0]   -> -0.5 + 0.25 = -0.25
    # [0, -3]  -> [0, 0, 0]     -> [0.5, 0, 0]   -> -0.25
    # [1, -1]  -> [1, 0, 0]     -> [1.5, 0, 0]   -> -1.25
    expected = torch.sigmoid(torch.tensor([[-4.25], [-0.25], [-0.25], [-1.25]]))
    assert probabilities.shape == (4, 1), f"expected shape (4, 1), got {tuple(probabilities.shape)}"
    assert (probabilities < 0.5).any(), (
        f"every probability is at least 0.5 ({probabilities.flatten().tolist()}): no ReLU after classif"
    )
    assert torch.allclose(probabilities, expected, atol=1e-6), (
        f"expected {expected.flatten().tolist()}, got {probabilities.flatten().tolist()}"
    )


@pytest.mark.exercise("1.4", points=1)
def test_gradients_reach_every_layer(mlp):
    model = mlp.Model(n_neurons=6)
    points = point_cloud(40, generator(2))
    check_forward_formula(model, points)

    model(points).sum().backward()

    for name in ("hidden0", "hidden1", "classif"):
        layer = getattr(model, name)
        assert layer.weight.grad is not None, f"{name}.weight gets no gradient from the output"
        assert layer.bias.grad is not None, f"{name}.bias gets no gradient from the output"
