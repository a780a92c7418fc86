"""What a layer accepts: InputSpec (Keras 2's), checked by Layer.__call__ on every eager and
symbolic call, and the shape helpers its messages use."""
import numpy as np


def _shape_str(s):
    return "(" + ", ".join("None" if d is None else str(d) for d in s) + ("," if len(s) == 1 else "") + ")"


def is_shape(s):
    """True for one shape (a tuple/list of ints and None), False for a list of shapes."""
    return isinstance(s, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer))
                                                for d in s)


def _spec_error(msg):
    """An input-spec mismatch: Keras 2 raises it as it is, before the call (so no call info
    is added around it: See Note [call errors])."""
    e = ValueError(msg)
    e._keras_call_info_injected = True
    return e


class InputSpec:
    """What a layer accepts (Keras 2 InputSpec): ndim, min_ndim, max_ndim, axes {axis: size},
    or a whole shape (None: any size; the batch axis is not checked), which with
    ``allow_last_axis_squeeze`` may also come with or without a trailing axis of 1 (a
    functional model's inputs, as Keras 2 checks them)."""

    def __init__(self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
                 allow_last_axis_squeeze=False, name=None):
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if shape is not None else ndim
        self.min_ndim, self.max_ndim = min_ndim, max_ndim
        self.axes = dict(axes or {})
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name

    def _check_shape(self, where, shape):
        want, got = self.shape, tuple(shape)
        if self.allow_last_axis_squeeze:
            # a functional model's input, compared as the model will conform it
            # (network._conform_to_input, Keras 2's _conform_to_reference_input): one axis
            # short of an Input whose last axis is 1 (a batch of one string (1,) for
            # Input((1,)): never the batch axis squeezed), or one trailing unit axis too many
            # (the TF autoencoder tutorial's (N, 28, 28, 1, 1) noisy images for
            # Input((28, 28, 1)))
            if len(got) == len(want) - 1 and want[-1] == 1:
                got = got + (1,)
            elif len(got) == len(want) + 1 and got[-1] == 1:
                got = got[:-1]
        if len(want) != len(got) or any(w is not None and g is not None and w != g
                                         for w, g in zip(want[1:], got[1:])):
            raise _spec_error(f"{where}expected shape={_shape_str(self.shape)}, found "
                             f"shape={_shape_str(tuple(shape))}")

    def check(self, layer, index, shape):
        where = f'Input {index} of layer "{layer.name}" is incompatible with the layer: '
        if self.shape is not None:
            return self._check_shape(where, shape)
        nd = len(shape)
        if self.ndim is not None and nd != self.ndim:
            raise _spec_error(f"{where}expected ndim={self.ndim}, found ndim={nd}. Full shape "
                             f"received: {_shape_str(shape)}")
        if self.min_ndim is not None and nd < self.min_ndim:
            raise _spec_error(f"{where}expected min_ndim={self.min_ndim}, found ndim={nd}. Full "
                             f"shape received: {_shape_str(shape)}")
        if self.max_ndim is not None and nd > self.max_ndim:
            raise _spec_error(f"{where}expected max_ndim={self.max_ndim}, found ndim={nd}. Full "
                             f"shape received: {_shape_str(shape)}")
        for axis, value in self.axes.items():
            if value is None or not -nd <= axis < nd:
                continue
            if shape[axis] is not None and shape[axis] != value:
                raise _spec_error(f"{where}expected axis {axis} of input shape to have value "
                                 f"{value}, but received input with shape {_shape_str(shape)}")


def _fmt_shape(s):
    return _shape_str(s) if is_shape(s) else "[" + ", ".join(_shape_str(x) for x in s) + "]"


# Note [declared input specs]
# As Keras 2's layers set ``input_spec``, a built-in layer declares what it takes, and
# Layer.__call__ checks it on every eager and symbolic call (a graph's run does not: its
# shapes were checked when it was built): ``_input_ndim`` a fixed rank from construction
# (pooling, padding, cropping, upsampling: a 5-D batch into MaxPooling1D is refused, not
# reshaped); ``_spec_from_build`` the rank and channel axis the layer was built for
# (convolutions, recurrent wrappers: Conv1D built for 3 channels refuses 4 when a second graph
# reuses it). Layers whose rules depend on their arguments set input_spec themselves.
