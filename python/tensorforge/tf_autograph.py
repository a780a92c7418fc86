"""TensorFlow 2's ``tf.autograph``: converting Python control flow into a graph. tensorforge
runs every function eagerly (tf.function included), so there is nothing to convert: the
decorators return the function itself, ``to_graph`` gives it back, ``to_code`` its source, and
the verbosity / loop-option switches have nothing to affect."""
import enum
import inspect
import types

__all__ = ["experimental", "set_verbosity", "to_code", "to_graph", "trace"]


def _do_not_convert(func=None):
    """``@tf.autograph.experimental.do_not_convert``: the function unchanged."""
    if func is None:
        return lambda f: f
    return func


def set_loop_options(parallel_iterations=None, swap_memory=None, maximum_iterations=None,
                     shape_invariants=None):
    """Loop hints for graph conversion: none happens here."""


class Feature(enum.Enum):
    ALL = "ALL"
    AUTO_CONTROL_DEPS = "AUTO_CONTROL_DEPS"
    ASSERT_STATEMENTS = "ASSERT_STATEMENTS"
    BUILTIN_FUNCTIONS = "BUILTIN_FUNCTIONS"
    EQUALITY_OPERATORS = "EQUALITY_OPERATORS"
    LISTS = "LISTS"
    NAME_SCOPES = "NAME_SCOPES"


experimental = types.SimpleNamespace(do_not_convert=_do_not_convert,
                                     set_loop_options=set_loop_options, Feature=Feature)


def set_verbosity(level, alsologtostdout=False):
    """AutoGraph's log level: nothing is converted, so nothing is logged."""


def to_graph(entity, recursive=True, experimental_optional_features=None):
    """The entity itself: it runs eagerly (there is no graph to convert it to)."""
    if not callable(entity):
        raise ValueError(f"to_graph: expected a function or method, got {entity!r}")
    return entity


def to_code(entity, recursive=True, experimental_optional_features=None):
    """The entity's own source (TensorFlow gives the converted source; no conversion here)."""
    return inspect.getsource(entity)


def trace(*args):
    """``tf.autograph.trace``: prints its arguments (eagerly, as TensorFlow does outside a
    graph)."""
    print(*args)
