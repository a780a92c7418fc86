"""autograd.on_grad_ready: a leaf's hook runs as soon as its gradient is final, in the middle of
backward (See Note [grad-ready hooks] in autograd/backward.py; tensorforge.distributed overlaps its
reductions with backward on it)."""
import numpy as np

from tensorforge.autograd import Function, Tensor, on_grad_ready

LOG = []


class Logged(Function):
    """y = x @ w, logging when its backward runs."""

    @staticmethod
    def forward(ctx, x, w, tag=""):
        ctx.save_for_backward(x, w)
        ctx.tag = tag
        return x @ w

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved
        LOG.append("backward " + ctx.tag)
        return g @ w.T, x.T @ g


class Fork(Function):
    """y = x + w (same shapes); backward hands the very same array to both inputs."""

    @staticmethod
    def forward(ctx, x, w):
        return x + w

    @staticmethod
    def backward(ctx, g):
        return g, g


def _net(rs):
    x = Tensor(rs.standard_normal((4, 3)).astype(np.float32))
    w1 = Tensor(rs.standard_normal((3, 5)).astype(np.float32), requires_grad=True)
    w2 = Tensor(rs.standard_normal((5, 2)).astype(np.float32), requires_grad=True)
    b = Tensor(rs.standard_normal((4, 5)).astype(np.float32), requires_grad=True)
    h = Logged.apply(x, w1, tag="first")
    h = Fork.apply(h, b)          # b's gradient is the array also sent on to `first`
    h = h * h                     # w1 reaches the loss through two paths of h
    y = Logged.apply(h, w2, tag="last")
    return (y * y).sum(), (w1, w2, b)


def test_hooks_fire_once_per_leaf_when_final_and_in_backward_order():
    loss, leaves = _net(np.random.RandomState(0))
    ref_loss, ref_leaves = _net(np.random.RandomState(0))
    ref_loss.backward()
    del LOG[:]
    seen = {}

    def ready(t):
        name = {id(l): n for l, n in zip(leaves, ("w1", "w2", "b"))}[id(t)]
        assert name not in seen, f"{name} fired twice"
        seen[name] = t.grad.copy()
        LOG.append("ready " + name)

    on_grad_ready(leaves, ready)
    loss.backward()
    # w2 is final right after the last layer's backward, before the first layer's runs;
    # w1 only after `first`
    assert LOG == ["backward last", "ready w2", "ready b", "backward first", "ready w1"], LOG
    for name, t, r in zip(("w1", "w2", "b"), leaves, ref_leaves):
        np.testing.assert_array_equal(seen[name], r.grad)  # final when the hook saw it
        np.testing.assert_array_equal(t.grad, r.grad)


def test_a_hook_may_overwrite_the_gradient_it_is_handed():
    # b's gradient array is also the gradient backward still sends on to `first` (Fork): the
    # hook gets a copy of its own, so zeroing it in place changes nothing else
    loss, (w1, w2, b) = _net(np.random.RandomState(1))
    ref_loss, (r1, r2, rb) = _net(np.random.RandomState(1))
    ref_loss.backward()

    def clobber(t):
        t.grad[...] = 0

    on_grad_ready([b], clobber)
    loss.backward()
    assert not b.grad.any()
    np.testing.assert_array_equal(w1.grad, r1.grad)
    np.testing.assert_array_equal(w2.grad, r2.grad)


def test_hooks_are_one_shot_and_absent_by_default():
    calls = []
    loss, leaves = _net(np.random.RandomState(2))
    on_grad_ready(leaves, calls.append)
    loss.backward()
    assert len(calls) == 3
    loss2, leaves2 = _net(np.random.RandomState(2))
    loss2.backward()  # not armed again: no call
    assert len(calls) == 3
    np.testing.assert_array_equal(leaves2[0].grad, leaves[0].grad)


def test_leaves_backward_does_not_reach_get_no_call():
    calls = []
    loss, leaves = _net(np.random.RandomState(3))
    unused = Tensor(np.ones(3, np.float32), requires_grad=True)
    on_grad_ready(list(leaves) + [unused], calls.append)
    loss.backward()
    assert unused not in calls and unused.grad is None and len(calls) == 3
