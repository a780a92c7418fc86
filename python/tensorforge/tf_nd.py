"""``tf.gather_nd`` and ``tf.tensor_scatter_nd_add``: reading and adding at index tuples, as
mixture-of-experts layers route a batch (keras-io mnist_moe.py picks each row's top-k experts
with ``gather_nd`` and counts their use with ``tensor_scatter_nd_add``).

``indices`` has shape ``I + (k,)``: each innermost vector of ``k`` integers addresses the first
``k`` axes of ``params`` / ``tensor``; negative or out-of-range indices are an IndexError (CPU
TensorFlow's InvalidArgumentError), duplicates add up. Both are differentiable:
``gather_nd`` is advanced indexing (its backward accumulates duplicates); for
``tensor_scatter_nd_add`` the gradient is the identity for ``tensor`` and the gathered output
gradient for ``updates`` (a one-hot matrix product when ``updates`` needs a gradient, a NumPy
``add.at`` otherwise).
"""
import numpy as np

from . import backend_ops as K
from ._xp import host
from .autograd import Tensor
from .backend_ops._args import device_xp, tensor as _tensor


def _index_tuple(op, indices, shape):
    """The indices as a tuple of k integer arrays of shape I, checked against ``shape``."""
    idx = np.asarray(host(indices.data if isinstance(indices, Tensor) else indices))
    if idx.dtype.kind not in "iu" or idx.ndim < 1:
        raise TypeError(f"tf.{op}: indices must be integers of shape (..., k), got "
                        f"{idx.dtype} of shape {idx.shape}")
    k = idx.shape[-1]
    if k > len(shape):
        raise ValueError(f"tf.{op}: indices address {k} axes, but the tensor has shape "
                         f"{tuple(shape)}")
    for j in range(k):
        col = idx[..., j]
        bad = col[(col < 0) | (col >= shape[j])]
        if bad.size:
            raise IndexError(f"tf.{op}: index {int(bad[0])} on axis {j} is out of range for "
                             f"shape {tuple(shape)}")
    return tuple(idx[..., j] for j in range(k)), idx.shape[:-1], k


def gather_nd(params, indices, batch_dims=0, name=None):
    """``params[indices[..., 0], ..., indices[..., k-1]]``: shape ``I + params.shape[k:]``."""
    if K.array_ops._symbolic(params) or K.array_ops._symbolic(indices):
        from . import autograd
        return autograd._record_symbolic[0](gather_nd, params, indices, batch_dims)
    if batch_dims != 0:
        raise NotImplementedError("tf.gather_nd: batch_dims other than 0 is not supported")
    p = _tensor("gather_nd", "params", params)
    tup, _, _ = _index_tuple("gather_nd", indices, p.shape)
    return p[tup]


def tensor_scatter_nd_add(tensor, indices, updates, name=None):
    """A copy of ``tensor`` with ``updates`` added at ``indices`` (shape ``I + shape[k:]``)."""
    t = _tensor("tensor_scatter_nd_add", "tensor", tensor)
    u = _tensor("tensor_scatter_nd_add", "updates", updates, dtype=t.dtype)
    tup, lead, k = _index_tuple("tensor_scatter_nd_add", indices, t.shape)
    want = tuple(lead) + tuple(t.shape[k:])
    if tuple(u.shape) != want:
        raise ValueError(f"tf.tensor_scatter_nd_add: updates must have shape {want} for indices "
                         f"of shape {tuple(lead) + (k,)} into {tuple(t.shape)}, got "
                         f"{tuple(u.shape)}")
    if not getattr(u, "requires_grad", False):
        added = np.zeros(t.shape, dtype=t.dtype)
        np.add.at(added, tup, np.asarray(host(u.data)))
        return t + Tensor(device_xp().asarray(added))
    rows = int(np.prod(t.shape[:k], dtype=np.int64))
    flat = np.ravel_multi_index(tup, t.shape[:k]).reshape(-1)
    onehot = np.zeros((rows, flat.size), dtype=t.dtype)
    onehot[flat, np.arange(flat.size)] = 1
    rest = int(np.prod(t.shape[k:], dtype=np.int64))
    added = K.dot(Tensor(device_xp().asarray(onehot)), K.reshape(u, (flat.size, rest)))
    return t + K.reshape(added, tuple(t.shape))
