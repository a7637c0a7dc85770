import pytest
import torch

from tests.strategies import random_image


@pytest.fixture
def transforms(load):
    return load("plantnet.transforms")


@pytest.mark.exercise("2.2", points=1)
def test_imagenet_statistics(transforms):
    assert transforms.IMAGENET_MEAN is not None, "set IMAGENET_MEAN to the per-channel mean of ImageNet, (0.485, 0.456, 0.406)"
    assert transforms.IMAGENET_STD is not None, "set IMAGENET_STD to the per-channel standard deviation of ImageNet, (0.229, 0.224, 0.225)"
    mean = torch.as_tensor(transforms.IMAGENET_MEAN, dtype=torch.float64)
    std = torch.as_tensor(transforms.IMAGENET_STD, dtype=torch.float64)

    assert torch.allclose(mean, torch.tensor([0.485, 0.456, 0.406], dtype=torch.float64)), f"IMAGENET_MEAN should be (0.485, 0.456, 0.406), got {mean.tolist()}"
    assert torch.allclose(std, torch.tensor([0.229, 0.224, 0.225], dtype=torch.float64)), f"IMAGENET_STD should be (0.229, 0.224, 0.225), got {std.tolist()}"


@pytest.mark.exercise("2.2", points=2)
def test_eval_output_shape_and_range(transforms):
    image = random_image("RGB", 48, 30)  # wider than high

    output = transforms.eval_transform(image_size=32, normalize=False)(image)

    assert isinstance(output, torch.Tensor), f"eval_transform should return a tensor, got {type(output).__name__}: end with ToTensor"
    assert output.dtype == torch.float32, f"expected float32 pixels, got {output.dtype}"
    assert output.shape == (3, 32, 32), (
        f"a 48x30 image should become (3, 32, 32), got {tuple(output.shape)}: "
        "Resize((image_size, image_size)) takes a pair, because Resize(image_size) only sets the shorter side"
    )
    assert output.min() >= 0.0, f"without normalize, pixels should lie in [0, 1] as ToTensor gives them, got a minimum of {output.min():.3f}"
    assert output.max() <= 1.0, f"without normalize, pixels should lie in [0, 1] as ToTensor gives them, got a maximum of {output.max():.3f}"


@pytest.mark.exercise("2.2", points=2)
def test_eval_is_deterministic(transforms):
    image = random_image("RGB", 40, 40)
    transform = transforms.eval_transform(image_size=32)

    outputs = []
    for seed in range(8):
        torch.manual_seed(seed)
        outputs.append(transform(image))

    for output in outputs[1:]:
        assert torch.equal(output, outputs[0]), (
            "the eval transform must be deterministic: random flips, rotations and colour jitter belong in train_transform only"
        )


@pytest.mark.exercise("2.2", points=2)
def test_train_varies_between_calls(transforms):
    image = random_image("RGB", 40, 40)
    transform = transforms.train_transform(image_size=32)

    torch.manual_seed(0)
    outputs = [transform(image) for _ in range(8)]

    assert all(output.shape == (3, 32, 32) for output in outputs), "train_transform should return (3, image_size, image_size) tensors"
    distinct = {tuple(output.flatten().tolist()) for output in outputs}
    assert len(distinct) > 1, "train_transform gave the same tensor 8 times: it should flip, rotate and jitter the image at random"
