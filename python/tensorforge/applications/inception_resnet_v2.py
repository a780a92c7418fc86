"""InceptionResNetV2 (Keras 2's keras/applications/inception_resnet_v2.py): InceptionV3's stem,
'mixed_5b', ten Inception-ResNet-A blocks (block35, residual scale 0.17), 'mixed_6a', twenty
B blocks (block17, 0.1), 'mixed_7a', ten C blocks (block8, 0.2; the last linear, scale 1),
'conv_7b', then the classifier. Each residual sum is a ``CustomScaleLayer`` (x + scale * r), as
in tf_keras 2.13+; the stem's convolutions are unnamed there too, so the automatic names and
the order match and Keras 2's .h5 weight files load. Inputs at least 75x75; 'tf'
preprocessing."""
from ..engine.base_layer import Layer
from . import _common
from .imagenet_utils import decode_predictions as _decode, obtain_input_shape
from .imagenet_utils import preprocess_input as _preprocess

__all__ = ["InceptionResNetV2", "CustomScaleLayer", "preprocess_input", "decode_predictions"]

BASE_WEIGHT_URL = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                   "inception_resnet_v2/")
_HASHES = ("e693bd0210a403b3192acc6073ad2e96", "d19885ff4a710c122648d3b5c3b684e4")


class CustomScaleLayer(Layer):
    """``inputs[0] + inputs[1] * scale``: the scaled residual sum of an Inception-ResNet block."""

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def get_config(self):
        config = super().get_config()
        config.update({"scale": self.scale})
        return config

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale


def conv2d_bn(x, filters, kernel_size, strides=1, padding="same", activation="relu",
              use_bias=False, name=None):
    """Conv2D, then (without a bias) BatchNormalization without scale, then the activation."""
    from .. import layers
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding,
                      use_bias=use_bias, name=name)(x)
    if not use_bias:
        x = layers.BatchNormalization(axis=3, scale=False,
                                      name=None if name is None else name + "_bn")(x)
    if activation is not None:
        x = layers.Activation(activation, name=None if name is None else name + "_ac")(x)
    return x


_BLOCKS = {  # the residual branch's conv chains per block type
    "block35": [[(32, 1)], [(32, 1), (32, 3)], [(32, 1), (48, 3), (64, 3)]],
    "block17": [[(192, 1)], [(128, 1), (160, (1, 7)), (192, (7, 1))]],
    "block8": [[(192, 1)], [(192, 1), (224, (1, 3)), (256, (3, 1))]],
}


def _chain(x, convs):
    for filters, k, *rest in convs:
        x = conv2d_bn(x, filters, k, **(dict(strides=2, padding="valid") if rest else {}))
    return x


def inception_resnet_block(x, scale, block_type, block_idx, activation="relu"):
    """One Inception-ResNet block named ``{block_type}_{block_idx}``."""
    from .. import layers
    if block_type not in _BLOCKS:
        raise ValueError('Unknown Inception-ResNet block type. Expects "block35", "block17" or '
                         f'"block8", but got: {block_type}')
    branches = [_chain(x, c) for c in _BLOCKS[block_type]]
    block_name = f"{block_type}_{block_idx}"
    mixed = layers.Concatenate(axis=3, name=block_name + "_mixed")(branches)
    up = conv2d_bn(mixed, tuple(x.shape)[3], 1, activation=None, use_bias=True,
                   name=block_name + "_conv")
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=block_name + "_ac")(x)
    return x


def InceptionResNetV2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                      pooling=None, classes=1000, classifier_activation="softmax", **kwargs):
    """InceptionResNetV2 (Keras 2's signature and defaults; input at least 75x75)."""
    from .. import layers
    if kwargs:
        raise ValueError(f"Unknown argument(s): {kwargs}")
    _common.check_args(weights, include_top, classes, pooling)
    input_shape = obtain_input_shape(input_shape, default_size=299, min_size=75,
                                     data_format="channels_last", require_flatten=include_top,
                                     weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    x = conv2d_bn(img_input, 32, 3, strides=2, padding="valid")
    x = conv2d_bn(x, 32, 3, padding="valid")
    x = conv2d_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = conv2d_bn(x, 80, 1, padding="valid")
    x = conv2d_bn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)
    branches = [_chain(x, c) for c in ([(96, 1)], [(48, 1), (64, 5)],
                                        [(64, 1), (96, 3), (96, 3)])]
    pool = layers.AveragePooling2D(3, strides=1, padding="same")(x)
    branches.append(conv2d_bn(pool, 64, 1))
    x = layers.Concatenate(axis=3, name="mixed_5b")(branches)
    for block_idx in range(1, 11):
        x = inception_resnet_block(x, scale=0.17, block_type="block35", block_idx=block_idx)
    branches = [_chain(x, c) for c in ([(384, 3, "s2")],
                                        [(256, 1), (256, 3), (384, 3, "s2")])]
    branches.append(layers.MaxPooling2D(3, strides=2, padding="valid")(x))
    x = layers.Concatenate(axis=3, name="mixed_6a")(branches)
    for block_idx in range(1, 21):
        x = inception_resnet_block(x, scale=0.1, block_type="block17", block_idx=block_idx)
    branches = [_chain(x, c) for c in ([(256, 1), (384, 3, "s2")], [(256, 1), (288, 3, "s2")],
                                        [(256, 1), (288, 3), (320, 3, "s2")])]
    branches.append(layers.MaxPooling2D(3, strides=2, padding="valid")(x))
    x = layers.Concatenate(axis=3, name="mixed_7a")(branches)
    for block_idx in range(1, 10):
        x = inception_resnet_block(x, scale=0.2, block_type="block8", block_idx=block_idx)
    x = inception_resnet_block(x, scale=1.0, activation=None, block_type="block8", block_idx=10)
    x = conv2d_bn(x, 1536, 1, name="conv_7b")
    x = _common.head(x, include_top, pooling, classes, classifier_activation, weights,
                     avg_name="avg_pool" if include_top else None)
    fname = ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels"
             f"{'' if include_top else '_notop'}.h5")
    return _common.finish(img_input, input_tensor, x, "inception_resnet_v2", weights,
                          (fname, BASE_WEIGHT_URL + fname, _HASHES[0 if include_top else 1]))


def preprocess_input(x, data_format=None):
    """'tf' preprocessing: pixels scaled to [-1, 1]."""
    return _preprocess(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    return _decode(preds, top=top)
