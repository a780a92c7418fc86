"""Keras 2 Sequential models: build, compile, fit, evaluate, predict, summary, save / load.

Training step (one per batch; Python overhead is a handful of calls per layer):
  forward on Tensors -> loss (+ regularization) -> backward (iterative) -> one fused in-place
  optimizer kernel per parameter. When the last layer ends in softmax and the loss is
  (sparse_)categorical_crossentropy, the model trains on the logits with the fused
  softmax-cross-entropy op (stable, one kernel); sigmoid + binary_crossentropy likewise.
  predict / evaluate run under no_grad and apply the real final activation.
On the 'cuda' backend the data, weights and optimizer state live on the GPU and a training step
copies nothing between host and device but the loss scalar (See Note [data on the device] in
_device.py).
Inputs: Keras accepts float64 (and integer) NumPy arrays; they are cast to float32 once, at the
model boundary.

File format of save / save_weights (one file, no pickle): a NumPy .npz container (zip of raw .npy
arrays, read back with allow_pickle=False) holding ``__config__`` (the JSON model / compile /
optimizer description as uint8 bytes) and the arrays ``w/<i>`` (weights in model order) and
``opt/<i>/<j>`` (optimizer state). Written atomically: a temp file in the same directory,
flushed and fsynced, then os.replace() over the target, so a crash mid-save leaves the previous
file intact (See Note [atomic save]).
"""
import math
import os
import sys
import time
import warnings

import numpy as np

from . import _device
from . import _fileio
from . import _random
from . import callbacks as _cb
from . import layers as _layers
from .engine import base_layer as _base_layer
from . import losses as _losses
from . import metrics as _metrics
from . import optimizers as _optimizers
from .autograd import Tensor, enable_grad, no_grad
from .ops import basic as B

__all__ = ["Sequential", "Model", "load_model", "save_model"]

FORMAT = "tensorforge-keras"
FORMAT_VERSION = 1


def _np_softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _shape_str(s):
    return "(" + ", ".join("None" if d is None else str(d) for d in s) + ("," if len(s) == 1 else "") + ")"


class Sequential:
    """A linear stack of layers (Keras ``Sequential``)."""

    def __init__(self, layers=None, name=None):
        self.name = name or _base_layer._unique_name("sequential")
        self.layers = []
        self.built = False
        self._build_shape = None
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self._compiled = False
        for layer in layers or []:
            self.add(layer)

    # ---- construction -----------------------------------------------------------------------
    def add(self, layer):
        if not isinstance(layer, _layers.Layer):
            raise TypeError(f"Sequential.add: expected a Layer, got {type(layer).__name__}")
        if any(l.name == layer.name for l in self.layers):
            raise ValueError(f"Sequential.add: a layer named {layer.name!r} is already in the model")
        if isinstance(layer, _layers.InputLayer):
            if self.layers:
                raise ValueError("Sequential.add: an InputLayer must be the first layer")
            self._build_shape = layer.batch_input_shape
            return
        self.layers.append(layer)
        if len(self.layers) == 1 and layer.batch_input_shape is not None and self._build_shape is None:
            self._build_shape = layer.batch_input_shape
        if self.built:
            prev = self.layers[-2].output_shape if len(self.layers) > 1 else self._build_shape
            layer._maybe_build(prev)
        elif self._build_shape is not None:
            self.build(self._build_shape)

    def pop(self):
        if not self.layers:
            raise TypeError("Sequential.pop: there are no layers in the model")
        self.layers.pop()

    def build(self, input_shape=None):
        shape = tuple(input_shape if input_shape is not None else self._build_shape)
        self._build_shape = shape
        for layer in self.layers:
            layer._maybe_build(shape)
            shape = layer.output_shape
            if isinstance(shape, list):
                raise ValueError(f"{layer.name}: return_state=True cannot be used inside Sequential")
        self.built = True

    @property
    def input_shape(self):
        if self._build_shape is None:
            raise AttributeError("The model has not been built yet (no input shape)")
        return self._build_shape

    @property
    def output_shape(self):
        if not self.built:
            raise AttributeError("The model has not been built yet (no input shape)")
        return self.layers[-1].output_shape

    # ---- weights ----------------------------------------------------------------------------
    @property
    def weights(self):
        return [t for l in self.layers for t in l.weights]

    @property
    def trainable_weights(self):
        return [t for l in self.layers for t in l.trainable_weights]

    @property
    def non_trainable_weights(self):
        return [t for l in self.layers for t in l.non_trainable_weights]

    def get_weights(self):
        return [t.numpy().copy() for t in self.weights]

    def set_weights(self, weights):
        mine = self.weights
        if len(weights) != len(mine):
            raise ValueError(f"set_weights: the model has {len(mine)} weight arrays, got {len(weights)}")
        for t, w in zip(mine, weights):
            w = np.asarray(_device.to_host(w))
            if tuple(w.shape) != t.shape:
                raise ValueError(f"set_weights: {t.name} has shape {t.shape}, got {tuple(w.shape)}")
            t.data[...] = _device.to_device(w, _device.array_module(t.data))  # weights may be on a GPU

    def count_params(self):
        return int(sum(l.count_params() for l in self.layers))

    def get_layer(self, name=None, index=None):
        if index is not None:
            return self.layers[index]
        for l in self.layers:
            if l.name == name:
                return l
        raise ValueError(f"No such layer: {name}")

    # ---- forward ----------------------------------------------------------------------------
    def _forward(self, x, training=False, logits=False):
        mask = None
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            nxt_mask = layer.compute_mask(x, mask)
            if i == last and logits:
                y = layer.call(x, training=training, mask=mask, logits=True)
            else:
                y = layer.call(x, training=training, mask=mask)
            x, mask = y, nxt_mask
        return x

    def __call__(self, x, training=False):
        if not isinstance(x, Tensor):
            x = Tensor(np.asarray(x, dtype=np.float32))
        if not self.built:
            self.build((None,) + x.shape[1:])
        return self._forward(x, training=training)

    def call(self, x, training=False):
        return self(x, training=training)

    # ---- compile ----------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, loss_weights=None,
                sample_weight_mode=None, weighted_metrics=None, **kwargs):
        if loss is None:
            raise ValueError("compile: a loss is required, e.g. loss='categorical_crossentropy'")
        self.optimizer = _optimizers.get(optimizer)
        self.loss = loss
        self._loss_fn = _losses.get(loss)
        self._metric_specs = list(metrics or [])
        self._compiled = True
        self._resolve_metrics()

    @property
    def metrics_names(self):
        """['loss', <metric names>] in the order evaluate() returns them (Keras 2)."""
        return ["loss"] + [nm for nm, _ in getattr(self, "_metric_fns", [])]

    def _resolve_metrics(self):
        out_shape = self.output_shape if self.built else None
        self._metric_fns = [_metrics.resolve(m, self.loss, out_shape) for m in self._metric_specs]

    def _final_activation(self):
        last = self.layers[-1] if self.layers else None
        act = getattr(last, "activation", None)
        if isinstance(last, (_layers.Dense, _layers.Activation)):
            from . import activations as A
            if act is A.softmax:
                return "softmax"
            if act is A.sigmoid:
                return "sigmoid"
        return None

    def _fused_mode(self):
        """'softmax' / 'sigmoid' when the loss can be computed fused from the logits."""
        fa = self._final_activation()
        fn = self._loss_fn
        if fa == "softmax" and fn in (_losses.categorical_crossentropy,
                                      _losses.sparse_categorical_crossentropy):
            return "softmax"
        if fa == "sigmoid" and fn is _losses.binary_crossentropy:
            return "sigmoid"
        return None

    # ---- input checks -----------------------------------------------------------------------
    def _check_x(self, x, where):
        if isinstance(x, (list, tuple)) and len(x) == 1:
            x = x[0]
        if isinstance(x, Tensor):
            x = x.data if _device.is_device_array(x.data) else x.numpy()
        x = x if _device.is_device_array(x) else np.asarray(x)
        if x.dtype.kind not in "fiub":
            raise TypeError(f"{where}: x must be a numeric array, got dtype {x.dtype}")
        if x.ndim == 0 or x.shape[0] == 0:
            raise ValueError(f"{where}: x must be a non-empty array with a batch axis, got shape "
                             f"{x.shape}")
        if x.dtype != np.float32:
            x = x.astype(np.float32)  # Keras' floatx, once at the boundary
        if not self.layers:
            raise ValueError(f"{where}: the model has no layers")
        if not self.built:
            self.build((None,) + x.shape[1:])
        want = self.input_shape[1:]
        got = x.shape[1:]
        if len(want) != len(got) or any(w is not None and w != g for w, g in zip(want, got)):
            raise ValueError(f"{where}: expected input of shape {_shape_str(self.input_shape)} "
                             f"(each sample {_shape_str(want)}), but got an array with shape "
                             f"{x.shape}")
        return x

    def _check_y(self, y, n, where):
        if isinstance(y, Tensor):
            y = y.data if _device.is_device_array(y.data) else y.numpy()
        y = y if _device.is_device_array(y) else np.asarray(y)
        if y.dtype.kind not in "fiub":
            raise TypeError(f"{where}: y must be a numeric array, got dtype {y.dtype}")
        if y.ndim == 0 or y.shape[0] != n:
            raise ValueError(f"{where}: x and y must have the same number of samples, got "
                             f"{n} inputs and {y.shape[0] if y.ndim else 'a scalar'} targets")
        out = self.output_shape
        fn = self._loss_fn
        if fn is _losses.sparse_categorical_crossentropy:
            if y.size != n:
                raise ValueError(f"{where}: sparse_categorical_crossentropy expects integer labels of "
                                 f"shape ({n},), got {y.shape}")
            y = y.reshape(-1).astype(np.int64)
            if y.min() < 0 or y.max() >= out[-1]:
                raise ValueError(f"{where}: labels must lie in [0, {out[-1]}), got range "
                                 f"[{y.min()}, {y.max()}]")
            return y
        if fn is _losses.categorical_crossentropy and y.ndim == 1 and out[-1] > 1:
            raise ValueError(f"{where}: categorical_crossentropy expects one-hot targets of shape "
                             f"({n}, {out[-1]}), got integer labels of shape {y.shape}; use "
                             "utils.to_categorical(y) or loss='sparse_categorical_crossentropy'")
        if y.ndim == len(out) - 1 and out[-1] == 1:
            y = y.reshape(y.shape + (1,))
        if y.shape[1:] != tuple(out[1:]) and None not in out[1:]:
            raise ValueError(f"{where}: a target array with shape {y.shape} was passed for an output "
                             f"of shape {_shape_str(out)}; targets must match the output")
        return y.astype(np.float32, copy=False)

    # ---- training ---------------------------------------------------------------------------
    def _params(self):
        return [t for t in self.trainable_weights if t.requires_grad]

    def _loss_value(self, yb, out, fused):
        if fused:
            return self._loss_fn(yb, out, from_logits=True)
        return self._loss_fn(yb, out)

    def _probs(self, out, fused):
        if fused == "softmax":
            return _np_softmax(out)
        if fused == "sigmoid":
            return 1.0 / (1.0 + np.exp(-out))
        return out

    def _train_step(self, xb, yb, params, fused):
        with enable_grad():
            out = self._forward(Tensor(xb), training=True, logits=fused is not None)
            loss = self._loss_value(yb, out, fused)
            for layer in self.layers:
                for r in layer.losses:
                    loss = loss + r
            if isinstance(loss, Tensor) and loss.requires_grad:
                loss.backward()
                self.optimizer.apply_gradients(params)
                for p in params:
                    p.grad = None
        return float(loss.data if isinstance(loss, Tensor) else loss), out

    def _batch_metrics(self, yb, out, fused):
        if not self._metric_fns:
            return {}
        out = out.data if isinstance(out, Tensor) else out
        argmax_only = fused == "softmax" and all(
            fn in (_metrics.categorical_accuracy, _metrics.sparse_categorical_accuracy)
            for _, fn in self._metric_fns)
        probs = out if argmax_only else self._probs(out, fused)  # argmax(logits) == argmax(probs)
        return _device.batch_metrics(self._metric_fns, yb, probs)

    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose=1, callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            **kwargs):
        if not self._compiled:
            raise RuntimeError("fit: you must compile the model before training (model.compile(...))")
        if x is None or y is None:
            raise ValueError("fit: x and y are required")
        if class_weight is not None or sample_weight is not None:
            raise NotImplementedError("fit: class_weight / sample_weight are not supported")
        batch_size = 32 if batch_size is None else int(batch_size)
        if batch_size <= 0:
            raise ValueError(f"fit: batch_size must be positive, got {batch_size}")
        x = self._check_x(x, "fit")
        self._resolve_metrics()
        y = self._check_y(y, x.shape[0], "fit")
        if not np.isfinite(x).all():
            warnings.warn("fit: x contains NaN or infinite values; the loss will likely be NaN",
                          RuntimeWarning, stacklevel=2)
        if validation_data is None and validation_split:
            if not 0 < validation_split < 1:
                raise ValueError(f"fit: validation_split must be in (0, 1), got {validation_split}")
            split = int(x.shape[0] * (1.0 - validation_split))
            if split == 0 or split == x.shape[0]:
                raise ValueError(f"fit: validation_split={validation_split} leaves an empty "
                                 f"training or validation set for {x.shape[0]} samples")
            x, vx = x[:split], x[split:]
            y, vy = y[:split], y[split:]
            validation_data = (vx, vy)
        elif validation_data is not None:
            if len(validation_data) != 2:
                raise ValueError("fit: validation_data must be a tuple (x_val, y_val)")
            vx = self._check_x(validation_data[0], "fit (validation_data)")
            vy = self._check_y(validation_data[1], vx.shape[0], "fit (validation_data)")
            validation_data = (vx, vy)

        # See Note [data on the device]: on 'cuda', weights, optimizer state and the whole
        # dataset move to the GPU once here; on the host backends these calls change nothing.
        xp = _device.device_module()
        on_device = xp is not np
        _device.place_model(self, xp)
        x, y = _device.to_device(x, xp), _device.to_device(y, xp)
        if validation_data is not None:
            validation_data = tuple(_device.to_device(a, xp) for a in validation_data)
        n = x.shape[0]
        history = _cb.History()
        cbs = [history] + list(callbacks or [])
        if verbose:
            cbs.append(_cb.ProgbarLogger(verbose=verbose))
        params_info = {"epochs": epochs, "samples": n, "batch_size": batch_size, "verbose": verbose,
                       "metrics": ["loss"] + [m for m, _ in self._metric_fns]}
        for cb in cbs:
            cb.set_model(self)
            cb.set_params(params_info)
        self.stop_training = False
        fused = self._fused_mode()
        params = self._params()
        for cb in cbs:
            cb.on_train_begin()
        rng = _random.rng()
        for epoch in range(initial_epoch, epochs):
            for cb in cbs:
                cb.on_epoch_begin(epoch)
            order = rng.permutation(n) if shuffle else None
            if order is not None:
                order = _device.to_device(order, xp)  # one small copy per epoch
            sums = {}
            seen = 0
            for bi, start in enumerate(range(0, n, batch_size)):
                if order is not None:
                    idx = order[start:start + batch_size]
                    xb, yb = x[idx], y[idx]
                else:
                    xb, yb = x[start:start + batch_size], y[start:start + batch_size]
                m = xb.shape[0]
                loss, out = self._train_step(xb, yb, params, fused)
                logs = {"batch": bi, "size": m, "loss": loss}
                mets = self._batch_metrics(yb, out, fused)
                if not on_device:
                    logs.update(mets)
                for k, v in list(logs.items()) + (list(mets.items()) if on_device else []):
                    if k not in ("batch", "size"):
                        sums[k] = sums.get(k, 0.0) + v * m  # device metrics: summed on the device
                seen += m
                for cb in cbs:
                    cb.on_batch_end(bi, logs)
                if not math.isfinite(loss):
                    msg = (f"Batch {bi}: Invalid loss ({loss}), terminating training (NaN/inf loss; "
                           "check the inputs, the learning rate, or add gradient clipping)")
                    print(msg, file=sys.stderr)
                    warnings.warn(msg, RuntimeWarning, stacklevel=2)
                    self.stop_training = True
                if self.stop_training:
                    break
            epoch_logs = {k: float(v / max(seen, 1)) for k, v in sums.items()}
            if validation_data is not None and not (self.stop_training and
                                                    not math.isfinite(epoch_logs.get("loss", 0))):
                vals = self.evaluate(validation_data[0], validation_data[1], batch_size=batch_size,
                                     verbose=0)
                vals = vals if isinstance(vals, list) else [vals]
                names = ["loss"] + [nm for nm, _ in self._metric_fns]
                epoch_logs.update({"val_" + k: v for k, v in zip(names, vals)})
            for cb in cbs:
                cb.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        for cb in cbs:
            cb.on_train_end()
        self.history = history
        return history

    def train_on_batch(self, x, y):
        x = self._check_x(x, "train_on_batch")
        y = self._check_y(y, x.shape[0], "train_on_batch")
        xp = _device.device_module()
        _device.place_model(self, xp)
        x, y = _device.to_device(x, xp), _device.to_device(y, xp)
        fused = self._fused_mode()
        loss, out = self._train_step(x, y, self._params(), fused)
        mets = {k: float(v) for k, v in self._batch_metrics(y, out, fused).items()}
        return [loss] + list(mets.values()) if mets else loss

    # ---- inference --------------------------------------------------------------------------
    def _predict_raw(self, x, batch_size, logits):
        xp = _device.device_module()
        _device.place_model(self, xp)
        x = _device.to_device(x, xp)  # See Note [data on the device]
        outs = []
        with no_grad():
            for start in range(0, x.shape[0], batch_size):
                o = self._forward(Tensor(x[start:start + batch_size]), training=False, logits=logits)
                outs.append(o.data if isinstance(o, Tensor) else o)
        out = xp.concatenate(outs, axis=0) if len(outs) > 1 else outs[0]
        return _device.to_host(out)  # Keras returns NumPy: one copy for the whole result

    def predict(self, x, batch_size=None, verbose=0, steps=None, **kwargs):
        batch_size = 32 if batch_size is None else int(batch_size)
        if batch_size <= 0:
            raise ValueError(f"predict: batch_size must be positive, got {batch_size}")
        x = self._check_x(x, "predict")
        out = self._predict_raw(x, batch_size, logits=False)
        if verbose == 1:
            bar = _cb.Progbar(x.shape[0])
            bar.update(x.shape[0], finalize=True)
        return out

    def predict_on_batch(self, x):
        return self.predict(x, batch_size=max(len(x), 1))

    def predict_proba(self, x, batch_size=32, verbose=0):
        return self.predict(x, batch_size=batch_size, verbose=verbose)

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Keras 2.3: argmax for multi-unit outputs, (p > 0.5) for a single unit."""
        p = self.predict(x, batch_size=batch_size, verbose=verbose)
        if p.shape[-1] > 1:
            return p.argmax(axis=-1)
        return (p > 0.5).astype("int32")

    def evaluate(self, x=None, y=None, batch_size=None, verbose=1, sample_weight=None, steps=None,
                 **kwargs):
        if not self._compiled:
            raise RuntimeError("evaluate: you must compile the model before evaluating it")
        batch_size = 32 if batch_size is None else int(batch_size)
        if batch_size <= 0:
            raise ValueError(f"evaluate: batch_size must be positive, got {batch_size}")
        x = self._check_x(x, "evaluate")
        self._resolve_metrics()
        y = self._check_y(y, x.shape[0], "evaluate")
        fused = self._fused_mode()
        xp = _device.device_module()
        on_device = xp is not np
        _device.place_model(self, xp)
        x, y = _device.to_device(x, xp), _device.to_device(y, xp)  # See Note [data on the device]
        n = x.shape[0]
        t0 = time.time()
        sums = {}
        reg = 0.0
        with no_grad():
            for layer in self.layers:
                for r in layer.losses:
                    reg += float(r.data if isinstance(r, Tensor) else r)
            for start in range(0, n, batch_size):
                xb, yb = x[start:start + batch_size], y[start:start + batch_size]
                out = self._forward(Tensor(xb), training=False, logits=fused is not None)
                loss = self._loss_value(yb, out, fused)
                lv = loss.data if isinstance(loss, Tensor) else loss
                vals = {"loss": (lv if on_device else float(lv)) + reg}  # device: summed there
                vals.update(self._batch_metrics(yb, out, fused))
                for k, v in vals.items():
                    sums[k] = sums.get(k, 0.0) + v * xb.shape[0]
        res = [float(sums[k] / n) for k in ["loss"] + [nm for nm, _ in self._metric_fns]]
        if verbose == 1:
            bar = _cb.Progbar(n)
            bar.start = t0
            bar.set_values(dict(zip(["loss"] + [nm for nm, _ in self._metric_fns], res)))
            bar.update(n, finalize=True)
        return res if len(res) > 1 else res[0]

    def test_on_batch(self, x, y):
        return self.evaluate(x, y, batch_size=max(len(x), 1), verbose=0)

    # ---- summary ----------------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None):
        """Print the Keras 2 summary table (layer, output shape, parameter count)."""
        if not self.built:
            raise ValueError("This model has not yet been built. Build the model first by calling "
                             "`build()` or calling `fit()` with some data, or specify an "
                             "`input_shape` argument in the first layer(s) for automatic build.")
        print_fn = print_fn or print
        line_length = line_length or 65
        positions = positions or [0.45, 0.85, 1.0]
        if positions[-1] <= 1:
            positions = [int(line_length * p) for p in positions]

        def row(fields):
            line = ""
            for i, f in enumerate(fields):
                if i > 0:
                    line = line[:-1] + " "
                line += str(f)
                line = line[:positions[i]]
                line += " " * (positions[i] - len(line))
            print_fn(line)

        print_fn(f'Model: "{self.name}"')
        print_fn("_" * line_length)
        row(["Layer (type)", "Output Shape", "Param #"])
        print_fn("=" * line_length)
        for i, layer in enumerate(self.layers):
            shape = layer.output_shape
            shape_s = (", ".join(_shape_str(s) for s in shape) if isinstance(shape, list)
                       else _shape_str(shape))
            row([f"{layer.name} ({type(layer).__name__})", shape_s, layer.count_params()])
            print_fn("=" * line_length if i == len(self.layers) - 1 else "_" * line_length)
        trainable = int(sum(t.size for t in self.trainable_weights))
        total = self.count_params()
        print_fn(f"Total params: {total:,}")
        print_fn(f"Trainable params: {trainable:,}")
        print_fn(f"Non-trainable params: {total - trainable:,}")
        print_fn("_" * line_length)

    # ---- configuration and files ------------------------------------------------------------
    def get_config(self):
        return {"name": self.name,
                "build_input_shape": list(self._build_shape) if self._build_shape else None,
                "layers": [{"class_name": type(l).__name__, "config": l.get_config()}
                           for l in self.layers]}

    @classmethod
    def from_config(cls, config):
        model = cls(name=config.get("name"))
        for spec in config["layers"]:
            model.add(_layers.get_layer_class(spec["class_name"]).from_config(spec["config"]))
        if not model.built and config.get("build_input_shape"):
            model.build(tuple(config["build_input_shape"]))
        return model

    def _compile_config(self):
        if not self._compiled:
            return None
        return {"optimizer": _optimizers.serialize(self.optimizer),
                "loss": _losses.serialize(self._loss_fn) if not isinstance(self.loss, str) else self.loss,
                "metrics": [m for m in self._metric_specs if isinstance(m, str)],
                "optimizer_iterations": self.optimizer.iterations}

    def save_weights(self, filepath, overwrite=True, save_format=None):
        """Write every weight array (model order) to one file, atomically."""
        if not self.built:
            raise ValueError("save_weights: the model has not been built yet (no weights)")
        meta = {"format": FORMAT, "version": FORMAT_VERSION, "kind": "weights",
                "weights": [[t.name, list(t.shape)] for t in self.weights]}
        arrays = {f"w/{i}": t.numpy() for i, t in enumerate(self.weights)}
        _atomic_savez(filepath, meta, arrays)

    def load_weights(self, filepath, by_name=False, skip_mismatch=False):
        meta, arrays = _read(filepath)
        ws = [arrays[f"w/{i}"] for i in range(len(meta.get("weights", [])))]
        if not self.built:
            raise ValueError("load_weights: build the model first (give input_shape to the first layer)")
        mine = self.weights
        if len(ws) != len(mine):
            raise ValueError(f"load_weights: {filepath} holds {len(ws)} weight arrays, the model has "
                             f"{len(mine)}")
        for t, w in zip(mine, ws):
            if w.shape != t.shape:
                raise ValueError(f"load_weights: {t.name} has shape {t.shape}, the file has {w.shape}")
        for t, w in zip(mine, ws):
            t.data[...] = w

    def save(self, filepath, overwrite=True, include_optimizer=True, save_format=None):
        """Architecture + weights + compile settings + optimizer state, in one file, atomically."""
        if not self.built:
            raise ValueError("save: the model has not been built yet (no weights)")
        meta = {"format": FORMAT, "version": FORMAT_VERSION, "kind": "model",
                "class_name": type(self).__name__, "config": self.get_config(),
                "compile": self._compile_config() if include_optimizer else None,
                "weights": [[t.name, list(t.shape)] for t in self.weights]}
        arrays = {f"w/{i}": t.numpy() for i, t in enumerate(self.weights)}
        if include_optimizer and self._compiled:
            states = self.optimizer.get_state(self.weights)
            meta["optimizer_state"] = [len(s) for s in states]
            for i, s in enumerate(states):
                for j, a in enumerate(s):
                    arrays[f"opt/{i}/{j}"] = np.asarray(_device.to_host(a))
        _atomic_savez(filepath, meta, arrays)

    def __repr__(self):
        return f"<Sequential name={self.name}, {len(self.layers)} layers>"


class Model(Sequential):
    """Only the Sequential API is provided: ``Model(layers=[...])`` behaves as Sequential; the
    functional form ``Model(inputs=..., outputs=...)`` raises a clear error."""

    def __init__(self, layers=None, name=None, inputs=None, outputs=None, **kwargs):
        if inputs is not None or outputs is not None or kwargs:
            raise NotImplementedError("tensorforge.models.Model: the functional API "
                                      "(Model(inputs, outputs)) is not supported; use Sequential")
        super().__init__(layers=layers, name=name)


from ._fileio import atomic_savez as _atomic_savez  # noqa: E402  (Note [atomic save] there)


def _read(filepath):  # Note [bounded read] in _fileio.py
    meta, arrays = _fileio.read(filepath, FORMAT, FORMAT_VERSION)
    _check_meta(filepath, meta)
    return meta, arrays


def _check_meta(filepath, meta):
    """The fields load_model / load_weights index, with their types: a crafted file gives a
    ValueError naming it, not a KeyError or TypeError."""
    def bad(what):
        return ValueError(f"{os.fspath(filepath)!r} is corrupt: {what}")
    if meta.get("kind") not in ("model", "weights"):
        raise bad(f"kind {meta.get('kind')!r}")
    ws = meta.get("weights", [])
    if not isinstance(ws, list) or not all(isinstance(w, list) for w in ws):
        raise bad("'weights' is not a list of shapes")
    if meta["kind"] == "model":
        if not isinstance(meta.get("config"), dict) or "weights" not in meta:
            raise bad("no model config")
        cc = meta.get("compile")
        if cc is not None and (not isinstance(cc, dict) or not {"optimizer", "loss", "metrics"} <= set(cc)):
            raise bad("'compile' is malformed")
        st = meta.get("optimizer_state")
        if st is not None and (not isinstance(st, list) or not all(
                isinstance(c, int) and not isinstance(c, bool) and 0 <= c < 64 for c in st)):
            raise bad("'optimizer_state' is malformed")


def save_model(model, filepath, overwrite=True, include_optimizer=True):
    model.save(filepath, overwrite=overwrite, include_optimizer=include_optimizer)


def load_model(filepath, custom_objects=None, compile=True):
    """Rebuild a model written by ``Model.save`` (architecture, weights, compile, optimizer)."""
    meta, arrays = _read(filepath)
    if meta.get("kind") != "model":
        raise ValueError(f"load_model: {filepath!r} holds only weights (written by save_weights); "
                         "build the model and call load_weights instead")
    model = Sequential.from_config(meta["config"])
    ws = [arrays[f"w/{i}"] for i in range(len(meta["weights"]))]
    model.set_weights(ws)
    cc = meta.get("compile")
    if compile and cc:
        model.compile(optimizer=_optimizers.deserialize(cc["optimizer"]), loss=cc["loss"],
                      metrics=cc["metrics"])
        model.optimizer.iterations = int(cc.get("optimizer_iterations", 0))
        counts = meta.get("optimizer_state")
        if counts:
            states = [[arrays[f"opt/{i}/{j}"] for j in range(c)] for i, c in enumerate(counts)]
            model.optimizer.set_state(model.weights, states)
    return model
