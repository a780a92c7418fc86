"""TensorFlow 2's ``tf.feature_column``: the columns of the TF 2 structured-data tutorials
(numeric, bucketized, vocabulary list, hash bucket, identity, indicator, embedding), read by
``keras.layers.DenseFeatures`` (layers/dense_features.py).

A categorical column gives, per example, a row of ids (``-1``: none), as TensorFlow's sparse
ids: a vocabulary index (``num_oov_buckets`` > 0: vocabulary size + Fingerprint64(value) mod
the buckets, TensorFlow's FastHashSpec), Fingerprint64(value as a string) mod the bucket count,
the value itself (identity), the bucket of a bucketized number, or the hashed cross of several
keys (crossed_column). The empty string and -1
are missing values, as TensorFlow drops them. A dense column gives a float32 (batch, n) Tensor:
the number (through ``normalizer_fn``), the one-hot bucket, the indicator (the count of each id)
or the embedding (``combiner`` 'mean' / 'sqrtn' / 'sum' of the ids' rows; none: zeros).
"""
import math

import numpy as np

from . import _hash
from ._custom_objects import custom_object
from . import initializers as _init
from .autograd import Tensor
from .ops.gemm import matmul as _matmul

__all__ = ["numeric_column", "bucketized_column", "categorical_column_with_vocabulary_list",
           "categorical_column_with_hash_bucket", "categorical_column_with_identity",
           "crossed_column", "indicator_column", "embedding_column"]


def _values(features, key, where):
    if not isinstance(features, dict):
        raise TypeError(f"{where}: features must be a dict of arrays by name, got "
                        f"{type(features).__name__}")
    if key not in features:
        raise ValueError(f"{where}: the features have no {key!r} (they have "
                         f"{sorted(features)})")
    v = features[key]
    v = v.numpy() if isinstance(v, Tensor) else np.asarray(v)
    return v.reshape(v.shape[0], -1) if v.ndim else v.reshape(1, 1)


def _strings(a):
    """The values as bytes (numbers as TensorFlow's as_string writes them)."""
    flat = a.reshape(-1)
    if flat.dtype.kind in "iu":
        return [str(int(x)).encode() for x in flat]
    return [x if isinstance(x, bytes) else str(x).encode() for x in flat]


class _Categorical:
    """A column of ids: ``ids(features)`` -> int64 (batch, k), -1 where missing."""
    num_buckets = 0

    def __init__(self, key):
        if not isinstance(key, str) or not key:
            raise ValueError(f"{type(self).__name__}: key must be a non-empty string, got {key!r}")
        self.key = key

    @property
    def name(self):
        return self.key

    def _missing(self, a):
        flat = a.reshape(a.shape[0], -1)
        if flat.dtype.kind in "iu":
            return flat == -1
        return np.array([[x in ("", b"") for x in row] for row in flat], bool).reshape(
            flat.shape)

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r}, num_buckets={self.num_buckets})"


class VocabularyListCategoricalColumn(_Categorical):
    def __init__(self, key, vocabulary_list, dtype=None, default_value=-1, num_oov_buckets=0):
        super().__init__(key)
        vocab = list(np.asarray(vocabulary_list).reshape(-1).tolist())
        if not vocab:
            raise ValueError(f"vocabulary_list {vocabulary_list!r} must be non-empty, "
                             f"column_name: {key}")
        if len(set(vocab)) != len(vocab):
            raise ValueError(f"Duplicate keys in vocabulary_list {vocabulary_list!r}, "
                             f"column_name: {key}")
        if num_oov_buckets < 0:
            raise ValueError(f"Invalid num_oov_buckets {num_oov_buckets} in {key}.")
        if num_oov_buckets and default_value != -1:
            raise ValueError(f"Can't specify both num_oov_buckets and default_value in {key}.")
        self.vocabulary_list, self.default_value = tuple(vocab), int(default_value)
        self.num_oov_buckets = int(num_oov_buckets)
        self.num_buckets = len(vocab) + self.num_oov_buckets
        self._index = {(v.encode() if isinstance(v, str) else v): i for i, v in enumerate(vocab)}

    def get_config(self):
        return {"key": self.key, "vocabulary_list": list(self.vocabulary_list), "dtype": None,
                "default_value": self.default_value, "num_oov_buckets": self.num_oov_buckets}

    def ids(self, features):
        a = _values(features, self.key, "categorical_column_with_vocabulary_list")
        keys = _strings(a) if a.dtype.kind not in "iu" else [int(x) for x in a.reshape(-1)]
        ids = np.array([self._index.get(k, -2) for k in keys], np.int64).reshape(a.shape)
        oov = ids == -2
        if oov.any():
            if self.num_oov_buckets:
                h = _hash.to_hash_bucket_fast(_strings(a[oov]) if a.dtype.kind not in "iu"
                                              else _strings(a[oov]), self.num_oov_buckets)
                ids[oov] = len(self.vocabulary_list) + h
            else:
                ids[oov] = self.default_value
        ids[self._missing(a)] = -1
        return ids


class HashedCategoricalColumn(_Categorical):
    def __init__(self, key, hash_bucket_size, dtype="string"):
        super().__init__(key)
        if hash_bucket_size is None or int(hash_bucket_size) < 1:
            raise ValueError(f"hash_bucket_size must be at least 1. hash_bucket_size: "
                             f"{hash_bucket_size}, key: {key}")
        self.hash_bucket_size = self.num_buckets = int(hash_bucket_size)

    def get_config(self):
        return {"key": self.key, "hash_bucket_size": self.hash_bucket_size, "dtype": "string"}

    def ids(self, features):
        a = _values(features, self.key, "categorical_column_with_hash_bucket")
        ids = _hash.to_hash_bucket_fast(_strings(a), self.num_buckets).reshape(a.shape)
        ids[self._missing(a)] = -1
        return ids


class IdentityCategoricalColumn(_Categorical):
    def __init__(self, key, num_buckets, default_value=None):
        super().__init__(key)
        if int(num_buckets) < 1:
            raise ValueError(f"Invalid num_buckets {num_buckets}. column_name: {key}")
        if default_value is not None and not 0 <= int(default_value) < int(num_buckets):
            raise ValueError(f"Invalid default_value {default_value} for num_buckets "
                             f"{num_buckets}. column_name: {key}")
        self.num_buckets, self.default_value = int(num_buckets), default_value

    def get_config(self):
        return {"key": self.key, "num_buckets": self.num_buckets,
                "default_value": self.default_value}

    def ids(self, features):
        a = _values(features, self.key, "categorical_column_with_identity")
        if a.dtype.kind not in "iu":
            raise ValueError(f"categorical_column_with_identity: column {self.key!r} takes "
                             f"integer ids, got {a.dtype}")
        ids = a.astype(np.int64)
        missing = ids == -1
        bad = ~missing & ((ids < 0) | (ids >= self.num_buckets))
        if bad.any():
            if self.default_value is None:
                raise ValueError(f"categorical_column_with_identity: column {self.key!r} has "
                                 f"ids outside [0, {self.num_buckets}): "
                                 f"{sorted(set(ids[bad].tolist()))[:5]}")
            ids = np.where(bad, int(self.default_value), ids)
        return np.where(missing, -1, ids)


class CrossedColumn(_Categorical):
    """TensorFlow's crossed_column: per example, the hashed cross of its keys' values (a raw
    feature's value, or a categorical column's id), tf.sparse.cross_hashed's FingerprintCat64
    chain (_hash.cross_hashed) modulo ``hash_bucket_size``; an example missing any key's value
    has no id."""

    def __init__(self, keys, hash_bucket_size, hash_key=None):
        keys = tuple(keys)
        if len(keys) < 2:
            raise ValueError(f"keys must be a list with length > 1. Given: {list(keys)}")
        if hash_bucket_size is None or int(hash_bucket_size) < 1:
            raise ValueError(f"hash_bucket_size must be > 1. hash_bucket_size: "
                             f"{hash_bucket_size}")
        for k in keys:
            if not isinstance(k, (str, _Categorical)) or isinstance(k, HashedCategoricalColumn):
                raise ValueError(f"Unsupported key type. All keys must be either string, or "
                                 f"categorical column except HashedCategoricalColumn. Given: {k}")
        self.keys, self.hash_key = keys, hash_key
        self.hash_bucket_size = self.num_buckets = int(hash_bucket_size)

    @property
    def name(self):
        return "_X_".join(sorted(k if isinstance(k, str) else k.name for k in self.keys))

    def get_config(self):
        return {"keys": [k if isinstance(k, str) else serialize(k) for k in self.keys],
                "hash_bucket_size": self.hash_bucket_size, "hash_key": self.hash_key}

    def ids(self, features):
        cols, missing = [], None
        # TensorFlow crosses the categorical keys' ids (sparse tensors) before the raw features
        # (dense), each group in the given order (sparse_ops' sparse_cross_hashed)
        ordered = [k for k in self.keys if not isinstance(k, str)] + \
            [k for k in self.keys if isinstance(k, str)]
        for k in ordered:
            if isinstance(k, str):
                a = _values(features, k, "crossed_column")
                miss = self._missing(a)
                a = a.astype(np.int64) if a.dtype.kind in "iu" else \
                    np.array(_strings(a), dtype=object).reshape(a.shape)
            else:
                a = k.ids(features)
                miss = a < 0
            if a.shape[1] != 1:
                raise NotImplementedError(f"crossed_column {self.name!r}: keys of one value "
                                          f"per example only, got shape {a.shape}")
            cols.append(a[:, 0])
            missing = miss[:, 0] if missing is None else missing | miss[:, 0]
        extra = {} if self.hash_key is None else {"hash_key": self.hash_key}
        ids = _hash.cross_hashed(cols, self.num_buckets, **extra).reshape(-1, 1)
        ids[missing] = -1
        return ids


class _Dense:
    """A column giving a float32 (batch, n) Tensor: ``dense(features, weights)``."""
    variable_shape = None

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


class NumericColumn(_Dense):
    def __init__(self, key, shape=(1,), default_value=None, dtype="float32", normalizer_fn=None):
        if not isinstance(key, str) or not key:
            raise ValueError(f"numeric_column: key must be a non-empty string, got {key!r}")
        shape = (int(shape),) if np.ndim(shape) == 0 else tuple(int(s) for s in shape)
        if any(s < 1 for s in shape):
            raise ValueError(f"shape dimensions must be greater than 0. shape: {shape}, "
                             f"key: {key}")
        if normalizer_fn is not None and not callable(normalizer_fn):
            raise TypeError(f"normalizer_fn must be a callable. Given: {normalizer_fn}")
        self.key, self.shape, self.normalizer_fn = key, shape, normalizer_fn
        self.default_value, self.size = default_value, math.prod(shape)

    @property
    def name(self):
        return self.key

    def get_config(self):
        fn = self.normalizer_fn
        if fn is not None:
            name = getattr(fn, "__name__", None)
            if not name or name == "<lambda>" or custom_object(name) is not fn:
                raise ValueError(f"numeric_column {self.key!r}: its normalizer_fn {fn!r} cannot "
                                 "be saved; give a named function registered with "
                                 "keras.utils.register_keras_serializable or custom_objects")
            fn = name
        return {"key": self.key, "shape": list(self.shape), "default_value": self.default_value,
                "dtype": "float32", "normalizer_fn": fn}

    def numbers(self, features):
        a = _values(features, self.key, "numeric_column")
        if a.dtype.kind not in "iufb":
            raise ValueError(f"numeric_column: column {self.key!r} takes numbers, got "
                             f"{a.dtype}")
        if a.shape[1] != self.size:
            raise ValueError(f"numeric_column: column {self.key!r} of shape {self.shape} got "
                             f"values of shape {a.shape}")
        return a.astype(np.float32)

    def dense(self, features, weights=None):
        x = Tensor(self.numbers(features))
        if self.normalizer_fn is not None:
            x = self.normalizer_fn(x)
            x = x if isinstance(x, Tensor) else Tensor(np.asarray(x, np.float32))
        return x


class BucketizedColumn(_Dense, _Categorical):
    def __init__(self, source_column, boundaries):
        if not isinstance(source_column, NumericColumn):
            raise ValueError(f"source_column must be a column generated with numeric_column(). "
                             f"Given: {source_column}")
        b = [float(x) for x in boundaries]
        if any(x >= y for x, y in zip(b, b[1:])):
            raise ValueError(f"boundaries must be a sorted list. boundaries: {boundaries}")
        self.source_column, self.boundaries = source_column, tuple(b)
        self.key = source_column.key
        self.num_buckets = (len(b) + 1) * source_column.size

    @property
    def name(self):
        return self.source_column.name + "_bucketized"

    def get_config(self):
        return {"source_column": serialize(self.source_column),
                "boundaries": list(self.boundaries)}

    def ids(self, features):
        x = self.source_column.numbers(features)
        buckets = np.searchsorted(np.asarray(self.boundaries), x, side="right")
        return (buckets + (len(self.boundaries) + 1) * np.arange(x.shape[1])).astype(np.int64)

    def dense(self, features, weights=None):
        ids = self.ids(features)
        out = np.zeros((ids.shape[0], self.num_buckets), np.float32)
        np.put_along_axis(out, ids, 1.0, axis=1)
        return Tensor(out)


def _counts(ids, n):
    """(batch, n) float32: how many times each id occurs in each row (-1: none)."""
    out = np.zeros((ids.shape[0], n), np.float32)
    rows = np.repeat(np.arange(ids.shape[0]), ids.shape[1])
    flat = ids.reshape(-1)
    keep = flat >= 0
    np.add.at(out, (rows[keep], flat[keep]), 1.0)
    return out


class IndicatorColumn(_Dense):
    def __init__(self, categorical_column):
        if not isinstance(categorical_column, _Categorical):
            raise ValueError(f"Unsupported input type. Input must be a CategoricalColumn. "
                             f"Given: {categorical_column}")
        self.categorical_column = categorical_column

    @property
    def name(self):
        return self.categorical_column.name + "_indicator"

    def get_config(self):
        return {"categorical_column": serialize(self.categorical_column)}

    def dense(self, features, weights=None):
        c = self.categorical_column
        return Tensor(_counts(c.ids(features), c.num_buckets))


class EmbeddingColumn(_Dense):
    def __init__(self, categorical_column, dimension, combiner="mean", initializer=None,
                 max_norm=None, trainable=True, **kwargs):
        unknown = set(kwargs) - {"ckpt_to_load_from", "tensor_name_in_ckpt",
                                 "use_safe_embedding_lookup"}
        if unknown:
            raise TypeError(f"embedding_column: unexpected arguments {sorted(unknown)}")
        if kwargs.get("ckpt_to_load_from") is not None:
            raise NotImplementedError("embedding_column: ckpt_to_load_from is not supported")
        if not isinstance(categorical_column, _Categorical):
            raise ValueError(f"embedding_column: categorical_column must be a categorical "
                             f"column, got {categorical_column}")
        if dimension is None or int(dimension) < 1:
            raise ValueError(f"Invalid dimension {dimension}.")
        if combiner not in ("mean", "sqrtn", "sum"):
            raise ValueError(f"combiner must be one of 'mean', 'sqrtn' or 'sum', got "
                             f"{combiner!r}")
        if max_norm is not None:
            raise NotImplementedError("embedding_column: max_norm is not supported")
        if initializer is not None and not callable(initializer):
            raise ValueError(f"initializer must be callable if specified. Embedding of column_"
                             f"name: {categorical_column.name}")
        self.categorical_column, self.dimension = categorical_column, int(dimension)
        self.combiner, self.trainable = combiner, bool(trainable)
        self.initializer = initializer or _init.TruncatedNormal(
            mean=0.0, stddev=1.0 / math.sqrt(self.dimension))
        self.variable_shape = (categorical_column.num_buckets, self.dimension)

    @property
    def name(self):
        return self.categorical_column.name + "_embedding"

    def get_config(self):
        return {"categorical_column": serialize(self.categorical_column),
                "dimension": self.dimension, "combiner": self.combiner,
                "initializer": _init.serialize(self.initializer), "max_norm": None,
                "trainable": self.trainable}

    def dense(self, features, weights=None):
        c = self.categorical_column
        counts = _counts(c.ids(features), c.num_buckets)
        total = counts.sum(axis=1, keepdims=True)
        if self.combiner == "mean":
            scale = np.where(total > 0, 1.0 / np.maximum(total, 1.0), 0.0)
        elif self.combiner == "sqrtn":
            scale = np.where(total > 0, 1.0 / np.sqrt(np.maximum((counts ** 2).sum(
                axis=1, keepdims=True), 1.0)), 0.0)
        else:
            scale = np.ones_like(total)
        return _matmul(Tensor((counts * scale).astype(np.float32)), weights)


def numeric_column(key, shape=(1,), default_value=None, dtype="float32", normalizer_fn=None):
    return NumericColumn(key, shape, default_value, dtype, normalizer_fn)


def bucketized_column(source_column, boundaries):
    return BucketizedColumn(source_column, boundaries)


def categorical_column_with_vocabulary_list(key, vocabulary_list, dtype=None, default_value=-1,
                                            num_oov_buckets=0):
    return VocabularyListCategoricalColumn(key, vocabulary_list, dtype, default_value,
                                           num_oov_buckets)


def categorical_column_with_hash_bucket(key, hash_bucket_size, dtype="string"):
    return HashedCategoricalColumn(key, hash_bucket_size, dtype)


def categorical_column_with_identity(key, num_buckets, default_value=None):
    return IdentityCategoricalColumn(key, num_buckets, default_value)


def crossed_column(keys, hash_bucket_size, hash_key=None):
    return CrossedColumn(keys, hash_bucket_size, hash_key)


def indicator_column(categorical_column):
    return IndicatorColumn(categorical_column)


def embedding_column(categorical_column, dimension, combiner="mean", initializer=None,
                     max_norm=None, trainable=True, **kwargs):
    return EmbeddingColumn(categorical_column, dimension, combiner, initializer, max_norm,
                           trainable, **kwargs)


def is_dense(column):
    return isinstance(column, _Dense)


_CLASSES = {c.__name__: c for c in (NumericColumn, BucketizedColumn,
                                    VocabularyListCategoricalColumn, HashedCategoricalColumn,
                                    IdentityCategoricalColumn, IndicatorColumn, EmbeddingColumn,
                                    CrossedColumn)}


def serialize(column):
    """{"class_name", "config"}: a column's description for a saved DenseFeatures."""
    return {"class_name": type(column).__name__, "config": column.get_config()}


def deserialize(config):
    if not isinstance(config, dict) or config.get("class_name") not in _CLASSES:
        raise ValueError(f"feature column: unknown description {config!r}")
    cfg = dict(config.get("config") or {})
    for k in ("source_column", "categorical_column"):
        if k in cfg:
            cfg[k] = deserialize(cfg[k])
    if "keys" in cfg:
        cfg["keys"] = [k if isinstance(k, str) else deserialize(k) for k in cfg["keys"]]
    if "initializer" in cfg and cfg["initializer"] is not None:
        init = cfg["initializer"]
        if isinstance(init, dict) and isinstance(init.get("config"), dict):  # TensorFlow's
            init = dict(init, config={k: v for k, v in init["config"].items() if k != "dtype"})
        cfg["initializer"] = _init.deserialize(init)
    if cfg.get("normalizer_fn") is not None:
        fn = custom_object(cfg["normalizer_fn"])
        if fn is None:
            raise ValueError(f"feature column: unknown normalizer_fn {cfg['normalizer_fn']!r} "
                             "(pass it in custom_objects)")
        cfg["normalizer_fn"] = fn
    return _CLASSES[config["class_name"]](**cfg)
