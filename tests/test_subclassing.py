"""Subclassed models and custom layers the Keras 2 way: layers tracked as attributes (also in
lists), custom Layer with build / add_weight / call / get_config, add_loss (tensor, callable, and
on graph tensors as the Keras 2 VAE writes it), call signatures without training/mask, custom
losses on tensor ops, the GAN trainable toggle, and saving custom layers via custom_objects.

Expected Keras 2 behaviour (summary text, metrics_names, trainable semantics) was printed by
tools/keras_model_oracle.py / keras_model_oracle2.py (tf_keras 2.21) and pasted here."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import layers as L
from tensorforge.models import Model, Sequential, load_model
from tensorforge.ops import basic as B
from tensorforge.optimizers import SGD
from tensorforge.utils import set_random_seed


class MyModel(Model):
    def __init__(self):
        super().__init__(name="my_model")
        self.d1 = L.Dense(8, activation="relu", name="d1")
        self.blocks = [L.Dense(8, activation="relu", name=f"block{i}") for i in range(2)]
        self.out = L.Dense(3, activation="softmax", name="probs")

    def call(self, inputs, training=None):
        x = self.d1(inputs)
        for b in self.blocks:
            x = b(x)
        return self.out(x)


class Scale(L.Layer):
    """y = x * w (one weight per feature) with a penalty 0.5 * sum(w^2) added in call."""

    def __init__(self, penalty=0.5, **kwargs):
        super().__init__(**kwargs)
        self.penalty = penalty

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="w",
                                 dtype="float32")

    def call(self, inputs):  # no training / mask: Keras inspects the signature
        self.add_loss(self.penalty * B.sum(self.w * self.w))
        return inputs * self.w

    def get_config(self):
        cfg = super().get_config()
        cfg["penalty"] = self.penalty
        return cfg


SUBCLASSED_SUMMARY = [
    'Model: "my_model"',
    "_________________________________________________________________",
    " Layer (type)                Output Shape              Param #   ",
    "=================================================================",
    " d1 (Dense)                  multiple                  48        ",
    "                                                                 ",
    " block0 (Dense)              multiple                  72        ",
    "                                                                 ",
    " block1 (Dense)              multiple                  72        ",
    "                                                                 ",
    " probs (Dense)               multiple                  27        ",
    "                                                                 ",
    "=================================================================",
    "Total params: 219 (876.00 Byte)",
    "Trainable params: 219 (876.00 Byte)",
    "Non-trainable params: 0 (0.00 Byte)",
    "_________________________________________________________________",
]


def test_subclassed_model_tracks_layers_trains_and_summarizes():
    set_random_seed(0)
    m = MyModel()
    assert [l.name for l in m.layers] == ["d1", "block0", "block1", "probs"]
    assert m.weights == []  # built on the first call, as Keras
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x, y = rng.random((64, 5)).astype(np.float32), rng.integers(0, 3, 64)
    h = m.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert len(m.weights) == 8 and len(m.trainable_weights) == 8
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert m.metrics_names == ["loss", "accuracy"]
    assert m.predict(x[:3]).shape == (3, 3)
    out = []
    m.summary(print_fn=out.append)
    assert out == SUBCLASSED_SUMMARY
    r = m.train_on_batch(x[:8], y[:8])
    assert isinstance(r, list) and len(r) == 2


def test_custom_layer_add_weight_add_loss_and_plain_call_signature():
    i = L.Input((4,), name="x")
    s = Scale(name="scale")
    o = L.Dense(1, use_bias=False, name="lin")(s(i))
    m = Model(i, o)
    W = np.array([[1.0], [2.0], [-1.0], [0.5]], np.float32)
    m.get_layer("lin").set_weights([W])
    m.compile(SGD(learning_rate=0.1), "mse")
    x = np.arange(8, dtype=np.float32).reshape(2, 4) / 8
    y = np.array([[1.0], [0.0]], np.float32)
    w = np.ones(4, np.float32)
    r = x * w @ W - y
    want = (r ** 2).mean() + 0.5 * (w ** 2).sum()
    np.testing.assert_allclose(m.train_on_batch(x, y), want, rtol=1e-6)
    # d/dw: mse part + penalty part
    gw = (2.0 / r.size) * ((r @ W.T) * x).sum(0) + 2 * 0.5 * w
    np.testing.assert_allclose(s.get_weights()[0], w - 0.1 * gw, rtol=1e-5)
    assert len(m.losses) == 1  # this call's term, not one per step
    m.train_on_batch(x, y)
    assert len(m.losses) == 1


def test_add_weight_positional_forms_and_trainable_flag():
    class W(L.Layer):
        def build(self, input_shape):
            self.a = self.add_weight("a", (2, 3), initializer="zeros")            # Keras kwargs
            self.b = self.add_weight("b", (3,), "ones", None, False)             # older positional
            self.c = self.add_weight(name="c", shape=(1,), dtype="float32", trainable=False)

        def call(self, x, training=None, mask=None):
            return x

    lyr = W()
    lyr(np.zeros((1, 2), np.float32))
    assert [t.shape for t in lyr.weights] == [(2, 3), (3,), (1,)]
    assert len(lyr.trainable_weights) == 1 and len(lyr.non_trainable_weights) == 2
    np.testing.assert_array_equal(lyr.get_weights()[1], np.ones(3))


def test_training_flag_reaches_call_only_when_accepted():
    seen = []

    class Probe(L.Layer):
        def call(self, x, training=None):
            seen.append(training)
            return x

    i = L.Input((2,))
    m = Model(i, L.Dense(1)(Probe()(i)))
    m.compile("sgd", "mse")
    seen.clear()
    m.train_on_batch(np.ones((2, 2)), np.ones((2, 1)))
    m.predict(np.ones((2, 2)))
    assert seen == [True, False]


def test_callable_add_loss_and_custom_loss_function():
    def my_loss(y_true, y_pred):
        return B.mean((y_pred - y_true) ** 2, axis=-1)

    i = L.Input((3,), name="x")
    d = L.Dense(2, use_bias=False, name="y")
    o = d(i)
    m = Model(i, o)
    W = np.full((3, 2), 0.5, np.float32)
    d.set_weights([W])
    m.add_loss(lambda: 0.1 * B.sum(d.kernel * d.kernel))
    m.compile(SGD(learning_rate=1e-3), my_loss, metrics=["mae", my_loss])
    assert m.metrics_names == []  # tf_keras 2: none before the first train / test call
    x, y = np.ones((2, 3), np.float32), np.zeros((2, 2), np.float32)
    r = x @ W - y
    got = m.train_on_batch(x, y)
    assert m.metrics_names == ["loss", "mae", "my_loss"]   # Keras 2: a function metric by name
    np.testing.assert_allclose(got, [(r ** 2).mean() + 0.1 * (W ** 2).sum(), np.abs(r).mean(),
                                     (r ** 2).mean()], rtol=1e-6)


def test_vae_style_add_loss_on_graph_tensors():
    set_random_seed(3)

    def sampling(args):
        z_mean, z_log_var = args
        eps = tf.Tensor(np.random.default_rng(0).standard_normal(z_mean.shape).astype(np.float32))
        return z_mean + B.exp(z_log_var * 0.5) * eps

    inputs = L.Input((6,), name="encoder_input")
    h = L.Dense(8, activation="relu")(inputs)
    z_mean = L.Dense(2, name="z_mean")(h)
    z_log_var = L.Dense(2, name="z_log_var")(h)
    z = L.Lambda(sampling, output_shape=(2,), name="z")([z_mean, z_log_var])
    encoder = Model(inputs, [z_mean, z_log_var, z], name="encoder")
    latent = L.Input((2,), name="z_sampling")
    decoder = Model(latent, L.Dense(6, activation="sigmoid")(L.Dense(8, activation="relu")(latent)),
                    name="decoder")
    outputs = decoder(encoder(inputs)[2])
    vae = Model(inputs, outputs, name="vae_mlp")
    reconstruction = ((outputs - inputs) ** 2).mean(axis=-1) * 6
    kl = (1 + z_log_var - z_mean ** 2 - z_log_var.exp()).sum(axis=-1) * -0.5
    vae.add_loss(np.mean(reconstruction + kl))
    vae.compile(optimizer="adam")
    assert vae.metrics_names == [] and vae._all_metrics_names() == ["loss"]
    x = np.random.default_rng(1).random((64, 6)).astype(np.float32)
    h = vae.fit(x, epochs=8, batch_size=16, verbose=0, validation_data=(x, None))
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert "val_loss" in h.history
    loss = vae.evaluate(x, verbose=0)
    assert np.isfinite(loss) and loss > 0
    assert vae.predict(x[:4]).shape == (4, 6)


def test_gan_trainable_toggle_is_read_at_compile_time():
    """tf_keras 2.21 (tools/keras_model_oracle2.py run): after d.compile(), d.trainable = False,
    gan = Model(z, d(g(z))), gan.compile(): gan.train_on_batch changes g only; d.train_on_batch
    still changes d; d.trainable_weights is empty; the gan summary counts d as non-trainable."""
    set_random_seed(4)
    d_in = L.Input((4,))
    d = Model(d_in, L.Dense(1, activation="sigmoid")(L.Dense(8)(d_in)), name="disc")
    d.compile(SGD(learning_rate=0.1), "binary_crossentropy")
    g_in = L.Input((2,))
    g = Model(g_in, L.Dense(4)(g_in), name="gen")
    d.trainable = False
    z = L.Input((2,))
    gan = Model(z, d(g(z)), name="gan")
    gan.compile(SGD(learning_rate=0.1), "binary_crossentropy")
    rng = np.random.default_rng(5)
    x, y, zz = rng.random((8, 4)), np.ones((8, 1)), rng.random((8, 2))
    d0, g0 = d.get_weights(), g.get_weights()
    gan.train_on_batch(zz, y)
    assert all(np.array_equal(a, b) for a, b in zip(d0, d.get_weights()))
    assert not all(np.array_equal(a, b) for a, b in zip(g0, g.get_weights()))
    d.train_on_batch(x, y)
    assert not all(np.array_equal(a, b) for a, b in zip(d0, d.get_weights()))
    assert len(d.trainable_weights) == 0 and len(gan.trainable_weights) == 2
    text = []
    gan.summary(print_fn=text.append)
    assert text[-4:-1] == ["Total params: 61 (244.00 Byte)", "Trainable params: 12 (48.00 Byte)",
                           "Non-trainable params: 49 (196.00 Byte)"]


def test_save_load_custom_layer_with_custom_objects(tmp_path):
    set_random_seed(6)
    i = L.Input((4,))
    m = Model(i, L.Dense(2)(Scale(penalty=0.25, name="scale")(i)))
    m.compile("adam", "mse")
    x, y = np.random.default_rng(2).random((8, 4)), np.zeros((8, 2))
    m.fit(x, y, epochs=2, verbose=0)
    m.save(tmp_path / "m.tfm")
    m2 = load_model(tmp_path / "m.tfm", custom_objects={"Scale": Scale})
    assert m2.get_layer("scale").penalty == 0.25
    np.testing.assert_array_equal(m2.predict(x), m.predict(x))
    np.testing.assert_allclose(m2.train_on_batch(x, y), m.train_on_batch(x, y), rtol=1e-6)


def test_subclassed_model_weights_save_and_load(tmp_path):
    set_random_seed(7)
    a, b = MyModel(), MyModel()
    x = np.random.default_rng(3).random((4, 5)).astype(np.float32)
    a.predict(x)
    b.predict(x)
    a.save_weights(tmp_path / "w.tfm")
    b.load_weights(tmp_path / "w.tfm")
    np.testing.assert_array_equal(a.predict(x), b.predict(x))


def test_missing_custom_object_is_a_clear_error(tmp_path):
    def custom(y_true, y_pred):
        return B.mean((y_pred - y_true) ** 2)

    m = Sequential([L.Dense(1, input_shape=(2,))])
    m.compile("sgd", custom)
    m.save(tmp_path / "c.tfm")
    with pytest.raises(ValueError, match="custom_objects"):
        load_model(tmp_path / "c.tfm")
    m2 = load_model(tmp_path / "c.tfm", custom_objects={"custom": custom})
    assert m2.loss is custom


def test_tensor_code_on_graph_tensors_builds_the_loss():
    """Code written for Tensors -- a built-in loss, NumPy reductions and ufuncs, ops -- applied
    to a graph's symbolic tensors records op layers (keras-team's variational_autoencoder.py
    writes its loss this way); evaluate() gives the same number as NumPy on the outputs."""
    from tensorforge import losses
    set_random_seed(8)
    i = L.Input((6,), name="vin")
    h = L.Dense(2, name="h")(i)
    o = L.Dense(6, activation="sigmoid", name="o")(h)
    vae = Model(i, o)
    rec = losses.mean_squared_error(i, o) * 6
    kl = -0.5 * np.sum(1 + h - np.square(h) - np.exp(h), axis=-1)
    vae.add_loss(np.mean(rec + kl))
    vae.compile("adam")
    x = np.random.default_rng(9).random((10, 6)).astype(np.float32)
    W1, b1, W2, b2 = vae.get_weights()
    hh = x @ W1 + b1
    oo = 1 / (1 + np.exp(-(hh @ W2 + b2)))
    want = 6 * ((oo - x) ** 2).mean() + (-0.5 * (1 + hh - hh ** 2 - np.exp(hh)).sum(-1)).mean()
    np.testing.assert_allclose(vae.evaluate(x, verbose=0, batch_size=10), want, rtol=1e-5)
    h0 = vae.fit(x, epochs=5, batch_size=10, verbose=0).history["loss"]
    assert h0[-1] < h0[0]
    with pytest.raises(TypeError, match="no value"):
        np.asarray(o)


def test_two_output_model_used_as_a_layer_acgan_style():
    """ACGAN (Advanced Deep Learning with Keras, ch. 5): the discriminator has two outputs and
    is the last layer of the adversarial model. Output names are made unique as tf_keras makes
    them (printed by tf_keras 2.21: ['discriminator', 'discriminator_1'] and metrics_names
    below); both outputs keep the fused cross-entropy through the nested model, and the losses
    equal NumPy's on the predicted probabilities."""
    set_random_seed(11)
    img = L.Input((12,))
    h = L.Dense(16)(img)
    d = Model(img, [L.Dense(1, activation="sigmoid", name="source")(h),
                    L.Dense(3, activation="softmax", name="label")(h)], name="discriminator")
    d.trainable = False
    z = L.Input((12,))
    adv = Model(z, d(z), name="acgan")
    adv.compile(loss=["binary_crossentropy", "categorical_crossentropy"], optimizer="rmsprop",
                metrics=["accuracy"])
    assert adv.output_names == ["discriminator", "discriminator_1"]
    assert adv._all_metrics_names() == ["loss", "discriminator_loss", "discriminator_1_loss",
                                        "discriminator_accuracy", "discriminator_1_accuracy"]
    assert adv._logits_outputs == frozenset([0, 1])
    x = np.random.default_rng(12).random((6, 12)).astype(np.float32)
    y1, y2 = np.array([[1], [0], [1], [1], [0], [1]], np.float32), np.eye(3)[[0, 1, 2, 0, 1, 2]]
    p1, p2 = adv.predict(x)
    bce = -(y1 * np.log(p1) + (1 - y1) * np.log(1 - p1)).mean()
    cce = -(y2 * np.log(p2)).sum(1).mean()
    acc1 = ((p1 > 0.5) == (y1 > 0.5)).mean()
    acc2 = (p2.argmax(1) == y2.argmax(1)).mean()
    np.testing.assert_allclose(adv.train_on_batch(x, [y1, y2]), [bce + cce, bce, cce, acc1, acc2],
                               rtol=1e-5)
    assert all(np.array_equal(a, b) for a, b in zip(d.get_weights(), adv.get_weights()))


# ---- an explicit build(input_shape) -------------------------------------------------------------
class _DropMLP(Model):
    def __init__(self):
        super().__init__()
        self.d1 = L.Dense(8, activation="relu")
        self.drop = L.Dropout(0.5)
        self.d2 = L.Dense(3)

    def call(self, x, training=None):
        return self.d2(self.drop(self.d1(x), training=training))


class _OwnBuild(Model):
    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=(input_shape[-1], 2))
        super().build(input_shape)

    def call(self, x):
        return tf.matmul(x, self.w)


def test_build_with_a_shape_makes_the_weights_and_the_summary():
    # Keras 2 runs call on placeholders of that shape (tf_keras 2.21: summary rows "multiple",
    # 48 + 27 params; was "This model has not yet been built" here)
    m = _DropMLP()
    m.build(tf.TensorShape([None, 5]))
    assert [tuple(w.shape) for w in m.weights] == [(5, 8), (8,), (8, 3), (3,)]
    lines = []
    m.summary(print_fn=lines.append)
    text = "\n".join(lines)
    assert "dense" in text and "multiple" in text and "Total params: 75" in text
    m.compile("sgd", "mse")
    assert m.predict(np.ones((4, 5), np.float32), verbose=0).shape == (4, 3)
    two = _TwoInputs()
    two.build([(None, 3), (None, 4)])
    assert [tuple(w.shape) for w in two.weights] == [(3, 2), (2,), (4, 2), (2,)]
    own = _OwnBuild()
    own.build((None, 3))  # a build of its own calling Model.build: one weight, nothing more
    assert [tuple(w.shape) for w in own.weights] == [(3, 2)]
    assert own(np.ones((2, 3), np.float32)).shape == (2, 2)
    with pytest.raises(ValueError, match="Input shape must be defined"):
        _DropMLP().build(None)


class _TwoInputs(Model):
    def __init__(self):
        super().__init__()
        self.a, self.b = L.Dense(2), L.Dense(2)

    def call(self, inputs):
        x, y = inputs
        return self.a(x) + self.b(y)
