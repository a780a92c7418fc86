"""Core layers (Keras 2's keras/layers/core.py): Dense, Activation, Dropout, Flatten, Reshape,
Lambda.
Dense runs ops.gemm with bias and relu fused into the GEMM epilogue; Dropout runs ops.dropout
(counter-based RNG seeded from tensorforge._random)."""
import numpy as np

from .. import _random
from .. import activations as _act
from .. import backend as _backend
from .. import initializers as _init
from .. import ops as _ops
from .. import regularizers as _reg
from .._xp import array_module
from ..autograd import Tensor as _Tensor
from ..engine.base_layer import InputSpec, Layer, _infer_by_running
from ..ops import basic as B
from ..ops.gemm import _Dense
from ..ops.losses_ops import _Dropout
from . import _args, _lambda_code


class Dense(Layer):
    """y = activation(x @ kernel + bias); kernel (in, units). On (B, T, F) input acts per step."""

    def __init__(self, units, activation=None, use_bias=True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._set_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.units = _args.positive_int("Dense", "units", _args.int_units(units), minimum=0)
        self.activation = _act.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        self._record(units=self.units, activation=self.activation, use_bias=self.use_bias,
                     kernel_initializer=self.kernel_initializer,
                     bias_initializer=self.bias_initializer,
                     kernel_regularizer=self.kernel_regularizer,
                     bias_regularizer=self.bias_regularizer, activity_regularizer=None,
                     kernel_constraint=None, bias_constraint=None)

    def build(self, input_shape):
        if input_shape[-1] is None:
            raise ValueError(f"{self.name}: the last input dimension must be known, got {input_shape}")
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_shape[-1]})
        self.kernel = self.add_weight("kernel", (input_shape[-1], self.units),
                                      self.kernel_initializer, self.kernel_regularizer)
        self.bias = (self.add_weight("bias", (self.units,), self.bias_initializer,
                                     self.bias_regularizer) if self.use_bias else None)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.units,)

    def call(self, x, training=False, mask=None, logits=False):
        if not self.units:  # tf_keras's Dense(0): a zero-unit layer, outputs with no values
            return B.getitem(x, (Ellipsis, slice(0, 0)))
        act = self.activation
        kernel = self.kernel
        if type(x) is _Tensor and type(kernel) is _Tensor and x.data.ndim == 2 and \
                x.data.shape[1] == kernel.data.shape[0]:  # the training step's case, one node
            y = _Dense.apply(x, kernel, self.bias,  # ops.gemm.dense, one frame less
                             "relu" if act is _act.relu and not logits else None)
            return y if logits or act is _act.relu or act is _act.linear else act(y)
        if x.shape[-1] != self.kernel.shape[0]:
            raise ValueError(f"{self.name}: expected input with last dimension "
                             f"{self.kernel.shape[0]}, got shape {x.shape}")
        act = self.activation
        fuse_relu = act is _act.relu and not logits
        if x.ndim == 2:
            y = _ops.gemm(x, self.kernel, bias=self.bias, activation="relu" if fuse_relu else None)
        else:
            lead = x.shape[:-1]
            y = _ops.gemm(B.reshape(x, (-1, x.shape[-1])), self.kernel, bias=self.bias,
                          activation="relu" if fuse_relu else None)
            y = B.reshape(y, lead + (self.units,))
        if fuse_relu or logits or act is _act.linear:
            return y
        return act(y)

    def compute_mask(self, inputs, mask=None):
        return mask


class Activation(Layer):
    supports_masking = True

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = _act.get(activation)
        self._record(activation=self.activation)

    def call(self, x, training=False, mask=None, logits=False):
        return x if logits else self.activation(x)

    def _is_plain_relu(self):
        """See Note [inference fusion] in engine/inference_fusion.py."""
        return type(self).call is Activation.call and self.activation is _act.relu


class Identity(Layer):
    """Keras 2.9+'s Identity: returns its input unchanged (a placeholder layer)."""
    supports_masking = True

    def call(self, x, training=False, mask=None):
        return x

    def compute_output_shape(self, input_shape):
        return input_shape


class Dropout(Layer):
    """Inverted dropout during fit(); identity in predict/evaluate."""
    supports_masking = True

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        rate = _args.rate(type(self).__name__, "rate", rate)
        if noise_shape is not None:
            if isinstance(noise_shape, (int, np.integer)) or not all(
                    d is None or isinstance(d, (int, np.integer)) and d > 0 for d in noise_shape):
                raise ValueError(f"{type(self).__name__}: noise_shape must be a tuple of positive "
                                 f"ints or None, got {noise_shape!r}")
            noise_shape = tuple(None if d is None else int(d) for d in noise_shape)
        self.rate, self.seed, self.noise_shape = float(rate), seed, noise_shape
        self._record(rate=self.rate, noise_shape=noise_shape, seed=seed)

    def _resolved_noise_shape(self, shape):
        """Keras 2: noise_shape's None entries take the input's sizes; every other entry is 1
        (the mask is shared along that axis) or the input's size."""
        ns = self.noise_shape
        if len(ns) != len(shape) or any(d is not None and d != 1 and d != s
                                        for d, s in zip(ns, shape)):
            raise ValueError(f"{self.name}: noise_shape {ns} does not broadcast to the input's "
                             f"shape {tuple(shape)}")
        return tuple(s if d is None else d for d, s in zip(ns, shape))

    def call(self, x, training=False, mask=None):
        rate = self.rate
        if not training or rate == 0:
            return x
        if self.noise_shape is not None:
            return x * _keep_mask(x, rate, self._resolved_noise_shape(x.shape))
        if type(x) is _Tensor and type(rate) is float and 0.0 < rate < 1.0:
            return _Dropout.apply(x, rate, _random.next_seed())  # ops.dropout without its checks
        return _ops.dropout(x, rate, training=True, seed=_random.next_seed())


class Flatten(Layer):
    """(batch, ...) -> (batch, prod(...)). channels_first input (explicit, or the backend's
    image_data_format) is moved to channels_last first, as Keras 2 does, so the flattened
    order (and a following Dense's weights) is the same in both formats."""

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = data_format or _backend.image_data_format()
        self._record(data_format=self.data_format)

    def compute_output_shape(self, input_shape):
        n = 1
        for s in input_shape[1:]:
            n *= s
        return (input_shape[0], n)

    def call(self, x, training=False, mask=None):
        if self.data_format == "channels_first" and x.ndim > 2:
            x = B.transpose(x, (0,) + tuple(range(2, x.ndim)) + (1,))
        return B.reshape(x, (x.shape[0], -1))


class Lambda(Layer):
    """Wraps an expression on tensors as a layer: ``Lambda(lambda x: x ** 2)``.

    Called on symbolic inputs the function runs (once on zeros of their shapes: See Note
    [Lambda on symbolic inputs]), and the output has the shape it makes; ``output_shape``
    (without the batch axis, or a function of the full input shape) is what
    ``compute_output_shape`` says, as in tf_keras. A function taking ``mask`` / ``training``
    receives them. In a saved model a named function is stored by name and found again through
    ``custom_objects``; a function as Keras 2 stores it (its bytecode), found again among this
    process's live lambdas or, named, by its name (Note [lambdas in model files],
    _lambda_code.py)."""

    _int_inputs = True  # See Note [integer inputs] (engine/base_layer.py)

    def __init__(self, function, output_shape=None, mask=None, arguments=None, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: function must be callable, got {function!r}")
        self.function = function
        self._fn_params = frozenset(_lambda_code.parameters(function))
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape
        self.mask = mask
        if output_shape is not None and not callable(output_shape):
            self._record(output_shape=list(output_shape))
        # Keras 2's keys; 'function' type: found by name in custom_objects when loaded, by
        # Keras 2 too; 'lambda': Keras 2's bytecode dump (Note [lambdas in model files])
        code = _lambda_code.dump(function) if _lambda_code.is_lambda(function) else None
        self._config.update({"function": getattr(function, "__name__", "<lambda>")
                             if code is None else code,
                             "function_type": "function" if code is None else "lambda",
                             "module": getattr(function, "__module__", None),
                             "arguments": dict(self.arguments)})
        self._config.setdefault("output_shape", None)
        self._config.update({"output_shape_type": "raw", "output_shape_module": None})

    def compute_output_shape(self, input_shape):
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        first = input_shape if _is_one_shape(input_shape) else input_shape[0]
        return (first[0],) + tuple(self._output_shape)

    def _check_output_size(self, input_shape):
        """Without an output_shape the check would run the function once more than tf_keras
        runs it (once a call): the call itself reports an output too large."""
        if self._output_shape is not None:
            super()._check_output_size(input_shape)

    # Note [Lambda on symbolic inputs]
    # tf_keras traces the function on the symbolic inputs whether or not output_shape is given:
    # the output tensor has the shape the function makes (keras-yolo3's yolo_loss, given
    # output_shape=(1,), makes a scalar: the model's output shape is ()), and an error in the
    # function is raised at the layer call, with its own type (an AttributeError stays one).
    # output_shape is only what compute_output_shape says. Here the trace is a run on stand-ins
    # of the inputs' shapes and dtypes (integer ids reach the function as ints); stand-in values
    # can fail where a trace does not (zeros, a size-1 unknown axis), so when output_shape is
    # given, a value error of that run (ValueError, IndexError, ZeroDivisionError) leaves the
    # output shape to output_shape as before, and the function's first real run reports it.
    def _output_shape_for(self, input_shape, inputs, kwargs):
        try:
            return _infer_by_running(self, input_shape, inputs, kwargs, keep_type=True,
                                     symbolic=True)
        except (ValueError, IndexError, ZeroDivisionError, FloatingPointError):
            if self._output_shape is None:
                raise
            return super()._output_shape_for(input_shape, inputs, kwargs)

    def call(self, inputs, training=None, mask=None):
        kwargs = dict(self.arguments)  # tf_keras passes mask / training to a function
        if "mask" in self._fn_params:  # that names them
            kwargs["mask"] = mask
        if "training" in self._fn_params:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs, mask=None):
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    @classmethod
    def from_config(cls, config):
        from ..engine.serialization import custom_object
        config = dict(config)
        name = config.pop("function")
        if config.get("function_type") == "lambda":  # Note [lambdas in model files]
            fn = (_lambda_code.find(name)
                  or _lambda_code.find_named(name, config.get("module"), custom_object)
                  or custom_object("<lambda>"))
            if fn is None:
                raise ValueError(
                    f"Lambda layer {config.get('name')!r}: the file holds its function as Python "
                    "code (Keras 2's bytecode), which tensorforge does not run from a file; a "
                    "lambda of this program is found again, a named function by its name in "
                    "custom_objects, another must be passed as custom_objects={'<lambda>': "
                    "function}")
            name = "<lambda>"
        else:
            fn = custom_object(name) if isinstance(name, str) else None
        if fn is None:
            raise ValueError(f"Lambda layer {config.get('name')!r}: its function {name!r} cannot "
                             "be restored from the file; pass it to load_model / from_config as "
                             f"custom_objects={{{name!r}: function}} (a lambda expression must be "
                             "given a name with def)")
        for k in ("function_type", "module", "output_shape_type", "output_shape_module"):
            config.pop(k, None)
        out = config.pop("output_shape", None)
        if isinstance(out, str):
            out = custom_object(out)
        return cls(fn, output_shape=out, arguments=config.pop("arguments", None),
                   **{k: v for k, v in config.items() if k in ("name", "trainable", "dtype",
                                                               "batch_input_shape")})


def _is_one_shape(s):
    return all(d is None or isinstance(d, (int, np.integer)) for d in s)


class Reshape(Layer):
    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(s) for s in target_shape)
        self._record(target_shape=list(self.target_shape))

    def _resolve(self, in_shape):
        n = int(np.prod(in_shape))
        tgt = list(self.target_shape)
        if tgt.count(-1) > 1:
            raise ValueError(f"{self.name}: at most one -1 in target_shape, got {self.target_shape}")
        known = int(np.prod([s for s in tgt if s != -1]))
        if -1 in tgt:
            if known == 0 or n % known:
                raise ValueError(f"{self.name}: cannot reshape {tuple(in_shape)} to {self.target_shape}")
            tgt[tgt.index(-1)] = n // known
        elif known != n:
            raise ValueError(f"{self.name}: total size of new shape {self.target_shape} must equal "
                             f"that of the input {tuple(in_shape)}")
        return tuple(tgt)

    def compute_output_shape(self, input_shape):
        if any(s is None for s in input_shape[1:]):
            # Keras 2: with an unknown input dimension the -1 stays unknown (known when run)
            if -1 not in self.target_shape:
                return (input_shape[0],) + self.target_shape
            return (input_shape[0],) + tuple(None if s == -1 else s for s in self.target_shape)
        return (input_shape[0],) + self._resolve(input_shape[1:])

    def call(self, x, training=False, mask=None):
        return B.reshape(x, (x.shape[0],) + self._resolve(x.shape[1:]))


# ---- Keras 2 core layers beyond Dense/Activation/Dropout/Flatten/Reshape ---------------------
def _raw(x):
    return x.data if isinstance(x, _Tensor) else x


def _keep_mask(x, rate, noise_shape):
    """An inverted-dropout keep mask (0 or 1 / (1 - rate)) of noise_shape, on x's array module
    (ops.dropout on ones: the same counter-based RNG as Dropout)."""
    ones = array_module(_raw(x)).ones(noise_shape, dtype=np.float32)
    return _raw(_ops.dropout(ones, rate, training=True, seed=_random.next_seed()))


class SpatialDropout1D(Dropout):
    """Drops whole channels: one keep mask per (sample, channel), shared by every step."""

    _NDIM = 3

    def __init__(self, rate, **kwargs):
        super().__init__(rate, **kwargs)
        self._config.pop("seed", None)
        self.input_spec = InputSpec(ndim=self._NDIM)

    def _noise_shape(self, shape):
        return (shape[0], 1, shape[2])

    def call(self, x, training=False, mask=None):
        if x.ndim != len(self._noise_shape(x.shape)):
            raise ValueError(f"{self.name}: expected {len(self._noise_shape(x.shape))}-D input, "
                             f"got shape {x.shape}")
        if not training or self.rate == 0:
            return x
        return x * _keep_mask(x, self.rate, self._noise_shape(x.shape))


class SpatialDropout2D(SpatialDropout1D):
    """Drops whole feature maps: one keep mask per (sample, channel)."""
    _NDIM = 4

    def __init__(self, rate, data_format=None, **kwargs):
        super().__init__(rate, **kwargs)
        self.data_format = data_format or _backend.image_data_format()
        if self.data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"SpatialDropout2D: data_format must be 'channels_last' or "
                             f"'channels_first', got {data_format!r}")
        self._record(data_format=self.data_format)

    def _noise_shape(self, shape):
        if self.data_format == "channels_first":
            return (shape[0], shape[1], 1, 1)
        return (shape[0], 1, 1, shape[3])


class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features)."""
    _input_ndim = 2

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = _args.positive_int("RepeatVector", "n", n)
        self._record(n=self.n)

    def compute_output_shape(self, s):
        return (s[0], self.n, s[1])

    def call(self, x, training=False, mask=None):
        if x.ndim != 2:
            raise ValueError(f"{self.name}: expected 2-D input (batch, features), got shape {x.shape}")
        ones = array_module(_raw(x)).ones((1, self.n, 1), dtype=np.float32)
        return B.reshape(x, (x.shape[0], 1, x.shape[1])) * ones


class Permute(Layer):
    """Permutes the non-batch axes: dims is 1-based, e.g. (2, 1) swaps the first two."""
    supports_masking = True

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(dims, (list, tuple)) or not all(_args.is_int(d) for d in dims):
            raise TypeError(f"Permute: dims must be a tuple of ints, got {dims!r}")
        self.dims = tuple(int(d) for d in dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Permute: dims must be a permutation of 1..{len(self.dims)}, "
                             f"got {tuple(dims)}")
        self._record(dims=self.dims)
        self.input_spec = InputSpec(ndim=len(self.dims) + 1)

    def compute_output_shape(self, s):
        return (s[0],) + tuple(s[d] for d in self.dims)

    def call(self, x, training=False, mask=None):
        if x.ndim != len(self.dims) + 1:
            raise ValueError(f"{self.name}: dims {self.dims} need a {len(self.dims) + 1}-D input, "
                             f"got shape {x.shape}")
        return B.transpose(x, (0,) + self.dims)


class Masking(Layer):
    """Masks the time steps whose features all equal mask_value: the mask (batch, steps) flows
    to the next layers (recurrent layers skip those steps); masked steps are zeroed, as Keras 2."""
    supports_masking = True

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, (bool, str)) or mask_value is None:
            raise TypeError(f"Masking: mask_value must be a number, got {mask_value!r}")
        self.mask_value = float(mask_value)
        self._record(mask_value=self.mask_value)

    def _keep(self, x):
        d = _raw(x)
        return (d != (d.dtype.type(self.mask_value) if d.dtype.kind == "f" else
                      np.float32(self.mask_value))).any(axis=-1)

    def compute_mask(self, inputs, mask=None):
        return self._keep(inputs)

    def call(self, x, training=False, mask=None):
        keep = self._keep(x)
        return x * keep[..., None].astype(np.float32)


class ActivityRegularization(Layer):
    """Identity that adds l1 * sum(|x|) + l2 * sum(x^2), divided by the batch size (Keras 2's
    activity-loss convention), to the training loss."""
    supports_masking = True

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        super().__init__(**kwargs)
        for nm, v in (("l1", l1), ("l2", l2)):
            if isinstance(v, (bool, str)) or v is None:
                raise TypeError(f"ActivityRegularization: {nm} must be a number >= 0, got {v!r}")
            if not float(v) >= 0:
                raise ValueError(f"ActivityRegularization: {nm} must be a number >= 0, got {v!r}")
        self.l1, self.l2 = float(l1), float(l2)
        self._record(l1=self.l1, l2=self.l2)

    def call(self, x, training=False, mask=None):
        penalty = _reg.L1L2(self.l1, self.l2)(x)
        if penalty is not None:
            self.add_loss(penalty * (1.0 / x.shape[0]))  # (in the penalty's dtype)
        return x


class SpatialDropout3D(SpatialDropout2D):
    """Drops whole feature volumes: one keep mask per (sample, channel)."""
    _NDIM = 5

    def _noise_shape(self, shape):
        if self.data_format == "channels_first":
            return (shape[0], shape[1], 1, 1, 1)
        return (shape[0], 1, 1, 1, shape[4])
