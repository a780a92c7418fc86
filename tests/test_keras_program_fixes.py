"""Keras 2 behaviours that real programs (the keras.io guides, the Advanced Deep Learning with
Keras chapters) rely on, each found missing by tools/keras_parity.py: Layer.add_metric reported
in fit()'s logs, Layer.metrics, Tensor.assign / assign_add / assign_sub (tf.Variable's API on
weights), callbacks never getting logs=None, evaluate/predict callbacks, compile() without a loss
when a custom layer adds one, K.flatten on symbolic tensors, load_model of a model compiled
with a Loss instance."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import backend as K
from tensorforge import layers as L


def _mlp(extra=None):
    inp = L.Input(shape=(4,))
    x = L.Dense(3, activation="relu")(inp)
    if extra is not None:
        x = extra(x)
    return tf.Model(inp, L.Dense(2, activation="softmax")(x))


def _data(n=32):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 4)).astype(np.float32), rng.integers(0, 2, n)


class StdLogger(L.Layer):
    def call(self, inputs):
        self.add_metric(K.std(inputs), name="std_of_activation", aggregation="mean")
        return inputs


def test_add_metric_is_reported_in_fit_logs():
    x, y = _data()
    m = _mlp(StdLogger())
    m.compile("sgd", "sparse_categorical_crossentropy")
    w, b = m.layers[1].get_weights()
    h = m.fit(x, y, batch_size=32, epochs=2, verbose=0)
    assert "std_of_activation" in h.history and len(h.history["std_of_activation"]) == 2
    # one batch per epoch: epoch 1 logs the std of that batch's hidden activations, computed
    # with the initial weights (before the step's update)
    want = np.maximum(x @ w + b, 0).std()
    np.testing.assert_allclose(h.history["std_of_activation"][0], want, rtol=1e-5)
    with pytest.raises(ValueError, match="aggregation"):
        StdLogger().add_metric(1.0, name="x", aggregation="sum")


def test_layer_metrics_lists_metric_attributes():
    class Endpoint(L.Layer):
        def __init__(self):
            super().__init__()
            self.acc = tf.metrics.BinaryAccuracy()

        def call(self, x):
            return x
    e = Endpoint()
    assert e.metrics == [e.acc]


def test_tensor_assign_family():
    layer = L.Dense(2)
    layer.build((None, 3))
    k = layer.kernel
    k.assign(np.ones((3, 2)))
    k.assign_add(np.full((3, 2), 2.0))
    k.assign_sub(np.ones((3, 2)))
    np.testing.assert_array_equal(layer.get_weights()[0], np.full((3, 2), 2.0, np.float32))
    with pytest.raises(ValueError, match="shape"):
        k.assign(np.ones((2, 2)))


def test_callbacks_get_logs_dicts_and_evaluate_predict_hooks():
    seen = []

    class Rec(tf.callbacks.Callback):
        def on_train_begin(self, logs=None):
            seen.append(("train_begin", type(logs)))

        def on_epoch_begin(self, epoch, logs=None):
            seen.append(("epoch_begin", type(logs)))

        def on_test_begin(self, logs=None):
            seen.append(("test_begin", type(logs)))

        def on_test_end(self, logs=None):
            seen.append(("test_end", sorted(logs)))

        def on_predict_begin(self, logs=None):
            seen.append(("predict_begin", type(logs)))
    x, y = _data()
    m = _mlp()
    m.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    m.fit(x, y, epochs=1, verbose=0, callbacks=[Rec()])
    m.evaluate(x, y, verbose=0, callbacks=[Rec()])
    m.predict(x, callbacks=[Rec()])
    assert ("train_begin", dict) in seen and ("epoch_begin", dict) in seen
    assert ("test_begin", dict) in seen and ("test_end", ["accuracy", "loss"]) in seen
    assert ("predict_begin", dict) in seen


def test_compile_without_loss_when_a_custom_layer_adds_one():
    class Reg(L.Layer):
        def call(self, inputs):
            self.add_loss(0.01 * K.sum(inputs))
            return inputs
    inp = L.Input(shape=(3,))
    m = tf.Model(inp, Reg()(inp))
    m.compile(optimizer="adam")  # Keras 2 accepts this
    h = m.fit(np.ones((2, 3), np.float32), epochs=1, verbose=0)
    np.testing.assert_allclose(h.history["loss"][0], 0.06, rtol=1e-5)
    with pytest.raises(ValueError, match="loss"):
        _mlp().compile(optimizer="adam")  # built-in layers only: still the early error


def test_backend_flatten_on_symbolic_tensors():
    inp = L.Input(shape=(2, 3))
    out = K.flatten(inp)
    assert tuple(out.shape) == (None,)
    m = tf.Model(inp, L.Dense(1)(inp))
    m.add_loss(K.mean(K.flatten(inp)))
    m.compile("sgd", "mse")
    m.fit(np.ones((4, 2, 3), np.float32), np.ones((4, 2, 1), np.float32), verbose=0)


def test_load_model_compiled_with_a_loss_instance(tmp_path):
    x, y = _data()
    m = _mlp()
    m.compile(optimizer="rmsprop", loss=tf.losses.SparseCategoricalCrossentropy(from_logits=False),
              metrics=["accuracy"])
    m.fit(x, y, epochs=1, verbose=0)
    path = str(tmp_path / "path_to_my_model")
    m.save(path)
    m2 = tf.models.load_model(path)
    np.testing.assert_allclose(m2.predict(x, verbose=0), m.predict(x, verbose=0), rtol=1e-6)
    m2.fit(x, y, epochs=1, verbose=0)


def test_utils_exports_of_keras_2_9():
    np.testing.assert_array_equal(tf.utils.pad_sequences([[1, 2], [3]], maxlen=3),
                                  [[0, 1, 2], [0, 0, 3]])

    @tf.utils.register_keras_serializable(package="Mine")
    class Scale2(L.Layer):
        def call(self, x):
            return x * 2.0
    assert tf.utils.get_custom_objects()["Mine>Scale2"] is Scale2
    with tf.utils.custom_object_scope({"Scale3": Scale2}):
        assert tf.utils.get_custom_objects()["Mine>Scale2"] is Scale2


def test_rescaling():
    r = L.Rescaling(1 / 127.5, offset=-1)
    np.testing.assert_allclose(r(np.array([[0.0, 127.5, 255.0]])).numpy(), [[-1.0, 0.0, 1.0]],
                               atol=1e-6)
    assert L.Rescaling.from_config(r.get_config()).get_config() == r.get_config()
    assert r.count_params() == 0
    with pytest.raises(ValueError, match="scale"):
        L.Rescaling(float("nan"))


def test_depthwise_and_separable_take_keras_unused_kernel_arguments():
    # Keras 2's DepthwiseConv2D / SeparableConv2D derive from Conv, which takes kernel_* (never
    # read: their kernels are depthwise_* / pointwise_*); applications pass kernel_initializer
    from tensorforge import keras as _k
    s = _k.layers.SeparableConv2D(4, 3, kernel_initializer="he_normal")
    d = _k.layers.DepthwiseConv2D(3, kernel_initializer="he_normal", kernel_regularizer="l2")
    x = np.ones((1, 5, 5, 2), "float32")
    assert s(x).shape == (1, 3, 3, 4) and d(x).shape == (1, 3, 3, 2)
    assert d.losses == []  # the unused kernel_regularizer adds nothing, as in Keras 2
    with pytest.raises(TypeError, match="bogus"):
        _k.layers.DepthwiseConv2D(3, bogus=1)


def test_fit_evaluate_predict_refuse_misspelt_arguments_and_take_nb_epoch():
    from tensorforge import keras as _k
    x = np.random.RandomState(0).randn(12, 3).astype("float32")
    m = _k.Sequential([_k.Input((3,)), _k.layers.Dense(1)])
    m.compile("sgd", "mse")
    with pytest.raises(TypeError, match="epoch"):
        m.fit(x, x[:, :1], epoch=3, verbose=0)  # (epochs): Keras 2 refuses it too
    with pytest.raises(TypeError, match="batchsize"):
        m.evaluate(x, x[:, :1], batchsize=4, verbose=0)
    with pytest.raises(TypeError, match="verbosity"):
        m.predict(x, verbosity=0)
    with pytest.warns(UserWarning, match="nb_epoch"):  # Keras 1's name, as Keras 2.2 took it
        h = m.fit(x, x[:, :1], nb_epoch=2, verbose=0)
    assert len(h.history["loss"]) == 2


def test_variable_constraints_are_applied_after_each_update():
    # tf.Variable(constraint=) and K.variable(constraint=): the optimizer projects the new value
    # (expected values by hand: SGD(0.1) on sum(v^2) and on sum(k))
    v = tf.Variable([2.0, -3.0], constraint=lambda x: tf.clip_by_value(x, -1.0, 1.0),
                    validate_shape=True)
    k = K.variable(np.array([5.0, -5.0]), constraint=tf.keras.constraints.NonNeg())
    opt = tf.keras.optimizers.SGD(0.1)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(v * v) + tf.reduce_sum(k * 1.0)
    opt.apply_gradients(zip(tape.gradient(loss, [v, k]), [v, k]))
    np.testing.assert_allclose(v.numpy(), [1.0, -1.0])  # 1.6, -2.4 clipped
    np.testing.assert_allclose(k.numpy(), [4.9, 0.0])  # 4.9, -5.1 -> non-negative
    with pytest.raises(TypeError, match="bogus"):
        tf.Variable(1.0, bogus=2)


def test_save_with_overwrite_false_asks_first(tmp_path, monkeypatch):
    from tensorforge import keras as _k
    m = _k.Sequential([_k.Input((3,)), _k.layers.Dense(1)])
    path = str(tmp_path / "w.weights")
    m.save_weights(path)
    before = open(path, "rb").read()
    m.set_weights([w + 1 for w in m.get_weights()])
    answers = iter(["maybe", "n"])  # Keras 2 asks again until y / n
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    m.save_weights(path, overwrite=False)
    assert open(path, "rb").read() == before  # kept
    monkeypatch.setattr("builtins.input", lambda prompt="": (_ for _ in ()).throw(EOFError))
    m.save(str(tmp_path / "m.keras"))
    saved = open(str(tmp_path / "m.keras"), "rb").read()
    m.set_weights([w + 1 for w in m.get_weights()])
    m.save(str(tmp_path / "m.keras"), overwrite=False)  # no terminal: nothing replaced
    assert open(str(tmp_path / "m.keras"), "rb").read() == saved
    monkeypatch.setattr("builtins.input", lambda prompt="": "y")
    m.save_weights(path, overwrite=False)
    assert open(path, "rb").read() != before


def test_a_weight_snapshot_does_not_move_with_training():
    # TensorFlow's .numpy() of a variable is a copy: `before = layer.kernel.numpy()` then fit
    # must show the change (the optimizers update the weight in place)
    from tensorforge import keras as _k
    m = _k.Sequential([_k.Input((3,)), _k.layers.Dense(1)])
    m.compile("sgd", "mse")
    before = m.layers[0].kernel.numpy()
    kept = before.copy()
    m.fit(np.ones((8, 3), "float32"), np.ones((8, 1), "float32"), verbose=0)
    np.testing.assert_array_equal(before, kept)
    assert not np.allclose(m.layers[0].kernel.numpy(), before)
    v = tf.Variable([1.0])
    a = v.numpy()
    v.assign([2.0])
    assert a[0] == 1.0 and v.numpy()[0] == 2.0


def test_input_tensor_argument():
    # Keras 2: Input(tensor=a Keras tensor) is that tensor (an Input's, or one computed from
    # Inputs: WGAN-GP notebooks); a value gives its shape and dtype
    from tensorforge import keras as _k
    x = _k.Input((3,))
    assert _k.Input(tensor=x) is x
    z = _k.Input(tensor=np.ones((2, 3), "float32"))
    assert tuple(z.shape) == (2, 3) and z.dtype == np.float32
    h = _k.layers.Dense(2)(x)
    assert _k.Input(shape=(2,), tensor=h) is h
