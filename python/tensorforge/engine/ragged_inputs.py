"""Ragged model inputs (Keras 2's ``Input(ragged=True)`` / ``InputLayer(ragged=True)``), as a
padded batch and a mask. See Note [ragged inputs]."""
import numpy as np

from ..autograd import Tensor
from ..tf_ragged import RaggedTensor

# Note [ragged inputs]
# ~~~~~~~~~~~~~~~~~~~~
# Keras 2 feeds a tf.RaggedTensor through an Input(ragged=True): Embedding maps its flat values
# (the output stays ragged, whatever mask_zero says) and an RNN reads each row to its own length
# (Hands-On ML 2's Reber-grammar GRU). Here the rows are padded to the longest at the data
# boundary (fit / evaluate / predict slice and shuffle the padded array as any other), with a
# value no row holds: -1 for integer ids (ids index an Embedding, so they are >= 0), NaN for
# floats. At the graph's entry the ragged Input turns the padding into a mask (a RaggedMask) and
# the padding into 0; Embedding passes a RaggedMask on (a ragged output), the RNNs skip the
# masked steps, which is what reading each row to its own length computes. A row's padding is
# its own: a batch padded to the longest row of the whole data set gives the same outputs as
# Keras 2's batch of ragged rows.


class RaggedMask(np.ndarray):
    """A mask that marks a ragged input's rows (True up to each row's length)."""


def pad_marker(dtype):
    return np.nan if np.dtype(dtype).kind == "f" else -1


def to_padded(rt, where, ref=None):
    """The rows of a RaggedTensor padded with pad_marker to a (rows, longest) array, in the dtype
    of the Input ``ref`` (a KerasTensor) when given."""
    if ref is not None and not getattr(ref._keras_history[0], "ragged", False):
        raise ValueError(f"{where}: got a RaggedTensor for input "
                         f"{ref._keras_history[0].name!r}, which is not "
                         "ragged; declare it Input(..., ragged=True) or pass a padded array")
    values = np.asarray(rt._values)
    if values.ndim != 1:
        raise ValueError(f"{where}: a ragged input must hold scalars (one ragged axis), got "
                         f"values of shape {values.shape}")
    if values.dtype.kind not in "fiu":
        raise TypeError(f"{where}: a ragged input must be numeric, got dtype {values.dtype}")
    lengths = np.diff(rt._splits)
    dtype = ref.dtype if ref is not None else values.dtype
    if np.dtype(dtype).kind == "u":
        dtype = np.result_type(dtype, np.int8)
    out = np.full((len(lengths), int(lengths.max(initial=0))), pad_marker(dtype), dtype=dtype)
    out[np.arange(out.shape[1]) < lengths[:, None]] = values
    return out


def unpad(x, ref=None):
    """``x`` (padded by to_padded, or a RaggedTensor, for the Input ``ref``) as (the padding set to 0, its RaggedMask)."""
    if isinstance(x, RaggedTensor):
        x = to_padded(x, "ragged input", ref)
    t = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
    a = t.numpy()
    mask = ~np.isnan(a) if a.dtype.kind == "f" else a != -1
    if a.ndim > 2:  # rows of feature vectors: a step is present when any feature is
        mask = mask.reshape(mask.shape[:2] + (-1,)).any(axis=-1)
    clean = np.where(mask.reshape(mask.shape + (1,) * (a.ndim - mask.ndim)), a, 0).astype(a.dtype)
    return Tensor(clean), mask.view(RaggedMask)
