"""Keras 2 ``preprocessing.text``: text_to_word_sequence, one_hot, hashing_trick, Tokenizer,
tokenizer_from_json. Behaviour (word order, index assignment, matrix modes) is Keras 2's exactly:
words are indexed from 1 by decreasing count (ties keep first-seen order), the oov_token (if any)
takes index 1, ``num_words`` keeps indices below it when converting (fitting keeps every word).
"""
import collections
import hashlib
import json
import warnings

import numpy as np

__all__ = ["text_to_word_sequence", "one_hot", "hashing_trick", "Tokenizer", "tokenizer_from_json"]

FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
_MODES = ("binary", "count", "tfidf", "freq")


def text_to_word_sequence(input_text, filters=FILTERS, lower=True, split=" "):
    """Lowercase (optionally), replace every filter character by ``split``, split, drop empties."""
    if not isinstance(input_text, str):
        raise TypeError(f"text_to_word_sequence: input_text must be a str, got "
                        f"{type(input_text).__name__}")
    if lower:
        input_text = input_text.lower()
    input_text = input_text.translate(str.maketrans({c: split for c in filters}))
    return [w for w in input_text.split(split) if w]


def hashing_trick(text, n, hash_function=None, filters=FILTERS, lower=True, split=" ",
                  analyzer=None):
    """Each word to hash(word) % (n - 1) + 1 (index 0 stays free). ``hash_function`` None uses
    Python's hash (randomised per process unless PYTHONHASHSEED is set, as in Keras); 'md5' is
    stable."""
    n = int(n)
    if n < 2:
        raise ValueError(f"hashing_trick: n must be >= 2 (indices 1..n-1), got {n}")
    if hash_function is None:
        hash_function = hash
    elif hash_function == "md5":
        def hash_function(w):
            return int(hashlib.md5(w.encode()).hexdigest(), 16)
    seq = (text_to_word_sequence(text, filters=filters, lower=lower, split=split)
           if analyzer is None else analyzer(text))
    return [hash_function(w) % (n - 1) + 1 for w in seq]


def one_hot(input_text, n, filters=FILTERS, lower=True, split=" ", analyzer=None):
    """hashing_trick with Python's hash: a list of word indices in [1, n)."""
    return hashing_trick(input_text, n, hash_function=hash, filters=filters, lower=lower,
                         split=split, analyzer=analyzer)


def _check_texts(op, texts):
    # a single str is iterated as Keras 2 iterates it: each character is one text (Hands-On ML
    # 2's char-RNN fits a char_level Tokenizer on the whole corpus string and reads
    # document_count as its length); bytes would give ints
    if isinstance(texts, bytes):
        raise TypeError(f"Tokenizer.{op}: texts must be a list of strings (or of token lists), got "
                        "bytes; decode it, or wrap it in a list")
    return texts


class Tokenizer:
    """Keras 2 text tokenizer: fit_on_texts builds word_counts / word_docs / word_index;
    texts_to_sequences, texts_to_matrix and sequences_to_matrix (modes binary, count, tfidf,
    freq) convert."""

    def __init__(self, num_words=None, filters=FILTERS, lower=True, split=" ", char_level=False,
                 oov_token=None, analyzer=None, **kwargs):
        if "nb_words" in kwargs:
            warnings.warn("The `nb_words` argument in `Tokenizer` has been renamed `num_words`.")
            num_words = kwargs.pop("nb_words")
        document_count = kwargs.pop("document_count", 0)
        if kwargs:
            raise TypeError(f"Tokenizer: unexpected arguments {sorted(kwargs)}")
        if num_words is not None and (isinstance(num_words, bool) or int(num_words) != num_words
                                      or num_words < 0):
            raise ValueError(f"Tokenizer: num_words must be a non-negative integer or None, got "
                             f"{num_words!r}")
        self.word_counts = collections.OrderedDict()
        self.word_docs = collections.defaultdict(int)
        self.filters, self.split, self.lower = filters, split, lower
        self.num_words = None if num_words is None else int(num_words)
        self.document_count = document_count
        self.char_level, self.oov_token, self.analyzer = char_level, oov_token, analyzer
        self.index_docs = collections.defaultdict(int)
        self.word_index = {}
        self.index_word = {}

    def _tokens(self, text):
        if self.char_level or isinstance(text, list):
            if self.lower:
                text = [t.lower() for t in text] if isinstance(text, list) else text.lower()
            return text
        if self.analyzer is not None:
            return self.analyzer(text)
        return text_to_word_sequence(text, filters=self.filters, lower=self.lower, split=self.split)

    def fit_on_texts(self, texts):
        for text in _check_texts("fit_on_texts", texts):
            self.document_count += 1
            seq = self._tokens(text)
            for w in seq:
                self.word_counts[w] = self.word_counts.get(w, 0) + 1
            for w in set(seq):
                self.word_docs[w] += 1
        wcounts = sorted(self.word_counts.items(), key=lambda x: x[1], reverse=True)  # stable
        vocab = ([] if self.oov_token is None else [self.oov_token]) + [w for w, _ in wcounts]
        self.word_index = dict(zip(vocab, range(1, len(vocab) + 1)))
        self.index_word = {i: w for w, i in self.word_index.items()}
        for w, c in list(self.word_docs.items()):
            self.index_docs[self.word_index[w]] = c

    def fit_on_sequences(self, sequences):
        """Update index_docs (document frequencies for tfidf) from integer sequences."""
        self.document_count += len(sequences)
        for seq in sequences:
            for i in set(seq):
                self.index_docs[i] += 1

    def texts_to_sequences(self, texts):
        return list(self.texts_to_sequences_generator(texts))

    def texts_to_sequences_generator(self, texts):
        num_words = self.num_words
        oov = self.word_index.get(self.oov_token)
        for text in _check_texts("texts_to_sequences", texts):
            vect = []
            for w in self._tokens(text):
                i = self.word_index.get(w)
                if i is not None:
                    if num_words and i >= num_words:
                        if oov is not None:
                            vect.append(oov)
                    else:
                        vect.append(i)
                elif self.oov_token is not None:
                    vect.append(oov)
            yield vect

    def sequences_to_texts(self, sequences):
        return list(self.sequences_to_texts_generator(sequences))

    def sequences_to_texts_generator(self, sequences):
        num_words = self.num_words
        oov = self.word_index.get(self.oov_token)
        for seq in sequences:
            words = []
            for num in seq:
                word = self.index_word.get(num)
                if word is not None:
                    if num_words and num >= num_words:
                        if oov is not None:
                            words.append(self.index_word[oov])
                    else:
                        words.append(word)
                elif self.oov_token is not None:
                    words.append(self.index_word[oov])
            yield " ".join(words)

    def texts_to_matrix(self, texts, mode="binary"):
        return self.sequences_to_matrix(self.texts_to_sequences(texts), mode=mode)

    def sequences_to_matrix(self, sequences, mode="binary"):
        """(len(sequences), num_words) float64 matrix; indices >= num_words are dropped."""
        if mode not in _MODES:
            raise ValueError(f"Tokenizer.sequences_to_matrix: mode must be one of {_MODES}, got "
                             f"{mode!r}")
        if self.num_words:
            num_words = self.num_words
        elif self.word_index:
            num_words = len(self.word_index) + 1
        else:
            raise ValueError("Tokenizer.sequences_to_matrix: specify a dimension (`num_words` "
                             "argument), or fit on some text data first.")
        if mode == "tfidf" and not self.document_count:
            raise ValueError("Tokenizer.sequences_to_matrix: fit the Tokenizer on some data before "
                             "using tfidf mode.")
        x = np.zeros((len(sequences), num_words))
        for i, seq in enumerate(sequences):
            if not len(seq):
                continue
            counts = collections.Counter(int(j) for j in seq if 0 <= j < num_words)
            for j, c in counts.items():
                if mode == "count":
                    x[i, j] = c
                elif mode == "freq":
                    x[i, j] = c / len(seq)
                elif mode == "binary":
                    x[i, j] = 1
                else:
                    idf = np.log(1 + self.document_count / (1 + self.index_docs.get(j, 0)))
                    x[i, j] = (1 + np.log(c)) * idf
        return x

    def get_config(self):
        return {
            "num_words": self.num_words, "filters": self.filters, "lower": self.lower,
            "split": self.split, "char_level": self.char_level, "oov_token": self.oov_token,
            "document_count": self.document_count,
            "word_counts": json.dumps(self.word_counts), "word_docs": json.dumps(self.word_docs),
            "index_docs": json.dumps(self.index_docs), "index_word": json.dumps(self.index_word),
            "word_index": json.dumps(self.word_index),
        }

    def to_json(self, **kwargs):
        return json.dumps({"class_name": type(self).__name__, "config": self.get_config()}, **kwargs)


def tokenizer_from_json(json_string):
    """A Tokenizer from ``Tokenizer.to_json()`` (Keras' format)."""
    config = dict(json.loads(json_string)["config"])
    word_counts = json.loads(config.pop("word_counts"))
    word_docs = json.loads(config.pop("word_docs"))
    index_docs = {int(k): v for k, v in json.loads(config.pop("index_docs")).items()}
    index_word = {int(k): v for k, v in json.loads(config.pop("index_word")).items()}
    word_index = json.loads(config.pop("word_index"))
    tok = Tokenizer(**config)
    tok.word_counts = collections.OrderedDict(word_counts)
    tok.word_docs = collections.defaultdict(int, word_docs)
    tok.index_docs = collections.defaultdict(int, index_docs)
    tok.word_index, tok.index_word = word_index, index_word
    return tok
