"""The dtype a layer's call() sees behind an Input, as tf_keras 2 gives it: a model casts each
input to its Input's dtype (an integer Input keeps integer ids, whatever numbers come in; a
float one gets float32), a custom layer sees integers as they are, and tensorforge's numeric
layers still get float32 (See Note [integer inputs] in engine/base_layer.py).

DTYPES was printed once by tools/gen_keras2_gap_refs.py (tf_keras 2.21): (Input dtype, data)
-> the dtype a custom layer's call() saw.
"""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras

DTYPES = {
    ('int32', 'int64'): 'int32',
    ('int32', 'int32'): 'int32',
    ('int32', 'float64'): 'int32',
    ('int32', 'predict'): 'int32',
    (None, 'int64'): 'float32',
    (None, 'int32'): 'float32',
    (None, 'float64'): 'float32',
    (None, 'predict'): 'float32',
    ('float64', 'int64'): 'float32',
    ('float64', 'int32'): 'float32',
    ('float64', 'float64'): 'float32',
    ('float64', 'predict'): 'float32',
    ('int64', 'int64'): 'int64',
    ('int64', 'int32'): 'int64',
    ('int64', 'float64'): 'int64',
    ('int64', 'predict'): 'int64',
    ('sequential', 'int64'): 'int64',
    ('sequential_int32', 'int64'): 'int32',
}
SEEN = []


class Spy(keras.layers.Layer):
    def call(self, x):
        SEEN.append(np.dtype(x.dtype).name)
        return tf.cast(x, "float32")


def seen(fn):
    del SEEN[:]
    fn()
    return SEEN[-1]


@pytest.mark.parametrize("input_dtype", ["int32", None, "float64", "int64"])
def test_model_call_and_predict_cast_to_the_input_dtype(input_dtype):
    inp = keras.Input(shape=(3,), dtype=input_dtype) if input_dtype else keras.Input(shape=(3,))
    m = keras.Model(inp, Spy()(inp))
    for x in (np.array([[1, 2, 3]]), np.array([[1, 2, 3]], np.int32), np.array([[1., 2, 3]])):
        assert seen(lambda: m(x)) == DTYPES[(input_dtype, x.dtype.name)]
    got = seen(lambda: m.predict(np.array([[1, 2, 3]]), verbose=0))
    assert got == DTYPES[(input_dtype, "predict")]


def test_sequential_takes_its_input_dtype_from_an_input_or_the_first_data():
    assert seen(lambda: keras.Sequential([Spy()])(np.array([[1, 2, 3]]))) == \
        DTYPES[("sequential", "int64")]
    seq = keras.Sequential([keras.Input(shape=(3,), dtype="int32"), Spy()])
    assert seen(lambda: seq(np.array([[1, 2, 3]]))) == DTYPES[("sequential_int32", "int64")]


def test_integer_ids_reach_embedding_and_numeric_layers_get_floats():
    ids = np.array([[3, 7]])
    inp = keras.Input(shape=(2,), dtype="int64")
    emb = keras.layers.Embedding(10, 1)
    model = keras.Model(inp, keras.layers.Dense(2)(keras.layers.Flatten()(emb(inp))))
    lookup = emb._ids
    emb._ids = lambda x: (SEEN.append(np.dtype(x.dtype).name), lookup(x))[1]
    assert seen(lambda: model(ids)) == "int64"  # the ids as given, not a float32 round trip
    inp = keras.Input(shape=(3,), dtype="int32")
    dense = keras.Model(inp, keras.layers.Dense(2, kernel_initializer="ones")(inp))
    y = dense(np.array([[1, 2, 3]]))  # Dense right behind the integer Input: float32 math
    assert np.dtype(y.dtype) == np.float32 and y.numpy().tolist() == [[6.0, 6.0]]
    dense.compile("sgd", "mse")
    hist = dense.fit(np.array([[1, 2, 3]]), np.zeros((1, 2), np.float32), verbose=0)
    assert hist.history["loss"] == [pytest.approx(36.0)]
    inp = keras.Input(shape=(3,), dtype="int32")
    lam = keras.Model(inp, keras.layers.Lambda(lambda t: t * 2)(inp))
    out = lam(np.array([[1, 2, 3]]))
    assert np.dtype(out.dtype) == np.int32 and out.numpy().tolist() == [[2, 4, 6]]


def test_a_lambda_behind_an_integer_input_is_built_on_integer_ids():
    # keras.io / Keras 2 programs one-hot their ids in a Lambda: the output shape is found by
    # running the function, which must see ints there too (it raised "indices must be integers")
    inp = keras.Input(shape=(3,), dtype="int32")
    hot = keras.layers.Lambda(lambda t: keras.backend.one_hot(t, 4))(inp)
    assert tuple(hot.shape) == (None, 3, 4)
    model = keras.Model(inp, hot)
    ids = np.array([[0, 3, 1]])
    assert model(ids).numpy().tolist() == [np.eye(4)[[0, 3, 1]].tolist()]


def test_integer_ids_times_a_python_float_are_float32_not_truncated():
    # int64(0.5) is 0: `ids * 0.5` once gave zeros and `ids > 0.5` compared with 0 (a custom
    # layer sees integer ids now). See Note [integer and float operands] in ops/basic.py.
    class Half(keras.layers.Layer):
        def call(self, x):
            return [x * 0.5, 0.5 * x, x + 0.25, 1.5 - x, x * 2, tf.greater(x, 0.5)]
    inp = keras.Input(shape=(3,), dtype="int32")
    ids = np.array([[0, 1, 3]])
    outs = [o.numpy() for o in keras.Model(inp, Half()(inp))(ids)]
    assert [o.dtype for o in outs[:4]] == [np.float32] * 4
    assert [o.tolist() for o in outs] == [[[0.0, 0.5, 1.5]], [[0.0, 0.5, 1.5]],
                                          [[0.25, 1.25, 3.25]], [[1.5, 0.5, -1.5]],
                                          [[0, 2, 6]], [[False, True, True]]]
    assert outs[4].dtype == np.int32  # an int stays in the ids' dtype


def test_integer_input_dtype_survives_a_keras_h5_round_trip(tmp_path):
    pytest.importorskip("h5py")
    from tensorforge import models
    inp = keras.Input(shape=(3,), dtype="int32")
    path = str(tmp_path / "ids.h5")
    keras.Model(inp, Spy()(inp)).save(path)
    seq = keras.Sequential([keras.Input(shape=(3,), dtype="int32"), keras.layers.Embedding(4, 2)])
    seq.save(str(tmp_path / "seq.h5"))
    assert np.dtype(models.load_model(str(tmp_path / "seq.h5")).inputs[0].dtype) == np.int32
    again = models.load_model(path, custom_objects={"Spy": Spy})
    assert seen(lambda: again(np.array([[1, 2, 3]]))) == DTYPES[("int32", "int64")]


# What a subclassed model's call() sees from fit / predict / evaluate, by the data's dtype
# (tf_keras 2.21, printed once with the same model: integers and booleans as given, floats as
# float32).
SUBCLASSED_DTYPES = {"int64": "int64", "int32": "int32", "float64": "float32", "bool": "bool"}


@pytest.mark.parametrize("data_dtype", sorted(SUBCLASSED_DTYPES))
def test_a_subclassed_model_gets_integer_data_as_given(data_dtype):
    seen = []

    class M(keras.Model):
        def __init__(self):
            super().__init__()
            self.d = keras.layers.Dense(1)

        def call(self, x):
            seen.append(np.dtype(x.dtype).name)
            return self.d(keras.backend.cast(x, "float32"))

    m = M()
    m.compile("sgd", "mse")
    x = (np.arange(8).reshape(4, 2) % 2).astype(data_dtype)
    y = np.zeros((4, 1), np.float32)
    m.fit(x, y, verbose=0, epochs=1, batch_size=4)
    m.predict(x, verbose=0)
    m.evaluate(x, y, verbose=0)
    assert seen and set(seen) == {SUBCLASSED_DTYPES[data_dtype]}
