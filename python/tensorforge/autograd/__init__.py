"""Tensors with reverse-mode autograd on a tape.

A ``Tensor`` wraps an array (NumPy, or CuPy on the cuda backend). An op that receives a Tensor
requiring grad (while grad mode is on) returns Tensors linked to a ``Node`` that remembers how to
run the op's backward. ``Tensor.backward()`` walks the graph iteratively in reverse topological
order (no recursion, so a 10,000-step sequence does not hit the recursion limit) and accumulates
gradients: a tensor used twice receives the sum of both contributions.

New ops subclass ``Function`` (PyTorch style), keeping forward and backward side by side::

    class Square(Function):
        @staticmethod
        def forward(ctx, x):            # arrays in, array(s) out
            ctx.save_for_backward(x)
            return x * x
        @staticmethod
        def backward(ctx, g):           # one gradient per output, arrays
            (x,) = ctx.saved
            return (2 * x * g,)         # one entry per positional input (None: no gradient)

    y = Square.apply(t)

Positional arguments may be Tensors or arrays; keyword arguments are passed through untouched.
Gradients for outputs that did not influence the loss arrive as zeros.

The package, by concern: grad_mode.py (no_grad, enable_grad, keeping_inputs: the thread's
state), tensor.py (Tensor and its operators), function.py (Function, Node, Context: recording
an op), backward.py (the walks: run_backward, collect_gradients, the grad-ready hooks).
"""
from .grad_mode import (  # noqa: F401
    _GradMode, _grad_state, enable_grad, is_grad_enabled, keeping_inputs, keeps_inputs, no_grad)
from .backward import (  # noqa: F401
    _toposort, as_input_dtype, call_backward, collect_gradients, collect_gradients_of_sum,
    on_grad_ready, route_gradient, run_backward)
from .tensor import _TENSOR_STATE, Tensor, _wrap, from_dlpack  # noqa: F401
from .function import Context, Function, Node, _record_symbolic, _symbolic_types  # noqa: F401
