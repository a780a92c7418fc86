"""conv3d (Note [depth fold] in csrc/include/tf/conv3d.h): the native bindings against the NumPy
reference (float64) and PyTorch, the kernels entry points (float32 native, float64 reference),
the op's gradients against finite differences, the Conv3D layer, and the errors of bad input."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import kernels, reference
from tensorforge.autograd import Tensor
from tensorforge.kernels.conv3d import conv3d_geometry
from tensorforge.ops import volumetric
from tfhelpers import assert_close, assert_grad_close, numeric_grad

_C = pytest.importorskip("tensorforge._C")


def _case(rng, big=False):
    """x shape, w shape, the 12 geometry ints, the output shape."""
    N, C, F = int(rng.integers(1, 3)), int(rng.integers(1, 5)), int(rng.integers(1, 9))
    if big:  # folded width KD*C >= 16: the Winograd / wide paths of the 2-D kernels
        C, F = int(rng.choice([6, 8, 16])), int(rng.choice([16, 24]))
    k = [int(rng.integers(1, 4)) for _ in range(3)]
    s = [int(rng.integers(1, 4)) for _ in range(3)]
    d = [int(rng.integers(1, 3)) for _ in range(3)]
    p0 = [int(rng.integers(0, 3)) for _ in range(3)]
    p1 = [int(rng.integers(0, 3)) for _ in range(3)]
    n = [max(int(rng.integers(1, 9)), (k[a] - 1) * d[a] + 1 - p0[a] - p1[a]) for a in range(3)]
    o = [(n[a] + p0[a] + p1[a] - (k[a] - 1) * d[a] - 1) // s[a] + 1 for a in range(3)]
    return (N, *n, C), (*k, C, F), s + p0 + p1 + d, (N, *o, F)


def _torch(x, w, b, g):
    """PyTorch's y and its conv3d (explicit pads through F.pad) for the gradients, float64."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    s, p0, p1, d = g[:3], g[3:6], g[6:9], g[9:]
    xt = torch.from_numpy(x.astype(np.float64)).permute(0, 4, 1, 2, 3).requires_grad_(True)
    wt = torch.from_numpy(w.astype(np.float64)).permute(4, 3, 0, 1, 2).requires_grad_(True)
    bt = torch.from_numpy(b.astype(np.float64)).requires_grad_(True)
    xp = F.pad(xt, (p0[2], p1[2], p0[1], p1[1], p0[0], p1[0]))
    return F.conv3d(xp, wt, bt, stride=s, dilation=d), xt, wt, bt


@pytest.mark.parametrize("seed", range(24))
def test_bindings_against_reference_and_torch(seed):
    rng = np.random.default_rng([31, seed])
    xs, ws, g, ys = _case(rng, big=seed % 4 == 3)
    x, w = rng.standard_normal(xs).astype(np.float32), rng.standard_normal(ws).astype(np.float32)
    b = rng.standard_normal(ws[4]).astype(np.float32)
    dy = rng.standard_normal(ys).astype(np.float32)
    x64, w64, b64, dy64 = (a.astype(np.float64) for a in (x, w, b, dy))
    n = ws[0] * ws[1] * ws[2] * ws[3]
    y = _C.conv3d_forward(x, w, b, *g)
    y_ref = reference.conv3d_forward(x64, w64, b64, *g)
    assert y.shape == ys and y.dtype == np.float32
    # Winograd (big cases) rounds relative to a tile's sum: scale by the largest |term| sum
    scale = reference.conv3d_forward(np.abs(x64), np.abs(w64), np.abs(b64), *g)
    scale = np.maximum(scale, scale.max() if seed % 4 == 3 else 0)
    assert_close(y, y_ref, scale=scale, n=n, what="y")
    dx, dw, db = _C.conv3d_backward(dy, x, w, *g, True, True, True)
    gx, gw, gb = reference.conv3d_backward(dy64, x64, w64, *g, True, True, True)
    sx = reference.conv3d_backward(np.abs(dy64), x64, np.abs(w64), *g, True, False, False)[0]
    sw = reference.conv3d_backward(np.abs(dy64), np.abs(x64), w64, *g, False, True, False)[1]
    big = seed % 4 == 3
    assert_close(dx, gx, scale=np.maximum(sx, sx.max() if big else 0), n=ws[4] * n, what="dx")
    assert_close(dw, gw, scale=np.maximum(sw, sw.max() if big else 0), n=int(np.prod(ys[:4])),
                 what="dw")
    assert_close(db, gb, scale=np.abs(dy64).sum(axis=(0, 1, 2, 3)), n=int(np.prod(ys[:4])), what="db")
    # PyTorch, independent of our reference
    yt, xt, wt, bt = _torch(x, w, b, g)
    np.testing.assert_allclose(y, yt.detach().permute(0, 2, 3, 4, 1).numpy(), rtol=2e-4,
                               atol=2e-4 * max(1.0, float(np.abs(y_ref).max())))
    import torch
    yt.backward(torch.from_numpy(dy64).permute(0, 4, 1, 2, 3))
    np.testing.assert_allclose(dw, wt.grad.permute(2, 3, 4, 1, 0).numpy(), rtol=2e-4,
                               atol=2e-4 * max(1.0, float(np.abs(gw).max())))
    np.testing.assert_allclose(dx, xt.grad.permute(0, 2, 3, 4, 1).numpy(), rtol=2e-4,
                               atol=2e-4 * max(1.0, float(np.abs(gx).max())))


def test_backward_flags_and_one_tap_identity_fold():
    """Each gradient alone equals its share of all three; KD = 1, stride 1 (x is its own fold)."""
    rng = np.random.default_rng(5)
    for ws, g in [((3, 2, 2, 3, 4), [1, 2, 1, 1, 0, 1, 1, 1, 0, 2, 1, 1]),
                  ((1, 3, 3, 3, 4), [1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1])]:
        x = rng.standard_normal((2, 5, 6, 7, 3)).astype(np.float32)
        w = rng.standard_normal(ws).astype(np.float32)
        y = _C.conv3d_forward(x, w, None, *g)
        dy = rng.standard_normal(y.shape).astype(np.float32)
        full = _C.conv3d_backward(dy, x, w, *g, True, True, True)
        for i in range(3):
            flags = [j == i for j in range(3)]
            part = _C.conv3d_backward(dy, x, w, *g, *flags)
            assert all((part[j] is None) == (j != i) for j in range(3))
            np.testing.assert_array_equal(part[i], full[i])
        ref = reference.conv3d_forward(x.astype(np.float64), w.astype(np.float64), None, *g)
        assert_close(y, ref, scale=reference.conv3d_forward(np.abs(x).astype(np.float64),
                                                            np.abs(w).astype(np.float64), None, *g),
                     n=int(np.prod(ws[:4])))


def test_odd_geometries_stride_past_kernel_batch_one_single_channel():
    rng = np.random.default_rng(7)
    for xs, ws, g in [((1, 7, 5, 9, 1), (2, 2, 2, 1, 1), [3, 3, 4, 0, 0, 0, 0, 0, 0, 1, 1, 1]),
                      ((1, 3, 3, 3, 1), (3, 3, 3, 1, 5), [5, 5, 5, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
                      ((2, 9, 4, 4, 2), (3, 1, 1, 2, 3), [1, 1, 1, 2, 0, 0, 2, 0, 0, 3, 1, 1]),
                      ((1, 1, 1, 1, 1), (1, 1, 1, 1, 1), [2 ** 40, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1])]:
        x, w = rng.standard_normal(xs).astype(np.float32), rng.standard_normal(ws).astype(np.float32)
        y = _C.conv3d_forward(x, w, None, *g)
        y_ref = reference.conv3d_forward(x.astype(np.float64), w.astype(np.float64), None, *g)
        assert y.shape == y_ref.shape
        np.testing.assert_allclose(y, y_ref, rtol=1e-5, atol=1e-5)
        dy = rng.standard_normal(y.shape).astype(np.float32)
        got = _C.conv3d_backward(dy, x, w, *g, True, True, True)
        want = reference.conv3d_backward(dy.astype(np.float64), x.astype(np.float64),
                                         w.astype(np.float64), *g, True, True, True)
        for a, e in zip(got, want):
            np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-5)


def test_nan_weight_next_to_padding_is_nan_like_the_reference():
    """Padded cells are zeros multiplied like real ones: a NaN weight on a padded cell of H/W
    (skipped by the 2-D kernels, fixed up by the binding) or of D (real zeros in the fold)."""
    x = np.ones((1, 3, 3, 3, 2), np.float32)
    for tap in [(1, 0, 1), (0, 1, 1)]:
        w = np.ones((3, 3, 3, 2, 2), np.float32)
        w[tap + (0, 1)] = np.nan
        g = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
        y = _C.conv3d_forward(x, w, None, *g)
        y_ref = reference.conv3d_forward(x.astype(np.float64), w.astype(np.float64), None, *g)
        np.testing.assert_array_equal(np.isnan(y), np.isnan(y_ref))
        assert np.isnan(y_ref[..., 1]).all() and not np.isnan(y_ref[..., 0]).any()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_entry_points_same_padding_against_torch(dtype):
    """kernels.conv3d resolves TensorFlow's 'same' (the extra cell after); float64 stays float64
    (the reference), float32 runs the binding."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    x = rng.standard_normal((2, 5, 6, 7, 3)).astype(dtype)
    w = rng.standard_normal((3, 2, 3, 3, 4)).astype(dtype)
    b = rng.standard_normal(4).astype(dtype)
    y = kernels.conv3d(x, w, b, (1, 2, 1), "same", (2, 1, 1))
    assert y.dtype == dtype and y.shape == (2, 5, 3, 7, 4)
    # TF 'same' here: D pads (2, 2), H (0, 1) (even kernel: the extra row after), W (1, 1)
    F = torch.nn.functional
    xt = F.pad(torch.from_numpy(x.astype(np.float64)).permute(0, 4, 1, 2, 3), (1, 1, 0, 1, 2, 2))
    wt = torch.from_numpy(w.astype(np.float64)).permute(4, 3, 0, 1, 2)
    yt = F.conv3d(xt, wt, torch.from_numpy(b.astype(np.float64)), stride=(1, 2, 1), dilation=(2, 1, 1))
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(y, yt.permute(0, 2, 3, 4, 1).numpy(), rtol=tol, atol=tol)
    dx, dw, db = kernels.conv3d_backward(np.ones_like(y), x, w, (1, 2, 1), "same", (2, 1, 1))
    assert dx.dtype == dw.dtype == db.dtype == dtype
    np.testing.assert_allclose(db, np.full(4, y[..., 0].size), rtol=1e-6)


def test_op_gradients_against_finite_differences():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 4, 4, 3, 2))
    w = rng.standard_normal((2, 3, 2, 2, 3)) * 0.5
    b = rng.standard_normal(3)
    dy = rng.standard_normal((1, 2, 4, 3, 3))
    kw = dict(strides=(2, 1, 1), padding="same", dilation=(1, 1, 2))
    xt, wt, bt = (Tensor(a.astype(np.float32), requires_grad=True) for a in (x, w, b))
    y = volumetric.conv3d(xt, wt, bt, **kw)
    assert tuple(y.shape) == dy.shape
    y.backward(dy.astype(np.float32))

    def loss():  # float64 arrays: the reference kernels
        return float((volumetric.conv3d(x, w, b, **kw).numpy() * dy).sum())
    for name, arr, t in (("dx", x, xt), ("dw", w, wt), ("db", b, bt)):
        assert_grad_close(t.grad, numeric_grad(loss, arr), what=name)


def test_conv3d_layer_against_the_reference():
    """The Conv3D layer (groups = 1: the native kernel), forward and gradients."""
    rng = np.random.default_rng(9)
    layer = tf.keras.layers.Conv3D(5, (3, 2, 3), strides=(1, 2, 1), padding="same")
    x = rng.standard_normal((2, 4, 6, 5, 3)).astype(np.float32)
    layer(x[:1])
    k, b = layer.get_weights()
    xt = Tensor(x, requires_grad=True)
    y = layer(xt)
    dy = rng.standard_normal(tuple(y.shape)).astype(np.float32)
    y.backward(dy)
    k64, b64, x64 = k.astype(np.float64), b.astype(np.float64), x.astype(np.float64)
    g = conv3d_geometry("t", x.shape, k.shape, (1, 2, 1), "same", 1)[0]
    assert_close(y.numpy(), reference.conv3d_forward(x64, k64, b64, *g),
                 scale=reference.conv3d_forward(np.abs(x64), np.abs(k64), np.abs(b64), *g), n=54)
    gx, gw, gb = reference.conv3d_backward(dy.astype(np.float64), x64, k64, *g, True, True, True)
    np.testing.assert_allclose(xt.grad, gx, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.weights[0].grad, gw, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.weights[1].grad, gb, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("call, exc, words", [
    (lambda x, w: _C.conv3d_forward(x[0], w, None, *[1] * 3, *[0] * 6, *[1] * 3), ValueError,
     ["conv3d_forward", "x", "5-D"]),
    (lambda x, w: _C.conv3d_forward(x, w[:, :, :, :1].copy(), None, *[1] * 3, *[0] * 6, *[1] * 3),
     ValueError, ["conv3d_forward", "C_in", "(2, 4, 4, 4, 3)"]),
    (lambda x, w: _C.conv3d_forward(x, w, None, 1, 0, 1, *[0] * 6, *[1] * 3), ValueError,
     ["conv3d_forward", "strides"]),
    (lambda x, w: _C.conv3d_forward(x, w, None, *[1] * 3, 0, -1, 0, 0, 0, 0, *[1] * 3), ValueError,
     ["conv3d_forward", "pads"]),
    (lambda x, w: _C.conv3d_forward(x, w, None, *[1] * 3, *[0] * 6, 3, 1, 1), ValueError,
     ["conv3d_forward", "kernel", "(2, 4, 4, 4, 3)"]),
    (lambda x, w: _C.conv3d_forward(x.astype(np.float64), w, None, *[1] * 3, *[0] * 6, *[1] * 3),
     TypeError, ["conv3d_forward", "x", "float32"]),
    (lambda x, w: _C.conv3d_forward(x[:, ::2], w, None, *[1] * 3, *[0] * 6, *[1] * 3), ValueError,
     ["conv3d_forward", "C-contiguous"]),
    (lambda x, w: _C.conv3d_forward(x, w, np.zeros(3, np.float32), *[1] * 3, *[0] * 6, *[1] * 3),
     ValueError, ["conv3d_forward", "b", "(5,)"]),
    (lambda x, w: _C.conv3d_backward(np.zeros((2, 2, 2, 2, 4), np.float32), x, w, *[1] * 3,
                                     *[0] * 6, *[1] * 3, True, True, True), ValueError,
     ["conv3d_backward", "dy", "(2, 2, 2, 2, 5)"]),
    (lambda x, w: kernels.conv3d(x, w, None, 1, "full"), ValueError, ["conv3d", "padding"]),
    (lambda x, w: kernels.conv3d(x, w, None, (1, 2), "same"), ValueError, ["conv3d", "strides"]),
    (lambda x, w: kernels.conv3d(x, w.astype(np.float64)), TypeError, ["conv3d", "dtype"]),
    (lambda x, w: kernels.conv3d_backward(np.zeros((2, 1, 1, 1, 5), np.float32), x, w), ValueError,
     ["conv3d_backward", "dy", "(2, 2, 2, 2, 5)"]),
    (lambda x, w: volumetric.conv3d(x, w[:, :, :, :2]), ValueError, ["conv3d", "channels"]),
])
def test_bad_input_names_op_argument_and_shapes(call, exc, words):
    x = np.zeros((2, 4, 4, 4, 3), np.float32)
    w = np.zeros((3, 3, 3, 3, 5), np.float32)
    with pytest.raises(exc) as e:
        call(x, w)
    for word in words:
        assert word in str(e.value), (word, str(e.value))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_second_order_against_torch(dtype):
    """Hessian-vector products and a gradient penalty's gradient through conv3d (its backward
    recorded as ops: ops/double_backward_conv3d.py), against PyTorch's double backward; 'same'
    with stride 2 along D and dilation 2 along W, with bias; and the third order exists."""
    torch = pytest.importorskip("torch")
    from tensorforge import ops
    from tensorforge.higher_order import grad
    from test_second_order import ours_hvp, ours_penalty, torch_second
    rng = np.random.default_rng(13)
    kw = dict(strides=(2, 1, 1), padding="same", dilation=(1, 1, 2))
    args = [rng.uniform(-1, 1, s).astype(dtype) for s in [(2, 5, 4, 5, 3), (3, 2, 3, 3, 4), (4,)]]
    g = conv3d_geometry("t", args[0].shape, args[1].shape, kw["strides"], "same", kw["dilation"])[0]

    def f(x, w, b):
        return ops.sum(ops.sigmoid(volumetric.conv3d(x, w, b, **kw)) ** 2)

    def ft(x, w, b):
        F = torch.nn.functional
        xp = F.pad(x.permute(0, 4, 1, 2, 3), (g[5], g[8], g[4], g[7], g[3], g[6]))
        y = F.conv3d(xp, w.permute(4, 3, 0, 1, 2), b, stride=g[:3], dilation=g[9:])
        return (torch.sigmoid(y) ** 2).sum()
    rtol, atol = (1e-9, 1e-9) if dtype == np.float64 else (5e-4, 5e-4)
    for i in range(3):
        v = rng.standard_normal(args[i].shape)
        hv_t, pen_t = torch_second(ft, args, i, v)
        hv = ours_hvp(f, args, i, v)
        for j in range(3):
            np.testing.assert_allclose(hv[j], hv_t[j], rtol=rtol,
                                       atol=atol * max(1.0, float(np.abs(hv_t[j]).max())),
                                       err_msg=f"Hessian-vector product i={i} j={j}")
    pen = ours_penalty(f, args)
    for j in range(3):
        np.testing.assert_allclose(pen[j], pen_t[j], rtol=rtol,
                                   atol=atol * max(1.0, float(np.abs(pen_t[j]).max())),
                                   err_msg=f"penalty gradient, arg {j}")
    x, w = Tensor(args[0], requires_grad=True), Tensor(args[1], requires_grad=True)
    (g1,) = grad(f(x, w, None), [w], create_graph=True)
    (g2,) = grad(ops.sum(g1 * g1), [x], create_graph=True)
    (g3,) = grad(ops.sum(g2 * g2), [w])
    assert g3.shape == w.shape and np.isfinite(np.asarray(g3.numpy())).all()
