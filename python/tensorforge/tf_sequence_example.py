"""``tf.train.SequenceExample`` / ``FeatureList`` / ``FeatureLists`` in TensorFlow's wire
format, and ``tf.io.parse_single_sequence_example`` / ``parse_sequence_example`` with
``FixedLenSequenceFeature`` (and the context's FixedLen / VarLen features of tf_example.py).

The messages (example.proto / feature.proto)::

    SequenceExample { Features context = 1; FeatureLists feature_lists = 2; }
    FeatureLists    { map<string, FeatureList> feature_list = 1; }   // entries: key 1, value 2
    FeatureList     { repeated Feature feature = 1; }

A sub-message given to the constructor is written even when empty (protobuf's presence), one
not given is not; map entries are written in insertion order. TensorFlow's Python protobuf
(upb) writes a map of several entries in its hash table's order, which is neither insertion
nor sorted order, so only one-entry maps are byte-identical to TensorFlow's; either side
parses the other's bytes to the same message.
"""
import collections

import numpy as np

from .autograd import Tensor
from .tf_debugging import InvalidArgumentError
from .tf_example import (Feature, Features, SparseTensor, VarLenFeature, _dtype, _field, _fields,
                         _Message, _parse_one, Example)

__all__ = ["FeatureList", "FeatureLists", "SequenceExample", "FixedLenSequenceFeature",
           "parse_single_sequence_example", "parse_sequence_example"]

FixedLenSequenceFeature = collections.namedtuple(
    "FixedLenSequenceFeature", ["shape", "dtype", "allow_missing", "default_value"],
    defaults=(False, None))


class FeatureList(_Message):
    def __init__(self, feature=()):
        self.feature = list(feature)

    def _encode(self):
        return b"".join(_field(1, 2, f._encode()) for f in self.feature)

    @classmethod
    def _decode(cls, buf):
        return cls([Feature._decode(v) for num, wire, v in _fields(buf) if num == 1 and wire == 2])


class FeatureLists(_Message):
    def __init__(self, feature_list=None):
        self.feature_list = dict(feature_list or {})

    def _key(self):
        return sorted((k, f._encode()) for k, f in self.feature_list.items())

    def _encode(self):
        return b"".join(_field(1, 2, _field(1, 2, k.encode("utf-8")) + _field(2, 2, f._encode()))
                        for k, f in self.feature_list.items())

    @classmethod
    def _decode(cls, buf):
        out = {}
        for num, wire, entry in _fields(buf):
            if num != 1 or wire != 2:
                continue
            key, val = "", FeatureList()
            for n2, w2, v2 in _fields(entry):
                if n2 == 1 and w2 == 2:
                    key = bytes(v2).decode("utf-8")
                elif n2 == 2 and w2 == 2:
                    val = FeatureList._decode(v2)
            out[key] = val
        return cls(out)


class SequenceExample(_Message):
    def __init__(self, context=None, feature_lists=None):
        self._given = (context is not None, feature_lists is not None)
        self.context = context if context is not None else Features()
        self.feature_lists = feature_lists if feature_lists is not None else FeatureLists()

    def _key(self):
        return (self.context._key(), self.feature_lists._key())

    def _encode(self):
        out = b""
        if self._given[0] or self.context.feature:
            out += _field(1, 2, self.context._encode())
        if self._given[1] or self.feature_lists.feature_list:
            out += _field(2, 2, self.feature_lists._encode())
        return out

    @classmethod
    def _decode(cls, buf):
        ctx = lists = None
        for num, wire, v in _fields(buf):
            if num == 1 and wire == 2:
                ctx = Features._decode(v)
            elif num == 2 and wire == 2:
                lists = FeatureLists._decode(v)
        return cls(ctx, lists)


# ---- parsing ------------------------------------------------------------------------------------
def _scalar_string(op, s):
    a = s.numpy() if isinstance(s, Tensor) else s
    if isinstance(a, np.ndarray):
        if a.ndim:
            raise ValueError(f"{op}: serialized must be one string, got shape {a.shape}")
        a = a.item()
    return a.encode("utf-8") if isinstance(a, str) else bytes(a)


def _steps(op, seq, key, spec):
    """(T, values per step) of one feature list: a list of value arrays."""
    kind, dt = _dtype(spec)
    fl = seq.feature_lists.feature_list.get(key)
    if fl is None:
        return None, kind, dt
    out = []
    for t, f in enumerate(fl.feature):
        which = f.WhichOneof("kind")
        if which not in (None, kind):
            raise ValueError(f"{op}: feature list {key!r} step {t} holds a {which}, the spec asks "
                             f"for a {kind}")
        vals = getattr(f, kind).value
        out.append(np.array(vals, dtype=dt) if dt.kind != "O"
                   else np.array(vals + [None], dtype=object)[:-1])
    return out, kind, dt


def _sequence(op, seq, key, spec):
    """("fixed", (T,) + shape array) or ("var", list of per-step arrays)."""
    steps, kind, dt = _steps(op, seq, key, spec)
    if isinstance(spec, VarLenFeature):
        return "var", steps or [], dt
    if not isinstance(spec, FixedLenSequenceFeature):
        raise TypeError(f"{op}: sequence_features[{key!r}] must be a FixedLenSequenceFeature or "
                        f"a VarLenFeature, got {type(spec).__name__}")
    if spec.default_value is not None:  # TensorFlow's parse ops refuse one
        raise ValueError(f"{op}: Value feature_list.dense_defaults[{key}] must be None")
    shape = tuple(int(d) for d in spec.shape)
    n = int(np.prod(shape, dtype=np.int64))
    if steps is None:
        if not spec.allow_missing:
            raise InvalidArgumentError(None, None, f"{op}: Feature list: '{key}' is required "
                                       "but could not be found.")
        steps = []
    for t, v in enumerate(steps):
        if v.size != n:
            raise ValueError(f"{op}: feature list {key!r} step {t} has {v.size} values, the "
                             f"spec's shape {shape} needs {n}")
    arr = np.stack([v.reshape(shape) for v in steps]) if steps else np.zeros((0,) + shape, dt)
    return "fixed", arr, dt


def _var_sparse(steps, dt, batch=None):
    if batch is None:
        idx = [(t, j) for t, v in enumerate(steps) for j in range(v.size)]
        vals = np.concatenate(steps) if steps else np.zeros(0, dt)
        return SparseTensor(np.asarray(idx, np.int64).reshape(-1, 2), vals,
                            [len(steps), max((v.size for v in steps), default=0)])
    idx = [(b, t, j) for b, st in enumerate(batch) for t, v in enumerate(st) for j in
           range(v.size)]
    flat = [v for st in batch for v in st]
    vals = np.concatenate(flat) if flat else np.zeros(0, dt)
    return SparseTensor(np.asarray(idx, np.int64).reshape(-1, 3), vals,
                        [len(batch), max((len(st) for st in batch), default=0),
                         max((v.size for v in flat), default=0)])


def _context(op, seq, context_features):
    if not context_features:
        return {}
    ex = Example(seq.context)
    out = {}
    for key, (kind, v) in _parse_one(ex.SerializeToString(), context_features, op).items():
        out[key] = Tensor(v) if kind == "fixed" else SparseTensor(
            np.arange(v.size, dtype=np.int64).reshape(-1, 1), v, [v.size])
    return out


def parse_single_sequence_example(serialized, context_features=None, sequence_features=None,
                                  example_name=None, name=None):
    """(context dict, sequence dict) of one serialized SequenceExample: a
    FixedLenSequenceFeature is a Tensor (steps,) + shape, a VarLenFeature a SparseTensor
    (steps, most values)."""
    op = "tf.io.parse_single_sequence_example"
    seq = SequenceExample.FromString(_scalar_string(op, serialized))
    ctx = _context(op, seq, context_features)
    out = {}
    for key, spec in (sequence_features or {}).items():
        kind, v, dt = _sequence(op, seq, key, spec)
        out[key] = Tensor(v) if kind == "fixed" else _var_sparse(v, dt)
    return ctx, out


def parse_sequence_example(serialized, context_features=None, sequence_features=None,
                           example_names=None, name=None):
    """(context, feature_lists, lengths) of a vector of serialized SequenceExamples: fixed
    sequences padded to the longest with 0 / b'' (a ``default_value`` is refused, as
    TensorFlow's parse ops refuse it), lengths the steps
    of each example (int64), VarLen sequences SparseTensors (batch, steps, values)."""
    op = "tf.io.parse_sequence_example"
    a = serialized.numpy() if isinstance(serialized, Tensor) else np.asarray(serialized,
                                                                               dtype=object)
    if a.ndim != 1:
        raise ValueError(f"{op}: serialized must be a vector of strings, got shape {a.shape}")
    seqs = [SequenceExample.FromString(s.encode() if isinstance(s, str) else bytes(s)) for s in a]
    ctxs = [_context(op, s, context_features) for s in seqs]
    context = {}
    for key in (context_features or {}):
        vals = [c[key] for c in ctxs]
        if isinstance(context_features[key], VarLenFeature):
            vs = [v.values.numpy() for v in vals]
            idx = [(i, j) for i, v in enumerate(vs) for j in range(len(v))]
            context[key] = SparseTensor(np.asarray(idx, np.int64).reshape(-1, 2),
                                        np.concatenate(vs) if vs else np.zeros(0),
                                        [len(vs), max((len(v) for v in vs), default=0)])
        else:
            context[key] = Tensor(np.stack([v.numpy() for v in vals]))
    lists, lengths = {}, {}
    for key, spec in (sequence_features or {}).items():
        parsed = [_sequence(op, s, key, spec) for s in seqs]
        dt = _dtype(spec)[1]
        if isinstance(spec, VarLenFeature):
            lists[key] = _var_sparse(None, dt, [p[1] for p in parsed])
            continue
        shape = tuple(int(d) for d in spec.shape)
        longest = max((p[1].shape[0] for p in parsed), default=0)
        out = np.empty((len(parsed), longest) + shape, dt)
        out[...] = b"" if dt.kind == "O" else 0
        for i, p in enumerate(parsed):
            out[i, :p[1].shape[0]] = p[1]
        lists[key] = Tensor(out)
        lengths[key] = Tensor(np.asarray([p[1].shape[0] for p in parsed], np.int64))
    return context, lists, lengths
