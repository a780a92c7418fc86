"""Keras 2's Discretization layer (keras/layers/preprocessing/discretization.py): numbers to the
index of the bin they fall in, ``bin_boundaries[i-1] <= x < bin_boundaries[i]`` (TensorFlow's
Bucketize: below the first boundary is bin 0, at or above the last is ``len(boundaries)``).

``adapt`` learns ``num_bins - 1`` boundaries by Keras 2's approximate quantiles, reproduced step
for step so the boundaries are Keras 2's own, not just within its error bound: every batch (32
rows of an array, or a Dataset's batches) is flattened, sorted in float32 and summarised by every
``int(n / (1/epsilon))``-th value with that stride as its weight; the summary is merged with the
running one (sorted by value) and, once it holds at least ``1/epsilon`` points, compressed to the
``epsilon, 2 epsilon, ..., 1`` quantiles of its cumulative weights by linear interpolation (in
float64, stored as float32). The boundaries are the same compression at ``1/num_bins`` steps,
less the last point. The state lives in Python, not in a ``summary`` weight as in Keras 2;
an adapted layer saves its boundaries in its config (get_config).
"""
import numpy as np

from ..autograd import Tensor
from .preprocessing_base import PreprocessingLayer
from .preprocessing_lookup import COUNT, INT, MULTI_HOT, ONE_HOT, _output_mode, encode_categorical


def summarize(values, epsilon):
    """A batch as a (2, k) float32 summary: sorted sample values and their weights."""
    values = np.sort(np.asarray(values, np.float32).reshape(-1))
    increment = int(np.float32(values.size) / np.float32(1.0 / epsilon))
    step = max(increment, 1)
    points = values[increment::step]
    return np.stack([points, np.full(points.shape, step, np.float32)])


def compress(summary, epsilon):
    """A summary interpolated down to its ``epsilon``-spaced cumulative-weight quantiles."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_percents = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_percents, summary[0])
    cum_weights = np.interp(percents, cum_percents, cum_weights)
    new_weights = cum_weights - np.concatenate(([0.0], cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype(np.float32)


def merge_summaries(first, second, epsilon):
    """Two summaries in one, sorted by value (the batch's first, as Keras 2 concatenates)."""
    merged = np.concatenate((first, second), axis=1)
    return compress(merged[:, np.argsort(merged[0], kind="stable")], epsilon)


class Discretization(PreprocessingLayer):
    """Keras 2 Discretization(bin_boundaries=None, num_bins=None, epsilon=0.01,
    output_mode='int', sparse=False)."""

    _keeps_input_dtype = True

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int",
                 sparse=False, **kwargs):
        if "bins" in kwargs:  # Keras 2's deprecated spelling of either argument
            bins = kwargs.pop("bins")
            if isinstance(bins, (int, np.integer)) and num_bins is None:
                num_bins = int(bins)
            elif bin_boundaries is None:
                bin_boundaries = bins
        mode = _output_mode("Discretization", output_mode, (INT, ONE_HOT, MULTI_HOT, COUNT))
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if mode == INT else "float32"
        elif mode == INT and np.dtype(kwargs["dtype"]).kind not in "iu":
            kwargs["dtype"] = "int64"
        super().__init__(**kwargs)
        if sparse:
            raise ValueError("Discretization: sparse=True (tf.SparseTensor output) is not "
                             "supported")
        if num_bins is not None and num_bins < 0:
            raise ValueError(f"Discretization: num_bins must be greater than or equal to 0, "
                             f"got num_bins={num_bins}")
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(f"Discretization: both num_bins and bin_boundaries should not be "
                             f"set, got num_bins={num_bins} and "
                             f"bin_boundaries={bin_boundaries}")
        if not 0 < float(epsilon) < 1:
            raise ValueError(f"Discretization: epsilon must be in (0, 1), got {epsilon}")
        if bin_boundaries is not None:
            bin_boundaries = [float(b) for b in np.asarray(
                getattr(bin_boundaries, "data", bin_boundaries), np.float64).reshape(-1)]
            if any(b > a for b, a in zip(bin_boundaries, bin_boundaries[1:])):
                raise ValueError(f"Discretization: bin_boundaries must be sorted, got "
                                 f"{bin_boundaries}")
        self.input_bin_boundaries = bin_boundaries
        self.bin_boundaries = list(bin_boundaries) if bin_boundaries is not None else []
        self.num_bins, self.epsilon = num_bins, epsilon
        self.output_mode, self.sparse = mode, False
        self._summary = np.zeros((2, 0), np.float32)
        self._record(bin_boundaries=bin_boundaries, num_bins=num_bins, epsilon=epsilon,
                     output_mode=mode, sparse=False)

    # ---- adapt -----------------------------------------------------------------------------
    def reset_state(self):
        self._summary = np.zeros((2, 0), np.float32)

    def update_state(self, data):
        if self.input_bin_boundaries is not None:
            raise ValueError("Discretization: cannot adapt a layer initialized with "
                             "bin_boundaries, use num_bins instead; got "
                             f"bin_boundaries={self.input_bin_boundaries}")
        if self.num_bins is None:
            raise ValueError("Discretization: adapt needs num_bins")
        a = np.asarray(data)
        if a.dtype.kind not in "iufb":
            raise TypeError(f"Discretization: expected numeric inputs, got dtype {a.dtype}")
        self._summary = merge_summaries(summarize(a, self.epsilon), self._summary,
                                        self.epsilon)

    def finalize_state(self):
        if self.input_bin_boundaries is not None:
            return
        self.bin_boundaries = [float(b) for b in
                               compress(self._summary, 1.0 / self.num_bins)[0, :-1]]

    def get_config(self):
        """Keras 2 keeps adapted boundaries in a ``summary`` weight; here an adapted layer's
        config carries the learned boundaries as ``bin_boundaries`` (``num_bins`` None), so a
        saved and reloaded model buckets exactly as before (tf_keras loads that config too). The
        reloaded layer refuses a new ``adapt``, with an error saying so."""
        config = super().get_config()
        if self.input_bin_boundaries is None and self.bin_boundaries:
            config.update(bin_boundaries=list(self.bin_boundaries), num_bins=None)
        return config

    # ---- call ------------------------------------------------------------------------------
    def call(self, inputs, training=False, mask=None):
        a = np.asarray(inputs.numpy() if isinstance(inputs, Tensor) else inputs)
        if a.dtype.kind not in "iufb":
            raise TypeError(f"Discretization: expected numeric inputs, got dtype {a.dtype} "
                            f"(shape {a.shape})")
        # Bucketize compares in the input's precision against float32 boundaries
        bounds = np.asarray(self.bin_boundaries, np.float32)
        idx = np.searchsorted(bounds, a, side="right").astype(np.int64)
        if self.output_mode == INT:
            return Tensor(idx.astype(np.dtype(self.dtype)))
        return Tensor(encode_categorical("Discretization", idx, self.output_mode,
                                         len(self.bin_boundaries) + 1))

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        if self.output_mode == INT:
            return shape
        depth = len(self.bin_boundaries) + 1
        if not shape:
            return (depth,)
        if self.output_mode == ONE_HOT and shape[-1] != 1:
            return shape + (depth,)
        return shape[:-1] + (depth,)
