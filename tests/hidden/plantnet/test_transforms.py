import pytest
import torch
from torchvision.transforms.functional import pil_to_tensor

from tests.strategies import random_image

MEAN = torch.tensor([0.485, 0.456, 0.406]).reshape(3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).reshape(3, 1, 1)

# Transform classes that draw random numbers, by class name so that torchvision's v1 and v2 classes both count.
RANDOM_TRANSFORMS = {"ColorJitter", "GaussianBlur", "AutoAugment", "RandAugment", "TrivialAugmentWide", "AugMix", "ElasticTransform"}


@pytest.fixture
def transforms(load):
    return load("plantnet.transforms")


def flatten(transform) -> list:
    """Return ``transform`` and, for a Compose-like container, every transform nested in it."""
    found = [transform]
    inner = getattr(transform, "transforms", None)
    if isinstance(inner, (list, tuple, torch.nn.ModuleList)):
        for child in inner:
            found.extend(flatten(child))
    elif isinstance(transform, torch.nn.Sequential):
        for child in transform:
            found.extend(flatten(child))
    return found


def names(transform) -> list[str]:
    return [type(step).__name__ for step in flatten(transform)]


def find(transform, name: str):
    matches = [step for step in flatten(transform) if type(step).__name__ == name]
    assert len(matches) == 1, f"train_transform should contain one {name}, found {len(matches)} in {names(transform)}"
    return matches[0]


def pair(value) -> tuple[float, float]:
    low, high = (float(v) for v in value)
    return low, high


@pytest.mark.exercise("2.2", points=1)
@pytest.mark.parametrize("builder", ["eval_transform", "train_transform"])
def test_default_size_is_224(transforms, builder):
    output = getattr(transforms, builder)()(random_image("RGB", 300, 200))

    assert output.shape == (3, 224, 224), f"{builder}() should default to image_size=224, got {tuple(output.shape)}"


@pytest.mark.exercise("2.2", points=2)
@pytest.mark.parametrize("builder", ["eval_transform", "train_transform"])
@pytest.mark.parametrize(("width", "height", "size"), [(50, 20, 16), (20, 50, 24), (33, 33, 40)])
def test_output_shape_any_input(transforms, builder, width, height, size):
    output = getattr(transforms, builder)(image_size=size, normalize=False)(random_image("RGB", width, height))

    assert output.dtype == torch.float32, f"{builder} should return float32, got {output.dtype}"
    assert output.shape == (3, size, size), (
        f"{builder}(image_size={size}) on a {width}x{height} image should give (3, {size}, {size}), got {tuple(output.shape)}"
    )
    assert output.min() >= 0.0, f"{builder} without normalize should give pixels in [0, 1], got a minimum of {output.min():.3f}"
    assert output.max() <= 1.0, f"{builder} without normalize should give pixels in [0, 1], got a maximum of {output.max():.3f}"


@pytest.mark.exercise("2.2", points=1)
def test_eval_scales_pixels_to_unit_range(transforms):
    image = random_image("RGB", 20, 20, seed=5)

    output = transforms.eval_transform(image_size=20, normalize=False)(image)

    expected = pil_to_tensor(image).float() / 255
    assert torch.allclose(output, expected, atol=1e-6), "an image already at the target size should come out as its pixels divided by 255 (ToTensor)"


@pytest.mark.exercise("2.2", points=2)
def test_eval_normalizes_with_imagenet_statistics(transforms):
    image = random_image("RGB", 30, 22, seed=1)

    raw = transforms.eval_transform(image_size=16, normalize=False)(image)
    normalized = transforms.eval_transform(image_size=16, normalize=True)(image)

    assert torch.allclose(normalized, (raw - MEAN) / STD, atol=1e-5), (
        "with normalize=True the output should be (x - IMAGENET_MEAN) / IMAGENET_STD per channel, after ToTensor"
    )


@pytest.mark.exercise("2.2", points=1)
def test_train_normalizes_with_imagenet_statistics(transforms):
    image = random_image("RGB", 30, 22, seed=2)

    torch.manual_seed(7)
    raw = transforms.train_transform(image_size=16, normalize=False)(image)
    torch.manual_seed(7)
    normalized = transforms.train_transform(image_size=16, normalize=True)(image)

    assert torch.allclose(normalized, (raw - MEAN) / STD, atol=1e-5), (
        "with normalize=True, train_transform should end with Normalize(IMAGENET_MEAN, IMAGENET_STD) after ToTensor"
    )


@pytest.mark.exercise("2.2", points=2)
def test_eval_contains_no_random_op(transforms):
    for normalize in (True, False):
        found = names(transforms.eval_transform(image_size=32, normalize=normalize))
        random_steps = [name for name in found if name.startswith("Random") or name in RANDOM_TRANSFORMS]
        assert not random_steps, f"the eval transform must be deterministic, but it contains {random_steps}: keep augmentation in train_transform"


@pytest.mark.exercise("2.2", points=2)
def test_eval_deterministic_non_square(transforms):
    image = random_image("RGB", 64, 36, seed=4)
    transform = transforms.eval_transform(image_size=24)

    torch.manual_seed(0)
    first = transform(image)
    for seed in range(1, 12):
        torch.manual_seed(seed)
        assert torch.equal(transform(image), first), "the eval transform gave two different tensors for one image: remove the random steps"


@pytest.mark.exercise("2.2", points=2)
def test_train_contains_augmentations(transforms):
    transform = transforms.train_transform(image_size=32)

    horizontal = find(transform, "RandomHorizontalFlip")
    vertical = find(transform, "RandomVerticalFlip")
    rotation = find(transform, "RandomRotation")
    jitter = find(transform, "ColorJitter")

    assert horizontal.p == pytest.approx(0.5), f"RandomHorizontalFlip should have p=0.5, got {horizontal.p}"
    assert vertical.p == pytest.approx(0.5), f"RandomVerticalFlip should have p=0.5, got {vertical.p}"
    assert pair(rotation.degrees) == pytest.approx((-15.0, 15.0)), f"RandomRotation should turn by up to 15 degrees, got {rotation.degrees}"
    assert pair(jitter.brightness) == pytest.approx((0.8, 1.2)), "ColorJitter should have brightness=0.2"
    assert pair(jitter.contrast) == pytest.approx((0.8, 1.2)), "ColorJitter should have contrast=0.2"
    assert pair(jitter.saturation) == pytest.approx((0.8, 1.2)), "ColorJitter should have saturation=0.2"
    assert pair(jitter.hue) == pytest.approx((-0.1, 0.1)), "ColorJitter should have hue=0.1"


@pytest.mark.exercise("2.2", points=1)
def test_train_is_random(transforms):
    image = random_image("RGB", 36, 28, seed=6)
    transform = transforms.train_transform(image_size=28, normalize=False)

    torch.manual_seed(1)
    outputs = [transform(image) for _ in range(10)]

    distinct = {tuple(output.flatten().tolist()) for output in outputs}
    assert len(distinct) >= 5, f"10 calls of train_transform gave only {len(distinct)} distinct tensors: the augmentation should be random"
