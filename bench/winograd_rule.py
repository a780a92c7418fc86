"""Winograd against the direct passes, per pass, for 3x3 'same' layers (Note [Winograd against
direct] in csrc/cpu/conv_winograd.cpp): wall ms with the conv path as chosen by the rule ("rule"),
with Winograd wherever its multiply count allows ("wino", _C._conv_winograd_always) and with
Winograd off ("direct"), 1 thread, best of 3 rounds, quiet machine. Shapes as N,H,C_in,C_out.

    OMP_NUM_THREADS=1 PYTHONPATH=python python3 bench/winograd_rule.py 8,3,512,512 8,6,256,256 2,12,128,128
"""
import sys

import numpy as np

from conv_app_layers import best_ms  # bench/: the script's folder is on sys.path


def main():
    import tensorforge as tf
    from tensorforge import backend
    from tensorforge.kernels.conv import conv_geometry
    C = tf._native._C
    fwd, bwd = backend.lookup("conv2d_forward", "cpu"), backend.lookup("conv2d_backward", "cpu")
    rng = np.random.default_rng(0)
    modes = {"rule": (True, False), "wino": (True, True), "direct": (False, False)}
    print(f"threads {tf.get_num_threads()}; ms per pass: rule / wino / direct")
    for spec in sys.argv[1:]:
        N, H, CI, CO = map(int, spec.split(","))
        x = rng.standard_normal((N, H, H, CI)).astype(np.float32)
        w = (rng.standard_normal((3, 3, CI, CO)) / np.sqrt(9 * CI)).astype(np.float32)
        b = np.zeros(CO, np.float32)
        pads = conv_geometry("bench", x.shape, w.shape, 1, "same", 1)[:8]
        dy = rng.standard_normal((N, H, H, CO)).astype(np.float32)
        reps = max(2, int(3e8 / (2 * N * H * H * 9 * CI * CO)))
        passes = {"fwd": lambda: fwd(x, w, b, *pads, None),
                  "dx": lambda: bwd(dy, x, w, *pads, True, False, False),
                  "dw": lambda: bwd(dy, x, w, *pads, False, True, False)}
        cells = []
        for name, fn in passes.items():
            ms = []
            for on, always in modes.values():
                prev_on, prev_always = C._conv_winograd(on), C._conv_winograd_always(always)
                try:
                    ms.append(best_ms(fn, reps))
                finally:
                    C._conv_winograd(prev_on)
                    C._conv_winograd_always(prev_always)
            cells.append(f"{name} " + " / ".join(f"{v:.2f}" for v in ms))
        print(f"N {N:3} {H:2}x{H:<2} {CI:4} -> {CO:<4}  " + "   ".join(cells), flush=True)


if __name__ == "__main__":
    main()
