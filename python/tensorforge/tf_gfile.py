"""``tf.io.gfile``: TensorFlow 2's file API over local files (``GFile``, ``exists``, ``glob``,
``listdir``, ``makedirs``, ``rename``, ``walk``, ...), as TF 2 programs use it to read label
files, write vocabularies and list checkpoint directories.

Behaviour follows TensorFlow 2.21's on local paths (recorded by hand with
/work/keras-venv, see tests/test_tf_gfile.py):
- ``GFile(name, mode)`` opens lazily: a missing file is a ``tf.errors.NotFoundError`` at the
  first read, not at construction. Modes are ``r w a r+ w+ a+``, each with an optional ``b``;
  text modes read and write ``str`` (bytes are accepted by ``write``), binary modes ``bytes``.
  Reading a file opened for writing (or the reverse) is a ``PermissionDeniedError``.
- Writes through ``GFile(name, 'w')`` / ``'wb'`` go to a temporary file beside ``name`` that
  replaces it on ``close()`` (``os.replace``, atomic on one file system): a reader never sees
  a half-written file. TensorFlow writes in place; the difference is visible only while the
  file is open. As in TensorFlow, a ``'w'`` file that was never written to is not created.
  ``'a'`` and the ``+`` modes write in place (making them atomic would copy the file).
- ``mkdir`` of an existing directory and ``makedirs`` of existing ones succeed (TensorFlow's
  local file system does not refuse either); ``rename`` / ``copy`` onto an existing file
  without ``overwrite=True`` is an ``AlreadyExistsError``; ``remove`` of a directory a
  ``FailedPreconditionError``.
- ``glob`` and ``walk`` list names sorted (TensorFlow gives the file system's order).
"""
import collections
import glob as _glob
import os
import shutil

from .tf_debugging import (AlreadyExistsError, FailedPreconditionError, InvalidArgumentError,
                           NotFoundError, PermissionDeniedError)

__all__ = ["GFile", "Open", "exists", "glob", "isdir", "listdir", "makedirs", "mkdir", "remove",
           "rename", "copy", "rmtree", "stat", "walk", "join", "FileStatistics"]

_MODES = ("r", "w", "a", "r+", "w+", "a+")

FileStatistics = collections.namedtuple("FileStatistics", ["length", "mtime_nsec", "is_directory"])


def _path(op, p):
    if isinstance(p, bytes):
        return p.decode("utf-8")
    if isinstance(p, str) or hasattr(p, "__fspath__"):
        return os.fspath(p)
    raise TypeError(f"tf.io.gfile.{op}: the path must be a string, got {type(p).__name__}")


def _not_found(path, e=None):
    return NotFoundError(None, None, f"{path}; No such file or directory")


class GFile:
    """A file: ``read(n=-1)``, ``readline()``, ``readlines()``, iteration over lines,
    ``write``, ``flush``, ``seek(offset, whence)``, ``tell``, ``size``, ``close``, and ``with``."""

    def __init__(self, name, mode="r"):
        self.__name = _path("GFile", name)
        if not isinstance(mode, str) or mode.replace("b", "", 1) not in _MODES:
            raise InvalidArgumentError(
                None, None, "mode is not 'r' or 'w' or 'a' or 'r+' or 'w+' or 'a+'")
        self.__mode = mode
        self._binary = "b" in mode
        base = mode.replace("b", "")
        self._readable = base.startswith("r") or "+" in base
        self._writable = base != "r"
        self._atomic = base == "w"  # Note in the module docstring: 'w' replaces on close
        self._f = None
        self._tmp = None
        self._closed = False

    name = property(lambda self: self.__name)
    mode = property(lambda self: self.__mode)

    def _file(self):
        if self._closed:
            raise ValueError(f"tf.io.gfile.GFile: I/O operation on the closed file {self.__name!r}")
        if self._f is None:
            base = self.__mode.replace("b", "")
            try:
                if self._atomic:
                    directory = os.path.dirname(self.__name) or "."
                    if not os.path.isdir(directory):
                        raise _not_found(self.__name)
                    self._tmp = os.path.join(
                        directory, f".{os.path.basename(self.__name)}.tmp{os.getpid()}.{id(self)}")
                    self._f = open(self._tmp, "w+b")
                else:
                    self._f = open(self.__name, base.replace("+", "") + "b+" if "+" in base
                                   else base + "b")
            except FileNotFoundError:
                raise _not_found(self.__name) from None
            except IsADirectoryError:
                raise FailedPreconditionError(None, None, f"{self.__name}; Is a directory") \
                    from None
        return self._f

    def _check(self, reading):
        if reading and not self._readable:
            raise PermissionDeniedError(None, None, "File isn't open for reading")
        if not reading and not self._writable:
            raise PermissionDeniedError(None, None, "File isn't open for writing")
        return self._file()

    def _out(self, data):
        return data if self._binary else data.decode("utf-8")

    def read(self, n=-1):
        """``n`` bytes (characters' bytes in text mode) from the current position, all when
        ``n`` is -1."""
        f = self._check(True)
        return self._out(f.read() if n is None or n < 0 else f.read(int(n)))

    def readline(self):
        return self._out(self._check(True).readline())

    def readlines(self):
        return [self._out(line) for line in self._check(True).readlines()]

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    next = __next__

    def write(self, file_content):
        f = self._check(False)
        if isinstance(file_content, str):
            file_content = file_content.encode("utf-8")
        elif not isinstance(file_content, (bytes, bytearray, memoryview)):
            raise TypeError(f"tf.io.gfile.GFile.write: file_content must be str or bytes, got "
                            f"{type(file_content).__name__}")
        f.write(file_content)

    def flush(self):
        if self._f is not None and self._writable:
            self._f.flush()

    def seek(self, offset=None, whence=0, position=None):
        """TensorFlow's signature: ``seek(offset, whence)``, or the old ``position=``."""
        if position is not None:
            if offset is not None:
                raise TypeError("tf.io.gfile.GFile.seek: give offset or position, not both")
            offset = position
        self._file().seek(int(offset or 0), int(whence))

    def tell(self):
        return self._file().tell()

    def size(self):
        if self._f is not None and self._writable:
            self._f.flush()
        if self._tmp is not None:
            self._f.flush()
            return os.path.getsize(self._tmp)
        try:
            return os.path.getsize(self.__name)
        except FileNotFoundError:
            raise _not_found(self.__name) from None

    def seekable(self):
        return True

    def close(self):
        if self._closed:
            return
        self._closed = True
        if self._f is None:
            return
        self._f.close()
        if self._tmp is not None:
            os.replace(self._tmp, self.__name)
            self._tmp = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and self._tmp is not None:
            self._f.close()  # a failed write leaves the old file as it was
            os.remove(self._tmp)
            self._tmp, self._f = None, None
        self.close()
        return False

    def __del__(self):
        try:
            if self._tmp is not None and not self._closed:
                self._f.close()
                os.remove(self._tmp)
        except Exception:  # noqa: BLE001 -- interpreter shutdown
            pass


Open = GFile  # tf.compat.v1.gfile.Open, still called by TF 1-era programs


def exists(path):
    return os.path.exists(_path("exists", path))


def isdir(path):
    return os.path.isdir(_path("isdir", path))


def glob(pattern):
    """The paths matching ``pattern`` (``*``, ``?``, ``[...]``; a list of patterns too), as
    strings, sorted."""
    pats = pattern if isinstance(pattern, (list, tuple)) else [pattern]
    out = set()
    for p in pats:
        out.update(_glob.glob(_path("glob", p)))
    return sorted(out)


def listdir(path):
    """The names in directory ``path`` (not the paths), sorted."""
    p = _path("listdir", path)
    if not os.path.isdir(p):
        raise NotFoundError(None, None, f"Could not find directory {p}")
    return sorted(os.listdir(p))


def makedirs(path):
    """Creates ``path`` and its missing parents; existing ones are fine."""
    os.makedirs(_path("makedirs", path), exist_ok=True)


def mkdir(path):
    """Creates ``path`` (its parent must exist: ``NotFoundError``); an existing directory is
    fine, as TensorFlow's local file system has it."""
    p = _path("mkdir", path)
    try:
        os.mkdir(p)
    except FileExistsError:
        if not os.path.isdir(p):
            raise AlreadyExistsError(None, None, f"{p}; File exists") from None
    except FileNotFoundError:
        raise _not_found(p) from None


def remove(path):
    p = _path("remove", path)
    if os.path.isdir(p):
        raise FailedPreconditionError(None, None, f"{p}; Is a directory")
    try:
        os.remove(p)
    except FileNotFoundError:
        raise _not_found(p) from None


def _target(op, src, dst, overwrite):
    s, d = _path(op, src), _path(op, dst)
    if not os.path.exists(s):
        raise _not_found(s)
    if os.path.exists(d) and not overwrite:
        raise AlreadyExistsError(None, None, "file already exists")
    return s, d


def rename(oldname, newname, overwrite=False):
    s, d = _target("rename", oldname, newname, overwrite)
    os.replace(s, d)


def copy(oldpath, newpath, overwrite=False):
    s, d = _target("copy", oldpath, newpath, overwrite)
    if os.path.isdir(s):
        raise FailedPreconditionError(None, None, f"{s}; Is a directory")
    shutil.copyfile(s, d)


def rmtree(path):
    p = _path("rmtree", path)
    if not os.path.exists(p):
        raise NotFoundError(None, None, f"{p} not found")
    if not os.path.isdir(p):
        raise FailedPreconditionError(None, None, f"{p}; Not a directory")
    shutil.rmtree(p)


def stat(path):
    """``FileStatistics(length, mtime_nsec, is_directory)``."""
    p = _path("stat", path)
    try:
        st = os.stat(p)
    except FileNotFoundError:
        raise _not_found(p) from None
    return FileStatistics(int(st.st_size), int(st.st_mtime_ns), os.path.isdir(p))


def walk(top, topdown=True, onerror=None):
    """``(dirname, subdirectory names, file names)`` for ``top`` and each directory below it;
    a missing ``top`` yields nothing (``onerror`` gets the error)."""
    t = _path("walk", top)
    try:
        names = listdir(t)
    except NotFoundError as e:
        if onerror is not None:
            onerror(e)
        return
    dirs = [n for n in names if os.path.isdir(os.path.join(t, n))]
    files = [n for n in names if n not in dirs]
    if topdown:
        yield t, dirs, files
    for d in dirs:
        yield from walk(os.path.join(t, d), topdown, onerror)
    if not topdown:
        yield t, dirs, files


def join(path, *paths):
    return os.path.join(_path("join", path), *[_path("join", p) for p in paths])

