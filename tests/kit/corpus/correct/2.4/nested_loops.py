"""Four nested Python loops over output pixels and kernel entries, reading zeros outside the image instead of padding it."""

import torch


def conv_output_size(size, kernel_size, padding=0, stride=1):
    return int((size + 2 * padding - kernel_size) // stride + 1)


def conv2d_single(image, kernel, padding=0, stride=1):
    height, width = image.shape
    kh, kw = kernel.shape
    out_h = conv_output_size(height, kh, padding, stride)
    out_w = conv_output_size(width, kw, padding, stride)
    output = torch.zeros(out_h, out_w)
    for i in range(out_h):
        for j in range(out_w):
            total = 0.0
            for u in range(kh):
                for v in range(kw):
                    row = i * stride + u - padding
                    col = j * stride + v - padding
                    if 0 <= row < height and 0 <= col < width:
                        total += float(image[row, col]) * float(kernel[u, v])
            output[i, j] = total
    return output
