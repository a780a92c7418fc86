"""Xception (Keras 2's keras/applications/xception.py): an entry flow of two convolutions and
three strided separable-convolution blocks with 1x1 convolution shortcuts, a middle flow of
eight residual blocks of three 728-channel separable convolutions, an exit flow, then the
classifier. Layer names and order as Keras 2's (the shortcut convolutions, their
BatchNormalization and the Adds are unnamed there too), so its .h5 weight files load. Inputs
at least 71x71; 'tf' preprocessing."""
from . import _common
from .imagenet_utils import decode_predictions as _decode, obtain_input_shape
from .imagenet_utils import preprocess_input as _preprocess

__all__ = ["Xception", "preprocess_input", "decode_predictions"]

_URL = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"
_HASHES = ("0a58e3b7378bc2990ea3b43d5981f1f6", "b0042744bf5b25fce3cb969f33bebb97")


def _sep(x, filters, name, act_first=True, act_name=None):
    """[ReLU], SeparableConv2D 3x3 'same' without bias, BatchNormalization."""
    from .. import layers
    if act_first:
        x = layers.Activation("relu", name=act_name or name + "_act")(x)
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(axis=-1, name=name + "_bn")(x)


def _shortcut(x, filters):
    from .. import layers
    r = layers.Conv2D(filters, (1, 1), strides=(2, 2), padding="same", use_bias=False)(x)
    return layers.BatchNormalization(axis=-1)(r)


def Xception(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax"):
    """Xception (Keras 2's signature and defaults; input at least 71x71)."""
    from .. import layers
    _common.check_args(weights, include_top, classes, pooling)
    input_shape = obtain_input_shape(input_shape, default_size=299, min_size=71,
                                     data_format="channels_last", require_flatten=include_top,
                                     weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    x = img_input
    for i, (filters, strides) in enumerate(((32, (2, 2)), (64, (1, 1))), start=1):
        x = layers.Conv2D(filters, (3, 3), strides=strides, use_bias=False,
                          name=f"block1_conv{i}")(x)
        x = layers.BatchNormalization(axis=-1, name=f"block1_conv{i}_bn")(x)
        x = layers.Activation("relu", name=f"block1_conv{i}_act")(x)
    for b, filters in ((2, 128), (3, 256), (4, 728)):  # entry flow
        residual = _shortcut(x, filters)
        if b == 2:  # block2 starts on the activated stem; its first ReLU is 'block2_sepconv2_act'
            x = _sep(x, filters, "block2_sepconv1", act_first=False)
            x = _sep(x, filters, "block2_sepconv2")
        else:
            x = _sep(x, filters, f"block{b}_sepconv1", act_name=f"block{b}_sepconv1_act")
            x = _sep(x, filters, f"block{b}_sepconv2", act_name=f"block{b}_sepconv2_act")
        x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"block{b}_pool")(x)
        x = layers.add([x, residual])
    for b in range(5, 13):  # middle flow
        residual = x
        for j in (1, 2, 3):
            x = _sep(x, 728, f"block{b}_sepconv{j}", act_name=f"block{b}_sepconv{j}_act")
        x = layers.add([x, residual])
    residual = _shortcut(x, 1024)  # exit flow
    x = _sep(x, 728, "block13_sepconv1", act_name="block13_sepconv1_act")
    x = _sep(x, 1024, "block13_sepconv2", act_name="block13_sepconv2_act")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name="block13_pool")(x)
    x = layers.add([x, residual])
    for j, filters in ((1, 1536), (2, 2048)):
        x = _sep(x, filters, f"block14_sepconv{j}", act_first=False)
        x = layers.Activation("relu", name=f"block14_sepconv{j}_act")(x)
    x = _common.head(x, include_top, pooling, classes, classifier_activation, weights,
                     avg_name="avg_pool" if include_top else None)
    fname = f"xception_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    return _common.finish(img_input, input_tensor, x, "xception", weights,
                          (fname, _URL + fname, _HASHES[0 if include_top else 1]))


def preprocess_input(x, data_format=None):
    """'tf' preprocessing: pixels scaled to [-1, 1]."""
    return _preprocess(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    return _decode(preds, top=top)
