"""Conv2DTranspose forward whose kernel equals its stride (U-Net's 2x2 / stride 2 up-sampling): one GEMM.

Note [kernel == stride transposed conv]
~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~
With kernel (KH, KW) == strides, no padding and dilation 1, the windows do not overlap: input
pixel (n, i, j) alone feeds the KH x KW output block at rows i*KH + a, columns j*KW + b, so

    y[n, i*KH + a, j*KW + b, :] = x[n, i, j, :] @ w[a, b]^T + bias

is ONE GEMM (N*H*W, C_out) @ (C_out, KH*KW*C_in) with the taps side by side (w's own layout,
bias tiled over the taps). For one input row (n, i) and tap row a, the W pixels' KW*C_in outputs
y[n, i*KH + a, :, :] are one contiguous block, so the native kernel (csrc/cpu/convt_taps.cpp,
`conv2d_transpose_taps_forward`, Note [taps stored in place]) runs the conv micro-kernel on x's
rows in place and stores each tile straight into y, bias in its epilogue, the (n, i) rows in
chunks over the threads. (Before: one sgemm per chunk of rows into an L2 buffer, then a copy of
its column blocks to the output rows, small7; the copy and x's packing cost 10-15% of the
forward at AVX2: RESULTS, cavx8.)
The backward keeps the general kernels: a per-tap gather of dy + dx and dw GEMMs measured no
faster than the strided conv2d and its weight gradient, with the gather on the calling thread
in NumPy (RESULTS, convt7) and again as a native pass (each thread gathering its chunk of rows
into L2, the bias gradient summed from the gathered rows, then its GEMM into dx): dx + db
1.81-1.93 ms (medians) against 1.36-1.44 for the strided conv2d + bias pass at 1 thread
(RESULTS, small7).
The general path (conv2d's strided backward-data pass: one phase pass per tap, each reading x,
the bias added after in NumPy) computes the same sums, possibly in another order
(tests/test_conv_transpose_stride_eq_kernel.py bounds both against float64). Taken only for
NumPy float32 arrays on the native kernel; everything else keeps the general path.
"""
import numpy as np

from .. import _dispatch as backend
from ._common import contiguous, is_native


def applies(geometry, x, w, out_hw, *others):
    """True when conv2d_transpose's geometry (sh, sw, pt, pl, pb, pr, dh, dw, H, W) of x
    (N, H, W, C_out) and w (KH, KW, C_in, C_out) has kernel == stride, no padding, dilation 1 and
    output (H * KH, W * KW), on non-empty NumPy float32 arrays (conv2d_transpose's dtype) and the
    native kernel."""
    sh, sw, pt, pl, pb, pr, dh, dw, H, W = geometry
    KH, KW = w.shape[:2]
    arrays = (x, w) + tuple(a for a in others if a is not None)
    return ((sh, sw) == (KH, KW) and pt == pl == pb == pr == 0 and dh == dw == 1
            and tuple(out_hw) == (H * KH, W * KW) and (H, W) == tuple(x.shape[1:3])
            and all(type(a) is np.ndarray and a.dtype == x.dtype for a in arrays)
            and x.dtype == np.float32 and x.size > 0 and w.size > 0
            and is_native(backend.lookup("conv2d_transpose_taps_forward")))


def forward(x, w, b):
    """conv2d_transpose(x, w, b) for a layer `applies` accepted: (N, H*KH, W*KW, C_in)."""
    return backend.lookup("conv2d_transpose_taps_forward")(contiguous(x), contiguous(w), b)

