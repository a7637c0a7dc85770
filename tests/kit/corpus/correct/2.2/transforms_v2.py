"""Builds both pipelines with torchvision.transforms.v2 (ToImage and ToDtype in place of ToTensor), jitter first."""

import torch
from torchvision.transforms import v2

IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]


def _to_float(normalize):
    steps = [v2.ToImage(), v2.ToDtype(torch.float32, scale=True)]
    if normalize:
        steps.append(v2.Normalize(mean=IMAGENET_MEAN, std=IMAGENET_STD))
    return steps


def eval_transform(image_size=224, normalize=True):
    return v2.Compose([v2.Resize((image_size, image_size)), *_to_float(normalize)])


def train_transform(image_size=224, normalize=True):
    augment = [
        v2.Resize((image_size, image_size)),
        v2.ColorJitter(brightness=0.2, contrast=0.2, saturation=0.2, hue=0.1),
        v2.RandomRotation(degrees=15),
        v2.RandomVerticalFlip(p=0.5),
        v2.RandomHorizontalFlip(p=0.5),
    ]
    return v2.Compose(augment + _to_float(normalize))
