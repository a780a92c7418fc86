"""VGG19 (Keras 2's keras/applications/vgg19.py): VGG16 with four convolutions in blocks 3-5."""
from .vgg16 import decode_predictions, preprocess_input, vgg  # noqa: F401

__all__ = ["VGG19", "preprocess_input", "decode_predictions"]


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
          pooling=None, classes=1000, classifier_activation="softmax"):
    """The VGG19 model (Keras 2's signature and defaults; input at least 32x32)."""
    return vgg((2, 2, 4, 4, 4), "vgg19", include_top, weights, input_tensor, input_shape,
               pooling, classes, classifier_activation)
