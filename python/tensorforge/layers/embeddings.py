"""Embedding (Keras 2's keras/layers/embeddings.py). mask_zero=True: id 0 is padding and the
mask (ids != 0) flows to the next layer (a recurrent layer skips those steps)."""
import numpy as np

from .. import initializers as _init
from .. import regularizers as _reg
from .._xp import array_module
from ..autograd import Tensor
from ..engine.base_layer import Layer
from ..engine.ragged_inputs import RaggedMask
from ..ops.embedding import embedding_lookup
from . import _args


class Embedding(Layer):
    """Integer ids (B, T) -> vectors (B, T, output_dim). mask_zero=True: id 0 is padding and the
    mask (ids != 0) flows to the next layer (a recurrent layer skips those steps)."""

    _int_inputs = True  # See Note [integer inputs] (engine/base_layer.py)

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform",
                 embeddings_regularizer=None, mask_zero=False, input_length=None,
                 embeddings_constraint=None, **kwargs):
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs \
                and "input_dim" not in kwargs:
            # Keras 2 always gives Embedding an input shape: (input_length,) or (None,), so a
            # Sequential model starting with one is built (summary() works) before any data
            if input_length is None:
                kwargs["input_shape"] = (None,)
            else:
                kwargs["input_shape"] = ((input_length,) if np.isscalar(input_length)
                                         else tuple(input_length))
        super().__init__(**kwargs)
        self._set_constraints(embeddings_constraint=embeddings_constraint)
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
        if raw.dtype.kind == "f":
            raw = raw.astype(np.int64)
        return raw

    def call(self, x, training=False, mask=None):
        # The ids' range is checked once, by the lookup kernel (not on the GPU: see
        # reference/embedding.py); its error is reported under this layer's name.
        try:
            return embedding_lookup(self.embeddings, self._ids(x))
        except ValueError as e:
            if "ids must lie in" not in str(e):
                raise
            raise ValueError(f"{self.name}: {e}") from None

    def compute_mask(self, inputs, mask=None):
        ragged = mask if isinstance(mask, RaggedMask) else None  # a ragged input's rows stay
        if not self.mask_zero:  # ragged (See Note [ragged inputs])
            return ragged
        d = inputs.data if isinstance(inputs, Tensor) else inputs
        xp = array_module(d) if not isinstance(d, (list, tuple)) else np
        own = xp.asarray(d) != 0
        return own if ragged is None else np.logical_and(own, ragged)
