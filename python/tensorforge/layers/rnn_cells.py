"""Keras 2's cell-level recurrent API (keras/layers/recurrent.py): the cells SimpleRNNCell,
LSTMCell and GRUCell, StackedRNNCells, and the generic ``RNN`` layer that runs a cell over time.

A cell processes one time step: ``cell.call(inputs, states, training=None) -> (output,
new_states)`` with ``cell.state_size`` (an int or a list of ints) and optionally
``cell.output_size``. ``RNN(cell)`` loops it over the time axis of a (batch, time, features)
input, with Keras 2's masking (a masked step carries the previous states and repeats the
previous output), ``return_sequences``, ``return_state``, ``go_backwards``, ``stateful``,
``initial_state`` and ``unroll`` (accepted; the loop is the same). A list of cells is stacked.

The built-in cells hold the weights of the matching layer (kernel (F, G*U), recurrent_kernel
(U, G*U), bias), so ``RNN(LSTMCell(u))`` and ``LSTM(u)`` exchange ``get_weights()`` unchanged;
``RNN`` over a single built-in cell without dropout runs the layer's fused whole-sequence op
(ops.lstm / ops.gru / ops.simple_rnn), any other cell a step loop on autograd ops.
"""
import numpy as np

from .. import _random
from .. import activations as _act
from .. import initializers as _init
from .. import ops as _ops
from .. import regularizers as _reg
from .._xp import array_module, host, raw
from ..autograd import Tensor
from ..engine import weight_scope as _weight_scope
from ..engine.base_layer import Layer, _call_args, _deser, _unique_name
from ..engine.dtype_policy import float_dtype as _float_dtype
from ..ops import basic as B
from . import _args
from ._rnn_state import CarriedStates, sequence_input_shape


def _act_name(a, default):
    if a is None:
        return default
    return a if isinstance(a, str) else getattr(a, "__name__", a)


def _cols(z, g, units):
    """Gate ``g``'s columns of a (batch, G*units) pre-activation."""
    return B.getitem(z, (slice(None), slice(g * units, (g + 1) * units)))


class _Cell(Layer):
    """Shared arguments, weights and dropout masks of the built-in cells."""
    _gates = 1
    _layer = None  # the matching fused layer's name (for messages)

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, **kwargs):
        kwargs.pop("implementation", None)  # Keras 2's kernel choice: same results either way
        super().__init__(**kwargs)
        self._set_constraints(kernel_constraint=kernel_constraint,
                              recurrent_constraint=recurrent_constraint,
                              bias_constraint=bias_constraint)
        name = type(self).__name__
        self.units = _args.positive_int(name, "units", units)
        self.activation = _act_name(activation, "linear")
        self.recurrent_activation = _act_name(recurrent_activation, "sigmoid")
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _init.get(kernel_initializer)
        self.recurrent_initializer = _init.get(recurrent_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.recurrent_regularizer = _reg.get(recurrent_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        self.dropout = _args.rate(name, "dropout", dropout)
        self.recurrent_dropout = _args.rate(name, "recurrent_dropout", recurrent_dropout)
        self._dp = None  # (input mask, recurrent mask) of the sequence being processed
        self._record(units=self.units, activation=self.activation, use_bias=self.use_bias,
                     kernel_initializer=self.kernel_initializer,
                     recurrent_initializer=self.recurrent_initializer,
                     bias_initializer=self.bias_initializer,
                     kernel_regularizer=self.kernel_regularizer,
                     recurrent_regularizer=self.recurrent_regularizer,
                     bias_regularizer=self.bias_regularizer, kernel_constraint=None,
                     recurrent_constraint=None, bias_constraint=None, dropout=self.dropout,
                     recurrent_dropout=self.recurrent_dropout)
        if type(self) is not SimpleRNNCell:
            self._record(recurrent_activation=self.recurrent_activation)

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def _bias_shape(self):
        return (self._gates * self.units,)

    def _bias_init(self, shape, dtype=np.float32):
        return self.bias_initializer(shape, dtype)

    def build(self, input_shape):
        F, U, G = input_shape[-1], self.units, self._gates
        if F is None:
            raise ValueError(f"{self.name}: the input's last dimension must be known, got "
                             f"{tuple(input_shape)}")
        self.kernel = self.add_weight("kernel", (F, G * U), self.kernel_initializer,
                                      self.kernel_regularizer)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", (U, G * U),
                                                self.recurrent_initializer,
                                                self.recurrent_regularizer)
        self.bias = (self.add_weight("bias", self._bias_shape(), self._bias_init,
                                     self.bias_regularizer) if self.use_bias else None)

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        n = batch_size if batch_size is not None else inputs.shape[0]
        xp = array_module(raw(inputs)) if inputs is not None else np
        zeros = xp.zeros((n, self.units), dtype=dtype or _float_dtype(self))
        return [zeros] * (self._n_states) if self._n_states > 1 else [zeros]

    def reset_dropout_mask(self):
        """Forget the dropout masks: the next sequence draws new ones (Keras 2's
        DropoutRNNCellMixin; RNN calls it before each sequence)."""
        self._dp = None

    reset_recurrent_dropout_mask = reset_dropout_mask

    def _dropped(self, x, h, training):
        """x and h times the sequence's dropout masks (Keras 2: one mask per sequence)."""
        if not training or (self.dropout == 0 and self.recurrent_dropout == 0):
            return x, h
        if self._dp is None:
            xp = array_module(raw(x))

            def keep(width, rate):
                if rate == 0:
                    return None
                k = _ops.dropout(xp.ones((x.shape[0], width), dtype=np.float32), rate,
                                 training=True, seed=_random.next_seed())
                return k.data if isinstance(k, Tensor) else k
            self._dp = (keep(x.shape[-1], self.dropout), keep(self.units, self.recurrent_dropout))
        kx, kh = self._dp
        return (x if kx is None else x * kx), (h if kh is None else h * kh)

    @staticmethod
    def _states_list(states, n):
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        if len(states) != n:
            raise ValueError(f"expected {n} state tensor(s), got {len(states)}")
        return states


class SimpleRNNCell(_Cell):
    """Keras 2 SimpleRNNCell(units, activation='tanh', ...): h = act(x W + h U + b)."""
    _gates, _n_states = 1, 1

    def __init__(self, units, activation="tanh", **kwargs):
        kwargs.pop("recurrent_activation", None)
        super().__init__(units, activation=activation, **kwargs)

    def call(self, inputs, states, training=None):
        h, = self._states_list(states, 1)
        x, hd = self._dropped(inputs, h, training)
        z = _ops.gemm(x, self.kernel, bias=self.bias) + _ops.gemm(hd, self.recurrent_kernel)
        out = _act.get(self.activation)(z)
        return out, [out]


class LSTMCell(_Cell):
    """Keras 2 LSTMCell(units, ..., unit_forget_bias=True): gates i, f, c, o; states [h, c]."""
    _gates, _n_states = 4, 2

    def __init__(self, units, unit_forget_bias=True, **kwargs):
        self.unit_forget_bias = bool(unit_forget_bias)
        super().__init__(units, **kwargs)
        self._record(unit_forget_bias=self.unit_forget_bias, implementation=2)

    @property
    def state_size(self):
        return [self.units, self.units]

    def _bias_init(self, shape, dtype=np.float32):
        b = self.bias_initializer(shape, dtype)
        if self.unit_forget_bias:
            b[self.units:2 * self.units] = 1.0
        return b

    def call(self, inputs, states, training=None):
        h, c = self._states_list(states, 2)
        x, hd = self._dropped(inputs, h, training)
        U = self.units
        z = _ops.gemm(x, self.kernel, bias=self.bias) + _ops.gemm(hd, self.recurrent_kernel)
        ra, a = _act.get(self.recurrent_activation), _act.get(self.activation)
        i, f, o = ra(_cols(z, 0, U)), ra(_cols(z, 1, U)), ra(_cols(z, 3, U))
        c = f * c + i * a(_cols(z, 2, U))
        h = o * a(c)
        return h, [h, c]


class PeepholeLSTMCell(LSTMCell):
    """tf.keras 2.0-2.10's ``keras.experimental.PeepholeLSTMCell`` (gone from tf_keras 2.21):
    the LSTM cell whose input and forget gates also see the previous carry and whose output gate
    sees the new one, through three (units,) weights (Gers & Schmidhuber's peepholes) initialized
    by the kernel's initializer: i = ra(z_i + w_i c_{t-1}), f = ra(z_f + w_f c_{t-1}),
    c = f c_{t-1} + i a(z_c), o = ra(z_o + w_o c), h = o a(c)."""

    def build(self, input_shape):
        super().build(input_shape)
        for gate in ("input", "forget", "output"):
            setattr(self, f"{gate}_gate_peephole_weights",
                    self.add_weight(f"{gate}_gate_peephole_weights", (self.units,),
                                    self.kernel_initializer))

    def call(self, inputs, states, training=None):
        h, c = self._states_list(states, 2)
        x, hd = self._dropped(inputs, h, training)
        U = self.units
        z = _ops.gemm(x, self.kernel, bias=self.bias) + _ops.gemm(hd, self.recurrent_kernel)
        ra, a = _act.get(self.recurrent_activation), _act.get(self.activation)
        i = ra(_cols(z, 0, U) + self.input_gate_peephole_weights * c)
        f = ra(_cols(z, 1, U) + self.forget_gate_peephole_weights * c)
        c = f * c + i * a(_cols(z, 2, U))
        o = ra(_cols(z, 3, U) + self.output_gate_peephole_weights * c)
        h = o * a(c)
        return h, [h, c]


class GRUCell(_Cell):
    """Keras 2 GRUCell(units, ..., reset_after=True): gates z, r, h; bias (2, 3U) with
    reset_after (TF2's default) else (3U,)."""
    _gates, _n_states = 3, 1

    def __init__(self, units, reset_after=True, **kwargs):
        self.reset_after = bool(reset_after)
        super().__init__(units, **kwargs)
        self._record(reset_after=self.reset_after, implementation=2)

    def _bias_shape(self):
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def call(self, inputs, states, training=None):
        h, = self._states_list(states, 1)
        x, hd = self._dropped(inputs, h, training)
        U = self.units
        b_in = b_rec = None
        if self.bias is not None:
            b_in, b_rec = ((B.getitem(self.bias, 0), B.getitem(self.bias, 1)) if self.reset_after
                           else (self.bias, None))
        ra, a = _act.get(self.recurrent_activation), _act.get(self.activation)
        xz = _ops.gemm(x, self.kernel, bias=b_in)
        if self.reset_after:
            hz = _ops.gemm(hd, self.recurrent_kernel, bias=b_rec)
            z = ra(_cols(xz, 0, U) + _cols(hz, 0, U))
            r = ra(_cols(xz, 1, U) + _cols(hz, 1, U))
            hh = a(_cols(xz, 2, U) + r * _cols(hz, 2, U))
        else:
            rk = self.recurrent_kernel
            hz = _ops.gemm(hd, B.getitem(rk, (slice(None), slice(0, 2 * U))))
            z = ra(_cols(xz, 0, U) + _cols(hz, 0, U))
            r = ra(_cols(xz, 1, U) + _cols(hz, 1, U))
            hh = a(_cols(xz, 2, U) + _ops.gemm(r * hd, B.getitem(rk, (slice(None),
                                                                      slice(2 * U, 3 * U)))))
        h = z * h + (1 - z) * hh
        return h, [h]


def _output_size(cell, state_size):
    """A cell's output_size, or its first state's size when it has none (an AbstractRNNCell
    that leaves output_size undefined: tf_keras' RNN finds it by running the cell)."""
    try:
        return getattr(cell, "output_size", state_size)
    except NotImplementedError:
        return state_size


def _sizes(state_size):
    return list(state_size) if isinstance(state_size, (list, tuple)) else [state_size]


class AbstractRNNCell(Layer):
    """Keras 2's base of a custom RNN cell: a subclass defines ``state_size``, ``output_size``
    and ``call(inputs, states) -> (output, new_states)``; ``get_initial_state`` gives zeros."""

    @property
    def state_size(self):
        raise NotImplementedError(f"{type(self).__name__}: define the state_size property")

    @property
    def output_size(self):
        raise NotImplementedError(f"{type(self).__name__}: define the output_size property")

    def get_initial_state(self, inputs=None, batch_size=None, dtype=None):
        n = batch_size if batch_size is not None else inputs.shape[0]
        xp = array_module(raw(inputs)) if inputs is not None else np
        states = [xp.zeros((n, s), dtype=dtype or _float_dtype(self))
                  for s in _sizes(self.state_size)]
        return states if isinstance(self.state_size, (list, tuple)) else states[0]


class StackedRNNCells(Layer):
    """Keras 2 StackedRNNCells(cells): the cells run one after the other at each step; the
    states are every cell's states in order."""

    def __init__(self, cells, **kwargs):
        for c in cells:
            if not hasattr(c, "call") or not hasattr(c, "state_size"):
                raise ValueError(f"StackedRNNCells: every cell needs a call method and a "
                                 f"state_size attribute, got {c!r}")
        super().__init__(**kwargs)
        self.cells = list(cells)
        self._record(cells=self.cells)

    @property
    def state_size(self):
        return [s for c in self.cells for s in _sizes(c.state_size)]

    @property
    def output_size(self):
        last = self.cells[-1]
        return _output_size(last, _sizes(last.state_size)[0])

    def build(self, input_shape):
        shape = tuple(input_shape)
        for c in self.cells:
            if isinstance(c, Layer):
                with _weight_scope.scope(self, c.name):  # See Note [weight names]
                    c._maybe_build(shape)
            out = _output_size(c, _sizes(c.state_size)[0])
            shape = shape[:-1] + (out,)

    def reset_dropout_mask(self):
        for c in self.cells:
            if hasattr(c, "reset_dropout_mask"):
                c.reset_dropout_mask()

    def call(self, inputs, states, training=None):
        states = list(states) if isinstance(states, (list, tuple)) else [states]
        new, pos, x = [], 0, inputs
        for c in self.cells:
            n = len(_sizes(c.state_size))
            x, st = _call_cell(c, x, states[pos:pos + n], training)
            new += st
            pos += n
        return x, new

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        cells = [_deser(c) for c in config.pop("cells")]
        return cls(cells, **config)


def _call_cell(cell, x, states, training):
    """(output, [states]) of one step of ``cell``: Keras 2 hands a cell its states as a list
    (one state too) and takes a single new state back bare or in a list."""
    tr = _call_args(cell.call)[0]
    out, new = cell.call(x, states, training=training) if tr else cell.call(x, states)
    new = list(new) if isinstance(new, (list, tuple)) else [new]
    return out, new


_FUSED = {}  # cell class -> (op, builds the op's keyword arguments); filled below


class RNN(CarriedStates, Layer):
    """Keras 2 RNN(cell, return_sequences=False, return_state=False, go_backwards=False,
    stateful=False, unroll=False): runs ``cell`` (or a list of cells, stacked) over time.
    Called as ``layer(x, initial_state=None, mask=None, training=None)``."""
    _spec_from_build = True
    supports_masking = True

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, time_major=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not hasattr(cell, "call") or not hasattr(cell, "state_size"):
            raise ValueError(f"RNN: cell must have a call method and a state_size attribute, got "
                             f"{cell!r}")
        if time_major:
            raise NotImplementedError("RNN: time_major=True is not supported (pass "
                                      "(batch, time, features) inputs)")
        kwargs.setdefault("name", None)
        sequence_input_shape(kwargs)
        name = kwargs.pop("name") or _unique_name("rnn")
        super().__init__(name=name, **kwargs)
        self.cell = cell
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful, self.unroll = (bool(go_backwards), bool(stateful),
                                                         bool(unroll))
        self._states = None  # stateful: the final states of the last batch (arrays)
        self._record(cell=cell, return_sequences=self.return_sequences,
                     return_state=self.return_state, go_backwards=self.go_backwards,
                     stateful=self.stateful, unroll=self.unroll, time_major=False)

    @property
    def _state_sizes(self):
        return _sizes(self.cell.state_size)

    def _output_size(self):
        return _output_size(self.cell, self._state_sizes[0])

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(f"{self.name}: expected 3-D input (batch, time, features), got "
                             f"{tuple(input_shape)}")
        if isinstance(self.cell, Layer):
            with _weight_scope.scope(self, self.cell.name):  # See Note [weight names]
                self.cell._maybe_build((input_shape[0], input_shape[2]))

    def compute_output_shape(self, s):
        u = self._output_size()
        out = (s[0], s[1], u) if self.return_sequences else (s[0], u)
        if self.return_state:
            return [out] + [(s[0], n) for n in self._state_sizes]
        return out

    def _output_shape_for(self, input_shape, inputs, kwargs):
        s = self.compute_output_shape(input_shape)
        return [tuple(x) for x in s] if isinstance(s, list) else tuple(s)

    def compute_mask(self, inputs, mask=None):
        m = mask if self.return_sequences else None
        return [m] + [None] * len(self._state_sizes) if self.return_state else m

    def _state_count(self):
        return len(self._state_sizes)

    def get_initial_state(self, inputs):
        xp = array_module(raw(inputs))
        return [xp.zeros((inputs.shape[0], n), dtype=_float_dtype(self)) for n in self._state_sizes]

    # ---- the loop ---------------------------------------------------------------------------
    def _initial(self, x, initial_state):
        if initial_state is None and self.stateful and self._states is not None:
            return self._carried(x)
        if initial_state is None:
            return None
        st = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
        if len(st) != len(self._state_sizes):
            raise ValueError(f"{self.name}: initial_state must hold {len(self._state_sizes)} "
                             f"state(s), got {len(st)}")
        for s, n in zip(st, self._state_sizes):
            if tuple(s.shape) != (x.shape[0], n):
                raise ValueError(f"{self.name}: initial states must have shapes "
                                 f"{[(x.shape[0], k) for k in self._state_sizes]}, got "
                                 f"{[tuple(t.shape) for t in st]}")
        return st

    def call(self, x, training=None, mask=None, initial_state=None):
        if x.ndim != 3:
            raise ValueError(f"{self.name}: expected input (batch, time, features), got shape "
                             f"{x.shape}")
        states = self._initial(x, initial_state)
        m = None
        if mask is not None:
            m = raw(mask)
            m = array_module(m).asarray(m).astype(np.float32)
        fused = _FUSED.get(type(self.cell))
        cell = self.cell
        if fused is not None and not (training and (cell.dropout or cell.recurrent_dropout)):
            op, extra = fused
            outs = op(x, cell.kernel, cell.recurrent_kernel, cell.bias, *(states or []), mask=m,
                      go_backwards=self.go_backwards, **extra(cell))
            seq, last = outs[0], list(outs[1:])
            out_last = last[0]
        else:
            seq, out_last, last = self._loop(x, m, states, training)
        if self.stateful:
            self._states = [np.array(host(s)) for s in last]
        y = seq if self.return_sequences else out_last
        return [y] + last if self.return_state else y

    def _loop(self, x, m, states, training):
        cell = self.cell
        if hasattr(cell, "reset_dropout_mask"):
            cell.reset_dropout_mask()
        if states is None:
            states = self.get_initial_state(x)
        xp = array_module(raw(x))
        n, T = x.shape[0], x.shape[1]
        prev_out, outs = None, []
        for t in (range(T - 1, -1, -1) if self.go_backwards else range(T)):
            out, new = _call_cell(cell, B.getitem(x, (slice(None), t)), states, training)
            if len(new) != len(states):
                raise ValueError(f"{self.name}: the cell returned {len(new)} state(s), its "
                                 f"state_size says {len(states)}")
            if m is not None:
                mt = m[:, t:t + 1]
                if prev_out is None:
                    prev_out = xp.zeros(tuple(out.shape), dtype=raw(out).dtype)
                out = prev_out + (out - prev_out) * mt
                new = [old + (nw - old) * mt for old, nw in zip(states, new)]
            states, prev_out = new, out
            if self.return_sequences:
                outs.append(B.reshape(out, (n, 1) + tuple(out.shape[1:])))
        seq = B.concatenate(outs, axis=1) if self.return_sequences else None
        return seq, prev_out, list(states)

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        cell = _deser(config.pop("cell"))
        return cls(cell, **config)


_FUSED.update({
    SimpleRNNCell: (_ops.simple_rnn, lambda c: {"activation": c.activation}),
    LSTMCell: (_ops.lstm, lambda c: {"activation": c.activation,
                                     "recurrent_activation": c.recurrent_activation}),
    GRUCell: (_ops.gru, lambda c: {"reset_after": c.reset_after, "activation": c.activation,
                                   "recurrent_activation": c.recurrent_activation}),
})
