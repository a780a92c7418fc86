"""TensorFlow's ``TensorProto`` (tensor.proto) in its wire format: ``tf.io.serialize_tensor`` /
``tf.io.parse_tensor`` and ``tf.make_tensor_proto`` / ``tf.make_ndarray``.

The message (the fields used here)::

    TensorProto { DataType dtype = 1; TensorShapeProto tensor_shape = 2;
                  bytes tensor_content = 4;              // the values, little-endian, C order
                  repeated float float_val = 5 [packed];   repeated double double_val = 6;
                  repeated int32 int_val = 7;              repeated bytes string_val = 8;
                  repeated int64 int64_val = 10;           repeated bool bool_val = 11;
                  repeated int32 half_val = 13; }          // float16 bit patterns
    TensorShapeProto { repeated Dim dim = 2; bool unknown_rank = 3; }   Dim { int64 size = 1; }

The bytes are TensorFlow's (tests compare them with TensorFlow 2.21's):
``serialize_tensor`` writes numbers as ``tensor_content`` (nothing for an empty tensor) and
strings as ``string_val``; ``make_tensor_proto`` writes ``tensor_content`` for an array of more
than one value given in full and the ``*_val`` field otherwise (one value, or a scalar broadcast
to ``shape``, which ``make_ndarray`` repeats as TensorFlow does: the last value fills the rest).
``serialize_sparse`` / ``serialize_many_sparse`` / ``deserialize_many_sparse`` write a
SparseTensor as the three TensorProto strings of its indices, values and dense shape.
"""
import numpy as np

from ._text import as_bytes_array
from .autograd import Tensor
from .tf_debugging import InvalidArgumentError
from .tf_dtypes import as_dtype
from .tf_example import _field, _fields, _read_varint, _varint

__all__ = ["TensorProto", "serialize_tensor", "parse_tensor", "make_tensor_proto", "make_ndarray",
           "serialize_sparse", "serialize_many_sparse", "deserialize_many_sparse"]

# DataType enum (types.proto) <-> NumPy; object arrays are strings
_ENUM = {1: np.float32, 2: np.float64, 3: np.int32, 4: np.uint8, 5: np.int16, 6: np.int8,
         7: object, 8: np.complex64, 9: np.int64, 10: np.bool_, 17: np.uint16,
         18: np.complex128, 19: np.float16, 22: np.uint32, 23: np.uint64}
_CODE = {np.dtype(v): k for k, v in _ENUM.items()}
# the repeated *_val field of each dtype: (field number, how one value is written)
_VAL_FIELD = {np.float32: (5, "f4"), np.float64: (6, "f8"), np.int32: (7, "v"),
              np.uint8: (7, "v"), np.int16: (7, "v"), np.int8: (7, "v"), np.uint16: (7, "v"),
              np.int64: (10, "v"), np.bool_: (11, "v"), np.float16: (13, "v"),
              np.uint32: (16, "v"), np.uint64: (17, "v")}
_VAL_FIELD = {np.dtype(k): v for k, v in _VAL_FIELD.items()}
_NAME = {1: "DT_FLOAT", 2: "DT_DOUBLE", 3: "DT_INT32", 4: "DT_UINT8", 5: "DT_INT16",
         6: "DT_INT8", 7: "DT_STRING", 8: "DT_COMPLEX64", 9: "DT_INT64", 10: "DT_BOOL",
         17: "DT_UINT16", 18: "DT_COMPLEX128", 19: "DT_HALF", 22: "DT_UINT32", 23: "DT_UINT64"}


def _code(op, dt):
    dt = np.dtype(object) if dt.kind in "OSU" else dt
    if dt not in _CODE:
        raise TypeError(f"{op}: dtype {dt} has no TensorProto encoding")
    return _CODE[dt]


class TensorProto:
    """The fields of a TensorProto: ``dtype`` (the DataType number), ``tensor_shape`` (a list
    of dimension sizes; ``dims``), ``tensor_content`` and ``vals`` (the ``*_val`` values, a
    NumPy array or None). ``SerializeToString`` / ``FromString`` give / read the wire bytes."""

    def __init__(self, dtype=1, shape=(), tensor_content=b"", vals=None):
        self.dtype = int(dtype)
        self.dims = [int(d) for d in shape]
        self.tensor_content = bytes(tensor_content)
        self.vals = vals

    @property
    def tensor_shape(self):
        return tuple(self.dims)

    def SerializeToString(self, deterministic=None):  # noqa: N802 -- protobuf's name
        out = [_field(1, 0, _varint(self.dtype))]
        shape = b"".join(_field(2, 2, _field(1, 0, _varint(d)) if d else b"")
                         for d in self.dims)
        out.append(_field(2, 2, shape))
        if self.tensor_content:
            out.append(_field(4, 2, self.tensor_content))
        if self.vals is not None and len(self.vals):
            if self.dtype == 7:
                out += [_field(8, 2, bytes(v)) for v in self.vals]
            else:
                num, how = _VAL_FIELD[np.dtype(_ENUM[self.dtype])]
                if how == "v":
                    v = self.vals.view(np.uint16) if self.dtype == 19 else self.vals
                    body = b"".join(_varint(int(x)) for x in v)
                else:
                    body = np.asarray(self.vals, "<" + how).tobytes()
                out.append(_field(num, 2, body))
        return b"".join(out)

    @classmethod
    def FromString(cls, data, op="tf.make_ndarray"):  # noqa: N802
        buf = bytes(data)
        p = cls()
        p.dtype = 0
        vals = []
        try:
            for num, wire, v in _fields(buf):
                if num == 1 and wire == 0:
                    p.dtype = v
                elif num == 2 and wire == 2:
                    for n2, w2, dim in _fields(v):
                        if n2 == 2 and w2 == 2:
                            size = [s for n3, w3, s in _fields(dim) if n3 == 1 and w3 == 0]
                            p.dims.append(int(size[-1]) - (1 << 64) * (size[-1] >> 63)
                                          if size else 0)
                elif num == 4 and wire == 2:
                    p.tensor_content = bytes(v)
                elif num == 8 and wire == 2:
                    vals.append(bytes(v))
                elif num in (5, 6) and wire in (1, 2, 5):
                    vals.extend(np.frombuffer(v, "<f4" if num == 5 else "<f8").tolist())
                elif num in (7, 10, 11, 13, 16, 17):
                    if wire == 0:
                        vals.append(v)
                    elif wire == 2:
                        pos = 0
                        while pos < len(v):
                            x, pos = _read_varint(v, pos)
                            vals.append(x)
        except ValueError as e:
            raise InvalidArgumentError(None, None, f"{op}: could not parse the bytes as a "
                                       f"TensorProto ({e})") from None
        if p.dtype not in _ENUM:
            raise InvalidArgumentError(None, None, f"{op}: could not parse the bytes as a "
                                       f"TensorProto (dtype {p.dtype} unknown)")
        dt = np.dtype(_ENUM[p.dtype])
        if dt.kind == "O":
            p.vals = np.array(vals + [None], dtype=object)[:-1]
        elif p.dtype == 19:
            p.vals = np.asarray(vals, np.uint16).view(np.float16)
        elif dt.kind in "iub":
            p.vals = np.asarray([x - (1 << 64) if x >> 63 else x for x in vals],
                                np.int64).astype(dt)
        else:
            p.vals = np.asarray(vals, dt)
        return p

    def __eq__(self, other):
        return isinstance(other, TensorProto) and \
            self.SerializeToString() == other.SerializeToString()

    def __repr__(self):
        return (f"TensorProto(dtype={_NAME.get(self.dtype, self.dtype)}, "
                f"tensor_shape={self.dims})")


def _np_dtype(dtype):
    """A NumPy dtype for a TensorFlow dtype or its name (``"string"``, ``tf.string``: object)."""
    return np.dtype(object) if dtype in ("string", b"string") else as_dtype(dtype)


def _numpy(x):
    """A Tensor's values as an array (a scalar string's ``numpy()`` is bytes)."""
    a = x.numpy() if isinstance(x, Tensor) else x
    return np.asarray(a, dtype=object) if isinstance(a, (bytes, str)) else np.asarray(a)


def _array(op, x):
    a = _numpy(x)
    if a.dtype.kind in "OSU":
        a = as_bytes_array(a, op)
    return a


def make_ndarray(tensor):
    """The NumPy array a TensorProto (or its bytes) holds."""
    p = tensor if isinstance(tensor, TensorProto) else TensorProto.FromString(tensor)
    dt = np.dtype(_ENUM[p.dtype])
    shape = tuple(p.dims)
    n = int(np.prod(shape, dtype=np.int64))
    if p.tensor_content and dt.kind == "O":  # lengths (varints), then the strings
        buf, pos, lens = p.tensor_content, 0, []
        try:
            for _ in range(n):
                k, pos = _read_varint(buf, pos)
                lens.append(k)
        except ValueError:
            raise InvalidArgumentError(None, None, "tf.make_ndarray: truncated string "
                                                   "tensor_content") from None
        if pos + sum(lens) != len(buf):
            raise InvalidArgumentError(None, None, f"tf.make_ndarray: string tensor_content of "
                                       f"{len(buf)} bytes does not hold {n} strings")
        out = np.empty(n, dtype=object)
        for i, k in enumerate(lens):
            out[i], pos = buf[pos:pos + k], pos + k
        return out.reshape(shape)
    if p.tensor_content:
        a = np.frombuffer(p.tensor_content, dt.newbyteorder("<"))
        if a.size != n:
            raise InvalidArgumentError(None, None, f"tf.make_ndarray: tensor_content holds "
                                       f"{a.size} values, shape {shape} needs {n}")
        return a.astype(dt).reshape(shape)
    vals = p.vals if p.vals is not None else np.zeros(0, dt)
    if len(vals) > n:
        raise InvalidArgumentError(None, None, f"tf.make_ndarray: {len(vals)} values for shape "
                                   f"{shape}")
    if n and not len(vals):
        return np.zeros(shape, dt) if dt.kind != "O" else np.full(shape, b"", object)
    if len(vals) < n:  # TensorFlow repeats the last value
        vals = np.concatenate([vals, np.repeat(vals[-1:], n - len(vals))])
    return np.asarray(vals, dtype=dt).reshape(shape)


def make_tensor_proto(values, dtype=None, shape=None, verify_shape=False, allow_broadcast=False):
    """``tf.make_tensor_proto``: a TensorProto of ``values`` (as ``tf.constant`` would type
    them: Python ints int32, Python floats float32), broadcast to ``shape`` if given."""
    op = "tf.make_tensor_proto"
    if isinstance(values, TensorProto):
        return values
    if isinstance(values, Tensor):
        a = _numpy(values)
    else:
        a = _array(op, values)
        if dtype is None and not isinstance(values, (np.ndarray, np.generic)) and \
                a.dtype.kind in "if":
            a = a.astype(np.int32 if a.dtype.kind == "i" else np.float32)
    if a.dtype.kind in "OSU":
        a = as_bytes_array(a, op)
    if dtype is not None:
        a = a.astype(_np_dtype(dtype)) if a.dtype.kind != "O" else a
    code = _code(op, a.dtype)
    if shape is None:
        shape = a.shape
    shape = tuple(int(d) for d in shape)
    n = int(np.prod(shape, dtype=np.int64))
    if a.shape != shape:
        if verify_shape or (a.size != 1 and a.size != n):
            raise TypeError(f"{op}: expected shape {list(shape)}, values have shape "
                            f"{list(a.shape)}")
        if allow_broadcast and a.size != 1:
            a = np.broadcast_to(a, shape)
    if a.size > 1 and a.size == n and a.dtype.kind != "O" and code in _ENUM:
        content = np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<")).tobytes()
        return TensorProto(code, shape, content)
    return TensorProto(code, shape, vals=np.ravel(a))


def serialize_tensor(tensor, name=None):
    """The TensorProto bytes of ``tensor`` as a scalar string Tensor, as TensorFlow writes them."""
    a = _array("tf.io.serialize_tensor", tensor)
    code = _code("tf.io.serialize_tensor", a.dtype)
    if code == 7:
        p = TensorProto(code, a.shape, vals=np.ravel(a))
    else:
        p = TensorProto(code, a.shape, np.ascontiguousarray(a).astype(
            a.dtype.newbyteorder("<")).tobytes())
    out = np.empty((), dtype=object)
    out[()] = p.SerializeToString()
    return Tensor(out)


def parse_tensor(serialized, out_type, name=None):
    """The Tensor that ``serialize_tensor`` wrote; ``out_type`` must be its dtype
    (``InvalidArgumentError`` otherwise, and for bytes that are not a TensorProto)."""
    op = "tf.io.parse_tensor"
    s = as_bytes_array(serialized, op)
    if s.size != 1 or s.ndim:
        raise ValueError(f"{op}: serialized must be one string (a scalar), got shape "
                         f"{tuple(s.shape)}")
    p = TensorProto.FromString(s.item(), op)
    want = _np_dtype(out_type)
    got = np.dtype(_ENUM[p.dtype])
    if got != want:
        want_name = "string" if want.kind == "O" else want.name
        raise InvalidArgumentError(None, None, f"{op}: Type mismatch between parsed tensor "
                                   f"({_NAME[p.dtype]}) and dtype ({want_name})")
    return Tensor(make_ndarray(p))


# ---- SparseTensors as TensorProto strings --------------------------------------------------
def _sparse(op, sp):
    from .tf_example import SparseTensor
    if not isinstance(sp, SparseTensor):
        raise TypeError(f"{op}: sp_input must be a SparseTensor, got {type(sp).__name__}")
    return (np.asarray(sp.indices.numpy(), np.int64), _numpy(sp.values),
            np.asarray(sp.dense_shape.numpy(), np.int64))


def _content(a):
    """TensorFlow's AsProtoTensorContent bytes of an array (what SerializeSparse writes):
    numbers little-endian; strings as every length (varint) then every string."""
    code = _code("tf.io.serialize_sparse", a.dtype)
    if code != 7:
        return TensorProto(code, a.shape, np.ascontiguousarray(a).astype(
            a.dtype.newbyteorder("<")).tobytes()).SerializeToString()
    flat = [bytes(v) for v in a.reshape(-1)]
    return TensorProto(7, a.shape, b"".join(_varint(len(v)) for v in flat) +
                       b"".join(flat)).SerializeToString()


def _three(parts):
    out = np.empty(3, dtype=object)
    out[:] = [_content(p) for p in parts]
    return out


def serialize_sparse(sp_input, out_type="string", name=None):
    """A string vector [3]: the serialized indices, values and dense_shape TensorProtos."""
    return Tensor(_three(_sparse("tf.io.serialize_sparse", sp_input)))


def serialize_many_sparse(sp_input, out_type="string", name=None):
    """A string matrix [N, 3]: ``serialize_sparse`` of each of the N minibatch entries (the
    first dimension split off; each keeps its entries' order)."""
    op = "tf.io.serialize_many_sparse"
    idx, vals, shape = _sparse(op, sp_input)
    if len(shape) < 2:
        raise ValueError(f"{op}: sp_input must have rank >= 2, got dense shape {shape.tolist()}")
    rows = [np.nonzero(idx[:, 0] == i)[0] for i in range(int(shape[0]))]
    out = np.empty((int(shape[0]), 3), dtype=object)
    for i, r in enumerate(rows):
        out[i] = _three([idx[r, 1:], vals[r], shape[1:]])
    return Tensor(out)


def deserialize_many_sparse(serialized_sparse, dtype, rank=None, name=None):
    """The SparseTensor of a [N, 3] string matrix of serialized SparseTensors: entry i's
    entries under first index i, the dense shape [N] + each dimension's largest."""
    from .tf_example import SparseTensor
    op = "tf.io.deserialize_many_sparse"
    s = _numpy(serialized_sparse)
    if s.ndim != 2 or s.shape[1] != 3:
        raise ValueError(f"{op}: serialized_sparse must be a matrix [N, 3], got shape {s.shape}")
    want = _np_dtype(dtype)
    idx, vals, shapes = [], [], []
    for i, (a, b, c) in enumerate(s):
        ii = make_ndarray(TensorProto.FromString(a, op))
        vv = make_ndarray(TensorProto.FromString(b, op))
        ss = make_ndarray(TensorProto.FromString(c, op))
        if vv.dtype != want:
            raise InvalidArgumentError(None, None, f"{op}: Requested SparseTensor of type "
                                       f"{want} but SparseTensor[{i}].values.dtype() == "
                                       f"{vv.dtype}")
        if rank is not None and len(ss) + 1 != int(rank):
            raise InvalidArgumentError(None, None, f"{op}: rank {rank} asked, SparseTensor[{i}] "
                                       f"has rank {len(ss)}")
        idx.append(np.concatenate([np.full((len(ii), 1), i, np.int64),
                                   ii.reshape(len(ii), -1)], axis=1))
        vals.append(vv)
        shapes.append(ss)
    if len({len(x) for x in shapes}) > 1:
        raise InvalidArgumentError(None, None, f"{op}: the SparseTensors have different ranks: "
                                   f"{sorted({len(x) for x in shapes})}")
    dense = [len(s)] + (np.max(np.stack(shapes), axis=0).tolist() if shapes else [])
    v = np.concatenate(vals) if vals else np.zeros(0, want)
    return SparseTensor(np.concatenate(idx) if idx else np.zeros((0, len(dense)), np.int64),
                        Tensor(v.astype(want) if want.kind != "O" else v), dense)
