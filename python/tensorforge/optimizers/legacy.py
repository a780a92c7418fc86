"""``tensorforge.optimizers.legacy``: tf.keras 2.11+ moved the Keras 2.0-2.10 optimizers here
(``tf.keras.optimizers.legacy.Adam``). Most are the same classes as ``tensorforge.optimizers``
(their updates are the same in both tf_keras namespaces); RMSprop and Nadam are the two whose
updates tf_keras 2.11 changed, so the legacy ones here keep Keras 2.0-2.10's.

Note [RMSprop epsilon]: tf_keras 2.21's default ``optimizers.RMSprop`` (the string 'rmsprop')
steps p -= lr*g/sqrt(ms+eps); ``optimizers.legacy.RMSprop``, Keras 2.2 and tf.keras 2.0-2.10
step p -= lr*g/(sqrt(ms)+eps) when momentum is 0 (with momentum both use TensorFlow's
ApplyRMSProp, eps inside the root). With eps 1e-7 a gradient of 1e-5 moves a weight by ~0.03*lr
in the first and ~3*lr in the second: conv biases ahead of BatchNormalization (gradients of
rounding size) move 100x more under the legacy form. Nadam: the default class's momentum
schedule is b1*(1 - 0.5*0.96^t), the legacy class's b1*(1 - 0.5*0.96^(0.004*t)).
"""
from . import SGD, Adadelta, Adagrad, Adam, Adamax, Optimizer  # noqa: F401
from . import Nadam as _Nadam, RMSprop as _RMSprop
from .ftrl import Ftrl  # noqa: F401

__all__ = ["Optimizer", "SGD", "RMSprop", "Adam", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl"]


class RMSprop(_RMSprop):
    """tf_keras.optimizers.legacy.RMSprop (Keras 2.0-2.10): without momentum
    p -= lr*g/(sqrt(ms)+eps), the fused native kernel (Note [RMSprop epsilon])."""
    _eps_in_sqrt = False


class Nadam(_Nadam):
    """tf_keras.optimizers.legacy.Nadam (Keras 2.0-2.10): mu_t = b1*(1 - 0.5*0.96^(0.004*t))."""

    def __init__(self, learning_rate=None, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 schedule_decay=0.004, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, schedule_decay, **kwargs)
