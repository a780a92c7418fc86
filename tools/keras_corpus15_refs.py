"""Keras 2's (tf_keras') and TensorFlow's figures the tests in tests/test_corpus15.py hold,
printed by running the same calls under TensorFlow 2.21 / tf_keras 2.21. Run with the Keras 2
venv (tools/keras_parity.py's oracle):

    /work/keras-venv/bin/python tools/keras_corpus15_refs.py

It writes nothing into the repository (a temporary folder only); the printed values were
copied into the tests.
"""
import os
import tempfile
import warnings

import numpy as np
import tensorflow as tf
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)

# 1. the elementwise losses broadcast y_true against y_pred (Hands-On ML 2 ch. 15's naive
#    forecast: mean_squared_error(Y (N, 10), Y[:, -1:] (N, 1)))
y = np.array([[0.1, 0.5, 0.9], [0.3, 0.2, 0.8]], "float32")
p = np.array([[0.4], [0.6]], "float32")
for n in ["mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
          "hinge", "binary_crossentropy", "kullback_leibler_divergence", "huber"]:
    print(n, keras.losses.get(n)(y, p).numpy().tolist(), keras.losses.get(n)(p, y).numpy().tolist())
try:
    keras.losses.categorical_crossentropy(y, p)
except ValueError as e:
    print("categorical_crossentropy (2, 3) vs (2, 1): ValueError", str(e)[:40])

# 2. a custom RNN layer whose call returns a TensorArray's time-major stack (ch. 15's MyRNN):
#    Keras 2's symbolic output shape
class TimeMajor(keras.layers.Layer):
    @tf.function
    def call(self, inputs):
        n = tf.shape(inputs)[1]
        seq = tf.TensorArray(inputs.dtype, size=n)
        for step in tf.range(n):
            seq = seq.write(step, inputs[:, step] * 2.0)
        return seq.stack()

m = keras.models.Sequential([TimeMajor(input_shape=[None, 3])])
print("time-major custom layer output_shape:", m.output_shape)

# 3. Model(inputs, [one output]) is called, predicts and reports as Model(inputs, output)
i = keras.Input((3,))
o = keras.layers.Dense(2)(i)
m = keras.Model(i, [o])
x = np.ones((4, 3), "float32")
print("outputs=[o]:", type(m.output).__name__, m.output_shape, type(m(x)).__name__,
      type(m(i)).__name__, type(m.predict(x, verbose=0)).__name__)
m = keras.Model(i, (o,))
print("outputs=(o,):", type(m.output).__name__, type(m(x)).__name__)

# 4. a layer object added twice to a Sequential (ch. 12's block1, block1, ...)
b = keras.layers.Dense(2, kernel_initializer="ones", bias_initializer="ones")
m = keras.models.Sequential([keras.layers.Dense(2, kernel_initializer="ones", use_bias=False), b, b, b])
print("deferred [d, b, b, b]:", m.predict(np.ones((1, 2)), verbose=0).tolist(), len(m.layers))
m = keras.models.Sequential([keras.layers.Dense(2, kernel_initializer="ones", use_bias=False,
                                                input_shape=[2]), b, b, b])
print("built [d, b, b, b]:", m.predict(np.ones((1, 2)), verbose=0).tolist(), len(m.layers))

# 5. loss classes: positional arguments, a subclass's own call
print("Huber(2.0):", keras.losses.Huber(2.0).get_config()["delta"],
      "MeanSquaredError('sum'):", keras.losses.MeanSquaredError("sum").reduction,
      "BinaryCrossentropy(True):", keras.losses.BinaryCrossentropy(True).get_config()["from_logits"])

class HuberLoss(keras.losses.Loss):
    def __init__(self, threshold=1.0, **kwargs):
        self.threshold = threshold
        super().__init__(**kwargs)
    def call(self, y_true, y_pred):
        error = y_true - y_pred
        small = tf.abs(error) < self.threshold
        return tf.where(small, tf.square(error) / 2, self.threshold * tf.abs(error) - self.threshold ** 2 / 2)
    def get_config(self):
        return {**super().get_config(), "threshold": self.threshold}

yt = np.array([[0.], [2.], [5.]], "float32")
yp = np.array([[1.], [9.25], [5.5]], "float32")
print("HuberLoss(2.) value:", float(HuberLoss(2.)(yt, yp)),
      "weighted:", float(HuberLoss(2.)(yt, yp, sample_weight=np.array([1., 0.5, 2.], "float32"))))

# 6. regularizers: a subclass without get_config, given to a layer; saving asks for it
class KLReg(keras.regularizers.Regularizer):
    def __init__(self, weight):
        self.weight = weight
    def __call__(self, x):
        return self.weight * tf.reduce_sum(x)

d = keras.layers.Dense(3, activity_regularizer=KLReg(0.1), kernel_regularizer=KLReg(0.2))
try:
    d.get_config()
except NotImplementedError as e:
    print("Dense.get_config with a Regularizer lacking get_config: NotImplementedError:", e)

class MyL1(keras.regularizers.Regularizer):
    def __init__(self, factor):
        self.factor = factor
    def __call__(self, w):
        return tf.reduce_sum(tf.abs(self.factor * w))
    def get_config(self):
        return {"factor": self.factor}

print("kernel_regularizer=MyL1(0.01) in the config:",
      keras.regularizers.serialize(MyL1(0.01))["class_name"], MyL1(0.01).get_config())

# 7. .h5 with custom functions (ch. 12's my_softplus / my_glorot_initializer /
#    my_l1_regularizer / my_positive_weights) and a custom Loss subclass
def my_softplus(z):
    return tf.math.log(tf.exp(z) + 1.0)
def my_glorot_initializer(shape, dtype=tf.float32):
    return tf.random.normal(shape, stddev=tf.sqrt(2. / (shape[0] + shape[1])), dtype=dtype)
def my_l1_regularizer(weights):
    return tf.reduce_sum(tf.abs(0.01 * weights))
def my_positive_weights(weights):
    return tf.where(weights < 0., tf.zeros_like(weights), weights)

m = keras.models.Sequential([keras.layers.Dense(1, activation=my_softplus, input_shape=[8],
                                                kernel_regularizer=my_l1_regularizer,
                                                kernel_constraint=my_positive_weights,
                                                kernel_initializer=my_glorot_initializer)])
m.compile(loss=HuberLoss(2.), optimizer="sgd")
path = os.path.join(tempfile.mkdtemp(), "m.h5")
m.save(path)
c = m.layers[0].get_config()
print("saved Dense config:", c["activation"], c["kernel_initializer"], c["kernel_regularizer"],
      c["kernel_constraint"])
try:  # tf_keras 2.21 writes the functions as {"class_name": "function", ...} and then cannot
    # read them back (Keras 2.2 - 2.12 wrote the name, which the book's notebook loads)
    keras.models.load_model(path, custom_objects={
        "my_l1_regularizer": my_l1_regularizer, "my_positive_weights": my_positive_weights,
        "my_glorot_initializer": my_glorot_initializer, "my_softplus": my_softplus,
        "HuberLoss": HuberLoss})
except TypeError as e:
    print("tf_keras 2.21 load_model of it: TypeError", str(e)[-60:])
print("the compiled loss in the file:", m.loss.get_config())

# 8. variables: constraint, trainable; Layer.updates
d = keras.layers.Dense(2, kernel_constraint=keras.constraints.max_norm(1.))
d.build((None, 3))
print("constraints:", [type(v.constraint).__name__ for v in d.variables])
bn = keras.layers.BatchNormalization()
bn.build((None, 4))
print("BN:", [(v.name, v.trainable) for v in bn.variables])
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    print("updates:", bn.updates, str(w[0].message)[:40])

# 9. ch. 12's tensors: ragged, sparse, sets, variables
p = tf.constant(["Café", "Coffee", "caffè", "咖啡"])
r = tf.strings.unicode_decode(p, "UTF8")
r2 = tf.ragged.constant([[65, 66], [], [67]])
r3 = tf.ragged.constant([[68, 69, 70], [71], [], [72, 73]])
print("concat axis 0:", tf.concat([r, r2], axis=0).to_list())
print("concat axis 1:", tf.concat([r, r3], axis=1).to_list())
print("unicode_encode(r3):", tf.strings.unicode_encode(r3, "UTF-8").numpy().tolist())
s = tf.SparseTensor(indices=[[0, 1], [1, 0], [2, 3]], values=[1., 2., 3.], dense_shape=[3, 4])
s2 = s * 2.0
print("s * 2.0:", type(s2).__name__, s2.values.numpy().tolist(), s2.indices.numpy().tolist())
try:
    s + 1.
except TypeError as e:
    print("s + 1.: TypeError")
try:
    2.0 * s
except TypeError as e:
    print("2.0 * s: TypeError")
set1 = tf.constant([[2, 3, 5, 7], [7, 9, 0, 0]])
set2 = tf.constant([[4, 5, 6], [9, 10, 0]])
for op in ("union", "difference", "intersection"):
    print(op, tf.sparse.to_dense(getattr(tf.sets, op)(set1, set2)).numpy().tolist())
print("size of the union:", tf.sets.size(tf.sets.union(set1, set2)).numpy().tolist())
v = tf.Variable([[1., 2., 3.], [4., 5., 6.]])
v.assign(2 * v)
out = v[0, 1].assign(42)
print("v[0, 1].assign(42):", type(out).__name__, v.numpy().tolist())
v[:, 2].assign([0., 1.])
print("v[:, 2].assign:", v.numpy().tolist())
v.scatter_nd_update(indices=[[0, 0], [1, 2]], updates=[100., 200.])
print("scatter_nd_update:", v.numpy().tolist())
v.scatter_update(tf.IndexedSlices(values=[[1., 2., 3.], [4., 5., 6.]], indices=[1, 0]))
print("scatter_update:", v.numpy().tolist())

# 10. model.metrics once fit ran: the loss Mean, then the compiled metric objects
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

m = keras.models.Sequential([keras.layers.Dense(1, input_shape=[2], kernel_initializer="ones")])
m.compile(loss="mse", optimizer=keras.optimizers.legacy.SGD(0.0), metrics=["mae", HuberMetric(2.0)])
print("metrics before fit:", [x.name for x in m.metrics])
xx = np.array([[1., 2.], [3., 4.], [0., 1.]], "float32")
yy = np.array([[1.], [2.], [3.]], "float32")
h = m.fit(xx, yy, batch_size=3, epochs=1, verbose=0)
print("metrics after fit:", [x.name for x in m.metrics], [float(x.result()) for x in m.metrics],
      h.history, m.metrics[-1].threshold)
