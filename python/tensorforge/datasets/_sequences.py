"""The word-index sequence processing Keras 2's imdb and reuters loaders share: a seeded shuffle
(NumPy's legacy RandomState, so the order equals Keras 2's for the same seed), the start marker
and index offset, dropping sequences of ``maxlen`` words or more, and mapping words outside
[skip_top, num_words) to ``oov_char`` (or dropping them)."""
import json

import numpy as np

from . import _files


def shuffled(rng, *arrays):
    idx = np.arange(len(arrays[0]))
    rng.shuffle(idx)
    return [a[idx] for a in arrays]


def offset(xs, start_char, index_from):
    if start_char is not None:
        return [[start_char] + [w + index_from for w in x] for x in xs]
    return [[w + index_from for w in x] for x in xs]


def drop_long(maxlen, xs, labels):
    keep = [i for i, x in enumerate(xs) if len(x) < maxlen]
    return [xs[i] for i in keep], np.asarray(labels)[keep]


def vocabulary(xs, num_words, skip_top, oov_char):
    if not num_words:
        num_words = max(max(x) for x in xs if len(x)) if any(len(x) for x in xs) else 0
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    return [[w for w in x if skip_top <= w < num_words] for x in xs]


def as_object_array(xs):
    out = np.empty(len(xs), dtype=object)
    for i, x in enumerate(xs):
        out[i] = list(x)
    return out


def word_index(what, path, origin):
    p = _files.find(what, path, origin)
    try:
        with open(p, encoding="utf-8") as f:
            d = json.load(f)
    except (OSError, ValueError) as e:
        raise ValueError(f"{what}: {p} is not a readable JSON word index ({e})") from None
    if not isinstance(d, dict):
        raise ValueError(f"{what}: {p} holds a {type(d).__name__}, not a word -> index dict")
    return d


def sequences(what, a, key):
    """The object array of word-index lists under ``key``, checked."""
    xs = a[key]
    if xs.ndim != 1 or not all(isinstance(x, (list, np.ndarray)) for x in xs):
        raise ValueError(f"{what}: {key} must be a 1-D array of word-index lists")
    return [list(map(int, x)) for x in xs]
