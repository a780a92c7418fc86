"""The base ``Optimizer`` of tensorforge's Keras 2 optimizers (``optimizers/__init__.py`` says
what they are): its arguments (learning_rate / lr, decay, clipping, weight_decay, use_ema), the
step count and learning rate it reads, gradient checks and clipping, the per-parameter state
(``_init_state`` / ``_update`` of each rule, saved by ``get_state`` / ``set_state``), the weights'
moving average, Keras 2.2's ``get_updates`` interface, and the native kernels a step may call
directly (Note [native optimizer step]).

SGD, legacy RMSprop, Adam and Adagrad update each parameter with ONE call of a fused in-place
native kernel (``kernels.optim.<name>_update``); RMSprop (tf_keras 2.21's sqrt(ms + eps) rule, no
native kernel yet), Adam(amsgrad=True), Adadelta, Adamax and Nadam run the vectorized
array-module reference (NumPy / CuPy) on every backend.
"""
import math

import numpy as np

from .._xp import array_module, like
from ..autograd import Tensor
from . import legacy_updates, schedules
from .schedules import LearningRateSchedule
from .step_count import StepCount

def _kernels():
    from ..kernels import optim  # (imported on first use; a module attribute after that)
    global _kernels_module
    _kernels_module = optim
    return optim


_kernels_module = None


def _number(cls, name, v, lo=None, hi=None, lo_open=False, hi_open=False):
    """``v`` as a float, or a ValueError naming the optimizer, the argument and the range."""
    if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
        raise TypeError(f"{cls}: {name} must be a number, got {type(v).__name__} {v!r}")
    v = float(v)
    bad = not math.isfinite(v)
    if lo is not None:
        bad |= v <= lo if lo_open else v < lo
    if hi is not None:
        bad |= v >= hi if hi_open else v > hi
    if bad:
        lo_s = "" if lo is None else f"{'(' if lo_open else '['}{lo}, "
        hi_s = "inf)" if hi is None else f"{hi}{')' if hi_open else ']'}"
        raise ValueError(f"{cls}: {name} must be a finite number in {lo_s or '(-inf, '}{hi_s}, "
                         f"got {v}")
    return v


def _checked_grad(name, p):
    """p.grad of a parameter Tensor, checked: a real floating array of p's shape, or None."""
    if type(p) is Tensor:  # the training step's case, in a few tests
        g = p.grad
        if g is None or (type(g) is np.ndarray and g.dtype.kind == "f" and
                         g.shape == p.data.shape):
            return g
    if not isinstance(p, Tensor):
        raise TypeError(f"{name}.apply_gradients: expected parameter Tensors (model.weights) or "
                        f"(gradient, variable) pairs, got {type(p).__name__}")
    g = p.grad
    if g is None:
        return None
    if not hasattr(g, "dtype") or not hasattr(g, "shape"):
        raise TypeError(f"{name}.apply_gradients: the gradient of a parameter of shape "
                        f"{tuple(p.shape)} must be an array, got {type(g).__name__}")
    if g.dtype.kind != "f":
        raise TypeError(f"{name}.apply_gradients: gradients must be real floating arrays, got "
                        f"{g.dtype} for a parameter of shape {tuple(p.shape)}")
    if tuple(g.shape) != tuple(p.shape):
        raise ValueError(f"{name}.apply_gradients: a gradient of shape {tuple(g.shape)} for a "
                         f"parameter of shape {tuple(p.shape)}")
    return g


def _constrain(params):
    """Keras 2: a weight with a constraint (kernel_constraint=MaxNorm(3), ...) takes
    ``constraint(new value)`` after each step (constraints.py)."""
    for p in params:
        c = getattr(p, "_constraint", None)
        if c is not None:
            v = c(p.data)  # (a program's own constraint may return a Tensor)
            p.data[...] = v.data if isinstance(v, Tensor) else v


class HyperParam(float):
    """A number read from an optimizer (``opt.lr``, ``opt.learning_rate``) that still knows where
    it came from: ``assign(v)`` (what ``K.set_value(model.optimizer.lr, v)`` calls) sets the
    optimizer's value, ``numpy()`` (``K.get_value``) reads it as float32, as Keras 2's variable.
    Otherwise it is a plain float."""

    def __new__(cls, value, owner, attr):
        obj = float.__new__(cls, value)
        obj._owner, obj._attr = owner, attr
        return obj

    def assign(self, value):
        setattr(self._owner, self._attr, float(value))
        return getattr(self._owner, self._attr)

    def numpy(self):
        return np.float32(float(getattr(self._owner, self._attr)))

    def __reduce__(self):  # pickle / deepcopy as a plain float
        return (float, (float(self),))


class Optimizer:
    _defaults = {"learning_rate": 0.01}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("get_updates")
        if own is not None:  # a Keras 2.2 optimizer's own (Note [get_updates optimizers])
            cls.get_updates = legacy_updates.symbolic_aware(own)

    def __init__(self, learning_rate=None, clipnorm=None, clipvalue=None, decay=0.0, lr=None,
                 name=None, global_clipnorm=None, weight_decay=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, jit_compile=None, **kwargs):
        cls = type(self).__name__
        self.use_ema = bool(use_ema)  # See Note [weights' moving average]
        if self.use_ema:
            ema_momentum = _number(cls, "ema_momentum", ema_momentum, 0)
            if ema_momentum > 1:
                raise ValueError(f"{cls}: `ema_momentum` must be in the range [0, 1]. Received: "
                                 f"ema_momentum={ema_momentum}")
            if ema_overwrite_frequency and (not isinstance(ema_overwrite_frequency, int) or
                                            ema_overwrite_frequency < 1):
                raise ValueError(f"{cls}: `ema_overwrite_frequency` must be an integer > 1 or "
                                 f"None. Received: ema_overwrite_frequency="
                                 f"{ema_overwrite_frequency}")
        self.ema_momentum, self.ema_overwrite_frequency = ema_momentum, ema_overwrite_frequency
        self._ema = {}  # id(param) -> (param, its moving average array)
        if kwargs:
            raise TypeError(f"{cls}: unexpected arguments {sorted(kwargs)}; allowed besides the "
                            "optimizer's own: learning_rate (lr), decay, clipnorm, clipvalue, "
                            "global_clipnorm, name")
        if learning_rate is None:
            learning_rate = lr if lr is not None else self._defaults["learning_rate"]
        self.learning_rate = learning_rate  # validated by the setter
        self.clipnorm = None if clipnorm is None else _number(cls, "clipnorm", clipnorm, 0)
        self.clipvalue = None if clipvalue is None else _number(cls, "clipvalue", clipvalue, 0)
        self.global_clipnorm = (None if global_clipnorm is None else
                                _number(cls, "global_clipnorm", global_clipnorm, 0))
        if self.clipnorm is not None and self.global_clipnorm is not None:
            raise ValueError(f"{cls}: set at most one of clipnorm and global_clipnorm, got "
                             f"clipnorm={clipnorm} and global_clipnorm={global_clipnorm}")
        self.decay = _number(cls, "decay", decay, 0)
        self.weight_decay = (None if weight_decay is None else
                             _number(cls, "weight_decay", weight_decay, 0))
        self._iterations = 0
        self._state = {}  # id(param) -> (param, state arrays...)
        self.name = name or cls

    def __setstate__(self, state):
        """pickle / deepcopy: the per-parameter state is keyed by id(param), so it is keyed
        again by the new parameters (each entry holds its parameter first)."""
        self.__dict__.update(state)
        for name in ("_state", "_ema"):
            self.__dict__[name] = {id(e[0]): e for e in self.__dict__.get(name, {}).values()}

    # the step count: an int kept here, read as Keras 2's int64 variable (step_count.py)
    @property
    def iterations(self):
        return StepCount(self._iterations, self)

    @iterations.setter
    def iterations(self, v):
        if isinstance(v, Tensor):  # Keras 2.2: self.iterations = K.variable(0, dtype='int64')
            v = v.numpy().item()
        i = int(v)
        if i != v or i < 0:
            raise ValueError(f"{type(self).__name__}: iterations must be a non-negative "
                             f"integer, got {v!r}")
        self._iterations = i

    # learning_rate: a non-negative number or a schedule; ``lr`` is the Keras 2.2 name
    @property
    def learning_rate(self):
        lr = self._learning_rate
        return lr if isinstance(lr, LearningRateSchedule) else HyperParam(lr, self, "learning_rate")

    @learning_rate.setter
    def learning_rate(self, v):
        if isinstance(v, Tensor) and v.size == 1:  # Keras 2.2: self.lr = K.variable(lr)
            v = float(v.numpy())
        if isinstance(v, LearningRateSchedule):
            self._learning_rate = v
        else:
            self._learning_rate = _number(type(self).__name__, "learning_rate", v, 0)

    lr = learning_rate

    def _current_lr(self):
        """The learning rate of the step about to be taken (iterations not yet incremented)."""
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            lr = float(lr(self._iterations))
        if self.decay:
            lr = lr / (1.0 + self.decay * self._iterations)
        return lr

    def _clip(self, grads):
        xp = array_module(grads[0]) if grads else np
        if self.clipvalue is not None:
            grads = [xp.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        if self.clipnorm is not None:
            out = []
            for g in grads:
                norm = float(xp.sqrt((g * g).sum()))
                out.append(g * np.float32(self.clipnorm / norm) if norm > self.clipnorm else g)
            grads = out
        if self.global_clipnorm is not None and grads:
            norm = math.sqrt(sum(float((g * g).sum()) for g in grads))
            if norm > self.global_clipnorm:
                grads = [g * np.float32(self.global_clipnorm / norm) for g in grads]
        return grads

    def apply_gradients(self, grads_and_vars, name=None, skip_gradients_aggregation=False,
                        experimental_aggregate_gradients=True):
        """Update every Tensor in ``grads_and_vars`` that has a .grad, in place. The tf.keras 2
        form ``apply_gradients(zip(grads, variables))`` (pairs of gradient array and Tensor)
        works too, also by keyword (Raschka ch. 17: ``grads_and_vars=zip(...)``); a None
        gradient skips its variable. ``name`` and the aggregation flags (one process: nothing
        to aggregate) are accepted."""
        params = list(grads_and_vars)
        if params and isinstance(params[0], tuple):
            pairs = []
            for pair in params:
                if not isinstance(pair, tuple) or len(pair) != 2:
                    raise TypeError(f"{type(self).__name__}.apply_gradients: expected Tensors or "
                                    f"(gradient, variable) pairs, got {pair!r}")
                g, v = pair
                if g is not None:
                    g = like(g, v.data)
                    if g.dtype.kind != "f":
                        raise TypeError(f"{type(self).__name__}.apply_gradients: gradients must "
                                        f"be real floating arrays, got {g.dtype}")
                    if tuple(g.shape) != tuple(v.shape):
                        raise ValueError(f"{type(self).__name__}.apply_gradients: gradient of shape "
                                         f"{tuple(g.shape)} for a variable of shape {tuple(v.shape)}")
                    pairs.append((v, g))
            live, raw = [v for v, _ in pairs], [g for _, g in pairs]
        else:
            name = type(self).__name__
            live, raw = [], []
            for p in params:  # (one pass: this runs on every training step)
                if type(p) is Tensor:  # the training step's case, in a few tests
                    g = p.grad
                    if g is None:
                        continue
                    d = p.data
                    if type(g) is np.ndarray and g.dtype is d.dtype and g.dtype.kind == "f" \
                            and g.shape == d.shape:
                        live.append(p)
                        raw.append(g)
                        continue
                g = _checked_grad(name, p)
                if g is not None:
                    live.append(p)
                    raw.append(g)
        self._apply_arrays(live, raw)

    # Note [weights' moving average]: tf.keras 2.11+'s use_ema. Each parameter's average starts
    # as its value before its first update; after every step average = m * average + (1 - m) *
    # parameter; every ema_overwrite_frequency steps (when set) the parameters take their
    # averages, and fit() ends with finalize_variable_values (the same overwrite), as tf_keras
    # 2.21's optimizer.py does.
    def _apply_arrays(self, live, raw, checked=False, raw2=None):
        """One step (``_step_arrays``), then the weights' moving average when use_ema is set
        (See Note [weights' moving average])."""
        if not self.use_ema:
            return self._step_arrays(live, raw, checked, raw2)
        ema = self._ema
        for p in live:
            if id(p) not in ema:
                ema[id(p)] = (p, p.data.copy())
        self._step_arrays(live, raw, checked, raw2)
        m = self.ema_momentum
        for p in live:
            avg = ema[id(p)][1]
            avg *= avg.dtype.type(m)
            avg += p.data * p.data.dtype.type(1 - m)
        if self.ema_overwrite_frequency and self.iterations % self.ema_overwrite_frequency == 0:
            self._overwrite_with_averages(live)

    def _overwrite_with_averages(self, params):
        for p in params:
            got = self._ema.get(id(p))
            if got is not None:
                p.data[...] = got[1]

    def finalize_variable_values(self, var_list):
        """tf.keras 2.11+: with use_ema, the variables take their moving averages (fit() calls
        this when it ends)."""
        if self.use_ema:
            self._overwrite_with_averages(list(var_list))

    def _step_arrays(self, live, raw, checked=False, raw2=None):
        """One step on the parameter Tensors ``live`` with their gradients ``raw`` (checked
        floating arrays of their shapes, one per parameter): apply_gradients once it has
        collected them, and the compiled training step (Note [compiled step], engine/
        compiled_step.py), which computes them itself. ``checked``: the gradients are already
        C-contiguous arrays of their parameters' dtypes (the compiled step's kernels' outputs).
        ``raw2``: checked arrays too, each parameter's gradient being raw + raw2 (Note [update
        of a sum]: the shared-memory window's two ranks' regions, distributed/shm.py)."""
        if type(self).get_updates is not Optimizer.get_updates:  # a Keras 2.2 subclass
            if raw2 is not None:
                raw = [g + g2 for g, g2 in zip(raw, raw2)]
            return legacy_updates.step(self, live, raw, _constrain)
        lr = self._current_lr()
        self._iterations += 1
        if raw2 is not None and (self.clipnorm is not None or self.clipvalue is not None
                                 or self.global_clipnorm is not None):
            raw, raw2 = [g + g2 for g, g2 in zip(raw, raw2)], None  # clipping needs the sum
        if checked:
            grads = raw
        else:
            grads = []
            for p, g in zip(live, raw):
                d = p.data
                if g.dtype is not d.dtype and g.dtype != d.dtype or not g.flags.c_contiguous:
                    g = array_module(g).ascontiguousarray(g, dtype=d.dtype)
                grads.append(g)
        if self.clipnorm is not None or self.clipvalue is not None or self.global_clipnorm is not None:
            grads = self._clip(grads)
        if self.weight_decay:  # tf.keras 2.11+: decoupled, p -= p * wd * lr, before the step
            for p in live:
                p.data -= p.data * p.data.dtype.type(self.weight_decay) * p.data.dtype.type(lr)
        self._prepare_step()
        state = self._state
        states = []
        for p in live:
            st = state.get(id(p))
            if st is None:
                st = state[id(p)] = (p,) + self._init_state(p.data)
            states.append(st)
        if raw2 is not None:  # See Note [update of a sum]
            fused, k = self._native_update_sum(lr), _kernels_module or _kernels()
            for p, g, g2, st in zip(live, grads, raw2, states):
                if fused is not None:
                    try:
                        fused(p.data, g, g2, st[1:])
                        continue
                    except (TypeError, ValueError):
                        pass
                self._update(k, p.data, g + g2, st[1:], lr)
            _constrain(live)
            return
        multi = self._native_multi(lr) if len(live) > 1 else None
        if multi is not None:  # See Note [multi-tensor update]
            try:
                multi(live, grads, states)
                _constrain(live)
                return
            except (TypeError, ValueError):
                pass  # (nothing was updated: the single calls below convert or explain)
        native = self._native_update(lr)
        k, update = _kernels_module or _kernels(), self._update
        for p, g, st in zip(live, grads, states):
            if native is not None:  # See Note [native optimizer step]
                try:
                    native(p.data, g, st)
                    continue
                except (TypeError, ValueError):
                    pass
            update(k, p.data, g, st[1:], lr)
        _constrain(live)

    # Note [native optimizer step]: an optimizer whose step is one native kernel on the current
    # backend returns from _native_update a function step(param, grad, state) (state: the
    # parameter's entry of _state) that calls the binding with exactly what its _update's
    # kernels.* entry point passes it on its fast path (Note [native fast path]), without the
    # two Python frames in between (they cost more than a bias's update). The binding checks
    # every argument; where it refuses some, _update runs as ever and converts or explains.
    # None: _update for every parameter (also for a subclass that overrides _update).
    def _native_update(self, lr):
        return None

    # Note [multi-tensor update]: an optimizer with a _native_update step may also return from
    # _native_multi a step(params, grads, states) updating every parameter in one binding call
    # (lists in parameter order; the binding, e.g. adam_update_multi, checks every argument
    # before it changes anything, then updates as the single calls would: the same values),
    # under the same conditions as its _native_update. It raises TypeError / ValueError with
    # nothing updated; _apply_arrays then takes the single calls.
    def _native_multi(self, lr):
        return None

    # Note [update of a sum]: an optimizer whose native kernel can read the gradient as the sum
    # of two arrays (Note [two gradients] in csrc/include/tf/optim.h) returns from
    # _native_update_sum a step(param, grad, grad2, st) (st: the state arrays, as _update's)
    # updating with grad + grad2, rounded as the summed array would be; None where it cannot.
    # The shared-memory window of two ranks (distributed/shm.py) passes their gradients this
    # way instead of writing their sum and reading it back: to update_shard (sharded) and to
    # _apply_arrays(raw2=...) (each rank's whole update).
    def _native_update_sum(self, lr):
        return None

    # Keras 2.0-2.2's optimizer interface (Note [get_updates optimizers], legacy_updates.py)
    def get_updates(self, *args, **kwargs):
        """Keras 2.2's ``get_updates(loss, params)`` (Keras 2.0: ``(params, constraints,
        loss)``) of a Keras-tensor loss: the step a K.function takes as ``updates`` (Note
        [K.function updates], backend_ops/graph_ops.py)."""
        names = ("params", "constraints", "loss") if len(args) == 3 else ("loss", "params")
        a = dict(zip(names, args), **kwargs)
        loss, params = a.get("loss"), a.get("params")
        if getattr(loss, "_keras_history", None) is None or params is None:
            raise NotImplementedError(
                f"{type(self).__name__}.get_updates: takes the Keras-tensor loss of a graph "
                "(for K.function's updates); an eager step is apply_gradients (a Keras 2.2 "
                "Optimizer subclass defines get_updates(loss, params) itself)")
        from ..backend_ops.graph_ops import TrainingStep
        return [TrainingStep(self, loss, params)]

    def get_gradients(self, loss, params):
        return legacy_updates.gradients_for(self, params)

    def minimize(self, loss, var_list, tape=None):
        """One step on ``loss`` (a scalar Tensor, or a callable returning one, as tf.keras 2):
        back-propagates it into ``var_list`` (Tensors, or a callable returning them) and applies
        the gradients. Returns the loss Tensor."""
        from ..autograd import Tensor, enable_grad
        var_list = list(var_list() if callable(var_list) else var_list)
        for v in var_list:
            v.grad = None
        with enable_grad():
            value = loss() if callable(loss) else loss
        if not isinstance(value, Tensor) or value.size != 1:
            raise ValueError(f"{type(self).__name__}.minimize: loss must be a scalar Tensor (or a "
                             f"callable returning one), got {type(value).__name__}")
        value.backward()
        self.apply_gradients(var_list)
        for v in var_list:
            v.grad = None
        return value

    def _prepare_step(self):
        """Per-step coefficients shared by all parameters (Nadam's momentum schedule)."""

    # state for save/load: list of arrays in parameter order
    def get_state(self, params):
        out = []
        for p in params:
            st = self._state.get(id(p))
            out.append([] if st is None else [s for s in st[1:] if s is not None])
        return out

    def set_state(self, params, states):
        for p, arrs in zip(params, states):
            if not arrs:
                continue
            proto = self._init_state(p.data)
            it = iter(arrs)
            self._state[id(p)] = (p,) + tuple(None if s is None else np.array(next(it), dtype=s.dtype)
                                              for s in proto)

    def get_config(self):
        if type(self).get_updates is not Optimizer.get_updates:  # Keras 2.2's base config
            return {k: getattr(self, k) for k in ("clipnorm", "clipvalue")
                    if getattr(self, k) is not None}
        cfg = {"name": self.name}
        for k in ("clipnorm", "global_clipnorm", "clipvalue"):
            if getattr(self, k) is not None:
                cfg[k] = getattr(self, k)
        lr = self._learning_rate
        cfg["learning_rate"] = schedules.serialize(lr) if isinstance(lr, LearningRateSchedule) else lr
        cfg["decay"] = self.decay
        if self.weight_decay is not None:
            cfg["weight_decay"] = self.weight_decay
        if self.use_ema:
            cfg.update(use_ema=True, ema_momentum=self.ema_momentum,
                       ema_overwrite_frequency=self.ema_overwrite_frequency)
        return cfg

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            config["learning_rate"] = schedules.deserialize(lr)
        return cls(**config)

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{k}={v}' for k, v in self.get_config().items())})"


def _native_kernel(op):
    """The native CPU kernel of ``op`` on the current backend, or None (Note [native optimizer
    step]); remembered until the next backend.register / set_backend (backend.generation)."""
    k = _kernels_module or _kernels()  # (kernels.optim imports the backend)
    gen = k.backend.generation[0]
    hit = _native_kernels.get(op)
    if hit is not None and hit[0] == gen:
        return hit[1]
    fn = k.backend.lookup(op)
    fn = fn if k._is_native(fn) else None
    _native_kernels[op] = (gen, fn)
    return fn


_native_kernels = {}  # op -> (backend.generation, native kernel or None)


def _zeros(p, n):
    xp = array_module(p)
    return tuple(xp.zeros_like(p) for _ in range(n))
