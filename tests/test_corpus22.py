"""The gaps the twenty-second corpus's programs (Gulli, Kapoor and Pal's "Deep Learning with
TensorFlow 2 and Keras", tf.keras 2.0-era scripts and notebooks; tools/keras_corpus.md,
"Twenty-second corpus") revealed. Figures marked Keras 2's were printed by
tools/keras_corpus22_refs.py under tf_keras 2.21; the others are worked out in the test."""
import gc
import os
import warnings
import weakref

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras

rng = np.random.RandomState(22)  # the draws of tools/keras_corpus22_refs.py, in its order
P0 = rng.normal(0, 0.5, (4, 3)).astype("float32")
Q0 = rng.normal(0, 0.5, (6, 3)).astype("float32")
R = rng.uniform(0, 1, (4, 6)).astype("float32")
X_SEQ = rng.randint(0, 5, (2, 3))
X_AE = rng.uniform(0, 1, (8, 6)).astype("float32")


# ---- ch. 7's tf2_matrix_factorization.py: add_variable, weights sized by build's batch ----

class _MF(keras.layers.Layer):
    def build(self, input_shape):
        rows, cols = input_shape
        self.P = self.add_variable("P", shape=[rows, 3], dtype=tf.float32,
                                   initializer=keras.initializers.GlorotUniform)
        self.Q = self.add_variable("Q", shape=[cols, 3], dtype=tf.float32,
                                   initializer=keras.initializers.GlorotUniform)

    def call(self, x):
        return tf.matmul(self.P, tf.transpose(self.Q))


class _MFModel(keras.Model):
    def __init__(self):
        super().__init__()
        self.mfl = _MF()
        self.sigmoid = keras.layers.Activation("sigmoid")

    def call(self, x):
        return self.sigmoid(self.mfl(x))


def test_add_variable_warns_and_subclassed_build_keeps_the_stated_batch():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        mf = _MFModel()
        mf.build(input_shape=R.shape)
    assert sum("add_variable` is deprecated" in str(w.message) for w in caught) == 2
    # Keras 2's: [('mf/P:0', (4, 3)), ('mf/Q:0', (6, 3))]
    assert [tuple(w.shape) for w in mf.layers[0].weights] == [(4, 3), (6, 3)]
    assert [w.name.split("/")[-1] for w in mf.layers[0].weights] == ["P:0", "Q:0"]
    mf.layers[0].set_weights([P0, Q0])
    np.testing.assert_allclose(  # Keras 2's
        mf(R).numpy()[0], [0.3600824, 0.4975276, 0.733543, 0.5900894, 0.4610696, 0.5967316],
        rtol=1e-5)


def test_first_eager_call_builds_with_the_batch():
    class Shapes(keras.layers.Layer):
        def build(self, input_shape):
            self.seen = tuple(input_shape)

        def call(self, x):
            return x

    s = Shapes()
    s(np.zeros((5, 3), "float32"))
    assert s.seen == (5, 3)  # Keras 2's


def test_subclassed_build_runs_even_when_a_sublayer_is_built():
    # ch. 7's tf2_skipgram_model.py: its Sequential sub-models are built at construction
    # (Embedding(input_length=1)); build([(None, 5000)] * 2) must still run call, which fails
    # in Keras 2 too (the (None, 5000) word ids do not reshape to (300,))
    class Skip(keras.Model):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.word = keras.Sequential([keras.layers.Embedding(50, 4, input_length=1),
                                          keras.layers.Reshape((4,))])

        def call(self, inputs):
            word, context = inputs
            return self.word(word)

    with pytest.raises(ValueError, match="skip"):
        Skip(name="skip").build(input_shape=[(None, 50), (None, 50)])


# ---- ch. 8's alice_text_generator.py: a stateful GRU model, deferred load_weights ----

class _Gen(keras.Model):
    def __init__(self):
        super().__init__()
        self.emb = keras.layers.Embedding(5, 4, embeddings_initializer="ones")
        self.rnn = keras.layers.GRU(3, stateful=True, return_sequences=True,
                                    kernel_initializer="ones", recurrent_initializer="zeros")
        self.out = keras.layers.Dense(2, kernel_initializer="ones")

    def call(self, x):
        return self.out(self.rnn(self.emb(x)))


def test_stateful_model_built_for_its_batch_carries_states_from_zero():
    g = _Gen()
    g.build(input_shape=(2, 3))
    assert all(s is None or not np.any(np.asarray(s)) for s in g.rnn.states)
    y1, y2 = g(X_SEQ).numpy(), g(X_SEQ).numpy()
    np.testing.assert_allclose(y1[0, :, 0], [0.0539225, 0.1068752, 0.1588754], rtol=1e-5)
    np.testing.assert_allclose(y2[0, :, 0], [0.2099404, 0.2600869, 0.3093314], rtol=1e-5)


def test_load_weights_before_build_is_restored_when_built(tmp_path):
    g = _Gen()
    g.build(input_shape=(2, 3))
    g.out.set_weights([np.arange(6, dtype="float32").reshape(3, 2), np.ones(2, "float32")])
    path = str(tmp_path / "checkpoints" / "model_epoch_1")
    g.save_weights(path)
    g2 = _Gen()
    g2.load_weights(path)  # nothing to assign yet: Keras 2 restores when the weights exist
    g2.build(input_shape=(1, 3))
    assert len(g2.get_weights()) == len(g.get_weights())
    for a, b in zip(g.get_weights(), g2.get_weights()):
        np.testing.assert_array_equal(a, b)  # Keras 2's: all equal


def test_load_weights_before_build_checks_the_shapes_when_built(tmp_path):
    g = _Gen()
    g.build(input_shape=(2, 3))
    path = str(tmp_path / "w")
    g.save_weights(path)
    class Other(_Gen):
        def __init__(self):
            super().__init__()
            self.out = keras.layers.Dense(7)

    other = Other()
    other.load_weights(path)  # deferred: no weights yet
    with pytest.raises(ValueError, match="shape"):
        other.build((None, 3))


# ---- ch. 8's lstm_sentiment_analysis.py / gru_pos_tagger.py: checkpoint under the log dir ----

def test_tensorboard_makes_its_log_dir_at_train_begin(tmp_path, monkeypatch):
    pytest.importorskip("tensorboardX")
    monkeypatch.chdir(tmp_path)
    m = keras.Sequential([keras.layers.Dense(1, input_shape=(6,))])
    m.compile("sgd", "mse")
    m.fit(X_AE, X_AE[:, :1], epochs=1, verbose=0, validation_data=(X_AE, X_AE[:, :1]),
          callbacks=[keras.callbacks.ModelCheckpoint("data/best_model.h5",
                                                     save_weights_only=True, save_best_only=True),
                     keras.callbacks.TensorBoard(log_dir="data/logs")])
    assert os.path.exists("data/best_model.h5")  # Keras 2's: True, ['train', 'validation']
    assert sorted(os.listdir("data/logs")) == ["train", "validation"]


# ---- ch. 9's VanillaAutoEncoder: the losses a hand-written loop sums keep no graph ----

def test_a_tape_target_keeps_no_activations_after_its_gradient():
    dense = keras.layers.Dense(4)
    x = tf.constant(X_AE)
    with tf.GradientTape() as tape:
        hidden = dense(x)
        loss = tf.reduce_mean(tf.square(hidden - 1.0))
    probe = weakref.ref(hidden)
    grads = tape.gradient(loss, dense.trainable_variables)
    del hidden
    total = 0.0 + loss  # the notebook's epoch_loss += loss_values
    gc.collect()
    assert probe() is None  # the activation went with the freed graph
    assert [g.shape for g in grads] == [(6, 4), (4,)]
    np.testing.assert_allclose(float(total.numpy()), float(loss.numpy()))


def test_freed_tape_still_lists_its_watched_variables():
    v = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = v * v
    assert float(tape.gradient(y, v).numpy()) == 6.0
    assert [w is v for w in tape.watched_variables()] == [True]


# ---- ch. 6's DCGAN: two tapes over one forward pass ----

def test_two_tapes_sharing_a_graph_each_get_their_gradients():
    gen = keras.Sequential([keras.layers.Dense(4, input_shape=(3,), kernel_initializer="ones")])
    disc = keras.Sequential([keras.layers.Dense(1, input_shape=(4,), kernel_initializer="ones")])
    x = np.ones((2, 3), "float32")
    real = np.full((2, 4), 2.0, "float32")
    with tf.GradientTape() as gt, tf.GradientTape() as dt:
        fake_out = disc(gen(x, training=True), training=True)
        real_out = disc(real, training=True)
        g_loss = tf.reduce_mean(fake_out)
        d_loss = tf.reduce_mean(real_out) - tf.reduce_mean(fake_out)
    ga = gt.gradient(g_loss, gen.trainable_variables)
    da = dt.gradient(d_loss, disc.trainable_variables)
    # by hand (and Keras 2's): d g_loss / d gen kernel = mean over the batch of x = 1, bias 1;
    # d d_loss / d disc kernel = mean(real) - mean(gen(x)) = 2 - 3 = -1, bias 1 - 1 = 0
    np.testing.assert_allclose(ga[0].numpy(), np.ones((3, 4)))
    np.testing.assert_allclose(ga[1].numpy(), np.ones(4))
    np.testing.assert_allclose(da[0].numpy(), -np.ones((4, 1)))
    np.testing.assert_allclose(da[1].numpy(), [0.0])
    with pytest.raises(RuntimeError, match="once"):
        gt.gradient(g_loss, gen.trainable_variables)
