"""First-principles checks of tfnum14's ops beside the TensorFlow-recorded values of
test_tf_numeric14.py: gradients against central finite differences (float64), the special
functions against independent references (Python's math module, NumPy's i0, exact sums, a
50-digit Decimal series) over wide ranges, the candidate sampler's statistics, the 3-D / 1-D
convolutions against direct NumPy loops on every ISA, and bad arguments (errors naming the op,
the argument and the shapes)."""
import math
import warnings
from decimal import Decimal, getcontext

import numpy as np
import pytest

import tensorforge as tf
from tensorforge.autograd import Tensor
from tensorforge.tf_debugging import InvalidArgumentError
from tensorforge.tf_example import SparseTensor


def _numeric_grad(fn, a, weights, eps=1e-6):
    num = np.zeros_like(a)
    for i in np.ndindex(a.shape):
        hi, lo = a.copy(), a.copy()
        hi[i] += eps
        lo[i] -= eps
        num[i] = (_loss(fn(Tensor(hi)), weights) - _loss(fn(Tensor(lo)), weights)) / (2 * eps)
    return num


def _outs(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def _loss(out, weights):
    return sum(float((o.numpy().astype(np.float64) * w).sum()) for o, w in zip(_outs(out), weights))


def _check_grad(fn, a, rtol=1e-5, atol=1e-7, eps=1e-6):
    a = np.asarray(a, np.float64)
    rng = np.random.default_rng(3)
    weights = [rng.normal(size=o.shape) for o in _outs(fn(Tensor(a)))]
    t = Tensor(a.copy(), requires_grad=True)
    total = None
    for o, w in zip(_outs(fn(t)), weights):
        term = (o * Tensor(w)).sum()
        total = term if total is None else total + term
    total.backward()
    np.testing.assert_allclose(t.grad, _numeric_grad(fn, a, weights, eps), rtol=rtol, atol=atol)


_RNG = np.random.default_rng(21)
_A = _RNG.normal(size=(4, 4))
_SPD = _A @ _A.T + 4 * np.eye(4)


def _sym(t):
    return (t + tf.linalg.matrix_transpose(t)) * 0.5


@pytest.mark.parametrize("name, fn, a", [
    ("cholesky", lambda t: tf.linalg.cholesky(_sym(t)), _SPD),
    ("triangular_solve", lambda t: tf.linalg.triangular_solve(t, Tensor(_A[:, :2])),
     _A + 5 * np.eye(4)),
    ("triangular_solve_upper_adj", lambda t: tf.linalg.triangular_solve(
        t, Tensor(_A[:, :2]), lower=False, adjoint=True), _A + 5 * np.eye(4)),
    ("qr_deep", lambda t: tf.linalg.qr(t), _RNG.normal(size=(5, 3))),
    ("qr_wide", lambda t: tf.linalg.qr(t), _RNG.normal(size=(3, 5))),
    ("svd", lambda t: tf.linalg.svd(t), _RNG.normal(size=(5, 3))),
    ("svd_wide_full", lambda t: tf.linalg.svd(t, full_matrices=True)[0], _RNG.normal(size=(3, 4))),
    ("eigh", lambda t: tf.linalg.eigh(_sym(t)), _SPD),
    ("lstsq", lambda t: tf.linalg.lstsq(t, Tensor(_A[:, :2])), _RNG.normal(size=(4, 3))),
    ("lstsq_under", lambda t: tf.linalg.lstsq(t, Tensor(_A[:2, :2])), _RNG.normal(size=(2, 3))),
    ("pinv", lambda t: tf.linalg.pinv(t), _RNG.normal(size=(4, 3))),
    ("expm", lambda t: tf.linalg.expm(t), _A),
    ("sqrtm", lambda t: tf.linalg.sqrtm(t), _SPD),
    ("tridiagonal_solve", lambda t: tf.linalg.tridiagonal_solve(t, Tensor(_A[:, :2])),
     _RNG.normal(size=(3, 4)) + np.array([[0.0], [5.0], [0.0]])),
    ("lgamma", lambda t: tf.math.lgamma(t), np.array([0.3, 1.7, -2.5, 12.0])),
    ("digamma", lambda t: tf.math.digamma(t), np.array([0.3, 1.7, -2.5, 12.0])),
    ("igamma_x", lambda t: tf.math.igamma(Tensor(np.full(3, 2.5)), t), np.array([0.5, 2.0, 7.0])),
    ("betainc_x", lambda t: tf.math.betainc(Tensor(np.full(3, 2.0)), Tensor(np.full(3, 0.7)), t),
     np.array([0.1, 0.5, 0.9])),
    ("bessel", lambda t: (tf.math.bessel_i0e(t), tf.math.bessel_i1(t)), np.array([-3.0, 0.4, 12.0])),
    ("erfinv", lambda t: tf.math.erfinv(t), np.array([-0.9, 0.1, 0.99])),
    ("cumulative_logsumexp", lambda t: tf.math.cumulative_logsumexp(t, axis=1, reverse=True),
     _RNG.normal(size=(2, 4))),
    ("segment_prod_zero", lambda t: tf.math.segment_prod(t, [0, 0, 0, 1]),
     np.array([2.0, 0.0, 3.0, 0.5])),
    ("overlap_and_add", lambda t: tf.signal.overlap_and_add(t, 2), _RNG.normal(size=(3, 4))),
    ("dct", lambda t: tf.signal.dct(t, type=3, norm="ortho"), _RNG.normal(size=(2, 5))),
])
def test_gradient_matches_finite_differences(name, fn, a):
    _check_grad(fn, a)


_W3 = _RNG.normal(size=(2, 2, 2, 2, 3)).astype(np.float32)
_W3T = _RNG.normal(size=(2, 2, 3, 1, 2)).astype(np.float32)


@pytest.mark.parametrize("name, fn, a", [  # float32 kernels: linear (or piecewise) in the input
    ("conv3d", lambda t: tf.nn.conv3d(t, _W3, [1, 2, 1, 1, 1], "SAME"),
     _RNG.normal(size=(1, 3, 3, 3, 2))),
    ("conv3d_transpose", lambda t: tf.nn.conv3d_transpose(t, _W3T, [1, 5, 6, 5, 1], 2, "SAME"),
     _RNG.normal(size=(1, 3, 3, 3, 2))),
    ("max_pool3d", lambda t: tf.nn.max_pool3d(t, 2, 1, "SAME"), _RNG.normal(size=(1, 3, 3, 3, 1))),
    ("avg_pool3d", lambda t: tf.nn.avg_pool3d(t, [1, 3, 2, 2, 1], 2, "SAME"),
     _RNG.normal(size=(1, 4, 3, 3, 1))),
    ("max_pool_with_argmax", lambda t: tf.nn.max_pool_with_argmax(t, 2, 2, "SAME")[0],
     _RNG.normal(size=(1, 3, 3, 2))),
    ("dilation2d", lambda t: tf.nn.dilation2d(t, np.full((2, 2, 2), 0.1, np.float32), 1, "SAME"),
     _RNG.normal(size=(1, 3, 3, 2))),
    ("isotonic_regression", lambda t: tf.nn.isotonic_regression(t)[0],
     _RNG.normal(size=(2, 5))),
    ("mdct", lambda t: tf.signal.mdct(t, 8), _RNG.normal(size=(16,))),
])
def test_float32_op_gradient_matches_finite_differences(name, fn, a):
    _check_grad(lambda t: fn(tf.cast(t, "float32")), a, rtol=2e-3, atol=2e-3, eps=1e-3)


# ---- special functions against independent references ----------------------------------------
def test_lgamma_and_digamma_against_python_math():
    x = np.concatenate([np.logspace(-6, 3, 50), -np.logspace(-3, 1.5, 40) - 0.37])
    got = tf.math.lgamma(x).numpy()
    want = np.array([math.lgamma(v) for v in x])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
    # digamma(x + 1) - digamma(x) = 1 / x, and digamma(1) = -Euler's gamma
    d = tf.math.digamma(np.concatenate([x, x + 1])).numpy()
    np.testing.assert_allclose(d[len(x):] - d[:len(x)], 1 / x, rtol=1e-9, atol=1e-9)
    assert abs(float(tf.math.digamma(np.float64(1.0))) + 0.5772156649015329) < 1e-14
    poles = tf.math.lgamma(np.array([0.0, -1.0, -7.0], np.float32)).numpy()
    assert np.all(np.isinf(poles)) and np.all(poles > 0)
    assert np.all(np.isnan(tf.math.digamma(np.array([0.0, -3.0], np.float32)).numpy()))


def test_zeta_and_polygamma_against_exact_values():
    np.testing.assert_allclose(tf.math.zeta(np.array([2.0, 4.0]), np.array([1.0, 1.0])).numpy(),
                               [math.pi ** 2 / 6, math.pi ** 4 / 90], rtol=1e-13)
    q = 0.3
    direct = sum((k + q) ** -3.5 for k in range(200000)) + (200000 + q) ** -2.5 / 2.5
    assert abs(float(tf.math.zeta(np.float64(3.5), np.float64(q))) - direct) < 1e-10
    np.testing.assert_allclose(tf.math.polygamma(np.array([1.0, 2.0]), np.array([1.0, 1.0])).numpy(),
                               [math.pi ** 2 / 6, -2 * 1.2020569031595942], rtol=1e-13)


def test_ndtri_erfinv_erfcinv_invert_the_error_function():
    p = np.concatenate([np.logspace(-300, -1, 60), 1 - np.logspace(-15, -1, 30), [0.5]])
    x = tf.math.ndtri(p).numpy()
    back = np.array([0.5 * math.erfc(-v / math.sqrt(2)) for v in x])
    np.testing.assert_allclose(back, p, rtol=1e-9)
    u = np.array([-0.999999, -0.5, 1e-12, 0.3, 0.999999, 1 - 1e-12])
    np.testing.assert_allclose([math.erf(v) for v in tf.math.erfinv(u).numpy()], u, rtol=1e-10)
    c = np.array([1e-300, 1e-20, 0.3, 1.0, 1.7, 2 - 1e-10])
    np.testing.assert_allclose([math.erfc(v) for v in tf.math.erfcinv(c).numpy()], c, rtol=1e-8)
    # float32 in the far tail (TensorFlow's own float32 erfinv is off by 0.25% at 0.999999)
    f = np.float32(0.999999)
    assert abs(math.erf(float(tf.math.erfinv(f).numpy())) - float(f)) < 2e-7


def test_incomplete_gamma_and_beta_identities():
    getcontext().prec = 50
    a, x = Decimal(200), Decimal(210)
    s, t, k = Decimal(1), Decimal(1), 1
    while t > Decimal(10) ** -40:
        t = t * x / (a + k)
        s += t
        k += 1
    p = float((a * x.ln() - x - sum(Decimal(i).ln() for i in range(1, 201))).exp() * s)
    assert abs(float(tf.math.igamma(np.float64(200.0), np.float64(210.0))) - p) < 1e-12
    assert abs(float(tf.math.igammac(np.float64(200.0), np.float64(210.0))) - (1 - p)) < 1e-12
    av, xv = np.meshgrid([0.05, 0.7, 3.0, 40.0], [1e-4, 0.5, 5.0, 60.0])
    total = tf.math.igamma(av, xv).numpy() + tf.math.igammac(av, xv).numpy()
    np.testing.assert_allclose(total, 1.0, atol=1e-14)
    np.testing.assert_allclose(tf.math.igamma(np.ones(3), np.array([0.1, 1.0, 9.0])).numpy(),
                               -np.expm1(-np.array([0.1, 1.0, 9.0])), rtol=1e-13)
    xs = np.array([0.01, 0.3, 0.77, 0.999])
    np.testing.assert_allclose(tf.math.betainc(np.full(4, 2.5), np.ones(4), xs).numpy(),
                               xs ** 2.5, rtol=1e-12)
    np.testing.assert_allclose(tf.math.betainc(np.full(4, 3.0), np.full(4, 0.4), xs).numpy(),
                               1 - tf.math.betainc(np.full(4, 0.4), np.full(4, 3.0), 1 - xs).numpy(),
                               atol=1e-13)


def test_bessel_against_numpy_i0():
    x = np.concatenate([-np.logspace(-4, 2.5, 30), np.logspace(-4, 2.5, 30), [0.0]])
    np.testing.assert_allclose(tf.math.bessel_i0(x).numpy(), np.i0(x), rtol=1e-12)
    np.testing.assert_allclose(tf.math.bessel_i0e(x).numpy(), np.i0(x) * np.exp(-np.abs(x)),
                               rtol=1e-12)
    # I1 = I0' by differences of NumPy's I0
    h = 1e-5
    d = (np.i0(x + h) - np.i0(x - h)) / (2 * h)
    np.testing.assert_allclose(tf.math.bessel_i1(x).numpy(), d, rtol=1e-7, atol=1e-9)


def test_bessel_jyk_wronskians_and_integrals():
    S = tf.math.special
    x = np.concatenate([np.logspace(-3, 0.3, 15), np.linspace(2.5, 60.0, 40), [11.99, 12.01]])
    j0, j1, y0, y1 = (f(x).numpy() for f in (S.bessel_j0, S.bessel_j1, S.bessel_y0,
                                              S.bessel_y1))
    np.testing.assert_allclose(j1 * y0 - j0 * y1, 2 / (np.pi * x), rtol=1e-10)
    theta = np.linspace(0.0, np.pi, 20001)
    for v in (0.3, 7.5, 11.99, 12.01, 40.0):
        ref = np.trapezoid(np.cos(v * np.sin(theta)), theta) / np.pi
        assert abs(float(S.bessel_j0(np.float64(v))) - ref) < 1e-9, v
    k0, k1 = S.bessel_k0(x).numpy(), S.bessel_k1(x).numpy()
    i0, i1 = tf.math.bessel_i0(x).numpy(), tf.math.bessel_i1(x).numpy()
    np.testing.assert_allclose(i0 * k1 + i1 * k0, 1 / x, rtol=1e-10)
    np.testing.assert_allclose(S.bessel_k0e(x).numpy(), k0 * np.exp(x), rtol=1e-12)


def test_dawsn_fresnel_expint_spence_against_quadrature():
    S = tf.math.special
    for v in (9.0, 30.0):  # Dawson's asymptotic series, sum (2k - 1)!! / (2 x^2)^k / (2 x)
        term, total = 1.0, 0.0
        for k in range(30):
            total += term
            term *= (2 * k + 1) / (2 * v * v)
        assert abs(float(S.dawsn(np.float64(v))) - total / (2 * v)) < 1e-15, v
    for v in (0.05, 0.7, 2.0, 5.5):
        t = np.linspace(0.0, v, 200001)
        daw = np.trapezoid(np.exp(t * t - v * v), t)
        assert abs(float(S.dawsn(np.float64(v))) - daw) < 1e-9, v
        if v <= 6:
            c = np.trapezoid(np.cos(np.pi * t * t / 2), t)
            s = np.trapezoid(np.sin(np.pi * t * t / 2), t)
            assert abs(float(S.fresnel_cos(np.float64(v))) - c) < 5e-9, v  # the rule: h^2
            assert abs(float(S.fresnel_sin(np.float64(-v))) + s) < 5e-9, v
    # far side of the Fresnel switch: the derivative integrates across it
    t = np.linspace(5.0, 8.0, 300001)
    dc = np.trapezoid(np.cos(np.pi * t * t / 2), t)
    got = float(S.fresnel_cos(np.float64(8.0))) - float(S.fresnel_cos(np.float64(5.0)))
    assert abs(got - dc) < 1e-9
    # Ei: its derivative e^x / x integrated from 1, across the series / asymptotic switch
    for a, b in ((0.5, 3.0), (30.0, 45.0)):
        t = np.linspace(a, b, 400001)
        d = np.trapezoid(np.exp(t) / t, t)
        got = float(S.expint(np.float64(b))) - float(S.expint(np.float64(a)))
        assert abs(got - d) < 1e-8 * abs(d), (a, b)
    # spence(x) = Li2(1 - x) = sum (1 - x)^k / k^2 (|1 - x| <= 0.9), and its integral form
    xs = np.array([0.1, 0.5, 1.0, 1.7])
    want = [sum((1 - v) ** k / k ** 2 for k in range(1, 2000)) for v in xs]
    np.testing.assert_allclose(S.spence(xs).numpy(), want, rtol=1e-12, atol=1e-14)
    t = np.linspace(1.0, 7.0, 600001)
    ref = -np.trapezoid(np.log(t) / np.where(t == 1.0, 1.0, t - 1.0) + (t == 1.0), t)  # -> 1 at 1
    assert abs(float(S.spence(np.float64(7.0))) - ref) < 1e-8


# ---- sampler statistics ------------------------------------------------------------------------
def test_log_uniform_sampler_statistics():
    tf.random.set_seed(5)
    labels = np.zeros((1, 1), np.int64)
    n, rmax = 20000, 10
    s, te, se = tf.random.log_uniform_candidate_sampler(labels, 1, n, False, rmax)
    counts = np.bincount(s.numpy(), minlength=rmax)
    p = (np.log(np.arange(rmax) + 2.0) - np.log(np.arange(rmax) + 1.0)) / np.log(rmax + 1.0)
    chi2 = float(((counts - n * p) ** 2 / (n * p)).sum())
    assert chi2 < 30.0, (chi2, counts, n * p)  # 9 dof: p < 1e-3 for a correct sampler
    np.testing.assert_allclose(te.numpy(), [[p[0] * n]], rtol=1e-6)
    u, te_u, se_u = tf.random.log_uniform_candidate_sampler(labels, 1, 6, True, rmax)
    assert len(set(u.numpy().tolist())) == 6
    assert np.all((se_u.numpy() > 0) & (se_u.numpy() <= 1))  # unique: a probability per class
    loss = tf.nn.nce_loss(np.ones((rmax, 3), np.float32), np.zeros(rmax, np.float32),
                          np.array([[1], [4]]), np.ones((2, 3), np.float32), 5, rmax)
    assert loss.shape == (2,) and np.all(np.isfinite(loss.numpy()))


def test_unigram_and_uniform_samplers_follow_their_distributions():
    tf.random.set_seed(8)
    labels = np.array([[0], [3]], np.int64)
    n = 20000
    counts = np.array([5.0, 1.0, 0.0, 2.0])
    s, te, se = tf.random.fixed_unigram_candidate_sampler(labels, 1, n, False, 5, distortion=0.5,
                                                          num_reserved_ids=1, unigrams=counts)
    p = np.concatenate([[0.0], counts ** 0.5])
    p /= p.sum()
    got = np.bincount(s.numpy(), minlength=5) / n
    np.testing.assert_allclose(got, p, atol=0.015)
    assert not np.any(s.numpy() == 0) and not np.any(s.numpy() == 3)  # reserved / zero count
    np.testing.assert_allclose(te.numpy(), p[labels] * n, rtol=1e-6)
    u, _, se_u = tf.random.uniform_candidate_sampler(labels, 1, 4, True, 8)
    assert len(set(u.numpy().tolist())) == 4
    # unique sampling: expected counts -expm1(tries * log1p(-p)) <= 1, >= the 4 / 8 share
    assert np.all(se_u.numpy() <= 1.0) and np.all(se_u.numpy() >= 0.5 - 1e-6)


def test_approx_top_k_is_the_exact_top_k():
    x = np.random.default_rng(2).normal(size=(4, 7)).astype(np.float32)
    v, i = tf.math.approx_max_k(x, 3)
    np.testing.assert_array_equal(v.numpy(), -np.sort(-x, axis=1)[:, :3])
    np.testing.assert_array_equal(np.take_along_axis(x, i.numpy(), 1), v.numpy())
    v, i = tf.math.approx_min_k(x, 2, reduction_dimension=0)
    np.testing.assert_array_equal(v.numpy(), np.sort(x, axis=0)[:2])
    assert i.dtype == np.int32


# ---- convolutions on every ISA against direct loops -------------------------------------------
def _conv3d_ref(x, w, s):
    n, d, h, wd, c = x.shape
    kd, kh, kw, _, f = w.shape
    od, oh, ow = (d - kd) // s + 1, (h - kh) // s + 1, (wd - kw) // s + 1
    out = np.zeros((n, od, oh, ow, f))
    for i in range(od):
        for j in range(oh):
            for k in range(ow):
                patch = x[:, i * s:i * s + kd, j * s:j * s + kh, k * s:k * s + kw]
                out[:, i, j, k] = np.tensordot(patch, w, axes=([1, 2, 3, 4], [0, 1, 2, 3]))
    return out


def test_conv3d_and_conv1d_on_each_isa(isa):
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 6, 5, 7, 3)).astype(np.float32)
    w = rng.normal(size=(3, 2, 3, 3, 4)).astype(np.float32)
    for s in (1, 2):
        np.testing.assert_allclose(tf.nn.conv3d(x, w, s, "VALID").numpy(), _conv3d_ref(x, w, s),
                                   rtol=1e-4, atol=1e-4)
    x1, w1 = x[:, 0, 0], w[0, 0]
    ref = np.stack([np.tensordot(x1[:, i:i + 3], w1, axes=([1, 2], [0, 1])) for i in range(5)], 1)
    np.testing.assert_allclose(tf.nn.conv1d(x1, w1, 1, "VALID").numpy(), ref, rtol=1e-4, atol=1e-4)
    pooled = tf.nn.max_pool3d(x, 2, 2, "VALID").numpy()
    want = x[:, :6, :4, :6].reshape(2, 3, 2, 2, 2, 3, 2, 3).max(axis=(2, 4, 6))
    np.testing.assert_array_equal(pooled, want)


def test_stft_gives_complex_and_abs_gives_magnitudes():
    sig = np.sin(np.arange(256) * 0.2).astype(np.float32)
    s = tf.signal.stft(sig, 64, 32)
    assert s.dtype == np.complex64 and s.shape == (7, 33)
    mag = tf.abs(s)
    assert mag.dtype == np.float32
    frames = np.stack([sig[i * 32:i * 32 + 64] for i in range(7)])
    win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(64) / 64)
    np.testing.assert_allclose(mag.numpy(), np.abs(np.fft.rfft(frames * win)), rtol=1e-4,
                               atol=1e-4)


# ---- bad arguments -----------------------------------------------------------------------------
_M23 = np.ones((2, 3), np.float32)


@pytest.mark.parametrize("call, exc, words", [
    (lambda: tf.linalg.cholesky(-np.eye(3, dtype=np.float32)), InvalidArgumentError,
     ["cholesky", "positive definite", "(3, 3)"]),
    (lambda: tf.linalg.cholesky(_M23), ValueError, ["cholesky", "square", "(2, 3)"]),
    (lambda: tf.linalg.triangular_solve(np.eye(3, dtype=np.float32), _M23), ValueError,
     ["triangular_solve", "rhs", "(2, 3)", "(3, 3)"]),
    (lambda: tf.linalg.svd(np.ones(3, np.float32)), ValueError, ["svd", "(3,)"]),
    (lambda: tf.linalg.lstsq(np.ones((4, 3), np.float32), _M23), ValueError,
     ["lstsq", "rhs", "(2, 3)", "(4, 3)"]),
    (lambda: tf.linalg.qr(np.ones((2, 2), np.int32)), TypeError, ["qr", "int32"]),
    (lambda: tf.linalg.tridiagonal_solve(_M23, _M23), ValueError,
     ["tridiagonal_solve", "compact", "(2, 3)"]),
    (lambda: tf.linalg.tridiagonal_solve(_M23, _M23, diagonals_format="dense"), ValueError,
     ["diagonals_format"]),
    (lambda: tf.linalg.logm(np.array([[-1.0, 0.0], [0.0, 2.0]])), ValueError,
     ["logm", "complex"]),
    (lambda: tf.linalg.lu_solve(*tf.linalg.lu(np.eye(3, dtype=np.float32)), _M23), ValueError,
     ["lu_solve", "rhs"]),
    (lambda: tf.math.polygamma(np.ones(2, np.float32), np.ones(2)), TypeError,
     ["polygamma", "float32", "float64"]),
    (lambda: tf.math.betainc(np.ones(2), np.ones(3), np.ones(2)), ValueError,
     ["betainc", "(2,)", "(3,)"]),
    (lambda: tf.math.xdivy(np.ones(2, np.float32), np.ones(3, np.float32)), ValueError,
     ["xdivy", "(2,)", "(3,)"]),
    (lambda: tf.math.invert_permutation([0, 2, 2]), InvalidArgumentError,
     ["invert_permutation", "permutation"]),
    (lambda: tf.math.cumulative_logsumexp(_M23, axis=2), ValueError,
     ["cumulative_logsumexp", "axis 2", "(2, 3)"]),
    (lambda: tf.math.segment_prod(np.ones(3, np.float32), [1, 0, 0]), ValueError,
     ["segment_prod", "sorted"]),
    (lambda: tf.signal.stft(np.ones(64, np.int32), 16, 8), TypeError, ["stft", "int32"]),
    (lambda: tf.signal.frame(np.ones(10), 0, 2), ValueError, ["frame", "frame_length"]),
    (lambda: tf.signal.dct(_M23, type=5), ValueError, ["dct", "type"]),
    (lambda: tf.signal.dct(_M23, type=1, norm="ortho"), ValueError, ["dct", "ortho"]),
    (lambda: tf.signal.rfft(np.ones(4, np.complex64)), TypeError, ["rfft", "complex64"]),
    (lambda: tf.signal.fft(np.ones(4, np.float32)), TypeError, ["fft", "complex"]),
    (lambda: tf.signal.overlap_and_add(np.ones((3, 4), np.float32), 5), ValueError,
     ["overlap_and_add", "frame_step", "frame_length=4"]),
    (lambda: tf.signal.linear_to_mel_weight_matrix(upper_edge_hertz=5000.0), ValueError,
     ["linear_to_mel_weight_matrix", "sample_rate"]),
    (lambda: tf.nn.conv3d(np.ones((1, 3, 3, 3, 2)), np.ones((1, 1, 1, 3, 1)), 1, "SAME"),
     ValueError, ["conv3d", "channels", "(1, 3, 3, 3, 2)", "(1, 1, 1, 3, 1)"]),
    (lambda: tf.nn.conv1d(np.ones((1, 5, 2)), np.ones((2, 2, 1)), 1, "SAME", data_format="NCW"),
     ValueError, ["conv1d", "NCW"]),
    (lambda: tf.nn.conv3d_transpose(np.ones((1, 3, 3, 3, 2)), np.ones((2, 2, 2, 1, 2)),
                                    [1, 9, 6, 6, 1], 2), ValueError,
     ["conv3d_transpose", "output_shape", "depth"]),
    (lambda: tf.nn.pool(np.ones((1, 4, 4, 1)), [2, 2], "MIN"), ValueError, ["pool", "MIN"]),
    (lambda: tf.nn.max_pool3d(np.ones((1, 4, 4, 1)), 2, 2, "VALID"), ValueError,
     ["max_pool3d", "5-D", "(1, 4, 4, 1)"]),
    (lambda: tf.nn.ctc_loss(np.ones((2, 3), np.int32), np.ones((4, 5), np.float32), [1, 1], [4, 4]),
     ValueError, ["ctc_loss", "3-D", "(4, 5)"]),
    (lambda: tf.nn.embedding_lookup_sparse(np.ones((3, 2)), np.array([[0, 1]]), None), TypeError,
     ["embedding_lookup_sparse", "sp_ids", "SparseTensor"]),
    (lambda: tf.nn.log_poisson_loss(np.ones(3), np.ones(4)), ValueError,
     ["log_poisson_loss", "(3,)", "(4,)"]),
    (lambda: tf.unravel_index([12], [3, 4]), InvalidArgumentError, ["unravel_index", "[0, 12)"]),
    (lambda: tf.reverse_sequence(np.ones((2, 3)), [4, 1], seq_axis=1), ValueError,
     ["reverse_sequence", "[0, 3]"]),
    (lambda: tf.dynamic_partition(np.ones((3, 2)), [0, 1], 2), ValueError,
     ["dynamic_partition", "(2,)", "(3, 2)"]),
    (lambda: tf.tensor_scatter_nd_max(np.ones((2, 2)), [[0, 5]], [1.0]), InvalidArgumentError,
     ["tensor_scatter_nd_max", "(2, 2)"]),
    (lambda: tf.space_to_batch_nd(np.ones((1, 3, 4, 1)), [2, 2], [[0, 0], [0, 0]]), ValueError,
     ["space_to_batch_nd", "(3, 4)", "[2, 2]"]),
    (lambda: tf.bitcast(np.ones(3, np.int16), np.int32), ValueError, ["bitcast", "(3,)"]),
    (lambda: tf.truncatediv([1, 2], [1, 0]), InvalidArgumentError, ["truncatediv", "zero"]),
    (lambda: tf.edit_distance(np.ones((2, 2)), np.ones((2, 2))), TypeError,
     ["edit_distance", "SparseTensor"]),
    (lambda: tf.histogram_fixed_width(np.ones(3), [1.0, 0.0]), ValueError,
     ["histogram_fixed_width", "value_range"]),
    (lambda: tf.random.all_candidate_sampler(np.array([[7]]), 1, 5, True), ValueError,
     ["all_candidate_sampler", "num_sampled=5"]),
    (lambda: tf.random.fixed_unigram_candidate_sampler(np.array([[0]]), 1, 2, False, 5,
                                                       unigrams=[1.0, 2.0]), ValueError,
     ["fixed_unigram_candidate_sampler", "range_max = 5"]),
    (lambda: tf.random.uniform_candidate_sampler(np.array([[0]]), 2, 2, False, 5), ValueError,
     ["uniform_candidate_sampler", "num_true=2", "(1, 1)"]),
    (lambda: tf.nn.dilation2d(np.ones((1, 4, 4, 2)), np.ones((2, 2, 3)), 1, "SAME"), ValueError,
     ["dilation2d", "(2, 2, 3)", "(1, 4, 4, 2)"]),
    (lambda: tf.signal.mdct(np.ones(32, np.float32), 10), ValueError, ["mdct", "multiple of 4"]),
    (lambda: tf.nn.collapse_repeated(np.ones((2, 3), np.int32), [1, 2, 3]), ValueError,
     ["collapse_repeated", "(2, 3)", "(3,)"]),
])
def test_bad_arguments_name_op_and_shapes(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    msg = str(info.value)
    for w in words:
        assert w in msg, (w, msg)


def test_qr_gradient_refuses_full_deep_matrices():
    t = Tensor(np.random.default_rng(0).normal(size=(4, 2)), requires_grad=True)
    q, r = tf.linalg.qr(t, full_matrices=True)
    with pytest.raises(NotImplementedError, match="qr"):
        (q.sum() + r.sum()).backward()


def test_nan_propagates_as_tensorflow():
    nan = np.array([np.nan], np.float32)
    for fn in (tf.math.lgamma, tf.math.digamma, tf.math.erfinv, tf.math.ndtri,
               tf.math.bessel_i0e, tf.math.bessel_i1):
        assert np.isnan(fn(nan).numpy()).all(), fn.__name__
    assert np.isnan(tf.math.igamma(nan, np.ones(1, np.float32)).numpy()).all()
    assert np.isnan(tf.math.betainc(np.ones(1, np.float32), np.ones(1, np.float32), nan).numpy()).all()
    # the NaN-safe ops: 0 where TensorFlow gives 0 even against NaN / inf
    out = tf.math.multiply_no_nan(np.array([np.nan, np.inf], np.float32), np.zeros(2, np.float32))
    np.testing.assert_array_equal(out.numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(tf.math.xdivy(np.zeros(1, np.float32), np.zeros(1, np.float32))
                                  .numpy(), [0.0])


def test_complex_results_keep_the_gradient():
    # (the values of the gradients: tests/test_complex_grad.py)
    sig = Tensor(np.sin(np.arange(64) * 0.3), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tf.signal.stft(sig, 16, 8).requires_grad
        assert tf.signal.rfft(sig).requires_grad
    assert not tf.signal.rfft(Tensor(np.sin(np.arange(8) * 0.3))).requires_grad


def test_ctc_loss_sparse_labels_equal_dense_ones():
    z = np.random.default_rng(6).normal(size=(7, 2, 4)).astype(np.float32)
    sparse = SparseTensor([[0, 0], [0, 1], [1, 0]], np.array([2, 3, 1], np.int32), [2, 2])
    dense = tf.nn.ctc_loss(np.array([[2, 3], [1, 0]], np.int32), z, [2, 1], [7, 7])
    np.testing.assert_allclose(tf.nn.ctc_loss(sparse, z, None, [7, 7]).numpy(), dense.numpy(),
                               rtol=1e-6)


def test_linear_operator_hints_and_bad_arguments():
    with pytest.raises(ValueError, match="LinearOperatorZeros.*self-adjoint.*square"):
        tf.linalg.LinearOperatorZeros(2, 3, is_square=False)
    with pytest.raises(ValueError, match="LinearOperatorZeros.*num_rows \\(2\\) != num_columns"):
        tf.linalg.LinearOperatorZeros(2, 3)
    with pytest.raises(ValueError, match="LinearOperatorFullMatrix.*rank >= 2.*\\(3,\\)"):
        tf.linalg.LinearOperatorFullMatrix(np.ones(3, np.float32))
    op = tf.linalg.LinearOperatorFullMatrix(np.ones((2, 3), np.float32))
    assert not op.is_square and op.range_dimension == 2 and op.domain_dimension == 3
    with pytest.raises(NotImplementedError, match="log_abs_determinant.*not square"):
        op.log_abs_determinant()
    d = tf.linalg.LinearOperatorDiag(np.array([2.0, 4.0], np.float32), is_positive_definite=True)
    assert d.is_positive_definite and isinstance(d @ d, tf.linalg.LinearOperatorComposition)
    np.testing.assert_allclose((d @ d).to_dense().numpy(), np.diag([4.0, 16.0]))
