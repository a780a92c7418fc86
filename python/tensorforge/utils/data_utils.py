"""Keras 2 ``keras.utils.data_utils``: Sequence (a dataset indexed by batch), get_file (the
local copy of a data file; tensorforge never downloads), pad_sequences (also
``keras.preprocessing.sequence``'s) and the enqueuers (data_enqueuers.py)."""
import hashlib
import os
import tarfile
import zipfile

import numpy as np

from .data_enqueuers import GeneratorEnqueuer, OrderedEnqueuer, SequenceEnqueuer  # noqa: F401

__all__ = ["Sequence", "get_file", "pad_sequences", "SequenceEnqueuer", "OrderedEnqueuer",
           "GeneratorEnqueuer"]


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


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """List of sequences -> array (num_samples, maxlen) + sample_shape. Sequences longer than
    ``maxlen`` lose values at the start ('pre') or end ('post'); shorter ones are padded with
    ``value`` at the start ('pre') or end ('post'). ``maxlen`` None: the longest sequence."""
    op = "pad_sequences"
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"{op}: sequences must be a list of sequences, got "
                         f"{type(sequences).__name__}")
    if padding not in ("pre", "post"):
        raise ValueError(f"{op}: padding must be 'pre' or 'post', got {padding!r}")
    if truncating not in ("pre", "post"):
        raise ValueError(f"{op}: truncating must be 'pre' or 'post', got {truncating!r}")
    lengths, sample_shape = [], ()
    found = False
    for i, s in enumerate(sequences):
        try:
            lengths.append(len(s))
        except TypeError:
            raise ValueError(f"{op}: sequences must be a list of iterables; item {i} is "
                             f"{type(s).__name__} {s!r}") from None
        if not found and len(s):
            sample_shape = np.asarray(s).shape[1:]
            found = True
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    elif isinstance(maxlen, bool) or int(maxlen) != maxlen or maxlen < 0:
        raise ValueError(f"{op}: maxlen must be a non-negative integer or None, got {maxlen!r}")
    maxlen = int(maxlen)
    is_str = np.issubdtype(np.dtype(dtype), np.str_)
    if isinstance(value, str) and np.dtype(dtype) != object and not is_str:
        raise ValueError(f"{op}: dtype {dtype} is not compatible with a str value {value!r}; use "
                         "dtype=object for variable-length strings")
    x = np.full((len(sequences), maxlen) + sample_shape, value, dtype=dtype)
    if maxlen == 0:
        return x
    for i, s in enumerate(sequences):
        if not len(s):
            continue
        trunc = np.asarray(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError(f"{op}: shape of sample {trunc.shape[1:]} of sequence at position {i} "
                             f"is different from expected shape {sample_shape}")
        if padding == "post":
            x[i, :len(trunc)] = trunc
        else:
            x[i, -len(trunc):] = trunc
    return x
