"""3-D (volumetric) convolution, transposed convolution and pooling, NDHWC, built on the 2-D
kernels (no 3-D kernel of their own): arrays or Tensors in, a Tensor out, differentiable through
the 2-D ops.

    conv3d(x, w, b, strides, padding, dilation, groups)
        x (N, D, H, W, C), w (KD, KH, KW, C / groups, F) (Keras Conv3D's kernel), b (F,) ->
        (N, OD, OH, OW, F). groups = 1 on NumPy arrays: the conv3d kernels (kernels/conv3d.py;
        natively one 2-D convolution of the depth-folded input, Note [depth fold] in
        tf/conv3d.h). groups > 1, or CuPy arrays: one grouped conv2d over (H, W) per depth tap
        of the kernel, the depth axis folded into the batch, the taps summed.
    conv3d_transpose(x, w, b, output_size, strides, padding, dilation)
        x (N, D, H, W, C_in), w (KD, KH, KW, F, C_in) (Keras Conv3DTranspose's kernel), b (F,),
        output_size (OD, OH, OW) -> (N, OD, OH, OW, F). See Note [depth taps of a transposed
        convolution].
    pool3d(x, pool_size, strides, padding, mode)
        max / average pooling; both are separable over a box window: over D on
        (N, D, H * W, C), then over (H, W) on (N * OD, H, W, C). 'same' averages count only the
        real cells (the count of a box is the product of the per-axis counts).
padding: 'valid' or 'same' (TensorFlow's: the extra cell after). strides / dilation: int or
triple.
"""
import numpy as np

from .. import kernels
from .._xp import array_module
from ..autograd import Function, Tensor
from ..kernels.conv import same_pads
from . import basic as B
from . import conv as _conv
from . import manip as _manip
from . import pool as _pool

__all__ = ["conv3d", "conv3d_transpose", "pool3d"]


def _triple(op, name, v):
    t = (v,) * 3 if isinstance(v, (int, np.integer)) else tuple(v)
    if len(t) != 3 or any(isinstance(e, bool) or int(e) != e or int(e) < 1 for e in t):
        raise ValueError(f"{op}: {name} must be an int or a tuple of 3 ints >= 1, got {v!r}")
    return tuple(int(e) for e in t)


def _padding(op, padding):
    p = str(padding).lower()
    if p not in ("valid", "same"):
        raise ValueError(f"{op}: padding must be 'valid' or 'same', got {padding!r}")
    return p


def _check(op, x, w, layout):
    xs, ws = tuple(getattr(x, "shape", ())), tuple(getattr(w, "shape", ()))
    if len(xs) != 5 or len(ws) != 5:
        raise ValueError(f"{op}: x must be 5-D (N, D, H, W, C) and w 5-D {layout}, got x {xs}, "
                         f"w {ws}")
    return xs, ws


def _raw(a):
    return a.data if isinstance(a, Tensor) else a


def _named(op):
    """The errors of the 2-D ops under ``op`` (strides, dtypes, sizes, ...) name ``op`` too."""
    def wrap(fn):
        def run(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except (TypeError, ValueError) as e:
                if str(e).startswith(op + ":"):
                    raise
                raise type(e)(f"{op}: {e}") from None
        run.__name__, run.__qualname__, run.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
        return run
    return wrap


class _Conv3d(Function):
    @staticmethod
    def forward(ctx, x, w, b, strides, padding, dilation):
        ctx.save_for_backward(x, w)
        ctx.geom = (strides, padding, dilation)
        return kernels.conv3d(x, w, b, strides, padding, dilation)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved
        need = ctx.needs_input_grad
        dx, dw, db = kernels.conv3d_backward(g, x, w, *ctx.geom, need_dx=need[0], need_dw=need[1],
                                             need_db=len(need) > 2 and need[2])
        return dx, dw, db, None, None, None


@_named("conv3d")
def conv3d(x, w, b=None, strides=1, padding="valid", dilation=1, groups=1):
    """3-D convolution, NDHWC (See the module doc)."""
    op = "conv3d"
    (N, D, H, W, C), (KD, _, _, cg, F) = _check(op, x, w, "(KD, KH, KW, C / groups, F)")
    s, d, padding = _triple(op, "strides", strides), _triple(op, "dilation", dilation), \
        _padding(op, padding)
    if cg * groups != C:
        raise ValueError(f"{op}: x has {C} channels but w {tuple(w.shape)} expects "
                         f"{cg} x groups={groups}")
    if groups == 1 and isinstance(_raw(x), np.ndarray):  # (CuPy arrays: the cuda conv2d per tap)
        if any(isinstance(t, Tensor) for t in (x, w, b)):
            return _Conv3d.apply(x, w, b, s, padding, d)
        return Tensor(kernels.conv3d(x, w, b, s, padding, d))
    if padding == "same":
        pd = same_pads(D, KD, s[0], d[0])
        if pd != (0, 0):
            x = _manip.pad(x, ((0, 0), pd, (0, 0), (0, 0), (0, 0)))
    Dp = x.shape[1]
    span = (KD - 1) * d[0] + 1
    if Dp < span:
        raise ValueError(f"{op}: the kernel depth {KD} (dilation {d[0]}) exceeds the input depth "
                         f"{D}: x {(N, D, H, W, C)}, w {tuple(w.shape)}")
    OD = (Dp - span) // s[0] + 1
    y = None
    for t in range(KD):  # depth tap t reads input depths t*d, t*d + s, ...
        xs = B.getitem(x, (slice(None), slice(t * d[0], t * d[0] + (OD - 1) * s[0] + 1, s[0])))
        yt = _conv.grouped_conv2d(B.reshape(xs, (N * OD, H, W, C)), B.getitem(w, t), None,
                                  s[1:], padding, d[1:], groups)
        y = yt if y is None else y + yt
    if b is not None:
        y = y + b
    return B.reshape(y, (N, OD) + tuple(y.shape[1:]))


# Note [depth taps of a transposed convolution]: the transposed convolution scatters input
# depth i through tap t to depth i * s + t * d of the "full" output, of length
# L = (D - 1) * s + (KD - 1) * d + 1. Per tap, one conv2d_transpose over (H, W) on
# (N * D, H, W, C_in); its D outputs are spread s apart (zeros between, by concatenating zero
# planes and reshaping) and shifted by t * d (zero padding), the taps summed. The result is
# the window [p, p + OD) of the full output, p = 0 for 'valid' and, for 'same', the 'same'
# padding before of the forward convolution mapping OD to D (TensorFlow's
# conv3d_backprop_input); cells past L are zeros.
@_named("conv3d_transpose")
def conv3d_transpose(x, w, b=None, output_size=None, strides=1, padding="valid", dilation=1):
    """Transposed 3-D convolution, NDHWC (See Note [depth taps of a transposed convolution])."""
    op = "conv3d_transpose"
    (N, D, H, W, C), (KD, KH, KW, F, ci) = _check(op, x, w, "(KD, KH, KW, F, C_in)")
    s, d, padding = _triple(op, "strides", strides), _triple(op, "dilation", dilation), \
        _padding(op, padding)
    if ci != C:
        raise ValueError(f"{op}: x has {C} channels but w {tuple(w.shape)} expects {ci}")
    if output_size is None or len(tuple(output_size)) != 3:
        raise ValueError(f"{op}: output_size must be (OD, OH, OW), got {output_size!r}")
    OD, OH, OW = (int(v) for v in output_size)
    xp = array_module(_raw(x), _raw(w))
    L = (D - 1) * s[0] + (KD - 1) * d[0] + 1
    x2 = B.reshape(x, (N * D, H, W, C))
    full = None
    for t in range(KD):
        yt = _conv.conv2d_transpose(x2, B.getitem(w, t), None, output_size=(OH, OW),
                                    strides=s[1:], padding=padding, dilation=d[1:])
        yt = B.reshape(yt, (N, D, 1, OH, OW, F))
        if s[0] > 1:
            zeros = xp.zeros((N, D, s[0] - 1, OH, OW, F), dtype=yt.dtype)
            yt = B.reshape(B.concatenate([yt, zeros], axis=2), (N, D * s[0], OH, OW, F))
            yt = B.getitem(yt, (slice(None), slice(0, (D - 1) * s[0] + 1)))
        else:
            yt = B.reshape(yt, (N, D, OH, OW, F))
        before = t * d[0]
        yt = _manip.pad(yt, ((0, 0), (before, L - before - yt.shape[1]), (0, 0), (0, 0), (0, 0)))
        full = yt if full is None else full + yt
    p = same_pads(OD, KD, s[0], d[0])[0] if padding == "same" else 0
    if p + OD > L:
        full = _manip.pad(full, ((0, 0), (0, p + OD - L), (0, 0), (0, 0), (0, 0)))
    y = B.getitem(full, (slice(None), slice(p, p + OD)))
    return y if b is None else y + b


@_named("pool3d")
def pool3d(x, pool_size, strides=None, padding="valid", mode="max"):
    """Max ('max') or average ('avg') pooling over (D, H, W) of NDHWC x (See the module doc)."""
    op = "pool3d"
    if len(tuple(getattr(x, "shape", ()))) != 5:
        raise ValueError(f"{op}: x must be 5-D (N, D, H, W, C), got shape "
                         f"{tuple(getattr(x, 'shape', ()))}")
    if mode not in ("max", "avg"):
        raise ValueError(f"{op}: pool_mode must be 'max' or 'avg', got {mode!r}")
    k = _triple(op, "pool_size", pool_size)
    s = k if strides is None else _triple(op, "strides", strides)
    padding = _padding(op, padding)
    fn = _pool.max_pool2d if mode == "max" else _pool.avg_pool2d
    N, D, H, W, C = x.shape
    y = fn(B.reshape(x, (N, D, H * W, C)), pool_size=(k[0], 1), strides=(s[0], 1),
           padding=padding)
    OD = y.shape[1]
    y = fn(B.reshape(y, (N * OD, H, W, C)), pool_size=k[1:], strides=s[1:], padding=padding)
    return B.reshape(y, (N, OD) + tuple(y.shape[1:]))
