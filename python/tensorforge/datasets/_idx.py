"""Readers for the MNIST-family file formats, shared by mnist.py and fashion_mnist.py.

IDX (http://yann.lecun.com/exdb/mnist/): a big-endian header

    bytes 0-1  0x00 0x00
    byte  2    element type (0x08 = unsigned byte, the only one these data sets use)
    byte  3    number of dimensions D
    then D big-endian uint32 sizes, then prod(sizes) elements.

Files may be gzip-compressed (``*.gz``) or plain. Everything here is checked before it is trusted:
magic bytes, element type, dimension count, image size, the exact data length (a truncated or
over-long file is an error, never a silently short array), gzip integrity, and that the images
and labels of a split have the same count. Every problem is a ValueError naming the file.

Keras' ``mnist.npz`` (keys x_train, y_train, x_test, y_test) is read with allow_pickle=False and
checked the same way.
"""
import gzip
import math
import os
import zlib

import numpy as np

# The four files of a split, with the alternative spellings seen in the wild
# (the original site uses '-idx3-ubyte', some mirrors '.idx3-ubyte').
FILES = {
    "x_train": ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    "y_train": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    "x_test": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "y_test": ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}
IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10
_UBYTE = 0x08


def _read_bytes(path):
    """All bytes of path, decompressed when it is gzip (by magic, not by name)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise ValueError(f"{path}: cannot read: {e.strerror or e}") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except EOFError:
            raise ValueError(f"{path}: truncated gzip file (the compressed stream ends early)") from None
        except (OSError, zlib.error) as e:
            raise ValueError(f"{path}: corrupt gzip file ({e})") from None
    if path.endswith(".gz"):
        raise ValueError(f"{path}: not a gzip file (bad gzip magic bytes)")
    return raw


def read_idx(path, ndim):
    """Parse one IDX file of unsigned bytes with exactly `ndim` dimensions -> uint8 array.

    ndim == 3: images, must be (N, 28, 28); ndim == 1: labels, each in 0..9."""
    data = _read_bytes(path)
    kind = "images" if ndim == 3 else "labels"
    if len(data) < 4:
        raise ValueError(f"{path}: too short to be an IDX file ({len(data)} bytes)")
    if data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: bad IDX magic number 0x{data[:4].hex()} (must start with 0x0000)")
    if data[2] != _UBYTE:
        raise ValueError(f"{path}: IDX element type 0x{data[2]:02x} is not unsigned byte (0x08)")
    if data[3] != ndim:
        raise ValueError(f"{path}: IDX {kind} file must have {ndim} dimension(s), got {data[3]}")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{path}: truncated IDX header ({len(data)} bytes, need {header})")
    dims = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    if ndim == 3 and dims[1:] != IMAGE_SHAPE:
        raise ValueError(f"{path}: images must be 28x28, got {dims[1]}x{dims[2]}")
    expected = math.prod(dims)
    got = len(data) - header
    if got < expected:
        raise ValueError(f"{path}: truncated: header says {dims} = {expected} bytes of data, "
                         f"file has {got}")
    if got > expected:
        raise ValueError(f"{path}: {got - expected} unexpected bytes after the {dims} data")
    arr = np.frombuffer(data, dtype=np.uint8, count=expected, offset=header).reshape(dims).copy()
    if ndim == 1 and arr.size and arr.max() >= NUM_CLASSES:
        raise ValueError(f"{path}: label {int(arr.max())} out of range 0..{NUM_CLASSES - 1}")
    return arr


def find_idx(directory, key):
    """Path of the IDX file for key ('x_train', ...) in directory, or None."""
    for stem in FILES[key]:
        for name in (stem + ".gz", stem):
            p = os.path.join(directory, name)
            if os.path.isfile(p):
                return p
    return None


def has_idx(directory):
    """True when directory holds at least one of the IDX files (so it is meant as a data dir)."""
    return any(find_idx(directory, k) is not None for k in FILES)


def _pair(x, y, xname, yname):
    if len(x) != len(y):
        raise ValueError(f"{xname} has {len(x)} images but {yname} has {len(y)} labels")
    return x, y


def load_idx_dir(directory, what):
    """The four IDX files in directory -> ((x_train, y_train), (x_test, y_test))."""
    paths = {}
    for key, names in FILES.items():
        p = find_idx(directory, key)
        if p is None:
            raise FileNotFoundError(f"{what}: {directory} has no {names[0]}.gz (nor {names[0]})")
        paths[key] = p
    x_train = read_idx(paths["x_train"], 3)
    y_train = read_idx(paths["y_train"], 1)
    x_test = read_idx(paths["x_test"], 3)
    y_test = read_idx(paths["y_test"], 1)
    return (_pair(x_train, y_train, paths["x_train"], paths["y_train"]),
            _pair(x_test, y_test, paths["x_test"], paths["y_test"]))


def load_npz(path):
    """Keras' mnist.npz -> ((x_train, y_train), (x_test, y_test)), checked like the IDX files."""
    try:
        with np.load(path, allow_pickle=False) as f:
            missing = [k for k in FILES if k not in f.files]
            if missing:
                raise ValueError(f"{path}: not a Keras mnist.npz (missing {', '.join(missing)})")
            arrays = {k: f[k] for k in FILES}
    except ValueError as e:
        if str(e).startswith(str(path)):
            raise
        raise ValueError(f"{path}: cannot read as .npz ({e})") from None
    except Exception as e:  # zipfile.BadZipFile, EOFError, OSError, zlib.error on damaged archives
        raise ValueError(f"{path}: corrupt .npz file ({type(e).__name__}: {e})") from None
    for k in ("x_train", "x_test"):
        a = arrays[k]
        if a.ndim != 3 or a.shape[1:] != IMAGE_SHAPE:
            raise ValueError(f"{path}: {k} must have shape (N, 28, 28), got {a.shape}")
    for k in ("y_train", "y_test"):
        a = arrays[k]
        if a.ndim != 1:
            raise ValueError(f"{path}: {k} must have shape (N,), got {a.shape}")
        if a.size and (a.min() < 0 or a.max() >= NUM_CLASSES):
            raise ValueError(f"{path}: {k} has labels outside 0..{NUM_CLASSES - 1}")
    for k in FILES:
        if arrays[k].dtype != np.uint8:
            arrays[k] = arrays[k].astype(np.uint8)
    return (_pair(arrays["x_train"], arrays["y_train"], f"{path}:x_train", f"{path}:y_train"),
            _pair(arrays["x_test"], arrays["y_test"], f"{path}:x_test", f"{path}:y_test"))


def load_from(path, what, npz_name):
    """Load from an explicit path: an .npz file, an IDX directory, or a directory with npz_name.

    Returns None when path is a directory that holds none of the data (the caller decides
    whether that is an error); raises FileNotFoundError for a path that does not exist."""
    if not os.path.exists(path):
        raise FileNotFoundError(f"{what}: {path} does not exist")
    if os.path.isfile(path):
        if path.endswith(".npz"):
            return load_npz(path)
        raise ValueError(f"{what}: {path} is a file; give an .npz file or a directory with the "
                         f"four IDX files")
    npz = os.path.join(path, npz_name)
    if os.path.isfile(npz):
        return load_npz(npz)
    if has_idx(path):
        return load_idx_dir(path, what)
    return None
