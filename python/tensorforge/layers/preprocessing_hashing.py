"""Keras 2's Hashing layer (keras/layers/preprocessing/hashing.py): strings or integers to one of
``num_bins`` buckets by a stable hash, with TensorFlow's exact bucket values.

Without ``salt`` a token goes to ``Fingerprint64(token) % bins`` (FarmHash,
``tf.strings.to_hash_bucket_fast``); with ``salt`` to ``SipHash-2-4(salt, token) % bins``
(``to_hash_bucket_strong``; an int salt ``s`` is the key ``[s, s]``). Integers are hashed as their
decimal strings (``tf.as_string``), as Keras 2 does; float inputs are refused, as TensorFlow
refuses them. With ``mask_value`` set (and ``num_bins > 1``) bucket 0 is the mask's and the hash
picks one of the other ``num_bins - 1``. ``output_mode`` "one_hot", "multi_hot", "count" encode
the bins as CategoryEncoding does.

HashedCrossing (Keras 2.9+): the cross of two or more categorical features (strings or
integers, each of shape (), (batch,) or (batch, 1)) hashed into ``num_bins`` bins as
tf.sparse.cross_hashed does (See _hash.cross_hashed), bit for bit; output_mode "int" or
"one_hot".
"""
import numpy as np

from .. import _hash
from .._text import as_bytes_array, is_text
from ..autograd import Tensor
from ..engine.base_layer import Layer
from .preprocessing_lookup import COUNT, INT, MULTI_HOT, ONE_HOT, _output_mode, encode_categorical


def _salt_key(salt):
    if salt is None:
        return None
    if isinstance(salt, (tuple, list)) and len(salt) == 2 and \
            all(isinstance(s, (int, np.integer)) for s in salt):
        return salt
    if isinstance(salt, (int, np.integer)) and not isinstance(salt, bool):
        return [int(salt), int(salt)]
    raise ValueError("Hashing: the salt argument can only be a tuple of size 2 integers, or a "
                     f"single integer, got salt={salt!r}")


class Hashing(Layer):
    """Keras 2 Hashing(num_bins, mask_value=None, salt=None, output_mode='int', sparse=False)."""

    _keeps_input_dtype = True

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False,
                 **kwargs):
        if num_bins is None or isinstance(num_bins, bool) or \
                not isinstance(num_bins, (int, np.integer)) or num_bins <= 0:
            raise ValueError(f"Hashing: num_bins must be a positive integer, got "
                             f"num_bins={num_bins!r}")
        mode = _output_mode("Hashing", output_mode, (INT, ONE_HOT, MULTI_HOT, COUNT))
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if mode == INT else "float32"
        elif mode == INT and np.dtype(kwargs["dtype"]).kind not in "iu":
            kwargs["dtype"] = "int64"  # Keras 2: a float dtype is ignored in int mode
        if sparse:
            raise ValueError("Hashing: sparse=True (tf.SparseTensor output) is not supported")
        super().__init__(**kwargs)
        self.num_bins, self.mask_value = int(num_bins), mask_value
        self.salt, self.strong_hash = _salt_key(salt), salt is not None
        self.output_mode, self.sparse = mode, False
        self._record(num_bins=self.num_bins, salt=self.salt, mask_value=mask_value,
                     output_mode=mode, sparse=False)

    def _bins(self, a):
        """The bucket of every element of the host array ``a`` (int64, same shape)."""
        mv = self.mask_value
        if mv is not None and (is_text(a) != isinstance(mv, (str, bytes))):
            raise TypeError(f"Hashing: mask_value {mv!r} does not match the inputs' dtype "
                            f"{a.dtype} (strings need a str mask_value, integers an int)")
        if is_text(a):
            tokens = as_bytes_array(a, "Hashing").reshape(-1)
            masked = (np.zeros(len(tokens), bool) if mv is None else
                      tokens == (mv.encode("utf-8") if isinstance(mv, str) else mv))
        elif a.dtype.kind in "iu":
            flat = a.reshape(-1)
            tokens = [str(int(v)).encode() for v in flat]
            masked = (np.zeros(len(flat), bool) if self.mask_value is None else
                      flat == self.mask_value)
        else:
            raise TypeError(f"Hashing: inputs must be strings or integers, got dtype {a.dtype} "
                            f"(shape {a.shape})")
        bins = self.num_bins
        use_mask = self.mask_value is not None and bins > 1
        if use_mask:
            bins -= 1
        if self.strong_hash:
            out = _hash.to_hash_bucket_strong(list(tokens), bins, self.salt)
        else:
            out = _hash.to_hash_bucket_fast(list(tokens), bins)
        if use_mask:
            out = np.where(masked, 0, out + 1)
        return out.reshape(a.shape)

    def call(self, inputs, training=False, mask=None):
        a = np.asarray(inputs.numpy() if isinstance(inputs, Tensor) else inputs)
        idx = self._bins(a)
        if self.output_mode == INT:
            return Tensor(idx.astype(np.dtype(self.dtype)))
        return Tensor(encode_categorical("Hashing", idx, self.output_mode, self.num_bins))

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if self.output_mode == INT:
            return shape
        if not shape:
            return (self.num_bins,)
        if self.output_mode == ONE_HOT and shape[-1] != 1:
            return shape + (self.num_bins,)
        return shape[:-1] + (self.num_bins,)


class HashedCrossing(Layer):
    """Keras 2 HashedCrossing(num_bins, output_mode='int', sparse=False), called on a list of
    two or more equal-shape inputs (See the module doc)."""

    _keeps_input_dtype = True

    def __init__(self, num_bins, output_mode="int", sparse=False, **kwargs):
        if num_bins is None or isinstance(num_bins, bool) or \
                not isinstance(num_bins, (int, np.integer)) or num_bins <= 0:
            raise ValueError(f"HashedCrossing: num_bins must be a positive integer, got "
                             f"num_bins={num_bins!r}")
        mode = _output_mode("HashedCrossing", output_mode, (INT, ONE_HOT))
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if mode == INT else "float32"
        elif mode == INT and np.dtype(kwargs["dtype"]).kind not in "iu":
            raise ValueError("HashedCrossing: When `output_mode='int'`, `dtype` should be an "
                             f"integer type. Received: dtype={kwargs['dtype']}")
        if sparse:
            raise ValueError("HashedCrossing: sparse=True (tf.SparseTensor output) is not "
                             "supported")
        super().__init__(**kwargs)
        self.num_bins, self.output_mode, self.sparse = int(num_bins), mode, False
        self._record(num_bins=self.num_bins, output_mode=mode, sparse=False)

    def _check(self, shapes):
        if not isinstance(shapes, (list, tuple)) or len(shapes) < 2:
            raise ValueError(f"{self.name}: `HashedCrossing` should be called on a list or "
                             f"tuple of at least two inputs. Received: {shapes!r}")
        first = tuple(shapes[0])
        if len(first) > 2 or (len(first) == 2 and first[-1] != 1):
            raise ValueError(f"{self.name}: All `HashedCrossing` inputs should have shape `[]`, "
                             f"`[batch_size]` or `[batch_size, 1]`. Received shapes "
                             f"{[tuple(s) for s in shapes]}")
        if any(tuple(s) != first for s in shapes[1:]):
            raise ValueError(f"{self.name}: All `HashedCrossing` inputs should have equal "
                             f"shape. Received shapes {[tuple(s) for s in shapes]}")
        return first

    def call(self, inputs, training=False, mask=None):
        arrays = [np.asarray(x.numpy() if isinstance(x, Tensor) else x) for x in
                  (inputs if isinstance(inputs, (list, tuple)) else [inputs])]
        shape = self._check([a.shape for a in arrays] if isinstance(inputs, (list, tuple))
                            else inputs)
        cols = []
        for a in arrays:
            if is_text(a):
                cols.append(as_bytes_array(a, "HashedCrossing").reshape(-1))
            elif a.dtype.kind in "iu":
                cols.append(a.reshape(-1))
            else:
                raise ValueError(f"{self.name}: All `HashedCrossing` inputs should have an "
                                 f"integer or string dtype. Received dtypes "
                                 f"{[str(x.dtype) for x in arrays]} (shape {shape})")
        idx = _hash.cross_hashed(cols, self.num_bins).reshape(shape)
        if self.output_mode == INT:
            return Tensor(idx.astype(np.dtype(self.dtype)))
        return Tensor(encode_categorical("HashedCrossing", idx, ONE_HOT, self.num_bins))

    def compute_output_shape(self, input_shapes):
        shape = self._check(input_shapes)
        if self.output_mode == INT:
            return shape
        return (shape[:1] if shape else ()) + (self.num_bins,)
