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
  merge.Add/Subtract/Multiply/Average/Maximum/Minimum/Concatenate/Dot
                                 ops.basic add / sub / mul / maximum / concatenate / matmul, sum
  core.Lambda                    whatever its function runs
Called on symbolic tensors (``Input(...)``) a layer records a node of a functional graph
(engine/node.py) instead of computing; see engine/__init__.py for the model core.
Masks: Embedding(mask_zero=True) emits mask = (ids != 0); layers with ``supports_masking`` pass it
on; recurrent layers consume it (Keras semantics: a masked step carries the previous state).
"""
from ..engine.base_layer import _LAYER_CLASSES, Layer, get_layer_class  # noqa: F401
from ..engine.base_layer import InputSpec  # noqa: F401
from ..engine.input_layer import Input, InputLayer  # noqa: F401
from .advanced_activations import LeakyReLU  # noqa: F401
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

__all__ = ["Layer", "InputSpec", "Input", "InputLayer", "Dense", "Activation", "Dropout", "Flatten",
           "Reshape", "Lambda", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
           "Concatenate", "Dot", "add", "subtract", "multiply", "average", "maximum", "minimum",
           "concatenate", "dot", "Conv2D",
           "Convolution2D", "MaxPooling2D", "MaxPool2D", "AveragePooling2D", "AvgPool2D",
           "GlobalAveragePooling2D", "GlobalAvgPool2D", "BatchNormalization", "SimpleRNN", "LSTM",
           "GRU", "Embedding", "Bidirectional", "LeakyReLU", "get_layer_class"]

# Keras 2's aliases name the same classes in a config.
_LAYER_CLASSES.update(Convolution2D=Conv2D, MaxPool2D=MaxPooling2D, AvgPool2D=AveragePooling2D,
                      GlobalAvgPool2D=GlobalAveragePooling2D)
