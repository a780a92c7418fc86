"""ConvLSTM1D / ConvLSTM2D / ConvLSTM3D (Keras 2's keras/layers/convolutional_recurrent.py):
an LSTM whose input and recurrent transformations are convolutions of rank 1, 2 or 3, one class
(_ConvLSTM) for the three. Runs on ops.conv2d (native on the cpu backend; rank 1 on (N, 1, W, C)
views, rank 3 through ops.conv3d), a Python loop over time with one 'same' recurrent
convolution per step. With built-in activations and no dropout or mask, each step is one fused
op (the input convolution of the step, then _ConvLSTMStep: Note [fused ConvLSTM step]);
otherwise the input convolution of every time step runs at once ((B * T, *spatial, C) through
one convolution) and the step is written op by op.

Layouts (Keras 2): input (B, T, *spatial, C) (channels_last) or (B, T, C, *spatial); kernel
(*kernel_size, C, 4F), recurrent_kernel (*kernel_size, F, 4F), bias (4F,), gate order i, f, c,
o; recurrent_activation defaults to hard_sigmoid as in Keras 2.
"""
import numpy as np

from .. import _random
from .. import activations as _act
from .. import initializers as _init
from .. import kernels
from .. import ops as _ops
from .. import regularizers as _reg
from .._device import to_host as _host
from .._xp import array_module, host
from ..autograd import Function, Tensor
from . import _args
from ..engine.base_layer import Layer
from ..engine.dtype_policy import float_dtype as _float_dtype
from ..ops import basic as B
from ._conv_utils import _conv_len, _data_format, _padding, _single, _triple


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def _tuple(rank, layer, name, v):
    """Keras 2's normalize_tuple(v, rank) for a ConvLSTM argument."""
    if rank == 1:
        return (_single(v, f"{layer}: {name}"),)
    if rank == 2:
        return _args.int_pair(layer, name, v)
    return _triple(v, f"{layer}: {name}")


def _conv(x, w, b, strides, padding, dilation):
    """x (M, *spatial, C) convolved with w (*kernel_size, C, F): rank 1 as conv2d on
    (M, 1, W, C), rank 2 conv2d, rank 3 conv3d."""
    rank = x.ndim - 2
    if rank == 2:
        return _ops.conv2d(x, w, b, strides=strides, padding=padding, dilation=dilation)
    if rank == 3:
        return _ops.conv3d(x, w, b, strides, padding, dilation)
    y = _ops.conv2d(B.reshape(x, (x.shape[0], 1) + tuple(x.shape[1:])),
                    B.reshape(w, (1,) + tuple(w.shape)), b, strides=(1, strides[0]),
                    padding=padding, dilation=(1, dilation[0]))
    return B.reshape(y, (y.shape[0],) + tuple(y.shape[2:]))


# the activations the fused step runs through the pointwise kernels (no extra arguments)
_FUSED_KINDS = ("linear", "relu", "sigmoid", "hard_sigmoid", "tanh", "softplus", "selu")


def _act_kind(fn):
    """The pointwise kernels' name of a built-in Keras activation (activations.tanh -> 'tanh'),
    or None for anything else (a user function, relu with arguments through a lambda)."""
    name = getattr(fn, "__name__", None)
    return name if name in _FUSED_KINDS and _act._BY_NAME.get(name) is fn else None


class _ConvLSTMStep(Function):
    """One ConvLSTM step from its gates' pre-activations xz + rz (..., 4F; order i, f, c, o):
    c' = f * c + i * act(z_c), h = o * act(c'). Saves its inputs and c' (arrays the graph
    holds anyway) and recomputes the gates in backward. Note [fused ConvLSTM step]: the step
    written as separate ops kept some thirty arrays of a step alive until backward (every op
    node holds its inputs), ~39 MB per sample and step for 64 filters on 64x64 frames: keras-io's
    conv_lstm.py (three such layers, batches of 5 clips of 19 frames) was OOM-killed at
    12.9 GB where Keras 2 trains it; now ~15 MB per sample and step."""

    @staticmethod
    def _gates(xz, rz, c, kinds):
        ra, a = kinds
        xp, F = array_module(xz), c.shape[-1]
        z = xz + rz
        zs = [xp.ascontiguousarray(z[..., k * F:(k + 1) * F]) for k in range(4)]
        i, f, g, o = (kernels.act_forward(zs[k], a if k == 2 else ra) for k in range(4))
        return zs, i, f, g, o

    @staticmethod
    def forward(ctx, xz, rz, c, kinds):
        _, i, f, g, o = _ConvLSTMStep._gates(xz, rz, c, kinds)
        c_new = f * c + i * g
        h = o * kernels.act_forward(c_new, kinds[1])
        ctx.save_for_backward(xz, rz, c, c_new)
        ctx.kinds = kinds
        return h, c_new

    @staticmethod
    def backward(ctx, gh, gc):
        xz, rz, c, c_new = ctx.saved
        ra, a = ctx.kinds
        zs, i, f, g, o = _ConvLSTMStep._gates(xz, rz, c, ctx.kinds)
        xp = array_module(xz)
        dc = xp.zeros_like(c_new) if gc is None else gc
        do = xp.zeros_like(c_new)
        if gh is not None:
            ac = kernels.act_forward(c_new, a)
            do = kernels.act_backward(gh * ac, zs[3], o, ra)
            dc = dc + kernels.act_backward(gh * o, c_new, ac, a)
        dz = xp.concatenate([kernels.act_backward(dc * g, zs[0], i, ra),
                             kernels.act_backward(dc * c, zs[1], f, ra),
                             kernels.act_backward(dc * i, zs[2], g, a), do], axis=-1)
        return dz, dz.copy(), dc * f, None


class _ConvLSTM(Layer):
    """The ConvLSTM of rank ``_rank`` (1, 2 or 3; See the module doc)."""
    _spec_from_build = True
    supports_masking = True
    _rank = 2

    def __init__(self, filters, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation="tanh", recurrent_activation="hard_sigmoid",
                 use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, dropout=0.0,
                 recurrent_dropout=0.0, **kwargs):
        # Keras 2's ConvRNN arguments, in its configs: unroll (a graph-building hint, no effect
        # on the result here) and time_major (only False, Keras 2's default)
        self.unroll = bool(kwargs.pop("unroll", False))
        if kwargs.pop("time_major", False):
            raise NotImplementedError(f"{type(self).__name__}: time_major=True is not supported")
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._set_constraints(kernel_constraint=kernel_constraint,
                              recurrent_constraint=recurrent_constraint,
                              bias_constraint=bias_constraint)
        nm, r = type(self).__name__, self._rank
        self.filters = _args.positive_int(nm, "filters", filters)
        self.kernel_size = _tuple(r, nm, "kernel_size", kernel_size)
        self.strides = _tuple(r, nm, "strides", strides)
        self.dilation_rate = _tuple(r, nm, "dilation_rate", dilation_rate)
        self.padding = _padding(nm, padding)
        self.data_format = _data_format(nm, data_format)
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
                raise ValueError(f"{type(self).__name__}: {nm} must be in [0, 1), got {rate}")
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
                     dropout=self.dropout, recurrent_dropout=self.recurrent_dropout,
                     unroll=self.unroll, time_major=False)

    def _bias_init(self, shape, dtype=np.float32):
        b = self.bias_initializer(shape, dtype)
        if self.unit_forget_bias:
            b[self.filters:2 * self.filters] = 1.0
        return b

    def build(self, input_shape):
        if len(input_shape) != self._rank + 3:
            raise ValueError(f"{self.name}: expected {self._rank + 3}-D input (batch, time, "
                             f"{self._layout}, C) ({self.data_format}), got {tuple(input_shape)}")
        C = input_shape[-1] if self.data_format == "channels_last" else input_shape[2]
        F = self.filters
        if C is None:
            raise ValueError(f"{self.name}: the channel dimension of the input must be known, "
                             f"got {tuple(input_shape)}")
        self.kernel = self.add_weight("kernel", self.kernel_size + (C, 4 * F),
                                      self.kernel_initializer, self.kernel_regularizer)
        self.recurrent_kernel = self.add_weight("recurrent_kernel", self.kernel_size + (F, 4 * F),
                                                self.recurrent_initializer,
                                                self.recurrent_regularizer)
        self.bias = (self.add_weight("bias", (4 * F,), self._bias_init, self.bias_regularizer)
                     if self.use_bias else None)

    @property
    def _layout(self):
        return ("W", "H, W", "D, H, W")[self._rank - 1]

    def _out_hw(self, hw):
        return tuple(_conv_len(n, k, s, self.padding, d) for n, k, s, d in
                     zip(hw, self.kernel_size, self.strides, self.dilation_rate))

    def compute_output_shape(self, s):
        cl, r = self.data_format == "channels_last", self._rank
        ohw = self._out_hw(s[2:2 + r] if cl else s[3:3 + r])
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
                        [np.asarray(host(s), dtype=_float_dtype(self)).copy() for s in states])

    def _gate_masks(self, xp, shape, rate, training):
        if not training or rate == 0:
            return None
        return [_ops.dropout(xp.ones(shape, dtype=np.float32), rate, training=True,
                             seed=_random.next_seed()) for _ in range(4)]

    def call(self, x, training=False, mask=None, initial_state=None):
        r = self._rank
        if x.ndim != r + 3:
            raise ValueError(f"{self.name}: expected {r + 3}-D input (batch, time, {self._layout}, "
                             f"C), got shape {x.shape}")
        cf = self.data_format == "channels_first"
        if cf:
            x = B.transpose(x, (0, 1) + tuple(range(3, 3 + r)) + (2,))
        n, T, sp, C = x.shape[0], x.shape[1], tuple(x.shape[2:-1]), x.shape[-1]
        if C != self.kernel.shape[r]:
            raise ValueError(f"{self.name}: expected {self.kernel.shape[r]} input channels, got "
                             f"shape {x.shape} ({self.data_format})")
        F = self.filters
        xp = array_module(_raw(x))
        geom = (self.strides, self.padding, self.dilation_rate)
        x2 = B.reshape(x, (n * T,) + sp + (C,))
        x_keep = self._gate_masks(xp, (n, 1) + sp + (C,), self.dropout, training)
        kinds = (_act_kind(self.recurrent_activation), _act_kind(self.activation))
        fused = None not in kinds and x_keep is None and mask is None and \
            not (training and self.recurrent_dropout)  # Note [fused ConvLSTM step]
        if fused:  # the input convolution step by step too: no (B, T, ..., 4F) array kept
            osp = self._out_hw(sp)
        elif x_keep is None:
            xz = _conv(x2, self.kernel, self.bias, *geom)
            osp = tuple(xz.shape[1:-1])
            xz = B.reshape(xz, (n, T) + osp + (4 * F,))
            xw = [B.getitem(xz, (Ellipsis, slice(g * F, (g + 1) * F))) for g in range(4)]
        else:  # Keras 2: one input dropout mask per gate
            xw = []
            for g in range(4):
                kg = B.getitem(self.kernel, (Ellipsis, slice(g * F, (g + 1) * F)))
                bg = None if self.bias is None else B.getitem(self.bias, slice(g * F, (g + 1) * F))
                y = _conv(B.reshape(x * x_keep[g], (n * T,) + sp + (C,)), kg, bg, *geom)
                xw.append(B.reshape(y, (n, T) + tuple(y.shape[1:])))
            osp = tuple(xw[0].shape[2:-1])
        if initial_state is not None:
            h, c = initial_state
            if cf:
                to_last = (0,) + tuple(range(2, 2 + r)) + (1,)
                h, c = B.transpose(h, to_last), B.transpose(c, to_last)
        elif self.stateful and self._states is not None:  # kept channels_last
            h, c = (xp.asarray(s) for s in self._states)
        else:
            h = c = xp.zeros((n,) + osp + (F,), dtype=_raw(x).dtype)
        h_keep = self._gate_masks(xp, (n,) + osp + (F,), self.recurrent_dropout, training)
        same = ((1,) * r, "same", (1,) * r)
        rk = [B.getitem(self.recurrent_kernel, (Ellipsis, slice(g * F, (g + 1) * F)))
              for g in range(4)]
        m = None if mask is None else xp.asarray(_raw(mask)).astype(np.float32)
        ra, a = self.recurrent_activation, self.activation
        outs = []
        for t in (range(T - 1, -1, -1) if self.go_backwards else range(T)):
            if fused:
                xz = _conv(B.getitem(x, (slice(None), t)), self.kernel, self.bias, *geom)
                h, c = _ConvLSTMStep.apply(xz, _conv(h, self.recurrent_kernel, None, *same), c,
                                           kinds)
                if self.return_sequences:
                    outs.append(B.reshape(h, (n, 1) + osp + (F,)))
                continue
            if h_keep is None:
                rz = _conv(h, self.recurrent_kernel, None, *same)
                rec = [B.getitem(rz, (Ellipsis, slice(g * F, (g + 1) * F))) for g in range(4)]
            else:
                rec = [_conv(h * h_keep[g], rk[g], None, *same) for g in range(4)]
            pre = [B.getitem(xw[g], (slice(None), t)) + rec[g] for g in range(4)]
            i, f, o = ra(pre[0]), ra(pre[1]), ra(pre[3])
            c_new = f * c + i * a(pre[2])
            h_new = o * a(c_new)
            if m is not None:
                mt = m[:, t].reshape((n,) + (1,) * (r + 1))
                h_new, c_new = h + (h_new - h) * mt, c + (c_new - c) * mt
            h, c = h_new, c_new
            if self.return_sequences:
                outs.append(B.reshape(h, (n, 1) + osp + (F,)))
        if self.stateful:
            self._states = [np.array(_host(_raw(s))) for s in (h, c)]
        y = B.concatenate(outs, axis=1) if self.return_sequences else h
        if cf:
            to_first = (0, 1 + r) + tuple(range(1, 1 + r))
            y = B.transpose(y, (0, 1, 2 + r) + tuple(range(2, 2 + r)) if self.return_sequences
                            else to_first)
            h, c = B.transpose(h, to_first), B.transpose(c, to_first)
        return [y, h, c] if self.return_state else y

    def _output_shape_for(self, input_shape, inputs, kwargs):
        s = self.compute_output_shape(input_shape)
        return [tuple(v) for v in s] if isinstance(s, list) else tuple(s)


class ConvLSTM1D(_ConvLSTM):
    """Keras 2's ConvLSTM1D: input (B, T, W, C), kernel (K, C, 4F)."""
    _rank = 1


class ConvLSTM2D(_ConvLSTM):
    """Keras 2's ConvLSTM2D: input (B, T, H, W, C), kernel (KH, KW, C, 4F)."""
    _rank = 2


class ConvLSTM3D(_ConvLSTM):
    """Keras 2's ConvLSTM3D: input (B, T, D, H, W, C), kernel (KD, KH, KW, C, 4F)."""
    _rank = 3
