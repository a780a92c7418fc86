"""Public recurrent ops (Keras layouts): lstm, gru, simple_rnn over a whole sequence.

Arrays in -> arrays out. With Tensors requiring grad the call is one autograd node whose backward
is the fused BPTT kernel: gradients for x, kernel, recurrent_kernel, bias and the initial states,
from gradients arriving at the output sequence and/or at the final states.
See tensorforge.reference.rnn for layouts, mask and go_backwards semantics.
"""
from .. import kernels
from .._xp import array_module
from ..autograd import Function, Tensor
from ..kernels import rnn as krnn

__all__ = ["lstm", "gru", "simple_rnn"]


def _any_tensor(*xs):
    return any(isinstance(x, Tensor) for x in xs)


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def _contiguous(a):
    """``a`` itself when C-contiguous, else a C-contiguous copy (an input sliced from a window,
    ``features[:, :24, :]``, is a strided view; the kernels' backward refuse those)."""
    if a is None or getattr(a, "flags", None) is None or a.flags.c_contiguous:
        return a
    return array_module(a).ascontiguousarray(a)


class _LSTM(Function):
    @staticmethod
    def forward(ctx, x, kernel, recurrent_kernel, bias, h0, c0, mask=None, go_backwards=False,
                activation="tanh", recurrent_activation="sigmoid"):
        out, h, c, gates, h_prev, c_prev = krnn.lstm_forward(
            x, kernel, recurrent_kernel, bias, h0, c0, mask, go_backwards, activation,
            recurrent_activation)
        # gates/h_prev/c_prev: see the kernel's Note [saved for backward] in csrc/cpu/rnn_impl.h.
        # the kernel read contiguous copies of strided inputs and weights (a transposed kernel);
        # its backward needs them too
        x, kernel, recurrent_kernel = (_contiguous(a) for a in (x, kernel, recurrent_kernel))
        ctx.save_for_backward(x, kernel, recurrent_kernel, gates, h_prev, c_prev)
        ctx.meta = (mask if mask is None else (mask != 0).astype("float32"), go_backwards,
                    activation, recurrent_activation, bias is not None, h0 is not None,
                    c0 is not None)
        return out, h, c

    @staticmethod
    def backward(ctx, g_out, g_h, g_c):
        x, kernel, recurrent_kernel, gates, h_prev, c_prev = ctx.saved
        mask, go_back, act, rec_act, has_b, has_h0, has_c0 = ctx.meta
        dx, dk, drk, db, dh0, dc0 = krnn.lstm_backward(
            g_out, g_h, g_c, x, kernel, recurrent_kernel, mask, go_back, act, rec_act, gates,
            h_prev, c_prev)
        return (dx, dk, drk, db if has_b else None, dh0 if has_h0 else None,
                dc0 if has_c0 else None)


class _GRU(Function):
    @staticmethod
    def forward(ctx, x, kernel, recurrent_kernel, bias, h0, mask=None, go_backwards=False,
                reset_after=True, activation="tanh", recurrent_activation="sigmoid"):
        out, h, gates, h_prev, rec_h = krnn.gru_forward(
            x, kernel, recurrent_kernel, bias, h0, mask, go_backwards, reset_after, activation,
            recurrent_activation)
        # the kernel read contiguous copies of strided inputs and weights (a transposed kernel);
        # its backward needs them too
        x, kernel, recurrent_kernel = (_contiguous(a) for a in (x, kernel, recurrent_kernel))
        ctx.save_for_backward(x, kernel, recurrent_kernel, gates, h_prev, rec_h)
        ctx.meta = (mask if mask is None else (mask != 0).astype("float32"), go_backwards,
                    reset_after, activation, recurrent_activation, bias is not None,
                    h0 is not None)
        return out, h

    @staticmethod
    def backward(ctx, g_out, g_h):
        x, kernel, recurrent_kernel, gates, h_prev, rec_h = ctx.saved
        mask, go_back, reset_after, act, rec_act, has_b, has_h0 = ctx.meta
        dx, dk, drk, db, dh0 = krnn.gru_backward(
            g_out, g_h, x, kernel, recurrent_kernel, mask, go_back, reset_after, act, rec_act,
            gates, h_prev, rec_h)
        return dx, dk, drk, db if has_b else None, dh0 if has_h0 else None


class _SimpleRNN(Function):
    @staticmethod
    def forward(ctx, x, kernel, recurrent_kernel, bias, h0, mask=None, go_backwards=False,
                activation="tanh"):
        out, h, cand, h_prev = krnn.simple_rnn_forward(
            x, kernel, recurrent_kernel, bias, h0, mask, go_backwards, activation)
        # the kernel read contiguous copies of strided inputs and weights (a transposed kernel);
        # its backward needs them too
        x, kernel, recurrent_kernel = (_contiguous(a) for a in (x, kernel, recurrent_kernel))
        ctx.save_for_backward(x, kernel, recurrent_kernel, cand, h_prev)
        ctx.meta = (mask if mask is None else (mask != 0).astype("float32"), go_backwards,
                    activation, bias is not None, h0 is not None)
        return out, h

    @staticmethod
    def backward(ctx, g_out, g_h):
        x, kernel, recurrent_kernel, cand, h_prev = ctx.saved
        mask, go_back, act, has_b, has_h0 = ctx.meta
        dx, dk, drk, db, dh0 = krnn.simple_rnn_backward(
            g_out, g_h, x, kernel, recurrent_kernel, mask, go_back, act, cand, h_prev)
        return dx, dk, drk, db if has_b else None, dh0 if has_h0 else None


def lstm(x, kernel, recurrent_kernel, bias, h0=None, c0=None, mask=None, go_backwards=False,
         activation="tanh", recurrent_activation="sigmoid"):
    """LSTM over a whole sequence -> (outputs (B, T, U), h_T (B, U), c_T (B, U)).

    Keras layout: kernel (F, 4U), recurrent_kernel (U, 4U), bias (4U,) or None, gates i, f, c, o.
    mask (B, T) bool/0-1: where 0 the state and output carry over. go_backwards: Keras semantics.
    """
    mask = _raw(mask)
    if _any_tensor(x, kernel, recurrent_kernel, bias, h0, c0):
        return _LSTM.apply(x, kernel, recurrent_kernel, bias, h0, c0, mask=mask,
                           go_backwards=go_backwards, activation=activation,
                           recurrent_activation=recurrent_activation)
    return kernels.rnn.lstm_forward(x, kernel, recurrent_kernel, bias, h0, c0, mask, go_backwards,
                                    activation, recurrent_activation)[:3]


def gru(x, kernel, recurrent_kernel, bias, h0=None, mask=None, go_backwards=False, reset_after=True,
        activation="tanh", recurrent_activation="sigmoid"):
    """GRU over a whole sequence -> (outputs (B, T, U), h_T (B, U)).

    Keras layout: kernel (F, 3U), recurrent_kernel (U, 3U), gates z, r, h; bias (2, 3U) when
    reset_after (TF2 / Keras 3 default) else (3U,) (Keras 2.3 default), or None.
    """
    mask = _raw(mask)
    if _any_tensor(x, kernel, recurrent_kernel, bias, h0):
        return _GRU.apply(x, kernel, recurrent_kernel, bias, h0, mask=mask,
                          go_backwards=go_backwards, reset_after=reset_after,
                          activation=activation, recurrent_activation=recurrent_activation)
    return kernels.rnn.gru_forward(x, kernel, recurrent_kernel, bias, h0, mask, go_backwards,
                                   reset_after, activation, recurrent_activation)[:2]


def simple_rnn(x, kernel, recurrent_kernel, bias, h0=None, mask=None, go_backwards=False,
               activation="tanh"):
    """SimpleRNN: h_t = act(x_t W + h_{t-1} U + b) -> (outputs (B, T, U), h_T (B, U))."""
    mask = _raw(mask)
    if _any_tensor(x, kernel, recurrent_kernel, bias, h0):
        return _SimpleRNN.apply(x, kernel, recurrent_kernel, bias, h0, mask=mask,
                                go_backwards=go_backwards, activation=activation)
    return kernels.rnn.simple_rnn_forward(x, kernel, recurrent_kernel, bias, h0, mask,
                                          go_backwards, activation)[:2]
