"""Page faults and time per training step of one layer whose arrays are large (alloc7, issue 15).

Note [large array page faults] (csrc/include/tf/alloc_cache.h): a DepthwiseConv2D(3, 'same') on
32x112x112x32 float32 makes 51 MB outputs and gradients; without the array cache each is a fresh
mmap whose pages fault in on first touch. This probe runs forward + backward of a fixed dy,
`--rounds` rounds of `--steps` steps, and prints per round: wall ms/step, CPU ms/step (process
time: less noisy on a shared machine) and minor faults/step (getrusage), then the cache's counters.

    PYTHONPATH=python python3 bench/alloc_faults.py [--threads 2] [--rounds 5] [--steps 10]
        [--layer dw112|dw56s2|upsample|conv3x3] [--min-bytes N]   # N: the cache's threshold, for sweeps

Run it with another checkout's PYTHONPATH for an A/B (a build without the cache prints no counters).
"""
import argparse
import resource
import time

import numpy as np

LAYERS = {  # name: (layer class name, input shape NHWC, arguments) as in bench conv's rows
    "dw112": ("DepthwiseConv2D", (32, 112, 112, 32), dict(kernel_size=3, padding="same")),
    "dw56s2": ("DepthwiseConv2D", (32, 56, 56, 128), dict(kernel_size=3, strides=2)),
    "upsample": ("UpSampling2D", (32, 56, 56, 64), dict(size=(2, 2))),
    "conv3x3": ("Conv2D", (32, 56, 56, 64), dict(filters=64, kernel_size=3, padding="same")),
}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--layer", default="dw112", choices=sorted(LAYERS))
    p.add_argument("--min-bytes", type=int, default=None, help="the array cache's threshold")
    a = p.parse_args()

    import tensorforge as tf
    from tensorforge import _native, layers
    from tensorforge.autograd import Tensor
    C = _native._C
    if a.min_bytes is not None:
        C._alloc_cache_configure(a.min_bytes, C.alloc_cache_info()["cap_bytes"])
    tf.set_num_threads(a.threads)
    cls, shape, kw = LAYERS[a.layer]
    layer = getattr(layers, cls)(**kw)
    x = Tensor(np.random.default_rng(0).standard_normal(shape).astype(np.float32),
               requires_grad=True)
    dy = np.ones(layer(x).shape, np.float32)

    def step():
        x.grad = None
        for w in layer.weights:
            w.grad = None
        layer(x).backward(dy)

    step()
    print(f"{a.layer} {cls} {shape} {kw}, {a.threads} threads, {a.steps} steps a round")
    print("round  wall ms/step  cpu ms/step  minor faults/step")
    for r in range(a.rounds):
        f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(a.steps):
            step()
        t1, c1 = time.perf_counter(), time.process_time()
        f1 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        print(f"{r:5d}  {(t1 - t0) / a.steps * 1e3:12.2f}  {(c1 - c0) / a.steps * 1e3:11.2f}  "
              f"{(f1 - f0) / a.steps:17.1f}")
    if hasattr(C, "alloc_cache_info"):
        print("alloc cache:", C.alloc_cache_info())
    else:
        print("alloc cache: none in this build")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10} MiB")


if __name__ == "__main__":
    main()
