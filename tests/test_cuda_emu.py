"""The CUDA kernel sources run on the CPU model of the CUDA execution model (csrc/cuda/emu), under
AddressSanitizer when available; the recurrent family's outputs checked here against the float64
reference (see test_cuda.py for the other CUDA test files)."""
import os
import shutil
import subprocess

import numpy as np
import pytest

from cuda_checks import ROOT, _rnn_emu_inputs, _rnn_reference, assert_close


def _emu_compiler():
    for cxx in (os.environ.get("CXX"), "g++", "clang++"):
        if cxx and shutil.which(cxx):
            return cxx
    return None


EMU_SELF_CHECKING = ["emu_gemm", "emu_pointwise", "emu_pool", "emu_conv", "emu_conv_depthwise",
                     "emu_norm"]
EMU_PROGS = EMU_SELF_CHECKING + ["emu_rnn"]  # emu_rnn's outputs are checked here, in Python


@pytest.fixture(scope="module")
def emu_builds(tmp_path_factory):
    """Compile every csrc/cuda/emu program once, concurrently: {prog: (exe | None, log)}."""
    cxx = _emu_compiler()
    src_dir = os.path.join(ROOT, "csrc", "cuda", "emu")
    if not os.path.isdir(src_dir):
        pytest.skip("csrc/cuda/emu is not in this tree (installed package?)")
    if cxx is None:
        pytest.skip("no C++ compiler")
    out = tmp_path_factory.mktemp("emu")

    def cmd(prog, sanitize):
        base = [cxx, "-std=c++20", "-O0", "-I", os.path.join(ROOT, "csrc", "include"), "-I",
                os.path.join(ROOT, "csrc", "cuda"), os.path.join(src_dir, prog + ".cpp"), "-o",
                str(out / prog), "-pthread"]
        return base + (["-fsanitize=address"] if sanitize else [])

    procs = {p: subprocess.Popen(cmd(p, True), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for p in EMU_PROGS}
    builds = {}
    for prog, proc in procs.items():
        _, err = proc.communicate()
        if proc.returncode != 0:  # no sanitizer runtime on this machine: plain build
            r = subprocess.run(cmd(prog, False), capture_output=True, text=True)
            builds[prog] = (str(out / prog) if r.returncode == 0 else None, r.stderr)
        else:
            builds[prog] = (str(out / prog), err)
    return builds


@pytest.mark.parametrize("prog", EMU_SELF_CHECKING)
def test_kernels_on_cpu_model_of_cuda(emu_builds, prog):
    """The kernel sources, compiled as host C++ and run on csrc/cuda/emu's CPU model of the CUDA
    execution model, match float64 references (tile edges, loaders, vector/scalar paths, views,
    split-K, conv2d's GEMM plan, pooling windows, dropout masks == the reference's)."""
    exe, log = emu_builds[prog]
    if exe is None and "c++20" in log:
        pytest.skip(f"the C++ compiler does not compile C++20: {log[-300:]}")
    assert exe is not None, log[-3000:]
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    run = subprocess.run([exe], capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0 and "all cases passed" in run.stdout, (run.stdout[-3000:] + run.stderr[-3000:])


# ---- the recurrent family's GPU path on the CPU model -----------------------------------------

RNN_EMU_CASES = [  # cell, (B, T, F, U), go_backwards, reset_after, act, rec_act, bias, h0/c0, mask, sms
    ("lstm", (3, 5, 4, 7), False, True, "tanh", "sigmoid", True, True, True, 132),
    ("lstm", (2, 4, 3, 5), True, True, "tanh", "hard_sigmoid", False, False, False, 1),
    ("lstm", (4, 3, 2, 6), True, True, "relu", "sigmoid", True, True, True, 132),
    ("lstm", (32, 17, 5, 9), False, True, "tanh", "sigmoid", True, True, True, 132),  # split-K dW, db
    ("gru", (3, 5, 4, 7), True, True, "tanh", "sigmoid", True, True, True, 132),
    ("gru", (2, 6, 3, 5), False, False, "tanh", "hard_sigmoid", True, True, False, 1),
    ("gru", (3, 4, 5, 6), False, True, "relu", "sigmoid", False, False, True, 132),
    ("gru", (4, 5, 2, 3), True, False, "tanh", "sigmoid", True, False, True, 132),
    ("gru", (32, 17, 3, 5), True, True, "tanh", "sigmoid", True, True, True, 132),    # split-K
    ("simple_rnn", (3, 6, 4, 5), True, True, "tanh", None, True, True, True, 132),
    ("simple_rnn", (2, 4, 3, 7), False, True, "relu", None, False, False, False, 1),
]



def test_rnn_on_cpu_model_of_cuda(emu_builds, rng, tmp_path):
    """The whole recurrent GPU path (csrc/cuda/rnn_seq.h's GEMM + cell-kernel sequence, the cell
    kernels, our SGEMM with its tile and split-K plans) run on the CPU model, against
    reference/rnn.py in float64: every forward output and saved array, and the BPTT gradients
    computed from the emulated forward's saved arrays. Masks with all-zero rows and leading zeros,
    go_backwards, h0/c0, no bias, hard_sigmoid, relu, both GRU formulations."""
    exe, log = emu_builds["emu_rnn"]
    if exe is None and "c++20" in log:
        pytest.skip(f"the C++ compiler does not compile C++20: {log[-300:]}")
    assert exe is not None, log[-3000:]
    cases, blob = [], np.asarray([len(RNN_EMU_CASES)], np.int64).tobytes()
    for case in RNN_EMU_CASES:
        a, b = _rnn_emu_inputs(rng, *case)
        cases.append(a)
        blob += b
    (tmp_path / "cases.bin").write_bytes(blob)
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0")
    run = subprocess.run([exe, str(tmp_path / "cases.bin"), str(tmp_path / "out.bin")],
                         capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    got = np.fromfile(tmp_path / "out.bin", np.float32)
    pos = 0
    for (cell, (B, T, F, U), gb, ra, act, ract, *_), a in zip(RNN_EMU_CASES, cases):
        fwd, bwd = _rnn_reference(cell, a, gb, ra, act, ract or "sigmoid")
        what = f"emu {cell} {(B, T, F, U)} gb={gb} ra={ra} {act}/{ract}"
        fnames = {"lstm": ["outputs", "h_T", "c_T", "gates", "h_prev", "c_prev"],
                  "gru": ["outputs", "h_T", "gates", "h_prev", "rec_h"],
                  "simple_rnn": ["outputs", "h_T", "cand", "h_prev"]}[cell]
        bnames = ["dx", "dkernel", "drecurrent_kernel", "dbias", "dh0"] + (["dc0"] if cell == "lstm" else [])
        for name, r in zip(fnames, fwd):
            g = got[pos:pos + r.size].reshape(r.shape)
            pos += r.size
            assert_close(g, r, scale=1.0 + np.abs(r), n=F + U, factor=16, atol=1e-6, what=f"{what} {name}")
        for name, r in zip(bnames, bwd):
            g = got[pos:pos + r.size].reshape(r.shape)
            pos += r.size
            assert_close(g, r, scale=1.0 + np.abs(r), n=(F + U) * T * (B if name != "dx" else 1),
                         factor=4, atol=1e-5, what=f"{what} {name}")
    assert pos == got.size, f"emu_rnn wrote {got.size} floats, the cases account for {pos}"
