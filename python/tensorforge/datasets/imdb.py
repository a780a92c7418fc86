"""IMDB movie reviews, Keras 2's ``imdb.load_data`` / ``get_word_index``: reviews as lists of
word indices (object arrays), labels 0 / 1, 25,000 / 25,000. Read from ``imdb.npz`` and
``imdb_word_index.json`` where Keras 2 cached them (see _files.py); nothing is downloaded.
Same arguments, defaults and result as Keras 2 (the same shuffle for the same seed)."""
import numpy as np

from . import _files, _sequences as S

__all__ = ["load_data", "get_word_index"]

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz"


def load_data(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1,
              oov_char=2, index_from=3, **kwargs):
    what = "imdb.load_data"
    if kwargs:
        raise TypeError(f"{what}: unexpected arguments {sorted(kwargs)}")
    a = _files.load_npz(_files.find(what, path, ORIGIN), ["x_train", "y_train", "x_test", "y_test"])
    rng = np.random.RandomState(seed)
    x_train, y_train = S.shuffled(rng, a["x_train"], a["y_train"])
    x_test, y_test = S.shuffled(rng, a["x_test"], a["y_test"])
    x_train = S.offset(S.sequences(what, {"x": x_train}, "x"), start_char, index_from)
    x_test = S.offset(S.sequences(what, {"x": x_test}, "x"), start_char, index_from)
    if maxlen:
        x_train, y_train = S.drop_long(maxlen, x_train, y_train)
        x_test, y_test = S.drop_long(maxlen, x_test, y_test)
        if not x_train or not x_test:
            raise ValueError(f"{what}: after dropping reviews of maxlen={maxlen} words or more, no "
                             f"review is left in the {'training' if not x_train else 'test'} set")
    xs = S.vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([y_train, y_test])
    n = len(x_train)
    return (S.as_object_array(xs[:n]), labels[:n]), (S.as_object_array(xs[n:]), labels[n:])


def get_word_index(path="imdb_word_index.json"):
    """{word: index} (index 1 the most frequent word; load_data adds ``index_from``)."""
    return S.word_index("imdb.get_word_index", path,
                        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb_word_index.json")
