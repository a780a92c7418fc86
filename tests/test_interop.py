"""Array exchange: Tensor() and the ops read other libraries' arrays through __dlpack__,
__array_interface__ / __array__ without copying; Tensors export themselves through DLPack.
The protocol objects below expose ONE protocol each (over a NumPy buffer) so each path is tested
alone; PyTorch, when installed, checks a real foreign library end to end. The CUDA paths
(__cuda_array_interface__, DLPack device 2) need a GPU and CuPy and are not exercised here."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import interop, ops
from tensorforge.autograd import Tensor


class OnlyDLPack:
    def __init__(self, a):
        self._a = a

    def __dlpack__(self, **kw):
        return self._a.__dlpack__(**kw)

    def __dlpack_device__(self):
        return self._a.__dlpack_device__()


class OnlyArrayInterface:
    def __init__(self, a):
        self._a = a
        self.__array_interface__ = a.__array_interface__


class OnlyArray:
    def __init__(self, a):
        self._a = a

    def __array__(self, dtype=None, copy=None):
        return self._a


class FakeCuda:
    __cuda_array_interface__ = {"shape": (2,), "typestr": "<f4", "data": (0, False), "version": 3}


@pytest.mark.parametrize("wrap", [OnlyDLPack, OnlyArrayInterface, OnlyArray])
def test_tensor_views_foreign_memory(wrap):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = Tensor(wrap(a))
    assert t.shape == (3, 4) and t.dtype == np.float32
    assert np.shares_memory(t.data, a)  # no copy
    a[0, 0] = 42.0
    assert t.data[0, 0] == 42.0


def test_strided_view_stays_a_view_and_ops_handle_it():
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    view = base[:, ::2]  # not C-contiguous
    t = Tensor(OnlyDLPack(view))
    assert np.shares_memory(t.data, base) and t.shape == (4, 3)
    np.testing.assert_allclose(ops.gemm(OnlyDLPack(view), np.eye(3, dtype=np.float32)), view)


@pytest.mark.parametrize("wrap", [OnlyDLPack, OnlyArray])
def test_ops_accept_foreign_arrays(wrap):
    r = np.random.default_rng(0)
    a = r.normal(size=(5, 3)).astype(np.float32)
    b = r.normal(size=(3, 2)).astype(np.float32)
    np.testing.assert_allclose(ops.gemm(wrap(a), wrap(b)), a @ b, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ops.relu(wrap(a)), np.maximum(a, 0))
    # the ops that read foreign arrays themselves (interop.reads_foreign: no wrapper)
    np.testing.assert_array_equal(ops.add(wrap(a), a).data, a + a)
    np.testing.assert_array_equal(ops.mul(a, wrap(a)).data, a * a)
    np.testing.assert_array_equal(ops.sub(Tensor(a), wrap(a)).data, np.zeros_like(a))
    np.testing.assert_allclose(ops.tanh(wrap(a)), np.tanh(a), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ops.relu(wrap(a), max_value=0.5), np.clip(a, 0, 0.5))
    t = Tensor(a, requires_grad=True)
    ops.sum(ops.mul(t, wrap(b[:, :1].T.repeat(5, 0)))).backward()
    np.testing.assert_array_equal(t.grad, b[:, :1].T.repeat(5, 0))
    x = Tensor(a, requires_grad=True)
    y = ops.gemm(x, wrap(b))  # a Tensor and a foreign array together, gradients flow
    ops.sum(y).backward()
    np.testing.assert_allclose(x.grad, np.ones((5, 2), np.float32) @ b.T, rtol=1e-5)


def test_tensor_exports_through_dlpack():
    t = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    assert t.__dlpack_device__()[0] == 1  # kDLCPU
    v = np.from_dlpack(t)
    assert np.shares_memory(v, t.data)
    back = tf.from_dlpack(t)
    assert isinstance(back, Tensor) and np.shares_memory(back.data, t.data)


def test_errors_are_clear():
    with pytest.raises(TypeError, match="from_dlpack: expected an object with __dlpack__"):
        tf.from_dlpack([1, 2, 3])
    try:
        import cupy  # noqa: F401
    except ImportError:
        with pytest.raises(TypeError, match="CUDA device; reading it needs CuPy"):
            Tensor(FakeCuda())

    class Bad:
        def __array__(self, dtype=None, copy=None):
            return np.array([object()], dtype=object)
    with pytest.raises(TypeError, match="numeric array"):
        Tensor(Bad())


def test_is_foreign_leaves_our_types_alone():
    assert not interop.is_foreign(np.zeros(2))
    assert not interop.is_foreign(Tensor(np.zeros(2)))
    assert not interop.is_foreign(3.0) and not interop.is_foreign([1, 2])
    assert interop.is_foreign(OnlyDLPack(np.zeros(2)))


def test_pytorch_round_trip_without_copies():
    torch = pytest.importorskip("torch", reason="PyTorch checks a real foreign library")
    pt = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    t = Tensor(pt)
    assert np.shares_memory(t.data, pt.numpy())
    assert tf.from_dlpack(pt).data.ctypes.data == pt.data_ptr()
    back = torch.from_dlpack(t)
    assert back.data_ptr() == t.data.ctypes.data
    w = torch.ones(4, 2)
    np.testing.assert_allclose(ops.gemm(pt, w), pt.numpy() @ w.numpy())
    with pytest.raises(TypeError, match="require gradient"):
        Tensor(torch.ones(2, requires_grad=True))
