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
    """The visible devices under their logical names (``/device:CPU:0``, ``/device:GPU:0``),
    one per logical configuration where ``set_logical_device_configuration`` split one."""
    out, count = [], {}
    for d in get_visible_devices(device_type):
        for _ in range(len(_logical.get(d) or [None])):
            i = count.get(d.device_type, 0)
            count[d.device_type] = i + 1
            out.append(LogicalDevice(f"/device:{d.device_type}:{i}", d.device_type))
    return out


_visible = {}  # device type -> the PhysicalDevices set_visible_devices left visible
_logical = {}  # PhysicalDevice -> [LogicalDeviceConfiguration]
_flags = {"eager_functions": False, "soft_placement": True, "jit": "", "tf32": True,
          "options": {"disable_model_pruning": False, "disable_meta_optimizer": False}}


def get_visible_devices(device_type=None):
    """The physical devices not hidden by ``set_visible_devices`` (all of them before)."""
    return [d for d in list_physical_devices(device_type)
            if d.device_type not in _visible or d in _visible[d.device_type]]


def set_visible_devices(devices, device_type=None):
    """Hide the devices of ``device_type`` (of the devices' types when None) not in
    ``devices``. What the list functions report changes; tensorforge places arrays where the
    program puts them (tensorforge.device), so hiding a GPU does not move work off it. The
    host CPU cannot be hidden (tensorforge always runs there): a ValueError, where TensorFlow
    also refuses."""
    devs = [devices] if isinstance(devices, PhysicalDevice) else list(devices)
    for d in devs:
        _known(d)
    types = {device_type} if device_type is not None else {d.device_type for d in devs} or {"GPU"}
    for t in types:
        keep = [d for d in devs if d.device_type == t]
        if t == "CPU" and not keep:
            raise ValueError("tf.config.set_visible_devices: Visible devices list must include "
                             "a CPU (tensorforge always runs on the host CPU)")
        _visible[t] = keep


class LogicalDeviceConfiguration(collections.namedtuple(
        "LogicalDeviceConfiguration",
        ["memory_limit", "experimental_priority", "experimental_device_ordinal"])):
    """``tf.config.LogicalDeviceConfiguration(memory_limit=None, ...)``."""

    def __new__(cls, memory_limit=None, experimental_priority=None,
                experimental_device_ordinal=None):
        return super().__new__(cls, memory_limit, experimental_priority,
                               experimental_device_ordinal)


VirtualDeviceConfiguration = LogicalDeviceConfiguration


def set_logical_device_configuration(device, logical_devices):
    """Record how ``device`` is split (None: undo); ``list_logical_devices`` then lists one
    logical device per configuration, as TensorFlow's. tensorforge still runs on the one
    physical device; a GPU ``memory_limit`` is recorded, not enforced (CuPy's pool grows on
    demand)."""
    _known(device)
    if logical_devices is None:
        _logical.pop(device, None)
        return
    confs = list(logical_devices)
    for c in confs:
        if not isinstance(c, LogicalDeviceConfiguration):
            raise ValueError(f"tf.config.set_logical_device_configuration: expected "
                             f"LogicalDeviceConfiguration objects, got {type(c).__name__}")
    _logical[device] = confs


def get_logical_device_configuration(device):
    """What ``set_logical_device_configuration`` recorded for ``device``; None before."""
    _known(device)
    return _logical.get(device)


def run_functions_eagerly(run_eagerly):
    """Recorded: tensorforge's ``tf.function`` always runs eagerly."""
    _flags["eager_functions"] = bool(run_eagerly)


def functions_run_eagerly():
    """What ``run_functions_eagerly`` set (False before, as TensorFlow reports)."""
    return _flags["eager_functions"]


def set_soft_device_placement(enabled):
    """Recorded: tensorforge runs an op where its inputs are (soft placement always)."""
    _flags["soft_placement"] = bool(enabled)


def get_soft_device_placement():
    return _flags["soft_placement"]


class _Optimizer:
    """``tf.config.optimizer``: Grappler / XLA switches, recorded and read back (tensorforge
    has no graph optimizer and no XLA to switch)."""

    @staticmethod
    def set_jit(enabled):
        _flags["jit"] = "autoclustering" if enabled is True else (enabled or "")

    @staticmethod
    def get_jit():
        return _flags["jit"]

    @staticmethod
    def set_experimental_options(options):
        _flags["options"] = dict(options, **{k: v for k, v in _flags["options"].items()
                                             if k not in options})

    @staticmethod
    def get_experimental_options():
        return dict(_flags["options"])


optimizer = _Optimizer()


def enable_tensor_float_32_execution(enabled):
    """Recorded: tensorforge's float32 kernels compute in float32, never TensorFloat-32."""
    _flags["tf32"] = bool(enabled)


def tensor_float_32_execution_enabled():
    return _flags["tf32"]


def get_device_details(device):
    """``{}`` for the CPU, as TensorFlow; a GPU's name when CuPy reports it."""
    _known(device)
    if device.device_type != "GPU":
        return {}
    try:
        import cupy
        idx = int(device.name.rsplit(":", 1)[1])
        props = cupy.cuda.runtime.getDeviceProperties(idx)
        name = props["name"].decode() if isinstance(props["name"], bytes) else props["name"]
        return {"device_name": name,
                "compute_capability": (int(props["major"]), int(props["minor"]))}
    except Exception:  # noqa: BLE001 -- no CuPy details: nothing to report
        return {}


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


_memory = {"peak": {}}
_POLICIES = ("warn", "explicit", "silent", "silent_for_int32")


def _device_key(op, device):
    """'CPU:0' / '/device:GPU:0' / '/physical_device:GPU:0' -> ('CPU', 0), checked."""
    name = str(device).rsplit("device:", 1)[-1].lstrip("/")
    kind, _, idx = name.partition(":")
    try:
        key = (kind.upper(), int(idx or 0))
    except ValueError:
        key = None
    if key is None or not any(d.name.endswith(f"{key[0]}:{key[1]}")
                              for d in list_physical_devices()):
        raise ValueError(f"tf.config.experimental.{op}: No matching devices found for "
                         f"{device!r}")
    return key


def get_memory_info(device):
    """``{'current': bytes, 'peak': bytes}``: 0 / 0 for the CPU, as TensorFlow (which tracks
    no host allocations); for a GPU, the bytes CuPy's pool holds for arrays now and the most
    seen by these calls since the last ``reset_memory_stats``."""
    key = _device_key("get_memory_info", device)
    if key[0] != "GPU":
        return {"current": 0, "peak": 0}
    import cupy
    with cupy.cuda.Device(key[1]):
        cur = int(cupy.get_default_memory_pool().used_bytes())
    peak = max(cur, _memory["peak"].get(key, 0))
    _memory["peak"][key] = peak
    return {"current": cur, "peak": peak}


def reset_memory_stats(device):
    _memory["peak"].pop(_device_key("reset_memory_stats", device), None)


def set_synchronous_execution(enable):
    """Recorded: tensorforge's ops always run synchronously."""
    _flags["sync"] = bool(enable)


def get_synchronous_execution():
    return _flags.get("sync", True)


def set_device_policy(device_policy):
    """Recorded (None: TensorFlow's default 'silent'): tensorforge copies nothing between
    devices behind the program's back, so no policy changes what runs."""
    if device_policy is not None and device_policy not in _POLICIES:
        raise ValueError(f"Invalid argument `device_policy`: {device_policy!r}. Valid: None, "
                         f"{', '.join(repr(p) for p in _POLICIES)}")
    _flags["policy"] = device_policy or "silent"


def get_device_policy():
    return _flags.get("policy", "silent")


class _Experimental:
    """``tf.config.experimental``: the TF 2.0-2.1 spellings of the same functions, and the
    determinism switch."""
    list_physical_devices = staticmethod(list_physical_devices)
    list_logical_devices = staticmethod(list_logical_devices)
    get_visible_devices = staticmethod(get_visible_devices)
    set_memory_growth = staticmethod(set_memory_growth)
    get_memory_growth = staticmethod(get_memory_growth)
    enable_op_determinism = staticmethod(enable_op_determinism)
    set_visible_devices = staticmethod(set_visible_devices)
    set_virtual_device_configuration = staticmethod(set_logical_device_configuration)
    get_virtual_device_configuration = staticmethod(get_logical_device_configuration)
    VirtualDeviceConfiguration = VirtualDeviceConfiguration
    get_device_details = staticmethod(get_device_details)
    enable_tensor_float_32_execution = staticmethod(enable_tensor_float_32_execution)
    tensor_float_32_execution_enabled = staticmethod(tensor_float_32_execution_enabled)
    get_memory_info = staticmethod(get_memory_info)
    reset_memory_stats = staticmethod(reset_memory_stats)
    set_synchronous_execution = staticmethod(set_synchronous_execution)
    get_synchronous_execution = staticmethod(get_synchronous_execution)
    set_device_policy = staticmethod(set_device_policy)
    get_device_policy = staticmethod(get_device_policy)


experimental = _Experimental()

experimental_run_functions_eagerly = run_functions_eagerly
experimental_functions_run_eagerly = functions_run_eagerly

__all__ = ["PhysicalDevice", "LogicalDevice", "list_physical_devices", "list_logical_devices",
           "get_visible_devices", "experimental", "threading", "set_visible_devices",
           "LogicalDeviceConfiguration", "set_logical_device_configuration",
           "get_logical_device_configuration", "run_functions_eagerly", "functions_run_eagerly",
           "experimental_run_functions_eagerly", "experimental_functions_run_eagerly",
           "set_soft_device_placement", "get_soft_device_placement", "optimizer"]
