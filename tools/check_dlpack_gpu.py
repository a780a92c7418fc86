"""GPU check of the array exchange (interop.py), for a machine with CUDA, CuPy and PyTorch CUDA.

    PYTHONPATH=python python3 tools/check_dlpack_gpu.py

Checks, printing one line each and exiting non-zero on a failure: a CuPy array and a PyTorch CUDA
tensor read by Tensor() without a copy (__cuda_array_interface__ and __dlpack__ device 2), a
Tensor on the cuda backend exported to PyTorch / CuPy through __dlpack__ without a copy, and an
op (gemm) on a foreign CUDA array. Not part of the test suite: the CI machines have no GPU.
"""
import sys


def main():
    import cupy
    import numpy as np
    import tensorforge as tf
    from tensorforge import ops
    from tensorforge.autograd import Tensor
    bad = 0

    def check(what, ok):
        nonlocal bad
        bad += not ok
        print(f"{'OK ' if ok else 'BAD'} {what}")

    tf.set_backend("cuda")
    c = cupy.arange(12, dtype=cupy.float32).reshape(3, 4)
    t = Tensor(c)
    check("Tensor(cupy) is a view", t.data.data.ptr == c.data.ptr)
    check("from_dlpack(cupy) is a view", tf.from_dlpack(c).data.data.ptr == c.data.ptr)
    back = cupy.from_dlpack(t)
    check("cupy.from_dlpack(Tensor) is a view", back.data.ptr == c.data.ptr)
    try:
        import torch
    except ImportError:
        print("-- torch not installed: PyTorch checks skipped")
    else:
        pt = torch.arange(12, dtype=torch.float32, device="cuda").reshape(3, 4)
        t2 = Tensor(pt)
        check("Tensor(torch cuda) is a view", int(t2.data.data.ptr) == pt.data_ptr())
        check("torch.from_dlpack(Tensor) is a view",
              torch.from_dlpack(t2).data_ptr() == pt.data_ptr())
        w = torch.ones(4, 2, device="cuda")
        y = ops.gemm(pt, w)
        check("gemm(torch cuda, torch cuda)", np.allclose(cupy.asnumpy(y),
                                                          (pt @ w).cpu().numpy()))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
