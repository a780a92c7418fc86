"""``tf.train.Example`` and its parts (Features, Feature, BytesList, FloatList, Int64List) with
TensorFlow's protocol-buffer wire format, and ``tf.io.parse_single_example`` /
``parse_example`` with ``FixedLenFeature`` / ``VarLenFeature`` (VarLen values as a
``tf.sparse.SparseTensor``, which ``tf.sparse.to_dense`` densifies), ``SparseFeature`` (one
index key) and ``RaggedFeature`` (without partitions).

The messages (example.proto / feature.proto)::

    Example   { Features features = 1; }
    Features  { map<string, Feature> feature = 1; }     // entries: key = 1, value = 2
    Feature   { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2;
                             Int64List int64_list = 3; } }
    BytesList { repeated bytes value = 1; }
    FloatList { repeated float value = 1 [packed]; }   // little-endian float32
    Int64List { repeated int64 value = 1 [packed]; }   // varints, two's complement

Serialization writes map entries in insertion order and packed repeated fields, as TensorFlow
does; parsing also accepts unpacked repeated fields. Malformed bytes are a ValueError.
"""
import collections
import struct

import numpy as np

from .autograd import Tensor
from .tf_ragged import RaggedTensor

__all__ = ["Example", "Features", "Feature", "BytesList", "FloatList", "Int64List",
           "FixedLenFeature", "VarLenFeature", "SparseFeature", "RaggedFeature", "SparseTensor",
           "parse_single_example", "parse_example", "sparse_to_dense"]


# ---- wire format -------------------------------------------------------------------------------
def _varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _field(num, wire, payload):
    key = _varint(num << 3 | wire)
    return key + (_varint(len(payload)) + payload if wire == 2 else payload)


def _read_varint(buf, pos):
    n, shift = 0, 0
    while True:
        if pos >= len(buf) or shift > 63:
            raise ValueError("tf.train.Example: truncated or overlong varint")
        b = buf[pos]
        n |= (b & 0x7F) << shift
        pos += 1
        if not b & 0x80:
            return n, pos
        shift += 7


def _fields(buf):
    """(field number, wire type, value) of a message: value an int (varint), bytes (length-
    delimited) or 4 / 8 raw bytes."""
    pos, out = 0, []
    while pos < len(buf):
        key, pos = _read_varint(buf, pos)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, pos = _read_varint(buf, pos)
        elif wire == 2:
            n, pos = _read_varint(buf, pos)
            if pos + n > len(buf):
                raise ValueError("tf.train.Example: a length-delimited field runs past the end")
            v, pos = buf[pos:pos + n], pos + n
        elif wire in (1, 5):
            k = 8 if wire == 1 else 4
            if pos + k > len(buf):
                raise ValueError("tf.train.Example: a fixed-width field runs past the end")
            v, pos = buf[pos:pos + k], pos + k
        else:
            raise ValueError(f"tf.train.Example: unsupported wire type {wire}")
        out.append((num, wire, v))
    return out


def _signed(n):
    return n - (1 << 64) if n >= 1 << 63 else n


# ---- messages -----------------------------------------------------------------------------------
class _Message:
    def SerializeToString(self, deterministic=None):  # noqa: N802 -- protobuf's name
        return self._encode()

    @classmethod
    def FromString(cls, data):  # noqa: N802
        return cls._decode(bytes(data))

    def ParseFromString(self, data):  # noqa: N802
        other = self._decode(bytes(data))
        self.__dict__.update(other.__dict__)
        return len(data)

    def __eq__(self, other):
        return type(self) is type(other) and self._key() == other._key()

    def _key(self):
        return self._encode()

    def __repr__(self):
        return f"{type(self).__name__}({self.__dict__})"


class BytesList(_Message):
    def __init__(self, value=()):
        self.value = [v.encode("utf-8") if isinstance(v, str) else bytes(v) for v in value]

    def _encode(self):
        return b"".join(_field(1, 2, v) for v in self.value)

    @classmethod
    def _decode(cls, buf):
        return cls([v for num, wire, v in _fields(buf) if num == 1 and wire == 2])


class FloatList(_Message):
    def __init__(self, value=()):
        self.value = [float(np.float32(v)) for v in np.ravel(np.asarray(value, np.float64))]

    def _encode(self):
        return _field(1, 2, np.asarray(self.value, "<f4").tobytes()) if self.value else b""

    @classmethod
    def _decode(cls, buf):
        vals = []
        for num, wire, v in _fields(buf):
            if num == 1 and wire == 2:
                if len(v) % 4:
                    raise ValueError("tf.train.FloatList: packed floats of a length not x4")
                vals.extend(np.frombuffer(v, "<f4").tolist())
            elif num == 1 and wire == 5:
                vals.append(struct.unpack("<f", v)[0])
        return cls(vals)


class Int64List(_Message):
    def __init__(self, value=()):
        self.value = [int(v) for v in np.ravel(np.asarray(value, np.int64))]

    def _encode(self):
        return _field(1, 2, b"".join(_varint(v) for v in self.value)) if self.value else b""

    @classmethod
    def _decode(cls, buf):
        vals = []
        for num, wire, v in _fields(buf):
            if num == 1 and wire == 2:
                pos = 0
                while pos < len(v):
                    n, pos = _read_varint(v, pos)
                    vals.append(_signed(n))
            elif num == 1 and wire == 0:
                vals.append(_signed(v))
        return cls(vals)


class Feature(_Message):
    _KINDS = (("bytes_list", BytesList), ("float_list", FloatList), ("int64_list", Int64List))

    def __init__(self, bytes_list=None, float_list=None, int64_list=None):
        given = [k for k, v in (("bytes_list", bytes_list), ("float_list", float_list),
                                ("int64_list", int64_list)) if v is not None]
        if len(given) > 1:
            raise ValueError(f"tf.train.Feature: one of bytes_list / float_list / int64_list, "
                             f"got {given}")
        self.bytes_list = bytes_list or BytesList()
        self.float_list = float_list or FloatList()
        self.int64_list = int64_list or Int64List()
        self._kind = given[0] if given else None

    def WhichOneof(self, name):  # noqa: N802
        return self._kind

    def _encode(self):
        if self._kind is None:
            return b""
        num = [k for k, _ in self._KINDS].index(self._kind) + 1
        return _field(num, 2, getattr(self, self._kind)._encode())

    @classmethod
    def _decode(cls, buf):
        kw = {}
        for num, wire, v in _fields(buf):
            if wire == 2 and 1 <= num <= 3:
                name, mcls = cls._KINDS[num - 1]
                kw = {name: mcls._decode(v)}  # a oneof: the last one set wins
        return cls(**kw)


class Features(_Message):
    def __init__(self, feature=None):
        self.feature = dict(feature or {})

    def _key(self):
        """Features compare by key -> feature, not by entry order (a map)."""
        return sorted((k, f._encode()) for k, f in self.feature.items())

    def _encode(self):
        out = []
        for k, f in self.feature.items():
            entry = _field(1, 2, k.encode("utf-8")) + _field(2, 2, f._encode())
            out.append(_field(1, 2, entry))
        return b"".join(out)

    @classmethod
    def _decode(cls, buf):
        feats = {}
        for num, wire, entry in _fields(buf):
            if num != 1 or wire != 2:
                continue
            key, val = "", Feature()
            for n2, w2, v2 in _fields(entry):
                if n2 == 1 and w2 == 2:
                    key = v2.decode("utf-8")
                elif n2 == 2 and w2 == 2:
                    val = Feature._decode(v2)
            feats[key] = val
        return cls(feats)


class Example(_Message):
    def __init__(self, features=None):
        self.features = features if features is not None else Features()

    def _encode(self):
        body = self.features._encode()
        return _field(1, 2, body) if body else b""

    def _key(self):
        return self.features._key()

    @classmethod
    def _decode(cls, buf):
        feats = Features()
        for num, wire, v in _fields(buf):
            if num == 1 and wire == 2:
                feats = Features._decode(v)
        return cls(feats)


# ---- parsing ------------------------------------------------------------------------------------
FixedLenFeature = collections.namedtuple("FixedLenFeature", ["shape", "dtype", "default_value"],
                                         defaults=(None,))
VarLenFeature = collections.namedtuple("VarLenFeature", ["dtype"])
# a SparseTensor from two features: int64 indices (``index_key``) and values (``value_key``)
SparseFeature = collections.namedtuple("SparseFeature", ["index_key", "value_key", "dtype", "size",
                                                         "already_sorted"], defaults=(False,))
# the values as they are: a 1-D Tensor for one example, a RaggedTensor (batch, None) for a
# batch; only without ``partitions`` (nested row partitions are not read)
RaggedFeature = collections.namedtuple("RaggedFeature", ["dtype", "value_key", "partitions",
                                                         "row_splits_dtype", "validate"],
                                       defaults=(None, (), "int32", False))


def _typed(values):
    """Values as TensorFlow types them: Python floats float32, Python ints int32 (int64 past
    its range), strings bytes; NumPy arrays keep their dtype."""
    a = np.asarray(values)
    if a.dtype.kind in "SUO":
        from ._text import as_bytes_array
        return as_bytes_array(np.asarray(values, dtype=object), "tf.sparse.SparseTensor")
    if isinstance(values, (np.ndarray, np.generic)):
        return a
    if a.dtype == np.float64:
        return a.astype(np.float32)
    if a.dtype.kind == "i":
        from .tf_dtypes import python_dtype
        return a.astype(python_dtype(list(a.reshape(-1).tolist())) or a.dtype)
    return a


class SparseTensor:
    """``tf.sparse.SparseTensor(indices, values, dense_shape)`` (int64 indices (N, rank))."""

    def __init__(self, indices, values, dense_shape):
        self.indices = indices if isinstance(indices, Tensor) else Tensor(np.asarray(indices, np.int64))
        self.values = values if isinstance(values, Tensor) else Tensor(_typed(values))
        self.dense_shape = dense_shape if isinstance(dense_shape, Tensor) else \
            Tensor(np.asarray(dense_shape, np.int64))

    @property
    def shape(self):
        return tuple(int(d) for d in self.dense_shape.numpy())

    @property
    def dtype(self):
        return self.values.dtype

    def _cwise(self, other, op, name):
        """TensorFlow's sparse-dense elementwise ``*`` / ``/``: the dense operand (a scalar or
        an array broadcast to dense_shape) read at the indices; the result stays sparse. Only
        the sparse-left form exists, as in TensorFlow (``2.0 * s`` is a TypeError there too)."""
        if isinstance(other, SparseTensor):
            return NotImplemented
        d = np.asarray(other.numpy() if isinstance(other, Tensor) else other)
        if d.dtype.kind not in "biuf":
            return NotImplemented
        vals = self.values.numpy()
        if d.ndim:
            try:
                d = np.broadcast_to(d, self.shape)[tuple(self.indices.numpy().T)]
            except ValueError:
                raise ValueError(f"SparseTensor {name}: the dense operand of shape {d.shape} "
                                 f"does not broadcast to dense_shape {list(self.shape)}") from None
        return SparseTensor(self.indices, Tensor(op(vals, d).astype(vals.dtype)),
                            self.dense_shape)

    def __mul__(self, other):
        return self._cwise(other, np.multiply, "*")

    def __truediv__(self, other):
        return self._cwise(other, np.divide, "/")

    def __repr__(self):  # TensorFlow's: its three tensors as they print
        return (f"SparseTensor(indices={self.indices!s}, values={self.values!s}, "
                f"dense_shape={self.dense_shape!s})")


def sparse_to_dense(sp_input, default_value=None, validate_indices=True, name=None):
    vals = sp_input.values.numpy()
    fill = (b"" if vals.dtype == object else 0) if default_value is None else default_value
    out = np.full(sp_input.shape, fill, dtype=vals.dtype)
    idx = sp_input.indices.numpy()
    if idx.size:
        out[tuple(idx.T)] = vals
    return Tensor(out)


def _dtype(spec):
    dt = np.dtype(getattr(spec.dtype, "name", spec.dtype))
    if dt.kind == "O" or dt.kind in "SU":
        return "bytes_list", np.dtype(object)
    if dt == np.float32:
        return "float_list", dt
    if dt == np.int64:
        return "int64_list", dt
    raise ValueError(f"tf.io.parse_example: feature dtype must be tf.string, tf.float32 or "
                     f"tf.int64, got {dt}")


def _values(ex, key, kind, dt, op):
    f = ex.features.feature.get(key)
    if f is None:
        return None
    if f.WhichOneof("kind") not in (None, kind):
        raise ValueError(f"{op}: feature {key!r} holds a {f.WhichOneof('kind')}, the spec asks "
                         f"for a {kind}")
    vals = getattr(f, kind).value
    return np.array(vals, dtype=dt) if dt.kind != "O" else np.array(vals + [None], dtype=object)[:-1]


def _sparse_feature(ex, key, spec, kind, dt, op):
    """(indices (n,), values (n,)) of a SparseFeature, sorted by index unless
    ``already_sorted`` (indices are not checked against ``size``, as TensorFlow's)."""
    if not isinstance(spec.index_key, str):
        raise ValueError(f"{op}: SparseFeature {key!r}: only one index_key is supported, got "
                         f"{spec.index_key!r}")
    idx = _values(ex, spec.index_key, "int64_list", np.dtype(np.int64), op)
    vals = _values(ex, spec.value_key, kind, dt, op)
    idx = np.zeros(0, np.int64) if idx is None else idx
    vals = np.zeros(0, dt) if vals is None else vals
    if idx.size != vals.size:
        raise ValueError(f"{op}: SparseFeature {key!r}: Dimensions {idx.size} and {vals.size} "
                         f"are not compatible (index {spec.index_key!r}, value "
                         f"{spec.value_key!r})")
    if not spec.already_sorted:
        order = np.argsort(idx, kind="stable")
        idx, vals = idx[order], vals[order]
    return idx, vals


def _parse_one(data, features, op):
    ex = Example.FromString(data)
    out = {}
    for key, spec in features.items():
        kind, dt = _dtype(spec)
        if isinstance(spec, SparseFeature):
            out[key] = ("sparse", _sparse_feature(ex, key, spec, kind, dt, op))
            continue
        if isinstance(spec, RaggedFeature):
            if tuple(spec.partitions):
                raise ValueError(f"{op}: RaggedFeature {key!r}: partitions are not supported")
            vals = _values(ex, spec.value_key or key, kind, dt, op)
            out[key] = ("var", np.zeros(0, dt) if vals is None else vals)
            continue
        vals = _values(ex, key, kind, dt, op)
        if isinstance(spec, VarLenFeature):
            v = np.zeros(0, dt) if vals is None else vals
            out[key] = ("var", v)
            continue
        shape = tuple(int(s) for s in spec.shape)
        n = int(np.prod(shape, dtype=np.int64))
        if vals is None or vals.size == 0:
            if spec.default_value is None:
                raise ValueError(f"{op}: feature {key!r} is missing and has no default_value")
            d = spec.default_value
            if dt.kind == "O":  # a string default is bytes, as TensorFlow's
                d = np.vectorize(lambda v: v.encode("utf-8") if isinstance(v, str) else v,
                                 otypes=[object])(np.asarray(d, dtype=object))
            vals = np.broadcast_to(np.asarray(d, dtype=dt), shape).ravel()
        if vals.size != n:
            raise ValueError(f"{op}: feature {key!r} has {vals.size} values, the spec's shape "
                             f"{shape} needs {n}")
        out[key] = ("fixed", vals.reshape(shape))
    return out


def _serialized(op, x):
    a = x.numpy() if hasattr(x, "numpy") else x
    a = np.asarray(a, dtype=object) if not isinstance(a, np.ndarray) else a
    return a


def _tf_order(features, out):
    """``out`` in the key order TensorFlow's parse ops give: the sparse features (VarLen,
    SparseFeature), then the dense (FixedLen), then the ragged, each group sorted by key."""
    def group(key):
        spec = features[key]
        return 2 if isinstance(spec, RaggedFeature) else \
            0 if isinstance(spec, (VarLenFeature, SparseFeature)) else 1
    return {k: out[k] for k in sorted(out, key=lambda k: (group(k), k))}


def parse_single_example(serialized, features, name=None, example_names=None):
    op = "tf.io.parse_single_example"
    a = _serialized(op, serialized)
    if a.ndim != 0:
        raise ValueError(f"{op}: serialized must be one string, got shape {a.shape}")
    out = {}
    for key, (kind, v) in _parse_one(bytes(a.item()), features, op).items():
        if kind == "sparse":
            out[key] = SparseTensor(v[0].reshape(-1, 1), v[1], [int(features[key].size)])
        elif kind == "fixed" or isinstance(features[key], RaggedFeature):
            out[key] = Tensor(v)
        else:
            out[key] = SparseTensor(np.arange(v.size, dtype=np.int64).reshape(-1, 1), v, [v.size])
    return _tf_order(features, out)


def parse_example(serialized, features, name=None, example_names=None):
    """A batch (a vector of serialized Examples): FixedLen features stacked (batch,) + shape,
    VarLen ones a SparseTensor of dense shape (batch, longest)."""
    op = "tf.io.parse_example"
    a = _serialized(op, serialized)
    if a.ndim != 1:
        raise ValueError(f"{op}: serialized must be a vector of strings, got shape {a.shape}")
    rows = [_parse_one(bytes(s), features, op) for s in a]
    out = {}
    for key, spec in features.items():
        if isinstance(spec, SparseFeature):
            parts = [r[key][1] for r in rows]
            idx = [(i, j) for i, (ix, _) in enumerate(parts) for j in ix]
            vals = np.concatenate([v for _, v in parts]) if parts else np.zeros(0, _dtype(spec)[1])
            out[key] = SparseTensor(np.asarray(idx, np.int64).reshape(-1, 2), vals,
                                    [len(parts), int(spec.size)])
            continue
        if isinstance(spec, RaggedFeature):
            vs = [r[key][1] for r in rows]
            splits = np.concatenate([[0], np.cumsum([v.size for v in vs])]).astype(
                np.dtype(getattr(spec.row_splits_dtype, "name", spec.row_splits_dtype)))
            vals = np.concatenate(vs) if vs else np.zeros(0, _dtype(spec)[1])
            out[key] = RaggedTensor.from_row_splits(vals, splits)
            continue
        if isinstance(spec, VarLenFeature):
            vs = [r[key][1] for r in rows]
            idx = [(i, j) for i, v in enumerate(vs) for j in range(v.size)]
            vals = np.concatenate(vs) if vs else np.zeros(0, _dtype(spec)[1])
            out[key] = SparseTensor(np.asarray(idx, np.int64).reshape(-1, 2), vals,
                                    [len(vs), max((v.size for v in vs), default=0)])
        else:
            out[key] = Tensor(np.stack([r[key][1] for r in rows]) if rows else
                              np.zeros((0,) + tuple(spec.shape), _dtype(spec)[1]))
    return _tf_order(features, out)
