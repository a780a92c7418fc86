"""What ``fit(..., distributed=True)`` and ``evaluate(..., distributed=True)`` ask of this
package. The training loop calls exactly three things (See models.Sequential.fit):

    plan = FitPlan(model, n, batch_size, shuffle)    # once, before the callbacks are set up
    cbs = plan.callbacks(cbs)                        # root prints / writes; global batch logs
    for idx in plan.epoch_batches(epoch, xp): ...    # this rank's samples of each global batch

and evaluate calls ``shard`` and ``metrics.evaluate_over_ranks``. Everything else -- the gradient
averaging (DistributedOptimizer: fit wraps the model's optimizer once), the initial broadcast
(BroadcastGlobalVariablesCallback(0), added unless the caller passed one), the global logs --
lives in this package.
"""
import numpy as np

from .. import _random
from .. import callbacks as _cb
from . import _comm
from .callbacks import BroadcastGlobalVariablesCallback, GlobalBatchLogs
from .optimizer import DistributedOptimizer, is_distributed_optimizer
from .sampler import DistributedSampler, shard_bounds

# Callbacks that write files or the terminal: rank 0's job (See Note [one writer]).
_ROOT_ONLY = (_cb.ProgbarLogger, _cb.ModelCheckpoint, _cb.CSVLogger)


class FitPlan:
    def __init__(self, model, n, batch_size, shuffle):
        _comm.init()
        if not is_distributed_optimizer(model.optimizer):  # See Note [sharded by default on
            model.optimizer = DistributedOptimizer(model.optimizer, sharded="auto")  # one machine]
        self.model = model
        # one seed for the whole job: rank 0 draws it from the library's random state
        seed = int(_random.rng().integers(0, 2 ** 31 - 1)) if _comm.rank() == 0 else None
        seed = _comm.broadcast_object(seed, 0)
        self.sampler = DistributedSampler(n, batch_size, _comm.rank(), _comm.size(), shuffle, seed)
        self.local_count = self.global_count = 0

    def callbacks(self, cbs):
        root = _comm.rank() == 0
        kept = [cb for cb in cbs if root or not isinstance(cb, _ROOT_ONLY)]
        first = [GlobalBatchLogs(self)]
        if not any(isinstance(cb, BroadcastGlobalVariablesCallback) for cb in kept):
            first.insert(0, BroadcastGlobalVariablesCallback(0))
        return first + kept

    def epoch_batches(self, epoch, xp=np):
        """This rank's index (slice or index array on ``xp``) of each global batch, in order;
        sets the optimizer's weight for the step before yielding it."""
        from .._device import to_device
        n_ranks = self.sampler.size
        opt = self.model.optimizer
        opt.defer_update_barrier(True)  # See Note [update barrier in the logs' allgather]
        done = False
        try:
            for idx, m, M in self.sampler.local_batches(epoch):
                opt.settle()  # (paid by the last step's logs already, unless they did not run)
                self.local_count, self.global_count = m, M
                opt.set_step_weight(n_ranks * m / M)
                yield idx if isinstance(idx, slice) else to_device(idx, xp)
            done = True
        finally:  # later train_on_batch / Horovod-style fits: plain average, barrier at once
            opt.set_step_weight(1.0)
            opt._dist_defer = False
            if done:  # (not on the way out of an exception: the next begin() pays it)
                opt.settle()


def shard(a):
    """This rank's contiguous share of the rows of ``a`` (evaluate, predict)."""
    _comm.init()
    lo, hi = shard_bounds(a.shape[0], _comm.rank(), _comm.size())
    return a[lo:hi]


def is_root():
    """True on rank 0, and in a process that is not part of a distributed job."""
    return not _comm.is_initialized() or _comm.rank() == 0


# Note [one writer]
# Every rank holds the same weights after each step, so one copy of a checkpoint is enough and N
# writers racing on one path (a shared filesystem) could interleave; the progress bar likewise
# prints once. Rank 0 keeps ProgbarLogger, ModelCheckpoint and CSVLogger; the other ranks drop
# them. Callbacks that decide (EarlyStopping, TerminateOnNaN, LearningRateScheduler) run on every
# rank, on logs that GlobalBatchLogs has made identical, so every rank decides the same.
