"""keras13: the Keras 2 names added in session 19 against tf_keras 2.21's values
(tests/data/keras13_refs.npz / .json, written by tools/keras13_refs.py under /work/keras-venv):
keras.backend (function, placeholder, is_keras_tensor, set_floatx, conv2d_transpose,
depthwise / separable conv2d, pool2d, resize_images, rnn, moving_average_update, gradients),
local_conv, normalize_batch_in_training, focal crossentropies), activations (gelu, swish, mish,
softsign, exponential), focal losses and Reduction, mixed_precision (policies on layers,
LossScaleOptimizer), the layers Identity / UnitNormalization / GroupNormalization / EinsumDense /
LocallyConnected1D / 2D / SpectralNormalization and the bases Wrapper / AbstractRNNCell, utils
(to_ordinal, get_source_inputs, serialization), initializers / regularizers serialization,
OrthogonalRegularizer and the legacy Ftrl. The metric classes: tests/test_keras13_metrics.py.

Gradients are checked against tf_keras' (d sum(y * w) / d x for the stored w) and, for the new
elementwise ops, against float64 finite differences.
"""
import json
import os
import warnings

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.autograd import Tensor
from tfhelpers import assert_grad_close, numeric_grad

K = keras.backend
DATA = os.path.join(os.path.dirname(__file__), "data")
REF = np.load(os.path.join(DATA, "keras13_refs.npz"))
META = json.load(open(os.path.join(DATA, "keras13_refs.json")))


def _np(t):
    return np.asarray(t.numpy() if hasattr(t, "numpy") else t)


def check(key, fn, names, atol=2e-5, rtol=2e-5, gatol=None):
    """fn(*Tensors of REF[key/name]) against REF[key/y], and its input gradients against
    REF[key/g<i>] (d sum(y * w) / d input)."""
    xs = [Tensor(REF[f"{key}/{n}"].copy(), requires_grad=True) for n in names]
    y = fn(*xs)
    np.testing.assert_allclose(_np(y), REF[key + "/y"], rtol=rtol, atol=atol, err_msg=key)
    if key + "/w" not in REF:
        return
    (y * REF[key + "/w"]).sum().backward()
    for i, x in enumerate(xs):
        g = REF[f"{key}/g{i}"]
        np.testing.assert_allclose(_np(x.grad), g, rtol=rtol * 10, atol=gatol or atol * 10,
                                   err_msg=f"{key} gradient of input {i}")


# ---- activations ------------------------------------------------------------------------------
@pytest.mark.parametrize("name,fn", [
    ("gelu", lambda x: keras.activations.gelu(x)),
    ("gelu_approx", lambda x: keras.activations.gelu(x, approximate=True)),
    ("swish", keras.activations.swish), ("mish", keras.activations.mish),
    ("softsign", keras.activations.softsign), ("exponential", keras.activations.exponential)])
def test_activation_values_and_gradients(name, fn):
    check("act/" + name, fn, ["x"], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", ["gelu", "swish", "mish", "softsign", "exponential"])
def test_activation_gradients_match_finite_differences(name):
    fn = getattr(keras.activations, name)
    x = np.random.default_rng(5).uniform(-3, 3, size=(2, 5))
    for approximate in ((False, True) if name == "gelu" else (False,)):
        kw = {"approximate": True} if approximate else {}
        t = Tensor(x.copy(), requires_grad=True)  # float64 through the op
        fn(t, **kw).sum().backward()
        num = numeric_grad(lambda: float(_np(fn(Tensor(x), **kw)).sum()), x)
        assert_grad_close(t.grad, num, rtol=1e-6, atol=1e-7, what=name)


def test_activations_resolve_serialize_and_save(tmp_path):
    for name, expected in META["act_serialize"].items():
        fn = keras.activations.get(name)
        assert keras.activations.serialize(fn) == expected
        assert keras.activations.deserialize(expected) is fn
    assert keras.activations.get("silu") is keras.activations.swish
    assert keras.activations.deserialize({"class_name": "gelu", "config": None}) is \
        keras.activations.gelu
    with pytest.raises(ValueError, match="unknown activation 'nope'"):
        keras.activations.get("nope")
    with pytest.raises(TypeError, match="gelu: x must be a float"):
        keras.activations.gelu(np.array([1, 2], np.int32))
    m = keras.Sequential([keras.layers.Dense(4, activation="gelu", input_shape=(3,)),
                          keras.layers.Dense(3, activation="swish"),
                          keras.layers.Activation("mish"), keras.layers.Dense(2, "softsign")])
    x = np.random.default_rng(0).normal(size=(5, 3)).astype(np.float32)
    y = m.predict(x, verbose=0)
    assert m.layers[0].get_config()["activation"] == "gelu"
    for fname in ("m.h5", "m.keras"):
        m.save(str(tmp_path / fname))
        m2 = keras.models.load_model(str(tmp_path / fname))
        assert m2.layers[1].activation is keras.activations.swish
        np.testing.assert_array_equal(m2.predict(x, verbose=0), y)


# ---- backend image functions ------------------------------------------------------------------
@pytest.mark.parametrize("case", ["valid_1", "same_2", "valid_2"])
def test_conv2d_transpose(case):
    key = "conv2d_transpose/" + case
    m = META[key]
    check(key, lambda x, k: K.conv2d_transpose(x, k, tuple(m["output_shape"]),
                                                tuple(m["strides"]), m["padding"]),
          ["x", "k"], atol=1e-4)


@pytest.mark.parametrize("pad,st", [("valid", (1, 1)), ("same", (2, 2))])
def test_depthwise_and_separable_conv2d(pad, st):
    check(f"depthwise_conv2d/{pad}", lambda x, k: K.depthwise_conv2d(x, k, st, pad), ["x", "k"],
          atol=1e-4)
    check(f"separable_conv2d/{pad}", lambda x, k, p: K.separable_conv2d(x, k, p, st, pad),
          ["x", "k", "p"], atol=1e-4)


def test_depthwise_conv2d_channels_first():
    check("depthwise_conv2d/channels_first",
          lambda x, k: K.depthwise_conv2d(x, k, (1, 1), "same", "channels_first"), ["x", "k"],
          atol=1e-4)


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool2d(mode):
    for pad in ("valid", "same"):  # K.pool2d's strides default to (1, 1)
        check(f"pool2d/{mode}_{pad}", lambda x: K.pool2d(x, (2, 3), padding=pad, pool_mode=mode),
              ["x"])
    check(f"pool2d/{mode}_strided", lambda x: K.pool2d(x, (2, 2), (2, 2), "same",
                                                         pool_mode=mode), ["x"])


@pytest.mark.parametrize("interp", ["nearest", "bilinear"])
def test_resize_images(interp):
    check(f"resize_images/{interp}",
          lambda x: K.resize_images(x, 2, 3, "channels_last", interp), ["x"])


def test_image_function_errors_name_op_and_shapes():
    x = np.zeros((1, 4, 4, 3), np.float32)
    with pytest.raises(ValueError, match=r"conv2d_transpose: x has 3 channels, the kernel "
                                         r"\(3, 3, 2, 5\) expects 5"):
        K.conv2d_transpose(x, np.zeros((3, 3, 2, 5), np.float32), (1, 6, 6, 2))
    with pytest.raises(ValueError, match=r"depthwise_conv2d: depthwise_kernel must be 4-D"):
        K.depthwise_conv2d(x, np.zeros((3, 3, 3), np.float32))
    with pytest.raises(ValueError, match=r"separable_conv2d: pointwise_kernel must be "
                                         r"\(1, 1, 6, F\)"):
        K.separable_conv2d(x, np.zeros((3, 3, 3, 2), np.float32), np.zeros((1, 1, 5, 2),
                                                                             np.float32))
    with pytest.raises(ValueError, match="pool2d: pool_mode must be 'max' or 'avg'"):
        K.pool2d(x, 2, pool_mode="sum")
    with pytest.raises(ValueError, match=r"resize_images: x must be 4-D .* got shape \(4, 3\)"):
        K.resize_images(np.zeros((4, 3), np.float32), 2, 2, "channels_last")


# ---- K.rnn --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["plain", "backwards", "mask", "mask_zero", "unroll"])
def test_rnn_outputs_states_and_gradients(name):
    kw = {"plain": {}, "backwards": {"go_backwards": True}, "unroll": {"unroll": True},
          "mask": {"mask": REF["rnn/mask/mask"] > 0},
          "mask_zero": {"mask": REF["rnn/mask_zero/mask"] > 0, "zero_output_for_mask": True}}[name]

    def run(x, W, U, h0):
        def step(xt, states):
            h = K.tanh(K.dot(xt, W) + K.dot(states[0], U))
            return h, [h]
        last, outs, states = K.rnn(step, x, [h0], input_length=5, **kw)
        assert tuple(outs.shape) == (3, 5, 6) and len(states) == 1
        return K.concatenate([K.reshape(outs, (3, -1)), last, states[0]], axis=1)
    check("rnn/" + name, run, ["x", "W", "U", "h0"], atol=2e-6)


def test_rnn_time_major_and_errors():
    x = np.random.default_rng(1).normal(size=(4, 2, 3)).astype(np.float32)  # (T, B, F)

    def step(xt, states):
        return xt + states[0], [xt + states[0]]
    last, outs, (s,) = K.rnn(step, x, [np.zeros((2, 3), np.float32)], time_major=True)
    np.testing.assert_allclose(_np(outs), np.cumsum(x, axis=0), rtol=1e-6)
    np.testing.assert_allclose(_np(last), x.sum(0), rtol=1e-6)
    with pytest.raises(ValueError, match=r"rnn: inputs must be at least 3-D .* got shape \(2, 3\)"):
        K.rnn(step, np.zeros((2, 3), np.float32), [np.zeros((2, 3), np.float32)])
    with pytest.raises(ValueError, match=r"rnn: mask must be \(batch, time\) = \(4, 2\)"):
        K.rnn(step, np.zeros((4, 2, 3), np.float32), [np.zeros((4, 3), np.float32)],
              mask=np.ones((4, 3), bool))
    with pytest.raises(ValueError, match="rnn: step_function returned 2 states, "
                                         "initial_states has 1"):
        K.rnn(lambda xt, st: (xt, [xt, xt]), np.zeros((2, 2, 3), np.float32),
              [np.zeros((2, 3), np.float32)])


# ---- graph functions ---------------------------------------------------------------------------
def _faq_model():
    model = keras.Sequential([keras.layers.Dense(5, activation="relu", input_shape=(4,)),
                              keras.layers.Dropout(0.5), keras.layers.Dense(3, activation="gelu"),
                              keras.layers.Dense(2)])
    model.set_weights([REF[f"function/w{i}"] for i in range(6)])
    return model


def test_function_runs_the_graph_to_an_intermediate_output():
    model = _faq_model()
    get_3rd = K.function([model.layers[0].input], [model.layers[2].output])
    out = get_3rd([REF["function/x"]])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], np.ndarray)
    np.testing.assert_allclose(out[0], REF["function/y"], rtol=1e-5, atol=1e-6)
    both = K.function(model.inputs, [model.layers[0].output, model.layers[3].output])
    a, b = both([REF["function/x"]])
    assert a.shape == (6, 5) and b.shape == (6, 2)
    np.testing.assert_allclose(b, model.predict(REF["function/x"], verbose=0), rtol=1e-6)
    single = K.function(model.layers[0].input, model.layers[3].output)
    assert isinstance(single(REF["function/x"]), np.ndarray)
    # tf_keras refuses any updates; here an optimizer's step or (variable, tensor) pairs run
    # (Note [K.function updates]), anything else is a TypeError
    with pytest.raises(TypeError, match="function: updates must be what an optimizer's"):
        K.function(model.inputs, model.outputs, updates=[1])
    with pytest.raises(TypeError, match="function: inputs must be symbolic tensors"):
        K.function([np.zeros((1, 4))], model.outputs)
    with pytest.raises(ValueError, match=r"function: expected 1 input array\(s\), got 2"):
        single([REF["function/x"], REF["function/x"]])


def test_function_from_an_intermediate_tensor():
    """Inputs that are layers' outputs (tf_keras 2's Functional clones the graph from them)."""
    model = _faq_model()
    f = K.function([model.layers[2].input], [model.layers[3].output])
    out = f([REF["function_sub/x"]])
    np.testing.assert_allclose(out[0], REF["function_sub/y"], rtol=1e-5, atol=1e-6)
    g = K.function(model.layers[2].input, model.layers[3].output)
    np.testing.assert_allclose(g(REF["function_sub/x"]), REF["function_sub/y"], rtol=1e-5,
                               atol=1e-6)
    with pytest.raises(ValueError, match="Graph disconnected"):
        K.function([model.layers[3].input], [model.layers[1].output])
    with pytest.raises(ValueError, match=r"expected shape=\(None, 5\), found shape=\(2, 4\)"):
        f([np.zeros((2, 4), np.float32)])


def test_placeholder_and_is_keras_tensor():
    p = K.placeholder(shape=(None, 4))
    assert K.is_keras_tensor(p) and tuple(p.shape) == (None, 4) and p.dtype == np.float32
    assert tuple(K.placeholder(ndim=3).shape) == (None, None, None)
    y = keras.layers.Dense(2)(p)
    assert K.is_keras_tensor(y)
    f = K.function([p], [y])
    assert f([np.ones((3, 4), np.float32)])[0].shape == (3, 2)
    assert K.is_keras_tensor(tf.constant([1.0])) is False
    with pytest.raises(ValueError, match="is_keras_tensor: unexpectedly found an instance"):
        K.is_keras_tensor(np.ones(2))
    with pytest.raises(ValueError, match="placeholder: give shape or ndim"):
        K.placeholder()


def test_gradients_raises_as_tensorflow_2_in_eager_mode():
    with pytest.raises(RuntimeError) as e:
        K.gradients(tf.constant(1.0), [K.variable(1.0)])
    assert str(e.value) == META["errors"]["gradients"]


def test_moving_average_update_and_set_floatx():
    v = K.variable(np.array([1.0, 2.0, -3.0], np.float32))
    assert K.moving_average_update(v, np.array([0.5, 0.0, 1.0], np.float32), 0.9) is v
    np.testing.assert_allclose(_np(v), REF["moving_average_update/y"], rtol=1e-6)
    with pytest.raises(ValueError, match="moving_average_update: value of shape"):
        K.moving_average_update(v, np.zeros(2, np.float32), 0.9)
    try:
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            K.set_floatx("float64")
        assert K.floatx() == "float64"
        assert K.variable(1.0).dtype == np.float64
        K.set_floatx("float32")
        assert K.floatx() == "float32" and K.variable(1.0).dtype == np.float32
        for value in ("bfloat16", "int32"):
            with pytest.raises(ValueError, match="Unknown `floatx` value"):
                K.set_floatx(value)
            assert "Unknown `floatx` value" in META["errors"]["set_floatx_" + value]
        with pytest.raises(ValueError, match="'float16' is not supported by tensorforge"):
            K.set_floatx("float16")
    finally:
        K.set_floatx("float32")


# ---- losses and metrics ------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["bfce", "bfce_balanced", "bfce_logits", "cfce", "cfce_logits"])
def test_focal_losses(case):
    fn = (keras.losses.binary_focal_crossentropy if case.startswith("b")
          else keras.losses.categorical_focal_crossentropy)
    kw = META["loss/" + case]
    yt = REF[f"loss/{case}/y_true"]
    check("loss/" + case, lambda p: fn(yt, p, **kw), ["y_pred"], atol=1e-5, rtol=1e-5)
    metric = getattr(keras.metrics, fn.__name__)
    np.testing.assert_allclose(_np(metric(yt, REF[f"loss/{case}/y_pred"], **kw)),
                               REF[f"loss/{case}/y"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("red", ["none", "sum", "sum_over_batch_size", "auto"])
def test_loss_reduction(red):
    sw = REF["loss_class/sw"]
    yb, pb = REF["loss/bfce/y_true"], REF["loss/bfce/y_pred"]
    yc, pc = REF["loss/cfce/y_true"], REF["loss/cfce/y_pred"]
    R = keras.losses.Reduction
    assert list(R.all()) == META["reduction_all"]
    assert red in R.all()
    for name, cls, y, p in [("bfce", keras.losses.BinaryFocalCrossentropy, yb, pb),
                            ("cfce", keras.losses.CategoricalFocalCrossentropy, yc, pc),
                            ("mse", keras.losses.MeanSquaredError, yb, pb)]:
        got = cls(reduction=red)(y, p, sample_weight=sw)
        np.testing.assert_allclose(_np(got), REF[f"loss_class/{name}_{red}"], rtol=1e-5,
                                   atol=1e-6, err_msg=f"{name} {red}")
    with pytest.raises(ValueError, match="Invalid Reduction Key"):
        R.validate("mean")


def test_focal_loss_classes_config_and_compile():
    loss = keras.losses.BinaryFocalCrossentropy(apply_class_balancing=True, gamma=1.0)
    cfg = keras.losses.serialize(loss)
    assert cfg["class_name"] == "BinaryFocalCrossentropy"
    again = keras.losses.deserialize(cfg)
    assert again.get_config() == loss.get_config()
    assert keras.losses.get("categorical_focal_crossentropy") is \
        keras.losses.categorical_focal_crossentropy
    m = keras.Sequential([keras.layers.Dense(3, activation="sigmoid", input_shape=(4,))])
    m.compile("sgd", loss=keras.losses.BinaryFocalCrossentropy(),
              metrics=["binary_focal_crossentropy"])
    x = np.random.default_rng(2).normal(size=(8, 4)).astype(np.float32)
    y = (x[:, :3] > 0).astype(np.float32)
    h = m.fit(x, y, epochs=2, verbose=0)
    assert np.isfinite(h.history["loss"]).all() and h.history["loss"][1] < h.history["loss"][0]


# ---- mixed precision -----------------------------------------------------------------------------
def test_mixed_precision_policies():
    mp = keras.mixed_precision
    assert mp.global_policy().name == "float32"
    try:
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            mp.set_global_policy("mixed_float16")
            mp.Policy("mixed_float16")
        # said once per process (the first construction may have happened in another test)
        assert len([x for x in w if "float32" in str(x.message)]) <= 1
        p = mp.global_policy()
        assert p.name == "mixed_float16" and repr(p) == '<Policy "mixed_float16">'
        assert p.compute_dtype == "float32" and p.variable_dtype == "float32"  # never float16
        assert mp.Policy.from_config(p.get_config()) == p
        for bad in ("float16", "bfloat16"):
            with pytest.raises(ValueError, match=f"{bad!r} is not supported by tensorforge"):
                mp.set_global_policy(bad)
        p64 = mp.Policy("float64")  # computes in float64 (tests/test_float64.py)
        assert p64.compute_dtype == p64.variable_dtype == "float64"
        with pytest.raises(ValueError, match="cannot convert value 'xx'"):
            mp.Policy("xx")
    finally:
        mp.set_global_policy("float32")
    assert mp.global_policy() == mp.Policy("float32")


# ---- layers -----------------------------------------------------------------------------------
LAYERS = {
    "unit_norm": lambda: keras.layers.UnitNormalization(),
    "unit_norm_axes": lambda: keras.layers.UnitNormalization(axis=[1, 2]),
    "group_norm": lambda: keras.layers.GroupNormalization(groups=2),
    "group_norm_axis1": lambda: keras.layers.GroupNormalization(groups=3, axis=1, epsilon=1e-2),
    "einsum_ab": lambda: keras.layers.EinsumDense("ab,bc->ac", output_shape=5, bias_axes="c"),
    "einsum_seq": lambda: keras.layers.EinsumDense("abc,cd->abd", output_shape=(None, 6),
                                                   bias_axes="d", activation="relu"),
    "einsum_heads": lambda: keras.layers.EinsumDense("abc,cde->abde", output_shape=(None, 2, 3),
                                                     bias_axes="de"),
    "einsum_ellipsis": lambda: keras.layers.EinsumDense("...b,bc->...c", output_shape=5,
                                                        bias_axes="c"),
    "einsum_right": lambda: keras.layers.EinsumDense("ab...,bc->ac...", output_shape=5),
    "lc1d": lambda: keras.layers.LocallyConnected1D(3, 2, strides=2, activation="tanh"),
    "lc2d": lambda: keras.layers.LocallyConnected2D(3, (2, 3)),
    "lc2d_cf": lambda: keras.layers.LocallyConnected2D(2, 2, strides=(2, 1),
                                                       data_format="channels_first"),
}


@pytest.mark.parametrize("key", sorted(LAYERS))
def test_layer_values_gradients_config_and_save(key, tmp_path):
    layer = LAYERS[key]()
    x = REF[f"layer/{key}/x"]
    layer.build(x.shape)
    weights = [REF[f"layer/{key}/w{i}"] for i in range(len(layer.get_weights()))]
    assert [w.shape for w in layer.get_weights()] == [w.shape for w in weights]
    layer.set_weights(weights)
    check("layer/" + key, layer, ["x"], atol=2e-5, rtol=2e-5)
    meta = META["layer/" + key]
    got = list(layer.compute_output_shape(x.shape))
    # tf_keras declares None where an EinsumDense output_shape says None; the size is the input's
    assert len(got) == len(meta["output_shape"]) and all(
        e is None or g == e for g, e in zip(got, meta["output_shape"])), got
    cfg = layer.get_config()
    assert set(meta["config_keys"]) <= set(cfg), set(meta["config_keys"]) - set(cfg)
    inp = keras.Input(x.shape[1:])
    model = keras.Model(inp, type(layer).from_config(cfg)(inp))
    model.set_weights(weights)
    y = model.predict(x, verbose=0)
    np.testing.assert_allclose(y, REF[f"layer/{key}/y"], rtol=2e-5, atol=2e-5)
    for fname in ("m.h5", "m.keras"):
        model.save(str(tmp_path / fname))
        again = keras.models.load_model(str(tmp_path / fname))
        np.testing.assert_array_equal(again.predict(x, verbose=0), y)


def test_identity_layer():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    inp = keras.Input((3,))
    m = keras.Model(inp, keras.layers.Identity()(inp))
    np.testing.assert_array_equal(m.predict(x, verbose=0), x)
    cfg = keras.layers.serialize(keras.layers.Identity(name="idn"))
    assert keras.layers.deserialize(cfg).name == "idn"


def test_layer_argument_errors():
    with pytest.raises(ValueError, match=r"number of groups \(3\) must be a multiple"):
        keras.layers.GroupNormalization(3)(np.zeros((1, 4), np.float32))
    with pytest.raises(ValueError, match=r"number of groups \(8\) cannot be more"):
        keras.layers.GroupNormalization(8)(np.zeros((1, 4), np.float32))
    with pytest.raises(ValueError, match="invalid einsum equation 'ab->b'"):
        keras.layers.EinsumDense("ab->b", 3)(np.zeros((1, 4), np.float32))
    with pytest.raises(ValueError, match="bias dimension 'z' was requested"):
        keras.layers.EinsumDense("ab,bc->ac", 3, bias_axes="z")(np.zeros((1, 4), np.float32))
    with pytest.raises(ValueError, match="LocallyConnected2D: only padding 'valid'"):
        keras.layers.LocallyConnected2D(2, 3, padding="same")
    with pytest.raises(NotImplementedError, match="only implementation=1"):
        keras.layers.LocallyConnected1D(2, 3, implementation=2)
    with pytest.raises(ValueError, match=r"kernel_size \(5,\) is larger than the input"):
        keras.layers.LocallyConnected1D(2, 5)(np.zeros((1, 3, 2), np.float32))


def test_new_layers_train():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(16, 6, 4)).astype(np.float32)
    y = rng.normal(size=(16, 1)).astype(np.float32)
    m = keras.Sequential([keras.layers.LocallyConnected1D(4, 2, input_shape=(6, 4)),
                          keras.layers.GroupNormalization(2),
                          keras.layers.EinsumDense("abc,cd->abd", (None, 3), bias_axes="d"),
                          keras.layers.UnitNormalization(), keras.layers.Flatten(),
                          keras.layers.Dense(1)])
    m.compile(keras.optimizers.Adam(0.01), "mse")
    h = m.fit(x, y, epochs=5, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]


# ---- utils, initializers, regularizers -----------------------------------------------------------
def test_to_ordinal():
    np.testing.assert_array_equal(keras.utils.to_ordinal(np.array([[0], [2], [1], [3]]),
                                                         num_classes=5), REF["to_ordinal/y"])
    np.testing.assert_array_equal(keras.utils.to_ordinal(np.array([0, 2, 1])),
                                  REF["to_ordinal/y_auto"])
    with pytest.raises(ValueError, match=r"to_ordinal: class index 4 out of range"):
        keras.utils.to_ordinal([4], num_classes=3)


def test_get_source_inputs():
    a, b = keras.Input((3,)), keras.Input((2,))
    h = keras.layers.Dense(4)(a)
    out = keras.layers.Concatenate()([h, keras.layers.Dense(4)(b), h])
    src = keras.utils.get_source_inputs(out)
    assert len(src) == 2 and src[0] is a and src[1] is b
    assert keras.utils.get_source_inputs(a) == [a]


def test_serialize_keras_object_round_trips():
    u = keras.utils
    layer = keras.layers.Dense(3, activation="gelu",
                               kernel_regularizer=keras.regularizers.OrthogonalRegularizer(0.2),
                               name="d")
    cfg = u.serialize_keras_object(layer)
    assert cfg["module"] == "keras.layers" and cfg["class_name"] == "Dense"
    again = u.deserialize_keras_object(cfg)
    assert isinstance(again, keras.layers.Dense) and again.units == 3
    assert again.activation is keras.activations.gelu
    assert again.kernel_regularizer.get_config() == {"factor": 0.2, "mode": "rows"}
    init = u.deserialize_keras_object(u.serialize_keras_object(
        keras.initializers.HeNormal(seed=3)))
    assert isinstance(init, keras.initializers.HeNormal) and init.get_config()["seed"] == 3
    fcfg = u.serialize_keras_object(keras.activations.relu)
    assert fcfg["class_name"] == "function" and fcfg["config"] == "relu"
    assert u.deserialize_keras_object(fcfg) is keras.activations.relu
    loss = u.deserialize_keras_object(u.serialize_keras_object(keras.losses.Huber(delta=2.0)))
    assert loss.get_config()["delta"] == 2.0

    @u.register_keras_serializable("k13")
    class Scale(keras.layers.Layer):
        def __init__(self, k=2.0, **kw):
            super().__init__(**kw)
            self.k = k

        def call(self, x):
            return x * self.k

        def get_config(self):
            return dict(super().get_config(), k=self.k)
    assert u.get_registered_name(Scale) == "k13>Scale"
    assert u.get_registered_object("k13>Scale") is Scale
    s = u.deserialize_keras_object(u.serialize_keras_object(Scale(3.0)))
    assert isinstance(s, Scale) and s.k == 3.0
    assert u.get_registered_object("nothing_here") is None
    with u.CustomObjectScope({"my_thing": Scale}):
        assert u.get_registered_object("my_thing") is Scale
    assert u.get_registered_object("my_thing") is None


def test_initializer_and_regularizer_serialization():
    assert keras.initializers.variance_scaling is keras.initializers.VarianceScaling
    cfg = keras.initializers.serialize(keras.initializers.GlorotUniform(seed=1))
    assert cfg == {"module": "keras.initializers", "class_name": "GlorotUniform",
                   "config": {"seed": 1}, "registered_name": None}
    init = keras.initializers.deserialize(cfg)
    assert isinstance(init, keras.initializers.GlorotUniform)
    assert isinstance(keras.initializers.get(cfg), keras.initializers.GlorotUniform)
    rcfg = keras.regularizers.serialize(keras.regularizers.OrthogonalRegularizer(0.1, "columns"))
    assert rcfg["class_name"] == "OrthogonalRegularizer" and rcfg["module"] == "keras.regularizers"
    r = keras.regularizers.deserialize(rcfg)
    assert r.mode == "columns" and r.factor == pytest.approx(0.1)
    assert isinstance(keras.regularizers.get(keras.regularizers.serialize(
        keras.regularizers.L2(0.3))), keras.regularizers.L2)
    with pytest.raises(ValueError, match="unknown regularizer 'Nope'"):
        keras.regularizers.deserialize({"class_name": "Nope", "config": {}})


@pytest.mark.parametrize("mode", ["rows", "columns"])
def test_orthogonal_regularizer(mode):
    w = Tensor(REF["orthogonal/w"].copy(), requires_grad=True)
    v = keras.regularizers.OrthogonalRegularizer(0.1, mode)(w)
    np.testing.assert_allclose(_np(v), REF[f"orthogonal/{mode}"], rtol=1e-5)
    v.backward()
    x = REF["orthogonal/w"].astype(np.float64)
    num = numeric_grad(lambda: float(_np(keras.regularizers.OrthogonalRegularizer(
        0.1, mode)(Tensor(x)))), x)
    assert_grad_close(w.grad, num, rtol=1e-3, atol=1e-4, what="orthogonal")
    with pytest.raises(ValueError, match=r"OrthogonalRegularizer: inputs must be 2-D, got shape"):
        keras.regularizers.OrthogonalRegularizer()(np.zeros((2, 2, 2), np.float32))


# ---- Ftrl ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", ["default", "l1l2", "shrink_beta"])
def test_ftrl_matches_legacy_ftrl(case):
    opt = keras.optimizers.Ftrl(learning_rate=0.05, **META["ftrl"][case])
    v = K.variable(REF["ftrl/p0"])
    for i in range(4):
        opt.apply_gradients([(REF[f"ftrl/g{i}"], v)])
    np.testing.assert_allclose(_np(v), REF[f"ftrl/{case}"], rtol=1e-5, atol=1e-6)
    again = keras.optimizers.deserialize(keras.optimizers.serialize(opt))
    assert type(again).__name__ == "Ftrl" and again.get_config() == opt.get_config()


@pytest.mark.parametrize("case", ["default", "wd_betas"])
def test_lion_matches_tf_keras(case):
    opt = keras.optimizers.Lion(learning_rate=0.05, **META["lion"][case])
    v = K.variable(REF["ftrl/p0"])
    for i in range(4):
        opt.apply_gradients([(REF[f"ftrl/g{i}"], v)])
    np.testing.assert_allclose(_np(v), REF[f"lion/{case}"], rtol=1e-5, atol=1e-6)
    again = keras.optimizers.deserialize(keras.optimizers.serialize(opt))
    assert type(again).__name__ == "Lion" and again.get_config() == opt.get_config()
    assert type(keras.optimizers.get("lion")).__name__ == "Lion"
    with pytest.raises(ValueError, match="degenerates to SignSGD"):
        keras.optimizers.Lion(beta_1=0.0)


def test_ftrl_names_and_errors():
    assert keras.optimizers.legacy.Ftrl is keras.optimizers.Ftrl
    assert type(keras.optimizers.get("ftrl")).__name__ == "Ftrl"
    with pytest.raises(ValueError, match=r"Ftrl: learning_rate_power must be a finite number"):
        keras.optimizers.Ftrl(learning_rate_power=0.5)
    with pytest.raises(ValueError, match=r"Ftrl: l1_regularization_strength must be"):
        keras.optimizers.Ftrl(l1_regularization_strength=-1)


def test_image_functions_on_each_isa(isa):
    """The native conv / pool kernels under the backend functions, on every ISA path."""
    test_conv2d_transpose("same_2")
    test_depthwise_and_separable_conv2d("same", (2, 2))
    test_pool2d("max")
    test_pool2d("avg")
    test_resize_images("bilinear")


def test_backend_focal_crossentropies():
    yb = REF["K_bfce/y_true"]
    check("K_bfce", lambda p: K.binary_focal_crossentropy(yb, p, True, 0.3, 1.5), ["y_pred"],
          atol=1e-5, rtol=1e-5)
    yc = REF["K_cfce/y_true"]
    check("K_cfce", lambda z: K.categorical_focal_crossentropy(yc, z, 0.5, 2.5, True),
          ["y_pred"], atol=1e-5, rtol=1e-5)


def test_local_conv_backend_functions():
    """K.local_conv2d / local_conv1d are the LocallyConnected layers without their bias."""
    for key, layer in (("lc2d", keras.layers.LocallyConnected2D(3, (2, 3))),
                       ("lc2d_cf", keras.layers.LocallyConnected2D(
                           2, 2, strides=(2, 1), data_format="channels_first"))):
        x = REF[f"layer/{key}/x"]
        kernel, bias = REF[f"layer/{key}/w0"], REF[f"layer/{key}/w1"]
        layer.build(x.shape)
        layer.set_weights([kernel, np.zeros_like(bias)])
        got = K.local_conv2d(x, kernel, layer.kernel_size, layer.strides, layer._out,
                             layer.data_format)
        np.testing.assert_allclose(_np(got), _np(layer(x)), rtol=1e-6, atol=1e-6)
        if key == "lc2d":
            np.testing.assert_allclose(_np(got) + bias, REF[f"layer/{key}/y"], rtol=2e-5,
                                       atol=2e-5)
    x1, k1 = REF["layer/lc1d/x"], REF["layer/lc1d/w0"]
    y1 = np.tanh(_np(K.local_conv1d(x1, k1, (2,), (2,))) + REF["layer/lc1d/w1"])
    np.testing.assert_allclose(y1, REF["layer/lc1d/y"], rtol=2e-5, atol=2e-5)
    with pytest.raises(ValueError, match=r"local_conv: kernel \(3, 8, 3\) has 3 positions, "
                                         r"output_shape \(2,\) has 2"):
        K.local_conv(x1, k1, (2,), (2,), (2,))


def test_layers_under_a_mixed_policy_compute_in_float32(tmp_path):
    """A tf_keras 2 model saved under mixed_float16 loads with its policies and computes in
    float32: tf_keras' own float32 run of the same weights, within float16's rounding of its
    float16 run."""
    mp = keras.mixed_precision
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = keras.models.load_model(os.path.join(DATA, "keras13_mixed_float16.h5"))
        assert [str(layer.dtype_policy) for layer in m.layers] == META["mixed_policies"]
        assert all(layer.compute_dtype == "float32" for layer in m.layers)
        y = m.predict(REF["mixed/x"], verbose=0)
        np.testing.assert_allclose(y, REF["mixed/y_float32"], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(y, REF["mixed/y_float16"], atol=5e-3)
        try:  # the guide's program: a global mixed policy, a float32 output layer
            mp.set_global_policy("mixed_float16")
            inp = keras.Input((6,))
            dense = keras.layers.Dense(3)
            out = keras.layers.Activation("softmax", dtype="float32")(dense(inp))
            model = keras.Model(inp, out)
            assert str(dense.dtype_policy) == '<Policy "mixed_float16">'
            assert model.layers[-1].dtype_policy.name == "float32"
            assert dense.get_config()["dtype"]["config"]["name"] == "mixed_float16"
            model.save(str(tmp_path / "m.keras"))
            again = keras.models.load_model(str(tmp_path / "m.keras"))
            assert [layer.dtype_policy.name for layer in again.layers[1:]] == \
                ["mixed_float16", "float32"]
        finally:
            mp.set_global_policy("float32")
        assert keras.layers.Dense(2).dtype_policy.name == "float32"


def test_loss_scale_optimizer_dynamic_scale_matches_tf_keras():
    mp = keras.mixed_precision
    opt = mp.LossScaleOptimizer(keras.optimizers.SGD(0.1), dynamic_growth_steps=2)
    v = K.variable(REF["ftrl/p0"])
    grads = [REF["ftrl/g0"], np.full_like(REF["ftrl/g1"], np.inf), REF["ftrl/g2"],
             REF["ftrl/g3"], REF["ftrl/g0"]]
    scales = [opt.loss_scale]
    for i, g in enumerate(grads):
        opt.apply_gradients([(g, v)])
        scales.append(opt.loss_scale)
        np.testing.assert_allclose(_np(v), REF["lso/values"][i], rtol=1e-6, atol=1e-7)
    assert scales == META["lso_scales"]
    assert opt.iterations == META["lso_iterations"]


def test_loss_scale_optimizer_custom_loop_fit_and_save(tmp_path):
    mp = keras.mixed_precision
    opt = mp.LossScaleOptimizer(keras.optimizers.SGD(0.1))
    v = K.variable(np.array([1.0, 2.0], np.float32))
    with tf.GradientTape() as tape:  # the mixed precision guide's custom training step
        scaled = opt.get_scaled_loss(K.sum(v * v))
    (g,) = tape.gradient(scaled, [v])
    np.testing.assert_allclose(_np(g), np.array([2.0, 4.0]) * 2 ** 15)
    (ug,) = opt.get_unscaled_gradients([g])
    opt.apply_gradients(zip([ug], [v]))
    np.testing.assert_allclose(_np(v), [0.8, 1.6], rtol=1e-6)
    assert opt.learning_rate == pytest.approx(0.1) and opt.iterations == 1
    with pytest.raises(ValueError, match="initial_scale must be given when dynamic is False"):
        mp.LossScaleOptimizer(keras.optimizers.SGD(), dynamic=False)
    x = np.random.default_rng(3).normal(size=(16, 3)).astype(np.float32)
    y = x @ np.ones((3, 2), np.float32)
    m = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
    m.compile(mp.LossScaleOptimizer(keras.optimizers.Adam(0.05)), "mse")
    h = m.fit(x, y, epochs=4, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0] and m.optimizer.iterations == 4
    for fname in ("m.keras", "m.h5"):
        m.save(str(tmp_path / fname))
        again = keras.models.load_model(str(tmp_path / fname))
        assert type(again.optimizer).__name__ == "LossScaleOptimizer"
        assert type(again.optimizer.inner_optimizer).__name__ == "Adam"


@pytest.mark.parametrize("key", ["nhwc", "nhwc_none", "nchw", "seq"])
def test_normalize_batch_in_training(key):
    x = REF[f"nbt/{key}/x"]
    gamma = REF[f"nbt/{key}/gamma"] if f"nbt/{key}/gamma" in REF else None
    beta = REF[f"nbt/{key}/beta"] if f"nbt/{key}/beta" in REF else None
    y, mean, var = K.normalize_batch_in_training(x, gamma, beta, META["nbt/" + key])
    for name, got in (("y", y), ("mean", mean), ("var", var)):
        np.testing.assert_allclose(_np(got), REF[f"nbt/{key}/{name}"], rtol=1e-5, atol=1e-5,
                                   err_msg=f"{key} {name}")


def test_normalize_batch_in_training_gradient_and_errors():
    x = np.random.default_rng(8).normal(size=(3, 4, 2))
    g = np.random.default_rng(9).normal(size=2)
    t = Tensor(x.copy(), requires_grad=True)
    y, _, _ = K.normalize_batch_in_training(t, g, None, [0, 1])
    w = np.random.default_rng(10).normal(size=y.shape)
    (y * w).sum().backward()
    num = numeric_grad(lambda: float((_np(K.normalize_batch_in_training(
        Tensor(x), g, None, [0, 1])[0]) * w).sum()), x)
    assert_grad_close(t.grad, num, rtol=1e-6, atol=1e-7, what="normalize_batch_in_training")
    with pytest.raises(ValueError, match=r"normalize_batch_in_training: gamma \(3,\) does not "
                                         r"match the kept axes \(2,\)"):
        K.normalize_batch_in_training(x, np.ones(3), None, [0, 1])
    K.manual_variable_initialization(True)  # TF1 sessions' flag: variables still hold values
    try:
        assert float(_np(K.variable(2.0))) == 2.0
    finally:
        K.manual_variable_initialization(False)


class _MinimalRNNCell(keras.layers.AbstractRNNCell):
    """tf_keras' docstring cell, without output_size (its RNN finds the size by running)."""

    def __init__(self, units, **kwargs):
        self.units = units
        super().__init__(**kwargs)

    @property
    def state_size(self):
        return self.units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                name="recurrent_kernel")
        self.built = True

    def call(self, inputs, states):
        output = K.dot(inputs, self.kernel) + K.tanh(K.dot(states[0], self.recurrent_kernel))
        return output, output


def test_abstract_rnn_cell_subclass():
    x = keras.Input((None, 5))
    m = keras.Model(x, keras.layers.RNN(_MinimalRNNCell(4), return_sequences=True)(x))
    m.set_weights([REF["abstract_cell/w0"], REF["abstract_cell/w1"]])
    np.testing.assert_allclose(m.predict(REF["abstract_cell/x"], verbose=0),
                               REF["abstract_cell/y"], rtol=1e-5, atol=1e-6)
    cell = _MinimalRNNCell(3)
    s = cell.get_initial_state(batch_size=2)
    assert s.shape == (2, 3) and not s.any()
    with pytest.raises(NotImplementedError, match="define the state_size property"):
        keras.layers.AbstractRNNCell().state_size


class _Doubler(keras.layers.Wrapper):
    def call(self, x):
        return self.layer(x) * 2.0


def test_wrapper_subclass(tmp_path):
    inner = keras.layers.Dense(3)
    inp = keras.Input((4,))
    m = keras.Model(inp, _Doubler(inner)(inp))
    assert len(m.weights) == 2 and m.layers[1].layer is inner
    x = np.random.default_rng(11).normal(size=(5, 4)).astype(np.float32)
    np.testing.assert_allclose(m.predict(x, verbose=0), 2.0 * _np(inner(x)), rtol=1e-6)
    cfg = m.layers[1].get_config()
    assert cfg["layer"]["class_name"] == "Dense"
    m.save(str(tmp_path / "w.keras"))
    again = keras.models.load_model(str(tmp_path / "w.keras"),
                                    custom_objects={"_Doubler": _Doubler})
    np.testing.assert_array_equal(again.predict(x, verbose=0), m.predict(x, verbose=0))
    with pytest.raises(ValueError, match="initialize `Wrapper` layer with a Layer instance"):
        _Doubler("dense")


@pytest.mark.parametrize("key,make", [("dense", lambda: keras.layers.Dense(3)),
                                      ("conv", lambda: keras.layers.Conv2D(3, 2))])
def test_spectral_normalization(key, make, tmp_path):
    """tf_keras' power iteration (its 2.21 build needs tf_keras' InputSpec, see the tool)."""
    x = REF[f"sn/{key}/x"]
    sn = keras.layers.SpectralNormalization(make(), power_iterations=2)
    sn.build(x.shape)
    sn.layer.kernel.assign(REF[f"sn/{key}/kernel"])
    sn.layer.bias.assign(REF[f"sn/{key}/bias"])
    sn.vector_u.assign(REF[f"sn/{key}/vector_u"])
    for what, training in (("y_infer", False), ("y_train1", True), ("y_train2", True)):
        np.testing.assert_allclose(_np(sn(x, training=training)), REF[f"sn/{key}/{what}"],
                                   rtol=2e-5, atol=2e-5, err_msg=f"{key} {what}")
    np.testing.assert_allclose(_np(sn.vector_u), REF[f"sn/{key}/u_after"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(sn.layer.kernel), REF[f"sn/{key}/kernel_after"], rtol=1e-5,
                               atol=1e-6)
    inp = keras.Input(x.shape[1:])
    m = keras.Model(inp, keras.layers.SpectralNormalization(make())(inp))
    m.compile("adam", "mse")
    m.fit(x, np.zeros((x.shape[0],) + m.output_shape[1:], np.float32), epochs=1, verbose=0)
    m.save(str(tmp_path / "sn.keras"))
    again = keras.models.load_model(str(tmp_path / "sn.keras"))
    np.testing.assert_array_equal(again.predict(x, verbose=0), m.predict(x, verbose=0))
    with pytest.raises(ValueError, match="`power_iterations` should be greater than zero"):
        keras.layers.SpectralNormalization(make(), power_iterations=0)
    with pytest.raises(ValueError, match="has no attribute 'kernel' nor 'embeddings'"):
        keras.layers.SpectralNormalization(keras.layers.Flatten())(np.zeros((1, 2, 2)))
