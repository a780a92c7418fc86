"""Second (and higher) derivatives of conv3d (ops/volumetric.py's _Conv3d), as
ops/double_backward.py gives the 2-D convolutions theirs: its backward recorded as ops, each
bilinear in its two array inputs, so that every derivative of them is a convolution again (a
WGAN-GP penalty on a 3-D critic, Hessian-vector products)."""
import numpy as np

from .. import kernels
from ..autograd import Function
from . import basic
from .double_backward import _register, _shape
from .volumetric import _Conv3d


class _Conv3dInputGrad(Function):
    """conv3d's input gradient as an op: dx = A(w)^T g for inputs of ``x_shape`` (geometry
    ``geom`` = (strides, padding, dilation)); d/dg is the forward convolution, d/dw the filter
    gradient."""

    @staticmethod
    def forward(ctx, g, w, x_shape, geom):
        ctx.save_for_backward(g, w)
        ctx.geom = geom
        x = np.zeros(x_shape, dtype=g.dtype)  # (the input gradient does not read x)
        return kernels.conv3d_backward(g, x, w, *geom, need_dx=True, need_dw=False,
                                       need_db=False)[0]

    @staticmethod
    def backward(ctx, gx):
        g, w = ctx.saved
        need = ctx.needs_input_grad
        dg = kernels.conv3d(gx, w, None, *ctx.geom) if need[0] else None
        dw = kernels.conv3d_backward(g, gx, w, *ctx.geom, need_dx=False, need_dw=True,
                                     need_db=False)[1] if need[1] else None
        return dg, dw, None, None

    @staticmethod
    def backward_graph(ctx, inputs, gx):
        g, w, _, geom = inputs
        need = ctx.needs_input_grad
        return (_Conv3d.apply(gx, w, None, *geom) if need[0] else None,
                _Conv3dFilterGrad.apply(gx, g, _shape(w), geom) if need[1] else None, None, None)


class _Conv3dFilterGrad(Function):
    """conv3d's weight gradient as an op: dw = filter_grad(x, g) for a kernel of ``w_shape``;
    d/dx is the input gradient with the kernel gw, d/dg the forward convolution with gw."""

    @staticmethod
    def forward(ctx, x, g, w_shape, geom):
        ctx.save_for_backward(x, g)
        ctx.geom = geom
        w = np.zeros(w_shape, dtype=x.dtype)  # (the filter gradient reads only its shape)
        return kernels.conv3d_backward(g, x, w, *geom, need_dx=False, need_dw=True,
                                       need_db=False)[1]

    @staticmethod
    def backward(ctx, gw):
        x, g = ctx.saved
        need = ctx.needs_input_grad
        dx = kernels.conv3d_backward(g, x, gw, *ctx.geom, need_dx=True, need_dw=False,
                                     need_db=False)[0] if need[0] else None
        dg = kernels.conv3d(x, gw, None, *ctx.geom) if need[1] else None
        return dx, dg, None, None

    @staticmethod
    def backward_graph(ctx, inputs, gw):
        x, g, _, geom = inputs
        need = ctx.needs_input_grad
        return (_Conv3dInputGrad.apply(g, gw, tuple(_shape(x)), geom) if need[0] else None,
                _Conv3d.apply(x, gw, None, *geom) if need[1] else None, None, None)


@_register(_Conv3d)
def _conv3d(ctx, inputs, g):
    x, w, b, strides, padding, dilation = inputs
    geom = (strides, padding, dilation)
    need = ctx.needs_input_grad
    dx = _Conv3dInputGrad.apply(g, w, tuple(_shape(x)), geom) if need[0] else None
    dw = _Conv3dFilterGrad.apply(x, g, _shape(w), geom) if need[1] else None
    db = basic.sum(g, (0, 1, 2, 3)) if len(need) > 2 and need[2] else None
    return dx, dw, db, None, None, None
