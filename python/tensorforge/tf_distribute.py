"""``tf.distribute``: the strategy objects Keras 2 programs open a scope of before building a model.

The keras.io distributed-training guide (TF 2) reads

    strategy = tf.distribute.MirroredStrategy()
    print("Number of devices: {}".format(strategy.num_replicas_in_sync))
    with strategy.scope():
        model = get_compiled_model()
    model.fit(train_dataset, ...)

A tensorforge process trains one model replica on one device (the host CPU, or the GPU under
the CUDA backend); data-parallel training over several processes is tensorforge.distributed's
(``tensorforge-run``, MPI / NCCL), not a strategy object's. So every strategy here has one
replica: ``num_replicas_in_sync`` is 1, ``scope()`` makes it the current strategy
(``get_strategy`` / ``has_strategy``) and changes nothing else, ``run(fn, args, kwargs)`` calls
``fn`` once, ``reduce`` reduces that one replica's value over ``axis`` (None: the value itself,
as TensorFlow with one replica), and ``experimental_distribute_dataset`` returns the dataset.
On a machine with one device this is exactly TensorFlow's behaviour (its MirroredStrategy then
also has one replica); where TensorFlow would mirror over several GPUs, tensorforge still
trains on one and says so in ``num_replicas_in_sync``.
"""
import contextlib
import enum

from . import backend_ops as K
from ._dispatch import get_backend


class ReduceOp(enum.Enum):
    SUM = "SUM"
    MEAN = "MEAN"


def _reduce_op(op):
    if isinstance(op, ReduceOp):
        return op
    if isinstance(op, str) and op.upper() in ReduceOp.__members__:
        return ReduceOp[op.upper()]
    raise ValueError(f"reduce: reduce_op must be tf.distribute.ReduceOp.SUM or .MEAN "
                     f"(or 'SUM' / 'MEAN'), got {op!r}")


class StrategyExtended:
    def __init__(self, device):
        self.worker_devices = (f"/job:localhost/replica:0/task:0/device:{device}",)
        self.parameter_devices = self.worker_devices


_current = []  # the strategies whose scope() is open, innermost last


class Strategy:
    """One replica on this process's device (see the module docstring)."""

    def __init__(self, device=None):
        if device is None:
            device = "GPU:0" if get_backend() == "cuda" else "CPU:0"
        self.extended = StrategyExtended(device)

    @property
    def num_replicas_in_sync(self):
        return 1

    @contextlib.contextmanager
    def scope(self):
        _current.append(self)
        try:
            yield self
        finally:
            _current.pop()

    def run(self, fn, args=(), kwargs=None, options=None):
        return fn(*args, **(kwargs or {}))

    def reduce(self, reduce_op, value, axis):
        op = _reduce_op(reduce_op)
        if axis is None:
            return value
        return K.sum(value, axis=axis) if op is ReduceOp.SUM else K.mean(value, axis=axis)

    def experimental_distribute_dataset(self, dataset, options=None):
        return dataset


class MirroredStrategy(Strategy):
    def __init__(self, devices=None, cross_device_ops=None):
        if devices is not None:
            devices = list(devices)
            if len(devices) != 1:
                raise ValueError(
                    f"MirroredStrategy: tensorforge trains one replica per process; devices "
                    f"must name one device or be None, got {devices!r} (data-parallel training "
                    f"over several devices: tensorforge-run, tensorforge.distributed)")
            device = devices[0].split("device:")[-1].lstrip("/").upper()
            super().__init__(device)
        else:
            super().__init__()


class OneDeviceStrategy(Strategy):
    def __init__(self, device):
        super().__init__(str(device).split("device:")[-1].lstrip("/").upper())


_default = []  # the default strategy, made on first use (its device follows the backend then)


def get_strategy():
    """The strategy whose ``scope()`` is open, else the default one-replica strategy."""
    if _current:
        return _current[-1]
    if not _default:
        _default.append(Strategy())
    return _default[0]


def has_strategy():
    return bool(_current)


__all__ = ["ReduceOp", "Strategy", "StrategyExtended", "MirroredStrategy", "OneDeviceStrategy",
           "get_strategy", "has_strategy"]
