"""CUDA kernels (_C_cuda) against the NumPy float64 reference, in three files:
- here, everywhere the CUDA module is built (no GPU needed): the module's surface, device_count()
  on a machine without a GPU, set_backend('cuda') failing clearly, the bindings rejecting host
  arrays and bad __cuda_array_interface__ objects before touching the device, the CUDA benchmark
  failing clearly without a GPU;
- test_cuda_emu.py, everywhere a C++20 compiler is present: the kernel sources run on the CPU
  model of the CUDA execution model (csrc/cuda/emu), under AddressSanitizer when available;
- test_cuda_ops.py, on a GPU with CuPy: every CUDA op against the float64 reference with shape
  sweeps (1, primes, tile edges), strided views, NaN propagation; skipped with the reason otherwise.

Developer check of this file's GPU tests without a GPU: TF_CUDA_TEST_DRYRUN=1 runs them on NumPy
through the reference module (what the tests assert must hold for a correct implementation); it
checks the tests, not the kernels.
"""
import os
import re
import subprocess

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import _native, reference
from cuda_checks import CUDA_OPS, DRYRUN, ROOT, _REASON, needs_module


# ---- everywhere the module is built ----------------------------------------------------------

@needs_module
def test_cuda_module_surface():
    C = _native._C_cuda
    missing = [n for n in CUDA_OPS + ["device_count", "device_name", "synchronize"] if not hasattr(C, n)]
    assert not missing, f"_C_cuda lacks {missing}"
    n = C.device_count()
    assert isinstance(n, int) and n >= 0
    assert tf.backend.cuda_available() == (n > 0)
    for name in CUDA_OPS:  # same names as the reference module -> registered for backend 'cuda'
        if hasattr(reference, name):
            # behind the adapter of Note [host arrays on the cuda backend] (_cuda_host.py)
            assert tf.backend.lookup(name, "cuda").__wrapped__ is getattr(C, name)


def test_set_backend_cuda_without_gpu_is_a_clear_error():
    if tf.backend.cuda_available():
        pytest.skip("a GPU is visible: selecting cuda is legal here")
    prev = tf.get_backend()
    with pytest.raises(RuntimeError, match=r"set_backend: .*(no GPU is visible|without CUDA)"):
        tf.set_backend("cuda")
    assert tf.get_backend() == prev


class FakeDeviceArray:
    """An object with a __cuda_array_interface__ (never dereferenced by the checks tested)."""

    def __init__(self, shape, typestr="<f4", strides=None, ptr=0x10000, readonly=False, version=3):
        self.__cuda_array_interface__ = {"shape": tuple(shape), "typestr": typestr,
                                         "data": (ptr, readonly), "strides": strides,
                                         "version": version}


@needs_module
def test_cuda_bindings_reject_bad_input_without_touching_the_device():
    C = _native._C_cuda
    a = np.ones((4, 4), np.float32)
    with pytest.raises(TypeError, match=r"gemm: a must be a CuPy array .*numpy.ndarray"):
        C.gemm(a, a)
    with pytest.raises(TypeError, match="gemm: a must be a CuPy array"):
        C.gemm([[1.0]], a)
    with pytest.raises(TypeError, match=r"gemm_batched: a must be a CuPy array .*numpy.ndarray"):
        C.gemm_batched(a[None], a[None])
    with pytest.raises(TypeError, match=r"gemm: a must be float32, got int32 with shape \(4, 4\)"):
        C.gemm(FakeDeviceArray((4, 4), "<i4"), FakeDeviceArray((4, 4)))
    with pytest.raises(TypeError, match=r"act_forward: x must be float32, got int32"):
        C.act_forward(FakeDeviceArray((3,), "<i4"), "relu", 0.0)
    with pytest.raises(ValueError, match="act_forward: unknown kind 'mish'"):
        C.act_forward(FakeDeviceArray((3,)), "mish", 0.0)
    with pytest.raises(ValueError, match="version 7"):
        C.act_forward(FakeDeviceArray((3,), version=7), "relu", 0.0)
    with pytest.raises(ValueError, match="not a multiple of its item size"):
        C.act_forward(FakeDeviceArray((3,), strides=(6,)), "relu", 0.0)
    with pytest.raises(ValueError, match=r"dropout_forward: rate must be in \[0, 1\)"):
        C.dropout_forward(FakeDeviceArray((3,)), 1.0, 0)
    with pytest.raises(TypeError, match="dropout_forward: seed must be an int"):
        C.dropout_forward(FakeDeviceArray((3,)), 0.5, "x")
    with pytest.raises(ValueError, match="gemm: activation must be None or 'relu'"):
        C.gemm(FakeDeviceArray((4, 4)), FakeDeviceArray((4, 4)), activation="gelu")
    # a pointer that is not device memory: a ValueError (no GPU: the driver query fails; GPU: the
    # pointer is unregistered), never a crash
    with pytest.raises(ValueError, match="act_forward: x"):
        C.act_forward(FakeDeviceArray((3,)), "relu", 0.0)
    # recurrent family: host arrays, wrong dtype, unknown activations, bad pointers
    x, k, rk = np.zeros((2, 3, 4), np.float32), np.zeros((4, 20), np.float32), np.zeros((5, 20), np.float32)
    with pytest.raises(TypeError, match=r"lstm_forward: x must be a CuPy array .*numpy.ndarray"):
        C.lstm_forward(x, k, rk, None, None, None, None, False, "tanh", "sigmoid")
    with pytest.raises(TypeError, match=r"gru_forward: x must be float32, got float64 with shape \(2, 3, 4\)"):
        C.gru_forward(FakeDeviceArray((2, 3, 4), "<f8"), k, rk, None, None, None, False, True, "tanh", "sigmoid")
    with pytest.raises(ValueError, match="lstm_forward: recurrent_activation must be 'sigmoid' or 'hard_sigmoid'"):
        C.lstm_forward(FakeDeviceArray((2, 3, 4)), k, rk, None, None, None, None, False, "tanh", "relu")
    with pytest.raises(ValueError, match="simple_rnn_backward: activation must be 'tanh' or 'relu'"):
        C.simple_rnn_backward(x, x, x, k, rk, None, False, "elu", x, x)
    with pytest.raises(ValueError, match="simple_rnn_forward: x"):
        C.simple_rnn_forward(FakeDeviceArray((2, 3, 4)), k, rk, None, None, None, False, "tanh")
    # depthwise conv: host arrays and wrong dtypes, before any device access
    xd, wd, g = np.zeros((1, 3, 3, 2), np.float32), np.zeros((3, 3, 2, 1), np.float32), (1,) * 8
    with pytest.raises(TypeError, match=r"depthwise_conv2d_forward: x must be a CuPy array .*numpy.ndarray"):
        C.depthwise_conv2d_forward(xd, wd, *g)
    with pytest.raises(TypeError, match=r"depthwise_conv2d_backward: dy must be float32, got float64"):
        C.depthwise_conv2d_backward(FakeDeviceArray((1, 3, 3, 2), "<f8"), xd, wd, *g)


@needs_module
def test_cuda_norm_and_embedding_bindings_reject_bad_input_without_touching_the_device():
    C = _native._C_cuda
    x = np.zeros((4, 3), np.float32)
    with pytest.raises(TypeError, match=r"batch_norm_forward_train: x must be a CuPy array .*numpy.ndarray"):
        C.batch_norm_forward_train(x, None, None, x[0], x[0], -1, 0.99, 1e-3)
    with pytest.raises(TypeError, match=r"batch_norm_forward_infer: x must be float32, got float64"):
        C.batch_norm_forward_infer(FakeDeviceArray((4, 3), "<f8"), None, None, x[0], x[0], -1, 1e-3)
    with pytest.raises(TypeError, match=r"batch_norm_backward: dy must be float32, got int32"):
        C.batch_norm_backward(FakeDeviceArray((4, 3), "<i4"), x, x[0], x[0], None, -1)
    with pytest.raises(ValueError, match="batch_norm_backward: dy"):  # a host pointer: never a crash
        C.batch_norm_backward(FakeDeviceArray((4, 3)), x, x[0], x[0], None, -1)
    with pytest.raises(TypeError, match="embedding_forward: table must be a CuPy array"):
        C.embedding_forward(x, x)
    with pytest.raises(ValueError, match=r"embedding_backward: V \(the table's rows\) must be >= 1"):
        C.embedding_backward(FakeDeviceArray((0, 2)), FakeDeviceArray((0,), "<i8"), 0)
    with pytest.raises(TypeError, match="embedding_backward: ids must be int32 or int64, got float32"):
        C.embedding_backward(FakeDeviceArray((0, 2)), FakeDeviceArray((0,), "<f4"), 5)
    with pytest.raises(ValueError, match=r"embedding_backward: dy must have shape ids.shape \+ \(D,\)"):
        C.embedding_backward(FakeDeviceArray((0, 2)), FakeDeviceArray((0, 1), "<i4"), 5)


def test_cuda_benchmark_imports_and_fails_clearly_without_gpu():
    import argparse

    from tensorforge.bench import cuda as bench_cuda
    if _REASON is None and not DRYRUN:
        pytest.skip("a GPU is visible: the benchmark would run")
    with pytest.raises(RuntimeError, match=r"^bench cuda: .*(GPU|CUDA|CuPy)"):
        bench_cuda.run(argparse.Namespace(quick=True, against=["torch"]))


def test_bench_cli_with_cuda_backend_fails_in_one_line_without_gpu():
    """`tensorforge bench --backend cuda` runs bench/cuda.py's suites; without a GPU (or CuPy, or
    the CUDA build) it prints one line on stderr and exits 2 instead of the CPU tables."""
    import sys

    from tfhelpers import subprocess_env
    if _REASON is None and not DRYRUN:
        pytest.skip("a GPU is visible: the benchmark would run")
    r = subprocess.run([sys.executable, "-m", "tensorforge.cli", "bench", "rnn", "--backend", "cuda"],
                       capture_output=True, text=True, env=subprocess_env(), timeout=120)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and re.match(r"tensorforge bench cuda: .*(GPU|CUDA|CuPy)", lines[0]), r.stderr
    assert "GFLOP" not in r.stdout and "ms" not in r.stdout, "no CPU table instead"


def test_cuda_bench_sections_cover_every_suite_name():
    from tensorforge.bench import SUITES
    from tensorforge.bench import cuda as bench_cuda
    assert set(SUITES) <= set(bench_cuda.FOR_SUITE)
    assert {"rnn", "train", "gemm", "cnn", "fused", "layers"} == set(bench_cuda.SECTIONS)
    for names in bench_cuda.FOR_SUITE.values():
        assert names and all(n in bench_cuda.SECTIONS for n in names)


def test_cuda_extra_matches_the_cuda_major_of_the_build():
    """pyproject's [cuda] extra names the CuPy wheel for the CUDA major the kernels are built
    with, and set_backend's check names the right wheel on a mismatch."""
    import tomllib
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        extras = tomllib.load(f)["project"]["optional-dependencies"]
    cuda = [r for r in extras["cuda"] if r.startswith("cupy")]
    assert len(cuda) == 1 and re.match(r"cupy-cuda\d+x\b", cuda[0]), extras["cuda"]
    assert "pytest" in " ".join(extras["test"]) and not any("cupy" in r for r in extras["test"])
    if _native._C_cuda is not None:
        major = _native._C_cuda.cuda_build_version // 1000
        extra = "cuda" if major >= 13 else f"cuda{major}"
        assert any(r.startswith(f"cupy-cuda{major}x") for r in extras[extra]), (major, extras)
    mismatch = tf.backend.cuda_version_mismatch
    assert mismatch(13000, 13020) is None and mismatch(None, 12040) is None
    msg = mismatch(13000, 12080)
    assert "built with CUDA 13 but CuPy runs CUDA 12" in msg and "tensorforge[cuda]" in msg and "cupy-cuda13x" in msg
    assert "tensorforge[cuda12]" in mismatch(12040, 13000)
