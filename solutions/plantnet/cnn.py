"""Exercise 2.5: a small convolutional network for the plant species.

Four convolution blocks halve the image four times while the channels grow from
3 to 128, and an adaptive pooling fixes the head's input at 128 x 4 x 4 = 2048
features whatever the image size (at least 16 x 16 pixels, so that the four
poolings leave at least one pixel).
"""

from __future__ import annotations

from torch import nn

CHANNELS = (3, 16, 32, 64, 128)
POOLED_SIZE = (4, 4)
HIDDEN_FEATURES = 256


def build_features() -> nn.Sequential:
    """Return the convolution stack: four ``Conv2d(3x3, padding=1) -> ReLU -> MaxPool2d(2)`` blocks, 3 -> 16 -> 32 -> 64 -> 128 channels."""
    # BEGIN SOLUTION 2.5: build the conv stack
    # TODO: for each consecutive pair (in, out) of CHANNELS, add
    #   Conv2d(in, out, kernel_size=3, padding=1) (the padding keeps height and width),
    #   then ReLU, then MaxPool2d(2) (which halves height and width). Return the
    #   twelve layers in order in one nn.Sequential; a loop over the pairs works too.
    return nn.Sequential(
        nn.Conv2d(3, 16, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(64, 128, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
    )
    # END SOLUTION


def build_classifier(num_classes: int, dropout: float = 0.3) -> nn.Sequential:
    """Return the head that maps feature maps ``(N, 128, h, w)`` to ``num_classes`` logits."""
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive int, got {num_classes!r}")
    # BEGIN SOLUTION 2.5: build the classifier head
    # TODO: return nn.Sequential of AdaptiveAvgPool2d(POOLED_SIZE) (any h x w becomes
    #   4 x 4), Flatten (to 128 * 4 * 4 = 2048 features), Linear(2048, HIDDEN_FEATURES),
    #   ReLU, Dropout(dropout) and Linear(HIDDEN_FEATURES, num_classes). No softmax at
    #   the end: CrossEntropyLoss expects raw logits.
    flat_features = CHANNELS[-1] * POOLED_SIZE[0] * POOLED_SIZE[1]
    return nn.Sequential(
        nn.AdaptiveAvgPool2d(POOLED_SIZE),
        nn.Flatten(),
        nn.Linear(flat_features, HIDDEN_FEATURES),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(HIDDEN_FEATURES, num_classes),
    )
    # END SOLUTION


def build_cnn(num_classes: int) -> nn.Sequential:
    """Return ``nn.Sequential(features, classifier)``: images ``(N, 3, H, W)`` in, logits ``(N, num_classes)`` out."""
    # BEGIN SOLUTION 2.5: assemble the network
    # TODO: return nn.Sequential(build_features(), build_classifier(num_classes)), so
    #   that model[0] is the conv stack and model[1] the head.
    return nn.Sequential(build_features(), build_classifier(num_classes))
    # END SOLUTION
