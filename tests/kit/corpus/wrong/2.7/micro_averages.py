"""Reports micro averages (pooled counts, all equal to the accuracy) under the key "macro"."""

import torch


def predict(model, loader, device):
    modes = {m: m.training for m in model.modules()}
    model.to(device).eval()
    ys, preds, probs = [], [], []
    with torch.no_grad():
        for x, y in loader:
            p = torch.softmax(model(x.to(device)), dim=1)
            ys.append(y.long().cpu())
            preds.append(p.argmax(1).cpu())
            probs.append(p.cpu())
    for m, training in modes.items():
        m.train(training)
    return torch.cat(ys), torch.cat(preds), torch.cat(probs)


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
    micro_precision = (tp.sum() / cm.sum(0).sum()).item()
    micro_recall = (tp.sum() / cm.sum(1).sum()).item()
    micro_f1 = 2 * micro_precision * micro_recall / (micro_precision + micro_recall)
    out["macro"] = {"precision": micro_precision, "recall": micro_recall, "f1": micro_f1}
    out["weighted"] = {k: ((out[k].double() * support).sum() / support.sum()).item() for k in ("precision", "recall", "f1")}
    return out


def accuracy(cm):
    return (cm.diag().sum() / cm.sum()).item()
