"""Leaves out the MaxPool2d of the last block, so the feature maps are only halved three times."""

from torch import nn


def build_features():
    return nn.Sequential(
        nn.Conv2d(3, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(64, 128, 3, padding=1),
        nn.ReLU(),
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
