"""CIFAR's "python version" batches (pickled dicts: ``data`` (N, 3072) uint8 in channel-major
order, labels a list), from the directory Keras 2 extracts (``cifar-10-batches-py``,
``cifar-100-python``) or straight from the downloaded ``.tar.gz``."""
import io
import os
import tarfile

import numpy as np

from ..backend_config import image_data_format
from . import _files


def locate(what, path, dirname, origin):
    """``path`` when given, else Keras 2's extracted directory, else the downloaded archive."""
    if path is not None:
        return _files.find(what, path, origin)
    try:
        return _files.find(what, dirname, origin)
    except FileNotFoundError:
        return _files.find(what, os.path.basename(origin), origin)


def _batches(what, root, names, label_key):
    """{name: (x (N, 3, 32, 32) uint8, y (N,) uint8)} from a directory or a .tar.gz."""
    out = {}
    if os.path.isdir(root):
        for n in names:
            p = os.path.join(root, n)
            if not os.path.isfile(p):
                raise FileNotFoundError(f"{what}: {p} is missing")
            with open(p, "rb") as f:
                out[n] = _batch(_files.load_pickle(f, p), p, label_key)
        return out
    try:
        with tarfile.open(root, "r:*") as tar:
            members = {os.path.basename(m.name): m for m in tar.getmembers() if m.isfile()}
            for n in names:
                if n not in members:
                    raise FileNotFoundError(f"{what}: {root} holds no {n}")
                src = f"{root}:{members[n].name}"
                data = tar.extractfile(members[n]).read()
                out[n] = _batch(_files.load_pickle(io.BytesIO(data), src), src, label_key)
    except tarfile.TarError as e:
        raise ValueError(f"{what}: {root} is not a readable tar archive ({e})") from None
    return out


def _batch(d, source, label_key):
    if not isinstance(d, dict):
        raise ValueError(f"{source}: not a CIFAR batch (a {type(d).__name__}, not a dict)")
    d = {k.decode("latin-1") if isinstance(k, bytes) else k: v for k, v in d.items()}
    if "data" not in d or label_key not in d:
        raise ValueError(f"{source}: not a CIFAR batch (keys {sorted(d)}; needs 'data' and "
                         f"{label_key!r})")
    x = np.asarray(d["data"])
    y = np.asarray(d[label_key])
    if x.dtype != np.uint8 or x.ndim != 2 or x.shape[1] != 3072 or y.shape != (x.shape[0],):
        raise ValueError(f"{source}: data {x.dtype} {x.shape} / labels {y.shape} are not "
                         "(N, 3072) uint8 and (N,)")
    return x.reshape(-1, 3, 32, 32), y.astype(np.uint8)


def load(what, root, train_names, test_name, label_key):
    """Keras 2's layout: x (N, 32, 32, 3) uint8 (channels_first: (N, 3, 32, 32)), y (N, 1)."""
    b = _batches(what, root, list(train_names) + [test_name], label_key)
    x_train = np.concatenate([b[n][0] for n in train_names])
    y_train = np.concatenate([b[n][1] for n in train_names]).reshape(-1, 1)
    x_test, y_test = b[test_name][0], b[test_name][1].reshape(-1, 1)
    if image_data_format() == "channels_last":
        x_train, x_test = x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)
    return (np.ascontiguousarray(x_train), y_train), (np.ascontiguousarray(x_test), y_test)
