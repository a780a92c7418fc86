"""Shared by tests/test_cuda*.py: why the GPU tests skip (needs_gpu / needs_module), the ``cu``
fixture ((CuPy, _C_cuda), or NumPy and the reference module under TF_CUDA_TEST_DRYRUN=1), host /
device copies and assert_close on device arrays; the recurrent cases' inputs (as the CPU model
of the GPU path reads them) and their float64 reference."""
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import _native, reference
from tfhelpers import assert_close as _assert_close

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DRYRUN = os.environ.get("TF_CUDA_TEST_DRYRUN") == "1"

CUDA_OPS = ["gemm", "gemm_batched", "conv2d_forward", "conv2d_backward", "max_pool2d_forward", "max_pool2d_backward", "avg_pool2d_forward",
            "avg_pool2d_backward", "global_avg_pool2d_forward", "global_avg_pool2d_backward",
            "act_forward", "act_backward", "softmax_forward", "softmax_backward",
            "softmax_xent_forward", "softmax_xent_backward", "dropout_forward", "dropout_backward",
            "sgd_update", "rmsprop_update", "adam_update", "adagrad_update",
            "lstm_forward", "lstm_backward", "gru_forward", "gru_backward", "simple_rnn_forward",
            "simple_rnn_backward"]


def _gpu_reason():
    if DRYRUN:
        return None
    if _native._C_cuda is None:
        return f"cuda: built without CUDA kernels ({_native.cuda_error or 'nvcc not found'})"
    if not tf.backend.cuda_available():
        return "cuda: no GPU visible"
    try:
        import cupy  # noqa: F401
    except ImportError:
        return "cuda: CuPy is not installed"
    return None


_REASON = _gpu_reason()
needs_gpu = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")
needs_module = pytest.mark.skipif(_native._C_cuda is None,
                                  reason=f"cuda: built without CUDA kernels ({_native.cuda_error})")


@pytest.fixture
def cu():
    """(xp, C): CuPy and the _C_cuda module (NumPy and the reference module in dry-run mode)."""
    if DRYRUN:
        return np, reference
    import cupy
    return cupy, _native._C_cuda


def need_ref(name):
    if not hasattr(reference, name):
        pytest.skip(f"reference.{name} is not on this branch yet")
    return getattr(reference, name)


def to_numpy(x):
    """Host copy of a CuPy (or NumPy) array."""
    return x.get() if type(x).__module__.startswith("cupy") else np.asarray(x)


def assert_close(actual, expected, **kw):
    _assert_close(to_numpy(actual), expected, **kw)


def dev(xp, a):
    """A device copy of host array a (a copy in dry-run mode too, so in-place ops stay honest)."""
    return xp.array(a)


# ---- recurrent cases as the CPU model of the GPU path reads them, and their float64 reference ----

RNN_CELL_CODE = {"lstm": 0, "gru": 1, "simple_rnn": 2}
RNN_ACT_CODE = {"tanh": 0, "relu": 1, "sigmoid": 2, "hard_sigmoid": 3}  # tf::RnnAct


def _rnn_emu_inputs(rng, cell, shape, gb, ra, act, ract, has_bias, has_h0, has_mask, sms):
    B, T, F, U = shape
    G = {"lstm": 4, "gru": 3, "simple_rnn": 1}[cell]
    s = 1.0 / np.sqrt(F + U)
    f32 = lambda *sh, k=1.0: (rng.standard_normal(sh) * k).astype(np.float32)  # noqa: E731
    a = {"x": f32(B, T, F), "kernel": f32(F, G * U, k=2 * s), "recurrent_kernel": f32(U, G * U, k=2 * s)}
    a["bias"] = (f32(2, G * U, k=0.5) if cell == "gru" and ra else f32(G * U, k=0.5)) if has_bias else None
    a["h0"] = f32(B, U, k=0.5) if has_h0 else None
    a["c0"] = f32(B, U) if has_h0 and cell == "lstm" else None
    if has_mask:
        m = rng.random((B, T)) < 0.7
        m[0, :] = False                      # an all-zero row
        if B > 1:
            m[1, : max(1, T // 2)] = False   # leading zeros
        a["mask"] = m.astype(np.float32)
    else:
        a["mask"] = None
    a["d_out"], a["d_hT"] = f32(B, T, U), f32(B, U)
    a["d_cT"] = f32(B, U) if cell == "lstm" else None
    header = [RNN_CELL_CODE[cell], B, T, F, U, int(gb), int(ra), RNN_ACT_CODE[act],
              RNN_ACT_CODE[ract or "sigmoid"], int(has_bias), int(has_h0), int(has_h0), int(has_mask), sms, 0, 0]
    blob = np.asarray(header, np.int64).tobytes()
    for n in ("x", "kernel", "recurrent_kernel", "bias", "h0", "c0", "mask", "d_out", "d_hT", "d_cT"):
        if a[n] is not None:
            blob += np.ascontiguousarray(a[n], np.float32).tobytes()
    return a, blob


def _rnn_reference(cell, a, gb, ra, act, ract):
    """reference/rnn.py in float64: (forward tuple, backward tuple fed the forward's saved arrays)."""
    from tensorforge.reference import rnn as R
    d = {n: None if v is None else v.astype(np.float64) for n, v in a.items()}
    x, K, Rk, b, h0, m = d["x"], d["kernel"], d["recurrent_kernel"], d["bias"], d["h0"], d["mask"]
    if cell == "lstm":
        f = R.lstm_forward(x, K, Rk, b, h0, d["c0"], m, gb, act, ract)
        return f, R.lstm_backward(d["d_out"], d["d_hT"], d["d_cT"], x, K, Rk, m, gb, act, ract, *f[3:])
    if cell == "gru":
        f = R.gru_forward(x, K, Rk, b, h0, m, gb, ra, act, ract)
        return f, R.gru_backward(d["d_out"], d["d_hT"], x, K, Rk, m, gb, ra, act, ract, *f[2:])
    f = R.simple_rnn_forward(x, K, Rk, b, h0, m, gb, act)
    return f, R.simple_rnn_backward(d["d_out"], d["d_hT"], x, K, Rk, m, gb, act, *f[2:])
