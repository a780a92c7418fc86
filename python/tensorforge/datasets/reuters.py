"""Reuters newswires, Keras 2's ``reuters.load_data`` / ``get_word_index``: 46 topics, 11,228
wires as lists of word indices, split by ``test_split`` after a seeded shuffle. Read from
``reuters.npz`` and ``reuters_word_index.json`` where Keras 2 cached them (see _files.py);
nothing is downloaded. Same arguments, defaults and result as Keras 2."""
import numpy as np

from . import _files, _sequences as S

__all__ = ["load_data", "get_word_index"]

ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/reuters.npz"


def load_data(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2,
              seed=113, start_char=1, oov_char=2, index_from=3, **kwargs):
    what = "reuters.load_data"
    if kwargs:
        raise TypeError(f"{what}: unexpected arguments {sorted(kwargs)}")
    a = _files.load_npz(_files.find(what, path, ORIGIN), ["x", "y"])
    xs, labels = S.shuffled(np.random.RandomState(seed), a["x"], a["y"])
    xs = S.offset(S.sequences(what, {"x": xs}, "x"), start_char, index_from)
    if maxlen:
        xs, labels = S.drop_long(maxlen, xs, labels)
    xs = S.vocabulary(xs, num_words, skip_top, oov_char)
    n = int(len(xs) * (1 - test_split))
    return ((S.as_object_array(xs[:n]), np.array(labels[:n])),
            (S.as_object_array(xs[n:]), np.array(labels[n:])))


def get_word_index(path="reuters_word_index.json"):
    return S.word_index("reuters.get_word_index", path,
                        "https://storage.googleapis.com/tensorflow/tf-keras-datasets/reuters_word_index.json")
