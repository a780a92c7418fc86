"""The process group: MPI (mpi4py) setup, the collectives on arrays, and fault handling.

One process per rank, launched by ``mpiexec -n N python prog.py``. ``init()`` brings up MPI
through mpi4py (imported here, lazily: ``import tensorforge`` never needs it). Every collective
takes NumPy arrays (and CuPy arrays on the 'cuda' backend: NCCL when CuPy has it, see _nccl.py)
and returns the result; ``out=`` asks for the result in place in a given array.

Faults (See Note [no silent hang]): an uncaught exception on any rank prints
"tensorforge.distributed: rank R of N failed: ..." and calls MPI_Abort, which makes mpiexec end
every rank; with ``init(timeout=T)`` (or TENSORFORGE_DISTRIBUTED_TIMEOUT=T) a rank that waits
more than T seconds in one collective aborts the job too, naming itself and the collective.
"""
import os
import sys
import threading
import time
import traceback

import numpy as np

__all__ = ["init", "is_initialized", "rank", "size", "local_rank", "local_size", "barrier",
           "allreduce", "broadcast", "broadcast_object", "allgather", "allgather_object", "abort",
           "mpi_library_version"]

_OPS = ("average", "sum", "min", "max")

_state = {"comm": None, "MPI": None, "local": None, "timeout": None, "hook": None}


# Note [yield when idle]
# MPI libraries spin while a rank waits in a collective: the lowest latency when every rank has a
# core of its own, but on an oversubscribed machine the spinning rank burns the core the rank it
# waits for needs. When the launcher says this machine runs more ranks than it has cores (MPICH's
# hydra: MPI_LOCALNRANKS; Open MPI: OMPI_COMM_WORLD_LOCAL_SIZE), or TENSORFORGE_MPI_YIELD=1, the
# waiting ranks yield their core instead (MPICH: nanosleep in the wait loop; Open MPI:
# mpi_yield_when_idle). MPI reads these when it initializes, i.e. at the import of mpi4py.MPI;
# a variable the user set is left alone.
_YIELD_ENV = {"MPIR_CVAR_ENABLE_HEAVY_YIELD": "1", "OMPI_MCA_mpi_yield_when_idle": "1"}


def _yield_when_idle():
    flag = os.environ.get("TENSORFORGE_MPI_YIELD")
    if flag is not None:
        return flag.strip().lower() in ("1", "true", "yes", "on")
    local = os.environ.get("MPI_LOCALNRANKS") or os.environ.get("OMPI_COMM_WORLD_LOCAL_SIZE")
    try:
        return local is not None and int(local) > (os.cpu_count() or 1)
    except ValueError:
        return False


def _mpi():
    if "mpi4py.MPI" not in sys.modules and _yield_when_idle():
        for k, v in _YIELD_ENV.items():
            os.environ.setdefault(k, v)
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise ImportError("tensorforge.distributed needs mpi4py and an MPI library: "
                          "pip install 'tensorforge[mpi]' (mpi4py + the mpich wheel), or mpi4py "
                          f"built against your cluster's MPI ({e})") from None
    return MPI


def init(timeout=None, threads="auto"):
    """Join the process group (idempotent). Call once per process, before the other functions.

    ``timeout``: seconds one collective may wait before the job is aborted (default: the
    TENSORFORGE_DISTRIBUTED_TIMEOUT environment variable, else no limit).
    ``threads='auto'``: when several ranks share this machine and neither OMP_NUM_THREADS nor
    TENSORFORGE_NUM_THREADS is set, each rank uses cores // ranks-on-this-machine kernel
    threads, so N ranks on one box share its cores instead of oversubscribing them; pass an
    int to set it, or None to leave the thread count alone.
    """
    if _state["comm"] is not None:
        return
    MPI = _mpi()
    if not MPI.Is_initialized():
        MPI.Init_thread(MPI.THREAD_MULTIPLE)
    comm = MPI.COMM_WORLD
    _state["MPI"], _state["comm"] = MPI, comm
    _state["local"] = comm.Split_type(MPI.COMM_TYPE_SHARED, key=comm.Get_rank())
    if timeout is None and os.environ.get("TENSORFORGE_DISTRIBUTED_TIMEOUT"):
        timeout = float(os.environ["TENSORFORGE_DISTRIBUTED_TIMEOUT"])
    if timeout is not None:
        if not timeout > 0:
            raise ValueError(f"distributed.init: timeout must be a positive number of seconds, "
                             f"got {timeout}")
        _state["timeout"] = float(timeout)
        _Watchdog.start()
    _install_excepthook()
    if threads == "auto":
        if local_size() > 1 and not (os.environ.get("OMP_NUM_THREADS")
                                     or os.environ.get("TENSORFORGE_NUM_THREADS")):
            threads = max(1, (os.cpu_count() or 1) // local_size())
        else:
            threads = None
    if threads is not None:
        from ..backend import set_num_threads
        set_num_threads(int(threads))
    from ..backend import get_backend
    if get_backend() == "cuda":  # each rank drives the GPU local_rank() (See _nccl.py)
        from . import _nccl
        _nccl.select_device(local_rank())


def is_initialized():
    return _state["comm"] is not None


def _comm():
    comm = _state["comm"]
    if comm is None:
        raise RuntimeError("tensorforge.distributed: call tensorforge.distributed.init() first "
                           "(and launch the program with mpiexec -n N)")
    return comm


def rank():
    """This process' rank in [0, size())."""
    return _comm().Get_rank()


def size():
    """The number of processes in the job."""
    return _comm().Get_size()


def local_rank():
    """This process' rank among the processes on its machine (the GPU it drives)."""
    _comm()
    return _state["local"].Get_rank()


def local_size():
    _comm()
    return _state["local"].Get_size()


def mpi_library_version():
    """The first line of MPI_Get_library_version (e.g. 'MPICH Version: 5.0.2')."""
    v = _mpi().Get_library_version().strip().splitlines()
    return " ".join(v[0].split()) if v else "unknown"


# ---- collectives ----------------------------------------------------------------------------------

def _check_array(a, where):
    from .._device import is_device_array
    if not (isinstance(a, np.ndarray) or is_device_array(a)):
        a = np.asarray(a)
    if a.dtype.kind not in "fiub":
        raise TypeError(f"distributed.{where}: expected a numeric array, got dtype {a.dtype}")
    return a


def _check_root(root, where):
    n = size()
    if not isinstance(root, (int, np.integer)) or not 0 <= root < n:
        raise ValueError(f"distributed.{where}: root must be a rank in [0, {n}), got {root!r}")
    return int(root)


def allreduce(array, op="average", out=None):
    """The elementwise reduction of ``array`` over all ranks ('average', 'sum', 'min', 'max'),
    returned on every rank (in ``out`` when given: may be ``array`` itself). Every rank must pass
    the same shape and dtype. 'average' of an integer array is computed in float64."""
    if op not in _OPS:
        raise ValueError(f"distributed.allreduce: op must be one of {', '.join(_OPS)}, got {op!r}")
    scalar = np.isscalar(array)
    a = _check_array(array, "allreduce")
    if op == "average" and a.dtype.kind != "f":
        a = a.astype(np.float64)
    if out is None:
        out = a.copy()
    elif out is not a:
        if tuple(out.shape) != tuple(a.shape) or out.dtype != a.dtype:
            raise ValueError(f"distributed.allreduce: out has shape {tuple(out.shape)} dtype "
                             f"{out.dtype}, the input {tuple(a.shape)} {a.dtype}")
        out[...] = a
    reduce_inplace(out, op)
    return out.item() if scalar else out


def reduce_inplace(buf, op="sum"):
    """Allreduce a contiguous array in place (the building block of the gradient buckets)."""
    from .._device import is_device_array
    MPI = _state["MPI"]
    mpi_op = MPI.MAX if op == "max" else MPI.MIN if op == "min" else MPI.SUM
    done = False
    if is_device_array(buf):  # NCCL, or through the host (a CUDA-aware MPI takes it: _nccl.py)
        from . import _nccl
        with _Watchdog.guard("allreduce"):
            done = _nccl.allreduce_inplace(buf, op, _comm(), mpi_op)
    if not done:
        with _Watchdog.guard("allreduce"):
            _comm().Allreduce(MPI.IN_PLACE, buf, op=mpi_op)
    if op == "average":
        buf /= size()
    return buf


def broadcast(array, root=0):
    """Rank ``root``'s array, returned on every rank (shape and dtype come from root)."""
    root = _check_root(root, "broadcast")
    me = rank() == root
    a = _check_array(array, "broadcast") if me or array is not None else None
    meta = broadcast_object((tuple(a.shape), a.dtype.str) if me else None, root)
    from .._device import is_device_array, to_host
    dev = a is not None and is_device_array(a)
    buf = np.ascontiguousarray(to_host(a)) if me else np.empty(meta[0], np.dtype(meta[1]))
    with _Watchdog.guard("broadcast"):
        _comm().Bcast(buf, root=root)
    if dev:
        import cupy
        return cupy.asarray(buf)
    return buf if not me else buf.copy()


def broadcast_object(obj, root=0):
    """Any picklable object of rank ``root``, returned on every rank."""
    root = _check_root(root, "broadcast_object")
    with _Watchdog.guard("broadcast"):
        return _comm().bcast(obj, root=root)


def allgather(array):
    """Every rank's array concatenated along axis 0, in rank order (the first axis may differ
    between ranks; the others and the dtype must agree)."""
    from .._device import is_device_array, to_host
    a = _check_array(array, "allgather")
    dev = is_device_array(a)
    a = np.ascontiguousarray(to_host(a))
    if a.ndim == 0:
        a = a.reshape(1)
    metas = allgather_object((tuple(a.shape), a.dtype.str))
    tails = {(m[0][1:], m[1]) for m in metas}
    if len(tails) != 1:
        raise ValueError("distributed.allgather: ranks passed arrays whose shapes beyond axis 0 "
                         f"or dtypes differ: {[(m[0], m[1]) for m in metas]}")
    counts = [int(np.prod(m[0])) for m in metas]
    out = np.empty((sum(m[0][0] for m in metas),) + a.shape[1:], a.dtype)
    with _Watchdog.guard("allgather"):
        _comm().Allgatherv(a, [out, counts])  # counts in elements; displacements follow them
    if dev:
        import cupy
        return cupy.asarray(out)
    return out


def allgather_object(obj):
    """The list of every rank's picklable ``obj``, in rank order."""
    with _Watchdog.guard("allgather"):
        return _comm().allgather(obj)


def gather_small(vec):
    """Allgather a small float64 vector (one per rank) -> (size, len) array (no pickling)."""
    v = np.ascontiguousarray(vec, dtype=np.float64)
    out = np.empty((size(), v.size), np.float64)
    with _Watchdog.guard("allgather"):
        _comm().Allgather(v, out)
    return out


def barrier():
    """Wait until every rank has reached this call."""
    with _Watchdog.guard("barrier"):
        _comm().Barrier()


def abort(message, code=1):
    """Print ``message`` (prefixed with this rank) on stderr and end every rank of the job."""
    r, n = (rank(), size()) if is_initialized() else (0, 1)
    sys.stderr.write(f"tensorforge.distributed: rank {r} of {n}: {message}\n")
    sys.stderr.flush()
    sys.stdout.flush()
    if is_initialized() and n > 1:
        # The launcher forwards each rank's stderr through a pipe and, on MPI_Abort, kills every
        # rank at once, dropping what it has not forwarded yet: under load the message above was
        # lost while the traceback before it got through. Give it a moment to drain.
        time.sleep(0.5)
        _state["MPI"].COMM_WORLD.Abort(code)
    os._exit(code)


# Note [no silent hang]
# A collective blocks until every rank has joined it. If one rank dies, MPI's launcher (hydra for
# MPICH, prte for Open MPI) notices the dead process and kills the others. If one rank *raises*,
# Python would unwind it to MPI_Finalize while the others wait forever in their next collective;
# the excepthook below turns the uncaught exception into MPI_Abort, naming the rank. A rank that
# catches the exception and carries on (or sleeps, or loops) cannot be seen from outside: the
# optional watchdog bounds every collective by a timeout and aborts from a helper thread (mpi4py
# initializes MPI with THREAD_MULTIPLE, so MPI_Abort from that thread is legal).
def _install_excepthook():
    if _state["hook"] is not None:
        return
    prev = sys.excepthook

    def hook(etype, value, tb):
        if size() <= 1 or issubclass(etype, (SystemExit,)):
            return prev(etype, value, tb)
        text = "".join(traceback.format_exception(etype, value, tb))
        sys.stderr.write(text)
        abort(f"failed with {etype.__name__}: {value}; aborting all {size()} ranks")

    _state["hook"] = hook
    sys.excepthook = hook


class _Watchdog:
    _deadline = None
    _what = None
    _thread = None

    @classmethod
    def start(cls):
        if cls._thread is None:
            cls._thread = threading.Thread(target=cls._run, name="tensorforge-dist-watchdog",
                                           daemon=True)
            cls._thread.start()

    @classmethod
    def _run(cls):
        while True:
            time.sleep(0.2)
            d = cls._deadline
            if d is not None and time.monotonic() > d:
                abort(f"waited more than {_state['timeout']:g} s in {cls._what}: another rank has "
                      "failed, hung or left the job early; aborting all ranks")

    @classmethod
    def guard(cls, what):
        return _Guard(what) if _state["timeout"] is not None else _NOGUARD


class _Guard:
    __slots__ = ("what",)

    def __init__(self, what):
        self.what = what

    def __enter__(self):
        _Watchdog._what = self.what
        _Watchdog._deadline = time.monotonic() + _state["timeout"]

    def __exit__(self, *exc):
        _Watchdog._deadline = None


class _NoGuard:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


_NOGUARD = _NoGuard()
