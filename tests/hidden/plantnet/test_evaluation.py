import numpy as np
import pytest
import torch
from sklearn.metrics import accuracy_score, precision_recall_fscore_support
from sklearn.metrics import confusion_matrix as sklearn_confusion_matrix
from torch import nn

from tests.strategies import class_targets, generator, module_modes, recorders, small_network, tiny_loader

METRICS = ("precision", "recall", "f1")


@pytest.fixture
def evaluation(load):
    return load("plantnet.evaluation")


def sklearn_metrics(y_true: torch.Tensor, y_pred: torch.Tensor, num_classes: int) -> dict:
    """Return scikit-learn's per-class metrics and averages over all ``num_classes`` classes, with zero_division=0."""
    labels = list(range(num_classes))
    precision, recall, f1, support = precision_recall_fscore_support(y_true.numpy(), y_pred.numpy(), labels=labels, zero_division=0)
    averages = {}
    for average in ("macro", "weighted"):
        values = precision_recall_fscore_support(y_true.numpy(), y_pred.numpy(), labels=labels, zero_division=0, average=average)
        averages[average] = dict(zip(METRICS, values[:3]))
    return {"precision": precision, "recall": recall, "f1": f1, "support": support, **averages}


def check_against_sklearn(evaluation, y_true: torch.Tensor, y_pred: torch.Tensor, num_classes: int, case: str) -> None:
    cm = evaluation.confusion_matrix(y_true, y_pred, num_classes)
    metrics = evaluation.precision_recall_f1(cm)
    expected = sklearn_metrics(y_true, y_pred, num_classes)

    for name in METRICS:
        values = metrics[name]
        assert isinstance(values, torch.Tensor) and values.is_floating_point(), f"{case}: {name!r} should be a float tensor"
        assert values.shape == (num_classes,), f"{case}: {name!r} should have one value per class, got shape {tuple(values.shape)}"
        assert np.allclose(values.double().numpy(), expected[name], atol=1e-6), (
            f"{case}: per-class {name} should be {np.round(expected[name], 4).tolist()}, got {values.tolist()}"
        )
    assert metrics["support"].dtype == torch.long, f"{case}: support should be a long tensor, got {metrics['support'].dtype}"
    assert metrics["support"].tolist() == expected["support"].tolist(), f"{case}: support should count the true samples of each class"
    for average in ("macro", "weighted"):
        assert set(metrics[average]) == set(METRICS), f"{case}: {average!r} should have the keys precision, recall and f1"
        for name in METRICS:
            value = metrics[average][name]
            assert isinstance(value, float), f"{case}: {average} {name} should be a Python float, got {type(value).__name__}"
            assert value == pytest.approx(expected[average][name], abs=1e-6), (
                f"{case}: {average} {name} should be {expected[average][name]:.4f}, got {value:.4f}"
                + (": the macro average is the plain mean of the C per-class values" if average == "macro" else ": weight each class by its support")
            )


@pytest.mark.exercise("2.7", points=3)
@pytest.mark.parametrize(("num_samples", "num_classes", "seed"), [(50, 3, 0), (400, 6, 1), (1000, 9, 2)])
def test_metrics_random_labels(evaluation, num_samples, num_classes, seed):
    gen = generator(seed)
    y_true = class_targets(num_samples, num_classes, gen)
    y_pred = torch.where(torch.rand(num_samples, generator=gen) < 0.6, y_true, class_targets(num_samples, num_classes, gen))

    check_against_sklearn(evaluation, y_true, y_pred, num_classes, f"{num_samples} random labels, {num_classes} classes")


@pytest.mark.exercise("2.7", points=2)
def test_metrics_class_never_predicted(evaluation):
    y_true = torch.tensor([0, 1, 2, 2, 1, 0, 2, 1])
    y_pred = torch.tensor([0, 0, 2, 0, 2, 0, 2, 2])  # class 1 is never predicted, so its precision is 0/0

    check_against_sklearn(evaluation, y_true, y_pred, 3, "class 1 never predicted")


@pytest.mark.exercise("2.7", points=2)
def test_metrics_class_absent(evaluation):
    y_true = torch.tensor([0, 0, 1, 1, 1, 0, 3, 3])  # class 2 never occurs, so its recall is 0/0
    y_pred = torch.tensor([0, 2, 1, 0, 1, 0, 3, 1])

    check_against_sklearn(evaluation, y_true, y_pred, 4, "class 2 absent from y_true")


@pytest.mark.exercise("2.7", points=1)
def test_metrics_last_class_unused(evaluation):
    y_true = torch.tensor([0, 1, 1, 0, 2])
    y_pred = torch.tensor([0, 1, 0, 0, 2])  # class 3 occurs in neither, and still counts in the macro average

    check_against_sklearn(evaluation, y_true, y_pred, 4, "class 3 neither true nor predicted")


@pytest.mark.exercise("2.7", points=1)
def test_metrics_perfect_predictions(evaluation):
    y_true = torch.tensor([2, 0, 1, 1, 2, 0])

    check_against_sklearn(evaluation, y_true, y_true.clone(), 3, "perfect predictions")


@pytest.mark.exercise("2.7", points=2)
def test_metrics_asymmetric_matrix(evaluation):
    cm = torch.tensor([[5, 3, 0], [1, 2, 0], [0, 4, 6]])

    metrics = evaluation.precision_recall_f1(cm)

    assert torch.allclose(metrics["precision"], torch.tensor([5 / 6, 2 / 9, 6 / 6])), (
        f"precision divides the diagonal by the column sums (all predictions of a class), got {metrics['precision'].tolist()}"
    )
    assert torch.allclose(metrics["recall"], torch.tensor([5 / 8, 2 / 3, 6 / 10])), (
        f"recall divides the diagonal by the row sums (all true samples of a class), got {metrics['recall'].tolist()}"
    )
    assert metrics["support"].tolist() == [8, 3, 10]


@pytest.mark.exercise("2.7", points=2)
@pytest.mark.parametrize("num_classes", [2, 7])
def test_confusion_matrix_random_labels(evaluation, num_classes):
    gen = generator(num_classes)
    y_true, y_pred = class_targets(300, num_classes, gen), class_targets(300, num_classes, gen)

    cm = evaluation.confusion_matrix(y_true, y_pred, num_classes)

    expected = torch.from_numpy(sklearn_confusion_matrix(y_true.numpy(), y_pred.numpy(), labels=range(num_classes)))
    assert cm.dtype == torch.long, f"expected torch.long counts, got {cm.dtype}"
    assert torch.equal(cm, expected), "cm[t, p] should count the samples of true class t predicted as p"


@pytest.mark.exercise("2.7", points=1)
def test_confusion_matrix_absent_last_classes(evaluation):
    cm = evaluation.confusion_matrix(torch.tensor([0, 1, 1]), torch.tensor([1, 1, 0]), num_classes=5)

    assert cm.shape == (5, 5), f"the matrix should be num_classes x num_classes even when classes are absent, got {tuple(cm.shape)}"
    assert cm.sum() == 3
    expected = torch.zeros(5, 5, dtype=torch.long)
    expected[0, 1] = expected[1, 1] = expected[1, 0] = 1
    assert torch.equal(cm, expected), f"rows are true classes and columns predicted ones: expected\n{expected}\ngot\n{cm}"


@pytest.mark.exercise("2.7", points=1)
def test_confusion_matrix_one_sided(evaluation):
    y_true = torch.zeros(6, dtype=torch.long)
    y_pred = torch.full((6,), 2)

    cm = evaluation.confusion_matrix(y_true, y_pred, num_classes=3)

    assert cm[0, 2] == 6, "six samples of true class 0 predicted as class 2 belong in row 0, column 2"
    assert cm.sum() == 6


@pytest.mark.exercise("2.7", points=1)
def test_accuracy_matches_sklearn(evaluation):
    gen = generator(5)
    y_true = class_targets(250, 4, gen)
    y_pred = torch.where(torch.rand(250, generator=gen) < 0.5, y_true, class_targets(250, 4, gen))
    cm = torch.from_numpy(sklearn_confusion_matrix(y_true.numpy(), y_pred.numpy(), labels=range(4)))

    result = evaluation.accuracy(cm)

    assert isinstance(result, float), f"accuracy should be a Python float, got {type(result).__name__}"
    assert result == pytest.approx(accuracy_score(y_true.numpy(), y_pred.numpy()))


def mixed_mode_network(num_classes: int) -> nn.Sequential:
    """Return a network in train mode, with active dropout, whose first layer alone is in eval mode."""
    model = small_network(in_features=5, hidden=16, out_features=num_classes, dropout=0.5)
    model.train()
    model.recorder.eval()
    return model


@pytest.mark.exercise("2.7", points=2)
def test_predict_runs_in_eval_mode_without_grad(evaluation):
    gen = generator(6)
    model = mixed_mode_network(4)
    loader = tiny_loader(torch.randn(9, 5, generator=gen), class_targets(9, 4, gen), batch_size=4)

    evaluation.predict(model, loader, "cpu")

    for recorder in recorders(model):
        assert recorder.training_flags == [False] * 3, (
            f"every batch should run in eval mode (dropout off), but the layers saw training={recorder.training_flags}: call model.eval()"
        )
        assert recorder.grad_enabled_flags == [False] * 3, "every batch should run under torch.no_grad(), which saves memory and time"


@pytest.mark.exercise("2.7", points=2)
def test_predict_restores_modes(evaluation):
    gen = generator(7)
    model = mixed_mode_network(3)
    before = module_modes(model)
    loader = tiny_loader(torch.randn(6, 5, generator=gen), class_targets(6, 3, gen), batch_size=4)

    evaluation.predict(model, loader, torch.device("cpu"))

    after = module_modes(model)
    changed = sorted(name or "<model>" for name in before if before[name] != after[name])
    assert not changed, f"predict should give every module back the mode it found, but these changed: {changed}"


@pytest.mark.exercise("2.7", points=3)
def test_predict_matches_eval_forward(evaluation):
    gen = generator(8)
    model = mixed_mode_network(5)
    inputs, targets = torch.randn(11, 5, generator=gen), class_targets(11, 5, gen)

    y_true, y_pred, probs = evaluation.predict(model, tiny_loader(inputs, targets, batch_size=3), "cpu")

    model.eval()
    with torch.no_grad():
        expected = torch.softmax(model(inputs), dim=1)
    assert torch.equal(y_true, targets), "y_true should be the targets of every batch, concatenated in order"
    assert y_true.dtype == torch.long, f"y_true should be torch.long, got {y_true.dtype}"
    assert y_pred.dtype == torch.long, f"y_pred should be torch.long, got {y_pred.dtype}"
    assert probs.dtype == torch.float32, f"probs should be float32, got {probs.dtype}"
    assert not probs.requires_grad, "probs should not require gradients: run the model under torch.no_grad()"
    assert torch.allclose(probs, expected, atol=1e-5), "probs should be the softmax over classes of the eval-mode logits"
    assert torch.equal(y_pred, expected.argmax(dim=1)), "y_pred should be the argmax of the probabilities"
