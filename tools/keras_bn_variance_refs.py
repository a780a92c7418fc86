"""tf_keras 2.21's moving variance after one training call of BatchNormalization(momentum=0.0):
the figures tests/test_bn_moving_variance.py holds (Note [moving variance] in
layers/normalization.py). Run with the Keras 2 venv:

    /work/keras-venv/bin/python tools/keras_bn_variance_refs.py
"""
import numpy as np
import tf_keras as keras

rng = np.random.default_rng(0)
for shape in ((8, 3), (8, 4, 4, 3), (2, 5, 3)):
    x = rng.normal(1.0, 2.0, shape).astype("float32")
    bn = keras.layers.BatchNormalization(momentum=0.0)
    bn(x, training=True)
    print(shape, "moving_variance", np.round(np.asarray(bn.moving_variance), 5))
x = np.random.default_rng(1).normal(1.0, 2.0, (4, 3, 3, 2)).astype("float32")
for fused in (None, False):
    bn = keras.layers.BatchNormalization(momentum=0.5, fused=fused)
    bn(x, training=True)
    print("(4, 3, 3, 2) momentum 0.5 fused", fused, np.round(np.asarray(bn.moving_variance), 5))
bn = keras.layers.BatchNormalization(axis=1, momentum=0.0)
bn(x, training=True)
print("(4, 3, 3, 2) axis=1", np.round(np.asarray(bn.moving_variance), 5))
try:
    keras.layers.BatchNormalization(fused=True)(np.zeros((4, 3), "float32"), training=True)
except ValueError as e:
    print("fused=True on 2-D:", type(e).__name__)
