"""Builds the confusion matrix with bincount, computes F1 as 2 TP / (2 TP + FP + FN), and predicts under inference_mode."""

import torch
import torch.nn.functional as F


def predict(model, loader, device):
    previous = [(module, module.training) for module in model.modules()]
    model = model.to(device)
    model.eval()
    all_targets, all_probs = [], []
    try:
        with torch.inference_mode():
            for images, targets in loader:
                all_probs.append(F.softmax(model(images.to(device)), dim=-1).cpu())
                all_targets.append(targets.cpu())
    finally:
        for module, mode in previous:
            module.training = mode
    probs = torch.cat(all_probs)
    return torch.cat(all_targets).long(), probs.argmax(dim=-1), probs


def confusion_matrix(y_true, y_pred, num_classes):
    flat = y_true.long() * num_classes + y_pred.long()
    return torch.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def precision_recall_f1(cm):
    cm = cm.to(torch.float64)
    tp = torch.diagonal(cm)
    fp = cm.sum(dim=0) - tp
    fn = cm.sum(dim=1) - tp
    support = cm.sum(dim=1)

    def ratio(numerator, denominator):
        return torch.nan_to_num(numerator / denominator, nan=0.0, posinf=0.0)

    precision = ratio(tp, tp + fp)
    recall = ratio(tp, tp + fn)
    f1 = ratio(2 * tp, 2 * tp + fp + fn)
    result = {"precision": precision.float(), "recall": recall.float(), "f1": f1.float(), "support": support.long()}
    weights = support / support.sum() if support.sum() > 0 else torch.zeros_like(support)
    result["macro"] = {name: float(values.mean()) for name, values in zip(("precision", "recall", "f1"), (precision, recall, f1))}
    result["weighted"] = {name: float((values * weights).sum()) for name, values in zip(("precision", "recall", "f1"), (precision, recall, f1))}
    return result


def accuracy(cm):
    total = cm.sum().item()
    return cm.trace().item() / total if total else 0.0
