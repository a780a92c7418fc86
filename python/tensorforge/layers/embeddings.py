"""Embedding (Keras 2's keras/layers/embeddings.py). mask_zero=True: id 0 is padding and the
mask (ids != 0) flows to the next layer (a recurrent layer skips those steps)."""
import numpy as np

from .. import initializers as _init
from .. import regularizers as _reg
from .._xp import array_module
from ..autograd import Function, Tensor
from ..engine.base_layer import Layer
from . import _args


class _EmbeddingLookup(Function):
    @staticmethod
    def forward(ctx, table, ids):
        ctx.ids = ids
        ctx.shape = table.shape
        return table[ids]

    @staticmethod
    def backward(ctx, g):
        # Rows for repeated ids must add up: sort the ids, sum each run with one reduceat.
        V, D = ctx.shape
        ids = ctx.ids.reshape(-1)
        g2 = g.reshape(-1, D)
        xp = array_module(g2)
        if xp is not np:  # CuPy: one scatter-add on the device (no reduceat there)
            import cupyx
            gt = xp.zeros((V, D), dtype=g.dtype)
            cupyx.scatter_add(gt, xp.asarray(ids), g2)
            return gt, None
        order = np.argsort(ids, kind="stable")
        sid = ids[order]
        starts = np.flatnonzero(np.r_[True, sid[1:] != sid[:-1]])
        gt = np.zeros((V, D), dtype=g.dtype)
        gt[sid[starts]] = np.add.reduceat(g2[order], starts, axis=0)
        return gt, None


class Embedding(Layer):
    """Integer ids (B, T) -> vectors (B, T, output_dim). mask_zero=True: id 0 is padding and the
    mask (ids != 0) flows to the next layer (a recurrent layer skips those steps)."""

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, mask_zero=False, input_length=None, **kwargs):
        if input_length is not None and "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,) if np.isscalar(input_length) else tuple(input_length)
        super().__init__(**kwargs)
        self.input_dim = _args.positive_int("Embedding", "input_dim", input_dim)
        self.output_dim = _args.positive_int("Embedding", "output_dim", output_dim)
        if embeddings_initializer == "uniform":
            embeddings_initializer = _init.RandomUniform(-0.05, 0.05)
        self.embeddings_initializer = _init.get(embeddings_initializer)
        self.embeddings_regularizer = _reg.get(embeddings_regularizer)
        self.mask_zero = bool(mask_zero)
        self.input_length = input_length
        self._record(input_dim=self.input_dim, output_dim=self.output_dim,
                     embeddings_initializer=self.embeddings_initializer,
                     embeddings_regularizer=self.embeddings_regularizer,
                     activity_regularizer=None, embeddings_constraint=None,
                     mask_zero=self.mask_zero, input_length=input_length)

    def build(self, input_shape):
        self.embeddings = self.add_weight("embeddings", (self.input_dim, self.output_dim),
                                          self.embeddings_initializer, self.embeddings_regularizer)

    def compute_output_shape(self, s):
        return tuple(s) + (self.output_dim,)

    def _ids(self, x):
        d = x.data if isinstance(x, Tensor) else x
        xp = array_module(d) if not isinstance(d, (list, tuple)) else np
        raw = xp.asarray(d)
        if raw.dtype.kind not in "iuf":
            raise TypeError(f"{self.name}: ids must be integers, got {raw.dtype}")
        if raw.dtype.kind == "f" and xp is np and not bool(np.all(raw == np.floor(raw))):
            # Keras casts float ids (model inputs are float32) to int: only whole numbers are ids
            raise ValueError(f"{self.name}: ids must be whole numbers, got a fractional or NaN "
                             f"id in {raw.dtype} input")
        ids = raw.astype(np.int64)
        if xp is not np:
            # On the GPU the range check would be a device->host copy in every step (Note [data
            # on the device] in _device.py). Out-of-range ids never read out of bounds there
            # (CuPy's integer indexing wraps), and, as with TensorFlow's GPU embedding lookup,
            # they are not reported; the CPU paths raise.
            return ids
        if ids.size and (ids.min() < 0 or ids.max() >= self.input_dim):
            raise ValueError(f"{self.name}: ids must lie in [0, {self.input_dim}), got values in "
                             f"[{ids.min()}, {ids.max()}]")
        return ids

    def call(self, x, training=False, mask=None):
        return _EmbeddingLookup.apply(self.embeddings, self._ids(x))

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        d = inputs.data if isinstance(inputs, Tensor) else inputs
        xp = array_module(d) if not isinstance(d, (list, tuple)) else np
        return xp.asarray(d) != 0
