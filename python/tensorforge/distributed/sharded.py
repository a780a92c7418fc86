"""The sharded update (ZeRO stage 1's partitioning of the optimizer step):
``DistributedOptimizer(opt, sharded=True)``.

Without it every rank reduces the whole gradient (allreduce) and runs the whole update. With it
the gradients of all parameters live in one bucket (one flat buffer, backward's kernels writing
into it, See fusion.py) and every parameter's values in one flat buffer laid out the same way
(``Tensor.data`` becomes a view of it); the flat range is cut into ``size()`` contiguous shards
(at multiples of 16 elements), and a step is

    Reduce_scatter   rank r receives the summed gradient of its shard only
    update           the wrapped optimizer's elementwise rule (SGD, RMSprop, Adam, ...: its own
                     ``_update``) on the shard of the values and of the optimizer state, one
                     call for the whole shard
    Allgatherv       in place: every rank receives the other shards' new values

so each rank computes 1/N of the update, and the gradient traffic is the same as an allreduce
(which is a reduce-scatter plus an allgather). The rules are elementwise, so the result is the
one of the unsharded update up to the order of the gradient sum over the ranks.

The optimizer state stays full-size on every rank (only the update is divided, not its memory):
each rank keeps its own shard of it current, the rest goes stale until ``consolidate()``
allgathers it -- fit(distributed=True) does at the end of every epoch and of training, so the
checkpoints rank 0 writes then (ModelCheckpoint's default, per epoch) and ``model.save`` after
fit hold the whole state; a Horovod-style loop calls ``optimizer.consolidate_state()`` on every
rank before saving. ``clipnorm`` and ``global_clipnorm`` need whole-tensor norms and are refused.
"""
import numpy as np

from . import _comm
from .fusion import GradientBuckets, _Bucket

ALIGN = 16  # shard bounds at multiples of 16 elements (64 bytes of float32: whole cache lines)


def shard_bounds(total, n):
    """[0, b1, ..., total]: n contiguous shards of ``total`` elements, inner bounds aligned."""
    b = [0] + [min(total, (total * r // n) // ALIGN * ALIGN) for r in range(1, n)] + [total]
    return b


class ShardedBuckets(GradientBuckets):
    """All gradients in one bucket, reduce-scattered: rank r receives the sum of its shard in
    ``shard_grad``."""

    def __init__(self):
        super().__init__(overlap=False)
        self.bounds = self.shard_grad = None

    def _build(self, params):
        from .._xp import array_module
        self._params, self._ids = params, [id(p) for p in params]
        ps = list(reversed(params))  # backward order, as the buckets
        kinds = {(array_module(p.data), p.data.dtype) for p in ps}
        if len(kinds) != 1 or next(iter(kinds))[0] is not np:
            raise ValueError("DistributedOptimizer(sharded=True): the parameters must be NumPy "
                             "arrays of one dtype (CPU ranks), got "
                             + ", ".join(sorted(f"{xp.__name__} {dt}" for xp, dt in kinds)))
        xp, dtype = next(iter(kinds))
        self.buckets = [_Bucket(0, ps, xp, dtype)]
        self._where = {id(p): (self.buckets[0], i) for i, p in enumerate(ps)}
        self._targets = {id(p): v for p, v in zip(ps, self.buckets[0].views)}
        total, r, n = self.buckets[0].flat.size, _comm.rank(), _comm.size()
        self.bounds = shard_bounds(total, n)
        self.shard_grad = np.empty(self.bounds[r + 1] - self.bounds[r], dtype)

    def _start(self, b, blocking):
        MPI = _comm._state["MPI"]
        counts = [hi - lo for lo, hi in zip(self.bounds[:-1], self.bounds[1:])]
        with _comm._Watchdog.guard("gradient reduce-scatter"):
            _comm._comm().Reduce_scatter(b.flat, self.shard_grad, counts, op=MPI.SUM)


class ShardedUpdate:
    """The parameters' flat buffer, the optimizer state's, and the step on this rank's shard."""

    def __init__(self):
        self.params = self.flat = self.views = None
        self.state = self.state_views = None

    def _ensure_values(self, bucket):
        """The parameters' values as views of one flat buffer laid out as the gradient bucket
        (rebuilt, keeping the values, when a parameter's array was replaced)."""
        ps = bucket.params
        if self.params is not ps:
            self.params = ps
            self.flat = np.empty(bucket.flat.size, bucket.dtype)
            self.views = [self.flat[o:o + v.size].reshape(v.shape)
                          for o, v in zip(_offsets(bucket.views), bucket.views)]
            self.state = None
        for p, v in zip(ps, self.views):
            if p.data is not v:  # first step, or set by someone: take its values
                v[...] = p.data
                p.data = v

    def _ensure_state(self, opt):
        """The optimizer's state of every parameter as views of flat buffers (one per slot of
        ``opt._init_state``), registered in ``opt._state`` so that get_state / set_state and
        checkpoints see it; values set there in the meantime (set_state) are taken in."""
        if self.state is None:
            self.state = opt._init_state(self.flat)  # the optimizer's initial values, all of it
            self.state_views = [tuple(None if s is None else s[o:o + v.size].reshape(v.shape)
                                      for s in self.state)
                                for o, v in zip(_offsets(self.views), self.views)]
        for p, sv in zip(self.params, self.state_views):
            st = opt._state.get(id(p))
            if st is not None and all(a is b for a, b in zip(st[1:], sv)):
                continue
            if st is not None:
                for a, b in zip(st[1:], sv):
                    if a is not None and b is not None:
                        b[...] = a
            opt._state[id(p)] = (p,) + sv

    def step(self, opt, buckets):
        """One update of this rank's shard with its summed gradient, then the allgather."""
        b = buckets.buckets[0]
        self._ensure_values(b)
        self._ensure_state(opt)
        r = _comm.rank()
        update_shard(opt, self.flat, buckets.shard_grad, self.state,
                     buckets.bounds[r], buckets.bounds[r + 1])
        self._allgather(self.flat, buckets.bounds)

    def consolidate(self, buckets):
        """Every rank's shard of the optimizer state to every rank (a collective)."""
        if self.state is not None:
            for s in self.state:
                if s is not None:
                    self._allgather(s, buckets.bounds)

    @staticmethod
    def _allgather(buf, bounds):
        MPI = _comm._state["MPI"]
        counts = [hi - lo for lo, hi in zip(bounds[:-1], bounds[1:])]
        with _comm._Watchdog.guard("parameter allgather"):
            _comm._comm().Allgatherv(MPI.IN_PLACE, [buf, (counts, bounds[:-1])])


def update_shard(opt, values, grad, state, lo, hi, grad2=None, out=None):
    """One step of ``opt`` (iterations, learning rate, clipvalue, weight decay, its elementwise
    rule) on [lo, hi) of the flat ``values`` and ``state`` rows, ``grad`` the summed gradient
    of that range (clipped in place). ``grad2``: a second gradient of the range, the step's
    gradient being grad + grad2: read by the optimizer's kernel itself where it can (Note
    [update of a sum] in optimizers), else summed into ``out`` first."""
    from ..optimizers.optimizer import _kernels
    lr = opt._current_lr()
    opt.iterations += 1
    fused = None
    if grad2 is not None and opt.clipvalue is None and hi > lo:
        fused = opt._native_update_sum(lr)
    if grad2 is not None and fused is None:
        grad, grad2 = np.add(grad, grad2, out=out), None
    if opt.clipvalue is not None:
        np.clip(grad, -opt.clipvalue, opt.clipvalue, out=grad)
    p = values[lo:hi]
    if opt.weight_decay:
        p -= p * p.dtype.type(opt.weight_decay) * p.dtype.type(lr)
    opt._prepare_step()
    if hi > lo:
        st = tuple(None if s is None else s[lo:hi] for s in state)
        if fused is not None:
            try:
                fused(p, grad, grad2, st)
                return
            except (TypeError, ValueError):  # (refused before any change: the two passes)
                grad = np.add(grad, grad2, out=out)
        opt._update(_kernels(), p, grad, st, lr)


def _offsets(views):
    o, out = 0, []
    for v in views:
        out.append(o)
        o += v.size
    return out


def check_optimizer(opt):
    """ValueError for an optimizer whose update is not elementwise on every parameter."""
    for k in ("clipnorm", "global_clipnorm"):
        if getattr(opt, k, None) is not None:
            raise ValueError(f"DistributedOptimizer(sharded=True): {k} needs whole-tensor norms "
                             f"and is not supported with a sharded update (clipvalue is)")
    if getattr(opt, "use_ema", False):
        raise ValueError("DistributedOptimizer(sharded=True): use_ema averages whole "
                         "parameters, which no rank holds in a sharded update")
    if not (hasattr(opt, "_update") and hasattr(opt, "_init_state")):
        raise ValueError(f"DistributedOptimizer(sharded=True): {type(opt).__name__} has no "
                         "elementwise update rule (_update / _init_state) to shard")


def check_constraints(params):
    """ValueError for a weight constraint (kernel_constraint=MaxNorm(3), ...): a constraint
    acts on a whole tensor after its update, which no rank holds whole in a sharded update."""
    for p in params:
        if getattr(p, "_constraint", None) is not None:
            raise ValueError(f"DistributedOptimizer(sharded=True): weight {getattr(p, 'name', '?')!r} "
                             f"of shape {tuple(p.shape)} has a constraint, which needs the whole "
                             "updated tensor; use sharded=False")
