"""Exercise 2.4: a 2-D convolution written by hand, for one channel and one kernel.

Like ``torch.nn.functional.conv2d`` (and every deep learning library), it computes a
cross-correlation: the kernel slides over the image without being flipped.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _check_hyperparameters(padding, stride) -> None:
    if isinstance(padding, bool) or not isinstance(padding, int) or padding < 0:
        raise ValueError(f"padding must be an int >= 0 (zeros added on each side), got {padding!r}")
    if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1:
        raise ValueError(f"stride must be an int >= 1 (the step between two kernel positions), got {stride!r}")


def conv_output_size(size: int, kernel_size: int, padding: int = 0, stride: int = 1) -> int:
    """Return the output length along one axis: ``floor((size + 2 * padding - kernel_size) / stride) + 1``."""
    _check_hyperparameters(padding, stride)
    if kernel_size < 1:
        raise ValueError(f"kernel_size must be >= 1, got {kernel_size}")
    if kernel_size > size + 2 * padding:
        raise ValueError(
            f"a kernel of size {kernel_size} does not fit in an input of size {size} with padding {padding}; "
            "use a smaller kernel or more padding"
        )
    # BEGIN SOLUTION 2.4: compute the output size
    # TODO: count the positions of the kernel: the padded input has size + 2 * padding
    #   entries, the kernel's first position starts at 0 and each step moves `stride`
    #   entries. Use integer division (//), so the result is an int even when the
    #   last step does not fit exactly.
    return (size + 2 * padding - kernel_size) // stride + 1
    # END SOLUTION


def conv2d_single(image: torch.Tensor, kernel: torch.Tensor, padding: int = 0, stride: int = 1) -> torch.Tensor:
    """Return the cross-correlation of a 2-D ``image`` ``(H, W)`` with a 2-D ``kernel`` ``(kH, kW)``.

    The image is padded with ``padding`` zeros on each side, and the kernel moves by
    ``stride`` pixels. The result has shape ``(conv_output_size(H, kH, padding, stride),
    conv_output_size(W, kW, padding, stride))`` and equals ``F.conv2d`` on the same inputs.
    """
    if image.dim() != 2:
        raise ValueError(
            f"image must be 2-D (H, W), got shape {tuple(image.shape)}; for a multi-channel image, pass one channel such as image[0]"
        )
    if kernel.dim() != 2:
        raise ValueError(f"kernel must be 2-D (kH, kW), got shape {tuple(kernel.shape)}")
    _check_hyperparameters(padding, stride)
    # BEGIN SOLUTION 2.4: slide the kernel over the padded image
    # TODO: pad the image with `padding` zeros on every side (F.pad, or copy it into a
    #   larger tensor of zeros). Then, for each output position (i, j), take the patch
    #   whose top-left corner is at (i * stride, j * stride), multiply it element-wise
    #   by the kernel as it is (not flipped: this is cross-correlation, as F.conv2d
    #   computes) and sum. Size the output with conv_output_size. Write the loops
    #   yourself: F.conv2d is what the tests compare against.
    kernel_height, kernel_width = kernel.shape
    output_height = conv_output_size(image.shape[0], kernel_height, padding, stride)
    output_width = conv_output_size(image.shape[1], kernel_width, padding, stride)
    padded = F.pad(image, (padding, padding, padding, padding))
    output = torch.empty(output_height, output_width, dtype=image.dtype, device=image.device)
    for i in range(output_height):
        for j in range(output_width):
            top, left = i * stride, j * stride
            patch = padded[top : top + kernel_height, left : left + kernel_width]
            output[i, j] = (patch * kernel).sum()
    return output
    # END SOLUTION
