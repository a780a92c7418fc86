"""ConvLSTM2D (Keras 2's keras/layers/convolutional_recurrent.py): an LSTM whose input and
recurrent transformations are 2-D convolutions. Runs on ops.conv2d (native on the cpu backend):
the input convolution of every time step at once ((B * T, H, W, C) through one conv2d), then a
Python loop over time with one 'same' recurrent convolution per step.

Layouts (Keras 2): input (B, T, H, W, C) (channels_last) or (B, T, C, H, W); kernel
(KH, KW, C, 4F), recurrent_kernel (KH, KW, F, 4F), bias (4F,), gate order i, f, c, o;
recurrent_activation defaults to hard_sigmoid as in Keras 2.
"""
import numpy as np

from .. import _random
from .. import activations as _act
from .. import initializers as _init
from .. import ops as _ops
from .. import regularizers as _reg
from .._device import to_host as _host
from .._xp import array_module, host
from ..autograd import Tensor
from . import _args
from ..engine.base_layer import Layer
from ..ops import basic as B
from ._conv_utils import _conv_len, _data_format, _padding


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


class ConvLSTM2D(Layer):
    _spec_from_build = True
    supports_masking = True

    def __init__(self, filters, kernel_size, strides=(1, 1), padding="valid", data_format=None,
                 dilation_rate=(1, 1), activation="tanh", recurrent_activation="hard_sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, dropout=0.0,
                 recurrent_dropout=0.0, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._set_constraints(kernel_constraint=kernel_constraint,
                              recurrent_constraint=recurrent_constraint,
                              bias_constraint=bias_constraint)
        self.filters = _args.positive_int("ConvLSTM2D", "filters", filters)
        self.kernel_size = _args.int_pair("ConvLSTM2D", "kernel_size", kernel_size)
        self.strides = _args.int_pair("ConvLSTM2D", "strides", strides)
        self.dilation_rate = _args.int_pair("ConvLSTM2D", "dilation_rate", dilation_rate)
        self.padding = _padding("ConvLSTM2D", padding)
        self.data_format = _data_format("ConvLSTM2D", data_format)
        self.activation = _act.get(activation)
        self.recurrent_activation = _act.get(recurrent_activation)
        self.use_bias, self.unit_forget_bias = bool(use_bias), bool(unit_forget_bias)
        self.kernel_initializer = _init.get(kernel_initializer)
        self.recurrent_initializer = _init.get(recurrent_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.recurrent_regularizer = _reg.get(recurrent_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        for nm, rate in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0 <= float(rate) < 1:
                raise ValueError(f"ConvLSTM2D: {nm} must be in [0, 1), got {rate}")
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        self.return_sequences, self.return_state = bool(return_sequences), bool(return_state)
        self.go_backwards, self.stateful = bool(go_backwards), bool(stateful)
        self._states = None
        self._record(filters=self.filters, kernel_size=self.kernel_size, strides=self.strides,
                     padding=self.padding, data_format=self.data_format,
                     dilation_rate=self.dilation_rate, activation=self.activation,
                     recurrent_activation=self.recurrent_activation, use_bias=self.use_bias,
                     kernel_initializer=self.kernel_initializer,
                     recurrent_initializer=self.recurrent_initializer,
                     bias_initializer=self.bias_initializer,
                     unit_forget_bias=self.unit_forget_bias,
                     kernel_regularizer=self.kernel_regularizer,
                     recurrent_regularizer=self.recurrent_regularizer,
                     bias_regularizer=self.bias_regularizer,
                     return_sequences=self.return_sequences, return_state=self.return_state,
                     go_backwards=self.go_backwards, stateful=self.stateful,
                     dropout=self.dropout, recurrent_dropout=self.recurrent_dropout)

    def _bias_init(self, shape, dtype=np.float32):
        b = self.bias_initializer(shape, dtype)
        if self.unit_forget_bias:
            b[self.filters:2 * self.filters] = 1.0
        return b

    def build(self, input_shape):
        if len(input_shape) != 5:
            raise ValueError(f"{self.name}: expected 5-D input (batch, time, H, W, C) "
                             f"({self.data_format}), got {tuple(input_shape)}")
        C = input_shape[-1] if self.data_format == "channels_last" else input_shape[2]
        F = self.filters
        self.kernel = self.add_weight("kernel", self.kernel_size + (C, 4 * F),
                                      self.kernel_initializer, self.kernel_regularizer)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", self.kernel_size + (F, 4 * F),
                                                self.recurrent_initializer,
                                                self.recurrent_regularizer)
        self.bias = (self.add_weight("bias", (4 * F,), self._bias_init, self.bias_regularizer)
                     if self.use_bias else None)

    def _out_hw(self, hw):
        return tuple(_conv_len(n, k, s, self.padding, d) for n, k, s, d in
                     zip(hw, self.kernel_size, self.strides, self.dilation_rate))

    def compute_output_shape(self, s):
        cl = self.data_format == "channels_last"
        ohw = self._out_hw(s[2:4] if cl else s[3:5])
        one = ohw + (self.filters,) if cl else (self.filters,) + ohw
        out = (s[0], s[1]) + one if self.return_sequences else (s[0],) + one
        if self.return_state:
            return [out, (s[0],) + one, (s[0],) + one]
        return out

    def compute_mask(self, inputs, mask=None):
        return mask if self.return_sequences else None

    def reset_states(self, states=None):
        if not self.stateful:
            raise AttributeError(f"{self.name}: reset_states() needs stateful=True")
        self._states = (None if states is None else
                        [np.asarray(host(s), dtype=np.float32).copy() for s in states])

    def _gate_masks(self, xp, shape, rate, training):
        if not training or rate == 0:
            return None
        return [_ops.dropout(xp.ones(shape, dtype=np.float32), rate, training=True,
                             seed=_random.next_seed()) for _ in range(4)]

    def call(self, x, training=False, mask=None, initial_state=None):
        if x.ndim != 5:
            raise ValueError(f"{self.name}: expected 5-D input (batch, time, H, W, C), got shape "
                             f"{x.shape}")
        cf = self.data_format == "channels_first"
        if cf:
            x = B.transpose(x, (0, 1, 3, 4, 2))
        n, T, H, W, C = x.shape
        if C != self.kernel.shape[2]:
            raise ValueError(f"{self.name}: expected {self.kernel.shape[2]} input channels, got "
                             f"shape {x.shape} ({self.data_format})")
        F = self.filters
        xp = array_module(_raw(x))
        conv = dict(strides=self.strides, padding=self.padding, dilation=self.dilation_rate)
        x2 = B.reshape(x, (n * T, H, W, C))
        x_keep = self._gate_masks(xp, (n, 1, H, W, C), self.dropout, training)
        if x_keep is None:
            xz = _ops.conv2d(x2, self.kernel, self.bias, **conv)
            OH, OW = xz.shape[1:3]
            xz = B.reshape(xz, (n, T, OH, OW, 4 * F))
            xw = [B.getitem(xz, (Ellipsis, slice(g * F, (g + 1) * F))) for g in range(4)]
        else:  # Keras 2: one input dropout mask per gate
            xw = []
            for g in range(4):
                kg = B.getitem(self.kernel, (Ellipsis, slice(g * F, (g + 1) * F)))
                bg = None if self.bias is None else B.getitem(self.bias, slice(g * F, (g + 1) * F))
                y = _ops.conv2d(B.reshape(x * x_keep[g], (n * T, H, W, C)), kg, bg, **conv)
                xw.append(B.reshape(y, (n, T) + y.shape[1:]))
            OH, OW = xw[0].shape[2:4]
        if initial_state is not None:
            h, c = initial_state
            if cf:
                h, c = B.transpose(h, (0, 2, 3, 1)), B.transpose(c, (0, 2, 3, 1))
        elif self.stateful and self._states is not None:  # kept channels_last
            h, c = (xp.asarray(s) for s in self._states)
        else:
            h = c = xp.zeros((n, OH, OW, F), dtype=np.float32)
        h_keep = self._gate_masks(xp, (n, OH, OW, F), self.recurrent_dropout, training)
        rk = [B.getitem(self.recurrent_kernel, (Ellipsis, slice(g * F, (g + 1) * F)))
              for g in range(4)]
        m = None if mask is None else xp.asarray(_raw(mask)).astype(np.float32)
        ra, a = self.recurrent_activation, self.activation
        outs = []
        for t in (range(T - 1, -1, -1) if self.go_backwards else range(T)):
            if h_keep is None:
                rz = _ops.conv2d(h, self.recurrent_kernel, None, padding="same")
                rec = [B.getitem(rz, (Ellipsis, slice(g * F, (g + 1) * F))) for g in range(4)]
            else:
                rec = [_ops.conv2d(h * h_keep[g], rk[g], None, padding="same") for g in range(4)]
            pre = [B.getitem(xw[g], (slice(None), t)) + rec[g] for g in range(4)]
            i, f, o = ra(pre[0]), ra(pre[1]), ra(pre[3])
            c_new = f * c + i * a(pre[2])
            h_new = o * a(c_new)
            if m is not None:
                mt = m[:, t].reshape(n, 1, 1, 1)
                h_new, c_new = h + (h_new - h) * mt, c + (c_new - c) * mt
            h, c = h_new, c_new
            if self.return_sequences:
                outs.append(B.reshape(h, (n, 1, OH, OW, F)))
        if self.stateful:
            self._states = [np.array(_host(_raw(s))) for s in (h, c)]
        y = B.concatenate(outs, axis=1) if self.return_sequences else h
        if cf:
            y = B.transpose(y, (0, 1, 4, 2, 3) if self.return_sequences else (0, 3, 1, 2))
            h, c = B.transpose(h, (0, 3, 1, 2)), B.transpose(c, (0, 3, 1, 2))
        return [y, h, c] if self.return_state else y

    def _output_shape_for(self, input_shape, inputs, kwargs):
        s = self.compute_output_shape(input_shape)
        return [tuple(v) for v in s] if isinstance(s, list) else tuple(s)
