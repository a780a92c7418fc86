"""The gaps the thirty-fourth corpus's programs revealed (lmoroney/dlaicourse, the DeepLearning.AI
TensorFlow course notebooks, tools/keras_corpus.md "Thirty-fourth corpus"). Figures marked
Keras 2's were printed by tools/keras_corpus34_refs.py under tf_keras 2.21; the others are
worked out in the test."""
import numpy as np

from tensorforge import keras

X = (np.arange(24, dtype="float32").reshape(6, 4) / 5.0)
GAMMA = np.array([1.0, 2.0, 0.5, -1.0], "float32")
BETA = np.array([0.0, 0.1, -0.2, 0.3], "float32")
MM = np.array([0.5, 1.0, 1.5, 2.0], "float32")
MV = np.array([1.0, 4.0, 0.25, 2.0], "float32")


def _bn():
    bn = keras.layers.BatchNormalization()
    bn.build((None, 4))
    bn.set_weights([GAMMA, BETA, MM, MV])
    return bn


# ---- a BatchNormalization set non-trainable runs in inference mode (the transfer-learning
#      notebook freezes InceptionV3, BatchNormalization layers and all, and trains a head on
#      it: tensorforge normalized with each batch's statistics and moved the frozen averages) ----

def test_frozen_batchnorm_uses_moving_statistics_in_training():
    bn = _bn()
    bn.trainable = False
    out = np.asarray(bn(X, training=True))
    # Keras 2's figures
    np.testing.assert_allclose(out[1], [0.2998501, 0.1, -0.4994018, 0.7241582], rtol=1e-5,
                               atol=1e-6)
    # worked out: the inference formula, every row
    np.testing.assert_allclose(out, (X - MM) / np.sqrt(MV + 1e-3) * GAMMA + BETA, rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_array_equal(bn.get_weights()[2], MM)
    np.testing.assert_array_equal(bn.get_weights()[3], MV)


def test_trainable_batchnorm_still_uses_batch_statistics():
    bn = _bn()
    bn.trainable = False
    bn.trainable = True  # unfreezing gives the training mode back
    out = np.asarray(bn(X, training=True))
    # Keras 2's figures
    np.testing.assert_allclose(out[1], [-0.8780749, -1.6561501, -0.6390375, 1.1780751],
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn.get_weights()[2], [0.515, 1.012, 1.509, 2.006], rtol=1e-6)


def test_frozen_base_under_a_trained_head():
    inp = keras.Input((4,))
    base = keras.Model(inp, _bn()(inp))
    for layer in base.layers:
        layer.trainable = False
    head = keras.layers.Dense(1, kernel_initializer=keras.initializers.Constant(0.25),
                              bias_initializer="zeros")
    model = keras.Model(base.input, head(base.output))
    model.compile(keras.optimizers.SGD(0.1), "mse")
    h = model.fit(X, np.ones((6, 1), "float32"), batch_size=6, epochs=2, verbose=0,
                  shuffle=False)
    # Keras 2's figures
    np.testing.assert_allclose(h.history["loss"], [0.6366118, 0.5728762], rtol=1e-5)
    np.testing.assert_array_equal(base.layers[1].get_weights()[2], MM)
    np.testing.assert_array_equal(base.layers[1].get_weights()[3], MV)
    np.testing.assert_allclose(model.predict(X[:1], verbose=0)[0], [0.0336256], rtol=1e-4)
    # the frozen layer's gamma / beta are not trained either
    np.testing.assert_array_equal(base.layers[1].get_weights()[0], GAMMA)
    np.testing.assert_array_equal(base.layers[1].get_weights()[1], BETA)
