"""tf_keras 2.13+'s ``.keras`` zip archive (saving_lib): read and written.

Note [.keras archives]
A tf_keras 2.21 ``model.save('m.keras')`` writes a zip of three members: ``metadata.json``
(``keras_version``, ``date_saved``), ``config.json`` (the model's Keras 2 config, every object
wrapped as ``{"module", "class_name", "config", "registered_name"}``, with ``build_config`` and
the model's ``compile_config``) and ``model.weights.h5``. The weights file holds no names:
each object's own variables are ``<path>/vars/<i>`` (trainable first), the path being the one
tf_keras' saving_lib walks -- the object's attributes in reverse alphabetical order, a layer
list by the snake-case class names of its layers (``layers/dense``, ``layers/dense_1``), each
object at the first path that reaches it: ``layers/lstm/cell/vars/0``,
``layers/bidirectional/forward_layer/cell/vars/0``, ``layers/time_distributed/layer/vars/0``,
a nested model's ``layers/sequential/layers/dense/vars/0``, a program's layer's sub-layer by
its attribute (``layers/scaled/proj/vars/0``). ``walk`` follows the same rules on a
tensorforge model (its recurrent layers hold their cell's weights themselves, and its
MultiHeadAttention its four projections': they are read and written at tf_keras' paths, _SPLIT),
so one walk both reads tf_keras' files and writes files tf_keras loads. The compile settings
are read and written; the optimizer's state: See Note [optimizer state in an archive].
"""
import datetime
import io
import json
import zipfile

import numpy as np

from .. import _device
from .. import _fileio
from ..engine.serialization import _snake
from . import keras_optimizer_vars as _keras_optimizer_vars
from .optimizer_state import optimizer_state, restore_optimizer_state

CONFIG, METADATA, WEIGHTS = "config.json", "metadata.json", "model.weights.h5"
KERAS_VERSION = "2.21.0"
_WRAPPER_KEYS = ("module", "registered_name", "build_config", "compile_config",
                 "shared_object_id")
# tf_keras layers whose weights sit in sub-objects where tensorforge's layer holds them itself:
# the layer's own weights, split evenly among these paths in this order
_SPLIT = dict({k: ("cell",) for k in ("SimpleRNN", "GRU", "LSTM", "ConvLSTM1D", "ConvLSTM2D",
                                       "ConvLSTM3D")},
              MultiHeadAttention=("_query_dense", "_key_dense", "_value_dense", "_output_dense"))


def is_archive(filepath):
    """A zip holding tf_keras' config.json (tensorforge's own .npz container is a zip too)."""
    try:
        with zipfile.ZipFile(filepath) as z:
            return CONFIG in z.namelist() and WEIGHTS in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


# ---- the walk (Note [.keras archives]) ---------------------------------------------------------
def _archive_class_name(obj):
    if getattr(obj, "_is_graph_network", False) and type(obj).__name__ == "Model":
        return "Functional"
    return type(obj).__name__


def _own(obj):
    ws = obj.__dict__.get("_weights") or []
    return [t for _, t, tr in ws if tr] + [t for _, t, tr in ws if not tr]


def _children(obj):
    """[(attribute, a layer or a list of layers)] in saving_lib's order (reverse alphabetical),
    the layers of a model as ``layers``."""
    from ..engine.base_layer import Layer
    kids = {}
    for k, v in vars(obj).items():
        if k.startswith("_"):
            continue
        if isinstance(v, Layer):
            kids[k] = v
        elif isinstance(v, (list, tuple)) and v and all(isinstance(e, Layer) for e in v):
            kids[k] = list(v)
    if hasattr(obj, "_is_graph_network"):  # a model: its layers, InputLayers among them
        kids["layers"] = list(obj.layers)
    return sorted(kids.items(), reverse=True)


def walk(model):
    """[(path, [weights])] of every object with weights, in saving_lib's paths."""
    out, seen = [], set()

    def visit(obj, path):
        if id(obj) in seen:
            return
        seen.add(id(obj))
        own = _own(obj)
        parts = _SPLIT.get(type(obj).__name__, ())
        if parts and own and len(own) % len(parts) == 0 and \
                not any(p in vars(obj) for p in parts):
            n = len(own) // len(parts)
            out.extend((f"{path}/{p}" if path else p, own[i * n:(i + 1) * n])
                       for i, p in enumerate(parts))
        elif own:
            out.append((path, own))
        for attr, kid in _children(obj):
            where = f"{path}/{attr}" if path else attr
            if not isinstance(kid, list):
                visit(kid, where)
                continue
            used = {}
            for layer in kid:
                if id(layer) in seen:
                    continue
                name = _snake(_archive_class_name(layer))
                used[name] = used.get(name, -1) + 1
                visit(layer, f"{where}/{name}" + (f"_{used[name]}" if used[name] else ""))
    visit(model, "")
    return out


# ---- reading -----------------------------------------------------------------------------------
def _plain_config(v):
    """A config.json value as the Keras 2 config tensorforge reads: the wrapper keys dropped,
    tf_keras' tuples as lists."""
    if isinstance(v, dict):
        if v.get("class_name") == "__tuple__" and isinstance(v.get("config"), dict):
            return [_plain_config(e) for e in v["config"].get("value", [])]
        wrapper = "class_name" in v and "config" in v
        return {k: _plain_config(e) for k, e in v.items()
                if not (wrapper and k in _WRAPPER_KEYS)}
    if isinstance(v, list):
        return [_plain_config(e) for e in v]
    return v


def _assign_weights(model, h5, source, where="load_model", skip_mismatch=False):
    """Each object's weights from its path; a count or shape that differs raises (nothing is
    assigned then), or with ``skip_mismatch`` leaves that object as it is, with a warning
    (tf_keras' load_weights(skip_mismatch=True))."""
    import warnings
    pairs = []
    for path, mine in walk(model):
        group = h5.get(f"{path}/vars") if path in h5 else None
        keys = sorted(group.keys(), key=int) if group is not None else []
        got = [np.asarray(group[k]) for k in keys]
        msg = None
        if len(got) != len(mine):
            msg = (f"{where}: {source!r}: {path} holds {len(got)} weight arrays, the model's "
                   f"has {len(mine)} ({[t.name for t in mine]})")
        else:
            bad = [(k, a.shape, t) for k, a, t in zip(keys, got, mine)
                   if tuple(a.shape) != tuple(t.shape)]
            if bad:
                k, shape, t = bad[0]
                msg = (f"{where}: {source!r}: {path}/vars/{k} has shape {tuple(shape)}, the "
                       f"model's {t.name} {t.shape}")
        if msg is not None:
            if not skip_mismatch:
                raise ValueError(msg)
            warnings.warn("skipping: " + msg, stacklevel=3)
            continue
        pairs += list(zip(mine, got))
    for t, a in pairs:
        t.data[...] = _device.to_device(np.asarray(a, dtype=t.data.dtype),
                                        _device.array_module(t.data))


def _compile_from(model, cc, source):
    from . import keras_config as _kc
    from .hdf5_format import _resolve_custom
    opt = cc.get("optimizer")
    tc = {"optimizer_config": _plain_config(opt) if isinstance(opt, dict) else
          {"class_name": opt or "rmsprop", "config": {}},
          "loss": _plain_config(cc.get("loss")), "metrics": _plain_config(cc.get("metrics")),
          "weighted_metrics": _plain_config(cc.get("weighted_metrics")),
          "loss_weights": cc.get("loss_weights")}
    args = _kc.compile_args_from_training_config(tc, source,
                                                 getattr(model, "output_names", None) or ())
    args["loss"] = _resolve_custom(args["loss"])
    for k in ("metrics", "weighted_metrics"):
        if k in args:
            args[k] = _resolve_custom(args[k])
    model.compile(**args)
    model.__dict__["_metrics_in_use"] = True


def load_model(filepath, custom_objects=None, compile=True):
    """A model from a tf_keras ``.keras`` archive: built from config.json (``custom_objects``
    for a program's classes), its weights by saving_lib's paths, compiled from its
    compile_config (compile=True)."""
    import warnings
    from ..engine.model_config import model_from_config
    from ..engine.serialization import custom_object_scope
    from . import keras_model
    from .hdf5_format import _h5py
    source = str(filepath)
    with zipfile.ZipFile(filepath) as z:
        cfg = json.loads(z.read(CONFIG))
        weights = z.read(WEIGHTS)
    if not isinstance(cfg, dict) or "class_name" not in cfg:
        raise ValueError(f"load_model: {source!r}: config.json holds no model")
    build = cfg.get("build_config") or {}
    mc = _plain_config(cfg)
    with custom_object_scope(custom_objects or {}):
        if mc["class_name"] in ("Sequential", "Functional", "Model"):
            model = keras_model.model_from_config(mc, source, custom_objects)
        else:  # a subclassed model: from_config, built by a call on its build input shape
            model = model_from_config(mc["class_name"], mc.get("config") or {},
                                      build.get("input_shape"))
        with _h5py().File(io.BytesIO(weights), "r") as h5:
            _assign_weights(model, h5, source)
            cc = cfg.get("compile_config") if compile else None
            if cc:
                try:
                    _compile_from(model, cc, source)
                except ValueError as e:
                    warnings.warn(f"{e}. The model is loaded but NOT compiled; compile it "
                                  "before fit / evaluate (load_model(..., compile=False) skips "
                                  "this)", stacklevel=3)
                    return model
                _restore_optimizer_state(model, h5, source)
    return model


def load_weights(model, filepath, skip_mismatch=False):
    """``model.load_weights('m.keras')``: the archive's weights by saving_lib's paths."""
    from .hdf5_format import _h5py
    with zipfile.ZipFile(filepath) as z:
        weights = z.read(WEIGHTS)
    with _h5py().File(io.BytesIO(weights), "r") as h5:
        _assign_weights(model, h5, str(filepath), "load_weights", skip_mismatch)


# ---- writing -----------------------------------------------------------------------------------
_MODULE_BY_KEY = (("_initializer", "keras.initializers"), ("_regularizer", "keras.regularizers"),
                  ("_constraint", "keras.constraints"))


def _wrap(v, key, custom):
    """A Keras 2 config value as config.json writes it: each {"class_name", "config"} object
    with its module and registered_name (a program's class: no module, by its name)."""
    if isinstance(v, list):
        return [_wrap(e, key, custom) for e in v]
    if not isinstance(v, dict):
        return v
    if not ("class_name" in v and "config" in v):
        return {k: _wrap(e, k, custom) for k, e in v.items()}
    out = {k: _wrap(e, k, custom) for k, e in v.items()}
    name = v["class_name"]
    module = "keras.layers"
    for suffix, m in _MODULE_BY_KEY:
        if key and key.endswith(suffix):
            module = m
    registered = None
    if name in custom:
        module, registered = None, name
    elif name == "Sequential":
        module = "keras"
    elif name in ("Functional", "Model"):
        module, registered = "tf_keras.src.engine.functional", "Functional"
        out["class_name"] = "Functional"
    elif name in ("TFOpLambda", "SlicingOpLambda"):
        module, registered = "tf_keras.src.layers.core.tf_op_layer", name
    out["module"], out["registered_name"] = module, registered
    return out


def _compile_config(model):
    from . import keras_config as _kc
    tc = _kc.training_config(model)
    if tc is None:
        return None

    from .. import losses as _losses, metrics as _metrics

    def named(spec, module):
        if isinstance(spec, dict) and "class_name" in spec and "config" in spec:
            if not hasattr(_losses if module == "keras.losses" else _metrics, spec["class_name"]):
                # a program's class, as tf_keras writes it: found by its registered name in
                # load_model's custom_objects
                return dict(spec, module=None, registered_name=spec["class_name"])
            return dict(spec, module=module, registered_name=None)
        if isinstance(spec, dict):
            return {k: named(e, module) for k, e in spec.items()}
        if isinstance(spec, list):
            return [named(e, module) for e in spec]
        return spec
    opt = tc["optimizer_config"]
    ocfg = dict(opt["config"])
    # tf_keras' optimizers refuse Keras 2's decay: none is dropped, a decay is legacy's, as is
    # an RMSprop / Nadam without the default classes' mark (Note [legacy optimizer configs])
    legacy = _keras_optimizer_vars.tf_keras_legacy(opt["class_name"], ocfg)
    module = "keras.optimizers.legacy" if legacy else "keras.optimizers"
    if not ocfg.get("decay"):
        ocfg.pop("decay", None)
    return {"optimizer": {"module": module, "class_name": opt["class_name"], "config": ocfg,
                          "registered_name": None},
            "loss": named(tc["loss"], "keras.losses"),
            "metrics": named(tc["metrics"], "keras.metrics"),
            "loss_weights": tc.get("loss_weights"),
            "weighted_metrics": named(tc.get("weighted_metrics"), "keras.metrics"),
            "run_eagerly": None, "steps_per_execution": None, "jit_compile": None}


def _model_config(model):
    from . import keras_model
    custom = {type(l).__name__ for l in model._flatten_layers()
              if not type(l).__module__.startswith("tensorforge.")}
    if getattr(model, "_is_graph_network", False) or hasattr(type(model), "_from_sequential_config"):
        mc = keras_model.model_to_config(model)
    else:  # a subclassed model: its class and get_config (tf_keras 2.21's automatic one
        # when it has none), rebuilt by from_config and a call on the build input shape
        mc = {"class_name": type(model).__name__, "config": model.get_config()}
    out = _wrap(mc, None, custom)
    shape = model.input_shape_
    if shape is not None:
        out["build_config"] = {"input_shape": list(shape) if isinstance(shape, tuple) else
                               [list(s) for s in shape]}
    return out


# Note [optimizer state in an archive]: tf_keras keeps its optimizer's variables at
# "optimizer/vars/<i>", each class in its own order of slots (keras_optimizer_vars.py). A
# tensorforge optimizer of one of tf_keras' classes is written there in that layout, so tf_keras
# loads the archive with its optimizer's state and one more step there is the step here; it is
# read back by the same module, as is a tf_keras archive's. One tf_keras has no such layout for
# (a legacy-namespace or Keras 2.2 optimizer, moving averages, loss scaling, a class of its
# own) goes in a group tf_keras does not walk, OPT_GROUP (the iterations, then per weight its
# slots as optimizer_state.py gives them), as every optimizer did before session 31; tf_keras,
# finding no "optimizer" variables, starts its optimizer afresh (with a warning).
OPT_GROUP = "tensorforge_optimizer"


def _write_optimizer_state(h5, model):
    theirs = _keras_optimizer_vars.variables(model.optimizer, model.trainable_weights)
    if theirs is not None:
        g = h5.create_group("optimizer/vars")
        for i, (_, _, a) in enumerate(theirs):
            g.create_dataset(str(i), data=a)
        return
    fields, arrays = optimizer_state(model)
    g = h5.create_group(OPT_GROUP)
    g.attrs["fields"] = json.dumps(dict(fields, iterations=int(model.optimizer.iterations)))
    for k, a in arrays.items():
        g.create_dataset(k, data=a)


def _restore_optimizer_state(model, h5, source):
    g = h5.get(OPT_GROUP)
    if g is None:  # tf_keras' layout (its archives, and tensorforge's since session 31)
        theirs = h5.get("optimizer/vars")
        if theirs is not None and len(theirs):
            _keras_optimizer_vars.restore(model, [np.asarray(theirs[str(i)])
                                                  for i in range(len(theirs))], source)
        return
    fields = json.loads(g.attrs["fields"])
    model.optimizer.iterations = int(fields.get("iterations", 0))
    restore_optimizer_state(model, fields, {k: np.asarray(g[k]) for k in _dataset_names(g)})


def _dataset_names(g, prefix=""):
    out = []
    for k, v in g.items():
        out += _dataset_names(v, f"{prefix}{k}/") if hasattr(v, "keys") else [prefix + k]
    return out


def save_model(model, filepath, include_optimizer=True):
    """Write ``model`` as tf_keras 2.21's ``.keras`` archive, atomically."""
    from .hdf5_format import _h5py
    if not model.built:
        raise ValueError("save: the model has not been built yet (no weights)")
    config = _model_config(model)
    if include_optimizer and getattr(model, "_compiled", False):
        config["compile_config"] = _compile_config(model)
    buf = io.BytesIO()
    with _h5py().File(buf, "w") as h5:
        h5.create_group("vars")
        for path, ws in walk(model):
            g = h5.require_group(f"{path}/vars")
            for i, t in enumerate(ws):
                g.create_dataset(str(i), data=np.asarray(_device.to_host(t.data)))
        if include_optimizer and getattr(model, "_compiled", False):
            _write_optimizer_state(h5, model)
    meta = {"keras_version": KERAS_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S")}

    def fill(tmp):
        with zipfile.ZipFile(tmp, "w") as z:
            z.writestr(METADATA, json.dumps(meta))
            z.writestr(CONFIG, json.dumps(config, default=_fileio.json_numpy))
            z.writestr(WEIGHTS, buf.getvalue())
    _fileio.atomic_write(filepath, fill)
