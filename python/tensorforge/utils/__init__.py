"""Keras utils, laid out as Keras 2's ``keras.utils`` package: to_categorical, normalize and
set_random_seed here (and in ``np_utils``), ``data_utils`` (Sequence, get_file), ``vis_utils``
(plot_model, model_to_dot; pydot + graphviz, an optional extra), ``generic_utils`` (Progbar).
Every name is importable from ``tensorforge.utils`` and from its Keras 2 submodule."""
import numpy as np

from .. import _random

__all__ = ["to_categorical", "set_random_seed", "plot_model", "model_to_dot", "normalize",
           "np_utils", "data_utils", "vis_utils", "generic_utils", "Sequence", "get_file",
           "Progbar", "dataset_utils", "timeseries_dataset_from_array",
           "text_dataset_from_directory", "image_dataset_from_directory", "image_dataset",
           "load_img", "img_to_array", "array_to_img", "save_img"]


def to_categorical(y, num_classes=None, dtype="float32"):
    """Integer class vector -> one-hot matrix (Keras: a trailing axis of size 1 is dropped)."""
    y = np.asarray(y)
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise ValueError("to_categorical: y must hold integer class indices")
    y = y.astype(np.int64)
    shape = y.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    y = y.reshape(-1)
    if y.size and y.min() < 0:
        raise ValueError(f"to_categorical: class indices must be >= 0, got {y.min()}")
    n = int(num_classes) if num_classes is not None else (int(y.max()) + 1 if y.size else 0)
    if y.size and y.max() >= n:
        raise ValueError(f"to_categorical: class index {y.max()} out of range for num_classes={n}")
    out = np.zeros((y.size, n), dtype=dtype)
    out[np.arange(y.size), y] = 1
    return out.reshape(shape + (n,))


def normalize(x, axis=-1, order=2):
    """``x`` divided by its ``order``-norm along ``axis`` (zero norms left as 1), as Keras 2:
    the result has NumPy's dtype for the division (float64 for integer or float64 input)."""
    x = np.asarray(x)
    if x.dtype.kind not in "fiub":
        raise TypeError(f"normalize: x must be numeric, got dtype {x.dtype}")
    n = np.atleast_1d(np.linalg.norm(x, order, axis))
    n[n == 0] = 1
    return x / np.expand_dims(n, axis)


def set_random_seed(seed):
    """Seed weight initialization, fit() shuffling and dropout (tensorforge's random state,
    NumPy's global RNG and Python's): the same seed gives bit-identical weights after training
    on the cpu backend."""
    seed = int(seed)
    _random.set_seed(seed)
    np.random.seed(seed % (2 ** 32))
    import random
    random.seed(seed)


def unpack_x_y_sample_weight(data):
    """tf.keras 2: ``(x, y, sample_weight)`` from a train_step's ``data`` (None where absent)."""
    from ..engine.custom_step import unpack  # deferred: the engine imports utils
    return unpack(data)


def pack_x_y_sample_weight(x, y=None, sample_weight=None):
    from ..engine.custom_step import _pack
    return _pack(x, y, sample_weight)


from . import np_utils  # noqa: E402  (after to_categorical / normalize, which it re-exports)
from .data_utils import Sequence, get_file  # noqa: E402,F401
from .vis_utils import model_to_dot, plot_model  # noqa: E402,F401
from .generic_utils import Progbar  # noqa: E402,F401
from .dataset_utils import (text_dataset_from_directory,  # noqa: E402,F401
                            timeseries_dataset_from_array)
from .image_dataset import image_dataset_from_directory  # noqa: E402,F401
from . import data_utils, dataset_utils, generic_utils, image_dataset, vis_utils  # noqa: E402,F401
# Keras 2.9+ exports the image file helpers from keras.utils too
from ..preprocessing.image import array_to_img, img_to_array, load_img, save_img  # noqa: E402,F401
# Keras 2.9+ also exports these from keras.utils
from ..preprocessing.sequence import pad_sequences  # noqa: E402,F401
from ..engine.serialization import custom_object_scope, get_custom_objects  # noqa: E402,F401


def register_keras_serializable(package="Custom", name=None):
    """Decorator: register a class or function for deserialization under ``'package>name'``
    (Keras 2's registered name) and its plain name."""
    def decorator(obj):
        key = name or obj.__name__
        reg = get_custom_objects()
        full = f"{package}>{key}"
        if full in reg and reg[full] is not obj:
            raise ValueError(f"register_keras_serializable: {full!r} is already registered")
        reg[full] = obj
        reg.setdefault(key, obj)
        return obj
    return decorator


__all__ += ["pad_sequences", "custom_object_scope", "get_custom_objects",
            "register_keras_serializable"]
