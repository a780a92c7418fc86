"""UnitNormalization and GroupNormalization (tf_keras 2.11+'s keras/layers/normalization/
unit_normalization.py and group_normalization.py), compositions of differentiable ops.

UnitNormalization: x / sqrt(max(sum(x^2 over axis), 1e-12)) (tf.linalg.l2_normalize).
GroupNormalization: the channels on ``axis`` split into ``groups`` groups; each sample's
group is normalised by its mean and variance over the group's channels and every other
non-batch axis, then scaled by gamma and shifted by beta (one per channel): ops.group_norm,
on kernels (csrc/cpu/norm_group.cpp).
"""
from .. import initializers as _init
from .. import regularizers as _reg
from ..engine.base_layer import InputSpec, Layer
from ..ops import basic as B
from ..ops import normalization_group as N
from . import _args


class UnitNormalization(Layer):
    """Each sample scaled to unit L2 norm over ``axis`` (an int or a list of ints)."""
    supports_masking = True

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = [_args.axis("UnitNormalization", a) for a in axis]
        elif _args.is_int(axis):
            self.axis = int(axis)
        else:
            raise TypeError(f"UnitNormalization: axis must be an int or a list of ints, got "
                            f"{axis!r}")
        self._record(axis=self.axis)

    def build(self, input_shape):
        rank = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        if any(not -rank <= a < rank for a in axes):
            raise ValueError(f"{self.name}: axis {self.axis} is out of range for input "
                             f"{tuple(input_shape)}")
        self._axes = tuple(sorted(a % rank for a in axes))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def call(self, x, training=False, mask=None):
        sq = B.sum(x * x, axis=self._axes, keepdims=True)
        return x / B.sqrt(B.maximum(sq, 1e-12))


class GroupNormalization(Layer):
    """Keras 2 GroupNormalization(groups=32, axis=-1, epsilon=1e-3, ...): ``groups`` must
    divide the channels on ``axis``; weights gamma, beta of shape (channels,)."""
    supports_masking = True

    def __init__(self, groups=32, axis=-1, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones", beta_regularizer=None,
                 gamma_regularizer=None, beta_constraint=None, gamma_constraint=None, **kwargs):
        super().__init__(**kwargs)
        self._set_constraints(beta_constraint=beta_constraint, gamma_constraint=gamma_constraint)
        self.groups = _args.positive_int("GroupNormalization", "groups", groups)
        self.axis = _args.axis("GroupNormalization", axis)
        self.epsilon, self.center, self.scale = float(epsilon), bool(center), bool(scale)
        self.beta_initializer = _init.get(beta_initializer)
        self.gamma_initializer = _init.get(gamma_initializer)
        self.beta_regularizer = _reg.get(beta_regularizer)
        self.gamma_regularizer = _reg.get(gamma_regularizer)
        self._record(groups=self.groups, axis=self.axis, epsilon=self.epsilon,
                     center=self.center, scale=self.scale,
                     beta_initializer=self.beta_initializer,
                     gamma_initializer=self.gamma_initializer,
                     beta_regularizer=self.beta_regularizer,
                     gamma_regularizer=self.gamma_regularizer, beta_constraint=None,
                     gamma_constraint=None)

    def build(self, input_shape):
        rank = len(input_shape)
        if not -rank <= self.axis < rank or self.axis % rank == 0:
            raise ValueError(f"{self.name}: axis {self.axis} is out of range (or the batch "
                             f"axis) for input {tuple(input_shape)}")
        self._ax = self.axis % rank
        C = input_shape[self._ax]
        if C is None:
            raise ValueError(f"{self.name}: axis {self.axis} of input {tuple(input_shape)} "
                             "must have a known size")
        if C < self.groups:
            raise ValueError(f"{self.name}: number of groups ({self.groups}) cannot be more "
                             f"than the number of channels ({C})")
        if C % self.groups:
            raise ValueError(f"{self.name}: number of groups ({self.groups}) must be a "
                             f"multiple of the number of channels ({C})")
        self.input_spec = InputSpec(ndim=rank, axes={self._ax: C})
        self.gamma = (self.add_weight("gamma", (C,), self.gamma_initializer,
                                      self.gamma_regularizer) if self.scale else None)
        self.beta = (self.add_weight("beta", (C,), self.beta_initializer,
                                     self.beta_regularizer) if self.center else None)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def call(self, x, training=False, mask=None):
        return N.group_norm(x, self.gamma, self.beta, self.groups, self._ax, self.epsilon)
