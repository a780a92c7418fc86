"""The TensorFlow 2 names on ``tensorforge`` (tf_compat.py, reached lazily) and
tensorforge.data.Dataset (tf_data.py)."""
import numpy as np
import pytest

import tensorforge as tf


def test_names_are_lazy_and_do_not_clutter_the_package():
    assert not {"reduce_mean", "GradientTape", "data", "concat"} & set(vars(tf))
    assert tf.reduce_mean is tf.math.reduce_mean
    assert tf.float32 == np.float32 and tf.bool == np.bool_
    with pytest.raises(AttributeError):
        tf.no_such_op


def test_ops_against_numpy():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((3, 4)).astype(np.float32)
    b = rng.standard_normal((4, 2)).astype(np.float32)
    np.testing.assert_allclose(tf.matmul(a, b).numpy(), a @ b, rtol=1e-5)
    np.testing.assert_allclose(tf.matmul(a, a, transpose_b=True).numpy(), a @ a.T, rtol=1e-5)
    np.testing.assert_allclose(tf.reduce_sum(a, axis=1).numpy(), a.sum(1), rtol=1e-5)
    np.testing.assert_allclose(tf.reduce_mean(a, axis=[0], keepdims=True).numpy(),
                               a.mean(0, keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(tf.concat([a, a], axis=0).numpy(), np.concatenate([a, a]))
    assert tf.shape(a).numpy().tolist() == [3, 4] and int(tf.shape(a)[0]) == 3
    assert tf.ones((2, int(tf.shape(a)[1]))).shape == (2, 4)
    assert tf.random.normal(shape=(tf.shape(a)[0], 5)).shape == (3, 5)
    u = tf.random.uniform(tf.shape(a)).numpy()
    assert u.shape == (3, 4) and (u >= 0).all() and (u < 1).all()
    z = rng.random((3, 4)).astype(np.float32)
    want = np.maximum(a, 0) - a * z + np.log1p(np.exp(-np.abs(a)))
    np.testing.assert_allclose(tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=a).numpy(),
                               want, rtol=1e-5, atol=1e-6)
    assert tf.cast(tf.constant([1.7, 2.2]), tf.int32).numpy().tolist() == [1, 2]
    assert tf.convert_to_tensor([1.0, 2.0]).dtype == np.float32


def test_function_is_a_passthrough():
    def f(x):
        return x + 1

    assert tf.function(f) is f
    assert tf.function(jit_compile=True)(f) is f


def test_dataset_batching_and_iteration():
    x = np.arange(10, dtype=np.float64).reshape(10, 1)
    y = np.arange(10)
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)
    batches = list(ds)
    assert len(ds) == 3 and [b[0].shape for b in batches] == [(4, 1), (4, 1), (2, 1)]
    assert batches[0][0].dtype == np.float32 and batches[0][1].dtype == y.dtype
    np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in batches]), y)
    assert len(tf.data.Dataset.from_tensor_slices(x).batch(4, drop_remainder=True)) == 2
    assert [int(b[1].numpy()[0]) for b in ds.take(2)] == [0, 4]
    sq = tf.data.Dataset.from_tensor_slices(y).map(lambda t: t * 2).batch(10)
    np.testing.assert_array_equal(next(iter(sq)).numpy(), y * 2)
    d = tf.data.Dataset.from_tensor_slices({"a": x, "b": y}).batch(5).prefetch(tf.data.AUTOTUNE)
    first = next(iter(d))
    assert set(first) == {"a", "b"} and first["a"].shape == (5, 1)


def test_dataset_shuffle_is_a_fresh_permutation_each_pass():
    y = np.arange(100)
    ds = tf.data.Dataset.from_tensor_slices(y).shuffle(buffer_size=100).batch(100)
    a, b = next(iter(ds)).numpy(), next(iter(ds)).numpy()
    assert sorted(a.tolist()) == y.tolist() and sorted(b.tolist()) == y.tolist()
    assert a.tolist() != y.tolist() and a.tolist() != b.tolist()
    small = list(tf.data.Dataset.from_tensor_slices(y).shuffle(buffer_size=1).as_numpy_iterator())
    assert small == y.tolist()  # a one-element buffer keeps the order, as tf.data


def test_dataset_bad_input():
    with pytest.raises(ValueError, match="first dimension"):
        tf.data.Dataset.from_tensor_slices((np.ones(3), np.ones(4)))
    with pytest.raises(ValueError, match="batch_size"):
        tf.data.Dataset.from_tensor_slices(np.ones(3)).batch(0)


def test_tf_dtype_enum_and_metric_call_forms():
    assert tf.zeros(1, 1).dtype == np.float32 and tf.zeros(2, 3).dtype == np.int32
    with pytest.raises(TypeError, match="dtype"):
        tf.zeros(2, 1234)
    m = tf.keras.metrics.Mean()
    m(2.0)
    assert m(4.0) == 3.0  # tf.keras' loss_metric(loss)
    acc = tf.keras.metrics.SparseCategoricalAccuracy()
    assert acc(np.array([1, 0]), np.array([[0.2, 0.8], [0.3, 0.7]])) == 0.5
    kept = tf.nn.dropout(tf.ones((200, 50)), rate=0.5).numpy()
    assert set(np.unique(kept).tolist()) <= {0.0, 2.0} and 0.4 < (kept > 0).mean() < 0.6


def test_variables_assigned_to_a_layer_are_its_weights():
    from tensorforge import keras

    class Linear(keras.layers.Layer):
        def __init__(self, units, input_dim):
            super().__init__()
            self.w = tf.Variable(initial_value=tf.random_normal_initializer(stddev=0.5)(
                shape=(input_dim, units), dtype="float32"), trainable=True)
            self.b = tf.Variable(initial_value=tf.zeros_initializer()(shape=(units,)),
                                 trainable=True)
            self.count = tf.Variable(tf.zeros((1,)), trainable=False)

        def call(self, inputs):
            self.count.assign_add(tf.ones((1,)))
            return tf.matmul(inputs, self.w) + self.b

    layer = Linear(3, 2)
    assert layer.weights == [layer.w, layer.b, layer.count]
    assert layer.trainable_weights == [layer.w, layer.b]
    assert layer.non_trainable_weights == [layer.count]
    x = np.ones((4, 2), np.float32)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(x))
    gw, gb = tape.gradient(loss, layer.trainable_weights)
    np.testing.assert_allclose(gw.numpy(), np.full((2, 3), 4.0))
    np.testing.assert_allclose(gb.numpy(), np.full((3,), 4.0))
    assert float(layer.count.numpy()[0]) == 1.0
