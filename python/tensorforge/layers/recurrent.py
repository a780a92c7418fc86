"""Recurrent layers (Keras 2's keras/layers/recurrent.py): SimpleRNN / LSTM / GRU on the fused
whole-sequence ops ops.simple_rnn / ops.lstm / ops.gru. A masked step carries the previous state."""
import numpy as np

from .. import _random
from .. import initializers as _init
from .. import ops as _ops
from .. import regularizers as _reg
from .._xp import array_module
from ..autograd import Tensor
from ..engine.base_layer import Layer
from . import _args


class _RNN(Layer):
    """Shared machinery of SimpleRNN / LSTM / GRU (Keras 2 arguments)."""
    supports_masking = True
    _gates = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, **kwargs):
        super().__init__(**kwargs)
        self.units = _args.positive_int(type(self).__name__, "units", units)
        if stateful:
            raise NotImplementedError(f"{type(self).__name__}: stateful=True is not supported")
        if recurrent_dropout:
            raise NotImplementedError(f"{type(self).__name__}: recurrent_dropout is not supported "
                                      "by the fused recurrent kernels (use dropout=)")
        for nm, a in (("activation", activation), ("recurrent_activation", recurrent_activation)):
            if not isinstance(a, str) and a is not None:
                a = getattr(a, "__name__", a)
            if nm == "activation":
                activation = a or "linear"
            else:
                recurrent_activation = a
        self.activation, self.recurrent_activation = activation, recurrent_activation
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _init.get(kernel_initializer)
        self.recurrent_initializer = _init.get(recurrent_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.recurrent_regularizer = _reg.get(recurrent_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        self.dropout = float(dropout)
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards = bool(go_backwards)
        self._record(units=self.units, activation=activation, use_bias=self.use_bias,
                     kernel_initializer=self.kernel_initializer,
                     recurrent_initializer=self.recurrent_initializer,
                     bias_initializer=self.bias_initializer,
                     kernel_regularizer=self.kernel_regularizer,
                     recurrent_regularizer=self.recurrent_regularizer,
                     bias_regularizer=self.bias_regularizer, dropout=self.dropout,
                     return_sequences=self.return_sequences, return_state=self.return_state,
                     go_backwards=self.go_backwards)
        if type(self) is not SimpleRNN:
            self._record(recurrent_activation=recurrent_activation)

    def _bias_shape(self):
        return (self._gates * self.units,)

    def _bias_init(self, shape, dtype=np.float32):
        return self.bias_initializer(shape, dtype)

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"{self.name}: expected 3-D input (batch, time, features), got "
                             f"{input_shape}")
        F, U, G = input_shape[-1], self.units, self._gates
        self.kernel = self.add_weight("kernel", (F, G * U), self.kernel_initializer,
                                      self.kernel_regularizer)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (U, G * U),
                                                self.recurrent_initializer,
                                                self.recurrent_regularizer)
        self.bias = (self.add_weight("bias", self._bias_shape(), self._bias_init,
                                     self.bias_regularizer) if self.use_bias else None)

    def compute_output_shape(self, s):
        out = (s[0], s[1], self.units) if self.return_sequences else (s[0], self.units)
        if self.return_state:
            return [out] + [(s[0], self.units)] * self._n_states
        return out

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    def _run(self, x, mask, h0=None, c0=None):
        raise NotImplementedError

    def call(self, x, training=False, mask=None, initial_state=None):
        if x.ndim != 3 or x.shape[-1] != self.kernel.shape[0]:
            raise ValueError(f"{self.name}: expected input (batch, time, {self.kernel.shape[0]}), "
                             f"got shape {x.shape}")
        if training and self.dropout > 0:
            # Keras: one dropout mask per sequence, shared by every time step.
            xp = array_module(x.data if isinstance(x, Tensor) else x)  # CuPy on the cuda backend
            ones = xp.ones((x.shape[0], 1, x.shape[2]), dtype=np.float32)
            keep = _ops.dropout(ones, self.dropout, training=True, seed=_random.next_seed())
            x = x * (keep.data if isinstance(keep, Tensor) else keep)
        if mask is not None:
            m = mask.data if isinstance(mask, Tensor) else mask
            mask = array_module(m).asarray(m).astype(np.float32)  # stays on the GPU when it is there
        states = list(initial_state) if initial_state is not None else []
        outs = self._run(x, mask, *states)
        seq, st = outs[0], list(outs[1:])
        y = seq if self.return_sequences else st[0]
        return [y] + st if self.return_state else y


class SimpleRNN(_RNN):
    _gates, _n_states = 1, 1

    def __init__(self, units, activation="tanh", **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, **kwargs)

    def _run(self, x, mask, h0=None):
        return _ops.simple_rnn(x, self.kernel, self.recurrent_kernel, self.bias, h0=h0,
                                 mask=mask, go_backwards=self.go_backwards,
                                 activation=self.activation)


class LSTM(_RNN):
    """Keras LSTM: gate order i, f, c, o; unit_forget_bias=True sets the forget bias to 1."""
    _gates, _n_states = 4, 2

    def __init__(self, units, unit_forget_bias=True, **kwargs):
        self.unit_forget_bias = bool(unit_forget_bias)
        super().__init__(units, **kwargs)
        self._record(unit_forget_bias=self.unit_forget_bias)

    def _bias_init(self, shape, dtype=np.float32):
        b = self.bias_initializer(shape, dtype)
        if self.unit_forget_bias:
            b[self.units:2 * self.units] = 1.0
        return b

    def _run(self, x, mask, h0=None, c0=None):
        return _ops.lstm(x, self.kernel, self.recurrent_kernel, self.bias, h0=h0, c0=c0,
                           mask=mask, go_backwards=self.go_backwards, activation=self.activation,
                           recurrent_activation=self.recurrent_activation)


class GRU(_RNN):
    """Keras GRU: gate order z, r, h. reset_after defaults to True (TF2 / Keras 3, cuDNN
    compatible: bias (2, 3U)); pass reset_after=False for Keras 2.3's formulation (bias (3U,))."""
    _gates, _n_states = 3, 1

    def __init__(self, units, reset_after=True, **kwargs):
        self.reset_after = bool(reset_after)
        super().__init__(units, **kwargs)
        self._record(reset_after=self.reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _run(self, x, mask, h0=None):
        return _ops.gru(x, self.kernel, self.recurrent_kernel, self.bias, h0=h0, mask=mask,
                          go_backwards=self.go_backwards, reset_after=self.reset_after,
                          activation=self.activation,
                          recurrent_activation=self.recurrent_activation)
