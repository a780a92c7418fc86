"""Keras utils, laid out as Keras 2's ``keras.utils`` package: set_random_seed here,
``np_utils`` (to_categorical, normalize), ``data_utils`` (Sequence, get_file), ``vis_utils``
(plot_model, model_to_dot; pydot + graphviz, an optional extra), ``generic_utils`` (Progbar),
``dataset_utils`` (split_dataset, the dataset builders), ``io_utils`` (interactive logging),
``layer_utils`` (warmstart_embedding_matrix), the enqueuers (data_enqueuers.py).
Every name is importable from ``tensorforge.utils`` and from its Keras 2 submodule."""
import numpy as np

from .. import _random
from .np_utils import normalize, to_categorical, to_ordinal  # noqa: F401

__all__ = ["to_categorical", "set_random_seed", "plot_model", "model_to_dot", "normalize",
           "np_utils", "data_utils", "vis_utils", "generic_utils", "Sequence", "get_file",
           "Progbar", "dataset_utils", "timeseries_dataset_from_array",
           "text_dataset_from_directory", "image_dataset_from_directory", "image_dataset",
           "load_img", "img_to_array", "array_to_img", "save_img"]


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


from . import np_utils  # noqa: E402
from .data_utils import (GeneratorEnqueuer, OrderedEnqueuer, Sequence,  # noqa: E402,F401
                         SequenceEnqueuer, get_file)
from .vis_utils import model_to_dot, plot_model  # noqa: E402,F401
from .generic_utils import Progbar  # noqa: E402,F401
from .dataset_utils import (split_dataset, text_dataset_from_directory,  # noqa: E402,F401
                            timeseries_dataset_from_array)
from .io_utils import (disable_interactive_logging, enable_interactive_logging,  # noqa: E402,F401
                       is_interactive_logging_enabled)
from .layer_utils import warmstart_embedding_matrix  # noqa: E402,F401
from .timed_threads import TimedThread  # noqa: E402,F401
from .audio_dataset import audio_dataset_from_directory  # noqa: E402,F401
from .image_dataset import image_dataset_from_directory  # noqa: E402,F401
from . import (data_enqueuers, data_utils, dataset_utils, generic_utils,  # noqa: E402,F401
               image_dataset, io_utils, layer_utils, vis_utils)
# Keras 2.9+ exports the image file helpers and pad_sequences from keras.utils too (their home
# there, keras.preprocessing re-exports them)
from .image_utils import array_to_img, img_to_array, load_img, save_img  # noqa: E402,F401
from .data_utils import pad_sequences  # noqa: E402,F401
from ..engine.serialization import custom_object_scope, get_custom_objects  # noqa: E402,F401
from ..symbolic.node import get_source_inputs  # noqa: E402,F401
from .serialization_utils import (CustomObjectScope, deserialize_keras_object,  # noqa: E402,F401
                                  get_registered_name, get_registered_object,
                                  serialize_keras_object)
from .feature_space import FeatureSpace  # noqa: E402,F401
from .multi_gpu_utils import multi_gpu_model  # noqa: E402,F401  (Keras 2.0.9-2.3)
from .hdf5_matrix import HDF5Matrix  # noqa: E402,F401  (Keras 2.0-2.3)

import types as _types  # noqa: E402
# tf.keras 2.13+'s keras.utils.legacy: the (de)serializers, the same functions here
legacy = _types.SimpleNamespace(serialize_keras_object=serialize_keras_object,
                                deserialize_keras_object=deserialize_keras_object)


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
            "register_keras_serializable", "to_ordinal", "get_source_inputs", "CustomObjectScope",
            "serialize_keras_object", "deserialize_keras_object", "get_registered_name",
            "get_registered_object", "split_dataset", "SequenceEnqueuer", "OrderedEnqueuer",
            "GeneratorEnqueuer", "warmstart_embedding_matrix", "enable_interactive_logging",
            "disable_interactive_logging", "is_interactive_logging_enabled", "io_utils",
            "layer_utils", "TimedThread", "audio_dataset_from_directory", "legacy",
            "multi_gpu_model", "HDF5Matrix"]
