import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tests.strategies import generator, uniform

TOLERANCE = {"rtol": 1e-5, "atol": 1e-5}


@pytest.fixture
def perceptron(load):
    return load("toy.perceptron")


def random_inputs(shape, seed: int = 0):
    return uniform(shape, -2.0, 2.0, generator(seed))


@pytest.mark.exercise("1.1", points=1)
@pytest.mark.parametrize("in_features", [None, 1, 3, 7])
def test_make_perceptron_sizes(perceptron, in_features):
    layer = perceptron.make_perceptron() if in_features is None else perceptron.make_perceptron(in_features)
    expected_in = 3 if in_features is None else in_features

    assert isinstance(layer, nn.Linear), f"expected an nn.Linear, got {type(layer).__name__}"
    assert layer.in_features == expected_in, f"expected {expected_in} inputs, got {layer.in_features}"
    assert layer.out_features == 1, f"a perceptron has one output, got {layer.out_features}"
    assert layer.bias is not None, "the perceptron has a bias: nn.Linear needs bias=True"
    assert layer(random_inputs((4, expected_in))).shape == (4, 1)


@pytest.mark.exercise("1.1", points=1)
@pytest.mark.parametrize(("in_features", "bias_kind"), [(1, "float"), (3, "0-dim tensor"), (5, "(1,) tensor")])
def test_vector_weight_matches_linear(perceptron, in_features, bias_kind):
    gen = generator(in_features)
    x = uniform((6, in_features), -2.0, 2.0, gen)
    weight = uniform((in_features,), -1.0, 1.0, gen)
    bias = {"float": -0.75, "0-dim tensor": torch.tensor(-0.75), "(1,) tensor": torch.tensor([-0.75])}[bias_kind]

    output = perceptron.perceptron_output(x, weight, bias)

    assert output.shape == (6,), f"weight (in_features,) with a {bias_kind} bias: expected shape (6,), got {tuple(output.shape)}"
    assert output.dtype == torch.float32, f"float32 inputs should give a float32 output, got {output.dtype}"
    expected = F.linear(x, weight.unsqueeze(0), torch.tensor([-0.75])).squeeze(-1)
    assert torch.allclose(output, expected, **TOLERANCE), f"expected {expected.tolist()}, got {output.tolist()}"


@pytest.mark.exercise("1.1", points=1)
def test_vector_weight_leading_dims(perceptron):
    gen = generator(1)
    x = uniform((2, 3, 4), -2.0, 2.0, gen)
    weight = uniform((4,), -1.0, 1.0, gen)

    output = perceptron.perceptron_output(x, weight, torch.tensor([0.25]))

    assert output.shape == (2, 3), f"x (2, 3, 4) with weight (4,) should give shape (2, 3), got {tuple(output.shape)}"
    expected = F.linear(x, weight.unsqueeze(0), torch.tensor([0.25])).squeeze(-1)
    assert torch.allclose(output, expected, **TOLERANCE)


@pytest.mark.exercise("1.1", points=1)
def test_vector_weight_single_point(perceptron):
    x = torch.tensor([1.0, -2.0, 0.5])
    weight = torch.tensor([0.5, 0.25, -4.0])

    output = perceptron.perceptron_output(x, weight, 1.0)

    assert output.shape == (), (
        f"one point (3,) with weight (3,) and a float bias should give a 0-dim tensor, got {tuple(output.shape)}"
    )
    assert output.item() == pytest.approx(0.5 - 0.5 - 2.0 + 1.0, abs=1e-6)


@pytest.mark.exercise("1.1", points=1)
def test_vector_weight_batch_of_one(perceptron):
    x = torch.tensor([[1.0, -2.0, 0.5]])
    weight = torch.tensor([0.5, 0.25, -4.0])

    output = perceptron.perceptron_output(x, weight, torch.tensor([1.0]))

    assert output.shape == (1,), f"x (1, 3) with weight (3,) should give shape (1,), got {tuple(output.shape)}"
    assert output.item() == pytest.approx(-1.0, abs=1e-6)


@pytest.mark.exercise("1.1", points=1)
@pytest.mark.parametrize(("leading", "in_features"), [((6,), 3), ((1,), 2), ((2, 3), 5)])
def test_row_weight_matches_linear(perceptron, leading, in_features):
    gen = generator(10 + in_features)
    x = uniform((*leading, in_features), -2.0, 2.0, gen)
    weight = uniform((1, in_features), -1.0, 1.0, gen)
    bias = uniform((1,), -1.0, 1.0, gen)

    output = perceptron.perceptron_output(x, weight, bias)

    expected = F.linear(x, weight, bias)
    assert output.shape == expected.shape, (
        f"x {tuple(x.shape)} with weight (1, {in_features}) should give {tuple(expected.shape)} like nn.Linear, got {tuple(output.shape)}"
    )
    assert torch.allclose(output, expected, **TOLERANCE), (
        f"expected {expected.flatten().tolist()}, got {output.flatten().tolist()}"
    )


@pytest.mark.exercise("1.1", points=1)
def test_output_has_no_activation(perceptron):
    x = torch.tensor([[10.0, 0.0], [-10.0, 0.0]])
    weight = torch.tensor([1.0, 1.0])

    output = perceptron.perceptron_output(x, weight, 0.0)

    assert torch.allclose(output, torch.tensor([10.0, -10.0]), **TOLERANCE), (
        f"expected the raw weighted sums [10, -10], got {output.tolist()}: perceptron_output applies no activation"
    )


@pytest.mark.exercise("1.1", points=1)
def test_output_computed_by_hand(perceptron, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("perceptron_output should compute the weighted sum by hand, without F.linear or nn.Linear")

    monkeypatch.setattr(F, "linear", forbidden)
    x = torch.tensor([[1.0, 2.0]])
    weight = torch.tensor([[3.0, -1.0]])

    output = perceptron.perceptron_output(x, weight, torch.tensor([0.5]))

    assert torch.allclose(output, torch.tensor([[1.5]]), **TOLERANCE)
