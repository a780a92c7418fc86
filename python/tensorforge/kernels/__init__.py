"""Array-level entry points: validate arguments, then call the current backend's kernel.

Functions here take and return arrays (NumPy, or CuPy on the cuda backend), never Tensors; the
public ``tensorforge.ops`` wraps them with autograd. Every argument error is a TypeError or
ValueError naming the op, the argument and the shapes.
"""
from .gemm import gemm, matmul  # noqa: F401
from . import rnn  # noqa: F401,E402
from .pointwise import (act_backward, act_forward, dropout_backward, dropout_forward,  # noqa: F401
                        softmax_backward, softmax_forward, softmax_xent_backward,
                        softmax_xent_forward)
from .optim import adagrad_update, adam_update, rmsprop_update, sgd_update  # noqa: F401
from .conv3d import conv3d, conv3d_backward  # noqa: F401
from .conv import (conv2d, conv2d_backward, conv2d_transpose, conv2d_transpose_backward,  # noqa: F401
                   depthwise_conv2d, depthwise_conv2d_backward)
from .pool import (avg_pool2d, avg_pool2d_backward, global_avg_pool2d,  # noqa: F401
                   global_avg_pool2d_backward, max_pool2d, max_pool2d_backward,
                   upsample_nearest2d, upsample_nearest2d_backward)
from .norm import (batch_norm_backward, batch_norm_infer, batch_norm_train,  # noqa: F401
                   layer_norm_backward, layer_norm_forward)
from .norm_group import group_norm_backward, group_norm_forward  # noqa: F401
from .image import image_transform  # noqa: F401
from .embedding import embedding_backward, embedding_forward  # noqa: F401
