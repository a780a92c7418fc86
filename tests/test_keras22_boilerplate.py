"""The TensorFlow 1 / Keras 2.0-2.2 lines programs of that time wrap around Keras (Note [TF1
session boilerplate], tf_session.py), Keras 2.0's add_weight(shape, ...) order and
multi_gpu_model. tf_keras 2.21 lacks most of them; the expected behaviour is Keras 2.2's."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.keras import backend as K


def test_gpu_memory_growth_boilerplate_and_thread_count():
    from tensorforge.keras.backend.tensorflow_backend import get_session, set_session
    config = tf.ConfigProto()
    config.gpu_options.allow_growth = True
    config.gpu_options.per_process_gpu_memory_fraction = 0.4
    sess = tf.Session(config=config)
    set_session(sess)
    assert get_session() is sess and K.get_session() is sess
    before, threads = tf.config.threading.get_intra_op_parallelism_threads(), tf.get_num_threads()
    try:
        K.set_session(tf.compat.v1.Session(config=tf.compat.v1.ConfigProto(
            intra_op_parallelism_threads=1, inter_op_parallelism_threads=1)))
        assert tf.config.threading.get_intra_op_parallelism_threads() == 1
        assert tf.get_num_threads() == 1
    finally:
        tf.config.threading.set_intra_op_parallelism_threads(before)  # (0: the count before)
    assert tf.get_num_threads() == threads
    with pytest.raises(AttributeError, match="ConfigProto has no field 'allow_grow'"):
        config.allow_grow = True
    with pytest.raises(TypeError, match="config must be a ConfigProto"):
        tf.Session(config={"allow_growth": True})


def test_session_runs_eager_values_and_refuses_feeds():
    v = K.variable(np.arange(3, dtype=np.float32))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run([v * 2, {"s": K.sum(v)}])
    np.testing.assert_array_equal(got[0], [0, 2, 4])
    assert got[1]["s"] == 3
    with pytest.raises(RuntimeError, match="closed Session"):
        sess.run(v)
    with pytest.raises(NotImplementedError, match="these fetches are values"):
        tf.Session().run(v, feed_dict={v: np.zeros(3)})


def test_session_runs_keras_tensors_with_feeds():
    x = keras.Input((3,))
    h = keras.layers.Dense(2, kernel_initializer="ones", use_bias=False)(x)
    y = keras.layers.Dropout(0.5)(h)
    grads = K.gradients(K.sum(y), x)[0]
    xv = np.arange(6, dtype=np.float32).reshape(2, 3)
    with tf.Session() as sess:
        out, g, const = sess.run([y, grads, K.constant(1.0)],
                                 feed_dict={x: xv, K.learning_phase(): 0})
        with pytest.raises(ValueError, match="need the Inputs they are computed from"):
            sess.run(y)
    np.testing.assert_array_equal(out, np.repeat(xv.sum(1, keepdims=True), 2, 1))
    np.testing.assert_array_equal(g, np.full((2, 3), 2.0))
    assert const == 1.0


def test_default_graph_for_threads():
    graph = tf.get_default_graph()
    model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
    with graph.as_default():
        out = model.predict(np.ones((1, 3), np.float32), verbose=0)
    assert out.shape == (1, 2)
    assert tf.compat.v1.get_default_graph() is graph
    tf.reset_default_graph()  # accepted


def test_tensorflow_backend_module_is_the_backend():
    import tensorforge.keras.backend.tensorflow_backend as tfback
    assert tfback._get_available_gpus() == [f"/device:GPU:{i}" for i, _ in
                                            enumerate(tf.config.list_physical_devices("GPU"))]
    assert tfback.clear_session is K.clear_session and tfback.floatx() == "float32"
    assert K.tf is tf
    tf.set_random_seed(3)
    a = K.random_normal((4,))
    tf.compat.v1.set_random_seed(3)
    np.testing.assert_array_equal(np.asarray(a), np.asarray(K.random_normal((4,))))


def test_add_weight_keras_2_0_order():
    class L(keras.layers.Layer):
        def build(self, s):
            self.W = self.add_weight((s[-1], 3), initializer="ones", name="W")
            self.b = self.add_weight((3,), "b", initializer="zeros")
            super().build(s)

        def call(self, x):
            return K.dot(x, self.W) + self.b

    layer = L()
    out = layer(np.ones((2, 4), np.float32))
    np.testing.assert_array_equal(np.asarray(out), np.full((2, 3), 4.0))
    assert [w.name for w in layer.weights] == ["l/W:0", "l/b:0"]
    assert layer.W.shape == (4, 3)

    class Bad(keras.layers.Layer):
        def build(self, s):
            self.W = self.add_weight((2, 3), "W", "ones")

    with pytest.raises(TypeError, match="pass the other arguments by keyword"):
        Bad()(np.ones((1, 2), np.float32))


def test_multi_gpu_model_as_keras_on_this_machine():
    from tensorforge.keras.utils import multi_gpu_model
    model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
    with pytest.raises(ValueError, match="with `gpus >= 2`"):
        multi_gpu_model(model, gpus=1)
    n = len(tf.config.list_physical_devices("GPU"))
    with pytest.raises(ValueError, match=r"we expect the following devices to be available: "
                                         r"\['/cpu:0', '/gpu:0', '/gpu:1', '/gpu:2'\]"):
        multi_gpu_model(model, gpus=max(3, n + 1))


def test_step_functions_and_keras_2_2_model_attributes():
    model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,), kernel_initializer="ones",
                                                 use_bias=False)])
    model.compile("sgd", "mse")
    assert model.predict_function is None and model.run_eagerly is False
    model._make_predict_function()  # Keras 2.2's Flask idiom after load_model
    predict = model.make_predict_function()
    assert predict is model.predict_function
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    out = predict(iter(tf.data.Dataset.from_tensor_slices(x).batch(2)))
    np.testing.assert_array_equal(np.asarray(out), np.repeat(x[:2].sum(1, keepdims=True), 2, 1))
    logs = model.make_train_function()(iter(tf.data.Dataset.from_tensor_slices(
        (x, np.zeros((4, 2), np.float32))).batch(4)))
    # mse of x @ ones(3, 2) against zeros, before the step
    np.testing.assert_allclose(float(logs["loss"]), np.mean(x.sum(1) ** 2), rtol=1e-6)
    assert model.stateful is False and model.distribute_strategy is tf.distribute.get_strategy()
    with pytest.warns(UserWarning, match="`Sequential.model` is deprecated"):
        assert model.model is model


def test_tf1_logging_gfile_device_lib_and_python_keras(tmp_path):
    import logging
    logger = logging.getLogger("tensorflow")
    before = logger.level
    try:
        tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.ERROR)
        assert logger.level == logging.ERROR == tf.logging.ERROR
        assert tf.compat.v1.logging.get_verbosity() == logging.ERROR
        tf.logging.set_verbosity(tf.logging.INFO)
        assert tf.get_logger().level == logging.INFO
    finally:
        logger.setLevel(before)
    d = tmp_path / "a" / "b"
    tf.gfile.MakeDirs(str(d))
    with tf.compat.v1.gfile.GFile(str(d / "f.txt"), "w") as f:
        f.write("hi")
    assert tf.gfile.Exists(str(d / "f.txt")) and tf.gfile.ListDirectory(str(d)) == ["f.txt"]
    tf.enable_eager_execution()  # TensorFlow 1.x's switch: accepted
    from tensorforge.python.client import device_lib
    devices = device_lib.list_local_devices()
    assert devices[0].name == "/device:CPU:0" and devices[0].device_type == "CPU"
    assert [d.device_type for d in devices[1:]] == ["GPU"] * len(
        tf.config.list_physical_devices("GPU"))
    from tensorforge.python.keras import backend as PK
    from tensorforge.python.keras.layers import Dense
    assert PK is K and Dense is keras.layers.Dense


def test_hdf5_matrix_trains_like_its_arrays(tmp_path):
    h5py = pytest.importorskip("h5py")
    from tensorforge.keras.utils import HDF5Matrix
    from tensorforge.keras.utils.io_utils import HDF5Matrix as H2
    assert H2 is HDF5Matrix
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((20, 3)).astype(np.float32), rng.standard_normal((20, 1))
    path = str(tmp_path / "d.h5")
    with h5py.File(path, "w") as f:
        f["x"], f["y"] = x, y.astype(np.float32)
    xm = HDF5Matrix(path, "x", start=4, end=16, normalizer=lambda a: a * 2)
    assert len(xm) == 12 and xm.shape == (12, 3) and xm.ndim == 2 and xm.size == 36
    np.testing.assert_array_equal(xm[0], x[4] * 2)
    np.testing.assert_array_equal(xm[2:5], x[6:9] * 2)
    np.testing.assert_array_equal(xm[[3, 1]], x[[7, 5]] * 2)  # any order, as an array would
    with pytest.raises(IndexError, match="row 12 of 12"):
        xm[12]
    with pytest.raises(ValueError, match="not within the dataset 'x' of 20 rows"):
        HDF5Matrix(path, "x", start=5, end=30)
    ym = HDF5Matrix(path, "y", start=4, end=16)

    def model():
        tf.keras.utils.set_random_seed(0)
        m = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
        m.compile("sgd", "mse")
        return m
    a = model()  # (each model made, then fit: the same shuffles from the seed)
    a.fit(xm, ym, batch_size=4, epochs=2, shuffle="batch", verbose=0)
    b = model()
    b.fit(x[4:16] * 2, y[4:16].astype(np.float32), batch_size=4, epochs=2, shuffle="batch",
          verbose=0)
    for u, v in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_allclose(u, v, rtol=1e-6)


def test_keras_layers_on_a_tf1_placeholder():
    # "Keras as a simplified interface to TensorFlow" (2016-2017): layers on tf.placeholder,
    # predictions by sess.run with a feed_dict
    img = tf.placeholder(tf.float32, shape=(None, 4))
    preds = keras.layers.Dense(3, kernel_initializer="ones", use_bias=False)(img)
    sess = tf.compat.v1.Session()
    K.set_session(sess)
    sess.run(tf.compat.v1.global_variables_initializer())
    out = sess.run(preds, feed_dict={img: np.ones((2, 4))})
    np.testing.assert_array_equal(out, np.full((2, 3), 4.0))
    p = tf.placeholder(tf.float32)  # no shape: a scalar one (Raschka ch. 14 feeds 1, 2, 3)
    assert sess.run(2.0 * p, feed_dict={p: 3.0}) == 6.0
    with pytest.raises(ValueError, match=r"expected shape=\(\), found shape=\(2,\)"):
        sess.run(2.0 * p, feed_dict={p: np.ones(2)})
