"""The compiled training step: one optimizer step of a plain chain of Dense, Dropout, Conv2D,
MaxPooling2D and Flatten layers without the autograd tape (See Note [compiled step]).

Note [compiled step]: issue 15 bounds a training step's time outside the kernels at 10%. For a
small MLP at batch 32 the kernels take ~2 ms and the general step (the graph plan, Function.apply
per op, the tape walk, the loss through its op, apply_gradients) spends ~0.6 ms around them,
spread over ~20 places; for the zoo LeNet on a Zen 5 core ~0.9 ms around ~6.3 ms of kernels.
Most models trained this way are a chain of Dense and Dropout layers (an MLP), or of Conv2D,
MaxPooling2D, Flatten, Dense and Dropout layers (a LeNet-style CNN), ending in a softmax trained
with categorical cross-entropy, and for exactly those this module runs what the general step
runs (the same native kernels, with the same arguments, in the same order, on the same arrays)
as one flat program: forward through the chain, the fused softmax-cross-entropy, backward
through the chain in reverse, then the optimizer's own update (Optimizer._apply_arrays, so
learning-rate schedules, clipping and weight decay behave as ever). Losses, gradients, weights,
dropout seeds and optimizer state are therefore bit-identical to the general step (tested
against it).

It applies only when all of this holds, checked once per compiled structure (build) and the
cheap part on every step (run); anything else takes the general step, unchanged:
- the cpu backend with every kernel used native (the bindings check their arguments);
- a graph model (Sequential or functional) with one input and one output, its plan a chain of
  plain steps (one input, no call arguments), each an exact Dense (2-D input; relu or linear, or
  any activation on the last layer, whose softmax is fused into the loss), Dropout (no
  noise_shape), Conv2D (channels_last, relu or linear), MaxPooling2D (channels_last) or Flatten
  (channels_last), the last one a Dense; a chain with a Conv2D, pooling or Flatten layer, or
  starting with a Dropout, needs the model's input shape fully known (the geometry of every
  layer is computed once, at build);
- one loss, categorical cross-entropy fused with the softmax (Note [one-output step]), weight
  1, no sample weights, no mask; no add_loss term, regularizer or graph loss;
- the trainable weights are the chain's, each used once, float32 and contiguous, with no pending
  .grad; an optimizer whose apply_gradients is the base class's, or one with a
  ``compiled_step_begin`` (a DistributedOptimizer, Note [compiled step, distributed]), and no
  armed grad-ready hook (tensorforge.distributed);
- per step: float32, C-contiguous (N, classes) targets, inputs the first layer's kernel takes
  (a Dense: float32 (N, features), its binding checks them before anything has changed; any
  other first layer: a non-empty float32 C-contiguous batch of the model's input shape), the
  weights' arrays those of the build and no pending .grad.
The program is rebuilt when the model's structure (_VERSION), any layer's attributes or losses
(_ATTRS: a Dropout rate, a Dense activation or kernel, add_loss), the backend's kernel table
(backend.generation), the compiled weights list, the optimizer or the compiled losses change,
or a weight's array is replaced.

Note [compiled step, distributed]: a data-parallel rank (fit(distributed=True)) trains through
this step too, or it would pay the general step's ~0.5 ms of Python per step that one process
does not (LeNet at 16 images a rank: ~15% of its step, bench/RESULTS.md, dist6). The optimizer's
``compiled_step_begin(params)`` stands for the general step's ``before_backward``: it starts the
ranks' reduction of this step and returns (scale, outs, ready) -- the factor backward applies to
the loss's gradient (the seed before_backward gives the tape), each parameter's array its
gradient is written into (its view of a bucket or shared-memory region: the dense / conv
backward kernels' output arguments, as ctx.grad_out in the general step) and ``ready(p)``,
called once a gradient is final (a bucket may start its reduction while backward runs, as the
grad-ready hook does). The step then sets each ``.grad`` and calls ``apply_gradients`` -- the
reduction's finish and the update, as after the general step's backward. So the kernels, their
arguments and the reduction are the general step's: the same bits (tests/test_distributed.py).
"""
import numpy as np

from .. import _random
from .. import activations as _act
from .. import backend
from .. import losses as _losses
from .. import metrics as _metrics
from .. import optimizers as _optimizers
from ..autograd import _grad_state, _wrap, no_grad
from ..kernels._common import NATIVE_MODULE, takes_outputs
from .layer_losses import _ATTRS
from .layer_weights import _VERSION

_F32 = np.dtype(np.float32)
_KERNELS = ("gemm", "dense_backward", "dropout_forward", "dropout_backward",
            "softmax_xent_forward", "softmax_xent_backward", "xent_batch_stats")


class _Entry:
    """The model's compiled step and what it was built for (``run`` None: not applicable)."""

    __slots__ = ("version", "attrs", "generation", "params", "optimizer", "specs", "run")


def train_batch(model, xs, ys, params, metrics):
    """One compiled optimizer step as Model._train_batch returns it: (loss float, [], [output
    Tensor], batch metrics or None); None when the general step must run (nothing was done)."""
    d = model.__dict__
    e = d.get("_compiled_step")
    if e is None or e.version != _VERSION[0] or e.attrs != _ATTRS[0] or \
            e.generation != backend.generation[0] or e.params is not params or \
            e.optimizer is not model.optimizer or e.specs is not model._out_specs:
        e = d["_compiled_step"] = _build(model, params)
    if e.run is None:
        return None
    out = e.run(xs, ys, metrics)
    if out is _REBUILD:  # a weight's array was replaced since the build
        e = d["_compiled_step"] = _build(model, params)
        out = None if e.run is None else e.run(xs, ys, metrics)
    return out


_REBUILD = object()


def _build(model, params):
    e = _Entry()
    e.run = _program(model, params)
    if e.run is not None:
        # what Model._forward clears before each call (the call losses and metrics of the
        # layers; new ones come with an add_loss / add_metric, which rebuilds this)
        for lyr in model._flatten_layers():
            if lyr._call_losses:
                lyr._call_losses = []
            if lyr.__dict__.get("_call_metrics"):
                lyr._call_metrics = []
    e.version, e.attrs, e.generation = _VERSION[0], _ATTRS[0], backend.generation[0]
    e.params, e.optimizer, e.specs = params, model.optimizer, model._out_specs
    return e


def _program(model, params):
    """The step's closure for this model, or None where it does not apply."""
    opt = model.optimizer
    specs = model._out_specs
    if not params or backend.get_backend() != "cpu" or not model._is_graph_network or \
            len(model.inputs) != 1 or len(model.outputs) != 1 or len(specs) != 1:
        return None
    sp = specs[0]
    if sp.fused != "softmax" or sp.loss_fn is not _losses.categorical_crossentropy or \
            sp.weight != 1.0 or 0 not in model._logits_outputs:
        return None
    if model.__dict__.get("_symbolic_losses") or any(  # (See Note [activity regularizer])
            l.losses_fns or l._activity_regularizer is not None for l in model._flatten_layers()):
        return None
    if getattr(opt, "compiled_step_begin", None) is None and (  # See Note [compiled step,
            getattr(opt, "before_backward", None) is not None or  # distributed]
            type(opt).apply_gradients is not _optimizers.Optimizer.apply_gradients):
        return None
    plan = model._plans.get(model._logits_outputs)
    if plan is None:
        plan = model._plans[model._logits_outputs] = model._make_plan(model._logits_outputs)
    if not plan or plan[0].in_ids[0] != id(model.inputs[0]) or \
            plan[-1].out_ids[0] != id(model.outputs[0]) or not plan[-1].logits:
        return None
    in_shape = tuple(model.inputs[0].shape[1:])
    chain = _chain(plan, in_shape)
    if chain is None or chain[0][0] != "dense" and None in in_shape:
        return None
    kernels = {}
    used_ops = _KERNELS + tuple(op for c in chain for op in _LAYER_KERNELS.get(c[0], ()))
    for op in used_ops:
        fn = backend.lookup(op)
        if getattr(fn, "__module__", None) != NATIVE_MODULE:
            return None
        kernels[op] = fn
    # the trainable weights: exactly the chain's that are in params, each used once
    slot = {id(p): i for i, p in enumerate(params)}
    used = set()
    for c in chain:
        if c[0] in ("dense", "conv"):
            for t in c[2:4]:
                if t is not None:
                    if id(t) in used:
                        return None
                    used.add(id(t))
    if len(slot) != len(params) or not set(slot) <= used:
        return None
    # the batch metrics: categorical accuracy only (any number of names) is the stats kernel's
    # hit count; anything else is Model._batch_metrics
    accuracy = None
    if not sp.weighted_fns and not model.__dict__.get("_stateful") and all(
            fn is _metrics.categorical_accuracy for _, fn in sp.metric_fns):
        accuracy = tuple(nm for nm, _ in sp.metric_fns)
    return _make_run(model, params, chain, slot, kernels, in_shape, chain[-1][-1][0], accuracy)


_LAYER_KERNELS = {"conv": ("conv2d_forward", "conv2d_backward"),
                  "pool": ("max_pool2d_forward", "max_pool2d_backward")}


def _usable(t):
    """A weight the kernels take as it is: a float32 C-contiguous ndarray (or no weight)."""
    return t is None or (type(t.data) is np.ndarray and t.data.dtype is _F32
                         and t.data.flags.c_contiguous)


def _chain(plan, shape):
    """The plan as a chain, or None: per layer (kind, layer, ..., output shape without the batch
    axis): ("dense", layer, kernel, bias, activation, shape) / ("dropout", layer, rate, shape) /
    ("conv", layer, kernel, bias, activation, geometry, shape) / ("pool", layer, geometry,
    (H, W), shape) / ("flatten", layer, shape). The shapes are static (known from the model's
    input) for every layer after the first conv, pool or flatten, so their geometry is computed
    here once; a Dense-only chain needs its widths only."""
    from ..kernels.conv import conv_geometry
    from ..kernels.pool import pool_geometry
    from ..layers.convolutional import Conv2D  # (the layers import the engine)
    from ..layers.core import Dense, Dropout, Flatten
    from ..layers.pooling import MaxPooling2D
    chain, prev = [], None
    for k, step in enumerate(plan):
        lyr = step.layer
        if not step.simple or (prev is not None and step.in_ids[0] != prev):
            return None
        prev = step.out_ids[0]
        last = k == len(plan) - 1
        kind = type(lyr)
        try:
            if kind is Dense:
                kern, bias, act = lyr.kernel, lyr.bias, lyr.activation
                if not last and act is not _act.relu and act is not _act.linear or \
                        not (_usable(kern) and _usable(bias)) or kern.data.ndim != 2 or \
                        len(shape) != 1 or kern.data.shape[0] != shape[0]:
                    return None
                shape = (kern.data.shape[1],)
                chain.append(("dense", lyr, kern, bias, act, shape))
            elif kind is Dropout:
                rate = lyr.rate
                if type(rate) is not float or not 0.0 <= rate < 1.0 or \
                        lyr.noise_shape is not None:
                    return None
                chain.append(("dropout", lyr, rate, shape))
            elif kind is Conv2D:
                kern, bias, act = lyr.kernel, lyr.bias, lyr.activation
                if last or act is not _act.relu and act is not _act.linear or \
                        lyr.data_format != "channels_last" or \
                        not (_usable(kern) and _usable(bias)) or kern.data.ndim != 4 or \
                        len(shape) != 3 or None in shape:
                    return None
                g = conv_geometry("conv2d", (1,) + shape, kern.data.shape, lyr.strides,
                                  lyr.padding, lyr.dilation_rate)
                shape = (g[8], g[9], kern.data.shape[3])
                chain.append(("conv", lyr, kern, bias, act, g[:8], shape))
            elif kind is MaxPooling2D:
                if last or lyr.data_format != "channels_last" or len(shape) != 3 or \
                        None in shape:
                    return None
                g = pool_geometry("max_pool2d", (1,) + shape, lyr.pool_size, lyr.strides,
                                  lyr.padding)
                hw = shape[:2]
                shape = (g[8], g[9], shape[2])
                chain.append(("pool", lyr, g[:8], hw, shape))
            elif kind is Flatten:
                if last or None in shape or lyr.data_format != "channels_last" and len(shape) > 1:
                    return None
                n = 1
                for s in shape:
                    n *= s
                shape = (n,)
                chain.append(("flatten", lyr, shape))
            else:
                return None
        except (TypeError, ValueError):  # a geometry the layer's own call rejects
            return None
    if len(shape) != 1 or chain[-1][0] != "dense":
        return None
    return chain


def _make_run(model, params, chain, slot, kernels, in_shape, classes, accuracy):
    gemm, dense_bwd = kernels["gemm"], kernels["dense_backward"]
    drop_fwd, drop_bwd = kernels["dropout_forward"], kernels["dropout_backward"]
    xent_fwd, xent_bwd = kernels["softmax_xent_forward"], kernels["softmax_xent_backward"]
    conv_fwd, conv_bwd = kernels.get("conv2d_forward"), kernels.get("conv2d_backward")
    pool_fwd, pool_bwd = kernels.get("max_pool2d_forward"), kernels.get("max_pool2d_backward")
    xent_stats = kernels["xent_batch_stats"]
    next_seed, relu = _random.next_seed, _act.relu
    opt = model.optimizer
    begin = getattr(opt, "compiled_step_begin", None)  # See Note [compiled step, distributed]
    conv_outs = conv_bwd is None or takes_outputs(conv_bwd)
    # forward program, one entry per layer: (DENSE, kernel data, bias data, "relu"|None) /
    # (DROPOUT, rate) / (CONV, kernel data, bias data, "relu"|None, geometry) / (POOL,
    # geometry, keep the argmax) / (FLATTEN,)
    # backward program, last layer first, up to the first layer with a trainable weight:
    # (DENSE, kernel data, need_dx, kernel slot, bias slot) / (DROPOUT, rate) / (CONV, kernel
    # data, need_dx, kernel slot, bias slot, geometry) / (POOL, geometry, H, W) / (FLATTEN,);
    # slot -1: frozen
    fwd, bwd, weights = [], [], []
    trainable_before = False
    first = next(k for k, c in enumerate(chain)
                 if c[0] in ("dense", "conv") and any(t is not None and id(t) in slot
                                                      for t in c[2:4]))
    for k, c in enumerate(chain):
        kind = c[0]
        if kind in ("dense", "conv"):
            kern, bias, act = c[2:5]
            last = k == len(chain) - 1
            fused = "relu" if act is relu and not last else None
            b = None if bias is None else bias.data
            sw, sb = slot.get(id(kern), -1), -1 if bias is None else slot.get(id(bias), -1)
            if kind == "dense":
                fwd.append((_DENSE, kern.data, b, fused))
                back = (_DENSE, kern.data, trainable_before, sw, sb)
            else:
                fwd.append((_CONV, kern.data, b, fused, c[5]))
                back = (_CONV, kern.data, trainable_before, sw, sb, c[5])
            if k >= first:
                bwd.append(back)
            weights.extend((t, t.data) for t in (kern, bias) if t is not None)
            trainable_before = trainable_before or sw >= 0 or sb >= 0
        elif kind == "dropout":
            fwd.append((_DROPOUT, c[2]))
            if k >= first:
                bwd.append((_DROPOUT, c[2]))
        elif kind == "pool":
            # the general step keeps the argmax where the pool is recorded (its input needs
            # grad: a trainable weight before it), ops/pool.py
            fwd.append((_POOL, c[2], trainable_before))
            if k >= first:
                bwd.append((_POOL, c[2], int(c[3][0]), int(c[3][1])))
        else:
            fwd.append((_FLATTEN,))
            if k >= first:
                bwd.append((_FLATTEN,))
    bwd.reverse()
    fwd, bwd, weights = tuple(fwd), tuple(bwd), tuple(weights)
    n_params, n_fwd = len(params), len(fwd)
    dense_first = fwd[0][0] == _DENSE
    d = model.__dict__

    def run(xs, ys, metrics):
        # ---- checks: what the general step would take another way leaves the step to it,
        # untouched. The layers' configuration is the build's (any change rebuilds: _ATTRS);
        # x is the first kernel's to check when that is a Dense's gemm (below), else it must
        # have the model's input shape (every layer's geometry was computed for it)
        x, y = xs[0], ys[0]
        if _grad_state.grad_ready is not None or type(x) is not np.ndarray or not x.ndim or \
                type(y) is not np.ndarray or y.dtype is not _F32 or \
                y.shape != (len(x), classes) or not y.flags.c_contiguous:
            return None
        if not dense_first and (x.dtype is not _F32 or x.shape[1:] != in_shape or not len(x)
                                or not x.flags.c_contiguous):
            return None
        for t, a in weights:
            if t.data is not a:
                return _REBUILD
        for p in params:
            if p.grad is not None:
                return None
        d["_output_masks"] = [None]  # (what _run_graph sets)
        # ---- forward: Dense = one gemm with bias and fused relu, Conv2D = one conv with bias
        # and fused relu, Dropout and MaxPooling2D = their kernels, Flatten = a view
        saved = []
        h = x
        if dense_first:  # the general step's first call too: a refusal leaves the step to it
            try:
                h = gemm(x, fwd[0][1], None, 1.0, 0.0, False, False, fwd[0][2], fwd[0][3])
            except (TypeError, ValueError):
                return None
            saved.append((x, h if fwd[0][3] is not None else None))
        for f in (fwd[1:] if dense_first else fwd):
            kind = f[0]
            if kind == _DENSE:
                o = gemm(h, f[1], None, 1.0, 0.0, False, False, f[2], f[3])
                saved.append((h, o if f[3] is not None else None))
                h = o
            elif kind == _CONV:
                o = conv_fwd(h, f[1], f[2], *f[4], f[3])
                saved.append((h, o if f[3] is not None else None))
                h = o
            elif kind == _POOL:
                h, am = pool_fwd(h, *f[1], f[2])
                saved.append(am)
            elif kind == _FLATTEN:
                saved.append(h.shape)
                h = h.reshape((h.shape[0], -1))
            elif f[1] != 0.0:
                h, mask = drop_fwd(h, f[1], next_seed())
                saved.append(mask)
            else:
                saved.append(None)
        # ---- the loss: _SoftmaxXent's forward, mean reduction (ops/losses_ops.py); its mean
        # and the argmax hits as NumPy computes them (loss.sum(dtype=float32) / float32(N) and
        # metrics.categorical_accuracy), in one native call
        per_row, probs = xent_fwd(h, y, False)
        loss, hits = xent_stats(per_row, h, y, False)
        out = _wrap(h)
        mets = None
        if metrics:
            if accuracy is not None:
                n = x.shape[0]
                mets = {nm: hits / n for nm in accuracy}
                d["_metric_weight_sums"] = {}
            else:
                with no_grad():
                    mets = model._batch_metrics(ys, [out], None)
        # ---- backward: _SoftmaxXent's, then each layer's, last first (run_backward's order)
        outs = ready = None
        scale = 1.0
        if begin is not None:
            scale, outs, ready = begin(params)
        g = xent_bwd(probs, y, False, scale / probs.shape[0])
        grads = [None] * n_params
        k = n_fwd
        for b in bwd:
            k -= 1
            kind = b[0]
            if kind == _DENSE or kind == _CONV:
                xin, yout = saved[k]
                sw, sb = b[3], b[4]
                ow = ob = None
                if outs is not None:
                    ow, ob = outs[sw] if sw >= 0 else None, outs[sb] if sb >= 0 else None
                if kind == _DENSE:
                    gx, gw, gb = dense_bwd(g, xin, b[1], yout, b[2], sw >= 0, sb >= 0, ow, ob)
                elif outs is not None and conv_outs:
                    gx, gw, gb = conv_bwd(g, xin, b[1], *b[5], b[2], sw >= 0, sb >= 0, yout,
                                          ow, ob)
                else:
                    gx, gw, gb = conv_bwd(g, xin, b[1], *b[5], b[2], sw >= 0, sb >= 0, yout)
                if sw >= 0:
                    grads[sw] = gw
                if sb >= 0:
                    grads[sb] = gb
                if ready is not None:  # the bucket of a final gradient may start its reduction
                    for s in (sw, sb):
                        if s >= 0:
                            params[s].grad = grads[s]
                            ready(params[s])
                g = gx
            elif kind == _POOL:
                g = pool_bwd(g, saved[k], b[2], b[3], *b[1])
            elif kind == _FLATTEN:
                g = g.reshape(saved[k])
            elif b[1] != 0.0:
                g = drop_bwd(g, saved[k], b[1])
        if begin is None:
            opt._apply_arrays(params, grads, True)
        else:  # the ranks' reduction, then the update (the general step's two calls)
            for p, gr in zip(params, grads):
                p.grad = gr
            try:
                opt.apply_gradients(params)
            finally:
                for p in params:
                    p.grad = None
        return loss, [], [out], mets
    return run


_DENSE, _DROPOUT, _CONV, _POOL, _FLATTEN = range(5)
