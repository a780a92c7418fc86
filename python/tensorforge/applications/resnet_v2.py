"""ResNet v2 (Keras 2's keras/applications/resnet_v2.py): ResNet50V2, ResNet101V2, ResNet152V2,
the pre-activation layout of ``resnet.ResNet`` (``block2`` / ``stack2``; the stride sits in each
stack's last block), 'tf' preprocessing."""
from . import resnet
from .imagenet_utils import decode_predictions as _decode, preprocess_input as _preprocess

__all__ = ["ResNet50V2", "ResNet101V2", "ResNet152V2", "preprocess_input",
           "decode_predictions"]


def _v2(depths, model_name, include_top, weights, input_tensor, input_shape, pooling, classes,
        classifier_activation):
    def stack_fn(x):
        for i, (filters, n) in enumerate(zip((64, 128, 256, 512), depths)):
            x = resnet.stack2(x, filters, n, stride1=1 if i == 3 else 2, name=f"conv{i + 2}")
        return x
    return resnet.ResNet(stack_fn, True, True, model_name, include_top, weights, input_tensor,
                         input_shape, pooling, classes, classifier_activation)


def ResNet50V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
               pooling=None, classes=1000, classifier_activation="softmax"):
    """ResNet50V2 (Keras 2's signature and defaults; input at least 32x32)."""
    return _v2((3, 4, 6, 3), "resnet50v2", include_top, weights, input_tensor, input_shape,
               pooling, classes, classifier_activation)


def ResNet101V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax"):
    """ResNet101V2 (Keras 2's signature and defaults)."""
    return _v2((3, 4, 23, 3), "resnet101v2", include_top, weights, input_tensor, input_shape,
               pooling, classes, classifier_activation)


def ResNet152V2(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
                pooling=None, classes=1000, classifier_activation="softmax"):
    """ResNet152V2 (Keras 2's signature and defaults)."""
    return _v2((3, 8, 36, 3), "resnet152v2", include_top, weights, input_tensor, input_shape,
               pooling, classes, classifier_activation)


def preprocess_input(x, data_format=None):
    """'tf' preprocessing: pixels scaled to [-1, 1]."""
    return _preprocess(x, data_format=data_format, mode="tf")


def decode_predictions(preds, top=5):
    return _decode(preds, top=top)
