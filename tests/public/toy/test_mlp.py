import pytest
import torch

from tests.strategies import generator


@pytest.fixture
def mlp(load):
    return load("toy.mlp")


def affine_fit_residual(points: torch.Tensor, values: torch.Tensor) -> float:
    """Return the largest residual of the least-squares affine fit of ``values`` over ``points``."""
    design = torch.cat([points, torch.ones(len(points), 1, dtype=points.dtype)], dim=1)
    solution = torch.linalg.lstsq(design, values).solution
    return (design @ solution - values).abs().max().item()


@pytest.mark.exercise("1.4", points=2)
def test_forward_is_not_affine(mlp):
    model = mlp.Model(n_neurons=20).double()
    points = 4 * torch.rand(400, 2, generator=generator(), dtype=torch.float64) - 2
    with torch.no_grad():
        probabilities = model(points)
    assert probabilities.shape == (400, 1), f"Model.forward should return shape (N, 1), got {tuple(probabilities.shape)}"
    logits = torch.logit(probabilities)
    residual = affine_fit_residual(points, logits)
    assert residual > 1e-3, (
        "Before the sigmoid, the output is an affine function of the input: "
        "did you put an activation (ReLU) after hidden0 and after hidden1?"
    )


def set_layer(layer: torch.nn.Linear, weight, bias) -> None:
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(weight))
        layer.bias.copy_(torch.tensor(bias))


@pytest.mark.exercise("1.4", points=2)
def test_forward_with_hand_set_weights(mlp):
    model = mlp.Model(n_neurons=2)
    set_layer(model.hidden0, [[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0])
    set_layer(model.hidden1, [[1.0, 0.0], [0.0, 1.0]], [0.0, 0.0])
    set_layer(model.classif, [[-1.0, -1.0]], [0.0])
    points = torch.tensor([[1.0, 2.0], [-1.0, 2.0], [-1.0, -2.0]])

    with torch.no_grad():
        probabilities = model(points)

    assert probabilities.shape == (3, 1), f"Model.forward should return shape (N, 1), got {tuple(probabilities.shape)}"
    # With identity hidden layers, the ReLUs zero the negative coordinates before classif sums them with weight -1.
    expected = torch.sigmoid(torch.tensor([[-3.0], [-2.0], [0.0]]))
    assert (probabilities < 0.5).any(), (
        f"every probability is at least 0.5 ({probabilities.flatten().tolist()}): "
        "a ReLU after classif makes the sigmoid's input non-negative. Apply ReLU after hidden0 and hidden1 only"
    )
    without_activation = torch.sigmoid(torch.tensor([[-3.0], [-1.0], [3.0]]))
    assert not torch.allclose(probabilities, without_activation, atol=1e-6), (
        f"got {probabilities.flatten().tolist()}, the output of the layers without any activation: "
        "apply ReLU to the outputs of hidden0 and hidden1"
    )
    assert torch.allclose(probabilities, expected, atol=1e-6), (
        f"expected {expected.flatten().tolist()} for sigmoid(classif(relu(hidden1(relu(hidden0(x)))))), "
        f"got {probabilities.flatten().tolist()}"
    )
