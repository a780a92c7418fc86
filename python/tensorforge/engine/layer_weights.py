"""A Layer's weights (Keras 2's ``add_weight`` and the lists and values it reads back), the mixin
of engine/base_layer.Layer, and the structure version that the caches of layer lists and weight
lists are keyed on."""
import warnings

import numpy as np

from .. import constraints as _constraints
from .. import initializers as _init
from .. import regularizers as _reg
from .._xp import array_module
from ..autograd import Tensor
from ..kernels._common import check_output_size
from . import weight_scope as _weight_scope
from .dtype_policy import _is_dtype
from .serialization import _ser

# ---- structure version: caches of layer lists and weight lists are keyed on it ------------------
# Bumped whenever a layer gains a weight or a tracked sublayer, is built, or changes its trainable
# flag, and when a graph is (re)mapped; a training step then reuses its lists (no tree walks).
_VERSION = [0]


def _touch():
    _VERSION[0] += 1


# the layer attribute holding the constraint of a weight, by the weight's name (Keras 2's names)
_CONSTRAINT_ATTR = {"kernel": "kernel_constraint", "bias": "bias_constraint",
                    "recurrent_kernel": "recurrent_constraint",
                    "embeddings": "embeddings_constraint", "gamma": "gamma_constraint",
                    "beta": "beta_constraint", "alpha": "alpha_constraint",
                    "depthwise_kernel": "depthwise_constraint",
                    "pointwise_kernel": "pointwise_constraint"}


class WeightsMixin:
    """add_weight and the weight lists of a Layer (which keeps ``_weights``, ``[(name, Tensor,
    trainable)]``, its ``_trainable`` flag, ``losses_fns`` and ``_sublayers()``)."""

    def _set_constraints(self, **kw):
        """Keep the layer's ``*_constraint`` arguments (constraints.get) as attributes and in its
        config; add_weight gives each weight its own (See _CONSTRAINT_ATTR)."""
        for k, v in kw.items():
            c = _constraints.get(v)
            setattr(self, k, c)
            self._config[k] = _ser(c)

    def add_weight(self, *args, **kwargs):
        """Create, track and return a weight Tensor (Keras 2 ``add_weight``; See _add_weight).
        A shape given first is Keras 2.0's order, ``add_weight((3, 4), initializer=...,
        name=...)``, read as Keras 2.2's legacy preprocessing read it (a string after the
        shape is the name)."""
        if args and isinstance(args[0], (tuple, list)):
            kwargs["shape"], args = args[0], args[1:]
            if args and isinstance(args[0], str) and "name" not in kwargs:
                kwargs["name"], args = args[0], args[1:]
            if args:
                raise TypeError(f"add_weight: after a shape given first (Keras 2.0's order), pass "
                                f"the other arguments by keyword; got {args!r}")
        return self._add_weight(*args, **kwargs)

    def _add_weight(self, name=None, shape=None, dtype=None, initializer=None, regularizer=None,
                    trainable=True, constraint=None, **kwargs):
        """Create, track and return a weight Tensor (Keras 2 ``add_weight``).

        Keras 2's order is (name, shape, dtype, initializer, regularizer, trainable); the
        built-in layers' older positional form (name, shape, initializer, regularizer) is also
        accepted: a third argument that is not a dtype is taken as the initializer."""
        if dtype is not None and not _is_dtype(dtype):
            dtype, initializer, regularizer, trainable = None, dtype, initializer, (
                regularizer if isinstance(regularizer, bool) else trainable)
        if shape is None:
            shape = ()
        if name is None:
            name = f"weight_{len(self._weights)}"
        dt = np.dtype(dtype) if dtype is not None else np.dtype(  # See Note [float64 layers]
            np.float64 if self.dtype == "float64" and not self._dtype_policy else np.float32)
        init = _init.get(initializer if initializer is not None else
                         ("glorot_uniform" if dt.kind == "f" else "zeros"))
        shape = tuple(int(s) for s in shape)
        # a weight too large for memory is a ValueError naming it, before the initializer runs
        check_output_size(f"{type(self).__name__} {self.name!r}", f"weight {name!r}", shape, dt.itemsize)
        value = init(shape, dtype=dt)  # Keras 2 passes the dtype by keyword (tf.random.normal)
        # np.array(order="C"), not np.ascontiguousarray: that one turns a scalar () weight
        # (Attention's scale) into shape (1,)
        t = Tensor(np.array(value, dtype=dt, order="C"),
                   requires_grad=bool(trainable) and self._trainable and dt.kind == "f",
                   # TensorFlow's variable name: "dense/kernel:0" (See Note [weight names])
                   name=f"{_weight_scope.prefix(self)}/{name}:0")
        t._trainable = bool(trainable)  # Variable.trainable (autograd.Tensor.trainable)
        self._weights.append((name, t, bool(trainable)))
        _touch()
        if constraint is None:  # the layer's own <weight>_constraint argument, by Keras' names
            constraint = getattr(self, _CONSTRAINT_ATTR.get(name.rsplit("/", 1)[-1], ""), None)
        if constraint is not None:
            t._constraint = _constraints.get(constraint)
        if regularizer is not None:
            reg = _reg.get(regularizer)
            self.losses_fns.append(lambda t=t, r=reg: r(t))
        return t

    def add_variable(self, *args, **kwargs):
        """Keras 2's deprecated alias of ``add_weight`` (TF 2.0-era layers call it), with its
        warning."""
        warnings.warn("`layer.add_variable` is deprecated and will be removed in a future "
                      "version. Please use the `layer.add_weight()` method instead.",
                      stacklevel=2)
        return self.add_weight(*args, **kwargs)

    @property
    def weights(self):
        return [t for _, t, _ in self._all_weights()]

    def _all_weights(self):
        """[(name, Tensor, effectively trainable)] of this layer and its sublayers, each weight
        once (a shared layer's too). Cached until the structure changes (_VERSION)."""
        cached = self.__dict__.get("_weights_cache")
        if cached is not None and cached[0] == _VERSION[0]:
            return cached[1]
        out, seen = [], set()
        for n, t, tr in self._weights:
            seen.add(id(t))
            out.append((n, t, tr and self._trainable))
        for sub in self._sublayers():
            for n, t, tr in sub._all_weights():
                if id(t) not in seen:  # a shared layer's weights count once
                    seen.add(id(t))
                    out.append((n, t, tr and self._trainable))
        self.__dict__["_weights_cache"] = (_VERSION[0], out)
        return out

    @property
    def trainable_weights(self):
        return [t for _, t, tr in self._all_weights() if tr]

    @property
    def non_trainable_weights(self):
        return [t for _, t, tr in self._all_weights() if not tr]

    trainable_variables = trainable_weights
    non_trainable_variables = non_trainable_weights
    variables = weights

    def get_weights(self):
        return [t.numpy().copy() for t in self.weights]

    def set_weights(self, weights):
        mine = self.weights
        if len(weights) != len(mine):
            raise ValueError(f"{self.name}.set_weights: expected {len(mine)} arrays "
                             f"({[t.shape for t in mine]}), got {len(weights)}")
        for t, w in zip(mine, weights):
            w = np.asarray(getattr(w, "get", lambda: w)() if not isinstance(w, np.ndarray) and
                           hasattr(w, "get") else w)
            if tuple(w.shape) != t.shape:
                raise ValueError(f"{self.name}.set_weights: weight {t.name} has shape {t.shape}, "
                                 f"got an array of shape {tuple(w.shape)}")
            t.data[...] = array_module(t.data).asarray(w.astype(t.data.dtype))  # may be on a GPU

    def count_params(self):
        return int(sum(t.size for t in self.weights))
