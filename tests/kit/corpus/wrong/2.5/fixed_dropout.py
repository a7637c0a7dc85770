"""Hard-codes Dropout(0.5) and ignores the dropout argument."""

from torch import nn


def build_features():
    layers = []
    for in_channels, out_channels in [(3, 16), (16, 32), (32, 64), (64, 128)]:
        layers += [nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
    return nn.Sequential(*layers)


def build_classifier(num_classes, dropout=0.3):
    return nn.Sequential(
        nn.AdaptiveAvgPool2d((4, 4)),
        nn.Flatten(),
        nn.Linear(2048, 256),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(256, num_classes),
    )


def build_cnn(num_classes):
    return nn.Sequential(build_features(), build_classifier(num_classes))
