"""Reference recurrent kernels: LSTM, GRU and SimpleRNN over a whole sequence, forward and BPTT.

The NumPy (or CuPy) twin of csrc/cpu/rnn_*.cpp: same names, same signatures, same saved arrays.
Vectorized over the batch; a Python loop over time steps.

Dimensions: B batch, T time, F features, U units, G gates (LSTM 4, GRU 3, SimpleRNN 1).
Layouts (Keras): x (B, T, F); kernel (F, G*U); recurrent_kernel (U, G*U).
LSTM gate order i, f, c, o; bias (4U,). GRU gate order z, r, h; bias (2, 3U) when reset_after
(row 0 input bias, row 1 recurrent bias) else (3U,). SimpleRNN bias (U,). bias may be None.

Common arguments
  h0, c0     (B, U) initial states or None (zeros).
  mask       (B, T) float32 (0 or 1) or None. Where mask[b, t] == 0 the step that reads x[b, t]
             leaves the state unchanged and its output repeats the previous state (the initial
             state before the first real step). Gradients follow: that step passes dh (and dc)
             straight through and gives no gate gradient.
  go_backwards  process x[:, T-1] first; outputs are in processing order (outputs[:, s] is the
             step that read x[:, T-1-s]); Keras semantics.
  activation 'tanh' or 'relu';  recurrent_activation 'sigmoid' or 'hard_sigmoid'
             (Keras 2: clip(0.2 z + 0.5, 0, 1)).

Saved arrays ("saved..." below) are indexed like x, by the time index t of the input the step
read (not by processing order): the weight gradients then are one GEMM over (B*T) rows against
x (dkernel = X^T dGates) and against the saved previous states (drecurrent = Hprev^T dGates).

Array-level API (identical in tensorforge._C; the CUDA module mirrors it)

  lstm_forward(x, kernel, recurrent_kernel, bias, h0, c0, mask, go_backwards, activation,
               recurrent_activation)
      -> (outputs (B, T, U), h_T (B, U), c_T (B, U), gates (B, T, 4U), h_prev (B, T, U),
          c_prev (B, T, U))
      gates: activated i, f, g, o of every step; h_prev/c_prev: the state entering the step.
  lstm_backward(d_outputs, d_h_T, d_c_T, x, kernel, recurrent_kernel, mask, go_backwards,
                activation, recurrent_activation, gates, h_prev, c_prev)
      -> (dx (B, T, F), dkernel (F, 4U), drecurrent_kernel (U, 4U), dbias (4U,), dh0 (B, U),
          dc0 (B, U))

  gru_forward(x, kernel, recurrent_kernel, bias, h0, mask, go_backwards, reset_after, activation,
              recurrent_activation)
      -> (outputs (B, T, U), h_T (B, U), gates (B, T, 3U), h_prev (B, T, U), rec_h (B, T, U))
      gates: activated z, r, hh; rec_h: reset_after: h_prev @ U_h + b_rec_h (before the reset
      gate multiplies it); not reset_after: r * h_prev (the input of the candidate's recurrent
      GEMM).
  gru_backward(d_outputs, d_h_T, x, kernel, recurrent_kernel, mask, go_backwards, reset_after,
               activation, recurrent_activation, gates, h_prev, rec_h)
      -> (dx, dkernel (F, 3U), drecurrent_kernel (U, 3U), dbias ((2, 3U) if reset_after else
          (3U,)), dh0 (B, U))

  simple_rnn_forward(x, kernel, recurrent_kernel, bias, h0, mask, go_backwards, activation)
      -> (outputs (B, T, U), h_T (B, U), cand (B, T, U), h_prev (B, T, U))
      cand: act(x W + h U + b) of every step (its derivative is a function of it).
  simple_rnn_backward(d_outputs, d_h_T, x, kernel, recurrent_kernel, mask, go_backwards,
                      activation, cand, h_prev)
      -> (dx, dkernel (F, U), drecurrent_kernel (U, U), dbias (U,), dh0 (B, U))

Every argument is required positionally (pass None for absent bias/h0/c0/mask); d_outputs,
d_h_T, d_c_T are arrays (zeros when the loss does not depend on them). Arrays are float32 and
C-contiguous (kernels.rnn makes them so); nothing is validated here.
"""
from .._xp import array_module

__all__ = ["lstm_forward", "lstm_backward", "gru_forward", "gru_backward",
           "simple_rnn_forward", "simple_rnn_backward"]


# ---- activations and their derivatives written in terms of the activation's output ---------
def _act(xp, z, kind):
    if kind == "relu":
        return xp.maximum(z, z.dtype.type(0))  # NaN propagates through maximum
    return xp.tanh(z)


def _dact(y, kind):
    if kind == "relu":
        return (y > 0).astype(y.dtype)
    return 1 - y * y


def _rec(xp, z, kind):
    if kind == "hard_sigmoid":
        return xp.clip(z * z.dtype.type(0.2) + z.dtype.type(0.5), 0, 1)
    half = z.dtype.type(0.5)
    return half * xp.tanh(half * z) + half  # == 1 / (1 + exp(-z)), no overflow


def _drec(y, kind):
    if kind == "hard_sigmoid":
        return ((y > 0) & (y < 1)).astype(y.dtype) * y.dtype.type(0.2)
    return y * (1 - y)


def _init_state(xp, s, B, U, dtype):
    return xp.zeros((B, U), dtype=dtype) if s is None else s.astype(dtype, copy=True)


def _project(x, kernel, bias):
    """The input projection of every step as one GEMM: (B*T, F) @ (F, G*U) + bias."""
    B, T, F = x.shape
    P = (x.reshape(B * T, F) @ kernel).reshape(B, T, kernel.shape[1])
    if bias is not None:
        P += bias
    return P


def _steps(T, go_backwards):
    """(processing step s, input time t) pairs."""
    return [(s, T - 1 - s if go_backwards else s) for s in range(T)]


def _keep(mask, t):
    return None if mask is None else (mask[:, t] != 0)[:, None]


def _weight_grads(x, kernel, recurrent_kernel, dG, h_prev):
    B, T, F = x.shape
    U = h_prev.shape[2]
    dG2 = dG.reshape(B * T, -1)
    dx = (dG2 @ kernel.T).reshape(B, T, F)
    dkernel = x.reshape(B * T, F).T @ dG2
    drec = h_prev.reshape(B * T, U).T @ dG2
    return dx, dkernel, drec, dG2.sum(axis=0)


# ---- LSTM -----------------------------------------------------------------------------------
def lstm_forward(x, kernel, recurrent_kernel, bias, h0, c0, mask, go_backwards, activation,
                 recurrent_activation):
    xp = array_module(x)
    B, T, _ = x.shape
    U = recurrent_kernel.shape[0]
    P = _project(x, kernel, bias)
    h = _init_state(xp, h0, B, U, x.dtype)
    c = _init_state(xp, c0, B, U, x.dtype)
    out = xp.empty((B, T, U), dtype=x.dtype)
    gates = xp.empty((B, T, 4 * U), dtype=x.dtype)
    h_prev = xp.empty((B, T, U), dtype=x.dtype)
    c_prev = xp.empty((B, T, U), dtype=x.dtype)
    for s, t in _steps(T, go_backwards):
        z = P[:, t] + h @ recurrent_kernel
        i = _rec(xp, z[:, :U], recurrent_activation)
        f = _rec(xp, z[:, U:2 * U], recurrent_activation)
        g = _act(xp, z[:, 2 * U:3 * U], activation)
        o = _rec(xp, z[:, 3 * U:], recurrent_activation)
        gates[:, t] = xp.concatenate([i, f, g, o], axis=1)
        h_prev[:, t] = h
        c_prev[:, t] = c
        cn = f * c + i * g
        hn = o * _act(xp, cn, activation)
        keep = _keep(mask, t)
        if keep is not None:
            cn = xp.where(keep, cn, c)
            hn = xp.where(keep, hn, h)
        h, c = hn, cn
        out[:, s] = h
    return out, h, c, gates, h_prev, c_prev


def lstm_backward(d_outputs, d_h_T, d_c_T, x, kernel, recurrent_kernel, mask, go_backwards,
                  activation, recurrent_activation, gates, h_prev, c_prev):
    xp = array_module(x)
    B, T, _ = x.shape
    U = recurrent_kernel.shape[0]
    dG = xp.empty((B, T, 4 * U), dtype=x.dtype)
    dh = d_h_T.astype(x.dtype, copy=True)
    dc = d_c_T.astype(x.dtype, copy=True)
    for s, t in reversed(_steps(T, go_backwards)):
        dh = dh + d_outputs[:, s]
        g4 = gates[:, t]
        i, f, g, o = g4[:, :U], g4[:, U:2 * U], g4[:, 2 * U:3 * U], g4[:, 3 * U:]
        cp = c_prev[:, t]
        ac = _act(xp, f * cp + i * g, activation)
        dct = dc + dh * o * _dact(ac, activation)
        dgates = xp.concatenate([dct * g * _drec(i, recurrent_activation),
                                 dct * cp * _drec(f, recurrent_activation),
                                 dct * i * _dact(g, activation),
                                 dh * ac * _drec(o, recurrent_activation)], axis=1)
        dcp = dct * f
        keep = _keep(mask, t)
        if keep is not None:
            dgates = xp.where(keep, dgates, 0)
            dcp = xp.where(keep, dcp, dc)
        dG[:, t] = dgates
        dhp = dgates @ recurrent_kernel.T
        if keep is not None:
            dhp = xp.where(keep, dhp, dh)
        dh, dc = dhp, dcp
    dx, dkernel, drec, dbias = _weight_grads(x, kernel, recurrent_kernel, dG, h_prev)
    return dx, dkernel, drec, dbias, dh, dc


# ---- GRU ------------------------------------------------------------------------------------
def gru_forward(x, kernel, recurrent_kernel, bias, h0, mask, go_backwards, reset_after, activation,
                recurrent_activation):
    xp = array_module(x)
    B, T, _ = x.shape
    U = recurrent_kernel.shape[0]
    b_in = b_rec = None
    if bias is not None:
        b_in, b_rec = (bias[0], bias[1]) if reset_after else (bias, None)
    P = _project(x, kernel, b_in)
    h = _init_state(xp, h0, B, U, x.dtype)
    out = xp.empty((B, T, U), dtype=x.dtype)
    gates = xp.empty((B, T, 3 * U), dtype=x.dtype)
    h_prev = xp.empty((B, T, U), dtype=x.dtype)
    rec_h = xp.empty((B, T, U), dtype=x.dtype)
    for s, t in _steps(T, go_backwards):
        p = P[:, t]
        if reset_after:
            R = h @ recurrent_kernel
            if b_rec is not None:
                R += b_rec
            z = _rec(xp, p[:, :U] + R[:, :U], recurrent_activation)
            r = _rec(xp, p[:, U:2 * U] + R[:, U:2 * U], recurrent_activation)
            rh = R[:, 2 * U:]
            hh = _act(xp, p[:, 2 * U:] + r * rh, activation)
        else:
            R = h @ recurrent_kernel[:, :2 * U]
            z = _rec(xp, p[:, :U] + R[:, :U], recurrent_activation)
            r = _rec(xp, p[:, U:2 * U] + R[:, U:], recurrent_activation)
            rh = r * h
            hh = _act(xp, p[:, 2 * U:] + rh @ recurrent_kernel[:, 2 * U:], activation)
        gates[:, t] = xp.concatenate([z, r, hh], axis=1)
        h_prev[:, t] = h
        rec_h[:, t] = rh
        hn = z * h + (1 - z) * hh
        keep = _keep(mask, t)
        if keep is not None:
            hn = xp.where(keep, hn, h)
        h = hn
        out[:, s] = h
    return out, h, gates, h_prev, rec_h


def gru_backward(d_outputs, d_h_T, x, kernel, recurrent_kernel, mask, go_backwards, reset_after,
                 activation, recurrent_activation, gates, h_prev, rec_h):
    xp = array_module(x)
    B, T, F = x.shape
    U = recurrent_kernel.shape[0]
    dGx = xp.empty((B, T, 3 * U), dtype=x.dtype)  # gradients of the input projection
    dGr = xp.empty((B, T, 3 * U), dtype=x.dtype)  # gradients of the recurrent projection
    dh = d_h_T.astype(x.dtype, copy=True)
    Wz_r, Wh = recurrent_kernel[:, :2 * U], recurrent_kernel[:, 2 * U:]
    for s, t in reversed(_steps(T, go_backwards)):
        dh = dh + d_outputs[:, s]
        g3 = gates[:, t]
        z, r, hh = g3[:, :U], g3[:, U:2 * U], g3[:, 2 * U:]
        hp, rh = h_prev[:, t], rec_h[:, t]
        dz = dh * (hp - hh) * _drec(z, recurrent_activation)
        dhh = dh * (1 - z) * _dact(hh, activation)
        dhp = dh * z
        if reset_after:
            dr = dhh * rh * _drec(r, recurrent_activation)
            gx = xp.concatenate([dz, dr, dhh], axis=1)
            gr = xp.concatenate([dz, dr, dhh * r], axis=1)
        else:
            drh = dhh @ Wh.T
            dr = drh * hp * _drec(r, recurrent_activation)
            dhp = dhp + drh * r
            gx = xp.concatenate([dz, dr, dhh], axis=1)
            gr = gx
        keep = _keep(mask, t)
        if keep is not None:
            gx = xp.where(keep, gx, 0)
            gr = xp.where(keep, gr, 0)
        dGx[:, t] = gx
        dGr[:, t] = gr
        if reset_after:
            dhp = dhp + gr @ recurrent_kernel.T
        else:
            dhp = dhp + gr[:, :2 * U] @ Wz_r.T
        if keep is not None:
            dhp = xp.where(keep, dhp, dh)
        dh = dhp
    dGx2 = dGx.reshape(B * T, 3 * U)
    dGr2 = dGr.reshape(B * T, 3 * U)
    dx = (dGx2 @ kernel.T).reshape(B, T, F)
    dkernel = x.reshape(B * T, F).T @ dGx2
    Hp = h_prev.reshape(B * T, U)
    if reset_after:
        drec = Hp.T @ dGr2
        dbias = xp.stack([dGx2.sum(axis=0), dGr2.sum(axis=0)])
    else:
        drec = xp.concatenate([Hp.T @ dGr2[:, :2 * U],
                               rec_h.reshape(B * T, U).T @ dGr2[:, 2 * U:]], axis=1)
        dbias = dGx2.sum(axis=0)
    return dx, dkernel, drec, dbias, dh


# ---- SimpleRNN ------------------------------------------------------------------------------
def simple_rnn_forward(x, kernel, recurrent_kernel, bias, h0, mask, go_backwards, activation):
    xp = array_module(x)
    B, T, _ = x.shape
    U = recurrent_kernel.shape[0]
    P = _project(x, kernel, bias)
    h = _init_state(xp, h0, B, U, x.dtype)
    out = xp.empty((B, T, U), dtype=x.dtype)
    cand = xp.empty((B, T, U), dtype=x.dtype)
    h_prev = xp.empty((B, T, U), dtype=x.dtype)
    for s, t in _steps(T, go_backwards):
        y = _act(xp, P[:, t] + h @ recurrent_kernel, activation)
        cand[:, t] = y
        h_prev[:, t] = h
        keep = _keep(mask, t)
        h = y if keep is None else xp.where(keep, y, h)
        out[:, s] = h
    return out, h, cand, h_prev


def simple_rnn_backward(d_outputs, d_h_T, x, kernel, recurrent_kernel, mask, go_backwards,
                        activation, cand, h_prev):
    xp = array_module(x)
    B, T, _ = x.shape
    U = recurrent_kernel.shape[0]
    dG = xp.empty((B, T, U), dtype=x.dtype)
    dh = d_h_T.astype(x.dtype, copy=True)
    for s, t in reversed(_steps(T, go_backwards)):
        dh = dh + d_outputs[:, s]
        g = dh * _dact(cand[:, t], activation)
        keep = _keep(mask, t)
        if keep is not None:
            g = xp.where(keep, g, 0)
        dG[:, t] = g
        dhp = g @ recurrent_kernel.T
        dh = dhp if keep is None else xp.where(keep, dhp, dh)
    dx, dkernel, drec, dbias = _weight_grads(x, kernel, recurrent_kernel, dG, h_prev)
    return dx, dkernel, drec, dbias, dh
