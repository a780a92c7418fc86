"""Pointwise and optimizer kernels: ours (native cpu, through tensorforge.kernels) vs the NumPy
expression a user would write, and PyTorch CPU where installed. Not run by CI.

    PYTHONPATH=python python -m pytest bench/test_bench_pointwise.py --benchmark-only
    env -u OPENBLAS_CORETYPE PYTHONPATH=python python bench/test_bench_pointwise.py [--threads N]
        (the second form times every case interleaved in one process and prints the markdown table
        kept in bench/RESULTS.md)

Cases: relu, sigmoid, tanh (forward), softmax cross-entropy forward + backward (sparse labels),
and one Adam step, each at 1M elements (softmax-xent: (1024, 1024)) and at a LeNet-sized batch
((32, 10), i.e. 320 elements; Adam on a 320-element parameter). Every candidate's result is checked
against a float64 formula before it is timed.
"""
import argparse
import os
import sys

import numpy as np

try:
    import pytest
except ImportError:  # the table mode needs only NumPy
    pytest = None

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import tensorforge as tf  # noqa: E402
from tensorforge import kernels as K  # noqa: E402

SIZES = {"1M": (1024, 1024), "32x10": (32, 10)}
OPS = ["relu", "sigmoid", "tanh", "softmax_xent", "adam"]


def _torch():
    try:
        import torch
        return torch
    except Exception:
        return None


def make_case(op, size):
    """(inputs dict, float64 expected result, {impl: fn}) for one op and size."""
    rng = np.random.default_rng(0)
    shape = SIZES[size]
    x = (rng.standard_normal(shape) * 3).astype(np.float32)
    x64 = x.astype(np.float64)
    torch = _torch()
    impls = {}
    if op in ("relu", "sigmoid", "tanh"):
        expect = {"relu": lambda: np.maximum(x64, 0), "sigmoid": lambda: 0.5 * (1 + np.tanh(x64 / 2)),
                  "tanh": lambda: np.tanh(x64)}[op]()
        impls["ours"] = lambda: K.act_forward(x, op)
        impls["numpy"] = {"relu": lambda: np.maximum(x, 0), "sigmoid": lambda: 1 / (1 + np.exp(-x)),
                          "tanh": lambda: np.tanh(x)}[op]
        if torch is not None:
            xt = torch.from_numpy(x)
            impls["torch"] = {"relu": lambda: torch.relu(xt), "sigmoid": lambda: torch.sigmoid(xt),
                              "tanh": lambda: torch.tanh(xt)}[op]
        return expect, impls
    if op == "softmax_xent":
        N, C = shape
        labels = rng.integers(0, C, N)
        ls = x64 - x64.max(-1, keepdims=True)
        ls = ls - np.log(np.exp(ls).sum(-1, keepdims=True))
        expect = np.exp(ls) - np.eye(C)[labels]  # d mean-loss / d logits, times N

        def ours():
            loss, probs = K.softmax_xent_forward(x, labels, True)
            return K.softmax_xent_backward(probs, labels, True, 1.0), loss.mean()

        def numpy_():
            m = x.max(-1, keepdims=True)
            e = np.exp(x - m)
            s = e.sum(-1, keepdims=True)
            loss = (np.log(s[:, 0]) + m[:, 0] - x[np.arange(N), labels]).mean()
            d = e / s
            d[np.arange(N), labels] -= 1
            return d, loss
        impls["ours"], impls["numpy"] = ours, numpy_
        if torch is not None:
            lt = torch.from_numpy(labels)

            def torch_():
                xt = torch.from_numpy(x).requires_grad_(True)
                loss = torch.nn.functional.cross_entropy(xt, lt, reduction="sum")
                loss.backward()
                return xt.grad
            impls["torch"] = torch_
        return expect, impls
    if op == "adam":
        g = rng.standard_normal(shape).astype(np.float32)
        lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-7
        # one step from m = v = 0 at t = 1, in float64
        m64, v64 = (1 - b1) * g.astype(np.float64), (1 - b2) * g.astype(np.float64) ** 2
        expect = x64 - lr * np.sqrt(1 - b2) / (1 - b1) * m64 / (np.sqrt(v64) + eps)
        state = {}

        def fresh(name):
            state[name] = (x.copy(), np.zeros_like(x), np.zeros_like(x))
            return state[name]

        def ours():
            p, m, v = state.get("ours") or fresh("ours")
            K.adam_update(p, g, m, v, lr, b1, b2, eps, 1)
            return p

        def numpy_():
            p, m, v = state.get("numpy") or fresh("numpy")
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            p -= (lr * np.sqrt(1 - b2) / (1 - b1)) * m / (np.sqrt(v) + eps)
            return p
        impls["ours"], impls["numpy"] = ours, numpy_
        if torch is not None:
            def torch_():
                if "torch" not in state:
                    pt = torch.nn.Parameter(torch.from_numpy(x.copy()))
                    pt.grad = torch.from_numpy(g)
                    # torch adds eps to sqrt(v_hat), Keras 2 to sqrt(v): equal at t = 1 with this eps
                    teps = eps / np.sqrt(1 - b2)
                    state["torch"] = (pt, torch.optim.Adam([pt], lr=lr, betas=(b1, b2), eps=teps))
                pt, opt = state["torch"]
                opt.step()
                return pt.detach().numpy()
            impls["torch"] = torch_

        def reset():
            state.clear()
        impls["_reset"] = reset
        return expect, impls
    raise ValueError(op)


def result_of(op, out):
    return out[0] if isinstance(out, tuple) else out


def check(op, impl, fn, expect, impls):
    if "_reset" in impls:
        impls["_reset"]()
    got = np.asarray(result_of(op, fn()), dtype=np.float64)  # torch's xent grad: summed loss, scale 1
    scale = np.abs(expect) + (1e-3 if op == "adam" else 1e-6)
    err = np.max(np.abs(got - expect) / scale)
    if not err < 1e-4:
        raise AssertionError(f"{op} {impl}: max relative error {err:.3g} vs the float64 formula")


if pytest is not None:
    @pytest.mark.parametrize("size", list(SIZES))
    @pytest.mark.parametrize("op", OPS)
    @pytest.mark.parametrize("impl", ["ours", "numpy", "torch"])
    def test_pointwise(benchmark, op, size, impl):
        tf.set_backend("cpu")
        torch = _torch()
        if impl == "torch" and torch is None:
            pytest.skip("torch not installed")
        expect, impls = make_case(op, size)
        check(op, impl, impls[impl], expect, impls)
        benchmark(impls[impl])


def main(argv=None):
    from tensorforge.bench._util import cpu_model, timeit
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    tf.set_backend("cpu")
    tf.set_num_threads(args.threads)
    torch = _torch()
    if torch is not None:
        torch.set_num_threads(args.threads)
    peers = ["numpy"] + (["torch"] if torch is not None else [])
    head = "| op | size | ours (us) | " + " | ".join(f"{p} (us) | {p}/ours" for p in peers) + " |"
    rows = [head, "|" + "---|" * (3 + 2 * len(peers))]
    for op in OPS:
        for size in SIZES:
            expect, impls = make_case(op, size)
            for impl in ["ours"] + peers:
                check(op, impl, impls[impl], expect, impls)
            # interleave the candidates so machine noise hits them alike; keep the best median
            best = {k: float("inf") for k in ["ours"] + peers}
            for _ in range(3):
                for k in best:
                    best[k] = min(best[k], timeit(impls[k], warmup=3, min_time=0.2))
            n = SIZES[size][0] * SIZES[size][1]
            cells = [f"{best['ours'] * 1e6:.1f}"]
            for p in peers:
                cells += [f"{best[p] * 1e6:.1f}", f"{best[p] / best['ours']:.2f}x"]
            rows.append(f"| {op} | {size} ({n}) | " + " | ".join(cells) + " |")
    info = tf.backend_info(print_it=False)
    print(f"CPU: {cpu_model()}; ISA {info['isa']}; threads {args.threads}; NumPy {np.__version__}"
          + (f"; torch {torch.__version__}" if torch is not None else ""))
    print("\n".join(rows))


if __name__ == "__main__":
    main()
