"""conv2d test helpers shared by tests/test_conv*.py: the layer geometry, the float64 reference
with its error scale, and check_conv (forward and all three gradients against it)."""
import numpy as np

import tensorforge as tf
from tensorforge import reference as R
from tensorforge.kernels.conv import conv_geometry
from tfhelpers import assert_close, on_backend, to_numpy


def geometry(xs, ws, strides, padding, dilation):
    sh, sw, pt, pl, pb, pr, dh, dw, OH, OW = conv_geometry("test", xs, ws, strides, padding, dilation)
    return (sh, sw, pt, pl, pb, pr, dh, dw)


def ref64(x, w, b, g, act=None):
    """float64 reference forward and its error scale (|x| conv |w| + |b|)."""
    y = R.conv2d_forward(x.astype(np.float64), w.astype(np.float64),
                         None if b is None else b.astype(np.float64), *g, act)
    scale = R.conv2d_forward(np.abs(x).astype(np.float64), np.abs(w).astype(np.float64),
                             None if b is None else np.abs(b).astype(np.float64), *g, None)
    return y, scale


def check_conv(x, w, b, strides, padding, dilation, act, backend, what=""):
    """Forward and all three gradients against the float64 reference."""
    g = geometry(x.shape, w.shape, strides, padding, dilation)
    KH, KW, C, CO = w.shape
    y = tf.ops.conv2d(on_backend(x, backend), on_backend(w, backend),
                      None if b is None else on_backend(b, backend), strides=strides,
                      padding=padding, dilation=dilation, activation=act)
    yr, scale = ref64(x, w, b, g, act)
    assert to_numpy(y).dtype == np.float32
    assert_close(y, yr, scale=scale, n=KH * KW * C, what=f"{what} forward")
    rng = np.random.default_rng(x.size)
    dy = rng.standard_normal(yr.shape).astype(np.float32)
    dx, dw, db = tf.kernels.conv2d_backward(on_backend(dy, backend), on_backend(x, backend),
                                            on_backend(w, backend), strides, padding, dilation)
    d64 = dy.astype(np.float64)
    dxr, dwr, dbr = R.conv2d_backward(d64, x.astype(np.float64), w.astype(np.float64), *g, True, True, True)
    ad, ax, aw = np.abs(d64), np.abs(x).astype(np.float64), np.abs(w).astype(np.float64)
    sx, sw_, sb = R.conv2d_backward(ad, ax, aw, *g, True, True, True)
    OH, OW = yr.shape[1:3]
    assert_close(dx, dxr, scale=sx, n=KH * KW * CO, what=f"{what} dx")
    assert_close(dw, dwr, scale=sw_, n=x.shape[0] * OH * OW, what=f"{what} dw")
    assert_close(db, dbr, scale=sb, n=x.shape[0] * OH * OW, what=f"{what} db")


def weight_grads_at_1_and_2_threads(dy, x, w, g):
    """(dW, db) of the native conv2d_backward (no dx) at 1 and at 2 threads: two pairs, for
    tests that the weight gradient's reduction does not depend on the thread count."""
    C, prev = tf._native._C, tf.get_num_threads()
    out = []
    try:
        for n in (1, 2):
            tf.set_num_threads(n)
            r = C.conv2d_backward(dy, x, w, *g, False, True, True, None)
            out.append((r[1], r[2]))
    finally:
        tf.set_num_threads(prev)
    return out
