"""Keras 2's TextVectorization (keras/layers/preprocessing/text_vectorization.py): raw strings ->
standardized -> split into tokens -> indices (or bag-of-words vectors) through a StringLookup
with ``mask_token=""`` (index 0: padding; 1: "[UNK]"; then the vocabulary, most frequent first).

``standardize``: "lower_and_strip_punctuation" (Keras 2's default: ASCII lower case, then
``DEFAULT_STRIP_REGEX`` removed), "lower", "strip_punctuation", None or a callable on a string
Tensor (``tf.strings.lower`` / ``regex_replace``, tensorforge/tf_strings.py). ``split``:
"whitespace" (runs of whitespace), "character", None or a callable returning one token list per
string. ``ngrams``: an int n (1..n-grams) or a tuple of widths, joined by a space, as Keras 2.
``output_mode="int"`` pads with 0 or truncates to ``output_sequence_length`` (None: the longest
row of the batch), or with ``ragged=True`` gives a tf.RaggedTensor of the unpadded rows; "multi_hot", "count", "tf_idf" give one vector of the vocabulary size a row.
Inputs are a batch of strings, shape (batch,) or (batch, 1), or one string (a scalar: its
output row, without the batch axis, as Keras 2).
"""
import numpy as np

from .. import tf_strings
from .._text import as_bytes_array, as_str
from ..autograd import Tensor
from .preprocessing_base import PreprocessingLayer
from .preprocessing_lookup import INT, StringLookup, _output_mode, encode_categorical

DEFAULT_STRIP_REGEX = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")


class TextVectorization(PreprocessingLayer):
    _keeps_input_dtype = True
    _input_ndim = (0, 2)  # one string, (batch,) or (batch, 1) strings

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation",
                 split="whitespace", ngrams=None, output_mode="int",
                 output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", **kwargs):
        super().__init__(**kwargs)
        name = "TextVectorization"
        if not (standardize is None or callable(standardize) or standardize in _STANDARDIZE):
            raise ValueError(f"{name}: standardize must be one of {_STANDARDIZE}, None or a "
                             f"callable, got {standardize!r}")
        if not (split is None or callable(split) or split in _SPLIT):
            raise ValueError(f"{name}: split must be one of {_SPLIT}, None or a callable, got "
                             f"{split!r}")
        mode = _output_mode(name, output_mode if output_mode is not None else INT)
        if ngrams is not None and not (isinstance(ngrams, int) and ngrams > 0 or
                                       isinstance(ngrams, (tuple, list)) and
                                       all(isinstance(n, int) and n > 0 for n in ngrams)):
            raise ValueError(f"{name}: ngrams must be None, a positive int or a tuple of "
                             f"positive ints, got {ngrams!r}")
        if output_sequence_length is not None and mode != INT:
            raise ValueError(f"{name}: output_sequence_length is only used with output_mode "
                             f"'int', got output_mode={mode!r}")
        if output_sequence_length is not None and int(output_sequence_length) < 1:
            raise ValueError(f"{name}: output_sequence_length must be positive, got "
                             f"{output_sequence_length}")
        if ragged and mode != INT:  # tf_keras 2's checks and messages
            raise ValueError("`ragged` must not be true if `output_mode` is `'int'`. "
                             f"Received: ragged={ragged} and output_mode={mode}")
        if ragged and output_sequence_length is not None:
            raise ValueError("`output_sequence_length` must not be set if ragged is True. "
                             f"Received: ragged={ragged} and output_sequence_length="
                             f"{output_sequence_length}")
        if sparse:
            raise ValueError(f"{name}: sparse=True (tf.SparseTensor outputs) is not supported")
        self._ragged = bool(ragged)
        self._standardize, self._split = standardize, split
        self._ngrams = (tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else
                        None if ngrams is None else tuple(ngrams))
        self._output_mode = mode
        self._output_sequence_length = (None if output_sequence_length is None
                                        else int(output_sequence_length))
        self._lookup_layer = StringLookup(max_tokens=max_tokens, vocabulary=vocabulary,
                                          idf_weights=idf_weights,
                                          pad_to_max_tokens=pad_to_max_tokens, mask_token="",
                                          output_mode=mode, encoding=encoding)
        self._record(max_tokens=max_tokens,
                     standardize=standardize if not callable(standardize) else None,
                     split=split if not callable(split) else None, ngrams=ngrams,
                     output_mode=mode, output_sequence_length=self._output_sequence_length,
                     pad_to_max_tokens=bool(pad_to_max_tokens), sparse=False, ragged=self._ragged,
                     encoding=encoding)

    # ---- preprocessing ---------------------------------------------------------------------
    def _preprocess(self, inputs):
        """One list of tokens (str) per input string."""
        x = inputs if isinstance(inputs, Tensor) else Tensor(as_bytes_array(
            inputs, "TextVectorization"))
        if self._standardize in ("lower", "lower_and_strip_punctuation"):
            x = tf_strings.lower(x)
        if self._standardize in ("strip_punctuation", "lower_and_strip_punctuation"):
            x = tf_strings.regex_replace(x, DEFAULT_STRIP_REGEX, "")
        if callable(self._standardize):
            x = self._standardize(x)
        a = as_bytes_array(x, "TextVectorization: the standardized text")
        if self._split is not None and a.ndim > 1:
            if a.shape[-1] != 1:
                raise ValueError("TextVectorization: when tokenizing strings, the input rank "
                                 "must be 1 or the last shape dimension must be 1, got input "
                                 f"shape {a.shape}")
            a = a[..., 0]
        if a.ndim != 1:
            raise ValueError(f"TextVectorization: expected a batch of strings of shape (batch,) "
                             f"or (batch, 1), got shape {a.shape}")
        if self._split is None:
            rows = [[as_str(v)] for v in a]
        elif self._split == "whitespace":
            rows = [as_str(v).split() for v in a]
        elif self._split == "character":
            rows = [list(as_str(v)) for v in a]
        else:
            out = self._split(Tensor(a))
            rows = [[as_str(t) for t in np.asarray(getattr(r, "data", r), dtype=object)
                     .reshape(-1)] for r in out]
        if self._ngrams is not None:
            rows = [[" ".join(r[i:i + n]) for n in self._ngrams for i in range(len(r) - n + 1)]
                    for r in rows]
        return rows

    # ---- adapt -----------------------------------------------------------------------------
    def reset_state(self):
        self._lookup_layer.reset_state()

    def update_state(self, data):
        rows = self._preprocess(data)
        lk = self._lookup_layer
        for r in rows:
            lk._counts.update(r)
        if self._output_mode == "tf_idf":
            for r in rows:
                lk._docs.update(set(r))
            lk._n_docs += len(rows)

    def finalize_state(self):
        self._lookup_layer.finalize_state()
        self._lookup_layer._is_adapted = True

    def get_config(self):
        """As Keras 2's, with the vocabulary (given or adapted) and the idf weights of its
        StringLookup, so a saved and reloaded model maps words to the same indices."""
        config = super().get_config()
        lookup = self._lookup_layer.get_config()
        config.update(vocabulary=lookup["vocabulary"], idf_weights=lookup["idf_weights"])
        return config

    # ---- vocabulary ------------------------------------------------------------------------
    def get_vocabulary(self, include_special_tokens=True):
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def set_vocabulary(self, vocabulary, idf_weights=None):
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights)

    def vocabulary_size(self):
        return self._lookup_layer.vocabulary_size()

    # ---- call ------------------------------------------------------------------------------
    def call(self, inputs, training=False, mask=None):
        x = inputs if isinstance(inputs, Tensor) else Tensor(as_bytes_array(
            inputs, "TextVectorization"))
        if x.ndim == 0:  # one string: its row, without the batch axis (Keras 2's)
            return Tensor(self.call(Tensor(x.data.reshape(1)), training, mask).data[0])
        rows = self._preprocess(x)
        lengths = [len(r) for r in rows]
        flat = np.array([t for r in rows for t in r] + [""], dtype=object)[:-1]
        idx = self._lookup_layer._lookup(flat) if len(flat) else np.zeros(0, np.int64)
        if self._ragged:  # one row of token ids a string, unpadded (int mode only)
            from ..tf_ragged import RaggedTensor
            return RaggedTensor(idx.astype(np.int64), np.cumsum([0] + lengths).astype(np.int64))
        width = (self._output_sequence_length if self._output_sequence_length is not None
                 else max(lengths, default=0))
        if self._output_mode == INT:
            out = np.zeros((len(rows), width), np.int64)
            pos = 0
            for i, n in enumerate(lengths):
                k = min(n, width)
                out[i, :k] = idx[pos:pos + k]
                pos += n
            return Tensor(out)
        padded = np.full((len(rows), max(max(lengths, default=0), 1)), -1, np.int64)
        pos = 0
        for i, n in enumerate(lengths):
            padded[i, :n] = idx[pos:pos + n]
            pos += n
        lk = self._lookup_layer
        return Tensor(encode_categorical("TextVectorization", padded, self._output_mode,
                                         lk._depth(), idf_weights=lk._idf))

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if self._split is not None and len(shape) > 1 and shape[-1] != 1:
            raise ValueError("TextVectorization: when tokenizing strings, the input rank must "
                             "be 1 or the last shape dimension must be 1, got input shape "
                             f"{shape}")
        if self._output_mode == INT:
            return (input_shape[0], self._output_sequence_length)
        return (input_shape[0], self._lookup_layer._depth())
