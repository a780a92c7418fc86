"""Recurrent-dropout recurrences (LSTM, GRU): validate, make contiguous, call the backend.

Signatures, layouts and the saved arrays: tensorforge.reference.rnn_dropout (Note [recurrent
dropout kernels]). Every argument is checked here with a message naming the op, the argument and
the shapes; the mask becomes 0/1 of the arrays' dtype; float64 runs the reference (Note [float64
kernels] in kernels/_common.py).
"""
from ._common import check_array, contiguous, kernel_for, same_dtype, shape_str
from .rnn import _check_acts, check_mask


def _check(op, name, a, shape, layout):
    if a is None:
        return None
    check_array(op, name, a, len(shape), layout)
    if tuple(a.shape) != tuple(shape):
        raise ValueError(f"{op}: {name} must have shape {layout} = {shape_str(shape)}, got "
                         f"{shape_str(a.shape)}")
    return contiguous(a)


def _dims(op, name, a, G, recurrent_kernel, h_keep, mask):
    """(T, B, U) from a (G, T, B, U) array; recurrent_kernel, h_keep and mask checked against it."""
    check_array(op, name, a, 4, "(gates, time, batch, units)")
    g, T, B, U = a.shape
    if g != G:
        raise ValueError(f"{op}: {name} must have {G} gates on axis 0 (gates, time, batch, "
                         f"units), got shape {shape_str(a.shape)}")
    rk = _check(op, "recurrent_kernel", recurrent_kernel, (U, G * U), f"(units, {G}*units)")
    keep = _check(op, "h_keep", h_keep, (G, B, U), "(gates, batch, units)")
    mask = check_mask(op, mask, B, T, a.dtype, f" for {name} {shape_str(a.shape)}")
    return (T, B, U), contiguous(a), rk, keep, mask


def lstm_dropout_forward(proj, recurrent_kernel, h_keep, h0=None, c0=None, mask=None,
                         go_backwards=False, activation="tanh", recurrent_activation="sigmoid"):
    """-> (outputs, h_T, c_T, gates, h_prev, c_prev); see reference.rnn_dropout."""
    op = "lstm_dropout"
    _check_acts(op, activation, recurrent_activation)
    (T, B, U), proj, rk, keep, mask = _dims(op, "proj", proj, 4, recurrent_kernel, h_keep, mask)
    h0 = _check(op, "h0", h0, (B, U), "(batch, units)")
    c0 = _check(op, "c0", c0, (B, U), "(batch, units)")
    same_dtype(op, proj=proj, recurrent_kernel=rk, h_keep=keep, h0=h0, c0=c0)
    return kernel_for(op, "lstm_dropout_forward", proj.dtype)(
        proj, rk, keep, h0, c0, mask, bool(go_backwards), activation, recurrent_activation)


def lstm_dropout_backward(d_outputs, d_h_T, d_c_T, recurrent_kernel, h_keep, mask, go_backwards,
                          activation, recurrent_activation, gates, c_prev):
    """-> (d_gates, dh0, dc0); d_outputs None counts as zeros."""
    op = "lstm_dropout_backward"
    _check_acts(op, activation, recurrent_activation)
    (T, B, U), gates, rk, keep, mask = _dims(op, "gates", gates, 4, recurrent_kernel, h_keep, mask)
    d_outputs = _check(op, "d_outputs", d_outputs, (B, T, U), "(batch, time, units)")
    d_h_T = _check(op, "d_h_T", d_h_T, (B, U), "(batch, units)")
    d_c_T = _check(op, "d_c_T", d_c_T, (B, U), "(batch, units)")
    c_prev = _check(op, "c_prev", c_prev, (T, B, U), "(time, batch, units)")
    same_dtype(op, gates=gates, recurrent_kernel=rk, h_keep=keep, d_outputs=d_outputs,
               d_h_T=d_h_T, d_c_T=d_c_T, c_prev=c_prev)
    return kernel_for(op, "lstm_dropout_backward", gates.dtype)(
        d_outputs, d_h_T, d_c_T, rk, keep, mask, bool(go_backwards), activation,
        recurrent_activation, gates, c_prev)


def gru_dropout_forward(proj, recurrent_kernel, rec_bias_h, h_keep, h0=None, mask=None,
                        go_backwards=False, reset_after=True, activation="tanh",
                        recurrent_activation="sigmoid"):
    """-> (outputs, h_T, gates, h_prev, rec_h); see reference.rnn_dropout."""
    op = "gru_dropout"
    _check_acts(op, activation, recurrent_activation)
    (T, B, U), proj, rk, keep, mask = _dims(op, "proj", proj, 3, recurrent_kernel, h_keep, mask)
    if rec_bias_h is not None and not reset_after:
        raise ValueError(f"{op}: rec_bias_h must be None for reset_after=False (its bias is in "
                         f"proj), got shape {shape_str(rec_bias_h.shape)}")
    rec_bias_h = _check(op, "rec_bias_h", rec_bias_h, (U,), "(units,)")
    h0 = _check(op, "h0", h0, (B, U), "(batch, units)")
    same_dtype(op, proj=proj, recurrent_kernel=rk, rec_bias_h=rec_bias_h, h_keep=keep, h0=h0)
    return kernel_for(op, "gru_dropout_forward", proj.dtype)(
        proj, rk, rec_bias_h, keep, h0, mask, bool(go_backwards), bool(reset_after), activation,
        recurrent_activation)


def gru_dropout_backward(d_outputs, d_h_T, recurrent_kernel, h_keep, mask, go_backwards,
                         reset_after, activation, recurrent_activation, gates, h_prev, rec_h):
    """-> (d_gates, d_rec, dh0); d_outputs None counts as zeros."""
    op = "gru_dropout_backward"
    _check_acts(op, activation, recurrent_activation)
    (T, B, U), gates, rk, keep, mask = _dims(op, "gates", gates, 3, recurrent_kernel, h_keep, mask)
    d_outputs = _check(op, "d_outputs", d_outputs, (B, T, U), "(batch, time, units)")
    d_h_T = _check(op, "d_h_T", d_h_T, (B, U), "(batch, units)")
    h_prev = _check(op, "h_prev", h_prev, (T, B, U), "(time, batch, units)")
    rec_h = _check(op, "rec_h", rec_h, (T, B, U), "(time, batch, units)")
    same_dtype(op, gates=gates, recurrent_kernel=rk, h_keep=keep, d_outputs=d_outputs,
               d_h_T=d_h_T, h_prev=h_prev, rec_h=rec_h)
    return kernel_for(op, "gru_dropout_backward", gates.dtype)(
        d_outputs, d_h_T, rk, keep, mask, bool(go_backwards), bool(reset_after), activation,
        recurrent_activation, gates, h_prev, rec_h)
