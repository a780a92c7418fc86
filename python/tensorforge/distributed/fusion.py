"""Tensor fusion: the gradients of all parameters reduced as a few large buffers, started while
backward still runs.

Per-parameter allreduces pay MPI's latency once per tensor; Horovod's tensor fusion and PyTorch
DDP's buckets pack many gradients into one buffer instead. Here the parameters are grouped once,
in backward order (last layer first, the order backward finishes them), into buckets of at most
``bucket_bytes`` (default 25 MiB, DDP's default: LeNet's and the CNN's small tensors fit in one).
Each bucket owns a persistent flat buffer, allocated once, and a view of it per parameter; a
parameter's ``.grad`` becomes its view, so nothing is allocated per step.

A training step (DistributedOptimizer, See Note [one step]):

    begin(params, scale)  before backward: arms autograd.on_grad_ready with the views as the
                          gradients' outputs, returns the seed
    backward              the op producing a parameter's gradient writes it into the view
                          (gemm, conv2d: See Note [gradient outputs] in autograd/backward.py; any other
                          op's gradient is copied into the view when final);
                          a bucket whose gradients are all in is reduced with a non-blocking
                          Iallreduce, in bucket order, while backward runs the layers before it
                          (``overlap=False``: not started before finish)
    finish()              in apply_gradients: the buckets not started yet (the last one
                          always), each with a blocking Allreduce (nothing is left to overlap
                          them with), then Waitall on the others

The scale (the rank's weight / ranks, See sampler.py) is not a pass over the gradients: it is
the seed of backward (d(s*loss) = s*d(loss)), so the buffers are reduced as they are.

A tensor of ``direct_bytes`` (1 MiB) or more is its own bucket and is reduced in place in the
gradient array backward produced (contiguous, owning its memory, of the parameter's dtype;
autograd's hook guarantees backward no longer touches it), else in its bucket's buffer: it
amortizes MPI's latency alone, and a pack would only add a pass over memory (LeNet's 3.6 MB
Dense kernel).

``allreduce(params, weight)`` does the same after the fact for gradients computed elsewhere
(Horovod-style loops calling apply_gradients themselves): copy-and-scale into the views (one
pass per gradient), then the reductions.

Overlap, honestly: MPICH and Open MPI progress a non-blocking collective inside MPI calls only
(no progress thread unless asked, e.g. MPIR_CVAR_ASYNC_PROGRESS=1), and the hook pokes the
requests in flight (Testall) each time a gradient becomes final; over shared memory the
reduction is copying done by the same cores that compute backward, so on CPU ranks of one
machine the gain is small. Over a network (and with NCCL on GPUs, whose reductions run on
their own stream) the transfer of the late layers' bucket hides behind the early layers'
backward.
"""
import numpy as np

from .. import autograd as _autograd
from . import _comm

DEFAULT_BUCKET_BYTES = 25 * 1024 * 1024
DEFAULT_DIRECT_BYTES = 1024 * 1024


class _Bucket:
    __slots__ = ("index", "params", "xp", "dtype", "direct", "flat", "views", "ready", "buf")

    def __init__(self, index, params, xp, dtype, direct=False):
        self.index, self.params, self.xp, self.dtype, self.direct = index, params, xp, dtype, direct
        self.flat = self.views = self.buf = None
        self.ready = 0
        if not direct:
            self._allocate()

    def _allocate(self):
        sizes = [p.data.size for p in self.params]
        self.flat = self.xp.empty(int(sum(sizes)), dtype=self.dtype)
        self.views, o = [], 0
        for p, n in zip(self.params, sizes):
            self.views.append(self.flat[o:o + n].reshape(p.data.shape))
            o += n


class ParamLayout:
    """A reducer laid out for one list of parameters (``_params``, their ids ``_ids``):
    ``_build(params)`` lays it out again when the list changes."""

    def _ensure(self, params):
        if params is self._params:
            return
        if self._ids is None or len(params) != len(self._ids) or any(
                id(p) != i for p, i in zip(params, self._ids)):
            self._build(params)
        self._params = params


class GradientBuckets(ParamLayout):
    """Fused, in-place allreduce of the ``.grad`` of a list of parameters (Tensors)."""

    def __init__(self, bucket_bytes=DEFAULT_BUCKET_BYTES, direct_bytes=DEFAULT_DIRECT_BYTES,
                 overlap=True):
        if not bucket_bytes > 0 or not direct_bytes > 0:
            raise ValueError(f"GradientBuckets: bucket_bytes and direct_bytes must be positive, "
                             f"got {bucket_bytes} and {direct_bytes}")
        if not isinstance(overlap, bool):
            raise TypeError(f"GradientBuckets: overlap must be True or False, got {overlap!r}")
        self.overlap = overlap
        self.bucket_bytes, self.direct_bytes = int(bucket_bytes), int(direct_bytes)
        self._params = self._ids = None
        self._where = {}       # id(param) -> (bucket, position in it)
        self.buckets = []
        self._next = 0         # the first bucket not started this step
        self._reqs = []
        self._done = set()     # id(param) of the gradients in place this step
        self._armed = False
        self.started_in_backward = 0  # buckets started by the hook so far (tests, bench)
        self.copies = 0               # gradients copied into a view, not written there (tests)
        self._overlap = False
        self._targets = {}     # id(param) -> its view: where backward may write its gradient

    # ---- layout ---------------------------------------------------------------------------
    def _build(self, params):
        from .._xp import array_module
        self._params, self._ids = params, [id(p) for p in params]
        self.buckets, group, nbytes, key = [], [], 0, None

        def close(ps, k, direct=False):
            self.buckets.append(_Bucket(len(self.buckets), ps, *k, direct=direct))

        for p in reversed(params):  # backward order: the last layer's gradients are ready first
            k = (array_module(p.data), p.data.dtype)
            if p.data.nbytes >= self.direct_bytes:
                if group:  # keep bucket order = backward order
                    close(group, key)
                    group, nbytes = [], 0
                close([p], k, direct=True)
                continue
            if group and (k != key or nbytes + p.data.nbytes > self.bucket_bytes):
                close(group, key)
                group, nbytes = [], 0
            group.append(p)
            nbytes += p.data.nbytes
            key = k
        if group:
            close(group, key)
        self._where = {id(p): (b, i) for b in self.buckets for i, p in enumerate(b.params)}
        self._targets = {id(p): v for b in self.buckets if not b.direct
                         for p, v in zip(b.params, b.views)}


    def _reset(self):
        if self._reqs:  # a step abandoned half-way (an exception in backward): drain it
            _comm._state["MPI"].Request.Waitall(self._reqs)
        self._reqs, self._next = [], 0
        self._done.clear()
        for b in self.buckets:
            b.ready, b.buf = 0, None

    # ---- the overlapped step (See Note [one step]) --------------------------------------------
    def begin(self, params, scale, arm=True):
        """Arm the hooks of the next backward of this thread; returns the seed of that backward
        (``scale``: backward computes scale * gradient, so the buffers need no scale pass).
        ``arm=False``: the caller calls grad_ready(p) itself (the benchmark)."""
        self._ensure(params)
        self._reset()
        self._armed = True
        self._overlap = self.overlap
        if arm:
            _autograd.on_grad_ready(params, self.grad_ready, self._targets)
        return scale

    def grad_ready(self, p):
        """Parameter ``p``'s gradient is final: into its bucket; start the complete buckets."""
        b, i = self._where[id(p)]
        self._fill(b, i, p.grad, None)
        b.ready += 1
        if b.ready == len(b.params):
            self._launch_ready()
        elif self._reqs:  # let MPI progress the reductions in flight
            _comm._state["MPI"].Request.Testall(self._reqs)

    def _launch_ready(self):
        if not self._overlap:
            return
        n = len(self.buckets)
        while self._next < n - 1:  # the last bucket waits for finish(): nothing after it
            b = self.buckets[self._next]
            if b.ready < len(b.params):
                break
            self._start(b, blocking=False)
            self._next += 1
            self.started_in_backward += 1

    def finish(self):
        """After backward: fill what backward did not reach (zeros for unused parameters),
        reduce the remaining buckets (in order, blocking), wait for the others."""
        if not self._armed:
            return
        self._armed = False
        done = self._done
        for b in self.buckets[self._next:]:  # nothing left to overlap: blocking, in order
            for i, p in enumerate(b.params):
                if id(p) not in done:
                    self._fill(b, i, p.grad, None)
            self._start(b, blocking=True)
        self._next = len(self.buckets)
        if self._reqs:
            with _comm._Watchdog.guard("gradient allreduce"):
                _comm._state["MPI"].Request.Waitall(self._reqs)
            self._reqs = []

    # ---- after the fact ---------------------------------------------------------------------
    def allreduce(self, params, weight=1.0, op="average"):
        """Reduce every parameter's gradient over the ranks, in place (``.grad`` becomes a view
        of its bucket, or stays the array reduced in place).

        Each rank's gradients are scaled by ``weight`` before the sum ('average' divides by the
        number of ranks too). With weight = ranks * local_samples / global_samples, 'average'
        gives exactly the gradient of the mean loss over the global batch, whatever the split.
        """
        self._ensure(params)
        self._reset()
        scale = weight / _comm.size() if op == "average" else weight
        # See Note [in place, last]: every pack first, then the in-place tensors
        direct = [id(b.params[0].grad) for b in self.buckets if b.direct]
        shared = {i for i in direct if direct.count(i) > 1}
        for b in self.buckets:
            if not b.direct:
                for i, p in enumerate(b.params):
                    self._fill(b, i, p.grad, scale)
        for b in self.buckets:
            if b.direct:
                g = b.params[0].grad
                self._fill(b, 0, g.copy() if g is not None and id(g) in shared else g, scale)
        self._armed = True
        self.finish()

    # ---- the pieces -----------------------------------------------------------------------------
    def _fill(self, b, i, g, scale):
        """Put parameter i's gradient ``g`` (None: zeros) into bucket b, scaled by ``scale``."""
        p = b.params[i]
        self._done.add(id(p))
        if b.direct:
            if _reducible_in_place(g, b.dtype):
                if scale is not None and scale != 1.0:
                    g *= b.dtype.type(scale)
                b.buf = p.grad = g
                return
            if b.flat is None:
                b._allocate()
            b.buf = b.flat
        v = b.views[i]
        if g is None:
            v[...] = 0  # a parameter unused this step still joins the sum
        elif scale is not None and scale != 1.0:
            b.xp.multiply(g, b.dtype.type(scale), out=v)
        elif g is not v:
            b.xp.copyto(v, g)
            self.copies += 1
        p.grad = v

    def _start(self, b, blocking):
        buf = b.buf if b.direct else b.flat
        b.buf = buf
        if b.xp is not np:  # CuPy: NCCL enqueues on the stream (asynchronous already)
            _comm.reduce_inplace(buf, "sum")
            return
        MPI = _comm._state["MPI"]
        if blocking:
            with _comm._Watchdog.guard("gradient allreduce"):
                _comm._comm().Allreduce(MPI.IN_PLACE, buf, op=MPI.SUM)
        else:
            self._reqs.append(_comm._comm().Iallreduce(MPI.IN_PLACE, buf, op=MPI.SUM))

    @property
    def total_bytes(self):
        return int(sum(p.data.nbytes for b in self.buckets for p in b.params))


# Note [one step]
# Every rank must start the same collectives in the same order, or MPI mismatches them. The
# buckets are started strictly in index order (a bucket complete before an earlier one waits
# for it, as in DDP), so the order does not depend on the order in which backward finishes the
# gradients, which could differ between ranks whose graphs differ (a layer unused on one rank).
# The last bucket is never started inside backward: it completes with the last gradient, and a
# blocking Allreduce is faster than Iallreduce + Wait with MPICH (its blocking algorithms use
# the shared-memory collectives; the non-blocking ones a schedule of point-to-point messages).
#
# Note [in place, last]
# MPI writes a buffer while its Iallreduce is in flight, so nothing may read a gradient array
# that is being reduced in place. In allreduce() (after backward), two leaves can hold one array
# (backward may hand the same array to both inputs of an op): such direct tensors are copied
# (`shared`); and a packed gradient might be a view into a large array reduced in place, so all
# packs happen first. Inside backward, autograd's hook gives each leaf an array of its own.
def _reducible_in_place(g, dtype):
    """A gradient array MPI may overwrite: the right dtype, contiguous, writable, and owning its
    memory (not a view into something backward may share with another tensor)."""
    return (g is not None and g.dtype == dtype and g.base is None and g.flags.c_contiguous
            and (not isinstance(g, np.ndarray) or g.flags.writeable))
