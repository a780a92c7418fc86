"""Weight gradients written straight into a caller's arrays (a gradient bucket's views): the
kernels' output arguments (gemm's c, conv2d_backward's dw_out / db_out) and autograd's
``on_grad_ready(..., out=)`` (See Note [gradient outputs] in autograd/backward.py)."""
import numpy as np
import pytest

from tensorforge import kernels, ops
from tensorforge.autograd import Tensor, on_grad_ready
from tfhelpers import on_backend


def _net(rs, shared=False, backend="numpy"):
    """conv2d (bias, relu) -> flatten -> gemm (bias) -> loss; with ``shared`` the Dense kernel
    is used by a second gemm too (two contributions to one leaf). On the backend's device."""
    def leaf(a, grad=True):
        return Tensor(on_backend(a.astype(np.float32), backend), requires_grad=grad)
    x = leaf(rs.standard_normal((3, 6, 6, 2)), grad=False)
    w = leaf(rs.standard_normal((3, 3, 2, 4)) * 0.3)
    b = leaf(rs.standard_normal(4) * 0.1)
    k = leaf(rs.standard_normal((64, 5)) * 0.1)
    c = leaf(rs.standard_normal(5) * 0.1)
    h = ops.conv2d(x, w, b, padding="valid", activation="relu")
    h = h.reshape((3, 64))
    y = ops.gemm(h, k, bias=c)
    if shared:
        y = y + ops.gemm(h * 0.5, k)
    return (y * y).sum(), (w, b, k, c)


@pytest.mark.parametrize("shared", [False, True])
def test_backward_writes_weight_gradients_into_the_given_arrays(backend, shared):
    loss, leaves = _net(np.random.RandomState(0), shared, backend)
    ref_loss, ref_leaves = _net(np.random.RandomState(0), shared, backend)
    ref_loss.backward()
    out = {id(t): np.full(t.shape, np.nan, np.float32) for t in leaves}  # garbage: never read
    if backend == "cuda":
        import cupy
        out = {i: cupy.asarray(a) for i, a in out.items()}
    seen = {}
    on_grad_ready(leaves, lambda t: seen.setdefault(id(t), t.grad is out[id(t)]), out)
    loss.backward()
    assert len(seen) == 4
    for t, r in zip(leaves, ref_leaves):
        np.testing.assert_allclose(np.asarray(t.grad.get() if backend == "cuda" else t.grad),
                                   np.asarray(r.grad.get() if backend == "cuda" else r.grad),
                                   rtol=1e-6, atol=1e-6)
    w, b, k, c = leaves
    # written in place by the producing kernel; the shared kernel takes a second contribution,
    # so its gradient is a new array (the caller copies it)
    assert seen == {id(w): True, id(b): True, id(k): not shared, id(c): True}


def test_kernel_output_arguments_are_checked_and_returned(rng):
    x = rng.standard_normal((2, 5, 5, 3)).astype(np.float32)
    w = rng.standard_normal((3, 3, 3, 4)).astype(np.float32)
    dy = rng.standard_normal((2, 3, 3, 4)).astype(np.float32)
    ref = kernels.conv2d_backward(dy, x, w)
    dw, db = np.empty_like(w), np.empty(4, np.float32)
    got = kernels.conv2d_backward(dy, x, w, need_dx=False, dw_out=dw, db_out=db)
    assert got[0] is None and got[1] is dw and got[2] is db
    np.testing.assert_array_equal(dw, ref[1])
    np.testing.assert_array_equal(db, ref[2])
    with pytest.raises(ValueError, match="dw_out must have shape"):
        kernels.conv2d_backward(dy, x, w, dw_out=np.empty((3, 3, 3, 5), np.float32))
    with pytest.raises(TypeError, match="db_out must be float32"):
        kernels.conv2d_backward(dy, x, w, db_out=np.empty(4, np.float64))
    ro = np.empty_like(w)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="dw_out must be writable"):
        kernels.conv2d_backward(dy, x, w, dw_out=ro)
