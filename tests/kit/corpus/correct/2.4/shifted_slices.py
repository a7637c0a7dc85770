"""Loops over the kernel entries instead of the output pixels, adding one strided slice of the padded image per entry."""

import torch


def conv_output_size(size, kernel_size, padding=0, stride=1):
    import math

    return math.floor((size + 2 * padding - kernel_size) / stride) + 1


def conv2d_single(image, kernel, padding=0, stride=1):
    height, width = image.shape
    padded = torch.zeros(height + 2 * padding, width + 2 * padding, dtype=image.dtype)
    padded[padding : padding + height, padding : padding + width] = image
    kh, kw = kernel.shape
    out_h = conv_output_size(height, kh, padding, stride)
    out_w = conv_output_size(width, kw, padding, stride)
    result = torch.zeros(out_h, out_w, dtype=image.dtype)
    for u in range(kh):
        for v in range(kw):
            result += kernel[u, v] * padded[u : u + stride * (out_h - 1) + 1 : stride, v : v + stride * (out_w - 1) + 1 : stride]
    return result
