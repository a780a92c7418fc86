"""Activation layers with parameters (Keras 2's keras/layers/advanced_activations.py):
LeakyReLU, ReLU, ELU, ThresholdedReLU, Softmax, PReLU (on the pointwise and softmax ops)."""
import numbers

import numpy as np

from .. import activations as _act
from .. import initializers as _init
from .. import regularizers as _reg
from ..autograd import Tensor
from ..engine.base_layer import InputSpec, Layer
from . import _args


def _num(layer, name, v):
    """float(v) for a real number; else a TypeError naming the layer and the argument."""
    if isinstance(v, (bool, str)) or not isinstance(v, numbers.Real):
        raise TypeError(f"{layer}: {name} must be a number, got {type(v).__name__} {v!r}")
    return float(v)


class LeakyReLU(Layer):
    supports_masking = True

    def __init__(self, alpha=0.3, **kwargs):
        super().__init__(**kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
            raise ValueError(f"LeakyReLU: alpha must be a float, got {alpha!r}")
        self.alpha = float(alpha)
        self._record(alpha=self.alpha)

    def call(self, x, training=False, mask=None):
        return _act.leaky_relu(x, alpha=self.alpha)


class ReLU(Layer):
    """Keras 2 ReLU: x above threshold, negative_slope * (x - threshold) below, capped at
    max_value (ops relu with alpha = negative_slope)."""
    supports_masking = True

    def __init__(self, max_value=None, negative_slope=0.0, threshold=0.0, **kwargs):
        super().__init__(**kwargs)
        if max_value is not None and max_value < 0:
            raise ValueError(f"ReLU: max_value must be >= 0 or None, got {max_value}")
        if negative_slope is None or negative_slope < 0:
            raise ValueError(f"ReLU: negative_slope must be >= 0, got {negative_slope}")
        if threshold is None or _num("ReLU", "threshold", threshold) < 0:
            raise ValueError(f"ReLU: threshold must be a number >= 0, got {threshold}")
        self.max_value = None if max_value is None else float(max_value)
        self.negative_slope, self.threshold = float(negative_slope), float(threshold)
        self._record(max_value=self.max_value, negative_slope=self.negative_slope,
                     threshold=self.threshold)

    def call(self, x, training=False, mask=None):
        return _act.relu(x, alpha=self.negative_slope, max_value=self.max_value,
                         threshold=self.threshold)

    def _is_plain_relu(self):
        """See Note [inference fusion] in engine/inference_fusion.py."""
        return (type(self).call is ReLU.call and self.max_value is None
                and self.negative_slope == 0.0 and self.threshold == 0.0)


class ELU(Layer):
    supports_masking = True

    def __init__(self, alpha=1.0, **kwargs):
        super().__init__(**kwargs)
        if alpha is None:
            raise ValueError("ELU: alpha must be a number, got None")
        self.alpha = _num("ELU", "alpha", alpha)
        self._record(alpha=self.alpha)

    def call(self, x, training=False, mask=None):
        return _act.elu(x, alpha=self.alpha)


class ThresholdedReLU(Layer):
    """x where x > theta, else 0."""
    supports_masking = True

    def __init__(self, theta=1.0, **kwargs):
        super().__init__(**kwargs)
        if theta is None or theta < 0:
            raise ValueError(f"ThresholdedReLU: theta must be >= 0, got {theta}")
        self.theta = float(theta)
        self._record(theta=self.theta)

    def call(self, x, training=False, mask=None):
        return _act.relu(x, threshold=self.theta)


class Softmax(Layer):
    """Softmax along ``axis``; a mask of the input's shape (1 keep, 0 drop) adds -1e9 to the
    dropped logits first, as Keras 2 does."""
    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        kwargs.pop("robust_masking", None)
        super().__init__(**kwargs)
        if not (_args.is_int(axis) or isinstance(axis, (list, tuple)) and all(
                _args.is_int(a) for a in axis)):
            raise TypeError(f"Softmax: axis must be an int or a list of ints, got {axis!r}")
        self.axis = int(axis) if _args.is_int(axis) else tuple(int(a) for a in axis)
        if not isinstance(self.axis, int):
            if len(self.axis) != 1:
                raise NotImplementedError(f"Softmax: only one axis is supported, got {axis!r}")
            self.axis = self.axis[0]
        self._record(axis=self.axis)
        self.input_spec = InputSpec(min_ndim=2)  # not over the batch axis (Keras 2 refuses 1-D)

    def call(self, x, training=False, mask=None):
        if mask is not None:
            m = mask.data if isinstance(mask, Tensor) else mask
            if getattr(m, "ndim", 0) == x.ndim:
                x = x + (1.0 - m.astype(np.float32)) * np.float32(-1e9)
        return _act.softmax(x, axis=self.axis)


class PReLU(Layer):
    """max(0, x) + alpha * min(0, x), alpha learned per element of input_shape[1:], shared
    (size 1) along ``shared_axes`` (1-based, e.g. [1, 2] for one alpha per channel of an image)."""

    def __init__(self, alpha_initializer="zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self._set_constraints(alpha_constraint=alpha_constraint)
        self.alpha_initializer = _init.get(alpha_initializer)
        self.alpha_regularizer = _reg.get(alpha_regularizer)
        if shared_axes is None:
            self.shared_axes = None
        elif isinstance(shared_axes, int):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = [int(a) for a in shared_axes]
        self._record(alpha_initializer=self.alpha_initializer,
                     alpha_regularizer=self.alpha_regularizer, shared_axes=self.shared_axes)

    def build(self, input_shape):
        shape = list(input_shape[1:])
        for a in self.shared_axes or []:
            if not 1 <= a < len(input_shape):
                raise ValueError(f"{self.name}: shared_axes {self.shared_axes} out of range for "
                                 f"input {tuple(input_shape)}")
            shape[a - 1] = 1
        if any(s is None for s in shape):
            raise ValueError(f"{self.name}: every non-shared axis must be known, got {tuple(input_shape)}")
        self.alpha = self.add_weight("alpha", shape, self.alpha_initializer, self.alpha_regularizer)

    def call(self, x, training=False, mask=None):
        pos = _act.relu(x)
        return pos + self.alpha * (x - pos)
