"""TensorFlow API names of the ops a graph records on KerasTensors (tf_keras 2's TFOpLambda
``function``: ``"math.multiply"``, ``"__operators__.add"``, ``"compat.v1.transpose"``), and the
tensorforge function each name stands for.

``resolve(symbol)`` walks tensorforge's TensorFlow op namespace (tf_ops.py: ``tf.math``,
``tf.nn``, ``tf.linalg`` and the top-level ops), plus the few names tf_keras writes that we
hold elsewhere: the Python operators (``__operators__.*``) and the ``compat.v1`` spellings it
gives tf.transpose / tf.squeeze / tf.gather / ``//``. Only a tensorforge function is ever
returned, so a model file can name nothing else.

``ops()`` is tf_ops.py with its functions made to record a TFOpLambda layer when called on a
KerasTensor, instead of the anonymous op layer their inner autograd Function would record
(tf_op_lambda.py does the same for the keras.backend functions of ``BACKEND``): tf_compat.py
serves its names from there. This module imports no other of the package but tf_ops.py, which
stands below the engine, and that on first use: its ~25 tf_* modules cost ~0.1 s, which
``import tensorforge`` does not pay until a tf name or a saved TFOpLambda is used.
config_check.py and tf_op_lambda.py read it. The Python operators' symbols (what ``x + y`` on
KerasTensors records) are symbolic/operators.py's.
"""
import functools
import inspect
import types


CONSTANT = "_CONSTANT_VALUE"  # tf_keras' first-argument constant: [CONSTANT, -1, value, kwargs]


# ---- the functions behind names tf_keras writes that are not tensorforge's tf paths ------------

def _add(x, y, name=None):
    return x + y


def _getitem(tensor, slice_spec, var=None):
    return tensor[decode_slice_spec(slice_spec)]


# compat.v1 spelling -> (our path, the v1-only arguments and the value that is a no-op)
_V1 = {"compat.v1.transpose": ("transpose", {"conjugate": False}),
       "compat.v1.squeeze": ("squeeze", {"squeeze_dims": None}),
       "compat.v1.gather": ("gather", {}),
       "compat.v1.floor_div": ("math.floordiv", {}),
       "compat.v1.pad": ("pad", {}),
       "compat.v1.norm": ("norm", {"keep_dims": None})}
_OPERATORS = {"__operators__.add": _add, "__operators__.getitem": _getitem}

# the tf functions that record under their own path (aliases: tf.reduce_sum is tf.math.reduce_sum)
RECORDED = (
    "math.subtract", "math.multiply", "math.truediv", "math.negative", "math.pow",
    "math.square", "math.sqrt", "math.exp", "math.log", "math.abs", "math.maximum",
    "math.minimum", "math.add", "math.add_n", "math.divide", "math.floormod", "math.rsqrt",
    "math.reciprocal", "math.tanh", "math.sigmoid", "math.softplus", "math.greater",
    "math.less", "math.greater_equal", "math.less_equal", "math.equal",
    "math.reduce_sum", "math.reduce_mean", "math.reduce_max", "math.reduce_min",
    "math.reduce_prod", "math.reduce_std", "math.reduce_logsumexp", "math.argmax",
    "math.argmin", "math.l2_normalize", "math.cumsum", "linalg.matmul",
    "expand_dims", "compat.v1.squeeze", "compat.v1.transpose", "stack", "concat", "reshape",
    "cast", "clip_by_value", "one_hot", "tile", "compat.v1.gather", "where", "split",
    "unstack", "nn.softmax", "nn.log_softmax", "nn.relu", "nn.elu", "nn.leaky_relu",
    "nn.relu6", "nn.selu", "nn.gelu", "nn.silu", "nn.avg_pool2d",
    "math.not_equal", "math.reduce_any", "math.reduce_all", "math.reduce_variance",
    "math.reduce_euclidean_norm", "math.sign", "math.round", "math.floor", "math.erf",
    "math.cos", "math.sin", "math.atan", "math.log_sigmoid", "math.squared_difference",
    "math.cumprod", "tensordot", "stop_gradient", "zeros_like", "reverse", "compat.v1.pad",
    "compat.v1.norm",
)

# our functions (other objects than the recorded one) that tf_keras records as that op
_SAME_OP = {"math.softmax": "nn.softmax", "math.log_softmax": "nn.log_softmax"}

# keras.backend functions tf_keras records as a tf op: K name -> (symbol, K arg -> TF arg)
BACKEND = {
    "mean": ("math.reduce_mean", {"x": "input_tensor"}),
    "sum": ("math.reduce_sum", {"x": "input_tensor"}),
    "max": ("math.reduce_max", {"x": "input_tensor"}),
    "min": ("math.reduce_min", {"x": "input_tensor"}),
    "prod": ("math.reduce_prod", {"x": "input_tensor"}),
    "square": ("math.square", {}), "exp": ("math.exp", {}), "log": ("math.log", {}),
    "abs": ("math.abs", {}), "sigmoid": ("math.sigmoid", {}), "tanh": ("math.tanh", {}),
    "pow": ("math.pow", {"a": "y"}),
    "maximum": ("math.maximum", {}), "minimum": ("math.minimum", {}),
    "clip": ("clip_by_value", {"x": "t", "min_value": "clip_value_min",
                               "max_value": "clip_value_max"}),
    "concatenate": ("concat", {"tensors": "values"}),
    "expand_dims": ("expand_dims", {"x": "input"}),
    "stack": ("stack", {"x": "values"}),
    "reshape": ("reshape", {"x": "tensor"}),
    "permute_dimensions": ("compat.v1.transpose", {"x": "a", "pattern": "perm"}),
    "squeeze": ("compat.v1.squeeze", {"x": "input"}),
    "softmax": ("nn.softmax", {"x": "logits"}),
    "l2_normalize": ("math.l2_normalize", {}),
    "cast": ("cast", {}),
    "var": ("math.reduce_variance", {"x": "input_tensor"}),
    "std": ("math.reduce_std", {"x": "input_tensor"}),
    "argmax": ("math.argmax", {"x": "input"}),
    "softplus": ("math.softplus", {}), "sign": ("math.sign", {}), "round": ("math.round", {}),
    "equal": ("math.equal", {}),
    "elu": ("nn.elu", {"x": "features"}),
    "gather": ("compat.v1.gather", {"reference": "params"}),
    "tile": ("tile", {"x": "input", "n": "multiples"}),
}

# keras.activations functions tf_keras records as a tf op (its activations call that op): name ->
# (symbol, activation arg -> TF arg). hard_sigmoid and mish, which tf_keras writes as several
# ops, keep the anonymous op layer.
ACTIVATIONS = {
    "relu": ("nn.relu", {"x": "features"}), "elu": ("nn.elu", {"x": "features"}),
    "selu": ("nn.selu", {"x": "features"}), "softplus": ("math.softplus", {}),
    "sigmoid": ("math.sigmoid", {}), "tanh": ("math.tanh", {}),
    "softmax": ("nn.softmax", {"x": "logits"}), "gelu": ("nn.gelu", {"x": "features"}),
    "swish": ("nn.silu", {"x": "features"}), "softsign": ("nn.softsign", {"x": "features"}),
    "exponential": ("math.exp", {}),
}


def _k_clip(named):
    """K.clip's bounds as tf_keras records them: None as -inf / inf, max raised to min."""
    lo, hi = named.get("clip_value_min"), named.get("clip_value_max")
    lo = -float("inf") if lo is None else lo
    hi = float("inf") if hi is None else hi
    if isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and hi < lo:
        hi = lo
    return dict(named, clip_value_min=lo, clip_value_max=hi)


def _k_concat(named):
    """K.concatenate's negative axis as tf_keras records it: counted from the first axis."""
    axis, values = named.get("axis"), named.get("values")
    if isinstance(axis, int) and axis < 0 and isinstance(values, (list, tuple)) and values:
        rank = len(getattr(values[0], "shape", ()))
        axis = axis % rank if rank else 0
    return dict(named, axis=axis)


_K_ARGS = {"clip_by_value": _k_clip, "concat": _k_concat}  # K function's arguments as the op's


def _bad(symbol):
    return ValueError(f"TFOpLambda.from_config: function {symbol!r} does not name a TensorFlow "
                      "op tensorforge implements")


def _ours(obj):
    return str(getattr(obj, "__module__", None) or "").startswith("tensorforge.")


# Where a file's op may come from: the pure tensor namespaces, and the top-level array ops (a
# top-level name that is also one of those namespaces' functions is allowed too). Not tf.io,
# tf.print, tf.py_function ...: a model file must not make the loader write files or run code.
_SPACES = ("math", "nn", "linalg")
_TOP = {"concat", "stack", "unstack", "reshape", "expand_dims", "squeeze", "transpose", "tile",
        "gather", "gather_nd", "where", "split", "one_hot", "cast", "clip_by_value", "pad",
        "repeat", "identity", "zeros_like", "ones_like", "boolean_mask", "einsum", "sort",
        "argsort", "reverse", "roll", "broadcast_to", "tensordot", "norm", "slice",
        "strided_slice", "shape", "size", "rank", "range", "fill", "linspace", "matmul",
        "stop_gradient"}


def _walk(path, symbol=None, tf_ops=None):
    """The function at ``path`` in tensorforge's tf op namespace (See _SPACES)."""
    tf_ops = ops() if tf_ops is None else tf_ops
    parts = path.split(".")
    if any(not p.isidentifier() or p.startswith("_") for p in parts):
        raise _bad(symbol or path)
    if len(parts) == 1 and (parts[0] in tf_ops.__all__ or parts[0] in tf_ops.ADDED):
        obj = getattr(tf_ops, parts[0], None)
        if parts[0] not in _TOP and not any(
                obj is v for sp in _SPACES for v in vars(getattr(tf_ops, sp)).values()):
            raise _bad(symbol or path)
    elif len(parts) >= 2 and parts[0] in _SPACES:
        obj = getattr(tf_ops, parts[0])
        for part in parts[1:]:
            if not isinstance(obj, types.SimpleNamespace):
                raise _bad(symbol or path)
            obj = getattr(obj, part, None)
    else:
        raise _bad(symbol or path)
    if not callable(obj) or isinstance(obj, type) or not _ours(obj):
        raise _bad(symbol or path)
    return obj


def _own_path(symbol):
    return _V1[symbol][0] if symbol in _V1 else symbol


def resolve(symbol):
    """(function, no-op v1 arguments) for a TFOpLambda's ``function`` name."""
    if not isinstance(symbol, str):
        raise _bad(symbol)
    if symbol in _OPERATORS:
        return _OPERATORS[symbol], {}
    return _walk(_own_path(symbol), symbol), (_V1[symbol][1] if symbol in _V1 else {})


def parameters(fn):
    """The parameter names of ``fn`` (of the function a wrapper wraps) and whether it takes
    **kwargs."""
    sig = inspect.signature(getattr(fn, "__wrapped__", fn))
    names = [p.name for p in sig.parameters.values()
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return names, any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())


# ---- slices (SlicingOpLambda's slice_spec) ------------------------------------------------------

def encode_slice_spec(key):
    """``x[key]``'s key as tf_keras writes it; None where it holds something else (a list, an
    array, a tensor: not a TF slice)."""
    def one(k):
        if isinstance(k, slice):
            parts = (k.start, k.stop, k.step)
            if all(p is None or (isinstance(p, int) and not isinstance(p, bool)) for p in parts):
                return {"start": k.start, "stop": k.stop, "step": k.step}
            raise TypeError
        if k is None or k is Ellipsis or (isinstance(k, int) and not isinstance(k, bool)):
            return k
        raise TypeError
    try:
        return [one(k) for k in key] if isinstance(key, tuple) else one(key)
    except TypeError:
        return None


def decode_slice_spec(spec):
    def one(k):
        if isinstance(k, dict):
            if set(k) - {"start", "stop", "step"}:
                raise ValueError(f"SlicingOpLambda: slice_spec entry {k!r} is not a slice")
            return slice(k.get("start"), k.get("stop"), k.get("step"))
        if k is None or k is Ellipsis or (isinstance(k, int) and not isinstance(k, bool)):
            return k
        raise ValueError(f"SlicingOpLambda: slice_spec entry {k!r} is not an int, a slice or None")
    return tuple(one(k) for k in spec) if isinstance(spec, (list, tuple)) else one(spec)


# ---- inbound nodes (a TF op's first argument keeps its structure) ------------------------------

def is_leaf(entry):
    """An inbound-node entry that is one tensor reference or constant (not a list of them)."""
    return isinstance(entry, (list, tuple)) and len(entry) >= 3 and isinstance(entry[0], str)


def node_leaves(node):
    """The references and constants of an inbound node, in order (tf.nest's flatten)."""
    if is_leaf(node):
        return [node]
    if isinstance(node, (list, tuple)):
        return [leaf for e in node for leaf in node_leaves(e)]
    raise ValueError(f"inbound node entry {node!r} is not a [layer, node, tensor(, kwargs)] "
                     "reference")


def pack_node(node, values):
    """``node``'s structure with its leaves replaced by ``values`` (in node_leaves order)."""
    it = iter(values)

    def walk(n):
        return next(it) if is_leaf(n) else [walk(e) for e in n]
    return walk(node)


# ---- recording -------------------------------------------------------------------------------

_RECORD = [None]  # tf_op_lambda.record, set when it is imported
_KT = type(None)  # KerasTensor, set with it (until then no argument is one)


def set_recorder(record, keras_tensor):
    global _KT
    _RECORD[0], _KT = record, keras_tensor


def _symbolic(values):
    # on every eager call of a recorded tf function: plain loops, no generators (bench/
    # tfcompat_overhead.py)
    kt = _KT
    for v in values:
        t = type(v)
        if t is kt:
            return True
        if t is list or t is tuple:
            for e in v:
                if type(e) is kt:
                    return True
    return False


def recording(fn, symbol, rename=None):
    """``fn`` that records a TFOpLambda named ``symbol`` when given KerasTensors. ``rename``:
    ``fn`` is a keras.backend function whose arguments are renamed to the TF op's; a call the
    TF op cannot express (another argument) runs ``fn`` as before."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if not _symbolic(args) and not (kwargs and _symbolic(kwargs.values())):
            return fn(*args, **kwargs)
        sig = inspect.signature(fn)
        bound = sig.bind(*args, **kwargs)
        given = set(bound.arguments)
        if rename is not None:
            bound.apply_defaults()
        named = dict(bound.arguments)
        for k, v in list(named.items()):  # a **kwargs parameter's own dict
            if sig.parameters[k].kind is inspect.Parameter.VAR_KEYWORD:
                named.pop(k)
                named.update(v)
        if rename is not None:
            names, _ = parameters(resolve(symbol)[0])
            out = {}
            for k, v in named.items():
                if rename.get(k, k) in names:
                    out[rename.get(k, k)] = v
                elif k in given and v is not sig.parameters[k].default:  # the op cannot say it
                    return fn(*args, **kwargs)
            named = _K_ARGS.get(symbol, dict)(out)
        return _RECORD[0](symbol, named)
    wrapper.tf_symbol = symbol
    return wrapper


_OPS = []  # tf_ops, once imported and installed


def ops():
    """tf_ops.py, its recorded functions recording TFOpLambda layers (installed on first use)."""
    if not _OPS:
        from .. import tf_ops  # on first use: See the module docstring
        _install(tf_ops)
        _OPS.append(tf_ops)
    return _OPS[0]


def _install(tf_ops):
    """Makes tf_ops' functions record TFOpLambda layers: each recorded function is replaced,
    under every name that holds it (the module, its ADDED names, its namespaces), by a wrapper."""
    wrapped = {}
    for path, symbol in [(_own_path(s), s) for s in RECORDED] + list(_SAME_OP.items()):
        fn = _walk(path, symbol, tf_ops)
        wrapped[id(fn)] = (fn, recording(fn, symbol))
    spaces = [vars(tf_ops), tf_ops.ADDED] + [vars(v) for v in vars(tf_ops).values()
                                            if isinstance(v, types.SimpleNamespace)]
    for space in spaces:
        for k, v in list(space.items()):
            hit = wrapped.get(id(v))
            if hit is not None and hit[0] is v:
                space[k] = hit[1]
