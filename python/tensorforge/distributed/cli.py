"""What ``tensorforge train MODEL --distributed`` (cli.py) asks of this package.

    mpiexec -n 4 tensorforge train lenet --distributed

``setup`` joins the job (one kernel thread per core of this machine's share, unless --threads
says otherwise) and sends the stdout of ranks > 0 to /dev/null, so the header, the one progress
bar, the test figures and the images/s of the whole job print once; stderr stays open on every
rank, so a failure still names its rank. ``fail`` turns an error the CLI reports and returns
from into the end of the whole job (the other ranks would otherwise wait in their next
collective forever).
"""
import os
import sys

from . import _comm


def setup(threads=None):
    _comm.init(threads="auto" if threads is None else threads)
    if _comm.rank() != 0:
        sys.stdout.flush()
        sys.stdout = open(os.devnull, "w")
    return True


def is_root():
    return not _comm.is_initialized() or _comm.rank() == 0


def describe():
    """'4 ranks x 1 thread(s), MPICH Version: 5.0.2' for the CLI's lines."""
    from ..backend import get_num_threads
    return (f"{_comm.size()} ranks x {get_num_threads()} thread(s), "
            f"{_comm.mpi_library_version()}")


def fail(code):
    """End every rank with ``code`` when this process is one rank of several."""
    if _comm.is_initialized() and _comm.size() > 1:
        _comm.abort("the command failed (see the message above); ending all ranks", code)
    return code
