"""The distributed sampler: which samples each rank trains on, step by step.

Every rank computes the same global order of the epoch -- a permutation drawn from
``default_rng([seed, epoch])`` (PyTorch's DistributedSampler: seed + epoch), or 0..n-1 without
shuffling -- and cuts it into global batches of ``batch_size`` exactly as one process would.
Rank r trains on its contiguous share of each global batch, rows [floor(r*M/N), floor((r+1)*M/N))
of a batch of M samples over N ranks: the shards of an epoch are disjoint and cover it, and every
rank runs the same number of steps (one per global batch), so the collectives stay in step.

The gradient of the mean loss over the global batch is sum_r (m_r / M) * grad_r, where grad_r is
rank r's gradient of the mean over its m_r samples: ``weight`` = N * m_r / M is what the
averaging allreduce needs to reproduce one process exactly, even when M does not divide by N.
A global batch smaller than N (the last one) leaves some ranks no sample: such a rank trains on
the batch's first sample with weight 0, so it still joins the collectives but adds nothing.
"""
import numpy as np

__all__ = ["DistributedSampler", "shard_bounds"]


def shard_bounds(n, rank, size):
    """[start, stop) of rank's contiguous share of n items."""
    return (n * rank) // size, (n * (rank + 1)) // size


class DistributedSampler:
    def __init__(self, num_samples, batch_size, rank, size, shuffle=True, seed=0):
        if num_samples < 1 or batch_size < 1:
            raise ValueError(f"DistributedSampler: num_samples and batch_size must be >= 1, got "
                             f"{num_samples} and {batch_size}")
        if not 0 <= rank < size:
            raise ValueError(f"DistributedSampler: rank {rank} is not in [0, {size})")
        self.n, self.batch_size = int(num_samples), int(batch_size)
        self.rank, self.size = int(rank), int(size)
        self.shuffle, self.seed = bool(shuffle), int(seed)

    def global_order(self, epoch):
        """The epoch's sample order (identical on every rank); None means 0..n-1."""
        if not self.shuffle:
            return None
        return np.random.default_rng([self.seed, int(epoch)]).permutation(self.n)

    def steps(self):
        return -(-self.n // self.batch_size)

    def local_batches(self, epoch):
        """Yield (index, local_count, global_count) per step: ``index`` (a slice without
        shuffling, else an int64 array) selects this rank's samples of the global batch."""
        order = self.global_order(epoch)
        for start in range(0, self.n, self.batch_size):
            M = min(self.batch_size, self.n - start)
            lo, hi = shard_bounds(M, self.rank, self.size)
            m = hi - lo
            if m == 0:  # fewer samples than ranks: a weight-0 stand-in keeps this rank in step
                lo, hi = 0, 1
            if order is None:
                idx = slice(start + lo, start + hi)
            else:
                idx = order[start + lo:start + hi]
            yield idx, m, M
