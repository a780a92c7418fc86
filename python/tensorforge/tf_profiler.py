"""``tf.profiler.experimental`` (TensorFlow 2): ``start(logdir)`` / ``stop()``, the ``Profile``
context and ``Trace`` annotations, with TensorFlow's state checks -- a second ``start`` is an
``AlreadyExistsError``, ``stop`` with none running an ``UnavailableError``. tensorforge has no
device tracer: a profile holds nothing here, so ``stop`` writes no ``plugins/profile`` run
(TensorFlow writes one under the logdir) and a warning says so once. Programs that bracket a
traced call with ``start`` (the TF guide "Introduction to modules": ``trace_on``,
``profiler.experimental.start``, ``trace_export``) run through."""
import collections
import contextlib
import os
import types
import warnings

from .tf_debugging import AlreadyExistsError, UnavailableError

__all__ = ["experimental"]

ProfilerOptions = collections.namedtuple(
    "ProfilerOptions", ["host_tracer_level", "python_tracer_level", "device_tracer_level",
                        "delay_ms"], defaults=(2, 0, 1, None))

_state = {"logdir": None, "warned": False}


def start(logdir, options=None):
    if _state["logdir"] is not None:
        raise AlreadyExistsError(None, None, "Another profiler is running.")
    _state["logdir"] = os.fspath(logdir)


def stop(save=True):
    if _state["logdir"] is None:
        raise UnavailableError(None, None,
                               "Cannot export profiling results. No profiler is running.")
    _state["logdir"] = None
    if save and not _state["warned"]:
        warnings.warn("tf.profiler.experimental.stop: tensorforge has no device tracer; no "
                      "profile was written", stacklevel=2)
        _state["warned"] = True


@contextlib.contextmanager
def Profile(logdir, options=None):  # noqa: N802 (TensorFlow's name)
    start(logdir, options)
    try:
        yield
    finally:
        stop()


class Trace:
    """``with tf.profiler.experimental.Trace("train", step_num=s):`` -- an annotation for the
    profiler's timeline; nothing to record without a tracer."""

    def __init__(self, name, **kwargs):
        self.name = name

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


experimental = types.SimpleNamespace(start=start, stop=stop, Profile=Profile, Trace=Trace,
                                     ProfilerOptions=ProfilerOptions)
