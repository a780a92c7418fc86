"""A model from its class name and config (``keras.models.model_from_config``'s engine): used by
load_model of tensorforge's files (engine/saving.py) and of tf_keras' .keras archives
(saving/keras_archive.py)."""
import numpy as np

from ..autograd import Tensor, no_grad
from . import config_check as _config_check
from .serialization import get_layer_class


def model_from_config(class_name, config, input_shape=None):
    """A model (not compiled, fresh weights) from its class name and config. The model classes
    are found in the layer registry (engine.serialization), so this module imports none."""
    _config_check.check_depth(config)
    _config_check.mapping(config, "model_from_config")
    if class_name is not None and not isinstance(class_name, str):
        raise TypeError(f"model_from_config: class_name must be a str, got {type(class_name).__name__}")
    if class_name == "Sequential" or (class_name is None and "input_layers" not in config):
        return get_layer_class("Sequential")._from_sequential_config(config)
    if class_name in ("Functional", "Model"):
        return get_layer_class("Model")._from_graph_config(config)
    cls = get_layer_class(class_name)
    if "input_layers" in config and hasattr(cls, "_from_graph_config"):
        return cls._from_graph_config(config)
    model = cls.from_config(config)
    if input_shape is not None and not model.weights:  # a subclassed model: build its weights
        shapes = [input_shape] if input_shape and not isinstance(input_shape[0], list) else input_shape
        xs = [Tensor(np.zeros([1] + [1 if d is None else d for d in s[1:]], np.float32))
              for s in shapes]
        with no_grad():
            model(xs[0] if len(xs) == 1 else xs)
    return model

