"""How Model's fit / evaluate / predict / *_on_batch take their data (Keras 2's
standardize_input_data): inputs as a list of arrays per model input, conformed to the inputs'
ranks, the model built for them on first use; targets checked against each output. Model
(training.py) takes these methods from InputsMixin.
"""
import numpy as np

from .. import _device
from .._text import as_bytes_array, is_text
from ..backend_config import floatx
from .. import losses as _losses
from .. import metrics as _metrics
from ..autograd import Tensor, no_grad
from ..tf_ragged import RaggedTensor
from .base_layer import _shape_str
from .ragged_inputs import to_padded
from ..symbolic.node import flatten
from .training_compile import _compiled_metric


class InputsMixin:
    """Model's argument handling of x and y."""

    def _as_array(self, a, where, what):
        if isinstance(a, Tensor):
            a = a.data if _device.is_device_array(a.data) else a.numpy()
        if not _device.is_device_array(a):
            try:
                a = np.asarray(a)
            except ValueError as e:  # nested lists of different lengths
                raise ValueError(f"{where}: {what} must be a rectangular array (one shape for "
                                 f"every sample), got ragged nested lists: {e}") from None
        if a.dtype == object:
            _refuse_object_numbers(a, where, what)
        if is_text(a):  # string data reaches the layers that read it (StringLookup) as bytes
            a = as_bytes_array(a, f"{where}: {what}")
        elif a.dtype.kind not in "fiub":
            raise TypeError(f"{where}: {what} must be a numeric array, got dtype {a.dtype}")
        if a.ndim == 0 or a.shape[0] == 0:
            raise ValueError(f"{where}: {what} must be a non-empty array with a batch axis, got "
                             f"shape {a.shape}")
        return a

    def _standardize_x(self, x, where):
        """The inputs as a list of arrays, one per model input, shapes checked: float32, or the
        integer dtype of an integer Input (a subclassed model: integer data as given)."""
        if x is None:
            raise ValueError(f"{where}: x is required")
        if self._is_graph_network:
            names = self.input_names
            if isinstance(x, dict):
                missing = [n for n in names if n not in x]
                if missing:
                    unknown = [k for k in x if k not in names]
                    raise ValueError(f"{where}: no data provided for input(s) {missing}; the dict "
                                     f"must have keys {names}, got keys {list(x)}" + (
                                         f" ({unknown} name no input)" if unknown else ""))
                xs = [x[n] for n in names]
            else:
                xs = _input_list(x, len(names))
            if len(xs) != len(names):
                raise ValueError(f"{where}: the model expects {len(names)} input arrays "
                                 f"({names}), but received {len(xs)}")
        elif isinstance(x, dict):  # a subclassed model's call takes the dict (Keras 2)
            xs = list(x.values())
        else:
            xs = _input_list(x, None)
        out = []
        for i, a in enumerate(xs):
            known = self._is_graph_network and i < len(self.inputs)
            if isinstance(a, RaggedTensor):  # an Input(ragged=True)'s rows, padded (See Note
                a = to_padded(a, where, self.inputs[i] if known else None)  # [ragged inputs])
            a = self._as_array(a, where, "x" if len(xs) == 1 else f"x[{i}]")
            if a.dtype == object and known and self.inputs[i].dtype != object:
                raise TypeError(f"{where}: {'x' if len(xs) == 1 else f'x[{i}]'} must be a "
                                f"numeric array for input {self.input_names[i]!r} of dtype "
                                f"{self.inputs[i].dtype.name}, got strings (only an "
                                'Input(dtype="string") takes text)')
            want = self.inputs[i].dtype if known else None
            if want is not None and want.kind in "iub" and a.dtype != object:
                if a.dtype != want:  # an integer Input gets ids of its dtype, as Keras 2 casts
                    a = a.astype(want)  # them (network._conform_dtype: the same for model(x))
            elif not self._is_graph_network and a.dtype.kind in "iub":
                pass  # a subclassed model's call() gets integer data as is, as from model(x)
            elif a.dtype != object:
                fx = _floatx()  # Keras' floatx, once at the boundary (a float64 Input then
                if a.dtype != fx:  # gets floatx's values: as Keras 2's data adapter casts)
                    a = a.astype(fx)
            out.append(a)
        n = out[0].shape[0]
        for i, a in enumerate(out):
            if a.shape[0] != n:
                raise ValueError(f"{where}: all input arrays must have the same number of "
                                 f"samples, got {[b.shape[0] for b in out]}")
        if not self._is_graph_network:
            self._subclass_in_struct = x if isinstance(x, (list, tuple, dict)) else None
        self._ensure_built(out, where)
        if self._is_graph_network:
            out = [_conform_rank(a, t.shape) for a, t in zip(out, self.inputs)]
            for i, (t, a) in enumerate(zip(self.inputs, out)):
                want, got = t.shape[1:], a.shape[1:]
                if len(want) != len(got) or any(w is not None and w != g for w, g in zip(want, got)):
                    name = f" {self.input_names[i]!r}" if len(self.inputs) > 1 else ""
                    raise ValueError(f"{where}: expected input{name} of shape "
                                     f"{_shape_str(t.shape)} (each sample {_shape_str(want)}), "
                                     f"but got an array with shape {a.shape}")
        return out

    def _ensure_built(self, xs, where):
        """A subclassed model creates its weights on its first call: run it once on a sample."""
        if self._is_graph_network:
            return
        if self.output_shape_ is None:
            with no_grad():
                y = self(self._pack_inputs([Tensor(a[:1]) for a in xs]), training=False)
            ys = flatten(y)
            shapes = [(None,) + t.shape[1:] for t in ys]
            self.input_shape_ = [(None,) + a.shape[1:] for a in xs] if len(xs) > 1 else (
                (None,) + xs[0].shape[1:])
            self.output_shape_ = shapes[0] if not isinstance(y, (list, tuple)) else shapes
        if self._compiled and self._out_specs is None:
            self._resolve_outputs()

    def _pack_inputs(self, ts):
        if self._is_graph_network:
            return ts
        s = getattr(self, "_subclass_in_struct", None)
        if isinstance(s, dict):
            return dict(zip(s, ts))
        return ts[0] if s is None and len(ts) == 1 else list(ts)

    def _standardize_y(self, y, n, where):
        """The targets as a list with one entry per output (None where the output has no loss)."""
        specs = self._out_specs
        names = [sp.name for sp in specs]
        need = [sp.loss_fn is not None for sp in specs]
        if y is None:
            if any(need):
                raise ValueError(f"{where}: y is required (the model has a compiled loss)")
            return [None] * len(specs)
        if isinstance(y, dict):
            ys = [y.get(nm) for nm in names]
        elif len(specs) > 1:
            ys = list(y) if isinstance(y, (list, tuple)) else [y]
        elif isinstance(y, (list, tuple)) and len(y) == 1 and hasattr(y[0], "shape"):
            ys = [y[0]]
        else:
            ys = [y]
        if len(ys) < len(specs) and not any(need[len(ys):]):
            # Keras 2 pairs the targets with the outputs in order (zip): outputs past the last
            # target train nothing, which is right only when they have no loss (loss=[fn, None])
            ys = ys + [None] * (len(specs) - len(ys))
        if len(ys) != len(specs):
            raise ValueError(f"{where}: the model has {len(specs)} outputs ({names}), but "
                             f"received {len(ys)} target arrays")
        shapes = self._output_shapes()
        if not self.__dict__.get("_metric_targets_bound"):
            self._bind_metric_targets(ys, shapes)
        return [self._check_target(a, n, shapes[i], sp, where) if a is not None and need[i] else None
                for i, (a, sp) in enumerate(zip(ys, specs))]

    def _bind_metric_targets(self, ys, shapes):
        """Choose 'accuracy' / 'crossentropy' by the first targets' shapes, as tf_keras does on
        its first batch (metrics.resolve); until then the choice made at compile stands."""
        for i, (y, sp) in enumerate(zip(ys, self._out_specs)):
            if y is None:
                continue
            target = tuple(np.shape(y))  # (reads .shape; a nested list is converted)
            loss = sp.loss if sp.loss is not None else "mse"

            def rebind(specs, fns):
                return [(nm, _compiled_metric(*_metrics.resolve(mm, loss, shapes[i], target))[1])
                        if isinstance(mm, str) and mm in _metrics._SHAPE_CHOSEN else (nm, fn)
                        for mm, (nm, fn) in zip(specs, fns)]
            sp.metric_fns = rebind(sp.metric_specs, sp.metric_fns)
            sp.weighted_fns = rebind(sp.weighted_specs, sp.weighted_fns)
        self.__dict__["_metric_targets_bound"] = True

    def _check_target(self, y, n, out, spec, where):
        y = self._as_array(y, where, "y")
        if y.shape[0] != n:
            raise ValueError(f"{where}: x and y must have the same number of samples, got "
                             f"{n} inputs and {y.shape[0]} targets")
        fn = spec.loss_fn
        if y.dtype.kind not in "fiub":  # text targets: no built-in loss reads them
            raise TypeError(f"{where}: y for output {spec.name!r} must be numeric for the loss "
                            f"{getattr(fn, '__name__', fn)}, got dtype {y.dtype}")
        if fn is _losses.sparse_categorical_crossentropy:
            lead = (n,) + tuple(out[1:-1])  # (N,) or, for a sequence output, (N, T)
            if y.ndim in (len(lead), len(lead) + 1):  # a None (variable) axis takes y's length
                lead = tuple(y.shape[i] if d is None else d for i, d in enumerate(lead))
            if y.shape != lead and y.shape != lead + (1,) and not (
                    len(lead) == 1 and y.size == n):
                raise ValueError(f"{where}: sparse_categorical_crossentropy expects integer labels "
                                 f"of shape {_shape_str(lead)}, got {y.shape}")
            y = y.reshape(lead).astype(np.int64)
            if out[-1] is not None and (y.min() < 0 or y.max() >= out[-1]):
                raise ValueError(f"{where}: labels must lie in [0, {out[-1]}), got range "
                                 f"[{y.min()}, {y.max()}]")
            return y
        if fn is _losses.categorical_crossentropy and y.ndim == 1 and out[-1] and out[-1] > 1:
            raise ValueError(f"{where}: categorical_crossentropy expects one-hot targets of shape "
                             f"({n}, {out[-1]}), got integer labels of shape {y.shape}; use "
                             "utils.to_categorical(y) or loss='sparse_categorical_crossentropy'")
        if (y.ndim == len(out) - 1 and out[-1] == 1) or (y.ndim == 1 and len(out) == 2):
            y = y.reshape(y.shape + (1,))  # Keras 2's match_dtype_and_rank: (N,) -> (N, 1)
        builtin = fn in _losses._BY_NAME.values()
        if builtin and y.shape[1:] != tuple(out[1:]) and None not in out[1:] and not (
                fn is not _losses.categorical_crossentropy and _broadcasts(y.shape[1:], out[1:])):
            raise ValueError(f"{where}: a target array with shape {y.shape} was passed for an output "
                             f"of shape {_shape_str(out)}; targets must match the output")
        if builtin and y.shape[1:] != tuple(out[1:]) and None not in out[1:] and \
                _broadcasts(y.shape[1:], out[1:]):  # an elementwise loss broadcasts, as Keras 2's
            y = np.broadcast_to(y, y.shape[:1] + tuple(out[1:]))
        return np.ascontiguousarray(y, dtype=_floatx())  # (the loss casts to the output's)


def _floatx():
    return np.float64 if floatx() == "float64" else np.float32


def _broadcasts(target, out):
    """Whether per-sample targets of shape ``target`` broadcast against outputs of shape
    ``out`` (both without the batch axis): Keras 2's elementwise losses take such targets (a
    label per sequence against a per-step output: mse of (N, 1, 1) and (N, T, 1)); its
    categorical crossentropy alone asserts equal shapes."""
    return len(target) == len(out) and all(t in (1, o) for t, o in zip(target, out))


def _is_array(a):
    return hasattr(a, "shape") and hasattr(a, "dtype")


def _conform_rank(a, shape):
    """Keras 2's Functional._conform_to_reference_input: an array one axis short of an input
    whose last axis is 1 gains that axis ((N, 28, 28) for Input((28, 28, 1))); one with an
    extra trailing unit axis loses it."""
    if a.ndim == len(shape) - 1 and shape[-1] == 1:
        return a[..., None]
    if a.ndim == len(shape) + 1 and a.shape[-1] == 1:
        return a[..., 0]
    return a


def _input_list(x, n):
    """x as a list of per-input arrays: a list/tuple of arrays is one array per input; a nested
    Python list of numbers (``[[0, 1], [1, 0]]``) is one array, as Keras 2 takes it."""
    if isinstance(x, (list, tuple)) and x and all(_is_array(a) for a in x):
        if n == 1 and len(x) != 1 and all(np.ndim(a) == 0 for a in x):
            return [np.asarray(x)]
        return list(x)
    return [x]


def _refuse_object_numbers(a, where, what):
    """An object array holding numbers (a DataFrame's ``.values`` over float and bool columns:
    pandas 2's get_dummies) is no tensor in Keras 2 either: TensorFlow refuses it with a
    ValueError ("Failed to convert a NumPy array to a Tensor (Unsupported object type
    float)"). Text (str / bytes, the layers that read strings) passes."""
    for v in a.reshape(-1):
        if not isinstance(v, (str, bytes, np.str_, np.bytes_)):
            kinds = sorted({type(u).__name__ for u in a.reshape(-1)})
            raise ValueError(
                f"{where}: {what} is an object array of shape {a.shape} holding "
                f"{'/'.join(kinds)} values; Keras 2 cannot convert it to a tensor (Unsupported "
                f"object type {type(v).__name__}): convert it to a numeric dtype first, e.g. "
                f"x.astype('float32') (pandas 2's get_dummies columns are bool)")
