"""Keras 2 configs <-> tensorforge objects: layers, whole-model topology, compile settings.

Keras 2 / tf.keras write a layer as ``{"class_name": "Dense", "config": {...}}`` whose config holds
every constructor argument, including ones tensorforge does not take (``dtype``, constraints,
``groups``, ``implementation``, ...). Reading, an argument we lack is
dropped only when its value is one that changes nothing (See Note [inert arguments]); any other
value raises a ValueError naming the layer, the argument and the file, so a model is never
rebuilt with a silently different computation. Writing produces the config Keras 2 reads back:
Keras initializer / regularizer dicts, ``dtype: float32``, ``batch_input_shape`` on the first
layer.

Which Keras layer classes a file may contain is ``supported_layer_classes()``: every class
registered in tensorforge's layer registry plus the aliases in ``_ALIASES``.
"""
import inspect

from .. import activations as _act
from .. import initializers as _init
from .. import losses as _losses
from .. import mixed_precision as _mixed_precision
from .. import optimizers as _optimizers
from .. import regularizers as _reg
from ..engine import auto_config as _auto_config
from ..engine import base_layer as _base
from ..symbolic.node import flatten

__all__ = ["layer_from_keras", "layer_to_keras", "supported_layer_classes",
           "compile_args_from_training_config", "training_config", "optimizer_to_keras"]

# Keras classes read as one of ours, with fixed extra arguments (none now: the cuDNN layers,
# once read as LSTM / GRU, are classes of their own, layers/cudnn_recurrent.py; weights.py still
# converts their files' weights for a plain LSTM / GRU).
_ALIASES = {}

# Note [inert arguments]
# Keras configs carry arguments tensorforge has no parameter for. These values of them change
# neither the forward pass nor the weights, so a file that holds them loads exactly; a value not
# listed here (a constraint, a float16 dtype policy, groups=2, time_major=True, ...) is refused.
_ANY = object()
_INERT = {
    "dtype": ("float32", None), "activity_regularizer": (None,), "kernel_constraint": (None,),
    "bias_constraint": (None,), "recurrent_constraint": (None,), "embeddings_constraint": (None,),
    "beta_constraint": (None,), "gamma_constraint": (None,), "depthwise_constraint": (None,),
    "groups": (1,), "implementation": _ANY, "unroll": _ANY, "time_major": (False,),
    "stateful": (False,), "sparse": (False,), "ragged": (False,), "optional": (False,),
    "renorm": (False,), "renorm_clipping": (None,), "renorm_momentum": _ANY, "fused": _ANY,
    "virtual_batch_size": (None,), "adjustment": (None,), "synchronized": (False,),
    "noise_shape": (None,), "recurrent_dropout": (0, 0.0), "keepdims": (False,),
    "zero_output_for_mask": _ANY,
    "rng_type": _ANY,  # tf.keras 2.12+ random layers' generator kind: ours draw from NumPy
    "vocabulary_size": _ANY,  # a lookup's record of its vocabulary's size (Keras 2 drops it too)
    "query_shape": _ANY, "key_shape": _ANY, "value_shape": _ANY,  # See _MHA_SHAPES
    "softmax_robust_masking": (False,),  # tf_keras 2.16+ MultiHeadAttention: the default
}
# Arguments Keras 2 writes for a class whose computation never reads them (SeparableConv's
# base-class kernel_* arguments: its kernels are depthwise_* and pointwise_*): any value loads.
_UNUSED_BY_KERAS = {
    "SeparableConv1D": ("kernel_initializer", "kernel_regularizer", "kernel_constraint"),
    "SeparableConv2D": ("kernel_initializer", "kernel_regularizer", "kernel_constraint"),
}
_BASE_ARGS = ("name", "trainable", "input_shape", "batch_input_shape", "batch_size", "input_dim",
              "weights")


# Registered classes a file cannot rebuild: a Lambda's config holds marshalled Python bytecode
# (not portable between Python versions, and running it would execute the file's code); op
# layers are tensorforge's own records of arithmetic on symbolic tensors.
_NOT_FROM_FILES = {"Lambda", "OpLayer", "Network"}
# TF ops on symbolic tensors: the config names the op (tf_op_symbols.py resolves it)
_TF_OP_LAYERS = ("TFOpLambda", "SlicingOpLambda")


def supported_layer_classes():
    """Keras layer class names a model file may contain (sorted); models nested as layers
    (Sequential, Functional, Model) too."""
    names = {n for n in _base._LAYER_CLASSES if not n.startswith("_")} | set(_ALIASES)
    return sorted((names - _NOT_FROM_FILES) | {"Sequential", "Functional", "Model"})


def _dtype_name(v):
    if isinstance(v, dict):  # tf.keras 2.13+ DTypePolicy dict
        return v.get("config", {}).get("name")
    return v


def _is_inert(key, value):
    allowed = _INERT.get(key)
    if allowed is None:
        return False
    if allowed is _ANY:
        return True
    return (_dtype_name(value) if key == "dtype" else value) in allowed


def _class_name(v):
    name = v.get("class_name", "")
    return name.split(">")[-1]  # "Custom>Adam", "keras.initializers>GlorotUniform"


def _initializer(v, where):
    if v is None or isinstance(v, str):
        return v
    name, cfg = _class_name(v), dict(v.get("config") or {})
    cls = _init._BY_NAME.get(name)
    if cls is None:
        raise ValueError(f"{where}: unknown initializer {name!r}")
    if name == "VarianceScaling" and cfg.get("distribution") == "normal":
        cfg["distribution"] = "truncated_normal"
    if name == "Identity":
        cfg.pop("seed", None)
    try:
        return cls(**cfg)
    except TypeError as e:
        raise ValueError(f"{where}: initializer {name} with config {cfg}: {e}") from None


def _regularizer(v, where):
    if v is None:
        return None
    from ..engine.serialization import custom_object
    if isinstance(v, str):  # a function, by name, as Keras 2 writes one (custom_objects)
        fn = custom_object(v)
        if callable(fn):
            return fn
        return _reg.get(v)
    name, cfg = _class_name(v), dict(v.get("config") or {})
    if name.lower() in ("l1l2", "l1", "l2", "l1_l2"):
        cfg = {k: float(x) for k, x in cfg.items() if k in ("l1", "l2")}
        cls = {"l1": _reg.L1, "l2": _reg.L2}.get(name.lower(), _reg.L1L2)
        return cls(**cfg)
    cls = custom_object(name)  # a Regularizer subclass given in custom_objects
    if cls is not None:
        return cls.from_config(cfg) if hasattr(cls, "from_config") else cls(**cfg)
    raise ValueError(f"{where}: unknown regularizer {name!r}; a custom one: pass "
                     f"custom_objects={{{name!r}: ...}}")


def _activation(v, where):
    if isinstance(v, dict) and isinstance(v.get("config"), dict) and \
            _class_name(v) in _base._LAYER_CLASSES:  # a layer as the activation (PReLU())
        return _base._LAYER_CLASSES[_class_name(v)].from_config(dict(v["config"]))
    if isinstance(v, dict):
        v = _class_name(v) if "config" not in v or not isinstance(v["config"], str) else v["config"]
    if v is None:
        return "linear"
    if v not in _act._BY_NAME:
        from ..engine.serialization import custom_object
        if callable(custom_object(v)):  # a custom activation, by name (custom_objects)
            return custom_object(v)
        raise ValueError(f"{where}: activation {v!r} is not available in tensorforge (known: "
                         f"{', '.join(sorted(_act._BY_NAME))}); a custom one: pass "
                         f"custom_objects={{{v!r}: function}}")
    return v


def _convert_value(key, v, where):
    if key.endswith("_initializer"):
        return _initializer(v, where)
    if key.endswith("_regularizer"):
        return _regularizer(v, where)
    if key in ("activation", "recurrent_activation"):
        return _activation(v, where)
    if key in ("kernel_size", "strides", "pool_size", "dilation_rate", "target_shape",
               "batch_input_shape", "input_shape"):
        return tuple(v) if isinstance(v, list) else v
    return v


def _accepted_args(cls):
    params = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        params |= {p for p in inspect.signature(init).parameters if p not in ("self", "kwargs")}
    return params


_INT_DTYPES = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "bool")
_KEPT_INPUT_DTYPES = _INT_DTYPES + ("string", "float64")  # See Note [integer inputs]
# (engine/dtype_policy.py); a float64 Input stays float64: Note [float64 layers]


def layer_from_keras(spec, source="<config>", custom_objects=None, *, model_from_config):
    """A tensorforge layer built from a Keras 2 ``{"class_name", "config"}`` dict. A model used as
    a layer is built by ``model_from_config`` (keras_model.py, which sits above this module,
    passes its own)."""
    keras_name = spec.get("class_name")
    cfg = dict(spec.get("config") or {})
    if keras_name in ("Sequential", "Functional", "Model"):  # a model used as a layer
        return model_from_config(spec, source, custom_objects)
    extra = {}
    if keras_name in _ALIASES:
        name, extra = _ALIASES[keras_name]
    else:
        name = keras_name
    from ..engine.serialization import custom_object
    # custom objects (the argument, or a custom_object_scope) come before the registry, where
    # another class of the same name may have registered itself (Keras 2's order)
    custom = (custom_objects or {}).get(keras_name) or custom_object(keras_name)
    custom = custom if isinstance(custom, type) else None
    cls = custom or _base._LAYER_CLASSES.get(name)
    if name == "Lambda" and cfg.get("function_type") in ("function", "lambda") \
            and cls is not None:
        # a function stored by name: found in custom_objects, as Keras 2 finds a function_type
        # 'function'; a lambda's bytecode is not run, but matched against this process's own
        # lambdas (Note [lambdas in model files]); Lambda.from_config names what is missing
        from ..engine.serialization import custom_object_scope
        with custom_object_scope(custom_objects or {}):
            return cls.from_config(cfg)
    if name in _TF_OP_LAYERS and custom is None:
        return cls.from_config({k: v for k, v in cfg.items() if k != "dtype"})
    if cls is not None and name in _NOT_FROM_FILES and custom is None:
        raise ValueError(f"{source}: layer {cfg.get('name')!r} is a Keras {keras_name}, whose "
                         "config holds Python code that tensorforge does not run from a file; "
                         "rebuild the model in code and call load_weights")
    if cls is None or custom is None and name.startswith("_"):  # (a program's _Private class
        # given in custom_objects is found, as Keras 2 finds it)
        raise ValueError(f"{source}: the model uses the Keras layer class {keras_name!r} "
                         f"(layer {cfg.get('name')!r}), which tensorforge does not implement; "
                         f"supported: {', '.join(supported_layer_classes())}")
    if custom is not None:
        return cls.from_config(cfg)
    where = f"{source}: layer {cfg.get('name')!r} ({keras_name})"
    if name == "InputLayer" and _dtype_name(cfg.get("dtype")) not in _KEPT_INPUT_DTYPES:
        cfg.pop("dtype", None)  # a float Input is floatx here; integer ids, float64 and text stay
        if "batch_shape" in cfg:
            cfg["batch_input_shape"] = cfg.pop("batch_shape")
    accepted = _accepted_args(cls) | set(_BASE_ARGS)
    if name == "MultiHeadAttention":
        _mha_default_axes(cfg)
    if name in _KERAS_DTYPE_ONLY and cfg.get("dtype") == _keras_output_dtype(name, cfg):
        cfg.pop("dtype")  # Keras' record of the output dtype; ours follow from output_mode
    kwargs = {}
    for k, v in cfg.items():
        if k in _UNUSED_BY_KERAS.get(name, ()) and k not in accepted:
            continue
        if k in ("layer", "backward_layer", "cell") and isinstance(v, dict) and "class_name" in v:
            # a wrapper's inner layer, an RNN's cell
            kwargs[k] = layer_from_keras(v, source, custom_objects,
                                         model_from_config=model_from_config)
            continue
        if k == "cells" and isinstance(v, list):  # StackedRNNCells
            kwargs[k] = [layer_from_keras(c, source, custom_objects,
                                          model_from_config=model_from_config) for c in v]
            continue
        if k == "dtype" and name == "InputLayer" or k == "dtype" and getattr(
                cls, "_keeps_input_dtype", False) is True and _dtype_name(v) in _INT_DTYPES:
            kwargs[k] = _dtype_name(v)  # an integer Input, or a lookup / Hashing layer's ids
            continue
        if k == "dtype" and (_dtype_name(v) in ("mixed_float16", "mixed_bfloat16") or _dtype_name(
                v) == "float32" and _mixed_precision.global_policy().name != "float32"):
            # a mixed policy (float32 compute here, See mixed_precision.py), or a float32 layer
            # in a model loaded under a mixed global policy
            kwargs[k] = _dtype_name(v)
            continue
        if k == "dtype" and _dtype_name(v) == "float64":  # See Note [float64 layers]
            kwargs[k] = "float64"
            continue
        if k == "dtype" and _dtype_name(v) not in ("float32", None):
            raise ValueError(f"{where}: dtype {_dtype_name(v)!r} is not supported (float32 or "
                             "float64 only)")
        if k == "axis" and name == "BatchNormalization" and isinstance(v, (list, tuple)):
            if len(v) != 1:
                raise ValueError(f"{where}: normalization over several axes {v} is not supported")
            v = v[0]
        if k in _INERT and (k == "dtype" or k not in accepted):
            # tensorforge would ignore or refuse other values
            if not _is_inert(k, v):
                raise ValueError(f"{where}: argument {k}={v!r} is not supported by "
                                 f"tensorforge's {name}")
        elif k in accepted:
            kwargs[k] = _convert_value(k, v, where)
        else:
            raise ValueError(f"{where}: argument {k}={v!r} is not supported by tensorforge's "
                             f"{name}")
    kwargs.update(extra)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError, NotImplementedError) as e:
        raise ValueError(f"{where}: {e}") from None


# ---- writing ------------------------------------------------------------------------------------

def _initializer_to_keras(v):
    if v is None or isinstance(v, str):
        return v
    cls = type(v).__name__
    if not isinstance(v, _init.Initializer):
        raise ValueError(f"cannot write the custom initializer {v!r} to a Keras file")
    cfg = v.get_config()
    if cls == "VarianceScaling" and cfg.get("distribution") == "truncated_normal":
        cfg["distribution"] = "truncated_normal"
    return {"class_name": cls, "config": cfg}


def _regularizer_to_keras(v):
    if v is None:
        return None
    if isinstance(v, (_reg.L1, _reg.L2)):  # tf.keras 2's classes and configs
        return {"class_name": type(v).__name__, "config": v.get_config()}
    if isinstance(v, _reg.L1L2):
        return {"class_name": "L1L2", "config": {"l1": v.l1, "l2": v.l2}}
    if isinstance(v, _reg.Regularizer):  # a user's subclass: Keras 2 writes its get_config()
        return {"class_name": type(v).__name__, "config": v.get_config()}
    if callable(v) and getattr(v, "__name__", "<lambda>") != "<lambda>":
        return v.__name__  # a function, by name (load it with custom_objects), as Keras 2 does
    raise ValueError(f"cannot write the custom regularizer {v!r} to a Keras file")


def _is_keras_form(v):
    return isinstance(v, dict) and "class_name" in v and "config" in v


def _object_to_keras(layer, k, v):
    """An initializer / regularizer argument in Keras' {"class_name", "config"} form, whether the
    layer's config holds it already in that form, as a name, or in tensorforge's own form."""
    obj = getattr(layer, k, None)
    if k.endswith("_initializer"):
        if isinstance(obj, _init.Initializer):
            return _initializer_to_keras(obj)
        if v is None or _is_keras_form(v):
            return v
        if isinstance(v, str) and v.lower() not in _init._BY_NAME and v not in _init._BY_NAME:
            return v  # a layer's own kernel name (RandomFourierFeatures' 'gaussian' / 'laplacian')
        return _initializer_to_keras(_base._deser(v) if isinstance(v, dict) else _init.get(v))
    if isinstance(obj, _reg.Regularizer) or (callable(obj) and not isinstance(v, dict)):
        return _regularizer_to_keras(obj)
    if v is None or _is_keras_form(v):
        return v
    return _regularizer_to_keras(_base._deser(v) if isinstance(v, dict) else _reg.get(v))


def layer_to_keras(layer):
    """The Keras 2 ``{"class_name", "config"}`` dict of a tensorforge layer."""
    cfg = {"name": layer.name, "trainable": layer.trainable, "dtype": "float32"}
    for k, v in _auto_config.layer_config(layer).items():  # See Note [automatic config]
        if k in ("name", "trainable"):
            continue
        if k in ("layer", "backward_layer") and isinstance(v, dict):  # a wrapper's inner layer
            inner = (getattr(layer, "forward_layer", None) or getattr(layer, "layer", None)
                     if k == "layer" else getattr(layer, "backward_layer", None))
            if inner is None:
                cfg[k] = v
                continue
            cfg[k] = layer_to_keras(inner)
            given = (v.get("config") or {}).get("name")  # Bidirectional runs renamed copies
            if given and hasattr(layer, "forward_layer"):  # of the layers given: the config
                cfg[k]["config"]["name"] = given  # names those (Note [Bidirectional's copies])
            continue
        if k == "cell" and isinstance(v, dict) and getattr(layer, "cell", None) is not None:
            cfg[k] = layer_to_keras(layer.cell)  # an RNN's cell, in Keras form like any layer
            continue
        if k == "cells" and isinstance(v, list) and len(getattr(layer, "cells", ())) == len(v):
            cfg[k] = [layer_to_keras(c) for c in layer.cells]
            continue
        if k.endswith("_initializer") or k.endswith("_regularizer"):
            v = _object_to_keras(layer, k, v)
        elif isinstance(v, tuple):
            v = list(v)
        cfg[k] = v
    if type(layer).__name__ == "BatchNormalization":
        inits = getattr(layer, "_inits", None)
        keys = ("beta_initializer", "gamma_initializer", "moving_mean_initializer",
                "moving_variance_initializer")
        if inits and not all(_is_keras_form(cfg.get(k)) for k in keys):
            for k, v in zip(keys, inits):
                cfg[k] = _initializer_to_keras(v if isinstance(v, _init.Initializer)
                                               else _init.get(v))
        if layer.built and isinstance(layer.axis, int):
            cfg["axis"] = len(layer.input_shape) - 1 if layer.axis == -1 else layer.axis
    if type(layer).__name__ == "Embedding" and isinstance(cfg.get("input_length"), tuple):
        cfg["input_length"] = list(cfg["input_length"])
    kind = type(layer).__name__
    if kind in _OUTPUT_DTYPE_LAYERS or kind == "TextVectorization":
        cfg["dtype"] = _keras_output_dtype(kind, cfg)
    elif kind == "MultiHeadAttention":
        cfg.update(_mha_shapes(layer))
    return {"class_name": kind, "config": cfg}


# Keras 2 gives these layers dtype int64 for output_mode='int', floatx otherwise, and refuses
# float32 with output_mode='int' (IntegerLookup: "dtype should be an integer type").
_OUTPUT_DTYPE_LAYERS = ("StringLookup", "IntegerLookup", "Hashing", "Discretization")
# ... of which ours take no dtype (Hashing casts its output to its dtype: kept)
_KERAS_DTYPE_ONLY = ("StringLookup", "IntegerLookup", "Discretization", "TextVectorization")


def _keras_output_dtype(kind, cfg):
    """The dtype Keras 2 writes for a preprocessing layer (TextVectorization: its input's)."""
    if kind == "TextVectorization":
        return "string"
    return "int64" if cfg.get("output_mode", "int") == "int" else "float32"
# Keras 2's MultiHeadAttention config records the shapes it was built for; from_config builds
# from them (its einsum equations depend on the ranks). Ours builds on the first call: read, they
# are dropped.
_MHA_SHAPES = ("query_shape", "key_shape", "value_shape")


def _mha_default_axes(cfg):
    """Keras 2 writes the attention_axes it derived for the default (every axis but the batch
    and the features, ``(1,)`` for a sequence): with the query's rank known, that is None."""
    axes, shape = cfg.get("attention_axes"), cfg.get("query_shape")
    if axes is not None and isinstance(shape, (list, tuple)) and \
            list(axes) == list(range(1, len(shape) - 1)):
        cfg["attention_axes"] = None


def _mha_shapes(layer):
    nodes = [n for n in getattr(layer, "_inbound_nodes", ()) if not n.is_input]
    if not nodes:
        return {}
    node = nodes[0]
    ts = flatten(node.input_tensors)
    kw = node.call_kwargs
    q = ts[0]
    v = kw.get("value", ts[1] if len(ts) > 1 else None)
    k = kw.get("key", ts[2] if len(ts) > 2 else None)
    k = v if k is None else k
    if v is None or not all(hasattr(t, "shape") for t in (q, v, k)):
        return {}
    return {n: list(t.shape) for n, t in zip(_MHA_SHAPES, (q, k, v))}


# ---- compile settings ---------------------------------------------------------------------------

_OPT_IGNORE = {"name": _ANY, "weight_decay": (None, 0, 0.0), "global_clipnorm": (None,),
               "jit_compile": _ANY, "is_legacy_optimizer": _ANY, "amsgrad": (False,),
               "centered": (False,)}


_KNOWN_OPTIMIZERS = ("SGD, RMSprop, Adam, AdamW, Adagrad, Adadelta, Adamax, Nadam, Ftrl, Lion, "
                     "Adafactor")


def _optimizer_from_keras(cfg, source):
    name = _class_name(cfg)
    params = dict(cfg.get("config") or {})
    if name.lower() == "lossscaleoptimizer" and isinstance(params.get("inner_optimizer"), dict):
        inner = _optimizer_from_keras(params.pop("inner_optimizer"), source)
        return _optimizers.LossScaleOptimizer(inner, **params)
    # every class tf_keras 2.21 names (Ftrl, Lion, Adafactor load on first use)
    cls = None if name.lower() == "lossscaleoptimizer" else _optimizers._class(name)
    if cls is None:
        from ..engine.serialization import custom_object
        custom = custom_object(name)  # a program's own optimizer class (custom_objects), built
        if isinstance(custom, type) and issubclass(custom, _optimizers.Optimizer):
            return custom.from_config(params)  # from its config, as Keras 2 deserializes it
        raise ValueError(f"{source}: the optimizer {name!r} is not available in tensorforge "
                         f"(known: {_KNOWN_OPTIMIZERS}; a custom one: pass "
                         f"custom_objects={{{name!r}: ...}})")
    cls = _optimizers.legacy_class(cls, params)  # Note [legacy optimizer configs]
    if cls.__name__ == "Nadam" and "decay" in params:  # tf.keras 2.0-2.10: schedule_decay
        params.setdefault("schedule_decay", params.pop("decay"))
    accepted = _accepted_args(cls)
    kwargs = {}
    for k, v in params.items():
        if isinstance(v, dict):
            raise ValueError(f"{source}: optimizer {name} argument {k} is a schedule/object "
                             f"({_class_name(v)}), not supported")
        if k == "decay" and not v:
            continue  # Keras 2's default: no time-based decay (some of ours take no decay)
        if k in accepted:
            kwargs[k] = v
            continue
        allowed = _OPT_IGNORE.get(k)
        if allowed is _ANY or (allowed is not None and v in allowed):
            continue
        raise ValueError(f"{source}: optimizer {name} argument {k}={v!r} is not supported")
    if "lr" in kwargs and "learning_rate" not in kwargs:
        kwargs["learning_rate"] = kwargs.pop("lr")
    return cls(**kwargs)


# Keys Keras 2 writes in a loss class's config with a value that is tensorforge's behaviour
# (tf_keras 2.11+ adds ignore_class; the crossentropies' axis=-1 is the class axis here too)
# and "fn", the function name its LossFunctionWrapper holds (the class says it here)
_LOSS_KEYS_AT_DEFAULT = {"ignore_class": (None,), "axis": (-1,)}


def _function_name(v):
    """A function as tf_keras's .keras compile_config writes one ({"class_name": "function",
    "config": its name}): the name (custom_objects resolves it), else None."""
    if isinstance(v, dict) and v.get("class_name") == "function" and isinstance(v.get("config"), str):
        return v["config"]
    return None


def _loss_from_keras(v, source):
    if v is None or isinstance(v, str):
        return v
    if _function_name(v) is not None:
        return _function_name(v)
    if isinstance(v, dict) and "class_name" in v:
        cls = _losses._CLASSES.get(_class_name(v))
        if cls is None:  # a user's Loss subclass: from custom_objects with its config, as
            from ..engine.serialization import custom_object  # Keras 2 restores it
            custom = custom_object(_class_name(v))
            if isinstance(custom, type) and issubclass(custom, _losses.Loss):
                return custom.from_config(dict(v.get("config") or {}))
            raise ValueError(f"{source}: unknown loss class {_class_name(v)!r}: pass it in "
                             f"custom_objects")
        # a built-in loss class with its arguments (from_logits, label_smoothing, reduction,
        # delta, ...), as Keras 2 restores it: dropping them would change the loss
        cfg = {k: x for k, x in (v.get("config") or {}).items()
               if k != "fn" and not (k in _LOSS_KEYS_AT_DEFAULT and x in _LOSS_KEYS_AT_DEFAULT[k]
                                     and k not in cls().get_config())}
        try:
            return cls.from_config(cfg)
        except (TypeError, ValueError) as e:
            raise ValueError(f"{source}: loss {_class_name(v)} with {cfg} is not supported "
                             f"({e})") from None
    if isinstance(v, dict):  # one loss per output name
        return {k: _loss_from_keras(x, source) for k, x in v.items()}
    if isinstance(v, list):  # one loss per output
        return [_loss_from_keras(x, source) for x in v]
    raise ValueError(f"{source}: cannot read the loss {v!r}")


def _metric_name(m, output_name=None):
    """One Keras 2 metric entry (a name, or a MeanMetricWrapper dict) -> a metric name; a
    program's Metric subclass (in custom_objects) -> its instance, from its config."""
    if m is None:
        return None
    if isinstance(m, str):
        return m
    if _function_name(m) is not None:
        return _function_name(m)
    cfg = m.get("config") or {}
    custom = _custom_metric_class(m)
    if custom is not None:  # as Keras 2 restores it: from_config, the threshold &c. kept
        return custom.from_config(dict(cfg))
    name = cfg.get("name") or _base._snake(_class_name(m))
    if output_name and name.startswith(output_name + "_"):
        name = name[len(output_name) + 1:]  # tf.keras prefixes a multi-output model's metrics
    if name in ("accuracy", "acc"):
        return name  # resolved against the loss by compile, as Keras does
    from .. import metrics as _metrics
    try:
        _metrics.get(name)
    except (ValueError, TypeError):
        fn = cfg.get("fn")
        if isinstance(fn, str):
            return fn
    return name


def _custom_metric_class(m):
    """The Metric subclass a {"class_name", "config"} metric entry names among the program's
    custom objects (None for a built-in metric or a name not given)."""
    from .. import metrics as _metrics
    from ..engine.serialization import custom_object
    name = _class_name(m)
    cls = custom_object(name) if name else None
    return cls if isinstance(cls, type) and issubclass(cls, _metrics.Metric) else None


def _metrics_from_keras(v, output_names):
    """Keras 2 metrics config -> compile's metrics: a list (one output) or {output: [names]}."""
    if not v:
        return []
    if isinstance(v, dict):  # {output name: metric or [metrics]}
        return {k: [_metric_name(m) for m in (x if isinstance(x, list) else [x])]
                for k, x in v.items()}
    per_output = all(isinstance(m, list) for m in v)
    if not per_output:
        return [n for n in (_metric_name(m) for m in v) if n]
    if len(output_names) <= 1:
        return [n for group in v for n in (_metric_name(m) for m in group) if n]
    out = {}
    for name, group in zip(output_names, v):
        names = [n for n in (_metric_name(m, name) for m in group) if n]
        if names:
            out[name] = names
    return out


def compile_args_from_training_config(tc, source="<config>", output_names=()):
    """compile() keyword arguments from a Keras 2 ``training_config`` dict."""
    opt = _optimizer_from_keras(tc["optimizer_config"], source)
    args = {"optimizer": opt, "loss": _loss_from_keras(tc.get("loss"), source),
            "metrics": _metrics_from_keras(tc.get("metrics"), list(output_names))}
    if tc.get("weighted_metrics"):
        args["weighted_metrics"] = _metrics_from_keras(tc["weighted_metrics"], list(output_names))
    if tc.get("loss_weights") is not None:
        args["loss_weights"] = tc["loss_weights"]
    return args


def optimizer_to_keras(opt):
    if type(opt).__name__ == "LossScaleOptimizer":  # tf_keras 2's config: the inner one nested
        cfg = dict(opt.get_config(), inner_optimizer=optimizer_to_keras(opt.inner_optimizer))
        return {"class_name": "LossScaleOptimizer", "config": cfg}
    cfg = _optimizers.keras_config(opt)
    cfg["name"] = type(opt).__name__
    # No is_legacy_optimizer key but for the default RMSprop / Nadam (Note [legacy optimizer
    # configs]): tf.keras 2.11+ then builds its legacy (Keras 2) optimizer, whose state layout
    # (iterations, then the slots grouped by slot) is the one we write.
    if type(opt).__name__ == "RMSprop":
        cfg.setdefault("momentum", float(getattr(opt, "momentum", 0.0)))
        cfg.setdefault("centered", bool(getattr(opt, "centered", False)))
    if type(opt).__name__ == "Adam":
        cfg.setdefault("amsgrad", bool(getattr(opt, "amsgrad", False)))
    return {"class_name": type(opt).__name__, "config": cfg}


def _names(spec):
    """Loss / metric specs with functions replaced by their names (nested lists / dicts kept)."""
    if isinstance(spec, dict):
        return {k: _names(v) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return [_names(v) for v in spec]
    if spec is None or isinstance(spec, str):
        return spec
    name = getattr(spec, "__name__", None) or getattr(spec, "name", None)
    if name is None:
        raise ValueError(f"cannot write the loss / metric {spec!r} to a Keras file")
    return name


def _loss_specs(spec):
    """Loss specs for a Keras file: a built-in loss class instance as Keras 2 writes it
    ({"class_name", "config"}: from_logits and the other arguments kept), functions by name."""
    if isinstance(spec, dict):
        return {k: _loss_specs(v) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return [_loss_specs(v) for v in spec]
    if isinstance(spec, _losses.Loss) and type(spec).__name__ in _losses._CLASSES:
        return _losses.serialize(spec)
    if isinstance(spec, _losses.Loss):  # a user's subclass: by its class name and get_config()
        return {"class_name": type(spec).__name__, "config": spec.get_config()}  # (Keras 2)
    return _names(spec)


def _metric_specs(spec):
    """Metric specs for a Keras file: a program's Metric subclass by its class name and
    get_config() (as Keras 2 writes it, so load_model(custom_objects=...) rebuilds it with its
    arguments), built-in metrics and functions by name."""
    from .. import metrics as _metrics
    if isinstance(spec, dict):
        return {k: _metric_specs(v) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return [_metric_specs(v) for v in spec]
    if isinstance(spec, _metrics.Metric) and not type(spec).__module__.startswith("tensorforge."):
        return {"class_name": type(spec).__name__, "config": spec.get_config()}
    return _names(spec)


def training_config(model):
    """The Keras 2 ``training_config`` of a compiled model (None when not compiled)."""
    if not getattr(model, "_compiled", False):
        return None
    args = getattr(model, "_compile_args", None) or {"loss": model.loss, "metrics": None,
                                                      "loss_weights": None}
    return {"loss": _loss_specs(args.get("loss")), "metrics": _metric_specs(args.get("metrics")),
            "weighted_metrics": _metric_specs(args.get("weighted_metrics")),
            "loss_weights": args.get("loss_weights"),
            "optimizer_config": optimizer_to_keras(model.optimizer)}
