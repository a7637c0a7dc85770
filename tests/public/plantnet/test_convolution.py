import pytest
import torch
import torch.nn.functional as F

from tests.strategies import generator

IMAGE_4X4 = torch.tensor(
    [
        [1.0, 2.0, 0.0, 1.0],
        [0.0, 1.0, 3.0, 2.0],
        [2.0, 0.0, 1.0, 1.0],
        [1.0, 3.0, 2.0, 0.0],
    ]
)


@pytest.fixture
def convolution(load):
    return load("plantnet.convolution")


@pytest.mark.exercise("2.4", points=1)
@pytest.mark.parametrize(
    ("size", "kernel_size", "padding", "stride", "expected"),
    [(32, 3, 1, 1, 32), (4, 2, 0, 1, 3), (7, 3, 0, 2, 3), (8, 3, 0, 2, 3), (224, 7, 3, 2, 112)],
)
def test_conv_output_size_formula(convolution, size, kernel_size, padding, stride, expected):
    result = convolution.conv_output_size(size, kernel_size, padding=padding, stride=stride)

    assert isinstance(result, int), f"conv_output_size should return an int, got {type(result).__name__}: use // for the division"
    assert result == expected, (
        f"size={size}, kernel_size={kernel_size}, padding={padding}, stride={stride}: expected "
        f"floor((size + 2 * padding - kernel_size) / stride) + 1 = {expected}, got {result}"
    )


@pytest.mark.exercise("2.4", points=2)
def test_conv2d_worked_example(convolution):
    kernel = torch.tensor([[1.0, -1.0], [2.0, 0.0]])
    # Each output is image[i, j] - image[i, j + 1] + 2 * image[i + 1, j], with the kernel as written, not flipped.
    expected = torch.tensor(
        [
            [-1.0, 4.0, 5.0],
            [3.0, -2.0, 3.0],
            [4.0, 5.0, 4.0],
        ]
    )

    output = convolution.conv2d_single(IMAGE_4X4, kernel)

    assert output.shape == (3, 3), f"a 4x4 image and a 2x2 kernel give a 3x3 output, got {tuple(output.shape)}"
    flipped = torch.tensor([[0.0, 2.0], [-1.0, 1.0]])
    assert not torch.allclose(output, F.conv2d(IMAGE_4X4[None, None], flipped[None, None])[0, 0]), (
        "the output is that of the flipped kernel (true convolution): deep learning layers compute a cross-correlation, "
        "so multiply each patch by the kernel as it is"
    )
    assert torch.allclose(output, expected), f"expected\n{expected}\ngot\n{output}"


@pytest.mark.exercise("2.4", points=2)
def test_conv2d_matches_torch_with_padding(convolution):
    gen = generator(0)
    image = torch.randn(8, 8, generator=gen)
    kernel = torch.randn(3, 3, generator=gen)

    output = convolution.conv2d_single(image, kernel, padding=1)

    expected = F.conv2d(image[None, None], kernel[None, None], padding=1)[0, 0]
    assert output.shape == expected.shape, f"with padding=1 a 3x3 kernel keeps the 8x8 size, got {tuple(output.shape)}"
    assert torch.allclose(output, expected, atol=1e-5), "conv2d_single should equal F.conv2d: pad with zeros on every side"
