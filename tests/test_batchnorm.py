"""Batch normalization kernels (training forward with the moving-statistics update, inference
forward, fused backward) against a float64 oracle written here and against the NumPy reference,
on every backend and ISA; finite-difference gradients through the Tensor API; a large mean
(1e4) that must not wreck the variance; bit-identical results at 1 and 2 threads; bad input."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import _native, kernels, layers
from tensorforge import ops
from tensorforge.reference import norm as ref
from tfhelpers import assert_grad_close, numeric_grad, on_backend, to_numpy

EPS = 1e-3

# (x shape, axis): channels_last, channels_first, a middle axis, edges (one sample, one channel,
# primes and sizes that are not multiples of any vector width)
CASES = [((7, 3), -1), ((1, 5), -1), ((33, 1), 1), ((2, 5, 5, 17), -1), ((3, 4, 5, 6), 1),
         ((2, 3, 7), 1), ((5, 3, 4), 2), ((4, 6, 1, 1), 1), ((13, 37), 1), ((2, 40, 9), 1),
         ((3, 2, 11, 19), 3)]


def direct(x, axis, gamma, beta, eps=EPS):
    """float64: y, mean, biased var, inv_std, xhat."""
    x = x.astype(np.float64)
    axes = tuple(i for i in range(x.ndim) if i != axis % x.ndim)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    mean = x.mean(axis=axes)
    var = ((x - mean.reshape(shape)) ** 2).mean(axis=axes)
    inv = 1.0 / np.sqrt(var + eps)
    xhat = (x - mean.reshape(shape)) * inv.reshape(shape)
    y = xhat * (1.0 if gamma is None else gamma.reshape(shape)) + (0.0 if beta is None else beta.reshape(shape))
    return y, mean, var, inv, xhat, axes, shape


def direct_backward(dy, x, axis, gamma):
    _, _, _, inv, xhat, axes, shape = direct(x, axis, None, None)
    dy = dy.astype(np.float64)
    n = x.size // x.shape[axis]
    g = 1.0 if gamma is None else gamma.astype(np.float64).reshape(shape)
    dbeta = dy.sum(axis=axes)
    dgamma = (dy * xhat).sum(axis=axes)
    dx = g * inv.reshape(shape) / n * (n * dy - dbeta.reshape(shape) - xhat * dgamma.reshape(shape))
    return dx, dgamma, dbeta


def close(actual, expected, rtol=2e-5, atol=2e-5, what=""):
    np.testing.assert_allclose(to_numpy(actual), expected, rtol=rtol, atol=atol, err_msg=what)


def params(rng, C, affine=True):
    if not affine:
        return None, None
    return ((1 + 0.5 * rng.standard_normal(C)).astype(np.float32),
            rng.standard_normal(C).astype(np.float32))


@pytest.mark.parametrize("shape,axis", CASES)
@pytest.mark.parametrize("affine", [True, False])
def test_train_forward_moving_update_and_backward(backend, rng, shape, axis, affine):
    x = (rng.standard_normal(shape) * 3 + 1.5).astype(np.float32)
    C = shape[axis]
    gamma, beta = params(rng, C, affine)
    mm0 = rng.standard_normal(C).astype(np.float32)
    mv0 = (rng.random(C) + 0.5).astype(np.float32)
    mm, mv = on_backend(mm0.copy(), backend), on_backend(mv0.copy(), backend)
    dev = lambda a: None if a is None else on_backend(a, backend)  # noqa: E731
    y, mean, inv = kernels.batch_norm_train(dev(x), dev(gamma), dev(beta), mm, mv, axis, 0.9, EPS)
    y64, mean64, var64, inv64, _, _, _ = direct(x, axis, gamma, beta)
    close(y, y64, what="y")
    close(mean, mean64, what="mean")
    close(inv, inv64, rtol=1e-5, what="inv_std")
    n = x.size // C
    close(mm, 0.9 * mm0 + 0.1 * mean64, what="moving_mean")
    close(mv, 0.9 * mv0 + 0.1 * var64 * n / max(n - 1, 1), what="moving_variance")
    dy = rng.standard_normal(shape).astype(np.float32)
    dx, dgamma, dbeta = kernels.batch_norm_backward(dev(dy), dev(x), mean, inv, dev(gamma), axis)
    dx64, dgamma64, dbeta64 = direct_backward(dy, x, axis, gamma)
    close(dx, dx64, rtol=1e-4, atol=1e-4, what="dx")
    close(dgamma, dgamma64, rtol=1e-4, atol=1e-4, what="dgamma")
    close(dbeta, dbeta64, rtol=1e-5, atol=1e-4, what="dbeta")


@pytest.mark.parametrize("shape,axis", CASES[::2])
def test_infer_forward(backend, rng, shape, axis):
    x = rng.standard_normal(shape).astype(np.float32)
    C = shape[axis]
    gamma, beta = params(rng, C)
    mm = rng.standard_normal(C).astype(np.float32)
    mv = (rng.random(C) + 0.1).astype(np.float32)
    y = kernels.batch_norm_infer(*(on_backend(a, backend) for a in (x, gamma, beta, mm, mv)), axis, EPS)
    bshape = [1] * x.ndim
    bshape[axis] = C
    b = lambda v: v.astype(np.float64).reshape(bshape)  # noqa: E731
    close(y, (x - b(mm)) / np.sqrt(b(mv) + EPS) * b(gamma) + b(beta), what="y")


@pytest.mark.parametrize("shape,axis", [((64, 2, 300), 1), ((20000, 8), -1), ((8, 56, 56, 16), 3)])
def test_native_matches_reference(isa, rng, shape, axis):
    """The native kernels against the NumPy reference (the oracle), each ISA path."""
    x = rng.standard_normal(shape).astype(np.float32)
    C = shape[axis]
    gamma, beta = params(rng, C)
    st = [np.zeros(C, np.float32), np.ones(C, np.float32)]
    sr = [np.zeros(C, np.float32), np.ones(C, np.float32)]
    y, mean, inv = _native._C.batch_norm_forward_train(x, gamma, beta, *st, axis, 0.99, EPS)
    yr, meanr, invr = ref.batch_norm_forward_train(x, gamma, beta, *sr, axis, 0.99, EPS)
    np.testing.assert_allclose(y, yr, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(mean, meanr, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(inv, invr, rtol=1e-6)
    np.testing.assert_allclose(st[0], sr[0], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(st[1], sr[1], rtol=1e-6)
    dy = rng.standard_normal(shape).astype(np.float32)
    got = _native._C.batch_norm_backward(dy, x, mean, inv, gamma, axis)
    want = ref.batch_norm_backward(dy, x, meanr, invr, gamma, axis)
    for g, w, name in zip(got, want, ("dx", "dgamma", "dbeta")):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4, err_msg=name)
    yi = _native._C.batch_norm_forward_infer(x, gamma, beta, *st, axis, EPS)
    np.testing.assert_allclose(yi, ref.batch_norm_forward_infer(x, gamma, beta, *st, axis, EPS),
                               rtol=1e-5, atol=1e-5)



@pytest.mark.parametrize("bessel", [True, False])
def test_moving_variance_with_or_without_bessels_correction(isa, rng, bessel):
    """``bessel`` (default True): the moving variance takes var * n / (n - 1), as Keras 2's
    fused kernel, or the biased batch variance, as its plain ops (Note [moving variance] in
    layers/normalization.py). The binding, the reference (float32 and float64) and the entry
    point against float64 worked out here; y, mean and inv_std do not depend on it."""
    for shape, axis in [((7, 3), -1), ((4, 3, 5), 1), ((2, 3, 3, 2), -1)]:
        x = (rng.standard_normal(shape) * 2 + 1).astype(np.float32)
        C = shape[axis]
        n = x.size // C
        x64 = np.moveaxis(x.astype(np.float64), axis, -1).reshape(-1, C)
        var = x64.var(0) * (n / (n - 1) if bessel else 1.0)
        want_mv, want_mm = 0.25 + 0.75 * var, 0.75 * x64.mean(0)  # momentum 0.25, from 1 / 0
        outs = []
        for fn, dt in ((_native._C.batch_norm_forward_train, np.float32),
                       (ref.batch_norm_forward_train, np.float32),
                       (ref.batch_norm_forward_train, np.float64),
                       (kernels.batch_norm_train, np.float32)):
            mm, mv = np.zeros(C, dt), np.ones(C, dt)
            y, mean, inv = fn(x.astype(dt), None, None, mm, mv, axis, 0.25, EPS, bessel=bessel)
            what = f"{getattr(fn, '__module__', fn)} {np.dtype(dt)} {shape} bessel={bessel}"
            np.testing.assert_allclose(mv, want_mv, rtol=1e-6, err_msg=what)
            np.testing.assert_allclose(mm, want_mm, rtol=1e-6, atol=1e-7, err_msg=what)
            outs.append((y, mean, inv))
            if bessel and dt == np.float32:  # the default is the corrected variance
                mv2 = np.ones(C, dt)
                fn(x, None, None, np.zeros(C, dt), mv2, axis, 0.25, EPS)
                np.testing.assert_array_equal(mv2, mv, err_msg=what)
        for got in outs[1:]:
            for a, b in zip(got, outs[0]):
                np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_bessel_must_be_a_bool(rng):
    x = rng.standard_normal((4, 3)).astype(np.float32)
    mm, mv = np.zeros(3, np.float32), np.ones(3, np.float32)
    with pytest.raises(TypeError, match="batch_norm_train: bessel must be a bool, got str 'yes'"):
        kernels.batch_norm_train(x, None, None, mm, mv, -1, 0.9, EPS, bessel="yes")
    with pytest.raises(TypeError, match="batch_norm_train: bessel must be a bool, got NoneType"):
        ops.batch_norm_train(x, None, None, mm, mv, -1, 0.9, EPS, bessel=None)
    if _native._C is not None:  # the binding takes a bool (or NumPy's) only: no None -> False
        with pytest.raises(TypeError, match="batch_norm_forward_train"):
            _native._C.batch_norm_forward_train(x, None, None, mm, mv, -1, 0.9, EPS, None)
    assert np.array_equal(mv, np.ones(3, np.float32))  # nothing written on a refused call


def assert_same_bits_at_1_and_2_threads(x, dy, gamma, beta, axis):
    """Training forward (y, mean, inv_std, moving statistics) and backward at 1 and 2 threads:
    the same bits."""
    C = x.shape[axis]
    prev = tf.get_num_threads()
    outs = []
    try:
        for nt in (1, 2):
            tf.set_num_threads(nt)
            st = [np.zeros(C, np.float32), np.ones(C, np.float32)]
            y, mean, inv = _native._C.batch_norm_forward_train(x, gamma, beta, *st, axis, 0.9, EPS)
            outs.append((y, mean, inv, *st,
                         *_native._C.batch_norm_backward(dy, x, mean, inv, gamma, axis)))
    finally:
        tf.set_num_threads(prev)
    for a, b in zip(*outs):
        assert np.array_equal(a, b)


def test_wide_rows_four_columns_at_once(isa, rng):
    """The short-B statistics take four vectors of a row per step (Note [four columns at once] in
    csrc/cpu/norm.cpp): rows of C*B values around and above 4 vectors on every ISA (with masked
    tails), channels_last and folded B < 16, against the NumPy reference; bit-identical at 1 and
    2 threads on a shape above the parallel threshold."""
    cases = [((50, C), -1) for C in (63, 64, 65, 97, 130)]
    cases += [((3, 5, 4, 71), -1), ((40, 23, 3), 1), ((17, 44, 2), 1), ((1200, 97), -1)]
    for shape, axis in cases:
        x = (rng.standard_normal(shape) * 2 + 3).astype(np.float32)
        C = shape[axis]
        gamma, beta = params(rng, C)
        st = [np.zeros(C, np.float32), np.ones(C, np.float32)]
        sr = [np.zeros(C, np.float32), np.ones(C, np.float32)]
        y, mean, inv = _native._C.batch_norm_forward_train(x, gamma, beta, *st, axis, 0.99, EPS)
        yr, meanr, invr = ref.batch_norm_forward_train(x, gamma, beta, *sr, axis, 0.99, EPS)
        what = f"{isa} {shape} axis {axis}"
        np.testing.assert_allclose(y, yr, rtol=1e-5, atol=1e-5, err_msg=what)
        np.testing.assert_allclose(mean, meanr, rtol=1e-6, atol=1e-6, err_msg=what)
        np.testing.assert_allclose(inv, invr, rtol=1e-5, err_msg=what)
        dy = rng.standard_normal(shape).astype(np.float32)
        got = _native._C.batch_norm_backward(dy, x, mean, inv, gamma, axis)
        want = ref.batch_norm_backward(dy, x, meanr, invr, gamma, axis)
        for g, w, name in zip(got, want, ("dx", "dgamma", "dbeta")):
            np.testing.assert_allclose(g, w, rtol=1e-4, atol=1e-4, err_msg=f"{what} {name}")
    assert_same_bits_at_1_and_2_threads(x, dy, gamma, beta, axis)

@pytest.mark.parametrize("shape,axis", [((4096, 3), -1), ((16, 3, 256), 1)])
def test_large_mean_does_not_wreck_the_variance(backend, rng, shape, axis):
    """Data offset by 1e4 with unit variance: the variance (from the float32 data, in float64)
    and the normalized output stay accurate (a one-pass float sum of squares loses it all)."""
    x = (1e4 + rng.standard_normal(shape)).astype(np.float32)
    C = shape[axis]
    mm, mv = on_backend(np.zeros(C, np.float32), backend), on_backend(np.ones(C, np.float32), backend)
    y, mean, inv = kernels.batch_norm_train(on_backend(x, backend), None, None, mm, mv, axis, 0.0, 0.0)
    y64, mean64, var64, inv64, _, _, _ = direct(x, axis, None, None, eps=0.0)
    n = x.size // C
    close(mv, var64 * n / (n - 1), rtol=1e-5, atol=0, what="moving_variance")
    close(inv, inv64, rtol=1e-5, atol=0, what="inv_std")
    close(y, y64, rtol=0, atol=2e-3, what="y")  # x - mean is exact to ~1e-3 in float32 at 1e4


def test_nan_stays_in_its_channel(backend):
    x = np.arange(24, dtype=np.float32).reshape(6, 4)
    x[2, 1] = np.nan
    mm, mv = on_backend(np.zeros(4, np.float32), backend), on_backend(np.ones(4, np.float32), backend)
    y, _, _ = kernels.batch_norm_train(on_backend(x, backend), None, None, mm, mv, -1, 0.5, EPS)
    y = to_numpy(y)
    assert np.isnan(y[:, 1]).all() and np.isfinite(y[:, [0, 2, 3]]).all()
    assert np.isnan(to_numpy(mv)[1]) and np.isfinite(to_numpy(mv)[[0, 2, 3]]).all()


@pytest.mark.skipif(_native._C is None, reason="native CPU module unavailable")
@pytest.mark.parametrize("shape,axis", [((256, 30, 30, 3), -1), ((32, 5, 40, 40), 1), ((4096, 8, 3), 1)])
def test_bit_identical_at_1_and_2_threads(rng, shape, axis):
    x = (rng.standard_normal(shape) + 5).astype(np.float32)
    dy = rng.standard_normal(shape).astype(np.float32)
    C = shape[axis]
    gamma, beta = params(rng, C)
    assert_same_bits_at_1_and_2_threads(x, dy, gamma, beta, axis)


@pytest.mark.parametrize("axis,shape", [(-1, (5, 3)), (1, (2, 3, 2, 2))])
def test_finite_difference_gradients(backend, rng, axis, shape):
    """Training mode: d/dx, d/dgamma, d/dbeta of sum(y * w) against central differences in
    float64 of the direct formula; inference mode: the same through the moving statistics."""
    x = rng.standard_normal(shape).astype(np.float32)
    C = shape[axis]
    gamma, beta = params(rng, C)
    w = rng.standard_normal(shape)
    for training in (True, False):
        mm = (0.3 * rng.standard_normal(C)).astype(np.float32)
        mv = (rng.random(C) + 0.5).astype(np.float32)
        xt, gt, bt = (tf.Tensor(on_backend(a, backend), requires_grad=True) for a in (x, gamma, beta))
        mmd, mvd = on_backend(mm.copy(), backend), on_backend(mv.copy(), backend)
        if training:
            y = ops.batch_norm_train(xt, gt, bt, mmd, mvd, axis, 0.99, EPS)
        else:
            y = ops.batch_norm_infer(xt, gt, bt, mmd, mvd, axis, EPS)
        ops.sum(ops.mul(y, tf.Tensor(on_backend(w.astype(np.float32), backend)))).backward()
        bshape = [1] * x.ndim
        bshape[axis] = C

        def f(x64, g64, b64):
            if training:
                return float((direct(x64, axis, g64, b64)[0] * w).sum())
            yy = (x64 - mm.reshape(bshape)) / np.sqrt(mv.reshape(bshape) + EPS)
            return float(((yy * g64.reshape(bshape) + b64.reshape(bshape)) * w).sum())
        x64, g64, b64 = (a.astype(np.float64) for a in (x, gamma, beta))
        for t, v, name in ((xt, x64, "dx"), (gt, g64, "dgamma"), (bt, b64, "dbeta")):
            assert_grad_close(to_numpy(t.grad), numeric_grad(lambda: f(x64, g64, b64), v), what=name)


def test_layer_channels_first_trains_like_the_reference(rng):
    """BatchNormalization(axis=1) in a training step: cpu (native) and numpy backends agree on
    the output, the input gradient and the moving statistics."""
    x = rng.standard_normal((6, 4, 3, 5)).astype(np.float32)
    results = []
    for b in ("numpy", "cpu") if _native._C is not None else ("numpy",):
        prev = tf.get_backend()
        tf.set_backend(b)
        try:
            layer = layers.BatchNormalization(axis=1, momentum=0.8)
            xt = tf.Tensor(x.copy(), requires_grad=True)
            y = layer(xt, training=True)
            ops.sum(ops.mul(y, y)).backward()
            results.append([to_numpy(y), to_numpy(xt.grad)] + [w.copy() for w in layer.get_weights()])
        finally:
            tf.set_backend(prev)
    x64 = x.astype(np.float64)
    y64 = (x64 - x64.mean(axis=(0, 2, 3), keepdims=True)) / np.sqrt(x64.var(axis=(0, 2, 3), keepdims=True) + EPS)
    np.testing.assert_allclose(results[0][0], y64, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(results[0][5], 0.8 + 0.2 * x64.var(axis=(0, 2, 3)) * 90 / 89, rtol=1e-5)
    for a, b in zip(results[0], results[-1]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_bad_input_names_the_op(rng):
    x = rng.standard_normal((4, 3)).astype(np.float32)
    ok = dict(gamma=None, beta=None, moving_mean=np.zeros(3, np.float32),
              moving_variance=np.ones(3, np.float32))
    with pytest.raises(TypeError, match="batch_norm_train: x must be float32 or float64, got float16"):
        kernels.batch_norm_train(x.astype(np.float16), **ok)
    with pytest.raises(TypeError, match="batch_norm_train: arguments must share one dtype"):
        kernels.batch_norm_train(x.astype(np.float64), **ok)
    with pytest.raises(ValueError, match=r"batch_norm_train: gamma must have shape \(3,\)"):
        kernels.batch_norm_train(x, **{**ok, "gamma": np.ones(4, np.float32)})
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        kernels.batch_norm_train(x, **ok, axis=2)
    with pytest.raises(ValueError, match="must not be empty"):
        kernels.batch_norm_train(x[:0], **ok)
    ro = np.zeros(3, np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="moving_mean is updated in place"):
        kernels.batch_norm_train(x, **{**ok, "moving_mean": ro})
    with pytest.raises(ValueError, match="epsilon must be >= 0"):
        kernels.batch_norm_train(x, **ok, epsilon=-1.0)
    with pytest.raises(ValueError, match="dy must have the shape of x"):
        kernels.batch_norm_backward(x[:2], x, np.zeros(3, np.float32), np.ones(3, np.float32), None)
    assert kernels.batch_norm_infer(x[:0], None, None, ok["moving_mean"], ok["moving_variance"]).shape == (0, 3)


def test_entry_points_refuse_bools_and_convert_views(rng):
    """The entry points call the binding first (module docstring of kernels/norm.py): what the
    binding would take but the op refuses (a bool momentum, epsilon or axis) is still refused,
    and what it refuses but the op converts (a strided x, dy or gamma) still runs, to the values
    of contiguous arrays."""
    x = rng.standard_normal((6, 5)).astype(np.float32)
    mm, mv = np.zeros(5, np.float32), np.ones(5, np.float32)
    with pytest.raises(TypeError, match="batch_norm_train: momentum must be a number, got bool"):
        kernels.batch_norm_train(x, None, None, mm, mv, -1, True, EPS)
    with pytest.raises(TypeError, match="batch_norm_train: epsilon must be a number, got bool"):
        kernels.batch_norm_train(x, None, None, mm, mv, -1, 0.9, False)
    with pytest.raises(TypeError, match="batch_norm_train: axis must be an int, got bool"):
        kernels.batch_norm_train(x, None, None, mm, mv, True, 0.9, EPS)
    with pytest.raises(TypeError, match="batch_norm_backward: axis must be an int, got bool"):
        kernels.batch_norm_backward(x, x, mm, mv, None, True)
    assert np.array_equal(mm, np.zeros(5, np.float32))  # nothing written on a refused call
    wide = rng.standard_normal((6, 10)).astype(np.float32)
    g2 = rng.standard_normal(10).astype(np.float32)
    view, gview = wide[:, ::2], g2[::2]
    ref = kernels.batch_norm_train(np.ascontiguousarray(view), gview.copy(), None, mm.copy(),
                                   mv.copy(), -1, 0.9, EPS)
    got = kernels.batch_norm_train(view, gview, None, mm, mv, -1, 0.9, EPS)
    for a, b in zip(got, ref):
        np.testing.assert_array_equal(a, b)
    dref = kernels.batch_norm_backward(np.ascontiguousarray(view), np.ascontiguousarray(view),
                                       ref[1], ref[2], gview.copy(), -1)
    dgot = kernels.batch_norm_backward(view, view, got[1], got[2], gview, -1)
    for a, b in zip(dgot, dref):
        np.testing.assert_array_equal(a, b)


@pytest.mark.skipif(_native._C is None, reason="native CPU module unavailable")
def test_native_binding_refuses_bad_arrays(rng):
    C_ = _native._C
    x = rng.standard_normal((8, 4)).astype(np.float32)
    mm, mv = np.zeros(4, np.float32), np.ones(4, np.float32)
    with pytest.raises(ValueError, match="must be C-contiguous"):
        C_.batch_norm_forward_train(np.asfortranarray(x), None, None, mm, mv, -1, 0.9, EPS)
    with pytest.raises(ValueError, match="must not share memory with x"):
        C_.batch_norm_forward_train(x, None, None, x[0], mv, -1, 0.9, EPS)
    with pytest.raises(ValueError, match="must not share memory"):
        C_.batch_norm_forward_train(x, None, None, mm, mm, -1, 0.9, EPS)
    with pytest.raises(ValueError, match="axis must be in"):
        C_.batch_norm_forward_train(x, None, None, mm, mv, 5, 0.9, EPS)
    with pytest.raises(ValueError, match="momentum must be finite"):
        C_.batch_norm_forward_train(x, None, None, mm, mv, -1, float("nan"), EPS)
    with pytest.raises(TypeError, match="x must be float32"):
        C_.batch_norm_forward_infer(x.astype(np.float64), None, None, mm, mv, -1, EPS)
    with pytest.raises(ValueError, match=r"moving_variance must have shape \(4,\)"):
        C_.batch_norm_forward_infer(x, None, None, mm, mv[:3], -1, EPS)
    with pytest.raises(ValueError, match=r"inv_std must have shape \(4,\)"):
        C_.batch_norm_backward(x, x, mm, mv[:2], None, -1)
    assert np.array_equal(mm, np.zeros(4, np.float32))  # nothing written on a refused call
