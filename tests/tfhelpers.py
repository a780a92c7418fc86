"""Test helpers shared by every op test (tinygrad's helper_test_op, BLIS's residual check)."""
import numpy as np

from tensorforge._xp import array_module

EPS = {np.dtype(np.float32): np.finfo(np.float32).eps, np.dtype(np.float64): np.finfo(np.float64).eps}


def to_numpy(x):
    if type(x).__module__.startswith("cupy"):  # cupy.ndarray.data is a MemoryPointer, not the array
        return x.get()
    x = getattr(x, "data", x) if not isinstance(x, np.ndarray) else x
    return x.get() if hasattr(x, "get") and not isinstance(x, np.ndarray) else np.asarray(x)


def assert_close(actual, expected, *, scale=None, n=1, dtype=np.float32, factor=8.0, atol=0.0,
                 what=""):
    """Assert |actual - expected| <= factor * n * eps(dtype) * scale + atol, elementwise.

    ``expected`` is a float64 reference; ``scale`` is the magnitude the error grows with (for a
    reduction of length n: sum of |terms|, e.g. |A| @ |B| for GEMM), defaulting to |expected|.
    Shapes must match exactly and NaN must sit where the reference has NaN.
    """
    actual = to_numpy(actual)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"{what} shape {actual.shape} != reference {expected.shape}"
    nan_a, nan_e = np.isnan(actual), np.isnan(expected)
    assert np.array_equal(nan_a, nan_e), f"{what} NaN positions differ from the reference"
    scale = np.abs(expected) if scale is None else np.asarray(scale, dtype=np.float64)
    tol = factor * max(n, 1) * EPS[np.dtype(dtype)] * scale + atol
    err = np.abs(actual.astype(np.float64) - expected)
    ok = (err <= tol) | nan_e
    if not ok.all():
        i = np.unravel_index(np.argmax(np.where(ok, 0, err - tol)), err.shape)
        raise AssertionError(f"{what} mismatch at {i}: got {actual[i]!r}, reference {expected[i]!r}, "
                             f"error {err[i]:.3g} > tolerance {np.broadcast_to(tol, err.shape)[i]:.3g} "
                             f"({(~ok).sum()} of {ok.size} elements off)")


def numeric_grad(f, x, eps=1e-6):
    """Central finite differences of scalar f at float64 array x (x is modified and restored)."""
    g = np.zeros_like(x, dtype=np.float64)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        fp = f()
        flat[i] = old - eps
        fm = f()
        flat[i] = old
        gflat[i] = (fp - fm) / (2 * eps)
    return g


def assert_grad_close(analytic, numeric, rtol=2e-2, atol=2e-3, what="grad"):
    """Gradients from float32 kernels against float64 finite differences."""
    analytic = to_numpy(analytic).astype(np.float64)
    assert analytic.shape == numeric.shape, f"{what} shape {analytic.shape} != {numeric.shape}"
    scale = max(np.abs(numeric).max(), 1e-3)
    err = np.abs(analytic - numeric)
    bad = err > atol * scale + rtol * np.abs(numeric)
    assert not bad.any(), (f"{what}: {bad.sum()} of {bad.size} entries off; worst error "
                           f"{err.max():.3g} (scale {scale:.3g})")


def xp_of(x):
    return array_module(x)


def on_backend(x, backend):
    """Move a NumPy array to the backend's array type (CuPy for cuda)."""
    if backend == "cuda":
        import cupy
        return cupy.asarray(x)
    return x


def subprocess_env(extra=None):
    """Environment for a child Python process that must import the SAME tensorforge this test
    process imported (the installed one in CI, the source tree with its in-place build in
    development) and must not silently fall back to NumPy."""
    import os

    import tensorforge
    env = dict(os.environ)
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(tensorforge.__file__)))
    env["PYTHONPATH"] = pkg_parent + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("TENSORFORGE_DEBUG", None)
    # OpenMP threads that sleep instead of spinning at barriers: on a shared or oversubscribed
    # machine a spinning team waits for a descheduled thread (10x slower runs, same results).
    env.setdefault("OMP_WAIT_POLICY", "passive")
    if tensorforge._native._C is not None:
        env.setdefault("TENSORFORGE_BACKEND", "cpu")  # fail loudly rather than fall back
    env.update(extra or {})
    return env


def check_penalty_second_derivative(op, x, gamma, w, rng):
    """A gradient penalty through ``op(x, gamma)`` (float64): d/dgamma of ||dL/dx||^2, L =
    sum(op(x, gamma)^3 * w), from the op's backward graph, against central finite differences
    of its first derivative along a random direction."""
    from tensorforge.autograd import Tensor
    from tensorforge.higher_order import grad

    def penalty(g, keep_graph):
        xt, gt = Tensor(x.copy(), requires_grad=True), Tensor(g, requires_grad=True)
        (gx,) = grad(((op(xt, gt) ** 3) * w).sum(), [xt], create_graph=keep_graph)
        return (gx * gx).sum(), gt

    pen, gt = penalty(gamma.copy(), True)
    (gg,) = grad(pen, [gt])
    v = rng.standard_normal(gamma.shape)
    num = (float(penalty(gamma + 1e-6 * v, False)[0].numpy())
           - float(penalty(gamma - 1e-6 * v, False)[0].numpy())) / 2e-6
    assert abs(float((gg.numpy() * v).sum()) - num) <= 1e-5 * max(1.0, abs(num))
