"""``keras.applications``: Keras 2's model zoo built from tensorforge's layers, one module per
family as Keras 2 lays them out (``applications.vgg16``, ``resnet``, ``mobilenet_v2``, ...), each
with its ``preprocess_input`` and ``decode_predictions``. Layer names, order, output shapes and
parameter counts are Keras 2's (tests/test_applications.py checks them against tf_keras), so a
Keras 2 .h5 weight file loads. ``weights='imagenet'`` reads the file Keras 2 caches in
~/.keras/models and never downloads (See _common.py)."""
from . import (  # noqa: F401  (the family modules, as keras.applications.<family>)
    convnext, densenet, efficientnet, efficientnet_v2, imagenet_utils, inception_resnet_v2,
    inception_v3, mobilenet, mobilenet_v2, mobilenet_v3, nasnet, regnet, resnet, resnet50,
    resnet_rs, resnet_v2, vgg16, vgg19, xception)
from .convnext import (  # noqa: F401
    ConvNeXtBase, ConvNeXtLarge, ConvNeXtSmall, ConvNeXtTiny, ConvNeXtXLarge)
from .densenet import DenseNet121, DenseNet169, DenseNet201  # noqa: F401
from .efficientnet import (  # noqa: F401
    EfficientNetB0, EfficientNetB1, EfficientNetB2, EfficientNetB3, EfficientNetB4, EfficientNetB5,
    EfficientNetB6, EfficientNetB7)
from .efficientnet_v2 import (  # noqa: F401
    EfficientNetV2B0, EfficientNetV2B1, EfficientNetV2B2, EfficientNetV2B3, EfficientNetV2L,
    EfficientNetV2M, EfficientNetV2S)
from .inception_resnet_v2 import InceptionResNetV2  # noqa: F401
from .inception_v3 import InceptionV3  # noqa: F401
from .mobilenet import MobileNet  # noqa: F401
from .mobilenet_v2 import MobileNetV2  # noqa: F401
from .mobilenet_v3 import MobileNetV3Large, MobileNetV3Small  # noqa: F401
from .nasnet import NASNetLarge, NASNetMobile  # noqa: F401
from .resnet import ResNet50, ResNet101, ResNet152  # noqa: F401
from .resnet_rs import (  # noqa: F401
    ResNetRS50, ResNetRS101, ResNetRS152, ResNetRS200, ResNetRS270, ResNetRS350, ResNetRS420)
from .resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2  # noqa: F401
from .vgg16 import VGG16  # noqa: F401
from .vgg19 import VGG19  # noqa: F401
from .xception import Xception  # noqa: F401

_REGNETS = [n for n in regnet.__all__ if n.startswith("RegNet")]  # RegNetX002 ... RegNetY320
globals().update({n: getattr(regnet, n) for n in _REGNETS})

__all__ = ([f"ConvNeXt{v}" for v in ("Tiny", "Small", "Base", "Large", "XLarge")]
           + ["DenseNet121", "DenseNet169", "DenseNet201"]
           + [f"EfficientNetB{i}" for i in range(8)]
           + [f"EfficientNetV2{v}" for v in ("B0", "B1", "B2", "B3", "S", "M", "L")]
           + ["InceptionResNetV2", "InceptionV3", "MobileNet", "MobileNetV2", "MobileNetV3Large",
              "MobileNetV3Small", "NASNetLarge", "NASNetMobile"]
           + _REGNETS
           + ["ResNet50", "ResNet101",
              "ResNet152", "ResNet50V2", "ResNet101V2", "ResNet152V2"]
           + [f"ResNetRS{d}" for d in (50, 101, 152, 200, 270, 350, 420)]
           + ["VGG16", "VGG19", "Xception"])
