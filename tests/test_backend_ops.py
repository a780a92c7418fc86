"""Keras 2 backend functions (``from tensorforge import backend as K``) and Tensor indexing /
operators: forward against NumPy and against Keras 2 (tests/data/backend_ops_expected.json,
written by tools/gen_backend_ops_expected.py with tf_keras), gradients against float64 finite
differences, on every backend, and argument errors."""
import json
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import backend as K
from tensorforge.autograd import Tensor

from tfhelpers import assert_grad_close, numeric_grad, to_numpy

_DATA = os.path.join(os.path.dirname(__file__), "data", "backend_ops_expected.json")
with open(_DATA) as _f:
    KERAS_CASES = json.load(_f)["cases"]


def _dec(e, xp=np):
    if "list" in e:
        return [_dec(x, xp) for x in e["list"]]
    return xp.asarray(np.asarray(e["array"], dtype=e["dtype"]).reshape(e["shape"]))


def _xp(backend):
    if backend == "cuda":
        import cupy
        return cupy
    return np


# ---- Keras 2 as the oracle --------------------------------------------------------------------
@pytest.mark.parametrize("case", KERAS_CASES, ids=[c["name"] for c in KERAS_CASES])
def test_matches_keras(case, backend):
    xp = _xp(backend)
    args = [_dec(a, xp) for a in case["args"]]
    want = _dec(case["out"])
    if "grad" in case:
        args[0] = Tensor(args[0], requires_grad=True)
    out = getattr(K, case["fn"])(*args, **case["kwargs"])
    assert isinstance(out, Tensor), f"{case['fn']} returned {type(out).__name__}"
    got = to_numpy(out.data)
    assert got.shape == want.shape, f"{case['name']}: shape {got.shape} != Keras {want.shape}"
    if want.dtype.kind in "fc":
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-5, err_msg=case["name"])
    else:
        np.testing.assert_array_equal(got.astype(want.dtype), want, err_msg=case["name"])
    if "grad" in case:
        R = xp.asarray(_dec(case["R"]))
        K.sum(out * R).backward()
        np.testing.assert_allclose(to_numpy(args[0].grad), _dec(case["grad"]), rtol=2e-5,
                                   atol=2e-5, err_msg=f"{case['name']} gradient")


# ---- forward against NumPy ----------------------------------------------------------------
A = np.random.default_rng(3).uniform(-2, 2, (2, 3, 4)).astype(np.float32)
P = np.random.default_rng(4).uniform(0.1, 2, (2, 3, 4)).astype(np.float32)


def _np_softmax(a, axis=-1):
    e = np.exp(a - a.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


FORWARD = [
    ("sum_neg_axis_keepdims", lambda x: K.sum(x, axis=-2, keepdims=True), lambda a: a.sum(-2, keepdims=True)),
    ("sum_axes", lambda x: K.sum(x, axis=[0, 2]), lambda a: a.sum((0, 2))),
    ("mean_all", lambda x: K.mean(x), lambda a: a.mean()),
    ("mean_keepdims", lambda x: K.mean(x, axis=1, keepdims=True), lambda a: a.mean(1, keepdims=True)),
    ("max", lambda x: K.max(x, 1), lambda a: a.max(1)),
    ("min_keepdims", lambda x: K.min(x, -1, True), lambda a: a.min(-1, keepdims=True)),
    ("prod", lambda x: K.prod(x, axis=2), lambda a: a.prod(2)),
    ("var", lambda x: K.var(x, axis=1), lambda a: a.var(1)),
    ("std", lambda x: K.std(x), lambda a: a.std()),
    ("logsumexp", lambda x: K.logsumexp(x, axis=-1, keepdims=True),
     lambda a: np.log(np.exp(a).sum(-1, keepdims=True))),
    ("cumsum", lambda x: K.cumsum(x, axis=-1), lambda a: np.cumsum(a, -1)),
    ("cumprod", lambda x: K.cumprod(x), lambda a: np.cumprod(a, 0)),
    ("argmax", lambda x: K.argmax(x), lambda a: a.argmax(-1)),
    ("argmin", lambda x: K.argmin(x, axis=0), lambda a: a.argmin(0)),
    ("square", K.square, np.square),
    ("sqrt", K.sqrt, lambda a: np.sqrt(np.maximum(a, 0))),
    ("abs", K.abs, np.abs),
    ("exp", K.exp, np.exp),
    ("log", lambda x: K.log(K.abs(x) + 0.5), lambda a: np.log(np.abs(a) + 0.5)),
    ("pow", lambda x: K.pow(x, 2), lambda a: a ** 2),
    ("clip", lambda x: K.clip(x, -0.5, 1.0), lambda a: np.clip(a, -0.5, 1.0)),
    ("maximum", lambda x: K.maximum(x, 0.2), lambda a: np.maximum(a, 0.2)),
    ("minimum", lambda x: K.minimum(x, K.transpose(K.transpose(x)) * 0.5), lambda a: np.minimum(a, a * 0.5)),
    ("sign", K.sign, np.sign),
    ("round", lambda x: K.round(x * 3), lambda a: np.round(a * 3)),
    ("sin_cos", lambda x: K.sin(x) + K.cos(x), lambda a: np.sin(a) + np.cos(a)),
    ("equal", lambda x: K.equal(x, x[0]), lambda a: a == a[0]),
    ("not_equal", lambda x: K.not_equal(x, x[0]), lambda a: a != a[0]),
    ("greater", lambda x: K.greater(x, 0.3), lambda a: a > 0.3),
    ("greater_equal", lambda x: K.greater_equal(x, x[:1]), lambda a: a >= a[:1]),
    ("less", lambda x: K.less(x, 0.3), lambda a: a < 0.3),
    ("less_equal", lambda x: K.less_equal(x, 0.3), lambda a: a <= 0.3),
    ("any", lambda x: K.any(K.greater(x, 1.5), axis=1), lambda a: (a > 1.5).any(1)),
    ("all", lambda x: K.all(K.greater(x, -1.5), axis=-1, keepdims=True), lambda a: (a > -1.5).all(-1, keepdims=True)),
    ("switch", lambda x: K.switch(K.greater(x, 0), x, -x), np.abs),
    ("reshape", lambda x: K.reshape(x, (4, -1)), lambda a: a.reshape(4, -1)),
    ("reshape_dynamic", lambda x: K.reshape(x, (K.shape(x)[0], -1)), lambda a: a.reshape(2, -1)),
    ("permute", lambda x: K.permute_dimensions(x, (1, 2, 0)), lambda a: a.transpose(1, 2, 0)),
    ("transpose", K.transpose, lambda a: a.transpose()),
    ("expand_dims", lambda x: K.expand_dims(x), lambda a: a[..., None]),
    ("expand_dims_0", lambda x: K.expand_dims(x, 0), lambda a: a[None]),
    ("squeeze", lambda x: K.squeeze(x[:, :1], 1), lambda a: a[:, 0]),
    ("flatten", K.flatten, lambda a: a.reshape(-1)),
    ("batch_flatten", K.batch_flatten, lambda a: a.reshape(2, -1)),
    ("concatenate", lambda x: K.concatenate([x, x * 2], axis=1), lambda a: np.concatenate([a, 2 * a], 1)),
    ("concatenate_neg", lambda x: K.concatenate([x, x[..., :1]]), lambda a: np.concatenate([a, a[..., :1]], -1)),
    ("stack", lambda x: K.stack([x, x + 1], axis=1), lambda a: np.stack([a, a + 1], 1)),
    ("tile", lambda x: K.tile(x, [1, 2, 3]), lambda a: np.tile(a, (1, 2, 3))),
    ("tile_dynamic", lambda x: K.tile(x[0, 0], K.shape(x)[:1]), lambda a: np.tile(a[0, 0], 2)),
    ("repeat_elements", lambda x: K.repeat_elements(x, 3, axis=-1), lambda a: np.repeat(a, 3, -1)),
    ("repeat", lambda x: K.repeat(x[0], 2), lambda a: np.repeat(a[0][:, None], 2, 1)),
    ("reverse", lambda x: K.reverse(x, axes=[0, -1]), lambda a: a[::-1, :, ::-1]),
    ("gather", lambda x: K.gather(x, np.array([1, 0, 1])), lambda a: a[[1, 0, 1]]),
    ("cast", lambda x: K.cast(x, "int32"), lambda a: a.astype(np.int32)),
    ("ones_like", K.ones_like, np.ones_like),
    ("zeros_like_dtype", lambda x: K.zeros_like(x, dtype="int64"), lambda a: np.zeros(a.shape, np.int64)),
    ("softmax", K.softmax, _np_softmax),
    ("softmax_axis", lambda x: K.softmax(x, axis=0), lambda a: _np_softmax(a, 0)),
    ("sigmoid", K.sigmoid, lambda a: 1 / (1 + np.exp(-a))),
    ("relu", K.relu, lambda a: np.maximum(a, 0)),
    ("relu_alpha", lambda x: K.relu(x, alpha=0.2), lambda a: np.where(a > 0, a, 0.2 * a)),
    ("tanh", K.tanh, np.tanh),
    ("softplus", K.softplus, lambda a: np.log1p(np.exp(a))),
    ("elu", K.elu, lambda a: np.where(a > 0, a, np.expm1(a))),
    ("l2_normalize", lambda x: K.l2_normalize(x, axis=-1),
     lambda a: a / np.sqrt((a * a).sum(-1, keepdims=True))),
    ("bias_add", lambda x: K.bias_add(x, np.arange(4, dtype=np.float32)), lambda a: a + np.arange(4)),
    ("bias_add_first", lambda x: K.bias_add(x, np.arange(3, dtype=np.float32), "channels_first"),
     lambda a: a + np.arange(3)[:, None]),
    ("custom_mse", lambda x: K.mean(K.square(x - P), axis=-1), lambda a: ((a - P) ** 2).mean(-1)),
    ("getitem_mixed", lambda x: x[..., None, ::-2], lambda a: a[..., None, ::-2]),
    ("rpow", lambda x: 2.0 ** x, lambda a: 2.0 ** a),
    ("floordiv", lambda x: x // 0.5, lambda a: a // 0.5),
]


@pytest.mark.parametrize("name,kfn,ref", FORWARD, ids=[f[0] for f in FORWARD])
def test_forward_matches_numpy(name, kfn, ref, backend):
    x = Tensor(_xp(backend).asarray(A))
    out = kfn(x)
    assert isinstance(out, Tensor), f"{name} returned {type(out).__name__}"
    want = np.asarray(ref(A.astype(np.float64)))
    got = to_numpy(out.data)
    assert got.shape == want.shape, f"{name}: shape {got.shape} != {want.shape}"
    if want.dtype.kind in "fc":
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5, err_msg=name)
    else:
        np.testing.assert_array_equal(got, want, err_msg=name)


# ---- gradients against float64 finite differences ---------------------------------------------
def _gradcheck(f, *arrays, rtol=1e-6, atol=1e-8):
    """d sum(f(*args) * R) / d args[i] by autograd vs central differences of f itself, float64."""
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    ts = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = f(*ts)
    R = np.random.default_rng(0).standard_normal(out.shape)
    K.sum(out * R).backward()
    for i, (t, a) in enumerate(zip(ts, arrays)):
        def value():
            with tf.no_grad():
                return float((to_numpy(f(*[Tensor(b) for b in arrays]).data) * R).sum())
        num = numeric_grad(value, a)
        assert t.grad is not None, f"input {i}: no gradient"
        np.testing.assert_allclose(to_numpy(t.grad), num, rtol=rtol, atol=atol * max(1, np.abs(num).max()),
                                   err_msg=f"input {i}")


X = np.random.default_rng(5).uniform(-2, 2, (2, 3, 4))
X[np.abs(X) < 0.1] += 0.3          # keep clear of kinks at 0
Y = np.random.default_rng(6).uniform(0.5, 2, (2, 3, 4))

GRADS = [
    ("sum", lambda x: K.sum(x, axis=(0, -1), keepdims=True), [X]),
    ("mean", lambda x: K.mean(x, axis=-2), [X]),
    ("max", lambda x: K.max(x, axis=1), [X]),
    ("min_all", lambda x: K.min(x), [X]),
    ("prod", lambda x: K.prod(x, axis=[1, 2]), [X * 0.7]),
    ("var", lambda x: K.var(x, axis=0, keepdims=True), [X]),
    ("std", lambda x: K.std(x, axis=-1), [X]),
    ("logsumexp", lambda x: K.logsumexp(x, axis=1), [X]),
    ("cumsum", lambda x: K.cumsum(x, axis=1), [X]),
    ("cumprod", lambda x: K.cumprod(x, axis=-1), [X]),
    ("square_sqrt", lambda x: K.sqrt(K.square(x) + 1.0), [X]),
    ("abs_exp_log", lambda x: K.log(K.exp(K.abs(x)) + 1.0), [X]),
    ("pow_tensor", lambda x, y: K.pow(y, x), [X, Y]),
    ("tensor_pow_operators", lambda x, y: y ** x + 2.0 ** x + y ** 2, [X, Y]),
    ("pow_zero", lambda x: K.pow(x, 0), [X]),
    ("clip", lambda x: K.clip(x, -1.0, 1.0), [X]),
    ("maximum_minimum", lambda x, y: K.maximum(x, y) + K.minimum(x, y * -1.0), [X, Y]),
    ("sin_cos", lambda x: K.sin(x) * K.cos(x), [X]),
    ("switch", lambda x, y: K.switch(K.greater(x, 0.0), x * y, y), [X, Y]),
    ("dot_3d", lambda x, y: K.dot(x, K.reshape(y, (3, 4, 2))), [X, Y]),
    ("batch_dot", lambda x, y: K.batch_dot(x, y, axes=(2, 2)), [X, Y]),
    ("batch_dot_default", lambda x, y: K.batch_dot(x, K.permute_dimensions(y, (0, 2, 1))), [X, Y]),
    ("concatenate", lambda x, y: K.concatenate([x, y], axis=-2), [X, Y]),
    ("stack", lambda x, y: K.stack([x, y], axis=-1), [X, Y]),
    ("tile", lambda x: K.tile(x, (2, 1, 3)), [X]),
    ("repeat_elements", lambda x: K.repeat_elements(x, 2, axis=1), [X]),
    ("repeat", lambda x: K.repeat(x[0], 3), [X]),
    ("reverse", lambda x: K.reverse(x, 1), [X]),
    ("gather_repeated", lambda x: K.gather(x, np.array([[1, 1], [0, 1]])), [X]),
    ("reshape_expand_squeeze", lambda x: K.squeeze(K.expand_dims(K.reshape(x, (6, 4)), 1), 1), [X]),
    ("flatten", lambda x: K.batch_flatten(x) * K.reshape(K.flatten(x), (2, 12)), [X]),
    ("transpose", lambda x: K.transpose(x) * 2.0, [X]),
    ("softmax", lambda x: K.softmax(x, axis=1), [X]),
    ("sigmoid_tanh_softplus", lambda x: K.sigmoid(x) + K.tanh(x) * K.softplus(x), [X]),
    ("relu_elu", lambda x: K.relu(x, alpha=0.1) + K.elu(x, alpha=0.5), [X]),
    ("relu_general", lambda x: K.relu(x, alpha=0.1, max_value=1.5, threshold=0.2), [X]),
    ("softsign_hard_sigmoid", lambda x: K.softsign(x) + K.hard_sigmoid(x), [X]),
    ("l2_normalize", lambda x: K.l2_normalize(x, axis=[1, 2]), [X]),
    ("categorical_crossentropy", lambda y, p: K.categorical_crossentropy(y, K.softmax(p)), [Y, X]),
    ("categorical_crossentropy_logits", lambda y, p: K.categorical_crossentropy(y, p, from_logits=True, axis=1), [Y, X]),
    ("binary_crossentropy", lambda p: K.binary_crossentropy(np.float64(0.3) * np.ones((2, 3, 4)), K.sigmoid(p)), [X]),
    ("binary_crossentropy_logits", lambda y, p: K.binary_crossentropy(y / 2.0, p, from_logits=True), [Y, X]),
    ("sparse_cce", lambda p: K.sparse_categorical_crossentropy(np.array([[0, 3, 1], [2, 2, 0]]), K.softmax(p)), [X]),
    ("sparse_cce_logits", lambda p: K.sparse_categorical_crossentropy(np.array([[0, 3, 1], [2, 2, 0]]), p, from_logits=True), [X]),
    ("custom_loss", lambda t, p: K.mean(K.square(p - t), axis=-1), [Y, X]),
    ("spatial_2d_padding", lambda x: K.spatial_2d_padding(K.expand_dims(x), ((1, 0), (2, 1))), [X]),
    ("temporal_padding", lambda x: K.temporal_padding(x, (0, 2)), [X]),
    ("batch_normalization", lambda x, y: K.batch_normalization(x, y[0, 0], y[1, 1] + 0.5, y[0, 2], y[1, 0], axis=-1), [X, Y]),
    ("map_fn", lambda x: K.map_fn(lambda r: K.sum(r * r, axis=0), x), [X]),
    ("foldl", lambda x: K.foldl(lambda acc, r: acc * 0.5 + r, x), [X]),
    ("getitem_basic", lambda x: x[1, ::-1, None, 1:3], [X]),
    ("getitem_ellipsis", lambda x: x[..., ::-2], [X]),
    ("getitem_repeated_fancy", lambda x: x[np.array([0, 0, 1]), :, np.array([3, 3, 3])], [X]),
    ("getitem_tensor_index", lambda x: x[:, Tensor(np.array([2, 0, 2]))], [X]),
    ("getitem_bool_mask", lambda x: x[to_numpy(x.data) > 0.5], [X]),
]


@pytest.mark.parametrize("name,f,arrays", GRADS, ids=[g[0] for g in GRADS])
def test_gradients_float64(name, f, arrays, backend):
    if backend == "cuda":
        pytest.skip("finite differences run on the host")
    _gradcheck(f, *arrays)


@pytest.mark.parametrize("name,f", [
    ("softmax", lambda x: K.softmax(x)),
    ("sigmoid", K.sigmoid), ("tanh", K.tanh), ("softplus", K.softplus), ("elu", K.elu),
    ("relu_max", lambda x: K.relu(x, max_value=1.0)),
    ("cce_logits", lambda x: K.categorical_crossentropy(_np_softmax(P), x, from_logits=True)),
    ("scce_logits", lambda x: K.sparse_categorical_crossentropy(np.array([[0, 1, 3], [2, 2, 1]]), x,
                                                                 from_logits=True)),
    ("dot", lambda x: K.dot(x, K.cast(P[0].T, K.dtype(x)))),
])
def test_native_float32_gradients(name, f, backend):
    """float32 runs the fused kernels; their gradient matches float64 finite differences."""
    xp = _xp(backend)
    t = Tensor(xp.asarray(A), requires_grad=True)
    out = f(t)
    assert out.dtype == np.float32
    R = np.random.default_rng(1).standard_normal(out.shape)
    K.sum(out * xp.asarray(R.astype(np.float32))).backward()
    a64 = A.astype(np.float64)
    with tf.no_grad():
        num = numeric_grad(lambda: float((to_numpy(f(Tensor(a64.copy())).data) * R).sum()), a64)
    assert_grad_close(t.grad, num, what=name)


# ---- indexing -------------------------------------------------------------------------------
def test_getitem_repeated_indices_accumulate(backend):
    xp = _xp(backend)
    t = Tensor(xp.asarray(np.arange(6, dtype=np.float32).reshape(2, 3)), requires_grad=True)
    K.sum(t[[0, 0, 1, 0]]).backward()
    np.testing.assert_array_equal(to_numpy(t.grad), [[3, 3, 3], [1, 1, 1]])
    t.grad = None
    K.sum(t[:, [2, 2, -1]] * 2.0).backward()
    np.testing.assert_array_equal(to_numpy(t.grad), [[0, 0, 6], [0, 0, 6]])


def test_getitem_negative_step_none_ellipsis(backend):
    xp = _xp(backend)
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    t = Tensor(xp.asarray(a), requires_grad=True)
    y = t[None, ..., ::-3]
    np.testing.assert_array_equal(to_numpy(y.data), a[None, ..., ::-3])
    K.sum(y).backward()
    want = np.zeros_like(a)
    want[..., ::-3] = 1
    np.testing.assert_array_equal(to_numpy(t.grad), want)


def test_getitem_empty_result(backend):
    t = Tensor(_xp(backend).asarray(A), requires_grad=True)
    y = t[:, 5:]
    assert y.shape == (2, 0, 4)
    K.sum(y).backward()
    np.testing.assert_array_equal(to_numpy(t.grad), np.zeros_like(A))


# ---- Tensor operators ------------------------------------------------------------------------
def test_tensor_comparison_and_unary_operators():
    t = Tensor(np.array([-1.0, 0.0, 2.0], np.float32))
    np.testing.assert_array_equal((t < 0).numpy(), [True, False, False])
    np.testing.assert_array_equal((t <= 0).numpy(), [True, True, False])
    np.testing.assert_array_equal((t > 0).numpy(), [False, False, True])
    np.testing.assert_array_equal((t >= 0).numpy(), [False, True, True])
    np.testing.assert_array_equal((0.5 < t).numpy(), [False, False, True])  # reflected
    np.testing.assert_array_equal(abs(t).numpy(), [1, 0, 2])
    np.testing.assert_array_equal((+t).numpy(), t.numpy())
    np.testing.assert_array_equal((t // 2).numpy(), [-1, 0, 1])
    np.testing.assert_array_equal(((t > -0.5) & (t < 1)).numpy(), [False, True, False])
    np.testing.assert_array_equal(((t < -0.5) | (t > 1)).numpy(), [True, False, True])
    np.testing.assert_array_equal(((t > -0.5) ^ (t > 1)).numpy(), [False, True, False])
    np.testing.assert_array_equal((~(t > 0)).numpy(), [True, True, False])
    np.testing.assert_array_equal((5 // Tensor(np.array([2, 3]))).numpy(), [2, 1])
    assert {t: 1}[t] == 1  # Tensors hash by identity (== is elementwise)
    s = K.shape(Tensor(np.zeros((7, 2), np.float32)))[0]
    assert int(s) == 7 and list(range(s)) == list(range(7)) and float(Tensor(2.5)) == 2.5


def test_array_operands_take_the_tensor_dtype():
    x = Tensor(np.array([1.0, -2.0], np.float32), requires_grad=True)
    for f in (K.maximum, K.minimum, lambda a, b: K.switch(K.greater(a, 0), a, b)):
        y = f(x, np.array([0.5, 0.5]))  # a float64 NumPy array, as TensorFlow converts it
        assert y.dtype == np.float32
    assert K.clip(x, np.float64(-1.0), np.array(0.5)).dtype == np.float32


def test_pow_operators_dtype_and_grad():
    x = Tensor(np.array([1.0, 2.0, 3.0], np.float32), requires_grad=True)
    e = Tensor(np.array([2.0, 0.5, 1.0], np.float32), requires_grad=True)
    y = x ** e
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.numpy(), [1.0, np.sqrt(2), 3.0], rtol=1e-6)
    K.sum(y).backward()
    np.testing.assert_allclose(x.grad, [2.0, 0.5 / np.sqrt(2), 1.0], rtol=1e-6)
    np.testing.assert_allclose(e.grad, [0.0, np.sqrt(2) * np.log(2), 3 * np.log(3)], rtol=1e-6)
    z = Tensor(np.array([0.0, 1.0], np.float32), requires_grad=True)
    K.sum(z ** 0).backward()  # d/dz z**0 is 0, also at z == 0 (not NaN)
    np.testing.assert_array_equal(z.grad, [0.0, 0.0])


# ---- custom loss, the example -----------------------------------------------------------
def test_custom_loss_is_differentiable(backend):
    def loss(y_true, y_pred):
        return K.mean(K.square(y_pred - y_true), axis=-1)

    xp = _xp(backend)
    y_true = xp.asarray(P[0])
    y_pred = Tensor(xp.asarray(A[0]), requires_grad=True)
    value = loss(y_true, y_pred)
    assert value.shape == (3,)
    np.testing.assert_allclose(to_numpy(value.data), ((A[0] - P[0]) ** 2).mean(-1), rtol=1e-6)
    K.mean(value).backward()
    np.testing.assert_allclose(to_numpy(y_pred.grad), 2 * (A[0] - P[0]) / 12, rtol=1e-5)


# ---- variables, creation, random, learning phase -----------------------------------------------
def test_variables_get_set_update():
    v = K.variable(np.ones((2, 2)), name="v")
    assert v.dtype == np.float32 and v.requires_grad and v.name == "v:0" and K.is_variable(v)
    K.set_value(v, [[1, 2], [3, 4]])
    np.testing.assert_array_equal(K.get_value(v), [[1, 2], [3, 4]])
    assert K.update_add(v, np.ones((2, 2))) is v
    np.testing.assert_array_equal(K.eval(v), [[2, 3], [4, 5]])
    K.batch_set_value([(v, np.zeros((2, 2)))])
    assert K.batch_get_value([v])[0].sum() == 0
    with pytest.raises(ValueError, match=r"set_value: value with shape \(3,\)"):
        K.set_value(v, np.zeros(3))
    with pytest.raises(TypeError, match="set_value: x must be a Tensor"):
        K.set_value(np.zeros(2), np.zeros(2))


def test_creation_functions():
    assert K.ones((2, 3)).dtype == np.float32 and K.ones((2, 3)).numpy().sum() == 6
    assert K.zeros((4,), dtype="int32").dtype == np.int32
    np.testing.assert_array_equal(K.eye(3).numpy(), np.eye(3))
    np.testing.assert_array_equal(K.constant(2.0, shape=(2, 2)).numpy(), np.full((2, 2), 2.0))
    assert K.constant([1, 2]).dtype == np.float32
    np.testing.assert_array_equal(K.arange(3).numpy(), [0, 1, 2])
    assert K.arange(-3).shape == (0,)
    assert K.int_shape(K.zeros((2, 3))) == (2, 3) and K.ndim(K.zeros((2, 3))) == 2
    assert K.dtype(K.zeros((1,))) == "float32" and K.count_params(K.zeros((2, 5))) == 10
    np.testing.assert_array_equal(K.shape(np.zeros((3, 5))).numpy(), [3, 5])
    assert K.epsilon() == 1e-7 and K.floatx() == "float32"


def test_random_functions():
    a = K.random_normal((K.shape(K.zeros((500, 2)))[0], 40), mean=1.0, stddev=2.0, seed=3)
    assert a.shape == (500, 40) and a.dtype == np.float32
    assert abs(a.numpy().mean() - 1.0) < 0.05 and abs(a.numpy().std() - 2.0) < 0.05
    np.testing.assert_array_equal(a.numpy(), K.random_normal((500, 40), 1.0, 2.0, seed=3).numpy())
    u = K.random_uniform((1000,), minval=-1.0, maxval=3.0).numpy()
    assert u.min() >= -1 and u.max() < 3 and abs(u.mean() - 1) < 0.15
    b = K.random_binomial((2000,), p=0.25, seed=1).numpy()
    assert set(np.unique(b)) <= {0.0, 1.0} and abs(b.mean() - 0.25) < 0.04
    tn = K.truncated_normal((2000,), stddev=0.5, seed=2).numpy()
    assert np.abs(tn).max() <= 1.0


def test_learning_phase_and_in_train_phase():
    assert K.learning_phase() == 0
    assert K.in_train_phase(lambda: "train", "test") == "test"
    with K.learning_phase_scope(1):
        assert K.learning_phase() == 1
        assert K.in_train_phase(lambda: "train", "test") == "train"
        assert K.in_test_phase("test", "train") == "train"
    assert K.in_train_phase("train", lambda: "test", training=True) == "train"
    assert K.in_train_phase("train", "test", training=0) == "test"
    assert K.learning_phase() == 0


def test_dropout_and_stop_gradient():
    x = Tensor(np.ones((200, 50), np.float32), requires_grad=True)
    y = K.dropout(x, 0.4, seed=5)
    kept = y.numpy() != 0
    assert abs(kept.mean() - 0.6) < 0.03
    np.testing.assert_allclose(y.numpy()[kept], 1 / 0.6, rtol=1e-6)
    ys = K.dropout(x, 0.5, noise_shape=(200, 1), seed=5).numpy()
    assert ((ys == 0).all(1) | (ys != 0).all(1)).all()  # one mask entry per row
    z = K.stop_gradient(x * 2.0)
    assert not z.requires_grad
    assert all(not t.requires_grad for t in K.stop_gradient([x, x]))


# ---- edge cases --------------------------------------------------------------------------------
def test_empty_tensors(backend):
    xp = _xp(backend)
    e = Tensor(xp.zeros((0, 3), np.float32), requires_grad=True)
    assert float(K.sum(e).data) == 0.0
    assert K.sum(e, axis=0).shape == (3,)
    assert K.concatenate([e, Tensor(xp.ones((2, 3), np.float32))], axis=0).shape == (2, 3)
    assert K.gather(Tensor(xp.ones((3, 2), np.float32)), np.zeros((0,), np.int64)).shape == (0, 2)
    assert K.one_hot(np.zeros((0,), np.int64), 4).shape == (0, 4)
    # max / min of nothing: TensorFlow's -inf / +inf, of the reduced shape (tests/test_corpus31.py)
    assert float(K.max(e).data) == -np.inf and K.min(e, axis=0).shape == (3,)


def test_prod_over_an_empty_axis_differentiates(backend):
    """prod over an empty axis is 1 (NumPy, TF); its gradient is the input's empty shape, once
    and twice (the exclusive products of an empty group used to fail to reshape)."""
    from tensorforge.higher_order import grad
    xp = _xp(backend)
    e = Tensor(xp.zeros((2, 0), np.float32), requires_grad=True)
    y = K.prod(e, axis=1)
    np.testing.assert_array_equal(to_numpy(y), [1.0, 1.0])
    (g,) = grad(K.sum(y * y), [e], create_graph=True)
    assert g.shape == (2, 0)
    K.sum(g).backward()
    assert tuple(e.grad.shape) == (2, 0)


def test_cast_gradient_between_floats_only():
    x = Tensor(np.array([1.5, -2.0]), requires_grad=True)
    y = K.cast(x, "float32")
    assert y.dtype == np.float32
    K.sum(y * 3.0).backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])
    i = K.cast(x, "int32")
    np.testing.assert_array_equal(i.numpy(), [1, -2])
    x.grad = None
    K.sum(K.cast(i, "float64") * x).backward()  # nothing flows back through the int cast
    np.testing.assert_array_equal(x.grad, [1.0, -2.0])


def test_gather_gradient_accumulates_repeats():
    ref = K.variable(np.arange(6).reshape(3, 2))
    out = K.gather(ref, [2, 0, 2, 2])
    np.testing.assert_array_equal(out.numpy(), [[4, 5], [0, 1], [4, 5], [4, 5]])
    K.sum(out).backward()
    np.testing.assert_array_equal(to_numpy(ref.grad), [[1, 1], [0, 0], [3, 3]])


@pytest.mark.parametrize("call,exc,msg", [
    (lambda: K.sum(A, axis=3), ValueError, r"sum: axis 3 is out of range .*\(2, 3, 4\)"),
    (lambda: K.mean(A, axis=1.5), TypeError, "mean: axis must be an int"),
    (lambda: K.max(A, axis=[1, -2]), ValueError, "max: axis 1 is repeated"),
    (lambda: K.square("abc"), TypeError, "square: x must be a Tensor, an array or a number"),
    (lambda: K.exp(None), TypeError, "exp: x must be"),
    (lambda: K.dot(A, A), ValueError, r"dot: cannot contract x \(2, 3, 4\) with y \(2, 3, 4\)"),
    (lambda: K.dot(A[0], A[0].astype(np.float64).T), TypeError, "dot: x and y must share one float dtype"),
    (lambda: K.batch_dot(A, A[:1]), ValueError, "batch_dot: x and y must have the same batch size"),
    (lambda: K.batch_dot(A, A, axes=0), ValueError, "batch_dot: cannot contract over the batch axis"),
    (lambda: K.batch_dot(A, A, axes=(1, 2)), ValueError, r"batch_dot: x.shape\[1\] != y.shape\[2\]"),
    (lambda: K.batch_dot(A[0, 0], A[0, 0]), ValueError, "batch_dot: x and y must be at least 2-D"),
    (lambda: K.reshape(A, (5, -1)), ValueError, r"reshape: cannot reshape x with shape \(2, 3, 4\)"),
    (lambda: K.reshape(A, (-1, -1)), ValueError, "reshape: shape may contain -1 at most once"),
    (lambda: K.reshape(A, (2.5, 4)), TypeError, "reshape: shape must be an int"),
    (lambda: K.permute_dimensions(A, (0, 1)), ValueError, "permute_dimensions: pattern must be a permutation"),
    (lambda: K.squeeze(A, 1), ValueError, r"squeeze: axis 1 of x with shape \(2, 3, 4\) has size 3"),
    (lambda: K.expand_dims(A, 5), ValueError, "expand_dims: axis 5 is out of range"),
    (lambda: K.concatenate([A, A[:, :, :2]], axis=1), ValueError, "concatenate: shapes must match except along axis 1"),
    (lambda: K.concatenate(A), TypeError, "concatenate: tensors must be a non-empty list"),
    (lambda: K.stack([A, A[0]]), ValueError, "stack: tensors must have one shape"),
    (lambda: K.tile(A, 2), ValueError, "tile: n must have one entry per axis"),
    (lambda: K.repeat_elements(A, -1, 0), ValueError, "repeat_elements: rep must be >= 0"),
    (lambda: K.repeat(A, 2), ValueError, r"repeat: x must be 2-D \(batch, dim\)"),
    (lambda: K.gather(A, np.array([0.5])), TypeError, "gather: indices must be integers"),
    (lambda: K.gather(A, np.array([2])), ValueError, r"gather: indices must be in \[0, 2\)"),
    (lambda: K.one_hot(np.array([0.0]), 3), TypeError, "one_hot: indices must be integers"),
    (lambda: K.cast(A, "notatype"), TypeError, "cast: dtype must be a dtype name"),
    (lambda: K.softmax(A[0, 0]), ValueError, "softmax: cannot apply softmax to a tensor of rank 1"),
    (lambda: K.categorical_crossentropy(P[:, :2], A), ValueError,
     "categorical_crossentropy: target and output must have the same shape"),
    (lambda: K.sparse_categorical_crossentropy(np.array([0, 1]), A), ValueError,
     "sparse_categorical_crossentropy: target with shape"),
    (lambda: K.sparse_categorical_crossentropy(np.zeros((2, 3), np.int64) + 4, A), ValueError,
     r"sparse_categorical_crossentropy: labels must be in \[0, 4\)"),
    (lambda: K.binary_crossentropy(A[:, :2], A), ValueError, "binary_crossentropy: target .* do not broadcast"),
    (lambda: K.switch(np.ones((2, 3, 4, 1), bool), A, A), ValueError, "switch: the rank of condition"),
    (lambda: K.bias_add(A, np.ones(3, np.float32)), ValueError, "bias_add: bias .* does not match"),
    (lambda: K.dropout(A, 1.0), ValueError, r"dropout: level must be in \[0, 1\)"),
    (lambda: K.random_normal((2, -3)), ValueError, "random_normal: shape must not contain negative sizes"),
    (lambda: K.set_learning_phase(2), ValueError, "set_learning_phase: value must be 0 or 1"),
    (lambda: K.cumsum(A, axis=4), ValueError, "cumsum: axis 4 is out of range"),
    (lambda: K.argmax(np.float32(1.0)), ValueError, "argmax: x must be at least 1-D"),
    (lambda: K.int_shape(3), TypeError, "int_shape: x must be a Tensor or an array"),
])
def test_bad_arguments_name_the_function(call, exc, msg):
    with pytest.raises(exc, match=msg):
        call()


def test_utils():
    assert K.get_uid("dense") == 1 and K.get_uid("dense") == 2 and K.get_uid("conv") == 1
    K.reset_uids()
    assert K.get_uid("dense") == 1
    K.clear_session()
    assert K.get_uid("dense") == 1
    with K.name_scope("block"):
        pass
    x = Tensor(np.arange(6, dtype=np.float32).reshape(3, 2))
    np.testing.assert_array_equal(K.foldr(lambda acc, r: acc - r, x).numpy(), [4 - 2 - 0, 5 - 3 - 1])
    np.testing.assert_array_equal(K.foldl(lambda acc, r: acc + r, x, initializer=10.0).numpy(), [16, 19])
    np.testing.assert_array_equal(K.map_fn(lambda r: r * 2, x).numpy(), x.numpy() * 2)
    assert K.cast_to_floatx([1, 2]).dtype == np.float32 and not K.is_sparse(x) and K.to_dense(x) is x
    assert K.print_tensor(x, "x =") is x
    with pytest.raises(ValueError, match="foldl: elems must be at least 1-D"):
        K.foldl(lambda a, b: a, 1.0)
    with pytest.raises(ValueError, match="spatial_2d_padding: padding must be 2 pairs"):
        K.spatial_2d_padding(np.zeros((1, 2, 2, 1), np.float32), ((1, 1),))


def test_backend_module_surface():
    import tensorforge.backend as backend_module
    for name in ("dot", "batch_dot", "sum", "mean", "categorical_crossentropy", "in_train_phase",
                 "set_backend", "image_data_format", "clear_session", "epsilon", "int_shape"):
        assert name in dir(backend_module), name
    from tensorforge.backend import batch_dot  # noqa: F401  (module __getattr__)
    with pytest.raises(AttributeError):
        K.no_such_function  # noqa: B018


# ---- code as the Keras 2 literature writes it -------------------------------------------------
def _vae_loss(z_mean, z_log_var, x, x_decoded):
    reconstruction = K.sum(K.binary_crossentropy(x, x_decoded), axis=-1)
    kl_loss = 1 + z_log_var - K.square(z_mean) - K.exp(z_log_var)
    kl_loss = K.sum(kl_loss, axis=-1)
    kl_loss *= -0.5
    return K.mean(reconstruction + kl_loss)


def _attention(x, W, b):
    e = K.tanh(K.dot(x, W) + b)
    e = K.squeeze(e, axis=-1)
    alpha = K.expand_dims(K.softmax(e), axis=-1)
    return K.sum(x * alpha, axis=1)


def _contrastive(y_true, a, p):
    d = K.sqrt(K.maximum(K.sum(K.square(a - p), axis=1, keepdims=True), K.epsilon()))
    margin = 1
    return K.mean(y_true * K.square(d) + (1 - y_true) * K.square(K.maximum(margin - d, 0)))


def _gram(x):
    features = K.batch_flatten(K.permute_dimensions(x, (2, 0, 1)))
    return K.dot(features, K.transpose(features))


def _focal(y_true, y_pred, gamma=2.0, alpha=0.25):
    pt_1 = K.switch(K.equal(y_true, 1), y_pred, K.ones_like(y_pred))
    pt_0 = K.switch(K.equal(y_true, 0), y_pred, K.zeros_like(y_pred))
    return (-K.sum(alpha * K.pow(1.0 - pt_1, gamma) * K.log(pt_1))
            - K.sum((1 - alpha) * K.pow(pt_0, gamma) * K.log(1.0 - pt_0)))


def test_keras_literature_snippets_forward_and_grad():
    rng = np.random.default_rng(11)
    zm, zv = rng.normal(size=(4, 2)), rng.normal(size=(4, 2)) * 0.3
    x, xd = rng.uniform(0, 1, (4, 6)), rng.uniform(0.05, 0.95, (4, 6))
    want = (-(x * np.log(xd + 1e-7) + (1 - x) * np.log(1 - xd + 1e-7)).sum(-1)
            - 0.5 * (1 + zv - zm ** 2 - np.exp(zv)).sum(-1)).mean()
    np.testing.assert_allclose(float(_vae_loss(zm, zv, x, xd).data), want, rtol=1e-10)
    _gradcheck(lambda a, b, c: _vae_loss(a, b, x, c), zm, zv, xd)

    seq, W, b = rng.normal(size=(2, 5, 3)), rng.normal(size=(3, 1)), rng.normal(size=(1,))
    e = np.tanh(seq @ W + b)[..., 0]
    al = np.exp(e) / np.exp(e).sum(1, keepdims=True)
    np.testing.assert_allclose(_attention(seq, W, b).numpy(), (seq * al[..., None]).sum(1), rtol=1e-10)
    _gradcheck(_attention, seq, W, b)

    y = np.array([[1.0], [0.0], [1.0]])
    a, p = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)) * 0.2
    d = np.sqrt(((a - p) ** 2).sum(1, keepdims=True))
    np.testing.assert_allclose(float(_contrastive(y, a, p).data),
                               (y * d ** 2 + (1 - y) * np.maximum(1 - d, 0) ** 2).mean(), rtol=1e-10)
    _gradcheck(lambda u, v: _contrastive(y, u, v), a, p)

    img = rng.normal(size=(3, 4, 2))
    f = img.transpose(2, 0, 1).reshape(2, -1)
    np.testing.assert_allclose(_gram(img).numpy(), f @ f.T, rtol=1e-10)
    _gradcheck(_gram, img)

    yt = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    yp = rng.uniform(0.1, 0.9, (2, 3))
    want = (-(0.25 * (1 - np.where(yt == 1, yp, 1)) ** 2 * np.log(np.where(yt == 1, yp, 1))).sum()
            - (0.75 * np.where(yt == 0, yp, 0) ** 2 * np.log(1 - np.where(yt == 0, yp, 0))).sum())
    np.testing.assert_allclose(float(_focal(yt, yp).data), want, rtol=1e-10)
    _gradcheck(lambda q: _focal(yt, q), yp)


def test_vae_sampling_with_dynamic_shape():
    z_mean = Tensor(np.zeros((5, 3), np.float32), requires_grad=True)
    z_log_var = Tensor(np.zeros((5, 3), np.float32), requires_grad=True)
    batch = K.shape(z_mean)[0]
    dim = K.int_shape(z_mean)[1]
    epsilon = K.random_normal(shape=(batch, dim))
    z = z_mean + K.exp(0.5 * z_log_var) * epsilon
    assert z.shape == (5, 3) and z.dtype == np.float32
    K.sum(z).backward()
    np.testing.assert_array_equal(to_numpy(z_mean.grad), np.ones((5, 3)))
    np.testing.assert_allclose(to_numpy(z_log_var.grad), 0.5 * epsilon.numpy(), rtol=1e-6)
