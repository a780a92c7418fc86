"""ResNet-RS 50 ... 420 (Keras 2's keras/applications/resnet_rs.py): the input rescaled and
normalized inside the model, a four-convolution stem, four groups of bottleneck blocks with
squeeze-and-excitation (strided groups downsample their shortcut by average pooling), then the
classifier. Names as Keras 2 gives them, from ``backend.get_uid`` counters ('stem_1_...') and
its spellings ('BlockGroup2__block_0_batch_norm_1', ...), so its .h5 weight files load.
``weights='imagenet'`` picks the largest trained input size ('imagenet-i160', ...), as Keras 2.
``preprocess_input`` is the identity."""
import os

from . import _common
from .imagenet_utils import decode_predictions as _decode, obtain_input_shape

__all__ = ["ResNetRS", "ResNetRS50", "ResNetRS101", "ResNetRS152", "ResNetRS200", "ResNetRS270",
           "ResNetRS350", "ResNetRS420", "preprocess_input", "decode_predictions"]

BASE_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/resnet_rs/"
DEPTH_TO_WEIGHT_VARIANTS = {50: [160], 101: [160, 192], 152: [192, 224, 256], 200: [256],
                            270: [256], 350: [256, 320], 420: [320]}
_HASHES = {  # (top, notop) md5 per weight file stem
    "resnet-rs-50-i160": ("69d9d925319f00a8bdd4af23c04e4102", "90daa68cd26c95aa6c5d25451e095529"),
    "resnet-rs-101-i160": ("544b3434d00efc199d66e9058c7f3379",
                           "82d5b90c5ce9d710da639d6216d0f979"),
    "resnet-rs-101-i192": ("eb285be29ab42cf4835ff20a5e3b5d23",
                           "f9a0f6b85faa9c3db2b6e233c4eebb5b"),
    "resnet-rs-152-i192": ("8d72a301ed8a6f11a47c4ced4396e338",
                           "5fbf7ac2155cb4d5a6180ee9e3aa8704"),
    "resnet-rs-152-i224": ("31a46a92ab21b84193d0d71dd8c3d03b",
                           "dc8b2cba2005552eafa3167f00dc2133"),
    "resnet-rs-152-i256": ("ba6271b99bdeb4e7a9b15c05964ef4ad",
                           "fa79794252dbe47c89130f65349d654a"),
    "resnet-rs-200-i256": ("a76930b741884e09ce90fa7450747d5f",
                           "bbdb3994718dfc0d1cd45d7eff3f3d9c"),
    "resnet-rs-270-i256": ("20d575825ba26176b03cb51012a367a8",
                           "2c42ecb22e35f3e23d2f70babce0a2aa"),
    "resnet-rs-350-i256": ("f4a039dc3c421321b7fc240494574a68",
                           "6e44b55025bbdff8f51692a023143d66"),
    "resnet-rs-350-i320": ("7ccb858cc738305e8ceb3c0140bee393",
                           "ab0c1f9079d2f85a9facbd2c88aa6079"),
    "resnet-rs-420-i320": ("ae0eb9bed39e64fc8d7e0db4018dc7e8",
                           "fe6217c32be8305b1889657172b98884"),
}
BLOCK_REPEATS = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 8, 36, 3),
                 200: (3, 24, 36, 3), 270: (4, 29, 53, 4), 350: (4, 36, 72, 4),
                 420: (4, 44, 87, 4)}


def _uid(prefix):
    from ..backend_ops.utils import get_uid
    return get_uid(prefix)


def _conv(x, filters, kernel_size, strides, name):
    """Conv2DFixedPadding: an explicit symmetric padding before a strided 'valid' one."""
    from .. import layers
    from .efficientnet import _conv_init
    if strides > 1:
        beg = (kernel_size - 1) // 2
        end = kernel_size - 1 - beg
        x = layers.ZeroPadding2D(padding=((beg, end), (beg, end)))(x)
    return layers.Conv2D(filters=filters, kernel_size=kernel_size, strides=strides,
                         padding="same" if strides == 1 else "valid", use_bias=False,
                         kernel_initializer=_conv_init(), name=name)(x)


def _bn(x, bn_momentum, bn_epsilon, name):
    from .. import layers
    return layers.BatchNormalization(axis=3, momentum=bn_momentum, epsilon=bn_epsilon,
                                     name=name)(x)


def _stem(x, bn_momentum, bn_epsilon, activation):
    from .. import layers
    name = f"stem_{_uid('stem_')}"
    for i, (filters, strides) in enumerate(((32, 2), (32, 1), (64, 1), (64, 2)), start=1):
        x = _conv(x, filters, 3, strides, name + f"_stem_conv_{i}")
        x = _bn(x, bn_momentum, bn_epsilon, name + f"_stem_batch_norm_{i}")
        x = layers.Activation(activation, name=name + f"_stem_act_{i}")(x)
    return x


def _se(inputs, in_filters, se_ratio, name):
    from .. import layers
    from .efficientnet import _conv_init
    x = layers.GlobalAveragePooling2D(name=name + "_se_squeeze")(inputs)
    x = layers.Reshape((1, 1, tuple(x.shape)[-1]), name=name + "_se_reshape")(x)
    x = layers.Conv2D(max(1, int(in_filters * 4 * se_ratio)), kernel_size=[1, 1],
                      strides=[1, 1], kernel_initializer=_conv_init(), padding="same",
                      use_bias=True, activation="relu", name=name + "_se_reduce")(x)
    x = layers.Conv2D(4 * in_filters, kernel_size=[1, 1], strides=[1, 1],
                      kernel_initializer=_conv_init(), padding="same", use_bias=True,
                      activation="sigmoid", name=name + "_se_expand")(x)
    return layers.multiply([inputs, x], name=name + "_se_excite")


def _bottleneck(inputs, filters, strides, use_projection, bn_momentum, bn_epsilon, activation,
                se_ratio, survival_probability, name):
    from .. import layers
    shortcut = inputs
    if use_projection:
        if strides == 2:
            shortcut = layers.AveragePooling2D(pool_size=(2, 2), strides=(2, 2), padding="same",
                                               name=name + "_projection_pooling")(inputs)
            shortcut = _conv(shortcut, filters * 4, 1, 1, name + "_projection_conv")
        else:
            shortcut = _conv(inputs, filters * 4, 1, strides, name + "_projection_conv")
        shortcut = _bn(shortcut, bn_momentum, bn_epsilon, name + "_projection_batch_norm")
    x = _conv(inputs, filters, 1, 1, name + "_conv_1")
    x = _bn(x, bn_momentum, bn_epsilon, name + "batch_norm_1")  # sic, as Keras 2
    x = layers.Activation(activation, name=name + "_act_1")(x)
    x = _conv(x, filters, 3, strides, name + "_conv_2")
    x = _bn(x, bn_momentum, bn_epsilon, name + "_batch_norm_2")
    x = layers.Activation(activation, name=name + "_act_2")(x)
    x = _conv(x, filters * 4, 1, 1, name + "_conv_3")
    x = _bn(x, bn_momentum, bn_epsilon, name + "_batch_norm_3")
    if 0 < se_ratio < 1:
        x = _se(x, filters, se_ratio, name + "_se")
    if survival_probability:
        x = layers.Dropout(survival_probability, noise_shape=(None, 1, 1, 1),
                           name=name + "_drop")(x)
    x = layers.Add()([x, shortcut])
    return layers.Activation(activation, name=name + "_output_act")(x)


def ResNetRS(depth, input_shape=None, bn_momentum=0.0, bn_epsilon=1e-5, activation="relu",
             se_ratio=0.25, dropout_rate=0.25, drop_connect_rate=0.2, include_top=True,
             block_args=None, model_name="resnet-rs", pooling=None, weights="imagenet",
             input_tensor=None, classes=1000, classifier_activation="softmax",
             include_preprocessing=True):
    """A ResNet-RS of ``depth`` (a key of BLOCK_REPEATS)."""
    from .. import layers
    variants = DEPTH_TO_WEIGHT_VARIANTS[depth]
    if weights == "imagenet":
        weights = f"imagenet-i{max(variants)}"
    allowed = [f"imagenet-i{v}" for v in variants]
    if not (weights in allowed or weights is None or os.path.exists(os.fspath(weights))):
        raise ValueError("The `weights` argument should be either `None` (random "
                         "initialization), `'imagenet'` (pre-training on ImageNet, with highest "
                         "available input shape), or the path to the weights file to be loaded. "
                         f"For ResNetRS{depth} the following weight variants are available "
                         f"{allowed} (default=highest). Received weights={weights}")
    if weights in allowed and include_top and classes != 1000:
        raise ValueError(f"If using `weights` as `'imagenet'` or any of {allowed} with "
                         f"`include_top` as true, `classes` should be 1000. Received "
                         f"classes={classes}")
    _common.check_args(None, include_top, classes, pooling)
    input_shape = obtain_input_shape(input_shape, default_size=224, min_size=32,
                                     data_format="channels_last", require_flatten=include_top,
                                     weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 255)(x)
        if input_shape[2] == 3:
            x = layers.Normalization(mean=[0.485, 0.456, 0.406],
                                     variance=[0.229 ** 2, 0.224 ** 2, 0.225 ** 2], axis=3)(x)
    x = _stem(x, bn_momentum, bn_epsilon, activation)
    repeats = [a["num_repeats"] for a in block_args] if block_args else BLOCK_REPEATS[depth]
    filters = [a["input_filters"] for a in block_args] if block_args else (64, 128, 256, 512)
    for i, (f, n) in enumerate(zip(filters, repeats)):
        survival = drop_connect_rate * float(i + 2) / (len(repeats) + 1)
        name = f"BlockGroup{i + 2}_"
        for j in range(n):
            x = _bottleneck(x, f, (1 if i == 0 else 2) if j == 0 else 1, j == 0, bn_momentum,
                            bn_epsilon, activation, se_ratio, survival, name + f"_block_{j}_")
    if include_top:
        from .imagenet_utils import validate_activation
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = _common.head(x, False, pooling, classes, classifier_activation, weights,
                         avg_name="avg_pool", max_name="max_pool")
    file = None
    if weights in allowed:
        stem = f"{model_name}-{weights.split('-')[-1]}"
        fname = stem + ("" if include_top else "_notop") + ".h5"
        file = (fname, BASE_WEIGHTS_URL + fname, _HASHES[stem][0 if include_top else 1])
    model = _common.finish(img_input, input_tensor, x, model_name, None, None)
    if file is not None:
        from ..utils.data_utils import get_file
        model.load_weights(get_file(file[0], file[1], cache_subdir="models",
                                    file_hash=file[2]))
    elif weights is not None:
        model.load_weights(weights)
    return model


def _variant(depth, drop_connect_rate, dropout_rate):
    def fn(include_top=True, weights="imagenet", classes=1000, input_shape=None,
           input_tensor=None, pooling=None, classifier_activation="softmax",
           include_preprocessing=True):
        return ResNetRS(depth, include_top=include_top, drop_connect_rate=drop_connect_rate,
                        dropout_rate=dropout_rate, weights=weights, classes=classes,
                        input_shape=input_shape, input_tensor=input_tensor, pooling=pooling,
                        classifier_activation=classifier_activation,
                        model_name=f"resnet-rs-{depth}",
                        include_preprocessing=include_preprocessing)
    fn.__name__ = fn.__qualname__ = f"ResNetRS{depth}"
    fn.__doc__ = f"ResNetRS{depth} (Keras 2's signature and defaults; input at least 32x32)."
    return fn


ResNetRS50 = _variant(50, 0.0, 0.25)
ResNetRS101 = _variant(101, 0.0, 0.25)
ResNetRS152 = _variant(152, 0.0, 0.25)
ResNetRS200 = _variant(200, 0.1, 0.25)
ResNetRS270 = _variant(270, 0.1, 0.25)
ResNetRS350 = _variant(350, 0.1, 0.4)
ResNetRS420 = _variant(420, 0.1, 0.4)


def preprocess_input(x, data_format=None):
    """The identity, as in Keras 2: ResNet-RS models rescale their input themselves."""
    return x


def decode_predictions(preds, top=5):
    return _decode(preds, top=top)
