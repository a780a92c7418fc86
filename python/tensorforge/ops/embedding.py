"""Public embedding lookup: arrays in -> array out; a table Tensor in -> Tensor out (its
gradient is the deterministic scatter-add of the kernels)."""
from .. import kernels
from ..autograd import Function, Tensor

__all__ = ["embedding_lookup"]


class _EmbeddingLookup(Function):
    @staticmethod
    def forward(ctx, table, ids):
        ctx.ids, ctx.V = ids, table.shape[0]
        return kernels.embedding_forward(table, ids)

    @staticmethod
    def backward(ctx, g):
        return kernels.embedding_backward(g, ctx.ids, ctx.V), None


def embedding_lookup(table, ids):
    """table[ids] for a (V, D) table and integer ids of any shape (each in [0, V))."""
    if isinstance(ids, Tensor):
        ids = ids.data
    if isinstance(table, Tensor):
        return _EmbeddingLookup.apply(table, ids)
    return kernels.embedding_forward(table, ids)
