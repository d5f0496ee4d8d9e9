"""NIR's non-neural primitives as matrices on flattened (C-order) signals: what the reader
composes along a path from one spiking node to the next. Convolutions and pooling become
the dense matrix that computes them exactly; a primitive without such a matrix is refused
by the caller."""

import numpy as np

# a flattened convolution larger than this many matrix entries is refused (8 bytes each)
MAX_ENTRIES = 50_000_000


def _pair(value, name):
    value = np.atleast_1d(np.asarray(value, dtype=int)).ravel()
    if value.size == 1:
        return int(value[0]), int(value[0])
    if value.size == 2:
        return int(value[0]), int(value[1])
    raise ValueError(f"{name} must be one or two integers, got {value.tolist()}")


def conv2d_matrix(weight, input_shape, stride=1, padding=0, dilation=1, groups=1):
    """The matrix of a 2-d cross-correlation (PyNN/NIR's Conv2d, PyTorch's convention):
    input (C_in, H, W) flattened, output (C_out, H_out, W_out) flattened. Returns
    (matrix, output shape)."""
    weight = np.asarray(weight, dtype=float)
    c_out, c_in_group, kh, kw = weight.shape
    c_in, h, w = (int(v) for v in input_shape)
    groups = int(groups)
    if c_in != c_in_group * groups:
        raise ValueError(f"the input has {c_in} channels, the kernel expects "
                         f"{c_in_group} x {groups} groups")
    sh, sw = _pair(stride, "stride")
    dh, dw = _pair(dilation, "dilation")
    if isinstance(padding, (str, bytes)):
        padding = padding.decode() if isinstance(padding, bytes) else padding
        if padding == "valid":
            ph = pw = 0
        elif padding == "same":
            if (sh, sw) != (1, 1):
                raise ValueError("padding 'same' needs stride 1")
            ph, pw = dh * (kh - 1) // 2, dw * (kw - 1) // 2
            if (dh * (kh - 1)) % 2 or (dw * (kw - 1)) % 2:
                raise ValueError("padding 'same' with an even kernel pads unevenly")
        else:
            raise ValueError(f"padding {padding!r}")
    else:
        ph, pw = _pair(padding, "padding")
    h_out = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    w_out = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    if h_out < 1 or w_out < 1:
        raise ValueError(f"the kernel does not fit the input {c_in}x{h}x{w}")
    if c_out * h_out * w_out * c_in * h * w > MAX_ENTRIES:
        raise ValueError(f"as a dense matrix it would have "
                         f"{c_out * h_out * w_out * c_in * h * w} entries "
                         f"(at most {MAX_ENTRIES})")
    matrix = np.zeros((c_out, h_out, w_out, c_in, h, w))
    per_group = c_out // groups
    oy, ox = np.arange(h_out), np.arange(w_out)
    for o in range(c_out):
        g = o // per_group
        for ci in range(c_in_group):
            channel = g * c_in_group + ci
            for ky in range(kh):
                iy = oy * sh - ph + ky * dh
                ok_y = (iy >= 0) & (iy < h)
                for kx in range(kw):
                    ix = ox * sw - pw + kx * dw
                    ok_x = (ix >= 0) & (ix < w)
                    yy, xx = np.meshgrid(oy[ok_y], ox[ok_x], indexing="ij")
                    iyy, ixx = np.meshgrid(iy[ok_y], ix[ok_x], indexing="ij")
                    matrix[o, yy, xx, channel, iyy, ixx] += weight[o, ci, ky, kx]
    return (matrix.reshape(c_out * h_out * w_out, c_in * h * w),
            (c_out, h_out, w_out))


def conv1d_matrix(weight, input_shape, stride=1, padding=0, dilation=1, groups=1):
    """Conv1d as a Conv2d of height 1: input (C_in, N) flattened."""
    weight = np.asarray(weight, dtype=float)
    c_in, n = (int(v) for v in input_shape)
    pad = padding if isinstance(padding, (str, bytes)) else (0, _pair(padding, "padding")[0])
    matrix, (c_out, _, n_out) = conv2d_matrix(
        weight[:, :, None, :], (c_in, 1, n), (1, _pair(stride, "stride")[0]), pad,
        (1, _pair(dilation, "dilation")[0]), groups)
    return matrix, (c_out, n_out)


def pool2d_matrix(input_shape, kernel_size, stride, padding, average):
    """SumPool2d / AvgPool2d on (C, H, W): each channel on its own."""
    c = int(input_shape[0])
    kh, kw = _pair(kernel_size, "kernel_size")
    value = 1.0 / (kh * kw) if average else 1.0
    weight = np.zeros((c, 1, kh, kw))
    weight[:] = value
    return conv2d_matrix(weight, input_shape, stride, padding, 1, groups=c)
