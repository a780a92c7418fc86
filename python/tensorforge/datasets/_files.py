"""Finding and reading the files of Keras 2's downloadable data sets (CIFAR-10/100, IMDB,
Reuters, Boston housing) where a user already has them: nothing is downloaded.

Keras 2's ``get_file`` caches each download under ``$KERAS_HOME/datasets`` (default
``~/.keras/datasets``) by the name the loader asks for, so a machine that ever ran the Keras
program has them there. Searched, in order: the ``path`` argument when it names an existing file
or directory, then that name under ``$KERAS_HOME/datasets``, ``~/.keras/datasets``,
``$TENSORFORGE_DATA`` and ``~/.tensorforge/datasets``. A file found nowhere is a
FileNotFoundError listing the places and the file Keras would have downloaded.

The formats hold pickles (CIFAR's batches; the object arrays of imdb.npz / reuters.npz).
They are read with an unpickler that builds only NumPy arrays, dtypes and Python's plain
containers, so a crafted file cannot run code; a malformed one is a ValueError naming it.
"""
import io
import os
import pickle
import zipfile

import numpy as np

__all__ = ["find", "load_npz", "load_pickle"]


def search_dirs():
    dirs = []
    home = os.environ.get("KERAS_HOME")
    if home:
        dirs.append(os.path.join(home, "datasets"))
    dirs.append(os.path.join(os.path.expanduser("~"), ".keras", "datasets"))
    root = os.environ.get("TENSORFORGE_DATA")
    if root:
        dirs.append(root)
    dirs.append(os.path.join(os.path.expanduser("~"), ".tensorforge", "datasets"))
    return dirs


def find(what, path, origin):
    """The local file or directory for ``path`` (a name Keras caches it by, or a path)."""
    path = os.fspath(path)
    if os.path.exists(path):
        return path
    tried = []
    for d in search_dirs():
        p = os.path.join(d, path)
        if os.path.exists(p):
            return p
        tried.append(p)
    raise FileNotFoundError(
        f"{what}: {path!r} not found (looked in {', '.join(tried)}); tensorforge does not "
        f"download: fetch {origin} once and put it in ~/.keras/datasets (where Keras 2 caches "
        "it), or pass path= the file")


_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"), ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"), ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"), ("numpy", "dtype"),
    ("_codecs", "encode"),  # protocol-2 pickles spell bytes as _codecs.encode(str, 'latin1')
}


class _ArrayUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name} (only NumPy arrays and "
                                     "plain containers are expected)")


def load_pickle(fileobj, source):
    """A pickle of arrays, dicts, lists, numbers and bytes (latin-1 for Python 2 pickles)."""
    try:
        return _ArrayUnpickler(fileobj, encoding="bytes").load()
    except Exception as e:  # a malformed or hostile pickle: name the file
        raise ValueError(f"{source}: cannot read ({type(e).__name__}: {e})") from None


def _read_npy(data, source):
    f = io.BytesIO(data)
    version = np.lib.format.read_magic(f)
    if version == (1, 0):
        shape, _, dtype = np.lib.format.read_array_header_1_0(f)
    elif version == (2, 0):
        shape, _, dtype = np.lib.format.read_array_header_2_0(f)
    else:
        raise ValueError(f"{source}: unsupported .npy format version {version}")
    if dtype.hasobject:
        arr = load_pickle(f, source)
        if not isinstance(arr, np.ndarray) or arr.shape != tuple(shape):
            raise ValueError(f"{source}: the object array does not match its header {shape}")
        return arr
    f.seek(0)
    return np.lib.format.read_array(f, allow_pickle=False)


def load_npz(path, keys):
    """{key: array} for ``keys`` of an .npz file (object arrays through the safe unpickler)."""
    out = {}
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            for k in keys:
                if k + ".npy" not in names:
                    raise ValueError(f"{path}: missing the array {k!r} (has "
                                     f"{sorted(n[:-4] for n in names)})")
                out[k] = _read_npy(z.read(k + ".npy"), f"{path}:{k}")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
        if isinstance(e, ValueError) and str(e).startswith(str(path)):
            raise
        raise ValueError(f"{path}: not a readable .npz file ({e})") from None
    return out
