"""Conv2DTranspose forward whose kernel equals its stride (U-Net's 2x2 / stride 2 up-sampling): one GEMM.

Note [kernel == stride transposed conv]
~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
With kernel (KH, KW) == strides, no padding and dilation 1, the windows do not overlap: input
pixel (n, i, j) alone feeds the KH x KW output block at rows i*KH + a, columns j*KW + b, so

    y[n, i*KH + a, j*KW + b, :] = x[n, i, j, :] @ w[a, b]^T + bias

is ONE GEMM (N*H*W, C_out) @ (C_out, KH*KW*C_in) with the taps side by side (w's own layout,
bias tiled over the taps in the GEMM's epilogue) whose column blocks are copied to their output
rows. The copy runs per chunk of (n, i) rows whose GEMM output fits one core's share of the
running CPU's L2 (still in L2 when it is copied; _C.cpu_info(), 1 MiB when unknown: the size
measured best on Zen 5, whose L2 is 1 MiB, bench/RESULTS.md section convt7).
The backward keeps the general kernels: a per-tap gather of dy (one NumPy copy on the calling
thread) + dx and dw GEMMs measured no faster than the strided conv2d and its weight gradient
(bench/RESULTS.md, section convt7).
The general path (conv2d's strided backward-data pass: one phase pass per tap, each reading x,
the bias added after in NumPy) computes the same sums, possibly in another order
(tests/test_conv_transpose_stride_eq_kernel.py bounds both against float64). Taken only for
NumPy float32 arrays on a native gemm; everything else keeps the general path.
"""
import numpy as np

from .. import _dispatch as backend
from .. import _native
from ._common import contiguous, is_native
from .gemm import gemm

_chunk = []


def _chunk_bytes():
    """One core's share of the L2 the running CPU reports (1 MiB when unknown)."""
    if not _chunk:
        ci = _native._C.cpu_info() if _native._C is not None and hasattr(_native._C, "cpu_info") else {}
        l2 = ci.get("l2", 0) // max(1, ci.get("l2_sharing", 1))
        _chunk.append(l2 if l2 >= (64 << 10) else 1 << 20)
    return _chunk[0]


def applies(geometry, x, w, out_hw, *others):
    """True when conv2d_transpose's geometry (sh, sw, pt, pl, pb, pr, dh, dw, H, W) of x
    (N, H, W, C_out) and w (KH, KW, C_in, C_out) has kernel == stride, no padding, dilation 1 and
    output (H * KH, W * KW), on non-empty NumPy float32 arrays (conv2d_transpose's dtype) and a native gemm."""
    sh, sw, pt, pl, pb, pr, dh, dw, H, W = geometry
    KH, KW = w.shape[:2]
    arrays = (x, w) + tuple(a for a in others if a is not None)
    return ((sh, sw) == (KH, KW) and pt == pl == pb == pr == 0 and dh == dw == 1
            and tuple(out_hw) == (H * KH, W * KW) and (H, W) == tuple(x.shape[1:3])
            and all(type(a) is np.ndarray and a.dtype == x.dtype for a in arrays)
            and x.dtype == np.float32 and x.size > 0 and w.size > 0
            and is_native(backend.lookup("gemm")))


def forward(x, w, b):
    """conv2d_transpose(x, w, b) for a layer `applies` accepted: (N, H*KH, W*KW, C_in)."""
    N, H, W, Co = x.shape
    KH, KW, Ci, _ = w.shape
    wm = contiguous(w).reshape(KH * KW * Ci, Co)
    bias = None if b is None else np.tile(b, KH * KW)
    xm = contiguous(x).reshape(N * H, W, Co)
    y = np.empty((N * H, KH, W, KW * Ci), x.dtype)
    rows = max(1, _chunk_bytes() // (W * KH * KW * Ci * x.itemsize))
    for r0 in range(0, N * H, rows):
        t = gemm(xm[r0:r0 + rows].reshape(-1, Co), wm, trans_b=True, bias=bias)
        np.copyto(y[r0:r0 + rows], t.reshape(-1, W, KH, KW * Ci).transpose(0, 2, 1, 3))
    return y.reshape(N, H * KH, W * KW, Ci)

