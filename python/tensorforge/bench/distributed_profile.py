"""``tensorforge bench distributed --profile``: where a data-parallel training step's time goes.

For LeNet (the zoo model, 1 kernel thread per process) the same training loop runs as

    1 process, batch 32        the reference (no MPI)
    1 process, batch 16        one rank's share of the work, alone on the machine
    2 ranks, 16 each           fit(distributed=True), global batch 32 (the default transport:
                               the shared-memory window on one machine, shm.py; since dist5
                               its default sharded update, Note [sharded by default on one
                               machine] in distributed/optimizer.py)
    2 ranks, sharded update    the same with DistributedOptimizer(sharded=True)

and every rank times each step's phases, by the wall clock and by its own CPU time
(``time.thread_time``: what it computed, not the time it waited for a core):

    forward    batch start -> backward seeded (forward, the loss, the batch metrics)
    backward   backward, the gradients written into their views (hooks included)
    reduce     the gradient reduction (``finish()``), less its barrier waits (none left where
               the update reads the ranks' regions itself, Notes [sum read by the update] and
               [whole update of two regions] in distributed/shm.py: it is then 'update')
    wait       the barriers' wall time inside the reduction and the sharded update: the rank
               waiting for the other to arrive (MPI spins, so it counts as CPU time too)
    update     the optimizer step (the wrapped update, or this rank's chunk of it), less waits
    logs       the batch logs' collective (GlobalBatchLogs: every rank gets the global loss and
               metrics), which holds a rank until the other's step is done too
    other      the rest of the step (callbacks, the loop, the logs' allreduce of the loss)

Every job trains through the compiled step where it applies (engine/compiled_step.py: LeNet
does), as the benchmark's jobs do; one process's compiled step has no hook between forward and
backward, so its 'forward' reads 0 and 'backward' is both. Since dist6 the sharded update's
closing barrier is paid by the logs' allgather (Note [update barrier in the logs' allgather]
in distributed/shm.py): its wait shows under 'logs'.

plus the CPU time of every native kernel (the kernel timers of ``bench train --profile`` with
``thread_time``). "rank alone vs beside" is the 1-process batch-16 kernel CPU time against the
same kernels in a rank of the 2-rank job: the cost of the two ranks sharing the memory system.
Each figure is the median over the timed steps of one rank; rank 0 prints all ranks.
"""
import json
import os
import statistics
import time

PHASES = ("forward", "backward", "reduce", "wait", "update", "logs", "other", "step")
STEPS, WARMUP = 60, 8


class _Clock:
    """Marks of (wall, cpu) and per-phase accumulators for the current step."""

    def __init__(self):
        self.cur = {k: [0.0, 0.0] for k in PHASES}
        self.steps = []
        self.mark = None
        self.step0 = None

    @staticmethod
    def now():
        return time.perf_counter(), time.thread_time()

    def add(self, phase, t0, t1):
        c = self.cur[phase]
        c[0] += t1[0] - t0[0]
        c[1] += t1[1] - t0[1]

    def begin_step(self):
        t = self.now()
        if self.step0 is not None:
            self.add("step", self.step0, t)
            acc = sum(self.cur[k][0] for k in PHASES[:-2])
            accc = sum(self.cur[k][1] for k in PHASES[:-2])
            self.cur["other"] = [self.cur["step"][0] - acc, self.cur["step"][1] - accc]
            self.steps.append(self.cur)
        self.cur = {k: [0.0, 0.0] for k in PHASES}
        self.step0 = self.mark = t


class _TimedComm:
    """The machine's communicator with Barrier timed as 'wait' (everything else forwarded)."""

    def __init__(self, comm, clock):
        self._c, self._clock = comm, clock

    def Barrier(self):
        t0 = self._clock.now()
        self._c.Barrier()
        self._clock.add("wait", t0, self._clock.now())

    def __getattr__(self, k):
        return getattr(self._c, k)


def _instrument(model, clock):
    """Wrap the optimizer's hooks (instance attributes: the class stays the Keras one). The
    compiled step (engine/compiled_step.py) runs where the general one would: a plain
    optimizer's step there has no hook between forward and backward (its 'backward' is both,
    its 'update' the _apply_arrays call); a DistributedOptimizer's has compiled_step_begin."""
    opt = model.optimizer
    pre = getattr(opt, "before_backward", None)
    begin = getattr(opt, "compiled_step_begin", None)
    if pre is None:  # one process: an instance before_backward would refuse the compiled step
        arrays = opt._apply_arrays

        def apply_arrays(params, grads, checked=False, **kw):
            t = clock.now()
            clock.add("backward", clock.mark, t)
            out = arrays(params, grads, checked, **kw)
            clock.mark = t1 = clock.now()
            clock.add("update", t, t1)
            return out
        opt._apply_arrays = apply_arrays
        return

    def before_backward(params, loss):
        t = clock.now()
        clock.add("forward", clock.mark, t)
        out = pre(params, loss)
        clock.mark = t
        return out

    def compiled_step_begin(params):
        t = clock.now()
        clock.add("forward", clock.mark, t)
        out = begin(params)
        clock.mark = t
        return out

    if begin is not None:
        opt.compiled_step_begin = compiled_step_begin
    apply = opt.apply_gradients

    def apply_gradients(params):
        t = clock.now()
        clock.add("backward", clock.mark, t)
        b = opt.__dict__.get("_dist_buckets")
        if b is not None and not getattr(b, "_profiled", False):
            _wrap_buckets(b, clock)
        w0 = clock.cur["wait"][:]
        out = apply(params)
        t1 = clock.now()
        clock.add("update", t, t1)
        # the reduction (timed inside finish) and the waits are not update
        for i in (0, 1):
            clock.cur["update"][i] -= clock.cur["reduce"][i] + clock.cur["wait"][i] - w0[i]
        clock.mark = t1
        return out

    opt.before_backward = before_backward
    opt.apply_gradients = apply_gradients


def _wrap_buckets(b, clock):
    b._profiled = True
    finish = b.finish

    def timed_finish():
        t0 = clock.now()
        w0 = clock.cur["wait"][:]
        finish()
        t1 = clock.now()
        clock.add("reduce", t0, t1)
        for i in (0, 1):
            clock.cur["reduce"][i] -= clock.cur["wait"][i] - w0[i]

    b.finish = timed_finish
    if hasattr(b, "_local"):  # the shared-memory window: its barriers are the waits
        b._local = _TimedComm(b._local, clock)


def _time_logs(clock):
    """The logs' small collectives (_comm.gather_small) timed as 'logs'."""
    from tensorforge.distributed import _comm
    gather = _comm.gather_small

    def timed(vec):
        t0 = clock.now()
        out = gather(vec)
        clock.add("logs", t0, clock.now())
        return out
    _comm.gather_small = timed


def _kernel_cpu_timers():
    """Every native kernel wrapped in a thread_time pair: {op: [calls, cpu seconds]}."""
    from tensorforge import _native, backend
    stats, wrapped = {}, {}
    for op, impls in backend._table.items():
        fn = impls.get("cpu")
        if fn is None or getattr(fn, "__module__", None) != getattr(_native._C, "__name__", "?"):
            continue

        def timed(*a, _fn=fn, _st=stats.setdefault(op, [0, 0.0]), _tt=time.thread_time, **k):
            t0 = _tt()
            out = _fn(*a, **k)
            _st[1] += _tt() - t0
            _st[0] += 1
            return out
        timed.__module__ = fn.__module__
        wrapped[op] = timed
    for op, f in wrapped.items():
        backend.register(op, "cpu", f)
    return stats


def pair_barrier(folder, r, timeout=120.0):
    """Two plain processes timed together (``bench distributed --ceiling``, the 2p_b16 job of
    bench/dist_profile_ab.py) start round ``r`` together, as ranks do at a barrier: each leaves
    a file in ``folder`` and waits for the other's (no MPI in these processes). Defined here so
    that dist_profile_ab.py, which loads this file into older builds' packages, has it too."""
    open(os.path.join(folder, f"r{r}.{os.getpid()}"), "w").close()
    t_end = time.monotonic() + timeout
    while sum(f.startswith(f"r{r}.") for f in os.listdir(folder)) < 2:
        if time.monotonic() > t_end:
            raise RuntimeError(f"bench distributed: the other plain process did not reach "
                               f"round {r} within {timeout:g} s")
        time.sleep(0.0002)


def job_profile(name, distributed, sharded, batch, whole=False):
    import tensorforge as tf
    from tensorforge.utils import set_random_seed
    from ._dist_models import build as _build, data as _data
    tf.set_num_threads(1)
    if distributed:
        import tensorforge.distributed as tfd
        tfd.init(threads=1, timeout=300)
    set_random_seed(0)
    model = _build(name)
    if distributed and (sharded or whole):  # (fit's default: sharded on one machine's window)
        model.optimizer = tfd.DistributedOptimizer(model.optimizer, sharded=bool(sharded))
    n_ranks = tfd.size() if distributed else 1
    gbatch = batch * n_ranks
    x, y = _data((WARMUP + STEPS) * gbatch)
    kw = dict(batch_size=gbatch, epochs=1, verbose=0, shuffle=False, distributed=distributed)
    model.fit(x[:WARMUP * gbatch], y[:WARMUP * gbatch], **kw)  # wraps the optimizer, warms up
    clock = _Clock()
    _instrument(model, clock)
    if distributed:
        _time_logs(clock)
    stats = _kernel_cpu_timers()

    class Marks(tf.callbacks.Callback):
        def on_train_batch_begin(self, b, logs=None):
            clock.begin_step()

        def on_train_end(self, logs=None):
            clock.begin_step()

    for k in stats:
        stats[k][:] = [0, 0.0]
    if distributed:
        tfd.barrier()
    elif os.environ.get("TENSORFORGE_BENCH_PAIR_DIR"):  # one of two plain processes timed
        pair_barrier(os.environ["TENSORFORGE_BENCH_PAIR_DIR"], 0)  # (bench/dist_profile_ab.py)
    model.fit(x[WARMUP * gbatch:], y[WARMUP * gbatch:], callbacks=[Marks()], **kw)
    steps = clock.steps[1:]  # the first closes on the fit's setup
    res = {"rank": tfd.rank() if distributed else 0, "ranks": n_ranks, "batch": batch,
           "sharded": bool(sharded), "steps": len(steps),
           "wall_ms": {k: 1e3 * statistics.median(s[k][0] for s in steps) for k in PHASES},
           "cpu_ms": {k: 1e3 * statistics.median(s[k][1] for s in steps) for k in PHASES},
           "kernels_cpu_ms": {op: 1e3 * t / len(steps) for op, (c, t) in stats.items() if c},
           "mpi": tfd.mpi_library_version() if distributed else "none"}
    if distributed:
        every = tfd.allgather_object(res)
        return every if tfd.rank() == 0 else None
    return [res]


def run(args, launch, table):
    """The four jobs, ``--repeat`` rounds back to back; one table of phases per job and round,
    then the kernels."""
    jobs = [("1 process, b32", 0, [32]), ("1 process, b16", 0, [16]),
            ("2 ranks x b16", 2, [16, "--distributed"]),
            ("2 ranks x b16, sharded", 2, [16, "--distributed", "--sharded"])]
    repeat = max(1, int(getattr(args, "repeat", 1) or 1))
    out, kern = [], {}
    mpi = "?"
    for rnd in range(repeat):
        rows = []
        for label, n, flags in jobs:
            res = launch(n, ["profile", "lenet"] + [str(f) for f in flags])["ranks"]
            for r in res:
                mpi = r["mpi"] if n else mpi
                for unit in ("wall", "cpu"):
                    ph = r[unit + "_ms"]
                    rows.append([label, r["rank"], unit] + [ph[k] for k in PHASES])
                kern.setdefault((label, r["rank"]), []).append(r["kernels_cpu_ms"])
        out.append(f"round {rnd + 1}: ms per step, median over {STEPS} steps")
        out.append(table(["job", "rank", "clock"] + list(PHASES), rows))
    ops = sorted({op for ks in kern.values() for k in ks for op in k},
                 key=lambda op: -max(k.get(op, 0) for ks in kern.values() for k in ks))[:8]
    rows = [[label, rank] + [statistics.median(k.get(op, 0.0) for k in ks) for op in ops]
            for (label, rank), ks in kern.items()]
    out.append("native kernels, CPU ms per step (thread_time), median over the rounds")
    out.append(table(["job", "rank"] + ops, rows))
    out.insert(0, f"# {mpi}; LeNet, 1 kernel thread per process; wait = barrier wall time "
                  "inside the reduction / sharded update (MPI spins: CPU too)")
    return "\n".join(out)


def main(argv):
    """``profile NAME BATCH [--distributed] [--sharded | --unsharded]`` (one process per rank;
    --unsharded: DistributedOptimizer(sharded=False), every rank's whole update)."""
    res = job_profile(argv[1], "--distributed" in argv, "--sharded" in argv, int(argv[2]),
                      "--unsharded" in argv)
    if res is not None:
        print(json.dumps({"ranks": res}), flush=True)  # (the launcher reads a {...} line)
