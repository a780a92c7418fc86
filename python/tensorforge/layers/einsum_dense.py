"""EinsumDense (tf_keras 2's keras/layers/core/einsum_dense.py): y = activation(einsum(equation,
x, kernel) + bias), the kernel's and bias' shapes read from the equation, the input shape and
``output_shape`` (without the batch axis), as tf_keras' _analyze_einsum_string does.
"""
import re

from .. import activations as _act
from .. import initializers as _init
from .. import regularizers as _reg
from ..engine.base_layer import InputSpec, Layer
from ..ops.einsum import einsum as _einsum

_FORMS = (("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", False),
          ("0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)", True),
          ("([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0", False))


def analyze_einsum_string(equation, bias_axes, input_shape, output_shape):
    """(kernel shape, bias shape or None, full output shape) for EinsumDense."""
    dotted = re.sub(r"\.\.\.", "0", equation)
    for pattern, left_elided in _FORMS:
        m = re.match(pattern + "$", dotted)
        if m:
            return _analyze(equation, m, bias_axes, list(input_shape), output_shape, left_elided)
    raise ValueError(f"EinsumDense: invalid einsum equation {equation!r}. Equations must be in "
                     "the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")


def _analyze(equation, m, bias_axes, input_shape, output_shape, left_elided):
    input_spec, weight_spec, output_spec = m.group(1), m.group(2), m.group(3)
    elided = len(input_shape) - len(input_spec)
    out = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    out.insert(0, input_shape[0])
    if elided > 0 and left_elided:
        for i in range(1, elided):
            out.insert(1, input_shape[i])
    elif elided > 0:
        out.extend(input_shape[len(input_shape) - elided:])
    if left_elided:
        in_map = {d: (i + elided) - len(input_shape) for i, d in enumerate(input_spec)}
        out_map = {d: i + elided for i, d in enumerate(output_spec)}
    else:
        in_map = {d: i for i, d in enumerate(input_spec)}
        out_map = {d: i for i, d in enumerate(output_spec)}
    if len(out) != len(output_spec) + (elided if elided > 0 else 0):
        raise ValueError(f"EinsumDense: output_shape {output_shape!r} does not match the output "
                         f"spec {output_spec!r} of {equation!r} for input {tuple(input_shape)}")
    for d in input_spec:
        if d in out_map and out[out_map[d]] is None:
            # a size left None in output_shape is the input's where the index is shared (tf_keras
            # declares None there; its tensors carry the input's size, which Flatten needs)
            out[out_map[d]] = input_shape[in_map[d]]
        if d in out_map and out[out_map[d]] not in (None, input_shape[in_map[d]]):
            raise ValueError(f"EinsumDense: input shape and output shape do not match at shared "
                             f"dimension {d!r}. Input shape is {input_shape[in_map[d]]}, and "
                             f"output shape is {out[out_map[d]]}")
    for d in output_spec:
        if d not in input_spec and d not in weight_spec:
            raise ValueError(f"EinsumDense: dimension {d!r} was specified in the output "
                             f"{output_spec!r} but has no corresponding dim in the input spec "
                             f"{input_spec!r} or weight spec {weight_spec!r}")
    kernel = []
    for d in weight_spec:
        if d in in_map:
            kernel.append(input_shape[in_map[d]])
        elif d in out_map:
            kernel.append(out[out_map[d]])
        else:
            raise ValueError(f"EinsumDense: weight dimension {d!r} did not have a match in "
                             f"either the input spec {input_spec!r} or the output spec "
                             f"{output_spec!r}; the weight must be fully specified")
    if bias_axes is None:
        return kernel, None, out
    n_left = elided if left_elided else 0
    sizes = {c: out[i + n_left] for i, c in enumerate(output_spec)}
    for c in bias_axes:
        if c not in output_spec:
            raise ValueError(f"EinsumDense: bias dimension {c!r} was requested, but is not part "
                             f"of the output spec {output_spec!r}")
    first = min(output_spec.find(c) for c in bias_axes)
    bias = [sizes[c] if c in bias_axes else 1 for c in output_spec[first:]]
    if not left_elided:
        bias += [1] * max(elided, 0)
    return kernel, bias, out


def _input_spec(equation, input_shape):
    """The rank and the sizes the kernel fixes, checked on every later call (tf_keras' einsum
    refuses those inputs when it runs)."""
    lhs, weight = equation.split("->")[0].split(",")
    if "..." in lhs:
        spec = lhs.replace("...", "")
        left = lhs.startswith("...")
        axes = {(i - len(spec) if left else i): input_shape[i - len(spec) if left else i]
                for i, d in enumerate(spec) if d in weight}
        return InputSpec(min_ndim=len(spec), axes=axes)
    return InputSpec(ndim=len(lhs), axes={i: input_shape[i] for i, d in enumerate(lhs)
                                          if d in weight})


class EinsumDense(Layer):
    """Keras 2 EinsumDense(equation, output_shape, activation=None, bias_axes=None, ...):
    ``EinsumDense("abc,cd->abd", output_shape=(None, 64), bias_axes="d")`` is a Dense over
    the last axis of a sequence; ``"...b,bc->...c"`` any leading axes."""

    def __init__(self, equation, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._set_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        if not isinstance(equation, str):
            raise TypeError(f"EinsumDense: equation must be a string, got {equation!r}")
        self.equation = equation
        self.partial_output_shape = (
            [output_shape] if isinstance(output_shape, int) else list(output_shape))
        self.bias_axes = bias_axes
        self.activation = _act.get(activation)
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        self._record(output_shape=self.partial_output_shape, equation=equation,
                     activation=self.activation, bias_axes=bias_axes,
                     kernel_initializer=self.kernel_initializer,
                     bias_initializer=self.bias_initializer,
                     kernel_regularizer=self.kernel_regularizer,
                     bias_regularizer=self.bias_regularizer, activity_regularizer=None,
                     kernel_constraint=None, bias_constraint=None)

    def build(self, input_shape):
        lhs = self.equation.split("->")[0].split(",")[0]
        if "..." not in lhs and len(lhs) != len(input_shape):
            raise ValueError(f"{self.name}: the equation {self.equation!r} takes a "
                             f"{len(lhs)}-D input, got shape {tuple(input_shape)}")
        kernel, bias, self.full_output_shape = analyze_einsum_string(
            self.equation, self.bias_axes, tuple(input_shape), self.partial_output_shape)
        if any(s is None for s in kernel):
            raise ValueError(f"{self.name}: the kernel shape {kernel} of {self.equation!r} for "
                             f"input {tuple(input_shape)} has unknown sizes")
        self.input_spec = _input_spec(self.equation, tuple(input_shape))
        self.kernel = self.add_weight("kernel", tuple(kernel), self.kernel_initializer,
                                      self.kernel_regularizer)
        self.bias = (self.add_weight("bias", tuple(bias), self.bias_initializer,
                                     self.bias_regularizer) if bias is not None else None)

    def compute_output_shape(self, input_shape):
        return tuple(analyze_einsum_string(self.equation, self.bias_axes, tuple(input_shape),
                                           self.partial_output_shape)[2])

    def call(self, x, training=False, mask=None):
        y = _einsum(self.equation, x, self.kernel)
        if self.bias is not None:
            y = y + self.bias
        return self.activation(y)
