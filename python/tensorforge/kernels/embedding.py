"""Embedding lookup entry points: validate, then call the current backend's kernel.

table (V, D) float32 or float64 (the reference: Note [float64 kernels]); ids of any integer dtype and shape (int32 and int64 pass through, other
integer dtypes are widened to int64). The ids' range [0, V) is checked once, by the backend op
itself (reference/embedding.py, the native binding), which names the first bad id.
"""
import numpy as np

from .._xp import array_module
from ._common import check_array, check_output_size, contiguous, is_array, kernel_for, shape_str


def _ids(op, ids, table):
    if not is_array(ids):
        raise TypeError(f"{op}: ids must be an array, got {type(ids).__name__}")
    if ids.dtype.kind not in "iu":
        raise TypeError(f"{op}: ids must be integers, got {ids.dtype} with shape {shape_str(ids.shape)}")
    if array_module(ids) is not array_module(table):  # Note [mixed host and device operands]
        ids = array_module(table).asarray(ids) if array_module(ids) is np else ids.get()
    if ids.dtype not in (np.int32, np.int64):
        ids = ids.astype(np.int64)
    return contiguous(ids)


def embedding_forward(table, ids):
    """table[ids]: shape ids.shape + (D,)."""
    op = "embedding_forward"
    check_array(op, "table", table, 2, "(V, D)")
    ids = _ids(op, ids, table)
    check_output_size(op, "the output", ids.shape + (table.shape[1],))
    return kernel_for(op, op, table.dtype)(contiguous(table), ids)


def embedding_backward(dy, ids, V):
    """dtable (V, D): dy's rows summed per id (deterministic)."""
    op = "embedding_backward"
    check_array(op, "dy", dy, allow_empty=True)
    if isinstance(V, bool) or not isinstance(V, (int, np.integer)) or V < 1:
        raise ValueError(f"{op}: V (the table's rows) must be an int >= 1, got {V!r}")
    ids = _ids(op, ids, dy)
    if dy.shape[:-1] != ids.shape or dy.ndim != ids.ndim + 1 or dy.shape[-1] < 1:
        raise ValueError(f"{op}: dy must have shape ids.shape + (D,), got dy {shape_str(dy.shape)} "
                         f"for ids {shape_str(ids.shape)}")
    check_output_size(op, "dtable", (int(V), dy.shape[-1]))
    return kernel_for(op, op, dy.dtype)(contiguous(dy), ids, int(V))
