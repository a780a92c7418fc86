"""The Keras 2 layers of issue 12 (convolution family, core, noise, activations, normalization,
wrappers, recurrent features): forward against float64 NumPy formulas written here, and
gradients (input and every weight) against finite differences of those formulas, on every
backend. check_layer (tests/test_layers.py) drives each layer; shapes and parameter counts
against real Keras 2 are in test_layers_keras.py."""
import numpy as np
import pytest

from tensorforge import layers as L
from tensorforge import utils
from tensorforge.autograd import Tensor, enable_grad
from tensorforge.layers import recurrent as R

from test_layers import check_layer


@pytest.fixture(autouse=True)
def _seeded():
    """Initial weights independent of the tests run before (a relu kink near a finite-difference
    point depends on them)."""
    utils.set_random_seed(7)


# ---- independent NumPy formulas --------------------------------------------------------------
def same_pads(n, k, s, d=1):
    e = (k - 1) * d + 1
    o = -(-n // s)
    tot = max((o - 1) * s + e - n, 0)
    return tot // 2, tot - tot // 2


def conv2d_ref(x, w, s=(1, 1), pads=((0, 0), (0, 0)), d=(1, 1)):
    """Direct convolution, one output pixel at a time: x (N, H, W, C), w (KH, KW, C, F)."""
    x = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    N, H, W, _ = x.shape
    KH, KW, _, F = w.shape
    OH = (H - (KH - 1) * d[0] - 1) // s[0] + 1
    OW = (W - (KW - 1) * d[1] - 1) // s[1] + 1
    y = np.zeros((N, OH, OW, F))
    for i in range(OH):
        for j in range(OW):
            patch = x[:, i * s[0]:i * s[0] + (KH - 1) * d[0] + 1:d[0],
                      j * s[1]:j * s[1] + (KW - 1) * d[1] + 1:d[1], :]
            y[:, i, j] = np.einsum("nhwc,hwcf->nf", patch, w)
    return y


def conv_transpose_ref(x, w, out_hw, s, padding, d=(1, 1)):
    """Scatter each input pixel through the kernel: x (N, H, W, Cx), w (KH, KW, F, Cx)."""
    N, H, W, _ = x.shape
    KH, KW, F, _ = w.shape
    pads = ([same_pads(n, k, st, dd) for n, k, st, dd in zip(out_hw, (KH, KW), s, d)]
            if padding == "same" else [(0, 0), (0, 0)])
    full = np.zeros((N, out_hw[0] + sum(pads[0]) + s[0] + KH * d[0],
                     out_hw[1] + sum(pads[1]) + s[1] + KW * d[1], F))
    for i in range(H):
        for j in range(W):
            for kh in range(KH):
                for kw in range(KW):
                    full[:, i * s[0] + kh * d[0], j * s[1] + kw * d[1]] += x[:, i, j] @ w[kh, kw].T
    return full[:, pads[0][0]:pads[0][0] + out_hw[0], pads[1][0]:pads[1][0] + out_hw[1]]


def depthwise_ref(x, w, s=(1, 1), pads=((0, 0), (0, 0))):
    C, M = w.shape[2:]
    ys = [conv2d_ref(x[..., c:c + 1], w[:, :, c:c + 1, :], s, pads) for c in range(C)]
    return np.concatenate(ys, axis=-1)  # channel c*M + m


def bilinear_ref(x, oh, ow):
    """tf.image.resize(method='bilinear') with half-pixel centers, one output pixel at a time."""
    N, H, W, C = x.shape
    y = np.zeros((N, oh, ow, C))

    def coord(o, n_in, n_out):
        src = (o + 0.5) * n_in / n_out - 0.5
        lo = int(np.floor(src))
        return max(lo, 0), min(int(np.ceil(src)), n_in - 1), src - np.floor(src)
    for i in range(oh):
        h0, h1, a = coord(i, H, oh)
        for j in range(ow):
            w0, w1, b = coord(j, W, ow)
            y[:, i, j] = ((1 - a) * (1 - b) * x[:, h0, w0] + (1 - a) * b * x[:, h0, w1]
                          + a * (1 - b) * x[:, h1, w0] + a * b * x[:, h1, w1])
    return y


def pool1d_ref(x, k, s, padding, kind):
    N, T, C = x.shape
    p0, p1 = same_pads(T, k, s) if padding == "same" else (0, 0)
    O = (T + p0 + p1 - k) // s + 1
    y = np.zeros((N, O, C))
    for o in range(O):
        lo, hi = max(o * s - p0, 0), min(o * s - p0 + k, T)
        win = x[:, lo:hi]
        y[:, o] = win.max(axis=1) if kind == "max" else win.mean(axis=1)
    return y


def _spread(x, gap=0.05):
    """Keep finite differences away from kinks and ties."""
    x = np.array(x)
    x[np.abs(x) < gap] += 3 * gap
    return x


# ---- convolution family ----------------------------------------------------------------------
@pytest.mark.parametrize("padding,strides,dilation", [("valid", 1, 1), ("same", 2, 1),
                                                      ("causal", 1, 2), ("same", 1, 2)])
def test_conv1d(padding, strides, dilation, backend, rng):
    layer = L.Conv1D(3, 3, strides=strides, padding=padding, dilation_rate=dilation,
                     bias_initializer="random_normal")
    x = rng.standard_normal((2, 7, 2))

    def ref(x, ws):
        w, b = ws
        e = 2 * dilation + 1
        if padding == "causal":
            pads = ((0, 0), (e - 1, 0))
        elif padding == "same":
            pads = ((0, 0), same_pads(7, 3, strides, dilation))
        else:
            pads = ((0, 0), (0, 0))
        return conv2d_ref(x[:, None], w[None], (1, strides), pads, (1, dilation))[:, 0] + b
    check_layer(layer, x, ref, rng)


def test_conv1d_channels_first_relu(backend, rng):
    layer = L.Conv1D(3, 2, data_format="channels_first", activation="relu",
                     bias_initializer="random_normal")
    x = rng.standard_normal((2, 2, 6))

    def ref(x, ws):
        w, b = ws
        y = conv2d_ref(np.transpose(x, (0, 2, 1))[:, None], w[None])[:, 0] + b
        return np.transpose(np.maximum(y, 0), (0, 2, 1))
    check_layer(layer, x, ref, rng)


@pytest.mark.parametrize("kw", [dict(kernel_size=3, strides=2, padding="valid"),
                                dict(kernel_size=3, strides=2, padding="same"),
                                dict(kernel_size=4, strides=2, padding="same"),
                                dict(kernel_size=3, strides=2, padding="valid", output_padding=1),
                                dict(kernel_size=2, strides=1, padding="valid", dilation_rate=2),
                                dict(kernel_size=(3, 2), strides=(1, 2), padding="same",
                                     data_format="channels_first")])
def test_conv2d_transpose(kw, backend, rng):
    layer = L.Conv2DTranspose(2, bias_initializer="random_normal", **kw)
    cf = kw.get("data_format") == "channels_first"
    x = rng.standard_normal((2, 3, 3, 4) if not cf else (2, 4, 3, 3))
    out = layer.compute_output_shape((None,) + x.shape[1:])
    out_hw = out[1:3] if not cf else out[2:4]
    k = layer.kernel_size

    def ref(x, ws):
        w, b = ws
        xl = np.transpose(x, (0, 2, 3, 1)) if cf else x
        y = conv_transpose_ref(xl, w, out_hw, layer.strides, layer.padding, layer.dilation_rate) + b
        return np.transpose(y, (0, 3, 1, 2)) if cf else y
    y = check_layer(layer, x, ref, rng)
    assert y.shape[1:] == out[1:] and w_shape_ok(layer, k, x, cf)


def test_conv2d_transpose_random(rng):
    """Seeded random Conv2DTranspose layers on the strided backward-data path (Note [strided
    backward data] in csrc/cpu/conv_direct.cpp): strides 2 and 3, output_padding, 'same'/'valid',
    odd sizes, batch 1, one channel in or out; forward and gradients (x, kernel, bias) against the
    scatter reference and finite differences."""
    g = np.random.default_rng(2026)
    for i in range(6):
        s = int(g.choice([2, 3]))
        k = int(g.integers(1, 5))
        padding = ["valid", "same"][i % 2]
        op = int(g.integers(0, s)) if padding == "valid" and i % 3 else None
        filters = [1, 3, 9][i % 3]
        cin = [2, 1, 5][(i // 2) % 3]
        x = rng.standard_normal((1 if i % 2 else 2, int(g.integers(1, 5)), int(g.integers(1, 5)), cin))
        layer = L.Conv2DTranspose(filters, k, strides=s, padding=padding, output_padding=op,
                                  bias_initializer="random_normal")
        out = layer.compute_output_shape((None,) + x.shape[1:])

        def ref(x, ws):
            w, b = ws
            return conv_transpose_ref(x, w, out[1:3], layer.strides, layer.padding) + b
        y = check_layer(layer, x, ref, rng)
        assert y.shape[1:] == out[1:], (i, y.shape, out)


def test_conv2d_transpose_wide_kernel_gradient(rng):
    """Conv2DTranspose layers with >= 64 filters, whose kernel gradient runs tap by tap (Note
    [weight gradient by taps] in csrc/cpu/conv_wgrad_taps.cpp): strides 2 and 3, kernels 2..5,
    output_padding, odd sizes, channels_first. Forward against the scatter reference; the
    gradients of sum(y * R) with respect to x, the kernel and the bias against central finite
    differences of the reference along random directions (the kernel has 64 * C * KH * KW
    entries: directional derivatives instead of one per entry)."""
    g = np.random.default_rng(2030)
    cfgs = [dict(filters=64, kernel_size=4, strides=2, padding="same"),
            dict(filters=70, kernel_size=3, strides=3, padding="valid", output_padding=1),
            dict(filters=64, kernel_size=(5, 2), strides=(2, 3), padding="same"),
            dict(filters=65, kernel_size=2, strides=2, padding="valid", data_format="channels_first"),
            dict(filters=64, kernel_size=3, strides=2, padding="valid", output_padding=0)]
    for kw in cfgs:
        cf = kw.get("data_format") == "channels_first"
        shape = (int(g.integers(1, 4)), int(g.integers(1, 6)), int(g.integers(1, 6)), int(g.integers(1, 7)))
        check_transpose_layer(kw, rng.standard_normal(shape if not cf else (shape[0], shape[3], shape[1], shape[2])), rng)


def test_conv2d_transpose_phases(rng):
    """Conv2DTranspose layers whose three passes run as Winograd convolutions of the phase grids
    (Note [strided layers by phases] in csrc/cpu/conv_phases.cpp: >= 16 channels each way, kernel
    2..4 times the stride, grids where Winograd pays): strides 2 and 3, mixed (2, 3),
    output_padding, 'same' / 'valid', odd sizes, batch 1, channels_first; forward against the
    scatter reference, gradients against central differences along random directions."""
    cfgs = [(dict(filters=32, kernel_size=4, strides=2, padding="same"), (2, 12, 11, 20)),
            (dict(filters=16, kernel_size=6, strides=3, padding="valid", output_padding=2), (1, 10, 9, 17)),
            (dict(filters=17, kernel_size=(4, 9), strides=(2, 3), padding="same"), (1, 11, 13, 16)),
            (dict(filters=20, kernel_size=4, strides=2, padding="valid", output_padding=1,
                  data_format="channels_first"), (1, 10, 12, 24)),
            (dict(filters=24, kernel_size=8, strides=2, padding="same"), (1, 9, 10, 33))]
    for kw, shape in cfgs:
        cf = kw.get("data_format") == "channels_first"
        check_transpose_layer(kw, rng.standard_normal(shape if not cf else (shape[0], shape[3], shape[1], shape[2])), rng)


def test_conv2d_transpose_tile8(rng):
    """Conv2DTranspose layers on 6..7-pixel inputs with kernel = 2 * stride: with >= 16 channels
    each way their passes run F(7, 2) on 8x8 tiles (Note [Winograd 8x8 tiles] in
    csrc/cpu/conv_winograd_tiles.h), with 1 or 3 channels the direct kernels: strides 2 / 3 / (2, 3),
    output_padding, 'same' / 'valid', batch 1, channels_first."""
    cfgs = [(dict(filters=16, kernel_size=4, strides=2, padding="same"), (1, 7, 7, 20)),
            (dict(filters=17, kernel_size=4, strides=2, padding="valid", output_padding=1,
                  data_format="channels_first"), (2, 6, 7, 17)),
            (dict(filters=16, kernel_size=6, strides=3, padding="same"), (1, 7, 6, 16)),
            (dict(filters=20, kernel_size=(4, 6), strides=(2, 3), padding="valid"), (1, 7, 7, 16)),
            (dict(filters=3, kernel_size=4, strides=2, padding="same"), (1, 7, 7, 1)),
            (dict(filters=1, kernel_size=4, strides=2, padding="valid", output_padding=1), (2, 7, 6, 3))]
    for kw, shape in cfgs:
        cf = kw.get("data_format") == "channels_first"
        check_transpose_layer(kw, rng.standard_normal(shape if not cf else (shape[0], shape[3], shape[1], shape[2])), rng)


def check_transpose_layer(kw, x, rng):
    """A Conv2DTranspose(**kw) layer on x: forward against the scatter reference; the gradients
    of sum(y * R) with respect to x, the kernel and the bias against central finite differences
    of the reference along random directions."""
    cf = kw.get("data_format") == "channels_first"
    layer = L.Conv2DTranspose(bias_initializer="random_normal", **kw)
    out = layer.compute_output_shape((None,) + x.shape[1:])
    out_hw = out[1:3] if not cf else out[2:4]

    def ref(x, ws):
        w, b = ws
        xl = np.transpose(x, (0, 2, 3, 1)) if cf else x
        y = conv_transpose_ref(xl, w, out_hw, layer.strides, layer.padding) + b
        return np.transpose(y, (0, 3, 1, 2)) if cf else y
    xt = Tensor(x.astype(np.float32), requires_grad=True)
    y = layer(xt)
    ws64 = [w.astype(np.float64) for w in layer.get_weights()]
    x64 = xt.numpy().astype(np.float64)
    y_ref = ref(x64, ws64)
    assert y.shape == y_ref.shape == (x.shape[0],) + tuple(out[1:]), (kw, y.shape, y_ref.shape, out)
    assert np.abs(y.numpy() - y_ref).max() <= 1e-4 * max(1.0, np.abs(y_ref).max()), kw
    R_ = rng.standard_normal(y_ref.shape)
    (y * R_.astype(np.float32)).sum().backward()
    grads = [np.asarray(t.grad) for t in (xt, layer.kernel, layer.bias)]

    def f(x_, ws_):
        return float((ref(x_, ws_) * R_).sum())
    for which, grad in enumerate(grads):
        for _ in range(3):
            v = rng.standard_normal(grad.shape)
            eps = 1e-3
            if which == 0:
                num = (f(x64 + eps * v, ws64) - f(x64 - eps * v, ws64)) / (2 * eps)
            else:
                up = [w + (eps * v if j == which - 1 else 0) for j, w in enumerate(ws64)]
                dn = [w - (eps * v if j == which - 1 else 0) for j, w in enumerate(ws64)]
                num = (f(x64, up) - f(x64, dn)) / (2 * eps)
            got = float((grad.astype(np.float64) * v).sum())
            assert abs(got - num) <= 1e-4 * np.abs(grad * v).sum() + 1e-6, (kw, which, got, num)


def w_shape_ok(layer, k, x, cf):
    return layer.kernel.shape == tuple(k) + (2, x.shape[1] if cf else x.shape[-1])


@pytest.mark.parametrize("kw", [dict(kernel_size=3, padding="same", depth_multiplier=2),
                                dict(kernel_size=(2, 3), strides=2),
                                dict(kernel_size=2, data_format="channels_first")])
def test_depthwise_conv2d(kw, backend, rng):
    layer = L.DepthwiseConv2D(bias_initializer="random_normal", **kw)
    cf = kw.get("data_format") == "channels_first"
    x = rng.standard_normal((2, 3, 5, 4) if cf else (2, 5, 4, 3))

    def ref(x, ws):
        w, b = ws
        xl = np.transpose(x, (0, 2, 3, 1)) if cf else x
        KH, KW = w.shape[:2]
        s = layer.strides
        pads = ((same_pads(xl.shape[1], KH, s[0]), same_pads(xl.shape[2], KW, s[1]))
                if layer.padding == "same" else ((0, 0), (0, 0)))
        y = depthwise_ref(xl, w, s, pads) + b
        return np.transpose(y, (0, 3, 1, 2)) if cf else y
    check_layer(layer, x, ref, rng)


def test_separable_conv2d(backend, rng):
    layer = L.SeparableConv2D(4, 3, depth_multiplier=2, padding="same", activation="relu",
                              bias_initializer="random_normal")
    x = rng.standard_normal((2, 5, 4, 3))

    def ref(x, ws):
        dw, pw, b = ws
        y = depthwise_ref(x, dw, (1, 1), (same_pads(5, 3, 1), same_pads(4, 3, 1)))
        return np.maximum(np.einsum("nhwc,cf->nhwf", y, pw[0, 0]) + b, 0)
    check_layer(layer, x, ref, rng)
    assert [w.shape for w in layer.get_weights()] == [(3, 3, 3, 2), (1, 1, 6, 4), (4,)]


@pytest.mark.parametrize("interp,cf", [("nearest", False), ("bilinear", False), ("nearest", True)])
def test_upsampling2d(interp, cf, backend, rng):
    layer = L.UpSampling2D((2, 3), interpolation=interp,
                           data_format="channels_first" if cf else "channels_last")
    x = rng.standard_normal((2, 3, 4, 2))

    def ref(x, ws):
        xl = np.transpose(x, (0, 2, 3, 1)) if cf else x
        if interp == "nearest":
            y = np.repeat(np.repeat(xl, 2, axis=1), 3, axis=2)
        else:
            y = bilinear_ref(xl, xl.shape[1] * 2, xl.shape[2] * 3)
        return np.transpose(y, (0, 3, 1, 2)) if cf else y
    check_layer(layer, x, ref, rng)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.complex64, np.bool_])
def test_pad_op_matches_numpy_pad(dtype, rng):
    """ops.pad writes x into an uninitialized array and zeroes only the borders: every border
    cell is zero whatever the memory held before (a freed block of the same size, all bits set:
    NaN, -1 or True)."""
    from tensorforge import ops
    for shape, pads in [((2, 5, 6, 3), ((0, 0), (1, 0), (2, 3), (0, 0))),
                        ((3, 4), ((2, 2), (0, 1))), ((2, 0, 3), ((1, 1), (1, 2), (0, 0))),
                        ((4,), ((0, 0),)), ((1, 2, 2, 1, 2), ((1, 1),) * 5)]:
        x = (rng.standard_normal(shape) * 3).astype(dtype)
        want = np.pad(x, pads)
        dirty = np.full(want.nbytes, 0xFF, np.uint8)  # the output's size, freed: likely reused
        del dirty
        got = ops.pad(x, pads)
        got = got.data if isinstance(got, Tensor) else got
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


def test_upsampling1d_padding_cropping(backend, rng):
    x = rng.standard_normal((2, 5, 3))
    check_layer(L.UpSampling1D(3), x, lambda x, ws: np.repeat(x, 3, axis=1), rng)
    check_layer(L.ZeroPadding1D((1, 2)), x,
                lambda x, ws: np.pad(x, ((0, 0), (1, 2), (0, 0))), rng)
    check_layer(L.Cropping1D((2, 1)), x, lambda x, ws: x[:, 2:4], rng)
    x4 = rng.standard_normal((2, 4, 5, 3))
    check_layer(L.ZeroPadding2D(((1, 0), (2, 3))), x4,
                lambda x, ws: np.pad(x, ((0, 0), (1, 0), (2, 3), (0, 0))), rng)
    check_layer(L.ZeroPadding2D(1, data_format="channels_first"), x4,
                lambda x, ws: np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))), rng)
    check_layer(L.Cropping2D(((1, 1), (0, 2))), x4, lambda x, ws: x[:, 1:3, 0:3], rng)
    check_layer(L.Cropping2D(1, data_format="channels_first"), x4,
                lambda x, ws: x[:, :, 1:4, 1:2], rng)


@pytest.mark.parametrize("cls,kind", [(L.MaxPooling1D, "max"), (L.AveragePooling1D, "avg")])
@pytest.mark.parametrize("k,s,padding", [(2, None, "valid"), (3, 2, "same"), (3, 1, "valid")])
def test_pool1d(cls, kind, k, s, padding, backend, rng):
    x = _spread(rng.standard_normal((2, 7, 3)))
    layer = cls(k, strides=s, padding=padding)
    check_layer(layer, x, lambda x, ws: pool1d_ref(x, k, s or k, padding, kind), rng)


def test_pool1d_channels_first(backend, rng):
    x = _spread(rng.standard_normal((2, 3, 6)))
    layer = L.MaxPooling1D(2, data_format="channels_first")
    check_layer(layer, x, lambda x, ws: np.transpose(
        pool1d_ref(np.transpose(x, (0, 2, 1)), 2, 2, "valid", "max"), (0, 2, 1)), rng)


def test_global_pools(backend, rng):
    x3 = _spread(rng.standard_normal((2, 5, 3)))
    x4 = _spread(rng.standard_normal((2, 4, 3, 3)))
    check_layer(L.GlobalMaxPooling1D(), x3, lambda x, ws: x.max(axis=1), rng)
    check_layer(L.GlobalMaxPooling1D(data_format="channels_first"), x3,
                lambda x, ws: x.max(axis=2), rng)
    check_layer(L.GlobalMaxPooling2D(), x4, lambda x, ws: x.max(axis=(1, 2)), rng)
    check_layer(L.GlobalMaxPooling2D(keepdims=True), x4,
                lambda x, ws: x.max(axis=(1, 2), keepdims=True), rng)
    check_layer(L.GlobalAveragePooling1D(), x3, lambda x, ws: x.mean(axis=1), rng)
    mask = np.array([[1, 1, 0, 1, 0], [0, 1, 1, 1, 1]], dtype=bool)
    check_layer(L.GlobalAveragePooling1D(), x3, lambda x, ws: (x * mask[..., None]).sum(1)
                / mask.sum(1, keepdims=True), rng, mask=mask)


# ---- core ----------------------------------------------------------------------------------
def test_repeat_permute_masking(backend, rng):
    check_layer(L.RepeatVector(3), rng.standard_normal((2, 4)),
                lambda x, ws: np.repeat(x[:, None], 3, axis=1), rng)
    check_layer(L.Permute((3, 1, 2)), rng.standard_normal((2, 3, 4, 5)),
                lambda x, ws: np.transpose(x, (0, 3, 1, 2)), rng)
    x = rng.standard_normal((2, 4, 3))
    x[0, 1] = 0.0
    x[1, 3] = 0.0
    layer = L.Masking()
    keep = (x != 0).any(-1, keepdims=True)
    # forward only: a finite difference at a masked (all-zero) step would unmask it
    xt = Tensor(x.astype(np.float32), requires_grad=True)
    y = layer(xt)
    np.testing.assert_array_equal(y.numpy(), (x * keep).astype(np.float32))
    y.sum().backward()
    np.testing.assert_array_equal(xt.grad, np.broadcast_to(keep, x.shape).astype(np.float32))
    np.testing.assert_array_equal(np.asarray(layer.compute_mask(y)),
                                  [[True, False, True, True], [True, True, True, False]])


def test_masking_feeds_lstm_like_a_shorter_sequence(backend, rng):
    x = rng.standard_normal((2, 5, 3)).astype(np.float32)
    x[:, 3:] = 0.0  # padded tail
    from tensorforge.models import Sequential
    model = Sequential([L.Masking(input_shape=(5, 3)), L.LSTM(4)])
    y = model.predict(x)
    lstm = model.layers[1]
    y_short = lstm(x[:, :3]).numpy()
    np.testing.assert_allclose(y, y_short, rtol=1e-5, atol=1e-6)


def test_layer_normalization(backend, rng):
    def ln(x, axes, g, b, eps=1e-3):
        m = x.mean(axis=axes, keepdims=True)
        v = ((x - m) ** 2).mean(axis=axes, keepdims=True)
        return (x - m) / np.sqrt(v + eps) * g + b
    layer = L.LayerNormalization(gamma_initializer="random_normal", beta_initializer="random_normal")
    check_layer(layer, rng.standard_normal((3, 5)), lambda x, ws: ln(x, (1,), *ws), rng)
    layer = L.LayerNormalization(axis=[1, 2], gamma_initializer="random_normal",
                                 beta_initializer="random_normal")
    check_layer(layer, rng.standard_normal((2, 3, 4)), lambda x, ws: ln(x, (1, 2), *ws), rng)
    layer = L.LayerNormalization(axis=1, center=False, gamma_initializer="random_normal")
    check_layer(layer, rng.standard_normal((2, 3, 4)),
                lambda x, ws: ln(x, (1,), ws[0][:, None], 0.0), rng)


def test_batch_normalization_axis1_training(backend, rng):
    layer = L.BatchNormalization(axis=1, gamma_initializer="random_normal",
                                 beta_initializer="random_normal")
    x = rng.standard_normal((4, 3, 2, 2))

    def ref(x, ws):
        g, b = ws[0][None, :, None, None], ws[1][None, :, None, None]
        m = x.mean(axis=(0, 2, 3), keepdims=True)
        v = x.var(axis=(0, 2, 3), keepdims=True)
        return (x - m) / np.sqrt(v + 1e-3) * g + b
    check_layer(layer, x, ref, rng, training=True)
    assert [w.shape for w in layer.get_weights()] == [(3,)] * 4


@pytest.mark.parametrize("layer,fn", [
    (lambda: L.ReLU(), lambda x: np.maximum(x, 0)),
    (lambda: L.ReLU(max_value=0.8), lambda x: np.clip(x, 0, 0.8)),
    (lambda: L.ReLU(negative_slope=0.1, threshold=0.3),
     lambda x: np.where(x > 0.3, x, 0.1 * (x - 0.3))),
    (lambda: L.ELU(alpha=0.5), lambda x: np.where(x > 0, x, 0.5 * np.expm1(np.minimum(x, 0)))),
    (lambda: L.ThresholdedReLU(theta=0.5), lambda x: np.where(x > 0.5, x, 0)),
    (lambda: L.Softmax(axis=1),
     lambda x: np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)),
], ids=["relu", "relu6ish", "relu_slope_threshold", "elu", "thresholded", "softmax_axis1"])
def test_activation_layers(layer, fn, backend, rng):
    x = rng.standard_normal((3, 4, 5))
    for kink in (0.0, 0.3, 0.5, 0.8):
        x[np.abs(x - kink) < 0.03] += 0.1
    check_layer(layer(), x, lambda x, ws: fn(x), rng)


@pytest.mark.parametrize("shared_axes", [None, [1, 2]])
def test_prelu(shared_axes, backend, rng):
    layer = L.PReLU(alpha_initializer="random_uniform", shared_axes=shared_axes)
    x = _spread(rng.standard_normal((2, 3, 4, 2)))
    check_layer(layer, x, lambda x, ws: np.where(x > 0, x, ws[0] * x), rng)
    assert layer.alpha.shape == ((3, 4, 2) if shared_axes is None else (1, 1, 2))


def test_time_distributed(backend, rng):
    layer = L.TimeDistributed(L.Dense(3, bias_initializer="random_normal"))
    x = rng.standard_normal((2, 4, 5))
    check_layer(layer, x, lambda x, ws: x @ ws[0] + ws[1], rng)
    assert layer.compute_output_shape((None, 4, 5)) == (None, 4, 3)
    conv = L.TimeDistributed(L.Conv2D(2, 3, bias_initializer="random_normal"))
    x = rng.standard_normal((2, 3, 5, 5, 1))
    check_layer(conv, x, lambda x, ws: np.stack(
        [conv2d_ref(x[:, t], ws[0]) + ws[1] for t in range(3)], axis=1), rng)


# ---- noise and regularization ---------------------------------------------------------------
def test_noise_layers_are_identity_in_inference(backend, rng):
    x = rng.standard_normal((4, 6)).astype(np.float32)
    for layer in (L.GaussianNoise(0.5), L.GaussianDropout(0.3), L.AlphaDropout(0.3),
                  L.SpatialDropout1D(0.5), L.SpatialDropout2D(0.5)):
        xin = x.reshape(4, 3, 2) if isinstance(layer, L.SpatialDropout1D) else x
        if isinstance(layer, L.SpatialDropout2D):
            xin = x.reshape(4, 3, 1, 2)
        np.testing.assert_array_equal(layer(xin).numpy(), xin)


def test_noise_statistics_in_training(backend, rng):
    x = np.ones((200, 500), dtype=np.float32)
    y = L.GaussianNoise(0.5)(x, training=True).numpy() - 1
    assert abs(y.mean()) < 0.01 and abs(y.std() - 0.5) < 0.01
    y = L.GaussianDropout(0.2)(x, training=True).numpy()
    assert abs(y.mean() - 1) < 0.01 and abs(y.std() - np.sqrt(0.2 / 0.8)) < 0.01
    z = rng.standard_normal((200, 500)).astype(np.float32)  # SELU-normalized activations
    y = L.AlphaDropout(0.2)(z, training=True).numpy()
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1) < 0.02
    alpha_p = -1.6732632423543772 * 1.0507009873554805
    a = ((1 - 0.2) * (1 + 0.2 * alpha_p ** 2)) ** -0.5
    dropped = np.isclose(y, a * alpha_p - a * alpha_p * 0.2, atol=1e-5)
    assert abs(dropped.mean() - 0.2) < 0.01


def test_noise_gradient_is_the_noise(backend):
    x = Tensor(np.ones((3, 4), dtype=np.float32), requires_grad=True)
    y = L.GaussianDropout(0.3)(x, training=True)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, y.numpy(), rtol=1e-6)  # y = x * noise with x = 1


@pytest.mark.parametrize("layer,shape,axes", [(L.SpatialDropout1D, (8, 6, 5), (1,)),
                                              (L.SpatialDropout2D, (8, 3, 4, 5), (1, 2)),
                                              (L.SpatialDropout3D, (8, 2, 3, 2, 5), (1, 2, 3))])
def test_spatial_dropout_drops_whole_channels(layer, shape, axes, backend):
    y = layer(0.5)(np.ones(shape, dtype=np.float32), training=True).numpy()
    lo, hi = y.min(axis=axes), y.max(axis=axes)
    np.testing.assert_array_equal(lo, hi)  # constant over the spatial axes
    assert set(np.unique(lo)) <= {0.0, 2.0} and 0.3 < (lo == 0).mean() < 0.7


def test_activity_regularization_adds_its_loss(backend, rng):
    layer = L.ActivityRegularization(l1=0.01, l2=0.1)
    x = rng.standard_normal((4, 3)).astype(np.float32)
    np.testing.assert_array_equal(layer(x).numpy(), x)
    (loss,) = layer.losses
    want = (0.01 * np.abs(x).sum() + 0.1 * (x ** 2).sum()) / 4
    np.testing.assert_allclose(float(loss.numpy()), want, rtol=1e-5)


# ---- recurrent features ----------------------------------------------------------------------
@pytest.mark.parametrize("cls", [L.LSTM, L.GRU, L.SimpleRNN])
def test_unfused_step_path_equals_fused(cls, backend, rng):
    """recurrent_dropout's step loop with a negligible rate gives the fused kernel's outputs and
    gradients (masks, go_backwards and initial states included)."""
    x = rng.standard_normal((3, 5, 4)).astype(np.float32)
    mask = np.ones((3, 5), dtype=bool)
    mask[0, 3:] = False
    mask[1, :2] = False
    for go_back in (False, True):
        layer = cls(6, return_sequences=True, return_state=True, go_backwards=go_back,
                    bias_initializer="random_normal")
        h0 = rng.standard_normal((3, 6)).astype(np.float32)
        results = []
        for rate in (0.0, 1e-12):
            layer.recurrent_dropout = rate
            xt = Tensor(x, requires_grad=True)
            outs = layer(xt, training=True, mask=mask, initial_state=[h0] * layer._n_states)
            loss = outs[0].sum() + (outs[1] * outs[1]).sum()
            loss.backward()
            results.append([o.numpy().copy() for o in outs] + [xt.grad.copy()]
                           + [w.grad.copy() for w in layer.weights])
            for w in layer.weights:
                w.grad = None
        for a, b in zip(*results):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_lstm_recurrent_dropout_masks_match_keras_formula(backend, monkeypatch, rng):
    """With the dropout masks fixed, the step loop is Keras 2's LSTMCell (implementation 1):
    gate g reads (x * dp_mask[g]) @ W_g + (h * rec_dp_mask[g]) @ U_g + b_g."""
    n, T, F, U = 2, 4, 3, 5
    masks = {F: [rng.integers(0, 2, (n, F)) * 2.0 for _ in range(4)],
             U: [rng.integers(0, 2, (n, U)) * 2.0 for _ in range(4)]}
    drawn = {F: iter(masks[F]), U: iter(masks[U])}

    def fake_dropout(ones, rate, training=True, seed=None):
        return ones * next(drawn[ones.shape[1]]).astype(np.float32)
    monkeypatch.setattr(R._ops, "dropout", fake_dropout)
    layer = L.LSTM(U, dropout=0.5, recurrent_dropout=0.5, return_sequences=True,
                   bias_initializer="random_normal")
    x = rng.standard_normal((n, T, F)).astype(np.float32)
    y = layer(x, training=True).numpy()
    W, Uk, b = (w.astype(np.float64) for w in layer.get_weights())
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    h = c = np.zeros((n, U))
    want = []
    for t in range(T):
        pre = [(x[:, t] * masks[F][g]) @ W[:, g * U:(g + 1) * U]
               + (h * masks[U][g]) @ Uk[:, g * U:(g + 1) * U] + b[g * U:(g + 1) * U]
               for g in range(4)]
        c = sig(pre[1]) * c + sig(pre[0]) * np.tanh(pre[2])
        h = sig(pre[3]) * np.tanh(c)
        want.append(h)
    np.testing.assert_allclose(y, np.stack(want, axis=1), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cls", [L.LSTM, L.GRU, L.SimpleRNN])
def test_stateful_carries_states_between_batches(cls, backend, rng):
    x = rng.standard_normal((2, 6, 3)).astype(np.float32)
    layer = cls(4, stateful=True, return_sequences=True)
    whole = cls.from_config(dict(layer.get_config(), stateful=False, name=None))
    first = layer(x[:, :3]).numpy()
    whole(x[:, :1])
    whole.set_weights(layer.get_weights())
    second = layer(x[:, 3:]).numpy()
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole(x).numpy(),
                               rtol=1e-5, atol=1e-6)
    layer.reset_states()
    np.testing.assert_allclose(layer(x[:, :3]).numpy(), first, rtol=1e-6)
    with pytest.raises(ValueError, match="batch size"):
        layer(x[:1, :3])
    assert layer.get_config()["stateful"] is True


def test_seq2seq_encoder_states_start_the_decoder(backend, rng):
    enc = L.LSTM(5, return_state=True)
    dec = L.LSTM(5, return_sequences=True, return_state=True)
    xe = Tensor(rng.standard_normal((2, 4, 3)).astype(np.float32))
    xd = rng.standard_normal((2, 3, 2)).astype(np.float32)
    with enable_grad():  # Note [eager calls record nothing]: grad mode asked for
        _, h, c = enc(xe)
        y, hd, cd = dec(xd, initial_state=[h, c])
    plain = dec(xd)[0].numpy()
    assert not np.allclose(y.numpy(), plain)
    y.sum().backward()
    assert enc.kernel.grad is not None and np.abs(enc.kernel.grad).sum() > 0
    with pytest.raises(ValueError, match="initial_state"):
        dec(xd, initial_state=[h])


def test_bad_arguments_name_the_layer():
    with pytest.raises(ValueError, match="Conv1D: padding"):
        L.Conv1D(2, 3, padding="full")
    with pytest.raises(ValueError, match="Conv2DTranspose: output_padding"):
        L.Conv2DTranspose(2, 3, strides=2, output_padding=2)
    with pytest.raises(ValueError, match="Permute: dims"):
        L.Permute((1, 3))
    with pytest.raises(ValueError, match="UpSampling2D: interpolation"):
        L.UpSampling2D(interpolation="cubic")
    with pytest.raises(ValueError, match="recurrent_dropout"):
        L.LSTM(3, recurrent_dropout=1.5)
    with pytest.raises(ValueError, match="cropping"):
        L.Cropping1D((3, 3))(np.zeros((1, 5, 2), np.float32))
    with pytest.raises(ValueError, match="conv2d_transpose: output_size"):
        from tensorforge import ops
        ops.conv2d_transpose(np.zeros((1, 3, 3, 2), np.float32), np.zeros((3, 3, 1, 2), np.float32),
                             output_size=(9, 9), strides=2)


def test_functional_seq2seq_trains(backend, rng):
    """The Keras 2 seq2seq pattern: encoder LSTM(return_state=True), decoder LSTM started from
    its [h, c] through initial_state, in the functional API; fit lowers the loss and the
    encoder's weights receive gradients."""
    import tensorforge as tf
    enc_in = L.Input(shape=(None, 4))
    _, h, c = L.LSTM(8, return_state=True)(enc_in)
    dec_in = L.Input(shape=(None, 3))
    dec_seq, _, _ = L.LSTM(8, return_sequences=True, return_state=True)(dec_in, initial_state=[h, c])
    out = L.Dense(3, activation="softmax")(dec_seq)
    model = tf.models.Model([enc_in, dec_in], out)
    model.compile("adam", "categorical_crossentropy")
    xe = rng.standard_normal((16, 5, 4)).astype(np.float32)
    xd = rng.standard_normal((16, 6, 3)).astype(np.float32)
    labels = (xe[:, :, 0].sum(1) > 0).astype(int)  # the decoder must read the encoder's state
    y = np.repeat(np.eye(3, dtype=np.float32)[labels][:, None], 6, axis=1)
    enc = [l for l in model.layers if isinstance(l, L.LSTM)][0]
    enc_kernel = enc.get_weights()[0].copy()
    hist = model.fit([xe, xd], y, epochs=15, batch_size=16, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    assert not np.allclose(enc.get_weights()[0], enc_kernel)


def test_stateful_sequential_and_reset_states(backend, rng):
    import tensorforge as tf
    x = rng.standard_normal((4, 6, 3)).astype(np.float32)
    model = tf.models.Sequential([L.LSTM(5, stateful=True, batch_input_shape=(4, 3, 3)),
                                  L.Dense(1)])
    a = model.predict(x[:, :3], batch_size=4)
    b = model.predict(x[:, :3], batch_size=4)
    assert not np.allclose(a, b)  # the second batch starts from the first one's states
    model.reset_states()
    np.testing.assert_allclose(model.predict(x[:, :3], batch_size=4), a, rtol=1e-6)


def test_conv_lstm2d(backend, rng):
    layer = L.ConvLSTM2D(2, 2, return_sequences=True, bias_initializer="random_normal")
    x = rng.standard_normal((1, 2, 4, 4, 2)) * 0.5
    hs = lambda z: np.clip(0.2 * z + 0.5, 0, 1)  # noqa: E731  Keras 2's hard_sigmoid

    def ref(x, ws):
        k, rk, b = ws
        F = 2
        h = c = np.zeros((1, 3, 3, F))
        out = []
        for t in range(2):
            z = conv2d_ref(x[:, t], k) + b + conv2d_ref(h, rk, pads=((0, 1), (0, 1)))
            i, f, o = hs(z[..., :F]), hs(z[..., F:2 * F]), hs(z[..., 3 * F:])
            c = f * c + i * np.tanh(z[..., 2 * F:3 * F])
            h = o * np.tanh(c)
            out.append(h)
        return np.stack(out, axis=1)
    check_layer(layer, x, ref, rng)
    assert [w.shape for w in layer.get_weights()] == [(2, 2, 2, 8), (2, 2, 2, 8), (8,)]


@pytest.mark.parametrize("kw", [dict(kernel_size=2, strides=(2, 1, 1)),
                                dict(kernel_size=(3, 2, 2), padding="same",
                                     data_format="channels_first")])
def test_conv3d(kw, backend, rng):
    layer = L.Conv3D(2, bias_initializer="random_normal", **kw)
    cf = kw.get("data_format") == "channels_first"
    x = rng.standard_normal((1, 2, 4, 3, 3) if cf else (1, 4, 3, 3, 2))

    def ref(x, ws):
        w, b = ws
        xl = np.transpose(x, (0, 2, 3, 4, 1)) if cf else x
        KD, KH, KW = w.shape[:3]
        s = layer.strides
        if layer.padding == "same":
            xl = np.pad(xl, ((0, 0), same_pads(xl.shape[1], KD, s[0]), (0, 0), (0, 0), (0, 0)))
            pads = (same_pads(xl.shape[2], KH, s[1]), same_pads(xl.shape[3], KW, s[2]))
        else:
            pads = ((0, 0), (0, 0))
        OD = (xl.shape[1] - KD) // s[0] + 1
        y = np.stack([sum(conv2d_ref(xl[:, d * s[0] + t], w[t], s[1:], pads) for t in range(KD))
                      for d in range(OD)], axis=1) + b
        return np.transpose(y, (0, 4, 1, 2, 3)) if cf else y
    check_layer(layer, x, ref, rng)


def test_3d_family(backend, rng):
    x = _spread(rng.standard_normal((1, 4, 3, 4, 2)))

    def pool3d(x, kind):  # 2x2x2 valid windows, one at a time
        N, D, H, W, C = x.shape
        y = np.zeros((N, D // 2, H // 2, W // 2, C))
        for d in range(D // 2):
            for h in range(H // 2):
                for w in range(W // 2):
                    win = x[:, 2 * d:2 * d + 2, 2 * h:2 * h + 2, 2 * w:2 * w + 2]
                    y[:, d, h, w] = win.max(axis=(1, 2, 3)) if kind == "max" else win.mean(axis=(1, 2, 3))
        return y
    check_layer(L.MaxPooling3D(), x, lambda x, ws: pool3d(x, "max"), rng)
    check_layer(L.AveragePooling3D(), x, lambda x, ws: pool3d(x, "avg"), rng)
    check_layer(L.GlobalMaxPooling3D(), x, lambda x, ws: x.max(axis=(1, 2, 3)), rng)
    check_layer(L.GlobalAveragePooling3D(), x, lambda x, ws: x.mean(axis=(1, 2, 3)), rng)
    check_layer(L.UpSampling3D((2, 1, 3)), x, lambda x, ws: np.repeat(np.repeat(x, 2, axis=1),
                                                                        3, axis=3), rng)
    check_layer(L.ZeroPadding3D(((1, 0), (0, 2), (1, 1))), x,
                lambda x, ws: np.pad(x, ((0, 0), (1, 0), (0, 2), (1, 1), (0, 0))), rng)
    check_layer(L.Cropping3D(((1, 0), (0, 1), (1, 1))), x, lambda x, ws: x[:, 1:, :2, 1:3], rng)


def test_separable_and_depthwise_conv1d(backend, rng):
    x = rng.standard_normal((2, 7, 3))
    layer = L.SeparableConv1D(2, 3, padding="causal", depth_multiplier=2,
                              bias_initializer="random_normal")

    def ref(x, ws):
        dw, pw, b = ws
        y = depthwise_ref(np.pad(x, ((0, 0), (2, 0), (0, 0)))[:, None], dw[None])[:, 0]
        return y @ pw[0] + b
    check_layer(layer, x, ref, rng)
    layer = L.DepthwiseConv1D(2, strides=2, data_format="channels_first",
                              bias_initializer="random_normal")
    xc = rng.standard_normal((2, 3, 7))
    check_layer(layer, xc, lambda x, ws: np.transpose(depthwise_ref(
        np.transpose(x, (0, 2, 1))[:, None], ws[0][None], (1, 2))[:, 0] + ws[1], (0, 2, 1)), rng)


def test_unknown_time_axis_survives_shape_inference():
    """Layers whose output shape is found by running them (BatchNormalization, Masking, ...)
    keep a None time axis: Keras 2's conv_lstm example ends in ConvLSTM2D -> BatchNormalization
    -> Conv3D on (None, None, H, W, C) and is fitted on 6-frame targets."""
    i = L.Input((None, 8, 8, 1))
    h = L.ConvLSTM2D(2, 3, padding="same", return_sequences=True)(i)
    h = L.BatchNormalization()(h)
    o = L.Conv3D(1, 3, padding="same", activation="sigmoid")(h)
    assert h.shape == (None, None, 8, 8, 2) and o.shape == (None, None, 8, 8, 1)
    i = L.Input((None, 3))
    h = L.LayerNormalization()(L.GaussianNoise(0.1)(L.Masking()(i)))
    assert L.TimeDistributed(L.Dense(2))(h).shape == (None, None, 2)


def test_layers_serialize_deserialize_and_the_convolution1d_transpose_alias():
    from tensorforge import layers
    layer = layers.deserialize({"class_name": "Convolution1DTranspose",
                                "config": {"filters": 2, "kernel_size": 3}})
    assert type(layer) is layers.Conv1DTranspose and layer.filters == 2
    again = layers.deserialize(layers.serialize(layers.Dense(4, activation="relu")))
    assert type(again) is layers.Dense and again.units == 4 and again.get_config()["activation"] == "relu"
