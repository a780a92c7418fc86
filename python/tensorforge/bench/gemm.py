"""GEMM GFLOP/s: tensorforge vs NumPy (OpenBLAS at its best) and PyTorch, same threads.

Shapes: square n = 64..2048, and the GEMMs that LeNet / MLP / LSTM training run (forward and the
two transposed backward forms): (M, K, N) = (32, 1800, 500), (128, 784, 256), (64, 512, 1024),
(6, 25, 36864) - the last is LeNet conv1's weight gradient (C_out x KH*KW*C_in x N*OH*OW)."""
import numpy as np

from ._util import table, timeit, try_torch

SQUARE = [64, 128, 256, 512, 1024, 2048]
DL = [("lenet fc", 32, 1800, 500), ("mlp fc", 128, 784, 256), ("lstm", 64, 512, 1024),
      ("conv1 dW", 6, 25, 36864)]


def cases(quick=False):
    """(name, M, K, N, trans_a, trans_b)"""
    out = [(f"square {n}", n, n, n, False, False) for n in (SQUARE[2:5] if quick else SQUARE)]
    for name, M, K, N in DL:
        out.append((f"{name} fwd", M, K, N, False, False))
        if not quick:
            out.append((f"{name} dA", M, N, K, False, True))    # dA = dC @ B^T
            out.append((f"{name} dB", K, M, N, True, False))    # dB = A^T @ dC
    return out


def run(args):
    import tensorforge as tf
    torch = try_torch() if "torch" in args.against else None
    rng = np.random.default_rng(0)
    rows = []
    for name, M, K, N, ta, tb in cases(args.quick):
        a = rng.standard_normal((K, M) if ta else (M, K)).astype(np.float32)
        b = rng.standard_normal((N, K) if tb else (K, N)).astype(np.float32)
        A, B = (a.T if ta else a), (b.T if tb else b)
        ours = tf.ops.gemm(a, b, trans_a=ta, trans_b=tb)
        ref = A.astype(np.float64) @ B.astype(np.float64)
        tol = 16 * K * np.finfo(np.float32).eps * (np.abs(A) @ np.abs(B))
        if not (np.abs(ours - ref) <= tol).all():
            raise AssertionError(f"bench gemm {name}: result does not match the float64 reference")
        flop = 2.0 * M * N * K
        t_tf = timeit(lambda: tf.ops.gemm(a, b, trans_a=ta, trans_b=tb))
        t_np = timeit(lambda: A @ B)
        row = [name, f"{M}x{K}x{N}", flop / t_tf / 1e9, flop / t_np / 1e9, t_np / t_tf]
        if torch is not None:
            ta_, tb_ = torch.from_numpy(a), torch.from_numpy(b)
            At, Bt = (ta_.T if ta else ta_), (tb_.T if tb else tb_)
            t_pt = timeit(lambda: At @ Bt)
            row += [flop / t_pt / 1e9, t_pt / t_tf]
        rows.append(row)
    cols = ["shape", "MxKxN", "tensorforge GFLOP/s", "numpy GFLOP/s", "vs numpy"]
    if torch is not None:
        cols += ["torch GFLOP/s", "vs torch"]
    return table(cols, rows)
