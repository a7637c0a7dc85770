"""Rounds (size + 2 * padding - kernel_size) / stride + 1 to the nearest int instead of flooring it."""

import torch
import torch.nn.functional as F


def conv_output_size(size, kernel_size, padding=0, stride=1):
    return round((size + 2 * padding - kernel_size) / stride + 1)


def conv2d_single(image, kernel, padding=0, stride=1):
    image = F.pad(image, (padding,) * 4)
    kh, kw = kernel.shape
    out_h = (image.shape[0] - kh) // stride + 1
    out_w = (image.shape[1] - kw) // stride + 1
    out = torch.zeros(out_h, out_w)
    for i in range(out_h):
        for j in range(out_w):
            out[i, j] = (image[i * stride : i * stride + kh, j * stride : j * stride + kw] * kernel).sum()
    return out
