"""Recurrent entry points (LSTM, GRU, SimpleRNN): validate, make contiguous, call the backend.

Signatures and saved arrays are documented in tensorforge.reference.rnn. Here every argument is
checked with a message naming the op, the argument and the shapes; the mask is normalized to
0/1 of x's dtype; float64 runs the reference (Note [float64 kernels] in kernels/_common.py); optional states/bias stay None (the kernels treat None as zeros / no bias).
"""

from .._xp import array_module
from ._common import check_array, contiguous, kernel_for, same_dtype, shape_str

ACTIVATIONS = ("tanh", "relu")
RECURRENT_ACTIVATIONS = ("sigmoid", "hard_sigmoid")


def _check_acts(op, activation, recurrent_activation=None):
    if activation not in ACTIVATIONS:
        raise ValueError(f"{op}: activation must be one of {ACTIVATIONS}, got {activation!r}")
    if recurrent_activation is not None and recurrent_activation not in RECURRENT_ACTIVATIONS:
        raise ValueError(f"{op}: recurrent_activation must be one of {RECURRENT_ACTIVATIONS}, "
                         f"got {recurrent_activation!r}")


def check_mask(op, mask, B, T, dtype, context=""):
    """A (batch, time) mask of bools or numbers as 0/1 of ``dtype``; None stays None."""
    if mask is None:
        return None
    check_array(op, "mask", mask, 2, "(batch, time)", dtypes=None)
    if mask.shape != (B, T):
        raise ValueError(f"{op}: mask must have shape (batch, time) = {shape_str((B, T))}{context}, "
                         f"got {shape_str(mask.shape)}")
    if mask.dtype.kind not in "biuf":
        raise TypeError(f"{op}: mask must be bool or numeric, got {mask.dtype}")
    return (mask != 0).astype(dtype)


def _check_common(op, G, x, kernel, recurrent_kernel, bias, bias_shape, states, mask):
    """Validate (x, kernel, recurrent_kernel, bias, states..., mask); return them contiguous."""
    check_array(op, "x", x, 3, "(batch, time, features)")
    B, T, F = x.shape
    check_array(op, "recurrent_kernel", recurrent_kernel, 2, f"(units, {G}*units)")
    U = recurrent_kernel.shape[0]
    if recurrent_kernel.shape != (U, G * U):
        raise ValueError(f"{op}: recurrent_kernel must have shape (units, {G}*units) = "
                         f"{shape_str((U, G * U))} for units = {U}, got {shape_str(recurrent_kernel.shape)}")
    check_array(op, "kernel", kernel, 2, f"(features, {G}*units)")
    if kernel.shape != (F, G * U):
        raise ValueError(f"{op}: kernel must have shape (features, {G}*units) = {shape_str((F, G * U))} "
                         f"for x {shape_str(x.shape)} and units = {U}, got {shape_str(kernel.shape)}")
    if bias is not None:
        check_array(op, "bias", bias)
        if tuple(bias.shape) != bias_shape:
            raise ValueError(f"{op}: bias must have shape {shape_str(bias_shape)} for units = {U}, "
                             f"got {shape_str(bias.shape)}")
        bias = contiguous(bias)
    out_states = []
    for name, s in states:
        if s is not None:
            check_array(op, name, s, 2, "(batch, units)")
            if s.shape != (B, U):
                raise ValueError(f"{op}: {name} must have shape (batch, units) = {shape_str((B, U))}, "
                                 f"got {shape_str(s.shape)}")
            s = contiguous(s)
        out_states.append(s)
    mask = check_mask(op, mask, B, T, x.dtype, f" for x {shape_str(x.shape)}")
    same_dtype(op, x=x, kernel=kernel, recurrent_kernel=recurrent_kernel, bias=bias,
               **{name: s for (name, _), s in zip(states, out_states)})
    return contiguous(x), contiguous(kernel), contiguous(recurrent_kernel), bias, out_states, mask


def _check_grad(op, name, g, shape):
    check_array(op, name, g, len(shape))
    if tuple(g.shape) != tuple(shape):
        raise ValueError(f"{op}: {name} must have shape {shape_str(shape)}, got {shape_str(g.shape)}")
    return contiguous(g)


def _check_backward(op, G, x, kernel, recurrent_kernel, mask, saved):
    """Validate the arrays a backward pass re-reads (x, the weights, the mask and the forward's
    saved arrays, as (name, array, width in units) triples); return (B, T, U, mask, saved)."""
    check_array(op, "x", x, 3, "(batch, time, features)")
    check_array(op, "recurrent_kernel", recurrent_kernel, 2, f"(units, {G}*units)")
    B, T, F = x.shape
    U = recurrent_kernel.shape[0]
    if recurrent_kernel.shape != (U, G * U):
        raise ValueError(f"{op}: recurrent_kernel must have shape (units, {G}*units) = "
                         f"{shape_str((U, G * U))}, got {shape_str(recurrent_kernel.shape)}")
    check_array(op, "kernel", kernel, 2, f"(features, {G}*units)")
    if kernel.shape != (F, G * U):
        raise ValueError(f"{op}: kernel must have shape {shape_str((F, G * U))} for x "
                         f"{shape_str(x.shape)}, got {shape_str(kernel.shape)}")
    mask = check_mask(op, mask, B, T, x.dtype)
    out = [_check_grad(op, name, a, (B, T, w * U)) for name, a, w in saved]
    return B, T, U, mask, out


def _zeros_if_none(g, shape, like):
    return array_module(like).zeros(shape, dtype=like.dtype) if g is None else g


# ---- LSTM -----------------------------------------------------------------------------------
def lstm_forward(x, kernel, recurrent_kernel, bias=None, h0=None, c0=None, mask=None,
                 go_backwards=False, activation="tanh", recurrent_activation="sigmoid"):
    """-> (outputs, h_T, c_T, gates, h_prev, c_prev); see reference.rnn."""
    op = "lstm"
    _check_acts(op, activation, recurrent_activation)
    U = recurrent_kernel.shape[0] if getattr(recurrent_kernel, "ndim", 0) == 2 else 0
    x, kernel, recurrent_kernel, bias, (h0, c0), mask = _check_common(
        op, 4, x, kernel, recurrent_kernel, bias, (4 * U,), [("h0", h0), ("c0", c0)], mask)
    return kernel_for(op, "lstm_forward", x.dtype)(x, kernel, recurrent_kernel, bias, h0, c0, mask,
                                          bool(go_backwards), activation, recurrent_activation)


def lstm_backward(d_outputs, d_h_T, d_c_T, x, kernel, recurrent_kernel, mask, go_backwards,
                  activation, recurrent_activation, gates, h_prev, c_prev):
    """-> (dx, dkernel, drecurrent_kernel, dbias, dh0, dc0). None gradients count as zeros."""
    op = "lstm_backward"
    B, T, U, mask, (gates, h_prev, c_prev) = _check_backward(
        op, 4, x, kernel, recurrent_kernel, mask, [("gates", gates, 4), ("h_prev", h_prev, 1),
                                                   ("c_prev", c_prev, 1)])
    _check_acts(op, activation, recurrent_activation)
    d_outputs = _check_grad(op, "d_outputs", _zeros_if_none(d_outputs, (B, T, U), x), (B, T, U))
    d_h_T = _check_grad(op, "d_h_T", _zeros_if_none(d_h_T, (B, U), x), (B, U))
    d_c_T = _check_grad(op, "d_c_T", _zeros_if_none(d_c_T, (B, U), x), (B, U))
    return kernel_for(op, "lstm_backward", x.dtype)(d_outputs, d_h_T, d_c_T, x, kernel, recurrent_kernel,
                                           mask, bool(go_backwards), activation,
                                           recurrent_activation, gates, h_prev, c_prev)


# ---- GRU ------------------------------------------------------------------------------------
def gru_forward(x, kernel, recurrent_kernel, bias=None, h0=None, mask=None, go_backwards=False,
                reset_after=True, activation="tanh", recurrent_activation="sigmoid"):
    """-> (outputs, h_T, gates, h_prev, rec_h); see reference.rnn."""
    op = "gru"
    _check_acts(op, activation, recurrent_activation)
    U = recurrent_kernel.shape[0] if getattr(recurrent_kernel, "ndim", 0) == 2 else 0
    bshape = (2, 3 * U) if reset_after else (3 * U,)
    x, kernel, recurrent_kernel, bias, (h0,), mask = _check_common(
        op, 3, x, kernel, recurrent_kernel, bias, bshape, [("h0", h0)], mask)
    return kernel_for(op, "gru_forward", x.dtype)(x, kernel, recurrent_kernel, bias, h0, mask,
                                         bool(go_backwards), bool(reset_after), activation,
                                         recurrent_activation)


def gru_backward(d_outputs, d_h_T, x, kernel, recurrent_kernel, mask, go_backwards, reset_after,
                 activation, recurrent_activation, gates, h_prev, rec_h):
    """-> (dx, dkernel, drecurrent_kernel, dbias, dh0)."""
    op = "gru_backward"
    B, T, U, mask, (gates, h_prev, rec_h) = _check_backward(
        op, 3, x, kernel, recurrent_kernel, mask, [("gates", gates, 3), ("h_prev", h_prev, 1),
                                                   ("rec_h", rec_h, 1)])
    _check_acts(op, activation, recurrent_activation)
    d_outputs = _check_grad(op, "d_outputs", _zeros_if_none(d_outputs, (B, T, U), x), (B, T, U))
    d_h_T = _check_grad(op, "d_h_T", _zeros_if_none(d_h_T, (B, U), x), (B, U))
    return kernel_for(op, "gru_backward", x.dtype)(d_outputs, d_h_T, x, kernel, recurrent_kernel, mask,
                                          bool(go_backwards), bool(reset_after), activation,
                                          recurrent_activation, gates, h_prev, rec_h)


# ---- SimpleRNN ------------------------------------------------------------------------------
def simple_rnn_forward(x, kernel, recurrent_kernel, bias=None, h0=None, mask=None,
                       go_backwards=False, activation="tanh"):
    """-> (outputs, h_T, cand, h_prev); see reference.rnn."""
    op = "simple_rnn"
    _check_acts(op, activation)
    U = recurrent_kernel.shape[0] if getattr(recurrent_kernel, "ndim", 0) == 2 else 0
    x, kernel, recurrent_kernel, bias, (h0,), mask = _check_common(
        op, 1, x, kernel, recurrent_kernel, bias, (U,), [("h0", h0)], mask)
    return kernel_for(op, "simple_rnn_forward", x.dtype)(x, kernel, recurrent_kernel, bias, h0, mask,
                                                bool(go_backwards), activation)


def simple_rnn_backward(d_outputs, d_h_T, x, kernel, recurrent_kernel, mask, go_backwards,
                        activation, cand, h_prev):
    """-> (dx, dkernel, drecurrent_kernel, dbias, dh0)."""
    op = "simple_rnn_backward"
    B, T, U, mask, (cand, h_prev) = _check_backward(
        op, 1, x, kernel, recurrent_kernel, mask, [("cand", cand, 1), ("h_prev", h_prev, 1)])
    _check_acts(op, activation)
    d_outputs = _check_grad(op, "d_outputs", _zeros_if_none(d_outputs, (B, T, U), x), (B, T, U))
    d_h_T = _check_grad(op, "d_h_T", _zeros_if_none(d_h_T, (B, U), x), (B, U))
    return kernel_for(op, "simple_rnn_backward", x.dtype)(d_outputs, d_h_T, x, kernel, recurrent_kernel,
                                                 mask, bool(go_backwards), activation, cand, h_prev)
