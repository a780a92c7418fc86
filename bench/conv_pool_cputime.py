"""Single-thread CPU-time comparison of our conv/pool kernels with PyTorch CPU (channels_last).

Why this exists: on a machine shared with other jobs, wall-clock timings of 2-thread runs are
dominated by scheduling (OpenMP barriers wait for descheduled threads). With one thread per side,
time.process_time() counts only the cycles the process actually ran, so the ratio between the
two sides is meaningful even under load. The real benchmark remains
`python -m tensorforge.bench conv pool` on a quiet machine.

    PYTHONPATH=python python bench/conv_pool_cputime.py
"""
import time

import numpy as np
import torch

from tensorforge import _native

C = _native._C
F = torch.nn.functional


def cpu_ms(f, n=7):
    f()
    ts = []
    for _ in range(n):
        t0 = time.process_time()
        f()
        ts.append((time.process_time() - t0) * 1e3)
    return sorted(ts)[n // 2]


def torch_twin(x, w, b, dy, ndx):
    """PyTorch channels_last views of NHWC x, (KH, KW, C_in, C_out) w, b, dy, and leaf copies
    (xg needs grad when ndx) for a forward+backward: (xt, wt, bt, xg, wg, bg, dyt)."""
    xt = torch.from_numpy(x).permute(0, 3, 1, 2)
    wt = torch.from_numpy(w).permute(3, 2, 0, 1).contiguous(memory_format=torch.channels_last)
    bt = torch.from_numpy(b)
    xg = xt.detach().clone(memory_format=torch.channels_last).requires_grad_(ndx)
    wg, bg = wt.detach().clone().requires_grad_(True), bt.detach().clone().requires_grad_(True)
    dyt = torch.from_numpy(dy).permute(0, 3, 1, 2)
    return xt, wt, bt, xg, wg, bg, dyt


def conv_rows():
    rows = []
    for name, (N, H, CI, K, CO, p, ndx) in [
            ("lenet conv1", (64, 28, 1, 5, 20, 0, False)), ("lenet conv2", (64, 12, 20, 5, 50, 2, True)),
            ("alphago 5x5", (16, 19, 48, 5, 192, 2, True)), ("alphago 3x3", (16, 19, 192, 3, 192, 1, True)),
            ("resnet 3x3", (32, 56, 64, 3, 64, 1, True))]:
        rng = np.random.default_rng(0)
        x = rng.standard_normal((N, H, H, CI)).astype(np.float32)
        w = rng.standard_normal((K, K, CI, CO)).astype(np.float32)
        b = rng.standard_normal(CO).astype(np.float32)
        OH = H + 2 * p - K + 1
        dy = rng.standard_normal((N, OH, OH, CO)).astype(np.float32)
        a = (1, 1, p, p, p, p, 1, 1)

        def ofb():
            y = C.conv2d_forward(x, w, b, *a, "relu")
            C.conv2d_backward(dy, x, w, *a, ndx, True, True, y)  # fused relu backward
        xt, wt, bt, xg, wg, bg, dyt = torch_twin(x, w, b, dy, ndx)

        def pf():
            with torch.no_grad():
                F.relu(F.conv2d(xt, wt, bt, padding=p))

        def pfb():
            xg.grad = wg.grad = bg.grad = None
            F.relu(F.conv2d(xg, wg, bg, padding=p)).backward(dyt)
        of, ofbt = cpu_ms(lambda: C.conv2d_forward(x, w, b, *a, "relu")), cpu_ms(ofb)
        tpf, tpfb = cpu_ms(pf), cpu_ms(pfb)
        gf = 2.0 * N * OH * OH * K * K * CI * CO / of / 1e6
        rows.append(f"| {name} | {of:.2f} | {gf:.0f} | {ofbt:.2f} | {tpf:.2f} | {tpfb:.2f} | {tpf / of:.2f} | {tpfb / ofbt:.2f} |")
    head = ("| layer | ours fwd ms | ours fwd GFLOP/s | ours fwd+bwd ms | torch fwd ms | torch fwd+bwd ms | "
            "fwd torch/ours | fwd+bwd torch/ours |\n|---|---|---|---|---|---|---|---|")
    return head + "\n" + "\n".join(rows)


def pool_rows():
    rows = []
    for name, xs in [("max 2x2", (64, 24, 24, 20)), ("max 2x2", (32, 56, 56, 64))]:
        x = np.random.default_rng(0).standard_normal(xs).astype(np.float32)
        N, H, W, Cc = xs
        dy = np.ones((N, H // 2, W // 2, Cc), np.float32)
        xt = torch.from_numpy(x).permute(0, 3, 1, 2)
        xg = xt.detach().clone(memory_format=torch.channels_last).requires_grad_(True)
        dyt = torch.from_numpy(dy).permute(0, 3, 1, 2)
        g = (2, 2, 2, 2, 0, 0, 0, 0)

        def ofb():
            _, am = C.max_pool2d_forward(x, *g, True)
            C.max_pool2d_backward(dy, am, H, W, *g)

        def pf():
            with torch.no_grad():
                F.max_pool2d(xt, 2)

        def pfb():
            xg.grad = None
            F.max_pool2d(xg, 2).backward(dyt)
        of, ofbt = cpu_ms(lambda: C.max_pool2d_forward(x, *g, False)), cpu_ms(ofb)
        tpf, tpfb = cpu_ms(pf), cpu_ms(pfb)
        gbs = (x.nbytes * 1.25) / of / 1e6
        rows.append(f"| {name} {'x'.join(map(str, xs))} | {of:.2f} | {gbs:.1f} | {ofbt:.2f} | {tpf:.2f} | {tpfb:.2f} | "
                    f"{tpf / of:.2f} | {tpfb / ofbt:.2f} |")
    n = 64 * 1024 * 1024
    src, dst = np.ones(n, np.float32), np.empty(n, np.float32)
    bw = 2 * src.nbytes / cpu_ms(lambda: np.copyto(dst, src), n=3) / 1e6
    head = (f"single-thread copy bandwidth (np.copyto 256 MiB, read+write): {bw:.1f} GB/s\n\n"
            "| pool | ours fwd ms | ours fwd GB/s | ours fwd+bwd ms | torch fwd ms | torch fwd+bwd ms | "
            "fwd torch/ours | fwd+bwd torch/ours |\n|---|---|---|---|---|---|---|---|")
    return head + "\n" + "\n".join(rows)


if __name__ == "__main__":
    C.set_num_threads(1)
    torch.set_num_threads(1)
    print(f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, 1 thread each side, CPU time (process_time), "
          f"isa {C.isa()}, torch {torch.__version__}")
    print(conv_rows())
    print()
    print(pool_rows())
