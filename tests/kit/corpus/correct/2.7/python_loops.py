"""Fills the confusion matrix and every metric with plain Python loops over classes and samples."""

import torch


def predict(model, loader, device):
    modes = {}
    for name, module in model.named_modules():
        modes[name] = module.training
    model.to(device)
    model.eval()
    y_true, y_pred, probs = [], [], []
    with torch.no_grad():
        for inputs, labels in loader:
            outputs = model(inputs.to(device))
            batch_probs = torch.softmax(outputs, dim=1)
            for row, label in zip(batch_probs, labels):
                probs.append(row.cpu())
                y_pred.append(int(row.argmax()))
                y_true.append(int(label))
    for name, module in model.named_modules():
        module.train(modes[name])
    return torch.tensor(y_true, dtype=torch.long), torch.tensor(y_pred, dtype=torch.long), torch.stack(probs)


def confusion_matrix(y_true, y_pred, num_classes):
    cm = torch.zeros((num_classes, num_classes), dtype=torch.int64)
    for i in range(len(y_true)):
        cm[int(y_true[i]), int(y_pred[i])] += 1
    return cm


def precision_recall_f1(cm):
    num_classes = cm.shape[0]
    precision, recall, f1, support = [], [], [], []
    for c in range(num_classes):
        tp = int(cm[c, c])
        predicted = int(cm[:, c].sum())
        actual = int(cm[c, :].sum())
        p = tp / predicted if predicted > 0 else 0.0
        r = tp / actual if actual > 0 else 0.0
        precision.append(p)
        recall.append(r)
        f1.append(2 * p * r / (p + r) if p + r > 0 else 0.0)
        support.append(actual)
    total = sum(support)
    result = {
        "precision": torch.tensor(precision),
        "recall": torch.tensor(recall),
        "f1": torch.tensor(f1),
        "support": torch.tensor(support, dtype=torch.long),
        "macro": {},
        "weighted": {},
    }
    for name, values in (("precision", precision), ("recall", recall), ("f1", f1)):
        result["macro"][name] = sum(values) / num_classes
        result["weighted"][name] = sum(v * s for v, s in zip(values, support)) / total if total > 0 else 0.0
    return result


def accuracy(cm):
    correct = sum(int(cm[c, c]) for c in range(cm.shape[0]))
    return correct / int(cm.sum())
