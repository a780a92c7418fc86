"""Autograd core and the basic ops' gradients (finite differences in float64)."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge.autograd import Tensor
from tensorforge.ops import basic as B

from tfhelpers import assert_grad_close, numeric_grad


def test_tensor_used_twice_accumulates():
    x = Tensor(np.array([1.0, 2.0, 3.0], np.float32), requires_grad=True)
    y = x * x + x * 3.0        # dy/dx = 2x + 3
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [5, 7, 9])
    x.grad = None
    z = x + x
    w = z * z                  # 4x^2 -> 8x
    w.sum().backward()
    np.testing.assert_allclose(x.grad, [8, 16, 24])


def test_deep_chain_is_iterative():
    x = Tensor(np.ones(4, np.float32), requires_grad=True)
    y = x
    for _ in range(20000):     # far beyond the recursion limit
        y = y + 0.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad, np.ones(4))


def test_no_grad_records_nothing():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    with tf.no_grad():
        y = x * 2
    assert not y.requires_grad and y._node is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.sum().backward()


def test_detach_numpy_shape_dtype():
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    assert x.dtype == np.float32 and x.shape == (1, 2)
    d = x.detach()
    assert not d.requires_grad and d.numpy() is x.numpy()


@pytest.mark.parametrize("name,fn,ref", [
    ("abs", lambda t: B.abs(t), np.abs),
    ("sqrt", lambda t: B.sqrt(t * t + 1.0), lambda a: np.sqrt(a * a + 1)),
    ("clip", lambda t: B.clip(t, -0.5, 0.7), lambda a: np.clip(a, -0.5, 0.7)),
    ("maximum", lambda t: B.maximum(t, 0.1), lambda a: np.maximum(a, 0.1)),
    ("concat", lambda t: B.concatenate([t, t * 2.0], axis=1), lambda a: np.concatenate([a, 2 * a], 1)),
    ("reverse", lambda t: t[:, ::-1], lambda a: a[:, ::-1]),
    ("fancy", lambda t: t[np.array([0, 0, 2]), np.array([1, 1, 0])], lambda a: a[[0, 0, 2], [1, 1, 0]]),
    ("matmul", lambda t: t @ t.T, lambda a: a @ a.T),
    ("mean_axis", lambda t: t.mean(axis=1), lambda a: a.mean(1)),
    ("exp_log", lambda t: B.log(B.exp(t) + 1.0), lambda a: np.log(np.exp(a) + 1)),
])
def test_basic_op_grads(name, fn, ref, rng):
    a = rng.standard_normal((3, 4))
    a[np.abs(a) < 0.05] = 0.3
    a[np.abs(a - 0.7) < 0.05] = 0.3
    a[np.abs(a + 0.5) < 0.05] = 0.3
    a[np.abs(a - 0.1) < 0.05] = 0.3
    t = Tensor(a.astype(np.float32), requires_grad=True)
    y = fn(t)
    np.testing.assert_allclose(y.numpy(), ref(a), rtol=1e-5, atol=1e-5)
    R = rng.standard_normal(y.shape)
    (y * R.astype(np.float32)).sum().backward()
    assert_grad_close(t.grad, numeric_grad(lambda: float((ref(a) * R).sum()), a), what=name)


def test_grad_mode_is_per_thread_with_defaults_in_a_fresh_thread():
    """A thread that never entered no_grad/enable_grad records (grad mode on, no grad-ready hook
    armed), and a no_grad in one thread does not switch off recording in another."""
    import threading

    from tensorforge.autograd import is_grad_enabled, no_grad
    seen = {}

    def worker():
        seen["enabled"] = is_grad_enabled()
        w = Tensor(np.array([2.0, 3.0], np.float32), requires_grad=True)
        (w * w).sum().backward()
        seen["grad"] = w.grad

    with no_grad():
        t = threading.Thread(target=worker)
        t.start()
        t.join()
        assert not is_grad_enabled()
    assert is_grad_enabled()
    assert seen["enabled"] is True
    np.testing.assert_array_equal(seen["grad"], np.array([4.0, 6.0], np.float32))


def test_backward_seed_of_a_size_one_tensor_keeps_shape_and_dtype():
    for shape in [(), (1,), (1, 1)]:
        for dtype in (np.float32, np.float64):
            w = Tensor(np.full(shape, 3.0, dtype), requires_grad=True)
            y = w * w
            y.backward()
            assert w.grad.shape == shape and w.grad.dtype == dtype
            np.testing.assert_array_equal(w.grad, np.full(shape, 6.0, dtype))
    with pytest.raises(RuntimeError, match="grad must be given for a non-scalar"):
        (Tensor(np.ones(2, np.float32), requires_grad=True) * 2.0).backward()
