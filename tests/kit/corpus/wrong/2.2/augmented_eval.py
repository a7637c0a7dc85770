"""Puts the random flips, rotation and colour jitter in the eval transform as well."""

from torchvision import transforms

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def _pipeline(image_size, normalize):
    steps = [
        transforms.Resize((image_size, image_size)),
        transforms.RandomHorizontalFlip(0.5),
        transforms.RandomVerticalFlip(0.5),
        transforms.RandomRotation(15),
        transforms.ColorJitter(0.2, 0.2, 0.2, 0.1),
        transforms.ToTensor(),
    ]
    if normalize:
        steps.append(transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD))
    return transforms.Compose(steps)


def eval_transform(image_size=224, normalize=True):
    return _pipeline(image_size, normalize)


def train_transform(image_size=224, normalize=True):
    return _pipeline(image_size, normalize)
