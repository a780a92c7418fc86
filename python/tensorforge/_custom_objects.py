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
