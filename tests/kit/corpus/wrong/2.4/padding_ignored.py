"""Sizes the output with the padding but never pads the image, so padded calls fail or read the wrong pixels."""

import torch


def conv_output_size(size, kernel_size, padding=0, stride=1):
    return (size + 2 * padding - kernel_size) // stride + 1


def conv2d_single(image, kernel, padding=0, stride=1):
    kh, kw = kernel.shape
    out_h = conv_output_size(image.shape[0], kh, padding, stride)
    out_w = conv_output_size(image.shape[1], kw, padding, stride)
    out = torch.zeros(out_h, out_w)
    for i in range(out_h):
        for j in range(out_w):
            patch = image[i * stride : i * stride + kh, j * stride : j * stride + kw]
            out[i, j] = (patch * kernel[: patch.shape[0], : patch.shape[1]]).sum()
    return out
