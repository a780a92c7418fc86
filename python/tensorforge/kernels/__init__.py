"""Array-level entry points: validate arguments, then call the current backend's kernel.

Functions here take and return arrays (NumPy, or CuPy on the cuda backend), never Tensors; the
public ``tensorforge.ops`` wraps them with autograd. Every argument error is a TypeError or
ValueError naming the op, the argument and the shapes.
"""
from .gemm import gemm, matmul  # noqa: F401
from . import rnn  # noqa: F401,E402
