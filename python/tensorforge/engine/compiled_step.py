"""The compiled training step: one optimizer step of a plain Dense/Dropout chain without the
autograd tape (See Note [compiled step]).

Note [compiled step]: issue 15 bounds a training step's time outside the kernels at 10%. For a
small MLP at batch 32 the kernels take ~2 ms and the general step (the graph plan, Function.apply
per op, the tape walk, the loss through its op, apply_gradients) spends ~0.6 ms around them,
spread over ~20 places. Most models trained this way are a chain of Dense and Dropout layers
ending in a softmax trained with categorical cross-entropy, and for exactly those this module
runs what the general step runs (the same native kernels, with the same arguments, in the same
order, on the same arrays) as one flat program: forward through the chain, the fused
softmax-cross-entropy, backward through the chain in reverse, then the optimizer's own update
(Optimizer._apply_arrays, so learning-rate schedules, clipping and weight decay behave as ever).
Losses, gradients, weights, dropout seeds and optimizer state are therefore bit-identical to the
general step (tested against it).

It applies only when all of this holds, checked once per compiled structure (build) and the
cheap part on every step (run); anything else takes the general step, unchanged:
- the cpu backend with every kernel used native (the bindings check their arguments);
- a graph model (Sequential or functional) with one input and one output, its plan a chain of
  plain steps (one input, no call arguments), each an exact Dense (2-D input; relu or linear, or
  any activation on the last layer, whose softmax is fused into the loss) or Dropout;
- one loss, categorical cross-entropy fused with the softmax (Note [one-output step]), weight
  1, no sample weights, no mask; no add_loss term, regularizer or graph loss;
- the trainable weights are the chain's, each used once, float32 and contiguous, with no pending
  .grad; an optimizer whose apply_gradients is the base class's (no DistributedOptimizer) and
  no armed grad-ready hook (tensorforge.distributed);
- per step: float32, C-contiguous (N, classes) targets, inputs the first layer's kernel takes
  (float32 (N, features); its binding checks them before anything has changed), the weights'
  arrays those of the build and no pending .grad.
The program is rebuilt when the model's structure (_VERSION), any layer's attributes or losses
(_ATTRS: a Dropout rate, a Dense activation or kernel, add_loss), the backend's kernel table
(backend.generation), the compiled weights list, the optimizer or the compiled losses change,
or a weight's array is replaced.
"""
import numpy as np

from .. import _random
from .. import activations as _act
from .. import backend
from .. import losses as _losses
from .. import metrics as _metrics
from .. import optimizers as _optimizers
from ..autograd import _grad_state, _wrap, no_grad
from ..kernels._common import NATIVE_MODULE
from .base_layer import _ATTRS, _VERSION

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
    from ..layers.core import Dense, Dropout  # (the layers import the engine)
    opt = model.optimizer
    specs = model._out_specs
    if not params or backend.get_backend() != "cpu" or not model._is_graph_network or \
            len(model.inputs) != 1 or len(model.outputs) != 1 or len(specs) != 1:
        return None
    sp = specs[0]
    if sp.fused != "softmax" or sp.loss_fn is not _losses.categorical_crossentropy or \
            sp.weight != 1.0 or 0 not in model._logits_outputs:
        return None
    if model.__dict__.get("_symbolic_losses") or any(l.losses_fns
                                                     for l in model._flatten_layers()):
        return None
    if getattr(opt, "before_backward", None) is not None or \
            type(opt).apply_gradients is not _optimizers.Optimizer.apply_gradients:
        return None
    kernels = {}
    for op in _KERNELS:
        fn = backend.lookup(op)
        if getattr(fn, "__module__", None) != NATIVE_MODULE:
            return None
        kernels[op] = fn
    plan = model._plans.get(model._logits_outputs)
    if plan is None:
        plan = model._plans[model._logits_outputs] = model._make_plan(model._logits_outputs)
    if not plan or plan[0].in_ids[0] != id(model.inputs[0]) or \
            plan[-1].out_ids[0] != id(model.outputs[0]) or not plan[-1].logits:
        return None
    # the chain: per layer ("dense", layer, kernel, bias, activation) / ("dropout", layer, rate)
    chain, prev, width = [], None, model.inputs[0].shape[-1]
    for k, step in enumerate(plan):
        lyr = step.layer
        if not step.simple or (prev is not None and step.in_ids[0] != prev):
            return None
        prev = step.out_ids[0]
        if type(lyr) is Dense:
            kern, bias, act = lyr.kernel, lyr.bias, lyr.activation
            last = k == len(plan) - 1
            if not last and act is not _act.relu and act is not _act.linear:
                return None
            for t in (kern, bias):
                if t is not None and (type(t.data) is not np.ndarray or t.data.dtype is not _F32
                                      or not t.data.flags.c_contiguous):
                    return None
            if kern.data.ndim != 2 or width is None or kern.data.shape[0] != width:
                return None
            width = kern.data.shape[1]
            chain.append(("dense", lyr, kern, bias, act))
        elif type(lyr) is Dropout:
            rate = lyr.rate
            if type(rate) is not float or not 0.0 <= rate < 1.0:
                return None
            chain.append(("dropout", lyr, rate))
        else:
            return None
    # the trainable weights: exactly the chain's that are in params, each used once
    slot = {id(p): i for i, p in enumerate(params)}
    used = set()
    for c in chain:
        if c[0] == "dense":
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
    return _make_run(model, params, chain, slot, kernels, model.inputs[0].shape[-1], width,
                     accuracy)


def _make_run(model, params, chain, slot, kernels, n_in, classes, accuracy):
    gemm, dense_bwd = kernels["gemm"], kernels["dense_backward"]
    drop_fwd, drop_bwd = kernels["dropout_forward"], kernels["dropout_backward"]
    xent_fwd, xent_bwd = kernels["softmax_xent_forward"], kernels["softmax_xent_backward"]
    xent_stats = kernels["xent_batch_stats"]
    next_seed, relu = _random.next_seed, _act.relu
    opt = model.optimizer
    # forward program: (True, kernel data, bias data, "relu"|None) / (False, rate)
    # backward program, last layer first, up to the first layer with a trainable weight:
    # (True, kernel data, need_dx, kernel slot, bias slot) / (False, rate); slot -1: frozen
    fwd, bwd, weights = [], [], []
    trainable_before = False
    first = next(k for k, c in enumerate(chain)
                 if c[0] == "dense" and any(t is not None and id(t) in slot for t in c[2:4]))
    for k, c in enumerate(chain):
        if c[0] == "dense":
            _, lyr, kern, bias, act = c
            last = k == len(chain) - 1
            fused = "relu" if act is relu and not last else None
            fwd.append((True, kern.data, None if bias is None else bias.data, fused))
            if k >= first:
                bwd.append((True, kern.data, trainable_before, slot.get(id(kern), -1),
                            -1 if bias is None else slot.get(id(bias), -1), fused is not None))
            weights.extend((t, t.data) for t in (kern, bias) if t is not None)
            trainable_before = trainable_before or any(
                t is not None and id(t) in slot for t in (kern, bias))
        else:
            fwd.append((False, c[2], None, None))
            if k >= first:
                bwd.append((False, c[2]))
    bwd.reverse()
    fwd, bwd, weights = tuple(fwd), tuple(bwd), tuple(weights)
    n_params, n_fwd = len(params), len(fwd)
    dense_first = fwd[0][0]
    d = model.__dict__

    def run(xs, ys, metrics):
        # ---- checks: what the general step would take another way leaves the step to it,
        # untouched. The layers' configuration is the build's (any change rebuilds: _ATTRS);
        # x is the first kernel's to check when that is a Dense's gemm (below)
        x, y = xs[0], ys[0]
        if _grad_state.grad_ready is not None or type(x) is not np.ndarray or not x.ndim or \
                type(y) is not np.ndarray or y.dtype is not _F32 or \
                y.shape != (len(x), classes) or not y.flags.c_contiguous:
            return None
        if not dense_first and (x.dtype is not _F32 or x.ndim != 2 or x.shape[1] != n_in or
                                not x.flags.c_contiguous):
            return None
        for t, a in weights:
            if t.data is not a:
                return _REBUILD
        for p in params:
            if p.grad is not None:
                return None
        d["_output_masks"] = [None]  # (what _run_graph sets)
        # ---- forward: Dense = one gemm with bias and fused relu, Dropout = its kernel
        saved = []
        h = x
        if dense_first:  # the general step's first call too: a refusal leaves the step to it
            try:
                h = gemm(x, fwd[0][1], None, 1.0, 0.0, False, False, fwd[0][2], fwd[0][3])
            except (TypeError, ValueError):
                return None
            saved.append((x, h if fwd[0][3] is not None else None))
        for dense, a, b, act in (fwd[1:] if dense_first else fwd):
            if dense:
                o = gemm(h, a, None, 1.0, 0.0, False, False, b, act)
                saved.append((h, o if act is not None else None))
                h = o
            elif a != 0.0:
                h, mask = drop_fwd(h, a, next_seed())
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
        g = xent_bwd(probs, y, False, 1.0 / probs.shape[0])
        grads = [None] * n_params
        k = n_fwd
        for step in bwd:
            k -= 1
            if step[0]:
                _, w, need_x, sw, sb, _ = step
                xin, yout = saved[k]
                gx, gw, gb = dense_bwd(g, xin, w, yout, need_x, sw >= 0, sb >= 0, None, None)
                if sw >= 0:
                    grads[sw] = gw
                if sb >= 0:
                    grads[sb] = gb
                g = gx
            elif step[1] != 0.0:
                g = drop_bwd(g, saved[k], step[1])
        opt._apply_arrays(params, grads, True)
        return loss, [], [out], mets
    return run
