"""The gaps the twenty-sixth corpus's programs revealed (keras-io's structured-data, time-series,
audio, recipe and graph examples, tools/keras_corpus.md "Twenty-sixth corpus"). Figures marked
TensorFlow's / Keras 2's were printed by tools/keras_corpus26_refs.py under TensorFlow 2.21 /
tf_keras 2.21; the others are worked out in the test."""
import copy
import pickle

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.keras import layers


# ---- tf.matmul: a non-tensor b takes a's dtype (deep_neural_decision_forests.py's
#      ``tf.matmul(features, one_hot[idx], transpose_b=True)``, a float64 NumPy mask) ----

A = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]


@pytest.mark.parametrize("b,kw,want", [
    (lambda: np.eye(3)[[2, 0]], dict(transpose_b=True), [[3.0, 1.0], [6.0, 4.0]]),  # TF's
    (lambda: np.arange(6, dtype=np.int64).reshape(3, 2), {}, [[16.0, 22.0], [34.0, 49.0]]),
    (lambda: [[1, 0], [0, 1], [1, 1]], {}, [[4.0, 5.0], [10.0, 11.0]]),
])
def test_matmul_array_takes_the_tensor_dtype(b, kw, want):
    r = tf.matmul(tf.constant(A), b(), **kw)
    assert np.dtype(r.dtype) == np.float32
    np.testing.assert_allclose(r.numpy(), want)


def test_matmul_hint_keeps_the_gradient():
    a = tf.Variable(np.ones((2, 3), np.float32))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.matmul(a, np.eye(3)[[2, 0]], transpose_b=True))
    np.testing.assert_allclose(tape.gradient(y, a).numpy(), [[1, 0, 1], [1, 0, 1]])


@pytest.mark.parametrize("a,b", [
    (lambda: tf.constant(A), lambda: tf.constant(np.eye(3))),   # TensorFlow: both refused
    (lambda: np.eye(2), lambda: tf.constant(A)),
])
def test_matmul_mixed_float_tensors_refused(a, b):
    with pytest.raises(tf.errors.InvalidArgumentError, match="MatMul"):
        tf.matmul(a(), b())


# ---- list / dict attributes filled after assignment are tracked (memory_efficient_embeddings
#      MDEmbedding's block encoders, the decision forest's ``self.ensemble = []`` of trees) ----

class _Blocks(layers.Layer):
    def __init__(self):
        super().__init__()
        self.encoders = []
        self.projectors = list()
        self.by_name = dict()
        for _ in range(2):
            self.encoders.append(layers.Embedding(5, 3))
            self.projectors.append(layers.Dense(4))
        self.by_name["head"] = layers.Dense(2)
        self.extra = []
        self.extra.extend([layers.Dense(2)])
        self.extra += [layers.Dense(2)]

    def call(self, x):
        y = self.projectors[0](self.encoders[0](x)) + self.projectors[1](self.encoders[1](x))
        y = self.by_name["head"](y)
        return self.extra[1](self.extra[0](y))


def test_list_and_dict_attributes_track_later_layers():
    inp = keras.Input(shape=(), dtype="int64")
    m = keras.Model(inp, _Blocks()(inp))
    assert m.count_params() == 84 and len(m.trainable_weights) == 12  # Keras 2's
    # 2 x (5*3) + 2 x (3*4 + 4) + (4*2 + 2) + 2 x (2*2 + 2) = 84


def test_tracked_list_layers_train():
    class Forest(keras.Model):
        def __init__(self):
            super().__init__()
            self.ensemble = []
            for _ in range(3):
                self.ensemble.append(layers.Dense(1))

        def call(self, x):
            return tf.add_n([t(x) for t in self.ensemble]) / 3.0

    m = Forest()
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    x = np.ones((8, 2), np.float32)
    m.predict(x, verbose=0)
    before = [w.numpy().copy() for w in m.trainable_weights]
    assert len(before) == 6
    m.fit(x, np.full((8, 1), 5.0, np.float32), epochs=1, batch_size=8, verbose=0)
    assert all(not np.allclose(b, w.numpy()) for b, w in zip(before, m.trainable_weights))


def test_tracking_containers_stay_plain_containers():
    blk = _Blocks()
    assert isinstance(blk.encoders, list) and isinstance(blk.by_name, dict)
    assert blk.encoders == blk.encoders[:] and list(blk.by_name) == ["head"]
    blk(np.zeros((2,), np.int64))
    assert len(copy.deepcopy(blk).weights) == len(blk.weights) == 12
    back = pickle.loads(pickle.dumps(blk))  # pickle restores the items before the owner
    assert len(back.weights) == 12
    back.extra.append(layers.Dense(2))
    assert back.extra._owner is back and len(back._sublayers()) == 8


# ---- a StringLookup(num_oov_indices=0) inside a custom layer on a symbolic string input
#      (memory_efficient_embeddings QREmbedding): the stand-in b"" is not an OOV error ----

class _QR(layers.Layer):
    def __init__(self):
        super().__init__()
        self.lookup = layers.StringLookup(vocabulary=["a", "b", "c"], mask_token=None,
                                          num_oov_indices=0)
        self.q = layers.Embedding(2, 4)

    def call(self, x):
        return self.q(tf.math.floordiv(self.lookup(x), 2))


def test_lookup_in_a_custom_layer_builds_symbolically():
    inp = keras.Input(shape=(), dtype="string")
    out = _QR()(inp)
    assert tuple(out.shape) == (None, 4)  # Keras 2's
    assert tuple(keras.Model(inp, out)(tf.constant(["c"])).shape) == (1, 4)


def test_lookup_oov_still_an_error_on_real_values():
    lookup = layers.StringLookup(vocabulary=["a"], mask_token=None, num_oov_indices=0)
    with pytest.raises(ValueError, match="OOV values \\['z'\\]"):
        lookup(tf.constant(["z"]))


# ---- tf.experimental.numpy (tensorflow_numpy_models.py) ----

import tensorforge.experimental.numpy as tnp  # noqa: E402

_A = np.arange(6, dtype=np.float32).reshape(2, 3)


@pytest.mark.parametrize("fn,want", [                           # TensorFlow NumPy's
    (lambda: tnp.matmul(_A, np.ones(3, np.float32)), [3.0, 12.0]),
    (lambda: tnp.matmul(np.ones(2, np.float32), _A), [3.0, 5.0, 7.0]),
    (lambda: tnp.dot(np.arange(3.0), np.arange(3.0)), 5.0),
    (lambda: tnp.mean(_A, axis=0, keepdims=True), [[1.5, 2.5, 3.5]]),
    (lambda: tnp.sum(_A), 15.0),
    (lambda: tnp.max(_A, axis=1), [2.0, 5.0]),
    (lambda: tnp.maximum(_A - 2.5, 0.0), [[0, 0, 0], [0.5, 1.5, 2.5]]),
    (lambda: tnp.clip(_A, 1.0, 4.0), [[1, 1, 2], [3, 4, 4]]),
    (lambda: tnp.argmax(_A), 5),
])
def test_tnp_functions(fn, want):
    np.testing.assert_allclose(np.asarray(fn()), want)


def test_tnp_shapes_and_names():
    tnp.experimental_enable_numpy_behavior()
    assert tuple(tnp.transpose(_A).shape) == (3, 2)
    assert tuple(tnp.concatenate([_A, _A]).shape) == (4, 3)
    assert tf.experimental.numpy is tnp
    with pytest.raises(ValueError, match="tnp.matmul"):
        tnp.matmul(np.float32(2.0), _A)


def test_tnp_layer_gradient():
    w = tf.Variable(np.ones((3, 2), np.float32))
    with tf.GradientTape() as tape:
        y = tnp.sum(tnp.mean(tnp.square(tnp.maximum(tnp.matmul(_A, w) - 5.0, 0.0)), axis=0))
    # rows of A @ w: [3, 3], [12, 12]; only the second passes: d/dw = 2 * 7 / 2 * A[1]
    np.testing.assert_allclose(tape.gradient(y, w).numpy(), [[21, 21], [28, 28], [35, 35]])


# ---- a loss function returning shape (1,) (tnp_mse: a mean over axis 0) is reduced to a
#      scalar, as Keras 2's sum-over-batch-size reduction does ----

def test_loss_of_shape_one_is_reduced():
    def tnp_mse(y_true, y_pred):
        return tnp.mean(tnp.square(y_true - y_pred), axis=0)

    m = keras.Sequential([layers.Dense(1, kernel_initializer="ones", input_shape=(2,))])
    m.compile(optimizer=keras.optimizers.SGD(0.01), loss=tnp_mse)
    x = np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0], [0.0, 1.0]], np.float32)
    y = np.array([1.0, 0.0, 3.0, 2.0], np.float32)
    np.testing.assert_allclose(m.evaluate(x, y, verbose=0), 1.5625, rtol=1e-6)  # Keras 2's
    h = m.fit(x, y, batch_size=4, epochs=1, verbose=0)
    np.testing.assert_allclose(h.history["loss"], [1.5625], rtol=1e-6)
    np.testing.assert_allclose(m.get_weights()[0].ravel(), [1.00125, 0.9825], rtol=1e-5)
    np.testing.assert_allclose(m.get_weights()[1], [0.0025], rtol=1e-4)


# ---- the elementwise tf.strings ops keep a RaggedTensor's rows (movielens_recommendations_
#      transformers.py: ``tf.strings.to_number(tf.strings.split(batch, ","), ...).to_tensor()``) ----

def test_to_number_of_a_ragged_split():
    r = tf.strings.to_number(tf.strings.split(tf.constant(["1,2.5,3", "4"]), ","), tf.float32)
    assert type(r).__name__ == "RaggedTensor" and np.dtype(r.dtype) == np.float32  # TF's
    np.testing.assert_allclose(r.to_tensor().numpy(), [[1.0, 2.5, 3.0], [4.0, 0.0, 0.0]])


def test_string_ops_on_ragged_rows():
    r = tf.strings.lower(tf.strings.split(tf.constant(["A B", "C"])))
    assert r.to_list() == [[b"a", b"b"], [b"c"]]                     # TensorFlow's
    n = tf.strings.length(tf.strings.split(tf.constant(["ab c", "def"])))
    assert n.to_list() == [[2, 1], [3]]
