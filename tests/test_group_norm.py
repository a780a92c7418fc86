"""Group normalization: the kernels (csrc/cpu/norm_group.cpp, reference/norm_group.py) and
GroupNormalization on them (its outputs and gradients against tf_keras: test_keras13.py).

Oracle: the formula in float64 NumPy, written here on an explicit transpose of the channels
into (N, G, everything else) (per-(sample, group) mean and biased variance, y = (x - mean) /
sqrt(var + eps) * gamma + beta), its hand-derived backward, and central finite differences."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import kernels, keras, ops
from tensorforge.autograd import Tensor
from tfhelpers import check_penalty_second_derivative, numeric_grad


def _grouped(x, G, axis):
    """x (float64) as (N, G, M): the channel axis moved next to the batch and split."""
    axis %= x.ndim
    t = np.moveaxis(x.astype(np.float64), axis, 1)
    return t.reshape(t.shape[0], G, -1), t.shape


def _ungrouped(r, tshape, axis, ndim):
    return np.moveaxis(r.reshape(tshape), 1, axis % ndim)


def _per_channel(v, tshape, G):  # (C,) against the (N, G, M) view, M = (C/G, rest...)
    rest = int(np.prod(tshape[2:], dtype=np.int64))
    return np.repeat(v.astype(np.float64).reshape(G, -1), rest, axis=1)[None]


def gn64(x, gamma, beta, G, axis, eps):
    r, tshape = _grouped(x, G, axis)
    mean = r.mean(axis=2, keepdims=True)
    var = ((r - mean) ** 2).mean(axis=2, keepdims=True)
    y = (r - mean) / np.sqrt(var + eps)
    if gamma is not None:
        y = y * _per_channel(gamma, tshape, G)
    if beta is not None:
        y = y + _per_channel(beta, tshape, G)
    return _ungrouped(y, tshape, axis, x.ndim), mean[..., 0], 1 / np.sqrt(var[..., 0] + eps)


def gn64_backward(dy, x, gamma, G, axis, eps):
    """dx, dgamma, dbeta of sum(y * dy), derived by hand from the forward formula."""
    r, tshape = _grouped(x, G, axis)
    d, _ = _grouped(dy, G, axis)
    M = r.shape[2]
    mean = r.mean(axis=2, keepdims=True)
    inv = 1 / np.sqrt(((r - mean) ** 2).mean(axis=2, keepdims=True) + eps)
    xhat = (r - mean) * inv
    g = d * _per_channel(gamma, tshape, G) if gamma is not None else d
    dx = inv / M * (M * g - g.sum(2, keepdims=True) - xhat * (g * xhat).sum(2, keepdims=True))
    per_c = lambda a: _ungrouped(a, tshape, axis, x.ndim)  # noqa: E731
    other = tuple(i for i in range(x.ndim) if i != axis % x.ndim)
    return per_c(dx), per_c(d * xhat).sum(axis=other), dy.astype(np.float64).sum(axis=other)


# (shape, axis, groups): channels last / first / in the middle, one group (layer norm over all
# non-batch axes), one channel per group (instance norm), C past a vector width, runs with tails
CASES = [((4, 5, 6, 8), -1, 4), ((3, 8, 5, 7), 1, 2), ((2, 3, 12), -1, 12), ((5, 6), 1, 1),
         ((3, 4, 16, 2), 2, 4), ((2, 37, 40), -1, 5), ((1, 9, 9, 32), 3, 32), ((2, 64, 3, 3), 1, 8),
         ((3, 2, 33), 1, 2), ((2, 17, 48), -1, 3), ((6, 3), -1, 3)]


@pytest.mark.parametrize("shape,axis,G", CASES)
@pytest.mark.parametrize("affine", [True, False])
def test_kernels_match_the_formula(backend, shape, axis, G, affine):
    rng = np.random.default_rng(sum(shape) + G)
    x = (rng.standard_normal(shape) * 2 + 0.5).astype(np.float32)
    C = shape[axis]
    gamma = rng.standard_normal(C).astype(np.float32) if affine else None
    beta = rng.standard_normal(C).astype(np.float32) if affine else None
    y, mean, inv = kernels.group_norm_forward(x, gamma, beta, G, axis, 1e-3)
    wy, wm, wi = gn64(x, gamma, beta, G, axis, 1e-3)
    assert y.shape == shape and mean.shape == (shape[0], G) and inv.shape == (shape[0], G)
    np.testing.assert_allclose(y, wy, rtol=1e-5, atol=2e-5)
    np.testing.assert_allclose(mean, wm, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(inv, wi, rtol=1e-5)
    dy = rng.standard_normal(shape).astype(np.float32)
    got = kernels.group_norm_backward(dy, x, mean, inv, gamma, G, axis)
    want = gn64_backward(dy, x, gamma, G, axis, 1e-3)
    for name, g, w in zip(("dx", "dgamma", "dbeta"), got, want):
        scale = max(1.0, float(np.abs(w).max()))
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=2e-5 * scale, err_msg=name)


@pytest.mark.parametrize("axis", [-1, 1])
def test_large_offset_keeps_the_variance(backend, axis):
    """Groups around 1e4 with unit spread: sums shifted by the group's first value (Note [batch
    norm sums]), not E[x^2] - E[x]^2 in float."""
    rng = np.random.default_rng(3)
    x = (1e4 + rng.standard_normal((4, 12, 50))).astype(np.float32)
    y, mean, inv = kernels.group_norm_forward(x, None, None, 2, axis, 1e-5)
    wy, wm, wi = gn64(x, None, None, 2, axis, 1e-5)
    np.testing.assert_allclose(inv, wi, rtol=1e-4)
    np.testing.assert_allclose(y, wy, atol=2e-3)


def test_same_bits_at_1_and_2_threads():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((16, 24, 24, 32)).astype(np.float32)
    dy = rng.standard_normal(x.shape).astype(np.float32)
    gamma, beta = rng.standard_normal(32).astype(np.float32), rng.standard_normal(32).astype(np.float32)
    prev = tf.get_num_threads()
    outs = []
    try:
        for nt in (1, 2):
            tf.set_num_threads(nt)
            y, m, i = kernels.group_norm_forward(x, gamma, beta, 8, -1, 1e-3)
            outs.append((y, m, i) + tuple(kernels.group_norm_backward(dy, x, m, i, gamma, 8, -1)))
    finally:
        tf.set_num_threads(prev)
    for a, b in zip(*outs):
        np.testing.assert_array_equal(a, b)


def test_nan_stays_in_its_group(backend):
    x = np.arange(2 * 3 * 4, dtype=np.float32).reshape(2, 3, 4)
    x[1, 2, 1] = np.nan  # sample 1, group 0 of two (channels 0-1)
    y, _, _ = kernels.group_norm_forward(x, None, None, 2, -1, 1e-3)
    assert np.isnan(y[1, :, :2]).all()
    assert np.isfinite(y[0]).all() and np.isfinite(y[1, :, 2:]).all()


def test_float64_runs_the_formula(backend):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((3, 5, 6))
    gamma, beta = rng.standard_normal(6), rng.standard_normal(6)
    y, mean, inv = kernels.group_norm_forward(x, gamma, beta, 3, -1, 1e-3)
    assert y.dtype == np.float64
    np.testing.assert_allclose(y, gn64(x, gamma, beta, 3, -1, 1e-3)[0], rtol=1e-12, atol=1e-12)


def test_bad_arguments_name_the_op(backend):
    x = np.zeros((2, 5, 4), np.float32)
    with pytest.raises(ValueError, match="group_norm_forward: groups must divide the 4 channels"):
        kernels.group_norm_forward(x, None, None, 3, -1, 1e-3)
    with pytest.raises(ValueError, match="group_norm_forward: groups must divide"):
        kernels.group_norm_forward(x, None, None, 0, -1, 1e-3)
    with pytest.raises(TypeError, match="group_norm_forward: groups must be an int"):
        kernels.group_norm_forward(x, None, None, 2.0, -1, 1e-3)
    with pytest.raises(ValueError, match="group_norm_forward: axis 0 is the batch axis"):
        kernels.group_norm_forward(x, None, None, 2, 0, 1e-3)
    with pytest.raises(ValueError, match="group_norm_forward: axis 3 is out of range"):
        kernels.group_norm_forward(x, None, None, 2, 3, 1e-3)
    with pytest.raises(ValueError, match=r"group_norm_forward: gamma must have shape \(4,\)"):
        kernels.group_norm_forward(x, np.ones(5, np.float32), None, 2, -1, 1e-3)
    with pytest.raises(ValueError, match="group_norm_forward: epsilon"):
        kernels.group_norm_forward(x, None, None, 2, -1, float("nan"))
    with pytest.raises(TypeError, match="group_norm_forward: x"):
        kernels.group_norm_forward(x.astype(np.int32), None, None, 2, -1, 1e-3)
    with pytest.raises(ValueError, match="group_norm_forward: x must have a batch axis"):
        kernels.group_norm_forward(np.zeros(4, np.float32), None, None, 2, -1, 1e-3)
    with pytest.raises(TypeError, match="group_norm_forward"):
        kernels.group_norm_forward(x, np.ones(4), None, 2, -1, 1e-3)  # float64 gamma, float32 x
    y, m, i = kernels.group_norm_forward(x, None, None, 2, -1, 1e-3)
    with pytest.raises(ValueError, match=r"group_norm_backward: mean must have shape \(2, 2\)"):
        kernels.group_norm_backward(x, x, np.zeros((2, 4), np.float32), i, None, 2, -1)
    with pytest.raises(ValueError, match="group_norm_backward: dy must have the shape of x"):
        kernels.group_norm_backward(np.zeros((2, 5, 5), np.float32), x, m, i, None, 2, -1)


def test_strided_input_is_read_as_its_values(backend):
    rng = np.random.default_rng(5)
    base = rng.standard_normal((6, 10, 8)).astype(np.float32)
    x = base[::2, 1:8, ::2]
    y, _, _ = kernels.group_norm_forward(x, None, None, 2, -1, 1e-3)
    np.testing.assert_allclose(y, gn64(np.ascontiguousarray(x), None, None, 2, -1, 1e-3)[0],
                               atol=2e-5)


@pytest.mark.parametrize("axis,G", [(-1, 2), (1, 3)])
def test_layer_gradients_against_finite_differences(axis, G, rng):
    x = rng.standard_normal((2, 6, 4, 6))
    layer = keras.layers.GroupNormalization(G, axis=axis, beta_initializer="random_normal",
                                            gamma_initializer="random_normal")
    layer.build(x.shape)
    gamma, beta = (w.astype(np.float64) for w in layer.get_weights())
    xt = Tensor(x.astype(np.float32), requires_grad=True)
    y = layer(xt)
    np.testing.assert_allclose(y.numpy(), gn64(x, gamma, beta, G, axis, 1e-3)[0], rtol=1e-4,
                               atol=1e-4)
    w = rng.standard_normal(x.shape)
    (y * w.astype(np.float32)).sum().backward()
    args = [x, gamma, beta]
    for i, got in enumerate((xt.grad, layer.gamma.grad, layer.beta.grad)):
        num = numeric_grad(lambda: (gn64(*args, G, axis, 1e-3)[0] * w).sum(), args[i])
        np.testing.assert_allclose(got, num, rtol=2e-3, atol=2e-4, err_msg=f"gradient {i}")


def test_second_derivative_through_the_op(rng):
    """A gradient penalty through group_norm: d/dgamma of ||dL/dx||^2 against finite
    differences of the op's first derivative (float64)."""
    x = rng.standard_normal((3, 4, 6))
    gamma, beta = rng.standard_normal(6), rng.standard_normal(6)
    w = rng.standard_normal((3, 4, 6))

    check_penalty_second_derivative(lambda xx, gg: ops.group_norm(xx, gg, beta, 3, -1, 1e-3), x, gamma, w, rng)


@pytest.mark.parametrize("shape,axis,G", [((3, 7, 4), -1, 2), ((2, 40, 5), 1, 8),
                                          ((2, 5, 129), -1, 3)])
def test_every_isa_matches_the_formula(isa, shape, axis, G):
    rng = np.random.default_rng(6)
    x = rng.standard_normal(shape).astype(np.float32)
    gamma = rng.standard_normal(shape[axis]).astype(np.float32)
    y, mean, inv = kernels.group_norm_forward(x, gamma, None, G, axis, 1e-3)
    np.testing.assert_allclose(y, gn64(x, gamma, None, G, axis, 1e-3)[0], rtol=1e-5, atol=2e-5)
    dy = rng.standard_normal(shape).astype(np.float32)
    for g, w in zip(kernels.group_norm_backward(dy, x, mean, inv, gamma, G, axis),
                    gn64_backward(dy, x, gamma, G, axis, 1e-3)):
        np.testing.assert_allclose(g, w, rtol=1e-4, atol=5e-5)


def test_one_value_groups_have_zero_input_gradient(backend):
    """groups == C with nothing but the channel axis: y = beta whatever x, so dx is exactly 0."""
    rng = np.random.default_rng(9)
    x = rng.standard_normal((4, 6)).astype(np.float32)
    gamma = rng.standard_normal(6).astype(np.float32)
    _, m, i = kernels.group_norm_forward(x, gamma, None, 6, -1, 1e-3)
    dx, dgamma, dbeta = kernels.group_norm_backward(rng.standard_normal((4, 6)).astype(np.float32),
                                                    x, m, i, gamma, 6, -1)
    assert (dx == 0).all()


def test_infinite_gamma_poisons_its_group_only(backend):
    """A non-finite gamma in a group: the group's input gradient is not finite (NaN where the
    formula's per-value products meet infinities of both signs); other groups are untouched."""
    rng = np.random.default_rng(10)
    x = rng.standard_normal((2, 5, 4)).astype(np.float32)
    gamma = np.ones(4, np.float32)
    gamma[1] = -np.inf  # group 0 of two: channels 0-1
    _, m, i = kernels.group_norm_forward(x, gamma, None, 2, -1, 1e-3)
    dy = rng.standard_normal(x.shape).astype(np.float32)
    with np.errstate(invalid="ignore"):  # (the numpy backend's reference meets inf - inf)
        dx = kernels.group_norm_backward(dy, x, m, i, gamma, 2, -1)[0]
        want = gn64_backward(dy, x, gamma, 2, -1, 1e-3)[0]
    assert not np.isfinite(dx[..., :2]).any()
    np.testing.assert_allclose(dx[..., 2:], want[..., 2:], rtol=1e-4, atol=2e-5)
