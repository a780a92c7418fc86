"""tf.compat.v1.train's optimizers, the ones Keras 2 programs pass to compile()
(``model.compile(optimizer=tf.compat.v1.train.AdamOptimizer(0.001), ...)``, what TensorFlow's
upgrade script makes of TensorFlow 1's ``tf.train.AdamOptimizer()``): TensorFlow 1's update
rules (its Apply* kernels) on the package's Optimizer, so fit, train_on_batch, apply_gradients
and minimize run them as any optimizer.

tf_keras wraps such an optimizer in TFOptimizer and, as here, cannot save it: a model compiled
with one is saved without its training configuration (a warning says so) and loads
uncompiled; get_config raises NotImplementedError (saving/keras_config.py).

Update rules, per parameter p with gradient g (TensorFlow 1's defaults):
    GradientDescentOptimizer(lr)                          p -= lr * g
    MomentumOptimizer(lr, momentum, use_nesterov=False)   a = momentum * a + g
                                                          p -= lr * a  (nesterov: lr * (g + momentum * a))
    AdamOptimizer(0.001, beta1=0.9, beta2=0.999, epsilon=1e-8)   Keras' Adam (the same rule)
    RMSPropOptimizer(lr, decay=0.9, momentum=0.0, epsilon=1e-10, centered=False)
        ms = decay * ms + (1 - decay) * g^2   (ms starts at ONE, not zero)
        centered: mg = decay * mg + (1 - decay) * g, and ms - mg^2 below
        mom = momentum * mom + lr * g / sqrt(ms + epsilon);  p -= mom
    AdagradOptimizer(lr, initial_accumulator_value=0.1)   a += g^2;  p -= lr * g / sqrt(a)
    AdadeltaOptimizer(0.001, rho=0.95, epsilon=1e-8)
        a = rho * a + (1 - rho) * g^2
        u = sqrt(au + epsilon) / sqrt(a + epsilon) * g
        au = rho * au + (1 - rho) * u^2;  p -= lr * u
"""
from ..._xp import array_module
from ...optimizers.adam import Adam
from ...optimizers.optimizer import Optimizer, _number

__all__ = ["Optimizer", "GradientDescentOptimizer", "MomentumOptimizer", "AdamOptimizer",
           "RMSPropOptimizer", "AdagradOptimizer", "AdadeltaOptimizer"]


class _TF1:
    """Marks TensorFlow 1's optimizers (tf_keras's TFOptimizer wrapping): no Keras config."""
    _tf1_optimizer = True

    def get_config(self):
        raise NotImplementedError(
            f"{type(self).__name__}: TensorFlow optimizers do not make it possible to access "
            "optimizer attributes or optimizer state after instantiation (as in tf_keras); use a "
            "Keras optimizer to save it with the model")

    def __repr__(self):  # (the base's lists get_config's values)
        return f"<{type(self).__module__}.{type(self).__name__} object at {id(self):#x}>"


def _base_args(name, use_locking):
    if not isinstance(use_locking, bool):
        raise TypeError(f"{name}: use_locking must be a bool, got {use_locking!r}")


class GradientDescentOptimizer(_TF1, Optimizer):
    def __init__(self, learning_rate, use_locking=False, name="GradientDescent"):
        _base_args("GradientDescentOptimizer", use_locking)
        super().__init__(learning_rate, name=name)

    def _init_state(self, p):
        return ()

    def _update(self, k, p, g, st, lr):
        p -= p.dtype.type(lr) * g


class MomentumOptimizer(_TF1, Optimizer):
    def __init__(self, learning_rate, momentum, use_locking=False, name="Momentum",
                 use_nesterov=False):
        _base_args("MomentumOptimizer", use_locking)
        super().__init__(learning_rate, name=name)
        self.momentum = _number("MomentumOptimizer", "momentum", momentum, 0)
        self.use_nesterov = bool(use_nesterov)

    def _init_state(self, p):
        return (array_module(p).zeros_like(p),)

    def _update(self, k, p, g, st, lr):
        a, = st
        t = p.dtype.type
        a *= t(self.momentum)
        a += g
        if self.use_nesterov:
            p -= t(lr) * g + t(lr) * t(self.momentum) * a
        else:
            p -= t(lr) * a


class AdamOptimizer(_TF1, Adam):
    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-08,
                 use_locking=False, name="Adam"):
        _base_args("AdamOptimizer", use_locking)
        super().__init__(learning_rate, beta_1=beta1, beta_2=beta2, epsilon=epsilon, name=name)


class RMSPropOptimizer(_TF1, Optimizer):
    def __init__(self, learning_rate, decay=0.9, momentum=0.0, epsilon=1e-10, use_locking=False,
                 centered=False, name="RMSProp"):
        _base_args("RMSPropOptimizer", use_locking)
        super().__init__(learning_rate, name=name)
        self.decay_rate = _number("RMSPropOptimizer", "decay", decay, 0, 1)
        self.momentum = _number("RMSPropOptimizer", "momentum", momentum, 0)
        self.epsilon = _number("RMSPropOptimizer", "epsilon", epsilon, 0)
        self.centered = bool(centered)

    def _init_state(self, p):
        xp = array_module(p)
        return (xp.ones_like(p), xp.zeros_like(p), xp.zeros_like(p) if self.centered else None)

    def _update(self, k, p, g, st, lr):
        ms, mom, mg = st
        xp = array_module(p)
        t = p.dtype.type
        rho = t(self.decay_rate)
        ms[...] = rho * ms + (t(1) - rho) * g * g
        denom = ms
        if mg is not None:
            mg[...] = rho * mg + (t(1) - rho) * g
            denom = ms - mg * mg
        mom[...] = t(self.momentum) * mom + t(lr) * g / xp.sqrt(denom + t(self.epsilon))
        p -= mom


class AdagradOptimizer(_TF1, Optimizer):
    def __init__(self, learning_rate, initial_accumulator_value=0.1, use_locking=False,
                 name="Adagrad"):
        _base_args("AdagradOptimizer", use_locking)
        super().__init__(learning_rate, name=name)
        self.initial_accumulator_value = _number(
            "AdagradOptimizer", "initial_accumulator_value", initial_accumulator_value, 0,
            lo_open=True)

    def _init_state(self, p):
        return (array_module(p).full(p.shape, self.initial_accumulator_value, dtype=p.dtype),)

    def _update(self, k, p, g, st, lr):
        a, = st
        a += g * g
        p -= p.dtype.type(lr) * g / array_module(p).sqrt(a)


class AdadeltaOptimizer(_TF1, Optimizer):
    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-08, use_locking=False,
                 name="Adadelta"):
        _base_args("AdadeltaOptimizer", use_locking)
        super().__init__(learning_rate, name=name)
        self.rho = _number("AdadeltaOptimizer", "rho", rho, 0, 1)
        self.epsilon = _number("AdadeltaOptimizer", "epsilon", epsilon, 0)

    def _init_state(self, p):
        xp = array_module(p)
        return (xp.zeros_like(p), xp.zeros_like(p))

    def _update(self, k, p, g, st, lr):
        a, au = st
        xp = array_module(p)
        t = p.dtype.type
        rho, eps = t(self.rho), t(self.epsilon)
        a[...] = rho * a + (t(1) - rho) * g * g
        u = xp.sqrt(au + eps) / xp.sqrt(a + eps) * g
        au[...] = rho * au + (t(1) - rho) * u * u
        p -= t(lr) * u
