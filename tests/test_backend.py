"""Backend selection, dispatch table, backend_info, and the NumPy fallback when _C is absent."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tensorforge as tf


def test_set_get_backend_roundtrip():
    prev = tf.get_backend()
    try:
        tf.set_backend("numpy")
        assert tf.get_backend() == "numpy"
        assert tf.backend.implementation("gemm") == "reference"
        if tf._native._C is not None:
            tf.set_backend("cpu")
            assert tf.backend.implementation("gemm") == "native"
    finally:
        tf.set_backend(prev)


def test_set_backend_rejects_unknown_and_unavailable():
    with pytest.raises(ValueError, match="set_backend: backend must be one of"):
        tf.set_backend("tpu")
    if not tf.backend.cuda_available():
        with pytest.raises(RuntimeError, match="set_backend"):
            tf.set_backend("cuda")


def test_backend_info_reports_runtime(capsys):
    info = tf.backend_info()
    printed = capsys.readouterr().out
    for key in ("backend", "isa", "threads", "cuda_compiled", "gpu_visible", "version"):
        assert key in info and key in printed
    if tf._native._C is not None:
        assert info["isa"] in ("generic", "avx2", "avx512")
        assert info["isa"] in info["supported_isas"]


def test_every_reference_op_is_in_the_table():
    for name in tf.reference.OPS:
        for b in tf.backend.BACKENDS:
            assert callable(tf.backend.lookup(name, b))


def test_env_backend_variable():
    code = "import tensorforge as tf; print(tf.get_backend())"
    env = dict(os.environ, TENSORFORGE_BACKEND="numpy")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "numpy"


def test_imports_and_works_without_native_module():
    """Block tensorforge._C at import: the package must load, warn once, and compute on NumPy."""
    code = textwrap.dedent("""
        import sys, warnings, importlib.abc
        class Block(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name in ("tensorforge._C", "tensorforge._C_cuda"):
                    raise ImportError("blocked for the test")
        sys.meta_path.insert(0, Block())
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            import tensorforge as tf
            import numpy as np
            a = np.arange(6, dtype=np.float32).reshape(2, 3)
            r = tf.ops.matmul(a, a.T)
        assert tf.get_backend() == "numpy", tf.get_backend()
        assert np.allclose(r, a @ a.T)
        msgs = [str(x.message) for x in w if "native CPU kernels unavailable" in str(x.message)]
        assert len(msgs) == 1, msgs
        print("ok")
    """)
    env = {k: v for k, v in os.environ.items() if k != "TENSORFORGE_BACKEND"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("ok")


def test_isa_override_env():
    if tf._native._C is None:
        pytest.skip("native CPU module unavailable")
    code = "import tensorforge as tf; print(tf._native._C.isa())"
    env = dict(os.environ, TENSORFORGE_ISA="generic")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "generic"


def test_threads_setting():
    n = tf.get_num_threads()
    try:
        tf.set_num_threads(1)
        assert tf.get_num_threads() == 1
    finally:
        tf.set_num_threads(n)
    with pytest.raises(ValueError, match="set_num_threads"):
        tf.set_num_threads(0)
