"""Where a training step's CPU time goes outside the native kernels, phase by phase (issue 15
item 4), robust to a shared machine: 1 thread, the calling thread's CPU time (time.thread_time),
every native kernel wrapped through backend.register (keeping its __module__, so the entry points
take their native fast path as in a plain run), median over the steps of one pass.

    PYTHONPATH=python python3 bench/train_step_overhead.py {mlp|lenet} [batch]

Prints, per phase of Model._train_batch (+ the batch metrics), the median CPU us outside/inside
the kernels, and the totals. Run it against two trees (PYTHONPATH) for a before/after.
"""
import sys, time, statistics
import numpy as np
import tensorforge as tf
name = sys.argv[1] if len(sys.argv) > 1 else "mlp"
tf.set_backend("cpu"); tf.set_num_threads(1)
from tensorforge import _native, backend
from tensorforge.bench.train import _data
from tensorforge.cli import build_model
from tensorforge.utils import to_categorical
from tensorforge.autograd import enable_grad, no_grad
from tensorforge.backend_ops import variables as _K
x, y, _, _ = _data()
if name == "mlp": x = x.reshape(len(x), -1)
y = to_categorical(y, 10).astype(np.float32)
tf.utils.set_random_seed(0)
m = build_model(name); B = int(sys.argv[2]) if len(sys.argv) > 2 else 32
m.fit(x[:B*5], y[:B*5], batch_size=B, epochs=1, verbose=0, shuffle=False)
acc=[0.0]; tt=time.thread_time
for op, impls in list(backend._table.items()):
    fn = impls.get("cpu")
    if fn is None or getattr(fn, "__module__", None) != _native._C.__name__: continue
    def timed(*a, _fn=fn, **k):
        t0 = tt()
        try: return _fn(*a, **k)
        finally: acc[0] += tt() - t0
    timed.__module__ = fn.__module__; backend.register(op, "cpu", timed)
params = m._compiled_params()
ph=("setreq","forward","loss","backward","apply","zero","metrics")
T = {k: [] for k in ph}
for i in range(min(200, len(x) // B)):
    xb=[x[i*B:(i+1)*B]]; yb=[y[i*B:(i+1)*B]]
    marks=[]
    def mark(): marks.append((tt(), acc[0]))
    mark(); ch=m._set_requires_grad(params); mark()
    with enable_grad(), _K.learning_phase_scope(1):
        outs=m._forward(xb, True, m._logits_outputs); mark()
        loss, parts = m._loss_terms(yb, outs, False, None); mark()
        loss.backward(); mark()
        m.optimizer.apply_gradients(params); mark()
        for p in params: p.grad=None
    mark()
    with no_grad(): m._batch_metrics(yb, outs, None)
    mark()
    for k,(a,b) in zip(ph, zip(marks, marks[1:])):
        T[k].append(((b[0]-a[0])-(b[1]-a[1]), b[1]-a[1]))
tot_o=sum(statistics.median(o for o,_ in v) for v in T.values()); tot_k=sum(statistics.median(k for _,k in v) for v in T.values())
print(name, "outside/kernel us per phase (median):", "  ".join(f"{k} {statistics.median(o for o,_ in v)*1e6:.0f}/{statistics.median(kk for _,kk in v)*1e6:.0f}" for k,v in T.items()), f"| outside {tot_o*1e6:.0f} kernel {tot_k*1e6:.0f}")
