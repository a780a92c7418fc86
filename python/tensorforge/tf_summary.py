"""``tf.summary``: TensorFlow 2's summary writers, as Keras 2 programs call them from callbacks.

    writer = tf.summary.create_file_writer("logs/run1")
    with writer.as_default():
        tf.summary.scalar("jaccard_score", 0.83, step=epoch)
        writer.flush()

A summary op writes to the innermost default writer (``as_default()`` / ``set_as_default()``)
and returns True; with no default writer it writes nothing and returns False, as TensorFlow's
do. The step is the ``step`` argument, else the one of ``as_default(step=...)`` or
``tf.summary.experimental.set_step``; a summary to a writer with no step at all is a
ValueError (TensorFlow's rule). Event files are written by tensorboardX (the TensorBoard
callback's extra, ``pip install tensorboardX``), one ``events.out.tfevents.*`` file per writer
in its log directory, so TensorBoard reads them as it reads TensorFlow's.
"""
import contextlib
import os
import time

import numpy as np

from ._xp import host, raw

_default = []       # the writers made default, innermost last
_state = {"step": None, "record": True}
_count = [0]        # writers made by this process (their event files' names)


def _as_number(op, arg, value):
    v = np.asarray(host(raw(value)))
    if v.size != 1:
        raise ValueError(f"tf.summary.{op}: {arg} must be a scalar, got shape {v.shape}")
    return v.reshape(())


class SummaryWriter:
    """What ``create_file_writer`` returns: ``as_default(step=None)``, ``set_as_default``,
    ``flush``, ``close``, ``init``. Events are written as they come (no background queue), so
    after ``flush()`` the file holds every summary written so far."""

    def __init__(self, logdir, filename_suffix=None):
        try:
            from tensorboardX.event_file_writer import EventsWriter
            from tensorboardX.record_writer import directory_check
        except ImportError:
            raise ImportError("tf.summary.create_file_writer needs tensorboardX to write event "
                              "files: pip install tensorboardX (or 'tensorforge[tensorboard]')"
                              ) from None
        self.logdir = os.fspath(logdir)
        directory_check(self.logdir)
        _count[0] += 1  # TensorFlow's file name: events.out.tfevents.<time>.<host>.<pid>.<n>.v2
        suffix = ".%d.%d.v2%s" % (os.getpid(), _count[0], filename_suffix or "")
        self._ev = EventsWriter(os.path.join(self.logdir, "events"), suffix)
        self._closed = False

    def init(self):
        return None

    @contextlib.contextmanager
    def as_default(self, step=None):
        """Make this the writer summary ops write to, inside the block (and ``step``, when
        given, their default step)."""
        saved = _state["step"]
        _default.append(self)
        if step is not None:
            _state["step"] = step
        try:
            yield self
        finally:
            del _default[len(_default) - 1 - _default[::-1].index(self)]
            _state["step"] = saved
            self.flush()

    def set_as_default(self, step=None):
        """Make this the default writer for good (until another one is)."""
        _default.append(self)
        if step is not None:
            _state["step"] = step

    def flush(self):
        if not self._closed:
            self._ev.flush()

    def close(self):
        if not self._closed:
            self._ev.close()
            self._closed = True

    def _write(self, op, step, summary):
        from tensorboardX.proto import event_pb2
        if self._closed:
            raise RuntimeError(f"tf.summary.{op}: the writer for {self.logdir!r} is closed")
        if step is None:
            step = _state["step"]
        if step is None:
            raise ValueError(f"tf.summary.{op}: No step set. Please specify one either through "
                             "the `step` argument or through tf.summary.experimental.set_step()")
        step = int(_as_number(op, "step", step))
        self._ev.write_event(event_pb2.Event(wall_time=time.time(), step=step, summary=summary()))


class _NoopWriter(SummaryWriter):
    def __init__(self):
        self.logdir, self._closed = None, False

    def flush(self):
        return None

    def close(self):
        return None



def create_file_writer(logdir, max_queue=None, flush_millis=None, filename_suffix=None,
                       name=None, experimental_trackable=False):
    """A writer of an event file in ``logdir`` (created if missing). ``max_queue`` and
    ``flush_millis`` are accepted and have nothing to tune: events go to the file as they are
    written, ``flush()`` (and leaving ``as_default``) pushes them to disk."""
    if not isinstance(logdir, (str, bytes)) and not hasattr(logdir, "__fspath__"):
        raise TypeError(f"tf.summary.create_file_writer: logdir must be a path, got "
                        f"{type(logdir).__name__}")
    return SummaryWriter(logdir, filename_suffix)


def create_noop_writer():
    """A writer that writes nothing (summary ops under it return False)."""
    return _NoopWriter()


def _emit(op, step, summary):
    """Write the Summary proto ``summary()`` makes to the default writer; False if there is none
    (or recording is off, or it is a no-op writer), as TensorFlow's summary ops return."""
    if not _default or not _state["record"] or isinstance(_default[-1], _NoopWriter):
        return False
    _default[-1]._write(op, step, summary)
    return True


def scalar(name, data, step=None, description=None):
    """Write ``data`` (a number or a one-element tensor) under ``name``; True if written."""
    value = float(_as_number("scalar", "data", data))
    from tensorboardX import summary as pb
    return _emit("scalar", step, lambda: pb.scalar(str(name), value))


def histogram(name, data, step=None, buckets=None, description=None):
    """Write the histogram of ``data``'s values under ``name`` (``buckets`` bins, default 30,
    TensorFlow's); True if written."""
    values = np.asarray(host(raw(data)), dtype=np.float64).ravel()
    if buckets is not None and int(buckets) < 1:
        raise ValueError(f"tf.summary.histogram: buckets must be >= 1, got {buckets}")
    from tensorboardX import summary as pb
    bins = int(buckets or 30)
    return _emit("histogram", step, lambda: pb.histogram(str(name), values, bins))


def text(name, data, step=None, description=None):
    """Write the string ``data`` under ``name``; True if written."""
    v = raw(data)
    v = v.item() if hasattr(v, "item") and getattr(v, "size", 2) == 1 else v
    if isinstance(v, bytes):
        v = v.decode("utf-8")
    if not isinstance(v, str):
        raise TypeError(f"tf.summary.text: data must be a string, got {type(v).__name__}")
    from tensorboardX import summary as pb
    return _emit("text", step, lambda: pb.text(str(name), v))


def flush(writer=None, name=None):
    """Flush ``writer`` (default: the default writer)."""
    w = writer if writer is not None else (_default[-1] if _default else None)
    if w is not None:
        w.flush()


@contextlib.contextmanager
def record_if(condition):
    """Summary ops inside write only where ``condition`` (a bool, or a callable) holds."""
    saved = _state["record"]
    _state["record"] = bool(condition() if callable(condition) else condition)
    try:
        yield
    finally:
        _state["record"] = saved


def _set_step(step):
    _state["step"] = step


def _get_step():
    return _state["step"]


class _Experimental:
    set_step = staticmethod(_set_step)
    get_step = staticmethod(_get_step)


experimental = _Experimental()

__all__ = ["SummaryWriter", "create_file_writer", "create_noop_writer", "scalar", "histogram",
           "text", "flush", "record_if", "experimental"]
