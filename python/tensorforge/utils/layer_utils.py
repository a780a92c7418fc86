"""Keras 2's keras.utils.layer_utils helpers: warmstart_embedding_matrix (public in
keras.utils), and the ones Keras 2 programs import from here: print_summary (model.summary's
printer), count_params, get_source_inputs, and Keras 2.2's convert_all_kernels_in_model."""
import os

import numpy as np

from ..engine.layer_utils import print_summary  # noqa: F401
from ..symbolic.node import get_source_inputs  # noqa: F401
from .conv_utils import convert_kernel

__all__ = ["warmstart_embedding_matrix", "print_summary", "count_params", "get_source_inputs",
           "convert_all_kernels_in_model"]


def count_params(weights):
    """The number of scalars in ``weights`` (each weight counted once), as Keras 2."""
    seen, total = set(), 0
    for w in weights:
        if id(w) not in seen:
            seen.add(id(w))
            total += int(np.prod(getattr(w, "shape", np.shape(w)), dtype=np.int64))
    return total


_FLIPPED = ("Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose")


def convert_all_kernels_in_model(model):
    """Keras 2.2's Theano <-> TensorFlow kernel conversion: every convolution kernel of
    ``model`` with its spatial axes reversed (utils.conv_utils.convert_kernel), in place."""
    for layer in model.layers:
        if type(layer).__name__ in _FLIPPED and getattr(layer, "kernel", None) is not None:
            weights = layer.get_weights()
            weights[0] = convert_kernel(weights[0])
            layer.set_weights(weights)


def _vocab_list(vocab, name):
    """Keras 2's convert_vocab_to_list: an array, a list / tuple, a Tensor, or the path of a
    text file with one token a line."""
    if hasattr(vocab, "numpy"):
        out = list(vocab.numpy())
    elif isinstance(vocab, (np.ndarray, tuple, list)):
        out = list(vocab)
    elif isinstance(vocab, (str, os.PathLike)):
        if not os.path.exists(vocab):
            raise ValueError(f"warmstart_embedding_matrix: Vocabulary file {vocab} does not "
                             "exist.")
        with open(vocab, encoding="utf-8") as f:
            out = f.read().splitlines()
    else:
        raise ValueError("warmstart_embedding_matrix: Vocabulary is expected to be either a "
                         "NumPy array, list, 1D tensor or a vocabulary text file. Instead type "
                         f"{type(vocab)} was received ({name}).")
    if not out:
        raise ValueError("warmstart_embedding_matrix: Vocabulary is expected to be either a "
                         "NumPy array, list, 1D tensor or a vocabulary text file with at least "
                         f"one token. Received 0 instead ({name}).")
    return [t.decode("utf-8") if isinstance(t, bytes) else t for t in out]


def warmstart_embedding_matrix(base_vocabulary, new_vocabulary, base_embeddings,
                               new_embeddings_initializer="uniform"):
    """Keras 2's ``keras.utils.warmstart_embedding_matrix``: an embedding matrix for
    ``new_vocabulary`` (len(new_vocabulary), dim): the rows of tokens also in
    ``base_vocabulary`` copied from ``base_embeddings`` (len(base_vocabulary), dim), the other
    rows drawn by ``new_embeddings_initializer``. Returns a Tensor."""
    from .. import initializers
    from ..autograd import Tensor
    base = _vocab_list(base_vocabulary, "base_vocabulary")
    new = _vocab_list(new_vocabulary, "new_vocabulary")
    emb = np.asarray(base_embeddings.numpy() if hasattr(base_embeddings, "numpy")
                     else base_embeddings)
    if emb.ndim != 2 or emb.shape[0] != len(base):
        raise ValueError(f"warmstart_embedding_matrix: base_embeddings must be 2-D "
                         f"(len(base_vocabulary)={len(base)}, dim), got shape {emb.shape}")
    init = initializers.get(new_embeddings_initializer)
    out = np.array(init((len(new), emb.shape[1]), emb.dtype), dtype=emb.dtype)
    where = {t: i for i, t in enumerate(base)}
    pairs = [(i, where[t]) for i, t in enumerate(new) if t in where]
    if pairs:
        rows, src = zip(*pairs)
        out[list(rows)] = emb[list(src)]
    return Tensor(out)
