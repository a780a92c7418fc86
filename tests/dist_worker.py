"""One rank of the jobs tests/test_distributed.py launches under mpiexec (not a test module).

    python dist_worker.py train OUT [--plain] [--shuffle] [--epochs E] [--sharded] [--onehot]
        [--general]
    python dist_worker.py checkpoint CKPT OUT [--sharded [--transport T]]
    python dist_worker.py resume CKPT OUT --epochs E [--sharded [--transport T]]  (continues CKPT from its epoch)
    python dist_worker.py metrics OUT [--plain]   (AUC, Precision, ... over the ranks)
    python dist_worker.py fault raise|hang|nan|backward OUT
    python dist_worker.py horovod OUT     (collectives, then Horovod-style fit on own shards)
    python dist_worker.py refit OUT [--always-copy]   (fits in a row: the broadcast skipped)

Data: 61 synthetic 6x6 images whose class depends on the image (a model can learn it), global
batch 15: batches of 15, 15, 15, 15 and 1 samples, so 2 and 3 ranks get uneven shares and, on
the last batch, ranks with no sample at all. Model: Conv2D(4, 3x3) relu -> Flatten ->
Dense(3) softmax, SGD (--opt: RMSprop, Adam). Each rank writes OUT.rank<r>.npz with its final weights and history.
"""
import argparse
import sys
import time

import numpy as np

N_SAMPLES, BATCH, SEED = 61, 15, 1234


def data():
    rs = np.random.RandomState(0)
    x = rs.rand(N_SAMPLES, 6, 6, 1).astype(np.float32)
    y = (x[:, :3, :, 0].mean(axis=(1, 2)) * 3 + x[:, 3:, :3, 0].mean(axis=(1, 2)) * 2).astype(int) % 3
    return x, y


def model(momentum=0.0, opt="sgd", loss="sparse_categorical_crossentropy"):
    from tensorforge.layers import Conv2D, Dense, Flatten
    from tensorforge.models import Sequential
    from tensorforge.optimizers import SGD, Adam
    from tensorforge.optimizers.legacy import RMSprop  # the fused native kernel (Note [RMSprop epsilon])
    m = Sequential([Conv2D(4, (3, 3), activation="relu", input_shape=(6, 6, 1)), Flatten(),
                    Dense(3, activation="softmax")])
    opt = {"rmsprop": lambda: RMSprop(0.01), "adam": lambda: Adam(0.01),
           "sgd": lambda: SGD(0.5, momentum=momentum)}[opt]()
    m.compile(optimizer=opt, loss=loss, metrics=["accuracy"])
    return m


def save(out, m, hist, extra=None):
    import tensorforge.distributed as tfd
    r = tfd.rank() if tfd.is_initialized() else 0
    n = tfd.size() if tfd.is_initialized() else 1
    arrays = {f"w{i}": w for i, w in enumerate(m.get_weights())}
    for k, v in (hist.history if hist is not None else {}).items():
        arrays["h_" + k] = np.asarray(v, np.float64)
    arrays["size"] = np.asarray(n)
    arrays.update(extra or {})
    np.savez(f"{out}.rank{r}.npz", **arrays)


def cmd_train(a):
    from tensorforge.utils import set_random_seed
    if not a.plain:
        import tensorforge.distributed as tfd
        tfd.init(timeout=60)
        # ranks > 0 start from other weights: the initial broadcast must make them rank 0's
        set_random_seed(SEED if tfd.rank() == 0 else SEED + 7 * tfd.rank())
    else:
        set_random_seed(SEED)
    x, y = data()
    if a.onehot:  # one-hot targets: the compiled training step applies (engine/compiled_step.py)
        y = np.eye(3, dtype=np.float32)[y]
    m = model(opt=a.opt, loss="categorical_crossentropy" if a.onehot else
              "sparse_categorical_crossentropy")
    if a.bucket_bytes:  # several buckets, started inside backward (Iallreduce), one in place
        m.optimizer = tfd.DistributedOptimizer(m.optimizer, bucket_bytes=a.bucket_bytes,
                                               direct_bytes=a.direct_bytes, transport="mpi")
    elif a.transport != "auto" or a.sharded or a.unsharded:  # the other reducers (shm.py /
        m.optimizer = tfd.DistributedOptimizer(  # fusion.py / sharded.py); else fit's default
            m.optimizer, transport=a.transport, sharded=a.sharded or (not a.unsharded and "auto"))
    if a.machines:  # the hierarchical reduction: local sums, then one rank per "machine"
        from mpi4py import MPI
        from tensorforge.distributed.shm import SharedMemoryBuckets
        local = MPI.COMM_WORLD.Split(tfd.rank() % a.machines, tfd.rank())
        m.optimizer = tfd.DistributedOptimizer(m.optimizer, transport="shm", sharded=a.sharded)
        m.optimizer._dist_buckets = SharedMemoryBuckets(local=local, sharded=a.sharded)
    fused = [0]  # kernel calls that read two gradient regions (Notes [sum read by the update],
    if a.opt != "sgd" and not a.plain:  # [whole update of two regions] in shm.py)
        # as fit(distributed=True) wraps it; itself when wrapped already
        m.optimizer = tfd.DistributedOptimizer(m.optimizer, sharded="auto")
        opt, fn = m.optimizer, type(m.optimizer)._native_update_sum

        def counted(lr):
            step = None if a.sum_written else fn(opt, lr)
            if step is None:
                return None

            def counted_step(*args):
                step(*args)
                fused[0] += 1
            return counted_step
        opt._native_update_sum = counted
    compiled = [0]  # steps of the compiled training step (Note [compiled step, distributed])
    if not a.plain:
        m.optimizer = tfd.DistributedOptimizer(m.optimizer, sharded="auto")  # (fit's wrapping)
        begin = m.optimizer.compiled_step_begin

        def counted_begin(params):
            compiled[0] += 1
            return begin(params)
        # --general: no compiled_step_begin, the compiled step refuses the optimizer
        m.optimizer.compiled_step_begin = None if a.general else counted_begin
    w0 = {f"init{i}": w for i, w in enumerate(m.get_weights())}
    from tensorforge.callbacks import LambdaCallback
    batch_keys = set()  # the keys of fit's batch logs (tf_keras': the loss and metrics alone)
    keys_cb = LambdaCallback(on_batch_end=lambda b, logs: batch_keys.update(logs))
    hist = m.fit(x, y, batch_size=BATCH, epochs=a.epochs, shuffle=a.shuffle, verbose=0,
                 distributed=not a.plain, callbacks=[keys_cb])
    ev = m.evaluate(x, y, batch_size=8, verbose=0, distributed=not a.plain)
    extra = dict(w0, evaluate=np.asarray(ev, np.float64), fused=np.asarray(fused[0]),
                 compiled=np.asarray(compiled[0]), batch_keys=np.asarray(sorted(batch_keys)))
    if not a.plain:  # gradients the kernels did not write into their bucket views
        used = m.optimizer._dist_buckets  # None: one rank, nothing was reduced
        extra["copies"] = np.asarray(used.copies if used is not None else 0)
        extra["transport"] = np.asarray(type(used).__name__)
        extra["sharded"] = np.asarray(m.optimizer._dist_sharded is not None)
        extra["deferred"] = np.asarray(getattr(used, "deferred", 0))  # (None: 0)
    if a.bucket_bytes:
        fused = m.optimizer._dist_buckets
        extra["layout"] = np.asarray([bk.direct for bk in fused.buckets], np.int64)
        extra["started_in_backward"] = np.asarray(fused.started_in_backward)
    save(a.out, m, hist, extra)


def cmd_checkpoint(a):
    """Train epoch 1 on this many ranks; ModelCheckpoint (rank 0 writes) saves the model."""
    import tensorforge.distributed as tfd
    from tensorforge.callbacks import ModelCheckpoint
    from tensorforge.utils import set_random_seed
    tfd.init(timeout=60)
    set_random_seed(SEED)
    x, y = data()
    m = model(momentum=0.9)
    if a.sharded:
        m.optimizer = tfd.DistributedOptimizer(m.optimizer, sharded=True, transport=a.transport)
    hist = m.fit(x, y, batch_size=BATCH, epochs=1, distributed=True, verbose=0,
                 callbacks=[ModelCheckpoint(a.ckpt, save_best_only=False, monitor="loss")])
    save(a.out, m, hist)


def cmd_resume(a):
    """Load the checkpoint (every rank reads it) and train epochs 2..E on this many ranks."""
    import tensorforge.distributed as tfd
    from tensorforge.models import load_model
    from tensorforge.utils import set_random_seed
    tfd.init(timeout=60)
    set_random_seed(SEED)
    x, y = data()
    m = load_model(a.ckpt)
    if a.sharded:
        m.optimizer = tfd.DistributedOptimizer(m.optimizer, sharded=True, transport=a.transport)
    hist = m.fit(x, y, batch_size=BATCH, epochs=a.epochs, initial_epoch=1, distributed=True,
                 verbose=0)
    save(a.out, m, hist, {"iterations": np.asarray(m.optimizer.iterations)})


def cmd_fault(a):
    import tensorforge.distributed as tfd
    from tensorforge.callbacks import LambdaCallback, TerminateOnNaN
    from tensorforge.utils import set_random_seed
    tfd.init(timeout=10 if a.kind == "hang" else 60)
    set_random_seed(SEED)
    x, y = data()
    m = model()
    cbs = []
    if a.kind == "raise":
        def boom(batch, logs):
            if tfd.rank() == 1 and batch == 2:
                raise ValueError("bad batch on purpose")
        cbs.append(LambdaCallback(on_batch_end=boom))
    elif a.kind == "hang":
        def stall(batch, logs):
            if tfd.rank() == 1 and batch == 1:
                time.sleep(120)  # neither raises nor joins the next collective
        cbs.append(LambdaCallback(on_batch_end=stall))
    elif a.kind == "backward":  # rank 1 fails inside backward of step 3, a reduction in flight
        m.optimizer = tfd.DistributedOptimizer(m.optimizer, bucket_bytes=200, direct_bytes=500,
                                               transport="mpi")
        fused, calls = m.optimizer._dist_buckets, [0]
        ready = fused.grad_ready

        def failing(p):  # 3 buckets of 1, 1 and 2 gradients: the first is reduced by now
            calls[0] += 1
            if tfd.rank() == 1 and calls[0] == 2 * 4 + 2:
                raise MemoryError("out of memory on purpose")
            ready(p)
        fused.grad_ready = failing
    else:  # nan: a NaN pixel in rank 1's share of global batch 2 (rows 30+7..30+14)
        x[40, 2, 2, 0] = np.nan
        cbs.append(TerminateOnNaN())
    hist = m.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0, callbacks=cbs,
                 distributed=True)
    save(a.out, m, hist)


def cmd_horovod(a):
    import tensorforge.distributed as tfd
    from tensorforge.callbacks import LambdaCallback
    from tensorforge.optimizers import SGD
    from tensorforge.utils import set_random_seed
    tfd.init(timeout=60)
    r, n = tfd.rank(), tfd.size()
    # collectives: every rank checks what it received against values it can compute itself
    v = np.arange(6, dtype=np.float32).reshape(2, 3) + r
    base = np.arange(6, dtype=np.float64).reshape(2, 3)
    assert np.array_equal(tfd.allreduce(v, op="sum"), base * n + n * (n - 1) / 2)
    assert np.allclose(tfd.allreduce(v), base + (n - 1) / 2)
    assert np.array_equal(tfd.allreduce(v, op="max"), base + n - 1)
    assert np.array_equal(tfd.allreduce(v, op="min"), base)
    assert tfd.allreduce(float(r), op="sum") == n * (n - 1) / 2
    buf = v.copy()
    assert tfd.allreduce(buf, op="sum", out=buf) is buf
    root = n - 1
    b = tfd.broadcast(np.full((3,), r, np.int64) if r == root else None, root=root)
    assert b.dtype == np.int64 and np.array_equal(b, [root] * 3)
    g = tfd.allgather(np.full((r + 1, 2), r, np.float32))
    assert g.shape == (n * (n + 1) // 2, 2)
    assert np.array_equal(g[:, 0], np.concatenate([[k] * (k + 1) for k in range(n)]))
    assert tfd.allgather_object({"rank": r}) == [{"rank": k} for k in range(n)]
    tfd.barrier()
    for bad in (lambda: tfd.allreduce(v, op="mean"), lambda: tfd.broadcast(v, root=n)):
        try:
            bad()
        except ValueError:
            pass
        else:
            raise AssertionError("a bad op / root was accepted")
    # fused allreduce: small tensors packed, large ones (>= direct_bytes) reduced in place, even
    # when two parameters hold the same gradient array (it must be reduced once, not twice)
    from tensorforge.autograd import Tensor
    params = [Tensor(np.zeros(s, np.float32), requires_grad=True)
              for s in [(3, 4), (40,), (5,), (40,), (2, 2), (50,)]]
    for i, p in enumerate(params):
        p.grad = np.full(p.shape, 10.0 * i + r, np.float32)
    params[3].grad = params[1].grad  # one array for two leaves
    params[4].grad = None            # unused this step on every rank: zeros
    buckets = tfd.GradientBuckets(direct_bytes=100)  # the (40,) tensors are direct
    for weight in (1.0, 0.5):
        own = params[5].grad
        buckets.allreduce(params, weight=weight)
        assert params[5].grad is own  # reduced in place, no copy
        for i, p in enumerate(params):
            src = 10.0 * (1 if i == 3 else i) + np.arange(n) if i != 4 else np.zeros(n)
            want = weight * src.mean()
            assert np.allclose(p.grad, want), (i, weight, p.grad.ravel()[:3], want)
        for i, p in enumerate(params):
            p.grad = np.full(p.shape, 10.0 * i + r, np.float32) if i != 4 else None
        params[3].grad = params[1].grad
    # backward order kept: direct (50,), [(2, 2)], direct (40,), [(5,)], direct (40,), [(3, 4)]
    assert [b.direct for b in buckets.buckets] == [True, False, True, False, True, False]
    # Horovod-style fit: own shard, DistributedOptimizer, broadcast, metric average, warm-up
    set_random_seed(SEED + r)  # different initial weights on every rank
    x, y = data()
    m = model()
    m.compile(optimizer=tfd.DistributedOptimizer(SGD(0.5)), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
    assert type(m.optimizer).__name__ == "SGD"
    lrs = []
    cbs = [tfd.BroadcastGlobalVariablesCallback(0), tfd.MetricAverageCallback(),
           tfd.LearningRateWarmupCallback(initial_lr=0.5, warmup_epochs=1, steps_per_epoch=4),
           LambdaCallback(on_batch_end=lambda b, l: lrs.append(m.optimizer.learning_rate))]
    xs, ys = x[r::n], y[r::n]
    hist = m.fit(xs[:32 // n * n], ys[:32 // n * n], batch_size=8 // n, epochs=2, callbacks=cbs,
                 verbose=0, shuffle=False)
    # evaluate over the ranks' shards, also when a rank's shard is empty (1 row, n ranks)
    for rows in (1, 7):
        got = m.evaluate(x[:rows], y[:rows], batch_size=4, verbose=0, distributed=True)
        np.testing.assert_allclose(got, m.evaluate(x[:rows], y[:rows], batch_size=4, verbose=0),
                                   rtol=1e-6)
    save(a.out, m, hist, {"lrs": np.asarray(lrs)})


def binary_model():
    from tensorforge.layers import Conv2D, Dense, Flatten
    from tensorforge.metrics import AUC, FalseNegatives, Precision, Recall, TruePositives
    from tensorforge.models import Sequential
    from tensorforge.optimizers import SGD
    m = Sequential([Conv2D(4, (3, 3), activation="relu", input_shape=(6, 6, 1)), Flatten(),
                    Dense(1, activation="sigmoid")])
    m.compile(optimizer=SGD(0.5), loss="binary_crossentropy",
              metrics=["accuracy", AUC(), Precision(), Recall(), TruePositives(),
                       FalseNegatives()])
    return m


def cmd_metrics(a):
    """fit and evaluate with stateful metrics (binary: a bright top half). Each rank also
    evaluates the whole data alone (the one-process figure, on the same weights) and drives
    MetricAverageCallback on its shards of fixed predictions (training, then validation)."""
    from tensorforge.utils import set_random_seed
    set_random_seed(SEED)
    x, _ = data()
    y = (x[:, :3, :, 0].mean(axis=(1, 2)) > 0.5).astype(np.float32)  # 30 of 61: learnable
    m = binary_model()
    hist = m.fit(x, y, batch_size=BATCH, epochs=2, shuffle=False, verbose=0,
                 distributed=not a.plain)
    extra = {"names": np.asarray(m.metrics_names)}
    if a.plain:
        extra["whole"] = np.asarray(m.evaluate(x, y, batch_size=8, verbose=0), np.float64)
        save(a.out, m, hist, extra)
        return
    import tensorforge.distributed as tfd
    from tensorforge.distributed.sampler import shard_bounds
    r, n = tfd.rank(), tfd.size()
    extra["dist"] = np.asarray(m.evaluate(x, y, batch_size=8, verbose=0, distributed=True),
                               np.float64)
    extra["whole"] = np.asarray(m.evaluate(x, y, batch_size=8, verbose=0), np.float64)
    # MetricAverageCallback (Horovod style) on fixed predictions: p_train / p_val sharded
    rs = np.random.RandomState(5)
    yt, pt = (rs.rand(50) > 0.6).astype(np.float32), rs.rand(50).astype(np.float32)
    yv, pv = (rs.rand(40) > 0.3).astype(np.float32), rs.rand(40).astype(np.float32)
    objs = m._stateful
    cb = tfd.MetricAverageCallback()
    cb.set_model(m)
    cb.on_epoch_begin(0)
    t0, t1 = shard_bounds(50, r, n)
    v0, v1 = shard_bounds(40, r, n)
    logs = {}
    for k, o in objs.items():
        o.reset_state()
        o.update_state(yt[t0:t1], pt[t0:t1])
        logs[k] = float(o.result())
    cb.on_batch_end(0, {})
    for k, o in objs.items():  # validation resets the objects and fills them again
        o.reset_state()
        o.update_state(yv[v0:v1], pv[v0:v1])
        logs["val_" + k] = float(o.result())
    logs["loss"] = float(r)  # a plain figure: the mean over the ranks
    extra["cb_local"] = np.asarray([logs[k] for k in sorted(logs)], np.float64)
    cb.on_epoch_end(0, logs)
    extra["cb_keys"] = np.asarray(sorted(logs))
    extra["cb_vals"] = np.asarray([logs[k] for k in sorted(logs)], np.float64)
    want = {}
    for k, o in objs.items():
        o.reset_state()
        o.update_state(yt, pt)
        want[k] = float(o.result())
        o.reset_state()
        o.update_state(yv, pv)
        want["val_" + k] = float(o.result())
    want["loss"] = (n - 1) / 2
    extra["cb_want"] = np.asarray([want[k] for k in sorted(logs)], np.float64)
    save(a.out, m, hist, extra)


def cmd_refreeze(a):
    """Sharded on the window (auto), 1 epoch; then the conv layer frozen and recompiled: the
    parameter list changes, the window is laid out again and the frozen weights must keep
    their values (copied out of the old window, See shm.py's close); 1 more epoch."""
    import tensorforge.distributed as tfd
    from tensorforge.utils import set_random_seed
    tfd.init(timeout=60)
    set_random_seed(SEED)
    x, y = data()
    m = model()
    m.optimizer = tfd.DistributedOptimizer(m.optimizer, sharded=True)
    m.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, distributed=True)
    first = m.get_weights()
    m.layers[0].trainable = False
    m.compile(optimizer=m.optimizer, loss="sparse_categorical_crossentropy")
    hist = m.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, distributed=True)
    save(a.out, m, hist, {f"first{i}": w for i, w in enumerate(first)} | {
        "transport": np.asarray(type(m.optimizer._dist_buckets).__name__),
        "owns": np.asarray([t.data.base is None for t in m.layers[0].weights])})


def cmd_refit(a):
    """Four fits of one epoch (fit's default on one machine: the sharded update on the window),
    RMSprop, the ranks starting from different weights. Before the third, rank 1 alone gives a
    Dense weight an array of its own with other values; before the fourth, its own optimizer
    state (set_state). Records which fits' initial broadcast copied (``--always-copy``: the
    window never counts as shared, every broadcast copies: the A/B)."""
    import tensorforge.distributed as tfd
    from tensorforge.distributed import callbacks as dcb, shm
    from tensorforge.utils import set_random_seed
    tfd.init(timeout=60)
    if a.always_copy:
        shm.SharedMemoryBuckets.holds = lambda self, opt, weights: False
    copied, inner = [], dcb.broadcast_model

    def counting(model, root_rank=0):
        copied.append(inner(model, root_rank))
        return copied[-1]

    dcb.broadcast_model = counting
    set_random_seed(SEED + tfd.rank())  # different initial weights: the broadcast must fix that
    x, y = data()
    m = model(opt="rmsprop")
    for e in range(4):
        if e == 2 and tfd.rank() == 1:
            w = m.layers[-1].weights[0]
            w.data = w.data + np.float32(0.25)
        if e == 3 and tfd.rank() == 1:
            ws = m.weights
            m.optimizer.set_state(ws, [[s * np.float32(3) for s in st]
                                       for st in m.optimizer.get_state(ws)])
        hist = m.fit(x, y, batch_size=BATCH, epochs=1, verbose=0, distributed=True)
    save(a.out, m, hist, {"copied": np.asarray(copied),
                          "transport": np.asarray(type(m.optimizer._dist_buckets).__name__),
                          "state": np.concatenate([s.ravel() for st in m.optimizer.get_state(
                              m.weights) for s in st])})


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("out")
    t.add_argument("--plain", action="store_true", help="no MPI: the one-process reference")
    t.add_argument("--shuffle", action="store_true")
    t.add_argument("--epochs", type=int, default=2)
    t.add_argument("--bucket-bytes", type=int, default=0)
    t.add_argument("--direct-bytes", type=int, default=1 << 20)
    t.add_argument("--sharded", action="store_true")
    t.add_argument("--unsharded", action="store_true",
                   help="DistributedOptimizer(sharded=False): not fit's default 'auto'")
    t.add_argument("--transport", choices=("auto", "mpi", "shm"), default="auto")
    t.add_argument("--opt", choices=("sgd", "rmsprop", "adam"), default="sgd",
                   help="SGD(0.5), legacy RMSprop(0.01) or Adam(0.01)")
    t.add_argument("--sum-written", action="store_true",
                   help="no update of two gradients: the sum written first (the A/B)")
    t.add_argument("--onehot", action="store_true",
                   help="categorical_crossentropy on one-hot targets (the compiled step's loss)")
    t.add_argument("--general", action="store_true",
                   help="refuse the compiled training step (the general step: the A/B)")
    t.add_argument("--machines", type=int, default=0,
                   help="shm: split the ranks into this many stand-in machines (rank %% K)")
    c = sub.add_parser("checkpoint")
    c.add_argument("ckpt")
    c.add_argument("out")
    c.add_argument("--sharded", action="store_true")
    c.add_argument("--transport", choices=("auto", "mpi", "shm"), default="auto")
    r = sub.add_parser("resume")
    r.add_argument("ckpt")
    r.add_argument("out")
    r.add_argument("--epochs", type=int, default=2)
    r.add_argument("--sharded", action="store_true")
    r.add_argument("--transport", choices=("auto", "mpi", "shm"), default="auto")
    mt = sub.add_parser("metrics")
    mt.add_argument("out")
    mt.add_argument("--plain", action="store_true")
    f = sub.add_parser("fault")
    f.add_argument("kind", choices=("raise", "hang", "nan", "backward"))
    f.add_argument("out")
    h = sub.add_parser("horovod")
    h.add_argument("out")
    rf = sub.add_parser("refreeze")
    rf.add_argument("out")
    rt = sub.add_parser("refit")
    rt.add_argument("out")
    rt.add_argument("--always-copy", action="store_true")
    a = p.parse_args()
    {"refit": cmd_refit, "train": cmd_train, "checkpoint": cmd_checkpoint, "resume": cmd_resume,
     "fault": cmd_fault, "horovod": cmd_horovod, "metrics": cmd_metrics,
     "refreeze": cmd_refreeze}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
