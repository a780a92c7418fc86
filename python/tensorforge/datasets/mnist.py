"""MNIST handwritten digits, Keras-compatible: ``(x_train, y_train), (x_test, y_test) = load_data()``.

Arrays are uint8: x (N, 28, 28) in 0..255, y (N,) in 0..9, as ``keras.datasets.mnist.load_data``.

Where the data comes from (first match wins; nothing is downloaded):
  1. ``path``: a Keras ``mnist.npz`` file, or a directory holding ``mnist.npz`` or the four IDX
     files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
     t10k-labels-idx1-ubyte, each gzip-compressed ``.gz`` or plain). A path without the data is
     an error, never a silent fallback.
  2. ``$TENSORFORGE_DATA/mnist``, then ``$TENSORFORGE_DATA`` itself.
  3. ``~/.tensorforge/datasets/mnist``.
  4. The bundled digits: the 10,000 official MNIST *test* digits ship inside the package
     (datasets/data/t10k-*.gz, 1.6 MB). They are split deterministically: the first 8,000 are
     x_train / y_train, the last 2,000 are x_test / y_test. (The official test set's first and
     second halves come from different writer groups; both appear in each split here.) A single
     line on stderr says so, once per process.
"""
import os
import sys

from . import _idx

__all__ = ["load_data"]

BUNDLED_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
BUNDLED_IMAGES = os.path.join(BUNDLED_DIR, "t10k-images-idx3-ubyte.gz")
BUNDLED_LABELS = os.path.join(BUNDLED_DIR, "t10k-labels-idx1-ubyte.gz")
BUNDLED_MD5 = {"t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
               "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c"}
BUNDLED_TRAIN = 8000  # first 8,000 digits train, last 2,000 test

_announced = False


def search_dirs():
    """Directories searched (in order) when no path is given."""
    dirs = []
    root = os.environ.get("TENSORFORGE_DATA")
    if root:
        dirs += [os.path.join(root, "mnist"), root]
    dirs.append(os.path.join(os.path.expanduser("~"), ".tensorforge", "datasets", "mnist"))
    return dirs


def load_bundled():
    """The bundled 10,000 real digits split 8,000 train / 2,000 test (first / last)."""
    x = _idx.read_idx(BUNDLED_IMAGES, 3)
    y = _idx.read_idx(BUNDLED_LABELS, 1)
    if len(x) != len(y):
        raise ValueError(f"{BUNDLED_IMAGES}: {len(x)} images but {BUNDLED_LABELS} has {len(y)} labels")
    n = BUNDLED_TRAIN
    return (x[:n], y[:n]), (x[n:], y[n:])


def load_data(path=None):
    """((x_train, y_train), (x_test, y_test)) as uint8 arrays; see the module docstring for the
    search order. Raises FileNotFoundError for a path that does not exist or lacks the files, and
    ValueError (naming the file) for a corrupt, truncated or inconsistent file."""
    global _announced
    if path is not None:
        path = os.fspath(path)
        out = _idx.load_from(path, "mnist.load_data", "mnist.npz")
        if out is None:
            raise FileNotFoundError(f"mnist.load_data: {path} holds neither mnist.npz nor the MNIST "
                                    f"IDX files (train-images-idx3-ubyte.gz, ...)")
        return out
    for d in search_dirs():
        if os.path.isdir(d):
            out = _idx.load_from(d, "mnist.load_data", "mnist.npz")
            if out is not None:
                return out
    if not _announced:
        _announced = True
        print("tensorforge: no MNIST files found ($TENSORFORGE_DATA, ~/.tensorforge/datasets/mnist); "
              "using the bundled 10,000 real test digits, split 8,000 train / 2,000 test",
              file=sys.stderr, flush=True)
    return load_bundled()
