"""``tf.train.Checkpoint`` and ``tf.train.CheckpointManager`` as TensorFlow 2's custom training
loops use them (the DCGAN / pix2pix / NMT tutorials)::

    ckpt = tf.train.Checkpoint(generator=g, discriminator=d, g_opt=g_opt, step=tf.Variable(0))
    manager = tf.train.CheckpointManager(ckpt, "./ckpts", max_to_keep=3)
    ckpt.restore(manager.latest_checkpoint)     # None on a first run: nothing happens
    ...
    manager.save()                              # ./ckpts/ckpt-1, ckpt-2, ... (oldest removed)

What is saved: every variable reachable from the objects given by keyword (or set as
attributes later), named by its object-graph path as TensorFlow names it (``net/l1/kernel``:
tf_checkpoint_graph.py, Note [checkpoint object graph]) -- through Keras models and layers,
``tf.Module`` s, nested Checkpoints, lists and dicts --, a tf.data iterator's position
(tf_data_iter.py), an optimizer's ``iterations`` and its slots, keyed by their variable's path.
Restoring matches by path, so any structure with the same paths restores (new models, stand-in
Checkpoints); variables that appear later -- a model's first build, an attribute set on a
Checkpoint after the restore, an item appended to its list -- are restored when they appear
(Note [deferred restoration] in engine/deferred_restore.py). A checkpoint is one file,
``<prefix>.index``, in tensorforge's own format (TensorFlow's TensorBundle files are not
read), written atomically; the directory's ``checkpoint`` state file is TensorFlow's, so
``tf.train.latest_checkpoint`` finds it. Restoring checks shapes: a mismatch is a ValueError
naming the variable; ``assert_consumed`` tells what the file held that nothing took.
"""
import os
import time

import numpy as np

from . import _fileio
from ._xp import host
from .autograd import Tensor
from .engine import deferred_restore as _deferred
from .tf_data_iter import Iterator
from . import tf_checkpoint_graph as _graph
from .tf_train import STATE_FILE, get_checkpoint_state

__all__ = ["Checkpoint", "CheckpointManager"]

FORMAT, VERSION = "tensorforge-checkpoint", 2


_is_optimizer = _graph._is_optimizer


def _value(t):
    return np.asarray(host(t.data))


class _LoadStatus:
    """What ``restore`` returns: TensorFlow's checks on what was matched."""

    def __init__(self, unused):
        self._unused = unused  # live: a deferred restore (a model built later) takes its values

    def assert_consumed(self):
        unused = sorted(self._unused)
        if unused:
            raise AssertionError(f"Checkpoint.restore: unused values in the checkpoint: "
                                 f"{unused[:10]}{' ...' if len(unused) > 10 else ''}")
        return self

    def assert_existing_objects_matched(self):
        return self

    def assert_nontrivial_match(self):
        return self

    def expect_partial(self):
        return self

    def run_restore_ops(self, session=None):
        return None

    def initialize_or_restore(self, session=None):
        return None


class ListWrapper(list):
    """A list set on a Checkpoint (TensorFlow's ``ListWrapper``): what is appended to it later
    is restored at once from the checkpoint its owner last restored."""

    def __init__(self, items, on_add):
        super().__init__(items)
        self._on_add = on_add

    def append(self, value):
        super().append(value)
        self._on_add(str(len(self) - 1), value)

    def extend(self, values):
        for v in values:
            self.append(v)

    def __repr__(self):
        return f"ListWrapper({list.__repr__(self)})"


class _Restore:
    """What the last ``restore`` read, kept for the objects attached later (TensorFlow's
    queued restorations: Note [deferred restoration] in engine/deferred_restore.py)."""

    def __init__(self, stored, aliases, slots):
        self.stored, self.aliases, self.slots = stored, aliases, slots
        self.unused = {k for k in stored if k != "c/save_counter"}

    def value(self, path):
        key = "v/" + self.aliases.get(path, path)
        return key, self.stored.get(key)

    def assign(self, path, t):
        key, a = self.value(path)
        if a is None:
            return False
        if tuple(a.shape) != tuple(t.shape):
            raise ValueError(f"Checkpoint.restore: {path} has shape {tuple(t.shape)}, the "
                             f"checkpoint holds {tuple(a.shape)}")
        t.data[...] = a if isinstance(t.data, np.ndarray) else t.data.__class__(a)
        self.unused.discard(key)
        for opt, name, arrays in self.slots.get(key[2:], ()):
            opt.set_state([t], [arrays])
            self.unused.difference_update(name)
        return True

    def into(self, roots):
        """Assign every variable under ``roots`` ([(path, object)]) that the checkpoint holds;
        layers without weights yet get theirs when built."""
        variables, _, nodes, unbuilt = _graph.walk(roots)
        for path, t in variables:
            self.assign(path, t)
        for path, obj in nodes:
            key = f"i/{path}"
            if isinstance(obj, Iterator) and key in self.stored:
                obj._restore_position(self.stored[key])
                self.unused.discard(key)
        for path, obj in unbuilt:
            if any(k.startswith(f"v/{path}/") for k in self.stored):
                _deferred.defer(obj, path, self._builder(path, obj))

    def _builder(self, path, obj):
        """The deferred restore of ``obj`` at ``path``: whatever of its weights exist now;
        done when every stored value under ``path`` has found its variable."""
        want = {k for k in self.stored if k.startswith(f"v/{path}/")}

        def restore():
            if not obj.weights:
                return False
            variables, _, _, _ = _graph.walk([(path, obj)])
            for p, t in variables:
                if self.assign(p, t):
                    want.discard("v/" + self.aliases.get(p, p))
            return not want or obj.built and all(
                getattr(layer, "built", True) for layer in getattr(obj, "layers", []))
        return restore


class Checkpoint:
    """See the module docstring."""

    def __init__(self, root=None, **kwargs):
        objects = dict(kwargs)
        if root is not None:
            objects["root"] = root
        for k, v in objects.items():
            if v is None:
                raise ValueError(f"tf.train.Checkpoint: {k}=None cannot be checkpointed")
        self.__dict__["_objects"] = {}
        self.__dict__["_restoring"] = None  # (the _Restore, this checkpoint's path)
        self.__dict__["save_counter"] = Tensor(np.array(0, np.int64), name="save_counter:0")
        for k, v in objects.items():
            setattr(self, k, v)

    def __getattr__(self, name):
        objs = self.__dict__.get("_objects", {})
        if name in objs:
            return objs[name]
        raise AttributeError(f"'Checkpoint' object has no attribute {name!r}")

    def __setattr__(self, name, value):
        """An attribute set on a Checkpoint is checkpointed (TensorFlow's tracking); a list
        becomes a ListWrapper; after a restore, the new object is restored at once."""
        if name.startswith("_") or name == "save_counter":
            self.__dict__[name] = value
            return
        if isinstance(value, list) and not isinstance(value, ListWrapper):
            value = ListWrapper(value, lambda edge, v, name=name: self._attached(
                f"{name}/{edge}", v))
        self._objects[name] = value
        self._attached(name, value)

    def _attached(self, edge, value):
        pending = self.__dict__["_restoring"]
        if pending is not None:
            restore, path = pending
            restore.into([(f"{path}{edge}", value)])
            _mark(value, restore, f"{path}{edge}/")

    def _checkpoint_children(self):
        return _sorted_objects(self._objects)

    def _roots(self):
        for k, v in self._objects.items():
            if not (isinstance(v, Tensor) or _graph._is_node(v)):
                raise TypeError(f"tf.train.Checkpoint: cannot checkpoint {k}="
                                f"{type(v).__name__} (a model, layer, tf.Module, optimizer, "
                                "tf.Variable, iterator or Checkpoint)")
        return _sorted_objects(self._objects)

    # ---- writing -------------------------------------------------------------------------------
    def write(self, file_prefix, options=None):
        """Write the checkpoint at ``file_prefix`` (no counter, no state file); the prefix."""
        prefix = os.fspath(file_prefix)
        variables, aliases, nodes, unbuilt = _graph.walk(self._roots())
        for name, obj in unbuilt:
            raise ValueError(f"tf.train.Checkpoint: {name} ({type(obj).__name__}) has no "
                             "weights yet: build it (call it on data) before saving")
        arrays = {f"v/{n}": _value(t) for n, t in variables}
        arrays["c/save_counter"] = _value(self.save_counter)
        where = {id(t): n for n, t in variables}
        meta = {"format": FORMAT, "version": VERSION, "aliases": aliases, "optimizers": {}}
        for name, obj in nodes:
            if isinstance(obj, Iterator):  # a tf.data iterator: its position
                arrays[f"i/{name}"] = np.array(obj._position(), np.int64)
            elif _is_optimizer(obj):
                params = [st[0] for st in obj._state.values() if id(st[0]) in where]
                slots = obj.get_state(params)
                meta["optimizers"][name] = {"iterations": int(obj.iterations),
                                            "params": [where[id(p)] for p in params]}
                for p, arrs in zip(params, slots):
                    for j, a in enumerate(arrs):
                        arrays[f"o/{name}/{where[id(p)]}/{j}"] = np.asarray(host(a))
        os.makedirs(os.path.dirname(os.path.abspath(prefix)), exist_ok=True)
        _fileio.atomic_savez(prefix + ".index", meta, arrays)
        return prefix

    def save(self, file_prefix, options=None):
        """Write ``<file_prefix>-<n>`` (n: the save counter, incremented first) and record it in
        the directory's state file; returns that prefix."""
        self.save_counter.data[...] = self.save_counter.data + 1
        prefix = self.write(f"{os.fspath(file_prefix)}-{int(self.save_counter.data)}")
        _record(prefix, [prefix])
        return prefix

    # ---- reading -------------------------------------------------------------------------------
    def read(self, save_path, options=None):
        return self.restore(save_path)

    def restore(self, save_path, options=None):
        """Load ``save_path`` (a prefix from save / latest_checkpoint); None does nothing.
        Variables are matched by path (Note [checkpoint object graph] in
        tf_checkpoint_graph.py); those created later -- a layer's first build, an attribute
        set on a Checkpoint afterwards -- are restored when they appear."""
        if save_path is None:
            return _LoadStatus([])
        path = os.fspath(save_path)
        path = path if path.endswith(".index") else path + ".index"
        meta, members = _fileio.read(path, FORMAT, VERSION)
        if meta.get("version") != VERSION:
            raise ValueError(f"Checkpoint.restore: {save_path} was written by an older "
                             f"tensorforge (variables named by position); save it again")
        with members as arrays:
            stored = {n: arrays[n] for n in arrays if n != _fileio._CONFIG}
        if "c/save_counter" in stored:
            self.save_counter.data[...] = stored["c/save_counter"]
        roots = self._roots()
        nodes = dict((n, o) for n, o in _graph.walk(roots)[2])
        slots = {}  # variable path -> [(optimizer, slot keys, arrays)]
        for name, saved in meta.get("optimizers", {}).items():
            opt = nodes.get(name)
            if opt is None or not _is_optimizer(opt):
                continue
            opt.iterations = int(saved["iterations"])
            for pname in saved["params"]:
                keys = sorted((k for k in stored if k.startswith(f"o/{name}/{pname}/")),
                              key=lambda k: int(k.rsplit("/", 1)[1]))
                slots.setdefault(pname, []).append((opt, keys, [stored[k] for k in keys]))
        restore = _Restore(stored, dict(meta.get("aliases", {})), slots)
        restore.into(roots)
        _mark(self, restore, "")
        return _LoadStatus(restore.unused)


def _sorted_objects(objects):
    return sorted(objects.items(), key=lambda kv: kv[0])


def _mark(obj, restore, path):
    """Remember the restore on ``obj`` and the Checkpoints under it, with their paths, for
    the objects attached to them later."""
    if isinstance(obj, Checkpoint):
        obj.__dict__["_restoring"] = (restore, path)
        for k, v in obj._objects.items():
            _mark(v, restore, f"{path}{k}/")


def _record(prefix, kept, last_preserved=None):
    """The directory's TensorFlow state file: the latest prefix, the kept ones ({prefix:
    timestamp} or a list) and, for a CheckpointManager, the last preserved timestamp."""
    directory = os.path.dirname(prefix) or "."
    lines = [f'model_checkpoint_path: "{os.path.basename(prefix)}"'] + \
        [f'all_model_checkpoint_paths: "{os.path.basename(p)}"' for p in kept]
    if isinstance(kept, dict):
        lines += [f"all_model_checkpoint_timestamps: {t!r}" for t in kept.values()]
    if last_preserved is not None:
        lines.append(f"last_preserved_timestamp: {last_preserved!r}")
    _fileio.atomic_write(os.path.join(directory, STATE_FILE),
                         lambda tmp: open(tmp, "w").write("\n".join(lines) + "\n"))


def _step(v):
    return int(np.asarray(getattr(v, "data", v)))


class CheckpointManager:
    """Numbered checkpoints in ``directory``, the newest ``max_to_keep`` kept (None: all), as
    TensorFlow 2's: ``keep_checkpoint_every_n_hours`` also keeps, among those swept out, one
    every n hours (their files stay; the state file forgets them); ``checkpoint_interval``
    (with ``step_counter``) makes ``save`` skip until that many steps have passed. Checkpoints
    listed without timestamps (written by something else) are never deleted, as TensorFlow."""

    def __init__(self, checkpoint, directory, max_to_keep, keep_checkpoint_every_n_hours=None,
                 checkpoint_name="ckpt", step_counter=None, checkpoint_interval=None,
                 init_fn=None):
        if max_to_keep is not None and int(max_to_keep) < 1:
            raise ValueError(f"CheckpointManager: max_to_keep must be >= 1 or None, got "
                             f"{max_to_keep}")
        if checkpoint_interval is not None and step_counter is None:
            raise ValueError("`step_counter` should be passed if `checkpoint_interval` is not "
                             "None.")
        self._checkpoint = checkpoint
        self.directory = os.fspath(directory)
        self._keep = None if max_to_keep is None else int(max_to_keep)
        self._keep_hours = keep_checkpoint_every_n_hours
        self._name = checkpoint_name
        self._init_fn = init_fn
        self._step_counter, self.checkpoint_interval = step_counter, checkpoint_interval
        self._last_step = None
        state = get_checkpoint_state(self.directory)
        now = time.time()
        self._kept = {}  # prefix -> save time: the ones a later save may delete
        if state is None:
            self._latest = None
            self._last_preserved = now - 1.0
        else:
            self._latest = state["model_checkpoint_path"]
            self._last_preserved = min(state["last_preserved_timestamp"], now)
            paths = state["all_model_checkpoint_paths"]
            stamps = state["all_model_checkpoint_timestamps"] or [self._last_preserved] * len(paths)
            for p, t in zip(paths, stamps):
                if min(t, now) > self._last_preserved:
                    self._kept[p] = min(t, now)

    @property
    def latest_checkpoint(self):
        return self._latest

    @property
    def checkpoints(self):
        return list(self._kept)

    def save(self, checkpoint_number=None, check_interval=True, options=None):
        if self.checkpoint_interval is not None:
            step = _step(self._step_counter)
            if self._last_step is not None and (step == self._last_step or check_interval and
                                                step < self._last_step + self.checkpoint_interval):
                return None
            self._last_step = step
        ck = self._checkpoint
        ck.save_counter.data[...] = ck.save_counter.data + 1
        n = int(ck.save_counter.data) if checkpoint_number is None else _step(checkpoint_number)
        prefix = ck.write(os.path.join(self.directory, f"{self._name}-{n}"))
        self._kept.pop(prefix, None)
        self._kept[prefix] = time.time()
        self._latest = prefix
        _record(prefix, self._kept, self._last_preserved)  # the new one first, as TensorFlow
        if self._keep:
            while len(self._kept) > self._keep:
                old = next(iter(self._kept))
                stamp = self._kept.pop(old)
                if self._keep_hours and stamp - self._keep_hours * 3600.0 >= self._last_preserved:
                    self._last_preserved = stamp  # kept on disk, no longer managed
                    continue
                if os.path.isfile(old + ".index"):
                    os.remove(old + ".index")
            _record(prefix, self._kept, self._last_preserved)
        return prefix

    def restore_or_initialize(self):
        if self.latest_checkpoint is not None:
            self._checkpoint.restore(self.latest_checkpoint)
            if self.checkpoint_interval is not None:
                self._last_step = _step(self._step_counter)
            return self.latest_checkpoint
        if self._init_fn is not None:
            self._init_fn()
        return None
