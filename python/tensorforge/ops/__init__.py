"""Public ops. Each accepts arrays or Tensors: given arrays it returns arrays; given a Tensor
that requires grad it returns a Tensor recorded on the autograd tape. Kernels run on the current
backend (``tensorforge.set_backend``).
"""
from .basic import add, div, exp, log, mean, mul, neg, power, reshape, sub, sum, transpose  # noqa: F401,A004
from .gemm import gemm, matmul  # noqa: F401

# Op families add their public functions here, one import line each.
for _name in ("conv", "pool", "rnn", "activations", "losses_ops", "reduce", "manip", "elementwise",
              "spatial", "normalization", "normalization_group", "embedding", "einsum",
              "volumetric"):
    try:
        _mod = __import__(f"{__name__}.{_name}", fromlist=["__all__"])
    except ModuleNotFoundError as _e:
        if _e.name != f"{__name__}.{_name}":
            raise
        continue
    globals().update({n: getattr(_mod, n) for n in getattr(_mod, "__all__", [])})

# The ops' backwards in Tensor ops, for gradients of gradients (higher_order.py)
from . import double_backward as _double_backward  # noqa: E402,F401
from . import double_backward_rnn as _double_backward_rnn  # noqa: E402,F401
from . import double_backward_conv3d as _double_backward_conv3d  # noqa: E402,F401

# Every public op reads other libraries' arrays (__dlpack__, __cuda_array_interface__, __array__)
# as arrays first, without a copy where the layout allows (See interop.py).
from .. import interop as _interop  # noqa: E402

globals().update({_n: _interop.accepting_foreign(_f) for _n, _f in list(globals().items())
                  if callable(_f) and not _n.startswith("_") and not isinstance(_f, type)
                  and getattr(_f, "__module__", "").startswith(__name__)})
