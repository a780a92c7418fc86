"""Model and weights files: atomic, litter-free writes and bounded, hostile-file-safe reads.

A file is an uncompressed NumPy ``.npz`` (a zip of ``.npy`` members) holding the arrays plus a
``__config__`` member with the JSON metadata. No member is ever unpickled.

    atomic_savez(filepath, meta, arrays)   write (Note [atomic save], Note [temp files])
    read(filepath) -> (meta, members)      meta: dict; members: a read-only mapping that reads
                                           (and checks) one member when it is asked for

Note [bounded read]: a crafted file must give a ValueError naming it, never a KeyError,
ZeroDivisionError or MemoryError, and must not make the reader use much more memory than the
arrays it asks for. So ``read`` opens the zip directory only; each member is read when asked
for, after checking that its declared sizes fit inside the file (a stored member cannot hold
more bytes than the file has; a deflated one is capped at the deflate limit of ~1032x its
compressed size), that its ``.npy`` header describes a plain numeric array (no object dtype, no
zero-sized items) whose byte count equals what the member declares, and the bytes are read with
that count as the upper bound. A missing member is a ValueError too.
"""
import json
import math
import os
import re
import struct
import tempfile
import threading
import zipfile
from collections.abc import Mapping

import numpy as np

_CONFIG = "__config__"
_MAX_CONFIG_BYTES = 64 << 20      # the JSON metadata of any real model is far smaller
_DEFLATE_MAX_RATIO = 1032         # deflate's largest possible expansion
_NPY_HEADER_MAX = 1 << 16

# ---- writing ------------------------------------------------------------------------------------
# Note [atomic save]
# Writing straight into the target would leave a truncated file if the process dies mid-write.
# We write the whole container into a temp file in the SAME directory (os.replace is atomic only
# within a filesystem), flush and fsync it so its bytes are durable, then rename it over the
# target, and fsync the directory so the rename itself survives a crash. Any failure before the
# rename removes the temp file and leaves the old target untouched.
#
# Note [temp files]
# A writer killed with SIGKILL cannot remove its temp file. The temp name carries the writer's
# PID, ``.<target name>.<pid>.<random>.tmp``, so the next save or load of the same target removes
# every temp file of that naming whose writer is gone (os.kill(pid, 0) fails with ESRCH), and,
# for this process's own PID, those no thread of this process is writing now. A live writer's
# temp file is never touched. (A PID reused by an unrelated live process keeps its orphan until
# that process ends: the conservative side.)

_live = set()          # temp paths this process is writing now
_live_lock = threading.Lock()


def _temp_pattern(filepath):
    base = re.escape(os.path.basename(filepath))
    return re.compile(r"^\." + base + r"\.(\d+)\.[A-Za-z0-9_]+\.tmp$")


def _pid_alive(pid):
    if pid <= 0:
        return True  # never guess about a nonsense PID: keep the file
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True   # exists, owned by someone else
    return True


def remove_stale_temps(filepath):
    """Remove temp files of ``filepath``'s naming whose writer no longer runs (Note [temp
    files]); returns the removed paths."""
    filepath = os.path.abspath(os.fspath(filepath))
    d = os.path.dirname(filepath)
    pat = _temp_pattern(filepath)
    removed = []
    try:
        names = os.listdir(d)
    except OSError:
        return removed
    me = os.getpid()
    for name in names:
        m = pat.match(name)
        if not m:
            continue
        path = os.path.join(d, name)
        pid = int(m.group(1))
        if pid == me:
            with _live_lock:
                if path in _live:
                    continue
        elif _pid_alive(pid):
            continue
        try:
            os.unlink(path)
            removed.append(path)
        except OSError:
            pass
    return removed


def atomic_write(filepath, write):
    """Call ``write(tmp_path)`` to fill a temp file beside ``filepath``, then move it over
    ``filepath`` atomically (Note [atomic save]); first removes stale temp files of the same
    naming (Note [temp files]). Any format's writer (npz, HDF5) goes through here."""
    filepath = os.fspath(filepath)
    d = os.path.dirname(os.path.abspath(filepath))
    if not os.path.isdir(d):
        raise FileNotFoundError(f"save: directory {d!r} does not exist")
    remove_stale_temps(filepath)
    prefix = "." + os.path.basename(filepath) + f".{os.getpid()}."
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=d)
    os.close(fd)
    with _live_lock:
        _live.add(os.path.abspath(tmp))
    try:
        write(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, filepath)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    finally:
        with _live_lock:
            _live.discard(os.path.abspath(tmp))
    try:
        dfd = os.open(d, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def json_numpy(obj):
    """NumPy values in a config, as Keras 2's json_utils.get_json_type writes them: an array
    as nested lists, a NumPy scalar as a Python number (DLwP2 ch. 11's
    ``Embedding(embeddings_initializer=Constant(embedding_matrix))`` saved to .keras)."""
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")


def atomic_savez(filepath, meta, arrays):
    """Write ``arrays`` (name -> array) and the JSON-able dict ``meta`` to ``filepath``
    atomically (atomic_write)."""
    payload = dict(arrays)
    payload[_CONFIG] = np.frombuffer(json.dumps(meta, default=json_numpy).encode("utf-8"),
                                     dtype=np.uint8)

    def write(tmp):
        with open(tmp, "wb") as f:
            np.savez(f, **payload)
    atomic_write(filepath, write)


# ---- reading ------------------------------------------------------------------------------------
class Members(Mapping):
    """Read-only mapping member name -> array over an open .npz; each member is read and checked
    when asked for (Note [bounded read]). Use as a context manager or call close()."""

    def __init__(self, filepath, zf, infos):
        self._path, self._zf, self._infos = filepath, zf, infos
        self._file_size = os.path.getsize(filepath)

    def __getitem__(self, name):
        info = self._infos.get(name)
        if info is None:
            raise ValueError(f"{self._path!r} is corrupt: the member {name!r} is missing")
        return _read_member(self._path, self._zf, info, self._file_size)

    def __iter__(self):
        return iter(self._infos)

    def __len__(self):
        return len(self._infos)

    def close(self):
        self._zf.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _corrupt(filepath, why):
    return ValueError(f"{filepath!r} is not a tensorforge model/weights file or is corrupt ({why})")


def _check_sizes(filepath, info, file_size):
    if info.flag_bits & 0x1:
        raise _corrupt(filepath, f"member {info.filename!r} is encrypted")
    if info.compress_type == zipfile.ZIP_STORED:
        if info.file_size != info.compress_size:
            raise _corrupt(filepath, f"member {info.filename!r} declares {info.file_size} bytes "
                                     f"but stores {info.compress_size}")
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        if info.file_size > _DEFLATE_MAX_RATIO * info.compress_size + 1024:
            raise _corrupt(filepath, f"member {info.filename!r} declares {info.file_size} bytes "
                                     f"from {info.compress_size} compressed")
    else:
        raise _corrupt(filepath, f"member {info.filename!r} uses an unsupported compression")
    if info.header_offset < 0 or info.header_offset + info.compress_size > file_size:
        raise _corrupt(filepath, f"member {info.filename!r} extends past the end of the file")


def _read_exact(f, n, filepath, name):
    buf = f.read(n)
    if len(buf) != n:
        raise _corrupt(filepath, f"member {name!r} is truncated")
    return buf


def _read_member(filepath, zf, info, file_size):
    name = info.filename
    _check_sizes(filepath, info, file_size)
    try:
        with zf.open(info) as f:
            magic = _read_exact(f, 8, filepath, name)
            if magic[:6] != b"\x93NUMPY" or magic[6] not in (1, 2, 3):
                raise _corrupt(filepath, f"member {name!r} is not a .npy array")
            hl_size = 2 if magic[6] == 1 else 4
            hlen = struct.unpack("<H" if hl_size == 2 else "<I", _read_exact(f, hl_size, filepath, name))[0]
            if hlen > _NPY_HEADER_MAX or 8 + hl_size + hlen > info.file_size:
                raise _corrupt(filepath, f"member {name!r} has a bad header length")
            header = _read_exact(f, hlen, filepath, name).decode("latin1")
            shape, fortran, dtype = _parse_npy_header(filepath, name, header)
            count = math.prod(shape)
            nbytes = count * dtype.itemsize
            if nbytes != info.file_size - (8 + hl_size + hlen):
                raise _corrupt(filepath, f"member {name!r} declares shape {shape} of {dtype} "
                                         f"({nbytes} bytes) but holds "
                                         f"{info.file_size - (8 + hl_size + hlen)}")
            data = _read_exact(f, nbytes, filepath, name)
    except ValueError:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError, struct.error,
            UnicodeDecodeError, zipfile.LargeZipFile) as e:
        raise _corrupt(filepath, f"{type(e).__name__} reading member {name!r}: {e}") from None
    arr = np.frombuffer(data, dtype=dtype, count=count)
    arr = arr.reshape(shape[::-1]).T if fortran else arr.reshape(shape)
    return np.array(arr, copy=True)  # writable, owns its memory


def _parse_npy_header(filepath, name, header):
    import ast
    try:
        d = ast.literal_eval(header)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        raise _corrupt(filepath, f"member {name!r} has an unreadable header") from None
    if not isinstance(d, dict) or set(d) != {"descr", "fortran_order", "shape"}:
        raise _corrupt(filepath, f"member {name!r} has a bad header")
    shape, fortran, descr = d["shape"], d["fortran_order"], d["descr"]
    if (not isinstance(shape, tuple) or len(shape) > 32
            or not all(isinstance(s, int) and not isinstance(s, bool) and 0 <= s < 2 ** 48
                       for s in shape)
            or not isinstance(fortran, bool) or not isinstance(descr, str)):
        raise _corrupt(filepath, f"member {name!r} has a bad header")
    try:
        dtype = np.dtype(descr)
    except (TypeError, ValueError):
        raise _corrupt(filepath, f"member {name!r} has an unknown dtype {descr!r}") from None
    if dtype.kind not in "biuf" or dtype.itemsize == 0 or dtype.hasobject:
        raise _corrupt(filepath, f"member {name!r} has the non-numeric dtype {descr!r}")
    return tuple(shape), fortran, dtype


def read(filepath, format_name=None, max_version=None):
    """(meta, members) of a file written by ``atomic_savez`` (Note [bounded read]).

    ``meta`` is the JSON dict; ``members`` maps member names to arrays, read on access (close it,
    or use it in a ``with`` block). With ``format_name`` / ``max_version`` the metadata's
    "format" and "version" are checked. Also removes stale temp files (Note [temp files]).
    """
    filepath = os.fspath(filepath)
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No file found at {filepath!r}")
    remove_stale_temps(filepath)
    try:
        zf = zipfile.ZipFile(filepath)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError,
            struct.error, UnicodeDecodeError, RuntimeError) as e:
        raise _corrupt(filepath, f"{type(e).__name__}: {e}") from None
    try:
        infos = {}
        for info in zf.infolist():
            if info.filename.endswith(".npy"):
                infos[info.filename[:-4]] = info
        members = Members(filepath, zf, infos)
        cfg = infos.get(_CONFIG)
        if cfg is None:
            raise _corrupt(filepath, "no metadata member")
        if cfg.file_size > _MAX_CONFIG_BYTES:
            raise _corrupt(filepath, f"metadata of {cfg.file_size} bytes")
        raw = members[_CONFIG]
        try:
            meta = json.loads(raw.tobytes().decode("utf-8"))
        except (ValueError, UnicodeDecodeError, RecursionError) as e:
            raise _corrupt(filepath, f"bad metadata: {type(e).__name__}") from None
        if not isinstance(meta, dict):
            raise _corrupt(filepath, "metadata is not a JSON object")
        if format_name is not None and meta.get("format") != format_name:
            raise ValueError(f"{filepath!r} is not a tensorforge model/weights file")
        version = meta.get("version", 0)
        if max_version is not None:
            if not isinstance(version, int) or isinstance(version, bool):
                raise _corrupt(filepath, f"bad format version {version!r}")
            if version > max_version:
                raise ValueError(f"{filepath!r} was written by a newer tensorforge (format version "
                                 f"{version})")
    except BaseException:
        zf.close()
        raise
    return meta, members
