"""The gradient reduction of ranks that share a machine, through one MPI-3 shared-memory window.

MPI's Allreduce between processes of one machine moves every byte through the library's
shared-memory cells: each rank copies its buffer in, the library adds, each rank copies the
result out, in pipelined pieces (MPICH 5 on a 2-core EPYC: 2.0 ms for LeNet's 3.6 MB of
gradients, 1.8 GB/s). Here the gradients are *written* into shared memory in the first place:

    window   one MPI_Win_allocate_shared on the machine's communicator, (L + 1) regions of S
             floats (L ranks on this machine, S = all of the model's gradient floats):
             region l is local rank l's gradients, region L the sum
    backward the kernels write each gradient straight into its view of this rank's region
             (autograd's gradient outputs, See Note [gradient outputs] in autograd/backward.py)
    finish   barrier; local rank l adds chunk l of the L regions into chunk l of the sum (one
             read of S / L floats per region, one write); barrier; every rank's ``.grad`` is
             now its view of the sum, read in place by the optimizer
    machines with several machines, one rank per machine (its local rank 0) then allreduces the
             sum with the other machines' over MPI, and the machine's ranks wait for it
             (Horovod's hierarchical allreduce)

So a step costs two barriers and one pass over the gradients split across the ranks, instead
of MPI's copies in and out (measured in ``tensorforge bench distributed``). The sum is the same
on every rank (one rank adds each chunk, in rank order), as one process would compute it within
float32 reduction-order rounding, as the MPI path.

Note [shared sum, read only]: every rank's ``.grad`` is a view of the same shared sum, so a rank
writing it in place would change the other ranks' gradients under them; the views are read
only and such a write raises instead. The next step's sum is written only after every rank has
passed that step's first barrier, i.e. has finished the update that read the previous sum.

Note [sharded on the window]: with ``DistributedOptimizer(sharded=True)`` the machine keeps one
copy of the parameters' values and of the optimizer state, in a second window laid out as the
gradients (rows: values, then one per state slot of the optimizer): every rank's ``Tensor.data``
and optimizer state are views of it. A step is then

    finish   barrier; local rank l adds chunk l of the gradients (one machine: no second
             barrier, nobody reads another rank's chunk before the update's barrier; and the
             addition is left to the update's kernel, Note [sum read by the update])
    update   local rank l runs the optimizer's elementwise rule on chunk l of the values and
             the state with chunk l of the sum; barrier; every rank reads the new values

so each rank computes 1/L of the update, nothing is gathered (the values are shared), and the
state is whole at any time (a checkpoint needs no consolidation). An array set in place of a
view (set_weights writes in place; load_model, set_state replace) is taken in chunk by chunk:
each rank copies its own chunk of it, so ranks holding the same values (as after the broadcast
of the initial weights) stay consistent. Several machines: each machine's ranks split the
update of the whole sum among themselves.

Note [sum read by the update]: on one machine the sum of a chunk is read by its own rank
only, by the update, so finish() leaves it to update(): the optimizer's kernel reads the chunk
of two regions and adds them as it goes (Note [update of a sum] in optimizers: RMSprop, Adam)
instead of a pass writing the sum and the update reading it back (2 ranks, LeNet: 0.6 ms of a
~17 ms step, bench/RESULTS.md). With 3+ ranks the first L - 1 regions are summed into the chunk
of the sum row first, in rank order, as before; an optimizer without such a kernel, or with
clipvalue, gets the sum written first. The values are those of the sum written and read back
(Note [two gradients] in csrc/include/tf/optim.h). The ranks' ``.grad`` are then their own
regions' views, not the sum (as with the MPI reduce-scatter of sharded.py). A rank still reads
another rank's region only between the first barrier and the update's barrier, so the next
step's backward, after that barrier, cannot overwrite a region being read.

Note [whole update of two regions]: without sharding every rank runs the whole update, so
every rank needs every chunk of the sum: finish() writes its chunk, a second barrier, then each
rank's update reads the sum. With two ranks on one machine and an optimizer whose kernel reads
two gradients (no clipping), the DistributedOptimizer calls finish_and_update() instead: after
the first barrier each rank's update reads both regions itself (``_apply_arrays(raw2=...)``),
then a barrier, so that no rank's next backward writes a region the other still reads. The same
two barriers, no pass writing the sum (0.6 ms a rank for LeNet), the same float32 sum r0 + r1
as the chunked addition computed; ``.grad`` is then each rank's own region (the sum is not
written). With 3+ ranks each rank would have to add every region itself: the chunked sum stays.

Note [update barrier in the logs' allgather]: fit(distributed=True) exchanges each step's
logs with one allgather right after the step (GlobalBatchLogs), so the sharded update's barrier
and that allgather were two synchronizations in a row with nothing between them that reads the
values. FitPlan asks the optimizer to defer the barrier (``update(defer=True)``): the update
ends with the window's Sync, and the allgather -- which no rank leaves before every rank entered
it, i.e. finished its update -- stands for the barrier (GlobalBatchLogs calls ``synced()``: Sync,
then the values are read). The MPI-3 rule is the usual one: Sync, a synchronizing exchange,
Sync. Should no allgather come (an interrupted epoch), the barrier is paid before the next
batch, at the end of the epoch (FitPlan.epoch_batches) or by the next begin(): one
synchronization a step fewer, nothing read early.

Used by DistributedOptimizer(transport='auto') when every gradient is a float32/float64 NumPy
array of one dtype and more than one rank shares this machine; CuPy gradients (NCCL), ranks
alone on their machine and the explicit bucket options stay with fusion.GradientBuckets.
"""
import numpy as np

from .. import autograd as _autograd
from . import _comm
from .fusion import ParamLayout
from .sharded import update_shard

_ALIGN = 16  # chunk bounds on 64-byte lines: two ranks never write one cache line


def usable(params, extra_rows=0):
    """True when the gradients of ``params`` go through shared windows: on every rank they are
    NumPy arrays of one float dtype, and at least one machine runs several ranks. A collective
    (every rank must take the same transport, or the ranks' collectives would not match).
    ``extra_rows``: the rows of the values-and-state window of a sharded update."""
    dtypes = {p.data.dtype for p in params}
    mine = bool(params) and all(type(p.data) is np.ndarray for p in params) and len(
        dtypes) == 1 and dtypes.pop() in (np.float32, np.float64)
    if mine:  # the window must fit in the machine's shared memory, with room to spare
        need = (_comm.local_size() + 1 + extra_rows) * sum(p.data.nbytes for p in params)
        mine = need <= _shm_free_bytes() // 2
    votes = _comm.gather_small([float(mine), float(_comm.local_size())])
    return bool(votes[:, 0].all() and votes[:, 1].max() > 1)


def _shm_free_bytes():
    """Free bytes of /dev/shm (where MPI libraries map shared windows on Linux); unknown: 0."""
    import os
    try:
        st = os.statvfs("/dev/shm")
    except (OSError, AttributeError):
        return 0
    return st.f_bavail * st.f_frsize


class SharedMemoryBuckets(ParamLayout):
    """The interface of fusion.GradientBuckets (begin / grad_ready / finish / allreduce),
    reducing through a shared-memory window per machine (module docstring)."""

    def __init__(self, local=None, sharded=False):
        self._local_given = local  # tests: another split of the ranks into "machines"
        self.sharded = sharded     # See Note [sharded on the window]
        self._shared = None        # the values-and-state window and its views (_SharedValues)
        self._params = self._ids = None
        self._win = self._leaders = None
        self._machines = False
        self.buckets = []          # one window, no buckets (bench / tests read len())
        self._targets = {}         # id(param) -> its view of this rank's region
        self._sums = {}            # id(param) -> its (read-only) view of the sum
        self._regions = None       # the window's rows: the L regions, then the sum
        self._views = []           # [region][parameter index]: views (finish_and_update)
        self._done = set()
        self._armed = False
        self._deferred = False     # the sum left to the update (Note [sum read by the update])
        self.copies = 0            # gradients copied into a view, not written there (tests)
        self.deferred = 0          # updates whose barrier a later collective paid (tests)
        self._owed = None          # the values window whose update barrier a later collective
        #                            pays (See Note [update barrier in the logs' allgather])

    # ---- layout -----------------------------------------------------------------------------
    def _build(self, params):
        MPI = _comm._state["MPI"]
        self.close()
        local = self._local_given or _comm._state["local"]
        world = _comm._comm()
        L, me = local.Get_size(), local.Get_rank()
        dtype = params[0].data.dtype
        sizes = [int(p.data.size) for p in params]
        S = -(-sum(sizes) // _ALIGN) * _ALIGN
        nbytes = (L + 1) * S * dtype.itemsize
        with _comm._Watchdog.guard("shared-memory window"):
            win = MPI.Win.Allocate_shared(nbytes if me == 0 else 0, dtype.itemsize, comm=local)
        buf, _ = win.Shared_query(0)
        regions = np.frombuffer(buf, dtype=dtype, count=(L + 1) * S).reshape(L + 1, S)
        win.Lock_all(MPI.MODE_NOCHECK)  # one passive epoch for the window's life; Sync orders
        self._win, self._local, self._regions = win, local, regions
        self._lo = (S * me // L) // _ALIGN * _ALIGN
        self._hi = S if me == L - 1 else (S * (me + 1) // L) // _ALIGN * _ALIGN
        # several machines: their local ranks 0 allreduce the sums (Horovod's hierarchy); a
        # collective on every rank of the job, the others get COMM_NULL
        self._machines = world.Get_size() > L
        self._leaders = None
        if self._machines:
            leaders = world.Split(0 if me == 0 else MPI.UNDEFINED, world.Get_rank())
            self._leaders = leaders if me == 0 else None
        mine, total = regions[me], regions[L]
        self._targets, self._sums, o = {}, {}, 0
        self._spans = []
        self._views = [[] for _ in range(L)]  # each region's view of each parameter, in order
        for p, n in zip(params, sizes):
            self._spans.append((p, o, n))
            for k in range(L):
                self._views[k].append(regions[k, o:o + n].reshape(p.data.shape))
            self._targets[id(p)] = mine[o:o + n].reshape(p.data.shape)
            s = total[o:o + n].reshape(p.data.shape)
            s.flags.writeable = False  # See Note [shared sum, read only]
            self._sums[id(p)] = s
            o += n
        self._params, self._ids = params, [id(p) for p in params]


    def close(self):
        """Free the windows (a collective on the machine's ranks)."""
        if self._shared is not None:
            self._shared.close()
            self._shared = None
        if self._win is not None:
            self._win.Unlock_all()
            self._win.Free()
            if self._leaders is not None:
                self._leaders.Free()
            self._win = self._leaders = self._regions = None
            self._targets, self._sums, self._params, self._ids = {}, {}, None, None
            self._views = []

    # ---- the step ------------------------------------------------------------------------------
    def begin(self, params, scale, arm=True):
        """As GradientBuckets.begin: arm backward to write into this rank's region."""
        self.settle()  # (a step whose owed barrier nobody paid: an interrupted fit)
        self._ensure(params)
        self._done.clear()
        self._armed = True
        if arm:
            _autograd.on_grad_ready(params, self.grad_ready, self._targets)
        return scale

    def grad_ready(self, p):
        self._fill(p, p.grad, None)

    def _fill_unreached(self):
        for p in self._params:
            if id(p) not in self._done:
                self._fill(p, p.grad, None)

    def finish(self):
        """Fill what backward did not reach (zeros for unused parameters), reduce."""
        if not self._armed:
            return
        self._armed = False
        self._fill_unreached()
        self._reduce()
        grads = self._targets if self._deferred else self._sums  # See Note [sum read by the update]
        for p in self._params:
            p.grad = grads[id(p)]

    def reads_two_regions(self, opt):
        """True when ``opt``'s whole update can read this machine's two ranks' regions itself
        (See Note [whole update of two regions]): 2 ranks on one machine, no clipping, a
        kernel for it, and the plain Optimizer step (no override of the update loop)."""
        from ..optimizers import Optimizer
        return (not self._machines and self._regions is not None and self._regions.shape[0] == 3
                and opt.clipnorm is None and opt.clipvalue is None and opt.global_clipnorm is None
                and type(opt)._apply_arrays is Optimizer._apply_arrays
                and opt._native_update_sum(0.0) is not None)

    def finish_and_update(self, opt):
        """finish() and ``opt``'s whole update of every parameter, reading the two regions (See
        Note [whole update of two regions]); the caller checked reads_two_regions(opt)."""
        if not self._armed:
            return
        self._armed = False
        self._fill_unreached()
        self._reduce(defer=True)
        self._deferred = False
        for p in self._params:
            p.grad = self._targets[id(p)]
        try:
            opt._apply_arrays(list(self._params), self._views[0], checked=True,
                              raw2=self._views[1])
        finally:
            with _comm._Watchdog.guard("gradient allreduce"):
                self._win.Sync()
                self._local.Barrier()  # no rank reads a region any more: the next step may write
                self._win.Sync()

    def allreduce(self, params, weight=1.0, op="average"):
        """As GradientBuckets.allreduce: gradients computed elsewhere, scaled and summed."""
        self._ensure(params)
        self._done.clear()
        scale = weight / _comm.size() if op == "average" else weight
        for p in params:
            self._fill(p, p.grad, scale)
        self._armed = True
        self.finish()

    def _fill(self, p, g, scale):
        self._done.add(id(p))
        v = self._targets[id(p)]
        if g is None:
            v[...] = 0  # a parameter unused this step still joins the sum
        elif scale is not None and scale != 1.0:
            np.multiply(g, v.dtype.type(scale), out=v)
        elif g is not v:
            np.copyto(v, g)
            self.copies += 1
        p.grad = v

    def _reduce(self, defer=False):
        win, local, R = self._win, self._local, self._regions
        L, lo, hi = R.shape[0] - 1, self._lo, self._hi
        with _comm._Watchdog.guard("gradient allreduce"):
            win.Sync()
            local.Barrier()  # every rank's region is written
            win.Sync()
            self._deferred = (self.sharded or defer) and not self._machines and L > 1
            if self._deferred:  # the update reads the regions (Note [sum read by the update])
                return
            out = R[L, lo:hi]
            if L == 1:  # alone on this machine (several machines): the sum is this region
                np.copyto(out, R[0, lo:hi])
            else:
                np.add(R[0, lo:hi], R[1, lo:hi], out=out)
            for k in range(2, L):
                np.add(out, R[k, lo:hi], out=out)
            win.Sync()
            if not (self.sharded and not self._machines):  # See Note [sharded on the window]
                local.Barrier()  # the machine's sum is complete
            if self._leaders is not None:
                MPI = _comm._state["MPI"]
                self._leaders.Allreduce(MPI.IN_PLACE, R[L], op=MPI.SUM)
                win.Sync()
            if self._machines:
                local.Barrier()  # the other machines' sums are in
            win.Sync()

    # ---- the sharded update ------------------------------------------------------------------
    def update(self, opt, defer=False):
        """After finish(): this rank's chunk of ``opt``'s elementwise update on the shared values
        and state, then a barrier (See Note [sharded on the window]); ``defer``: the barrier is
        owed, paid by the caller's next collective (``synced()``) or ``settle()`` (See Note
        [update barrier in the logs' allgather])."""
        if self._shared is None or self._shared.opt is not opt:
            if self._shared is not None:
                self._shared.close()
            self._shared = _SharedValues(self, opt)
        sv, lo, hi = self._shared, self._lo, self._hi
        sv.take_in()
        R = self._regions
        L, out = R.shape[0] - 1, R[-1, lo:hi]
        if self._deferred:  # See Note [sum read by the update]
            self._deferred = False
            g, g2 = R[0, lo:hi], R[1, lo:hi]
            if L > 2:  # the first L - 1 regions summed in rank order, the last one read
                g = np.add(g, g2, out=out)
                for k in range(2, L - 1):
                    np.add(out, R[k, lo:hi], out=out)
                g2 = R[L - 1, lo:hi]
            update_shard(opt, sv.values, g, sv.state, lo, hi, grad2=g2, out=out)
        else:
            update_shard(opt, sv.values, out, sv.state, lo, hi)
        if defer:
            sv.win.Sync()
            self._owed = sv
            self.deferred += 1
            return
        with _comm._Watchdog.guard("sharded update"):
            sv.win.Sync()
            self._local.Barrier()  # every chunk of the values is updated
            sv.win.Sync()
        sv.bind()

    def holds(self, opt, weights):
        """True when every tensor of ``weights`` and ``opt``'s state of it are views of this
        machine's one shared copy (Note [sharded on the window]) and every rank of the job is on
        this machine: every rank holds them already, bit for bit, being the same memory (See
        Note [no broadcast of shared weights] in callbacks.py)."""
        sv = self._shared
        if sv is None or sv.opt is not opt or self._machines:
            return False
        for w in weights:
            v, st = sv.views.get(id(w)), opt._state.get(id(w))
            if v is None or w.data is not v or st is None or not all(
                    x is y for x, y in zip(st[1:], sv.state_views[id(w)])):
                return False
        return True

    def synced(self):
        """Every rank of the job passed a collective after its deferred update (the logs'
        allgather): the values are complete, this rank may read them."""
        sv, self._owed = self._owed, None
        if sv is not None:
            sv.win.Sync()
            sv.bind()

    def settle(self):
        """Pay a deferred update's barrier, if one is owed."""
        if self._owed is not None:
            with _comm._Watchdog.guard("sharded update"):
                self._local.Barrier()  # every chunk of the values is updated
            self.synced()


class _SharedValues:
    """The machine's one copy of the parameters' values and of ``opt``'s state: a window of
    (1 + slots) rows laid out as the gradients' regions, and each parameter's views of it."""

    def __init__(self, buckets, opt):
        MPI = _comm._state["MPI"]
        self.buckets, self.opt = buckets, opt
        S, dtype = buckets._regions.shape[1], buckets._regions.dtype
        proto = opt._init_state(np.zeros(1, dtype))
        slots = [i for i, s in enumerate(proto) if s is not None]
        local = buckets._local
        rows = 1 + len(slots)
        with _comm._Watchdog.guard("shared-memory window"):
            win = MPI.Win.Allocate_shared(rows * S * dtype.itemsize if local.Get_rank() == 0
                                          else 0, dtype.itemsize, comm=local)
        buf, _ = win.Shared_query(0)
        flat = np.frombuffer(buf, dtype=dtype, count=rows * S).reshape(rows, S)
        win.Lock_all(MPI.MODE_NOCHECK)
        self.win, self.values = win, flat[0]
        self.state = tuple(flat[1 + slots.index(i)] if i in slots else None
                           for i in range(len(proto)))
        self.views, self.state_views = {}, {}
        self._taken = None  # (param, id, its view, its registered state) after a take_in
        for p, o, n in buckets._spans:
            self.views[id(p)] = self.values[o:o + n].reshape(p.data.shape)
            self.state_views[id(p)] = tuple(None if s is None else s[o:o + n].reshape(p.data.shape)
                                            for s in self.state)

    def take_in(self):
        """Each parameter's values and optimizer state that are not views of the window (the
        first step, or replaced since): this rank's chunk of them into the window."""
        b, opt = self.buckets, self.opt
        st_all, taken = opt._state, self._taken
        if taken is not None and all(p.data is v and st_all.get(k) is t for p, k, v, t in taken):
            return  # nothing replaced since the last call: every step but the first
        lo, hi = b._lo, b._hi
        for p, o, n in b._spans:
            a, z = max(lo, o), min(hi, o + n)
            if p.data is not self.views[id(p)] and a < z:
                self.values[a:z] = p.data.reshape(-1)[a - o:z - o]
            mine = self.state_views[id(p)]
            st = opt._state.get(id(p))
            if st is not None and all(x is y for x, y in zip(st[1:], mine)):
                continue
            if a < z:
                src = (opt._init_state(self.values[a:z]) if st is None else
                       tuple(None if x is None else x.reshape(-1)[a - o:z - o] for x in st[1:]))
                for s, x in zip(self.state, src):
                    if s is not None and x is not None:
                        s[a:z] = x
            opt._state[id(p)] = (p,) + mine
        self._taken = tuple((p, id(p), self.views[id(p)], st_all[id(p)]) for p, _, _ in b._spans)

    def bind(self):
        """Every parameter's ``.data`` is its view of the shared values (after the barrier)."""
        for p, _, _ in self.buckets._spans:
            v = self.views[id(p)]
            if p.data is not v:
                p.data = v

    def close(self):
        """Copies for whatever still views the window, then free it (a collective)."""
        for p, _, _ in self.buckets._spans:
            if p.data is self.views[id(p)]:
                p.data = p.data.copy()
            st = self.opt._state.get(id(p))
            if st is not None:
                self.opt._state[id(p)] = (p,) + tuple(None if x is None else x.copy()
                                                      for x in st[1:])
        self.win.Unlock_all()
        self.win.Free()
