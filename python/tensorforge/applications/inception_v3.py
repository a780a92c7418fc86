"""InceptionV3 (Keras 2's keras/applications/inception_v3.py): a five-convolution stem, then
the inception modules mixed0 ... mixed10, every convolution a ``conv2d_bn`` (Conv2D without
bias, BatchNormalization without scale, ReLU; unnamed, as in Keras 2, so the automatic names
'conv2d_17', 'batch_normalization_17', ... follow the same order and Keras 2's .h5 weight files
load). Inputs at least 75x75; 'tf' preprocessing."""
from . import _common
from .imagenet_utils import decode_predictions as _decode, obtain_input_shape
from .imagenet_utils import preprocess_input as _preprocess

__all__ = ["InceptionV3", "preprocess_input", "decode_predictions"]

_URL = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
_HASHES = ("9a0d58056eeedaa3f26cb7ebd46da564", "bcbd6486424b2319ff4ef7d526e38f63")


def conv2d_bn(x, filters, num_row, num_col, padding="same", strides=(1, 1), name=None):
    from .. import layers
    x = layers.Conv2D(filters, (num_row, num_col), strides=strides, padding=padding,
                      use_bias=False, name=None if name is None else name + "_conv")(x)
    x = layers.BatchNormalization(axis=3, scale=False,
                                  name=None if name is None else name + "_bn")(x)
    return layers.Activation("relu", name=name)(x)


def _chain(x, convs):
    """conv2d_bn applied in turn: each conv is (filters, rows, cols[, strides, padding])."""
    for c in convs:
        x = conv2d_bn(x, *c[:3], **({"strides": c[3], "padding": c[4]} if len(c) > 3 else {}))
    return x


def _avg_branch(x, filters):
    from .. import layers
    x = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return conv2d_bn(x, filters, 1, 1)


def _module(x, chains, pool_filters, name):
    """Branches of conv chains and an average-pooled 1x1 branch, concatenated as ``name``."""
    from .. import layers
    branches = [_chain(x, c) for c in chains] + [_avg_branch(x, pool_filters)]
    return layers.concatenate(branches, axis=3, name=name)


def _reduction(x, chains, name):
    """Strided branches and a 3x3 max pooling, concatenated as ``name``."""
    from .. import layers
    branches = [_chain(x, c) for c in chains]
    branches.append(layers.MaxPooling2D((3, 3), strides=(2, 2))(x))
    return layers.concatenate(branches, axis=3, name=name)


def _mixed9(x, i):
    from .. import layers
    b1 = conv2d_bn(x, 320, 1, 1)
    b3 = conv2d_bn(x, 384, 1, 1)
    b3 = layers.concatenate([conv2d_bn(b3, 384, 1, 3), conv2d_bn(b3, 384, 3, 1)], axis=3,
                            name=f"mixed9_{i}")
    bd = _chain(x, [(448, 1, 1), (384, 3, 3)])
    bd = layers.concatenate([conv2d_bn(bd, 384, 1, 3), conv2d_bn(bd, 384, 3, 1)], axis=3)
    bp = _avg_branch(x, 192)
    return layers.concatenate([b1, b3, bd, bp], axis=3, name=f"mixed{9 + i}")


def _seven(c):
    """The chains of mixed4-mixed7: 1x1; 1x1, 1x7, 7x1; 1x1, 7x1, 1x7, 7x1, 1x7 (``c`` inner
    channels, 192 out)."""
    return [[(192, 1, 1)], [(c, 1, 1), (c, 1, 7), (192, 7, 1)],
            [(c, 1, 1), (c, 7, 1), (c, 1, 7), (c, 7, 1), (192, 1, 7)]]


def InceptionV3(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax"):
    """InceptionV3 (Keras 2's signature and defaults; input at least 75x75)."""
    from .. import layers
    _common.check_args(weights, include_top, classes, pooling)
    input_shape = obtain_input_shape(input_shape, default_size=299, min_size=75,
                                     data_format="channels_last", require_flatten=include_top,
                                     weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    x = _chain(img_input, [(32, 3, 3, (2, 2), "valid"), (32, 3, 3, (1, 1), "valid"),
                           (64, 3, 3)])
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _chain(x, [(80, 1, 1, (1, 1), "valid"), (192, 3, 3, (1, 1), "valid")])
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    five = [[(64, 1, 1)], [(48, 1, 1), (64, 5, 5)], [(64, 1, 1), (96, 3, 3), (96, 3, 3)]]
    for i, pool in enumerate((32, 64, 64)):
        x = _module(x, five, pool, f"mixed{i}")
    x = _reduction(x, [[(384, 3, 3, (2, 2), "valid")],
                       [(64, 1, 1), (96, 3, 3), (96, 3, 3, (2, 2), "valid")]], "mixed3")
    for i, c in enumerate((128, 160, 160, 192)):
        x = _module(x, _seven(c), 192, f"mixed{4 + i}")
    x = _reduction(x, [[(192, 1, 1), (320, 3, 3, (2, 2), "valid")],
                       [(192, 1, 1), (192, 1, 7), (192, 7, 1), (192, 3, 3, (2, 2), "valid")]],
                   "mixed8")
    for i in range(2):
        x = _mixed9(x, i)
    x = _common.head(x, include_top, pooling, classes, classifier_activation, weights,
                     avg_name="avg_pool" if include_top else None)
    fname = (f"inception_v3_weights_tf_dim_ordering_tf_kernels"
             f"{'' if include_top else '_notop'}.h5")
    return _common.finish(img_input, input_tensor, x, "inception_v3", weights,
                          (fname, _URL + fname, _HASHES[0 if include_top else 1]))


def preprocess_input(x, data_format=None):
    """'tf' preprocessing: pixels scaled to [-1, 1]."""
    return _preprocess(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    return _decode(preds, top=top)
