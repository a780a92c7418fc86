"""Fashion-MNIST (Zalando), Keras-compatible: ``(x_train, y_train), (x_test, y_test) = load_data()``.

Arrays are uint8: x (N, 28, 28), y (N,) in 0..9 (60,000 train / 10,000 test for the full set).
Nothing is bundled or downloaded. Searched in order (first match wins):
  1. ``path``: a directory with the four IDX files (``.gz`` or plain) or ``fashion-mnist.npz``,
     or an ``.npz`` file with Keras' keys. A path without the data is an error.
  2. ``$TENSORFORGE_DATA/fashion-mnist``.
  3. ``~/.tensorforge/datasets/fashion-mnist``.
  4. ``/usr/share/datasets/fashion-mnist``, where Debian's ``dataset-fashion-mnist`` package
     installs train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz
     and t10k-labels-idx1-ubyte.gz (``apt-get install dataset-fashion-mnist``).

Class names, by label: CLASS_NAMES.
"""
import os

from . import _idx

__all__ = ["load_data", "CLASS_NAMES"]

DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"
CLASS_NAMES = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot")


def search_dirs():
    """Directories searched (in order) when no path is given."""
    dirs = []
    root = os.environ.get("TENSORFORGE_DATA")
    if root:
        dirs.append(os.path.join(root, "fashion-mnist"))
    dirs.append(os.path.join(os.path.expanduser("~"), ".tensorforge", "datasets", "fashion-mnist"))
    dirs.append(DEBIAN_DIR)
    return dirs


def load_data(path=None):
    """((x_train, y_train), (x_test, y_test)) as uint8 arrays; see the module docstring.
    Raises FileNotFoundError (naming Debian's dataset-fashion-mnist package) when the files are
    nowhere to be found, ValueError (naming the file) for a corrupt or truncated file."""
    if path is not None:
        path = os.fspath(path)
        out = _idx.load_from(path, "fashion_mnist.load_data", "fashion-mnist.npz")
        if out is None:
            raise FileNotFoundError(f"fashion_mnist.load_data: {path} holds neither "
                                    f"fashion-mnist.npz nor the IDX files (train-images-idx3-ubyte.gz, ...)")
        return out
    dirs = search_dirs()
    for d in dirs:
        if os.path.isdir(d):
            out = _idx.load_from(d, "fashion_mnist.load_data", "fashion-mnist.npz")
            if out is not None:
                return out
    raise FileNotFoundError(
        "fashion_mnist.load_data: Fashion-MNIST not found (looked in " + ", ".join(dirs) + "); "
        "install Debian's dataset-fashion-mnist package (apt-get install dataset-fashion-mnist) "
        "or pass path= a directory with the four IDX .gz files")
