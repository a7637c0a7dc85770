import itertools

import pytest
import torch
import torch.nn.functional as F

from tests.strategies import generator

IMAGE_SIZES = [(7, 9), (10, 10), (5, 11)]
KERNEL_SIZES = [(1, 1), (2, 2), (3, 3), (3, 5), (4, 3)]
PADDINGS = [0, 1, 2]
STRIDES = [1, 2, 3]


@pytest.fixture
def convolution(load):
    return load("plantnet.convolution")


def fits(image_size, kernel_size, padding) -> bool:
    return all(k <= s + 2 * padding for s, k in zip(image_size, kernel_size))


@pytest.mark.exercise("2.4", points=4)
def test_conv2d_matches_torch_grid(convolution):
    gen = generator(1)
    for image_size, kernel_size, padding, stride in itertools.product(IMAGE_SIZES, KERNEL_SIZES, PADDINGS, STRIDES):
        if not fits(image_size, kernel_size, padding):
            continue
        image = torch.randn(image_size, generator=gen)
        kernel = torch.randn(kernel_size, generator=gen)

        output = convolution.conv2d_single(image, kernel, padding=padding, stride=stride)

        expected = F.conv2d(image[None, None], kernel[None, None], padding=padding, stride=stride)[0, 0]
        case = f"image {image_size}, kernel {kernel_size}, padding={padding}, stride={stride}"
        assert output.shape == expected.shape, f"{case}: expected shape {tuple(expected.shape)}, got {tuple(output.shape)}"
        assert torch.allclose(output, expected, atol=1e-5), f"{case}: the values differ from F.conv2d by up to {(output - expected).abs().max():.2e}"


@pytest.mark.exercise("2.4", points=2)
def test_conv2d_worked_example_3x3_kernel(convolution):
    image = torch.tensor(
        [
            [1.0, 2.0, 0.0, 1.0],
            [0.0, 1.0, 3.0, 2.0],
            [2.0, 0.0, 1.0, 1.0],
            [1.0, 3.0, 2.0, 0.0],
        ]
    )
    kernel = torch.tensor([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])  # Sobel, left minus right
    # Top-left patch: its left column (1, 0, 2) and right column (0, 3, 1), weighted 1, 2, 1,
    # give (1 + 2 * 0 + 2) - (0 + 2 * 3 + 1) = -4. The flipped kernel would give +4.
    expected = torch.tensor([[-4.0, -2.0], [-2.0, 0.0]])

    output = convolution.conv2d_single(image, kernel)

    assert torch.allclose(output, expected), (
        f"expected\n{expected}\ngot\n{output}\n(the negated result means the kernel was flipped: use cross-correlation)"
    )


@pytest.mark.exercise("2.4", points=2)
def test_conv2d_worked_example_padding_stride(convolution):
    image = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    kernel = torch.tensor([[1.0, 0.0], [0.0, -1.0]])
    # The zero-padded image is 5x5 and the kernel stops at rows and columns 0 and 2:
    # output[i, j] = padded[2i, 2j] - padded[2i + 1, 2j + 1].
    expected = torch.tensor([[0.0 - 1.0, 0.0 - 3.0], [0.0 - 7.0, 5.0 - 9.0]])

    output = convolution.conv2d_single(image, kernel, padding=1, stride=2)

    assert output.shape == (2, 2), f"a 3x3 image, 2x2 kernel, padding 1 and stride 2 give a 2x2 output, got {tuple(output.shape)}"
    assert torch.allclose(output, expected), f"expected\n{expected}\ngot\n{output}"


@pytest.mark.exercise("2.4", points=1)
def test_conv2d_output_type(convolution):
    gen = generator(2)
    image = torch.randn(6, 5, generator=gen)
    kernel = torch.randn(2, 3, generator=gen)

    output = convolution.conv2d_single(image, kernel)

    assert isinstance(output, torch.Tensor), f"conv2d_single should return a tensor, got {type(output).__name__}"
    assert output.dtype == torch.float32, f"float32 inputs should give a float32 output, got {output.dtype}"
    assert output.shape == (5, 3), f"a 6x5 image and a 2x3 kernel give a 5x3 output, got {tuple(output.shape)}"


@pytest.mark.exercise("2.4", points=1)
def test_conv2d_kernel_as_large_as_image(convolution):
    gen = generator(3)
    image = torch.randn(3, 4, generator=gen)
    kernel = torch.randn(3, 4, generator=gen)

    output = convolution.conv2d_single(image, kernel)

    assert output.shape == (1, 1), f"a kernel as large as the image fits once, got shape {tuple(output.shape)}"
    assert torch.allclose(output[0, 0], (image * kernel).sum(), atol=1e-5)


@pytest.mark.exercise("2.4", points=1)
def test_conv2d_leaves_inputs_unchanged(convolution):
    gen = generator(4)
    image = torch.randn(5, 5, generator=gen)
    kernel = torch.randn(3, 3, generator=gen)
    image_before, kernel_before = image.clone(), kernel.clone()

    convolution.conv2d_single(image, kernel, padding=2, stride=2)

    assert torch.equal(image, image_before), "conv2d_single modified its image argument: pad a copy"
    assert torch.equal(kernel, kernel_before), "conv2d_single modified its kernel argument"


@pytest.mark.exercise("2.4", points=2)
def test_conv_output_size_counts_positions(convolution):
    for size, kernel_size, padding, stride in itertools.product([5, 8, 13, 16], [1, 2, 3, 5], [0, 1, 2], [1, 2, 3, 4]):
        if kernel_size > size + 2 * padding:
            continue
        result = convolution.conv_output_size(size, kernel_size, padding, stride)

        expected = len(range(0, size + 2 * padding - kernel_size + 1, stride))  # the kernel's start positions
        assert isinstance(result, int), f"conv_output_size should return an int, got {type(result).__name__}"
        assert result == expected, f"size={size}, kernel_size={kernel_size}, padding={padding}, stride={stride}: expected {expected}, got {result}"


@pytest.mark.exercise("2.4", points=1)
def test_conv_output_size_defaults(convolution):
    assert convolution.conv_output_size(10, 3) == 8, "the defaults are padding=0 and stride=1: 10 - 3 + 1 = 8"


@pytest.mark.exercise("2.4", points=2)
def test_conv2d_computed_by_hand(convolution, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("conv2d_single should slide the kernel itself, without F.conv2d, torch.conv2d or nn.Conv2d")

    monkeypatch.setattr(F, "conv2d", forbidden)
    monkeypatch.setattr(torch, "conv2d", forbidden)
    image = torch.randn(6, 7, generator=generator(3))
    kernel = torch.randn(3, 3, generator=generator(4))
    output = convolution.conv2d_single(image, kernel, padding=1, stride=2)
    monkeypatch.undo()
    expected = F.conv2d(image[None, None], kernel[None, None], padding=1, stride=2)[0, 0]
    torch.testing.assert_close(output, expected, atol=1e-5, rtol=1e-5)
