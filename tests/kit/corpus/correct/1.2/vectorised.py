"""Correct variant: vectorised losses, with torch.logsumexp and a one-hot mask for the cross-entropy."""

import torch
import torch.nn.functional as F


def mse_loss(pred, target):
    errors = pred.reshape_as(target) - target
    return errors.pow(2).mean()


def binary_cross_entropy(prob, target, eps=1e-7):
    p = prob.reshape_as(target).clamp(eps, 1.0 - eps)
    per_sample = target * p.log() + (1.0 - target) * torch.log1p(-p)
    return -per_sample.mean()


def cross_entropy(logits, target):
    one_hot = F.one_hot(target, num_classes=logits.shape[1]).to(logits.dtype)
    true_logit = (logits * one_hot).sum(dim=1)
    return (torch.logsumexp(logits, dim=1) - true_logit).mean()
