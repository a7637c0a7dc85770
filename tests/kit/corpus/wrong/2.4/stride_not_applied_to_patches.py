"""Sizes the output for the stride but takes the patch at (i, j) instead of (i * stride, j * stride)."""

import torch
import torch.nn.functional as F


def conv_output_size(size, kernel_size, padding=0, stride=1):
    return (size + 2 * padding - kernel_size) // stride + 1


def conv2d_single(image, kernel, padding=0, stride=1):
    image = F.pad(image, (padding, padding, padding, padding))
    kh, kw = kernel.shape
    out_h = conv_output_size(image.shape[0], kh, 0, stride)
    out_w = conv_output_size(image.shape[1], kw, 0, stride)
    out = torch.zeros(out_h, out_w)
    for i in range(out_h):
        for j in range(out_w):
            out[i, j] = (image[i : i + kh, j : j + kw] * kernel).sum()
    return out
