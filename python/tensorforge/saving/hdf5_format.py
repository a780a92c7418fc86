"""Keras 2 HDF5 files (``.h5`` / ``.hdf5``): whole models and weights, read and written.

The layout is the one Keras 2.x and tf.keras write (keras/saving/hdf5_format.py):

  attrs  keras_version, backend, model_config (JSON: {"class_name": "Sequential" | "Functional" |
         "Model", "config": {...}}), training_config (JSON: loss, metrics, optimizer_config)
  model_weights/                    attrs layer_names (every layer, model order), keras_version
      <layer>/                      attrs weight_names (["<layer>/kernel:0", ...]; empty: none)
          <layer>/kernel:0          a dataset per weight, at the path its name spells
  optimizer_weights/                attrs weight_names: the iteration count, then the slots
                                    (Keras 2 legacy: "<Opt>/iter:0", "<Opt>/<var>/<slot>:0",
                                    grouped by slot; tf.keras 2.11+: "iteration:0",
                                    "<Opt>/<slot>/<var>:0", interleaved per variable;
                                    a Keras 2.2 get_updates optimizer: "<Opt>/iterations:0",
                                    then "training/<Opt>/Variable[_k]:0", its slots in order)

A weights file (``save_weights``) is the ``model_weights`` group at the file's root.

Loading builds the whole model first (every layer class checked, See keras_config.py), then reads
and converts every array (weights.py) and checks every shape, and only then assigns them: a file
that does not fit raises before the model changes, never leaving it half loaded. Writing goes to a
temp file in the target's directory, fsynced, then os.replace()d over the target (See Note
[atomic save] in models.py), so a failed save leaves any previous file intact.

h5py is an optional dependency (``pip install tensorforge[h5]``); it is imported on first use.
"""
import json
import os
import warnings

import numpy as np

from .. import _device, _fileio
from ..optimizers import legacy_updates as _legacy_updates
from . import keras_config as _kc
from . import keras_optimizer_vars as _keras_optimizer_vars
from . import weights as _w

__all__ = ["is_hdf5_path", "is_hdf5_file", "load_model", "save_model", "load_weights",
           "save_weights",
           "HDF5_SUFFIXES"]

HDF5_SUFFIXES = (".h5", ".hdf5")  # Keras 2: these are HDF5; .keras is Keras 3's zip format
KERAS_VERSION = "2.15.0"  # what we write as keras_version: a Keras 2 file, read as such
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def is_hdf5_path(filepath, save_format=None):
    """Writing: True when ``filepath`` should become a Keras HDF5 file (``save_format='h5'``, or
    an .h5 / .hdf5 suffix, as Keras 2 decides)."""
    if save_format is not None:
        return str(save_format).lower() in ("h5", "hdf5", "keras_h5")
    return os.fspath(filepath).lower().endswith(HDF5_SUFFIXES)


def is_hdf5_file(filepath):
    """Reading: True when ``filepath`` holds an HDF5 file (its first bytes are the HDF5
    signature), whatever its name; a missing file is judged by its suffix. A tensorforge .npz
    file named .h5 by an older version therefore still loads as one."""
    p = os.fspath(filepath)
    try:
        with open(p, "rb") as f:
            return f.read(8) == _HDF5_MAGIC
    except FileNotFoundError:
        return is_hdf5_path(p)
    except OSError:
        return False


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ImportError("Keras HDF5 files need h5py: pip install 'tensorforge[h5]' "
                          "(or pip install h5py)") from None
    return h5py


def _open_read(filepath):
    h5py = _h5py()
    p = os.fspath(filepath)
    if not os.path.exists(p):
        raise FileNotFoundError(f"No file found at {p!r}")
    try:
        return h5py.File(p, "r")
    except OSError as e:
        raise ValueError(f"{p!r} is not a readable HDF5 file (corrupt or truncated?): "
                         f"{e}") from None


def _file_dtype(a):
    """The dtype a weight is written with: float64 ones as float64 (Note [float64 layers]),
    every other one as float32, as Keras 2's files hold them."""
    return np.float64 if getattr(a, "dtype", None) == np.float64 else np.float32


def _read_array(dataset):
    """A dataset as a fresh array with NumPy's canonical dtype object: h5py hands out equal but
    distinct dtype descriptors, which the native kernels' identity check refuses ("m must be
    float32, got float32")."""
    a = np.asarray(dataset)
    out = np.empty(a.shape, np.dtype(a.dtype.str))
    out[...] = a
    return out


def _attr_str(v):
    return v.decode("utf-8") if isinstance(v, bytes) else (None if v is None else str(v))


def _attr_list(group, name):
    """A string-list attribute, also when Keras split a long one into name0, name1, ..."""
    if name in group.attrs:
        vals = list(group.attrs[name])
    else:
        vals, i = [], 0
        while f"{name}{i}" in group.attrs:
            vals.extend(group.attrs[f"{name}{i}"])
            i += 1
    return [_attr_str(v) for v in vals]


def _json_attr(f, name, source):
    raw = f.attrs.get(name)
    if raw is None:
        return None
    try:
        return json.loads(_attr_str(raw))
    except RecursionError:
        raise ValueError(f"{source}: the {name} attribute nests too deeply") from None
    except ValueError as e:
        raise ValueError(f"{source}: the {name} attribute is not valid JSON ({e})") from None


# ---- reading ------------------------------------------------------------------------------------

def _file_layers(group, source):
    """[(layer name, [arrays])] for every layer of a model_weights group that has weights."""
    out = []
    try:
        names = _attr_list(group, "layer_names")
        for name in names:
            g = group[name]
            wnames = _attr_list(g, "weight_names")
            if wnames:
                out.append((name, [_read_array(g[w]) for w in wnames]))
    except (KeyError, OSError, RuntimeError) as e:
        raise ValueError(f"{source}: the weights in the file are incomplete or corrupt "
                         f"({type(e).__name__}: {e})") from None
    return out


def _keras_version(group):
    v = group.attrs.get("keras_version")
    return _attr_str(v) if v is not None else "1"


def _model_layers(model):
    return [l for l in model.layers if l.weights]


def _legacy_weights(layer):
    """A layer's weights in the order Keras 2 files hold them: trainable, then non-trainable
    (the same as ``layer.weights`` for a plain layer; different for a nested model)."""
    return list(layer.trainable_weights) + list(layer.non_trainable_weights)


def _check_assign(layer, arrays, where, skip_mismatch=False):
    """[(tensor, array)] for one layer, shapes checked; [] when skipped on a mismatch."""
    mine = _legacy_weights(layer)
    if len(arrays) != len(mine):
        msg = (f"{where}: layer {layer.name!r} ({type(layer).__name__}) has {len(mine)} weight "
               f"arrays, the file has {len(arrays)}")
        if skip_mismatch:
            warnings.warn("skipping: " + msg, stacklevel=3)
            return []
        raise ValueError(msg)
    pairs = []
    for t, a in zip(mine, arrays):
        if tuple(a.shape) != t.shape:
            msg = (f"{where}: weight {t.name} of layer {layer.name!r} has shape {t.shape}, the "
                   f"file has {tuple(a.shape)}")
            if skip_mismatch:
                warnings.warn("skipping: " + msg, stacklevel=3)
                continue
            raise ValueError(msg)
        pairs.append((t, a))
    return pairs


def _assign(pairs):
    for t, a in pairs:
        t.data[...] = _device.to_device(np.asarray(a, dtype=t.data.dtype),
                                        _device.array_module(t.data))


def _weight_pairs(model, group, source, by_name=False, skip_mismatch=False):
    version = _keras_version(group)
    file_layers = _file_layers(group, source)
    pairs = []
    if by_name:
        index = {}
        for l in model.layers:
            index.setdefault(l.name, []).append(l)
        for name, arrays in file_layers:
            for layer in index.get(name, []):
                try:
                    conv = _w.keras_to_layer(layer, arrays, source, version)
                except ValueError:
                    if not skip_mismatch:
                        raise
                    warnings.warn(f"skipping layer {name!r}: its weights do not convert",
                                  stacklevel=3)
                    continue
                pairs += _check_assign(layer, conv, source, skip_mismatch)
        return pairs
    mine = _model_layers(model)
    if len(mine) != len(file_layers):
        raise ValueError(f"{source}: the model has {len(mine)} layers with weights "
                         f"({[l.name for l in mine]}), the file has {len(file_layers)} "
                         f"({[n for n, _ in file_layers]})")
    for layer, (name, arrays) in zip(mine, file_layers):
        conv = _w.keras_to_layer(layer, arrays, f"{source} (layer {name!r})", version)
        pairs += _check_assign(layer, conv, source)
    return pairs


def load_weights(model, filepath, by_name=False, skip_mismatch=False):
    """Keras 2 ``model.load_weights('w.h5', by_name, skip_mismatch)`` for an HDF5 file: either a
    weights file or a whole-model file (its model_weights group)."""
    if skip_mismatch and not by_name:
        raise ValueError("load_weights: skip_mismatch=True requires by_name=True (as in Keras 2)")
    if not model.built:
        raise ValueError("load_weights: build the model first (give input_shape to the first "
                         "layer)")
    source = os.fspath(filepath)
    with _open_read(filepath) as f:
        group = f["model_weights"] if "model_weights" in f else f
        if "layer_names" not in group.attrs and "layer_names0" not in group.attrs:
            raise ValueError(f"{source}: not a Keras weights file (no layer_names)")
        pairs = _weight_pairs(model, group, source, by_name, skip_mismatch)
    _assign(pairs)


def _model_from_keras_config(mc, source, custom_objects):
    from . import keras_model
    return keras_model.model_from_config(mc, source, custom_objects)


def _slot_names(opt):
    """[(Keras 2 legacy slot name, other names Keras writes for it)] in the order of
    tensorforge's state arrays for ``opt`` (its non-None state), or None when unknown."""
    kind = type(opt).__name__
    if kind == "SGD":
        return [("momentum", ("m", "momentums"))] if opt.momentum else []
    if kind == "RMSprop":
        out = [("rms", ("velocity",))]
        if getattr(opt, "centered", False):
            out.append(("mg", ("average_gradient",)))
        if getattr(opt, "momentum", 0):
            out.append(("momentum", ("momentums",)))
        return out
    if kind in ("Adam", "AdamW", "Adamax", "Nadam"):
        out = [("m", ("momentums",)), ("v", ("u", "velocities"))]
        if getattr(opt, "amsgrad", False):
            out.append(("vhat", ("velocity_hat", "velocity_hats", "vhats")))
        return out
    if kind == "Adagrad":
        return [("accumulator", ("accumulators",))]
    if kind == "Adadelta":
        return [("accum_grad", ("accumulated_grad",)), ("accum_var", ("accumulated_delta_var",))]
    if kind == "Ftrl":
        return [("accumulator", ()), ("linear", ())]
    if kind == "Lion":
        return [("m", ())]
    return None


def _slot_index(opt):
    """{slot name as any Keras version writes it: index in tensorforge's state list}."""
    out = {}
    for i, (legacy, others) in enumerate(_slot_names(opt) or []):
        out[legacy] = i
        out.update({o: i for o in others})
    return out


def _trained_params(model):
    """The weights the optimizer updates, in Keras' trainable_weights order."""
    fn = getattr(model, "_compiled_params", None) or getattr(model, "_params", None)
    return list(fn()) if fn is not None else list(model.trainable_weights)


def _restore_optimizer(model, f, source):
    if "optimizer_weights" not in f:
        return
    g = f["optimizer_weights"]
    names = _attr_list(g, "weight_names")
    opt = model.optimizer
    if _legacy_updates.is_own(opt):
        return _restore_legacy_slots(opt, g, names)
    params = _trained_params(model)
    slots = _slot_index(opt)
    groups, iterations, unnamed = {}, None, []
    try:
        for n in names:
            parts = n[:-2].split("/") if n.endswith(":0") else n.split("/")
            if parts[-1] in ("iter", "iteration", "iterations"):
                iterations = int(np.asarray(g[n]))
                continue
            if len(parts) >= 3 and parts[1] in slots and names[0].startswith("iteration"):
                slot = parts[1]  # tf.keras 2.11+: <Opt>/<slot>/<var>
            else:
                slot = parts[-1]  # Keras 2 legacy: <Opt>/<var>/<slot>
            a = _read_array(g[n])
            groups.setdefault(slot, []).append(a)
            unnamed.append(a)
        if slots and not any(k in slots for k in groups):
            # Keras 2.2 / 2.3 (standalone) names its slots "training/Adam/Variable_<k>": the
            # order is the only key (each slot for every weight in turn; Adam's m, then v, then
            # its 1-element amsgrad placeholders, which the shape check below drops).
            n_p = len(params)
            chunks = [unnamed[i:i + n_p] for i in range(0, len(unnamed), n_p)]
            groups = {}
            for slot, idx in sorted(slots.items(), key=lambda kv: kv[1]):
                if idx < len(chunks) and idx not in [slots[k] for k in groups]:
                    groups[slot] = chunks[idx]
    except (KeyError, OSError, ValueError) as e:
        warnings.warn(f"{source}: the optimizer state is unreadable ({e}); the optimizer starts "
                      "fresh", stacklevel=3)
        return
    proto = [opt._init_state(np.zeros(p.shape, np.float32)) for p in params]
    n_state = max((sum(s is not None for s in pr) for pr in proto), default=0)
    states = [[None] * n_state for _ in params]
    for slot, arrays in groups.items():
        idx = slots.get(slot)
        if idx is None or idx >= n_state:
            continue  # e.g. the zero momentum slots tf.keras keeps for SGD(momentum=0)
        if len(arrays) != len(params) or any(a.shape != p.shape for a, p in zip(arrays, params)):
            warnings.warn(f"{source}: the saved optimizer state does not match the model's "
                          "weights; the optimizer starts fresh", stacklevel=3)
            return
        for st, a in zip(states, arrays):
            st[idx] = a
    if n_state and any(s is None for st in states for s in st):
        warnings.warn(f"{source}: the saved optimizer state is incomplete for "
                      f"{type(opt).__name__}; the optimizer starts fresh", stacklevel=3)
        return
    if n_state:
        opt.set_state(params, states)
    if iterations is not None:
        opt.iterations = iterations


def load_model(filepath, custom_objects=None, compile=True):
    """A model from a Keras 2 whole-model HDF5 file: architecture, weights, and (compile=True)
    the compile settings and optimizer state when the file has them. A training setup
    tensorforge lacks (an optimizer such as Nadam, a loss option) leaves the model uncompiled,
    with a warning; a layer it lacks raises (never a half-loaded model)."""
    from ..engine.serialization import custom_object_scope
    with custom_object_scope(custom_objects or {}):  # custom losses / metrics / layers by name
        return _load_model(filepath, custom_objects, compile)


def _resolve_custom(spec):
    """Loss / metric names replaced by the custom objects in scope of the same name."""
    from ..engine.serialization import custom_object
    if isinstance(spec, dict):
        return {k: _resolve_custom(v) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_resolve_custom(v) for v in spec]
    return (custom_object(spec) or spec) if isinstance(spec, str) else spec


def _load_model(filepath, custom_objects, compile):
    source = os.fspath(filepath)
    with _open_read(filepath) as f:
        mc = _json_attr(f, "model_config", source)
        if mc is None:
            raise ValueError(f"{source}: no model config in the file (a weights file? build the "
                             "model and call load_weights)")
        model = _model_from_keras_config(mc, source, custom_objects)
        if "model_weights" not in f:
            raise ValueError(f"{source}: the file has no model_weights group")
        pairs = _weight_pairs(model, f["model_weights"], source)
        _assign(pairs)
        tc = _json_attr(f, "training_config", source) if compile else None
        if tc is not None:
            try:
                args = _kc.compile_args_from_training_config(
                    tc, source, getattr(model, "output_names", None) or ())
                args["loss"] = _resolve_custom(args["loss"])
                for k in ("metrics", "weighted_metrics"):
                    if k in args:
                        args[k] = _resolve_custom(args[k])
                model.compile(**args)
                # tf_keras builds the loaded model's metrics (try_build_compiled_arguments):
                # metrics_names lists them at once
                model.__dict__["_metrics_in_use"] = True
            except ValueError as e:
                # The architecture and weights are complete; only the training setup (an
                # optimizer, loss or metric tensorforge lacks) is not: load, and say so.
                warnings.warn(f"{e}. The model is loaded but NOT compiled; compile it before "
                              "fit / evaluate (load_model(..., compile=False) skips this)",
                              stacklevel=3)
                return model
            _restore_optimizer(model, f, source)
    return model


# ---- writing ------------------------------------------------------------------------------------

def _atomic_h5(filepath, write):
    """Run ``write(h5py.File)`` on a temp file beside ``filepath``, then move it into place
    (_fileio.atomic_write: atomic, and stale temp files of killed writers are removed)."""
    h5py = _h5py()

    def fill(tmp):
        with h5py.File(tmp, "w") as f:
            write(f)
    _fileio.atomic_write(filepath, fill)


def _write_weights_group(g, model):
    g.attrs["layer_names"] = [l.name.encode("utf-8") for l in model.layers]
    g.attrs["backend"] = b"tensorflow"
    g.attrs["keras_version"] = KERAS_VERSION.encode("utf-8")
    for layer in sorted(model.layers, key=lambda l: l.name):
        lg = g.create_group(layer.name)
        ws = _legacy_weights(layer)
        names = _w.layer_weight_names(layer, ws)
        lg.attrs["weight_names"] = [n.encode("utf-8") for n in names]
        for n, t in zip(names, ws):
            lg.create_dataset(n, data=np.asarray(t.numpy(), dtype=_file_dtype(t.data)))
    tg = g.create_group("top_level_model_weights")
    tg.attrs["weight_names"] = np.array([], dtype=np.float64)


def _write_optimizer(f, model):
    """The optimizer's weights in the layout of the class tf_keras builds from the file's
    training_config: a config marked ``is_legacy_optimizer: false`` its default class's
    variables in their order ("iteration:0", "<Opt>/<slot>/<var>:0", keras_optimizer_vars.py),
    any other Keras 2's legacy weights ("<Opt>/iter:0", Nadam's "<Opt>/momentum_cache:0", then
    each slot for every trainable weight, grouped by slot in Keras' order), what tf_keras'
    optimizer.set_weights expects."""
    opt = model.optimizer
    params = _trained_params(model)
    oname = type(opt).__name__
    if _legacy_updates.slot_arrays(opt):
        return _write_legacy_slots(f, opt, oname)
    if not opt.iterations or not params:
        return  # never stepped: nothing tf_keras would not start from
    if _kc.optimizer_to_keras(opt)["config"].get("is_legacy_optimizer") is False:
        theirs = _keras_optimizer_vars.variables(opt, params)
        if theirs is None:
            return
        names = ["iteration:0" if i is None else
                 f"{oname}/{slot}/{_w.bare_name(params[i].name) or 'w'}:0"
                 for slot, i, _ in theirs]
        return _write_optimizer_group(f, names, [a for _, _, a in theirs])
    names_ = _slot_names(opt)
    if names_ is None or oname == "AdamW":
        return  # no Keras 2 legacy layout to write
    states = opt.get_state(params)
    if any(len(s) != len(names_) for s in states):
        return  # some weight was never updated: Keras could not restore a partial state
    names, arrays = [f"{oname}/iter:0"], [np.int64(opt.iterations)]
    if oname == "Nadam":  # the legacy class's running product of its momentum schedule
        names.append(f"{oname}/momentum_cache:0")
        arrays.append(np.float32(np.prod([opt._mu(t) for t in range(1, opt.iterations + 1)])))
    order = sorted(range(len(names_)), key=lambda j: _LEGACY_ORDER.get(names_[j][0], 0))
    pairs = [(i, j) for i in range(len(params)) for j in order] if oname == "Ftrl" else \
        [(i, j) for j in order for i in range(len(params))]
    for i, j in pairs:
        names.append(f"{oname}/{_w.bare_name(params[i].name) or 'w'}/{names_[j][0]}:0")
        arrays.append(np.asarray(_device.to_host(states[i][j]), dtype=_file_dtype(states[i][j])))
    _write_optimizer_group(f, names, arrays)


# Keras 2's legacy RMSprop makes its slots rms, momentum, mg (tensorforge keeps rms, mg,
# momentum); its Ftrl makes a variable's two slots together, variable after variable
_LEGACY_ORDER = {"momentum": 1, "mg": 2}


def _write_optimizer_group(f, names, arrays):
    g = f.create_group("optimizer_weights")
    for n, a in zip(names, arrays):
        g.create_dataset(n, data=a)
    g.attrs["weight_names"] = [n.encode("utf-8") for n in names]


def _write_legacy_slots(f, opt, oname):
    """A get_updates optimizer's state as Keras 2.2 wrote its weights: "<Opt>/iterations:0",
    then its slots in the order its get_updates made them, "training/<Opt>/Variable[_k]:0"."""
    slots = _legacy_updates.slot_arrays(opt)
    _write_optimizer_group(f, [f"{oname}/iterations:0"] + [
        f"training/{oname}/Variable{'_' + str(k) if k else ''}:0" for k in range(len(slots))],
        [np.int64(int(opt.iterations))] + list(slots))


def _restore_legacy_slots(opt, g, names):
    """A get_updates optimizer's iterations and slots, in file order (_write_legacy_slots)."""
    slots = []
    for n in names:
        if n.split("/")[-1].split(":")[0] in ("iter", "iteration", "iterations"):
            opt.iterations = int(np.asarray(g[n]))
        else:
            slots.append(_read_array(g[n]))
    _legacy_updates.restore_slots(opt, slots)


def save_model(model, filepath, include_optimizer=True):
    """Write ``model`` as a Keras 2 whole-model HDF5 file (Keras 2's ``model.save('x.h5')``)."""
    if not model.built:
        raise ValueError("save: the model has not been built yet (no weights)")
    from . import keras_model
    mc = keras_model.model_to_config(model)
    tc = _kc.training_config(model) if include_optimizer else None
    oc = (tc or {}).get("optimizer_config") or {}
    if (oc.get("config") or {}).get("is_legacy_optimizer") is False:
        # tf_keras' name for its default classes here (Lion has no other it finds)
        tc["optimizer_config"] = dict(oc, class_name="Custom>" + oc["class_name"])

    def write(f):
        f.attrs["keras_version"] = KERAS_VERSION.encode("utf-8")
        f.attrs["backend"] = b"tensorflow"
        f.attrs["model_config"] = json.dumps(mc).encode("utf-8")
        if tc is not None:
            f.attrs["training_config"] = json.dumps(tc).encode("utf-8")
        _write_weights_group(f.create_group("model_weights"), model)
        if tc is not None:
            _write_optimizer(f, model)

    _atomic_h5(filepath, write)


def save_weights(model, filepath):
    """Write ``model``'s weights as a Keras 2 HDF5 weights file."""
    if not model.built:
        raise ValueError("save_weights: the model has not been built yet (no weights)")
    _atomic_h5(filepath, lambda f: _write_weights_group(f, model))
