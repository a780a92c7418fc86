"""TensorFlow's TFRecord files: ``tf.io.TFRecordWriter``, ``tf.io.TFRecordOptions`` and the
``tf.data.TFRecordDataset`` source, byte-compatible with TensorFlow's (files written here read
there and back).

A file is a sequence of records, each

    uint64 length (little-endian) | uint32 masked CRC-32C of the length bytes | data |
    uint32 masked CRC-32C of the data

with masked(c) = ((c >> 15 | c << 17) + 0xa282ead8) mod 2**32 (CRC-32C: the Castagnoli
polynomial, reflected 0x82f63b78). Files may be GZIP or ZLIB compressed as a whole. Reading
checks both CRCs and the lengths: a truncated or corrupt file is a ValueError naming it and the
record, never a silently short dataset.

``tf.data.FixedLengthRecordDataset`` (files of equal-size records after a header, CIFAR-10's
binary batches) is here too: the other dataset of whole files' records.
"""
import gzip
import itertools
import os
import struct
import zlib

import numpy as np

from .tf_data import UNKNOWN_CARDINALITY, Dataset

__all__ = ["TFRecordWriter", "TFRecordOptions", "TFRecordDataset", "crc32c", "read_records",
           "FixedLengthRecordDataset"]


def _table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


_TABLE = _table()


def crc32c(data):
    c = 0xFFFFFFFF
    t = _TABLE
    for b in data:
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def _masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _compression(op, compression_type):
    c = (compression_type or "").upper()
    if c not in ("", "GZIP", "ZLIB"):
        raise ValueError(f"{op}: compression_type must be '', 'GZIP' or 'ZLIB', got "
                         f"{compression_type!r}")
    return c


class TFRecordOptions:
    """``tf.io.TFRecordOptions(compression_type='GZIP')`` (the other tuning fields accepted)."""

    def __init__(self, compression_type=None, **kwargs):
        self.compression_type = _compression("TFRecordOptions", compression_type)


class TFRecordWriter:
    """``with tf.io.TFRecordWriter(path, options) as w: w.write(example.SerializeToString())``.
    The file appears when the writer is closed (written to a temporary file beside it, then
    moved into place: a crash never leaves a half-written file under the name)."""

    def __init__(self, path, options=None):
        if isinstance(options, str) or options is None:
            options = TFRecordOptions(options)
        self._path = os.fspath(path)
        self._comp = options.compression_type
        self._tmp = f"{self._path}.tmp{os.getpid()}"
        self._f = open(self._tmp, "wb")
        self._closed = False

    def write(self, record):
        if self._closed:
            raise ValueError("TFRecordWriter.write: the writer is closed")
        data = record.numpy() if hasattr(record, "numpy") else record
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"TFRecordWriter.write: record must be bytes, got {type(data).__name__}")
        n = struct.pack("<Q", len(data))
        self._f.write(n + struct.pack("<I", _masked(n)) + bytes(data) +
                      struct.pack("<I", _masked(data)))

    def flush(self):
        self._f.flush()

    def close(self):
        if self._closed:
            return
        self._closed = True
        self._f.close()
        if self._comp:
            with open(self._tmp, "rb") as f:
                raw = f.read()
            packed = gzip.compress(raw) if self._comp == "GZIP" else zlib.compress(raw)
            with open(self._tmp, "wb") as f:
                f.write(packed)
        os.replace(self._tmp, self._path)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:  # an error inside the block: keep no partial file
            self._closed = True
            self._f.close()
            os.remove(self._tmp)
            return False
        self.close()
        return False


def read_records(path, compression_type=None):
    """The records of one file, checked (See module docstring)."""
    comp = _compression("TFRecordDataset", compression_type)
    with open(path, "rb") as f:
        raw = f.read()
    try:
        if comp == "GZIP":
            raw = gzip.decompress(raw)
        elif comp == "ZLIB":
            raw = zlib.decompress(raw)
    except (OSError, zlib.error, EOFError) as e:
        raise ValueError(f"TFRecordDataset: {path} is not {comp}-compressed data ({e})") from None
    pos, k = 0, 0
    while pos < len(raw):
        if pos + 12 > len(raw):
            raise ValueError(f"TFRecordDataset: {path}: record {k} is truncated (header)")
        n_bytes = raw[pos:pos + 8]
        (n,) = struct.unpack("<Q", n_bytes)
        (c,) = struct.unpack("<I", raw[pos + 8:pos + 12])
        if c != _masked(n_bytes):
            raise ValueError(f"TFRecordDataset: {path}: record {k} has a corrupt length (CRC "
                             "mismatch)")
        end = pos + 12 + n
        if end + 4 > len(raw):
            raise ValueError(f"TFRecordDataset: {path}: record {k} is truncated ({n} bytes "
                             f"announced, {max(len(raw) - pos - 12, 0)} present)")
        data = raw[pos + 12:end]
        (c,) = struct.unpack("<I", raw[end:end + 4])
        if c != _masked(data):
            raise ValueError(f"TFRecordDataset: {path}: record {k} is corrupt (data CRC mismatch)")
        yield data
        pos, k = end + 4, k + 1


def TFRecordDataset(filenames, compression_type=None, buffer_size=None,  # noqa: N802
                    num_parallel_reads=None, name=None):
    """``tf.data.TFRecordDataset``: one scalar tf.string element per record, files in order;
    with ``num_parallel_reads=n`` (n > 1) the records of n files at a time, one from each in
    turn, a finished file's slot taken by the next file (TensorFlow's deterministic
    interleave, cycle_length=n, block_length=1)."""
    names = filenames
    if hasattr(names, "_make_iter"):  # a Dataset of file names (list_files)
        names = [np.asarray(e).item() for e in names._raw()]
    names = names.numpy() if hasattr(names, "numpy") else names
    names = [names] if isinstance(names, (str, bytes, os.PathLike)) else \
        list(np.ravel(np.asarray(names, dtype=object)))
    paths = [n.decode("utf-8") if isinstance(n, bytes) else os.fspath(n) for n in names]
    _compression("TFRecordDataset", compression_type)

    n = int(num_parallel_reads) if isinstance(num_parallel_reads, (int, np.integer)) else 1

    def it():
        if n <= 1:
            for p in paths:
                for rec in read_records(p, compression_type):
                    yield np.asarray(rec, dtype=object)
            return
        pending = iter(paths)
        slots = [read_records(p, compression_type) for p in itertools.islice(pending, n)]
        while any(s is not None for s in slots):
            for i, s in enumerate(slots):
                if s is None:
                    continue
                rec = next(s, _END)
                if rec is not _END:
                    yield np.asarray(rec, dtype=object)
                else:  # a finished file's slot takes the next file, read from its next turn
                    nxt = next(pending, None)
                    slots[i] = None if nxt is None else read_records(nxt, compression_type)
    return Dataset(it, UNKNOWN_CARDINALITY)


_END = object()


def FixedLengthRecordDataset(filenames, record_bytes, header_bytes=None,  # noqa: N802
                             footer_bytes=None, buffer_size=None, compression_type=None,
                             num_parallel_reads=None, name=None):
    """``tf.data.FixedLengthRecordDataset``: each file's bytes after ``header_bytes`` and
    before ``footer_bytes``, cut into scalar strings of ``record_bytes``; a body that is not a
    whole number of records is an InvalidArgumentError, as TensorFlow's. ``compression_type``
    "" / "ZLIB" / "GZIP" inflates each file first."""
    from .tf_debugging import InvalidArgumentError
    op = "FixedLengthRecordDataset"
    rec, head, foot = int(record_bytes), int(header_bytes or 0), int(footer_bytes or 0)
    if rec <= 0 or head < 0 or foot < 0:
        raise ValueError(f"{op}: record_bytes must be > 0 and header / footer bytes >= 0, got "
                         f"{rec}, {head}, {foot}")
    names = filenames.numpy() if hasattr(filenames, "numpy") else filenames
    names = [names] if isinstance(names, (str, bytes, os.PathLike)) else \
        list(np.ravel(np.asarray(names, dtype=object)))
    paths = [n.decode("utf-8") if isinstance(n, bytes) else os.fspath(n) for n in names]
    kind = _compression(op, compression_type)

    def it():
        for p in paths:
            with open(p, "rb") as f:
                data = f.read()
            if kind == "ZLIB":
                data = zlib.decompress(data)
            elif kind == "GZIP":
                data = gzip.decompress(data)
            body = len(data) - head - foot
            if body < 0 or body % rec:
                raise InvalidArgumentError(
                    None, None, f"{op}: Excluding the header ({head} bytes) and footer ({foot} "
                    f"bytes), input file \"{p}\" has body length {body}, which is not an exact "
                    f"multiple of the record length ({rec} bytes).")
            for pos in range(head, head + body, rec):
                yield np.asarray(data[pos:pos + rec], dtype=object)
    return Dataset(it, UNKNOWN_CARDINALITY)
