"""The static shapes TensorFlow's graph would give tensors while tf.data traces a map function,
for ``Dataset.map``'s element_spec (tf_data.py, Note [map element_spec]).

TensorFlow builds a map's element_spec by tracing the function once: an op whose output
shape depends on the values (``tf.strings.split`` of a scalar, ``tf.py_function``) has
unknown dimensions there, which ``set_shape`` / ``tf.ensure_shape`` may fill in. Here the
function runs eagerly on the first element; while it does (``tracing()``), such ops note the
shape TensorFlow's graph knows for their outputs (``noted``: None for an unknown rank, a tuple
with None for unknown dimensions), ``set_shape`` / ``ensure_shape`` refine it (``refine``),
and the spec reads it back (``known``). Outside a trace these do nothing: an eager op's
shape is its own, in TensorFlow too.
"""
import contextlib

_TRACES = []  # a stack of {id(tensor): (tensor, static shape)}
_UNSET = object()


@contextlib.contextmanager
def tracing():
    _TRACES.append({})
    try:
        yield
    finally:
        _TRACES.pop()


def noted(t, shape):
    """``t``, whose static shape while tracing is ``shape`` (None: unknown rank)."""
    if _TRACES:
        _TRACES[-1][id(t)] = (t, None if shape is None else tuple(shape))
    return t


def refine(t, shape):
    """While tracing: ``t``'s noted static shape merged with ``shape`` (``set_shape``: a
    known dimension fills an unknown one)."""
    if not _TRACES or id(t) not in _TRACES[-1] or shape is None:
        return
    have = _TRACES[-1][id(t)][1]
    given = tuple(None if d is None else int(d) for d in shape)
    merged = given if have is None else tuple(h if g is None else g
                                              for h, g in zip(have, given))
    _TRACES[-1][id(t)] = (t, merged)


def known(t, default=_UNSET):
    """``t``'s noted static shape, else ``default`` (``t``'s own shape)."""
    entry = _TRACES[-1].get(id(t)) if _TRACES else None
    if entry is not None and entry[0] is t:
        return entry[1]
    return tuple(t.shape) if default is _UNSET else default
