"""Layer wrappers (Keras 2's keras/layers/wrappers.py): Bidirectional, TimeDistributed, and
``Wrapper``, the base Keras 2 programs subclass for their own wrappers."""
import inspect

import numpy as np

from ..engine import config_check
from ..engine import weight_scope as _weight_scope
from ..engine.base_layer import Layer, _deser, _unique_name, add_activity_losses
from ..ops import basic as B
from .recurrent import _RNN
from .rnn_cells import RNN


def _inner_call(layer, x, **kwargs):
    """``layer.call`` on behalf of a wrapper, with the wrapped layer's activity-regularizer
    terms (Keras 2 calls the inner layer whole; See Note [activity regularizer])."""
    y = layer.call(x, **kwargs)
    if layer._activity_regularizer is not None:
        add_activity_losses(layer, y)
    return y


def _call_kwargs(layer, training, mask):
    """training / mask for a wrapped layer's call, each only where its signature names it (a
    recurrent layer takes both; keras-tcn's TCN.call(inputs, training=None, **kwargs) no mask),
    as Keras 2's Bidirectional passes them (generic_utils.has_arg)."""
    if isinstance(layer, (_RNN, RNN)):
        return dict(training=training, mask=mask)
    params = inspect.signature(layer.call).parameters
    return {k: v for k, v in (("training", training), ("mask", mask)) if k in params}


class Bidirectional(Layer):
    """Runs ``layer`` forwards and a copy of it backwards (go_backwards), then merges
    ('concat' default, 'sum', 'mul', 'ave'). With return_sequences the backward outputs are
    reversed back into time order before merging, as Keras does. ``layer`` is a recurrent
    layer or any layer whose config has go_backwards (and which has return_sequences), the
    backward copy made from that config with go_backwards flipped, as Keras 2 makes it. With
    return_state the outputs are the merged output(s), then the forward layer's states, then the
    backward layer's; ``initial_state`` gives the forward layer the first half of its list and
    the backward layer the second half, as Keras 2's Bidirectional does."""
    _spec_from_build = True
    supports_masking = True

    def __init__(self, layer, merge_mode="concat", backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"Bidirectional: please initialize `Bidirectional` layer with a "
                             f"Layer instance, got {layer!r}")
        cfg = layer.get_config()
        if not isinstance(layer, (_RNN, RNN)) and "go_backwards" not in cfg:
            # Keras 2 copies any layer whose config says go_backwards (keras-tcn's TCN);
            # another (a Dense) fails there with KeyError('go_backwards')
            raise KeyError(f"Bidirectional: the layer's config has no 'go_backwards' "
                           f"({type(layer).__name__} {layer.name!r} cannot be run backwards)")
        kwargs.setdefault("name", None)
        name = kwargs.pop("name") or _unique_name("bidirectional")
        super().__init__(name=name, **kwargs)
        # See Note [Bidirectional's copies]
        self.forward_layer = type(layer).from_config(dict(cfg, name="forward_" + layer.name))
        if backward_layer is None:
            cfg = dict(cfg, go_backwards=not cfg["go_backwards"], name="backward_" + layer.name)
            cfg.pop("batch_input_shape", None)
            backward_layer = type(layer).from_config(cfg)
        else:
            self._record(backward_layer=backward_layer)  # (its config, under its own name)
            backward_layer.name = "backward_" + backward_layer.name
        self.backward_layer = backward_layer
        if merge_mode not in ("concat", "sum", "mul", "ave", None):
            raise ValueError(f"Bidirectional: merge_mode must be concat, sum, mul, ave or None, "
                             f"got {merge_mode!r}")
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = bool(getattr(layer, "return_state", False))
        self._record(layer=layer, merge_mode=merge_mode)
        if layer.batch_input_shape is not None and self.batch_input_shape is None:
            self.batch_input_shape = layer.batch_input_shape
            self._config["batch_input_shape"] = list(self.batch_input_shape)

    def _sublayers(self):
        return [self.forward_layer, self.backward_layer]

    def build(self, input_shape):
        # the copies' weights under their names (See Note [weight names])
        with _weight_scope.scope(self, self.forward_layer.name):
            self.forward_layer._maybe_build(input_shape)
        with _weight_scope.scope(self, self.backward_layer.name):
            self.backward_layer._maybe_build(input_shape)

    def compute_output_shape(self, s):
        o = self.forward_layer.compute_output_shape(s)
        states = []
        if self.return_state:
            o, states = tuple(o[0]), [tuple(t) for t in o[1:]]
        if self.merge_mode == "concat":
            o = tuple(o[:-1]) + (2 * o[-1],)
        out = [o, o] if self.merge_mode is None else [o]
        if self.return_state:
            return out + states + states
        return out if self.merge_mode is None else o

    def compute_mask(self, inputs, mask=None):
        if isinstance(mask, list):
            mask = mask[0]
        m = mask if self.return_sequences else None
        out = [m, m] if self.merge_mode is None else [m]
        if self.return_state:
            return out + [None] * (2 * self.forward_layer._state_count())
        return out if self.merge_mode is None else m

    def call(self, x, training=False, mask=None, initial_state=None):
        kf = _call_kwargs(self.forward_layer, training, mask)
        kb = _call_kwargs(self.backward_layer, training, mask)
        if initial_state is not None:
            st = list(initial_state) if isinstance(initial_state, (list, tuple)) else [initial_state]
            if len(st) % 2:
                raise ValueError(f"{self.name}: initial_state must hold the forward layer's states "
                                 f"then the backward layer's (an even count), got {len(st)}")
            kf["initial_state"], kb["initial_state"] = st[:len(st) // 2], st[len(st) // 2:]
        yf = _inner_call(self.forward_layer, x, **kf)
        yb = _inner_call(self.backward_layer, x, **kb)
        states = []
        if self.return_state:
            states = list(yf[1:]) + list(yb[1:])
            yf, yb = yf[0], yb[0]
        out = self._merge(yf, yb)
        if self.return_state:
            return (out if isinstance(out, list) else [out]) + states
        return out

    def _merge(self, yf, yb):
        if self.return_sequences:
            yb = B.getitem(yb, (slice(None), slice(None, None, -1)))
        if self.merge_mode == "concat":
            return B.concatenate([yf, yb], axis=-1)
        if self.merge_mode == "sum":
            return yf + yb
        if self.merge_mode == "mul":
            return yf * yb
        if self.merge_mode == "ave":
            return (yf + yb) * np.float32(0.5)
        return [yf, yb]

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        layer = _deser(config_check.key(config, "layer", f"{cls.__name__}.from_config", (), dict))
        config.pop("layer")
        return cls(layer, **{k: _deser(v) for k, v in config.items()})


# Note [Bidirectional's copies]
# As tf_keras 2's Bidirectional, the layer given is not run itself: the forward layer is a copy
# made from its config (so the given layer stays as it was: unbuilt, under its name) and the
# backward one a copy with go_backwards flipped, named forward_<name> and backward_<name>; a
# backward layer given is run itself, renamed backward_<its name>. The config keeps the names
# the layers were given (get_config's "layer" and "backward_layer", serialize(layer) at
# construction), so from_config and the Keras files (saving/keras_config.py's layer_to_keras
# writes the running copies under those names) rebuild the same layers; the weights are named
# <bidirectional>/forward_<name>/... as before, so files written earlier load as they did.


class TimeDistributed(Layer):
    """Applies ``layer`` to every time step: (batch, T, ...) is reshaped to (batch * T, ...),
    run through the layer once, and reshaped back to (batch, T, ...). The mask passes through."""
    _spec_from_build = True
    supports_masking = True

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"TimeDistributed: layer must be a Layer instance, got {layer!r}")
        kwargs.setdefault("name", None)
        name = kwargs.pop("name") or _unique_name("time_distributed")
        super().__init__(name=name, **kwargs)
        self.layer = layer
        self._record(layer=layer)

    def build(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(f"{self.name}: expected an input of at least 3 dimensions "
                             f"(batch, time, ...), got {tuple(input_shape)}")
        with _weight_scope.scope(self):  # See Note [weight names]
            self.layer._maybe_build((None,) + tuple(input_shape[2:]))

    def compute_output_shape(self, s):
        inner = self.layer.compute_output_shape((None,) + tuple(s[2:]))
        return (s[0], s[1]) + tuple(inner[1:])

    def compute_mask(self, inputs, mask=None):
        return mask

    def call(self, x, training=False, mask=None):
        if x.ndim < 3:
            raise ValueError(f"{self.name}: expected an input of at least 3 dimensions "
                             f"(batch, time, ...), got shape {x.shape}")
        n, t = x.shape[:2]
        y = _inner_call(self.layer, B.reshape(x, (n * t,) + x.shape[2:]), training=training)
        return B.reshape(y, (n, t) + y.shape[1:])

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        layer = _deser(config_check.key(config, "layer", f"{cls.__name__}.from_config", (), dict))
        config.pop("layer")
        return cls(layer, **{k: _deser(v) for k, v in config.items()})


class Wrapper(Layer):
    """Keras 2's abstract wrapper: holds ``layer`` (built with the wrapper, saved in its config
    under 'layer'); a subclass writes ``call`` (and ``build``, calling ``super().build``)."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"{type(self).__name__}: please initialize `Wrapper` layer with a "
                             f"Layer instance. You passed: {layer!r}")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            with _weight_scope.scope(self):  # tf_keras: the wrapper's name scope
                self.layer.build(input_shape)

    def get_config(self):
        return dict(super().get_config(), layer={"class_name": type(self.layer).__name__,
                                                 "config": self.layer.get_config()})

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        layer = _deser(config_check.key(config, "layer", f"{cls.__name__}.from_config", (), dict))
        config.pop("layer")
        return cls(layer, **config)
