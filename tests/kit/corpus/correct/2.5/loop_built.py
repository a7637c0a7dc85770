"""Builds the conv stack in a loop over channel pairs with itertools.pairwise, and the head with add_module."""

import itertools

from torch import nn


def build_features():
    layers = []
    for in_channels, out_channels in itertools.pairwise([3, 16, 32, 64, 128]):
        layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
        layers.append(nn.ReLU(inplace=True))
        layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
    return nn.Sequential(*layers)


def build_classifier(num_classes, dropout=0.3):
    head = nn.Sequential()
    head.add_module("pool", nn.AdaptiveAvgPool2d(4))
    head.add_module("flatten", nn.Flatten())
    head.add_module("fc1", nn.Linear(128 * 4 * 4, 256))
    head.add_module("relu", nn.ReLU(inplace=True))
    head.add_module("dropout", nn.Dropout(p=dropout))
    head.add_module("fc2", nn.Linear(256, num_classes))
    return head


def build_cnn(num_classes):
    features = build_features()
    classifier = build_classifier(num_classes)
    return nn.Sequential(features, classifier)
