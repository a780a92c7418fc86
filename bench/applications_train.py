"""One ``train_on_batch`` step of keras.applications models: tensorforge vs tf_keras (TensorFlow
2.21 CPU, oneDNN, graph mode: train_on_batch runs a tf.function), each side in its own process,
weights=None models on small inputs (default 96x96x3, classes=10, batch 8), 1 thread by default.
Per model: --warmup steps, then --steps timed steps; prints the median process CPU ms and wall ms
per step (on a shared machine the CPU time is the robust figure: a preempted step's wall time is
not its cost).

``--side ours`` also prints the share of the step spent outside the native kernels: a second pass
of --steps steps with every native CPU kernel of the backend table wrapped in a pair of
time.thread_time samples (the wrapper keeps the kernel's __module__, so the entry points keep
their native fast path); per step, outside = step CPU time - kernel CPU time, corrected for the
wrappers' own cost measured on a wrapped no-op (Note [timer correction] in
bench/train_step_overhead.py). Needs --threads 1 (a kernel's time on other threads would be
missed). ``--profile N`` then prints cProfile's top N functions by own time over 3 steps of the
first model (cProfile slows Python code: relative only).

    PYTHONPATH=python python3 bench/applications_train.py --side ours
    /work/keras-venv/bin/python bench/applications_train.py --side keras
    PYTHONPATH=python python3 bench/applications_train.py --side ours --only MobileNetV2 --profile 30

``--alloc-cache-min KIB`` sets the array cache's threshold first (a tree before or after
Note [cache threshold] changed it, on the same tree).
"""
import argparse
import json
import os
import statistics
import time

MODELS = [("mobilenet_v2", "MobileNetV2"), ("efficientnet", "EfficientNetB0"),
          ("densenet", "DenseNet121"), ("resnet", "ResNet50")]


def _kernel_timer():
    """Wrap the cpu backend's native kernels in thread_time pairs: (acc [seconds, calls],
    restore, per-call correction (k0, w): a wrapper's cost inside / in all)."""
    from tensorforge import _native, backend
    acc, saved = [0.0, 0], []
    tt = time.thread_time

    def wrap(fn):
        def timed(*a, _fn=fn, **k):
            t0 = tt()
            try:
                return _fn(*a, **k)
            finally:
                acc[0] += tt() - t0
                acc[1] += 1
        timed.__module__ = fn.__module__
        return timed

    def noop(*a):
        return None
    wnoop, k0s, ws = wrap(noop), [], []
    for _ in range(5):
        acc[:] = [0.0, 0]
        t0 = tt()
        for _ in range(5000):
            wnoop(1, 2)
        t_w = tt() - t0
        t0 = tt()
        for _ in range(5000):
            noop(1, 2)
        ws.append((t_w - (tt() - t0)) / 5000)
        k0s.append(acc[0] / 5000)
    for op, impls in list(backend._table.items()):
        fn = impls.get("cpu")
        if fn is not None and getattr(fn, "__module__", None) == _native._C.__name__:
            saved.append((op, fn))
            backend.register(op, "cpu", wrap(fn))

    def restore():
        for op, fn in saved:
            backend.register(op, "cpu", fn)
    return acc, restore, (statistics.median(k0s), statistics.median(ws))


def _outside_share(step, steps):
    """Median over ``steps`` steps of (outside ms, kernel ms, kernel calls), corrected."""
    acc, restore, (k0, w) = _kernel_timer()
    rows = []
    try:
        for _ in range(steps):
            acc[:] = [0.0, 0]
            t0 = time.thread_time()
            step()
            t = time.thread_time() - t0
            k, n = acc[0] - acc[1] * k0, acc[1]
            rows.append((t - acc[0] - n * (w - k0), k, n))
    finally:
        restore()
    return tuple(statistics.median(r[i] for r in rows) for i in range(3))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--side", choices=["ours", "keras"], required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--size", type=int, default=96)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--no-share", action="store_true", help="skip the outside-kernels pass")
    ap.add_argument("--profile", type=int, default=0, metavar="N")
    ap.add_argument("--alloc-cache-min", type=int, default=None, metavar="KIB",
                    help="ours: the array cache's threshold (Note [cache threshold]), for an A/B")
    args = ap.parse_args()
    import numpy as np
    if args.side == "ours":
        import tensorforge as tf
        tf.set_num_threads(args.threads)
        keras = tf.keras
        if args.alloc_cache_min is not None:
            C = tf._native._C
            C._alloc_cache_configure(args.alloc_cache_min << 10, C.alloc_cache_info()["cap_bytes"])
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import tensorflow as tf
        import tf_keras as keras
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (args.batch, args.size, args.size, 3)).astype("float32")
    y = np.eye(args.classes, dtype="float32")[rng.integers(0, args.classes, args.batch)]
    out, profiled = {}, False
    for module, fn in MODELS:
        if args.only and fn not in args.only:
            continue
        keras.backend.clear_session()
        m = getattr(getattr(keras.applications, module), fn)(
            weights=None, input_shape=(args.size, args.size, 3), classes=args.classes)
        opt = keras.optimizers.SGD(0.01) if args.optimizer == "sgd" else \
            keras.optimizers.Adam(1e-3)
        m.compile(optimizer=opt, loss="categorical_crossentropy")
        losses = [float(np.asarray(m.train_on_batch(x, y))) for _ in range(args.warmup)]
        assert all(np.isfinite(losses)), (fn, losses)
        wall, cpu = [], []
        for _ in range(args.steps):
            w0, c0 = time.perf_counter(), time.process_time()
            m.train_on_batch(x, y)
            wall.append(time.perf_counter() - w0)
            cpu.append(time.process_time() - c0)
        res = {"cpu_ms": 1e3 * statistics.median(cpu), "wall_ms": 1e3 * statistics.median(wall),
               "variables": len(m.variables)}
        if args.side == "ours" and not args.no_share and args.threads == 1:
            o, k, n = _outside_share(lambda: m.train_on_batch(x, y), args.steps)
            res.update(outside_ms=1e3 * o, kernel_ms=1e3 * k, kernel_calls=n,
                       outside_share=o / (o + k))
        out[fn] = res
        print(json.dumps({fn: res}), flush=True)
        if args.profile and args.side == "ours" and not profiled:
            import cProfile
            import pstats
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(3):
                m.train_on_batch(x, y)
            prof.disable()
            pstats.Stats(prof).sort_stats("tottime").print_stats(args.profile)
            profiled = True
    print("RESULT " + json.dumps(out))


if __name__ == "__main__":
    main()
