"""The gaps the ninth corpus's programs revealed (tools/keras_corpus.md, "Ninth corpus").
Figures marked TensorFlow's were printed by tools/keras_corpus9_refs.py under TensorFlow 2.21 /
tf_keras on a machine without a visible GPU; the others are worked out by hand in the test."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import backend as K
from tensorforge import layers as L
from tensorforge import tf_config


# ---- tf.config (the TF 2 programs' GPU preamble: list_physical_devices / set_memory_growth) ----

@pytest.fixture
def no_gpu(monkeypatch):
    """tensorforge as on a machine without a visible GPU (TensorFlow's figures were printed so)."""
    monkeypatch.setattr(tf_config, "_gpu_count", lambda: 0)


def test_list_physical_devices_without_a_gpu(no_gpu):
    cpu = ("/physical_device:CPU:0", "CPU")  # TensorFlow's tuple(device)
    assert [tuple(d) for d in tf.config.list_physical_devices()] == [cpu]
    assert tf.config.list_physical_devices("GPU") == []
    assert tf.config.experimental.list_physical_devices("GPU") == []
    assert [tuple(d) for d in tf.config.list_physical_devices("CPU")] == [cpu]
    assert tf.config.list_physical_devices("cpu") == []  # TensorFlow compares the type as given
    d = tf.config.list_physical_devices("CPU")[0]
    assert (d.name, d.device_type) == cpu
    assert repr(d) == "PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')"
    assert [tuple(d) for d in tf.config.list_logical_devices()] == [("/device:CPU:0", "CPU")]
    assert repr(tf.config.experimental.list_logical_devices("CPU")[0]) == \
        "LogicalDevice(name='/device:CPU:0', device_type='CPU')"
    assert tf.config.get_visible_devices() == tf.config.list_physical_devices()


def test_the_gpu_preamble_runs_and_memory_growth_errors_are_tensorflows(no_gpu):
    gpus = tf.config.experimental.list_physical_devices('GPU')   # the programs' own lines
    for gpu in gpus:
        tf.config.experimental.set_memory_growth(gpu, True)
    cpu = tf.config.list_physical_devices("CPU")[0]
    with pytest.raises(ValueError, match="^Cannot set memory growth on non-GPU and "
                                         "non-Pluggable devices$"):
        tf.config.experimental.set_memory_growth(cpu, True)
    with pytest.raises(KeyError):
        tf.config.experimental.get_memory_growth(cpu)
    with pytest.raises(ValueError, match="^Unrecognized device: 'gpu0'$"):
        tf.config.experimental.set_memory_growth("gpu0", True)


def test_memory_growth_is_recorded_per_gpu(monkeypatch):
    monkeypatch.setattr(tf_config, "_gpu_count", lambda: 2)
    monkeypatch.setattr(tf_config, "_memory_growth", {})
    gpus = tf.config.list_physical_devices("GPU")
    assert [tuple(g) for g in gpus] == [("/physical_device:GPU:0", "GPU"),
                                        ("/physical_device:GPU:1", "GPU")]
    assert [d.device_type for d in tf.config.list_physical_devices()] == ["CPU", "GPU", "GPU"]
    assert tf.config.list_logical_devices("GPU")[1].name == "/device:GPU:1"
    assert tf.config.experimental.get_memory_growth(gpus[0]) is None  # TensorFlow: None until set
    tf.config.experimental.set_memory_growth(gpus[1], True)
    assert tf.config.experimental.get_memory_growth(gpus[0]) is None
    assert tf.config.experimental.get_memory_growth(gpus[1]) is True


# ---- tf.compat.v1.disable_eager_execution (DLwP 8.4's VAE) ----

def test_disable_eager_execution_is_accepted_and_training_is_unchanged():
    """TensorFlow's figure: after disable_eager_execution, a Dense(1) with a ones kernel fitted
    by SGD(0.1) on x = ones(4, 3), y = 0 gives losses [9.0, 0.36]; by hand: the output is 3,
    the loss 9, the gradient of the kernel 2 * 3 = 6 per entry and of the bias 6, so the step
    leaves kernel 0.4 and bias -0.6, output 3 * 0.4 - 0.6 = 0.6, loss 0.36."""
    tf.compat.v1.disable_eager_execution()
    try:
        inp = tf.keras.Input((3,))
        model = tf.keras.Model(inp, L.Dense(1, kernel_initializer="ones")(inp))
        model.compile(tf.keras.optimizers.SGD(0.1), "mse")
        h = model.fit(np.ones((4, 3)), np.zeros((4, 1)), epochs=2, batch_size=4, verbose=0)
        np.testing.assert_allclose(h.history["loss"], [9.0, 0.36], rtol=1e-5)
        assert tf.executing_eagerly()  # tensorforge always runs eagerly (documented choice)
    finally:
        tf.compat.v1.enable_eager_execution()
    assert tf.compat.v1.executing_eagerly()


# ---- keras.layers.Convolution1D (keras-team 2.x cnn_seq2seq.py) ----

def test_convolution1d_is_keras_2s_alias_of_conv1d():
    assert L.Convolution1D is L.Conv1D  # TensorFlow's: tf_keras.layers.Convolution1D is Conv1D
    layer = L.Convolution1D(1, kernel_size=2, padding="causal", dilation_rate=2,
                            kernel_initializer="ones", use_bias=False)
    y = layer(tf.Tensor(np.arange(1, 6, dtype=np.float32).reshape(1, 5, 1)))
    # causal, dilation 2: y[t] = x[t - 2] + x[t] with x[-1] = x[-2] = 0
    np.testing.assert_array_equal(np.asarray(y.numpy()).ravel(), [1, 2, 4, 6, 8])


# ---- a layer's call that adds a loss from graph tensors it closes over (DLwP 8.4's VAE) ----

def _closure_model(closed_over_upstream=True):
    """inp -> Dense(1, ones, no bias) = h -> x 2 -> a custom layer that returns its input and
    adds mean(h ** 2), h closed over from the building code (as the VAE's z_mean)."""
    inp = tf.keras.Input((2,))
    dense = L.Dense(1, kernel_initializer="ones", use_bias=False)
    h = dense(inp)
    other = L.Dense(1)(inp)  # not upstream of the output
    closed = h if closed_over_upstream else other
    g = L.Lambda(lambda t: 2.0 * t)(h)

    class AddsLoss(L.Layer):
        def call(self, inputs):
            self.add_loss(K.mean(K.square(closed)), inputs=inputs)
            return inputs

    model = tf.keras.Model(inp, AddsLoss()(g))
    model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss=None)
    return model, dense


def test_a_call_loss_from_a_closed_over_graph_tensor_trains_the_upstream_layer():
    """By hand: x = (1, 2), kernel (1, 1): h = 3, loss 9; d loss / d kernel = 2 h x = (6, 12),
    so one SGD(0.1) step leaves the kernel (0.4, -0.2), h = 0 and loss 0."""
    model, dense = _closure_model()
    x = np.array([[1.0, 2.0]], np.float32)
    assert model.evaluate(x, None, verbose=0) == pytest.approx(9.0)
    assert float(np.ravel(model.train_on_batch(x, None))[0]) == pytest.approx(9.0)
    np.testing.assert_allclose(np.asarray(dense.kernel.numpy()).ravel(), [0.4, -0.2], rtol=1e-6)
    assert model.evaluate(x, None, verbose=0) == pytest.approx(0.0, abs=1e-10)
    np.testing.assert_allclose(model.predict(x, verbose=0), [[0.0]], atol=1e-6)  # 2 h


def test_a_closed_over_tensor_the_model_does_not_compute_is_named():
    model, _ = _closure_model(closed_over_upstream=False)
    with pytest.raises(ValueError, match="does not compute it before this call"):
        model.evaluate(np.ones((1, 2), np.float32), None, verbose=0)
