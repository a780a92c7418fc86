"""Tensor fusion: the gradients of all parameters reduced as a few large buffers.

Per-parameter allreduces pay MPI's latency once per tensor; Horovod's tensor fusion and PyTorch
DDP's buckets pack many gradients into one buffer instead. Here the parameters are grouped once,
in backward order (last layer first, the order backward finishes them), into buckets of at most
``bucket_bytes`` (default 25 MiB, DDP's default: LeNet's and the CNN's gradients fit in one).
Each bucket owns a preallocated flat buffer and a view of it per parameter. A step is, per
bucket: one ``concatenate(..., out=flat)`` (the pack: one C call), one scale by
weight / ranks, one non-blocking ``Iallreduce`` started right away (so the pack of the next
bucket overlaps the transfer of this one); then one ``Waitall``, and each parameter's ``.grad``
becomes its view of the reduced buffer (no copy back). Python touches each parameter only to
collect its gradient reference and hand back the view: no per-parameter copy or MPI call.

Overlap with backward: not done. The autograd (autograd.run_backward) assigns a leaf's gradient
as a fresh array when its node runs and offers no per-leaf hook, so the gradients are only known
complete when ``backward()`` returns. With such a hook (called when a leaf's last contribution
arrives), ``start_bucket`` would be called from it as soon as a bucket is complete -- the bucket
order above is already backward order. On this machine's CPU ranks the gain would be small
anyway: MPI over shared memory copies with the same cores that compute the backward, and MPICH
progresses a non-blocking collective only inside MPI calls.
"""
import numpy as np

from . import _comm

DEFAULT_BUCKET_BYTES = 25 * 1024 * 1024


class _Bucket:
    __slots__ = ("params", "xp", "flat", "views", "req")

    def __init__(self, params, xp, dtype):
        self.params, self.xp = params, xp
        sizes = [p.data.size for p in params]
        self.flat = xp.empty(int(sum(sizes)), dtype=dtype)
        self.views, o = [], 0
        for p, n in zip(params, sizes):
            self.views.append(self.flat[o:o + n].reshape(p.data.shape))
            o += n
        self.req = None


class GradientBuckets:
    """Fused, in-place allreduce of the ``.grad`` of a list of parameters (Tensors)."""

    def __init__(self, bucket_bytes=DEFAULT_BUCKET_BYTES):
        if not bucket_bytes > 0:
            raise ValueError(f"GradientBuckets: bucket_bytes must be positive, got {bucket_bytes}")
        self.bucket_bytes = int(bucket_bytes)
        self._params = None
        self._ids = None
        self.buckets = []

    def _build(self, params):
        from .._xp import array_module
        self._params, self._ids = params, [id(p) for p in params]
        self.buckets = []
        group, nbytes, key = [], 0, None
        for p in reversed(params):  # backward order: the last layer's gradients are ready first
            k = (array_module(p.data), p.data.dtype)
            if group and (k != key or nbytes + p.data.nbytes > self.bucket_bytes):
                self.buckets.append(_Bucket(group, *key))
                group, nbytes = [], 0
            group.append(p)
            nbytes += p.data.nbytes
            key = k
        if group:
            self.buckets.append(_Bucket(group, *key))

    def _ensure(self, params):
        if params is not self._params and (self._ids is None or len(params) != len(self._ids)
                                           or any(id(p) != i for p, i in zip(params, self._ids))):
            self._build(params)
        self._params = params

    def allreduce(self, params, weight=1.0, op="average"):
        """Reduce every parameter's gradient over the ranks, in place.

        Each rank's gradients are scaled by ``weight`` before the sum ('average' divides by the
        number of ranks too). With weight = ranks * local_samples / global_samples, 'average'
        gives exactly the gradient of the mean loss over the global batch, whatever the split.
        """
        self._ensure(params)
        scale = weight / _comm.size() if op == "average" else weight
        for b in self.buckets:
            self.start_bucket(b, scale)
        self.finish()

    def start_bucket(self, b, scale):
        xp = b.xp
        grads = [p.grad for p in b.params]
        if any(g is None for g in grads):  # a parameter unused this step still joins the sum
            grads = [xp.zeros(p.data.shape, b.flat.dtype) if g is None else g
                     for p, g in zip(b.params, grads)]
        xp.concatenate([g.reshape(-1) for g in grads], out=b.flat)
        if scale != 1.0:
            b.flat *= b.flat.dtype.type(scale)
        if xp is np:
            MPI = _comm._state["MPI"]
            b.req = _comm._comm().Iallreduce(MPI.IN_PLACE, b.flat, op=MPI.SUM)
        else:  # CuPy: NCCL enqueues on the stream (asynchronous already)
            _comm.reduce_inplace(b.flat, "sum")

    def finish(self):
        reqs = [b.req for b in self.buckets if b.req is not None]
        if reqs:
            with _comm._Watchdog.guard("gradient allreduce"):
                _comm._state["MPI"].Request.Waitall(reqs)
        for b in self.buckets:
            b.req = None
            for p, v in zip(b.params, b.views):
                p.grad = v

    @property
    def total_bytes(self):
        return int(sum(b.flat.nbytes for b in self.buckets))
