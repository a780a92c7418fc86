"""Tensor fusion: the gradients of all parameters reduced as a few large buffers.

Per-parameter allreduces pay MPI's latency once per tensor; Horovod's tensor fusion and PyTorch
DDP's buckets pack many gradients into one buffer instead. Here the parameters are grouped once,
in backward order (last layer first, the order backward finishes them), into buckets of at most
``bucket_bytes`` (default 25 MiB, DDP's default: LeNet's and the CNN's small tensors fit in one).
Each bucket owns a preallocated flat buffer and a view of it per parameter. A step is, per
bucket: one ``concatenate(..., out=flat)`` (the pack: one C call), one scale by
weight / ranks, one non-blocking ``Iallreduce`` started right away (so the pack of the next
bucket overlaps the transfer of this one); then one ``Waitall``, and each parameter's ``.grad``
becomes its view of the reduced buffer (no copy back). Python touches each parameter only to
collect its gradient reference and hand back the view: no per-parameter copy or MPI call.

A tensor of ``direct_bytes`` (1 MiB) or more is its own bucket and is reduced in place in the
gradient array backward produced (when that array is contiguous, writable and owns its memory;
otherwise it is copied into the bucket's buffer as usual): such a tensor amortizes MPI's
latency alone, and packing it would only add a pass over memory (LeNet's 3.6 MB Dense kernel).

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
DEFAULT_DIRECT_BYTES = 1024 * 1024


class _Bucket:
    __slots__ = ("params", "xp", "dtype", "direct", "flat", "views", "req", "bufs")

    def __init__(self, params, xp, dtype, direct=False):
        self.params, self.xp, self.dtype, self.direct = params, xp, dtype, direct
        self.flat, self.views, self.req, self.bufs = None, None, None, None
        if not direct:
            self._allocate()

    def _allocate(self):
        sizes = [p.data.size for p in self.params]
        self.flat = self.xp.empty(int(sum(sizes)), dtype=self.dtype)
        self.views, o = [], 0
        for p, n in zip(self.params, sizes):
            self.views.append(self.flat[o:o + n].reshape(p.data.shape))
            o += n


class GradientBuckets:
    """Fused, in-place allreduce of the ``.grad`` of a list of parameters (Tensors)."""

    def __init__(self, bucket_bytes=DEFAULT_BUCKET_BYTES, direct_bytes=DEFAULT_DIRECT_BYTES):
        if not bucket_bytes > 0 or not direct_bytes > 0:
            raise ValueError(f"GradientBuckets: bucket_bytes and direct_bytes must be positive, "
                             f"got {bucket_bytes} and {direct_bytes}")
        self.bucket_bytes, self.direct_bytes = int(bucket_bytes), int(direct_bytes)
        self._params = None
        self._ids = None
        self._shared = set()
        self.buckets = []

    def _build(self, params):
        from .._xp import array_module
        self._params, self._ids = params, [id(p) for p in params]
        self.buckets = []
        group, nbytes, key = [], 0, None
        for p in reversed(params):  # backward order: the last layer's gradients are ready first
            k = (array_module(p.data), p.data.dtype)
            if p.data.nbytes >= self.direct_bytes:
                self.buckets.append(_Bucket([p], *k, direct=True))
                continue
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
        # See Note [in place, last]: the packed buckets first, then the tensors reduced in place
        direct = [id(b.params[0].grad) for b in self.buckets if b.direct]
        self._shared = {i for i in direct if direct.count(i) > 1}
        for b in self.buckets:
            if not b.direct:
                self.start_bucket(b, scale)
        for b in self.buckets:
            if b.direct:
                self.start_bucket(b, scale)
        self.finish()

    def start_bucket(self, b, scale):
        xp = b.xp
        grads = [p.grad for p in b.params]
        if (b.direct and id(grads[0]) not in self._shared
                and _reducible_in_place(grads[0], b.dtype)):
            buf = grads[0]  # See the module docstring: a large tensor, reduced where it lies
        else:
            if b.flat is None:
                b._allocate()
            if any(g is None for g in grads):  # a parameter unused this step still joins the sum
                grads = [xp.zeros(p.data.shape, b.dtype) if g is None else g
                         for p, g in zip(b.params, grads)]
            xp.concatenate([g.reshape(-1) for g in grads], out=b.flat)
            buf = b.flat
        b.bufs = buf
        if scale != 1.0:
            buf *= b.dtype.type(scale)
        if xp is np:
            MPI = _comm._state["MPI"]
            b.req = _comm._comm().Iallreduce(MPI.IN_PLACE, buf, op=MPI.SUM)
        else:  # CuPy: NCCL enqueues on the stream (asynchronous already)
            _comm.reduce_inplace(buf, "sum")

    def finish(self):
        reqs = [b.req for b in self.buckets if b.req is not None]
        if reqs:
            with _comm._Watchdog.guard("gradient allreduce"):
                _comm._state["MPI"].Request.Waitall(reqs)
        for b in self.buckets:
            b.req = None
            if b.bufs is not b.flat:  # reduced in the gradient array itself
                b.bufs = None
                continue
            b.bufs = None
            for p, v in zip(b.params, b.views):
                p.grad = v

    @property
    def total_bytes(self):
        return int(sum(p.data.nbytes for b in self.buckets for p in b.params))


# Note [in place, last]
# MPI writes a buffer while its Iallreduce is in flight, so nothing may read a gradient array
# that is being reduced in place. Two leaves can hold one array (backward may hand the same
# array to both inputs of an op): such arrays are copied into their buckets' buffers instead
# (`_shared`). A packed gradient might be a view into a large array reduced in place: all packs
# happen before the first in-place reduction starts.
def _reducible_in_place(g, dtype):
    """A gradient array MPI may overwrite: the right dtype, contiguous, writable, and owning its
    memory (not a view into something backward may share with another tensor)."""
    return (g is not None and g.dtype == dtype and g.base is None and g.flags.c_contiguous
            and (not isinstance(g, np.ndarray) or g.flags.writeable))
