"""EfficientNetV2 B0-B3, S, M, L (Keras 2's keras/applications/efficientnet_v2.py) from one
builder: the input rescaled inside the model (B variants: to [0, 1] then normalized by
ImageNet's mean and variance; S / M / L: to [-1, 1]) unless ``include_preprocessing=False``, a
3x3 stride-2 stem, stages of Fused-MBConv blocks (a full convolution instead of expansion +
depthwise) then MBConv blocks with squeeze-and-excitation, a 1x1 'top_conv', the classifier.
Keras 2 passes each block's drop-connect *survival probability* as its Dropout rate (0 for the
first block, growing to 0.2): kept, so training behaves as there. Layer names and order as
Keras 2's ('block1a_project_conv', ...), so its .h5 weight files load. ``preprocess_input`` is
the identity."""
import copy
import math

from . import _common
from .efficientnet import _activation, _conv_init, _dense_init
from .imagenet_utils import decode_predictions as _decode, obtain_input_shape

__all__ = ["EfficientNetV2", "EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2",
           "EfficientNetV2B3", "EfficientNetV2S", "EfficientNetV2M", "EfficientNetV2L",
           "preprocess_input", "decode_predictions"]

BASE_WEIGHTS_PATH = ("https://storage.googleapis.com/tensorflow/keras-applications/"
                     "efficientnet_v2/")
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}
_KEYS = ("kernel_size", "num_repeat", "input_filters", "output_filters", "expand_ratio",
         "se_ratio", "strides", "conv_type")  # conv_type 1: Fused-MBConv, 0: MBConv
_B = ((3, 1, 32, 16, 1, 0, 1, 1), (3, 2, 16, 32, 4, 0, 2, 1), (3, 2, 32, 48, 4, 0, 2, 1),
      (3, 3, 48, 96, 4, 0.25, 2, 0), (3, 5, 96, 112, 6, 0.25, 1, 0),
      (3, 8, 112, 192, 6, 0.25, 2, 0))
DEFAULT_BLOCKS_ARGS = {k: [dict(zip(_KEYS, a)) for a in v] for k, v in {
    "efficientnetv2-s": ((3, 2, 24, 24, 1, 0.0, 1, 1), (3, 4, 24, 48, 4, 0.0, 2, 1),
                         (3, 4, 48, 64, 4, 0, 2, 1), (3, 6, 64, 128, 4, 0.25, 2, 0),
                         (3, 9, 128, 160, 6, 0.25, 1, 0), (3, 15, 160, 256, 6, 0.25, 2, 0)),
    "efficientnetv2-m": ((3, 3, 24, 24, 1, 0, 1, 1), (3, 5, 24, 48, 4, 0, 2, 1),
                         (3, 5, 48, 80, 4, 0, 2, 1), (3, 7, 80, 160, 4, 0.25, 2, 0),
                         (3, 14, 160, 176, 6, 0.25, 1, 0), (3, 18, 176, 304, 6, 0.25, 2, 0),
                         (3, 5, 304, 512, 6, 0.25, 1, 0)),
    "efficientnetv2-l": ((3, 4, 32, 32, 1, 0, 1, 1), (3, 7, 32, 64, 4, 0, 2, 1),
                         (3, 7, 64, 96, 4, 0, 2, 1), (3, 10, 96, 192, 4, 0.25, 2, 0),
                         (3, 19, 192, 224, 6, 0.25, 1, 0), (3, 25, 224, 384, 6, 0.25, 2, 0),
                         (3, 7, 384, 640, 6, 0.25, 1, 0)),
    "efficientnetv2-b0": _B, "efficientnetv2-b1": _B, "efficientnetv2-b2": _B,
    "efficientnetv2-b3": _B}.items()}


def round_filters(filters, width_coefficient, min_depth, depth_divisor):
    filters *= width_coefficient
    minimum_depth = min_depth or depth_divisor
    return int(max(minimum_depth,
                   int(filters + depth_divisor / 2) // depth_divisor * depth_divisor))


def round_repeats(repeats, depth_coefficient):
    return int(math.ceil(depth_coefficient * repeats))


def _se(x, input_filters, filters, se_ratio, activation, name):
    from .. import layers
    filters_se = max(1, int(input_filters * se_ratio))
    se = layers.GlobalAveragePooling2D(name=name + "se_squeeze")(x)
    se = layers.Reshape((1, 1, filters), name=name + "se_reshape")(se)
    se = layers.Conv2D(filters_se, 1, padding="same", activation=activation,
                       kernel_initializer=_conv_init(), name=name + "se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                       kernel_initializer=_conv_init(), name=name + "se_expand")(se)
    return layers.multiply([x, se], name=name + "se_excite")


def _skip(x, inputs, strides, input_filters, output_filters, survival_probability, name):
    from .. import layers
    if strides == 1 and input_filters == output_filters:
        if survival_probability:
            x = layers.Dropout(survival_probability, noise_shape=(None, 1, 1, 1),
                               name=name + "drop")(x)
        x = layers.add([x, inputs], name=name + "add")
    return x


def _conv_bn_act(x, filters, kernel_size, strides, bn_momentum, activation, name, act=True):
    from .. import layers
    x = layers.Conv2D(filters, kernel_size=kernel_size, strides=strides,
                      kernel_initializer=_conv_init(), padding="same", use_bias=False,
                      name=name + "_conv")(x)
    x = layers.BatchNormalization(axis=3, momentum=bn_momentum, name=name + "_bn")(x)
    return layers.Activation(activation, name=name + "_activation")(x) if act else x


def mb_conv_block(inputs, input_filters, output_filters, expand_ratio=1, kernel_size=3,
                  strides=1, se_ratio=0.0, bn_momentum=0.9, activation="swish",
                  survival_probability=0.8, name=""):
    """MBConv: 1x1 expansion, depthwise convolution, squeeze-and-excitation, 1x1 projection."""
    from .. import layers
    filters = input_filters * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = _conv_bn_act(x, filters, 1, 1, bn_momentum, activation, name + "expand")
    x = layers.DepthwiseConv2D(kernel_size=kernel_size, strides=strides,
                               depthwise_initializer=_conv_init(), padding="same",
                               use_bias=False, name=name + "dwconv2")(x)
    x = layers.BatchNormalization(axis=3, momentum=bn_momentum, name=name + "bn")(x)
    x = layers.Activation(activation, name=name + "activation")(x)
    if 0 < se_ratio <= 1:
        x = _se(x, input_filters, filters, se_ratio, activation, name)
    x = _conv_bn_act(x, output_filters, 1, 1, bn_momentum, activation, name + "project",
                     act=False)
    return _skip(x, inputs, strides, input_filters, output_filters, survival_probability, name)


def fused_mb_conv_block(inputs, input_filters, output_filters, expand_ratio=1, kernel_size=3,
                        strides=1, se_ratio=0.0, bn_momentum=0.9, activation="swish",
                        survival_probability=0.8, name=""):
    """Fused-MBConv: a full kxk expansion convolution, [squeeze-and-excitation,] 1x1
    projection (or, without expansion, the kxk convolution as the projection, activated)."""
    filters = input_filters * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = _conv_bn_act(x, filters, kernel_size, strides, bn_momentum, activation,
                         name + "expand")
    if 0 < se_ratio <= 1:
        x = _se(x, input_filters, filters, se_ratio, activation, name)
    fused = expand_ratio != 1
    x = _conv_bn_act(x, output_filters, 1 if fused else kernel_size, 1 if fused else strides,
                     bn_momentum, activation, name + "project", act=not fused)
    return _skip(x, inputs, strides, input_filters, output_filters, survival_probability, name)


def EfficientNetV2(width_coefficient, depth_coefficient, default_size, dropout_rate=0.2,
                   drop_connect_rate=0.2, depth_divisor=8, min_depth=8, bn_momentum=0.9,
                   activation="swish", blocks_args="default", model_name="efficientnetv2",
                   include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                   pooling=None, classes=1000, classifier_activation="softmax",
                   include_preprocessing=True):
    """An EfficientNetV2 scaled by ``width_coefficient`` / ``depth_coefficient``."""
    from .. import layers
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS[model_name]
    _common.check_args(weights, include_top, classes, pooling)
    activation = _activation(activation)
    input_shape = obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                     data_format="channels_last", require_flatten=include_top,
                                     weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    x = img_input
    if include_preprocessing:
        if model_name.split("-")[-1].startswith("b") and input_shape[2] == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(mean=[0.485, 0.456, 0.406],
                                     variance=[0.229 ** 2, 0.224 ** 2, 0.225 ** 2], axis=3)(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)

    def rf(f):
        return round_filters(f, width_coefficient, min_depth, depth_divisor)

    x = _conv_bn_act(x, rf(blocks_args[0]["input_filters"]), 3, 2, bn_momentum, activation,
                     "stem")
    blocks_args = copy.deepcopy(blocks_args)
    b = 0
    blocks = float(sum(a["num_repeat"] for a in blocks_args))
    for i, args in enumerate(blocks_args):
        args["input_filters"] = rf(args["input_filters"])
        args["output_filters"] = rf(args["output_filters"])
        block = (mb_conv_block, fused_mb_conv_block)[args.pop("conv_type")]
        for j in range(round_repeats(args.pop("num_repeat"), depth_coefficient)):
            if j > 0:
                args["strides"] = 1
                args["input_filters"] = args["output_filters"]
            x = block(x, activation=activation, bn_momentum=bn_momentum,
                      survival_probability=drop_connect_rate * b / blocks,
                      name=f"block{i + 1}{chr(j + 97)}_", **args)
            b += 1
    x = _conv_bn_act(x, rf(1280), 1, 1, bn_momentum, activation, "top")
    if include_top:
        from .imagenet_utils import validate_activation
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation,
                         kernel_initializer=_dense_init(), bias_initializer="zeros",
                         name="predictions")(x)
    else:
        x = _common.head(x, False, pooling, classes, classifier_activation, weights,
                         avg_name="avg_pool", max_name="max_pool")
    file = None
    if weights == "imagenet":
        fname = model_name + (".h5" if include_top else "_notop.h5")
        file = (fname, BASE_WEIGHTS_PATH + fname,
                WEIGHTS_HASHES[model_name[-2:]][0 if include_top else 1])
    return _common.finish(img_input, input_tensor, x, model_name, weights, file)


def _variant(width, depth, size, key, fn_name):
    def fn(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
           pooling=None, classes=1000, classifier_activation="softmax",
           include_preprocessing=True):
        return EfficientNetV2(width, depth, size, model_name=f"efficientnetv2-{key}",
                              include_top=include_top, weights=weights,
                              input_tensor=input_tensor, input_shape=input_shape,
                              pooling=pooling, classes=classes,
                              classifier_activation=classifier_activation,
                              include_preprocessing=include_preprocessing)
    fn.__name__ = fn.__qualname__ = fn_name
    fn.__doc__ = (f"{fn_name} (Keras 2's signature and defaults; default input "
                  f"{size}x{size}, at least 32x32).")
    return fn


EfficientNetV2B0 = _variant(1.0, 1.0, 224, "b0", "EfficientNetV2B0")
EfficientNetV2B1 = _variant(1.0, 1.1, 240, "b1", "EfficientNetV2B1")
EfficientNetV2B2 = _variant(1.1, 1.2, 260, "b2", "EfficientNetV2B2")
EfficientNetV2B3 = _variant(1.2, 1.4, 300, "b3", "EfficientNetV2B3")
EfficientNetV2S = _variant(1.0, 1.0, 384, "s", "EfficientNetV2S")
EfficientNetV2M = _variant(1.0, 1.0, 480, "m", "EfficientNetV2M")
EfficientNetV2L = _variant(1.0, 1.0, 480, "l", "EfficientNetV2L")


def preprocess_input(x, data_format=None):
    """The identity, as in Keras 2: EfficientNetV2 models rescale their input themselves."""
    return x


def decode_predictions(preds, top=5):
    return _decode(preds, top=top)
