"""Where a training step's CPU time goes outside the native kernels (issue 15 item 4), robust to a
shared machine: 1 thread, the calling thread's CPU time (time.thread_time), every native kernel
wrapped through backend.register (keeping its __module__, so the entry points take their native
fast path as in a plain run), medians over the steps of one pass.

    PYTHONPATH=python python3 bench/train_step_overhead.py {mlp|lenet} [batch] [steps]

Prints two lines:
  step:   the real Model._train_batch + the batch metrics (what fit runs per batch, without the
          loop's callbacks): median CPU us outside / inside the kernels, the kernel calls per
          step, the outside share; raw, and corrected for the timing wrappers themselves.
  phases: the general step taken apart (set requires_grad, forward, loss, backward, optimizer,
          grad reset, metrics), raw figures, for finding what to attack. (A model the compiled
          step takes -- the zoo MLP and LeNet, Note [compiled step] -- runs that in `step` instead.)

Note [timer correction]: time.thread_time is a system call (no vDSO clock for thread CPU time),
a few microseconds on a loaded VM. Each wrapped kernel call runs two of them: part of that cost
lands between the two samples ("kernel"), the rest outside. Both parts are measured on a wrapped
no-op (its mean accumulated "kernel" time k0; its whole extra cost over a direct call w) and
subtracted per kernel call: kernel -= n * k0, outside -= n * (w - k0). The plain (unwrapped) step
time is printed too: corrected outside + corrected kernel should come close to it.
Run it against two trees (PYTHONPATH) for a before/after, alternating.
"""
import inspect
import statistics
import sys
import time

import numpy as np

import tensorforge as tf

name = sys.argv[1] if len(sys.argv) > 1 else "mlp"
B = int(sys.argv[2]) if len(sys.argv) > 2 else 32
STEPS = int(sys.argv[3]) if len(sys.argv) > 3 else 200
tf.set_backend("cpu")
tf.set_num_threads(1)
from tensorforge import _native, backend  # noqa: E402
from tensorforge.autograd import enable_grad, no_grad  # noqa: E402
from tensorforge.backend_ops import variables as _K  # noqa: E402
from tensorforge.bench.train import _data  # noqa: E402
from tensorforge.zoo import build_model  # noqa: E402
from tensorforge.utils import to_categorical  # noqa: E402

x, y, _, _ = _data()
if name == "mlp":
    x = x.reshape(len(x), -1)
y = to_categorical(y, 10).astype(np.float32)
tf.utils.set_random_seed(0)
m = build_model(name)
m.fit(x[:B * 5], y[:B * 5], batch_size=B, epochs=1, verbose=0, shuffle=False)
tt = time.thread_time
nb = len(x) // B
params = m._compiled_params()


def batch(i):
    i %= nb
    return [x[i * B:(i + 1) * B]], [y[i * B:(i + 1) * B]]


# what fit runs per batch: the step with its batch metrics (a tree before the metrics moved into
# _train_batch computes them after it, as its fit did)
_METRICS_IN_STEP = "metrics" in inspect.signature(m._train_batch).parameters


def step(xb, yb):
    if _METRICS_IN_STEP:
        m._train_batch(xb, yb, params, None, True)
    else:
        outs = m._train_batch(xb, yb, params)[2]
        with no_grad():
            m._batch_metrics(yb, outs, None)


def plain_steps(n):
    out = []
    for i in range(n):
        xb, yb = batch(i)
        t0 = tt()
        step(xb, yb)
        out.append(tt() - t0)
    return statistics.median(out)


plain = plain_steps(STEPS // 2)

acc = [0.0, 0]


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


# calibration on a no-op (Note [timer correction])
def noop(*a):
    return None


wnoop = wrap(noop)
reps = 20000
k0s, ws = [], []
for _ in range(5):
    acc[:] = [0.0, 0]
    t0 = tt()
    for _ in range(reps):
        wnoop(1, 2)
    t_w = tt() - t0
    t0 = tt()
    for _ in range(reps):
        noop(1, 2)
    t_d = tt() - t0
    k0s.append(acc[0] / reps)
    ws.append((t_w - t_d) / reps)
k0, w = statistics.median(k0s), statistics.median(ws)

for op, impls in list(backend._table.items()):
    fn = impls.get("cpu")
    if fn is None or getattr(fn, "__module__", None) != _native._C.__name__:
        continue
    backend.register(op, "cpu", wrap(fn))

# the real step
S = []
for i in range(STEPS):
    xb, yb = batch(i)
    acc[:] = [0.0, 0]
    t0 = tt()
    step(xb, yb)
    t = tt() - t0
    S.append((t - acc[0], acc[0], acc[1]))
o_raw = statistics.median(s[0] for s in S)
k_raw = statistics.median(s[1] for s in S)
n = statistics.median(s[2] for s in S)
o_cor, k_cor = o_raw - n * (w - k0), k_raw - n * k0
print(f"{name} batch {B} step (median of {STEPS}): outside {o_raw * 1e6:.0f} us, kernels "
      f"{k_raw * 1e6:.0f} us, {n:.0f} kernel calls, share {o_raw / (o_raw + k_raw):.1%} raw | "
      f"corrected outside {o_cor * 1e6:.0f} us, kernels {k_cor * 1e6:.0f} us, share "
      f"{o_cor / (o_cor + k_cor):.1%} | plain step {plain * 1e6:.0f} us | wrapper w {w * 1e6:.2f} "
      f"us, k0 {k0 * 1e6:.2f} us")

# the phases (informational)
ph = ("setreq", "forward", "loss", "backward", "apply", "zero", "metrics")
T = {k: [] for k in ph}
for i in range(STEPS):
    xb, yb = batch(i)
    marks = []

    def mark():
        marks.append((tt(), acc[0]))
    mark()
    ch = m._set_requires_grad(params)
    mark()
    with enable_grad(), _K.learning_phase_scope(1):
        outs = m._forward(xb, True, m._logits_outputs)
        mark()
        loss, parts = m._loss_terms(yb, outs, False, None)
        mark()
        loss.backward()
        mark()
        m.optimizer.apply_gradients(params)
        mark()
        for p in params:
            p.grad = None
    mark()
    with no_grad():
        m._batch_metrics(yb, outs, None)
    mark()
    for k, (a, b) in zip(ph, zip(marks, marks[1:])):
        T[k].append(((b[0] - a[0]) - (b[1] - a[1]), b[1] - a[1]))
print(name, "phases, raw outside/kernel us (median):", "  ".join(
    f"{k} {statistics.median(o for o, _ in v) * 1e6:.0f}/"
    f"{statistics.median(kk for _, kk in v) * 1e6:.0f}" for k, v in T.items()))
