"""Recurrent layers (Keras 2's keras/layers/recurrent.py): SimpleRNN / LSTM / GRU on the fused
whole-sequence ops ops.simple_rnn / ops.lstm / ops.gru. A masked step carries the previous state.

Keras 2 features: initial_state (``layer(x, initial_state=[h, c])``), return_state,
stateful=True (the final states of a batch start the next one; reset_states() zeroes them),
recurrent_dropout (in training, Keras 2's per-gate masks on x and h: ops/rnn_dropout.py), any
activation (those the fused kernels lack run as a step loop of Tensor ops: ops/rnn_graph.py),
unroll (accepted; the fused kernels need no unrolling)."""
import warnings

import numpy as np

from .. import _random
from .. import activations as _act
from .. import initializers as _init
from .. import ops as _ops
from .. import regularizers as _reg
from .._xp import array_module
from ..autograd import Tensor
from .._device import to_host as _host
from ..engine import weight_scope as _weight_scope
from ..engine.base_layer import InputSpec, Layer
from ..kernels import rnn as _krnn
from ..ops import rnn_dropout as _rnn_dropout
from ..ops import rnn_graph as _rnn_graph
from . import _args
from ._rnn_state import CarriedStates, sequence_input_shape


class _RNN(CarriedStates, Layer):
    """Shared machinery of SimpleRNN / LSTM / GRU (Keras 2 arguments)."""
    supports_masking = True
    _gates = 1

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, dropout=0.0, recurrent_dropout=0.0,
                 return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, **kwargs):
        super().__init__(**sequence_input_shape(kwargs))
        self._set_constraints(kernel_constraint=kernel_constraint,
                              recurrent_constraint=recurrent_constraint,
                              bias_constraint=bias_constraint)
        name = type(self).__name__
        self.units = _args.positive_int(name, "units", units)
        dropout = _args.rate(name, "dropout", dropout)
        self.recurrent_dropout = _args.rate(name, "recurrent_dropout", recurrent_dropout)
        self.stateful, self.unroll = bool(stateful), bool(unroll)  # unroll: accepted, no effect
        self._states = None  # stateful: the final states of the last batch (arrays)
        self._act_callables = {}  # a function given (not a name): run by the step loop
        for nm, a in (("activation", activation), ("recurrent_activation", recurrent_activation)):
            if not isinstance(a, str) and a is not None:
                self._act_callables[nm] = a
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
                     go_backwards=self.go_backwards, stateful=self.stateful,
                     unroll=self.unroll, time_major=False, activity_regularizer=None,
                     kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                     recurrent_dropout=self.recurrent_dropout)
        if type(self) is not SimpleRNN:
            self._record(recurrent_activation=recurrent_activation)

    def _implementation(self, implementation):
        """Keras 2's kernel choice (0 and 1: per-gate products, 2: one fused product), kept as
        given for the config (1 under recurrent dropout, as tf_keras sets it); the fused kernels
        give the same results either way, and dropout masks are drawn per gate (Keras 2's
        implementation 1) whatever it says."""
        if implementation not in (0, 1, 2) or isinstance(implementation, bool):
            raise ValueError(f"{type(self).__name__}: implementation must be 0, 1 or 2, got "
                             f"{implementation!r}")
        self.implementation = 1 if self.recurrent_dropout and implementation != 1 else \
            int(implementation)
        return self.implementation

    def _bias_shape(self):
        return (self._gates * self.units,)

    def _bias_init(self, shape, dtype=np.float32):
        return self.bias_initializer(shape, dtype)

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"{self.name}: expected 3-D input (batch, time, features), got "
                             f"{input_shape}")
        F, U, G = input_shape[-1], self.units, self._gates
        self.input_spec = InputSpec(ndim=3, axes={-1: F})
        with _weight_scope.scope(self, self._cell_name):  # See Note [weight names]
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

    def _output_shape_for(self, input_shape, inputs, kwargs):
        # initial_state (symbolic) does not change the output shape: keep None time steps None
        s = self.compute_output_shape(input_shape)
        return [tuple(x) for x in s] if isinstance(s, list) else tuple(s)

    def _run(self, x, mask, h0=None, c0=None):
        raise NotImplementedError

    def _state_count(self):
        return self._n_states

    def call(self, x, training=False, mask=None, initial_state=None):
        if x.ndim != 3 or x.shape[-1] != self.kernel.shape[0]:
            raise ValueError(f"{self.name}: expected input (batch, time, {self.kernel.shape[0]}), "
                             f"got shape {x.shape}")
        if initial_state is None and self.stateful:
            initial_state = self._carried(x)
        if initial_state is not None:
            initial_state = (list(initial_state) if isinstance(initial_state, (list, tuple))
                             else [initial_state])
            if len(initial_state) != self._n_states:
                raise ValueError(f"{self.name}: initial_state must hold {self._n_states} state(s) "
                                 f"(batch, {self.units}), got {len(initial_state)}")
            for st in initial_state:
                if tuple(st.shape) != (x.shape[0], self.units):
                    raise ValueError(f"{self.name}: each initial state must have shape "
                                     f"({x.shape[0]}, {self.units}), got {tuple(st.shape)}")
        fused = self._fused_activations()
        if training and self.recurrent_dropout > 0:
            # Keras 2 (implementation 1): per-gate dropout masks on x and h, one per sequence;
            # the fused kernels take no mask on h: Note [recurrent dropout steps]
            x_keep, h_keep = self._gate_masks(x)
            run = self._run_dropout if fused else self._run_graph
            return self._finish(run(x, self._mask_f32(mask), initial_state or [], x_keep,
                                    h_keep))
        if training and self.dropout > 0:
            # Keras: one dropout mask per sequence, shared by every time step.
            xp = array_module(x.data if isinstance(x, Tensor) else x)  # CuPy on the cuda backend
            ones = xp.ones((x.shape[0], 1, x.shape[2]), dtype=np.float32)
            keep = _ops.dropout(ones, self.dropout, training=True, seed=_random.next_seed())
            x = x * (keep.data if isinstance(keep, Tensor) else keep)
        states = list(initial_state) if initial_state is not None else []
        if not fused:
            return self._finish(self._run_graph(x, self._mask_f32(mask), states, None, None))
        return self._finish(self._run(x, self._mask_f32(mask), *states))

    @staticmethod
    def _mask_f32(mask):
        if mask is None:
            return None
        m = mask.data if isinstance(mask, Tensor) else mask
        return array_module(m).asarray(m).astype(np.float32)  # stays on the GPU when it is there

    def _finish(self, outs):
        seq, st = outs[0], list(outs[1:])
        if self.stateful:
            self._states = [np.array(_host(s.data if isinstance(s, Tensor) else s)) for s in st]
        y = seq if self.return_sequences else st[0]
        return [y] + st if self.return_state else y

    # ---- beyond the fused kernels: per-gate dropout masks, any activation ------------------
    def _fused_activations(self):
        """Whether the fused kernels have this layer's activations (Keras 2 takes any)."""
        return (self.activation in _krnn.ACTIVATIONS
                and (self._gates == 1 or self.recurrent_activation in _krnn.RECURRENT_ACTIVATIONS))

    def _activation_fns(self):
        """(activation, recurrent_activation) as callables on Tensors."""
        return tuple(self._act_callables.get(nm) or _act.get(getattr(self, nm))
                     for nm in ("activation", "recurrent_activation"))

    def _gate_masks(self, x):
        """Keras 2's implementation-1 dropout masks, drawn once per batch: x_keep (G, B, F) (None
        without input dropout) and h_keep (G, B, U), kept units scaled by 1 / (1 - rate)."""
        xp = array_module(x.data if isinstance(x, Tensor) else x)
        n, F, G = x.shape[0], x.shape[2], self._gates

        def keep_masks(width, rate):
            if rate == 0:
                return None
            ms = [_ops.dropout(xp.ones((n, width), dtype=np.float32), rate, training=True,
                               seed=_random.next_seed()) for _ in range(G)]
            return xp.stack([m.data if isinstance(m, Tensor) else m for m in ms])
        return keep_masks(F, self.dropout), keep_masks(self.units, self.recurrent_dropout)

    def _run_graph(self, x, mask, states, x_keep, h_keep):
        """The step loop in recorded Tensor ops (ops/rnn_graph.py): any activation."""
        raise NotImplementedError

    def _run_dropout(self, x, mask, states, x_keep, h_keep):
        """The per-gate-masked sequence as one op (Note [recurrent dropout steps])."""
        raise NotImplementedError


class SimpleRNN(_RNN):
    _gates, _n_states = 1, 1
    _cell_name = "simple_rnn_cell"  # tf_keras' cell, whose name scope its weights are under

    def __init__(self, units, activation="tanh", **kwargs):
        kwargs.pop("recurrent_activation", None)
        if kwargs.pop("implementation", None) is not None:  # as tf_keras
            warnings.warn("The `implementation` argument in `SimpleRNN` has been deprecated. "
                          "Please remove it from your layer call.", stacklevel=2)
        super().__init__(units, activation=activation, **kwargs)

    def _run_graph(self, x, mask, states, x_keep, h_keep):
        seq, h = _rnn_graph.simple_rnn_graph(x, self.kernel, self.recurrent_kernel, self.bias,
                                       *(states or [None]), mask, self.go_backwards,
                                       self._activation_fns()[0], x_keep=x_keep, h_keep=h_keep)
        return [seq, h]

    def _run_dropout(self, x, mask, states, x_keep, h_keep):
        return _rnn_dropout.simple_rnn_dropout(x, self.kernel, self.recurrent_kernel, self.bias,
                                       *(states or [None]), x_keep=x_keep, h_keep=h_keep,
                                       mask=mask, go_backwards=self.go_backwards,
                                       activation=self.activation)

    def _run(self, x, mask, h0=None):
        return _ops.simple_rnn(x, self.kernel, self.recurrent_kernel, self.bias, h0=h0,
                                 mask=mask, go_backwards=self.go_backwards,
                                 activation=self.activation)


class LSTM(_RNN):
    """Keras LSTM: gate order i, f, c, o; unit_forget_bias=True sets the forget bias to 1."""
    _gates, _n_states = 4, 2
    _cell_name = "lstm_cell"

    def __init__(self, units, unit_forget_bias=True, implementation=2, **kwargs):
        self.unit_forget_bias = bool(unit_forget_bias)
        super().__init__(units, **kwargs)
        self._record(unit_forget_bias=self.unit_forget_bias,
                     implementation=self._implementation(implementation))

    def _bias_init(self, shape, dtype=np.float32):
        b = self.bias_initializer(shape, dtype)
        if self.unit_forget_bias:
            b[self.units:2 * self.units] = 1.0
        return b

    def _run_graph(self, x, mask, states, x_keep, h_keep):
        act, rec = self._activation_fns()
        return list(_rnn_graph.lstm_graph(x, self.kernel, self.recurrent_kernel, self.bias,
                                    *(states or [None, None]), mask, self.go_backwards, act, rec,
                                    x_keep=x_keep, h_keep=h_keep))

    def _run_dropout(self, x, mask, states, x_keep, h_keep):
        return _rnn_dropout.lstm_dropout(x, self.kernel, self.recurrent_kernel, self.bias,
                                 *(states or [None, None]), x_keep=x_keep, h_keep=h_keep,
                                 mask=mask, go_backwards=self.go_backwards,
                                 activation=self.activation,
                                 recurrent_activation=self.recurrent_activation)

    def _run(self, x, mask, h0=None, c0=None):
        return _ops.lstm(x, self.kernel, self.recurrent_kernel, self.bias, h0=h0, c0=c0,
                           mask=mask, go_backwards=self.go_backwards, activation=self.activation,
                           recurrent_activation=self.recurrent_activation)


class GRU(_RNN):
    """Keras GRU: gate order z, r, h. reset_after defaults to True (TF2 / Keras 3, cuDNN
    compatible: bias (2, 3U)); pass reset_after=False for Keras 2.3's formulation (bias (3U,))."""
    _gates, _n_states = 3, 1
    _cell_name = "gru_cell"

    def __init__(self, units, reset_after=True, implementation=2, **kwargs):
        self.reset_after = bool(reset_after)
        super().__init__(units, **kwargs)
        self._record(implementation=self._implementation(implementation),
                     reset_after=self.reset_after)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def _run_graph(self, x, mask, states, x_keep, h_keep):
        act, rec = self._activation_fns()
        return list(_rnn_graph.gru_graph(x, self.kernel, self.recurrent_kernel, self.bias,
                                   *(states or [None]), mask, self.go_backwards, self.reset_after,
                                   act, rec, x_keep=x_keep, h_keep=h_keep))

    def _run_dropout(self, x, mask, states, x_keep, h_keep):
        return _rnn_dropout.gru_dropout(x, self.kernel, self.recurrent_kernel, self.bias,
                                *(states or [None]), x_keep=x_keep, h_keep=h_keep, mask=mask,
                                go_backwards=self.go_backwards, reset_after=self.reset_after,
                                activation=self.activation,
                                recurrent_activation=self.recurrent_activation)

    def _run(self, x, mask, h0=None):
        return _ops.gru(x, self.kernel, self.recurrent_kernel, self.bias, h0=h0, mask=mask,
                          go_backwards=self.go_backwards, reset_after=self.reset_after,
                          activation=self.activation,
                          recurrent_activation=self.recurrent_activation)


# Keras 2.2 exports the cell API from keras.layers.recurrent too
from .rnn_cells import (RNN, GRUCell, LSTMCell, SimpleRNNCell,  # noqa: E402,F401
                        StackedRNNCells)
