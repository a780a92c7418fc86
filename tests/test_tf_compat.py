"""The TensorFlow 2 names on ``tensorforge`` (tf_compat.py, reached lazily) and
tensorforge.data.Dataset (tf_data.py)."""
import os
import subprocess
import sys

import numpy as np
import pytest

import tensorforge as tf


def test_names_are_lazy_and_do_not_clutter_the_package():
    # in a fresh interpreter: another test's `from tensorforge.data import Dataset` (a namespace
    # imported as a module, _tf_modules.py) rightly binds tensorforge.data, as any submodule import
    code = ("import tensorforge as tf; "
            "print(sorted({'reduce_mean', 'GradientTape', 'data', 'concat'} & set(vars(tf))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
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


def test_dataset_shuffle_seed_and_reshuffle_each_iteration():
    """TensorFlow's rules: reshuffle_each_iteration (the default) gives a new order every pass,
    repeatable from run to run when a seed is given; False gives one order for every pass.
    (Before, a seed froze the order with reshuffle on, and varied it with reshuffle off.)"""
    y = np.arange(40)

    def passes(ds, n=3):
        return [list(ds.as_numpy_iterator()) for _ in range(n)]

    seeded = passes(tf.data.Dataset.from_tensor_slices(y).shuffle(40, seed=3))
    assert seeded[0] != seeded[1] and seeded[1] != seeded[2]
    assert all(sorted(p) == list(y) for p in seeded)
    assert seeded == passes(tf.data.Dataset.from_tensor_slices(y).shuffle(40, seed=3))
    for seed in (3, None):
        frozen = passes(tf.data.Dataset.from_tensor_slices(y).shuffle(
            40, seed=seed, reshuffle_each_iteration=False))
        assert frozen[0] == frozen[1] == frozen[2] and frozen[0] != list(y)


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


def _tf_data_refs():
    import json
    import pathlib
    return json.loads((pathlib.Path(__file__).parent / "data" / "tf_data_refs.json").read_text())


def _ragged():
    for n in (3, 1, 4, 2, 5):
        yield list(range(1, n + 1)), n


def test_dataset_generator_padding_repeat_and_cardinality_as_tf_data():
    """Expected figures from tf.data (tools/gen_tf_data_refs.py)."""
    ref, D = _tf_data_refs(), tf.data.Dataset
    sig = (tf.TensorSpec(shape=(None,), dtype=tf.int32), tf.TensorSpec(shape=(), dtype=tf.int64))
    gen = D.from_generator(_ragged, output_signature=sig)
    got = [[b[0].numpy().tolist(), b[1].numpy().tolist()] for b in gen.padded_batch(2)]
    assert got == ref["padded"]
    got = [[b[0].numpy().tolist(), b[1].numpy().tolist()]
           for b in gen.padded_batch(2, padded_shapes=([6], []), padding_values=(-1, 0),
                                     drop_remainder=True)]
    assert got == ref["padded_shape_value"]
    assert [t.dtype.name for t in next(iter(gen))] == ref["generator_dtypes"]
    assert list(gen.as_numpy_iterator())[2][1] == 4  # called anew on each iteration
    xs = D.range(5)
    assert [int(v) for v in xs.repeat().take(12)] == ref["repeat_take"]
    assert [[int(i), int(v)] for i, v in xs.skip(2).enumerate(start=10)] == ref["enumerate"]
    card = {"slices": D.from_tensor_slices(np.arange(10)),
            "repeat": D.from_tensor_slices(np.arange(10)).repeat(),
            "repeat3": D.from_tensor_slices(np.arange(10)).repeat(3),
            "repeat_batch": D.from_tensor_slices(np.arange(10)).repeat().batch(4),
            "repeat_take": D.from_tensor_slices(np.arange(10)).repeat().take(7),
            "repeat_skip": D.from_tensor_slices(np.arange(10)).repeat().skip(7),
            "generator": gen,
            "generator_take": gen.take(3),
            "filter": D.from_tensor_slices(np.arange(10)).filter(lambda v: v > 3),
            "filter_repeat": D.from_tensor_slices(np.arange(10)).repeat().filter(lambda v: v > 3),
            "zip_finite_infinite": D.zip((D.range(4), D.range(9).repeat())),
            "concat_infinite": D.range(4).concatenate(D.range(3).repeat()),
            "empty_repeat": D.range(0).repeat(),
            "padded": gen.padded_batch(2)}
    assert {k: int(d.cardinality()) for k, d in card.items()} == ref["cardinality"]
    assert list(D.range(0).repeat()) == []  # an endless repeat of nothing ends
    with pytest.raises(TypeError, match="infinite"):
        len(card["repeat"])


def test_dataset_from_generator_bad_input():
    D = tf.data.Dataset
    with pytest.raises(TypeError, match="callable"):
        D.from_generator(_ragged(), output_signature=tf.TensorSpec((None,), tf.int32))
    with pytest.raises(TypeError, match="output_signature"):
        D.from_generator(_ragged)
    bad = D.from_generator(_ragged, output_signature=(tf.TensorSpec((2,), tf.int32),
                                                      tf.TensorSpec((), tf.int64)))
    with pytest.raises(ValueError, match=r"shape \(3,\), expected \(2,\)"):
        list(bad)
    old = D.from_generator(_ragged, output_types=(tf.int32, tf.int64),
                           output_shapes=((None,), ()))
    assert [e[1] for e in old.as_numpy_iterator()] == [3, 1, 4, 2, 5]
    with pytest.raises(ValueError, match="does not fit the padded shape"):
        list(D.from_generator(_ragged, output_signature=(
            tf.TensorSpec((None,), tf.int32), tf.TensorSpec((), tf.int64))).padded_batch(
                2, padded_shapes=([2], [])))


class _Spy(tf.keras.Model):
    seen = []

    def train_step(self, data):
        self.seen.append(int(data[0].numpy()[0, 0]))
        return {}


@pytest.mark.parametrize("key,repeat,kw", [
    ("endless", True, dict(steps_per_epoch=3, epochs=3)),
    ("longer", False, dict(steps_per_epoch=3, epochs=3)),
    ("exact", False, dict(steps_per_epoch=5, epochs=2))])
def test_fit_keeps_one_dataset_iterator_across_epochs_as_tf_keras(key, repeat, kw):
    """steps_per_epoch on an endless (or longer) dataset: the next epoch continues where the
    last stopped; a dataset that runs out stops training (tf_keras' figures)."""
    ref = _tf_data_refs()["fit_" + key]
    x = np.arange(20, dtype=np.float32).reshape(20, 1)
    ds = tf.data.Dataset.from_tensor_slices((x, np.zeros((20, 1), np.float32))).batch(4)
    inp = tf.keras.Input((1,))
    m = _Spy(inp, tf.keras.layers.Dense(1)(inp))
    m.compile()
    _Spy.seen = []
    if ref["seen"] != [0, 4, 8, 12, 16] * 2 and not repeat:
        with pytest.warns(RuntimeWarning, match="ran out of data"):
            h = m.fit(ds, verbose=0, **kw)
    else:
        h = m.fit(ds.repeat() if repeat else ds, verbose=0, **kw)
    assert _Spy.seen == ref["seen"] and len(h.epoch) == ref["epochs_run"]


def test_fit_on_an_endless_dataset_needs_steps_per_epoch():
    x = np.zeros((8, 1), np.float32)
    m = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(1,))])
    m.compile("sgd", "mse")
    with pytest.raises(ValueError, match=_tf_data_refs()["fit_endless_no_steps"]):
        m.fit(tf.data.Dataset.from_tensor_slices((x, x)).batch(4).repeat(), epochs=1, verbose=0)
    h = m.fit(tf.data.Dataset.from_tensor_slices((x, x)).batch(4).repeat(), epochs=2,
              steps_per_epoch=3, verbose=0)
    assert len(h.history["loss"]) == 2


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


# TensorFlow 2.21's dtypes, printed by tools/gen_tf_scalar_dtype_refs.py: a NumPy float scalar keeps
# its dtype (np.float64 subclasses Python float, which gives float32), and a list takes its first
# element's (convert_to_tensor, constant, fill)
@pytest.mark.parametrize("value,conv,const,fill", [
    (np.float64(1.5), 'float64', 'float64', 'float64'),
    ([np.float64(1.5)], 'float64', 'float64', None),
    (np.float16(1.5), 'float16', 'float16', 'float16'),
    (np.float32(2), 'float32', 'float32', 'float32'),
    ([1.5, 2.0], 'float32', 'float32', None),
    (np.int64(3), 'int64', 'int64', 'int64'),
    ([np.int64(3)], 'int32', 'int32', None),
    (np.bool_(True), 'bool', 'bool', 'bool'),
    (1.5, 'float32', 'float32', 'float32'),
    ([1.5, np.float64(2.0)], 'float32', 'float32', None),
    ([np.float64(2.0), 1.5], 'float64', 'float64', None),
    ([np.float32(1), np.float64(2)], 'float32', 'float32', None),
    ([[np.float64(1)], [np.float64(2)]], 'float64', 'float64', None),
    ((np.float64(1),), 'float64', 'float64', None),
])
def test_numpy_scalar_dtypes_as_tensorflow(value, conv, const, fill):
    assert tf.convert_to_tensor(value).dtype.name == conv
    assert tf.constant(value).dtype.name == const
    if fill is not None:
        t = tf.fill([2], value)
        assert t.dtype.name == fill
        np.testing.assert_array_equal(t.numpy(), np.full(2, value))
    np.testing.assert_array_equal(tf.convert_to_tensor(value).numpy(), np.asarray(value, dtype=conv))


def test_tf_random_set_seed_leaves_numpys_state_alone():
    # TensorFlow's set_seed seeds TensorFlow only: a program's np.random.seed(7) stream goes on
    np.random.seed(7)
    want = np.random.RandomState(7).rand(3)
    tf.random.set_seed(42)
    np.testing.assert_array_equal(np.random.rand(3), want)
    a = tf.random.uniform((4,)).numpy()
    tf.random.set_seed(42)
    np.testing.assert_array_equal(tf.random.uniform((4,)).numpy(), a)
    # keras.utils.set_random_seed seeds NumPy's too, as Keras 2's
    tf.keras.utils.set_random_seed(7)
    np.testing.assert_array_equal(np.random.rand(3), want)
