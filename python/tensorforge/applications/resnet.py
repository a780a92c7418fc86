"""ResNet v1 (Keras 2's keras/applications/resnet.py): ResNet50, ResNet101 and ResNet152 from one
builder. A 7x7 stride-2 stem, then four stacks of bottleneck blocks (1x1, 3x3, 1x1 convolutions,
BatchNormalization epsilon 1.001e-5, a projection shortcut in each stack's first block), global
average pooling and the classifier. Layer names and order as Keras 2's ('conv2_block1_0_conv',
...), so its .h5 weight files load. ``resnet_v2`` reuses ``ResNet`` with ``preact=True``."""
from . import _common
from .imagenet_utils import decode_predictions as _decode, obtain_input_shape
from .imagenet_utils import preprocess_input as _preprocess

__all__ = ["ResNet", "ResNet50", "ResNet101", "ResNet152", "preprocess_input",
           "decode_predictions"]

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
WEIGHTS_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}
EPS = 1.001e-5


def _unknown(kwargs):
    if kwargs:
        raise ValueError(f"Unknown argument(s): {kwargs}")


def ResNet(stack_fn, preact, use_bias, model_name="resnet", include_top=True,
           weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
           classifier_activation="softmax"):
    """A ResNet whose stacks ``stack_fn(x)`` builds; ``preact``: v2's pre-activation layout."""
    from .. import layers
    _common.check_args(weights, include_top, classes, pooling)
    input_shape = obtain_input_shape(input_shape, default_size=224, min_size=32,
                                     data_format="channels_last", require_flatten=include_top,
                                     weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = layers.BatchNormalization(axis=3, epsilon=EPS, name="conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack_fn(x)
    if preact:
        x = layers.BatchNormalization(axis=3, epsilon=EPS, name="post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    x = _common.head(x, include_top, pooling, classes, classifier_activation, weights,
                     avg_name="avg_pool", max_name="max_pool")
    file = None
    if weights == "imagenet" and model_name in WEIGHTS_HASHES:
        fname = (f"{model_name}_weights_tf_dim_ordering_tf_kernels"
                 f"{'' if include_top else '_notop'}.h5")
        file = (fname, BASE_WEIGHTS_PATH + fname,
                WEIGHTS_HASHES[model_name][0 if include_top else 1])
    elif weights == "imagenet":
        raise ValueError(f"weights='imagenet': Keras 2 has no ImageNet weights for "
                         f"{model_name!r}")
    return _common.finish(img_input, input_tensor, x, model_name, weights, file)


def block1(x, filters, kernel_size=3, stride=1, conv_shortcut=True, name=None):
    """A bottleneck residual block of ResNet v1 (the 1x1 convolution carries the stride)."""
    from .. import layers
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(x)
        shortcut = layers.BatchNormalization(axis=3, epsilon=EPS, name=name + "_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=name + "_1_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=EPS, name=name + "_1_bn")(x)
    x = layers.Activation("relu", name=name + "_1_relu")(x)
    x = layers.Conv2D(filters, kernel_size, padding="same", name=name + "_2_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=EPS, name=name + "_2_bn")(x)
    x = layers.Activation("relu", name=name + "_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=EPS, name=name + "_3_bn")(x)
    x = layers.Add(name=name + "_add")([shortcut, x])
    return layers.Activation("relu", name=name + "_out")(x)


def stack1(x, filters, blocks, stride1=2, name=None):
    x = block1(x, filters, stride=stride1, name=name + "_block1")
    for i in range(2, blocks + 1):
        x = block1(x, filters, conv_shortcut=False, name=name + "_block" + str(i))
    return x


def block2(x, filters, kernel_size=3, stride=1, conv_shortcut=False, name=None):
    """A pre-activation bottleneck block of ResNet v2 (the 3x3 convolution carries the stride;
    the identity shortcut of a strided block is a 1x1 max pooling)."""
    from .. import layers
    preact = layers.BatchNormalization(axis=3, epsilon=EPS, name=name + "_preact_bn")(x)
    preact = layers.Activation("relu", name=name + "_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(preact)
    else:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=name + "_1_conv")(preact)
    x = layers.BatchNormalization(axis=3, epsilon=EPS, name=name + "_1_bn")(x)
    x = layers.Activation("relu", name=name + "_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=name + "_2_pad")(x)
    x = layers.Conv2D(filters, kernel_size, strides=stride, use_bias=False,
                      name=name + "_2_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=EPS, name=name + "_2_bn")(x)
    x = layers.Activation("relu", name=name + "_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
    return layers.Add(name=name + "_out")([shortcut, x])


def stack2(x, filters, blocks, stride1=2, name=None):
    x = block2(x, filters, conv_shortcut=True, name=name + "_block1")
    for i in range(2, blocks):
        x = block2(x, filters, name=name + "_block" + str(i))
    return block2(x, filters, stride=stride1, name=name + "_block" + str(blocks))


def _v1(depths, model_name, include_top, weights, input_tensor, input_shape, pooling, classes,
        classifier_activation):
    def stack_fn(x):
        for i, (filters, n) in enumerate(zip((64, 128, 256, 512), depths)):
            x = stack1(x, filters, n, stride1=1 if i == 0 else 2, name=f"conv{i + 2}")
        return x
    return ResNet(stack_fn, False, True, model_name, include_top, weights, input_tensor,
                  input_shape, pooling, classes, classifier_activation)


def ResNet50(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
             pooling=None, classes=1000, classifier_activation="softmax", **kwargs):
    """ResNet50 (Keras 2's signature and defaults; input at least 32x32)."""
    _unknown(kwargs)
    return _v1((3, 4, 6, 3), "resnet50", include_top, weights, input_tensor, input_shape,
               pooling, classes, classifier_activation)


def ResNet101(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax", **kwargs):
    """ResNet101 (Keras 2's signature and defaults)."""
    _unknown(kwargs)
    return _v1((3, 4, 23, 3), "resnet101", include_top, weights, input_tensor, input_shape,
               pooling, classes, classifier_activation)


def ResNet152(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax", **kwargs):
    """ResNet152 (Keras 2's signature and defaults)."""
    _unknown(kwargs)
    return _v1((3, 8, 36, 3), "resnet152", include_top, weights, input_tensor, input_shape,
               pooling, classes, classifier_activation)


def preprocess_input(x, data_format=None):
    """'caffe' preprocessing: RGB to BGR, ImageNet channel means subtracted."""
    return _preprocess(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    return _decode(preds, top=top)
