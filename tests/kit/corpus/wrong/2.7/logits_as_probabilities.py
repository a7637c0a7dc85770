"""Returns the raw logits as probs, without the softmax."""

import torch


def predict(model, loader, device):
    modes = {m: m.training for m in model.modules()}
    model.to(device).eval()
    ys, preds, outputs = [], [], []
    with torch.no_grad():
        for x, y in loader:
            logits = model(x.to(device))
            ys.append(y.long().cpu())
            preds.append(logits.argmax(1).cpu())
            outputs.append(logits.cpu())
    for m, training in modes.items():
        m.train(training)
    return torch.cat(ys), torch.cat(preds), torch.cat(outputs)


def confusion_matrix(y_true, y_pred, num_classes):
    cm = torch.zeros(num_classes, num_classes, dtype=torch.long)
    for t, p in zip(y_true.tolist(), y_pred.tolist()):
        cm[t, p] += 1
    return cm


def _divide(a, b):
    return torch.where(b > 0, a / b.clamp(min=1e-12), torch.zeros_like(a))


def precision_recall_f1(cm):
    cm = cm.double()
    tp = cm.diag()
    precision = _divide(tp, cm.sum(0))
    recall = _divide(tp, cm.sum(1))
    f1 = _divide(2 * precision * recall, precision + recall)
    support = cm.sum(1)
    out = {"precision": precision.float(), "recall": recall.float(), "f1": f1.float(), "support": support.long()}
    out["macro"] = {k: out[k].double().mean().item() for k in ("precision", "recall", "f1")}
    out["weighted"] = {k: ((out[k].double() * support).sum() / support.sum()).item() for k in ("precision", "recall", "f1")}
    return out


def accuracy(cm):
    return (cm.diag().sum() / cm.sum()).item()
