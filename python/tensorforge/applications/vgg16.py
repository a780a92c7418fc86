"""VGG16 (Keras 2's keras/applications/vgg16.py): 13 3x3 convolutions in 5 blocks, each block
ending in a 2x2 max pooling, then Flatten and the Dense layers fc1, fc2, predictions. Layer
names and order as Keras 2's, so its .h5 weight files load. ``vgg19`` builds on ``vgg``."""
from . import _common
from .imagenet_utils import decode_predictions as _decode, obtain_input_shape
from .imagenet_utils import preprocess_input as _preprocess

__all__ = ["VGG16", "preprocess_input", "decode_predictions"]

_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"
_HASHES = {"vgg16": ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc"),
           "vgg19": ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6")}


def vgg(convs, name, include_top, weights, input_tensor, input_shape, pooling, classes,
        classifier_activation):
    """A VGG of ``convs`` 3x3 convolutions per block (2, 2, 3, 3, 3 for VGG16)."""
    from .. import layers
    _common.check_args(weights, include_top, classes, pooling)
    input_shape = obtain_input_shape(input_shape, default_size=224, min_size=32,
                                     data_format="channels_last", require_flatten=include_top,
                                     weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    x = img_input
    for b, (n, filters) in enumerate(zip(convs, (64, 128, 256, 512, 512)), start=1):
        for i in range(1, n + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{b}_conv{i}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{b}_pool")(x)
    if include_top:
        from .imagenet_utils import validate_activation
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = _common.head(x, False, pooling, classes, classifier_activation, weights)
    fname = f"{name}_weights_tf_dim_ordering_tf_kernels{'' if include_top else '_notop'}.h5"
    return _common.finish(img_input, input_tensor, x, name, weights,
                          (fname, f"{_URL}{name}/{fname}",
                           _HASHES[name][0 if include_top else 1]))


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax"):
    """The VGG16 model (Keras 2's signature and defaults; input at least 32x32)."""
    return vgg((2, 2, 3, 3, 3), "vgg16", include_top, weights, input_tensor, input_shape,
               pooling, classes, classifier_activation)


def preprocess_input(x, data_format=None):
    """'caffe' preprocessing: RGB to BGR, ImageNet channel means subtracted."""
    return _preprocess(x, data_format=data_format, mode="caffe")


def decode_predictions(preds, top=5):
    return _decode(preds, top=top)
