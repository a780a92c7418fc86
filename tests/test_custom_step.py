"""tf.keras 2's overridable steps (engine/custom_step.py): Model.train_step / test_step /
predict_step under fit / evaluate / predict, compiled_loss / compiled_metrics / Model.metrics,
against the ordinary fit on the same data and weights and against figures from real Keras 2
(tools/gen_custom_step_expected.py)."""
import json
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge import callbacks as cbs_mod

HERE = os.path.dirname(__file__)


class GuideModel(keras.Model):
    """keras-io "Customizing what happens in fit()": train_step with compiled_loss /
    compiled_metrics and sample weights."""

    def train_step(self, data):
        if len(data) == 3:
            x, y, sample_weight = data
        else:
            (x, y), sample_weight = data, None
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = self.compiled_loss(y, y_pred, sample_weight=sample_weight,
                                      regularization_losses=self.losses)
        grads = tape.gradient(loss, self.trainable_variables)
        self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
        self.compiled_metrics.update_state(y, y_pred, sample_weight=sample_weight)
        return {m.name: m.result() for m in self.metrics}

    def test_step(self, data):
        x, y = data
        y_pred = self(x, training=False)
        self.compiled_loss(y, y_pred, regularization_losses=self.losses)
        self.compiled_metrics.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def _data():
    rng = np.random.default_rng(7)
    x = rng.random((40, 5)).astype(np.float32)
    y = rng.random((40, 1)).astype(np.float32)
    sw = rng.random((40,)).astype(np.float32)
    w = (rng.standard_normal((5, 1)) * 0.3).astype(np.float32)
    b = np.array([0.1], np.float32)
    return x, y, sw, w, b


def _model(cls, w, b, reg=0.01, **compile_kw):
    inp = keras.Input(shape=(5,))
    out = keras.layers.Dense(1, kernel_regularizer=keras.regularizers.l2(reg) if reg else None)(inp)
    m = cls(inp, out)
    m.set_weights([w, b])
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse", **compile_kw)
    return m


@pytest.mark.parametrize("weighted", [False, True])
def test_custom_train_step_matches_keras2(weighted):
    with open(os.path.join(HERE, "data", "custom_step_expected.json")) as f:
        exp = json.load(f)["weighted" if weighted else "plain"]
    x, y, sw, w, b = _data()
    m = _model(GuideModel, w, b, metrics=["mae"], weighted_metrics=["mse"])
    h = m.fit(x, y, sample_weight=sw if weighted else None, batch_size=16, epochs=3,
              shuffle=False, verbose=0)
    assert sorted(h.history) == sorted(exp["history"])
    for k, vs in exp["history"].items():
        np.testing.assert_allclose(h.history[k], vs, rtol=1e-5, atol=1e-6, err_msg=k)
    for got, want in zip(m.get_weights(), exp["weights"]):
        np.testing.assert_allclose(got, np.asarray(want), rtol=1e-5, atol=1e-6)
    assert [mm.name for mm in m.metrics] == exp["metrics_names"]
    np.testing.assert_allclose(m.evaluate(x, y, batch_size=16, verbose=0), exp["evaluate"],
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("weighted", [False, True])
def test_custom_train_step_matches_ordinary_fit(weighted):
    x, y, sw, w, b = _data()
    custom = _model(GuideModel, w, b, metrics=["mae"])
    plain = _model(keras.Model, w, b, metrics=["mae"])
    kw = dict(sample_weight=sw if weighted else None, batch_size=8, epochs=2, shuffle=False,
              verbose=0)
    hc, hp = custom.fit(x, y, **kw), plain.fit(x, y, **kw)
    for k in ("loss", "mae"):
        np.testing.assert_allclose(hc.history[k], hp.history[k], rtol=1e-5, err_msg=k)
    for a, c in zip(custom.get_weights(), plain.get_weights()):
        np.testing.assert_allclose(a, c, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(custom.evaluate(x, y, verbose=0), plain.evaluate(x, y, verbose=0),
                               rtol=1e-5)


def test_default_steps_on_a_dataset_match_ordinary_fit():
    x, y, _, w, b = _data()
    a, c = _model(keras.Model, w, b, reg=0, metrics=["mae"]), \
        _model(keras.Model, w, b, reg=0, metrics=["mae"])
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(10)
    ha = a.fit(ds, epochs=2, verbose=0)
    hc = c.fit(x, y, batch_size=10, epochs=2, shuffle=False, verbose=0)
    for k in ("loss", "mae"):
        np.testing.assert_allclose(ha.history[k], hc.history[k], rtol=1e-5)
    np.testing.assert_allclose(a.evaluate(ds, verbose=0), c.evaluate(x, y, verbose=0), rtol=1e-5)
    np.testing.assert_allclose(a.predict(ds), c.predict(x), rtol=1e-6)
    assert a.evaluate(ds, verbose=0, return_dict=True).keys() == {"loss", "mae"}


def test_metrics_property_is_reset_each_epoch_and_evaluate():
    tracker = keras.metrics.Mean(name="loss")

    class Tracked(keras.Model):
        k = 0.0

        def train_step(self, data):
            tracker.update_state(self.k)
            return {"loss": tracker.result()}

        def test_step(self, data):
            tracker.update_state(7.0)
            return {"loss": tracker.result()}

        @property
        def metrics(self):
            return [tracker]

    class SetK(cbs_mod.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.model.k = 10.0 * epoch

    inp = keras.Input(shape=(5,))
    m = Tracked(inp, keras.layers.Dense(1)(inp))
    m.compile(optimizer="adam")  # no loss: the step does it all
    x, y, _, _, _ = _data()
    h = m.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[SetK()])
    assert h.history["loss"] == [0.0, 10.0, 20.0]  # reset: not the running 0, 5, 10
    assert m.evaluate(x, y, verbose=0) == 7.0


def test_step_logs_reach_callbacks_as_floats_and_printed_bar(capsys):
    x, y, _, w, b = _data()
    m = _model(GuideModel, w, b, metrics=["mae"])
    seen = []

    class Rec(cbs_mod.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append(dict(logs))

    m.fit(x, y, batch_size=20, epochs=1, verbose=1, callbacks=[Rec()])
    assert len(seen) == 2 and all(type(v) is float for d in seen for v in d.values())
    out = capsys.readouterr().out
    assert "Epoch" not in out and "2/2 [==============================]" in out
    assert out.count("2/2 [") == 1 and "- loss: " in out and "- mae: " in out


def test_predict_step_override():
    class Doubled(keras.Model):
        def predict_step(self, data):
            return self(data, training=False) * 2.0

    x, _, _, w, b = _data()
    inp = keras.Input(shape=(5,))
    m = Doubled(inp, keras.layers.Dense(1)(inp))
    m.set_weights([w, b])
    np.testing.assert_allclose(m.predict(x, batch_size=7), 2 * (x @ w + b), rtol=1e-5)


def test_gan_pattern_runs_on_a_tiny_model():
    """The guide's GAN: compile() overridden, train_step with two tapes and two optimizers."""
    latent = 4
    disc = keras.Sequential([keras.Input(shape=(6,)), keras.layers.Dense(8),
                             keras.layers.LeakyReLU(alpha=0.2), keras.layers.Dense(1)])
    gen = keras.Sequential([keras.Input(shape=(latent,)), keras.layers.Dense(8),
                            keras.layers.LeakyReLU(alpha=0.2),
                            keras.layers.Dense(6, activation="sigmoid")])

    class GAN(keras.Model):
        def __init__(self, discriminator, generator, latent_dim):
            super().__init__()
            self.discriminator, self.generator, self.latent_dim = discriminator, generator, latent_dim

        def compile(self, d_optimizer, g_optimizer, loss_fn):
            super().compile()
            self.d_optimizer, self.g_optimizer, self.loss_fn = d_optimizer, g_optimizer, loss_fn

        def train_step(self, real):
            if isinstance(real, tuple):
                real = real[0]
            n = tf.shape(real)[0]
            fake = self.generator(tf.random.normal(shape=(n, self.latent_dim)))
            both = tf.concat([fake, real], axis=0)
            labels = tf.concat([tf.ones((n, 1)), tf.zeros((n, 1))], axis=0)
            labels += 0.05 * tf.random.uniform(tf.shape(labels))
            with tf.GradientTape() as tape:
                d_loss = self.loss_fn(labels, self.discriminator(both))
            grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
            self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))
            with tf.GradientTape() as tape:
                pred = self.discriminator(self.generator(tf.random.normal((n, self.latent_dim))))
                g_loss = self.loss_fn(tf.zeros((n, 1)), pred)
            grads = tape.gradient(g_loss, self.generator.trainable_weights)
            self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
            return {"d_loss": d_loss, "g_loss": g_loss}

    real = np.random.default_rng(0).random((50, 6)).astype(np.float32)
    ds = tf.data.Dataset.from_tensor_slices(real).shuffle(buffer_size=16).batch(8)
    gan = GAN(disc, gen, latent)
    gan.compile(d_optimizer=keras.optimizers.Adam(learning_rate=3e-4),
                g_optimizer=keras.optimizers.Adam(learning_rate=3e-4),
                loss_fn=keras.losses.BinaryCrossentropy(from_logits=True))
    d0, g0 = disc.get_weights(), gen.get_weights()
    h = gan.fit(ds.take(5), epochs=2, verbose=0)
    assert sorted(h.history) == ["d_loss", "g_loss"]
    assert all(np.isfinite(v) and v > 0 for vs in h.history.values() for v in vs)
    assert all(not np.allclose(a, c) for a, c in zip(d0, disc.get_weights()))
    assert all(not np.allclose(a, c) for a, c in zip(g0, gen.get_weights()))
    assert all(p.grad is None for p in disc.trainable_weights + gen.trainable_weights)


def test_compile_without_loss_needs_a_custom_step():
    inp = keras.Input(shape=(5,))
    m = keras.Model(inp, keras.layers.Dense(1)(inp))
    with pytest.raises(ValueError, match="loss"):
        m.compile(optimizer="adam")
    m2 = GuideModel(inp, keras.layers.Dense(1)(inp))
    m2.compile(optimizer="adam")  # fine: train_step may compute its own loss


def test_step_must_return_a_dict():
    class Bad(keras.Model):
        def train_step(self, data):
            return 1.0

    x, y, _, w, b = _data()
    m = _model(Bad, w, b, reg=0)
    with pytest.raises(TypeError, match="train_step.*dict"):
        m.fit(x, y, verbose=0)


def test_validation_data_and_split_use_test_step():
    x, y, _, w, b = _data()
    m = _model(GuideModel, w, b, metrics=["mae"])
    h = m.fit(x[:30], y[:30], validation_data=(x[30:], y[30:]), batch_size=8, epochs=2,
              verbose=0)
    assert sorted(h.history) == ["loss", "mae", "val_loss", "val_mae"]
    np.testing.assert_allclose([h.history["val_loss"][-1], h.history["val_mae"][-1]],
                               m.evaluate(x[30:], y[30:], verbose=0), rtol=1e-6)
    m2 = _model(GuideModel, w, b, metrics=["mae"])
    h2 = m2.fit(x, y, validation_split=0.25, batch_size=8, epochs=1, shuffle=False, verbose=0)
    np.testing.assert_allclose(h2.history["val_loss"][-1],
                               m2.evaluate(x[30:], y[30:], verbose=0)[0], rtol=1e-6)


def test_compute_loss_and_compute_metrics_forms():
    """tf.keras 2.11+'s train_step spelling: compute_loss / compute_metrics and
    keras.utils.unpack_x_y_sample_weight give the same training as compiled_loss."""
    class Newer(keras.Model):
        def train_step(self, data):
            x, y, sw = keras.utils.unpack_x_y_sample_weight(data)
            with tf.GradientTape() as tape:
                y_pred = self(x, training=True)
                loss = self.compute_loss(x, y, y_pred, sw)
            grads = tape.gradient(loss, self.trainable_variables)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            return self.compute_metrics(x, y, y_pred, sw)

    x, y, sw, w, b = _data()
    a, c = _model(Newer, w, b, metrics=["mae"]), _model(GuideModel, w, b, metrics=["mae"])
    ha = a.fit(x, y, sample_weight=sw, batch_size=8, epochs=2, shuffle=False, verbose=0)
    hc = c.fit(x, y, sample_weight=sw, batch_size=8, epochs=2, shuffle=False, verbose=0)
    assert ha.history == hc.history


def test_a_generator_that_runs_out_stops_training_with_a_warning():
    x, y, _, w, b = _data()
    m = _model(GuideModel, w, b, reg=0)

    def gen():
        for i in range(0, 40, 10):
            yield x[i:i + 10], y[i:i + 10]
    with pytest.warns(RuntimeWarning, match="ran out of data"):
        h = m.fit(gen(), epochs=3, verbose=0)
    assert len(h.history["loss"]) == 1


def test_train_on_batch_and_test_on_batch_call_the_steps():
    x, y, _, w, b = _data()
    a, c = _model(GuideModel, w, b, reg=0, metrics=["mae"]), \
        _model(keras.Model, w, b, reg=0, metrics=["mae"])
    for i in range(0, 40, 20):
        ra = a.train_on_batch(x[i:i + 20], y[i:i + 20])
        rc = c.train_on_batch(x[i:i + 20], y[i:i + 20])
        np.testing.assert_allclose(ra, rc, rtol=1e-5)
    assert a.metrics_names == ["loss", "mae"]
    np.testing.assert_allclose(a.test_on_batch(x, y), c.test_on_batch(x, y), rtol=1e-5)
    d = a.test_on_batch(x, y, return_dict=True)
    assert sorted(d) == ["loss", "mae"] and all(type(v) is float for v in d.values())


def test_distributed_fit_refuses_a_custom_step():
    x, y, _, w, b = _data()
    m = _model(GuideModel, w, b, reg=0)
    with pytest.raises(ValueError, match="distributed"):
        m.fit(x, y, verbose=0, distributed=True)
