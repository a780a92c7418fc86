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
"""
import collections

from . import _native
from ._dispatch import cuda_available

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


class _Experimental:
    """``tf.config.experimental``: the TF 2.0-2.1 spellings of the same functions."""
    list_physical_devices = staticmethod(list_physical_devices)
    list_logical_devices = staticmethod(list_logical_devices)
    get_visible_devices = staticmethod(get_visible_devices)
    set_memory_growth = staticmethod(set_memory_growth)
    get_memory_growth = staticmethod(get_memory_growth)


experimental = _Experimental()

__all__ = ["PhysicalDevice", "LogicalDevice", "list_physical_devices", "list_logical_devices",
           "get_visible_devices", "experimental"]
