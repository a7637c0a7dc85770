"""Stores the statistics as tensors and appends the steps to a list one by one."""

import torch
import torchvision.transforms as T

IMAGENET_MEAN = torch.tensor([0.485, 0.456, 0.406])
IMAGENET_STD = torch.tensor([0.229, 0.224, 0.225])


def eval_transform(image_size=224, normalize=True):
    steps = []
    steps.append(T.Resize(size=(image_size, image_size)))
    steps.append(T.ToTensor())
    if normalize:
        steps.append(T.Normalize(mean=IMAGENET_MEAN.tolist(), std=IMAGENET_STD.tolist()))
    return T.Compose(steps)


def train_transform(image_size=224, normalize=True):
    steps = []
    steps.append(T.Resize(size=(image_size, image_size)))
    steps.append(T.RandomRotation(degrees=(-15, 15)))
    steps.append(T.RandomHorizontalFlip())
    steps.append(T.RandomVerticalFlip())
    steps.append(T.ColorJitter(brightness=0.2, contrast=0.2, saturation=0.2, hue=0.1))
    steps.append(T.ToTensor())
    if normalize:
        steps.append(T.Normalize(mean=IMAGENET_MEAN.tolist(), std=IMAGENET_STD.tolist()))
    return T.Compose(steps)
