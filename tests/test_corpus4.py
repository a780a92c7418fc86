"""What the fourth corpus of Keras 2 programs needed (issue 12; tools/keras_corpus.md), against
figures generated once from real Keras 2 (tf_keras) by tools/keras_corpus4_refs.py
(tests/data/keras_corpus4_refs.json): a model built for (None, None) inputs called on a concrete
Input (babi_memnn.py), binary accuracy's exact comparison with y_true, ``add_metric`` of a
metric object's result, a subclassed model fed a dict, and a layer's inputs passed by the
keyword call() names them with (endpoint_layer_pattern.py), and arrays conformed to an Input
with a trailing unit axis (siamese_contrastive.py)."""
import json
import os

import numpy as np
import pytest

import tensorforge as keras
from tensorforge import layers
from tensorforge import tf_compat as tf

with open(os.path.join(os.path.dirname(__file__), "data", "keras_corpus4_refs.json")) as _f:
    REF = json.load(_f)


def _shape(t):
    return [None if d is None else int(d) for d in t.shape]


def test_sequential_without_input_shape_takes_the_inputs_shape():
    seq = keras.Sequential([layers.Embedding(30, 8), layers.Dropout(0.3)])
    assert _shape(seq(keras.Input((7,)))) == REF["seq_on_input7"]


def test_memory_network_shapes():
    story, query = keras.Input((6,)), keras.Input((4,))
    enc_m = keras.Sequential([layers.Embedding(20, 5), layers.Dropout(0.3)])
    enc_c = keras.Sequential([layers.Embedding(20, 4), layers.Dropout(0.3)])
    enc_q = keras.Sequential([layers.Embedding(20, 5, input_length=4), layers.Dropout(0.3)])
    m, c, q = enc_m(story), enc_c(story), enc_q(query)
    match = layers.Activation("softmax")(layers.dot([m, q], axes=(2, 2)))
    resp = layers.Permute((2, 1))(layers.add([match, c]))
    ans = layers.concatenate([resp, q])
    want = REF["memnn_shapes"]
    assert _shape(match) == want["match"] and _shape(resp) == want["response"]
    assert _shape(ans) == want["answer"]
    out = layers.Dense(20, activation="softmax")(layers.LSTM(3)(ans))
    assert _shape(layers.LSTM(3)(ans)) == want["lstm"]
    model = keras.Model([story, query], out)  # and it trains on the concrete shapes
    model.compile("rmsprop", "sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    h = model.fit([rng.integers(0, 20, (16, 6)), rng.integers(0, 20, (16, 4))],
                  rng.integers(0, 20, 16), epochs=1, verbose=0)
    assert np.isfinite(h.history["loss"][0])


YT = np.array([[0.3], [1.0], [0.0], [0.7], [1.0], [0.0]], np.float32)
YP = np.array([[0.6], [0.9], [0.2], [0.8], [0.4], [0.7]], np.float32)


def test_binary_accuracy_compares_y_true_exactly():
    per_sample = keras.metrics.binary_accuracy(YT, YP)
    assert float(np.mean(per_sample)) == pytest.approx(np.mean(REF["binary_accuracy_fn"]))
    bo = keras.metrics.BinaryAccuracy()
    bo.update_state(YT, YP)
    assert float(bo.result()) == pytest.approx(REF["binary_accuracy_obj"])
    lin = keras.Sequential([keras.Input((1,)),
                            layers.Dense(1, use_bias=False, kernel_initializer="ones")])
    lin.compile("sgd", "mse", metrics=["binary_accuracy"])
    got = lin.evaluate(YP, YT, batch_size=4, verbose=0)
    np.testing.assert_allclose(got, REF["binary_accuracy_evaluate"], rtol=1e-5)


class Endpoint(layers.Layer):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
        self.accuracy_fn = keras.metrics.BinaryAccuracy(name="accuracy")

    def call(self, logits, targets=None, sample_weight=None):
        if targets is not None:
            self.add_loss(self.loss_fn(targets, logits, sample_weight))
            self.add_metric(self.accuracy_fn(targets, logits, sample_weight))
        return tf.nn.softmax(logits)


def _data():
    e = REF["endpoint"]
    return ({"inputs": np.array(e["x"], np.float32), "targets": np.array(e["y"], np.float32),
             "sample_weight": np.array(e["w"], np.float32)}, np.array(e["kernel"], np.float32))


def _check_history(h, want):
    assert sorted(h.history) == sorted(want)
    for k in want:
        np.testing.assert_allclose(h.history[k], want[k], rtol=2e-5, err_msg=k)


def test_add_metric_of_a_metric_object_logs_its_epoch_state():
    data, kern = _data()
    inp, tgt, sw = (keras.Input((3,), name="inputs"), keras.Input((1,), name="targets"),
                    keras.Input((1,), name="sample_weight"))
    dense = layers.Dense(1, use_bias=False)
    model = keras.Model([inp, tgt, sw], Endpoint()(dense(inp), tgt, sw))
    dense.set_weights([kern])
    model.compile(keras.optimizers.SGD(0.0))
    h = model.fit(data, batch_size=8, epochs=2, shuffle=False, verbose=0)
    _check_history(h, REF["endpoint"]["history"])
    got = model.evaluate(data, batch_size=8, verbose=0, return_dict=True)
    want = REF["endpoint"]["evaluate"]
    assert sorted(got) == sorted(want)
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=2e-5), k
    assert model.metrics_names == ["loss", "accuracy"]


class LogReg(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(1, use_bias=False)
        self.endpoint = Endpoint()

    def call(self, inputs):
        logits = self.dense(inputs["inputs"])
        return self.endpoint(logits=logits, targets=inputs["targets"],
                             sample_weight=inputs["sample_weight"])


def test_subclassed_model_takes_a_dict_and_inputs_by_keyword():
    data, kern = _data()
    sub = LogReg()
    sub.compile(keras.optimizers.SGD(0.0))
    sub(data)
    sub.dense.set_weights([kern])
    h = sub.fit(data, batch_size=8, epochs=1, shuffle=False, verbose=0)
    _check_history(h, REF["subclass_dict"]["history"])
    np.testing.assert_allclose(sub.predict(data, verbose=0), REF["subclass_dict"]["predict"],
                               rtol=1e-5)


def test_layer_called_without_inputs_names_them():
    with pytest.raises(TypeError, match="called without inputs"):
        Endpoint()(targets=np.zeros((2, 1), np.float32))


def test_inputs_conform_to_a_trailing_unit_axis():
    xa = np.arange(8, dtype=np.float32).reshape(2, 4)
    i = keras.Input((4, 1))
    m = keras.Model(i, layers.Flatten()(i))
    np.testing.assert_allclose(m.predict(xa, verbose=0), REF["conform_short"])
    i = keras.Input((4,))
    m = keras.Model(i, layers.Dense(2, kernel_initializer="ones")(i))
    m.compile("sgd", "mse")
    np.testing.assert_allclose(m.predict(xa[..., None], verbose=0), REF["conform_long"])
    assert m.evaluate(xa[..., None], np.zeros((2, 2)), verbose=0) == pytest.approx(
        REF["conform_long_evaluate"], rel=1e-6)
    with pytest.raises(ValueError, match="expected input"):
        m.predict(np.zeros((2, 5)), verbose=0)
