"""Keras 2's (tf_keras') figures the tests in tests/test_corpus19.py hold, printed by running
the same calls under tf_keras 2.21. Run with the Keras 2 venv (tools/keras_parity.py's oracle):

    /work/keras-venv/bin/python tools/keras_corpus19_refs.py

It writes nothing; the printed values were copied into the tests. tf_keras 2.21 dropped
Keras 2.0-2.2's `K.set_image_dim_ordering('th')`, which set image_data_format to
'channels_first': the figures are printed with that setting made directly.
"""
import numpy as np
import tf_keras as keras
from tf_keras import backend as K

np.set_printoptions(precision=7, suppress=True)

# 1. Deep Learning with Keras, ch. 3, keras_LeNet.py: K.set_image_dim_ordering("th"), then
#    Conv2D / MaxPooling2D with no data_format take channels_first. A small LeNet-like stack
#    with known weights on a known (1, 1, 4, 4) NCHW input.
K.set_image_data_format("channels_first")
m = keras.Sequential([keras.layers.Conv2D(2, kernel_size=3, padding="same", input_shape=(1, 4, 4)),
                      keras.layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2))])
k = (np.arange(18, dtype="float32").reshape(3, 3, 1, 2) - 8.0) / 10.0
m.layers[0].set_weights([k, np.array([0.5, -0.5], "float32")])
x = np.arange(16, dtype="float32").reshape(1, 1, 4, 4) / 4.0
print("channels_first shapes:", [l.output_shape for l in m.layers])
print("channels_first output:", m.predict(x, verbose=0).tolist())
K.set_image_data_format("channels_last")

# 2. Deep Learning with Keras, ch. 7, tf-keras-func.py: the custom LocalResponseNormalization
#    layer (K.pool2d avg / same, K.sum keepdims, K.repeat_elements, K.pow), channels_last
#    branch (the program compares the function K.image_dim_ordering with "th", never equal).
x = (np.arange(48, dtype="float32").reshape(1, 4, 4, 3) - 20.0) / 3.0
n, alpha, beta, kk = 5, 0.0005, 0.75, 2
pooled = K.pool2d(K.square(x), (n // 2, n // 2), strides=(1, 1), padding="same", pool_mode="avg")
summed = K.sum(pooled, axis=3, keepdims=True)
averaged = (alpha / n) * K.repeat_elements(summed, 3, axis=3)
y = x / K.pow(kk + averaged, beta)
print("LRN output [0, :, :, 0]:", np.asarray(y)[0, :, :, 0].tolist())
print("LRN output [0, 3, 3, :]:", np.asarray(y)[0, 3, 3, :].tolist())
