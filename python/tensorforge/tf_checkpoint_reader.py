"""Reading checkpoints back without the objects that wrote them: ``tf.train.list_variables``,
``load_checkpoint`` (a reader with ``get_tensor`` / ``has_tensor`` /
``get_variable_to_shape_map`` / ``get_variable_to_dtype_map``), ``load_variable``,
``checkpoints_iterator`` and ``CheckpointOptions``.

They read the checkpoints ``tf.train.Checkpoint`` writes here (tf_checkpoint.py:
``<prefix>.index``, tensorforge's own format) and the files ``Model.save_weights(prefix)``
writes (engine/saving.py; the weights by name, ``dense/kernel``); TensorFlow's TensorBundle
files are not read: a ValueError says so. A path is a checkpoint prefix or a directory (its
latest checkpoint).
The names are TensorFlow's checkpoint keys: a variable's object-graph path
(tf_checkpoint_graph.py: ``net/l1/kernel``, ``v`` for a ``tf.Variable`` given as ``v=``)
followed by ``/.ATTRIBUTES/VARIABLE_VALUE``; ``save_counter/.ATTRIBUTES/VARIABLE_VALUE``; a
tf.data iterator's ``<path>/.ATTRIBUTES/ITERATOR_STATE`` (here its position); an optimizer's
``<opt>/iter/.ATTRIBUTES/VARIABLE_VALUE`` and its slots
``<variable path>/.OPTIMIZER_SLOT/<opt>/slot_<j>/.ATTRIBUTES/VARIABLE_VALUE`` (TensorFlow
names the slots, ``m`` / ``v`` for Adam; here they are numbered). TensorFlow's
``_CHECKPOINTABLE_OBJECT_GRAPH`` entry is not listed: the graph is not stored as a proto.
"""
import os
import time

import numpy as np

from . import _fileio
from .tf_checkpoint import FORMAT, VERSION
from .tf_debugging import NotFoundError
from .tf_train import latest_checkpoint

__all__ = ["list_variables", "load_checkpoint", "load_variable", "checkpoints_iterator",
           "CheckpointOptions", "CheckpointReader"]


def _prefix(op, ckpt_dir_or_file):
    p = os.fspath(ckpt_dir_or_file)
    if os.path.isdir(p):
        found = latest_checkpoint(p)
        if found is None:
            raise ValueError(f"tf.train.{op}: Couldn't find 'checkpoint' file or checkpoints in "
                             f"given directory {p}")
        p = found
    if p.endswith(".index"):
        p = p[:-len(".index")]
    if not os.path.isfile(p + ".index") and not os.path.isfile(p):
        raise NotFoundError(None, None, f"tf.train.{op}: Unsuccessful TensorSliceReader "
                                        f"constructor: Failed to find any matching files for {p}")
    return p


VAR = "/.ATTRIBUTES/VARIABLE_VALUE"


def _names(keys, optimizers):
    """{stored key: TensorFlow's checkpoint key} (see the module docstring)."""
    out = {}
    for key in keys:
        kind, rest = key.split("/", 1)
        if kind == "v":
            out[key] = rest + VAR
        elif kind == "c":
            out[key] = rest + VAR
        elif kind == "i":
            out[key] = rest + "/.ATTRIBUTES/ITERATOR_STATE"
        elif kind == "o":  # o/<optimizer path>/<variable path>/<slot>: paths may hold "/"
            opt = next((o for o in sorted(optimizers, key=len, reverse=True)
                        if rest.startswith(o + "/")), None)
            if opt is None:
                continue
            var, j = rest[len(opt) + 1:].rsplit("/", 1)
            out[key] = f"{var}/.OPTIMIZER_SLOT/{opt}/slot_{j}{VAR}"
    return out


def _weights_file(path):
    """The weights of a ``Model.save_weights`` file (engine/saving.py), by weight name without
    ``:0`` (``dense/kernel``)."""
    from .engine.saving import FORMAT as KERAS_FORMAT, FORMAT_VERSION
    try:
        meta, members = _fileio.read(path, KERAS_FORMAT, FORMAT_VERSION)
    except ValueError as e:
        raise ValueError(f"tf.train.load_checkpoint: {path} is neither a checkpoint nor a "
                         f"save_weights file written here: {e}") from None
    names = [n[:-2] if n.endswith(":0") else n for n, _ in meta.get("weights", [])]
    with members as arrays:
        return {n: np.asarray(arrays[f"w/{i}"]) for i, n in enumerate(names)}


class CheckpointReader:
    """The variables of one checkpoint, by name (see the module docstring)."""

    def __init__(self, prefix):
        if not os.path.isfile(prefix + ".index"):  # Model.save_weights(prefix): the weights file
            self._arrays = _weights_file(prefix)
            return
        try:
            meta, members = _fileio.read(prefix + ".index", FORMAT, VERSION)
        except ValueError as e:
            raise ValueError(f"tf.train.load_checkpoint: {prefix} is not a tensorforge "
                             f"checkpoint (TensorFlow's own checkpoints are not read): {e}") \
                from None
        if meta.get("version") != VERSION:
            raise ValueError(f"tf.train.load_checkpoint: {prefix} was written by an older "
                             f"tensorforge (variables named by position)")
        optimizers = meta.get("optimizers", {})
        with members as arrays:
            names = _names([k for k in arrays if k != _fileio._CONFIG], optimizers)
            self._arrays = {n: np.asarray(arrays[k]) for k, n in names.items()}
        for opt, info in optimizers.items():
            self._arrays[f"{opt}/iter{VAR}"] = np.asarray(info["iterations"], np.int64)

    def get_variable_to_shape_map(self):
        return {k: list(a.shape) for k, a in self._arrays.items()}

    def get_variable_to_dtype_map(self):
        return {k: a.dtype for k, a in self._arrays.items()}

    def has_tensor(self, name):
        return name in self._arrays

    def get_tensor(self, name):
        if name not in self._arrays:
            raise NotFoundError(None, None, f"Key {name} not found in checkpoint")
        return self._arrays[name].copy()


def load_checkpoint(ckpt_dir_or_file):
    return CheckpointReader(_prefix("load_checkpoint", ckpt_dir_or_file))


def list_variables(ckpt_dir_or_file):
    """``[(name, shape)]`` of the checkpoint's variables, sorted by name."""
    reader = load_checkpoint(ckpt_dir_or_file)
    return sorted(reader.get_variable_to_shape_map().items())


def load_variable(ckpt_dir_or_file, name):
    """The value (a NumPy array) of one variable; TensorFlow's ``:0`` suffix is accepted."""
    if name.endswith(":0"):
        name = name[:-2]
    return load_checkpoint(ckpt_dir_or_file).get_tensor(name)


def checkpoints_iterator(checkpoint_dir, min_interval_secs=0, timeout=None, timeout_fn=None):
    """Yield each new latest checkpoint of ``checkpoint_dir`` as it appears, at most one per
    ``min_interval_secs``; after ``timeout`` seconds without one, stop (or, with
    ``timeout_fn``, stop when it returns True, else keep waiting)."""
    last = None
    while True:
        deadline = None if timeout is None else time.time() + timeout
        found = None
        while True:
            cur = latest_checkpoint(checkpoint_dir)
            if cur is not None and cur != last:
                found = cur
                break
            if deadline is not None and time.time() >= deadline:
                break
            time.sleep(min(1.0, max(0.0, deadline - time.time())) if deadline else 1.0)
        if found is None:
            if timeout_fn is None or timeout_fn():
                return
            continue
        start = time.time()
        last = found
        yield found
        wait = min_interval_secs - (time.time() - start)
        if wait > 0:
            time.sleep(wait)


class CheckpointOptions:
    """``tf.train.CheckpointOptions``: recorded; tensorforge writes one file per checkpoint on
    the host, so the I/O device and the async / sharding switches change nothing."""

    def __init__(self, experimental_io_device=None, experimental_enable_async_checkpoint=False,
                 experimental_write_callbacks=None, enable_async=False,
                 experimental_sharding_callback=None, experimental_skip_slot_variables=False):
        self.experimental_io_device = experimental_io_device
        self.enable_async = bool(enable_async or experimental_enable_async_checkpoint)
        self.experimental_enable_async_checkpoint = self.enable_async
        self.experimental_write_callbacks = experimental_write_callbacks
        self.experimental_sharding_callback = experimental_sharding_callback
        self.experimental_skip_slot_variables = experimental_skip_slot_variables
