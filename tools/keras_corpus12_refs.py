"""Keras 2's (tf_keras') and TensorFlow's figures the tests in tests/test_corpus12.py hold,
printed by running the same calls under TensorFlow 2.21 / tf_keras 2.21. Run with the Keras 2
venv (tools/keras_parity.py's oracle):

    /work/keras-venv/bin/python tools/keras_corpus12_refs.py

It writes nothing into the repository; the printed values were copied into the tests.
"""
import io
import contextlib

import numpy as np
import pandas as pd
import tensorflow as tf
import tf_keras as keras

# 1. tf.test on a CPU-only machine
print("is_gpu_available:", tf.test.is_gpu_available(),
      "gpu_device_name:", repr(tf.test.gpu_device_name()))

# 2. an empty name stays empty (a subclassed Model's summary header, a layer's name)
class Block(keras.Model):
    def __init__(self):
        super().__init__(name="")
        self.d = keras.layers.Dense(2)

    def call(self, x):
        return self.d(x)

b = Block()
b(np.zeros((1, 3), "float32"))
out = io.StringIO()
with contextlib.redirect_stdout(out):
    b.summary()
print("summary header:", repr(out.getvalue().splitlines()[0]))
print("Dense(name='').name:", repr(keras.layers.Dense(2, name="").name))

# 3. tf.random.categorical: shape and dtype, and the one argument error
s = tf.random.categorical(tf.math.log([[0.5, 0.5], [0.1, 0.9]]), 5)
print("categorical:", s.shape, s.dtype.name,
      tf.random.categorical([[0.0, 0.0]], 3, dtype=tf.int32).dtype.name)
print("categorical of -inf logit:", tf.random.categorical([[0.0, -np.inf]], 8).numpy().tolist())

# 4. tf.TensorShape
print("TensorShape:", tf.TensorShape([1, None]).as_list(), tf.TensorShape([1, None]).rank)

# 5. crop / pad to a bounding box, and their errors
img = tf.reshape(tf.range(24, dtype=tf.float32), (4, 3, 2))
print("crop:", tf.image.crop_to_bounding_box(img, 1, 1, 2, 2).numpy()[..., 0].tolist())
print("pad:", tf.image.pad_to_bounding_box(img[:2, :2], 1, 0, 3, 3).numpy()[..., 1].tolist())
for f, args in ((tf.image.crop_to_bounding_box, (img, 3, 0, 2, 2)),
                (tf.image.pad_to_bounding_box, (img, 0, 2, 4, 4))):
    try:
        f(*args)
    except ValueError as e:
        print(f.__name__, "ValueError:", str(e).splitlines()[0])

# 6. YAML
m = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
for call in (m.to_yaml, lambda: keras.models.model_from_yaml("x")):
    try:
        call()
    except RuntimeError as e:
        print("RuntimeError:", e)

# 7. a loss object called on NumPy arrays returns a tensor
y, p = np.array([1]), np.array([[0.1, 0.5, 0.2]], "float32")
v = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, p)
print("loss on numpy:", type(v).__name__, v.dtype.name, v.shape, float(v.numpy()))

# 8. tf.constant of a pandas Series keeps its dtype
print("constant(Series):", tf.constant(pd.Series(np.array([1, 2], "int8"))).dtype.name,
      tf.constant(pd.Series([0.5, 1.5])).dtype.name)

# 9. tf.stack of functional inputs of shape ()
a, b2 = keras.Input(shape=(), name="a"), keras.Input(shape=(), name="b")
x = tf.stack([a, b2], axis=-1)
print("stack of Inputs:", x.shape)
mm = keras.Model({"a": a, "b": b2}, keras.layers.Dense(1, kernel_initializer="ones")(x))
print("dict model:", mm.predict({"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])},
                                verbose=0).ravel().tolist())

# 10. gather_nd / tensor_scatter_nd_add
params = tf.reshape(tf.range(24, dtype=tf.float32), (2, 3, 4))
print("gather_nd:", tf.gather_nd(params, [[0, 1], [1, 2]]).numpy().tolist())
print("scatter_nd_add:", tf.tensor_scatter_nd_add(tf.zeros((5,)), [[1], [3], [1], [0]],
                                                   tf.ones((4,))).numpy().tolist())
