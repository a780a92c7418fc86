"""TensorFlow 1's ``tf.logging`` and ``tf.gfile``, which Keras 2 programs still call as
``tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.ERROR)`` (TensorFlow 2 keeps them
there) or, written for TensorFlow 1, as ``tf.logging`` / ``tf.gfile``.

``logging`` writes to the ``tensorflow`` logger (the one ``tf.get_logger()`` returns), with
TensorFlow's level numbers (DEBUG 10 ... FATAL 50); ``gfile`` is ``tf.io.gfile`` under
TensorFlow 1's CamelCase names (``Exists``, ``MakeDirs``, ``GFile`` ...)."""
import logging as _logging
import types

from . import tf_gfile

DEBUG, INFO, WARN, ERROR, FATAL = (_logging.DEBUG, _logging.INFO, _logging.WARN, _logging.ERROR,
                                   _logging.FATAL)


def _logger():
    return _logging.getLogger("tensorflow")


def set_verbosity(v):
    _logger().setLevel(v)


def get_verbosity():
    return _logger().getEffectiveLevel()


def _say(level):
    def say(msg, *args, **kwargs):
        _logger().log(level, msg, *args, **kwargs)
    return say


logging = types.SimpleNamespace(
    DEBUG=DEBUG, INFO=INFO, WARN=WARN, WARNING=WARN, ERROR=ERROR, FATAL=FATAL,
    set_verbosity=set_verbosity, get_verbosity=get_verbosity,
    debug=_say(DEBUG), info=_say(INFO), warn=_say(WARN), warning=_say(WARN), error=_say(ERROR),
    fatal=_say(FATAL), log=lambda level, msg, *a, **k: _logger().log(level, msg, *a, **k),
    log_first_n=lambda level, msg, n, *a: _logger().log(level, msg, *a),
    log_every_n=lambda level, msg, n, *a: _logger().log(level, msg, *a),
    vlog=lambda level, msg, *a: _logger().log(level, msg, *a))

gfile = types.SimpleNamespace(
    GFile=tf_gfile.GFile, Open=tf_gfile.GFile, FastGFile=tf_gfile.GFile, Exists=tf_gfile.exists,
    IsDirectory=tf_gfile.isdir, Glob=tf_gfile.glob, ListDirectory=tf_gfile.listdir,
    MakeDirs=tf_gfile.makedirs, MkDir=tf_gfile.mkdir, Remove=tf_gfile.remove,
    Rename=tf_gfile.rename, Copy=tf_gfile.copy, DeleteRecursively=tf_gfile.rmtree,
    Stat=tf_gfile.stat, Walk=tf_gfile.walk)


def placeholder(dtype=None, shape=None, name=None):
    """TensorFlow 1's ``tf.placeholder(dtype, shape)``: a Keras placeholder (an Input), which
    Keras layers take and ``Session.run(..., feed_dict={placeholder: value})`` feeds. Without a
    shape, a scalar one (Raschka ch. 14 feeds ``{a: 1, b: 2, c: 3}`` to ``shape=None``
    placeholders); TensorFlow 1's any-rank placeholder is not modelled: an array fed to it is
    refused, naming the shapes."""
    from .backend_ops.graph_ops import placeholder as k_placeholder
    if shape is None:
        return k_placeholder(ndim=0, dtype=dtype, name=name)
    return k_placeholder(shape=tuple(shape), dtype=dtype, name=name)


def enable_eager_execution(*args, **kwargs):
    """TensorFlow 1.x's switch to eager mode: tensorforge always runs eagerly."""


__all__ = ["logging", "gfile", "enable_eager_execution", "placeholder"]
