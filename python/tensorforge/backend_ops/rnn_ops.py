"""Keras 2 backend ``rnn`` (iterate a step function over the time axis) and
``moving_average_update``.

``rnn`` is unrolled in Python over the differentiable ops, so gradients flow through every
step to the inputs, the initial states, the constants and whatever the step function closes
over. Masked steps keep the previous output (zeros with ``zero_output_for_mask``) and the
previous states, as tf_keras 2's do.
"""
from ..autograd import Tensor
from ..ops import basic as B
from ..ops import manip as M
from ._args import shape_str, tensor
from .nn_ops import _float
from .variables import set_value

__all__ = ["rnn", "moving_average_update"]


def _time_slices(fn, x, T, go_backwards):
    steps = [B.getitem(x, (slice(None), t)) for t in range(T)]
    return steps[::-1] if go_backwards else steps


def _blend(m, new, old):
    """m * new + (1 - m) * old, m (B, 1, ...) broadcast over new's trailing axes."""
    m = B.reshape(m, tuple(m.shape) + (1,) * (new.ndim - m.ndim))
    return m * new + (1.0 - m) * old


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None, time_major=False, zero_output_for_mask=False,
        return_all_outputs=True):
    """Keras 2 K.rnn: ``step_function(input_t, states) -> (output_t, new_states)`` over
    ``inputs`` (batch, time, ...) (time first with time_major) from ``initial_states`` (a list).
    Returns (last_output, outputs (batch, time, ...), new_states); with go_backwards the steps
    run from the last and ``outputs`` is in that order, as tf_keras 2's."""
    fn = "rnn"
    if isinstance(inputs, (list, tuple, dict)):
        raise NotImplementedError("rnn: nested inputs are not supported; pass one Tensor")
    x = _float(fn, inputs)
    if x.ndim < 3:
        raise ValueError(f"rnn: inputs must be at least 3-D (batch, time, ...), got shape "
                         f"{shape_str(x.shape)}")
    if time_major:
        x = B.transpose(x, (1, 0) + tuple(range(2, x.ndim)))
    N, T = x.shape[0], x.shape[1]
    if T == 0:
        raise ValueError("rnn: inputs have no time steps (shape "
                         f"{shape_str(x.shape)})")
    states = [tensor(fn, "initial_states", s) for s in (
        initial_states if isinstance(initial_states, (list, tuple)) else [initial_states])]
    consts = list(constants or [])
    m = None
    if mask is not None:
        m = _float(fn, mask)
        if time_major:
            m = B.transpose(m, (1, 0) + tuple(range(2, m.ndim)))
        if tuple(m.shape[:2]) != (N, T):
            raise ValueError(f"rnn: mask must be (batch, time) = ({N}, {T}), got shape "
                             f"{shape_str(m.shape)}")
        if m.ndim > 2:
            m = B.reshape(m, (N, T))
        m_steps = _time_slices(fn, B.reshape(m, (N, T, 1)), T, go_backwards)
    outputs, last = [], None
    for t, x_t in enumerate(_time_slices(fn, x, T, go_backwards)):
        out, new_states = step_function(x_t, list(states) + consts)
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if len(new_states) != len(states):
            raise ValueError(f"rnn: step_function returned {len(new_states)} states, "
                             f"initial_states has {len(states)}")
        if m is not None:
            prev = B.mul(out, 0.0) if (last is None or zero_output_for_mask) else last
            out = _blend(m_steps[t], out, prev)
            new_states = [_blend(m_steps[t], s, old) for s, old in zip(new_states, states)]
        outputs.append(out)
        last, states = out, new_states
    seq = M.stack(outputs, axis=1) if return_all_outputs else M.stack([last], axis=1)
    if time_major:
        seq = B.transpose(seq, (1, 0) + tuple(range(2, seq.ndim)))
    return last, seq, states


def moving_average_update(x, value, momentum):
    """x <- x - (x - value) * (1 - momentum), in place on the variable x (tf_keras 2 under
    TensorFlow 2: no zero debiasing). Returns x."""
    if not isinstance(x, Tensor):
        raise TypeError(f"moving_average_update: x must be a variable (a Tensor), got "
                        f"{type(x).__name__}")
    v = tensor("moving_average_update", "value", value).data
    if tuple(v.shape) != tuple(x.shape) and v.size != 1:
        raise ValueError(f"moving_average_update: value of shape {shape_str(v.shape)} does not "
                         f"match x of shape {shape_str(x.shape)}")
    mom = float(momentum.item() if isinstance(momentum, Tensor) else momentum)
    set_value(x, x.data - (x.data - v.astype(x.dtype)) * (1.0 - mom))
    return x
