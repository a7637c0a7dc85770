"""Groups each Conv2d, ReLU and MaxPool2d in its own nn.Sequential block, with named blocks."""

from collections import OrderedDict

from torch import nn


def conv_block(in_channels, out_channels):
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2))


def build_features():
    return nn.Sequential(
        OrderedDict(
            [
                ("block1", conv_block(3, 16)),
                ("block2", conv_block(16, 32)),
                ("block3", conv_block(32, 64)),
                ("block4", conv_block(64, 128)),
            ]
        )
    )


def build_classifier(num_classes, dropout=0.3):
    return nn.Sequential(
        nn.AdaptiveAvgPool2d(output_size=(4, 4)),
        nn.Flatten(start_dim=1),
        nn.Linear(in_features=2048, out_features=256),
        nn.ReLU(),
        nn.Dropout(dropout),
        nn.Linear(in_features=256, out_features=num_classes),
    )


def build_cnn(num_classes):
    return nn.Sequential(OrderedDict([("features", build_features()), ("classifier", build_classifier(num_classes))]))
