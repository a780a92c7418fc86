"""The functional API: Input, symbolic layer calls (shapes at graph-build time, shape errors),
Model(inputs, outputs) with several inputs/outputs, shared layers, nesting, merge layers and
Lambda, summary text, config round trips, save/load, and training on graphs checked against
hand-computed NumPy.

Expected summary text, layer order, metrics_names and configs come from real Keras 2 (tf_keras
2.21), printed once by tools/keras_model_oracle.py and tools/keras_model_oracle2.py and pasted
here as literals."""
import json

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import layers as L
from tensorforge.models import Model, Sequential, load_model
from tensorforge.optimizers import SGD
from tensorforge.utils import set_random_seed


def _lines(model):
    out = []
    model.summary(print_fn=out.append)
    return out


def _two_io():
    a = L.Input(shape=(784,), name="image")
    b = L.Input(shape=(16,), name="aux")
    h = L.Dense(32, activation="relu", name="h_image")(a)
    h2 = L.Dense(32, name="h_aux")(b)
    c = L.concatenate([h, h2], name="merged")
    o1 = L.Dense(10, activation="softmax", name="main")(c)
    o2 = L.Dense(1, activation="sigmoid", name="side")(c)
    return Model([a, b], [o1, o2], name="two_io")


def _siamese():
    x1 = L.Input(shape=(8,), name="left")
    x2 = L.Input(shape=(8,), name="right")
    shared = L.Dense(4, activation="tanh", name="shared")
    d = L.Subtract(name="diff")([shared(x1), shared(x2)])
    return Model([x1, x2], L.Dense(1, name="score")(d), name="siamese")


# ---- Input and symbolic calls ------------------------------------------------------------------
def test_input_is_symbolic_with_keras_shape_and_names():
    assert tf.Input is L.Input
    x = L.Input(shape=(28, 28, 1), name="img")
    assert x.shape == (None, 28, 28, 1) and x.dtype == np.float32
    assert L.Input(5, batch_size=8).shape == (8, 5)
    a, b = L.Input((3,)), L.Input((3,))
    assert a.name.startswith("input_") and b.name.startswith("input_")
    assert int(b.name.split("_")[1]) == int(a.name.split("_")[1]) + 1  # input_1, input_2, ...
    with pytest.raises(ValueError, match="shape"):
        L.Input()


def test_layer_call_infers_output_shape_at_once():
    x = L.Input((28, 28, 1))
    y = L.Conv2D(20, 5, activation="relu")(x)
    assert y.shape == (None, 24, 24, 20)
    y = L.MaxPooling2D(2, strides=2, padding="same")(y)
    assert y.shape == (None, 12, 12, 20)
    assert L.Flatten()(y).shape == (None, 2880)
    seq = L.Input((7, 5))
    assert L.LSTM(4, return_sequences=True)(seq).shape == (None, 7, 4)
    outs = L.LSTM(4, return_state=True)(seq)
    assert [t.shape for t in outs] == [(None, 4)] * 3
    assert L.Lambda(lambda t: t[:, :2] * 2)(L.Input((5,))).shape == (None, 2)  # run once on zeros
    assert L.Lambda(lambda t: t, output_shape=(5,))(L.Input((5,))).shape == (None, 5)


def test_shape_mismatch_is_a_value_error_naming_layer_and_shapes():
    d = L.Dense(2, name="dd")
    d(L.Input((5,)))
    with pytest.raises(ValueError, match=r'layer "dd" is incompatible.*axis -1 of input shape '
                                         r'to have value 5.*\(None, 6\)'):
        d(L.Input((6,)))
    with pytest.raises(ValueError, match=r'layer "cc".*expected min_ndim=4, found ndim=2. Full '
                                         r'shape received: \(None, 5\)'):
        L.Conv2D(2, 3, name="cc")(L.Input((5,)))
    with pytest.raises(ValueError, match=r"Inputs have incompatible shapes. Received shapes "
                                         r"\(5,\) and \(6,\)"):
        L.Add()([L.Input((5,)), L.Input((6,))])
    with pytest.raises(ValueError, match=r"`Concatenate` layer requires inputs with matching "
                                         r"shapes except for the concatenation axis"):
        L.Concatenate()([L.Input((5, 2)), L.Input((6, 3))])
    with pytest.raises(ValueError, match="at least 1 input. Got 0 inputs"):
        L.Add()([])


def test_graph_disconnected_and_bad_inputs():
    a, b = L.Input((3,), name="ga"), L.Input((3,), name="gb")
    out = L.Add()([a, b])
    with pytest.raises(ValueError, match="Graph disconnected"):
        Model(a, out)
    with pytest.raises(TypeError, match="symbolic tensors"):
        Model(np.zeros((2, 3)), out)


# ---- graph structure and summaries (Keras 2 literals) -------------------------------------------
TWO_IO_SUMMARY = [
    'Model: "two_io"',
    "__________________________________________________________________________________________________",
    " Layer (type)                Output Shape                 Param #   Connected to                  ",
    "==================================================================================================",
    " image (InputLayer)          [(None, 784)]                0         []                            ",
    "                                                                                                  ",
    " aux (InputLayer)            [(None, 16)]                 0         []                            ",
    "                                                                                                  ",
    " h_image (Dense)             (None, 32)                   25120     ['image[0][0]']               ",
    "                                                                                                  ",
    " h_aux (Dense)               (None, 32)                   544       ['aux[0][0]']                 ",
    "                                                                                                  ",
    " merged (Concatenate)        (None, 64)                   0         ['h_image[0][0]',             ",
    "                                                                     'h_aux[0][0]']               ",
    "                                                                                                  ",
    " main (Dense)                (None, 10)                   650       ['merged[0][0]']              ",
    "                                                                                                  ",
    " side (Dense)                (None, 1)                    65        ['merged[0][0]']              ",
    "                                                                                                  ",
    "==================================================================================================",
    "Total params: 26379 (103.04 KB)",
    "Trainable params: 26379 (103.04 KB)",
    "Non-trainable params: 0 (0.00 Byte)",
    "__________________________________________________________________________________________________",
]

SIAMESE_SUMMARY = [
    'Model: "siamese"',
    "__________________________________________________________________________________________________",
    " Layer (type)                Output Shape                 Param #   Connected to                  ",
    "==================================================================================================",
    " left (InputLayer)           [(None, 8)]                  0         []                            ",
    "                                                                                                  ",
    " right (InputLayer)          [(None, 8)]                  0         []                            ",
    "                                                                                                  ",
    " shared (Dense)              (None, 4)                    36        ['left[0][0]',                ",
    "                                                                     'right[0][0]']               ",
    "                                                                                                  ",
    " diff (Subtract)             (None, 4)                    0         ['shared[0][0]',              ",
    "                                                                     'shared[1][0]']              ",
    "                                                                                                  ",
    " score (Dense)               (None, 1)                    5         ['diff[0][0]']                ",
    "                                                                                                  ",
    "==================================================================================================",
    "Total params: 41 (164.00 Byte)",
    "Trainable params: 41 (164.00 Byte)",
    "Non-trainable params: 0 (0.00 Byte)",
    "__________________________________________________________________________________________________",
]

NESTED_SUMMARY = [
    'Model: "nested"',
    "_________________________________________________________________",
    " Layer (type)                Output Shape              Param #   ",
    "=================================================================",
    " outer_in (InputLayer)       [(None, 4)]               0         ",
    "                                                                 ",
    " inner_seq (Sequential)      (None, 2)                 23        ",
    "                                                                 ",
    " head (Dense)                (None, 1)                 3         ",
    "                                                                 ",
    "=================================================================",
    "Total params: 26 (104.00 Byte)",
    "Trainable params: 26 (104.00 Byte)",
    "Non-trainable params: 0 (0.00 Byte)",
    "_________________________________________________________________",
]

OUTER_SEQ_SUMMARY = [
    'Model: "outer_seq"',
    "_________________________________________________________________",
    " Layer (type)                Output Shape              Param #   ",
    "=================================================================",
    " nested (Functional)         (None, 1)                 26        ",
    "                                                                 ",
    " after (Dense)               (None, 3)                 6         ",
    "                                                                 ",
    "=================================================================",
    "Total params: 32 (128.00 Byte)",
    "Trainable params: 32 (128.00 Byte)",
    "Non-trainable params: 0 (0.00 Byte)",
    "_________________________________________________________________",
]


def test_two_inputs_two_outputs_structure_and_summary():
    m = _two_io()
    assert [l.name for l in m.layers] == ["image", "aux", "h_image", "h_aux", "merged", "main", "side"]
    assert m.input_shape == [(None, 784), (None, 16)]
    assert m.output_shape == [(None, 10), (None, 1)]
    assert m.get_layer("merged").output_shape == (None, 64)
    assert m.get_layer(index=5).name == "main"
    assert len(m.inputs) == 2 and len(m.outputs) == 2
    assert _lines(m) == TWO_IO_SUMMARY
    with pytest.raises(ValueError, match="No such layer"):
        m.get_layer("nope")


def test_shared_layer_summary_and_weights_counted_once():
    m = _siamese()
    assert _lines(m) == SIAMESE_SUMMARY
    assert len(m.weights) == 4 and m.count_params() == 41
    shared = m.get_layer("shared")
    assert len(shared._inbound_nodes) == 2


def test_nesting_sequential_in_functional_and_functional_in_sequential():
    inner = Sequential([L.Dense(3, input_shape=(4,), name="s1"), L.Dense(2, name="s2")],
                       name="inner_seq")
    fi = L.Input((4,), name="outer_in")
    nest = Model(fi, L.Dense(1, name="head")(inner(fi)), name="nested")
    assert _lines(nest) == NESTED_SUMMARY
    outer = Sequential([nest, L.Dense(3, name="after")], name="outer_seq")
    assert _lines(outer) == OUTER_SEQ_SUMMARY
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    w = outer.get_weights()
    assert [a.shape for a in w] == [(4, 3), (3,), (3, 2), (2,), (2, 1), (1,), (1, 3), (3,)]
    h = x
    for k, b in zip(w[0::2], w[1::2]):
        h = h @ k + b
    np.testing.assert_allclose(outer.predict(x), h, rtol=1e-5, atol=1e-6)


def test_model_output_dict_and_input_dict():
    a = L.Input((3,), name="a")
    b = L.Input((3,), name="b")
    o = L.Dense(1, name="out")(L.concatenate([a, b]))
    m = Model({"a": a, "b": b}, {"out": o})
    m.compile("sgd", {"out": "mse"}, metrics=["mae"])
    assert m.metrics_names == []  # tf_keras 2: none before the first train / test call
    res = m.train_on_batch({"a": np.ones((2, 3)), "b": np.ones((2, 3))}, {"out": np.ones((2, 1))})
    assert m.metrics_names == ["loss", "mae"]           # Keras 2: a dict of one output
    assert len(res) == 2
    pred = m.predict({"a": np.ones((2, 3)), "b": np.zeros((2, 3))})
    assert isinstance(pred, dict) and pred["out"].shape == (2, 1)
    cfg = m.get_config()
    assert cfg["input_layers"] == {"a": ["a", 0, 0], "b": ["b", 0, 0]}
    assert cfg["output_layers"] == {"out": ["out", 0, 0]}


# ---- merge layers and Lambda -------------------------------------------------------------------
def test_merge_layers_values_and_gradients():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((4, 5)).astype(np.float32)
    b = rng.standard_normal((4, 5)).astype(np.float32)
    c = rng.standard_normal((4, 5)).astype(np.float32)
    cases = [(L.Add(), a + b + c), (L.Multiply(), a * b * c), (L.Average(), (a + b + c) / 3),
             (L.Maximum(), np.maximum(np.maximum(a, b), c)),
             (L.Minimum(), np.minimum(np.minimum(a, b), c)),
             (L.Concatenate(), np.concatenate([a, b, c], -1))]
    for layer, want in cases:
        np.testing.assert_allclose(layer([a, b, c]).numpy(), want, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(L.Subtract()([a, b]).numpy(), a - b, rtol=1e-6)
    np.testing.assert_allclose(L.Dot(axes=1)([a, b]).numpy(), (a * b).sum(1, keepdims=True),
                               rtol=1e-5)
    na = a / np.linalg.norm(a, axis=1, keepdims=True)
    nb = b / np.linalg.norm(b, axis=1, keepdims=True)
    np.testing.assert_allclose(L.Dot(axes=1, normalize=True)([a, b]).numpy(),
                               (na * nb).sum(1, keepdims=True), rtol=1e-5)
    x3 = rng.standard_normal((2, 3, 4)).astype(np.float32)
    y3 = rng.standard_normal((2, 6, 4)).astype(np.float32)
    z3 = rng.standard_normal((2, 4, 6)).astype(np.float32)
    np.testing.assert_allclose(L.Dot(axes=2)([x3, y3]).numpy(), x3 @ y3.transpose(0, 2, 1), rtol=1e-5)
    np.testing.assert_allclose(L.Dot(axes=(2, 1))([x3, z3]).numpy(), x3 @ z3, rtol=1e-5)
    # Keras 2 output shapes (tools/keras_model_oracle2.py)
    assert L.Dot(1)([L.Input((5,)), L.Input((5,))]).shape == (None, 1)
    assert L.Dot(2)([L.Input((3, 4)), L.Input((6, 4))]).shape == (None, 3, 6)
    assert L.Dot(1)([L.Input((3, 4)), L.Input((3, 6))]).shape == (None, 4, 6)
    assert L.Dot((2, 1))([L.Input((3, 4)), L.Input((4, 6))]).shape == (None, 3, 6)
    assert L.Add()([L.Input((1, 4)), L.Input((3, 4))]).shape == (None, 3, 4)
    # gradients: d/da sum(max(a, b)) = [a > b]; d/db sum(a - b) = -1
    ta, tb = tf.Tensor(a, requires_grad=True), tf.Tensor(b, requires_grad=True)
    L.Maximum()([ta, tb]).sum().backward()
    np.testing.assert_array_equal(ta.grad, (a > b).astype(np.float32))
    ta, tb = tf.Tensor(a, requires_grad=True), tf.Tensor(b, requires_grad=True)
    L.Dot(axes=1)([ta, tb]).sum().backward()
    np.testing.assert_allclose(ta.grad, b, rtol=1e-6)


def test_function_forms_and_lambda_in_a_model():
    a, b = L.Input((4,)), L.Input((4,))
    s = L.add([a, b])
    m = L.multiply([a, b])
    out = L.Lambda(lambda t: t * 2.0, name="twice")(L.concatenate([s, m], axis=-1))
    model = Model([a, b], out)
    x, y = np.ones((2, 4), np.float32), np.full((2, 4), 3.0, np.float32)
    np.testing.assert_allclose(model.predict([x, y]), np.concatenate([x + y, x * y], -1) * 2)
    for fn, want in ((L.subtract, x - y), (L.average, (x + y) / 2), (L.maximum, y), (L.minimum, x)):
        np.testing.assert_allclose(Model([a, b], fn([a, b])).predict([x, y]), want)


# ---- training on graphs vs hand-computed NumPy -------------------------------------------------
def test_two_outputs_train_on_batch_matches_numpy():
    x_in = L.Input((3,), name="x")
    o1 = L.Dense(2, use_bias=False, name="a_out")(x_in)
    o2 = L.Dense(1, use_bias=False, name="b_out")(x_in)
    m = Model(x_in, [o1, o2])
    rng = np.random.default_rng(2)
    W1 = rng.standard_normal((3, 2)).astype(np.float32)
    W2 = rng.standard_normal((3, 1)).astype(np.float32)
    m.set_weights([W1, W2])
    m.compile(SGD(learning_rate=0.1), ["mse", "mse"], loss_weights=[1.0, 0.5], metrics=["mae"])
    assert m.metrics_names == []  # tf_keras 2: none before the first train / test call
    assert m._all_metrics_names() == ["loss", "a_out_loss", "b_out_loss", "a_out_mae",
                                      "b_out_mae"]
    x = rng.standard_normal((5, 3)).astype(np.float32)
    y1 = rng.standard_normal((5, 2)).astype(np.float32)
    y2 = rng.standard_normal((5, 1)).astype(np.float32)
    r1, r2 = x @ W1 - y1, x @ W2 - y2
    l1, l2 = (r1 ** 2).mean(), (r2 ** 2).mean()
    got = m.train_on_batch(x, [y1, y2])
    np.testing.assert_allclose(got, [l1 + 0.5 * l2, l1, l2, np.abs(r1).mean(), np.abs(r2).mean()],
                               rtol=1e-5)
    g1 = 2.0 / r1.size * x.T @ r1
    g2 = 0.5 * 2.0 / r2.size * x.T @ r2
    nW1, nW2 = m.get_weights()
    np.testing.assert_allclose(nW1, W1 - 0.1 * g1, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(nW2, W2 - 0.1 * g2, rtol=1e-5, atol=1e-6)
    # evaluate / test_on_batch return the same structure, computed at the new weights
    r1, r2 = x @ nW1 - y1, x @ nW2 - y2
    want = [(r1 ** 2).mean() + 0.5 * (r2 ** 2).mean(), (r1 ** 2).mean(), (r2 ** 2).mean(),
            np.abs(r1).mean(), np.abs(r2).mean()]
    np.testing.assert_allclose(m.evaluate(x, [y1, y2], verbose=0), want, rtol=1e-5)
    np.testing.assert_allclose(m.test_on_batch(x, {"a_out": y1, "b_out": y2}), want, rtol=1e-5)


def test_shared_layer_gradient_sums_both_branches():
    x1, x2 = L.Input((3,)), L.Input((3,))
    shared = L.Dense(2, use_bias=False)
    m = Model([x1, x2], L.subtract([shared(x1), shared(x2)]))
    rng = np.random.default_rng(3)
    W = rng.standard_normal((3, 2)).astype(np.float32)
    m.set_weights([W])
    m.compile(SGD(learning_rate=0.05), "mse")
    assert m.metrics_names == [] and m._all_metrics_names() == ["loss"]
    a, b = rng.standard_normal((4, 3)).astype(np.float32), rng.standard_normal((4, 3)).astype(np.float32)
    y = rng.standard_normal((4, 2)).astype(np.float32)
    r = (a - b) @ W - y
    loss = m.train_on_batch([a, b], y)
    assert isinstance(loss, float)
    np.testing.assert_allclose(loss, (r ** 2).mean(), rtol=1e-5)
    g = 2.0 / r.size * (a.T @ r - b.T @ r)
    np.testing.assert_allclose(m.get_weights()[0], W - 0.05 * g, rtol=1e-5, atol=1e-6)


def test_metrics_names_as_keras_2():
    m = _two_io()
    m.compile("sgd", ["categorical_crossentropy", "binary_crossentropy"], metrics=["accuracy"],
              loss_weights=[1.0, 0.5])
    assert m.metrics_names == []  # tf_keras 2: none before the first train / test call
    r = m.train_on_batch([np.zeros((4, 784)), np.zeros((4, 16))], [np.eye(10)[:4], np.ones((4, 1))])
    assert m.metrics_names == ["loss", "main_loss", "side_loss", "main_accuracy", "side_accuracy"]
    assert len(r) == 5
    np.testing.assert_allclose(r[0], r[1] + 0.5 * r[2], rtol=1e-6)
    np.testing.assert_allclose(r[1:3], [np.log(10), np.log(2)], rtol=1e-5)  # zero inputs, zero biases
    m.compile("sgd", {"main": "categorical_crossentropy", "side": "binary_crossentropy"},
              metrics={"main": "acc"})
    assert m.metrics_names == []  # compile starts afresh (tf_keras 2)
    assert m._all_metrics_names() == ["loss", "main_loss", "side_loss", "main_acc"]
    s = _siamese()
    s.compile("sgd", "mse", metrics=["mae"])
    assert s._all_metrics_names() == ["loss", "mae"]


def test_fit_two_inputs_history_and_validation():
    set_random_seed(0)
    m = _two_io()
    m.compile("adam", ["categorical_crossentropy", "binary_crossentropy"], metrics=["accuracy"])
    rng = np.random.default_rng(4)
    x1, x2 = rng.random((64, 784)), rng.random((64, 16))
    lab = rng.integers(0, 10, 64)
    y1, y2 = np.eye(10)[lab], (lab % 2).reshape(-1, 1)
    h = m.fit({"image": x1, "aux": x2}, [y1, y2], epochs=3, batch_size=16, verbose=0,
              validation_split=0.25)
    assert set(h.history) == {"loss", "main_loss", "side_loss", "main_accuracy", "side_accuracy",
                              "val_loss", "val_main_loss", "val_side_loss", "val_main_accuracy",
                              "val_side_accuracy"}
    assert h.history["loss"][-1] < h.history["loss"][0]
    with pytest.raises(ValueError, match="expects 2 input arrays|expected input 'aux'"):
        m.fit([x1], [y1, y2], verbose=0)
    with pytest.raises(ValueError, match="2 outputs"):
        m.fit([x1, x2], [y1], verbose=0)


def test_functional_lenet_trains_exactly_like_sequential():
    """Same weights, same seed: the functional graph runs the same ops in the same order (the
    fused softmax cross-entropy included), so the weights stay bit-identical."""
    set_random_seed(0)

    def seq():
        return Sequential([L.Conv2D(4, 3, activation="relu", input_shape=(10, 10, 1)),
                           L.MaxPooling2D(2), L.Flatten(), L.Dense(16, activation="relu"),
                           L.Dropout(0.3), L.Dense(3, activation="softmax")])

    def fun():
        i = L.Input((10, 10, 1))
        x = L.Conv2D(4, 3, activation="relu")(i)
        x = L.Flatten()(L.MaxPooling2D(2)(x))
        x = L.Dropout(0.3)(L.Dense(16, activation="relu")(x))
        return Model(i, L.Dense(3, activation="softmax")(x))

    s, f = seq(), fun()
    f.set_weights(s.get_weights())
    for m in (s, f):
        m.compile("rmsprop", "sparse_categorical_crossentropy", metrics=["accuracy"])
    assert s._logits_outputs == f._logits_outputs == frozenset([0])
    rng = np.random.default_rng(5)
    x, y = rng.random((40, 10, 10, 1)).astype(np.float32), rng.integers(0, 3, 40)
    hist = []
    for m in (s, f):
        set_random_seed(7)
        hist.append(m.fit(x, y, batch_size=8, epochs=2, verbose=0).history)
    assert hist[0] == hist[1]
    for u, v in zip(s.get_weights(), f.get_weights()):
        np.testing.assert_array_equal(u, v)


def test_masks_flow_through_a_functional_graph():
    set_random_seed(1)
    ids = L.Input((6,), name="ids")
    e = L.Embedding(20, 4, mask_zero=True)
    r = L.LSTM(3)
    f = Model(ids, L.Dense(1)(r(e(ids))))
    s = Sequential([L.Embedding(20, 4, mask_zero=True, input_length=6), L.LSTM(3), L.Dense(1)])
    s.set_weights(f.get_weights())
    x = np.array([[3, 4, 0, 0, 0, 0], [5, 6, 7, 8, 9, 1]], np.float32)
    np.testing.assert_allclose(f.predict(x), s.predict(x), rtol=1e-6)
    x2 = x.copy()
    x2[0, 2:] = 0  # padding after the mask changes nothing
    np.testing.assert_allclose(f.predict(x2), f.predict(x), rtol=1e-6)


# ---- config and files --------------------------------------------------------------------------
# tf_keras' get_config() of _siamese(), as printed by tools/keras_model_oracle.py
KERAS_SIAMESE_CONFIG = json.loads("""{"name": "siamese", "trainable": true, "layers": [
{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 8],
 "dtype": "float32", "sparse": false, "ragged": false, "name": "left", "optional": false},
 "registered_name": null, "name": "left", "inbound_nodes": []},
{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 8],
 "dtype": "float32", "sparse": false, "ragged": false, "name": "right", "optional": false},
 "registered_name": null, "name": "right", "inbound_nodes": []},
{"module": "keras.layers", "class_name": "Dense", "config": {"name": "shared", "trainable": true,
 "dtype": "float32", "units": 4, "activation": "tanh", "use_bias": true, "kernel_initializer":
 {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null},
 "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name":
 "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": null, "bias_regularizer":
 null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
 "registered_name": null, "build_config": {"input_shape": [null, 8]}, "name": "shared",
 "inbound_nodes": [[["left", 0, 0, {}]], [["right", 0, 0, {}]]]},
{"module": "keras.layers", "class_name": "Subtract", "config": {"name": "diff", "trainable": true,
 "dtype": "float32"}, "registered_name": null, "build_config": {"input_shape": [[null, 4],
 [null, 4]]}, "name": "diff", "inbound_nodes": [[["shared", 0, 0, {}], ["shared", 1, 0, {}]]]},
{"module": "keras.layers", "class_name": "Dense", "config": {"name": "score", "trainable": true,
 "dtype": "float32", "units": 1, "activation": "linear", "use_bias": true, "kernel_initializer":
 {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null},
 "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name":
 "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": null, "bias_regularizer":
 null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
 "registered_name": null, "build_config": {"input_shape": [null, 4]}, "name": "score",
 "inbound_nodes": [[["diff", 0, 0, {}]]]}],
 "input_layers": [["left", 0, 0], ["right", 0, 0]], "output_layers": [["score", 0, 0]]}""")


def test_keras_2_config_builds_the_same_model():
    m = Model.from_config(KERAS_SIAMESE_CONFIG)
    assert _lines(m) == SIAMESE_SUMMARY
    ours = _siamese().get_config()
    for key in ("name", "input_layers", "output_layers"):
        assert ours[key] == KERAS_SIAMESE_CONFIG[key]
    for mine, theirs in zip(ours["layers"], KERAS_SIAMESE_CONFIG["layers"]):
        assert mine["class_name"] == theirs["class_name"] and mine["name"] == theirs["name"]
        assert mine["inbound_nodes"] == theirs["inbound_nodes"]
        for k, v in mine["config"].items():
            if k in theirs["config"] and not isinstance(v, dict):
                assert theirs["config"][k] == v, (mine["name"], k)


def test_config_round_trip_and_clone():
    m = _two_io()
    m2 = Model.from_config(json.loads(json.dumps(m.get_config())))
    assert _lines(m2) == TWO_IO_SUMMARY
    m2.set_weights(m.get_weights())
    x = [np.random.default_rng(6).random((3, 784)), np.random.default_rng(7).random((3, 16))]
    for u, v in zip(m.predict(x), m2.predict(x)):
        np.testing.assert_allclose(u, v, rtol=1e-6)
    outer = Sequential([_siamese(), L.Dense(2, name="after2")], name="outer2")
    again = Sequential.from_config(json.loads(json.dumps(outer.get_config())))
    assert [l.name for l in again.layers] == ["siamese", "after2"]
    assert again.get_config() == outer.get_config()


def test_save_load_functional_nested_shared(tmp_path):
    set_random_seed(2)
    inner = Sequential([L.Dense(3, input_shape=(4,)), L.Dense(4)], name="inner")
    a, b = L.Input((4,), name="a"), L.Input((4,), name="b")
    sh = L.Dense(4, activation="tanh", name="sh")
    x = inner(L.add([sh(a), sh(b)]))
    o1 = L.Dense(3, activation="softmax", name="cls")(x)
    o2 = L.Dense(1, name="reg")(L.concatenate([x, a]))
    m = Model([a, b], [o1, o2], name="big")
    m.compile("adam", ["categorical_crossentropy", "mse"], metrics={"cls": "accuracy"})
    rng = np.random.default_rng(8)
    X = [rng.random((16, 4)), rng.random((16, 4))]
    Y = [np.eye(3)[np.arange(16) % 3], rng.random((16, 1))]
    m.fit(X, Y, epochs=1, verbose=0)
    path = tmp_path / "big.tfm"
    m.save(path)
    m2 = load_model(path)
    assert [l.name for l in m2.layers] == [l.name for l in m.layers]
    for u, v in zip(m.predict(X), m2.predict(X)):
        np.testing.assert_array_equal(u, v)
    np.testing.assert_allclose(m2.train_on_batch(X, Y), m.train_on_batch(X, Y), rtol=1e-6)
    assert m2.metrics_names == m.metrics_names
    m.save_weights(tmp_path / "w.tfm")
    fresh = Model.from_config(m.get_config())
    fresh.load_weights(tmp_path / "w.tfm")
    for u, v in zip(fresh.get_weights(), m.get_weights()):
        np.testing.assert_array_equal(u, v)


# tf_keras' Sequential([Dense(32, relu, input_shape=(784,)), Dense(10, softmax)]).get_config()
KERAS_SEQUENTIAL_CONFIG = json.loads("""{"name": "sequential", "layers": [
{"module": "keras.layers", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 784],
 "dtype": "float32", "sparse": false, "ragged": false, "name": "dense_input", "optional": false},
 "registered_name": null},
{"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "trainable": true,
 "dtype": "float32", "batch_input_shape": [null, 784], "units": 32, "activation": "relu",
 "use_bias": true, "kernel_initializer": {"module": "keras.initializers", "class_name":
 "GlorotUniform", "config": {"seed": null}, "registered_name": null}, "bias_initializer":
 {"module": "keras.initializers", "class_name": "Zeros", "config": {}, "registered_name": null},
 "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
 "kernel_constraint": null, "bias_constraint": null}, "registered_name": null,
 "build_config": {"input_shape": [null, 784]}},
{"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense_1", "trainable": true,
 "dtype": "float32", "units": 10, "activation": "softmax", "use_bias": true, "kernel_initializer":
 {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null},
 "registered_name": null}, "bias_initializer": {"module": "keras.initializers", "class_name":
 "Zeros", "config": {}, "registered_name": null}, "kernel_regularizer": null, "bias_regularizer":
 null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": null},
 "registered_name": null, "build_config": {"input_shape": [null, 32]}}]}""")


def test_keras_2_sequential_config_and_ours_match():
    m = Sequential.from_config(KERAS_SEQUENTIAL_CONFIG)
    assert [l.name for l in m.layers] == ["dense", "dense_1"]
    assert m.input_shape == (None, 784) and m.output_shape == (None, 10)
    assert m.count_params() == 25450
    ours = m.get_config()
    assert [l["class_name"] for l in ours["layers"]] == ["InputLayer", "Dense", "Dense"]
    assert ours["layers"][0]["config"]["name"] == "dense_input"
    for mine, theirs in zip(ours["layers"], KERAS_SEQUENTIAL_CONFIG["layers"]):
        keys = [k for k in theirs["config"] if k != "optional"]
        assert list(mine["config"]) == keys or set(mine["config"]) == set(keys)
        for k in keys:
            v = theirs["config"][k]
            if isinstance(v, dict):
                assert mine["config"][k]["class_name"] == v["class_name"]
            else:
                assert mine["config"][k] == v, k


def test_format_1_files_still_load():
    """tests/data/sequential_format1.tfm was written by tensorforge before the functional API
    (Sequential-only format 1: Dense(4, relu, l2 regularizer) -> Dense(2, softmax), adam, one
    fit step)."""
    import os
    path = os.path.join(os.path.dirname(__file__), "data", "sequential_format1.tfm")
    m = load_model(path)
    assert isinstance(m, Sequential) and [type(l).__name__ for l in m.layers] == ["Dense", "Dense"]
    assert m.optimizer.iterations == 1 and m.metrics_names == ["loss", "accuracy"]
    assert m.layers[0].kernel_regularizer is not None
    k1, b1, k2, b2 = m.get_weights()
    x = np.random.default_rng(0).random((5, 3)).astype(np.float32)
    h = np.maximum(x @ k1 + b1, 0) @ k2 + b2
    e = np.exp(h - h.max(1, keepdims=True))
    np.testing.assert_allclose(m.predict(x), e / e.sum(1, keepdims=True), rtol=1e-5)


def test_resnet_v1_summary_matches_keras_2():
    """ResNet v1 (Advanced Deep Learning with Keras, ch. 2; depth 8): branches, a projection
    shortcut, BatchNormalization, regularizers. Layer order, names, shapes, parameter counts and
    the wrapped "Connected to" column equal real Keras 2's text (tests/data, written by
    tools/keras_resnet_summary.py), and the model trains."""
    import os
    from tensorforge.engine import serialization
    from tensorforge.regularizers import l2
    serialization._name_counts.clear()  # fresh layer names, as in a new Keras process

    def resnet_layer(inputs, num_filters=16, kernel_size=3, strides=1, activation="relu",
                     batch_normalization=True):
        x = L.Conv2D(num_filters, kernel_size=kernel_size, strides=strides, padding="same",
                     kernel_initializer="he_normal", kernel_regularizer=l2(1e-4))(inputs)
        if batch_normalization:
            x = L.BatchNormalization()(x)
        if activation is not None:
            x = L.Activation(activation)(x)
        return x

    inputs = L.Input(shape=(8, 8, 3))
    x = resnet_layer(inputs=inputs)
    num_filters = 16
    for stack in range(3):
        strides = 2 if stack > 0 else 1
        y = resnet_layer(inputs=x, num_filters=num_filters, strides=strides)
        y = resnet_layer(inputs=y, num_filters=num_filters, activation=None)
        if stack > 0:
            x = resnet_layer(inputs=x, num_filters=num_filters, kernel_size=1, strides=strides,
                             activation=None, batch_normalization=False)
        x = L.Activation("relu")(L.add([x, y]))
        num_filters *= 2
    x = L.AveragePooling2D(pool_size=2)(x)
    outputs = L.Dense(10, activation="softmax", kernel_initializer="he_normal")(L.Flatten()(x))
    model = Model(inputs=inputs, outputs=outputs)
    path = os.path.join(os.path.dirname(__file__), "data", "resnet_v1_depth8_summary.txt")
    with open(path) as f:
        assert _lines(model) == f.read().split("\n")
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    xs = np.random.default_rng(10).random((8, 8, 8, 3)).astype(np.float32)
    h = model.fit(xs, np.eye(10)[np.arange(8)], batch_size=4, epochs=2, verbose=0)
    assert np.isfinite(h.history["loss"]).all()


def test_dot_of_inputs_of_different_ranks():
    """Keras 2's batch_dot ranks (keras-attention's dot([(B, T, U), (B, U)], [2, 1]), corpus31):
    a's other non-batch axes, then b's. Shapes and the sums of the outputs on the inputs below
    printed by tf_keras 2.21 (Dot in a Model, predict)."""
    rng = np.random.default_rng(3)
    cases = [((3, 4), (4,), [2, 1], (None, 3), 18.342857360839844),
             ((4,), (3, 4), [1, 2], (None, 3), 18.342857360839844),
             ((3, 5, 4), (4, 6), [3, 1], (None, 3, 5, 6), 18162.0),
             ((3, 4), (4,), -1, (None, 3), 18.342857360839844)]
    for sa, sb, axes, shape, total in cases:
        a, b = L.Input(sa), L.Input(sb)
        out = L.Dot(axes=axes)([a, b])
        assert out.shape == shape, (sa, sb, axes)
        x = np.arange(2 * np.prod(sa)).reshape((2,) + sa).astype(np.float32) / 10
        y = np.arange(2 * np.prod(sb)).reshape((2,) + sb).astype(np.float32) / 7
        got = Model([a, b], out).predict([x, y], verbose=0)
        assert got.shape == (2,) + shape[1:]
        np.testing.assert_allclose(got.sum(), total, rtol=1e-5)
    # values and gradients against einsum on random inputs
    x = rng.standard_normal((2, 3, 5, 4)).astype(np.float32)
    y = rng.standard_normal((2, 4, 6)).astype(np.float32)
    np.testing.assert_allclose(L.Dot(axes=(3, 1))([x, y]).numpy(),
                               np.einsum("bijk,bkl->bijl", x, y), rtol=1e-5, atol=1e-6)
    tx, ty = tf.Tensor(x, requires_grad=True), tf.Tensor(y, requires_grad=True)
    L.Dot(axes=(3, 1))([tx, ty]).sum().backward()
    np.testing.assert_allclose(tx.grad, np.broadcast_to(y.sum(2)[:, None, None, :], x.shape),
                               rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ty.grad, np.broadcast_to(x.sum((1, 2))[:, :, None], y.shape),
                               rtol=1e-5, atol=1e-5)
    with pytest.raises(ValueError, match="batch"):
        L.Dot(axes=(0, 1))([L.Input((3, 4)), L.Input((4,))])
