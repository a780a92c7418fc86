"""Second derivatives (higher_order.py, ops/double_backward.py): Hessian-vector products and the
gradient of a gradient penalty, per op, against central finite differences of the first-order
gradient (always) and against PyTorch's double backward on the same values (when torch is
installed); nested GradientTapes as TF 2 programs write them; the error for an op without a
differentiable backward."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import layers, ops
from tensorforge.autograd import Tensor
from tensorforge.higher_order import grad
from tensorforge.ops.basic import concatenate, maximum
from tensorforge.ops.gemm import dense
from tensorforge.ops.losses_ops import softmax_cross_entropy

try:
    import torch
    import torch.nn.functional as F
except ImportError:  # only the PyTorch comparisons need it
    torch = F = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch not installed (the finite-"
                                 "difference checks of the same cases still run)")


def _leaves(args):
    return [Tensor(np.array(a), requires_grad=True) for a in args]


def ours_hvp(f, args, i, v):
    """d<df/dargs[i], v>/d(each arg): the gradient taken with create_graph, then Tensor.backward
    (the first-order walk) through what it recorded."""
    ts = _leaves(args)
    (gi,) = grad(f(*ts), [ts[i]], create_graph=True)
    ops.sum(gi * Tensor(v.astype(args[i].dtype))).backward()
    return [np.zeros_like(a) if t.grad is None else np.asarray(t.grad) for a, t in zip(args, ts)]


def ours_penalty(f, args):
    """d/d(each arg) of ||df/dargs[0]||^2."""
    ts = _leaves(args)
    (g0,) = grad(f(*ts), [ts[0]], create_graph=True)
    ops.sum(g0 * g0).backward()
    return [np.zeros_like(a) if t.grad is None else np.asarray(t.grad) for a, t in zip(args, ts)]


def _first(f, args, i):
    """df/dargs[i] by the first-order walk on arrays (Tensor.backward)."""
    ts = _leaves(args)
    f(*ts).backward()
    return np.asarray(ts[i].grad, dtype=np.float64)


def fd(f, args, j, vj, eps, scalar):
    """Central difference along vj in args[j] of scalar(first-order gradients)."""
    def at(s):
        a = list(args)
        a[j] = (args[j].astype(np.float64) + s * eps * vj).astype(args[j].dtype)
        return scalar(a)
    return (at(1) - at(-1)) / (2 * eps)


def torch_second(ft, args, i, v):
    ts = [torch.tensor(a, requires_grad=True) for a in args]
    (gi,) = torch.autograd.grad(ft(*ts), [ts[i]], create_graph=True)
    hv = torch.autograd.grad((gi * torch.tensor(v.astype(args[i].dtype))).sum(), ts,
                             allow_unused=True)
    ts2 = [torch.tensor(a, requires_grad=True) for a in args]
    (g0,) = torch.autograd.grad(ft(*ts2), [ts2[0]], create_graph=True)
    pen = torch.autograd.grad((g0 * g0).sum(), ts2, allow_unused=True)
    def fix(gs):
        return [np.zeros_like(a) if g is None else g.detach().numpy() for a, g in zip(args, gs)]
    return fix(hv), fix(pen)


# ---- the cases: (our function, torch's, argument arrays, fd eps, fd tolerance) ------------------

def _rand(rng, *shape, dtype=np.float32, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, shape).astype(dtype)


def _same_pad_torch(x, k, s):
    """TensorFlow 'same' padding (extra row / column bottom-right) for an NCHW torch tensor."""
    h = x.shape[2]
    out = -(-h // s)
    total = max((out - 1) * s + k - h, 0)
    return F.pad(x, (total // 2, total - total // 2, total // 2, total - total // 2))


def _nchw(t):
    return t.permute(0, 3, 1, 2)


def _t_conv(x, w, b, s, same, relu=False):
    xt = _nchw(x)
    if same:
        xt = _same_pad_torch(xt, w.shape[0], s)
    y = F.conv2d(xt, w.permute(3, 2, 0, 1), b, stride=s).permute(0, 2, 3, 1)
    return torch.relu(y) if relu else y


def _t_rnn(cell, x, k, rk, b, h0=None, c0=None, mask=None, go_backwards=False, reset_after=True,
           act="tanh", rec="sigmoid"):
    """Keras 2's LSTM / GRU / SimpleRNN (gates i, f, c, o; z, r, h) step by step in torch:
    (outputs, h_T[, c_T]); where mask[b, t] is 0 the step keeps the state."""
    A = torch.tanh if act == "tanh" else torch.relu
    R = torch.sigmoid if rec == "sigmoid" else (lambda z: torch.clamp(0.2 * z + 0.5, 0.0, 1.0))
    Bn, T, _ = x.shape
    U = rk.shape[0]
    h = h0 if h0 is not None else torch.zeros(Bn, U, dtype=x.dtype)
    c = c0 if c0 is not None else torch.zeros(Bn, U, dtype=x.dtype)
    b_in, b_rec = (b[0], b[1]) if cell == "gru" and reset_after and b is not None else (b, None)
    P = x @ k + (b_in if b_in is not None else 0.0)
    outs = [None] * T
    for s in range(T):
        t = T - 1 - s if go_backwards else s
        p = P[:, t]
        if cell == "lstm":
            z = p + h @ rk
            i, f, g, o = R(z[:, :U]), R(z[:, U:2 * U]), A(z[:, 2 * U:3 * U]), R(z[:, 3 * U:])
            cn = f * c + i * g
            hn = o * A(cn)
        elif cell == "gru" and reset_after:
            Rr = h @ rk + (b_rec if b_rec is not None else 0.0)
            z, r = R(p[:, :U] + Rr[:, :U]), R(p[:, U:2 * U] + Rr[:, U:2 * U])
            hn = z * h + (1 - z) * A(p[:, 2 * U:] + r * Rr[:, 2 * U:])
            cn = c
        elif cell == "gru":
            Rr = h @ rk[:, :2 * U]
            z, r = R(p[:, :U] + Rr[:, :U]), R(p[:, U:2 * U] + Rr[:, U:])
            hn = z * h + (1 - z) * A(p[:, 2 * U:] + (r * h) @ rk[:, 2 * U:])
            cn = c
        else:
            hn, cn = A(p + h @ rk), c
        if mask is not None:
            keep = torch.tensor(mask[:, t:t + 1] != 0)
            hn, cn = torch.where(keep, hn, h), torch.where(keep, cn, c)
        h, c = hn, cn
        outs[s] = h
    out = torch.stack(outs, 1)
    return (out, h, c) if cell == "lstm" else (out, h)


_SELU = (1.6732632423543772848170429916717, 1.0507009873554804934193349852946)
_ACTS = {
    "relu": (lambda x: ops.relu(x), lambda x: torch.relu(x)),
    "leaky_relu": (lambda x: ops.leaky_relu(x, 0.2), lambda x: F.leaky_relu(x, 0.2)),
    "elu": (lambda x: ops.elu(x, 0.7), lambda x: F.elu(x, 0.7)),
    "selu": (lambda x: ops.selu(x), lambda x: torch.selu(x)),
    "softplus": (lambda x: ops.softplus(x), lambda x: F.softplus(x)),
    "sigmoid": (lambda x: ops.sigmoid(x), lambda x: torch.sigmoid(x)),
    "tanh": (lambda x: ops.tanh(x), lambda x: torch.tanh(x)),
    "hard_sigmoid": (lambda x: ops.hard_sigmoid(x),
                     lambda x: torch.clamp(0.2 * x + 0.5, 0.0, 1.0)),
}


def _cases():
    rng = np.random.default_rng(0)
    c = {}
    # elementwise arithmetic and reductions, float64 (tf's names where Keras programs use them)
    c["arith"] = (
        lambda x, w: tf.reduce_sum(tf.sqrt(x * x + 1.0) * w / (x + 3.0) - (x ** 3) * 0.1
                                   + tf.square(w * x) - ops.exp(x * 0.5) + ops.log(w * w + 1.0))
        + tf.reduce_mean(x - w * 2.0),
        lambda x, w: (torch.sqrt(x * x + 1.0) * w / (x + 3.0) - x ** 3 * 0.1 + (w * x) ** 2
                      - torch.exp(x * 0.5) + torch.log(w * w + 1.0)).sum() + (x - w * 2.0).mean(),
        [_rand(rng, 3, 4, dtype=np.float64), _rand(rng, 4, dtype=np.float64)], 1e-5, 1e-6)
    # matmul, broadcast bias, getitem, transpose, concatenate, maximum: float64
    c["matmul_shapes"] = (
        lambda x, w, b: ops.sum(ops.power(ops.matmul(x, w) + b, 3)) + ops.sum(
            concatenate([x[:, :2] * w[:2, 0], ops.transpose(x) @ x], axis=1) ** 2)
        + ops.sum(maximum(x, 0.2) * x),
        lambda x, w, b: ((x @ w + b) ** 3).sum() + (torch.cat([x[:, :2] * w[:2, 0], x.T @ x],
                                                             1) ** 2).sum()
        + (torch.where(x >= 0.2, x, torch.full_like(x, 0.2)) * x).sum(),
        [_rand(rng, 3, 3, dtype=np.float64), _rand(rng, 3, 2, dtype=np.float64),
         _rand(rng, 2, dtype=np.float64)], 1e-5, 1e-6)
    # Dense's op (float32), with and without its fused relu
    c["dense"] = (
        lambda x, w, b: ops.sum(ops.tanh(dense(x, w, b)) * x[:, :3]),
        lambda x, w, b: (torch.tanh(x @ w + b) * x[:, :3]).sum(),
        [_rand(rng, 4, 5), _rand(rng, 5, 3), _rand(rng, 3)], 1e-2, 2e-3)
    c["dense_relu"] = (
        lambda x, w, b: ops.sum(dense(x, w, b, activation="relu") ** 2),
        lambda x, w, b: (torch.relu(x @ w + b) ** 2).sum(),
        [_rand(rng, 4, 5), _rand(rng, 5, 3), _rand(rng, 3)], 1e-3, 2e-3)
    # Conv2D's op: 'same' stride 2 with bias, and 'valid' with the fused relu; float32
    c["conv2d_same_s2"] = (
        lambda x, w, b: ops.sum(ops.sigmoid(ops.conv2d(x, w, b, strides=2, padding="same")) ** 2),
        lambda x, w, b: (torch.sigmoid(_t_conv(x, w, b, 2, True)) ** 2).sum(),
        [_rand(rng, 2, 6, 6, 3), _rand(rng, 3, 3, 3, 4, lo=-0.5, hi=0.5), _rand(rng, 4)],
        1e-2, 5e-3)
    c["conv2d_relu"] = (
        lambda x, w, b: ops.sum(ops.conv2d(x, w, b, activation="relu") ** 2),
        lambda x, w, b: (_t_conv(x, w, b, 1, False, relu=True) ** 2).sum(),
        [_rand(rng, 2, 5, 5, 2), _rand(rng, 3, 3, 2, 3, lo=-0.5, hi=0.5), _rand(rng, 3)],
        1e-3, 5e-3)  # (a small step: fewer pre-activations cross the relu's kink)
    # DepthwiseConv2D's op (depth multiplier 2), stride 1 and stride 2 'valid'; float32
    def _t_dw(x, w, b, s):
        C, M = w.shape[2], w.shape[3]
        wt = w.permute(2, 3, 0, 1).reshape(C * M, 1, w.shape[0], w.shape[1])
        return F.conv2d(_nchw(x), wt, b, stride=s, groups=C).permute(0, 2, 3, 1)
    c["depthwise"] = (
        lambda x, w, b: ops.sum(ops.tanh(ops.depthwise_conv2d(x, w, b=b)) ** 2)
        + ops.sum(ops.depthwise_conv2d(x * x, w, strides=2) * 0.5),
        lambda x, w, b: (torch.tanh(_t_dw(x, w, b, 1)) ** 2).sum()
        + (_t_dw(x * x, w, None, 2) * 0.5).sum(),
        [_rand(rng, 2, 5, 5, 2), _rand(rng, 3, 3, 2, 2, lo=-0.5, hi=0.5), _rand(rng, 4)],
        1e-2, 5e-3)
    # ZeroPadding2D's pad and Flatten's reshape, then a product
    c["pad_reshape"] = (
        lambda x, w: ops.sum(ops.reshape(ops.pad(x * x, ((0, 0), (1, 2), (2, 1), (0, 0))),
                                         (2, -1)) @ w ** 2),
        lambda x, w: (F.pad(x * x, (0, 0, 2, 1, 1, 2)).reshape(2, -1) @ w ** 2).sum(),
        [_rand(rng, 2, 3, 3, 2), _rand(rng, 72, 2)], 1e-2, 2e-3)
    # Conv2DTranspose's op (the conv2d input gradient as a forward op)
    c["conv2d_transpose"] = (
        lambda x, w: ops.sum(ops.tanh(ops.conv2d_transpose(x, w, None, (5, 5), 2, "valid"))
                             * 0.5 + ops.conv2d_transpose(x, w, None, (5, 5), 2, "valid") ** 2),
        lambda x, w: (lambda y: (torch.tanh(y) * 0.5 + y ** 2).sum())(
            F.conv_transpose2d(_nchw(x), w.permute(3, 2, 0, 1), stride=2).permute(0, 2, 3, 1)),
        [_rand(rng, 2, 2, 2, 3), _rand(rng, 3, 3, 2, 3, lo=-0.5, hi=0.5)], 1e-2, 5e-3)
    # pooling and upsampling (linear ops), float32
    c["pool_upsample"] = (
        lambda x, w: ops.sum(ops.avg_pool2d(ops.upsample2d(x * w, 2), 3, 2, "valid") ** 3)
        + ops.sum(ops.global_avg_pool2d(x * x) * w),
        lambda x, w: (F.avg_pool2d(F.interpolate(_nchw(x * w), scale_factor=2, mode="nearest"),
                                   3, 2) ** 3).sum() + ((x * x).mean(dim=(1, 2)) * w).sum(),
        [_rand(rng, 2, 4, 4, 3), _rand(rng, 3)], 1e-2, 5e-3)
    c["max_pool"] = (
        lambda x, w: ops.sum(ops.max_pool2d(x * w, 2, 2, "same") ** 2 * x[:, :2, :2, :]),
        lambda x, w: (F.max_pool2d(F.pad(_nchw(x * w), (0, 1, 0, 1), value=-1e9), 2, 2)
                      .permute(0, 2, 3, 1) ** 2 * x[:, :2, :2, :]).sum(),
        [_rand(rng, 2, 3, 3, 2), _rand(rng, 2, lo=0.5, hi=1.5)], 1e-3, 2e-3)
    # shape ops and sin / cos, float64
    idx = np.array([2, 0, 2, 1])
    c["manip"] = (
        lambda x, w: ops.sum(ops.tile(x, (1, 2)) ** 2 * ops.repeat(w, 2, 0))
        + ops.sum(ops.sin(ops.reverse(x, 1) * ops.gather(x, idx)[:3])
                  * ops.cos(ops.stack([x[0], w], axis=0)[1])),
        lambda x, w: ((x.repeat(1, 2) ** 2 * w.repeat_interleave(2, 0)).sum()
                      + (torch.sin(x.flip(1) * x[idx][:3]) * torch.cos(w)).sum()),
        [_rand(rng, 3, 4, dtype=np.float64), _rand(rng, 4, dtype=np.float64)], 1e-5, 1e-6)
    # softmax and the fused softmax cross-entropy (sparse labels, mean; soft targets, none)
    labels = np.array([2, 0, 1, 2])
    soft = rng.dirichlet(np.ones(3), 4).astype(np.float32)
    rows = np.array([0.5, 1.0, 2.0, -1.0], np.float32)
    c["softmax_xent"] = (
        lambda x, w: softmax_cross_entropy(x @ w, labels, sparse=True)
        + ops.sum(softmax_cross_entropy(x @ w, soft, reduction="none") * rows)
        + ops.sum(ops.softmax(x * w[0, 0], axis=0) ** 3),
        lambda x, w: F.cross_entropy(x @ w, torch.tensor(labels))
        + (F.cross_entropy(x @ w, torch.tensor(soft), reduction="none") * torch.tensor(rows)).sum()
        + (torch.softmax(x * w[0, 0], 0) ** 3).sum(),
        [_rand(rng, 4, 5), _rand(rng, 5, 3)], 1e-2, 2e-3)
    # Keras relu with max_value and threshold (its own op)
    c["relu_max_threshold"] = (
        lambda x, w: ops.sum(ops.relu(x * w, 0.1, 0.8, 0.2) ** 2 * x),
        lambda x, w: (torch.where(x * w > 0.2, torch.clamp(x * w, max=0.8),
                                  0.1 * (x * w - 0.2)) ** 2 * x).sum(),
        [_rand(rng, 3, 4, lo=-2, hi=2), _rand(rng, 4, lo=0.5, hi=1.5)], 1e-3, 2e-3)
    # the fused activations, float32, and the float64 reference ones
    for kind, (fo, ft) in _ACTS.items():
        c[f"act_{kind}"] = (
            (lambda fo: lambda x, w: ops.sum(fo(x * w) * x))(fo),
            (lambda ft: lambda x, w: (ft(x * w) * x).sum())(ft),
            [_rand(rng, 3, 4, lo=-2, hi=2), _rand(rng, 4, lo=0.5, hi=1.5)], 1e-3, 2e-3)
    for kind in ("tanh", "sigmoid", "elu", "softplus"):
        c[f"act64_{kind}"] = (
            (lambda k: lambda x, w: ops.sum(ops.generic_act(x * w, k, 1.0) * x))(kind),
            (lambda ft: lambda x, w: (ft(x * w) * x).sum())(
                _ACTS[kind][1] if kind != "elu" else (lambda x: F.elu(x, 1.0))),
            [_rand(rng, 3, 4, lo=-2, hi=2, dtype=np.float64),
             _rand(rng, 4, lo=0.5, hi=1.5, dtype=np.float64)], 1e-5, 1e-6)
    # Dropout with a fixed seed (the same mask in every evaluation); torch gets that mask
    scale = ops.dropout(np.ones((3, 4), np.float32), 0.3, seed=5)
    c["dropout"] = (
        lambda x, w: ops.sum(tf.square(ops.dropout(x * w, 0.3, seed=5)) * x),
        lambda x, w: (((x * w) * torch.tensor(scale)) ** 2 * x).sum(),
        [_rand(rng, 3, 4), _rand(rng, 4)], 1e-2, 2e-3)
    # BatchNormalization's training-mode op
    mm, mv = np.zeros(3, np.float32), np.ones(3, np.float32)
    c["batch_norm_train"] = (
        lambda x, g, b: ops.sum(ops.batch_norm_train(x, g, b, mm.copy(), mv.copy(), -1, 0.9, 1e-3)
                                ** 3 * x),
        lambda x, g, b: (F.batch_norm(x.reshape(-1, 3), None, None, g, b, True, 0.1, 1e-3)
                         .reshape(x.shape) ** 3 * x).sum(),
        [_rand(rng, 4, 2, 3), _rand(rng, 3, lo=0.5, hi=1.5), _rand(rng, 3)], 1e-2, 5e-3)
    # reduce max / min (ties share, as TF; the draws have none), variance, where: float64
    c["reduce_where"] = (
        lambda x, w: ops.sum(tf.reduce_max(x * w, axis=1) ** 2)
        + ops.sum(tf.reduce_min(x * x, axis=0, keepdims=True) * w)
        + ops.sum(tf.math.reduce_variance(x * w, axis=1) * x[:, 0])
        + tf.reduce_max(x) ** 3
        + ops.sum(tf.where(x > 0.1, x * w, w * w) ** 2),
        lambda x, w: ((x * w).amax(1) ** 2).sum() + ((x * x).amin(0, keepdim=True) * w).sum()
        + ((x * w).var(1, unbiased=False) * x[:, 0]).sum() + x.max() ** 3
        + (torch.where(x > 0.1, x * w, w * w) ** 2).sum(),
        [_rand(rng, 3, 4, dtype=np.float64), _rand(rng, 4, dtype=np.float64, lo=0.5, hi=1.5)],
        1e-5, 1e-6)
    # a Tensor exponent on either side, float64 (a > 0)
    c["pow_tensor"] = (
        lambda x, w: ops.sum(x ** (w * w)) + ops.sum(ops.power(w + 1.0, x[0]) * x[1]),
        lambda x, w: (x ** (w * w)).sum() + ((w + 1.0) ** x[0] * x[1]).sum(),
        [_rand(rng, 3, 4, dtype=np.float64, lo=0.5, hi=2.0),
         _rand(rng, 4, dtype=np.float64, lo=0.2, hi=1.5)], 1e-5, 1e-6)
    # an Embedding lookup (repeated ids accumulate), then a nonlinearity: float32
    ids = np.array([[1, 3, 1], [0, 3, 3]])
    c["embedding"] = (
        lambda t, w: ops.sum(ops.tanh(ops.embedding_lookup(t, ids) * w) ** 2),
        lambda t, w: (torch.tanh(t[torch.tensor(ids)] * w) ** 2).sum(),
        [_rand(rng, 5, 4), _rand(rng, 4)], 1e-2, 2e-3)
    # BatchNormalization's inference-mode op (moving statistics, constants)
    mm2, mv2 = np.array([0.1, -0.2, 0.3], np.float32), np.array([0.5, 1.5, 2.0], np.float32)
    c["batch_norm_infer"] = (
        lambda x, g, b: ops.sum(ops.batch_norm_infer(x, g, b, mm2, mv2, -1, 1e-3) ** 3 * x),
        lambda x, g, b: (F.batch_norm(x.reshape(-1, 3), torch.tensor(mm2), torch.tensor(mv2),
                                      g, b, False, 0.1, 1e-3).reshape(x.shape) ** 3 * x).sum(),
        [_rand(rng, 4, 2, 3), _rand(rng, 3, lo=0.5, hi=1.5), _rand(rng, 3)], 2e-3, 5e-3)
    # reduce_prod over one axis, several, and all (float64), without zeros and with groups of
    # one, two and three zeros (rows of x: 1, 2, 3 zeros; columns: 2, 2, 1, 1)
    f_prod = (
        lambda x, w: ops.sum(tf.reduce_prod(x * w, axis=1) ** 2)
        + ops.sum(tf.reduce_prod(x, axis=0, keepdims=True) * w)
        + tf.reduce_prod(x[0] + w) * tf.reduce_prod(x[:2] * 2.0),
        lambda x, w: ((x * w).prod(1) ** 2).sum() + (x.prod(0, keepdim=True) * w).sum()
        + (x[0] + w).prod() * (x[:2] * 2.0).prod())
    xz = _rand(rng, 3, 4, dtype=np.float64, lo=0.5, hi=1.5) * rng.choice([-1.0, 1.0], (3, 4))
    c["reduce_prod"] = f_prod + ([xz.copy(), _rand(rng, 4, dtype=np.float64, lo=0.5, hi=1.5)],
                                 1e-5, 1e-6)
    xz[0, 1] = xz[1, 0] = xz[1, 2] = xz[2, 0] = xz[2, 1] = xz[2, 3] = 0.0
    c["reduce_prod_zeros"] = f_prod + ([xz, _rand(rng, 4, dtype=np.float64, lo=0.5, hi=1.5)],
                                       1e-5, 1e-6)
    # the recurrent ops (the fused kernels; their second derivative is recomputed step by step):
    # masks with a fully masked first step and a masked middle step, go_backwards, initial
    # states, both GRU variants, hard_sigmoid and relu; float32
    mask = np.array([[0, 1, 1, 0, 1], [1, 1, 0, 1, 1]], np.float32)
    Bn, T, Fn, U = 2, 5, 3, 4

    def rnn_args(G, bias_shape, states=1):
        return ([_rand(rng, Bn, T, Fn), _rand(rng, Fn, G * U, lo=-0.6, hi=0.6),
                 _rand(rng, U, G * U, lo=-0.6, hi=0.6), _rand(rng, *bias_shape, lo=-0.3, hi=0.3)]
                + [_rand(rng, Bn, U, lo=-0.5, hi=0.5) for _ in range(states)])
    c["lstm"] = (
        lambda x, k, rk, b, h0, c0: (lambda o: ops.sum(o[0] ** 2) + ops.sum(o[1] * o[2]))(
            ops.lstm(x, k, rk, b, h0, c0, mask=mask, go_backwards=True)),
        lambda x, k, rk, b, h0, c0: (lambda o: (o[0] ** 2).sum() + (o[1] * o[2]).sum())(
            _t_rnn("lstm", x, k, rk, b, h0, c0, mask, True)),
        rnn_args(4, (4 * U,), states=2), 1e-3, 2e-3)
    c["gru"] = (
        lambda x, k, rk, b, h0: (lambda o: ops.sum(o[0] ** 2) + ops.sum(o[1] * h0))(
            ops.gru(x, k, rk, b, h0)),
        lambda x, k, rk, b, h0: (lambda o: (o[0] ** 2).sum() + (o[1] * h0).sum())(
            _t_rnn("gru", x, k, rk, b, h0)),
        rnn_args(3, (2, 3 * U)), 1e-3, 2e-3)
    c["gru_v1_hard_sigmoid"] = (
        lambda x, k, rk, b, h0: ops.sum(ops.gru(x, k, rk, b, h0, mask=mask, go_backwards=True,
                                                reset_after=False,
                                                recurrent_activation="hard_sigmoid")[0] ** 2),
        lambda x, k, rk, b, h0: (_t_rnn("gru", x, k, rk, b, h0, None, mask, True, False,
                                        rec="hard_sigmoid")[0] ** 2).sum(),
        rnn_args(3, (3 * U,)), 1e-3, 2e-3)
    c["simple_rnn_relu"] = (
        lambda x, k, rk, b, h0: (lambda o: ops.sum(o[0] ** 3) + ops.sum(o[1] ** 2))(
            ops.simple_rnn(x, k, rk, b, h0, mask=mask, activation="relu")),
        lambda x, k, rk, b, h0: (lambda o: (o[0] ** 3).sum() + (o[1] ** 2).sum())(
            _t_rnn("simple_rnn", x, k, rk, b, h0, None, mask, act="relu")),
        rnn_args(1, (U,)), 1e-3, 2e-3)
    return c


CASES = _cases()


def _pair_close(a, b, tol, what):
    assert abs(a - b) <= tol * max(1.0, abs(a), abs(b)), f"{what}: {a} vs finite difference {b}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_second_order_vs_finite_differences(name):
    f, _, args, eps, tol = CASES[name]
    rng = np.random.default_rng(1)
    vs = [rng.standard_normal(a.shape) for a in args]
    for i in range(len(args)):
        hv = ours_hvp(f, args, i, vs[i])
        for j in range(len(args)):  # d/d args[j] of <df/d args[i], v_i>, along v_j
            num = fd(f, args, j, vs[j], eps, lambda a: float((_first(f, a, i) * vs[i]).sum()))
            _pair_close(float((hv[j].astype(np.float64) * vs[j]).sum()), num, tol,
                        f"{name}: d<df/dargs[{i}], v>/dargs[{j}]")
    pen = ours_penalty(f, args)
    for j in range(len(args)):
        num = fd(f, args, j, vs[j], eps, lambda a: float((_first(f, a, 0) ** 2).sum()))
        _pair_close(float((pen[j].astype(np.float64) * vs[j]).sum()), num, tol,
                    f"{name}: d||df/dx||^2/dargs[{j}]")


@needs_torch
@pytest.mark.parametrize("name", sorted(CASES))
def test_second_order_vs_torch(name):
    f, ft, args, _, _ = CASES[name]
    rng = np.random.default_rng(2)
    rtol, atol = (1e-9, 1e-9) if args[0].dtype == np.float64 else (2e-4, 2e-4)
    for i in range(len(args)):
        v = rng.standard_normal(args[i].shape)
        hv_t, pen_t = torch_second(ft, args, i, v)
        hv = ours_hvp(f, args, i, v)
        for j in range(len(args)):
            scale = max(1.0, float(np.abs(hv_t[j]).max()))
            np.testing.assert_allclose(hv[j], hv_t[j], rtol=rtol, atol=atol * scale,
                                       err_msg=f"{name}: Hessian-vector product, i={i} j={j}")
    pen = ours_penalty(f, args)
    for j in range(len(args)):
        scale = max(1.0, float(np.abs(pen_t[j]).max()))
        np.testing.assert_allclose(pen[j], pen_t[j], rtol=rtol, atol=atol * scale,
                                   err_msg=f"{name}: penalty gradient, arg {j}")


# ---- nested tapes, as TF 2 programs write them -----------------------------------------------

def _critic(seed=0):
    tf.random.set_seed(seed)
    inp = layers.Input(shape=(6, 6, 1))
    x = layers.ZeroPadding2D((1, 1))(inp)
    x = layers.Conv2D(3, (3, 3), strides=(2, 2), padding="same")(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(1)(x)
    model = tf.keras.models.Model(inp, x)
    rng = np.random.default_rng(seed)  # nonzero biases: no pre-activation sits on the kink
    for w in model.trainable_variables:
        w.assign(rng.uniform(-0.5, 0.5, w.shape).astype(np.float32))
    return model


def _wgan_d_loss(model, real, fake, alpha, axes=(1, 2, 3)):
    """The discriminator loss of keras-io's wgan_gp.py, its gradient penalty by nested tapes
    (the norm over ``axes``: every axis but the batch)."""
    with tf.GradientTape() as tape:
        fake_logits = model(fake, training=True)
        real_logits = model(real, training=True)
        d_cost = tf.reduce_mean(fake_logits) - tf.reduce_mean(real_logits)
        interpolated = real + alpha * (fake - real)
        with tf.GradientTape() as gp_tape:
            gp_tape.watch(interpolated)
            pred = model(interpolated, training=True)
        grads = gp_tape.gradient(pred, [interpolated])[0]
        norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=list(axes)))
        gp = tf.reduce_mean((norm - 1.0) ** 2)
        d_loss = d_cost + gp * 10.0
    return float(d_loss), [g.numpy() for g in tape.gradient(d_loss, model.trainable_variables)]


def _wgan_data():
    rng = np.random.default_rng(3)
    return (tf.convert_to_tensor(rng.uniform(-1, 1, (4, 6, 6, 1)).astype("float32")),
            tf.convert_to_tensor(rng.uniform(-1, 1, (4, 6, 6, 1)).astype("float32")),
            tf.convert_to_tensor(rng.uniform(0, 1, (4, 1, 1, 1)).astype("float32")))


def test_nested_tapes_wgan_gp_penalty_vs_finite_differences():
    model = _critic()
    real, fake, alpha = _wgan_data()
    loss, grads = _wgan_d_loss(model, real, fake, alpha)
    rng = np.random.default_rng(4)
    weights = model.trainable_variables
    for k, w in enumerate(weights):
        v = rng.standard_normal(w.shape).astype(np.float32)
        orig = w.numpy().copy()
        vals = []
        for s in (1, -1):
            # (a small step: the penalty jumps where a LeakyReLU input crosses 0)
            w.assign(orig + s * 1e-4 * v)
            vals.append(_wgan_d_loss(model, real, fake, alpha)[0])
        w.assign(orig)
        num = (vals[0] - vals[1]) / 2e-4
        _pair_close(float((grads[k].astype(np.float64) * v).sum()), num, 1e-2,
                    f"wgan d_loss gradient, weight {k}")


@needs_torch
def test_nested_tapes_wgan_gp_penalty_vs_torch():
    model = _critic()
    real, fake, alpha = _wgan_data()
    _, grads = _wgan_d_loss(model, real, fake, alpha)
    kw, kb, dw, db = [torch.tensor(w.numpy(), requires_grad=True)
                      for w in model.trainable_variables]

    def critic(x):
        x = F.pad(_nchw(x), (1, 1, 1, 1))
        y = _t_conv(x.permute(0, 2, 3, 1), kw, kb, 2, True)
        return F.leaky_relu(y, 0.2).reshape(x.shape[0], -1) @ dw + db

    r, fk, a = (torch.tensor(t.numpy()) for t in (real, fake, alpha))
    d_cost = critic(fk).mean() - critic(r).mean()
    interp = (r + a * (fk - r)).requires_grad_(True)
    (g,) = torch.autograd.grad(critic(interp).sum(), [interp], create_graph=True)
    gp = ((torch.sqrt((g ** 2).sum(dim=(1, 2, 3))) - 1.0) ** 2).mean()
    expect = torch.autograd.grad(d_cost + gp * 10.0, [kw, kb, dw, db])
    for ours, theirs in zip(grads, expect):
        np.testing.assert_allclose(ours, theirs.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cell", ["LSTM", "GRU", "SimpleRNN"])
def test_nested_tapes_wgan_gp_penalty_on_a_recurrent_critic_vs_finite_differences(cell):
    """WGAN-GP with a recurrent critic (sequences (4, 5, 3) -> one score): the outer gradient
    differentiates the inner input gradient through the recurrent layer, against central
    differences of the penalized loss in each weight."""
    tf.random.set_seed(0)
    model = tf.keras.Sequential([getattr(layers, cell)(4, input_shape=(5, 3)), layers.Dense(1)])
    rng = np.random.default_rng(6)
    for w in model.trainable_variables:
        w.assign(rng.uniform(-0.6, 0.6, w.shape).astype(np.float32))
    real, fake = (tf.convert_to_tensor(rng.uniform(-1, 1, (4, 5, 3)).astype("float32"))
                  for _ in range(2))
    alpha = tf.convert_to_tensor(rng.uniform(0, 1, (4, 1, 1)).astype("float32"))
    loss, grads = _wgan_d_loss(model, real, fake, alpha, axes=(1, 2))
    for k, w in enumerate(model.trainable_variables):
        v = rng.standard_normal(w.shape).astype(np.float32)
        orig = w.numpy().copy()
        vals = []
        for s in (1, -1):
            w.assign(orig + s * 1e-3 * v)
            vals.append(_wgan_d_loss(model, real, fake, alpha, axes=(1, 2))[0])
        w.assign(orig)
        num = (vals[0] - vals[1]) / 2e-3
        _pair_close(float((grads[k].astype(np.float64) * v).sum()), num, 1e-2,
                    f"{cell} critic: wgan d_loss gradient, weight {k}")


def test_inner_persistent_tape_no_longer_drops_the_penalty_path():
    """Before second derivatives, a persistent inner tape's gradient was a constant: the outer
    gradient silently lacked the penalty's dependence on the weights."""
    x = tf.convert_to_tensor(np.array([0.5, -1.0, 2.0], np.float32))
    w = tf.Variable(np.array([1.5, 0.5, -0.5], np.float32))
    with tf.GradientTape() as outer:
        with tf.GradientTape(persistent=True) as inner:
            inner.watch(x)
            y = tf.reduce_sum(w * x * x)
        gx = inner.gradient(y, x)  # 2 w x
        pen = tf.reduce_sum(gx * gx)  # 4 w^2 x^2
    gw = outer.gradient(pen, w)
    np.testing.assert_allclose(gw.numpy(), 8 * w.numpy() * x.numpy() ** 2, rtol=1e-6)


def test_third_order_through_linear_and_conv_ops():
    x = Tensor(np.array([0.3, -0.7, 1.1]), requires_grad=True)
    y = ops.sum(ops.reshape(x, (3, 1)) ** 4)
    (g1,) = grad(y, [x], create_graph=True)
    (g2,) = grad(ops.sum(g1), [x], create_graph=True)
    (g3,) = grad(ops.sum(g2), [x])
    np.testing.assert_allclose(g3.numpy(), 24 * x.numpy(), rtol=1e-12)


def test_gradient_inside_its_own_tape_stays_first_order():
    w = tf.Variable(np.array([1.0, 2.0], np.float32))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(w * w)
        g = tape.gradient(loss, w)  # no other tape records: a constant, as before
    assert not g.requires_grad and g._node is None
    np.testing.assert_allclose(g.numpy(), [2.0, 4.0])


def test_second_derivative_of_an_unsupported_op_names_it():
    x = tf.convert_to_tensor(np.random.default_rng(5).uniform(size=(1, 4, 4, 2)).astype("f4"))
    w = tf.Variable(np.ones((3, 3, 2, 1), np.float32))
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(ops.cumprod(ops.conv2d(x, w, padding="same"), axis=1) ** 2)
        gx = inner.gradient(y, x)
        pen = tf.reduce_sum(gx * gx)
    # the inner gradient itself is right (equal to the first-order one)
    with tf.GradientTape() as first:
        first.watch(x)
        y1 = tf.reduce_sum(ops.cumprod(ops.conv2d(x, w, padding="same"), axis=1) ** 2)
    np.testing.assert_allclose(gx.numpy(), first.gradient(y1, x).numpy(), rtol=1e-6)
    with pytest.raises(RuntimeError, match="second derivative of _CumProd is not supported"):
        outer.gradient(pen, w)


def test_third_derivative_of_reduce_prod_names_its_second():
    """reduce_prod differentiates twice; a third time is the error naming the op that holds
    its second derivative."""
    x = Tensor(np.array([[0.5, -1.5, 2.0], [1.0, 0.0, 3.0]]), requires_grad=True)
    (g1,) = grad(ops.sum(tf.reduce_prod(x, axis=1) ** 2), [x], create_graph=True)
    (g2,) = grad(ops.sum(g1 * g1), [x], create_graph=True)
    with pytest.raises(RuntimeError, match="second derivative of _ProdOthers is not supported"):
        grad(ops.sum(g2), [x])


def test_double_backprop_regularizer_on_a_keras_classifier():
    """An input-gradient penalty (double backprop) on Dense-relu-softmax with Keras'
    CategoricalCrossentropy, against finite differences of the penalized loss."""
    tf.random.set_seed(0)
    model = tf.keras.Sequential([layers.Dense(8, activation="relu", input_shape=(5,)),
                                 layers.Dense(3, activation="softmax")])
    x = tf.convert_to_tensor(np.random.default_rng(0).standard_normal((6, 5)).astype("f4"))
    y = np.eye(3, dtype="f4")[[0, 1, 2, 0, 1, 2]]
    loss_fn = tf.keras.losses.CategoricalCrossentropy()

    def penalized():
        with tf.GradientTape() as tape:
            with tf.GradientTape() as input_tape:
                input_tape.watch(x)
                loss = loss_fn(y, model(x, training=True))
            gx = input_tape.gradient(loss, x)
            total = loss + 0.5 * tf.reduce_sum(tf.square(gx))
        return float(total), tape.gradient(total, model.trainable_variables)

    _, grads = penalized()
    rng = np.random.default_rng(1)
    for k, w in enumerate(model.trainable_variables):
        orig = w.numpy().copy()
        v = rng.standard_normal(orig.shape).astype(np.float32)
        vals = []
        for s in (1, -1):
            w.assign(orig + s * 1e-3 * v)
            vals.append(penalized()[0])
        w.assign(orig)
        _pair_close(float((grads[k].numpy().astype(np.float64) * v).sum()),
                    (vals[0] - vals[1]) / 2e-3, 5e-3, f"penalized loss, weight {k}")
