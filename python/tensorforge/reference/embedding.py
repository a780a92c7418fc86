"""Reference embedding lookup (NumPy/CuPy): the fallback backend and the tests' oracle.

Array-level ops (``tensorforge._C`` / ``_C_cuda`` expose the same names and signatures)::

    embedding_forward(table, ids) -> y
        table (V, D) float32, ids int32/int64 of any shape, y = table[ids] (ids.shape + (D,)).
        ids outside [0, V) are a ValueError naming the first one (the native binding checks the
        same once, before its kernel runs). On the GPU the check would cost a device->host copy
        per step, so the CUDA paths skip it and never read out of bounds (Note [data on the
        device] in _device.py).
    embedding_backward(dy, ids, V) -> dtable
        dtable (V, D) = dy's rows summed per id (zero for ids that do not occur), each row in
        increasing position order, so the result does not depend on thread counts.
"""
import numpy as np

from .._xp import array_module

__all__ = ["embedding_forward", "embedding_backward"]


def check_ids_range(op, ids, V):
    """ValueError naming the first id outside [0, V) (NumPy arrays only)."""
    if ids.size and (ids.min() < 0 or ids.max() >= V):
        flat = int(np.flatnonzero((ids.reshape(-1) < 0) | (ids.reshape(-1) >= V))[0])
        where = ", ".join(str(int(i)) for i in np.unravel_index(flat, ids.shape))
        raise ValueError(f"{op}: ids must lie in [0, {V}) (the table's rows), got ids[{where}] = "
                         f"{int(ids.reshape(-1)[flat])}")


def embedding_forward(table, ids):
    if array_module(ids) is np:
        check_ids_range("embedding_forward", ids, table.shape[0])
    return table[ids]


def embedding_backward(dy, ids, V):
    D = dy.shape[-1]
    ids = ids.reshape(-1)
    g2 = dy.reshape(-1, D)
    xp = array_module(g2)
    if xp is not np:  # CuPy: one scatter-add on the device (no reduceat there)
        import cupyx
        gt = xp.zeros((V, D), dtype=dy.dtype)
        cupyx.scatter_add(gt, ids, g2)
        return gt
    check_ids_range("embedding_backward", ids, V)
    gt = np.zeros((V, D), dtype=dy.dtype)
    if ids.size:
        # Rows for repeated ids add up: sort the ids (stably), sum each run with one reduceat.
        order = np.argsort(ids, kind="stable")
        sid = ids[order]
        starts = np.flatnonzero(np.r_[True, sid[1:] != sid[:-1]])
        gt[sid[starts]] = np.add.reduceat(g2[order], starts, axis=0)
    return gt
