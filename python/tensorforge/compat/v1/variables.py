"""tf.compat.v1.get_variable / variable_scope as TensorFlow 2 runs them eagerly: get_variable
makes a new variable on every call (eager execution keeps no variable store, so reuse= has
nothing to reuse), named ``<scopes>/<name>:0``, initialized by ``initializer`` (a TensorFlow 1
or Keras initializer, a callable of (shape, dtype), or a value), else by the innermost
variable_scope's initializer, else glorot_uniform for floats and zeros for integers, as
TensorFlow's."""
import contextlib
import sys

import numpy as np

__all__ = ["get_variable", "variable_scope", "AUTO_REUSE", "get_variable_scope"]

AUTO_REUSE = "auto_reuse"  # (TensorFlow's _ReuseMode.AUTO_REUSE, accepted as reuse=)
_SCOPES = []  # (name, initializer, dtype) of the open variable_scopes, outermost first


class _Scope:
    def __init__(self, name, initializer, dtype, reuse):
        self.name, self.initializer, self.dtype, self.reuse = name, initializer, dtype, reuse

    @property
    def original_name_scope(self):
        return self.name + "/" if self.name else ""


def get_variable_scope():
    return _SCOPES[-1] if _SCOPES else _Scope("", None, None, False)


@contextlib.contextmanager
def variable_scope(name_or_scope=None, default_name=None, values=None, initializer=None,
                   regularizer=None, caching_device=None, partitioner=None, custom_getter=None,
                   reuse=None, dtype=None, use_resource=None, constraint=None,
                   auxiliary_name_scope=True):
    """Names the variables get_variable makes inside it ``<scope>/<name>``; its initializer
    and dtype are their defaults."""
    for k, v in (("regularizer", regularizer), ("partitioner", partitioner),
                 ("custom_getter", custom_getter), ("caching_device", caching_device)):
        if v is not None:
            raise ValueError(f"compat.v1.variable_scope: {k}= is not supported")
    name = getattr(name_or_scope, "name", name_or_scope) or default_name
    if name is None:
        raise ValueError("compat.v1.variable_scope: give name_or_scope or default_name")
    outer = get_variable_scope()
    full = f"{outer.name}/{name}" if outer.name and not isinstance(name_or_scope, _Scope) \
        else str(name)
    scope = _Scope(full, initializer if initializer is not None else outer.initializer,
                   dtype if dtype is not None else outer.dtype, reuse)
    _SCOPES.append(scope)
    try:
        yield scope
    finally:
        _SCOPES.pop()


def get_variable(name, shape=None, dtype=None, initializer=None, regularizer=None,
                 trainable=None, collections=None, caching_device=None, partitioner=None,
                 validate_shape=True, use_resource=None, custom_getter=None, constraint=None,
                 synchronization=None, aggregation=None):
    op = "compat.v1.get_variable"
    for k, v in (("regularizer", regularizer), ("collections", collections),
                 ("partitioner", partitioner), ("custom_getter", custom_getter),
                 ("caching_device", caching_device)):
        if v is not None:
            raise ValueError(f"{op}: {k}= is not supported (TensorFlow 1 graph mode)")
    tf = sys.modules["tensorforge"]  # Note [compat.v1 reads the package namespace]
    scope = get_variable_scope()
    dtype = dtype if dtype is not None else (scope.dtype or "float32")
    dt = np.dtype(getattr(dtype, "as_numpy_dtype", dtype))
    init = initializer if initializer is not None else scope.initializer
    if init is None or callable(init):
        if shape is None:
            raise ValueError(f"{op}: Shape of a new variable ({name}) must be fully defined, "
                             "but instead was None.")
        shape = tuple(int(d) for d in shape)
        if init is None:
            init = tf.initializers.GlorotUniform() if dt.kind == "f" else tf.initializers.Zeros()
        value = init(shape, dtype=dt)
    else:  # a value: its own shape
        value = np.asarray(getattr(init, "numpy", lambda: init)(), dtype=dt)
        if shape is not None and validate_shape and tuple(value.shape) != tuple(shape):
            raise ValueError(f"{op}: the initializer value has shape {value.shape}, not the "
                             f"shape given {tuple(shape)}")
    full = f"{scope.name}/{name}" if scope.name else name
    return tf.Variable(value, trainable=True if trainable is None else trainable, name=full,
                       dtype=dt, constraint=constraint)
