"""What one ``fit`` call costs beside its steps (issue 13, dist7; see bench/RESULTS.md): LeNet at
global batch 32, 5 warm-up steps, then fits of 1, 2 and 40 steps, 4 times each; prints per
rank the median (wall ms, CPU ms of the thread) of each. The per-fit intercept is
fit(2) - 2 x the per-step slope (fit(40) - fit(2)) / 38.

    PYTHONPATH=python OMP_NUM_THREADS=1 python3 bench/dist_fit_cost.py
    PYTHONPATH=python OMP_NUM_THREADS=1 mpiexec -n 2 python3 bench/dist_fit_cost.py --distributed
"""
import sys
import time

import numpy as np


def main(argv):
    dist = "--distributed" in argv
    import tensorforge as tf
    from tensorforge.bench._dist_models import build, data
    from tensorforge.utils import set_random_seed
    tf.set_num_threads(1)
    if dist:
        import tensorforge.distributed as tfd
        tfd.init(threads=1, timeout=300)
    set_random_seed(0)
    model = build("lenet")
    x, y = data(45 * 32)
    kw = dict(batch_size=32, epochs=1, verbose=0, shuffle=False, distributed=dist)
    h0 = model.fit(x[:160], y[:160], **kw)
    res = {}
    for steps in (1, 2, 40) * 4:
        xs, ys = x[160:160 + steps * 32], y[160:160 + steps * 32]
        if dist:
            tfd.barrier()
        t0, c0 = time.perf_counter(), time.thread_time()
        h = model.fit(xs, ys, **kw)
        res.setdefault(steps, []).append(((time.perf_counter() - t0) * 1e3,
                                          (time.thread_time() - c0) * 1e3))
    assert np.isfinite(h.history["loss"][-1]) and h.history["loss"][-1] < h0.history["loss"][0]
    r = tfd.rank() if dist else 0
    print(f"rank {r}: steps -> (wall ms, CPU ms) per fit, median",
          {k: (round(float(np.median([a for a, _ in v])), 3),
               round(float(np.median([b for _, b in v])), 3)) for k, v in res.items()})


if __name__ == "__main__":
    main(sys.argv[1:])
