"""The caps (epochs, samples, hand-written loops' steps and predict calls) put on Model.fit /
evaluate / predict / train_on_batch, and the record of every fit's and evaluate's logs."""
import functools
import importlib
import math

import numpy as np

from .config import MAX_APPLY, MAX_EPOCHS, MAX_PREDICT, MAX_SAMPLES, MAX_STEPS, SIDE, TARGET

last = {}  # the last fit's logs, the evaluates' (eval_*) and train_on_batch's: the status's "logs"
steps = {"n": 0}  # train_on_batch calls so far (MAX_STEPS)


class CapReached(BaseException):
    """Raised by train_on_batch after KP_MAX_STEPS calls: a hand-written training loop (GANs)
    has run its capped number of steps; the run counts as completed."""

def _scalars(x):
    """A non-empty list / tuple of Python or NumPy scalars: one array's worth of samples."""
    return bool(x) and all(isinstance(a, (int, float, bool, np.number, np.bool_)) for a in x)

def _cap(x):
    if x is None:
        return x
    if isinstance(x, (list, tuple)):
        if _scalars(x):
            return x[:MAX_SAMPLES]  # a list of scalars is one array (Hvass-Labs' imdb.py's y)
        return type(x)(_cap(a) for a in x)
    if isinstance(x, dict):
        return {k: _cap(v) for k, v in x.items()}
    if hasattr(x, "shape") and len(getattr(x, "shape", ())) > 0:
        return x[:MAX_SAMPLES]
    return x

def _is_tf_dataset(x):
    """A tf.data.Dataset (TensorFlow's or tensorforge's), not a generator / Sequence."""
    return all(hasattr(x, a) for a in ("take", "batch", "map", "prefetch")) and \
        not hasattr(x, "shape")


def _sequence_batch_rows(x):
    """The rows of a keras.utils.Sequence's batch (its first input array of x[0]); None for a
    generator, an iterator or a Sequence whose first batch has no array. A Sequence need not
    have a batch_size attribute (Atienza's DataGenerator keeps it in args), and its batch may
    hold more rows than the batch size it was given (IIC's Siamese batch: 512 + 512), so the
    batch itself is read; both sides read it the same way (one __getitem__(0) more)."""
    if not (hasattr(x, "__getitem__") and hasattr(x, "__len__")) or hasattr(x, "shape") \
            or isinstance(x, (list, tuple, dict, str)):
        return None
    try:
        if len(x) < 1:
            return None
        batch = x[0]
    except Exception:  # noqa: BLE001  (a Sequence that cannot be read out of order: the default)
        return None
    first = _first_array(batch[0] if isinstance(batch, tuple) else batch)
    return len(first) if first is not None and len(first) > 0 else None


def _cap_steps(x, steps, batch_size):
    """steps_per_epoch for data that is not an array (generators, Sequences, iterators): the
    steps that hold MAX_SAMPLES rows, at the data's own batch size where it is known."""
    bs = getattr(x, "batch_size", None) or batch_size or _sequence_batch_rows(x) or 32
    limit = max(1, math.ceil(MAX_SAMPLES / bs))
    if steps is None and hasattr(x, "__len__") and not hasattr(x, "shape") \
            and not isinstance(x, (list, tuple, dict)):
        try:
            steps = len(x)
        except TypeError:  # a tf.data pipeline of unknown length (make_csv_dataset): the cap
            steps = limit
    return None if steps is None else min(int(steps), limit)

records = []  # every fit / evaluate, in program order: {"kind", "logs", "n"}

def _first_array(x):
    while isinstance(x, (list, tuple, dict)) and len(x):
        x = next(iter(x.values())) if isinstance(x, dict) else x[0]
    return x if hasattr(x, "shape") and len(getattr(x, "shape", ())) > 0 else None

def _distinct(x):
    """How many distinct samples x holds (the bundled digits are repeated to the 60,000 /
    10,000 sizes, so the test set of n rows may hold n / 5 different ones): the n of the
    sampling noise of an accuracy measured on x. None for data that is not an array."""
    a = _first_array(x)
    if a is None:
        return None
    a = np.asarray(a)
    return len({r.tobytes() for r in np.ascontiguousarray(a).reshape(len(a), -1)})

def _record(h, n_val=None):
    logs = getattr(h, "history", {}) or {}
    last.clear()
    last.update({k: float(v[-1]) for k, v in logs.items() if len(v)})
    records.append({"kind": "fit", "logs": dict(last), "n": n_val})

def _n_val(x, kw):
    """Distinct validation samples of a fit call (validation_data, or validation_split's tail)."""
    try:
        vd = kw.get("validation_data")
        if isinstance(vd, (tuple, list)) and vd:
            return _distinct(vd[0])
        split = kw.get("validation_split") or 0
        a = _first_array(x)
        if split and a is not None:
            k = int(len(a) * float(split))
            return _distinct(a[len(a) - k:]) if k else None
    except Exception:
        pass
    return None

def _float_targets(y):
    """The oracle only: integer target arrays as float32. Keras 2.2 fed every target through a
    float32 placeholder, so a 2.2 program's own loss may multiply labels with predictions
    (mnist_siamese's contrastive loss); tf_keras keeps int64 labels and TensorFlow refuses the
    mixed product. The built-in losses and metrics take float labels alike. A Python list of
    scalar targets becomes one float32 array: Keras 2.2 converted it so (its
    _standardize_input_data), tf_keras refuses `validation_split` on it (Hvass-Labs' IMDB
    tutorial fits on imdb.py's list of 1.0 / 0.0 sentiments)."""
    if SIDE == "ours" or y is None:
        return y
    if isinstance(y, list) and _scalars(y):
        return np.asarray(y, dtype=np.float32)
    if isinstance(y, (list, tuple)):
        return type(y)(_float_targets(a) for a in y)
    if isinstance(y, dict):
        return {k: _float_targets(v) for k, v in y.items()}
    if isinstance(y, np.ndarray) and y.dtype.kind in "iub":
        return y.astype(np.float32)
    return y

_inside = {"fit": 0}  # > 0 while a fit runs: its validation passes (tf_keras's fit calls
                     # self.evaluate) are not the program's own evaluate calls

def _wrap_fit(cls):
    orig = cls.fit
    def fit(self, x=None, y=None, *args, **kw):
        if _inside["fit"]:
            return orig(self, x, y, *args, **kw)
        y = _float_targets(y)
        if isinstance(kw.get("validation_data"), (tuple, list)) and len(kw["validation_data"]) > 1:
            vd = list(kw["validation_data"])
            vd[1] = _float_targets(vd[1])
            kw["validation_data"] = type(kw["validation_data"])(vd)
        if "epochs" in kw:
            asked = kw["epochs"]
            kw["epochs"] = min(kw["epochs"], MAX_EPOCHS + kw.get("initial_epoch", 0))
        elif len(args) >= 2:
            args = list(args)
            asked = args[1]
            args[1] = min(args[1], MAX_EPOCHS)
        else:
            asked = kw["epochs"] = 1
        if "validation_data" in kw and isinstance(kw["validation_data"], (tuple, list)):
            kw["validation_data"] = tuple(_cap(v) for v in kw["validation_data"])
        if kw.get("steps_per_epoch") is None and _is_tf_dataset(x):
            # a tf.data pipeline the program iterates whole each epoch: capped with take(), so
            # each epoch still starts it afresh on both sides. (steps_per_epoch would not:
            # tf_keras keeps one iterator across epochs when the cardinality is unknown,
            # make_csv_dataset's, and stops training where it runs out.)
            x = x.take(max(1, math.ceil(MAX_SAMPLES / (kw.get("batch_size") or 32))))
        elif not hasattr(x, "shape") and not isinstance(x, (list, tuple, dict)) and x is not None:
            kw["steps_per_epoch"] = _cap_steps(x, kw.get("steps_per_epoch"), kw.get("batch_size"))
        elif kw.get("steps_per_epoch") is not None:
            kw["steps_per_epoch"] = _cap_steps(x, kw["steps_per_epoch"], kw.get("batch_size"))
        if kw.get("validation_steps") is not None:
            kw["validation_steps"] = _cap_steps(None, kw["validation_steps"], kw.get("batch_size"))
        if kw.get("sample_weight") is not None:
            kw["sample_weight"] = _cap(kw["sample_weight"])
        x, y = _cap(x), _cap(y)
        _inside["fit"] += 1
        try:
            h = orig(self, x, y, *args, **kw)
        finally:
            _inside["fit"] -= 1
        _record(h, _n_val(x, kw))
        _pad_history(h, asked - kw.get("initial_epoch", 0))
        return h
    cls.fit = fit

def _pad_history(h, epochs):
    """A capped fit's History as long as the epochs the program asked for, each log's last
    value repeated (tutorials plot ``history.history[...]`` against ``range(epochs)``), and
    ``history.epoch`` counted on to the same length; the
    figures compared are the last values, which this leaves as they are."""
    logs = getattr(h, "history", None)
    if not isinstance(logs, dict):
        return
    for v in logs.values():
        if isinstance(v, list) and v and len(v) < epochs:
            v.extend([v[-1]] * (epochs - len(v)))
    ep = getattr(h, "epoch", None)  # hist['epoch'] = history.epoch beside the padded logs
    if isinstance(ep, list) and ep and len(ep) < epochs:
        ep.extend(range(ep[-1] + 1, ep[-1] + 1 + epochs - len(ep)))

def _wrap_fit_generator(cls):
    orig = cls.fit_generator
    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, *args, **kw):
        asked = epochs
        epochs = min(epochs, MAX_EPOCHS + kw.get("initial_epoch", 0))
        steps_per_epoch = _cap_steps(generator, steps_per_epoch, None)
        if isinstance(kw.get("validation_data"), (tuple, list)):
            kw["validation_data"] = tuple(_cap(v) for v in kw["validation_data"])
        if kw.get("validation_steps") is not None:
            kw["validation_steps"] = _cap_steps(None, kw["validation_steps"], None)
        _inside["fit"] += 1
        try:
            h = orig(self, generator, steps_per_epoch, epochs, *args, **kw)
        finally:
            _inside["fit"] -= 1
        _record(h, _n_val(None, kw))
        _pad_history(h, asked - kw.get("initial_epoch", 0))  # as fit's (the Udacity l05 plots)
        return h
    cls.fit_generator = fit_generator

def _wrap_evaluate(cls):
    orig = cls.evaluate
    def evaluate(self, x=None, y=None, *args, **kw):
        if _inside["fit"]:
            return orig(self, x, y, *args, **kw)
        x, y = _cap(x), _float_targets(_cap(y))
        r = orig(self, x, y, *args, **kw)
        vals = r if isinstance(r, (list, tuple)) else [r]
        if isinstance(r, dict):  # return_dict=True
            names, vals = list(r), list(r.values())
        else:
            names = list(getattr(self, "metrics_names", []) or [])
        if len(names) != len(vals):
            names = [f"m{i}" for i in range(len(vals))]
        try:
            logs = {n: float(v) for n, v in zip(names, vals)}
            last.update({"eval_" + n: v for n, v in logs.items()})
            records.append({"kind": "evaluate", "logs": logs, "n": _distinct(x)})
        except (TypeError, ValueError):
            pass
        return r
    cls.evaluate = evaluate


predicts = {"n": 0}  # predict calls so far (MAX_PREDICT)


applies = {"n": 0}  # apply_gradients calls so far (MAX_APPLY)


def _count_calls(cls, name, count, limit):
    """cls.name stops the program (CapReached) once it has been called ``limit`` times."""
    orig = getattr(cls, name)

    # functools.wraps: the method keeps its __name__ (n-beats' NBeatsNet forwards a call by
    # getattr(model, attr.__name__))
    @functools.wraps(orig)
    def method(self, *args, **kw):
        if count["n"] >= limit:
            raise CapReached()
        count["n"] += 1
        return orig(self, *args, **kw)
    setattr(cls, name, method)


def _wrap_predict(cls):
    _count_calls(cls, "predict", predicts, MAX_PREDICT)

def _wrap_train_on_batch(cls):
    orig = cls.train_on_batch
    def train_on_batch(self, *args, **kw):
        if steps["n"] >= MAX_STEPS:
            raise CapReached()
        steps["n"] += 1
        r = orig(self, *args, **kw)
        vals = r if isinstance(r, (list, tuple)) else [r]
        try:
            last["train_on_batch_steps"] = float(steps["n"])
            last["train_on_batch_loss"] = float(vals[0])
        except (TypeError, ValueError):
            pass
        return r
    cls.train_on_batch = train_on_batch


def install():
    """The capped and recording methods on the side's Model and Sequential (and the
    optimizers' apply_gradients under MAX_APPLY)."""
    # hand-written GradientTape loops (the twenty-ninth corpus's book: epochs over a tf.data
    # pipeline with optimizer.apply_gradients, no fit to cap) stop after MAX_APPLY updates and
    # count as complete; the last loss is not known here, so plans compare the figure the
    # program prints (stdout:REGEX)
    if MAX_APPLY:
        if SIDE == "ours":
            bases = [importlib.import_module("tensorforge.optimizers").Optimizer]
        else:
            tk = importlib.import_module("tf_keras")
            bases = [tk.optimizers.legacy.Optimizer, tk.optimizers.Optimizer]
        for ob in bases:
            _count_calls(ob, "apply_gradients", applies, MAX_APPLY)
    models = importlib.import_module(TARGET + ".models")
    seen = set()
    for cls in (getattr(models, "Model", None), getattr(models, "Sequential", None)):
        if cls is not None and cls not in seen:
            seen.add(cls)
            for name, wrap in (("fit", _wrap_fit), ("fit_generator", _wrap_fit_generator),
                               ("evaluate", _wrap_evaluate),
                               ("train_on_batch", _wrap_train_on_batch),
                               ("predict", _wrap_predict)):
                if name in cls.__dict__:
                    _orig = cls.__dict__[name]
                    wrap(cls)
                    # the wrapper keeps the method's signature (inspect.signature follows
                    # __wrapped__): code that reads it (Keras 2's scikit-learn wrapper checks its
                    # sk_params against fit's arguments) sees fit's own arguments
                    getattr(cls, name).__wrapped__ = _orig
