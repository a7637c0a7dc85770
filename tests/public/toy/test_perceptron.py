import pytest
import torch
from torch import nn


@pytest.fixture
def perceptron(load):
    return load("toy.perceptron")


@pytest.mark.exercise("1.1", points=1)
def test_make_perceptron_returns_linear_layer(perceptron):
    layer = perceptron.make_perceptron()
    assert isinstance(layer, nn.Linear), f"make_perceptron should return an nn.Linear, got {type(layer).__name__}"
    assert (layer.in_features, layer.out_features) == (3, 1), (
        f"make_perceptron() should have 3 inputs and 1 output by default, got {layer.in_features} -> {layer.out_features}"
    )
    assert layer.bias is not None, "the perceptron adds a bias b to the weighted sum: keep nn.Linear's default bias=True"


@pytest.mark.exercise("1.1", points=1)
def test_make_perceptron_uses_in_features(perceptron):
    layer = perceptron.make_perceptron(in_features=5)
    assert isinstance(layer, nn.Linear), f"make_perceptron should return an nn.Linear, got {type(layer).__name__}"
    assert layer.in_features == 5, f"make_perceptron(in_features=5) should take 5 inputs, got {layer.in_features}"


@pytest.mark.exercise("1.1", points=2)
def test_output_with_vector_weight(perceptron):
    x = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 4.0]])
    weight = torch.tensor([1.0, 0.5, -2.0])
    output = perceptron.perceptron_output(x, weight, 0.5)

    assert isinstance(output, torch.Tensor), f"perceptron_output should return a tensor, got {type(output).__name__}"
    assert output.shape == (2,), (
        f"a weight of shape (3,) gives one number per point: expected shape (2,) for x of shape (2, 3), got {tuple(output.shape)}"
    )
    expected = torch.tensor([1.0 + 1.0 - 6.0 + 0.5, 0.0 - 0.5 - 8.0 + 0.5])
    assert torch.allclose(output, expected, atol=1e-5), (
        f"expected sum_i w_i x_i + b = {expected.tolist()}, got {output.tolist()}. "
        "The perceptron output is the plain weighted sum plus the bias, with no activation."
    )


@pytest.mark.exercise("1.1", points=1)
def test_output_with_row_weight(perceptron):
    x = torch.tensor([[1.0, 2.0, 3.0], [0.0, -1.0, 4.0]])
    weight = torch.tensor([[1.0, 0.5, -2.0]])
    bias = torch.tensor([0.5])
    output = perceptron.perceptron_output(x, weight, bias)

    assert output.shape == (2, 1), (
        "a weight of shape (1, 3), as stored in nn.Linear(3, 1), gives shape (N, 1) like nn.Linear does; "
        f"got {tuple(output.shape)}"
    )
    expected = torch.tensor([[-3.5], [-8.0]])
    assert torch.allclose(output, expected, atol=1e-5), f"expected {expected.tolist()}, got {output.tolist()}"
