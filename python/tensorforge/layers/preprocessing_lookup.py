"""Keras 2's lookup preprocessing layers (keras/layers/preprocessing/index_lookup.py,
string_lookup.py, integer_lookup.py, category_encoding.py): StringLookup and IntegerLookup map
tokens to indices (or back, ``invert=True``) by a vocabulary given or learned by ``adapt``;
CategoryEncoding turns integer indices into one-hot / multi-hot / count vectors.

Keras 2's index layout: with ``output_mode="int"`` a ``mask_token`` takes index 0, then come
``num_oov_indices`` out-of-vocabulary indices, then the vocabulary; other output modes reserve
no mask index (mask tokens are dropped). ``adapt`` orders the learned vocabulary by frequency,
most frequent first, ties by the token itself in descending order (Keras 2's
``np.lexsort((tokens, counts))[::-1]``), keeping at most ``max_tokens`` indices in all.
Several OOV indices spread out-of-vocabulary tokens as Keras 2 does: an integer ``x`` goes to OOV
index ``x mod num_oov_indices``, a string to ``Fingerprint64(utf-8 bytes) mod num_oov_indices``
(TensorFlow's ``to_hash_bucket_fast``, tensorforge/_hash.py).
"""
import collections

import numpy as np

from .. import _hash
from .._text import as_bytes_array, as_str, is_text
from ..autograd import Tensor
from ..engine.base_layer import Layer
from ..engine.shape_inference import running_on_stand_ins
from ..tf_ragged import RaggedTensor
from .preprocessing_base import PreprocessingLayer

INT, ONE_HOT, MULTI_HOT, COUNT, TF_IDF = "int", "one_hot", "multi_hot", "count", "tf_idf"
_MODES = (INT, ONE_HOT, MULTI_HOT, COUNT, TF_IDF)


def _output_mode(name, mode, allowed=_MODES):
    mode = {"binary": MULTI_HOT, "tf-idf": TF_IDF}.get(mode, mode)  # Keras 2's old names
    if mode not in allowed:
        raise ValueError(f"{name}: output_mode must be one of {allowed}, got {mode!r}")
    return mode


def encoded_shape(name, shape, mode, depth):
    """The output shape encode_categorical gives inputs of ``shape`` (None where unknown), or
    Keras 2's ValueError where the output would have rank > 2 (a symbolic input is refused as
    an array of that shape is)."""
    work = shape or (1,)
    if mode == ONE_HOT and work[-1] != 1:
        work = work + (1,)
    if len(work) > 2:
        raise ValueError(f"{name}: when output_mode is not 'int', the maximum supported output "
                         f"rank is 2, got input shape {shape} for output_mode {mode!r}, which "
                         f"would give an output of rank {len(work)}")
    return (depth,) if len(work) == 1 else (work[0], depth)


def encode_categorical(name, idx, mode, depth, count_weights=None, idf_weights=None):
    """Keras 2's encode_categorical_inputs for integer indices ``idx`` (rank <= 2, or rank 1
    with a trailing axis for one_hot): float32 vectors of ``depth``. Negative indices (dropped
    mask tokens) count nowhere."""
    idx = np.asarray(idx)
    if idx.ndim == 0:
        idx = idx.reshape(1)
    if mode == ONE_HOT and idx.shape[-1] != 1:
        idx = idx[..., None]
    if idx.ndim > 2:
        raise ValueError(f"{name}: when output_mode is not 'int', the maximum supported output "
                         f"rank is 2, got input shape {idx.shape} for output_mode {mode!r}")
    if idx.ndim == 1:
        idx = idx[None, :] if mode != ONE_HOT else idx[:, None]
        squeeze = mode != ONE_HOT
    else:
        squeeze = False
    if idx.size and idx.max() >= depth:
        raise ValueError(f"{name}: input values must be in the range 0 <= values < {depth} "
                         f"(num_tokens), got a value of {int(idx.max())}")
    out = np.zeros((idx.shape[0], depth), np.float32)
    rows = np.broadcast_to(np.arange(idx.shape[0])[:, None], idx.shape)
    keep = idx >= 0
    w = np.ones(idx.shape, np.float32) if count_weights is None else \
        np.asarray(count_weights, np.float32).reshape(idx.shape)
    np.add.at(out, (rows[keep], idx[keep]), w[keep])
    if mode in (ONE_HOT, MULTI_HOT):
        out = (out > 0).astype(np.float32)
    elif mode == TF_IDF:
        out = out * np.asarray(idf_weights, np.float32)
    return out[0] if squeeze else out


class IndexLookup(PreprocessingLayer):
    """The shared lookup of StringLookup and IntegerLookup (Keras 2's IndexLookup)."""

    _strings = True
    _keeps_input_dtype = True
    _accepts_ragged = True  # a (batch, None) RaggedTensor: See _call_ragged

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, **kwargs):
        super().__init__(**kwargs)
        name = type(self).__name__
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"{name}: if set, max_tokens must be greater than 1, got "
                             f"{max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(f"{name}: num_oov_indices must be >= 0, got {num_oov_indices}")
        mode = _output_mode(name, output_mode)
        if invert and mode != INT:
            raise ValueError(f"{name}: output_mode must be 'int' when invert=True, got {mode!r}")
        if sparse:
            raise ValueError(f"{name}: sparse=True (tf.SparseTensor output) is not supported")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"{name}: pad_to_max_tokens=True needs max_tokens")
        if idf_weights is not None and mode != TF_IDF:
            raise ValueError(f"{name}: idf_weights should only be set with output_mode 'tf_idf'")
        self.max_tokens, self.num_oov_indices = max_tokens, int(num_oov_indices)
        self.mask_token, self.oov_token = mask_token, oov_token
        self.invert, self.output_mode = bool(invert), mode
        self.sparse, self.pad_to_max_tokens = False, bool(pad_to_max_tokens)
        self._vocab = []  # the learned / given tokens, without the special ones
        self._index = {}
        self._idf = None
        self._counts = None
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)

    # ---- tokens ----------------------------------------------------------------------------
    def _key(self, v):
        """A token in the form the vocabulary keeps (str for strings, int for integers)."""
        return as_str(v) if self._strings else int(v)

    def _keys(self, a):
        a = np.asarray(a.numpy() if isinstance(a, Tensor) else a)
        if self._strings:
            if not is_text(a):
                raise TypeError(f"{type(self).__name__}: expected string inputs, got dtype "
                                f"{a.dtype}")
            return [as_str(v) for v in as_bytes_array(a).reshape(-1)], a.shape
        if a.dtype.kind == "f":
            if not np.all(np.isfinite(a)) or np.any(a != np.round(a)):
                raise ValueError(f"{type(self).__name__}: expected integer inputs, got "
                                 "non-integer values")
        elif a.dtype.kind not in "iub":
            raise TypeError(f"{type(self).__name__}: expected integer inputs, got dtype "
                            f"{a.dtype}")
        return [int(v) for v in a.reshape(-1)], a.shape

    def _oov_start(self):
        return 1 if self.mask_token is not None and self.output_mode == INT else 0

    def _token_start(self):
        return self._oov_start() + self.num_oov_indices

    def _special(self):
        out = [self.mask_token] if self._oov_start() else []
        return out + [self.oov_token] * self.num_oov_indices

    # ---- vocabulary ------------------------------------------------------------------------
    def set_vocabulary(self, vocabulary, idf_weights=None):
        name = type(self).__name__
        if isinstance(vocabulary, str) and not self._strings:
            raise ValueError(f"{name}: a vocabulary file is only read for string lookups")
        if isinstance(vocabulary, str):
            with open(vocabulary, encoding="utf-8") as f:
                vocabulary = [line.rstrip("\n") for line in f]
        vocab = [self._key(v) for v in np.asarray(getattr(vocabulary, "data", vocabulary),
                                                  dtype=object).reshape(-1)]
        special = [self._key(v) for v in self._special()]
        if vocab[:len(special)] == special and special:
            vocab = vocab[len(special):]
        for tok, what in ((self.mask_token, "mask_token"), (self.oov_token, "oov_token")):
            if tok is not None and self._key(tok) in vocab and (
                    what == "oov_token" and self.num_oov_indices or what == "mask_token"):
                raise ValueError(f"{name}: the vocabulary contains the {what} {tok!r} past the "
                                 "reserved indices at its start")
        if len(set(vocab)) != len(vocab):
            dup = [t for t, c in collections.Counter(vocab).items() if c > 1]
            raise ValueError(f"{name}: the vocabulary contains repeated tokens: {dup[:5]}")
        if self.max_tokens is not None and len(vocab) + self._token_start() > self.max_tokens:
            raise ValueError(f"{name}: a vocabulary of {len(vocab)} tokens plus "
                             f"{self._token_start()} reserved indices exceeds max_tokens="
                             f"{self.max_tokens}")
        if self.output_mode == TF_IDF:
            if idf_weights is None:
                raise ValueError(f"{name}: output_mode 'tf_idf' needs idf_weights with the "
                                 "vocabulary")
            idf = np.asarray(idf_weights, np.float32).reshape(-1)
            if len(idf) != len(vocab):
                raise ValueError(f"{name}: idf_weights has {len(idf)} entries for a vocabulary "
                                 f"of {len(vocab)}")
            front = np.full(self._token_start(), idf.mean() if len(idf) else 0, np.float32)
            self._idf = np.concatenate([front, idf])
        self._set_vocab(vocab)
        self._is_adapted = True

    def _set_vocab(self, vocab):
        self._vocab = list(vocab)
        start = self._token_start()
        self._index = {t: start + i for i, t in enumerate(self._vocab)}

    def vocabulary_size(self):
        return len(self._vocab) + self._token_start()

    def vocab_size(self):
        return self.vocabulary_size()

    def get_vocabulary(self, include_special_tokens=True):
        vocab = [self._key(t) if t is not None else t for t in self._special()] + self._vocab
        if self.mask_token is not None and self.output_mode == INT:
            vocab[0] = self._key(self.mask_token)
        return vocab if include_special_tokens else vocab[self._token_start():]

    # ---- adapt -----------------------------------------------------------------------------
    def reset_state(self):
        self._counts = collections.Counter()
        self._docs = collections.Counter()
        self._n_docs = 0

    def update_state(self, data):
        if isinstance(data, RaggedTensor):  # one document a row
            keys, _ = self._keys(data._values)
            self._counts.update(keys)
            if self.output_mode == TF_IDF:
                for a, b in zip(data._splits[:-1], data._splits[1:]):
                    self._docs.update(set(keys[a:b]))
                self._n_docs += len(data)
            return
        keys, shape = self._keys(data)
        self._counts.update(keys)
        if self.output_mode == TF_IDF:
            rows = np.asarray(keys, dtype=object).reshape(shape[0], -1) if len(shape) else [keys]
            for r in rows:
                self._docs.update(set(r))
            self._n_docs += len(rows)

    def finalize_state(self):
        counts = self._counts
        for tok in (self.oov_token, self.mask_token):
            if tok is not None:
                counts.pop(self._key(tok), None)
        tokens = list(counts)
        if self._strings:
            order = sorted(range(len(tokens)),
                           key=lambda i: (counts[tokens[i]], tokens[i].encode("utf-8")),
                           reverse=True)
        else:
            order = sorted(range(len(tokens)), key=lambda i: (counts[tokens[i]], tokens[i]),
                           reverse=True)
        vocab = [tokens[i] for i in order]
        if self.max_tokens is not None:
            vocab = vocab[:max(self.max_tokens - self._token_start(), 0)]
        self._set_vocab(vocab)
        if self.output_mode == TF_IDF:
            df = np.array([self._docs[t] for t in vocab], np.float64)
            idf = np.log(1 + self._n_docs / (1 + df))
            front = np.full(self._token_start(), idf.mean() if len(idf) else 0.0)
            self._idf = np.concatenate([front, idf]).astype(np.float32)
        self._counts = None

    # ---- call ------------------------------------------------------------------------------
    def _depth(self):
        return self.max_tokens if self.pad_to_max_tokens else self.vocabulary_size()

    def _lookup(self, inputs):
        keys, shape = self._keys(inputs)
        start, n_oov = self._oov_start(), self.num_oov_indices
        mask = self._key(self.mask_token) if self.mask_token is not None else None
        masked = 0 if self.output_mode == INT else -1
        out = np.empty(len(keys), np.int64)
        missing, oov_at = [], []
        for i, k in enumerate(keys):
            j = self._index.get(k)
            if j is not None:
                out[i] = j
            elif mask is not None and k == mask:
                out[i] = masked
            elif n_oov == 1:
                out[i] = start
            elif n_oov > 1 and not self._strings:
                out[i] = start + k % n_oov
            elif n_oov > 1:
                oov_at.append(i)
            else:
                missing.append(i)
        if oov_at:  # strings: FarmHash buckets, hashed together (see the module docstring)
            out[oov_at] = start + _hash.to_hash_bucket_fast(
                [keys[i].encode("utf-8") for i in oov_at], n_oov)
        if missing and running_on_stand_ins():  # a stand-in value (b""), not the user's: no
            out[missing] = self._token_start()  # error, as Keras 2's symbolic call raises none
        elif missing:
            raise ValueError(f"{type(self).__name__}: when num_oov_indices=0 all inputs should "
                             f"be in the vocabulary, found OOV values "
                             f"{[keys[i] for i in missing[:10]]}; consider setting "
                             "num_oov_indices=1")
        return out.reshape(shape)

    def _invert(self, inputs):
        a = np.asarray(inputs.numpy() if isinstance(inputs, Tensor) else inputs)
        idx = np.rint(a).astype(np.int64)
        vocab = self.get_vocabulary()
        oov = self._key(self.oov_token) if self.oov_token is not None else None
        flat = [vocab[i] if 0 <= i < len(vocab) else oov for i in idx.reshape(-1)]
        if self.num_oov_indices:
            start = self._oov_start()
            flat = [oov if start <= i < self._token_start() else v
                    for v, i in zip(flat, idx.reshape(-1))]
        if self._strings:
            return Tensor(as_bytes_array(np.asarray(flat, dtype=object).reshape(idx.shape)))
        return Tensor(np.asarray(flat, dtype=np.int64).reshape(idx.shape))

    def call(self, inputs, training=False, mask=None):
        if self.invert:
            return self._invert(inputs)
        if self.output_mode != INT and not self.pad_to_max_tokens and not self._vocab \
                and not self._is_adapted:
            raise RuntimeError(f"{type(self).__name__}: when output_mode is not 'int', the "
                               "vocabulary size must be known before the layer is called: call "
                               "adapt() or pass a vocabulary")
        if isinstance(inputs, RaggedTensor):
            return self._call_ragged(inputs)
        idx = self._lookup(inputs)
        if self.output_mode == INT:
            return Tensor(idx)
        return Tensor(encode_categorical(type(self).__name__, idx, self.output_mode,
                                         self._depth(), idf_weights=self._idf))

    def _call_ragged(self, inputs):
        """Ragged rows: indices stay ragged (``int``); otherwise one encoded vector a row, as
        Keras 2 encodes a (batch, None) ragged batch."""
        idx = self._lookup(inputs._values)
        if self.output_mode == INT:
            return RaggedTensor(idx, inputs._splits)
        lengths = np.diff(inputs._splits)
        padded = np.full((len(lengths), max(int(lengths.max(initial=0)), 1)), -1, np.int64)
        for i, (a, b) in enumerate(zip(inputs._splits[:-1], inputs._splits[1:])):
            padded[i, :b - a] = idx[a:b]
        return Tensor(encode_categorical(type(self).__name__, padded, self.output_mode,
                                         self._depth(), idf_weights=self._idf))

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if self.output_mode == INT:
            return shape
        return encoded_shape(type(self).__name__, shape, self.output_mode, self._depth())

    def get_config(self):
        cfg = super().get_config()
        cfg.update(max_tokens=self.max_tokens, num_oov_indices=self.num_oov_indices,
                   mask_token=self.mask_token, oov_token=self.oov_token, invert=self.invert,
                   output_mode=self.output_mode, sparse=False,
                   pad_to_max_tokens=self.pad_to_max_tokens,
                   vocabulary=list(self._vocab) if self._vocab else None,
                   idf_weights=None if self._idf is None else
                   self._idf[self._token_start():].tolist())
        return cfg


class StringLookup(IndexLookup):
    """Keras 2 StringLookup: strings to indices (``invert=True``: indices to strings)."""

    _strings = True

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]",
                 vocabulary=None, idf_weights=None, encoding="utf-8", invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False, **kwargs):
        if encoding not in ("utf-8", "utf8", None):
            raise ValueError(f"StringLookup: only the utf-8 encoding is supported, got "
                             f"{encoding!r}")
        self.encoding = encoding or "utf-8"
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, sparse, pad_to_max_tokens, **kwargs)

    def get_config(self):
        cfg = super().get_config()
        cfg["encoding"] = self.encoding
        return cfg


class IntegerLookup(IndexLookup):
    """Keras 2 IntegerLookup: integers to indices (``invert=True``: indices to integers)."""

    _strings = False

    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1,
                 vocabulary=None, vocabulary_dtype="int64", idf_weights=None, invert=False,
                 output_mode="int", sparse=False, pad_to_max_tokens=False, **kwargs):
        if np.dtype(vocabulary_dtype) not in (np.dtype("int64"), np.dtype("int32")):
            raise ValueError(f"IntegerLookup: vocabulary_dtype must be int64 or int32, got "
                             f"{vocabulary_dtype!r}")
        if mask_token is not None and mask_token < 0:
            raise ValueError(f"IntegerLookup: mask_token must be >= 0, got {mask_token}")
        if oov_token is None and num_oov_indices:
            raise ValueError("IntegerLookup: oov_token may only be None when "
                             "num_oov_indices is 0")
        self.vocabulary_dtype = np.dtype(vocabulary_dtype).name
        super().__init__(max_tokens, num_oov_indices, mask_token, oov_token, vocabulary,
                         idf_weights, invert, output_mode, sparse, pad_to_max_tokens, **kwargs)

    def get_config(self):
        cfg = super().get_config()
        cfg["vocabulary_dtype"] = self.vocabulary_dtype
        return cfg


class CategoryEncoding(Layer):
    """Keras 2 CategoryEncoding(num_tokens, output_mode="multi_hot"): integer indices in
    [0, num_tokens) as one-hot, multi-hot or count vectors (``count_weights=`` weights the
    counts)."""

    _keeps_input_dtype = True

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if num_tokens is None:
            raise ValueError("CategoryEncoding: num_tokens must be set")
        if int(num_tokens) < 1:
            raise ValueError(f"CategoryEncoding: num_tokens must be >= 1, got {num_tokens}")
        if sparse:
            raise ValueError("CategoryEncoding: sparse=True (tf.SparseTensor output) is not "
                             "supported")
        self.num_tokens = int(num_tokens)
        self.output_mode = _output_mode("CategoryEncoding", output_mode,
                                        (ONE_HOT, MULTI_HOT, COUNT))
        self.sparse = False
        self._record(num_tokens=self.num_tokens, output_mode=self.output_mode, sparse=False)

    def call(self, inputs, count_weights=None, training=False, mask=None):
        a = np.asarray(inputs.numpy() if isinstance(inputs, Tensor) else inputs)
        if a.dtype.kind == "f" and np.any(a != np.round(a)):
            raise ValueError("CategoryEncoding: inputs must be integer indices")
        idx = np.rint(a).astype(np.int64)
        if idx.size and idx.min() < 0:
            raise ValueError(f"CategoryEncoding: input values must be in the range 0 <= values "
                             f"< num_tokens with num_tokens={self.num_tokens}, got "
                             f"{int(idx.min())}")
        if count_weights is not None and self.output_mode != COUNT:
            raise ValueError("CategoryEncoding: count_weights is only used with output_mode "
                             f"'count', got {self.output_mode!r}")
        if count_weights is not None:
            count_weights = np.asarray(getattr(count_weights, "data", count_weights))
        return Tensor(encode_categorical("CategoryEncoding", idx, self.output_mode,
                                         self.num_tokens, count_weights=count_weights))

    def compute_output_shape(self, input_shape):
        return encoded_shape("CategoryEncoding", tuple(input_shape), self.output_mode,
                             self.num_tokens)
