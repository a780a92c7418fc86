"""Shared fixtures: every op test runs on each available backend (numpy always, cpu when the
native module is built, cuda when a GPU is visible; otherwise skipped with the reason)."""
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(__file__))  # for tfhelpers

import tensorforge as tf  # noqa: E402
from tensorforge import _native  # noqa: E402


def _backend_params():
    params = [pytest.param("numpy", id="numpy")]
    if _native._C is not None:
        params.append(pytest.param("cpu", id="cpu"))
    else:
        params.append(pytest.param("cpu", id="cpu", marks=pytest.mark.skip(
            reason=f"native CPU module unavailable: {_native.native_error}")))
    if tf.backend.cuda_available():
        params.append(pytest.param("cuda", id="cuda"))
    else:
        why = ("built without CUDA kernels" if _native._C_cuda is None else "no GPU visible")
        params.append(pytest.param("cuda", id="cuda", marks=pytest.mark.skip(reason=f"cuda: {why}")))
    return params


@pytest.fixture(params=_backend_params())
def backend(request):
    """Run the test with this backend selected; restores the previous one after."""
    prev = tf.get_backend()
    tf.set_backend(request.param)
    yield request.param
    tf.set_backend(prev)


def _isa_params():
    if _native._C is None:
        return [pytest.param("none", marks=pytest.mark.skip(reason="native CPU module unavailable"))]
    return [pytest.param(i, id=i) for i in _native._C.supported_isas()]


@pytest.fixture(params=_isa_params())
def isa(request):
    """Run native kernels on each ISA path this CPU supports (generic, avx2, avx512)."""
    C = _native._C
    prev = C.isa()
    C._set_isa(request.param)
    prev_backend = tf.get_backend()
    tf.set_backend("cpu")
    yield request.param
    C._set_isa(prev)
    tf.set_backend(prev_backend)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture
def winograd_always():
    """For modules that cover the Winograd conv path itself, on layers small enough to check
    quickly: those run direct by default (Note [Winograd against direct]), so Winograd is forced
    wherever its multiply count allows."""
    C = _native._C
    if C is None:
        yield
        return
    prev = C._conv_winograd_always(True)
    try:
        yield
    finally:
        C._conv_winograd_always(prev)
