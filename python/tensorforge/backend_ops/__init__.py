"""The Keras 2 backend functions (``K.mean``, ``K.batch_dot``, ...), reached as
``tensorforge.backend.<name>`` (``from tensorforge import backend as K``).

One module per family: math_ops (elementwise, reductions, comparisons, dot), array_ops (shapes,
indexing, creation), nn_ops (activations, cross-entropies, normalisation, dropout), variables
(variables, learning phase, random), utils (name scopes, uids, map_fn / foldl), ctc_ops
(ctc_batch_cost, ctc_decode), conv_ops (conv2d_transpose, depthwise / separable conv, pool2d,
resize_images), rnn_ops (rnn, moving_average_update), graph_ops (function, placeholder,
is_keras_tensor, gradients). They build on
the differentiable ops in tensorforge.ops.
"""
from . import (array_ops, conv_ops, ctc_ops, graph_ops, math_ops, nn_ops, rnn_ops, utils,
               variables)

__all__ = []
for _mod in (math_ops, array_ops, nn_ops, conv_ops, rnn_ops, variables, utils, ctc_ops,
             graph_ops):
    globals().update({n: getattr(_mod, n) for n in _mod.__all__})
    __all__ += list(_mod.__all__)
del _mod
