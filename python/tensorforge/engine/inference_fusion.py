"""Inference-time fusion of a functional model's plan: a convolution followed by a
BatchNormalization (and a plain ReLU) runs as one convolution with the normalization folded into
its weights, when nothing needs the gradient. See Note [inference fusion]."""
import numpy as np

from ..autograd import Tensor, _grad_state

# Note [inference fusion]
# At inference a BatchNormalization is an affine map per channel, y = x * s + t with
# s = gamma / sqrt(moving_variance + epsilon) and t = beta - moving_mean * s; after a convolution
# (or a depthwise / separable one) it folds into that convolution's kernel and bias: kernel * s
# (per output channel) and bias * s + t. A ReLU after it then runs in the convolution's epilogue.
# That removes one or two passes over the activations, which at inference cost as much as the
# convolution itself in ResNets, MobileNets and Xception. The fold costs a pass over the kernel,
# so it is taken only when the kernel has no more elements than the output (a late layer on a
# small batch keeps the plain steps). The chain runs at the producer's place in the plan; its
# intermediate values have no other consumer (and are no model output), so nothing else reads
# them. The fused run is taken only where the plain steps would compute the same thing and
# record nothing: no gradient mode (predict / evaluate run without it), training False, no
# mask, float32 host arrays, and layers whose own call is the library's (each layer says so:
# ``_inference_fold_bn`` of the producer, ``_inference_scale_shift`` of the
# BatchNormalization, ``_is_plain_relu`` of the activation; None where they cannot). The
# results equal the plain steps' up to float32 rounding (the fold reorders the arithmetic).


class FusedStep:
    """The plan's steps of a producer -> BatchNormalization [-> ReLU] chain, run folded."""

    __slots__ = ("steps", "node", "layer", "in_ids", "out_ids", "relu")
    simple = logits = False  # (read by the compiled training step: no chain of its own)

    def __init__(self, steps, relu):
        self.steps = steps
        self.node = steps[0].node
        self.layer = steps[0].layer  # (error messages name the producer)
        self.in_ids = steps[0].in_ids
        self.out_ids = steps[-1].out_ids
        self.relu = relu

    def run(self, values, masks, training):
        x = values[self.in_ids[0]]
        if (training or _grad_state.enabled or (masks and masks.get(self.in_ids[0]) is not None)
                or type(x) is not Tensor or type(x.data) is not np.ndarray
                or x.data.dtype != np.float32):
            for s in self.steps:
                s.run(values, masks, training)
            return
        bn = self.steps[1].layer
        affine = bn._inference_scale_shift(x.data.ndim)
        y = None if affine is None else self.layer._inference_fold_bn(x, *affine, self.relu)
        if y is None:
            for s in self.steps:
                s.run(values, masks, training)
            return
        values[self.out_ids[0]] = y


def _chain_next(step, by_node, consumers, protected):
    """The step consuming ``step``'s only output, when it is that output's only consumer and
    the output is no model output; None otherwise."""
    if len(step.out_ids) != 1 or step.out_ids[0] in protected:
        return None
    users = consumers.get(step.out_ids[0], ())
    if len(users) != 1:
        return None
    return by_node.get(id(users[0]))


def _plain(step):
    lyr = step.layer
    return step.simple and not step.logits and lyr._activity_regularizer is None


def fuse(plan, consumers, protected):
    """``plan`` with its foldable producer -> BatchNormalization [-> plain ReLU] chains as
    FusedSteps (at the producer's place). ``consumers``: tensor id -> consuming nodes;
    ``protected``: ids of tensors read outside the plan (outputs, symbolic losses)."""
    by_node = {id(s.node): s for s in plan}
    fused, taken = {}, set()
    for s in plan:
        if id(s) in taken or not _plain(s) or getattr(s.layer, "_inference_fold_bn", None) is None:
            continue
        bn = _chain_next(s, by_node, consumers, protected)
        if bn is None or id(bn) in taken or not _plain(bn) or \
                getattr(bn.layer, "_inference_scale_shift", None) is None:
            continue
        chain, relu = [s, bn], False
        act = _chain_next(bn, by_node, consumers, protected)
        if act is not None and id(act) not in taken and _plain(act) and \
                getattr(act.layer, "_is_plain_relu", lambda: False)():
            chain.append(act)
            relu = True
        fused[id(s)] = FusedStep(chain, relu)
        taken.update(id(c) for c in chain)
    if not fused:
        return plan
    return [fused[id(s)] if id(s) in fused else s for s in plan
            if id(s) in fused or id(s) not in taken]
