"""Keras utils: to_categorical, normalize, set_random_seed, Sequence, get_file, plot_model /
model_to_dot (pydot + graphviz, an optional extra), np_utils."""
import hashlib
import os
import tarfile
import zipfile

import numpy as np

from . import _random

__all__ = ["to_categorical", "set_random_seed", "plot_model", "model_to_dot", "normalize",
           "np_utils", "Sequence", "get_file", "Progbar"]


def to_categorical(y, num_classes=None, dtype="float32"):
    """Integer class vector -> one-hot matrix (Keras: a trailing axis of size 1 is dropped)."""
    y = np.asarray(y)
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise ValueError("to_categorical: y must hold integer class indices")
    y = y.astype(np.int64)
    shape = y.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    y = y.reshape(-1)
    if y.size and y.min() < 0:
        raise ValueError(f"to_categorical: class indices must be >= 0, got {y.min()}")
    n = int(num_classes) if num_classes is not None else (int(y.max()) + 1 if y.size else 0)
    if y.size and y.max() >= n:
        raise ValueError(f"to_categorical: class index {y.max()} out of range for num_classes={n}")
    out = np.zeros((y.size, n), dtype=dtype)
    out[np.arange(y.size), y] = 1
    return out.reshape(shape + (n,))


def normalize(x, axis=-1, order=2):
    """``x`` divided by its ``order``-norm along ``axis`` (zero norms left as 1), as Keras 2:
    the result has NumPy's dtype for the division (float64 for integer or float64 input)."""
    x = np.asarray(x)
    if x.dtype.kind not in "fiub":
        raise TypeError(f"normalize: x must be numeric, got dtype {x.dtype}")
    n = np.atleast_1d(np.linalg.norm(x, order, axis))
    n[n == 0] = 1
    return x / np.expand_dims(n, axis)


def set_random_seed(seed):
    """Seed weight initialization, fit() shuffling and dropout (tensorforge and NumPy's global
    RNG, and the kernels' RNG in tensorforge._rng when present): the same seed gives
    bit-identical weights after training on the cpu backend."""
    seed = int(seed)
    _random.set_seed(seed)
    np.random.seed(seed % (2 ** 32))
    import random
    random.seed(seed)
    try:
        from . import _rng
    except ImportError:
        return
    _rng.set_seed(seed)


def __getattr__(name):
    # keras.utils.Progbar lives with the callbacks that draw it (callbacks imports nothing here)
    if name == "Progbar":
        from .callbacks import Progbar
        return Progbar
    raise AttributeError(f"module 'tensorforge.utils' has no attribute {name!r}")


class Sequence:
    """Keras 2 ``utils.Sequence``: a dataset indexed by batch. Subclasses define
    ``__getitem__(index)`` (one batch: ``(x, y)`` or ``(x, y, sample_weight)``) and ``__len__()``
    (the number of batches); ``on_epoch_end()`` runs after each epoch (shuffle there). fit /
    evaluate / predict (and the ``*_generator`` names) accept one directly."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__}: a Sequence must define __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__}: a Sequence must define __len__")

    def on_epoch_end(self):
        pass

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


# ---- get_file --------------------------------------------------------------------------------

def _cache_roots(cache_dir):
    if cache_dir is not None:
        return [os.path.expanduser(cache_dir)]
    roots = []
    if os.environ.get("KERAS_HOME"):
        roots.append(os.environ["KERAS_HOME"])
    roots += [os.path.join(os.path.expanduser("~"), ".keras"),
              os.path.join(os.path.expanduser("~"), ".tensorforge")]
    return roots


def _file_hash(path, algorithm):
    h = hashlib.sha256() if algorithm == "sha256" else hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _extract(path, dest, archive_format):
    formats = {"auto": ("tar", "zip"), "tar": ("tar",), "zip": ("zip",)}
    if archive_format not in formats:
        raise ValueError(f"get_file: archive_format must be 'auto', 'tar' or 'zip', got "
                         f"{archive_format!r}")
    for kind in formats[archive_format]:
        if kind == "tar" and tarfile.is_tarfile(path):
            with tarfile.open(path) as t:
                t.extractall(dest, filter="data") if hasattr(tarfile, "data_filter") else t.extractall(dest)
            return True
        if kind == "zip" and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                z.extractall(dest)
            return True
    return False


def get_file(fname=None, origin=None, untar=False, md5_hash=None, file_hash=None,
             cache_subdir="datasets", hash_algorithm="auto", extract=False,
             archive_format="auto", cache_dir=None):
    """The local path of a data file, as Keras 2's ``get_file`` returns it -- without
    downloading (tensorforge never downloads at run time).

    ``fname`` that is an existing path is returned as is. Otherwise the file is looked up as
    ``<root>/<cache_subdir>/<fname>`` with root ``cache_dir`` when given, else $KERAS_HOME,
    ~/.keras and ~/.tensorforge (Keras' cache, then ours). A file not found raises
    FileNotFoundError saying where to put it (and the ``origin`` to fetch it from). With
    ``file_hash`` / ``md5_hash`` the file is checked (sha256 or md5, by length when 'auto');
    ``extract`` / ``untar`` unpack a tar or zip archive beside it (once)."""
    if fname is None:
        if not origin:
            raise ValueError("get_file: give fname or origin")
        fname = os.path.basename(origin.split("?")[0])
    fname = os.fspath(fname)
    untar_base = None
    if untar:
        untar_base = fname[:-7] if fname.endswith(".tar.gz") else fname
        if not fname.endswith(".tar.gz"):
            fname = fname + ".tar.gz"
    candidates = [fname] if os.path.isabs(fname) or os.path.exists(fname) else []
    candidates += [os.path.join(r, cache_subdir, fname) for r in _cache_roots(cache_dir)]
    path = next((c for c in candidates if os.path.isfile(c)), None)
    if path is None:
        where = "\n  ".join(os.path.join(r, cache_subdir, fname) for r in _cache_roots(cache_dir))
        src = f" from {origin}" if origin else ""
        raise FileNotFoundError(
            f"get_file: {fname!r} is not available locally and tensorforge does not download "
            f"files. Download it{src} yourself and put it at one of:\n  {where}")
    want = file_hash or md5_hash
    if want:
        algo = hash_algorithm
        if algo == "auto":
            algo = "sha256" if len(want) == 64 else "md5"
        if algo not in ("sha256", "md5"):
            raise ValueError(f"get_file: hash_algorithm must be 'auto', 'sha256' or 'md5', got "
                             f"{hash_algorithm!r}")
        got = _file_hash(path, algo)
        if got != want:
            raise ValueError(f"get_file: {path} has {algo} {got}, expected {want}: the file is "
                             "corrupt or a different version; replace it")
    dest = os.path.dirname(path)
    if untar:
        out = os.path.join(dest, os.path.basename(untar_base))
        if not os.path.exists(out):
            _extract(path, dest, "tar")
        return out
    if extract:
        _extract(path, dest, archive_format)
    return path


# ---- plot_model ------------------------------------------------------------------------------

def _shape_text(s):
    from .models import _shape_str
    if isinstance(s, list):
        return ", ".join(_shape_text(e) for e in s)
    return _shape_str(s) if isinstance(s, tuple) else str(s)


def _layer_shapes(layer):
    shapes = []
    for attr in ("input_shape", "output_shape"):
        try:
            shapes.append(_shape_text(getattr(layer, attr)))
        except Exception:  # a layer called on several inputs (Keras prints 'multiple')
            shapes.append("multiple")
    return shapes


def _graph(model):
    """(layers, edges) of ``model``. The duck-typed interface: ``model.layers``; each layer's
    ``_inbound_nodes``, each node giving its input layers through ``iterate_inbound()`` ->
    [(layer, node_index, tensor_index)] (tensorforge's engine) or ``inbound_layers`` (Keras 2).
    A model without such nodes (a Sequential stack) is drawn as a chain."""
    layers = list(model.layers)
    input_layers = [l for l in getattr(model, "_input_layers", []) or [] if l not in layers]
    layers = input_layers + layers
    known = {id(l) for l in layers}
    edges = []
    for layer in layers:
        for node in getattr(layer, "_inbound_nodes", None) or []:
            if hasattr(node, "iterate_inbound"):
                parents = [h[0] for h in node.iterate_inbound()]
            else:
                parents = getattr(node, "inbound_layers", None) or []
                parents = parents if isinstance(parents, (list, tuple)) else [parents]
            for parent in parents:
                if id(parent) in known and (id(parent), id(layer)) not in edges:
                    edges.append((id(parent), id(layer)))
    if not edges and len(layers) > 1:
        edges = [(id(a), id(b)) for a, b in zip(layers, layers[1:])]
    return layers, edges


def _layer_label(layer, show_shapes, show_layer_names, show_dtype=False):
    cls = type(layer).__name__
    label = f"{layer.name}: {cls}" if show_layer_names else cls
    if show_shapes:
        ins, outs = _layer_shapes(layer)
        label = f"{label}|{{input:|output:}}|{{{{{ins}}}|{{{outs}}}}}"
    return label


def _import_pydot():
    try:
        import pydot
    except ImportError:
        raise ImportError("plot_model needs pydot and graphviz: pip install pydot (or "
                          "'tensorforge[plot]') and install graphviz (e.g. apt-get install "
                          "graphviz; https://graphviz.org/download/)") from None
    return pydot


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=96, subgraph=False, **kwargs):
    """A pydot.Dot of the model's layers (record nodes) and their connections (Keras 2)."""
    pydot = _import_pydot()
    if not getattr(model, "built", True):
        raise ValueError("plot_model: the model has not been built yet; build it (call it on data "
                         "or give the first layer an input_shape) first")
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"plot_model: rankdir must be 'TB' or 'LR', got {rankdir!r}")
    dot = pydot.Dot()
    dot.set("rankdir", rankdir)
    dot.set("concentrate", True)
    dot.set("dpi", dpi)
    dot.set_node_defaults(shape="record")
    layers, edges = _graph(model)
    for layer in layers:
        dot.add_node(pydot.Node(str(id(layer)),
                                label=_layer_label(layer, show_shapes, show_layer_names)))
    for a, b in edges:
        dot.add_edge(pydot.Edge(str(a), str(b)))
    return dot


def _text_diagram(model, show_shapes, show_layer_names):
    layers, edges = _graph(model)
    parents = {}
    for a, b in edges:
        parents.setdefault(b, []).append(a)
    names = {id(l): l.name for l in layers}
    rows = []
    for layer in layers:
        label = f"{layer.name}: {type(layer).__name__}" if show_layer_names else type(layer).__name__
        if show_shapes:
            ins, outs = _layer_shapes(layer)
            label += f"  in: {ins}  out: {outs}"
        src = [names[p] for p in parents.get(id(layer), [])]
        rows.append(label + (f"  <- {', '.join(src)}" if src else ""))
    return "\n".join(rows) + "\n"


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=True, rankdir="TB", expand_nested=False, dpi=96, **kwargs):
    """Draw the model's graph to ``to_file`` with pydot + graphviz (format from the extension;
    '.dot' writes the graph source and needs no graphviz). A '.txt' file gets a text listing (one
    line per layer, with the layers feeding it) and needs neither; that text is returned then."""
    if to_file is not None and str(to_file).endswith(".txt"):
        if not getattr(model, "built", True):
            raise ValueError("plot_model: the model has not been built yet")
        text = _text_diagram(model, show_shapes, show_layer_names)
        with open(to_file, "w") as f:
            f.write(text)
        return text
    dot = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                       show_layer_names=show_layer_names, rankdir=rankdir, dpi=dpi)
    if to_file is None:
        return dot
    ext = os.path.splitext(str(to_file))[1][1:] or "png"
    if ext in ("dot", "gv", "raw"):
        dot.write(str(to_file), format="raw")
        return None
    try:
        dot.write(str(to_file), format=ext)
    except (OSError, FileNotFoundError) as e:
        raise ImportError(f"plot_model: rendering a .{ext} file needs graphviz's `dot` program "
                          f"(apt-get install graphviz; https://graphviz.org/download/), which "
                          f"failed or is missing ({e}); write a '.dot' file to skip rendering") from None
    return None



class _NpUtils:
    """Keras 2.0's ``keras.utils.np_utils`` spelling: ``np_utils.to_categorical(...)``."""
    to_categorical = staticmethod(to_categorical)
    normalize = staticmethod(normalize)


np_utils = _NpUtils()
