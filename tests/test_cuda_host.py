"""The cuda backend's dispatch adapters (_cuda_host.py, Note [host arrays on the cuda backend]),
tested without a GPU: a stand-in device module (NumPy underneath, arrays of a type whose module
is 'cupy') replaces CuPy, and plain Python functions stand in for the CUDA kernels, recording
what they were given. The real kernels behind the adapters run in tests/test_cuda.py on a GPU."""
import numpy as np
import pytest

from tensorforge import _cuda_host


class DevArray(np.ndarray):
    """A 'device' array: its type's module is cupy, and .get() copies it to the host."""

    def get(self):
        return np.array(self, copy=True).view(np.ndarray)


DevArray.__module__ = "cupy"


class FakeCupy:
    @staticmethod
    def asarray(a):
        return np.array(a, copy=True).view(DevArray)

    @staticmethod
    def any(a):
        return np.any(np.asarray(a))


@pytest.fixture
def fake_cupy(monkeypatch):
    monkeypatch.setattr(_cuda_host, "_cupy", lambda: FakeCupy)
    return FakeCupy


def dev(a):
    return FakeCupy.asarray(a)


def recording_kernel(result):
    seen = []

    def kernel(*args, **kwargs):
        seen.append((args, kwargs))
        return result(*args, **kwargs)
    return kernel, seen


def test_device_arguments_go_straight_to_the_kernel(fake_cupy):
    kernel, seen = recording_kernel(lambda x, k: x * k)
    op = _cuda_host.wrap("act_forward", kernel)
    x = dev(np.arange(6, dtype=np.float32))
    out = op(x, 2)
    assert seen[0][0][0] is x  # not copied
    assert type(out) is DevArray and np.array_equal(out.get(), np.arange(6) * 2)
    assert op.__name__ == "act_forward" and op.__wrapped__ is kernel


def test_host_arguments_run_on_the_device_and_come_back_to_the_host(fake_cupy):
    kernel, seen = recording_kernel(lambda a, b, c=None: (a + b, None, a - c))
    op = _cuda_host.wrap("gemm", kernel)
    a = np.array([1.0, 2.0], np.float32)
    b = np.array([10.0, 20.0], np.float32)
    c = np.array([0.5, 0.5], np.float32)
    s, none, d = op(a, b, c=c)
    args, kwargs = seen[0]
    assert all(type(t) is DevArray for t in (*args, kwargs["c"]))  # the kernel saw device arrays
    assert type(s) is np.ndarray and type(d) is np.ndarray and none is None
    np.testing.assert_array_equal(s, [11.0, 22.0])
    np.testing.assert_array_equal(d, [0.5, 1.5])


def test_in_place_kernels_write_host_arrays_back(fake_cupy):
    def sgd(param, grad, velocity, lr):
        param -= lr * grad  # in place, on the device copies
        velocity += 1.0
    op = _cuda_host.wrap("sgd_update", sgd)
    p = np.ones(3, np.float32)
    g = np.full(3, 2.0, np.float32)
    v = np.zeros(3, np.float32)
    op(p, g, v, 0.25)
    np.testing.assert_array_equal(p, [0.5, 0.5, 0.5])
    np.testing.assert_array_equal(v, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(g, [2.0, 2.0, 2.0])
    # an out-of-place kernel never writes its inputs back
    op2 = _cuda_host.wrap("act_forward", lambda x: x.__iadd__(1.0))
    x = np.zeros(2, np.float32)
    op2(x)
    np.testing.assert_array_equal(x, [0.0, 0.0])


def test_conv2d_backward_fuses_the_relu_mask_before_the_kernel(fake_cupy):
    kernel, seen = recording_kernel(lambda dy, *rest: (dy, None, None))
    op = _cuda_host.wrap("conv2d_backward", kernel)
    dy = dev(np.array([1.0, 2.0, 3.0, 4.0], np.float32))
    y = dev(np.array([0.5, 0.0, -1.0, 2.0], np.float32))
    geom = (1, 1, 0, 0, 0, 0, 1, 1, True, True, True)
    dx, _, _ = op(dy, dy, dy, *geom, y, None, None)
    np.testing.assert_array_equal(np.asarray(dx), [1.0, 0.0, 0.0, 4.0])
    assert len(seen[0][0]) == 14  # the CUDA binding's 14 arguments, no y / outputs
    dx, _, _ = op(dy, dy, dy, *geom)  # without y: dy unchanged
    np.testing.assert_array_equal(np.asarray(dx), [1.0, 2.0, 3.0, 4.0])


def test_embedding_ids_out_of_range_raise_the_reference_error(fake_cupy):
    kernel, seen = recording_kernel(lambda table, ids: table[ids])
    op = _cuda_host.wrap("embedding_forward", kernel)
    table = dev(np.zeros((10, 2), np.float32))
    with pytest.raises(ValueError, match=r"embedding_forward: ids must lie in \[0, 10\).*ids\[1, 2\] = 10"):
        op(table, dev(np.array([[1, 2, 3], [4, 5, 10]])))
    with pytest.raises(ValueError, match=r"ids\[0, 0\] = -1"):
        op(table, np.array([[-1, 2]]))  # host ids: checked after the copy, same message
    assert not seen
    back = _cuda_host.wrap("embedding_backward", lambda dy, ids, V: None)
    with pytest.raises(ValueError, match=r"embedding_backward: ids must lie in \[0, 3\)"):
        back(dev(np.zeros((2, 4), np.float32)), dev(np.array([0, 3])), 3)
    assert op(table, dev(np.array([0, 9]))).shape == (2, 2)


def test_mixed_host_and_device_arguments_leave_results_on_the_device(fake_cupy):
    kernel, seen = recording_kernel(lambda a, b: a + b)
    op = _cuda_host.wrap("gemm", kernel)
    out = op(np.ones(2, np.float32), dev(np.ones(2, np.float32)))
    assert type(out) is DevArray and np.array_equal(out.get(), [2.0, 2.0])


def test_to_one_device_moves_host_operands_only_when_mixed(monkeypatch):
    import sys
    from tensorforge._xp import to_one_device
    monkeypatch.setitem(sys.modules, "cupy", FakeCupy)
    host, d = np.arange(3.0), dev(np.arange(3.0))
    args = [host, 2.0]
    assert not to_one_device(args) and args[0] is host  # all on the host: untouched
    args = [d, host, (host, slice(None))]
    assert to_one_device(args)
    assert args[0] is d and type(args[1]) is DevArray and type(args[2][0]) is DevArray
    assert args[2][1] == slice(None)
