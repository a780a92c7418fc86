"""The gaps the fourteenth corpus's programs revealed (tools/keras_corpus.md, "Fourteenth
corpus"). Figures marked Keras 2's / TensorFlow's were printed by tools/keras_corpus14_refs.py
under TensorFlow 2.21 / tf_keras 2.21 on a machine without a visible GPU; the others are worked
out from first principles in the test."""
import collections
import re
import pickle

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras


# ---- optimizer.iterations (TF custom-training walkthrough: optimizer.iterations.numpy()) ----

def test_iterations_reads_as_keras2_int64_variable():
    opt = keras.optimizers.SGD(learning_rate=0.1)
    v = tf.Variable(np.array([1.0, 2.0], "float32"))
    it = opt.iterations.numpy()
    assert it == 0 and isinstance(it, np.int64)  # Keras 2: np.int64(0), dtype int64
    assert opt.iterations.dtype == "int64"
    for _ in range(2):
        opt.apply_gradients([(tf.constant(np.ones(2, "float32")), v)])
    assert opt.iterations.numpy() == 2 and int(opt.iterations) == 2  # Keras 2: 2
    np.testing.assert_allclose(v.numpy(), [0.8, 1.8], rtol=1e-6)  # two steps of 0.1
    assert opt.iterations.assign(7) == 7 and opt.iterations == 7  # Keras 2: 7
    assert opt.iterations.assign_add(2) == 9
    assert pickle.loads(pickle.dumps(opt.iterations)) == 9
    assert type(pickle.loads(pickle.dumps(opt.iterations))) is int
    with pytest.raises(ValueError, match="SGD: iterations must be a non-negative integer"):
        opt.iterations = 2.5


def test_iterations_drive_decay_and_schedules_as_before():
    # lr / (1 + decay * iterations), iterations counted before the step: 1st step lr, 2nd lr/2
    opt = keras.optimizers.SGD(learning_rate=1.0, decay=1.0)
    v = tf.Variable(np.zeros(1, "float32"))
    for _ in range(2):
        opt.apply_gradients([(tf.constant(np.ones(1, "float32")), v)])
    np.testing.assert_allclose(v.numpy(), [-1.5], rtol=1e-6)
    opt.iterations.assign(0)  # back to the first step's rate
    opt.apply_gradients([(tf.constant(np.ones(1, "float32")), v)])
    np.testing.assert_allclose(v.numpy(), [-2.5], rtol=1e-6)


# ---- tf.data keeps an OrderedDict an OrderedDict (make_csv_dataset's features) ----

def test_make_csv_dataset_features_stay_ordered_dict(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b,y\n1,2,0\n3,4,1\n5,6,0\n")
    ds = tf.data.experimental.make_csv_dataset(str(path), 2, label_name="y", num_epochs=1,
                                               shuffle=False)
    feats, labels = next(iter(ds))
    assert type(feats) is collections.OrderedDict and list(feats) == ["a", "b"]  # TF's
    np.testing.assert_array_equal(feats["a"].numpy(), [1, 3])
    np.testing.assert_array_equal(labels.numpy(), [0, 1])
    od = tf.data.Dataset.from_tensor_slices({"a": [1, 2, 3]}).map(
        lambda f: collections.OrderedDict(f)).batch(2)
    assert type(next(iter(od))) is collections.OrderedDict  # TF: OrderedDict
    plain = tf.data.Dataset.from_tensor_slices({"a": [1, 2]}).batch(2)
    assert type(next(iter(plain))) is dict  # TF: dict


# ---- a per-sequence target against a per-step output (intro to Keras for engineers) ----

def _seq_model():
    inp = keras.Input((5,))
    x = keras.layers.Embedding(10, 3, embeddings_initializer=keras.initializers.Constant(
        np.linspace(-1, 1, 30).reshape(10, 3)))(inp)
    out = keras.layers.Dense(1, kernel_initializer="ones", bias_initializer="zeros")(x)
    return keras.Model(inp, out)


@pytest.mark.parametrize("loss,expected", [("mse", 2.1266350746154785),  # Keras 2's figures
                                           ("mae", 1.2034482955932617),
                                           ("binary_crossentropy", 0.12415299564599991)])
def test_elementwise_losses_broadcast_targets_like_keras2(loss, expected):
    m = _seq_model()
    X, Y = np.arange(10).reshape(2, 5), np.array([[0.0], [1.0]])
    m.compile("sgd", loss)
    assert m.evaluate(X, Y, verbose=0) == pytest.approx(expected, rel=1e-5)
    if loss != "binary_crossentropy":  # the definition: y broadcast over the 5 steps
        p = m.predict(X, verbose=0)
        err = p - Y[:, :, None]
        ref = np.mean(err ** 2) if loss == "mse" else np.mean(np.abs(err))
        assert m.evaluate(X, Y, verbose=0) == pytest.approx(ref, rel=1e-5)


def test_broadcast_target_trains_and_categorical_crossentropy_still_refuses():
    m = _seq_model()
    X, Y = np.arange(10).reshape(2, 5), np.array([[0.0], [1.0]])
    m.compile(keras.optimizers.SGD(0.1), "mse")
    m.fit(X, Y, epochs=1, batch_size=2, verbose=0)
    np.testing.assert_allclose(m.layers[-1].kernel.numpy().ravel(),
                               [0.8329369, 0.8398335, 0.8467301], rtol=1e-5)  # Keras 2's
    m.compile("sgd", "categorical_crossentropy")  # Keras 2: ValueError (shapes incompatible)
    with pytest.raises(ValueError, match=r"target array with shape \(2, 1, 1\).*\(None, 5, 1\)"):
        m.fit(X, Y, verbose=0)


# ---- tf.data.experimental.cardinality (the TF image-loading tutorial) ----

def test_experimental_cardinality():
    r = tf.data.Dataset.range(10)
    card = tf.data.experimental.cardinality
    assert card(r.skip(3)).numpy() == 7  # TensorFlow's: 7, -1, -2, -1, -2
    assert card(r.repeat()).numpy() == -1
    assert card(r.filter(lambda z: z > 2)).numpy() == -2
    assert tf.data.experimental.INFINITE_CARDINALITY == -1
    assert tf.data.experimental.UNKNOWN_CARDINALITY == -2


# ---- == of tf.string tensors (the image-loading tutorial's get_label) ----

def test_string_tensor_equality_is_elementwise():
    class_names = np.array(["daisy", "roses", "tulips"])
    parts = tf.strings.split(tf.constant("flower_photos/roses/1.jpg"), "/")
    hot = parts[-2] == class_names
    np.testing.assert_array_equal(hot.numpy(), [False, True, False])  # TensorFlow's
    assert hot.dtype == np.bool_
    assert tf.argmax(hot).numpy() == 1
    np.testing.assert_array_equal((tf.constant(["a", "roses"]) != class_names[:2]).numpy(),
                                  [True, False])
    assert bool(tf.constant("roses") == "roses") and bool(tf.constant(b"x") == tf.constant("x"))
    assert (tf.constant("a") == 3) is False  # text against a number: not equal, as before


# ---- Tensor.set_shape (the time-series tutorial's split_window) ----

def test_set_shape_checks_compatibility_like_tensorflow():
    t = tf.constant(np.zeros((3, 6, 19), "float32"))
    t.set_shape([None, 6, None])
    t.set_shape([3, None, 19])
    t.set_shape(None)  # unknown rank: always compatible
    assert t.shape == (3, 6, 19)
    # TensorFlow's messages
    with pytest.raises(ValueError, match=re.escape(
            "Tensor's shape (3, 6, 19) is not compatible with supplied shape (None, 5, None).")):
        t.set_shape([None, 5, None])
    with pytest.raises(ValueError, match=re.escape(
            "Tensor's shape (3, 6, 19) is not compatible with supplied shape (None, 5).")):
        t.set_shape([None, 5])


# ---- initializers.get(None) (the imbalanced-data tutorial's Dense(bias_initializer=None)) ----

def test_none_initializer_leaves_the_choice_to_add_weight():
    assert keras.initializers.get(None) is None  # Keras 2: None
    draws = []
    for _ in range(200):
        d = keras.layers.Dense(3, bias_initializer=None)
        d.build((None, 4))
        draws.append(d.bias.numpy())
    draws = np.array(draws)
    # glorot_uniform of a (3,) weight: uniform in +-sqrt(6 / (3 + 3)) = +-1, std 1/sqrt(3)
    # (Keras 2's 200 draws: min -0.993, max 0.997, std 0.571)
    assert -1.0 <= draws.min() < -0.9 and 0.9 < draws.max() <= 1.0
    assert abs(draws.std() - 1 / np.sqrt(3)) < 0.04
    assert d.get_config()["bias_initializer"] is None  # Keras 2: None
    m = keras.Sequential([keras.layers.Dense(1, bias_initializer=None, input_shape=(4,))])
    assert m.layers[0].bias.shape == (1,)


# ---- recurrent layers on a strided window (split_window's features[:, :24, :]) ----

@pytest.mark.parametrize("cell", ["LSTM", "GRU", "SimpleRNN"])
def test_recurrent_layers_train_on_a_sliced_window(cell):
    full = np.random.default_rng(0).random((8, 30, 5), dtype=np.float32)
    x = tf.constant(full)[:, :24, :]
    assert not x.numpy().flags.c_contiguous  # a strided view, as the tutorial's slice
    y = np.ones((8, 24, 1), "float32")
    L = getattr(keras.layers, cell)
    models = []
    for _ in range(2):
        m = keras.Sequential([L(4, return_sequences=True), keras.layers.Dense(1)])
        m.build((None, 24, 5))
        m.compile("sgd", "mse")
        models.append(m)
    models[1].set_weights(models[0].get_weights())
    loss = models[0].train_on_batch(x, y)  # Keras 2: trains (a finite loss); here it raised
    assert np.isfinite(loss)
    # the same step on a contiguous copy of the window: the same loss and updated weights
    assert models[1].train_on_batch(np.ascontiguousarray(full[:, :24, :]), y) == \
        pytest.approx(loss, rel=1e-6)
    for a, b in zip(models[0].get_weights(), models[1].get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


# ---- a Sequential opening with an adapted Normalization (the TF regression tutorial) ----

def test_sequential_opening_with_adapted_normalization_is_built():
    norm = keras.layers.Normalization()
    norm.adapt(np.random.default_rng(1).random((50, 9)))
    m = keras.Sequential([norm, keras.layers.Dense(4), keras.layers.Dense(1)])
    # Keras 2: built at once, 64 parameters, output (None, 1); its input shape is (None, None)
    # there (the adapted layer declares only its rank), (None, 9) here (the kept axis' size)
    assert m.built and m.count_params() == 64 and m.output_shape == (None, 1)
    assert m.input_shape in ((None, 9), (None, None))
    m.summary(print_fn=lambda *a, **k: None)  # Keras 2 prints it; here it raised "not built"
    x = np.random.default_rng(3).random((4, 9)).astype("float32")
    mean, var = norm.mean.numpy().ravel(), norm.variance.numpy().ravel()
    np.testing.assert_allclose(norm(x).numpy(), (x - mean) / np.sqrt(var), rtol=1e-5, atol=1e-6)
    # a Normalization given input_shape keeps it
    h = keras.layers.Normalization(input_shape=[1], axis=None)
    h.adapt(np.arange(10.0))
    assert h.batch_input_shape == (None, 1)


# ---- compile(metrics=<one metric>) (the TF text-classification tutorial) ----

def test_compile_takes_a_single_metric():
    x = np.random.default_rng(2).random((20, 3)).astype("float32")
    y = (x.sum(1) > 1.5).astype("float32")
    # Keras 2's history keys and first-epoch figures (kernel ones, bias zeros: deterministic)
    expected = [("accuracy", ["loss", "accuracy"], 0.55),
                (keras.metrics.BinaryAccuracy(threshold=0.0), ["loss", "binary_accuracy"], 0.55),
                ("mae", ["loss", "mae"], 1.012195),
                (keras.metrics.mean_absolute_error, ["loss", "mean_absolute_error"], 1.012195)]
    for met, keys, value in expected:
        m = keras.Sequential([keras.layers.Dense(1, kernel_initializer="ones", input_shape=(3,))])
        m.compile("sgd", "binary_crossentropy", metrics=met)
        h = m.fit(x, y, verbose=0)
        assert list(h.history) == keys
        assert h.history["loss"][0] == pytest.approx(4.188193, rel=1e-5)
        assert h.history[keys[1]][0] == pytest.approx(value, rel=1e-5)


# ---- EarlyStopping(restore_best_weights=True) as tf_keras 2.21 (the GNN example, capped) ----

def _run_early_stopping(values, **kw):
    m = keras.Sequential([keras.layers.Dense(1, input_shape=(1,), use_bias=False)])
    es = keras.callbacks.EarlyStopping(monitor="val_loss", restore_best_weights=True, **kw)
    es.set_model(m)
    es.on_train_begin()
    for epoch, v in enumerate(values):
        m.set_weights([np.full((1, 1), float(epoch), "float32")])  # the weights mark the epoch
        es.on_epoch_end(epoch, {"val_loss": v})
        if m.stop_training:
            break
    es.on_train_end()
    return float(m.get_weights()[0][0, 0]), es.stopped_epoch, es.best_epoch, es.wait


@pytest.mark.parametrize("values,kw,expected", [
    # (weights left = the epoch restored, stopped_epoch, best_epoch, wait): tf_keras 2.21's
    ([3.0, 2.0, 2.5, 2.4], dict(patience=10), (1.0, 0, 1, 2)),  # not stopped: still restored
    ([3.0, 2.0, 2.5, 2.4], dict(patience=1), (1.0, 2, 1, 1)),
    ([3.0, 2.9, 2.8], dict(patience=1, baseline=1.0), (2.0, 0, 2, 3)),
    ([3.0, 2.95, 2.0, 1.99], dict(patience=5, min_delta=0.1), (2.0, 0, 2, 1))])
def test_early_stopping_restores_the_best_weights_at_the_end(values, kw, expected):
    assert _run_early_stopping(values, **kw) == expected


def test_early_stopping_in_fit_prints_tf_keras_messages(capsys):
    x = np.linspace(-1, 1, 32, dtype="float32")[:, None]
    m = keras.Sequential([keras.layers.Dense(1, input_shape=(1,))])
    m.compile(keras.optimizers.SGD(5.0), "mse")  # diverges: the first epoch stays the best
    es = keras.callbacks.EarlyStopping(monitor="loss", patience=1, verbose=1,
                                       restore_best_weights=True)
    m.fit(x, 3 * x, epochs=6, batch_size=32, verbose=0, callbacks=[es])
    out = capsys.readouterr().out
    assert "Epoch 2: early stopping" in out  # tf_keras 2.21 prints these two lines (Keras 2.2: "Epoch 00002")
    assert "Restoring model weights from the end of the best epoch: 1." in out
