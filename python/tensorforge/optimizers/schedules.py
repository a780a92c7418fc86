"""Learning-rate schedules (``tensorforge.optimizers.schedules``, Keras 2's
``keras.optimizers.schedules``): pass one as an optimizer's ``learning_rate``; the optimizer calls
it with its step count (``optimizer.iterations`` before the step, from 0) on every update.

Formulas (tf_keras 2, ``step`` a Python number):
    ExponentialDecay       lr0 * decay_rate ** (step / decay_steps)      (floor() if staircase)
    InverseTimeDecay       lr0 / (1 + decay_rate * step / decay_steps)   (floor() if staircase)
    PiecewiseConstantDecay values[i] for boundaries[i-1] < step <= boundaries[i]
    PolynomialDecay        (lr0 - end) * (1 - min(step, decay_steps) / decay_steps) ** power + end
                           (cycle: decay_steps grows to the next multiple of itself >= step)
    CosineDecay            lr0 * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decay_steps) /
                           decay_steps)) + alpha)
    CosineDecayRestarts    CosineDecay's curve restarted (period i: first_decay_steps *
                           t_mul ** i steps, peak lr0 * m_mul ** i)
"""
import math

__all__ = ["LearningRateSchedule", "ExponentialDecay", "InverseTimeDecay",
           "PiecewiseConstantDecay", "PolynomialDecay", "CosineDecay", "CosineDecayRestarts",
           "serialize", "deserialize"]


def _positive(cls, name, v):
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v) or v <= 0:
        raise ValueError(f"{cls}: {name} must be a positive number, got {v!r}")
    return v


def _non_negative(cls, name, v):
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v) or v < 0:
        raise ValueError(f"{cls}: {name} must be a non-negative number, got {v!r}")
    return v


class LearningRateSchedule:
    """Base class: subclasses define ``__call__(step) -> float`` and ``get_config()``."""

    def __call__(self, step):
        raise NotImplementedError(f"{type(self).__name__}: a schedule must define __call__(step)")

    def get_config(self):
        raise NotImplementedError(f"{type(self).__name__}: a schedule must define get_config()")

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class _RateDecay(LearningRateSchedule):
    """The arguments of ExponentialDecay and InverseTimeDecay; ``_decay(p)`` at the progress p =
    step / decay_steps (floored with staircase)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name=None):
        c = type(self).__name__
        self.initial_learning_rate = _non_negative(c, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _positive(c, "decay_steps", decay_steps)
        self.decay_rate = _non_negative(c, "decay_rate", decay_rate)
        self.staircase, self.name = bool(staircase), name

    def __call__(self, step):
        p = float(step) / self.decay_steps
        if self.staircase:
            p = math.floor(p)
        return self._decay(p)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class ExponentialDecay(_RateDecay):
    def _decay(self, p):
        return self.initial_learning_rate * self.decay_rate ** p


class InverseTimeDecay(_RateDecay):
    def _decay(self, p):
        return self.initial_learning_rate / (1.0 + self.decay_rate * p)


class PiecewiseConstantDecay(LearningRateSchedule):
    def __init__(self, boundaries, values, name=None):
        c = type(self).__name__
        boundaries, values = list(boundaries), list(values)
        if len(values) != len(boundaries) + 1:
            raise ValueError(f"{c}: values must have one more element than boundaries, got "
                             f"{len(values)} values and {len(boundaries)} boundaries")
        if any(b2 < b1 for b1, b2 in zip(boundaries, boundaries[1:])):
            raise ValueError(f"{c}: boundaries must be increasing, got {boundaries}")
        self.boundaries, self.values, self.name = boundaries, values, name

    def __call__(self, step):
        for b, v in zip(self.boundaries, self.values):
            if step <= b:
                return float(v)
        return float(self.values[-1])

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name=None):
        c = type(self).__name__
        self.initial_learning_rate = _non_negative(c, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _positive(c, "decay_steps", decay_steps)
        self.end_learning_rate = _non_negative(c, "end_learning_rate", end_learning_rate)
        self.power, self.cycle, self.name = float(power), bool(cycle), name

    def __call__(self, step):
        step, steps = float(step), float(self.decay_steps)
        if self.cycle:
            steps = steps * max(1.0, math.ceil(step / steps))
        else:
            step = min(step, steps)
        frac = (1.0 - step / steps) ** self.power
        return (self.initial_learning_rate - self.end_learning_rate) * frac + self.end_learning_rate

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power,
                "cycle": self.cycle, "name": self.name}


class CosineDecay(LearningRateSchedule):
    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name=None):
        c = type(self).__name__
        self.initial_learning_rate = _non_negative(c, "initial_learning_rate", initial_learning_rate)
        self.decay_steps = _positive(c, "decay_steps", decay_steps)
        self.alpha, self.name = float(alpha), name

    def __call__(self, step):
        done = min(float(step), self.decay_steps) / self.decay_steps
        cos = 0.5 * (1.0 + math.cos(math.pi * done))
        return self.initial_learning_rate * ((1.0 - self.alpha) * cos + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name}


class CosineDecayRestarts(LearningRateSchedule):
    """Keras 2's CosineDecayRestarts (SGDR, Loshchilov & Hutter 2017): cosine decay over
    ``first_decay_steps``, then restarts, period i of length first_decay_steps * t_mul ** i and
    peak initial_learning_rate * m_mul ** i; alpha the floor as a fraction of the peak."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name=None):
        c = type(self).__name__
        self.initial_learning_rate = _non_negative(c, "initial_learning_rate",
                                                   initial_learning_rate)
        self.first_decay_steps = _positive(c, "first_decay_steps", first_decay_steps)
        self.t_mul = _positive(c, "t_mul", t_mul)
        self.m_mul = _non_negative(c, "m_mul", m_mul)
        self.alpha, self.name = float(alpha), name

    def __call__(self, step):
        done = float(step) / self.first_decay_steps
        if self.t_mul == 1.0:
            i = math.floor(done)
            done -= i
        else:
            i = math.floor(math.log(1.0 - done * (1.0 - self.t_mul)) / math.log(self.t_mul))
            sum_r = (1.0 - self.t_mul ** i) / (1.0 - self.t_mul)
            done = (done - sum_r) / self.t_mul ** i
        cos = 0.5 * self.m_mul ** i * (1.0 + math.cos(math.pi * done))
        return self.initial_learning_rate * ((1.0 - self.alpha) * cos + self.alpha)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self.t_mul,
                "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


_CLASSES = {c.__name__: c for c in (ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay,
                                    PolynomialDecay, CosineDecay, CosineDecayRestarts)}


def serialize(schedule):
    return {"class_name": type(schedule).__name__, "config": schedule.get_config()}


def deserialize(config):
    try:
        cls = _CLASSES[config["class_name"]]
    except KeyError:
        raise ValueError(f"schedules.deserialize: unknown schedule {config.get('class_name')!r}; "
                         f"known: {', '.join(_CLASSES)}") from None
    return cls.from_config(config["config"])
