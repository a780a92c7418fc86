"""The gaps the twelfth corpus's programs revealed (tools/keras_corpus.md, "Twelfth corpus").
Figures marked Keras 2's / TensorFlow's were printed by tools/keras_corpus12_refs.py under
TensorFlow 2.21 / tf_keras 2.21 on a machine without a visible GPU; the others are worked out
by hand in the test."""
import contextlib
import io

import numpy as np
import pandas as pd
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge import layers as L


# ---- tf.test (tensorflow/docs customization/custom_layers) ----

def test_tf_test_device_queries_follow_tf_config():
    gpus = tf.config.list_physical_devices("GPU")
    assert tf.test.is_gpu_available() is bool(gpus)
    assert tf.test.is_gpu_available(cuda_only=True) is bool(gpus)
    # TensorFlow's strings: '' without a GPU (as printed on the CPU machine), else the first one
    assert tf.test.gpu_device_name() == ("/device:GPU:0" if gpus else "")
    assert isinstance(tf.test.is_built_with_cuda(), bool)


# ---- an empty name stays empty (custom_layers' ResnetIdentityBlock(name='')) ----

def test_empty_model_name_is_kept_in_the_summary():
    class Block(keras.Model):
        def __init__(self):
            super().__init__(name="")
            self.d = L.Dense(2)

        def call(self, x):
            return self.d(x)

    b = Block()
    b(np.zeros((1, 3), "float32"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        b.summary()
    assert out.getvalue().splitlines()[0] == 'Model: ""'  # Keras 2's header
    assert L.Dense(2, name="").name == ""  # Keras 2: ''
    assert L.Dense(2).name.startswith("dense")  # None still picks a name


# ---- tf.random.categorical (tensorflow/docs text_generation) ----

def test_random_categorical_shape_dtype_and_frequencies():
    tf.random.set_seed(3)
    p = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])
    s = tf.random.categorical(np.log(p), 20000)
    assert s.shape == (2, 20000) and s.numpy().dtype == np.int64  # TensorFlow's int64
    assert tf.random.categorical([[0.0, 0.0]], 3, dtype=tf.int32).numpy().dtype == np.int32
    for row, probs in zip(s.numpy(), p):
        freq = np.bincount(row, minlength=3) / row.size
        # within 5 standard errors of the softmax probabilities
        np.testing.assert_allclose(freq, probs, atol=5 * np.sqrt(0.25 / row.size))
    # a -inf logit is never drawn (TensorFlow: all zeros here)
    assert tf.random.categorical([[0.0, -np.inf]], 8).numpy().tolist() == [[0] * 8]
    # unnormalized logits: only the differences matter
    tf.random.set_seed(5)
    a = tf.random.categorical([[1.0, 2.0, 3.0]], 50).numpy()
    tf.random.set_seed(5)
    b = tf.random.categorical([[101.0, 102.0, 103.0]], 50).numpy()
    np.testing.assert_array_equal(a, b)


def test_random_categorical_bad_arguments():
    with pytest.raises(ValueError, match="categorical: logits must be 2-D"):
        tf.random.categorical([0.0, 1.0], 2)
    with pytest.raises(ValueError, match="int32 or int64"):
        tf.random.categorical([[0.0, 1.0]], 2, dtype="float32")


def test_tensor_shape_is_exported():
    s = tf.TensorShape([1, None])
    assert s.as_list() == [1, None] and s.rank == 2  # TensorFlow's
    m = keras.Sequential([L.Embedding(10, 4, batch_input_shape=[1, None]), L.GRU(3, stateful=True)])
    m.build(tf.TensorShape([1, None]))
    assert m.output_shape == (1, 3)


# ---- crop / pad to a bounding box (keras-io cutmix.py) ----

def test_crop_and_pad_to_bounding_box():
    img = tf.reshape(tf.range(24, dtype=tf.float32), (4, 3, 2))  # [r, c, ch] = 6r + 2c + ch
    crop = tf.image.crop_to_bounding_box(img, 1, 1, 2, 2)
    assert crop.numpy()[..., 0].tolist() == [[8.0, 10.0], [14.0, 16.0]]  # TensorFlow's
    pad = tf.image.pad_to_bounding_box(img[:2, :2], 1, 0, 3, 3)
    assert pad.numpy()[..., 1].tolist() == [[0.0, 0.0, 0.0], [1.0, 3.0, 0.0], [7.0, 9.0, 0.0]]
    # a batch, offsets given as scalar Tensors (CutMix computes them with tf ops), dtype kept
    batch = np.arange(2 * 4 * 4 * 1, dtype=np.uint8).reshape(2, 4, 4, 1)
    c = tf.image.crop_to_bounding_box(batch, tf.constant(2), tf.constant(1), 2, 3)
    np.testing.assert_array_equal(c.numpy(), batch[:, 2:4, 1:4, :])
    assert c.numpy().dtype == np.uint8
    p = tf.image.pad_to_bounding_box(c, 1, 0, 4, 4).numpy()
    assert p.shape == (2, 4, 4, 1) and p.sum() == c.numpy().sum()
    np.testing.assert_array_equal(p[:, 1:3, 0:3, :], batch[:, 2:4, 1:4, :])


def test_crop_and_pad_out_of_bounds_raise_tensorflows_errors():
    img = np.zeros((4, 3, 2), np.float32)
    with pytest.raises(ValueError, match=r"height must be >= target \+ offset"):
        tf.image.crop_to_bounding_box(img, 3, 0, 2, 2)
    with pytest.raises(ValueError, match="width must be <= target - offset"):
        tf.image.pad_to_bounding_box(img, 0, 2, 4, 4)
    with pytest.raises(ValueError, match="3-D .* or 4-D"):
        tf.image.crop_to_bounding_box(np.zeros((4, 3)), 0, 0, 1, 1)


# ---- YAML (tensorflow/docs guide/keras/overview) ----

def test_yaml_model_descriptions_raise_keras2s_runtime_error():
    m = keras.Sequential([L.Dense(2, input_shape=(3,))])
    with pytest.raises(RuntimeError, match=r"^Method `model.to_yaml\(\)` has been removed due to "
                                           r"security risk of arbitrary code execution. Please "
                                           r"use `model.to_json\(\)` instead.$"):
        m.to_yaml()
    with pytest.raises(RuntimeError, match=r"^Method `model_from_yaml\(\)` has been removed"):
        keras.models.model_from_yaml("x")


# ---- a loss object called on NumPy arrays (tensorflow/docs quickstart/beginner) ----

def test_loss_object_on_numpy_returns_a_tensor():
    y, p = np.array([1]), np.array([[0.1, 0.5, 0.2]], "float32")
    v = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, p)
    assert isinstance(v, tf.Tensor) and v.shape == ()
    expected = -np.log(np.exp(0.5) / np.exp([0.1, 0.5, 0.2]).sum())  # -log softmax(p)[1]
    assert v.numpy().dtype == np.float32
    np.testing.assert_allclose(v.numpy(), expected, rtol=1e-6)  # Keras 2: 0.8800989
    per = keras.losses.MeanSquaredError(reduction="none")(np.zeros((2, 3)), np.ones((2, 3)))
    np.testing.assert_array_equal(per.numpy(), [1.0, 1.0])
    total = keras.losses.MeanSquaredError(reduction="sum")(np.zeros((2, 3)), np.ones((2, 3)))
    assert isinstance(total, tf.Tensor) and float(total.numpy()) == 2.0


# ---- pandas and functional dict inputs (tensorflow/docs load_data/pandas_dataframe) ----

def test_constant_of_a_pandas_series():
    t = tf.constant(pd.Series(np.array([1, 2], "int8")))
    assert t.numpy().dtype == np.int8 and t.numpy().tolist() == [1, 2]  # TensorFlow: int8


def test_stack_of_functional_inputs_records_an_op_layer():
    a, b = keras.Input(shape=(), name="a"), keras.Input(shape=(), name="b")
    x = tf.stack([a, b], axis=-1)
    assert tuple(x.shape) == (None, 2)  # Keras 2's
    m = keras.Model({"a": a, "b": b}, L.Dense(1, kernel_initializer="ones")(x))
    pred = m.predict({"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])}, verbose=0)
    assert pred.ravel().tolist() == [4.0, 6.0]  # a + b


# ---- gather_nd / tensor_scatter_nd_add (keras-io mnist_moe.py) ----

def test_gather_nd_values_and_gradient():
    params = tf.reshape(tf.range(24, dtype=tf.float32), (2, 3, 4))
    g = tf.gather_nd(params, [[0, 1], [1, 2]])
    assert g.numpy().tolist() == [[4.0, 5.0, 6.0, 7.0], [20.0, 21.0, 22.0, 23.0]]  # TF's
    v = tf.Variable(np.ones((3, 2), np.float32))
    with tf.GradientTape() as tape:
        out = tf.gather_nd(v, np.array([[[0, 1]], [[2, 0]], [[0, 1]]]))  # shape (3, 1)
        loss = tf.reduce_sum(out * tf.constant(np.array([[1.0], [2.0], [3.0]], np.float32)))
    assert out.shape == (3, 1)
    # d/dv[0,1] = 1 + 3 (picked twice), d/dv[2,0] = 2
    np.testing.assert_array_equal(tape.gradient(loss, v).numpy(), [[0, 4], [0, 0], [2, 0]])
    with pytest.raises(IndexError, match="gather_nd: index 3 on axis 0 is out of range"):
        tf.gather_nd(params, [[3, 0]])


def test_tensor_scatter_nd_add_values_and_gradients():
    out = tf.tensor_scatter_nd_add(tf.zeros((5,)), np.array([[1], [3], [1], [0]]), tf.ones((4,)))
    assert out.numpy().tolist() == [1.0, 2.0, 0.0, 1.0, 0.0]  # TensorFlow's
    base = tf.Variable(np.zeros((3, 4), np.float32))
    upd = tf.Variable(np.ones((2, 4), np.float32))
    w = tf.constant(np.arange(12, dtype=np.float32).reshape(3, 4))
    with tf.GradientTape(persistent=True) as tape:
        r = tf.tensor_scatter_nd_add(base, np.array([[2], [2]]), upd * 3.0)
        loss = tf.reduce_sum(r * w)
    np.testing.assert_array_equal(r.numpy(), [[0] * 4, [0] * 4, [6] * 4])
    np.testing.assert_array_equal(tape.gradient(loss, base).numpy(), w.numpy())  # identity
    # each update row lands on row 2: its gradient is 3 * w[2]
    np.testing.assert_array_equal(tape.gradient(loss, upd).numpy(), [[24, 27, 30, 33]] * 2)
    with pytest.raises(ValueError, match="updates must have shape"):
        tf.tensor_scatter_nd_add(tf.zeros((5,)), np.array([[1], [2]]), tf.ones((3,)))


# ---- an output mask in a tf.data fit / evaluate (DLwP2 ch. 11 part 4's GRU seq2seq) ----

def _masked_seq_model():
    tf.random.set_seed(0)
    past = keras.Input(shape=(None,), dtype="int64")
    y = L.Embedding(10, 4, mask_zero=True)(past)
    y = L.GRU(3, return_sequences=True)(y)
    out = L.Dense(10, activation="softmax")(y)
    m = keras.Model(past, out)
    m.compile("rmsprop", "sparse_categorical_crossentropy", metrics=["accuracy"])
    return m


def test_dataset_evaluate_masks_loss_and_metrics_like_arrays():
    m = _masked_seq_model()
    x = np.array([[1, 2, 3, 0], [4, 5, 0, 0]])
    t0 = np.array([[1, 2, 0, 0], [4, 0, 0, 0]])
    t1 = t0.copy()
    t1[x == 0] = 5  # other labels where the mask is off: Keras 2 ignores them
    p = m.predict(x, verbose=0)
    keep = x != 0
    # first principles: cross-entropy and argmax accuracy over the unmasked steps only
    ce = -np.log(np.take_along_axis(p, t0[..., None], -1)[..., 0])[keep].mean()
    acc = (p.argmax(-1) == t0)[keep].mean()
    for t in (t0, t1):
        arrays = m.evaluate(x, t, verbose=0)
        ds = m.evaluate(tf.data.Dataset.from_tensor_slices((x, t)).batch(2), verbose=0)
        np.testing.assert_allclose(arrays, [ce, acc], rtol=1e-5)
        np.testing.assert_allclose(ds, [ce, acc], rtol=1e-5)


def test_functional_output_carries_its_mask():
    m = _masked_seq_model()
    out = m(np.array([[1, 2, 0]]))
    # Keras 2: y_pred._keras_mask, what a train_step's compiled loss reads
    np.testing.assert_array_equal(np.asarray(out._keras_mask), [[True, True, False]])
    # a Loss object reads it too: the mean over the two unmasked steps
    y = np.array([[1, 2, 7]])
    pr = out.numpy()
    ce = -np.log([pr[0, 0, 1], pr[0, 1, 2]]).mean()
    np.testing.assert_allclose(keras.losses.SparseCategoricalCrossentropy()(y, out).numpy(), ce,
                               rtol=1e-5)


def test_sparse_labels_for_a_variable_length_output():
    # the output's time axis is None: (2, 4) labels fit (None, None, 10) (Keras 2 accepts them)
    m = _masked_seq_model()
    res = m.evaluate(np.array([[1, 2, 3, 0], [4, 5, 0, 0]]), np.zeros((2, 4), np.int64),
                     verbose=0)
    assert len(res) == 2 and np.isfinite(res).all()
