"""Keras optimizers: SGD (momentum, nesterov), RMSprop, Adam (amsgrad), Adagrad, Adadelta, Adamax,
Nadam, with Keras 2 semantics (the oracle: tf_keras 2.21, whose default classes and
``optimizers.legacy`` ones take the same steps but RMSprop's and Nadam's: these follow the default
classes, ``optimizers.legacy.RMSprop`` / ``Nadam`` the legacy ones, Note [RMSprop epsilon] in
legacy.py; tests/data/optimizer_refs.npz holds both kinds of trajectories).

Arguments and defaults are tf.keras 2's. Keras 2.2 spellings are accepted too: ``lr`` for
``learning_rate``, the lowercase classes ``optimizers.sgd``, ``rmsprop``, ``adagrad``, ``adadelta``,
``adam``, ``adamax``, ``nadam``. Defaults follow tf.keras 2, where they differ from standalone
Keras 2.2/2.3 (Adagrad lr 0.01 and zero accumulators; Adadelta lr 1.0; Nadam lr 0.002): pass those
explicitly to reproduce a standalone-Keras program exactly.

``learning_rate`` is a number or a ``schedules.LearningRateSchedule`` (called with the step count,
``iterations`` before the step). ``decay`` is Keras 2's time-based decay,
lr / (1 + decay * iterations), iterations counted before the step (so the first step uses lr).
``weight_decay`` (tf.keras 2.11+, and ``AdamW``) is decoupled: p -= p * weight_decay * lr before
each step. Gradients are clipped as tf.keras does: ``clipvalue`` elementwise, then ``clipnorm`` per tensor
(to that L2 norm), or ``global_clipnorm`` over all tensors together.

The base class is in optimizer.py, the update rules one family a module (sgd.py, rmsprop.py,
adam.py, adagrad.py, ftrl.py, lion.py, adafactor.py), the Keras 2.0-2.10 rules of RMSprop and
Nadam in legacy.py; this module names them (``get``, ``serialize``, ``deserialize``).
"""
from . import schedules
from .adagrad import Adadelta, Adagrad
from .adam import Adam, Adamax, AdamW, Nadam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "AdamW", "Adagrad", "Adadelta", "Adamax", "Nadam",
           "Ftrl", "Lion", "Adafactor",
           "sgd", "rmsprop", "adam", "adagrad", "adadelta", "adamax", "nadam", "schedules",
           "get", "serialize", "deserialize"]


# Keras 2.2 exports the classes under lowercase names too (keras.optimizers.sgd(lr=0.01)).
sgd, rmsprop, adagrad, adadelta, adam, adamax, nadam = (SGD, RMSprop, Adagrad, Adadelta, Adam,
                                                        Adamax, Nadam)

_BY_NAME = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam, "adamw": AdamW, "adagrad": Adagrad,
            "adadelta": Adadelta, "adamax": Adamax, "nadam": Nadam}


# optimizers in submodules that build on this package, loaded on first use (__getattr__)
_SUBMODULE_CLASSES = {"ftrl": ("ftrl", "Ftrl"), "lion": ("lion", "Lion"),
                      "adafactor": ("adafactor", "Adafactor"),
                      "lossscaleoptimizer": ("loss_scale", "LossScaleOptimizer")}


def _class(name):
    """The optimizer class of a (case-insensitive) name, or None."""
    cls = _BY_NAME.get(name.lower())
    if cls is None and name.lower() in _SUBMODULE_CLASSES:
        cls = __getattr__(_SUBMODULE_CLASSES[name.lower()][1])
    return cls


def get(identifier):
    """An optimizer instance from a name ('adam'), a config dict, a class, or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        try:
            if _class(identifier) is None:
                raise KeyError(identifier)
            return _class(identifier)()
        except KeyError:
            raise ValueError(f"optimizers.get: unknown optimizer {identifier!r}; known: "
                             f"{', '.join(_BY_NAME)}") from None
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, type) and issubclass(identifier, Optimizer):
        return identifier()
    raise TypeError(f"optimizers.get: expected an optimizer name or instance, got {identifier!r}")


def keras_config(opt):
    """``opt.get_config()`` marked as tf_keras 2.21 marks it (Note [legacy optimizer configs])."""
    config = opt.get_config()
    new_only = type(opt) is AdamW or (type(opt).__name__ in ("Lion", "Adafactor") and
                                      type(opt).__module__.startswith(__name__ + "."))
    if (type(opt) in (RMSprop, Nadam) or new_only) and not config.get("decay"):
        config.pop("decay", None)  # (tf_keras' default classes refuse a decay argument)
        config["is_legacy_optimizer"] = False
    return config


def legacy_class(cls, config):
    """The ``optimizers.legacy`` twin of ``cls`` when ``config`` is a legacy class's (Note
    [legacy optimizer configs]); ``cls`` otherwise. ``config`` keeps its key."""
    if cls in (RMSprop, Nadam) and config and config.get("is_legacy_optimizer", True):
        return getattr(__getattr__("legacy"), cls.__name__)  # (legacy.py imports this package:
    return cls                                               # loaded as its attribute)


def serialize(opt):
    return {"class_name": type(opt).__name__, "config": keras_config(opt)}


def deserialize(cfg):
    name = cfg.get("class_name", "")
    cls = _class(name)
    if cls is None:
        raise ValueError(f"optimizers.deserialize: unknown optimizer {name!r}; known: "
                         f"{', '.join(c.__name__ for c in _BY_NAME.values())}")
    config = dict(cfg.get("config", {}))
    cls = legacy_class(cls, config)
    config.pop("is_legacy_optimizer", None)
    return cls.from_config(config)


# Note [legacy optimizer configs]
# ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
# RMSprop and Nadam have two rules each (Note [RMSprop epsilon] in legacy.py) under one class
# name and one config, so a config says which by tf_keras 2.21's own mark: its default classes
# write "is_legacy_optimizer": false (and no decay, which they refuse), its legacy ones and
# Keras 2.0-2.10 write no such key, and tf_keras' deserialize builds the legacy class from a
# non-empty config without the key (an empty one, or a name alone, is the default class). The
# key set to true is refused by tf_keras' legacy classes; read here all the same (what
# optimizers.serialize wrote for them before). serialize, deserialize and the Keras files
# (saving/keras_config.py: HDF5 training_config, .keras compile_config) follow that rule, so a
# Keras 2.2 or legacy-class file keeps epsilon outside the root and the default classes' files
# keep it inside, on either library. A default class with a learning-rate decay has no tf_keras
# default-class config: it is written, and read back, as the legacy class, as tf_keras builds it.
# AdamW, Lion and Adafactor have no legacy class: tf_keras finds none for a config without the
# mark ("Unknown optimizer: 'AdamW'"), so theirs carry it too, as tf_keras' own do.



def __getattr__(name):
    """``keras.optimizers.legacy`` (tf.keras 2.11+'s spelling: ``optimizers.legacy.Adam``) and
    ``keras.optimizers.experimental`` (2.9-2.10's), loaded on first use as the package's __getattr__ loads tf_compat (legacy.py imports
    this package)."""
    if name in ("legacy", "experimental"):
        import importlib
        return importlib.import_module(f"{__name__}.{name}")
    for module, cls in _SUBMODULE_CLASSES.values():
        if name == cls:
            import importlib
            return getattr(importlib.import_module(f"{__name__}.{module}"), cls)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
