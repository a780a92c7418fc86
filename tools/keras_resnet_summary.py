"""Write tests/data/resnet_v1_depth8_summary.txt: real Keras 2's (tf_keras) summary of the ResNet
v1 of *Advanced Deep Learning with Keras* ch. 2 (depth 8, 8x8x3 inputs), the same program as in
tests/test_functional.py::test_resnet_v1_summary_matches_keras_2 with keras imports.
    /work/keras-venv/bin/python tools/keras_resnet_summary.py
"""
import os

from tf_keras.layers import (Activation, AveragePooling2D, BatchNormalization, Conv2D, Dense,
                             Flatten, Input, add)
from tf_keras.models import Model
from tf_keras.regularizers import l2


def resnet_layer(inputs, num_filters=16, kernel_size=3, strides=1, activation="relu",
                 batch_normalization=True):
    x = Conv2D(num_filters, kernel_size=kernel_size, strides=strides, padding="same",
               kernel_initializer="he_normal", kernel_regularizer=l2(1e-4))(inputs)
    if batch_normalization:
        x = BatchNormalization()(x)
    if activation is not None:
        x = Activation(activation)(x)
    return x


def resnet_v1(input_shape, depth, num_classes=10):
    num_filters = 16
    num_res_blocks = int((depth - 2) / 6)
    inputs = Input(shape=input_shape)
    x = resnet_layer(inputs=inputs)
    for stack in range(3):
        for res_block in range(num_res_blocks):
            strides = 2 if stack > 0 and res_block == 0 else 1
            y = resnet_layer(inputs=x, num_filters=num_filters, strides=strides)
            y = resnet_layer(inputs=y, num_filters=num_filters, activation=None)
            if stack > 0 and res_block == 0:
                x = resnet_layer(inputs=x, num_filters=num_filters, kernel_size=1,
                                 strides=strides, activation=None, batch_normalization=False)
            x = add([x, y])
            x = Activation("relu")(x)
        num_filters *= 2
    x = AveragePooling2D(pool_size=2)(x)
    outputs = Dense(num_classes, activation="softmax", kernel_initializer="he_normal")(Flatten()(x))
    return Model(inputs=inputs, outputs=outputs)


lines = []
resnet_v1((8, 8, 3), depth=8).summary(print_fn=lines.append)
path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "resnet_v1_depth8_summary.txt")
with open(path, "w") as f:
    f.write("\n".join(lines))
