"""The GPU session's distributed check (tools/gpu_check.sh, stage "dist"; issue 13's GPU ranks).

    TENSORFORGE_BACKEND=cuda mpiexec -n N python3 tools/gpu_dist_check.py collectives
    python3 tools/gpu_dist_check.py compare OUT_REF OUT_N N

'collectives': every rank reduces, broadcasts and gathers CuPy arrays whose expected values are
known in closed form, and prints which path the reductions took (NCCL, or through the host where
NCCL cannot be used: two ranks on one GPU). 'compare': the weights tests/dist_worker.py's N-rank
'train' wrote against its one-process --plain run, within test_distributed.py's reduction-order
bound (STEPS * LR * K * U = 7.2e-5), every rank bit-identical.
"""
import sys

import numpy as np


def collectives():
    import cupy

    import tensorforge.distributed as tfd
    from tensorforge.distributed import _comm, _nccl
    tfd.init(timeout=60)
    r, n = tfd.rank(), tfd.size()
    base = np.arange(1, 100_001, dtype=np.float64)
    for op, factor in (("sum", n * (n + 1) / 2), ("average", (n + 1) / 2), ("max", n)):
        a = cupy.asarray(base, dtype=cupy.float32) * (r + 1)
        out = tfd.allreduce(a, op=op)
        assert isinstance(out, cupy.ndarray), f"allreduce({op}) returned {type(out)}"
        np.testing.assert_allclose(cupy.asnumpy(out), base * factor, rtol=1e-6, err_msg=op)
    b = tfd.broadcast(cupy.full(5, r + 1.0, cupy.float32), root=n - 1)
    np.testing.assert_array_equal(cupy.asnumpy(b), np.full(5, float(n)))
    g = tfd.allgather(cupy.full((2, 3), r, cupy.float32))
    np.testing.assert_array_equal(cupy.asnumpy(g), np.repeat(np.arange(n), 2)[:, None] *
                                  np.ones((1, 3)))
    path = "NCCL" if _nccl.uses_nccl(_comm._comm()) else "the host (MPI on host copies)"
    print(f"rank {r}/{n} on GPU {cupy.cuda.Device().id}: allreduce sum/average/max, broadcast, "
          f"allgather of CuPy arrays correct; reductions through {path}", flush=True)


def compare(ref, out, n):
    n = int(n)
    flat = lambda z: np.concatenate([z[f"w{i}"].ravel() for i in range(4)])  # noqa: E731
    z_ref = np.load(f"{ref}.rank0.npz")
    zs = [np.load(f"{out}.rank{r}.npz") for r in range(n)]
    assert all(int(z["size"]) == n for z in zs), "wrong number of ranks"
    w_ref = flat(z_ref)
    for z in zs:
        np.testing.assert_array_equal(flat(z), flat(zs[0]))
    err = np.abs(flat(zs[0]) - w_ref).max()
    tol = 2 * 5 * 0.5 * (15 * 16) * 2.0 ** -24
    print(f"{n} GPU rank(s) vs one process on the GPU: max |dw| = {err:.3g} (bound {tol:.3g}); "
          f"loss {np.round(zs[0]['h_loss'], 5)} vs {np.round(z_ref['h_loss'], 5)}", flush=True)
    assert err <= tol, f"{n} ranks: weights {err:.3g} from one process's, over {tol:.3g}"


if __name__ == "__main__":
    {"collectives": collectives, "compare": compare}[sys.argv[1]](*sys.argv[2:])
