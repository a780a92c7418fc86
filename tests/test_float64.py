"""Layers and models in float64 (K.set_floatx('float64'), dtype='float64'): float64 weights and
outputs and float64 arithmetic, against tf_keras 2.21's float64 values (tests/data/
float64_refs.npz, recorded by tools/gen_float64_refs.py from tests/float64_cases.py) at
tolerances float32 could never meet, and against float64 central differences."""
import json
import math
import os
import warnings

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras

import float64_cases as C

REFS = np.load(os.path.join(os.path.dirname(__file__), "data", "float64_refs.npz"))
K = keras.backend


@pytest.fixture(autouse=True)
def _floatx32():
    K.set_floatx("float32")
    keras.mixed_precision.set_global_policy(None)
    yield
    K.set_floatx("float32")
    keras.mixed_precision.set_global_policy(None)


def _close(got, want, rtol, atol=0.0, what=""):
    got = np.asarray(got)
    assert got.dtype == np.float64, f"{what}: dtype {got.dtype}"
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=what)


# ---- one layer at a time: forward and gradients against tf_keras's float64 ------------------
def _layer(name):
    cls, kw, _, call_kw = C.LAYERS[name]
    xs = C.layer_inputs(name)
    layer = getattr(keras.layers, cls)(**kw, dtype="float64")
    layer(xs if len(xs) > 1 else xs[0], **call_kw)
    layer.set_weights(C.layer_weights(layer))
    return layer, xs, call_kw


def _layer_run(name):
    layer, xs, call_kw = _layer(name)
    ts = [tf.constant(x) for x in xs]
    arg = ts if len(ts) > 1 else ts[0]
    floats = [t for t in ts if np.dtype(t.dtype).kind == "f"]
    with tf.GradientTape(persistent=True) as tape:
        for t in floats:
            tape.watch(t)
        y = layer(arg, **call_kw)
        loss = tf.reduce_sum(y * C.cotangent(tuple(y.shape)))
    return layer, y, tape.gradient(loss, floats), tape.gradient(loss, layer.trainable_weights)


def _gelu_exact(x):
    """gelu in float64 by math.erfc (TensorFlow's float64 erfc is ~5e-9 off: its recorded gelu
    is compared at 1e-7 below, this one at 1e-13)."""
    return np.vectorize(lambda v: 0.5 * v * math.erfc(-v / math.sqrt(2.0)))(x)


@pytest.mark.parametrize("name", list(C.LAYERS))
def test_layer_matches_tf_keras_float64(name):
    layer, y, dxs, dws = _layer_run(name)
    key = f"layer/{name}"
    assert layer.compute_dtype == "float64" and layer.variable_dtype == "float64"
    assert all(w.dtype == np.float64 for w in layer.weights), [w.dtype for w in layer.weights]
    if name == "act_gelu":
        _close(y, _gelu_exact(C.layer_inputs(name)[0]), 1e-13, 1e-15, "gelu output")
        _close(y, REFS[f"{key}/y"], 1e-7, 1e-8, "gelu output vs TensorFlow's")
        _close(dxs[0], REFS[f"{key}/dx0"], 1e-7, 1e-8, "gelu d input vs TensorFlow's")
        return
    _close(y, REFS[f"{key}/y"], 1e-11, 1e-12, f"{name} output")
    for i, g in enumerate(dxs):
        _close(g, REFS[f"{key}/dx{i}"], 1e-10, 1e-12, f"{name} d input {i}")
    for i, g in enumerate(dws):
        _close(g, REFS[f"{key}/dw{i}"], 1e-10, 1e-12, f"{name} d weight {i}")


@pytest.mark.parametrize("name", ["dense_relu", "conv2d_stride", "conv2d_transpose",
                                  "batchnorm_train", "layernorm", "lstm", "gru", "simple_rnn",
                                  "depthwise_conv2d", "avgpool2d"])
def test_layer_gradient_check_float64(name):
    """d sum(y * w) / d x by central differences in float64 (step 1e-6) agrees to 1e-8: float32
    arithmetic is 1e-3 off at that step."""
    _, _, (dx,), _ = _layer_run(name)
    layer, (x,), call_kw = _layer(name)
    h = 1e-6
    w = C.cotangent(tuple(np.shape(layer(x, **call_kw))))
    rng = np.random.default_rng(7)
    flat = x.reshape(-1)
    for i in rng.choice(flat.size, size=min(6, flat.size), replace=False):
        xp, xm = flat.copy(), flat.copy()
        xp[i] += h
        xm[i] -= h
        fp = np.sum(np.asarray(layer(xp.reshape(x.shape), **call_kw)) * w)
        fm = np.sum(np.asarray(layer(xm.reshape(x.shape), **call_kw)) * w)
        num = (fp - fm) / (2 * h)
        assert abs(num - np.asarray(dx).reshape(-1)[i]) <= 1e-8 * max(1.0, abs(num)), (name, i)


# ---- training: tf_keras's losses, weights, evaluate and predict ------------------------------
@pytest.mark.parametrize("name", list(C.SCENARIOS))
def test_training_matches_tf_keras_float64(name):
    r = C.run(keras, name)
    key = f"train/{name}"
    assert r["dtypes"] == json.loads(str(REFS[f"{key}/dtypes"])) and \
        set(r["dtypes"]) == {"float64"}
    assert r["pred_dtype"] == "float64"
    # the 'layer' scenarios run under floatx float32, where tf_keras's loss metric is float32
    hist_rtol = 1e-9 if C.SCENARIOS[name][0] == "floatx" else 1e-6
    np.testing.assert_allclose(r["loss"], REFS[f"{key}/loss"], rtol=hist_rtol)
    for e in range(C.EPOCHS):
        i = 0
        while f"{key}/weights_{e}_{i}" in REFS:
            _close(r[f"weights_{e}_{i}"], REFS[f"{key}/weights_{e}_{i}"], 1e-9, 1e-12,
                   f"{name} weight {i} after epoch {e}")
            i += 1
        assert i == len(r["dtypes"])
    hist = sorted(k for k in r if k.startswith("history_"))
    assert hist == sorted(k.split("/")[-1] for k in REFS.files
                          if k.startswith(key + "/history_")) and len(hist) == 2 * bool(
                              C.METRICS.get(name))
    for k in hist:
        np.testing.assert_allclose(r[k], REFS[f"{key}/{k}"], rtol=hist_rtol, err_msg=k)
    np.testing.assert_allclose(r["eval"], REFS[f"{key}/eval"], rtol=hist_rtol)
    _close(r["pred"], REFS[f"{key}/pred"], 1e-9, 1e-12, f"{name} predict")


# ---- losses: values and gradients against tf_keras's float64 --------------------------------
@pytest.mark.parametrize("name", C.LOSSES)
def test_loss_matches_tf_keras_float64(name):
    yt, yp = C.loss_inputs(name)
    p = tf.Variable(yp)
    with tf.GradientTape() as tape:
        v = keras.losses.get(name)(yt, p)
        total = tf.reduce_sum(v)
    key = f"loss/{name}"
    if name == "huber":  # tf_keras's huber casts y_pred to floatx (float32): NumPy's float64 here
        a = np.abs(yp - yt)
        q = np.minimum(a, 1.0)
        _close(v, np.mean(0.5 * q * q + (a - q), axis=-1), 1e-13, 1e-15, "huber value")
        np.testing.assert_allclose(v, REFS[f"{key}/value"], rtol=1e-6)
        return
    _close(v, REFS[f"{key}/value"], 1e-12, 1e-14, f"{name} value")
    _close(tape.gradient(total, p), REFS[f"{key}/grad"], 1e-11, 1e-13, f"{name} gradient")
    cls = getattr(keras.losses, "".join(w.title() for w in name.split("_")).replace(
        "KlDivergence", "KLDivergence"))
    _close(cls()(yt, yp), REFS[f"{key}/class"], 1e-12, 1e-14, f"{name} class")


# ---- the dtype policy -----------------------------------------------------------------------
def test_floatx_float64_makes_float64_layers_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        K.set_floatx("float64")
    layer = keras.layers.Dense(2)
    assert layer.dtype == layer.compute_dtype == layer.variable_dtype == "float64"
    assert keras.mixed_precision.global_policy().name == "float64"
    y = layer(np.ones((3, 4), np.float32))  # float32 data is autocast to float64
    assert layer.kernel.dtype == np.float64 and y.dtype == np.float64
    assert keras.Input((3,)).dtype == np.float64
    K.set_floatx("float32")
    assert keras.layers.Dense(2).dtype == "float32"
    assert keras.Input((3,)).dtype == np.float32


def test_layer_dtype_and_policy_float64():
    for dt in ("float64", np.float64, keras.mixed_precision.Policy("float64")):
        layer = keras.layers.Dense(2, dtype=dt)
        y = layer(np.ones((2, 3)))
        assert layer.kernel.dtype == layer.bias.dtype == y.dtype == np.float64, dt
        assert layer.get_config()["dtype"] == "float64"
        assert layer.dtype_policy == keras.mixed_precision.Policy("float64")
        again = keras.layers.Dense.from_config(layer.get_config())
        again(np.ones((2, 3)))
        assert again.kernel.dtype == np.float64
    keras.mixed_precision.set_global_policy("float64")
    assert keras.layers.Dense(2).compute_dtype == "float64"


def test_float64_values_survive_the_model_boundary():
    """A float64 model keeps float64 data's last bits (float32 would round 1 + 1e-12 to 1)."""
    K.set_floatx("float64")
    x = np.array([[1.0 + 1e-12]])
    m = keras.Sequential([keras.layers.Input((1,)), keras.layers.Dense(1, use_bias=False,
                                                                       kernel_initializer="ones")])
    assert m.predict(x, verbose=0)[0, 0] == x[0, 0]
    assert m(x).numpy()[0, 0] == x[0, 0]
    m.compile(loss="mse")
    assert m.evaluate(x, x, verbose=0) == 0.0


def test_float32_model_autocasts_float64_inputs():
    """A float32 model fed float64 values (a tf.constant of a NumPy array) computes in float32,
    eagerly and inside a graph, and gradients cross the cast."""
    c = tf.constant(np.linspace(-1, 1, 12).reshape(4, 3))
    assert c.dtype == np.float64  # as TensorFlow's tf.constant of a float64 array
    dense = keras.layers.Dense(2)
    assert dense(c).dtype == np.float32
    inp = keras.Input((3,))
    m = keras.Model(inp, keras.layers.Dense(1)(keras.layers.Dense(2, dtype="float64")(inp)))
    assert m(c).dtype == np.float32 and m.layers[1].kernel.dtype == np.float64
    v = tf.Variable(np.ones((4, 3), np.float32))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(m(v))
    g = tape.gradient(loss, [v] + m.trainable_weights)
    assert g[0].dtype == np.float32 and g[1].dtype == np.float64 and g[3].dtype == np.float32


def test_mixed_float16_is_unchanged():
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        layer = keras.layers.Dense(2, dtype="mixed_float16")
    assert layer.compute_dtype == "float32" and layer(np.ones((1, 3))).dtype == np.float32


@pytest.mark.parametrize("cls,kw,shape", [("RandomRotation", {"factor": 0.1}, (1, 5, 5, 1)),
                                          ("Resizing", {"height": 3, "width": 3}, (1, 5, 5, 1))])
def test_unsupported_float64_layers_name_themselves(cls, kw, shape):
    layer = getattr(keras.layers, cls)(**kw, dtype="float64")
    with pytest.raises(TypeError, match=f"{cls}.*float64 is not supported"):
        layer(np.ones(shape), training=True)


def test_float64_on_the_cuda_backend_is_an_error_naming_the_op(monkeypatch):
    from tensorforge import _dispatch
    from tensorforge.kernels import _common
    monkeypatch.setattr(_dispatch, "get_backend", lambda: "cuda")
    with pytest.raises(TypeError, match="act_forward: float64 is not supported on the cuda"):
        _common.kernel_for("act_forward", "act_forward", np.dtype(np.float64))
    assert _common.kernel_for("act_forward", "act_forward", np.dtype(np.float32)) is not None
    layer = keras.layers.Dense(2, dtype="float64")
    with pytest.raises(TypeError, match="dense.*float64 is not supported on the cuda backend"):
        layer(np.ones((1, 2)))


@pytest.mark.parametrize("opt", ["sgd", "adam", "rmsprop", "adagrad"])
@pytest.mark.parametrize("fmt", ["h5", "keras"])
def test_save_and_load_keep_float64(tmp_path, opt, fmt):
    K.set_floatx("float64")
    m = keras.Sequential([keras.layers.Input((3,)), keras.layers.Dense(4, activation="tanh"),
                          keras.layers.BatchNormalization(), keras.layers.Dense(1)])
    m.compile(optimizer=keras.optimizers.SGD(momentum=0.9) if opt == "sgd" else opt, loss="mse")
    x = np.random.default_rng(0).standard_normal((16, 3))
    m.fit(x, x[:, :1] ** 2, epochs=2, batch_size=8, verbose=0)
    states = m.optimizer.get_state(m.trainable_weights)
    assert {s.dtype for st in states for s in st if s is not None} == {np.dtype(np.float64)}
    K.set_floatx("float32")  # the file, not floatx, decides
    path = str(tmp_path / f"m.{fmt}")
    m.save(path)
    m2 = keras.models.load_model(path)
    assert [w.dtype for w in m2.weights] == [np.float64] * len(m.weights)
    for a, b in zip(m.get_weights(), m2.get_weights()):
        assert np.array_equal(a, b)
    assert np.array_equal(m2.predict(x, verbose=0), m.predict(x, verbose=0))
    m.save_weights(str(tmp_path / "w.weights.h5"))
    m3 = keras.models.clone_model(m)
    m3.load_weights(str(tmp_path / "w.weights.h5"))
    assert all(np.array_equal(a, b) for a, b in zip(m.get_weights(), m3.get_weights()))


def test_dropout_in_training_float64():
    """The same mask as the float32 layer draws from the same seed; kept values x / (1 - rate)
    in float64."""
    x = np.random.default_rng(0).standard_normal((4, 6))
    tf.utils.set_random_seed(1)
    a = np.asarray(keras.layers.Dropout(0.5, dtype="float64")(x, training=True))
    tf.utils.set_random_seed(1)
    b = np.asarray(keras.layers.Dropout(0.5)(x, training=True))
    assert a.dtype == np.float64 and np.array_equal(a != 0, b != 0) and 0 < (a != 0).sum() < a.size
    np.testing.assert_array_equal(a[a != 0], x[a != 0] / 0.5)
