"""Embedding lookup kernels against NumPy indexing and a float64 np.add.at oracle, on every
backend; deterministic (bit-identical at 1 and 2 threads) gradients with repeated ids; the
Embedding layer's gradient by finite differences and its mask_zero mask; out-of-range ids and
bad input named at the boundary."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import _native, kernels, layers, ops
from tfhelpers import assert_grad_close, numeric_grad, on_backend, to_numpy

SHAPES = [(0,), (1,), (7,), (3, 5), (2, 3, 4), (64, 33)]


@pytest.mark.parametrize("ids_shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8])
@pytest.mark.parametrize("V,D", [(1, 1), (11, 3), (50, 17)])
def test_forward_and_backward(backend, rng, ids_shape, dtype, V, D):
    table = rng.standard_normal((V, D)).astype(np.float32)
    ids = rng.integers(0, V, ids_shape).astype(dtype)
    y = kernels.embedding_forward(on_backend(table, backend), on_backend(ids, backend))
    assert to_numpy(y).shape == ids_shape + (D,)
    assert np.array_equal(to_numpy(y), table[ids.astype(np.int64)])
    dy = rng.standard_normal(ids_shape + (D,)).astype(np.float32)
    dt = kernels.embedding_backward(on_backend(dy, backend), on_backend(ids, backend), V)
    want = np.zeros((V, D))
    np.add.at(want, ids.reshape(-1).astype(np.int64), dy.reshape(-1, D).astype(np.float64))
    np.testing.assert_allclose(to_numpy(dt), want, rtol=1e-5, atol=1e-5)


@pytest.mark.skipif(_native._C is None, reason="native CPU module unavailable")
def test_gradient_is_bit_identical_at_1_and_2_threads(rng):
    V, D = 3000, 96
    ids = rng.zipf(1.3, (256, 40)) % V  # heavy repetition of small ids
    dy = rng.standard_normal(ids.shape + (D,)).astype(np.float32)
    prev = tf.get_num_threads()
    outs = []
    try:
        for nt in (1, 2, 1):
            tf.set_num_threads(nt)
            outs.append(_native._C.embedding_backward(dy, ids, V))
    finally:
        tf.set_num_threads(prev)
    assert np.array_equal(outs[0], outs[1]) and np.array_equal(outs[0], outs[2])
    # in position order: the same float32 sums as a sequential loop
    seq = np.zeros((V, D), np.float32)
    for i, v in enumerate(ids.reshape(-1)):
        seq[v] += dy.reshape(-1, D)[i]
    assert np.array_equal(outs[0], seq)


def test_out_of_range_ids_name_the_op_and_the_id(backend):
    table = on_backend(np.zeros((10, 2), np.float32), backend)
    for bad, where in ((10, "[1, 2]"), (-1, "[1, 2]")):
        ids = np.array([[1, 2, 3], [4, 5, bad]])
        ids[1, 2] = bad
        with pytest.raises(ValueError, match=rf"embedding_forward: ids must lie in \[0, 10\).*ids\[1, 2\] = {bad}"):
            kernels.embedding_forward(table, on_backend(ids, backend))
    with pytest.raises(ValueError, match=r"embedding_backward: ids must lie in \[0, 3\)"):
        kernels.embedding_backward(on_backend(np.zeros((2, 4), np.float32), backend),
                                   on_backend(np.array([0, 3]), backend), 3)


def test_bad_input_names_the_op():
    table = np.zeros((5, 2), np.float32)
    with pytest.raises(TypeError, match="embedding_forward: ids must be integers"):
        kernels.embedding_forward(table, np.array([0.0, 1.0]))
    with pytest.raises(TypeError, match="embedding_forward: table must be float32 or float64, got float16"):
        kernels.embedding_forward(table.astype(np.float16), np.array([0, 1]))
    with pytest.raises(ValueError, match=r"table must be 2-D"):
        kernels.embedding_forward(table[0], np.array([0, 1]))
    with pytest.raises(ValueError, match=r"dy must have shape ids.shape \+ \(D,\)"):
        kernels.embedding_backward(np.zeros((3, 2), np.float32), np.array([0, 1]), 5)
    with pytest.raises(ValueError, match="V .* must be an int >= 1"):
        kernels.embedding_backward(np.zeros((2, 2), np.float32), np.array([0, 1]), 0)


@pytest.mark.skipif(_native._C is None, reason="native CPU module unavailable")
def test_native_binding_checks_its_arguments():
    C_ = _native._C
    table = np.zeros((5, 2), np.float32)
    with pytest.raises(TypeError, match="ids must be int32 or int64, got int16"):
        C_.embedding_forward(table, np.array([0, 1], np.int16))
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 5\).*ids\[1\] = 7"):
        C_.embedding_forward(table, np.array([0, 7], np.int32))
    with pytest.raises(ValueError, match="must be C-contiguous"):
        C_.embedding_forward(table, np.arange(4)[::2])
    with pytest.raises(ValueError, match="must be C-contiguous"):
        C_.embedding_forward(np.zeros((2, 5), np.float32).T, np.array([0]))
    with pytest.raises(ValueError, match="V .* must be >= 1"):
        C_.embedding_backward(np.zeros((1, 2), np.float32), np.array([0]), 0)
    with pytest.raises(ValueError, match="more than the memory available"):
        C_.embedding_backward(np.zeros((1, 2 ** 20), np.float32), np.array([0]), 2 ** 19)


def test_layer_gradient_mask_and_errors(backend, rng):
    layer = layers.Embedding(6, 3, mask_zero=True)
    ids = np.array([[0, 2, 2, 5], [1, 0, 0, 0]])
    y = layer(on_backend(ids, backend))
    table = layer.get_weights()[0]
    assert np.array_equal(to_numpy(y), table[ids])
    assert np.array_equal(to_numpy(layer.compute_mask(on_backend(ids, backend))), ids != 0)
    w = rng.standard_normal(ids.shape + (3,))
    tt = tf.Tensor(on_backend(table.copy(), backend), requires_grad=True)
    ops.sum(ops.mul(ops.embedding_lookup(tt, on_backend(ids, backend)),
                    tf.Tensor(on_backend(w.astype(np.float32), backend)))).backward()
    t64 = table.astype(np.float64)
    num = numeric_grad(lambda: float((t64[ids] * w).sum()), t64)
    assert_grad_close(to_numpy(tt.grad), num, what="dtable")
    if backend != "cuda":  # the GPU path does not check ids (reference/embedding.py)
        with pytest.raises(ValueError, match=rf"{layer.name}: embedding_forward: ids must lie in \[0, 6\)"):
            layer(on_backend(np.array([[1, 6]]), backend))
