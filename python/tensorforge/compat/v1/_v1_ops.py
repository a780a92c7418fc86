"""tf.compat.v1 functions whose TensorFlow 1 signature differs from their TensorFlow 2
counterpart: the v1 argument names and positions (``keep_dims``, ``reduction_indices``,
``dimension``, ``dim``, ``squeeze_dims``, ``keep_prob``, in_top_k's order), mapped onto the v2
functions tensorforge has. A v1 call that names a value twice (``axis`` and
``reduction_indices``) raises, as TensorFlow's deprecated-argument check does.

The names TensorFlow 1 and 2 share as one function are served from _v2_aliases.py (generated);
these are the common ones that are not the same function in TensorFlow.
"""
import sys

__all__ = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_all",
           "reduce_any", "reduce_logsumexp", "argmax", "argmin", "expand_dims", "squeeze",
           "to_float", "to_double", "to_int32", "to_int64", "to_bfloat16", "multinomial",
           "py_func", "Print", "Variable", "where", "shape", "constant", "disable_v2_behavior", "enable_v2_behavior",
           "disable_resource_variables", "enable_resource_variables", "disable_tensor_equality",
           "enable_tensor_equality", "disable_control_flow_v2", "enable_control_flow_v2",
           "disable_v2_tensorshape", "enable_v2_tensorshape"]
NN = ["softmax", "log_softmax", "dropout", "in_top_k", "moments", "sigmoid", "tanh", "relu6",
      "leaky_relu", "conv2d", "max_pool", "avg_pool", "softmax_cross_entropy_with_logits",
      "softmax_cross_entropy_with_logits_v2", "sparse_softmax_cross_entropy_with_logits",
      "sigmoid_cross_entropy_with_logits", "embedding_lookup", "relu", "bias_add"]
MATH = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min", "reduce_prod", "reduce_all",
        "reduce_any", "reduce_logsumexp", "argmax", "argmin", "to_float", "to_double", "to_int32",
        "to_int64", "to_bfloat16"]


def _tf():
    """The package's public namespace (the TensorFlow 2 names): the package is loaded before
    any of its subpackages, so this is a lookup when a function runs, not an import (Note
    [compat.v1 reads the package namespace] in __init__.py)."""
    return sys.modules["tensorforge"]


def _one(op, a, a_name, b, b_name):
    """The value given under either of two names (v2's and v1's deprecated one), else None."""
    if a is not None and b is not None:
        raise ValueError(f"{op}: cannot specify both '{a_name}' and '{b_name}'")
    return a if a is not None else b


def _reduce(v2_name):
    def reduce(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
        op = "compat.v1." + v2_name
        axis = _one(op, axis, "axis", reduction_indices, "reduction_indices")
        keepdims = _one(op, keepdims, "keepdims", keep_dims, "keep_dims")
        return getattr(_tf(), v2_name)(input_tensor, axis, bool(keepdims), name)
    reduce.__name__ = reduce.__qualname__ = v2_name
    reduce.__doc__ = (f"tf.compat.v1.{v2_name}: tf.{v2_name} with TensorFlow 1's "
                      "reduction_indices / keep_dims names.")
    return reduce


reduce_sum = _reduce("reduce_sum")
reduce_mean = _reduce("reduce_mean")
reduce_max = _reduce("reduce_max")
reduce_min = _reduce("reduce_min")
reduce_prod = _reduce("reduce_prod")
reduce_all = _reduce("reduce_all")
reduce_any = _reduce("reduce_any")
reduce_logsumexp = _reduce("reduce_logsumexp")


def _arg(v2_name):
    def arg(input, axis=None, name=None, dimension=None, output_type="int64"):  # noqa: A002
        axis = _one("compat.v1." + v2_name, axis, "axis", dimension, "dimension")
        return getattr(_tf(), v2_name)(input, 0 if axis is None else axis, output_type, name)
    arg.__name__ = arg.__qualname__ = v2_name
    arg.__doc__ = f"tf.compat.v1.{v2_name}: tf.{v2_name} with TensorFlow 1's dimension= name."
    return arg


argmax = _arg("argmax")
argmin = _arg("argmin")


def expand_dims(input, axis=None, name=None, dim=None):  # noqa: A002
    axis = _one("compat.v1.expand_dims", axis, "axis", dim, "dim")
    if axis is None:
        raise ValueError("compat.v1.expand_dims: Must specify an axis argument to "
                         "tf.expand_dims()")
    return _tf().expand_dims(input, axis, name)


def squeeze(input, axis=None, name=None, squeeze_dims=None):  # noqa: A002
    axis = _one("compat.v1.squeeze", axis, "axis", squeeze_dims, "squeeze_dims")
    return _tf().squeeze(input, axis, name)


def _to(dtype):
    def to(x, name=None):
        return _tf().cast(x, dtype, name)
    to.__doc__ = f"tf.compat.v1.to_*: tf.cast(x, {dtype})."
    return to


to_float = _to("float32")
to_double = _to("float64")
to_int32 = _to("int32")
to_int64 = _to("int64")
to_bfloat16 = _to("bfloat16")


def multinomial(logits, num_samples, seed=None, name=None, output_dtype=None):
    """tf.compat.v1.multinomial: tf.random.categorical."""
    return _tf().random.categorical(logits, num_samples, dtype=output_dtype, seed=seed, name=name)


def py_func(func, inp, Tout, stateful=True, name=None):  # noqa: N803
    """tf.compat.v1.py_func: tf.numpy_function (NumPy arrays in, NumPy arrays out)."""
    return _tf().numpy_function(func, inp, Tout, stateful=stateful, name=name)


def Print(input_, data, message=None, first_n=None, summarize=None, name=None):  # noqa: N802
    """tf.compat.v1.Print: prints ``message`` and the values of ``data`` (eagerly: now, to
    stderr, as TensorFlow's logging does) and returns ``input_`` unchanged. first_n < 0 or None
    prints every call; summarize caps the values shown per tensor (default 3)."""
    import sys

    import numpy as np
    state = Print.__dict__.setdefault("_calls", {})
    key = (message, id(data))
    state[key] = state.get(key, 0) + 1
    if first_n is None or first_n < 0 or state[key] <= first_n:
        n = 3 if summarize is None else summarize
        parts = []
        for d in data:
            a = np.asarray(getattr(d, "numpy", lambda: d)()).ravel()
            shown = a[:n] if n >= 0 else a
            parts.append("[" + " ".join(str(v) for v in shown) + ("..." if len(shown) < a.size
                                                                   else "") + "]")
        print((message or "") + "".join(parts), file=sys.stderr)
    return input_


def Variable(initial_value=None, trainable=None, collections=None, validate_shape=True,  # noqa: N802
             caching_device=None, name=None, variable_def=None, dtype=None, expected_shape=None,
             import_scope=None, constraint=None, use_resource=None, synchronization=None,
             aggregation=None, shape=None):
    """TensorFlow 1's Variable (VariableV1): its argument order; a tf.Variable. The graph-mode
    arguments (collections, caching_device, variable_def, import_scope) are refused."""
    for k, v in (("collections", collections), ("caching_device", caching_device),
                 ("variable_def", variable_def), ("import_scope", import_scope)):
        if v is not None:
            raise ValueError(f"compat.v1.Variable: {k}= belongs to TensorFlow 1's graph mode, "
                             "which tensorforge does not have (it runs eagerly)")
    if initial_value is None:
        raise ValueError("compat.v1.Variable: initial_value must be specified")
    return _tf().Variable(initial_value, trainable=True if trainable is None else trainable,
                          name=name, dtype=dtype, constraint=constraint)


def where(condition, x=None, y=None, name=None):
    """TensorFlow 1's where: x and y of one shape, condition of that shape or a vector over
    their first dimension (it picks whole rows: no broadcasting, where tf.where would
    broadcast the vector over the LAST dimension)."""
    tf = _tf()
    if x is None and y is None:
        return tf.where(condition, name=name)
    if x is None or y is None:
        raise ValueError("compat.v1.where: x and y must both be non-None or both be None")
    import numpy as np
    c, xs, ys = (tuple(np.shape(getattr(v, "numpy", lambda: v)())) for v in (condition, x, y))
    if xs != ys:
        raise ValueError(f"compat.v1.where: x and y must have the same shape, got {xs} and {ys}")
    if c != xs:
        if len(c) != 1 or not xs or c[0] != xs[0]:
            raise ValueError(f"compat.v1.where: condition must have the shape of x {xs} or be "
                             f"a vector of its first dimension, got {c}")
        condition = tf.reshape(condition, (c[0],) + (1,) * (len(xs) - 1))
    return tf.where(condition, x, y, name=name)


def shape(input, name=None, out_type="int32"):  # noqa: A002
    """TensorFlow 1's shape: name before out_type."""
    return _tf().shape(input, out_type=out_type, name=name)


def constant(value, dtype=None, shape=None, name="Const", verify_shape=False):
    """TensorFlow 1's constant: verify_shape=True refuses a value of another shape."""
    tf = _tf()
    if verify_shape and shape is not None:
        import numpy as np
        got = tuple(np.shape(value))
        if got != tuple(shape):
            raise TypeError(f"compat.v1.constant: Expected Tensor's shape: {tuple(shape)}, got "
                            f"{got}.")
    return tf.constant(value, dtype=dtype, shape=shape, name=name)


def _no_op(*args, **kwargs):
    """A TensorFlow 1 / 2 behaviour switch: accepted and ignored (tensorforge runs eagerly,
    with TensorFlow 2's behaviour; compat/v1/__init__.py)."""


disable_v2_behavior = enable_v2_behavior = _no_op
disable_resource_variables = enable_resource_variables = _no_op
disable_tensor_equality = enable_tensor_equality = _no_op
disable_control_flow_v2 = enable_control_flow_v2 = _no_op
disable_v2_tensorshape = enable_v2_tensorshape = _no_op


# ---- tf.compat.v1.nn ------------------------------------------------------------------------
def _nn():
    return _tf().nn


def softmax(logits, axis=None, name=None, dim=None):
    return _nn().softmax(logits, _one("compat.v1.nn.softmax", axis, "axis", dim, "dim"), name)


def log_softmax(logits, axis=None, name=None, dim=None):
    return _nn().log_softmax(logits, _one("compat.v1.nn.log_softmax", axis, "axis", dim, "dim"),
                             name)


def dropout(x, keep_prob=None, noise_shape=None, seed=None, name=None, rate=None):
    """TensorFlow 1's dropout: ``keep_prob`` (the second argument) is the probability of KEEPING
    a value; rate = 1 - keep_prob (give one of them)."""
    if keep_prob is not None and rate is not None:
        raise ValueError("compat.v1.nn.dropout: cannot specify both 'rate' and 'keep_prob'")
    if keep_prob is not None:
        if not 0 < keep_prob <= 1:
            raise ValueError(f"compat.v1.nn.dropout: keep_prob must be a scalar tensor or a float "
                             f"in the range (0, 1], got {keep_prob}")
        rate = 1 - keep_prob
    if rate is None:
        raise ValueError("compat.v1.nn.dropout: give keep_prob (or rate)")
    return _nn().dropout(x, rate, noise_shape=noise_shape, seed=seed, name=name)


def in_top_k(predictions, targets, k, name=None):
    """TensorFlow 1's order: predictions first (tf.math.in_top_k takes targets first)."""
    return _nn().in_top_k(targets, predictions, k, name)


def moments(x, axes, shift=None, name=None, keep_dims=None, keepdims=None):
    keepdims = _one("compat.v1.nn.moments", keepdims, "keepdims", keep_dims, "keep_dims")
    return _nn().moments(x, axes, shift, bool(keepdims), name)


def sigmoid(x, name=None):
    return _nn().sigmoid(x, name)


def tanh(x, name=None):
    return _nn().tanh(x, name)


def relu(features, name=None):
    return _nn().relu(features, name)


def relu6(features, name=None):
    return _nn().relu6(features, name)


def leaky_relu(features, alpha=0.2, name=None):
    return _nn().leaky_relu(features, alpha, name)


def bias_add(value, bias, data_format=None, name=None):
    return _nn().bias_add(value, bias, data_format=data_format, name=name)


def conv2d(input, filter=None, strides=None, padding=None, use_cudnn_on_gpu=True,  # noqa: A002
           data_format="NHWC", dilations=(1, 1, 1, 1), name=None, filters=None):
    """TensorFlow 1's conv2d: ``filter`` (or filters), use_cudnn_on_gpu accepted and ignored."""
    filter = _one("compat.v1.nn.conv2d", filters, "filters", filter, "filter")  # noqa: A001
    return _nn().conv2d(input, filter, strides, padding, data_format=data_format,
                        dilations=dilations, name=name)


def _pool(v2_name):
    def pool(value, ksize, strides, padding, data_format="NHWC", name=None, input=None):  # noqa: A002
        value = _one("compat.v1.nn." + v2_name, value, "value", input, "input")
        return getattr(_nn(), v2_name)(value, ksize, strides, padding, data_format=data_format,
                                       name=name)
    pool.__name__ = pool.__qualname__ = v2_name
    return pool


max_pool = _pool("max_pool")
avg_pool = _pool("avg_pool")


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1,
                                      name=None, axis=None):
    """TensorFlow 1's: keyword arguments only (labels=, logits=)."""
    if _sentinel is not None:
        raise ValueError("Only call `softmax_cross_entropy_with_logits` with named arguments "
                         "(labels=..., logits=..., ...).")
    axis = _one("compat.v1.nn.softmax_cross_entropy_with_logits", axis, "axis",
                None if dim == -1 else dim, "dim")
    return _nn().softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                   axis=-1 if axis is None else axis, name=name)


def softmax_cross_entropy_with_logits_v2(labels, logits, axis=None, name=None, dim=None):
    axis = _one("compat.v1.nn.softmax_cross_entropy_with_logits_v2", axis, "axis", dim, "dim")
    return _nn().softmax_cross_entropy_with_logits(labels=labels, logits=logits,
                                                   axis=-1 if axis is None else axis, name=name)


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None,
                                             name=None):
    if _sentinel is not None:
        raise ValueError("Only call `sparse_softmax_cross_entropy_with_logits` with named "
                         "arguments (labels=..., logits=..., ...).")
    return _nn().sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits, name=name)


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    if _sentinel is not None:
        raise ValueError("Only call `sigmoid_cross_entropy_with_logits` with named arguments "
                         "(labels=..., logits=..., ...).")
    return _nn().sigmoid_cross_entropy_with_logits(labels=labels, logits=logits, name=name)


def embedding_lookup(params, ids, partition_strategy="mod", name=None, validate_indices=True,
                     max_norm=None):
    """TensorFlow 1's: one params tensor (a list of shards is split by partition_strategy in
    TensorFlow; one shard here, where the strategy does not matter)."""
    if isinstance(params, (list, tuple)):
        if len(params) != 1:
            raise ValueError("compat.v1.nn.embedding_lookup: a list of several params shards is "
                             "not supported; concatenate them (partition_strategy 'div') or "
                             "pass one tensor")
        params = params[0]
    return _nn().embedding_lookup(params, ids, max_norm=max_norm, name=name)
