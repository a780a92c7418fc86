"""Keras 2's (tf_keras') figures the tests in tests/test_corpus22.py hold, printed by running
the same computations under tf_keras 2.21. Run with the Keras 2 venv (tools/keras_parity.py's
oracle):

    /work/keras-venv/bin/python tools/keras_corpus22_refs.py

It writes nothing but a scratch folder it removes; the printed values were copied into the
tests. The programs are Gulli, Kapoor and Pal's "Deep Learning with TensorFlow 2 and Keras"
(tools/keras_corpus.md, "Twenty-second corpus").
"""
import os
import shutil
import tempfile
import warnings

import numpy as np
import tensorflow as tf
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)
rng = np.random.RandomState(22)
P0 = rng.normal(0, 0.5, (4, 3)).astype("float32")
Q0 = rng.normal(0, 0.5, (6, 3)).astype("float32")
R = rng.uniform(0, 1, (4, 6)).astype("float32")
X_SEQ = rng.randint(0, 5, (2, 3))
X_AE = rng.uniform(0, 1, (8, 6)).astype("float32")


# 1. ch. 7's MatrixFactorizationLayer: add_variable (add_weight's alias), weights sized by
#    the batch of a subclassed model's build((4, 6))
class MF(keras.layers.Layer):
    def build(self, input_shape):
        rows, cols = input_shape
        self.P = self.add_variable("P", shape=[rows, 3], dtype=tf.float32,
                                   initializer=keras.initializers.GlorotUniform)
        self.Q = self.add_variable("Q", shape=[cols, 3], dtype=tf.float32,
                                   initializer=keras.initializers.GlorotUniform)

    def call(self, x):
        return tf.matmul(self.P, tf.transpose(self.Q))


class MFModel(keras.Model):
    def __init__(self):
        super().__init__()
        self.mfl = MF()
        self.sigmoid = keras.layers.Activation("sigmoid")

    def call(self, x):
        return self.sigmoid(self.mfl(x))


with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    mf = MFModel()
    mf.build(input_shape=R.shape)
print("1. add_variable warns:", [str(w.message)[:40] for w in caught if "add_variable" in str(w.message)])
print("   weights:", [(w.name, tuple(w.shape)) for w in mf.layers[0].weights])
mf.layers[0].set_weights([P0, Q0])
print("   output[0]:", mf(R).numpy()[0])


# 2. a layer built by its first eager call sees the batch
class Shapes(keras.layers.Layer):
    def build(self, input_shape):
        self.seen = tuple(input_shape)

    def call(self, x):
        return x


s = Shapes()
s(np.zeros((5, 3), "float32"))
print("2. eager build shape:", s.seen)


# 3. ch. 8's CharGenModel: a stateful GRU in a subclassed model built for batches of 2
class Gen(keras.Model):
    def __init__(self):
        super().__init__()
        self.emb = keras.layers.Embedding(5, 4, embeddings_initializer="ones")
        self.rnn = keras.layers.GRU(3, stateful=True, return_sequences=True,
                                    kernel_initializer="ones", recurrent_initializer="zeros")
        self.out = keras.layers.Dense(2, kernel_initializer="ones")

    def call(self, x):
        return self.out(self.rnn(self.emb(x)))


g = Gen()
g.build(input_shape=(2, 3))
print("3. stateful states after build:", [np.asarray(v).tolist() for v in g.rnn.states])
y1 = g(X_SEQ).numpy()
y2 = g(X_SEQ).numpy()  # carried states
print("   first call [0, :, 0]:", y1[0, :, 0], "second call [0, :, 0]:", y2[0, :, 0])

# 4. TensorFlow-format load_weights into a model not built yet (restored when built)
tmp = tempfile.mkdtemp()
try:
    path = os.path.join(tmp, "ckpt", "model_epoch_1")
    g.save_weights(path)
    g2 = Gen()
    g2.load_weights(path)
    g2.build(input_shape=(1, 3))
    print("4. deferred restore equal:", all(np.array_equal(a, b) for a, b in
                                             zip(g.get_weights(), g2.get_weights())))

    # 5. ModelCheckpoint into a folder only TensorBoard's log_dir beneath it makes
    os.chdir(tmp)
    m = keras.Sequential([keras.layers.Dense(1, input_shape=(6,))])
    m.compile("sgd", "mse")
    m.fit(X_AE, X_AE[:, :1], epochs=1, verbose=0, validation_data=(X_AE, X_AE[:, :1]),
          callbacks=[keras.callbacks.ModelCheckpoint("data/best_model.h5", save_weights_only=True,
                                                     save_best_only=True),
                     keras.callbacks.TensorBoard(log_dir="data/logs")])
    print("5. checkpoint written:", os.path.exists("data/best_model.h5"),
          sorted(os.listdir("data/logs")))
finally:
    os.chdir("/")
    shutil.rmtree(tmp)

# 6. the DCGAN tutorial's two tapes over one forward pass
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
print("6. generator grads:", [v.numpy().ravel() for v in ga])
print("   discriminator grads:", [v.numpy().ravel() for v in da])
