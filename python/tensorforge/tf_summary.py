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
    """Write the string ``data`` under ``name``, or a tensor of strings of any shape (TensorBoard
    shows a vector or matrix as a table, as TensorFlow's op writes it); True if written."""
    v = raw(data)
    a = np.asarray(v.numpy() if hasattr(v, "numpy") else v, dtype=object)
    items = [x.decode("utf-8") if isinstance(x, bytes) else x for x in a.ravel()]
    if not items or not all(isinstance(x, str) for x in items):
        got = type(v).__name__ if a.ndim == 0 else f"{type(v).__name__} of " + ", ".join(
            sorted({type(x).__name__ for x in items}) or ["nothing"])
        raise TypeError(f"tf.summary.text: data must be a string or strings, got {got}")
    from tensorboardX import summary as pb
    if a.ndim == 0:
        return _emit("text", step, lambda: pb.text(str(name), items[0]))

    def table():
        out = pb.text(str(name), "")
        t = out.value[0].tensor
        del t.string_val[:]
        t.string_val.extend(x.encode("utf-8") for x in items)
        del t.tensor_shape.dim[:]
        for n in a.shape:
            t.tensor_shape.dim.add(size=int(n))
        return out
    return _emit("text", step, table)


def _images_png(op, data, max_outputs):
    """PNG bytes of up to ``max_outputs`` images of a (k, h, w, c) batch (c 1, 3 or 4): floats
    in [0, 1] scaled to 0..255 as TensorFlow's image summary does, uint8 as they are."""
    from . import tf_png
    a = np.asarray(host(raw(data)))
    if a.ndim != 4 or a.shape[3] not in (1, 3, 4):
        raise ValueError(f"tf.summary.{op}: data must be 4-D (k, h, w, 1, 3 or 4), got shape "
                         f"{a.shape}")
    if a.dtype != np.uint8:
        a = np.clip(np.round(a.astype(np.float64) * 255.0), 0, 255).astype(np.uint8)
    return [(a.shape[1], a.shape[2], a.shape[3], tf_png.encode(img))
            for img in a[:int(max_outputs)]]


def image(name, data, step=None, max_outputs=3, description=None):
    """Write up to ``max_outputs`` images of ``data`` (k, h, w, c) as PNGs under ``name``
    (TensorBoard's Summary.Image values, tagged ``name/image/i``); True if written."""
    pngs = _images_png("image", data, max_outputs)

    def summary():
        from tensorboardX.proto.summary_pb2 import Summary
        return Summary(value=[Summary.Value(tag=f"{name}/image/{i}", image=Summary.Image(
            height=h, width=w, colorspace=c, encoded_image_string=png))
            for i, (h, w, c, png) in enumerate(pngs)])
    return _emit("image", step, summary)


def _wav(samples, rate):
    """16-bit PCM WAV bytes of (frames, channels) floats in [-1, 1]."""
    import struct
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
    frames, ch = pcm.shape
    body = pcm.tobytes()
    return (b"RIFF" + struct.pack("<I", 36 + len(body)) + b"WAVEfmt " +
            struct.pack("<IHHIIHH", 16, 1, ch, rate, rate * ch * 2, ch * 2, 16) +
            b"data" + struct.pack("<I", len(body)) + body)


def audio(name, data, sample_rate, step=None, max_outputs=3, encoding=None, description=None):
    """Write up to ``max_outputs`` clips of ``data`` (k, frames, channels), floats in [-1, 1],
    as 16-bit WAV under ``name`` (Summary.Audio values ``name/audio/i``); True if written."""
    if encoding not in (None, "wav"):
        raise ValueError(f"tf.summary.audio: encoding must be 'wav' (or None), got {encoding!r}")
    a = np.asarray(host(raw(data)), dtype=np.float64)
    if a.ndim != 3:
        raise ValueError(f"tf.summary.audio: data must be 3-D (k, frames, channels), got shape "
                         f"{a.shape}")
    rate = int(_as_number("audio", "sample_rate", sample_rate))
    clips = [(_wav(c, rate), c.shape[0], c.shape[1]) for c in a[:int(max_outputs)]]

    def summary():
        from tensorboardX.proto.summary_pb2 import Summary
        return Summary(value=[Summary.Value(tag=f"{name}/audio/{i}", audio=Summary.Audio(
            sample_rate=rate, num_channels=ch, length_frames=n, encoded_audio_string=wav,
            content_type="audio/wav")) for i, (wav, n, ch) in enumerate(clips)])
    return _emit("audio", step, summary)


def write(tag, tensor, step=None, metadata=None, name=None):
    """Write ``tensor`` (any value; a callable is called only when writing) as a tensor
    summary under ``tag``, its TensorProto TensorFlow's (tf_tensor_proto.py); ``metadata``
    a SummaryMetadata or its serialized bytes; True if written."""
    def summary():
        from tensorboardX.proto.summary_pb2 import Summary, SummaryMetadata
        from tensorboardX.proto.tensor_pb2 import TensorProto
        from .tf_tensor_proto import serialize_tensor
        value = tensor() if callable(tensor) else tensor
        proto = TensorProto.FromString(serialize_tensor(value).numpy())
        meta = metadata if metadata is None or hasattr(metadata, "plugin_data") else \
            SummaryMetadata.FromString(bytes(metadata))
        return Summary(value=[Summary.Value(tag=str(tag), tensor=proto, metadata=meta)])
    return _emit("write", step, summary)


def should_record_summaries():
    """True (a bool Tensor) when a summary op would write now: a default writer that is not a
    no-op one, with recording on."""
    from .autograd import Tensor
    on = bool(_default) and _state["record"] and not isinstance(_default[-1], _NoopWriter)
    return Tensor(np.asarray(on))


_trace = {"on": False}


def trace_on(graph=True, profiler=False, profiler_outdir=None):
    """Recorded: tensorforge builds no graphs for ``trace_export`` to write."""
    _trace["on"] = True


def trace_off():
    _trace["on"] = False


def trace_export(name, step=None, profiler_outdir=None):
    """Ends tracing. tensorforge runs functions eagerly and records no graph, so nothing is
    written (TensorFlow writes the traced tf.function graphs); a warning says so once."""
    import warnings
    if _trace["on"] and not _trace.get("warned"):
        warnings.warn("tf.summary.trace_export: tensorforge runs tf.function eagerly and has no "
                      "graph to export; nothing was written", stacklevel=2)
        _trace["warned"] = True
    _trace["on"] = False


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
           "text", "flush", "record_if", "experimental", "image", "audio", "write",
           "should_record_summaries", "trace_on", "trace_off", "trace_export"]
