"""The gaps the eleventh corpus's programs revealed (tools/keras_corpus.md, "Eleventh corpus").
Figures marked Keras 2's / TensorFlow's were printed by tools/keras_corpus11_refs.py under
TensorFlow 2.21 / tf_keras 2.21; the others are worked out by hand in the test."""
import json
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge import layers as L


def _small_model(units=3, inputs=4, **compile_kw):
    m = keras.Sequential([L.Dense(units, input_shape=(inputs,))])
    m.compile("adam", **compile_kw)
    return m


# ---- tf.version, tf.train.latest_checkpoint and the checkpoint state file ----

def test_tf_version_is_the_package_version():
    # TensorFlow's: tf.version.VERSION == tf.__version__
    assert tf.version.VERSION == tf.__version__


def test_save_weights_records_the_latest_checkpoint(tmp_path):
    m = _small_model(loss="mse")
    d = tmp_path / "ck"
    m.save_weights(str(d / "cp-0001.ckpt"))  # the folder does not exist yet: made, as Keras 2
    first = [w.copy() for w in m.get_weights()]
    m.set_weights([w + 1.0 for w in first])
    m.save_weights(str(d / "cp-0002.ckpt"))
    # Keras 2's state file after the two saves (only the last one listed)
    assert (d / "checkpoint").read_text() == ('model_checkpoint_path: "cp-0002.ckpt"\n'
                                              'all_model_checkpoint_paths: "cp-0002.ckpt"\n')
    latest = tf.train.latest_checkpoint(str(d))
    assert latest == str(d / "cp-0002.ckpt")
    assert tf.train.latest_checkpoint(str(tmp_path)) is None  # no state file: None
    fresh = _small_model(loss="mse")
    fresh.load_weights(latest)
    for w, f in zip(fresh.get_weights(), first):
        np.testing.assert_array_equal(w, f + 1.0)


def test_latest_checkpoint_of_a_removed_file_is_none(tmp_path):
    m = _small_model(loss="mse")
    m.save_weights(str(tmp_path / "w.ckpt"))
    os.remove(tmp_path / "w.ckpt")
    assert tf.train.latest_checkpoint(str(tmp_path)) is None


# ---- ModelCheckpoint(save_freq=N) ----

def test_model_checkpoint_integer_save_freq_counts_batches_across_epochs(tmp_path):
    m = _small_model(loss="mse")
    path = str(tmp_path / "cp-{epoch:02d}.ckpt")
    saved = []
    orig = m.save_weights

    def spy(p, *a, **kw):
        saved.append((os.path.basename(p), int(m.optimizer.iterations)))
        return orig(p, *a, **kw)
    m.save_weights = spy
    cb = keras.callbacks.ModelCheckpoint(path, save_weights_only=True, save_freq=3)
    m.fit(np.zeros((40, 4)), np.zeros((40, 3)), batch_size=10, epochs=2, callbacks=[cb],
          verbose=0)
    # 4 batches an epoch, a save every 3: after the 3rd batch (epoch 1) and the 6th (the 2nd
    # of epoch 2), Keras 2's files cp-01 and cp-02
    assert saved == [("cp-01.ckpt", 3), ("cp-02.ckpt", 6)]
    assert tf.train.latest_checkpoint(str(tmp_path)) == str(tmp_path / "cp-02.ckpt")


def test_model_checkpoint_epoch_save_freq_is_unchanged(tmp_path):
    m = _small_model(loss="mse")
    cb = keras.callbacks.ModelCheckpoint(str(tmp_path / "e{epoch}.ckpt"), save_weights_only=True)
    m.fit(np.zeros((40, 4)), np.zeros((40, 3)), batch_size=10, epochs=2, callbacks=[cb],
          verbose=0)
    assert sorted(f for f in os.listdir(tmp_path) if f.endswith(".ckpt")) == ["e1.ckpt",
                                                                           "e2.ckpt"]


@pytest.mark.parametrize("bad", ["batch", 2.5, True])
def test_model_checkpoint_refuses_other_save_freq(bad):
    # Keras 2's message
    with pytest.raises(ValueError, match='Unrecognized save_freq: .*Expected save_freq are '
                                         '"epoch" or integer'):
        keras.callbacks.ModelCheckpoint("x.ckpt", save_freq=bad)


# ---- HDF5: a loss class keeps its arguments ----

def _logits_data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((16, 4)).astype(np.float32), rng.integers(0, 3, 16)


def _xent_from_logits(logits, y):
    z = logits - logits.max(1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(1, keepdims=True))
    return float(-logp[np.arange(len(y)), y].mean())


def test_h5_round_trip_keeps_from_logits(tmp_path):
    x, y = _logits_data()
    m = _small_model(loss=tf.losses.SparseCategoricalCrossentropy(from_logits=True))
    p = str(tmp_path / "m.h5")
    m.save(p)
    n = keras.models.load_model(p)
    expected = _xent_from_logits(m.predict(x, verbose=0), y)  # the loss of logits, by hand
    np.testing.assert_allclose(n.evaluate(x, y, verbose=0), expected, rtol=1e-5)
    np.testing.assert_allclose(m.evaluate(x, y, verbose=0), expected, rtol=1e-5)
    import h5py
    with h5py.File(p) as f:
        loss = json.loads(f.attrs["training_config"])["loss"]
    # written as Keras 2 writes a loss class (its class name and config)
    assert loss["class_name"] == "SparseCategoricalCrossentropy"
    assert loss["config"]["from_logits"] is True


def test_h5_reads_keras2_loss_class_configs(tmp_path):
    import h5py
    x, y = _logits_data()
    m = _small_model(loss="sparse_categorical_crossentropy")
    p = str(tmp_path / "k.h5")
    m.save(p)
    # the training_config loss entries tf_keras 2.21 writes (tools/keras_corpus11_refs.py)
    keras2 = {"class_name": "SparseCategoricalCrossentropy", "config": {
        "reduction": "auto", "name": "sparse_categorical_crossentropy", "from_logits": True,
        "ignore_class": None, "fn": "sparse_categorical_crossentropy"}}
    with h5py.File(p, "r+") as f:
        tc = json.loads(f.attrs["training_config"])
        tc["loss"] = keras2
        f.attrs["training_config"] = json.dumps(tc).encode()
    n = keras.models.load_model(p)
    assert n.loss.get_config()["from_logits"] is True
    expected = _xent_from_logits(n.predict(x, verbose=0), y)
    np.testing.assert_allclose(n.evaluate(x, y, verbose=0), expected, rtol=1e-5)
    cce = {"class_name": "CategoricalCrossentropy", "config": {
        "reduction": "auto", "name": "categorical_crossentropy", "from_logits": True,
        "label_smoothing": 0.1, "axis": -1, "fn": "categorical_crossentropy"}}
    with h5py.File(p, "r+") as f:
        tc = json.loads(f.attrs["training_config"])
        tc["loss"] = cce
        f.attrs["training_config"] = json.dumps(tc).encode()
    cfg = keras.models.load_model(p).loss.get_config()
    assert (cfg["from_logits"], cfg["label_smoothing"]) == (True, 0.1)


# ---- tf.squeeze / tf.size without the backend's int_shape ----

def test_squeeze_without_axis_and_size():
    x = tf.zeros((1, 3, 1, 2))
    assert tuple(tf.squeeze(x).shape) == (3, 2)  # TensorFlow's
    assert tuple(tf.squeeze(np.zeros((3, 1))).shape) == (3,)
    assert int(tf.size(tf.constant(np.zeros((2, 3), np.float32)))) == 6  # TensorFlow's
    assert int(tf.size([[1, 2, 3]])) == 3


# ---- a functional input with one trailing unit axis too many ----

def test_functional_input_drops_one_extra_trailing_unit_axis():
    inp = keras.Input(shape=(3, 1))
    model = keras.Model(inp, L.Flatten()(inp))
    x = np.arange(6, dtype=np.float32).reshape(2, 3, 1, 1)
    out = model(x)
    assert tuple(out.shape) == (2, 3)  # Keras 2's
    np.testing.assert_array_equal(np.asarray(out), x.reshape(2, 3))
    # one axis short of an Input whose last axis is 1 still gains it
    np.testing.assert_array_equal(np.asarray(model(x.reshape(2, 3))), x.reshape(2, 3))
    with pytest.raises(ValueError, match="incompatible"):  # not a unit axis: refused
        model(np.zeros((2, 3, 1, 2), np.float32))
    with pytest.raises(ValueError, match="incompatible"):  # two axes too many: refused
        model(np.zeros((2, 3, 1, 1, 1), np.float32))


def test_sequential_with_input_accepts_the_extra_unit_axis_in_fit():
    model = keras.Sequential([keras.Input(shape=(4, 4, 1)), L.Conv2D(2, 3, padding="same"),
                              L.GlobalAveragePooling2D(), L.Dense(1)])
    model.compile("sgd", "mse")
    x = np.ones((8, 4, 4, 1, 1), np.float32)
    h = model.fit(x, np.zeros((8, 1)), epochs=1, verbose=0)
    assert np.isfinite(h.history["loss"][0])
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               model.predict(x[..., 0], verbose=0), rtol=1e-6)


# ---- NumPy's reductions of a Tensor, iteration ----

def test_numpy_mean_and_sum_of_a_tensor_are_numpy_results():
    t = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
    m = np.mean(t)
    assert isinstance(m, np.floating) and m == 2.5  # TensorFlow's np.mean: np.float32(2.5)
    np.testing.assert_array_equal(np.sum(t, axis=0), [3.0, 5.0, 7.0])
    assert isinstance(np.sum(t, axis=0), np.ndarray)
    np.testing.assert_array_equal(np.mean(t, axis=1, keepdims=True), [[1.0], [4.0]])
    # the methods themselves still give Tensors
    assert isinstance(t.mean(), tf.Tensor) and float(t.mean()) == 2.5
    np.testing.assert_array_equal(np.asarray(t.sum(0)), [3.0, 5.0, 7.0])


def test_iterating_a_scalar_tensor_fails_at_iter():
    with pytest.raises(TypeError, match="Cannot iterate over a scalar tensor"):
        iter(tf.constant(1.0))  # TensorFlow's message, raised by iter() itself
    rows = list(tf.constant(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)))
    assert len(rows) == 2
    np.testing.assert_array_equal(np.asarray(rows[1]), [3.0, 4.0])
    a, b = tf.constant(np.array([5.0, 6.0], np.float32))  # unpacking
    assert (float(a), float(b)) == (5.0, 6.0)


def test_matplotlib_hist_of_a_tensor_is_one_dataset():
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt
    data = np.random.default_rng(1).random(500).astype(np.float32)
    n, _, _ = plt.hist(tf.constant(data), bins=10)
    plt.close("all")
    # one histogram of the 500 values (not 500 one-value datasets)
    assert np.asarray(n).shape == (10,)
    np.testing.assert_array_equal(n, np.histogram(data, bins=10)[0])


# ---- tf.one_hot on a KerasTensor ----

def test_one_hot_of_an_int64_input_records_an_op_layer():
    ids = keras.Input(shape=(None,), dtype="int64")
    out = tf.one_hot(ids, depth=4)
    assert tuple(out.shape) == (None, None, 4)  # Keras 2's output_shape
    model = keras.Model(ids, out)
    got = np.asarray(model(np.array([[1, 3, 0]])))
    # Keras 2's values: one row per index
    np.testing.assert_array_equal(got, [[[0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0]]])
    lstm = keras.Model(ids, L.Dense(1)(L.LSTM(2)(out)))
    lstm.compile("rmsprop", "mse")
    h = lstm.fit(np.array([[1, 2, 3], [0, 1, 2]]), np.zeros((2, 1)), epochs=1, verbose=0)
    assert np.isfinite(h.history["loss"][0])


# ---- Normalization.mean / .variance ----

def test_normalization_exposes_mean_and_variance_after_adapt():
    data = np.array([[0.1, 0.2, 0.3], [0.8, 0.9, 1.0], [1.5, 1.6, 1.7]], np.float32)
    layer = L.Normalization()
    with pytest.raises(AttributeError):
        layer.mean  # Keras 2 sets it when the layer is built
    layer.adapt(data)
    # Keras 2's: float32 tensors in the broadcast shape (1, 3), the data's mean and variance
    assert tuple(layer.mean.shape) == (1, 3) and tuple(layer.variance.shape) == (1, 3)
    np.testing.assert_allclose(np.asarray(layer.mean), data.mean(0, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(layer.variance), data.var(0, keepdims=True),
                               rtol=1e-5)
    given = L.Normalization(mean=2.0, variance=4.0)
    given.build((None, 3))
    np.testing.assert_array_equal(np.asarray(given.mean), [[2.0, 2.0, 2.0]])
    np.testing.assert_array_equal(np.asarray(given.variance), [[4.0, 4.0, 4.0]])


# ---- a model holding TensorFlow-style ops on KerasTensors is saved and reloaded ----

def test_op_layers_are_saved_and_rebuilt(tmp_path):
    ids = keras.Input(shape=(None,), dtype="int64")
    x = L.LSTM(3)(tf.one_hot(ids, depth=6))  # DLwP 2nd ed. ch. 11's one-hot BiLSTM, smaller
    a = keras.Input(shape=(4,))
    b = tf.concat([a, a * 2.0], axis=-1) + 1.0  # a Function's apply, a method, an operator
    m = keras.Model([ids, a], L.Dense(1)(L.Concatenate()([x, b])))
    m.compile("rmsprop", "mse")
    d = [np.array([[1, 2, 5], [0, 3, 4]]), np.random.default_rng(0).random((2, 4)).astype("f")]
    m.fit(d, np.zeros((2, 1)), verbose=0)
    # tf_keras 2's TFOpLambda: the op by its TF name, the call's arguments in its inbound node
    one_hot = next(l for l in m.get_config()["layers"] if l["class_name"] == "TFOpLambda"
                   and l["config"]["function"] == "one_hot")
    assert one_hot["inbound_nodes"] == [[ids._keras_history[0].name, 0, 0, {"depth": 6}]]
    p = str(tmp_path / "m.keras")
    m.save(p)
    n = keras.models.load_model(p)
    np.testing.assert_array_equal(n.predict(d, verbose=0), m.predict(d, verbose=0))
    n.save(str(tmp_path / "again.keras"))  # a rebuilt op layer saves again
    again = keras.models.load_model(str(tmp_path / "again.keras"))
    np.testing.assert_array_equal(again.predict(d, verbose=0), m.predict(d, verbose=0))


def test_op_layer_of_a_local_function_still_cannot_be_saved(tmp_path):
    from tensorforge.symbolic.node import symbolic
    a = keras.Input(shape=(2,))
    out = symbolic(lambda t: t * 3.0)(a)
    m = keras.Model(a, L.Dense(1)(out))
    with pytest.raises(ValueError, match="cannot be saved.*Lambda layer"):
        m.save(str(tmp_path / "x.keras"))


def test_op_layer_config_names_only_tensorforge_functions():
    from tensorforge.engine.base_layer import OpLayer
    args = [[{"__keras_tensor__": 0}], {"__dict__": {}}]
    # another package; a module a tensorforge module imported; a class's bases; a class itself
    for name in ["os:system", "tensorforge._fileio:os.system", "tensorforge.autograd:np.save",
                 "tensorforge.autograd:Tensor.__class__.__subclasses__",
                 "tensorforge.autograd:Tensor.mro", "tensorforge.autograd:Tensor",
                 "tensorforge.autograd:Tensor..sum", "tensorforge.autograd:no_such_function",
                 "tensorforge.no_such_module:f"]:
        with pytest.raises(ValueError, match="does not name a tensorforge function"):
            OpLayer.from_config({"name": "x", "function": name, "arguments": args})


# ---- NumPy values in a layer's config are saved as Keras 2 writes them ----

def test_constant_initializer_of_an_array_is_saved(tmp_path):
    matrix = np.arange(12, dtype=np.float64).reshape(6, 2) / 10.0
    ids = keras.Input(shape=(None,), dtype="int64")
    emb = L.Embedding(6, 2, embeddings_initializer=keras.initializers.Constant(matrix),
                      trainable=False, mask_zero=True)
    m = keras.Model(ids, L.Dense(1)(L.LSTM(2)(emb(ids))))
    m.compile("rmsprop", "mse")
    p = str(tmp_path / "glove.keras")
    m.save(p)  # was: TypeError, Object of type ndarray is not JSON serializable
    n = keras.models.load_model(p)
    np.testing.assert_allclose(n.layers[1].get_weights()[0], matrix, rtol=1e-6)
    cfg = n.layers[1].get_config()["embeddings_initializer"]["config"]["value"]
    np.testing.assert_allclose(np.asarray(cfg), matrix)  # the array, as nested lists
    x = np.array([[1, 2, 0]])
    np.testing.assert_array_equal(n.predict(x, verbose=0), m.predict(x, verbose=0))
