"""ConvNeXt Tiny / Small / Base / Large / XLarge (Keras 2's keras/applications/convnext.py):
the input normalized inside the model by ImageNet's mean and variance (a Normalization layer,
pixels in [0, 255]) unless ``include_preprocessing=False``, a 4x4 stride-4 stem and three 2x2
stride-2 downsampling blocks -- each a nested Sequential model, as Keras 2 builds them -- and
stages of ConvNeXt blocks: a 7x7 depthwise convolution written as Conv2D(groups=channels) (See
Note [grouped convolution] in ops/conv.py), LayerNormalization, two Dense layers around a gelu,
a LayerScale and the residual add. Layer names and order as Keras 2's, so its .h5 weight files
load. ``preprocess_input`` is the identity."""
import numpy as np

from ..engine.base_layer import Layer
from . import _common
from .imagenet_utils import decode_predictions as _decode, obtain_input_shape

__all__ = ["ConvNeXtTiny", "ConvNeXtSmall", "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtXLarge",
           "LayerScale", "StochasticDepth", "preprocess_input", "decode_predictions"]

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"
WEIGHTS_HASHES = {
    "convnext_tiny": ("8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
                      "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"),
    "convnext_small": ("ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
                       "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"),
    "convnext_base": ("52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
                      "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"),
    "convnext_large": ("070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
                       "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"),
    "convnext_xlarge": ("c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
                        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"),
}
MODEL_CONFIGS = {  # (depths, projection_dims); default_size 224 for all
    "tiny": ((3, 3, 9, 3), (96, 192, 384, 768)),
    "small": ((3, 3, 27, 3), (96, 192, 384, 768)),
    "base": ((3, 3, 27, 3), (128, 256, 512, 1024)),
    "large": ((3, 3, 27, 3), (192, 384, 768, 1536)),
    "xlarge": ((3, 3, 27, 3), (256, 512, 1024, 2048)),
}


class StochasticDepth(Layer):
    """Keras 2's convnext.StochasticDepth: in training, the whole residual branch of a sample
    batch dropped with probability ``drop_path_rate`` (one draw per sample), the kept ones
    scaled by 1 / (1 - rate); the identity at inference."""

    def __init__(self, drop_path_rate, **kwargs):
        super().__init__(**kwargs)
        self.drop_path_rate = float(drop_path_rate)

    def call(self, x, training=None):
        if not training or self.drop_path_rate == 0.0:
            return x
        from .. import backend as K
        keep = 1.0 - self.drop_path_rate
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        mask = K.cast(K.random_uniform(shape) < keep, x.dtype)
        return x / keep * mask

    def get_config(self):
        return dict(super().get_config(), drop_path_rate=self.drop_path_rate)


class LayerScale(Layer):
    """Keras 2's convnext.LayerScale: ``x * gamma``, gamma (projection_dim,) starting at
    ``init_values``."""

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = int(projection_dim)

    def build(self, input_shape):
        from .. import initializers
        self.gamma = self.add_weight(name="gamma", shape=(self.projection_dim,),
                                     initializer=initializers.Constant(self.init_values),
                                     trainable=True)

    def call(self, x):
        return x * self.gamma

    def get_config(self):
        return dict(super().get_config(), init_values=self.init_values,
                    projection_dim=self.projection_dim)


def _block(x, projection_dim, drop_path_rate, layer_scale_init_value, name):
    from .. import layers
    inputs = x
    x = layers.Conv2D(projection_dim, kernel_size=7, padding="same", groups=projection_dim,
                      name=name + "_depthwise_conv")(x)
    x = layers.LayerNormalization(epsilon=1e-6, name=name + "_layernorm")(x)
    x = layers.Dense(4 * projection_dim, name=name + "_pointwise_conv_1")(x)
    x = layers.Activation("gelu", name=name + "_gelu")(x)
    x = layers.Dense(projection_dim, name=name + "_pointwise_conv_2")(x)
    if layer_scale_init_value is not None:
        x = LayerScale(layer_scale_init_value, projection_dim, name=name + "_layer_scale")(x)
    if drop_path_rate:
        layer = StochasticDepth(drop_path_rate, name=name + "_stochastic_depth")
    else:
        layer = layers.Activation("linear", name=name + "_identity")
    return inputs + layer(x)


def _downsampling(model_name, projection_dims):
    """The stem and the three downsampling blocks, nested Sequential models as in Keras 2."""
    from .. import layers
    from ..models import Sequential
    out = [Sequential([layers.Conv2D(projection_dims[0], kernel_size=4, strides=4,
                                     name=model_name + "_stem_conv"),
                       layers.LayerNormalization(epsilon=1e-6,
                                                 name=model_name + "_stem_layernorm")],
                      name=model_name + "_stem")]
    for i in range(3):
        out.append(Sequential(
            [layers.LayerNormalization(epsilon=1e-6,
                                       name=model_name + f"_downsampling_layernorm_{i}"),
             layers.Conv2D(projection_dims[i + 1], kernel_size=2, strides=2,
                           name=model_name + f"_downsampling_conv_{i}")],
            name=model_name + f"_downsampling_block_{i}"))
    return out


def ConvNeXt(depths, projection_dims, drop_path_rate=0.0, layer_scale_init_value=1e-6,
             default_size=224, model_name="convnext", include_preprocessing=True,
             include_top=True, weights=None, input_tensor=None, input_shape=None, pooling=None,
             classes=1000, classifier_activation="softmax"):
    """Keras 2's ConvNeXt builder (arguments and defaults as there)."""
    from .. import layers
    from .imagenet_utils import validate_activation
    _common.check_args(weights, include_top, classes, pooling)
    input_shape = obtain_input_shape(input_shape, default_size=default_size, min_size=32,
                                     data_format="channels_last", require_flatten=include_top,
                                     weights=weights)
    img_input = _common.image_input(input_tensor, input_shape)
    x = img_input
    if include_preprocessing and input_shape[2] == 3:
        x = layers.Normalization(
            mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
            variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2],
            name=model_name + "_prestem_normalization")(x)
    rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
    cur = 0
    for i, down in enumerate(_downsampling(model_name, projection_dims)):
        x = down(x)
        for j in range(depths[i]):
            x = _block(x, projection_dims[i], rates[cur + j], layer_scale_init_value,
                       model_name + f"_stage_{i}_block_{j}")
        cur += depths[i]
    if include_top:
        validate_activation(classifier_activation, weights)
        x = layers.GlobalAveragePooling2D(name=model_name + "_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6, name=model_name + "_head_layernorm")(x)
        x = layers.Dense(classes, activation=classifier_activation,
                         name=model_name + "_head_dense")(x)
    else:
        if pooling == "avg":
            x = layers.GlobalAveragePooling2D()(x)
        elif pooling == "max":
            x = layers.GlobalMaxPooling2D()(x)
        x = layers.LayerNormalization(epsilon=1e-6)(x)
    file = None
    if weights == "imagenet":
        if model_name not in WEIGHTS_HASHES:
            raise ValueError(f"ConvNeXt: weights='imagenet' needs a model_name of "
                             f"{sorted(WEIGHTS_HASHES)}, got model_name={model_name!r}")
        fname = model_name + (".h5" if include_top else "_notop.h5")
        file = (fname, BASE_WEIGHTS_PATH + fname,
                WEIGHTS_HASHES[model_name][0 if include_top else 1])
    return _common.finish(img_input, input_tensor, x, model_name, weights, file)


def _variant(size):
    depths, dims = MODEL_CONFIGS[size]

    def fn(model_name=f"convnext_{size}", include_top=True, include_preprocessing=True,
           weights="imagenet", input_tensor=None, input_shape=None, pooling=None, classes=1000,
           classifier_activation="softmax"):
        return ConvNeXt(depths, dims, drop_path_rate=0.0, layer_scale_init_value=1e-6,
                        default_size=224, model_name=model_name, include_top=include_top,
                        include_preprocessing=include_preprocessing, weights=weights,
                        input_tensor=input_tensor, input_shape=input_shape, pooling=pooling,
                        classes=classes, classifier_activation=classifier_activation)
    fn.__name__ = fn.__qualname__ = "ConvNeXt" + {"xlarge": "XLarge"}.get(size, size.title())
    fn.__doc__ = f"{fn.__name__} (Keras 2's signature and defaults; input at least 32x32)."
    return fn


ConvNeXtTiny = _variant("tiny")
ConvNeXtSmall = _variant("small")
ConvNeXtBase = _variant("base")
ConvNeXtLarge = _variant("large")
ConvNeXtXLarge = _variant("xlarge")


def preprocess_input(x, data_format=None):
    """The identity, as in Keras 2: ConvNeXt models normalize their input themselves."""
    return x


def decode_predictions(preds, top=5):
    return _decode(preds, top=top)
