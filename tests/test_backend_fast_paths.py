"""The fast paths of tf.* (tf_compat.py) and K.* (backend_ops; Note [backend fast paths] in
backend_ops/math_ops.py): plain float Tensors of fitting shapes go straight to the op. Each case
is checked against NumPy (values, shape, dtype, gradient) and, where the general path takes the
same call with other argument types (arrays, lists, NumPy ints), against that path too."""
import warnings

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import backend as K
from tensorforge import ops

RNG = np.random.default_rng(15)


def _r(*shape, dtype=np.float32):
    return RNG.standard_normal(shape).astype(dtype)


def _grads(fn, *arrays):
    """fn's output and the gradients of sum(out * R) for each input (R fixed random)."""
    ts = [tf.Variable(a) for a in arrays]
    out = fn(*ts)
    r = RNG.standard_normal(out.shape).astype(out.dtype)
    K.sum(out * tf.Tensor(r)).backward()
    return out.numpy(), r, [t.grad for t in ts]


def _tol(dtype):
    return dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ta,tb,adj", [(False, False, False), (True, False, False),
                                       (False, True, False), (True, True, False),
                                       (True, False, True), (False, True, True)])
def test_tf_matmul_2d_transposes_and_adjoints(dtype, ta, tb, adj):
    M, Kd, N = 3, 5, 7
    a = _r(*((Kd, M) if ta else (M, Kd)), dtype=dtype)
    b = _r(*((N, Kd) if tb else (Kd, N)), dtype=dtype)
    opa, opb = (a.T if ta else a), (b.T if tb else b)
    kw = dict(adjoint_a=ta, adjoint_b=tb) if adj else dict(transpose_a=ta, transpose_b=tb)
    want = opa @ opb
    y = tf.matmul(tf.Tensor(a), tf.Tensor(b), **kw)  # the fast path
    assert isinstance(y, tf.Tensor) and y.shape == (M, N) and y.dtype == dtype
    assert not y.requires_grad
    np.testing.assert_allclose(y.numpy(), want, **_tol(dtype))
    np.testing.assert_allclose(tf.matmul(a, b, **kw).numpy(), want, **_tol(dtype))  # arrays
    if dtype == np.float32:  # a list: converted (floatx, float32), then the product
        np.testing.assert_allclose(tf.matmul(a.tolist(), tf.Tensor(b), **kw).numpy(), want,
                                   **_tol(dtype))
    out, r, (ga, gb) = _grads(lambda x, w: tf.matmul(x, w, **kw), a, b)
    np.testing.assert_allclose(out, want, **_tol(dtype))
    gopa, gopb = r @ opb.T, opa.T @ r
    np.testing.assert_allclose(ga, gopa.T if ta else gopa, **_tol(dtype))
    np.testing.assert_allclose(gb, gopb.T if tb else gopb, **_tol(dtype))


def test_tf_matmul_batched_and_broadcast():
    a, b = _r(2, 3, 4), _r(2, 4, 5)
    y = tf.matmul(tf.Tensor(a), tf.Tensor(b))
    assert y.shape == (2, 3, 5) and y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), a @ b, rtol=1e-5, atol=1e-5)
    out, r, (ga, gb) = _grads(tf.matmul, a, b)
    np.testing.assert_allclose(ga, r @ b.transpose(0, 2, 1), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gb, a.transpose(0, 2, 1) @ r, rtol=1e-5, atol=1e-5)
    c = _r(1, 3, 4)  # broadcast over the leading axis
    np.testing.assert_allclose(tf.matmul(tf.Tensor(c), tf.Tensor(b)).numpy(), c @ b,
                               rtol=1e-5, atol=1e-5)
    # batched transposes take the general path (a permutation, then the product)
    y = tf.matmul(tf.Tensor(b), tf.Tensor(a), transpose_a=True, adjoint_b=True)
    np.testing.assert_allclose(y.numpy(), b.transpose(0, 2, 1) @ a.transpose(0, 2, 1),
                               rtol=1e-5, atol=1e-5)


def test_tf_matmul_errors():
    a, b = tf.Tensor(_r(3, 4)), tf.Tensor(_r(5, 2))
    # TensorFlow's InvalidArgumentError (a ValueError here) and words (tests/test_corpus16.py)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"matmul: Matrix size-incompatible: In\[0\]: \[3,4\], In\[1\]: \[5,2\]"):
        tf.matmul(a, b)
    with pytest.raises(ValueError, match="only one of transpose_a and adjoint_a"):
        tf.matmul(a, a, transpose_a=True, adjoint_a=True)
    # two float tensors of different dtypes: TensorFlow's InvalidArgumentError (tools/
    # keras_corpus26_refs.py; a NumPy b would take a's dtype instead)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match="expected to be a float tensor but is a double tensor"):
        tf.matmul(a, tf.Tensor(_r(4, 2, dtype=np.float64)))
    with pytest.raises(ValueError, match="matmul"):
        tf.matmul(tf.Tensor(_r(2, 3, 4)), tf.Tensor(_r(2, 5, 4)))


def test_ops_gemm_tensors_without_grad_skip_the_tape():
    a, b = _r(4, 3), _r(5, 3)
    y = ops.gemm(tf.Tensor(a), tf.Tensor(b), trans_b=True, alpha=2.0)
    assert isinstance(y, tf.Tensor) and not y.requires_grad and y._node is None
    np.testing.assert_allclose(y.numpy(), 2.0 * a @ b.T, rtol=1e-5, atol=1e-5)
    va = tf.Variable(a)
    with tf.no_grad():
        y = ops.gemm(va, tf.Tensor(b), trans_b=True)
    assert not y.requires_grad
    y = ops.gemm(va, tf.Tensor(b), trans_b=True)  # recording: the gradient reaches a
    assert y.requires_grad
    K.sum(y).backward()
    np.testing.assert_allclose(va.grad, np.ones((4, 5), np.float32) @ b, rtol=1e-5)


@pytest.mark.parametrize("axes", [None, (2, 1), [-1, -2]])
def test_batch_dot_3d(axes):
    x, y = _r(3, 4, 5), _r(3, 5, 2)
    want = np.einsum("bik,bkj->bij", x, y)
    out = K.batch_dot(tf.Tensor(x), tf.Tensor(y), axes=axes)
    assert out.shape == (3, 4, 2)
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-5, atol=1e-5)
    o, r, (gx, gy) = _grads(lambda a, b: K.batch_dot(a, b, axes=axes), x, y)
    np.testing.assert_allclose(gx, np.einsum("bij,bkj->bik", r, y), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(gy, np.einsum("bik,bij->bkj", x, r), rtol=1e-5, atol=1e-5)


def test_batch_dot_other_axes_keep_the_general_path():
    x, y = _r(3, 4, 5), _r(3, 4, 2)
    out = K.batch_dot(tf.Tensor(x), tf.Tensor(y), axes=(1, 1))
    np.testing.assert_allclose(out.numpy(), np.einsum("bki,bkj->bij", x, y), rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="batch_dot"):
        K.batch_dot(tf.Tensor(_r(3, 4, 5)), tf.Tensor(_r(2, 5, 2)))


def test_dot_fast_path_and_errors():
    x, y = _r(2, 3), _r(3, 4)
    np.testing.assert_allclose(K.dot(tf.Tensor(x), tf.Tensor(y)).numpy(), x @ y, rtol=1e-5)
    with pytest.raises(ValueError, match="dot: x and y must be"):
        K.dot(tf.Tensor(x), tf.Tensor(x))


@pytest.mark.parametrize("shape", [(6, 2), [3, -1], (-1,), (1, 12, 1), [2, np.int64(6)]])
def test_reshape(shape):
    x = _r(3, 4)
    want = x.reshape(tuple(int(s) for s in shape))
    y = K.reshape(tf.Tensor(x), shape)
    assert y.shape == want.shape and y.dtype == np.float32
    np.testing.assert_array_equal(y.numpy(), want)
    np.testing.assert_array_equal(tf.reshape(x, shape).numpy(), want)  # an array: general path
    o, r, (g,) = _grads(lambda t: K.reshape(t, shape), x)
    np.testing.assert_array_equal(g, r.reshape(3, 4))


@pytest.mark.parametrize("shape,msg", [((5, 2), "cannot reshape"), ((-1, -1), "-1 at most once"),
                                       ((-1, 5), "cannot reshape"), ((2, -3), "negative"),
                                       ((0, -1), "cannot reshape")])
def test_reshape_errors(shape, msg):
    with pytest.raises(ValueError, match=msg):
        K.reshape(tf.Tensor(_r(3, 4)), shape)


@pytest.mark.parametrize("axis", [-1, 0, 1])
def test_concatenate(axis):
    a, b = _r(2, 3), _r(2, 3)
    want = np.concatenate([a, b], axis=axis)
    y = K.concatenate([tf.Tensor(a), tf.Tensor(b)], axis=axis)
    np.testing.assert_array_equal(y.numpy(), want)
    np.testing.assert_array_equal(tf.concat((tf.Tensor(a), tf.Tensor(b)), axis).numpy(), want)
    o, r, (ga, gb) = _grads(lambda s, t: K.concatenate([s, t], axis=axis), a, b)
    n = a.shape[axis]
    np.testing.assert_array_equal(ga, np.take(r, range(n), axis=axis))
    np.testing.assert_array_equal(gb, np.take(r, range(n, 2 * n), axis=axis))


def test_concatenate_mixed_dtypes_and_errors():
    a, b = _r(2, 3), _r(2, 1, dtype=np.float64)
    y = K.concatenate([tf.Tensor(a), tf.Tensor(b)], axis=1)
    assert y.dtype == np.float64  # the general path casts to the common dtype
    np.testing.assert_allclose(y.numpy(), np.concatenate([a, b], axis=1))
    with pytest.raises(ValueError, match=r"concatenate: shapes must match.*\(2, 3\).*\(3, 3\)"):
        K.concatenate([tf.Tensor(a), tf.Tensor(_r(3, 3))], axis=1)
    with pytest.raises(ValueError, match="concatenate: axis 2 is out of range"):
        K.concatenate([tf.Tensor(a), tf.Tensor(a)], axis=2)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_sqrt_clamps_negatives(dtype):
    x = np.array([[-1.0, 0.0, 0.25], [4.0, -0.5, 9.0]], dtype)
    want = np.sqrt(np.maximum(x, 0))
    y = K.sqrt(tf.Tensor(x))  # nothing records: the fast path
    assert y.dtype == dtype
    np.testing.assert_array_equal(y.numpy(), want)
    v = tf.Variable(x)
    with tf.no_grad():
        np.testing.assert_array_equal(K.sqrt(v).numpy(), want)
    y = tf.sqrt(v)  # recording: the two ops
    assert y.dtype == dtype and y.requires_grad
    np.testing.assert_array_equal(y.numpy(), want)
    K.sum(y).backward()
    with np.errstate(divide="ignore"):
        g = np.where(x > 0, 0.5 / np.sqrt(np.maximum(x, 0)), 0.0)
    g[0, 1] = np.inf  # sqrt'(0) = inf, as TensorFlow
    np.testing.assert_allclose(v.grad, g.astype(dtype), rtol=1e-3 if dtype == np.float16 else 1e-6)
    yi = K.sqrt(tf.Tensor(np.array([4, -1], np.int32)))  # ints: the general path
    np.testing.assert_allclose(yi.numpy(), [2.0, 0.0])


def test_transpose_and_reductions():
    x = _r(2, 3, 4)
    y = K.transpose(tf.Tensor(x))
    assert y.shape == (4, 3, 2)
    np.testing.assert_array_equal(y.numpy(), x.transpose(2, 1, 0))
    o, r, (g,) = _grads(K.transpose, x)
    np.testing.assert_array_equal(g, r.transpose(2, 1, 0))
    for axis, want in ((-1, x.mean(-1)), (1, x.mean(1)), ([0, 2], x.mean((0, 2)))):
        np.testing.assert_allclose(K.mean(tf.Tensor(x), axis=axis).numpy(), want, rtol=1e-5)
        np.testing.assert_allclose(tf.reduce_mean(x, axis=axis).numpy(), want, rtol=1e-5)
    with pytest.raises(ValueError, match="mean: axis 3 is out of range"):
        K.mean(tf.Tensor(x), axis=3)
    with pytest.raises(TypeError, match="sum: axis must be an int"):
        K.sum(tf.Tensor(x), axis=1.0)


def test_lazy_names_are_remembered_outside_the_namespaces():
    import tensorforge.tf_compat as tc
    import tensorforge.backend_ops as bo
    assert tf.matmul is tc.matmul and tf.matmul is tf.matmul
    assert K.sum is bo.sum and tf.range is tc.range
    assert not {"matmul", "range", "print"} & set(vars(tf))
    assert not {"sum", "abs", "dot"} & set(vars(K))


@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_ops_gemm_gradient_with_transposes(ta, tb):
    """ops.gemm's backward with trans_a / trans_b (it transposed the wrong operand before
    small7: wrong values for square operands, a shape error otherwise)."""
    M, Kd, N = 3, 4, 5
    for m, k, n in ((M, Kd, N), (4, 4, 4)):
        a = _r(*((k, m) if ta else (m, k)))
        b = _r(*((n, k) if tb else (k, n)))
        opa, opb = (a.T if ta else a), (b.T if tb else b)
        out, r, (ga, gb) = _grads(
            lambda x, w: ops.gemm(x, w, alpha=0.5, trans_a=ta, trans_b=tb), a, b)
        np.testing.assert_allclose(out, 0.5 * opa @ opb, rtol=1e-5, atol=1e-5)
        gopa, gopb = 0.5 * r @ opb.T, 0.5 * opa.T @ r
        np.testing.assert_allclose(ga, gopa.T if ta else gopa, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(gb, gopb.T if tb else gopb, rtol=1e-5, atol=1e-5)


# ---- Note [array fast path] (backend_ops/_args.py): NumPy arrays into tf.* / K.* ----------------
from tensorforge.autograd import Tensor  # noqa: E402
from tensorforge.backend_ops import _args  # noqa: E402


def _odd_arrays():
    """Arrays host_float must leave to the general path, with why."""
    f = _r(3, 4)
    ro = _r(3, 4)
    ro.flags.writeable = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)  # np.matrix
        m = np.asmatrix(f)
    return [("float16", f.astype(np.float16)), ("int32", f.astype(np.int32)),
            ("int64", f.astype(np.int64)), ("bool", f > 0), ("object", f.astype(object)),
            ("complex64", f.astype(np.complex64)), ("non-contiguous", _r(3, 8)[:, ::2]),
            ("fortran", np.asfortranarray(f)), ("big-endian", f.astype(">f4")),
            ("matrix subclass", m), ("masked subclass", np.ma.masked_array(f)),
            ("read-only", ro)]


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int8, np.int32,
                                   np.int64, np.uint8, np.bool_, np.complex128, object])
@pytest.mark.parametrize("layout", ["c", "strided", "0-d", "read-only"])
def test_tensor_of_ndarray_is_the_array_itself(dtype, layout):
    base = (RNG.standard_normal((4, 6)) * 3).astype(dtype)
    x = {"c": base, "strided": base[::2, 1::2], "0-d": np.array(base[1, 2], dtype=dtype),
         "read-only": base.copy()}[layout]
    if layout == "read-only":
        x.flags.writeable = False
    t = Tensor(x)  # what np.asarray gave before the fast path: the same object
    assert t.data is x and t.dtype == x.dtype and t.shape == x.shape
    assert t.requires_grad is False and t.grad is None and t.name is None
    t2 = Tensor(x, requires_grad=True, name="w")
    assert t2.requires_grad is True and t2.name == "w" and t2.data is x
    if dtype not in (object, np.complex128):  # an explicit dtype still converts (the old way)
        c = Tensor(x, dtype=np.float64)
        assert c.dtype == np.float64
        np.testing.assert_array_equal(c.data, x.astype(np.float64))


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix
@pytest.mark.parametrize("sub", [np.asmatrix, np.ma.masked_array, np.rec.array])
def test_tensor_of_subclass_array_is_a_plain_ndarray(sub):
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    x = sub(a) if sub is not np.rec.array else np.arange(3, dtype=np.float32).view(np.recarray)
    t = Tensor(x)
    assert type(t.data) is np.ndarray and t.dtype == x.dtype and t.shape == np.asarray(x).shape
    assert np.shares_memory(t.data, x)
    np.testing.assert_array_equal(t.data, np.asarray(x))


@pytest.fixture
def host_backend(monkeypatch):
    """host_float's host-backend behaviour, also where the default backend is cuda (there it
    passes every array through: test_host_float_is_off_on_the_cuda_backend)."""
    monkeypatch.setattr(_args, "get_backend", lambda: "cpu")


ON_DEVICE = tf.backend.get_backend() == "cuda"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_host_float_wraps_contiguous_float_arrays_without_a_copy(dtype, host_backend):
    x = _r(3, 4, dtype=dtype)
    t = _args.host_float(x)
    assert type(t) is Tensor and t.data is x and t.requires_grad is False
    z = np.array(2.5, dtype=dtype)  # 0-d is C-contiguous
    assert _args.host_float(z).data is z
    ro = _r(2, 2, dtype=dtype)
    ro.flags.writeable = False
    assert _args.host_float(ro).data is ro and not _args.host_float(ro).data.flags.writeable


@pytest.mark.parametrize("why,x", _odd_arrays())
def test_host_float_leaves_other_arrays_to_the_general_path(why, x, host_backend):
    if why == "read-only":  # a float32 C array: wrapped; read-only stays read-only
        assert _args.host_float(x).data is x
        return
    assert _args.host_float(x) is x, why
    t = Tensor(_r(2, 2))
    assert _args.host_float(t) is t and _args.host_float([1.0, 2.0]) == [1.0, 2.0]


def test_host_floats_converts_only_what_host_float_converts(host_backend):
    xs = [x for _, x in _odd_arrays()] + [_r(2, 2), _r(3, dtype=np.float64), 1.5, Tensor(_r(2))]
    got = _args.host_floats(tuple(xs))
    assert type(got) is list and len(got) == len(xs)
    for g, x in zip(got, xs):
        h = _args.host_float(x)
        assert (g is x) if h is x else (type(g) is Tensor and g.data is x)


def test_host_float_is_off_on_the_cuda_backend(monkeypatch):
    x = _r(3, 4)
    monkeypatch.setattr(_args, "get_backend", lambda: "cuda")  # arrays must move to the device there
    assert _args.host_float(x) is x
    assert _args.host_floats((x, x))[1] is x


def _array_calls():
    """(name, call on its operands, operand arrays) for the tf.* / K.* calls with array fast paths."""
    return [
        ("tf.matmul", lambda a, b: tf.matmul(a, b), (_r(3, 5), _r(5, 2))),
        ("tf.matmul transpose_b", lambda a, b: tf.matmul(a, b, transpose_b=True),
         (_r(3, 5), _r(2, 5))),
        ("tf.matmul batched", lambda a, b: tf.matmul(a, b), (_r(2, 3, 5), _r(2, 5, 4))),
        ("K.dot", lambda a, b: K.dot(a, b), (_r(3, 5), _r(5, 2))),
        ("K.batch_dot", lambda a, b: K.batch_dot(a, b), (_r(2, 3, 5), _r(2, 5, 4))),
        ("tf.concat", lambda a, b: tf.concat([a, b], axis=-1), (_r(3, 5), _r(3, 2))),
        ("K.concatenate tuple", lambda a, b: K.concatenate((a, b), axis=0), (_r(3, 5), _r(2, 5))),
        ("tf.reduce_sum", lambda a: tf.reduce_sum(a, axis=1), (_r(3, 5),)),
        ("K.mean", lambda a: K.mean(a), (_r(3, 5),)),
        ("K.reshape", lambda a: K.reshape(a, (5, -1)), (_r(3, 5),)),
        ("K.sqrt", lambda a: K.sqrt(a), (_r(3, 5),)),
        ("K.maximum", lambda a, b: K.maximum(a, b), (_r(3, 5), _r(3, 5))),
    ]


def _cast_all(arrays, how):
    if how == "float64":
        return tuple(a.astype(np.float64) for a in arrays)
    if how == "float16":
        return tuple(a.astype(np.float16) for a in arrays)
    if how == "int32":
        return tuple((a * 4).astype(np.int32) for a in arrays)
    if how == "non-contiguous":
        return tuple(np.repeat(a, 2, axis=-1)[..., ::2] for a in arrays)
    if how == "read-only":
        out = tuple(a.copy() for a in arrays)
        for a in out:
            a.flags.writeable = False
        return out
    return arrays


def _outcome(fn, args):
    try:
        y = fn(*args)
    except (TypeError, ValueError) as e:
        return type(e), str(e)
    assert type(y) is Tensor and y.requires_grad is False
    return y.dtype, y.shape, y.numpy().copy()


@pytest.mark.parametrize("how", ["float32", "float64", "float16", "int32", "non-contiguous",
                                 "read-only"])
@pytest.mark.parametrize("case", range(len(_array_calls())))
def test_tf_and_K_on_arrays_equal_the_calls_on_converted_tensors(case, how):
    """Array operands give what the same call gives on Tensor(array) operands (the fast paths'
    and the general path's results, dtype and shape, or the error type: the messages of the
    array calls are checked below), and leave the arrays untouched."""
    name, fn, arrays = _array_calls()[case]
    arrays = _cast_all(arrays, how)
    before = [a.copy() for a in arrays]
    got = _outcome(fn, arrays)
    want = _outcome(fn, [Tensor(np.array(a)) for a in arrays])
    if isinstance(want[0], type):  # an error (tf.matmul's Tensor fast path names gemm for float16)
        assert got[0] is want[0], (name, how, got, want)
    else:
        assert got[0] == want[0] and got[1] == want[1], (name, how, got[:2], want[:2])
        if ON_DEVICE and got[0].kind == "f":  # arrays go to the GPU, host Tensors through NumPy
            np.testing.assert_allclose(got[2], want[2], rtol=4 * np.finfo(got[0]).eps,
                                       atol=4 * np.finfo(got[0]).eps, err_msg=f"{name} {how}")
        else:  # the fast paths and the general path run the same kernels
            np.testing.assert_array_equal(got[2], want[2], err_msg=f"{name} {how}")
    for a, b in zip(arrays, before):
        np.testing.assert_array_equal(a, b)


def test_tf_and_K_on_float_arrays_against_numpy():
    a, b = _r(3, 5, dtype=np.float64), _r(5, 2, dtype=np.float64)
    tol = _tol(np.float64)
    for y in (tf.matmul(a, b), K.dot(a, b)):
        assert y.dtype == np.float64 and y.shape == (3, 2)
        np.testing.assert_allclose(y.numpy(), a @ b, **tol)
    np.testing.assert_allclose(tf.matmul(a, b.T, transpose_b=True).numpy(), a @ b, **tol)
    np.testing.assert_array_equal(tf.concat([a, a], axis=0).numpy(), np.concatenate([a, a]))
    np.testing.assert_allclose(tf.reduce_sum(a).numpy(), np.sum(a), **tol)
    np.testing.assert_array_equal(K.sqrt(a).numpy(), np.sqrt(np.maximum(a, 0)))


@pytest.mark.parametrize("fn,args,exc,msg", [
    (tf.matmul, (_r(2, 3), _r(4, 2)), ValueError, r"matmul: Matrix size-incompatible: "
                                                    r"In\[0\]: \[2,3\], In\[1\]: \[4,2\]"),
    (tf.matmul, (_r(2, 3), _r(3)), ValueError, r"matmul: a and b must have rank >= 2"),
    (tf.matmul, (_r(2, 3).astype(np.float16), _r(3, 2).astype(np.float16)), TypeError,
     "matmul: a must be float32 or float64, got float16"),
    (K.dot, (_r(2, 3).astype(object), _r(3, 2).astype(object)), TypeError,
     "dot: x must be numeric"),
    (K.dot, (_r(2, 3), _r(3, 2, dtype=np.float64)), TypeError,
     "dot: x and y must share one float dtype, got x float32"),
    (K.batch_dot, (_r(2, 3, 4), _r(2, 5, 4)), ValueError, r"batch_dot: x.shape\[2\] != y.shape\[1\]"),
    (K.reshape, (_r(2, 3), (4, 4)), ValueError, r"reshape: cannot reshape x with shape \(2, 3\)"),
])
def test_bad_array_operands_keep_their_errors(fn, args, exc, msg):
    with pytest.raises(exc, match=msg):
        fn(*args)
    with pytest.raises(ValueError, match=r"concatenate: shapes must match except along axis 1, "
                                  r"got \(2, 3\), \(4, 2\)"):
        K.concatenate([_r(2, 3), _r(4, 2)])


@pytest.mark.parametrize("value,dtype", [(_r(2, 3), np.float32), (_r(2, 3, dtype=np.float64), np.float64),
                                         (np.arange(6, dtype=np.int32).reshape(2, 3), np.int32),
                                         (_r(4, 4)[:, ::2], np.float32),
                                         (np.array(1.5, dtype=np.float32), np.float32)])
def test_tf_constant_and_convert_to_tensor_of_arrays(value, dtype):
    c = tf.constant(value, name="c")
    assert type(c) is Tensor and c.dtype == dtype and c.shape == value.shape and c.name == "c"
    assert not c.requires_grad
    np.testing.assert_array_equal(c.numpy(), value.astype(dtype))
    v = tf.convert_to_tensor(value)
    assert v.dtype == value.dtype and not v.requires_grad
    np.testing.assert_array_equal(v.numpy(), value)
    if not ON_DEVICE:  # floatx arrays of their own dtype are shared, as K.constant's
        # np.asarray shared them (on the cuda backend they may be copied to the GPU)
        assert np.shares_memory(c.data, value) == (value.dtype == dtype)
        assert np.shares_memory(v.data, value)
    assert tf.constant(value, shape=(value.size,)).shape == (value.size,)
