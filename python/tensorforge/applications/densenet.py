"""DenseNet121 / 169 / 201 (Keras 2's keras/applications/densenet.py) from one builder: a 7x7
stride-2 stem, four dense blocks (each layer: BatchNormalization, ReLU, 1x1 convolution to 128
channels, BatchNormalization, ReLU, 3x3 convolution to 32, concatenated to its input) joined by
transition blocks (1x1 convolution halving the channels, 2x2 average pooling). Layer names and
order as Keras 2's ('conv2_block1_0_bn', 'pool2_conv', ...; the two stem paddings are unnamed
there too), so its .h5 weight files load."""
from . import _common
from .imagenet_utils import decode_predictions as _decode, obtain_input_shape
from .imagenet_utils import preprocess_input as _preprocess

__all__ = ["DenseNet", "DenseNet121", "DenseNet169", "DenseNet201", "preprocess_input",
           "decode_predictions"]

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
_NAMES = {(6, 12, 24, 16): "densenet121", (6, 12, 32, 32): "densenet169",
          (6, 12, 48, 32): "densenet201"}
_HASHES = {"densenet121": ("9d60b8095a5708f2dcce2bca79d332c7",
                           "30ee3e1110167f948a6b9946edeeb738"),
           "densenet169": ("d699b8f76981ab1b30698df4c175e90b",
                           "b8c4d4c20dd625c148057b9ff1c1176b"),
           "densenet201": ("1ceb130c1ea1b78c3bf6114dbdfd8807",
                           "c13680b51ded0fb44dff2d8f86ac8bb1")}
EPS = 1.001e-5


def dense_block(x, blocks, name):
    for i in range(blocks):
        x = conv_block(x, 32, name=f"{name}_block{i + 1}")
    return x


def transition_block(x, reduction, name):
    from .. import layers
    x = layers.BatchNormalization(axis=3, epsilon=EPS, name=name + "_bn")(x)
    x = layers.Activation("relu", name=name + "_relu")(x)
    x = layers.Conv2D(int(tuple(x.shape)[3] * reduction), 1, use_bias=False,
                      name=name + "_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=name + "_pool")(x)


def conv_block(x, growth_rate, name):
    from .. import layers
    x1 = layers.BatchNormalization(axis=3, epsilon=EPS, name=name + "_0_bn")(x)
    x1 = layers.Activation("relu", name=name + "_0_relu")(x1)
    x1 = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=name + "_1_conv")(x1)
    x1 = layers.BatchNormalization(axis=3, epsilon=EPS, name=name + "_1_bn")(x1)
    x1 = layers.Activation("relu", name=name + "_1_relu")(x1)
    x1 = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=name + "_2_conv")(x1)
    return layers.Concatenate(axis=3, name=name + "_concat")([x, x1])


def DenseNet(blocks, include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax"):
    """A DenseNet of ``blocks`` layers per dense block."""
    from .. import layers
    _common.check_args(weights, include_top, classes, pooling)
    input_shape = obtain_input_shape(input_shape, default_size=224, min_size=32,
                                     data_format="channels_last", require_flatten=include_top,
                                     weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1/conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=EPS, name="conv1/bn")(x)
    x = layers.Activation("relu", name="conv1/relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for i, n in enumerate(blocks):
        x = dense_block(x, n, name=f"conv{i + 2}")
        if i < 3:
            x = transition_block(x, 0.5, name=f"pool{i + 2}")
    x = layers.BatchNormalization(axis=3, epsilon=EPS, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    x = _common.head(x, include_top, pooling, classes, classifier_activation, weights,
                     avg_name="avg_pool", max_name="max_pool")
    name = _NAMES.get(tuple(blocks), "densenet")
    file = None
    if weights == "imagenet":
        if name not in _HASHES:
            raise ValueError(f"weights='imagenet': Keras 2 has no ImageNet weights for a "
                             f"DenseNet of blocks={list(blocks)}")
        fname = f"{name}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
        file = (fname, BASE_WEIGHTS_PATH + fname, _HASHES[name][0 if include_top else 1])
    return _common.finish(img_input, input_tensor, x, name, weights, file)


def DenseNet121(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax"):
    """DenseNet121 (Keras 2's signature and defaults; input at least 32x32)."""
    return DenseNet([6, 12, 24, 16], include_top, weights, input_tensor, input_shape, pooling,
                    classes, classifier_activation)


def DenseNet169(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax"):
    """DenseNet169 (Keras 2's signature and defaults)."""
    return DenseNet([6, 12, 32, 32], include_top, weights, input_tensor, input_shape, pooling,
                    classes, classifier_activation)


def DenseNet201(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax"):
    """DenseNet201 (Keras 2's signature and defaults)."""
    return DenseNet([6, 12, 48, 32], include_top, weights, input_tensor, input_shape, pooling,
                    classes, classifier_activation)


def preprocess_input(x, data_format=None):
    """'torch' preprocessing: pixels scaled to [0, 1], normalized by ImageNet's mean and std."""
    return _preprocess(x, data_format=data_format, mode="torch")


def decode_predictions(preds, top=5):
    return _decode(preds, top=top)
