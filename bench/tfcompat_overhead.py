"""Per-call overhead of the TensorFlow-flavoured API (``tf.*``, tensorforge/tf_compat.py) and the
Keras backend (``K.*``, tensorforge/backend_ops) on small shapes, against the plain ``ops.*`` call
they wrap and against NumPy on the same arrays (issue 15 item 4: at most 2 us over the op).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=python python3 bench/tfcompat_overhead.py
    [--rounds 7] [--calls 2000] [--grad]

Every row first checks that tf.*, K.*, ops.* and NumPy agree (values and shape), then times each
call in a loop of ``--calls`` calls, CPU time of this thread (time.thread_time: the machine may be
shared), ``--rounds`` rounds interleaved, and prints the median us per call. ``--grad`` runs the
inputs as Tensors that require a gradient (the training-step case: the op records on the tape).
Run it under another tree's PYTHONPATH for an A/B of the Python layers.
"""
import argparse
import statistics
import time

import numpy as np

import tensorforge as tf
from tensorforge import backend as K
from tensorforge import ops
from tensorforge.ops import basic as B  # ops.basic's concatenate / sqrt / maximum are not in ops


def _rows(T, a):
    """(name, tf call, K call, ops call, NumPy call) on 4x4 / small float32 inputs."""
    x, y = T(a["x"]), T(a["y"])
    x3, y3 = T(a["x3"]), T(a["y3"])
    xn, yn, x3n, y3n = a["x"], a["y"], a["x3"], a["y3"]
    return [
        ("matmul", lambda: tf.matmul(x, y), lambda: K.dot(x, y), lambda: ops.matmul(x, y),
         lambda: xn @ yn),
        ("matmul transpose_b", lambda: tf.matmul(x, y, transpose_b=True),
         lambda: K.dot(x, K.transpose(y)), lambda: ops.gemm(x, y, trans_b=True),
         lambda: xn @ yn.T),
        ("matmul batched (2,4,4)", lambda: tf.matmul(x3, y3), lambda: K.batch_dot(x3, y3),
         lambda: ops.matmul(x3, y3), lambda: x3n @ y3n),
        ("reduce_sum", lambda: tf.reduce_sum(x), lambda: K.sum(x), lambda: ops.sum(x),
         lambda: np.sum(xn)),
        ("reduce_mean axis=-1", lambda: tf.reduce_mean(x, axis=-1), lambda: K.mean(x, axis=-1),
         lambda: ops.mean(x, axis=1), lambda: np.mean(xn, axis=-1)),
        ("concat axis=-1", lambda: tf.concat([x, y], axis=-1),
         lambda: K.concatenate([x, y], axis=-1), lambda: B.concatenate([x, y], axis=1),
         lambda: np.concatenate([xn, yn], axis=-1)),
        ("reshape (2, 8)", lambda: tf.reshape(x, (2, 8)), lambda: K.reshape(x, (2, 8)),
         lambda: ops.reshape(x, (2, 8)), lambda: np.reshape(xn, (2, 8))),
        ("transpose", lambda: tf.transpose(x), lambda: K.transpose(x),
         lambda: ops.transpose(x), lambda: xn.T.copy()),
        ("square", lambda: tf.square(x), lambda: K.square(x), lambda: ops.square(x),
         lambda: np.square(xn)),
        ("sqrt", lambda: tf.sqrt(x), lambda: K.sqrt(x), lambda: B.sqrt(x),
         lambda: np.sqrt(xn)),
        ("exp", lambda: tf.exp(x), lambda: K.exp(x), lambda: ops.exp(x), lambda: np.exp(xn)),
        ("add", lambda: tf.add(x, y), lambda: x + y, lambda: ops.add(x, y), lambda: xn + yn),
        ("maximum", lambda: tf.maximum(x, y), lambda: K.maximum(x, y),
         lambda: B.maximum(x, y), lambda: np.maximum(xn, yn)),
    ]


def _value(r):
    r = getattr(r, "data", r)
    return np.asarray(r)


def _time(fn, calls):
    t0 = time.thread_time()
    for _ in range(calls):
        fn()
    return (time.thread_time() - t0) / calls * 1e6


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--calls", type=int, default=2000)
    p.add_argument("--grad", action="store_true", help="inputs require a gradient")
    args = p.parse_args()
    rng = np.random.default_rng(0)
    a = {k: (rng.random(s, dtype=np.float32) + 0.5)
         for k, s in (("x", (4, 4)), ("y", (4, 4)), ("x3", (2, 4, 4)), ("y3", (2, 4, 4)))}

    def T(v):
        return tf.Variable(v) if args.grad else tf.constant(v)

    rows = _rows(T, a)
    for name, *fns in rows:  # check before timing: every contender computes the same thing
        ref = _value(fns[3]())
        for f in fns[:3]:
            v = _value(f())
            assert v.shape == ref.shape and np.allclose(v, ref, rtol=1e-5, atol=1e-6), name
    print(f"tf_compat / backend per-call CPU time, us (median of {args.rounds} rounds x "
          f"{args.calls} calls){', inputs require grad' if args.grad else ''}")
    print(f"{'row':26s} {'tf.*':>7s} {'K.*':>7s} {'ops.*':>7s} {'NumPy':>7s} "
          f"{'tf-ops':>7s} {'K-ops':>7s}")
    for name, *fns in rows:
        for f in fns:  # warm-up
            _time(f, 200)
        samples = [[] for _ in fns]
        for _ in range(args.rounds):
            for i, f in enumerate(fns):
                samples[i].append(_time(f, args.calls))
        m = [statistics.median(s) for s in samples]
        print(f"{name:26s} {m[0]:7.2f} {m[1]:7.2f} {m[2]:7.2f} {m[3]:7.2f} "
              f"{m[0] - m[2]:7.2f} {m[1] - m[2]:7.2f}")


if __name__ == "__main__":
    main()
