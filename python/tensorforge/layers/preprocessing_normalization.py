"""Keras 2's Normalization preprocessing layer (keras/layers/preprocessing/normalization.py):
``(x - mean) / max(sqrt(variance), epsilon)`` per feature along ``axis``, the statistics given
(``mean=``, ``variance=``) or learned by ``adapt``. Adapted, it holds three non-trainable
weights as Keras 2 does, in its order: ``mean`` and ``variance`` (the kept axes' shape) and
``count`` (int64, the samples seen); ``invert=True`` maps back.
"""
import numpy as np

from .. import backend as _backend
from ..engine.base_layer import InputSpec
from ..ops import basic as B
from .preprocessing_base import PreprocessingLayer


class Normalization(PreprocessingLayer):
    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, (int, np.integer)):
            axis = (int(axis),)
        else:
            try:
                axis = tuple(int(a) for a in axis)
            except (TypeError, ValueError):
                raise TypeError(f"Normalization: axis must be an int, a tuple of ints or None, "
                                f"got {axis!r}") from None
        if 0 in axis:
            raise ValueError("Normalization: axis may not contain the batch axis 0, got "
                             f"{axis}")
        if (mean is None) != (variance is None):
            raise ValueError("Normalization: when setting values directly, both mean and "
                             f"variance must be set, got mean={mean!r} variance={variance!r}")
        self.axis = axis
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)
        self._record(axis=list(axis) if len(axis) != 1 else axis[0], invert=self.invert,
                     mean=None if mean is None else np.asarray(mean).tolist(),
                     variance=None if variance is None else np.asarray(variance).tolist())

    def build(self, input_shape):
        shape = list(input_shape)
        ndim = len(shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f"Normalization: all axis values must be in [-{ndim}, {ndim}) for "
                             f"input shape {tuple(shape)}, got axis={self.axis}")
        self._keep_axis = sorted(a % ndim for a in self.axis)
        for d in self._keep_axis:
            if shape[d] is None:
                raise ValueError(f"Normalization: the kept axis {d} must have a known size, got "
                                 f"input shape {tuple(shape)}")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        # the statistics' axes keep their sizes at every later call (a graph reusing the layer)
        if self._keep_axis:
            self.input_spec = InputSpec(ndim=ndim, axes={d: shape[d] for d in self._keep_axis})
        self._broadcast_shape = tuple(shape[d] if d in self._keep_axis else 1 for d in range(ndim))
        stat_shape = tuple(shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(name="mean", shape=stat_shape, dtype="float32",
                                              initializer="zeros", trainable=False)
            self.adapt_variance = self.add_weight(name="variance", shape=stat_shape,
                                                  dtype="float32", initializer="ones",
                                                  trainable=False)
            self.count = self.add_weight(name="count", shape=(), dtype="int64",
                                         initializer="zeros", trainable=False)
        else:
            ones = np.ones(stat_shape)
            self._const_mean = (np.asarray(self.input_mean) * ones).reshape(
                self._broadcast_shape).astype(np.float32)
            self._const_var = (np.asarray(self.input_variance) * ones).reshape(
                self._broadcast_shape).astype(np.float32)
        self.built = True

    # ---- adapt -----------------------------------------------------------------------------
    def reset_state(self):
        self._n, self._mean, self._m2 = 0, None, None

    def update_state(self, data):
        if self.input_mean is not None:
            raise ValueError("Normalization: adapt cannot be used when mean and variance were "
                             "given to the constructor")
        a = np.asarray(data, dtype=np.float64)
        if not self.built:
            self.build((None,) + a.shape[1:])
            if self.batch_input_shape is None:
                # Keras 2's _adapt_maybe_build: an adapted layer declares its input's rank, so
                # a Sequential opening with it is built at once (the TF regression tutorial's
                # dnn_model.summary() right after Sequential([normalizer, ...])); here with the
                # data's feature sizes, which the kept axes need
                self.batch_input_shape = (None,) + a.shape[1:]
        if a.ndim != len(self._broadcast_shape) or any(
                a.shape[d] != self._broadcast_shape[d] for d in self._keep_axis):
            raise ValueError(f"Normalization.adapt: data of shape {a.shape} does not match the "
                             f"layer's input shape (kept axes {self._keep_axis} of size "
                             f"{[self._broadcast_shape[d] for d in self._keep_axis]})")
        n = int(np.prod([a.shape[d] for d in self._reduce_axis], dtype=np.int64))
        mean = a.mean(axis=self._reduce_axis)
        m2 = ((a - a.mean(axis=self._reduce_axis, keepdims=True)) ** 2).sum(axis=self._reduce_axis)
        if self._mean is None:
            self._n, self._mean, self._m2 = n, mean, m2
            return
        tot = self._n + n  # Chan et al.'s pairwise update: exact mean and variance over batches
        delta = mean - self._mean
        self._mean = self._mean + delta * n / tot
        self._m2 = self._m2 + m2 + delta ** 2 * self._n * n / tot
        self._n = tot

    def finalize_state(self):
        if self._mean is None:
            return
        self.adapt_mean.data[...] = self._mean.astype(np.float32)
        self.adapt_variance.data[...] = (self._m2 / self._n).astype(np.float32)
        self.count.data[...] = np.int64(self._n)

    # ---- call ------------------------------------------------------------------------------
    def _stats(self):
        if self.input_mean is not None:
            return self._const_mean, self._const_var
        return (np.asarray(self.adapt_mean.numpy()).reshape(self._broadcast_shape),
                np.asarray(self.adapt_variance.numpy()).reshape(self._broadcast_shape))

    # Keras 2 sets ``layer.mean`` / ``layer.variance`` when the layer is built (and again after
    # each adapt): the statistics as float32 tensors in the broadcast shape, e.g. (1, F)
    @property
    def mean(self):
        return self._stat_tensor(0, "mean")

    @property
    def variance(self):
        return self._stat_tensor(1, "variance")

    def _stat_tensor(self, i, name):
        if not self.built:
            raise AttributeError(f"'Normalization' object has no attribute '{name}' (it is set "
                                 "when the layer is built or adapted)")
        from ..autograd import Tensor
        return Tensor(np.asarray(self._stats()[i], dtype=np.float32))

    def call(self, inputs, training=False, mask=None):
        mean, var = self._stats()
        scale = np.maximum(np.sqrt(var), np.float32(_backend.epsilon())).astype(np.float32)
        if self.invert:
            return B.add(B.mul(inputs, scale), mean)
        return B.div(B.sub(inputs, mean), scale)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)
