"""The training step's fast paths give the same numbers as the general ones:
Keras loss class instances train on the same fused native path as the loss names (identical
values), and the native fast paths of the kernel entry points refuse bad arguments with the same
clear messages as the Python checks."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import losses, layers
from tensorforge.models import Sequential


def _data(n=96, d=12, c=4, seed=0):
    r = np.random.default_rng(seed)
    x = r.standard_normal((n, d)).astype(np.float32)
    labels = r.integers(0, c, n)
    return x, labels, np.eye(c, dtype=np.float32)[labels]


def _history(loss, last="softmax", units=4, y=None, sample_weight=None, metrics=("accuracy",)):
    x, labels, onehot = _data()
    tf.utils.set_random_seed(3)
    m = Sequential([layers.Dense(16, activation="relu", input_shape=(12,)),
                    layers.Dense(units, activation=last)])
    m.compile(optimizer="sgd", loss=loss, metrics=list(metrics))
    h = m.fit(x, onehot if y is None else y, batch_size=32, epochs=2, verbose=0, shuffle=False,
              sample_weight=sample_weight)
    return m, h.history


def _spec(model):
    return model._out_specs[0]


@pytest.mark.parametrize("name,instance", [
    ("categorical_crossentropy", lambda: losses.CategoricalCrossentropy()),
    ("sparse_categorical_crossentropy", lambda: losses.SparseCategoricalCrossentropy()),
])
def test_loss_instance_takes_the_fused_softmax_path_with_identical_values(name, instance):
    y = None if name.startswith("categorical") else _data()[1]
    m1, h1 = _history(name, y=y)
    m2, h2 = _history(instance(), y=y)
    assert _spec(m2).fused == "softmax" and _spec(m1).fused == "softmax"
    assert h1 == h2  # bit-identical: the same code path
    assert m2.loss.__class__.__name__.endswith("Crossentropy")  # compile keeps what was given


def test_binary_and_mse_instances_match_their_names():
    x, labels, _ = _data()
    yb = (labels % 2).astype(np.float32)
    m1, h1 = _history("binary_crossentropy", last="sigmoid", units=1, y=yb)
    m2, h2 = _history(losses.BinaryCrossentropy(), last="sigmoid", units=1, y=yb)
    assert _spec(m2).fused == "sigmoid" and h1 == h2
    m1, h1 = _history("mse", y=None, metrics=("mae",))
    m2, h2 = _history(losses.MeanSquaredError(), metrics=("mae",))
    assert _spec(m2).loss_fn is losses.mean_squared_error and h1 == h2


def test_from_logits_instance_equals_softmax_layer_with_the_name():
    # a linear last layer + CategoricalCrossentropy(from_logits=True) computes what a softmax
    # layer + 'categorical_crossentropy' computes (both run the fused loss on the same logits)
    m1, h1 = _history("categorical_crossentropy", last="softmax")
    m2, h2 = _history(losses.CategoricalCrossentropy(from_logits=True), last="linear")
    assert _spec(m2).fused == "softmax" and _spec(m2).from_logits
    assert not m2._logits_outputs  # the layer is not asked for logits: it already gives them
    np.testing.assert_allclose(h1["loss"], h2["loss"], rtol=1e-6)
    assert h1["accuracy"] == h2["accuracy"]
    _, labels, _ = _data()
    m3, h3 = _history(losses.SparseCategoricalCrossentropy(from_logits=True), last="linear",
                      y=labels)
    np.testing.assert_allclose(h1["loss"], h3["loss"], rtol=1e-6)


def test_from_logits_instance_value_against_numpy():
    x, labels, onehot = _data()
    tf.utils.set_random_seed(1)
    m = Sequential([layers.Dense(4, input_shape=(12,))])
    m.compile(optimizer="sgd", loss=losses.CategoricalCrossentropy(from_logits=True))
    z = m.predict(x, verbose=0).astype(np.float64)
    logp = z - z.max(1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(1, keepdims=True))
    want = -(onehot * logp).sum(1).mean()
    np.testing.assert_allclose(m.evaluate(x, onehot, verbose=0), want, rtol=1e-5)


def test_from_logits_instance_with_softmax_layer_is_not_fused_into_the_layer():
    # tf_keras 2 takes the logits the softmax tagged its output with, from_logits or not (one
    # softmax, not two; tf_keras's own figure: tests/test_keras_logits_loss.py,
    # softmax_categorical_from_logits)
    x, labels, onehot = _data()
    tf.utils.set_random_seed(1)
    m = Sequential([layers.Dense(4, activation="softmax", input_shape=(12,))])
    m.compile(optimizer="sgd", loss=losses.CategoricalCrossentropy(from_logits=True))
    k, b = m.get_weights()
    p = x.astype(np.float64) @ k + b  # the logits
    logp = p - np.log(np.exp(p).sum(1, keepdims=True))
    want = -(onehot * logp).sum(1).mean()
    np.testing.assert_allclose(m.evaluate(x, onehot, verbose=0), want, rtol=1e-5)


def test_non_default_instances_keep_their_own_path():
    for loss in (losses.CategoricalCrossentropy(label_smoothing=0.1),
                 losses.CategoricalCrossentropy(reduction="sum")):
        m, h = _history(loss)
        assert _spec(m).loss_fn is loss and not _spec(m).fused
        assert np.isfinite(h["loss"]).all()


def test_loss_instance_with_sample_weight_matches_the_name():
    w = np.linspace(0.5, 2.0, 96).astype(np.float32)
    _, h1 = _history("categorical_crossentropy", sample_weight=w)
    _, h2 = _history(losses.CategoricalCrossentropy(), sample_weight=w)
    assert h1 == h2
    _, h3 = _history(losses.CategoricalCrossentropy(from_logits=True), last="linear",
                     sample_weight=w)
    np.testing.assert_allclose(h1["loss"], h3["loss"], rtol=1e-6)


# ---- the native fast paths: same answers and the same clear errors as the Python checks ------

needs_cpu = pytest.mark.skipif(tf.backend._native._C is None, reason="native module not built")


@pytest.fixture
def cpu():
    prev = tf.get_backend()
    tf.set_backend("cpu")
    yield
    tf.set_backend(prev)


@needs_cpu
def test_lookup_cache_follows_register_and_set_backend(cpu):
    from tensorforge import backend
    native = backend.lookup("gemm")
    assert backend.lookup("gemm") is native  # cached
    sentinel = lambda *a, **k: "mine"  # noqa: E731
    backend.register("gemm", "cpu", sentinel)
    try:
        assert backend.lookup("gemm") is sentinel
        tf.set_backend("numpy")
        assert backend.lookup("gemm") is backend._table["gemm"]["numpy"]
        tf.set_backend("cpu")
        assert backend.lookup("gemm") is sentinel
    finally:
        backend.register("gemm", "cpu", native)
    assert backend.lookup("gemm") is native


@needs_cpu
def test_gemm_fast_path_errors_and_fallbacks(cpu):
    r = np.random.default_rng(0)
    a = r.standard_normal((5, 7)).astype(np.float32)
    b = r.standard_normal((7, 3)).astype(np.float32)
    with pytest.raises(ValueError, match=r"gemm: inner dimensions differ"):
        tf.ops.gemm(a, a)
    with pytest.raises(TypeError, match=r"gemm: .*float"):
        tf.ops.gemm(a, b.astype(np.float64))
    with pytest.raises(TypeError, match=r"gemm: alpha must be a number"):
        tf.ops.gemm(a, b, alpha=None)
    with pytest.raises(ValueError, match=r"matmul: inner dimensions differ"):
        tf.ops.matmul(a, a)
    bias = np.arange(6, dtype=np.float32)[::2]  # a strided view: the Python path copies it
    want = a.astype(np.float64) @ b + bias
    np.testing.assert_allclose(tf.ops.gemm(a, b, bias=bias), want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(tf.ops.matmul(a, b), a.astype(np.float64) @ b, rtol=1e-5,
                               atol=1e-5)


@needs_cpu
def test_conv_and_pool_fast_paths_match_the_reference(cpu):
    r = np.random.default_rng(1)
    x = r.standard_normal((2, 9, 8, 3)).astype(np.float32)
    w = r.standard_normal((3, 3, 3, 4)).astype(np.float32)
    b = r.standard_normal(4).astype(np.float32)
    for strides, padding in ((1, "same"), ([2, 1], "valid"), ((2, 2), ((1, 0), (0, 1)))):
        got = tf.kernels.conv2d(x, w, b, strides, padding)
        tf.set_backend("numpy")
        want = tf.kernels.conv2d(x, w, b, strides, padding)
        tf.set_backend("cpu")
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match=r"conv2d: w has C_in = 3 but x has 2 channels"):
        tf.kernels.conv2d(x[..., :2], w)
    with pytest.raises(ValueError, match=r"conv2d: padding must be"):
        tf.kernels.conv2d(x, w, padding="full")
    y, am = tf.kernels.max_pool2d(x, 2, None, "same", with_argmax=True)
    tf.set_backend("numpy")
    y_ref = tf.kernels.max_pool2d(x, 2, None, "same")
    tf.set_backend("cpu")
    np.testing.assert_array_equal(y, y_ref)
    dx = tf.kernels.max_pool2d_backward(np.ones_like(y), am, x.shape, 2, None, "same")
    assert dx.shape == x.shape and dx.sum() == y.size
    with pytest.raises(ValueError, match=r"max_pool2d_backward: dy must have shape"):
        tf.kernels.max_pool2d_backward(np.ones((2, 4, 4, 3), np.float32), am, x.shape, 2, None,
                                       "same")


def test_accuracy_metrics_values():
    from tensorforge import metrics as M
    yt = np.eye(3, dtype=np.float32)[[0, 1, 2, 1]]
    yp = np.array([[.8, .1, .1], [.2, .3, .5], [.1, .1, .8], [.3, .6, .1]], np.float32)
    assert M.categorical_accuracy(yt, yp).numpy().tolist() == [1, 0, 1, 1]  # per sample, as Keras 2
    assert M.batch_mean(M.categorical_accuracy)(yt, yp) == 0.75
    assert M.sparse_categorical_accuracy(np.array([0, 1, 2, 1]), yp).numpy().tolist() == [1, 0, 1, 1]
    assert M.batch_mean(M.sparse_categorical_accuracy)(np.array([0, 1, 2, 1]), yp) == 0.75
    assert M.binary_accuracy(np.array([[1.], [0.]]), np.array([[.7], [.6]])).numpy().tolist() == [1, 0]
    assert M.batch_mean(M.binary_accuracy)(np.array([[1.], [0.]]), np.array([[.7], [.6]])) == 0.5


def test_array_binary_ops_keep_their_results_and_checks():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    r = tf.ops.add(a, a)
    np.testing.assert_array_equal(np.asarray(r), 2 * a)
    assert np.asarray(tf.ops.mul(tf.autograd.Tensor(a), 2.0)).dtype == np.float32
    with pytest.raises(TypeError, match="add: a must be numeric"):
        tf.ops.add(np.array(["x"]), a)


# ---- the Dense op, the fused dense backward, the one-output loss and metrics (issue 15) -------

def _unfused_dense_backward(g, x, w, y, need):
    """The calls _Gemm.backward makes (alpha 1, no transposes), on the cpu backend."""
    from tensorforge import kernels
    if y is not None:
        g = kernels.act_backward(g, y, y, "relu", 0.0)
    return (kernels.gemm(g, w, trans_b=True) if need[0] else None,
            kernels.gemm(x, g, trans_a=True) if need[1] else None,
            g.sum(axis=0) if need[2] else None)


@needs_cpu
@pytest.mark.parametrize("M,K,N", [(32, 784, 256), (32, 256, 10), (7, 5, 3), (1, 3, 2),
                                   (128, 65, 33)])
def test_dense_backward_binding_equals_the_unfused_calls_bit_for_bit(cpu, M, K, N):
    from tensorforge import _C
    r = np.random.default_rng(M * K + N)
    g = r.standard_normal((M, N)).astype(np.float32)
    x = r.standard_normal((M, 2 * K)).astype(np.float32)[:, ::2]  # a strided view
    w = r.standard_normal((K, N)).astype(np.float32)
    y = np.maximum(r.standard_normal((M, N)).astype(np.float32), 0)
    for yy in (y, None):
        for need in ((True, True, True), (False, True, True), (True, False, False)):
            got = _C.dense_backward(g, x, w, yy, *need)
            want = _unfused_dense_backward(g, x, w, yy, need)
            for a, b in zip(got, want):
                assert (a is None) == (b is None)
                if a is not None:
                    assert a.dtype == np.float32 and np.array_equal(a, b)
    ref = tf.reference.dense_backward(g, x, w, y, True, True, True)
    for a, b in zip(_C.dense_backward(g, x, w, y, True, True, True), ref):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


@needs_cpu
def test_dense_backward_binding_writes_dw_and_db_into_given_arrays(cpu):
    """A parameter's gradient-bucket views (distributed training): the same values, in place."""
    from tensorforge import _C
    r = np.random.default_rng(5)
    g, x = r.standard_normal((9, 6)).astype(np.float32), r.standard_normal((9, 4)).astype(np.float32)
    w, y = r.standard_normal((4, 6)).astype(np.float32), np.maximum(g, 0)
    flat = np.full(4 * 6 + 6, np.nan, np.float32)
    dw_out, db_out = flat[:24].reshape(4, 6), flat[24:]
    for yy in (y, None):
        want = _C.dense_backward(g, x, w, yy, True, True, True)
        got = _C.dense_backward(g, x, w, yy, True, True, True, dw_out, db_out)
        assert got[1] is not None and np.shares_memory(got[1], dw_out)
        assert np.shares_memory(got[2], db_out)
        for a, b in zip(got, want):
            assert np.array_equal(a, b)
        ref = tf.reference.dense_backward(g, x, w, yy, False, True, True,
                                          np.empty((4, 6), np.float32), np.empty(6, np.float32))
        np.testing.assert_allclose(ref[1], dw_out, rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(ref[2], db_out, rtol=1e-5, atol=1e-5)
    bad = [((np.empty((6, 4), np.float32), None), r"dw_out must have shape \(4, 6\)"),
           ((None, np.empty(5, np.float32)), r"db_out must have shape \(6,\)"),
           ((np.empty((4, 6), np.float64), None), r"dw_out must be float32"),
           ((np.empty((6, 4), np.float32).T, None), r"dw_out must be C-contiguous"),
           ((w, None), r"dw_out shares memory with an input"),
           ((dw_out, flat[20:26]), r"dw_out and db_out share memory")]
    for (o_w, o_b), msg in bad:
        with pytest.raises((ValueError, TypeError), match="dense_backward: " + msg):
            _C.dense_backward(g, x, w, None, True, True, True, o_w, o_b)


@needs_cpu
def test_dense_backward_binding_refuses_bad_arguments_by_name(cpu):
    from tensorforge import _C
    g, x, w = np.ones((4, 3), np.float32), np.ones((4, 5), np.float32), np.ones((5, 3), np.float32)
    with pytest.raises(ValueError, match=r"dense_backward: w must have shape \(5, 3\)"):
        _C.dense_backward(g, x, w.T.copy(), None, True, True, True)
    with pytest.raises(ValueError, match=r"dense_backward: x must have 4 rows"):
        _C.dense_backward(g, x[:3], w, None, True, True, True)
    with pytest.raises(TypeError, match=r"dense_backward: g must be float32"):
        _C.dense_backward(g.astype(np.float64), x, w, None, True, True, True)
    with pytest.raises(ValueError, match=r"dense_backward: g must be C-contiguous"):
        _C.dense_backward(np.ones((3, 4), np.float32).T, x, w, None, True, True, True)
    with pytest.raises(ValueError, match=r"dense_backward: y must have the shape of g"):
        _C.dense_backward(g, x, w, np.ones((4, 2), np.float32), True, True, True)


@needs_cpu
@pytest.mark.parametrize("backend_name", ["cpu", "numpy"])
def test_dense_op_gradients_equal_the_gemm_op_bit_for_bit(backend_name):
    from tensorforge.autograd import Tensor
    from tensorforge.ops.gemm import dense
    prev = tf.get_backend()
    tf.set_backend(backend_name)
    try:
        r = np.random.default_rng(5)
        xa = r.standard_normal((6, 5)).astype(np.float32)
        wa = r.standard_normal((5, 4)).astype(np.float32)
        ba = r.standard_normal(4).astype(np.float32)
        ga = r.standard_normal((6, 4)).astype(np.float32)
        for act in ("relu", None):
            res = []
            for op in (lambda x, w, b: dense(x, w, b, act),
                       lambda x, w, b: tf.ops.gemm(x, w, bias=b, activation=act)):
                x, w, b = (Tensor(a.copy(), requires_grad=True) for a in (xa, wa, ba))
                y = op(x, w, b)
                y.backward(ga)
                res.append([y.data, x.grad, w.grad, b.grad])
            for a, b in zip(*res):
                assert np.array_equal(a, b)
            # an input that needs no gradient gets none (the first layer's x)
            x, w = Tensor(xa), Tensor(wa, requires_grad=True)
            dense(x, w, None, act).backward(ga)
            assert x.grad is None and w.grad.shape == wa.shape
    finally:
        tf.set_backend(prev)


def _trained_mlp(seed=0, **fit_kw):
    x, labels, onehot = _data(n=64)
    tf.utils.set_random_seed(seed)
    m = Sequential([layers.Dense(16, activation="relu", input_shape=(12,)), layers.Dropout(0.3),
                    layers.Dense(4, activation="softmax")])
    m.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    h = m.fit(x, onehot, batch_size=16, epochs=2, verbose=0, **fit_kw)
    return m, h.history, x, onehot


def test_one_output_loss_and_metrics_equal_the_general_path():
    from tensorforge.autograd import Tensor, enable_grad
    m, _, x, onehot = _trained_mlp()
    with enable_grad():
        outs = m._forward([x], True, m._logits_outputs)
        fast, parts = m._loss_terms([onehot], outs, False, None)
        general = losses.batch_mean(losses.categorical_crossentropy)(onehot, outs[0],
                                                                     from_logits=True)
    assert parts == [] and np.array_equal(fast.data, general.data)
    g1, g2 = (Tensor(outs[0].data.copy(), requires_grad=True) for _ in range(2))
    with enable_grad():
        m._loss_terms([onehot], [g1], False, None)[0].backward()
        losses.batch_mean(losses.categorical_crossentropy)(onehot, g2, from_logits=True).backward()
    assert np.array_equal(g1.grad, g2.grad)
    mets = m._batch_metrics([onehot], outs, [None])
    probs = tf.activations.softmax(outs[0].data)
    assert mets == {"accuracy": tf.metrics.batch_mean(tf.metrics.categorical_accuracy)(onehot,
                                                                                       probs)}
    assert mets["accuracy"] == np.mean(tf.metrics.categorical_accuracy(onehot, probs))


def test_fit_logs_are_those_of_train_on_batch_steps():
    """fit's batch metrics are computed inside the step (before backward): the values logged
    are those of the step's forward outputs, as train_on_batch reports them."""
    _, h_fit, x, onehot = _trained_mlp(seed=4, shuffle=False)
    tf.utils.set_random_seed(4)
    m = Sequential([layers.Dense(16, activation="relu", input_shape=(12,)), layers.Dropout(0.3),
                    layers.Dense(4, activation="softmax")])
    m.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    logs = [m.train_on_batch(x[i:i + 16], onehot[i:i + 16]) for i in range(0, 64, 16)]
    assert np.isclose(h_fit["loss"][0], np.mean([l[0] for l in logs]), rtol=1e-6)
    assert np.isclose(h_fit["accuracy"][0], np.mean([l[1] for l in logs]), rtol=1e-6)
