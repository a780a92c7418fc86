"""Model: the fit / evaluate / predict / *_on_batch API (Keras 2's keras/engine/training.py).
One train / test step (forward, losses, batch metrics) is training_step.py's, compile's
resolution training_compile.py's, the handling of x and y training_inputs.py's, the loops
themselves training_arrays.py's, saving saving.py's.

compile(optimizer, loss, metrics, loss_weights) resolves, per model output, its loss (one for
all, a list in output order, or a dict by output name), its weight and its metrics, and names
them as Keras 2 does: ``metrics_names`` is ``['loss']`` then, for several outputs,
``'<output>_loss'`` per output, then each metric (``'<output>_<metric>'`` for several outputs),
then the Layer.add_metric names. As tf_keras 2, the list is empty from compile until the first
fit / evaluate / train_on_batch / test_on_batch (but for a functional graph's add_metric names).
``train_on_batch`` / ``test_on_batch`` / ``evaluate`` return a scalar when that list has one
name, else the list of values in that order.

The trainable state is read at compile time, as in Keras 2: the weights a train step updates are
the ones that were trainable when ``compile`` ran (the GAN pattern: compile the discriminator,
set ``discriminator.trainable = False``, build and compile the combined model; the
discriminator's own ``train_on_batch`` still trains it, the combined model's does not).

Fast paths kept for any graph: See Note [fused output] (network.py) and Note [data on the
device] (_device.py).
"""
import functools
import json
import warnings
import time

import numpy as np

from .. import _device
from .. import callbacks as _cb
from .. import callbacks_progbar as _cb_progbar
from ..autograd import no_grad
from ..saving import hdf5_format as _h5
from .. import tf_train
from . import custom_step, saving, training_arrays, training_generator, training_utils
from .network import Network
from ..symbolic.node import pack_like
from .training_compile import CompileMixin
from .step_functions import StepFunctionsMixin
from .training_inputs import InputsMixin
from .training_step import TrainStepMixin


def _no_other_arguments(where, kwargs):
    """A misspelt argument (``epoch=5``) is an error, as in Keras 2, not silently dropped."""
    if kwargs:
        raise TypeError(f"{where}: unexpected keyword arguments {sorted(kwargs)}")


def _check_epochs(op, epochs):
    """Keras 2 refuses a fit of no epochs ("Expected epochs to be positive"), before any
    callback runs; epochs <= initial_epoch is a fit of nothing, returning an empty History."""
    if not isinstance(epochs, bool) and isinstance(epochs, (int, np.integer)) and epochs < 1:
        raise ValueError(f"{op}: epochs must be positive (Keras 2: \"Expected epochs to be "
                         f"positive\"), got {epochs}")


def _auto_verbose(verbose):
    """tf_keras 2's ``verbose='auto'``, fit / evaluate / predict's default: 1 (a progress bar;
    2 under a ParameterServerStrategy, which tensorforge has not)."""
    return 1 if isinstance(verbose, str) and verbose == "auto" else verbose


def _batch_size(op, batch_size):
    """32 for None; else a positive int (Keras 2 refuses 2.5 and 0)."""
    if batch_size is None:
        return 32
    if isinstance(batch_size, (float, np.floating)) and float(batch_size).is_integer():
        batch_size = int(batch_size)  # 32.0 works in Keras 2 too
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"{op}: batch_size must be an int, got {type(batch_size).__name__} {batch_size!r}")
    if batch_size <= 0:
        raise ValueError(f"{op}: batch_size must be positive, got {batch_size}")
    return int(batch_size)


def _frees_last_run(method):
    """A public entry (fit, evaluate, predict, *_on_batch) drops the last batch's values when
    it returns: they served that batch's loss and metrics, and held on the model they would keep
    a batch of activations and their graph alive after training (as tf_keras keeps none)."""
    @functools.wraps(method)
    def freeing(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        finally:
            self.__dict__.pop("_last_run", None)
    return freeing


class Model(CompileMixin, InputsMixin, StepFunctionsMixin, TrainStepMixin, Network):
    """Keras 2 ``Model``: ``Model(inputs, outputs)`` (functional) or subclassed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.optimizer = None
        self.loss = None
        self.stop_training = False
        self.history = None
        self._compiled = False
        self._out_specs = None

    def _init_graph_network(self, inputs, outputs):
        super()._init_graph_network(inputs, outputs)
        if getattr(self, "_compiled", False):
            self._resolve_outputs()

    # ---- public training API ----------------------------------------------------------------
    def _check_compiled(self, where):
        if not self._compiled:
            raise RuntimeError(f"{where}: you must compile the model before "
                               f"{'training' if where in ('fit', 'train_on_batch') else 'using'} "
                               "it (model.compile(...))")

    def _standardize_arrays(self, data, where):
        """(x, y) or (x, y, sample_weight) -> (inputs, targets, weights), each a list."""
        xs = self._standardize_x(data[0], where)
        ys = self._standardize_y(data[1], xs[0].shape[0], where)
        sws = training_utils.standardize_weights(self, ys, data[2] if len(data) > 2 else None,
                                                 None, where)
        return xs, ys, sws

    @_frees_last_run
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_freq=1, max_queue_size=10, workers=1, use_multiprocessing=False,
            distributed=False, validation_batch_size=None, **kwargs):
        if "nb_epoch" in kwargs:  # Keras 1's name, which Keras 2.2 still took (with a warning)
            import warnings
            warnings.warn("fit: the `nb_epoch` argument has been renamed `epochs`.",
                          stacklevel=2)
            epochs = kwargs.pop("nb_epoch")
        _no_other_arguments("fit", kwargs)
        verbose = _auto_verbose(verbose)
        self._check_compiled("fit")
        if isinstance(shuffle, str) and shuffle != "batch":
            raise ValueError(f"fit: shuffle must be True, False or 'batch', got {shuffle!r}")
        if shuffle != "batch":
            shuffle = bool(shuffle)  # tf_keras 2 shuffles on any true value (`shuffle=0.2`)
        for name, v in (("epochs", epochs), ("initial_epoch", initial_epoch)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise TypeError(f"fit: {name} must be an int, got {type(v).__name__} {v!r}")
            if v < 0:
                raise ValueError(f"fit: {name} must be >= 0, got {v}")
        _check_epochs("fit", epochs)
        if custom_step.wants(self, "train_step", x):  # See Note [step logs] (custom_step.py)
            if distributed:
                raise ValueError("fit: distributed=True trains through the built-in step on "
                                 "arrays; it does not run an overridden train_step or a Dataset")
            return custom_step.fit(self, x, y, batch_size, epochs, verbose, callbacks,
                                   validation_split, validation_data, shuffle, class_weight,
                                   sample_weight, initial_epoch, steps_per_epoch,
                                   validation_steps, validation_freq, validation_batch_size)
        if training_generator.is_generator_like(x):
            if y is not None or sample_weight is not None or validation_split:
                raise ValueError("fit: when x is a generator or a Sequence, y, sample_weight and "
                                 "validation_split must not be given (the generator yields "
                                 "(x, y) or (x, y, sample_weight) tuples)")
            if distributed:
                raise ValueError("fit: distributed=True takes arrays, not a generator")
            return self.fit_generator(x, steps_per_epoch, epochs, verbose, callbacks,
                                      validation_data, validation_steps, validation_freq,
                                      class_weight, shuffle=shuffle, initial_epoch=initial_epoch)
        batch_size = _batch_size("fit", batch_size)
        xs = self._standardize_x(x, "fit")
        ys = self._standardize_y(y, xs[0].shape[0], "fit")
        sws = training_utils.standardize_weights(self, ys, sample_weight, class_weight, "fit")
        val, validate = None, None
        if validation_data is None and validation_split:
            if not 0 < validation_split < 1:
                raise ValueError(f"fit: validation_split must be in (0, 1), got {validation_split}")
            n = xs[0].shape[0]
            split = int(n * (1.0 - validation_split))
            if split == 0 or split == n:
                raise ValueError(f"fit: validation_split={validation_split} leaves an empty "
                                 f"training or validation set for {n} samples")

            def cut(arrays, part):
                return [None if a is None else part(a) for a in arrays]
            val = tuple(cut(a, lambda a: a[split:]) for a in (xs, ys, sws))
            xs, ys, sws = (cut(a, lambda a: a[:split]) for a in (xs, ys, sws))
        elif validation_data is not None:
            if training_generator.is_generator_like(validation_data):
                validate = training_generator._validator(self, validation_data, validation_steps,
                                                         "fit")
            elif not isinstance(validation_data, (tuple, list)) or len(validation_data) < 2 \
                    or len(validation_data) > 3:
                raise ValueError("fit: validation_data must be a tuple (x_val, y_val) or "
                                 "(x_val, y_val, val_sample_weights), a generator or a Sequence")
            else:
                val = self._standardize_arrays(validation_data, "fit (validation_data)")
        for a in xs:
            if a.dtype.kind == "f" and not _device.is_device_array(a) and not np.isfinite(a).all():
                import warnings
                warnings.warn("fit: x contains NaN or infinite values; the loss will likely be "
                              "NaN", RuntimeWarning, stacklevel=2)
                break
        self.history = training_arrays.fit_loop(
            self, xs, ys, batch_size=batch_size, epochs=epochs, verbose=verbose,
            callbacks=callbacks, val=val, shuffle=shuffle, initial_epoch=initial_epoch,
            distributed=distributed, sws=sws, steps_per_epoch=steps_per_epoch,
            validation_steps=validation_steps, validation_freq=validation_freq,
            validate=validate, validation_batch_size=validation_batch_size)
        return self.history

    @_frees_last_run
    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, max_queue_size=10, workers=1,
                 use_multiprocessing=False, return_dict=False, distributed=False, **kwargs):
        _no_other_arguments("evaluate", kwargs)
        verbose = _auto_verbose(verbose)
        self._check_compiled("evaluate")
        if custom_step.wants(self, "test_step", x):
            return custom_step.evaluate(self, x, y, batch_size, verbose, sample_weight, steps,
                                        callbacks, return_dict)
        if training_generator.is_generator_like(x):
            if y is not None or sample_weight is not None:
                raise ValueError("evaluate: when x is a generator or a Sequence, y and "
                                 "sample_weight must not be given (the generator yields them)")
            res = self.evaluate_generator(x, steps, callbacks=callbacks, verbose=verbose)
            return dict(zip(self._all_metrics_names(), np.atleast_1d(res).tolist())) \
                if return_dict \
                else res
        batch_size = _batch_size("evaluate", batch_size)
        xs, ys, sws = self._standardize_arrays((x, y, sample_weight), "evaluate")
        own = _cb_progbar.program_logger(callbacks or [])  # Note [a program's ProgbarLogger]
        cbs = training_arrays.CallbackList(callbacks or [], self, training_arrays.loop_params(
            verbose, steps, xs, batch_size))  # See Note [callback params and logs]
        cbs.on_test_begin({})
        res = training_arrays.test_loop(self, xs, ys, batch_size=batch_size,
                                        verbose=0 if own is not None else verbose,
                                        distributed=distributed, sws=sws, steps=steps, cbl=cbs)
        logs = dict(zip(self._all_metrics_names(), res))
        cbs.on_test_end(logs)
        if return_dict:  # (tf_keras 2's evaluate(return_dict=True))
            return logs
        return res if len(res) > 1 else res[0]

    @_frees_last_run
    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None,
                max_queue_size=10, workers=1, use_multiprocessing=False, **kwargs):
        _no_other_arguments("predict", kwargs)
        verbose = _auto_verbose(verbose)  # a bar per call, as tf_keras 2.21 (Keras 2.2: 0)
        if custom_step.wants(self, "predict_step", x):
            return custom_step.predict(self, x, batch_size, verbose, steps, callbacks)
        if training_generator.is_generator_like(x):
            return self.predict_generator(x, steps, callbacks=callbacks, verbose=verbose)
        batch_size = _batch_size("predict", batch_size)
        xs = self._standardize_x(x, "predict")
        own = _cb_progbar.program_logger(callbacks or [])  # Note [a program's ProgbarLogger]
        cbs = training_arrays.CallbackList(callbacks or [], self, training_arrays.loop_params(
            verbose, steps, xs, batch_size))  # See Note [callback params and logs]
        t0 = time.time()
        cbs.on_predict_begin({})
        outs = training_arrays.predict_loop(self, xs, batch_size=batch_size, steps=steps,
                                            cbl=cbs)
        cbs.on_predict_end({})
        if verbose in (1, 2) and own is None:  # tf_keras 2's bar and line count steps (Keras 2.2's, samples)
            n = outs[0].shape[0]
            bar = _cb.Progbar(-(-n // batch_size), verbose=verbose, unit="step")
            bar.start = t0
            bar.update(bar.target, finalize=True)
        return self._pack_outputs(outs)

    # ---- tf.keras 2's overridable steps (custom_step.py) -------------------------------------
    @custom_step.default_step
    def train_step(self, data):
        """One training step on ``data`` (See Note [step logs] in custom_step.py); returns the
        logs dict. fit() calls an override per batch."""
        return custom_step.train_step(self, data)

    @custom_step.default_step
    def test_step(self, data):
        return custom_step.test_step(self, data)

    @custom_step.default_step
    def predict_step(self, data):
        return custom_step.predict_step(self, data)

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
        """tf.keras 2.11+: the compiled loss of a batch, with the model's added losses."""
        return self.compiled_loss(y, y_pred, sample_weight, regularization_losses=self.losses)

    def compute_metrics(self, x, y, y_pred, sample_weight):
        """tf.keras 2.11+: update the compiled metrics; returns get_metrics_result()."""
        self.compiled_metrics.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def get_metrics_result(self):
        return {m.name: m.result() for m in self.metrics}

    @property
    def _is_compiled(self):
        """tf_keras' flag set by compile (keract checks it before reading activations)."""
        return self._compiled

    @property
    def compiled_loss(self):
        return custom_step.compiled_loss(self) if self._compiled else None

    @property
    def compiled_metrics(self):
        return custom_step.compiled_metrics(self) if self._compiled else None

    @property
    def metrics(self):
        """The compiled loss' and metrics' objects (once used) and the Metric objects the model
        holds: what fit resets when each epoch begins (tf.keras 2's Model.metrics)."""
        return custom_step.model_metrics(self)

    # ---- Keras 2 generator names (training_generator.py) ------------------------------------
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, validation_freq=1,
                      class_weight=None, max_queue_size=10, workers=1, use_multiprocessing=False,
                      shuffle=True, initial_epoch=0):
        """Train on batches from a generator or a Sequence (``workers`` /
        ``use_multiprocessing`` / ``max_queue_size`` accepted; the batches are made in-process)."""
        self._check_compiled("fit_generator")
        _check_epochs("fit_generator", epochs)
        self.history = training_generator.fit_generator(
            self, generator, steps_per_epoch, epochs, verbose, callbacks, validation_data,
            validation_steps, validation_freq, class_weight, shuffle, initial_epoch)
        return self.history

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                           workers=1, use_multiprocessing=False, verbose=0):
        self._check_compiled("evaluate_generator")
        res = training_generator.evaluate_generator(self, generator, steps, verbose, callbacks)
        return res if len(res) > 1 else res[0]

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                          workers=1, use_multiprocessing=False, verbose=0):
        return self._pack_outputs(training_generator.predict_generator(self, generator, steps,
                                                                       verbose, callbacks))

    def _pack_outputs(self, outs):
        if self._is_graph_network:
            if isinstance(self._nested_outputs, (list, tuple, dict)):
                return pack_like(self._nested_outputs, outs)
            return outs[0]
        return outs[0] if isinstance(self.output_shape_, tuple) else outs

    @_frees_last_run
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, reset_metrics=True,
                       return_dict=False):
        self._check_compiled("train_on_batch")
        if custom_step.overrides(self, "train_step"):
            return custom_step.on_batch(self, "train_step", x, y, sample_weight, reset_metrics,
                                        return_dict)
        xs = self._standardize_x(x, "train_on_batch")
        ys = self._standardize_y(y, xs[0].shape[0], "train_on_batch")
        sws = training_utils.standardize_weights(self, ys, sample_weight, class_weight,
                                                 "train_on_batch")
        xp = _device.device_module()
        _device.place_model(self, xp)
        xs, ys, sws = ([_device.to_device(a, xp) for a in arr] for arr in (xs, ys, sws))
        if reset_metrics:
            self.reset_metrics()
        loss, parts, outs, mets = self._train_batch(xs, ys, self._compiled_params(), sws, True)
        return self._batch_result(ys, outs, sws, [loss] + parts, return_dict, mets,
                                  batch=xs[0].shape[0])

    @_frees_last_run
    def test_on_batch(self, x, y=None, sample_weight=None, reset_metrics=True, return_dict=False):
        self._check_compiled("test_on_batch")
        if custom_step.overrides(self, "test_step"):
            return custom_step.on_batch(self, "test_step", x, y, sample_weight, reset_metrics,
                                        return_dict)
        xs = self._standardize_x(x, "test_on_batch")
        ys = self._standardize_y(y, xs[0].shape[0], "test_on_batch")
        sws = training_utils.standardize_weights(self, ys, sample_weight, None, "test_on_batch")
        xp = _device.device_module()
        _device.place_model(self, xp)
        xs, ys, sws = ([_device.to_device(a, xp) for a in arr] for arr in (xs, ys, sws))
        if reset_metrics:
            self.reset_metrics()
        loss, parts, outs = self._test_batch(xs, ys, sws)
        losses = [float(_device.to_host(v)) for v in [loss] + parts]  # 0-d device arrays
        return self._batch_result(ys, outs, sws, losses, return_dict, batch=xs[0].shape[0])

    def _batch_result(self, ys, outs, sws, losses, return_dict, mets=None, *, batch):
        """train_on_batch / test_on_batch's return value (See Note [batch metrics]): the losses,
        the compiled metrics, then the Layer.add_metric values (a metric object's result(), else
        the running mean of the values added), in metrics_names order, as tf_keras 2."""
        if mets is None:  # (train_on_batch's are computed in the step, before backward)
            with no_grad():
                mets = self._batch_metrics(ys, outs, sws)
        added = self._added_metric_values()
        if added:
            known = self.__dict__.get("_added_metric_names") or []
            self.__dict__["_added_metric_names"] = known + [k for k in added if k not in known]
            self.__dict__["_metric_weight_sums"] = dict(
                self.__dict__.get("_metric_weight_sums") or {},
                **{k: c for k, (_, c) in added.items()})
        names = self._names_in_use()
        vals = dict(zip(names, losses))
        vals.update(mets)
        for k, (v, _) in added.items():
            vals.setdefault(k, v)  # (a compiled metric's name wins, as in evaluate)
        names = [k for k in names if k in vals]
        # (the inputs' batch: a model's output may be a scalar, a loss computed in a Lambda)
        res = self._running_batch_logs(names, [vals[k] for k in names], batch)
        objs = self._added_metric_objects() if added else {}
        res = [training_utils.metric_value(objs[k].result()) if k in objs else v
               for k, v in zip(names, res)]
        if return_dict:
            return dict(zip(names, res))
        return res if len(res) > 1 else res[0]

    @_frees_last_run
    def predict_on_batch(self, x):
        xs = self._standardize_x(x, "predict_on_batch")
        return self._pack_outputs(training_arrays.predict_loop(self, xs, batch_size=xs[0].shape[0]))

    # ---- files ------------------------------------------------------------------------------
    def save(self, filepath, overwrite=True, include_optimizer=True, save_format=None, **kwargs):
        if include_optimizer and getattr(getattr(self, "optimizer", None), "_tf1_optimizer", False):
            # tf_keras's TFOptimizer: no config, so the file keeps no compile settings
            # (compat/v1/train.py)
            warnings.warn("TensorFlow optimizers do not make it possible to access optimizer "
                          "attributes or optimizer state after instantiation. As a result, we "
                          "cannot save the optimizer as part of the model save file. You will "
                          "have to compile your model again after loading it. Prefer using a "
                          "Keras optimizer instead (see keras.io/optimizers).", stacklevel=2)
            include_optimizer = False
        if _h5.is_hdf5_path(filepath, save_format):  # Keras 2 HDF5 (.h5 / .hdf5): saving/
            filepath = saving.model_path(filepath, writing=True)  # parents made, as Keras 2
            if not saving.proceed_with_overwrite(filepath, overwrite):
                return None
            return _h5.save_model(self, filepath, include_optimizer=include_optimizer)
        saving.save_model(self, filepath, overwrite=overwrite, include_optimizer=include_optimizer)

    def save_weights(self, filepath, overwrite=True, save_format=None, **kwargs):
        if not saving.proceed_with_overwrite(filepath, overwrite):
            return None
        if _h5.is_hdf5_path(filepath, save_format):  # Keras 2 HDF5 (.h5 / .hdf5): saving/
            return _h5.save_weights(self, filepath)
        saving.save_weights(self, filepath)
        tf_train.update_checkpoint_state(filepath)  # for tf.train.latest_checkpoint

    def load_weights(self, filepath, by_name=False, skip_mismatch=False, **kwargs):
        if _h5.is_hdf5_file(filepath):  # Keras 2 HDF5 (.h5 / .hdf5): saving/
            return _h5.load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)
        saving.load_weights(self, filepath, by_name=by_name, skip_mismatch=skip_mismatch)

    def to_json(self, **kwargs):
        return json.dumps({"class_name": _class_name_of(self), "config": self.get_config()},
                          **kwargs)

    def to_yaml(self, **kwargs):
        """Keras 2 (TensorFlow >= 2.6) removed YAML model descriptions: the same RuntimeError."""
        raise RuntimeError(
            "Method `model.to_yaml()` has been removed due to security risk of "
            "arbitrary code execution. Please use `model.to_json()` instead.")


def _class_name_of(model):
    return "Functional" if type(model).__name__ == "Model" else type(model).__name__


from . import auto_config as _auto_config  # noqa: E402
from ..symbolic import node as _node  # noqa: E402
_node.ENGINE["Model"] = Model  # K.function builds one (See node.ENGINE)

_auto_config.register(Model)  # See Note [automatic config] (auto_config.py)
