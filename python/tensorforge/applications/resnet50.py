"""``keras.applications.resnet50`` (Keras 2 keeps this module name beside ``resnet``)."""
from .resnet import ResNet50, decode_predictions, preprocess_input  # noqa: F401

__all__ = ["ResNet50", "preprocess_input", "decode_predictions"]
