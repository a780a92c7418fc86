"""The Layer base class (Keras 2's keras/engine/base_layer.py): weights, build-on-first-call,
config, masks, layer naming, and the registry of layer classes by name (every Layer subclass
registers itself, so a config names its layers by class name)."""
import re

import numpy as np

from .. import activations as _act
from .. import initializers as _init
from .. import regularizers as _reg
from .._xp import array_module
from ..autograd import Tensor


_name_counts = {}
_LAYER_CLASSES = {}


def _snake(name):
    """Keras 2's to_snake_case: Conv2D -> conv2d, UpSampling2D -> up_sampling2d, LSTM -> lstm."""
    s = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def _unique_name(base):
    """Keras 2 (tf.keras) naming: dense, dense_1, dense_2, ..."""
    n = _name_counts.get(base, 0)
    _name_counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def _pair(v, what):
    if isinstance(v, int):
        return (v, v)
    v = tuple(int(x) for x in v)
    if len(v) != 2:
        raise ValueError(f"{what} must be an int or a pair, got {v!r}")
    return v


def _ser(v):
    """A JSON-able form of a constructor argument (activations, initializers, regularizers)."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (tuple, list)):
        return [_ser(x) for x in v]
    if isinstance(v, Layer):
        return {"class_name": type(v).__name__, "config": v.get_config()}
    if isinstance(v, _init.Initializer):
        return {"__initializer__": type(v).__name__, "config": v.get_config()}
    if isinstance(v, _reg.L1L2):
        return {"__regularizer__": "L1L2", "config": v.get_config()}
    if callable(v):
        return _act.serialize(v)
    if isinstance(v, np.generic):
        return v.item()
    raise ValueError(f"cannot serialize layer argument {v!r}")


def _deser(v):
    if isinstance(v, dict):
        if "__initializer__" in v:
            return _init._BY_NAME[v["__initializer__"]](**v["config"])
        if "__regularizer__" in v:
            return _reg.L1L2(**v["config"])
        if "class_name" in v:
            return get_layer_class(v["class_name"]).from_config(v["config"])
    return v


class Layer:
    """Base layer: weights, build-on-first-call, Keras config, masks."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _LAYER_CLASSES[cls.__name__] = cls

    supports_masking = False

    def __init__(self, name=None, trainable=True, input_shape=None, input_dim=None,
                 batch_input_shape=None, batch_size=None, dtype=None, weights=None, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}: unexpected keyword arguments {sorted(kwargs)}")
        self.name = name or _unique_name(_snake(type(self).__name__))
        self._trainable = bool(trainable)
        self.built = False
        self._weights = []  # [(name, Tensor, trainable)]
        self._initial_weights = weights
        self.losses_fns = []  # regularization penalties: callables returning a Tensor
        self.batch_input_shape = None
        if batch_input_shape is not None:
            self.batch_input_shape = tuple(batch_input_shape)
        elif input_shape is not None:
            self.batch_input_shape = (batch_size,) + tuple(input_shape)
        elif input_dim is not None:
            self.batch_input_shape = (batch_size, int(input_dim))
        self.input_shape_ = None
        self.output_shape_ = None
        self._config = {"name": self.name, "trainable": self._trainable}
        if self.batch_input_shape is not None:
            self._config["batch_input_shape"] = list(self.batch_input_shape)

    def _record(self, **kw):
        """Remember constructor arguments for get_config()."""
        self._config.update({k: _ser(v) for k, v in kw.items()})

    # ---- weights ----------------------------------------------------------------------------
    def add_weight(self, name, shape, initializer="glorot_uniform", regularizer=None,
                   trainable=True):
        value = _init.get(initializer)(tuple(int(s) for s in shape), np.float32)
        t = Tensor(np.ascontiguousarray(value, dtype=np.float32),
                   requires_grad=trainable and self._trainable, name=f"{self.name}/{name}")
        self._weights.append((name, t, trainable))
        if regularizer is not None:
            self.losses_fns.append(lambda t=t, r=regularizer: r(t))
        return t

    @property
    def trainable(self):
        return self._trainable

    @trainable.setter
    def trainable(self, v):
        self._trainable = bool(v)
        for _, t, tr in self._weights:
            t.requires_grad = tr and self._trainable
        for sub in self._sublayers():
            sub.trainable = v

    def _sublayers(self):
        return []

    @property
    def weights(self):
        return [t for _, t, _ in self._all_weights()]

    def _all_weights(self):
        out = list(self._weights)
        for sub in self._sublayers():
            out.extend(sub._all_weights())
        return out

    @property
    def trainable_weights(self):
        return [t for _, t, tr in self._all_weights() if tr and self._trainable]

    @property
    def non_trainable_weights(self):
        return [t for _, t, tr in self._all_weights() if not (tr and self._trainable)]

    def get_weights(self):
        return [t.numpy().copy() for t in self.weights]

    def set_weights(self, weights):
        mine = self.weights
        if len(weights) != len(mine):
            raise ValueError(f"{self.name}.set_weights: expected {len(mine)} arrays "
                             f"({[t.shape for t in mine]}), got {len(weights)}")
        for t, w in zip(mine, weights):
            w = np.asarray(w)
            if tuple(w.shape) != t.shape:
                raise ValueError(f"{self.name}.set_weights: weight {t.name} has shape {t.shape}, "
                                 f"got an array of shape {tuple(w.shape)}")
            t.data[...] = array_module(t.data).asarray(w.astype(np.float32))  # weights may be on a GPU

    def count_params(self):
        return int(sum(t.size for t in self.weights))

    @property
    def losses(self):
        out = [f() for f in self.losses_fns]
        for sub in self._sublayers():
            out.extend(sub.losses)
        return [l for l in out if l is not None]

    # ---- shapes and calls -------------------------------------------------------------------
    def build(self, input_shape):
        self.built = True

    def _maybe_build(self, input_shape):
        if not self.built:
            input_shape = tuple(input_shape)
            self.build(input_shape)
            self.built = True
            if self._initial_weights is not None:
                self.set_weights(self._initial_weights)
                self._initial_weights = None
        if self.input_shape_ is None:
            self.input_shape_ = tuple(input_shape)
            self.output_shape_ = self.compute_output_shape(self.input_shape_)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def compute_mask(self, inputs, mask=None):
        return mask if self.supports_masking else None

    def call(self, x, training=False, mask=None):
        raise NotImplementedError

    def __call__(self, x, training=False, mask=None):
        if not isinstance(x, Tensor):
            x = Tensor(np.asarray(x, dtype=np.float32) if getattr(x, "dtype", None) != np.float32
                       else x)
        elif x.dtype != np.float32 and not x.requires_grad:
            x = Tensor(x.data.astype(np.float32))  # Keras' floatx, at the boundary
        self._maybe_build((None,) + x.shape[1:])
        return self.call(x, training=training, mask=mask)

    @property
    def input_shape(self):
        if self.input_shape_ is None:
            raise AttributeError(f"layer {self.name} has not been built yet (no input shape)")
        return self.input_shape_

    @property
    def output_shape(self):
        if self.output_shape_ is None:
            raise AttributeError(f"layer {self.name} has not been built yet (no output shape)")
        return self.output_shape_

    def get_config(self):
        return dict(self._config)

    @classmethod
    def from_config(cls, config):
        return cls(**{k: _deser(v) for k, v in config.items()})

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def get_layer_class(name):
    """The Layer subclass registered under ``name`` (its class name, or a Keras alias)."""
    cls = _LAYER_CLASSES.get(name)
    if cls is None:
        raise ValueError(f"unknown layer class {name!r}")
    return cls
