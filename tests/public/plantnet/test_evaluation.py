import pytest
import torch
from sklearn.metrics import confusion_matrix as sklearn_confusion_matrix
from sklearn.metrics import precision_recall_fscore_support

from tests.strategies import class_targets, generator, small_network, tiny_loader


@pytest.fixture
def evaluation(load):
    return load("plantnet.evaluation")


@pytest.mark.exercise("2.7", points=1)
def test_confusion_matrix_small_example(evaluation):
    y_true = torch.tensor([0, 0, 1, 2, 2, 2])
    y_pred = torch.tensor([0, 1, 1, 2, 0, 2])

    cm = evaluation.confusion_matrix(y_true, y_pred, num_classes=3)

    assert cm.dtype == torch.long, f"the confusion matrix should hold counts as torch.long, got {cm.dtype}"
    expected = torch.tensor([[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    assert torch.equal(cm, expected), (
        f"rows are true classes and columns predicted ones: cm[t, p] counts samples of class t predicted as p.\n"
        f"expected\n{expected}\ngot\n{cm}"
    )


@pytest.mark.exercise("2.7", points=2)
def test_confusion_matrix_matches_sklearn(evaluation):
    gen = generator(0)
    y_true, y_pred = class_targets(200, 5, gen), class_targets(200, 5, gen)

    cm = evaluation.confusion_matrix(y_true, y_pred, num_classes=5)

    expected = torch.from_numpy(sklearn_confusion_matrix(y_true.numpy(), y_pred.numpy(), labels=range(5)))
    assert cm.shape == (5, 5)
    assert torch.equal(cm, expected), "the matrix differs from sklearn.metrics.confusion_matrix: rows should be true classes"


@pytest.mark.exercise("2.7", points=2)
def test_metrics_match_sklearn(evaluation):
    gen = generator(1)
    y_true, y_pred = class_targets(300, 4, gen), class_targets(300, 4, gen)
    cm = torch.from_numpy(sklearn_confusion_matrix(y_true.numpy(), y_pred.numpy(), labels=range(4)))

    metrics = evaluation.precision_recall_f1(cm)

    precision, recall, f1, support = precision_recall_fscore_support(y_true.numpy(), y_pred.numpy(), labels=range(4), zero_division=0)
    assert torch.allclose(metrics["precision"].double(), torch.from_numpy(precision), atol=1e-6), (
        "precision of class c is cm[c, c] divided by the sum of column c (everything predicted as c)"
    )
    assert torch.allclose(metrics["recall"].double(), torch.from_numpy(recall), atol=1e-6), (
        "recall of class c is cm[c, c] divided by the sum of row c (every true sample of c)"
    )
    assert torch.allclose(metrics["f1"].double(), torch.from_numpy(f1), atol=1e-6), "F1 is 2 * precision * recall / (precision + recall)"
    assert metrics["support"].tolist() == support.tolist(), "support is the number of true samples of each class (row sums)"


@pytest.mark.exercise("2.7", points=1)
def test_accuracy_of_matrix(evaluation):
    cm = torch.tensor([[3, 1], [2, 4]])

    result = evaluation.accuracy(cm)

    assert isinstance(result, float), f"accuracy should return a Python float, got {type(result).__name__}: use .item()"
    assert result == pytest.approx(0.7), f"7 of 10 samples lie on the diagonal, so the accuracy is 0.7, got {result}"


@pytest.mark.exercise("2.7", points=2)
def test_predict_shapes_and_dtypes(evaluation):
    gen = generator(2)
    model = small_network(in_features=4, hidden=8, out_features=3)
    inputs, targets = torch.randn(10, 4, generator=gen), class_targets(10, 3, gen)

    y_true, y_pred, probs = evaluation.predict(model, tiny_loader(inputs, targets, batch_size=4), "cpu")

    assert y_true.dtype == torch.long, f"y_true should be torch.long, got {y_true.dtype}"
    assert y_pred.dtype == torch.long, f"y_pred should be torch.long, got {y_pred.dtype}: argmax gives long indices"
    assert y_true.shape == (10,), f"y_true should have one entry per sample of the whole loader, got shape {tuple(y_true.shape)}"
    assert y_pred.shape == (10,), f"y_pred should have one entry per sample of the whole loader, got shape {tuple(y_pred.shape)}"
    assert probs.shape == (10, 3), f"probs should have shape (N, C) = (10, 3), got {tuple(probs.shape)}"
    assert torch.equal(y_true, targets), "y_true should be the loader's targets, batch after batch in order"
    assert torch.allclose(probs.sum(dim=1), torch.ones(10), atol=1e-5), "each row of probs should sum to 1: apply a softmax over the classes"
    assert torch.equal(y_pred, probs.argmax(dim=1)), "y_pred should be the class with the highest probability"
