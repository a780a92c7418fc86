"""``DistributedOptimizer(opt)``: Horovod's wrapper, averaging the gradients over the ranks
(fused, see fusion.py) before the wrapped optimizer's update.

As in Horovod, the wrapper is an instance of a subclass of the wrapped optimizer's class created
on the fly, sharing its configuration and state: ``type(opt).__name__`` stays 'Adam', so
``model.save`` / ``load_model`` and ``get_config`` see the plain optimizer, and a checkpoint
written by a distributed job loads anywhere, on any number of ranks.
"""
import numpy as np

from .._xp import raw
from .. import optimizers as _optimizers
from . import _comm
from . import sharded as _sharded
from . import shm as _shm
from .fusion import DEFAULT_BUCKET_BYTES, DEFAULT_DIRECT_BYTES, GradientBuckets

__all__ = ["DistributedOptimizer"]


class _DistributedMixin:
    """apply_gradients = fused allreduce of the .grad arrays, then the wrapped update."""

    def before_backward(self, params, loss):
        """The training step calls this right before ``loss.backward()`` and seeds backward
        with the array returned (None: ones): the buckets' reductions start inside backward,
        and the rank's weight / ranks scales the gradients at no cost (fusion.py)."""
        if not (_comm.is_initialized() and _comm.size() > 1):
            return None
        scale = self._begin_step(params, arm=True)
        if scale == 1.0:
            return None
        from .._xp import array_module
        return array_module(loss.data).full(loss.data.shape, scale, dtype=loss.data.dtype)

    def compiled_step_begin(self, params):
        """before_backward for the compiled training step (See Note [compiled step,
        distributed] in engine/compiled_step.py): returns (scale, outs, ready) -- the float
        backward multiplies the loss's gradient by, each parameter's array its gradient may be
        written into (a view of its bucket or window region; None: anywhere) or None, and
        ``ready(p)`` to call once p.grad is final, or None. apply_gradients then reduces and
        updates as after the general step's backward."""
        if not (_comm.is_initialized() and _comm.size() > 1):
            return 1.0, None, None
        scale = float(np.float32(self._begin_step(params, arm=False)))  # (the seed's float32)
        b = self._dist_buckets
        t = b._targets
        return scale, [t.get(id(p)) for p in params], b.grad_ready

    def _begin_step(self, params, arm):
        """The buckets begin a step (``arm``: through autograd's grad-ready hook); returns the
        scale of this rank's gradients."""
        w = self._dist_step_weight
        scale = w / _comm.size() if self._dist_op == "average" else w
        self._buckets_for(params).begin(params, scale, arm=arm)
        self._dist_begun = True
        return scale

    def apply_gradients(self, grads_and_vars, name=None, skip_gradients_aggregation=False,
                        experimental_aggregate_gradients=True):
        params = grads_and_vars
        if _comm.is_initialized() and _comm.size() > 1:
            if self.__dict__.get("_dist_begun"):
                self._dist_begun = False
                b = self._dist_buckets
                plain = super().apply_gradients.__func__ is _optimizers.Optimizer.apply_gradients
                if (self._dist_sharded is None and plain and isinstance(b, _shm.SharedMemoryBuckets)
                        and b.reads_two_regions(self)):  # See Note [whole update of two regions]
                    return b.finish_and_update(self)
                b.finish()
            else:  # gradients computed by the caller (Horovod-style loops, (grad, var) pairs)
                params = list(params)
                pairs = bool(params) and isinstance(params[0], tuple)
                if pairs:
                    variables = [v for _, v in params]
                    for g, v in params:
                        v.grad = None if g is None else raw(g)
                    params = variables
                self._buckets_for(params).allreduce(params, weight=self._dist_step_weight,
                                                    op=self._dist_op)
            if self._dist_sharded is not None:  # this rank's shard, then the allgather
                b = self._dist_buckets
                if isinstance(b, _shm.SharedMemoryBuckets):  # shared values: no allgather
                    return b.update(self, defer=self.__dict__.get("_dist_defer", False))
                return self._dist_sharded.step(self, b)
        return super().apply_gradients(params)

    def _buckets_for(self, params):
        """The gradient reducer; transport 'auto' decides on the first step, with the other
        ranks (shm.usable is a collective): shared windows where ranks share a machine."""
        b = self._dist_buckets
        if b is None:
            params = list(params)
            rows = 0
            auto = self._dist_sharded_auto and _shardable_on_the_window(self, params)
            if self._dist_sharded is not None:
                _sharded.check_constraints(params)
            if self._dist_sharded is not None or auto:  # the shared values and state (shm.py)
                rows = 1 + sum(s is not None for s in self._init_state(np.zeros(1, np.float32)))
            use_shm = self._dist_transport == "shm" or _shm.usable(params, rows)
            if self._dist_sharded_auto:  # See Note [sharded by default on one machine]
                if use_shm and _comm.gather_small([float(auto)])[:, 0].all():
                    self._dist_sharded = _sharded.ShardedUpdate()
                self._dist_sharded_auto = False
            b = self._dist_buckets = (_shm.SharedMemoryBuckets(sharded=self._dist_sharded is not None)
                                      if use_shm else self._dist_mpi_buckets)
        return b

    def consolidate_state(self):
        """With ``sharded=True``: every rank's shard of the optimizer state to every rank, so
        that get_state / a checkpoint holds all of it (a collective: call it on every rank;
        fit(distributed=True) does at the end of each epoch). Otherwise nothing to do."""
        b = self._dist_buckets
        if (self._dist_sharded is not None and _comm.is_initialized() and _comm.size() > 1
                and not isinstance(b, _shm.SharedMemoryBuckets)):  # shared state is whole
            self._dist_sharded.consolidate(b)

    def holds_shared(self, weights):
        """True when ``weights`` and this optimizer's state of them live in the one copy that
        every rank shares (the sharded update on one machine's window, shm.py): not a
        collective, this rank's view only."""
        b = self._dist_buckets
        return isinstance(b, _shm.SharedMemoryBuckets) and b.holds(self, weights)

    def defer_update_barrier(self, on):
        """fit(distributed=True): the sharded update's closing barrier is paid by the logs'
        allgather that follows every step (See Note [update barrier in the logs' allgather] in
        shm.py); off: paid at once (Horovod-style loops, train_on_batch)."""
        self._dist_defer = bool(on)
        if not on:
            self.settle()

    def synced(self):
        """Every rank passed a collective since its last update (the logs' allgather)."""
        b = self._dist_buckets
        if isinstance(b, _shm.SharedMemoryBuckets):
            b.synced()

    def settle(self):
        """Pay an owed update barrier (a collective when one is owed: every rank owes it)."""
        b = self._dist_buckets
        if isinstance(b, _shm.SharedMemoryBuckets):
            b.settle()

    def set_step_weight(self, weight):
        """Scale this rank's gradients by ``weight`` before the average of the next steps (the
        distributed sampler sets ranks * local / global samples; Horovod's default is 1)."""
        self._dist_step_weight = float(weight)


_CLASSES = {}


def DistributedOptimizer(optimizer, op="average", bucket_bytes=DEFAULT_BUCKET_BYTES, name=None,
                         direct_bytes=DEFAULT_DIRECT_BYTES, overlap=True, sharded=False,
                         transport="auto"):
    """Wrap ``optimizer`` (an instance, a name such as 'adam', or a class) so that each
    ``apply_gradients`` first averages (op='average') or sums (op='sum') the gradients over
    all ranks. Calls ``init()`` when the process group is not up yet. ``bucket_bytes``: the
    size of a fused buffer; ``direct_bytes``: tensors this large are reduced alone, in place;
    ``overlap``: start a bucket's reduction inside backward as soon as its gradients are final
    (fusion.py). ``sharded=True``: each rank updates 1/N of the parameters after a
    reduce-scatter of the gradients, then the ranks allgather the new values (ZeRO-1 style,
    CPU ranks; the bucket options do not apply; See sharded.py); on ranks sharing a machine's
    window the values and state are shared and each rank updates its chunk (See shm.py);
    ``sharded='auto'`` (what fit(distributed=True) wraps with): sharded where every rank runs on
    one machine and reduces through its window and the update can be sharded, else not (Note
    [sharded by default on one machine]). ``transport``: 'mpi' (fused
    buckets reduced by MPI's Allreduce, fusion.py), 'shm' (one shared-memory window per machine,
    shm.py) or 'auto' (decided on the first step: 'shm' when CPU ranks share a machine)."""
    if op not in ("average", "sum"):
        raise ValueError(f"DistributedOptimizer: op must be 'average' or 'sum', got {op!r}")
    if transport not in ("auto", "mpi", "shm"):
        raise ValueError(f"DistributedOptimizer: transport must be 'auto', 'mpi' or 'shm', got "
                         f"{transport!r}")
    if not (isinstance(sharded, bool) or isinstance(sharded, str) and sharded == "auto"):
        raise TypeError(f"DistributedOptimizer: sharded must be True, False or 'auto', got "
                        f"{sharded!r}")
    opt = _optimizers.get(optimizer)
    if isinstance(opt, _DistributedMixin):
        return opt
    if sharded is True:
        _sharded.check_optimizer(opt)
    _comm.init()
    base = type(opt)
    cls = _CLASSES.get(base)
    if cls is None:
        cls = _CLASSES[base] = type(base.__name__, (_DistributedMixin, base),
                                    {"__module__": base.__module__,
                                     "__doc__": f"{base.__name__} with gradients averaged over "
                                                "the ranks (tensorforge.distributed)"})
    wrapped = object.__new__(cls)
    wrapped.__dict__.update(opt.__dict__)  # same hyper-parameters and the same state arrays
    if name is not None:
        wrapped.name = name
    wrapped._dist_op = op
    wrapped._dist_step_weight = 1.0
    wrapped._dist_sharded_auto = sharded == "auto"  # decided on the first step
    if sharded is True:  # MPI: reduce-scatter, update, allgather; shared window: See shm.py
        wrapped._dist_mpi_buckets = _sharded.ShardedBuckets()
        wrapped._dist_sharded = _sharded.ShardedUpdate()
    else:
        wrapped._dist_mpi_buckets = GradientBuckets(bucket_bytes, direct_bytes, overlap)
        wrapped._dist_sharded = None
    wrapped._dist_buckets = wrapped._dist_mpi_buckets if transport == "mpi" else None
    wrapped._dist_transport = transport
    return wrapped


# the modules of this library's optimizers whose update rules are elementwise (a parameter's
# slice updates alone): SGD, RMSprop, the Adam family, Adagrad, Adadelta and their legacy forms
_ELEMENTWISE_MODULES = frozenset(f"{_optimizers.__name__}.{m}" for m in
                                 ("sgd", "rmsprop", "adam", "adagrad", "legacy"))


def _shardable_on_the_window(opt, params):
    """True when ``opt``'s update of ``params`` can be the window's sharded update: every rank
    on this one machine, one of this library's optimizers (their rules are elementwise; a
    subclass may not be) with the plain step, no whole-tensor clipping, no constraint."""
    if _comm.local_size() != _comm.size():
        return False
    base = next(c for c in type(opt).__mro__ if not issubclass(c, _DistributedMixin))
    if (base.__module__ not in _ELEMENTWISE_MODULES
            or base._apply_arrays is not
            _optimizers.Optimizer._apply_arrays or base.apply_gradients is not
            _optimizers.Optimizer.apply_gradients):
        return False
    try:
        _sharded.check_optimizer(opt)
        _sharded.check_constraints(params)
    except ValueError:
        return False
    return True


# Note [sharded by default on one machine]
# fit(distributed=True) wraps the model's optimizer with sharded='auto'. On ranks sharing one
# machine's window the sharded update gives the same bits as the whole one -- the two ranks'
# gradients are summed by the same kernel read (Note [sum read by the update] in shm.py), the
# update rules are elementwise and the kernels round an element the same way wherever it falls
# in a vector (masked tails) -- and each rank updates 1/L of the parameters instead of all of
# them, so the step is shorter (LeNet: RMSprop over 430K floats is 1-1.5 ms a rank, bench/
# RESULTS.md). The choice is made on the first step, by every rank together (the window's
# vote, then one of the ranks' own conditions, which are the same on every rank of a job that
# builds the same model); it stays unsharded with several machines (their sharded update is
# MPI's reduce-scatter and allgather, not measured faster), with MPI's transport, for clipnorm
# / global_clipnorm or weight constraints, and for anything shm.usable refuses (CuPy, mixed
# dtypes). An optimizer wrapped by the caller keeps its own ``sharded``.


def is_distributed_optimizer(opt):
    return isinstance(opt, _DistributedMixin)
