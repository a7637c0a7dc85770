"""Exercise 2.2: the image transforms for training (with augmentation) and evaluation (deterministic)."""

from __future__ import annotations

from torchvision import transforms as T

# TODO: set the per-channel (R, G, B) mean and standard deviation of the ImageNet
#   training images, on the [0, 1] scale of ToTensor, as tuples of three floats
#   (the torchvision documentation of its pretrained models lists them).
#   Pretrained models expect inputs normalised with these values.
IMAGENET_MEAN = None
IMAGENET_STD = None


def _check_image_size(image_size) -> None:
    if isinstance(image_size, bool) or not isinstance(image_size, int) or image_size < 1:
        raise ValueError(f"image_size must be a positive int (the side of the square output), got {image_size!r}")


def eval_transform(image_size: int = 224, normalize: bool = True):
    """Return the deterministic transform for validation and test images.

    It resizes a PIL image to ``image_size`` x ``image_size`` pixels and returns a
    float32 tensor ``(3, image_size, image_size)``, normalised with the ImageNet
    statistics when ``normalize`` is true and in ``[0, 1]`` otherwise.
    """
    _check_image_size(image_size)
    # TODO: compose Resize((image_size, image_size)) (a pair, because a single int
    #   only sets the shorter side and keeps the aspect ratio), ToTensor, and, when
    #   `normalize` is true, Normalize(IMAGENET_MEAN, IMAGENET_STD). No random
    #   operation here: the same image must always give the same tensor.
    raise NotImplementedError("Exercise 2.2: build the evaluation transform")


def train_transform(image_size: int = 224, normalize: bool = True):
    """Return the random transform for training images: the evaluation pipeline plus augmentation.

    The output has the same shape, dtype and scale as ``eval_transform``'s.
    """
    _check_image_size(image_size)
    # TODO: compose the same Resize as eval_transform, then the augmentations in any
    #   order: RandomHorizontalFlip(0.5), RandomVerticalFlip(0.5), RandomRotation(15)
    #   and ColorJitter(0.2, 0.2, 0.2, 0.1) (brightness, contrast, saturation, hue).
    #   End with ToTensor and, when `normalize` is true, the same Normalize.
    raise NotImplementedError("Exercise 2.2: build the training transform")
