"""Saving and loading models and weights (Keras 2's keras/engine/saving.py), one file, no pickle.

File format of save / save_weights: a NumPy .npz container (zip of raw .npy arrays, read back
with allow_pickle=False) holding ``__config__`` (the JSON model / compile / optimizer
description as uint8 bytes) and the arrays ``w/<i>`` (weights in ``model.weights`` order) and
``opt/<i>/<j>`` (optimizer state). The model description is Keras 2's: ``class_name``
("Sequential", "Functional", or a custom class) and ``config`` (``model.get_config()``), so
functional graphs, nested models and shared layers round-trip; custom layers, losses and
activations are looked up by name in ``custom_objects`` (as Keras 2's ``load_model(path,
custom_objects=...)``). Written atomically (See Note [atomic save]).
Format 1 files (tensorforge's Sequential-only format) still load. A ``.keras`` path is
tf_keras' zip archive instead (saving/keras_archive.py, Note [.keras archives]); files written
here under that suffix by earlier versions (this container) still load.
"""
import os

from .. import _device
from .. import _fileio
from .._fileio import atomic_savez as _atomic_savez  # Note [atomic save] there
from .. import losses as _losses
from .. import metrics as _metrics
from .. import optimizers as _optimizers
from ..saving import hdf5_format as _h5
from ..saving import keras_archive as _archive
from ..saving.optimizer_state import optimizer_state, restore_optimizer_state
from ..saving.weights import bare_name as _bare_name
from . import saving_subclassed as _subclassed
from . import deferred_restore as _deferred_restore
from .model_config import model_from_config  # noqa: F401  (keras.models' name)
from .serialization import custom_object, custom_object_scope

FORMAT = "tensorforge-keras"
FORMAT_VERSION = 2


def _read(filepath):
    """(meta, members) of a model/weights file (Note [bounded read] in _fileio.py): members is
    a mapping that reads each array when asked for; close it (or use it in a ``with`` block)."""
    meta, arrays = _fileio.read(filepath, FORMAT, FORMAT_VERSION)
    try:
        _check_meta(filepath, meta)
    except BaseException:
        arrays.close()
        raise
    return meta, arrays


def _check_meta(filepath, meta):
    """The fields load_model / load_weights index, with their types: a crafted file gives a
    ValueError naming it, not a KeyError or TypeError."""
    def bad(what):
        return ValueError(f"{os.fspath(filepath)!r} is corrupt: {what}")
    if meta.get("kind") == _subclassed.KIND:
        if not isinstance(meta.get("class"), str) or not isinstance(meta.get("input_shape"), list):
            raise bad("a subclassed model without its class or input shape")
        return
    if meta.get("kind") not in ("model", "weights"):
        raise bad(f"kind {meta.get('kind')!r}")
    ws = meta.get("weights", [])
    if not isinstance(ws, list) or not all(
            isinstance(w, list) and len(w) == 2 and isinstance(w[0], str) and isinstance(w[1], list)
            for w in ws):
        raise bad("'weights' is not a list of [name, shape] pairs")
    if meta["kind"] == "model":
        if not isinstance(meta.get("config"), dict) or "weights" not in meta:
            raise bad("no model config")
        cc = meta.get("compile")
        if cc is not None and (not isinstance(cc, dict) or not {"optimizer", "loss", "metrics"} <= set(cc)):
            raise bad("'compile' is malformed")
        st = meta.get("optimizer_state")
        if st is not None and (not isinstance(st, list) or not all(
                isinstance(c, int) and not isinstance(c, bool) and 0 <= c < 64 for c in st)):
            raise bad("'optimizer_state' is malformed")
        n = meta.get("legacy_slots")
        if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 0):
            raise bad("'legacy_slots' is malformed")


def _weights_meta(model):
    return [[t.name, list(t.shape)] for t in model.weights]


def _fn_name(fn):
    if isinstance(fn, str) or fn is None:
        return fn
    if isinstance(fn, _metrics.Metric) and _metrics._CLASSES.get(type(fn).__name__) is type(fn):
        # a built-in metric object (compile(metrics=[keras.metrics.SparseCategoricalAccuracy()])):
        # its class and config, as Keras 2 saves it
        return {"class_name": type(fn).__name__, "config": fn.get_config()}
    try:
        return _losses.serialize(fn)
    except ValueError:
        name = getattr(fn, "__name__", None)
        if not name:
            raise ValueError(f"save: cannot name the loss/metric {fn!r}; use a function") from None
        return name


def _nested_names(spec):
    if isinstance(spec, dict):
        return {k: _nested_names(v) for k, v in spec.items()}
    if isinstance(spec, (list, tuple)):
        return [_nested_names(v) for v in spec]
    return _fn_name(spec)


def _compile_config(model):
    if not model._compiled:
        return None
    a = model._compile_args
    return {"optimizer": _optimizers.serialize(model.optimizer),
            "loss": _nested_names(a["loss"]), "metrics": _nested_names(a["metrics"] or []),
            "loss_weights": a["loss_weights"],
            "optimizer_iterations": model.optimizer.iterations}


def _model_class_name(model):
    name = type(model).__name__
    return "Functional" if name == "Model" and model._is_graph_network else name


# Note [saving to a directory]
# Keras 2 saves a path without an .h5 suffix as a TensorFlow SavedModel: a directory, created
# with its parents. tensorforge writes one file instead; the path becomes that file, its
# missing parent directories are created (as Keras 2 does for .h5 too), and a path that is
# already a directory (made by the program, or by an earlier TensorFlow save) gets the file
# inside it, DIR_MODEL_FILE, where load_model(dir) looks for it.
DIR_MODEL_FILE = "saved_model.tfm"


def model_path(filepath, writing=False):
    """The file that holds the model saved at ``filepath`` (Note [saving to a directory])."""
    p = os.fspath(filepath)
    if os.path.isdir(p):
        inner = os.path.join(p, DIR_MODEL_FILE)
        if writing or os.path.isfile(inner):
            return inner
        what = ("a TensorFlow SavedModel, which tensorforge cannot read (save it with "
                "model.save('model.h5') in TensorFlow and load that)"
                if os.path.isfile(os.path.join(p, "saved_model.pb")) else
                f"a directory without a tensorforge model ({DIR_MODEL_FILE})")
        raise ValueError(f"load_model: {p!r} is {what}")
    if writing:
        parent = os.path.dirname(os.path.abspath(p))
        os.makedirs(parent, exist_ok=True)
    return p


def proceed_with_overwrite(filepath, overwrite):
    """Keras 2's ``overwrite=False``: an existing file is replaced only if the user answers
    'y' at the prompt; without an interactive input (end of file) nothing is replaced."""
    if overwrite or not os.path.exists(os.fspath(filepath)):
        return True
    try:
        answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n]").strip().lower()
        while answer not in ("y", "n"):
            answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    except EOFError:
        print(f"[WARNING] {filepath} already exists and overwrite=False: not overwritten")
        return False
    if answer == "n":
        return False
    print("[TIP] Next time specify overwrite=True!")
    return True


def save_model(model, filepath, overwrite=True, include_optimizer=True):
    """Architecture + weights + compile settings + optimizer state, in one file, atomically."""
    keras_format = os.fspath(filepath).endswith(".keras")
    filepath = model_path(filepath, writing=True)
    if not proceed_with_overwrite(filepath, overwrite):
        return
    if not model.built:
        raise ValueError("save: the model has not been built yet (no weights)")
    if keras_format:  # tf_keras 2.13+'s zip archive (Note [.keras archives])
        return _archive.save_model(model, filepath, include_optimizer=include_optimizer)
    if _subclassed.is_subclassed_without_config(model):
        fields, arrays = _subclassed.contents(model)  # Note [a subclassed model without a config]
        _atomic_savez(filepath, dict(format=FORMAT, version=FORMAT_VERSION, **fields), arrays)
        return
    meta = {"format": FORMAT, "version": FORMAT_VERSION, "kind": "model",
            "class_name": _model_class_name(model), "config": model.get_config(),
            "input_shape": _jsonable_shape(model.input_shape_),
            "compile": _compile_config(model) if include_optimizer else None,
            "weights": _weights_meta(model)}
    arrays = {f"w/{i}": t.numpy() for i, t in enumerate(model.weights)}
    if include_optimizer and model._compiled:
        fields, state = optimizer_state(model)
        meta.update(fields)
        arrays.update(state)
    _atomic_savez(filepath, meta, arrays)


def _jsonable_shape(s):
    if s is None:
        return None
    if isinstance(s, tuple):
        return list(s)
    return [list(x) for x in s]


def save_weights(model, filepath):
    """Write every weight array (model order) to one file, atomically. Missing parent
    directories are made, as Keras 2's TensorFlow-format ``save_weights`` makes them
    (``save_weights('./checkpoints/my_checkpoint')`` in the TensorFlow tutorials). A model
    with no weights yet (a subclassed model not called: the TF checkpoint guide's first
    ``net.save_weights('easy_checkpoint')``) writes a file that holds none, as Keras 2's
    TensorFlow-format checkpoint then holds only its empty object graph; loading it restores
    nothing."""
    os.makedirs(os.path.dirname(os.path.abspath(os.fspath(filepath))), exist_ok=True)
    meta = {"format": FORMAT, "version": FORMAT_VERSION, "kind": "weights",
            "weights": _weights_meta(model)}
    arrays = {f"w/{i}": t.numpy() for i, t in enumerate(model.weights)}
    _atomic_savez(filepath, meta, arrays)


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    if _archive.is_archive(filepath):  # tf_keras' .keras zip: by its paths, as tf_keras
        return _archive.load_weights(model, filepath, skip_mismatch=skip_mismatch)
    meta, members = _read(filepath)
    with members as arrays:
        _load_weights(model, filepath, meta, arrays, by_name, skip_mismatch)


def _load_weights(model, filepath, meta, arrays, by_name, skip_mismatch):
    names = [n for n, _ in meta.get("weights", [])]
    ws = [arrays[f"w/{i}"] for i in range(len(names))]
    if not ws:  # written before the model had weights (save_weights): nothing to restore
        return
    if not model.built and len(model.weights) < len(ws) and not by_name:
        # See Note [deferred restoration]: Keras 2's TensorFlow-format load_weights into a model
        # not built yet (Gulli et al.'s gen_model.load_weights(checkpoint) before
        # gen_model.build(...)) assigns each weight when it is created; by model order here,
        # once the model has them all
        def restore():
            if len(model.weights) < len(ws):
                return False
            try:
                _assign_in_order(model, filepath, ws)
            except ValueError as e:
                raise _deferred_restore.RestoreError(str(e)) from None
            return True
        _deferred_restore.defer(model, filepath, restore)
        return
    if not model.weights:  # (a model whose own __call__ built its layers but never ran
        # Model.__call__ is not "built" and has them all: TensorFlow-Examples' save_restore_model)
        raise ValueError("load_weights: build the model first (give input_shape to the first "
                         "layer, or call it on data)")
    mine = model.weights
    if by_name:
        # by the name without ":0": files written before weights were named "dense/kernel:0"
        by = {_bare_name(n): w for n, w in zip(names, ws)}
        for t in mine:
            w = by.get(_bare_name(t.name))
            if w is None:
                continue
            if w.shape != t.shape:
                if skip_mismatch:
                    continue
                raise ValueError(f"load_weights: {t.name} has shape {t.shape}, the file has "
                                 f"{w.shape}")
            t.data[...] = _device.to_device(w, _device.array_module(t.data))
        return
    _assign_in_order(model, filepath, ws)


def _assign_in_order(model, filepath, ws):
    mine = model.weights
    if len(ws) != len(mine):
        raise ValueError(f"load_weights: {filepath} holds {len(ws)} weight arrays, the model has "
                         f"{len(mine)}")
    for t, w in zip(mine, ws):
        if w.shape != t.shape:
            raise ValueError(f"load_weights: {t.name} has shape {t.shape}, the file has {w.shape}")
    for t, w in zip(mine, ws):
        t.data[...] = _device.to_device(w, _device.array_module(t.data))


def _metric_from_config(spec):
    cls = _metrics._CLASSES.get(spec["class_name"])
    if cls is None:
        raise ValueError(f"unknown metric class {spec['class_name']!r}")
    return cls(**spec["config"])


def _resolve_named(spec, from_config=_losses.deserialize):
    """compile()'s loss (``from_config``: losses.deserialize) or metrics (_metric_from_config)
    as saved by _nested_names: names, and {class_name, config} for Loss / Metric objects."""
    if isinstance(spec, dict) and set(spec) == {"class_name", "config"}:
        return from_config(spec)
    if isinstance(spec, dict):
        return {k: _resolve_named(v, from_config) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_resolve_named(v, from_config) for v in spec]
    if isinstance(spec, str):
        return custom_object(spec) or spec
    return spec


def _optimizer_from(cfg):
    """A file's compiled optimizer: the program's own class of that name (custom_objects, a
    Keras 2.2 get_updates optimizer), built from its config as Keras 2 deserializes one, else
    the built-in one."""
    custom = custom_object(cfg.get("class_name", ""))
    if isinstance(custom, type) and issubclass(custom, _optimizers.Optimizer):
        return custom.from_config(cfg.get("config", {}))
    return _optimizers.deserialize(cfg)


def load_model(filepath, custom_objects=None, compile=True):
    """Rebuild a model written by ``Model.save`` (architecture, weights, compile, optimizer)."""
    filepath = model_path(filepath)
    if _h5.is_hdf5_file(filepath):  # Keras 2 HDF5 (.h5 / .hdf5): saving/hdf5_format.py
        return _h5.load_model(filepath, custom_objects=custom_objects, compile=compile)
    if _archive.is_archive(filepath):  # tf_keras' .keras zip (Note [.keras archives])
        return _archive.load_model(filepath, custom_objects=custom_objects, compile=compile)
    meta, members = _read(filepath)
    with members as arrays:
        return _load_model(filepath, meta, arrays, custom_objects, compile)


def _load_model(filepath, meta, arrays, custom_objects, compile):
    if meta.get("kind") == _subclassed.KIND:  # Note [a subclassed model without a config]
        return _subclassed.load(filepath, meta, arrays)
    if meta.get("kind") != "model":
        raise ValueError(f"load_model: {filepath!r} holds only weights (written by save_weights); "
                         "build the model and call load_weights instead")
    with custom_object_scope(custom_objects or {}):
        model = model_from_config(meta.get("class_name"), meta["config"], meta.get("input_shape"))
        ws = [arrays[f"w/{i}"] for i in range(len(meta["weights"]))]
        model.set_weights(ws)
        cc = meta.get("compile")
        if compile and cc:
            try:
                model.compile(optimizer=_optimizer_from(cc["optimizer"]),
                              loss=_resolve_named(cc["loss"]),
                              metrics=_resolve_named(cc["metrics"], _metric_from_config),
                              loss_weights=cc.get("loss_weights"))
            except ValueError as e:
                raise ValueError(f"load_model: cannot compile the loaded model ({e}); pass custom "
                                 "losses and metrics as custom_objects={'name': function}, or "
                                 "load_model(..., compile=False)") from None
            model.__dict__["_metrics_in_use"] = True  # built on load, as tf_keras's h5 loader
            model.optimizer.iterations = int(cc.get("optimizer_iterations", 0))
            restore_optimizer_state(model, meta, arrays)
    return model
