"""``keras.applications``: Keras 2's model zoo built from tensorforge's layers, one module per
family as Keras 2 lays them out (``applications.vgg16``, ``resnet``, ``mobilenet_v2``, ...), each
with its ``preprocess_input`` and ``decode_predictions``. Layer names, order, output shapes and
parameter counts are Keras 2's (tests/test_applications.py checks them against tf_keras), so a
Keras 2 .h5 weight file loads. ``weights='imagenet'`` reads the file Keras 2 caches in
~/.keras/models and never downloads (See _common.py)."""
from . import densenet, imagenet_utils, mobilenet, mobilenet_v2, resnet, resnet50  # noqa: F401
from . import vgg16, vgg19  # noqa: F401
from .densenet import DenseNet121, DenseNet169, DenseNet201  # noqa: F401
from .mobilenet import MobileNet  # noqa: F401
from .mobilenet_v2 import MobileNetV2  # noqa: F401
from .resnet import ResNet50, ResNet101, ResNet152  # noqa: F401
from .vgg16 import VGG16  # noqa: F401
from .vgg19 import VGG19  # noqa: F401

__all__ = ["DenseNet121", "DenseNet169", "DenseNet201", "MobileNet", "MobileNetV2", "ResNet50",
           "ResNet101", "ResNet152", "VGG16", "VGG19"]
