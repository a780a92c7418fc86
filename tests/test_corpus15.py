"""The gaps the fifteenth corpus's programs revealed (tools/keras_corpus.md, "Fifteenth corpus":
Hands-On ML 2nd ed. chapters 11, 12, 15 and 17). Figures marked Keras 2's / TensorFlow's were
printed by tools/keras_corpus15_refs.py under TensorFlow 2.21 / tf_keras 2.21 on a machine
without a visible GPU; the others are worked out from first principles in the test."""
import warnings

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras


# ---- elementwise losses broadcast y_true against y_pred (ch. 15's naive forecast) ----------

_Y = np.array([[0.1, 0.5, 0.9], [0.3, 0.2, 0.8]], "float32")
_P = np.array([[0.4], [0.6]], "float32")


@pytest.mark.parametrize("name,y3_p1,y1_p3", [  # Keras 2's figures
    ("mean_squared_error", [0.11666665226221085, 0.09666667133569717],
     [0.11666665226221085, 0.09666667133569717]),
    ("mean_absolute_error", [0.29999998211860657, 0.30000001192092896],
     [0.29999998211860657, 0.30000001192092896]),
    ("mean_absolute_percentage_error", [125.18518829345703, 108.33333587646484], [75.0, 50.0]),
    ("hinge", [0.800000011920929, 0.7400000095367432], [0.800000011920929, 0.7400000095367432]),
    ("binary_crossentropy", [0.7135578989982605, 0.7405889630317688],
     [1.0336971282958984, 0.8992114067077637]),
    ("kullback_leibler_divergence", [0.7027795314788818, -0.19752101600170135],
     [0.1408882737159729, 0.902446448802948]),
    ("huber", [0.05833332613110542, 0.04833333566784859],
     [0.05833332613110542, 0.04833333566784859]),
])
def test_elementwise_losses_broadcast_like_keras2(name, y3_p1, y1_p3):
    fn = keras.losses.get(name)
    np.testing.assert_allclose(np.asarray(fn(_Y, _P)), y3_p1, rtol=2e-6)
    np.testing.assert_allclose(np.asarray(fn(_P, _Y)), y1_p3, rtol=2e-6)


def test_broadcast_loss_gradient_and_refusals():
    # d/dp mean_j (p - y_j)^2 = 2 * (p - mean_j y_j): the gradient keeps p's (N, 1) shape
    p = tf.Variable(_P)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(keras.losses.mean_squared_error(_Y, p))
    g = tape.gradient(loss, p).numpy()
    np.testing.assert_allclose(g, 2 * (_P - _Y.mean(axis=1, keepdims=True)), rtol=1e-5)
    with pytest.raises(ValueError, match=r"categorical_crossentropy: y_true and y_pred must have "
                                         r"the same shape, got \(2, 3\) and \(2, 1\)"):
        keras.losses.categorical_crossentropy(_Y, _P)  # Keras 2: ValueError too
    with pytest.raises(ValueError, match=r"mean_squared_error: .* broadcast .* \(2, 3\) and "
                                         r"\(2, 2\)"):
        keras.losses.mean_squared_error(_Y, np.ones((2, 2), "float32"))


# ---- a custom layer returning a time-major stack: batch-following dims are None (ch. 15) ----

class _TimeMajor(keras.layers.Layer):
    def call(self, inputs):
        n = tf.shape(inputs)[1]
        seq = tf.TensorArray(inputs.dtype, size=n)
        for step in tf.range(n):
            seq = seq.write(step, inputs[:, step] * 2.0)
        return seq.stack()


def test_output_dims_that_follow_the_batch_are_unknown():
    m = keras.models.Sequential([_TimeMajor(input_shape=[None, 3])])
    assert m.output_shape == (None, None, 3)  # Keras 2's (a fixed probe batch gave (None, 2, 3))
    x = np.arange(24, dtype="float32").reshape(4, 2, 3)
    np.testing.assert_array_equal(m(x).numpy(), 2 * x.transpose(1, 0, 2))
    # a real size-2 axis stays known
    d = keras.models.Sequential([keras.layers.Dense(2, input_shape=[5, 2])])
    assert d.output_shape == (None, 5, 2)


# ---- Model(inputs, [output]) behaves as Model(inputs, output) (ch. 17's VAE decoder) --------

def test_single_output_list_is_unwrapped_like_keras2():
    i = keras.Input((3,))
    o = keras.layers.Dense(2)(i)
    m = keras.Model(i, [o])
    x = np.ones((4, 3), "float32")
    assert not isinstance(m.output, (list, tuple))  # Keras 2: one KerasTensor
    assert m.output_shape == (None, 2)
    assert isinstance(m(x), tf.Tensor) and not isinstance(m(i), (list, tuple))
    assert isinstance(m.predict(x, verbose=0), np.ndarray)
    t = keras.Model(i, (o,))  # a tuple stays a tuple, as in Keras 2
    assert isinstance(t.output, tuple) and isinstance(t(x), tuple)


def test_vae_with_a_one_output_decoder_trains():
    # ch. 17's VAE: decoder Model(outputs=[...]) called on the encoder's codings, add_loss
    K = keras.backend
    inputs = keras.layers.Input(shape=[4])
    mean = keras.layers.Dense(2)(inputs)
    log_var = keras.layers.Dense(2)(inputs)
    enc = keras.Model(inputs=[inputs], outputs=[mean, log_var, mean])
    dec_in = keras.layers.Input(shape=[2])
    dec = keras.Model(inputs=[dec_in], outputs=[keras.layers.Dense(4)(dec_in)])
    _, _, codings = enc(inputs)
    vae = keras.Model(inputs=[inputs], outputs=[dec(codings)])
    vae.add_loss(K.mean(-0.5 * K.sum(1 + log_var - K.exp(log_var) - K.square(mean), axis=-1)))
    vae.compile(loss="mse", optimizer="sgd")
    x = np.random.default_rng(0).random((16, 4)).astype("float32")
    h = vae.fit(x, x, batch_size=8, epochs=1, validation_data=[x, x], verbose=0)
    assert np.isfinite(h.history["loss"][0]) and np.isfinite(h.history["val_loss"][0])


# ---- the same layer added twice to a Sequential (ch. 12's block1, block1, ...) --------------

def _twice(input_shape):
    b = keras.layers.Dense(2, kernel_initializer="ones", bias_initializer="ones")
    first = keras.layers.Dense(2, kernel_initializer="ones", use_bias=False,
                               **({"input_shape": input_shape} if input_shape else {}))
    return keras.models.Sequential([first, b, b, b])


def test_layer_added_twice_as_keras2():
    deferred = _twice(None)  # Keras 2: [[5, 5]] (b runs once), 2 layers
    np.testing.assert_allclose(deferred.predict(np.ones((1, 2)), verbose=0), [[5.0, 5.0]])
    assert len(deferred.layers) == 2
    built = _twice([2])  # Keras 2: [[23, 23]] (each add after the input shape calls b), 2 layers
    np.testing.assert_allclose(built.predict(np.ones((1, 2)), verbose=0), [[23.0, 23.0]])
    assert len(built.layers) == 2 and len(built.weights) == 3
    with pytest.raises(ValueError, match="already in the model"):
        keras.models.Sequential([keras.layers.Dense(2, name="d"), keras.layers.Dense(2, name="d")])


# ---- loss classes: Keras 2's positional arguments; a subclass's own call (ch. 12) -----------

class HuberLoss(keras.losses.Loss):
    def __init__(self, threshold=1.0, **kwargs):
        self.threshold = threshold
        super().__init__(**kwargs)

    def call(self, y_true, y_pred):
        error = y_true - y_pred
        small = tf.abs(error) < self.threshold
        return tf.where(small, tf.square(error) / 2,
                        self.threshold * tf.abs(error) - self.threshold ** 2 / 2)

    def get_config(self):
        return {**super().get_config(), "threshold": self.threshold}


def test_loss_classes_take_keras2_positional_arguments():
    assert keras.losses.Huber(2.0).get_config()["delta"] == 2.0  # Keras 2: 2.0
    assert keras.losses.MeanSquaredError("sum").reduction == "sum"  # Keras 2: 'sum'
    assert keras.losses.BinaryCrossentropy(True).get_config()["from_logits"] is True
    with pytest.raises(TypeError, match="Huber: takes at most 3 positional"):
        keras.losses.Huber(1.0, "auto", "h", 4)


def test_loss_subclass_call_is_used_and_reduced():
    yt = np.array([[0.], [2.], [5.]], "float32")
    yp = np.array([[1.], [9.25], [5.5]], "float32")
    # per sample: 0.5, 2 * 7.25 - 2 = 12.5, 0.125; mean 13.125 / 3 = 4.375 (Keras 2: 4.375)
    assert float(HuberLoss(2.)(yt, yp)) == pytest.approx(4.375)
    w = np.array([1., 0.5, 2.], "float32")  # (0.5 + 6.25 + 0.25) / 3 (Keras 2: 2.3333333)
    assert float(HuberLoss(2.)(yt, yp, sample_weight=w)) == pytest.approx(7.0 / 3, rel=1e-6)


# ---- regularizers: a subclass without get_config; custom parts through .h5 (ch. 12, 17) -----

class _NoConfigReg(keras.regularizers.Regularizer):
    def __init__(self, weight):
        self.weight = weight

    def __call__(self, x):
        return self.weight * tf.reduce_sum(x)


class MyL1Regularizer(keras.regularizers.Regularizer):
    def __init__(self, factor):
        self.factor = factor

    def __call__(self, weights):
        return tf.reduce_sum(tf.abs(self.factor * weights))

    def get_config(self):
        return {"factor": self.factor}


def test_regularizer_subclass_asked_for_config_only_when_saved():
    d = keras.layers.Dense(3, activation="sigmoid", activity_regularizer=_NoConfigReg(0.1),
                           kernel_regularizer=_NoConfigReg(0.2))  # Keras 2: no error here
    with pytest.raises(NotImplementedError, match="does not implement get_config"):
        d.get_config()  # Keras 2: NotImplementedError "<...> does not implement get_config()"
    c = keras.layers.Dense(3, kernel_regularizer=MyL1Regularizer(0.01)).get_config()
    assert c["kernel_regularizer"] == {"class_name": "MyL1Regularizer",
                                       "config": {"factor": 0.01}}  # Keras 2's class and config


def my_softplus(z):
    return tf.math.log(tf.exp(z) + 1.0)


def my_glorot_initializer(shape, dtype=tf.float32):
    return tf.random.normal(shape, stddev=tf.sqrt(2. / (shape[0] + shape[1])), dtype=dtype)


def my_l1_regularizer(weights):
    return tf.reduce_sum(tf.abs(0.01 * weights))


def my_positive_weights(weights):
    return tf.where(weights < 0., tf.zeros_like(weights), weights)


def test_h5_with_custom_functions_classes_and_loss(tmp_path):
    model = keras.models.Sequential([
        keras.layers.Dense(4, activation="selu", input_shape=[3]),
        keras.layers.Dense(1, activation=my_softplus, kernel_regularizer=my_l1_regularizer,
                           kernel_constraint=my_positive_weights,
                           kernel_initializer=my_glorot_initializer,
                           bias_regularizer=MyL1Regularizer(0.5))])
    model.compile(loss=HuberLoss(2.), optimizer="sgd")
    x = np.random.default_rng(1).random((8, 3)).astype("float32")
    model.fit(x, x[:, :1], epochs=1, verbose=0)
    path = str(tmp_path / "m.h5")
    model.save(path)
    with pytest.raises(ValueError):  # a name the loader cannot resolve is said, not guessed
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            keras.models.load_model(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the optimizer's decay note
        m2 = keras.models.load_model(path, custom_objects={
            "my_l1_regularizer": my_l1_regularizer, "my_positive_weights": my_positive_weights,
            "my_glorot_initializer": my_glorot_initializer, "my_softplus": my_softplus,
            "MyL1Regularizer": MyL1Regularizer, "HuberLoss": HuberLoss})
    l1 = m2.layers[1]
    assert l1.kernel_regularizer is my_l1_regularizer and l1.kernel_constraint is my_positive_weights
    assert l1.activation is my_softplus and l1.bias_regularizer.factor == 0.5
    assert type(m2.loss) is HuberLoss and m2.loss.threshold == 2.0  # not the built-in huber
    np.testing.assert_allclose(m2.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


# ---- variables: constraint, trainable; Layer.updates; sliced assign, scatters (ch. 11-12) ----

def test_variable_constraint_trainable_and_layer_updates():
    d = keras.layers.Dense(2, kernel_constraint=keras.constraints.max_norm(1.))
    d.build((None, 3))
    assert [type(v.constraint).__name__ for v in d.variables] == ["MaxNorm", "NoneType"]
    bn = keras.layers.BatchNormalization()
    bn.build((None, 4))
    assert [v.trainable for v in bn.variables] == [True, True, False, False]  # Keras 2's
    assert tf.Variable(1., trainable=False).trainable is False
    with pytest.raises(AttributeError):
        tf.constant(1.).trainable  # an EagerTensor has none
    with pytest.warns(UserWarning, match="`layer.updates` will be removed"):
        assert bn.updates == []  # Keras 2: [] with this warning


def test_sliced_assign_and_scatters_like_tensorflow():
    v = tf.Variable([[1., 2., 3.], [4., 5., 6.]])
    v.assign(2 * v)
    out = v[0, 1].assign(42)
    assert out is v  # TensorFlow returns the variable
    np.testing.assert_array_equal(v.numpy(), [[2., 42., 6.], [8., 10., 12.]])  # TF's
    v[:, 2].assign([0., 1.])
    np.testing.assert_array_equal(v.numpy(), [[2., 42., 0.], [8., 10., 1.]])
    v.scatter_nd_update(indices=[[0, 0], [1, 2]], updates=[100., 200.])
    np.testing.assert_array_equal(v.numpy(), [[100., 42., 0.], [8., 10., 200.]])
    v.scatter_update(tf.IndexedSlices(values=[[1., 2., 3.], [4., 5., 6.]], indices=[1, 0]))
    np.testing.assert_array_equal(v.numpy(), [[4., 5., 6.], [1., 2., 3.]])
    c = tf.constant([[1., 2.]])
    c0 = c[0, 1]
    assert float(c0) == 2.0 and not hasattr(c0, "_slice_of")  # a constant's read stays a copy
    w = tf.Variable([1., 2.])
    snap = w[0]
    w.assign([5., 6.])
    assert float(snap) == 1.0  # a read element is a value, not a view


# ---- ch. 12's ragged, sparse and set tensors (TensorFlow's values) ----------------------------

def test_ragged_concat_and_unicode_encode():
    r = tf.strings.unicode_decode(tf.constant(["Café", "Coffee", "caffè", "咖啡"]), "UTF8")
    r2 = tf.ragged.constant([[65, 66], [], [67]])
    r3 = tf.ragged.constant([[68, 69, 70], [71], [], [72, 73]])
    assert tf.concat([r, r2], axis=0).to_list() == [
        [67, 97, 102, 233], [67, 111, 102, 102, 101, 101], [99, 97, 102, 102, 232],
        [21654, 21857], [65, 66], [], [67]]
    assert tf.concat([r, r3], axis=1).to_list() == [
        [67, 97, 102, 233, 68, 69, 70], [67, 111, 102, 102, 101, 101, 71],
        [99, 97, 102, 102, 232], [21654, 21857, 72, 73]]
    assert tf.strings.unicode_encode(r3, "UTF-8").numpy().tolist() == [b"DEF", b"G", b"", b"HI"]
    with pytest.raises(ValueError, match="same number of rows"):
        tf.concat([r, r2], axis=1)


def test_sparse_times_scalar_and_sets():
    s = tf.SparseTensor(indices=[[0, 1], [1, 0], [2, 3]], values=[1., 2., 3.], dense_shape=[3, 4])
    s2 = s * 2.0
    assert isinstance(s2, tf.SparseTensor)
    assert s2.values.numpy().tolist() == [2., 4., 6.]  # TF's
    assert s2.indices.numpy().tolist() == [[0, 1], [1, 0], [2, 3]]
    for bad in (lambda: s + 1., lambda: 2.0 * s):  # TypeError in TensorFlow too
        with pytest.raises(TypeError):
            bad()
    set1 = tf.constant([[2, 3, 5, 7], [7, 9, 0, 0]])
    set2 = tf.constant([[4, 5, 6], [9, 10, 0]])
    dense = lambda t: tf.sparse.to_dense(t).numpy().tolist()  # noqa: E731
    assert dense(tf.sets.union(set1, set2)) == [[2, 3, 4, 5, 6, 7], [0, 7, 9, 10, 0, 0]]
    assert dense(tf.sets.difference(set1, set2)) == [[2, 3, 7], [7, 0, 0]]
    assert dense(tf.sets.intersection(set1, set2)) == [[5, 0], [0, 9]]
    assert tf.sets.size(tf.sets.union(set1, set2)).numpy().tolist() == [6, 4]
    with pytest.raises(TypeError, match="Expected `SparseTensor`"):
        tf.sets.size(set1)


# ---- model.metrics once fit ran (ch. 12's model.metrics[-1].threshold) ------------------------

class HuberMetric(keras.metrics.Metric):
    def __init__(self, threshold=1.0, **kwargs):
        super().__init__(**kwargs)
        self.threshold = threshold
        self.total = self.add_weight("total", initializer="zeros")
        self.count = self.add_weight("count", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.total.assign_add(tf.reduce_sum(tf.abs(y_true - y_pred)))
        self.count.assign_add(tf.cast(tf.size(y_true), tf.float32))

    def result(self):
        return self.total / self.count


def test_model_metrics_after_fit_as_keras2():
    m = keras.models.Sequential([keras.layers.Dense(1, input_shape=[2],
                                                    kernel_initializer="ones")])
    hm = HuberMetric(2.0)
    m.compile(loss="mse", optimizer=keras.optimizers.SGD(0.0), metrics=["mae", hm])
    assert m.metrics == []  # Keras 2: [] before the first fit
    x = np.array([[1., 2.], [3., 4.], [0., 1.]], "float32")
    y = np.array([[1.], [2.], [3.]], "float32")
    h = m.fit(x, y, batch_size=3, epochs=1, verbose=0)
    # Keras 2: ['loss', 'mae', 'huber_metric'], results [11.0, 3.0, 3.0], the same history
    assert [k.name for k in m.metrics] == ["loss", "mae", "huber_metric"]
    np.testing.assert_allclose([float(k.result()) for k in m.metrics], [11.0, 3.0, 3.0],
                               rtol=1e-6)
    assert h.history["loss"] == pytest.approx([11.0])
    assert m.metrics[-1] is hm and m.metrics[-1].threshold == 2.0


def test_tf_function_keeps_python_function():
    @tf.function
    def add_10(x):
        for i in tf.range(10):
            x += 1
        return x
    assert add_10.python_function is add_10 and int(add_10(tf.constant(5))) == 15
