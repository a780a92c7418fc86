"""``tf.config``: the devices a TensorFlow 2 program lists and configures before building its model.

Many Keras 2 programs of the TF 2 era open with

    gpus = tf.config.experimental.list_physical_devices('GPU')
    for gpu in gpus:
        tf.config.experimental.set_memory_growth(gpu, True)

tensorforge's devices are the host CPU (always one, ``/physical_device:CPU:0``) and, when the
CUDA kernels were built and a GPU is visible, one ``GPU`` per CUDA device. The records are
TensorFlow's: named tuples ``PhysicalDevice(name, device_type)`` / ``LogicalDevice(name,
device_type)``, filtered by ``device_type`` compared as given (TensorFlow's
``list_physical_devices('gpu')`` is empty: the types are upper case).

Memory growth is recorded per GPU and read back by ``get_memory_growth`` (None until set, as
TensorFlow), with TensorFlow's errors for a CPU or an unknown device; it changes nothing else:
tensorforge's GPU arrays come from CuPy's pool, which grows on demand already.

``tf.config.threading``: TensorFlow's intra-op pool is the threads one op uses, which is what
tensorforge's thread count is, so ``set_intra_op_parallelism_threads(n)`` calls
``set_num_threads(n)`` (0, TensorFlow's "let the system pick", puts back the count tensorforge
started with). The inter-op pool runs independent ops at once; tensorforge runs one op at a time,
so that number is recorded and read back but changes nothing. Both getters return what was set,
0 before (TensorFlow's default). TensorFlow refuses a change once its runtime has started; here
the thread count can change at any time, so nothing is refused.

``tf.config.experimental.enable_op_determinism()`` is accepted: tensorforge has no
non-deterministic kernel variant to switch off, and a seeded program repeats its results run to
run (tests/test_corpus10.py trains twice and compares).
"""
import collections

from . import _native
from ._dispatch import cuda_available, get_num_threads, set_num_threads

PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])
LogicalDevice = collections.namedtuple("LogicalDevice", ["name", "device_type"])

_memory_growth = {}  # GPU PhysicalDevice -> bool, once set


def _gpu_count():
    return _native._C_cuda.device_count() if cuda_available() else 0


def list_physical_devices(device_type=None):
    """The host CPU, then one GPU per visible CUDA device; only ``device_type``'s if given."""
    devices = [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    devices += [PhysicalDevice(f"/physical_device:GPU:{i}", "GPU") for i in range(_gpu_count())]
    return [d for d in devices if device_type is None or d.device_type == device_type]


def list_logical_devices(device_type=None):
    """The same devices under their logical names (``/device:CPU:0``, ``/device:GPU:0``)."""
    return [LogicalDevice(d.name.replace("/physical_device:", "/device:"), d.device_type)
            for d in list_physical_devices(device_type)]


def get_visible_devices(device_type=None):
    return list_physical_devices(device_type)


def _known(device):
    if device not in list_physical_devices():
        raise ValueError(f"Unrecognized device: {device!r}")
    return device


def set_memory_growth(device, enable):
    """Records ``enable`` for a GPU (``ValueError`` for a CPU or a device not listed)."""
    _known(device)
    if device.device_type != "GPU":
        raise ValueError("Cannot set memory growth on non-GPU and non-Pluggable devices")
    _memory_growth[device] = bool(enable)


def get_memory_growth(device):
    """What ``set_memory_growth`` recorded for a GPU, None before; TensorFlow's ``KeyError`` for
    a CPU and ``ValueError`` for a device not listed."""
    _known(device)
    if device.device_type != "GPU":
        raise KeyError(device)
    return _memory_growth.get(device)


_threading = {"intra": 0, "inter": 0, "initial": None}


def _thread_count_arg(fn, num_threads):
    if isinstance(num_threads, bool) or not hasattr(num_threads, "__index__"):
        raise TypeError(f"{fn}: num_threads must be an int, got "
                        f"{type(num_threads).__name__} {num_threads!r}")
    if int(num_threads) < 0:
        raise ValueError(f"{fn}: num_threads must be >= 0 (0: the default), got {num_threads}")
    return int(num_threads)


def set_intra_op_parallelism_threads(num_threads):
    """Threads one op uses: tensorforge's thread count (0 puts back the count it started with)."""
    n = _thread_count_arg("set_intra_op_parallelism_threads", num_threads)
    if _threading["initial"] is None:
        _threading["initial"] = get_num_threads()
    set_num_threads(n if n > 0 else _threading["initial"])
    _threading["intra"] = n


def get_intra_op_parallelism_threads():
    """What ``set_intra_op_parallelism_threads`` last set; 0 before (TensorFlow's default)."""
    return _threading["intra"]


def set_inter_op_parallelism_threads(num_threads):
    """Recorded only: tensorforge runs one op at a time (see the module docstring)."""
    _threading["inter"] = _thread_count_arg("set_inter_op_parallelism_threads", num_threads)


def get_inter_op_parallelism_threads():
    return _threading["inter"]


class _Threading:
    """``tf.config.threading``."""
    set_intra_op_parallelism_threads = staticmethod(set_intra_op_parallelism_threads)
    get_intra_op_parallelism_threads = staticmethod(get_intra_op_parallelism_threads)
    set_inter_op_parallelism_threads = staticmethod(set_inter_op_parallelism_threads)
    get_inter_op_parallelism_threads = staticmethod(get_inter_op_parallelism_threads)


threading = _Threading()


def enable_op_determinism():
    """TF 2.9+: accepted; tensorforge has no non-deterministic kernel variant to switch off."""


class _Experimental:
    """``tf.config.experimental``: the TF 2.0-2.1 spellings of the same functions, and the
    determinism switch."""
    list_physical_devices = staticmethod(list_physical_devices)
    list_logical_devices = staticmethod(list_logical_devices)
    get_visible_devices = staticmethod(get_visible_devices)
    set_memory_growth = staticmethod(set_memory_growth)
    get_memory_growth = staticmethod(get_memory_growth)
    enable_op_determinism = staticmethod(enable_op_determinism)


experimental = _Experimental()

__all__ = ["PhysicalDevice", "LogicalDevice", "list_physical_devices", "list_logical_devices",
           "get_visible_devices", "experimental", "threading"]
