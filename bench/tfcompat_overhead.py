"""Per-call overhead of the TensorFlow-flavoured API (``tf.*``, tensorforge/tf_compat.py) and the
Keras backend (``K.*``, tensorforge/backend_ops) on small shapes, against the plain ``ops.*`` call
they wrap and against NumPy on the same arrays (issue 15 item 4: at most 2 us over the op).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=python python3 bench/tfcompat_overhead.py
    [--rounds 7] [--calls 2000] [--grad | --arrays]

Every row first checks that tf.*, K.*, ops.* and NumPy agree (values and shape), then times each
call in a loop of ``--calls`` calls, CPU time of this thread (time.thread_time: the machine may be
shared), ``--rounds`` rounds interleaved, and prints the median us per call. ``--grad`` runs the
inputs as Tensors that require a gradient (the training-step case: the op records on the tape).
``--arrays`` passes the NumPy arrays themselves to tf.* and K.* (losses, metrics and preprocessing
on arrays: they are converted to Tensors; ops.* still gets Tensors, so tf-ops is the cost over the
op on Tensors) and adds a table of the array -> Tensor conversions.
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


def _rows(T, a, A):
    """(name, tf call, K call, ops call, NumPy call) on 4x4 / small float32 inputs; tf.* and
    K.* get ``A(array)``, ops.* gets ``T(array)``."""
    x, y = T(a["x"]), T(a["y"])
    x3, y3 = T(a["x3"]), T(a["y3"])
    ax, ay, ax3, ay3 = A(a["x"]), A(a["y"]), A(a["x3"]), A(a["y3"])
    xn, yn, x3n, y3n = a["x"], a["y"], a["x3"], a["y3"]
    return [
        ("matmul", lambda: tf.matmul(ax, ay), lambda: K.dot(ax, ay), lambda: ops.matmul(x, y),
         lambda: xn @ yn),
        ("matmul transpose_b", lambda: tf.matmul(ax, ay, transpose_b=True),
         lambda: K.dot(ax, K.transpose(ay)), lambda: ops.gemm(x, y, trans_b=True),
         lambda: xn @ yn.T),
        ("matmul batched (2,4,4)", lambda: tf.matmul(ax3, ay3), lambda: K.batch_dot(ax3, ay3),
         lambda: ops.matmul(x3, y3), lambda: x3n @ y3n),
        ("reduce_sum", lambda: tf.reduce_sum(ax), lambda: K.sum(ax), lambda: ops.sum(x),
         lambda: np.sum(xn)),
        ("reduce_mean axis=-1", lambda: tf.reduce_mean(ax, axis=-1),
         lambda: K.mean(ax, axis=-1), lambda: ops.mean(x, axis=1), lambda: np.mean(xn, axis=-1)),
        ("concat axis=-1", lambda: tf.concat([ax, ay], axis=-1),
         lambda: K.concatenate([ax, ay], axis=-1), lambda: B.concatenate([x, y], axis=1),
         lambda: np.concatenate([xn, yn], axis=-1)),
        ("reshape (2, 8)", lambda: tf.reshape(ax, (2, 8)), lambda: K.reshape(ax, (2, 8)),
         lambda: ops.reshape(x, (2, 8)), lambda: np.reshape(xn, (2, 8))),
        ("transpose", lambda: tf.transpose(ax), lambda: K.transpose(ax),
         lambda: ops.transpose(x), lambda: xn.T.copy()),
        ("square", lambda: tf.square(ax), lambda: K.square(ax), lambda: ops.square(x),
         lambda: np.square(xn)),
        ("sqrt", lambda: tf.sqrt(ax), lambda: K.sqrt(ax), lambda: B.sqrt(x),
         lambda: np.sqrt(xn)),
        ("exp", lambda: tf.exp(ax), lambda: K.exp(ax), lambda: ops.exp(x), lambda: np.exp(xn)),
        ("add (K: Tensor + Tensor)", lambda: tf.add(ax, ay), lambda: x + y,
         lambda: ops.add(x, y), lambda: xn + yn),
        ("maximum", lambda: tf.maximum(ax, ay), lambda: K.maximum(ax, ay),
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
    g = p.add_mutually_exclusive_group()
    g.add_argument("--grad", action="store_true", help="inputs require a gradient")
    g.add_argument("--arrays", action="store_true",
                   help="tf.* and K.* get the NumPy arrays (ops.* Tensors)")
    args = p.parse_args()
    rng = np.random.default_rng(0)
    a = {k: (rng.random(s, dtype=np.float32) + 0.5)
         for k, s in (("x", (4, 4)), ("y", (4, 4)), ("x3", (2, 4, 4)), ("y3", (2, 4, 4)))}

    def T(v):
        return tf.Variable(v) if args.grad else tf.constant(v)

    rows = _rows(T, a, (lambda v: v) if args.arrays else T)
    for name, *fns in rows:  # check before timing: every contender computes the same thing
        ref = _value(fns[3]())
        for f in fns[:3]:
            v = _value(f())
            assert v.shape == ref.shape and np.allclose(v, ref, rtol=1e-5, atol=1e-6), name
    print(f"tf_compat / backend per-call CPU time, us (median of {args.rounds} rounds x "
          f"{args.calls} calls){', inputs require grad' if args.grad else ''}"
          f"{', tf.* / K.* on NumPy arrays' if args.arrays else ''}")
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
    if args.arrays:
        _conversions(a["x"], args)


def _conversions(xn, args):
    """Array -> Tensor conversions on the 4x4 float32 array (each checked to share it)."""
    from tensorforge.autograd import Tensor
    convs = [("Tensor(ndarray)", lambda: Tensor(xn)), ("tf.constant(ndarray)", lambda: tf.constant(xn)),
             ("tf.convert_to_tensor(ndarray)", lambda: tf.convert_to_tensor(xn)),
             ("K.constant(ndarray)", lambda: K.constant(xn))]
    print(f"\n{'conversion':30s} {'us':>7s}")
    for name, f in convs:
        t = f()
        assert type(t) is Tensor and t.dtype == xn.dtype and np.array_equal(t.numpy(), xn), name
        _time(f, 200)
        m = statistics.median(_time(f, args.calls) for _ in range(args.rounds))
        print(f"{name:30s} {m:7.2f}")


if __name__ == "__main__":
    main()
