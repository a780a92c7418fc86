"""Note [automatic config]
~~~~~~~~~~~~~~~~~~~~~~~~
tf_keras 2.13+ writes a config for a program's own layer or subclassed model that does not
override ``get_config``: ``Layer.__new__`` keeps the constructor's arguments (positional ones by
their parameter names) when every value, through lists, tuples and dicts, is a str, int, float,
bool or None, and ``get_config`` is then the base config updated with them -- without the base
keys (name, trainable, dtype, batch_input_shape) the constructor does not take, unless it has a
``**kwargs`` parameter by that very name (tf_keras's rule, kept: ``Scale(2.0)`` with
``**kwargs`` gives {'name', 'trainable', 'dtype', 'factor'}, with ``**kw`` only {'factor'}).
Other values (an array, a dict of layers) leave no config: a layer's get_config, and so saving
a model holding it to .h5 / .keras, raises NotImplementedError in tf_keras's words;
``save_weights`` still works. A subclassed *model* nested in a functional one (corpus30's
``FeaturePreprocessor(Model)``) is written the same way, and with arguments no config can hold
as ``{}`` (tf_keras logs a warning), so the functional model saves and ``load_weights`` of its
file works; ``load_model`` needs the classes in ``custom_objects``, and rebuilds the nested
model from its constructor: one that makes its layers or state outside ``__init__`` (corpus30's
FeaturePreprocessor builds its Embedding in ``adapt``) cannot be called again then, where
tf_keras's SavedModel revives the traced call. Only classes of the program
qualify: one built on a tensorforge layer other than Layer / Model inherits that layer's config
(tf_keras: that layer's own get_config)."""
import inspect
import warnings

_SUPPORTED = (str, int, float, bool, type(None))
_BASE_KEYS = ("name", "trainable", "dtype", "batch_input_shape")
_ELIGIBLE = {}  # class -> whether it gets an automatic config
_BASES = {}  # Layer, Network, Model: each registers itself (register), so no import circle
NO_CONFIG = ("\nLayer {} was created by passing\nnon-serializable argument values in "
             "`__init__()`,\nand therefore the layer must override `get_config()` in\norder to "
             "be serializable. Please implement `get_config()`.")


def register(cls):
    """A base a program's class may build on and still get an automatic config."""
    _BASES[cls.__name__] = cls


def _eligible(cls):
    got = _ELIGIBLE.get(cls)
    if got is None:
        layer, net = _BASES["Layer"], _BASES["Network"]
        got = _ELIGIBLE[cls] = cls.get_config in (layer.get_config, net.get_config) and all(
            c in _BASES.values() or not c.__module__.startswith("tensorforge.")
            for c in cls.__mro__ if issubclass(c, layer))
    return got


def _plain(v):
    if isinstance(v, (list, tuple)):
        return all(_plain(e) for e in v)
    if isinstance(v, dict):
        return all(_plain(e) for e in v.values())
    return isinstance(v, _SUPPORTED)


def capture(obj, args, kwargs):
    """From Layer.__new__: keep the constructor's arguments on an eligible ``obj`` (its
    ``_auto_config``: the dict, or None when a value is not plain)."""
    cls = type(obj)
    if cls.__module__.startswith("tensorforge.") or not _eligible(cls):
        return
    try:
        names = [p.name for p in list(inspect.signature(cls.__init__).parameters.values())[1:]
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        return
    cfg = dict(kwargs, **dict(zip(names, args)))
    obj.__dict__["_auto_config"] = cfg if _plain(cfg) else None


def config(layer, base):
    """``base`` (the layer's own config) as tf_keras's automatic get_config makes it, for a
    layer with an ``_auto_config``; NotImplementedError when its arguments have none."""
    auto = layer.__dict__["_auto_config"]
    if auto is None:
        raise NotImplementedError(NO_CONFIG.format(type(layer).__name__))
    out = dict(base, **auto)
    spec = inspect.getfullargspec(type(layer).__init__)
    if spec.varkw != "kwargs":  # tf_keras drops them even when given (M(name="m") with **kw: {})
        for k in _BASE_KEYS:
            if k in base and k not in spec.args[1:]:
                out.pop(k, None)
    return out


def layer_config(layer):
    """``layer.get_config()`` as a functional model writes its layer: a subclassed model
    without get_config by nested_model_config."""
    net = _BASES["Network"]
    if isinstance(layer, net) and not layer._is_graph_network and \
            type(layer).get_config is net.get_config:
        return nested_model_config(layer)
    return layer.get_config()


def nested_model_config(model):
    """A subclassed model without get_config, nested in a functional model: its automatic
    config, or {} with a warning when its arguments have none (tf_keras 2.21)."""
    base = _BASES["Layer"].get_config
    if "_auto_config" not in model.__dict__:  # made before capture: the base config
        return base(model)
    try:
        return config(model, base(model))
    except NotImplementedError:
        warnings.warn(f"Model's `__init__()` arguments contain non-serializable objects. Please "
                      f"implement a `get_config()` method in the subclassed Model for proper "
                      f"saving and loading. Defaulting to empty config. ({model.name})",
                      stacklevel=4)
        return {}
