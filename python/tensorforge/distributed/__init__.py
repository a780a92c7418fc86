"""Data-parallel training over MPI (mpi4py), Horovod's Keras API.

    mpiexec -n 4 python train.py

    import tensorforge.distributed as tfd
    tfd.init()
    model.compile(optimizer=tfd.DistributedOptimizer(Adam(0.001 * tfd.size())), loss=...)
    model.fit(x, y, batch_size=128, callbacks=[tfd.BroadcastGlobalVariablesCallback(0),
                                               tfd.MetricAverageCallback()],
              verbose=1 if tfd.rank() == 0 else 0)       # Horovod style: shard x yourself

    model.fit(x, y, batch_size=128, distributed=True)    # or all of it in one argument

``fit(..., distributed=True)``: every rank passes the whole data set; ``batch_size`` is the
global batch, split over the ranks by the distributed sampler (sampler.py); the gradients are
averaged with a fused allreduce (fusion.py), or, by ranks sharing a machine, through its
shared-memory window, where each rank then updates its slice of the weights (shm.py; Note
[sharded by default on one machine] in optimizer.py); rank 0 prints the progress bar and writes the
checkpoints; the logs are the whole job's figures. N ranks reach the weights of one process,
up to float32 reduction order.

Needs ``pip install 'tensorforge[mpi]'`` (mpi4py and the MPICH wheel); ``import tensorforge``
and ``import tensorforge.distributed`` work without it, ``init()`` says what is missing.
"""
from ._comm import (abort, allgather, allgather_object, allreduce, barrier, broadcast,
                    broadcast_object, init, is_initialized, local_rank, local_size,
                    mpi_library_version, rank, size)
from .callbacks import (BroadcastGlobalVariablesCallback, LearningRateWarmupCallback,
                        MetricAverageCallback)
from .fusion import GradientBuckets
from .optimizer import DistributedOptimizer
from .sampler import DistributedSampler

__all__ = ["init", "is_initialized", "rank", "size", "local_rank", "local_size", "barrier",
           "allreduce", "broadcast", "broadcast_object", "allgather", "allgather_object", "abort",
           "mpi_library_version", "DistributedOptimizer", "BroadcastGlobalVariablesCallback",
           "MetricAverageCallback", "LearningRateWarmupCallback", "DistributedSampler",
           "GradientBuckets"]
