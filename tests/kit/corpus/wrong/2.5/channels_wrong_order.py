"""Orders the channels 3 -> 16 -> 64 -> 32 -> 128 instead of 3 -> 16 -> 32 -> 64 -> 128."""

from torch import nn


def build_features():
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 64, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(64, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 128, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
    )


def build_classifier(num_classes, dropout=0.3):
    return nn.Sequential(
        nn.AdaptiveAvgPool2d((4, 4)),
        nn.Flatten(),
        nn.Linear(2048, 256),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(256, num_classes),
    )


def build_cnn(num_classes):
    return nn.Sequential(build_features(), build_classifier(num_classes))
