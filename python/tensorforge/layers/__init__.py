"""Keras 2 layers on tensorforge ops, one module per family as Keras 2 lays them out.

A layer is callable on arrays or Tensors; it builds its weights on the first call (or when the
model knows the input shape: ``input_shape=`` / ``input_dim=`` / an ``InputLayer``). Shapes follow
Keras: ``input_shape`` excludes the batch axis, ``compute_output_shape`` takes and returns full
shapes with ``None`` for the batch. Weights are Tensors in Keras' layouts, so ``get_weights()`` /
``set_weights()`` exchange arrays with Keras models unchanged.

Which op each layer runs (on the cpu backend each is a native kernel):
  core.Dense                     ops.gemm (bias and relu fused into the GEMM epilogue)
  convolutional.Conv2D           ops.conv2d (bias and relu fused)
  pooling.Max/AveragePooling2D   ops.max_pool2d / ops.avg_pool2d; GlobalAveragePooling2D: ops.global_avg_pool2d
  core.Activation, activation=   ops.<activation> (pointwise kernels)
  core.Dropout                   ops.dropout (counter-based RNG, seeded from tensorforge._random)
  recurrent.SimpleRNN/LSTM/GRU   ops.simple_rnn / ops.lstm / ops.gru (fused whole-sequence kernels)
  normalization.BatchNormalization, embeddings.Embedding: NumPy Functions (vectorized)
  convolutional.Conv1D           ops.conv2d on (N, 1, W, C) ('causal': asymmetric explicit pads)
  convolutional.Conv3D           ops.conv2d per depth tap of the kernel
  convolutional_transpose.Conv2DTranspose  ops.conv2d_transpose: conv2d's backward-data kernel
                                 forward, conv2d forward and weight-gradient kernels backward
  convolutional_depthwise.DepthwiseConv2D, SeparableConv2D's depthwise step: ops.depthwise_conv2d
                                 (native NHWC kernels on cpu and cuda, conv_depthwise.cpp/.cu);
                                 SeparableConv2D's pointwise step: ops.conv2d 1x1
  reshaping.UpSampling1D/2D/3D   ops.upsample2d (nearest: backward is the avg-pool kernel;
                                 bilinear: two interpolation matrices, as tf.image.resize)
  reshaping.ZeroPadding*, Cropping*: ops.pad / getitem
  pooling.Max/AveragePooling1D/3D, GlobalMaxPooling*: the 2-D pool kernels on reshaped views
  convolutional_recurrent.ConvLSTM2D  ops.conv2d per step (unfused loop over time)
  recurrent with recurrent_dropout in training: an unfused step loop on ops.gemm (Keras 2's
                                 per-gate masks); otherwise the fused kernels
  normalization.LayerNormalization, advanced_activations.PReLU, noise.*: NumPy/array-module
                                 Functions or compositions of ops
  normalization_group.UnitNormalization, GroupNormalization: compositions of ops
  einsum_dense.EinsumDense       ops.einsum (the kernel's shape from tf_keras' equation analysis)
  locally_connected.LocallyConnected1D/2D  backend local_conv: the patches times their own
                                 kernels in one batched matmul
Masks: Embedding(mask_zero=True) emits mask = (ids != 0), Masking emits any(x != mask_value);
layers with ``supports_masking`` pass it on; recurrent layers consume it (Keras semantics: a
masked step carries the previous state) and a sequence output's mask reaches the loss and
metrics (mean over the unmasked steps, as Keras 2).
  merge.Add/Subtract/Multiply/Average/Maximum/Minimum/Concatenate/Dot
                                 ops.basic add / sub / mul / maximum / concatenate / matmul, sum
  core.Lambda                    whatever its function runs
  preprocessing_image.Resizing, CenterCrop, Random{Flip,Rotation,Zoom,Translation,Contrast,
                                 Brightness,Crop,Height,Width}: host NumPy (image_ops.py), no
                                 gradient; the random ones augment in training only
Called on symbolic tensors (``Input(...)``) a layer records a node of a functional graph
(symbolic/node.py) instead of computing; see engine/__init__.py for the model core.
"""
from ..engine.base_layer import _LAYER_CLASSES, Layer, get_layer_class  # noqa: F401
from ..engine.base_layer import InputSpec  # noqa: F401
from ..engine.input_layer import Input, InputLayer  # noqa: F401
from ..engine.network_config import deserialize_layer
from ..engine.serialization import custom_object_scope
from .advanced_activations import LeakyReLU  # noqa: F401
from .attention import AdditiveAttention, Attention, MultiHeadAttention  # noqa: F401
from .preprocessing import Rescaling  # noqa: F401
from .preprocessing_image import (CenterCrop, RandomBrightness, RandomContrast,  # noqa: F401
                                  RandomCrop, RandomFlip, RandomHeight, RandomRotation,
                                  RandomTranslation, RandomWidth, RandomZoom, Resizing)
from .preprocessing_lookup import CategoryEncoding, IntegerLookup, StringLookup  # noqa: F401
from .preprocessing_normalization import Normalization  # noqa: F401
from .preprocessing_hashing import Hashing  # noqa: F401
from .preprocessing_discretization import Discretization  # noqa: F401
from .text_vectorization import TextVectorization  # noqa: F401
from .convolutional import Conv2D, Convolution2D  # noqa: F401
from .core import Activation, Dense, Dropout, Flatten, Lambda, Reshape  # noqa: F401
from .embeddings import Embedding  # noqa: F401
from .merge import (Add, Average, Concatenate, Dot, Maximum, Minimum, Multiply,  # noqa: F401
                    Subtract, add, average, concatenate, dot, maximum, minimum, multiply,
                    subtract)
from .normalization import BatchNormalization  # noqa: F401
from .pooling import (AveragePooling2D, AvgPool2D, GlobalAveragePooling2D,  # noqa: F401
                      GlobalAvgPool2D, MaxPool2D, MaxPooling2D)
from .recurrent import GRU, LSTM, SimpleRNN  # noqa: F401
from .wrappers import Bidirectional  # noqa: F401
from .advanced_activations import ELU, PReLU, ReLU, Softmax, ThresholdedReLU  # noqa: F401
from .convolutional import Conv1D, Conv3D, Convolution1D, Convolution3D  # noqa: F401
from .convolutional_transpose import (Conv1DTranspose, Conv2DTranspose,  # noqa: F401
                                      Convolution1DTranspose, Convolution2DTranspose)
from .convolutional_depthwise import (DepthwiseConv1D, DepthwiseConv2D,  # noqa: F401
                                      SeparableConv1D, SeparableConv2D, SeparableConvolution1D,
                                      SeparableConvolution2D)
from .reshaping import (Cropping1D, Cropping2D, Cropping3D, UpSampling1D,  # noqa: F401
                        UpSampling2D, UpSampling3D, ZeroPadding1D, ZeroPadding2D, ZeroPadding3D)
from .core import (ActivityRegularization, Masking, Permute, RepeatVector,  # noqa: F401
                   SpatialDropout1D, SpatialDropout2D, SpatialDropout3D)
from .noise import AlphaDropout, GaussianDropout, GaussianNoise  # noqa: F401
from .normalization import LayerNormalization  # noqa: F401
from .pooling import (AveragePooling1D, AvgPool1D, GlobalAvgPool1D,  # noqa: F401
                      GlobalAveragePooling1D, GlobalMaxPool1D, GlobalMaxPool2D,
                      GlobalMaxPooling1D, GlobalMaxPooling2D, MaxPool1D, MaxPooling1D)
from .wrappers import TimeDistributed  # noqa: F401
from .convolutional_recurrent import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D  # noqa: F401
from .pooling import (AveragePooling3D, AvgPool3D, GlobalAveragePooling3D,  # noqa: F401
                      GlobalAvgPool3D, GlobalMaxPool3D, GlobalMaxPooling3D, MaxPool3D,
                      MaxPooling3D)
from .core import Identity  # noqa: F401
from .normalization_group import GroupNormalization, UnitNormalization  # noqa: F401
from .einsum_dense import EinsumDense  # noqa: F401
from .locally_connected import LocallyConnected1D, LocallyConnected2D  # noqa: F401
from .rnn_cells import AbstractRNNCell  # noqa: F401
from .wrappers import Wrapper  # noqa: F401
from .spectral_normalization import SpectralNormalization  # noqa: F401
from .convolutional_transpose import Conv3DTranspose, Convolution3DTranspose  # noqa: F401
from .preprocessing_hashing import HashedCrossing  # noqa: F401
from .rnn_cells import (RNN, GRUCell, LSTMCell, SimpleRNNCell,  # noqa: F401
                        StackedRNNCells)
from .dense_features import DenseFeatures  # noqa: F401  (tf.feature_column's layer)
from .cudnn_recurrent import CuDNNGRU, CuDNNLSTM  # noqa: F401  (Keras 2.1-2.2)
from . import experimental  # noqa: F401,E402  (keras.layers.experimental.RandomFourierFeatures)

__all__ = ["serialize", "deserialize", "Rescaling", "Normalization", "Hashing", "Discretization", "StringLookup", "IntegerLookup", "CategoryEncoding",
           "TextVectorization", "MultiHeadAttention", "Attention", "AdditiveAttention", "Conv1DTranspose",
           "Convolution1DTranspose", "Layer", "InputSpec", "Input", "InputLayer", "Dense", "Activation", "Dropout", "Flatten",
           "Reshape", "Lambda", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
           "Concatenate", "Dot", "add", "subtract", "multiply", "average", "maximum", "minimum",
           "concatenate", "dot", "Conv2D",
           "Convolution2D", "MaxPooling2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D",
           "GlobalAveragePooling2D", "GlobalAvgPool2D", "BatchNormalization", "SimpleRNN", "LSTM",
           "GRU", "Embedding", "Bidirectional", "LeakyReLU", "get_layer_class",
           # Keras 2 layer breadth (issue 12)
           "Conv1D", "Conv2DTranspose", "Convolution2DTranspose", "DepthwiseConv2D",
           "SeparableConv2D", "SeparableConvolution2D", "UpSampling1D", "UpSampling2D",
           "ZeroPadding1D", "ZeroPadding2D", "Cropping1D", "Cropping2D", "MaxPooling1D",
           "MaxPool1D", "AveragePooling1D", "AvgPool1D", "GlobalMaxPooling1D", "GlobalMaxPool1D",
           "GlobalMaxPooling2D", "GlobalMaxPool2D", "GlobalAveragePooling1D", "GlobalAvgPool1D",
           "TimeDistributed", "RepeatVector", "Permute", "Masking", "SpatialDropout1D",
           "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout", "AlphaDropout",
           "ActivityRegularization", "LayerNormalization", "ReLU", "PReLU", "ELU",
           "ThresholdedReLU", "Softmax", "ConvLSTM2D", "Conv3D",
           "Convolution1D", "Convolution3D", "ZeroPadding3D", "Cropping3D", "UpSampling3D", "MaxPooling3D",
           "MaxPool3D", "AveragePooling3D", "AvgPool3D", "GlobalMaxPooling3D", "GlobalMaxPool3D",
           "GlobalAveragePooling3D", "GlobalAvgPool3D", "DepthwiseConv1D", "SeparableConv1D",
           "SeparableConvolution1D", "RNN", "SimpleRNNCell", "LSTMCell", "GRUCell",
           "StackedRNNCells", "Identity", "UnitNormalization", "GroupNormalization",
           "EinsumDense", "LocallyConnected1D", "LocallyConnected2D", "AbstractRNNCell",
           "Wrapper", "SpectralNormalization", "Conv3DTranspose", "Convolution3DTranspose",
           "ConvLSTM1D", "ConvLSTM3D", "HashedCrossing", "DenseFeatures", "CuDNNLSTM", "CuDNNGRU",
           # image preprocessing and augmentation (preprocessing_image.py)
           "Resizing", "CenterCrop", "RandomFlip", "RandomRotation", "RandomZoom",
           "RandomTranslation", "RandomContrast", "RandomBrightness", "RandomCrop",
           "RandomHeight", "RandomWidth"]

# Keras 2's aliases name the same classes in a config.
_LAYER_CLASSES.update(Convolution2D=Conv2D, MaxPool2D=MaxPooling2D, AvgPool2D=AveragePooling2D,
                      GlobalAvgPool2D=GlobalAveragePooling2D)
_LAYER_CLASSES.update(Convolution2DTranspose=Conv2DTranspose, SeparableConvolution2D=SeparableConv2D,
                      MaxPool1D=MaxPooling1D, AvgPool1D=AveragePooling1D,
                      GlobalMaxPool1D=GlobalMaxPooling1D, GlobalMaxPool2D=GlobalMaxPooling2D,
                      GlobalAvgPool1D=GlobalAveragePooling1D, Convolution3D=Conv3D,
                      MaxPool3D=MaxPooling3D, AvgPool3D=AveragePooling3D,
                      GlobalMaxPool3D=GlobalMaxPooling3D, GlobalAvgPool3D=GlobalAveragePooling3D,
                      SeparableConvolution1D=SeparableConv1D,
                      Convolution1DTranspose=Conv1DTranspose,
                      Convolution3DTranspose=Conv3DTranspose)


def serialize(layer):
    """{"class_name", "config"} of ``layer`` (Keras 2's ``layers.serialize``)."""
    if not isinstance(layer, Layer):
        raise TypeError(f"layers.serialize: layer must be a Layer, got {type(layer).__name__}")
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize(config, custom_objects=None):
    """A layer from {"class_name", "config"} (Keras 2's ``layers.deserialize``); a class name
    also resolves through ``custom_objects`` and the Keras 2 aliases (Convolution2D, ...)."""
    with custom_object_scope(custom_objects or {}):
        return deserialize_layer(config)
