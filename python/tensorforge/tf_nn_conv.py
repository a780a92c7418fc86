"""TensorFlow 2's ``tf.nn`` convolutions and poolings beyond conv2d / max_pool2d / avg_pool2d
(tf_nn.py): conv1d, conv1d_transpose, conv2d_transpose, conv3d, conv3d_transpose,
conv_transpose, depthwise_conv2d, separable_conv2d, atrous_conv2d(_transpose), pool,
max_pool1d / 3d, avg_pool1d / 3d, max_pool_with_argmax, and the grey-scale morphology
dilation2d / erosion2d (the window maximum of input + filter: a gather at the winners, so
differentiable in both).

All reuse the 2-D kernels (ops / backend_ops), so they are differentiable and need no new C++:
the 1-D ops are 2-D ones over a height of 1; the 3-D ones run the 2-D op on every depth slice
of the (strided, dilated) depth window, folding the output depth into the batch, and sum
(convolution), take the maximum (max pooling) or average over the valid slices (average
pooling) -- TensorFlow's SAME padding (extra on the far side) in every axis. Channels-last
layouts (NWC, NHWC, NDHWC) only; channels-first is a ValueError naming the op.
"""
import numpy as np

from . import backend_ops as K
from . import ops as _ops
from ._xp import host
from .autograd import Tensor, keeping_inputs
from .backend_ops._args import tensor as _tensor
from .ops.einsum import einsum as _einsum

__all__ = ["conv1d", "conv1d_transpose", "conv2d_transpose", "conv3d", "conv3d_transpose",
           "conv_transpose", "depthwise_conv2d", "separable_conv2d", "atrous_conv2d", "pool",
           "max_pool1d", "max_pool3d", "avg_pool1d", "avg_pool3d", "max_pool_with_argmax",
           "atrous_conv2d_transpose", "dilation2d", "erosion2d", "depthwise_conv2d_backprop_input",
           "depthwise_conv2d_backprop_filter"]

_LAST = {1: "NWC", 2: "NHWC", 3: "NDHWC"}


def _x(op, x, rank, name="input"):
    t = _tensor(f"tf.nn.{op}", name, x)
    if t.dtype.kind != "f":
        t = Tensor(t.data.astype(np.float32))
    if t.ndim != rank:
        raise ValueError(f"tf.nn.{op}: {name} must be {rank}-D, got shape {tuple(t.shape)}")
    return t


def _fmt(op, data_format, n):
    if data_format not in (None, _LAST[n]):
        raise ValueError(f"tf.nn.{op}: only data_format={_LAST[n]!r} is supported, got "
                         f"{data_format!r}")


def _pad(op, padding):
    if not isinstance(padding, str) or padding.upper() not in ("SAME", "VALID"):
        raise ValueError(f"tf.nn.{op}: padding must be 'SAME' or 'VALID' (explicit paddings "
                         f"are not supported), got {padding!r}")
    return padding.upper()


def _tuple(op, name, value, n):
    """TensorFlow's strides / dilations / ksize: an int, n entries, or n + 2 with 1 on the batch
    and channel axes (channels-last)."""
    if value is None:
        return (1,) * n
    v = [int(value)] if isinstance(value, (int, np.integer)) else [int(a) for a in value]
    if len(v) == 1:
        return tuple(v) * n
    if len(v) == n:
        return tuple(v)
    if len(v) == n + 2:
        if v[0] != 1 or v[-1] != 1:
            raise ValueError(f"tf.nn.{op}: {name} {list(value)} must be 1 on the batch and "
                             "channel axes")
        return tuple(v[1:-1])
    raise ValueError(f"tf.nn.{op}: {name} must be an int or a list of 1, {n} or {n + 2} ints, "
                     f"got {value!r}")


def _out_len(n, k, s, d, padding):
    eff = (k - 1) * d + 1
    if padding == "VALID":
        return max((n - eff) // s + 1, 0), 0
    out = -(-n // s)
    return out, max((out - 1) * s + eff - n, 0) // 2


# ---- 1-D through the 2-D ops --------------------------------------------------------------------
def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None,  # noqa: A002
           name=None):
    """input (batch, width, in), filters (k, in, out)."""
    from .tf_nn import conv2d
    _fmt("conv1d", data_format, 1)
    x = _x("conv1d", input, 3)
    w = _x("conv1d", filters, 3, "filters")
    y = conv2d(K.expand_dims(x, 1), K.expand_dims(w, 0), [1] + list(_tuple("conv1d", "stride",
                                                                             stride, 1)),
               _pad("conv1d", padding), dilations=[1] + list(_tuple("conv1d", "dilations",
                                                                    dilations, 1)))
    return K.squeeze(y, 1)


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NHWC", dilations=None, name=None):
    """The gradient of conv2d with respect to its input: input (batch, h, w, in), filters
    (kh, kw, out, in), output_shape (batch, oh, ow, out)."""
    _fmt("conv2d_transpose", data_format, 2)
    x = _x("conv2d_transpose", input, 4)
    w = _x("conv2d_transpose", filters, 4, "filters")
    shape = [int(v) for v in np.asarray(host(getattr(output_shape, "data", output_shape)))]
    return K.conv2d_transpose(x, w, shape, strides=_tuple("conv2d_transpose", "strides",
                                                          strides, 2),
                              padding=_pad("conv2d_transpose", padding).lower(),
                              data_format="channels_last",
                              dilation_rate=_tuple("conv2d_transpose", "dilations", dilations, 2))


def conv1d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NWC", dilations=None, name=None):
    """input (batch, w, in), filters (k, out, in), output_shape (batch, ow, out)."""
    _fmt("conv1d_transpose", data_format, 1)
    x = _x("conv1d_transpose", input, 3)
    w = _x("conv1d_transpose", filters, 3, "filters")
    shape = [int(v) for v in np.asarray(host(getattr(output_shape, "data", output_shape)))]
    if len(shape) != 3:
        raise ValueError(f"tf.nn.conv1d_transpose: output_shape must have 3 entries, got {shape}")
    y = conv2d_transpose(K.expand_dims(x, 1), K.expand_dims(w, 0),
                         [shape[0], 1, shape[1], shape[2]],
                         [1] + list(_tuple("conv1d_transpose", "strides", strides, 1)), padding,
                         dilations=[1] + list(_tuple("conv1d_transpose", "dilations",
                                                     dilations, 1)))
    return K.squeeze(y, 1)


# ---- 3-D by depth slices ------------------------------------------------------------------------
def _depth_pad(x, front, back, value=0.0):
    if front == 0 and back == 0:
        return x
    from .tf_array import pad
    return pad(x, [[0, 0], [front, back], [0, 0], [0, 0], [0, 0]], constant_values=value)


def _depth_slices(x, k, s, d, padding, value=0.0):
    """[(N * Do, H, W, C) per depth tap], Do: the depth windows of x (N, D, H, W, C)."""
    n, depth = x.shape[0], x.shape[1]
    out, front = _out_len(depth, k, s, d, padding)
    total = max((out - 1) * s + (k - 1) * d + 1 - depth, 0) if padding == "SAME" else 0
    xp = _depth_pad(x, front, total - front, value)
    taps = []
    for j in range(k):
        sl = xp[:, j * d: j * d + s * (out - 1) + 1: s]
        taps.append(K.reshape(sl, (n * out,) + tuple(x.shape[2:])))
    return taps, out


def conv3d(input, filters, strides, padding, data_format="NDHWC", dilations=None,  # noqa: A002
           name=None):
    """input (batch, d, h, w, in), filters (kd, kh, kw, in, out); strides / dilations of 1, 3
    or 5 entries."""
    from .tf_nn import conv2d
    _fmt("conv3d", data_format, 3)
    x = _x("conv3d", input, 5)
    w = _x("conv3d", filters, 5, "filters")
    if w.shape[3] != x.shape[-1]:
        raise ValueError(f"tf.nn.conv3d: input {tuple(x.shape)} has {x.shape[-1]} channels, "
                         f"filters {tuple(w.shape)} expect {w.shape[3]}")
    s = _tuple("conv3d", "strides", strides, 3)
    d = _tuple("conv3d", "dilations", dilations, 3)
    pad = _pad("conv3d", padding)
    taps, out = _depth_slices(x, w.shape[0], s[0], d[0], pad)
    y = None
    for j, sl in enumerate(taps):
        yj = conv2d(sl, w[j], list(s[1:]), pad, dilations=list(d[1:]))
        y = yj if y is None else y + yj
    return K.reshape(y, (x.shape[0], out) + tuple(y.shape[1:]))


def conv3d_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                     data_format="NDHWC", dilations=None, name=None):
    """The gradient of conv3d with respect to its input: filters (kd, kh, kw, out, in),
    output_shape (batch, od, oh, ow, out)."""
    _fmt("conv3d_transpose", data_format, 3)
    x = _x("conv3d_transpose", input, 5)
    w = _x("conv3d_transpose", filters, 5, "filters")
    shape = [int(v) for v in np.asarray(host(getattr(output_shape, "data", output_shape)))]
    if len(shape) != 5:
        raise ValueError(f"tf.nn.conv3d_transpose: output_shape must have 5 entries, got "
                         f"{shape}")
    s = _tuple("conv3d_transpose", "strides", strides, 3)
    dl = _tuple("conv3d_transpose", "dilations", dilations, 3)
    pad = _pad("conv3d_transpose", padding)
    n, depth = x.shape[0], x.shape[1]
    od = shape[1]
    want, front = _out_len(od, w.shape[0], s[0], dl[0], pad)
    if want != depth:
        raise ValueError(f"tf.nn.conv3d_transpose: output_shape {shape} gives a depth of {want} "
                         f"for the forward convolution, but input {tuple(x.shape)} has {depth}")
    flat = K.reshape(x, (n * depth,) + tuple(x.shape[2:]))
    y = None
    for j in range(w.shape[0]):
        yj = conv2d_transpose(flat, w[j], [n * depth] + shape[2:], list(s[1:]), pad,
                              dilations=list(dl[1:]))
        yj = K.reshape(yj, (n, depth) + tuple(yj.shape[1:]))
        place = np.zeros((od, depth), np.float32)  # out[p] += y[q] for p = q s + j d - front
        q = np.arange(depth)
        p = q * s[0] + j * dl[0] - front
        ok = (p >= 0) & (p < od)
        place[p[ok], q[ok]] = 1.0
        term = _einsum("pq,nqhwc->nphwc", Tensor(place.astype(yj.dtype)), yj)
        y = term if y is None else y + term
    return y


def conv_transpose(input, filters, output_shape, strides, padding="SAME",  # noqa: A002
                   data_format=None, dilations=None, name=None):
    """conv1d_transpose / conv2d_transpose / conv3d_transpose by the input's rank."""
    x = _tensor("tf.nn.conv_transpose", "input", input)
    fn = {3: conv1d_transpose, 4: conv2d_transpose, 5: conv3d_transpose}.get(x.ndim)
    if fn is None:
        raise ValueError(f"tf.nn.conv_transpose: input must be 3-, 4- or 5-D, got shape "
                         f"{tuple(x.shape)}")
    return fn(x, filters, output_shape, strides, padding, data_format or _LAST[x.ndim - 2],
              dilations)


# ---- depthwise, separable, atrous ---------------------------------------------------------------
def depthwise_conv2d(input, filter, strides, padding, data_format=None,  # noqa: A002
                     dilations=None, name=None):
    """input (batch, h, w, in), filter (kh, kw, in, multiplier) -> in * multiplier channels."""
    _fmt("depthwise_conv2d", data_format, 2)
    x = _x("depthwise_conv2d", input, 4)
    w = _x("depthwise_conv2d", filter, 4, "filter")
    return K.depthwise_conv2d(x, w, strides=_tuple("depthwise_conv2d", "strides", strides, 2),
                              padding=_pad("depthwise_conv2d", padding).lower(),
                              data_format="channels_last",
                              dilation_rate=_tuple("depthwise_conv2d", "dilations", dilations, 2))


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding,  # noqa: A002
                     data_format=None, dilations=None, name=None):
    _fmt("separable_conv2d", data_format, 2)
    x = _x("separable_conv2d", input, 4)
    return K.separable_conv2d(x, _x("separable_conv2d", depthwise_filter, 4, "depthwise_filter"),
                              _x("separable_conv2d", pointwise_filter, 4, "pointwise_filter"),
                              strides=_tuple("separable_conv2d", "strides", strides, 2),
                              padding=_pad("separable_conv2d", padding).lower(),
                              data_format="channels_last",
                              dilation_rate=_tuple("separable_conv2d", "dilations", dilations, 2))


def atrous_conv2d(value, filters, rate, padding, name=None):
    """conv2d with dilation ``rate`` and stride 1."""
    from .tf_nn import conv2d
    if int(rate) < 1:
        raise ValueError(f"tf.nn.atrous_conv2d: rate must be >= 1, got {rate}")
    return conv2d(value, filters, 1, _pad("atrous_conv2d", padding), dilations=int(rate))


# ---- pooling ------------------------------------------------------------------------------------
def _pool2d(x, ksize, strides, padding, mode):
    fn = _ops.max_pool2d if mode == "MAX" else _ops.avg_pool2d
    return fn(x, tuple(ksize), tuple(strides), padding.lower())


def _pool1d(op, input, ksize, strides, padding, data_format, mode):  # noqa: A002
    _fmt(op, data_format, 1)
    x = _x(op, input, 3)
    k, s = _tuple(op, "ksize", ksize, 1), _tuple(op, "strides", strides, 1)
    return K.squeeze(_pool2d(K.expand_dims(x, 1), (1,) + k, (1,) + s, _pad(op, padding), mode), 1)


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    return _pool1d("max_pool1d", input, ksize, strides, padding, data_format, "MAX")


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    return _pool1d("avg_pool1d", input, ksize, strides, padding, data_format, "AVG")


def _pool3d(op, input, ksize, strides, padding, data_format, mode):  # noqa: A002
    _fmt(op, data_format, 3)
    x = _x(op, input, 5)
    k, s = _tuple(op, "ksize", ksize, 3), _tuple(op, "strides", strides, 3)
    pad = _pad(op, padding)
    fill = -np.inf if mode == "MAX" else 0.0
    taps, out = _depth_slices(x, k[0], s[0], 1, pad, fill)
    y = None
    for sl in taps:
        yj = _pool2d(sl, k[1:], s[1:], pad, mode)
        y = yj if y is None else (K.maximum(y, yj) if mode == "MAX" else y + yj)
    y = K.reshape(y, (x.shape[0], out) + tuple(y.shape[1:]))
    if mode == "AVG":
        _, front = _out_len(x.shape[1], k[0], s[0], 1, pad)
        start = np.arange(out) * s[0] - front
        count = np.minimum(start + k[0], x.shape[1]) - np.maximum(start, 0)
        y = y / Tensor(count.reshape(1, out, 1, 1, 1).astype(y.dtype))
    return y


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    return _pool3d("max_pool3d", input, ksize, strides, padding, data_format, "MAX")


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    return _pool3d("avg_pool3d", input, ksize, strides, padding, data_format, "AVG")


def pool(input, window_shape, pooling_type, strides=None, padding="VALID",  # noqa: A002
         data_format=None, dilations=None, name=None):
    """MAX or AVG pooling of 1, 2 or 3 spatial axes (``window_shape``'s length)."""
    n = len(window_shape)
    if pooling_type not in ("MAX", "AVG"):
        raise ValueError(f"tf.nn.pool: pooling_type must be 'MAX' or 'AVG', got {pooling_type!r}")
    if n not in (1, 2, 3):
        raise ValueError(f"tf.nn.pool: window_shape must have 1, 2 or 3 entries, got "
                         f"{window_shape!r}")
    if dilations is not None and any(int(d) != 1 for d in np.ravel(dilations)):
        raise NotImplementedError("tf.nn.pool: dilations other than 1 are not supported")
    strides = window_shape if strides is None else strides
    if n == 2:
        _fmt("pool", data_format, 2)
        x = _x("pool", input, 4)
        return _pool2d(x, _tuple("pool", "window_shape", window_shape, 2),
                       _tuple("pool", "strides", strides, 2), _pad("pool", padding), pooling_type)
    fn = (_pool1d if n == 1 else _pool3d)
    return fn("pool", input, window_shape, strides, padding, data_format, pooling_type)


def max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC",  # noqa: A002
                         output_dtype=np.int64, include_batch_in_index=False, name=None):
    """(max-pooled values, the flat index of each maximum): ((y * width + x) * channels + c),
    plus batch * height * width * channels where ``include_batch_in_index``; the first maximum
    of a window in row-major order. The values are differentiable."""
    _fmt("max_pool_with_argmax", data_format, 2)
    x = _x("max_pool_with_argmax", input, 4)
    k = _tuple("max_pool_with_argmax", "ksize", ksize, 2)
    s = _tuple("max_pool_with_argmax", "strides", strides, 2)
    pad = _pad("max_pool_with_argmax", padding)
    n, h, w, c = x.shape
    oh, fh = _out_len(h, k[0], s[0], 1, pad)
    ow, fw = _out_len(w, k[1], s[1], 1, pad)
    a = np.asarray(host(x.data), np.float64)
    ph = max((oh - 1) * s[0] + k[0] - h, 0)
    pw = max((ow - 1) * s[1] + k[1] - w, 0)
    ap = np.pad(a, [(0, 0), (fh, ph - fh), (fw, pw - fw), (0, 0)], constant_values=-np.inf)
    win = np.lib.stride_tricks.sliding_window_view(ap, k, axis=(1, 2))[:, ::s[0], ::s[1]]
    win = win[:, :oh, :ow].reshape(n, oh, ow, c, k[0] * k[1])
    best = np.argmax(win, axis=-1)
    rows = np.arange(oh)[None, :, None, None] * s[0] - fh + best // k[1]
    cols = np.arange(ow)[None, None, :, None] * s[1] - fw + best % k[1]
    flat = (rows * w + cols) * c + np.arange(c)
    full = flat + (np.arange(n) * h * w * c)[:, None, None, None]
    values = K.reshape(K.gather(K.reshape(x, (-1,)), full.reshape(-1)), (n, oh, ow, c))
    idx = full if include_batch_in_index else flat
    dt = np.dtype(getattr(output_dtype, "name", output_dtype))
    return values, Tensor(idx.astype(dt))


def atrous_conv2d_transpose(value, filters, output_shape, rate, padding, name=None):
    """conv2d_transpose with dilation ``rate`` and stride 1."""
    if int(rate) < 1:
        raise ValueError(f"tf.nn.atrous_conv2d_transpose: rate must be >= 1, got {rate}")
    return conv2d_transpose(value, filters, output_shape, 1, _pad("atrous_conv2d_transpose",
                                                                  padding), dilations=int(rate))


def dilation2d(input, filters, strides, padding, data_format="NHWC", dilations=None,  # noqa: A002
               name=None):
    """out[b, y, x, c] = max over (i, j) of input[b, y s0 + i d0, x s1 + j d1, c] +
    filters[i, j, c] (SAME pads with -inf); filters (fh, fw, channels)."""
    op = "dilation2d"
    _fmt(op, data_format, 2)
    x = _x(op, input, 4)
    f = _x(op, filters, 3, "filters")
    if f.shape[-1] != x.shape[-1]:
        raise ValueError(f"tf.nn.{op}: filters {tuple(f.shape)} must have the {x.shape[-1]} "
                         f"channels of input {tuple(x.shape)}")
    s, d = _tuple(op, "strides", strides, 2), _tuple(op, "dilations", dilations, 2)
    pad = _pad(op, padding)
    n, h, w, c = x.shape
    fh, fw = f.shape[:2]
    oh, top = _out_len(h, fh, s[0], d[0], pad)
    ow, left = _out_len(w, fw, s[1], d[1], pad)
    bottom = max((oh - 1) * s[0] + (fh - 1) * d[0] + 1 - h, 0) - top if pad == "SAME" else 0
    right = max((ow - 1) * s[1] + (fw - 1) * d[1] + 1 - w, 0) - left if pad == "SAME" else 0
    a = np.pad(np.asarray(host(x.data), np.float64), [(0, 0), (top, max(bottom, 0)),
                                                      (left, max(right, 0)), (0, 0)],
               constant_values=-np.inf)
    fa = np.asarray(host(f.data), np.float64)
    taps = np.stack([a[:, i * d[0]: i * d[0] + s[0] * (oh - 1) + 1: s[0],
                       j * d[1]: j * d[1] + s[1] * (ow - 1) + 1: s[1]] + fa[i, j]
                     for i in range(fh) for j in range(fw)], -1)
    best = np.argmax(taps, axis=-1)
    bi, bj = best // fw, best % fw
    rows = np.clip(np.arange(oh)[None, :, None, None] * s[0] - top + bi * d[0], 0, h - 1)
    cols = np.clip(np.arange(ow)[None, None, :, None] * s[1] - left + bj * d[1], 0, w - 1)
    ch = np.arange(c)
    xi = ((np.arange(n)[:, None, None, None] * h + rows) * w + cols) * c + ch
    fi = (bi * fw + bj) * c + ch
    return (K.reshape(K.gather(K.reshape(x, (-1,)), xi.reshape(-1)), (n, oh, ow, c))
            + K.reshape(K.gather(K.reshape(f, (-1,)), fi.reshape(-1)), (n, oh, ow, c)))


def erosion2d(value, filters, strides, padding, data_format="NHWC", dilations=None, name=None):
    """-dilation2d(-value, filters mirrored): the window minimum of value - filter."""
    f = _x("erosion2d", filters, 3, "filters")
    return -dilation2d(-_x("erosion2d", value, 4, "value"), K.reverse(f, [0, 1]), strides,
                       padding, data_format, dilations)


# ---- the convolutions' gradients as ops -------------------------------------------------------
def _backprop(op, forward, shape, other, out_backprop, wrt_input):
    """d(sum(forward(x, w) * out_backprop)) / d(x or w), the free one zeros of ``shape``: the
    forward op's own backward, recorded (create_graph) so it is differentiable in the rest."""
    from .higher_order import grad
    g = _x(op, out_backprop, 4, "out_backprop")
    free = Tensor(np.zeros(tuple(int(v) for v in shape), g.dtype), requires_grad=True)
    with keeping_inputs():  # for the recorded walk (Note [what a node keeps] in autograd/function.py)
        y = forward(free, other) if wrt_input else forward(other, free)
    if tuple(y.shape) != tuple(g.shape):
        raise ValueError(f"tf.nn.{op}: out_backprop {tuple(g.shape)} does not match the "
                         f"convolution's output {tuple(y.shape)}")
    (out,) = grad(y, free, g, create_graph=True)
    return out if out is not None else Tensor(np.zeros(free.shape, g.dtype))


def _sizes(op, name, v):
    a = np.ravel(np.asarray(host(getattr(v, "data", v)))).astype(np.int64)
    if a.size != 4 or np.any(a < 0):
        raise ValueError(f"tf.nn.{op}: {name} must be 4 non-negative sizes, got {a.tolist()}")
    return a


def depthwise_conv2d_backprop_input(input_sizes, filter, out_backprop, strides,  # noqa: A002
                                    padding, data_format="NHWC", dilations=None, name=None):
    """The gradient of depthwise_conv2d with respect to its input (of ``input_sizes``)."""
    op = "depthwise_conv2d_backprop_input"
    return _backprop(op, lambda x, w: depthwise_conv2d(x, w, strides, padding, data_format,
                                                       dilations),
                     _sizes(op, "input_sizes", input_sizes), _x(op, filter, 4, "filter"),
                     out_backprop, True)


def depthwise_conv2d_backprop_filter(input, filter_sizes, out_backprop, strides,  # noqa: A002
                                     padding, data_format="NHWC", dilations=None, name=None):
    """The gradient of depthwise_conv2d with respect to its filter (of ``filter_sizes``)."""
    op = "depthwise_conv2d_backprop_filter"
    return _backprop(op, lambda x, w: depthwise_conv2d(x, w, strides, padding, data_format,
                                                       dilations),
                     _sizes(op, "filter_sizes", filter_sizes), _x(op, input, 4), out_backprop,
                     False)
