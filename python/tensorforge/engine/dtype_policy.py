"""The dtype policy of layer inputs and weights: eager inputs become Tensors of the layer's
compute dtype (float32, or float64: See Note [float64 layers]; cast once at the boundary, as
Keras 2's autocast) except where a layer reads integers or strings as they are (See Note
[integer inputs]); complex and object data are refused.
"""
import functools

import numpy as np

from .. import mixed_precision as _mp
from .._text import as_bytes_array, dtype_name, is_text
from .._xp import array_module
from ..autograd import Tensor


def _refuse_dtype(a, what):
    """A TypeError for complex or non-numeric object data, which float32 would mangle: NumPy
    casts complex to real by dropping the imaginary part (Keras 2 refuses both)."""
    kind = getattr(getattr(a, "dtype", None), "kind", None)
    if kind == "c":
        raise TypeError(f"{what}: complex input (dtype {a.dtype}) is not supported; the layers "
                        f"compute in float32 (pass the real part, or real and imaginary parts "
                        f"as separate features)")
    if kind == "O":
        raise TypeError(f"{what}: an array of Python objects (dtype object) is not a valid "
                        f"input; convert it to a numeric array first")


def _as_tensor(x):
    """An eager layer input as a float32 Tensor (Keras' floatx, cast once at the boundary)."""
    if isinstance(x, Tensor):
        if x.dtype != np.float32 and not x.requires_grad and not is_text(x):
            _refuse_dtype(x.data, "layer input")
            return Tensor(x.data.astype(np.float32))
        return x
    if getattr(x, "dtype", None) == np.float32:
        return Tensor(x)
    if is_text(x) or (isinstance(x, (list, tuple)) and is_text(np.asarray(x))):
        return Tensor(as_bytes_array(x, "layer input"))  # tf.string data stays bytes
    _refuse_dtype(x, "layer input")
    return Tensor(array_module(x).asarray(x, dtype=np.float32))  # a CuPy batch stays on the GPU


def _as_tensor_as_is(x):
    """A layer input with its own dtype (the lookup layers read integer ids and strings as
    they are, as Keras 2's do; ids above 2**24 would not survive float32)."""
    if isinstance(x, Tensor):
        return x
    if is_text(x) or (isinstance(x, (list, tuple)) and is_text(np.asarray(x))):
        return Tensor(as_bytes_array(x, "layer input"))
    if getattr(getattr(x, "dtype", None), "kind", None) == "c":
        _refuse_dtype(x, "layer input")
    return Tensor(array_module(x).asarray(x))


def _as_tensor_keep_ints(x):
    """A layer input as Keras 2's autocast leaves it: floats as float32, integer and boolean
    ids as they are (a custom layer or a Lambda behind ``Input(dtype="int32")`` sees ints)."""
    d = x.data if isinstance(x, Tensor) else x
    kind = getattr(getattr(d, "dtype", None), "kind", None)
    if kind is not None and kind in "iub":
        return x if isinstance(x, Tensor) else Tensor(array_module(d).asarray(d))
    return _as_tensor(x)


_F64 = np.dtype(np.float64)


def autocast64(x):
    """A value as a float64 layer reads it (Keras 2's autocast to the compute dtype): a float64
    Tensor as it is, a float32 Tensor through a cast that gradients cross, anything else as a
    float64 Tensor (integers and booleans included: the layer computes in float64)."""
    if isinstance(x, Tensor):
        d = x.data
        kind = getattr(getattr(d, "dtype", None), "kind", None)
        if d.dtype == _F64 or kind not in ("f", "i", "u", "b"):
            return x
        if x.requires_grad and kind == "f":
            return _cast(x, _F64)
        return Tensor(d.astype(_F64))
    if is_text(x) or (isinstance(x, (list, tuple)) and is_text(np.asarray(x))):
        return Tensor(as_bytes_array(x, "layer input"))
    _refuse_dtype(x, "layer input")
    return Tensor(array_module(x).asarray(x, dtype=_F64))


def autocast64_keep_ints(x):
    """autocast64 for a layer that reads integer ids as they are (See Note [integer inputs])."""
    d = x.data if isinstance(x, Tensor) else x
    kind = getattr(getattr(d, "dtype", None), "kind", None)
    if kind is not None and kind in "iub":
        return x if isinstance(x, Tensor) else Tensor(array_module(d).asarray(d))
    return autocast64(x)


def autocast_to(x, dtype, ints=True):
    """A Tensor ``x`` inside a functional graph as a layer computing in ``dtype`` reads it:
    integers and booleans as ``dtype`` (as they are when not ``ints``), the other float dtype
    through a cast that gradients cross, everything else as it is (Keras 2's autocast)."""
    if not isinstance(x, Tensor):
        return x
    d = x.data
    dt = getattr(d, "dtype", None)
    if dt is None or dt == dtype:
        return x
    if dt.kind in "iub":
        return Tensor(d.astype(dtype)) if ints else x
    if dt.kind == "f":
        return _cast(x, dtype) if x.requires_grad else Tensor(d.astype(dtype))
    return x


def _cast(x, dtype):
    from ..ops.elementwise import cast  # (ops build on the engine's Tensor, not on the engine)
    return cast(x, dtype)


def _input_converter(layer):
    """How ``layer.__call__`` turns eager inputs into Tensors. See Note [integer inputs] and
    Note [float64 layers]."""
    if layer._keeps_input_dtype:
        return _as_tensor_as_is
    if layer.compute_dtype == "float64":
        _check_backend(layer)
        return autocast64_keep_ints if layer._int_inputs else autocast64
    return _as_tensor_keep_ints if layer._int_inputs else _as_tensor


def _check_backend(layer):
    from .. import _dispatch
    if _dispatch.get_backend() == "cuda":
        raise TypeError(f'Layer "{layer.name}" ({type(layer).__name__}): float64 is not '
                        "supported on the cuda backend (it has no float64 kernels); make the "
                        "layer float32 (dtype='float32', K.set_floatx('float32')) or select "
                        "the cpu backend")


def float_dtype(layer):
    """The float dtype a layer computes in (float64, else float32): its zero states, masks and
    constants are made in it. See Note [float64 layers]."""
    return _F64 if getattr(layer, "compute_dtype", None) == "float64" else np.dtype(np.float32)


def graph_input_cast(layer):
    """How a functional graph casts a layer's inputs before ``call`` (a function of one
    Tensor), or None when it leaves them alone: floats to the compute dtype, integers too
    unless the layer reads ids (See Note [float64 layers] and Note [integer inputs])."""
    if layer._keeps_input_dtype:
        return None
    return functools.partial(autocast_to, dtype=float_dtype(layer), ints=not layer._int_inputs)


# Note [float64 layers]
# Keras 2 gives every layer a dtype policy: dtype= (or, without one, the global policy, which
# is floatx's until set_global_policy) decides its variables' dtype and its compute dtype,
# and its __call__ casts floating inputs to the compute dtype (autocast). Here a layer's dtype
# is 'float32' (the native kernels), 'float64' (the NumPy reference kernels, or dgemm: Note
# [float64 kernels] in kernels/_common.py), or a mixed policy that computes in float32. A
# float64 layer's weights are float64 (add_weight's default), its eager inputs are autocast to
# float64 (autocast64: integers too, unless it reads ids), and inside a functional graph every
# layer's floating inputs are cast to its compute dtype (graph_input_cast, network._Step),
# through a cast that gradients cross, so a float32 model fed a float64 tensor still computes
# in float32 and a float64 model fed float32 data computes in float64. On the cuda backend a
# float64 layer is a TypeError naming it (no float64 kernels there).


# Note [integer inputs]
# Keras 2 casts floating inputs to a layer's float32 and leaves integer ones alone; its own
# numeric layers (Dense, ...) then cast ints to float themselves. Here the numeric kernels take
# floats only, so integer values reach ``call`` as they are only for layers that read them:
# ``_keeps_input_dtype`` ones (lookups, Hashing, Discretization; they keep every dtype), and
# ``_int_inputs`` ones: Embedding, Lambda, and layers whose ``call`` is the program's own (a
# custom layer or subclassed model, as in Keras 2). Every other layer gets float32, both on an
# eager call and inside a functional graph (network._Step).



def _is_dtype(d):
    if isinstance(d, np.dtype) or (isinstance(d, type) and issubclass(d, np.generic)):
        return True
    if isinstance(d, str):
        try:
            np.dtype(d)
            return True
        except TypeError:
            return False
    return False


def layer_dtype(dtype):
    """(dtype name, mixed precision Policy or None) of a layer's ``dtype=`` argument: a dtype,
    a Policy, a mixed policy name ('mixed_float16') or its saved config ({'class_name':
    'Policy', ...}); None takes the global policy (floatx's unless set). A mixed policy's layers
    keep float32 weights and compute in float32 (See mixed_precision.py); a 'float64' one
    computes in float64 (See Note [float64 layers])."""
    if isinstance(dtype, dict) and dtype.get("class_name") in ("Policy", "DTypePolicy"):
        dtype = _mp.Policy(dtype.get("config", {}).get("name"))
    if isinstance(dtype, str) and dtype in _mp._MIXED:
        dtype = _mp.Policy(dtype)
    if isinstance(dtype, _mp.Policy):
        if dtype.name == "float64":
            return "float64", None
        return "float32", (dtype if dtype.name in _mp._MIXED else None)
    if dtype is None:
        policy = _mp.global_policy()
        if policy.name in _mp._MIXED:
            return "float32", policy
        return ("float64" if policy.name == "float64" else "float32"), None
    return dtype_name(dtype), None


def policy_config(policy):
    """A layer config's 'dtype' for a mixed policy, as tf_keras 2.13+ writes it."""
    return {"module": "keras.mixed_precision", "class_name": "Policy",
            "config": {"name": policy.name}, "registered_name": None}
