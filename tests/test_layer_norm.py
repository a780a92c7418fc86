"""Layer normalization: the kernels (csrc/cpu/norm.cpp, reference/norm.py) and
LayerNormalization on them.

Oracle: the formula in float64 NumPy, written here (per-row mean and biased variance over the
last axis, y = (x - mean) / sqrt(var + eps) * gamma + beta), and central finite differences of
it for the gradients."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import kernels, keras, ops
from tensorforge.autograd import Tensor
from tfhelpers import check_penalty_second_derivative, numeric_grad


def ln64(x, gamma, beta, eps):
    x = x.astype(np.float64)
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    y = (x - mean) / np.sqrt(var + eps)
    if gamma is not None:
        y = y * gamma
    if beta is not None:
        y = y + beta
    return y, mean[..., 0], 1 / np.sqrt(var[..., 0] + eps)


def ln64_backward(dy, x, gamma, eps):
    """dx, dgamma, dbeta of sum(y * dy), derived by hand from the forward formula."""
    x, dy = x.astype(np.float64), dy.astype(np.float64)
    C = x.shape[-1]
    mean = x.mean(axis=-1, keepdims=True)
    inv = 1 / np.sqrt(((x - mean) ** 2).mean(axis=-1, keepdims=True) + eps)
    xhat = (x - mean) * inv
    g = dy * gamma if gamma is not None else dy
    dx = inv / C * (C * g - g.sum(-1, keepdims=True) - xhat * (g * xhat).sum(-1, keepdims=True))
    rows = tuple(range(x.ndim - 1))
    return dx, (dy * xhat).sum(axis=rows), dy.sum(axis=rows)


SHAPES = [(5,), (3, 1), (4, 2), (2, 15), (3, 16), (6, 17), (2, 3, 33), (64, 257), (1, 4100),
          (2, 2, 3, 40)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("affine", [True, False])
def test_kernels_match_the_formula(backend, shape, affine):
    rng = np.random.default_rng(sum(shape))
    x = (rng.standard_normal(shape) * 2 + 0.5).astype(np.float32)
    C = shape[-1]
    gamma = rng.standard_normal(C).astype(np.float32) if affine else None
    beta = rng.standard_normal(C).astype(np.float32) if affine else None
    y, mean, inv = kernels.layer_norm_forward(x, gamma, beta, 1e-3)
    wy, wm, wi = ln64(x, gamma, beta, 1e-3)
    assert y.shape == shape and mean.shape == shape[:-1] and inv.shape == shape[:-1]
    np.testing.assert_allclose(y, wy, rtol=1e-5, atol=2e-5)
    np.testing.assert_allclose(mean, wm, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(inv, wi, rtol=1e-5)
    dy = rng.standard_normal(shape).astype(np.float32)
    got = kernels.layer_norm_backward(dy, x, mean, inv, gamma)
    want = ln64_backward(dy, x, gamma, 1e-3)
    for name, g, w in zip(("dx", "dgamma", "dbeta"), got, want):
        scale = max(1.0, float(np.abs(w).max()))
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=2e-5 * scale, err_msg=name)


def test_large_offset_keeps_the_variance(backend):
    """Rows around 1e4 with unit spread: sums shifted by the row's first value (Note [batch
    norm sums]), not E[x^2] - E[x]^2 in float."""
    rng = np.random.default_rng(3)
    x = (1e4 + rng.standard_normal((8, 300))).astype(np.float32)
    y, mean, inv = kernels.layer_norm_forward(x, None, None, 1e-5)
    wy, wm, wi = ln64(x, None, None, 1e-5)
    np.testing.assert_allclose(inv, wi, rtol=1e-4)
    np.testing.assert_allclose(y, wy, atol=2e-3)


def test_same_bits_at_1_and_2_threads():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((512, 384)).astype(np.float32)
    dy = rng.standard_normal((512, 384)).astype(np.float32)
    gamma, beta = rng.standard_normal(384).astype(np.float32), rng.standard_normal(384).astype(np.float32)
    prev = tf.get_num_threads()
    outs = []
    try:
        for nt in (1, 2):
            tf.set_num_threads(nt)
            y, m, i = kernels.layer_norm_forward(x, gamma, beta, 1e-3)
            outs.append((y, m, i) + tuple(kernels.layer_norm_backward(dy, x, m, i, gamma)))
    finally:
        tf.set_num_threads(prev)
    for a, b in zip(*outs):
        np.testing.assert_array_equal(a, b)


def test_nan_stays_in_its_row(backend):
    x = np.ones((3, 5), np.float32)
    x[1, 2] = np.nan
    x[0] = np.arange(5)
    y, _, _ = kernels.layer_norm_forward(x, None, None, 1e-3)
    assert np.isnan(y[1]).all()
    assert np.isfinite(y[0]).all() and np.isfinite(y[2]).all()


def test_bad_arguments_name_the_op(backend):
    x = np.zeros((2, 4), np.float32)
    with pytest.raises(ValueError, match=r"layer_norm_forward: gamma must have shape \(4,\)"):
        kernels.layer_norm_forward(x, np.ones(3, np.float32), None, 1e-3)
    with pytest.raises(ValueError, match="layer_norm_forward: epsilon"):
        kernels.layer_norm_forward(x, None, None, -1.0)
    with pytest.raises(TypeError, match="layer_norm_forward: x"):
        kernels.layer_norm_forward(x.astype(np.int32), None, None, 1e-3)
    y, m, i = kernels.layer_norm_forward(x, None, None, 1e-3)
    with pytest.raises(ValueError, match=r"layer_norm_backward: mean must have x's shape"):
        kernels.layer_norm_backward(x, x, np.zeros(3, np.float32), i, None)
    with pytest.raises(ValueError, match="layer_norm_backward: dy must have the shape of x"):
        kernels.layer_norm_backward(np.zeros((2, 5), np.float32), x, m, i, None)


def test_strided_input_is_read_as_its_values(backend):
    rng = np.random.default_rng(5)
    base = rng.standard_normal((6, 10)).astype(np.float32)
    x = base[::2, 1:8]
    y, _, _ = kernels.layer_norm_forward(x, None, None, 1e-3)
    np.testing.assert_allclose(y, ln64(np.ascontiguousarray(x), None, None, 1e-3)[0], atol=2e-5)


@pytest.mark.parametrize("axis", [-1, [1, 2], [2, 3], 1, [1, 3]])
def test_layer_matches_keras_formula_and_gradients(axis, rng):
    """Trailing axes run the kernels (flattened into one axis), others the array-module path;
    every gradient against finite differences of the float64 formula."""
    x = rng.standard_normal((2, 3, 4, 5))
    layer = keras.layers.LayerNormalization(axis=axis, beta_initializer="random_normal",
                                            gamma_initializer="random_normal")
    layer.build(x.shape)
    gamma, beta = (w.astype(np.float64) for w in layer.get_weights())
    axes = sorted(a % 4 for a in (axis if isinstance(axis, list) else [axis]))
    keep = [a for a in range(4) if a not in axes]

    def f64(xx, g, b):
        t = np.transpose(xx, keep + axes)
        lead = t.shape[:len(keep)]
        flat = t.reshape(lead + (-1,))
        y = ln64(flat, g.reshape(-1), b.reshape(-1), 1e-3)[0].reshape(t.shape)
        return np.transpose(y, np.argsort(keep + axes))

    xt = Tensor(x.astype(np.float32), requires_grad=True)
    y = layer(xt)
    np.testing.assert_allclose(y.numpy(), f64(x, gamma, beta), rtol=1e-4, atol=1e-4)
    w = rng.standard_normal(x.shape)
    (y * w.astype(np.float32)).sum().backward()
    args = [x, gamma, beta]
    for i, got in enumerate((xt.grad, layer.gamma.grad, layer.beta.grad)):
        num = numeric_grad(lambda: (f64(*args) * w).sum(), args[i])
        np.testing.assert_allclose(got, num, rtol=2e-3, atol=2e-4, err_msg=f"gradient {i}")


def test_second_derivative_through_the_op(rng):
    """A gradient penalty through layer_norm: d/dgamma of ||dL/dx||^2 against finite
    differences of the op's first derivative (float64)."""
    x = rng.standard_normal((3, 6))
    gamma, beta = rng.standard_normal(6), rng.standard_normal(6)
    w = rng.standard_normal((3, 6))

    check_penalty_second_derivative(lambda xx, gg: ops.layer_norm(xx, gg, beta, 1e-3), x, gamma, w, rng)


@pytest.mark.parametrize("shape", [(3, 7), (5, 40), (2, 129)])
def test_every_isa_matches_the_formula(isa, shape):
    rng = np.random.default_rng(6)
    x = rng.standard_normal(shape).astype(np.float32)
    gamma, beta = rng.standard_normal(shape[-1]).astype(np.float32), None
    y, mean, inv = kernels.layer_norm_forward(x, gamma, beta, 1e-3)
    np.testing.assert_allclose(y, ln64(x, gamma, beta, 1e-3)[0], rtol=1e-5, atol=2e-5)
    dy = rng.standard_normal(shape).astype(np.float32)
    for g, w in zip(kernels.layer_norm_backward(dy, x, mean, inv, gamma),
                    ln64_backward(dy, x, gamma, 1e-3)):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=5e-5)
