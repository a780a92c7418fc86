"""``optimizer.iterations``: the number of steps taken, which Keras 2 keeps in an int64
``tf.Variable``. Programs read it as a variable (``optimizer.iterations.numpy()`` in the TF 2
custom-training tutorials, ``K.get_value(opt.iterations)``, ``.assign(0)``); the optimizers
here keep a Python int and hand out this read-only snapshot of it, an int that answers the
variable's calls."""
import numpy as np


class StepCount(int):
    """An optimizer's step count: a plain int that also has a tf.Variable's ``numpy()`` (an
    int64), ``value()`` / ``read_value()``, ``dtype`` / ``shape`` / ``name``, and ``assign`` /
    ``assign_add``, which set the optimizer's count and return the new snapshot."""
    dtype = "int64"
    shape = ()
    name = "iter"

    def __new__(cls, value, owner):
        obj = int.__new__(cls, value)
        obj._owner = owner
        return obj

    def numpy(self):
        return np.int64(self)

    def value(self):
        return self

    read_value = value

    def assign(self, value):
        self._owner.iterations = value
        return self._owner.iterations

    def assign_add(self, delta):
        self._owner.iterations = int(self._owner.iterations) + int(delta)
        return self._owner.iterations

    def __reduce__(self):  # pickle / deepcopy as a plain int
        return (int, (int(self),))
