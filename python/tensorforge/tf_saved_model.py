"""TensorFlow 2's ``tf.saved_model`` for Keras models: ``save(model, export_dir)`` writes the
model to the directory in tensorforge's own format (engine/saving.py, Note [saving to a
directory]: ``export_dir/saved_model.tfm``), and ``load(export_dir)`` gives back an object used
as TensorFlow's loaded SavedModel is: called on inputs (inference), with a
``signatures["serving_default"]`` function returning ``{output name: tensor}``, and
``variables`` / ``trainable_variables``. A TensorFlow-written SavedModel (``saved_model.pb``)
cannot be read: its graph is TensorFlow's; ``load`` says so. A bare ``tf.Module`` is saved as
its class reference and attributes (tf_saved_module.py) and loaded back as that object."""
import os

from . import tf_saved_module as _saved_module
from .engine import saving as _saving
from .tf_module import Module

__all__ = ["save", "load", "contains_saved_model", "SaveOptions", "LoadOptions"]


class SaveOptions:
    """Accepted for ``save(options=)``; its device and function options have no effect here."""

    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)


LoadOptions = SaveOptions


def _model_class():
    from .engine.training import Model
    return Model


def save(obj, export_dir, signatures=None, options=None):
    """Write the Keras model ``obj`` under ``export_dir`` (created as needed)."""
    if not isinstance(obj, _model_class()):
        if isinstance(obj, Module) and not hasattr(obj, "weights"):  # a bare tf.Module
            return _saved_module.save_module(obj, os.fspath(export_dir))
        raise NotImplementedError(
            f"tf.saved_model.save: only Keras models and tf.Modules can be saved; got "
            f"{type(obj).__name__}")
    if signatures is not None and not callable(signatures) and not isinstance(signatures, dict):
        raise ValueError(f"tf.saved_model.save: signatures must be a function or a dict, got "
                         f"{type(signatures).__name__}")
    os.makedirs(os.fspath(export_dir), exist_ok=True)
    obj.save(os.fspath(export_dir))


def contains_saved_model(export_dir):
    d = os.fspath(export_dir)
    return any(os.path.isfile(os.path.join(d, f)) for f in (
        _saving.DIR_MODEL_FILE, _saved_module.MODULE_FILE, "saved_model.pb"))


class _ServingFunction:
    """``signatures['serving_default']``: the model's inference on its inputs (positional, or
    by the inputs' names), returning {output name: tensor}."""

    def __init__(self, model):
        self._model = model
        self.input_names = list(getattr(model, "input_names", []) or [])
        self.output_names = list(getattr(model, "output_names", []) or [])

    def __call__(self, *args, **kwargs):
        if kwargs:
            unknown = set(kwargs) - set(self.input_names)
            if unknown or args:
                raise TypeError(f"serving_default: takes the inputs {self.input_names} by name "
                                f"or position, got positional {len(args)} and names "
                                f"{sorted(kwargs)}")
            args = tuple(kwargs[n] for n in self.input_names)
        outs = self._model(list(args) if len(args) > 1 else args[0], training=False)
        outs = outs if isinstance(outs, (list, tuple)) else [outs]
        return dict(zip(self.output_names, outs))


class _Loaded:
    """What ``load`` returns for a Keras model (TensorFlow's restored user object)."""

    def __init__(self, model):
        self._model = model
        self.signatures = {"serving_default": _ServingFunction(model)}

    def __call__(self, inputs, training=False, **kwargs):
        return self._model(inputs, training=training, **kwargs)

    @property
    def variables(self):
        return self._model.weights

    @property
    def trainable_variables(self):
        return self._model.trainable_weights

    @property
    def keras_api(self):  # (TensorFlow's loaded Keras object keeps the model here)
        return self._model


def load(export_dir, tags=None, options=None):
    d = os.fspath(export_dir)
    if not os.path.isdir(d):
        raise OSError(f"SavedModel file does not exist at: {d}")
    if os.path.isfile(os.path.join(d, _saved_module.MODULE_FILE)):
        return _saved_module.load_module(os.path.join(d, _saved_module.MODULE_FILE))
    if not os.path.isfile(os.path.join(d, _saving.DIR_MODEL_FILE)):
        if os.path.isfile(os.path.join(d, "saved_model.pb")):
            raise ValueError(f"tf.saved_model.load: {d!r} is a TensorFlow SavedModel, whose graph "
                             f"tensorforge cannot run (save the model with model.save('m.h5') "
                             f"in TensorFlow and load that)")
        raise OSError(f"SavedModel file does not exist at: {d}")
    return _Loaded(_saving.load_model(d, compile=False))
