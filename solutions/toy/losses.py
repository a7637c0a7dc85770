"""Exercise 1.2: three loss functions written by hand, each averaged over the samples."""

import torch


def mse_loss(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Return the mean squared error between ``pred`` and ``target``, element by element."""
    # BEGIN SOLUTION 1.2: compute the mean squared error
    # TODO: reshape `pred` to the target's shape (so an (N, 1) output never
    #   broadcasts against (N,) targets to (N, N)), then average the squared differences.
    pred = pred.reshape(target.shape)
    return ((pred - target) ** 2).mean()
    # END SOLUTION


def binary_cross_entropy(prob: torch.Tensor, target: torch.Tensor, eps: float = 1e-7) -> torch.Tensor:
    """Return the mean binary cross-entropy of probabilities ``prob`` against 0/1 targets.

    Probabilities are clamped to ``[eps, 1 - eps]``, so the loss stays finite at 0 and 1.
    """
    # BEGIN SOLUTION 1.2: compute the binary cross-entropy
    # TODO: reshape `prob` to the target's shape, clamp it to [eps, 1 - eps] so the
    #   logarithms stay finite, then average -(t log p + (1 - t) log(1 - p)).
    prob = prob.reshape(target.shape).clamp(eps, 1 - eps)
    return -(target * torch.log(prob) + (1 - target) * torch.log(1 - prob)).mean()
    # END SOLUTION


def cross_entropy(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Return the mean cross-entropy of raw ``logits`` ``(N, C)`` against class indices ``target`` ``(N,)``.

    The log-softmax goes through the log-sum-exp trick, so logits of +-1e4 stay finite.
    """
    # BEGIN SOLUTION 1.2: compute the cross-entropy from logits
    # TODO: compute log-softmax with the log-sum-exp trick (subtract each row's
    #   maximum before exp, or exp overflows for large logits), pick the log
    #   probability of each sample's true class, and average their negatives.
    row_max = logits.max(dim=1, keepdim=True).values
    log_sum_exp = row_max + torch.log(torch.exp(logits - row_max).sum(dim=1, keepdim=True))
    log_probs = logits - log_sum_exp
    return -log_probs.gather(1, target.long().unsqueeze(1)).mean()
    # END SOLUTION
