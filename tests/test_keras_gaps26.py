"""Keras 2 gaps closed in session 26, each against tf_keras 2.21's output (printed by
tools/keras_gaps26_refs.py, hard-coded here): fit / evaluate / predict's verbose=2 lines, a mask
from outside a nested model, convert_to_tensor of a list of string scalars, and keras.activations
on a KerasTensor recorded as a TFOpLambda layer named after its TF op."""
import contextlib
import io
import re

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras

layers = keras.layers


def _masked_times(text):
    return re.sub(r"\b\d+(s|ms|us)\b", "T", text)


def _printed(call):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        call()
    return _masked_times(out.getvalue())


# ---- verbose=2 --------------------------------------------------------------------------------
def test_verbose_2_lines_are_tf_keras_lines():
    x = np.arange(64 * 4, dtype="float32").reshape(64, 4) / 256
    y = (np.arange(64) % 2).astype("float32").reshape(64, 1)
    m = keras.Sequential([layers.Dense(1, activation="sigmoid", kernel_initializer="zeros",
                                       input_shape=(4,))])
    m.compile(keras.optimizers.SGD(learning_rate=0.0), "binary_crossentropy",
              metrics=["accuracy"])
    line = "8/8 - T - loss: 0.6931 - accuracy: 0.5000 - T/epoch - T/step\n"
    assert _printed(lambda: m.fit(x, y, epochs=2, batch_size=8, verbose=2)) == \
        "Epoch 1/2\n" + line + "Epoch 2/2\n" + line
    # one epoch: no "Epoch 1/1" header (tf_keras writes it only for more than one)
    assert _printed(lambda: m.fit(x, y, epochs=1, batch_size=8, verbose=2,
                                  validation_split=0.25)) == \
        ("6/6 - T - loss: 0.6931 - accuracy: 0.5000 - val_loss: 0.6931 - val_accuracy: 0.5000"
         " - T/epoch - T/step\n")
    assert _printed(lambda: m.evaluate(x, y, batch_size=16, verbose=2)) == \
        "4/4 - T - loss: 0.6931 - accuracy: 0.5000 - T/epoch - T/step\n"
    assert _printed(lambda: m.predict(x, batch_size=32, verbose=2)) == "2/2 - T - T/epoch - T/step\n"


def test_verbose_2_line_of_a_generator_counts_its_steps():
    def batches():
        while True:
            yield np.ones((4, 2), "float32"), np.zeros((4, 1), "float32")
    m = keras.Sequential([layers.Dense(1, kernel_initializer="zeros", input_shape=(2,))])
    m.compile("sgd", "mse")
    assert _printed(lambda: m.fit(batches(), steps_per_epoch=3, epochs=1, verbose=2)) == \
        "3/3 - T - loss: 0.0000e+00 - T/epoch - T/step\n"


def test_progbar_verbose_2_formats_its_times_as_tf_keras():
    out = io.StringIO()
    bar = keras.utils.Progbar(10, verbose=2, stream=out)
    bar.start -= 2.4  # (2.4 s since it started)
    bar.update(10, [("loss", 0.5), ("a", -0.5), ("b", 0.0), ("c", 0.0005)])
    assert re.fullmatch(r"10/10 - 2s - loss: 0\.5000 - a: -5\.0000e-01 - b: 0\.0000e\+00"
                        r" - c: 5\.0000e-04 - 2s/epoch - 24\dms/step\n", out.getvalue()), \
        out.getvalue()


# ---- a mask from outside a nested model ---------------------------------------------------------
def test_mask_reaches_the_layers_of_a_nested_functional_model():
    inner_in = keras.Input((None, 3))
    inner = keras.Model(inner_in, layers.LSTM(2, kernel_initializer="ones",
                                              recurrent_initializer="zeros",
                                              bias_initializer="zeros")(inner_in))
    ids = keras.Input((None,), dtype="int32")
    emb = layers.Embedding(5, 3, mask_zero=True,
                           embeddings_initializer=keras.initializers.Constant(0.1))(ids)
    outer = keras.Model(ids, inner(emb))
    got = outer.predict(np.array([[1, 2, 0, 0], [3, 0, 0, 0], [1, 2, 3, 4]]), verbose=0)
    # tf_keras: the padded steps are skipped (unmasked, all three rows would be the last one)
    np.testing.assert_allclose(got, [[0.1667349934577942] * 2, [0.0952410027384758] * 2,
                                     [0.2578999996185303] * 2], rtol=1e-5)


def test_mask_reaches_the_layers_of_a_nested_sequential():
    seq = keras.Sequential([layers.Masking(0.0, input_shape=(4, 2)),
                            keras.Sequential([layers.SimpleRNN(2, kernel_initializer="ones",
                                                               recurrent_initializer="identity",
                                                               bias_initializer="zeros")])])
    x = np.array([[[1, 1], [1, 0], [0, 0], [0, 0]], [[1, 1], [1, 1], [1, 1], [1, 1]]], "float32")
    np.testing.assert_allclose(seq.predict(x, verbose=0), [[0.9613959789276123] * 2,
                                                           [0.9950050115585327] * 2], rtol=1e-5)


def test_nested_model_called_with_an_explicit_mask():
    inner_in = keras.Input((None, 1))
    inner = keras.Model(inner_in, layers.SimpleRNN(1, kernel_initializer="ones",
                                                   recurrent_initializer="ones",
                                                   use_bias=False, activation="relu")(inner_in))
    x = tf.constant(np.ones((1, 3, 1), "float32"))
    assert float(inner(x)[0, 0]) == pytest.approx(3.0)  # 1 + 1 + 1
    assert float(inner(x, mask=np.array([[True, True, False]]))[0, 0]) == pytest.approx(2.0)


# ---- convert_to_tensor of string scalars --------------------------------------------------------
@pytest.mark.parametrize("value,shape,expected", [
    (lambda: [tf.constant("a"), tf.constant("b")], (2,), [b"a", b"b"]),
    (lambda: [[tf.constant("a")], [tf.constant("bc")]], (2, 1), [[b"a"], [b"bc"]]),
    (lambda: [tf.constant(b"a"), "b"], (2,), [b"a", b"b"]),
])
def test_convert_to_tensor_packs_string_scalars(value, shape, expected):
    t = tf.convert_to_tensor(value())
    assert t.dtype == tf.string and tuple(t.shape) == shape
    assert t.numpy().tolist() == expected


def test_convert_to_tensor_of_strings_and_a_number_is_invalid_argument():
    with pytest.raises(tf.errors.InvalidArgumentError, match="convert_to_tensor.*item #1"):
        tf.convert_to_tensor([tf.constant("a"), tf.constant(1)])


# ---- keras.activations on a KerasTensor --------------------------------------------------------
_SUMMARY = [
    'Model: "acts"',
    '_________________________________________________________________',
    ' Layer (type)                Output Shape              Param #   ',
    '=================================================================',
    ' x (InputLayer)              [(None, 3)]               0         ',
    '                                                                 ',
    ' dense (Dense)               (None, 2)                 8         ',
    '                                                                 ',
    ' tf.math.sigmoid (TFOpLambd  (None, 2)                 0         ',
    ' a)                                                              ',
    '                                                                 ',
    ' tf.nn.relu (TFOpLambda)     (None, 2)                 0         ',
    '                                                                 ',
    ' tf.math.tanh (TFOpLambda)   (None, 2)                 0         ',
    '                                                                 ',
    ' tf.nn.softmax (TFOpLambda)  (None, 2)                 0         ',
    '                                                                 ',
    '=================================================================',
    'Total params: 8 (32.00 Byte)',
    'Trainable params: 8 (32.00 Byte)',
    'Non-trainable params: 0 (0.00 Byte)',
    '_________________________________________________________________']


def test_activations_on_a_keras_tensor_are_tf_op_lambda_layers():
    keras.backend.clear_session()  # (the layer names count from here)
    inp = keras.Input((3,), name="x")
    h = layers.Dense(2, name="dense")(inp)
    for f in (keras.activations.sigmoid, keras.activations.relu, keras.activations.tanh,
              keras.activations.softmax):
        h = f(h)
    m = keras.Model(inp, h, name="acts")
    assert [(l.name, type(l).__name__) for l in m.layers] == [
        ("x", "InputLayer"), ("dense", "Dense"), ("tf.math.sigmoid", "TFOpLambda"),
        ("tf.nn.relu", "TFOpLambda"), ("tf.math.tanh", "TFOpLambda"),
        ("tf.nn.softmax", "TFOpLambda")]
    lines = []
    m.summary(print_fn=lines.append)
    assert lines == _SUMMARY
    x = np.array([[0.5, -1.0, 2.0]], "float32")
    d = m.layers[1]
    k, b = (w.numpy() for w in d.weights)
    z = np.tanh(np.maximum(1 / (1 + np.exp(-(x @ k + b))), 0))
    np.testing.assert_allclose(m.predict(x, verbose=0), np.exp(z) / np.exp(z).sum(-1, keepdims=True),
                               rtol=1e-5)


@pytest.mark.parametrize("name,function", [
    ("elu", "nn.elu"), ("selu", "nn.selu"), ("softplus", "math.softplus"),
    ("softsign", "nn.softsign"), ("exponential", "math.exp"), ("swish", "nn.silu"),
    ("gelu", "nn.gelu")])
def test_each_single_op_activation_records_its_tf_op(name, function):
    i = keras.Input((3,))
    m = keras.Model(i, getattr(keras.activations, name)(i))
    (layer,) = m.layers[1:]
    assert type(layer).__name__ == "TFOpLambda"
    assert layer.get_config()["function"] == function
    assert re.fullmatch(r"tf\." + re.escape(function) + r"(_\d+)?", layer.name)


def test_an_activation_model_saves_and_loads(tmp_path):
    inp = keras.Input((3,))
    m = keras.Model(inp, keras.activations.sigmoid(layers.Dense(2)(inp)))
    x = np.array([[0.5, -1.0, 2.0]], "float32")
    m.save(tmp_path / "m.h5")
    back = keras.models.load_model(tmp_path / "m.h5")
    np.testing.assert_allclose(back.predict(x, verbose=0), m.predict(x, verbose=0), rtol=1e-6)
