"""Keras 2's custom objects: the names deserialization (load_model, from_config, activations.get,
constraints.get) resolves to the program's own layers, functions and classes. Kept apart from
engine/serialization.py, which re-exports these, because activations.py and constraints.py look
names up here and serialization.py imports them."""
import contextlib

_CUSTOM_OBJECTS = [{}]  # a stack of {name: object}; see custom_object_scope


@contextlib.contextmanager
def custom_object_scope(*scopes):
    """Keras 2's ``custom_object_scope({'MyLayer': MyLayer, 'my_loss': my_loss})``: names that
    deserialization (load_model, from_config) resolves to these objects inside the block."""
    merged = dict(_CUSTOM_OBJECTS[-1])
    for s in scopes:
        merged.update(s or {})
    _CUSTOM_OBJECTS.append(merged)
    try:
        yield merged
    finally:
        _CUSTOM_OBJECTS.pop()


def get_custom_objects():
    return _CUSTOM_OBJECTS[0]


def custom_object(name):
    return _CUSTOM_OBJECTS[-1].get(name)


def class_config(obj, module, known, use_legacy_format=False):
    """``obj`` (an instance of a Keras class with get_config) as tf_keras 2.13+ writes it:
    {'module', 'class_name', 'config', 'registered_name'} (registered_name None for a built-in
    class of ``known``), or the legacy {'class_name', 'config'}."""
    name = type(obj).__name__
    out = {"class_name": name, "config": obj.get_config()}
    if use_legacy_format:
        return out
    registered = None if known.get(name) is type(obj) else name
    return dict({"module": module}, **out, registered_name=registered)


def from_class_config(what, config, known, custom_objects=None, kind="class"):
    """The instance a class config describes: the class from ``custom_objects``, ``known``, then
    the custom object scope; ``from_config`` (else the constructor) on its config."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"{what}.deserialize: expected a config dict with 'class_name', got "
                         f"{config!r}")
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or known.get(name) or custom_object(name)
    if cls is None:
        raise ValueError(f"{what}.deserialize: unknown {kind} {name!r}; known: "
                         f"{', '.join(sorted(known))} (pass a custom one in custom_objects)")
    cfg = config.get("config", {}) or {}
    return cls.from_config(cfg) if hasattr(cls, "from_config") else cls(**cfg)
