"""Keras 2's ``keras.models``: Sequential, Model, load_model, save_model.

The model core lives in ``tensorforge.engine`` as Keras 2 lays it out: the Layer base
(engine/base_layer.py), symbolic tensors and nodes (node.py), the functional graph (network.py),
compile and the training API (training.py), the loops (training_arrays.py), Sequential
(sequential.py) and saving (saving.py).
"""
from .engine.input_layer import Input  # noqa: F401
from .engine.saving import load_model, model_from_config  # noqa: F401
from .engine.sequential import Sequential
from .engine.training import Model

__all__ = ["Sequential", "Model", "Input", "load_model", "save_model", "model_from_config",
           "model_from_json", "model_from_yaml", "clone_model", "experimental"]


def __getattr__(name):
    """``keras.models.experimental`` (SharpnessAwareMinimization), loaded on first use."""
    if name == "experimental":
        import types
        from .sharpness_aware import SharpnessAwareMinimization
        return types.SimpleNamespace(SharpnessAwareMinimization=SharpnessAwareMinimization)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def save_model(model, filepath, overwrite=True, include_optimizer=True, save_format=None,
               **kwargs):
    """Keras 2 ``keras.models.save_model``: the same file as ``model.save`` (HDF5 for .h5 /
    .hdf5 or save_format='h5', tensorforge's own format otherwise)."""
    return model.save(filepath, overwrite=overwrite, include_optimizer=include_optimizer,
                      save_format=save_format, **kwargs)


def model_from_json(json_string, custom_objects=None):
    """A model from ``model.to_json()`` (a Keras 2 JSON model description also works)."""
    import json
    from .engine.serialization import custom_object_scope
    from .engine import config_check
    try:
        data = json.loads(json_string)
    except RecursionError:
        raise ValueError("model_from_json: the JSON nests too deeply to be a model") from None
    config_check.mapping(data, "model_from_json")
    config = config_check.key(data, "config", "model_from_json", (), dict)
    with custom_object_scope(custom_objects or {}):
        return model_from_config(data.get("class_name"), config)


def model_from_yaml(yaml_string, custom_objects=None):
    """Removed in Keras 2 (TensorFlow >= 2.6), with this RuntimeError: YAML loading could run
    arbitrary code."""
    raise RuntimeError(
        "Method `model_from_yaml()` has been removed due to security risk of "
        "arbitrary code execution. Please use `Model.to_json()` and "
        "`model_from_json()` instead.")


def clone_model(model, input_tensors=None, clone_function=None):
    """A model with the same architecture and fresh weights (Keras 2 ``clone_model``)."""
    if input_tensors is not None or clone_function is not None:
        raise NotImplementedError("clone_model: input_tensors / clone_function are not supported")
    cls = "Sequential" if isinstance(model, Sequential) else "Functional"
    return model_from_config(cls, model.get_config())
