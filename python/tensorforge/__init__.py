"""tensorforge: a small deep-learning engine on hand-written CPU (SIMD + thread pool) and CUDA kernels,
with a Keras-2-compatible API.

    import tensorforge as tf
    tf.backend_info()            # ISA path, threads, CUDA build / GPU
    tf.set_backend("numpy")      # 'cpu' (native, default), 'cuda', 'numpy' (reference)
"""
import sys

from ._version import __version__  # noqa: F401
from . import _native  # noqa: E402
from .backend import (  # noqa: E402,F401
    backend_info, get_backend, get_num_threads, set_backend, set_num_threads)
from . import backend_tensorflow  # noqa: E402,F401  (keras.backend.tensorflow_backend)
from .autograd import Tensor, no_grad, enable_grad, from_dlpack  # noqa: E402,F401
from . import ops  # noqa: E402,F401
from . import kernels  # noqa: E402,F401
from . import reference  # noqa: E402,F401

# Keras-style module map (filled by the library issue); a missing module is not an import error.
for _name in ("activations", "initializers", "regularizers", "constraints", "losses", "metrics",
              "optimizers",
              "layers", "models", "callbacks", "utils", "datasets", "preprocessing",
              "applications", "mixed_precision", "wrappers"):
    try:
        __import__(f"{__name__}.{_name}")
    except ModuleNotFoundError as _e:
        if _e.name != f"{__name__}.{_name}":
            raise

from .engine.input_layer import Input  # noqa: E402,F401  (keras.Input)
from .models import Model, Sequential  # noqa: E402,F401  (keras.Model, keras.Sequential)
from . import legacy_interfaces as _legacy_interfaces  # noqa: E402
_legacy_interfaces.install()  # Keras 1 arguments, as Keras 2.0-2.2 took them

# `from tensorforge import keras` / `tensorforge.keras.layers`: the package itself, under the
# name TensorFlow 2 programs import Keras by (See _keras_alias.py)
from . import _keras_alias  # noqa: E402
_keras_alias.install()
from . import _tf_modules  # noqa: E402  (`from tensorflow.train import Example`)
_tf_modules.install()
keras = sys.modules[__name__]


_tf_names = {}  # the tf_compat names already looked up (see __getattr__)


def __getattr__(name):
    """TensorFlow 2's names on ``tf`` (``tf.GradientTape``, ``tf.data``, ``tf.reduce_mean``,
    ...), loaded on first use from tf_compat.py (PEP 562: the package namespace stays small).
    A name found is remembered in ``_tf_names``, not in the package namespace (where
    ``tf.range`` or ``tf.print`` would shadow builtins in a later ``from tensorforge import *``):
    custom layers call ``tf.matmul`` every step, and the import and list scan cost ~2 us a call,
    the dict lookup ~0.4 (bench/tfcompat_overhead.py)."""
    try:
        return _tf_names[name]
    except KeyError:
        pass
    # no TensorFlow name starts so; a tf_* submodule not imported yet must not load tf_compat
    # here: ``from . import tf_complex`` (tf_tensors.py) asks this function first, and
    # tf_compat imports tf_tensors (a circle, caught by tests/test_import_order.py)
    if name.startswith(("_", "tf_")):
        raise AttributeError(f"module 'tensorforge' has no attribute {name!r}")
    import importlib
    tf_compat = importlib.import_module(__name__ + ".tf_compat")
    attr = {"bool": "bool_"}.get(name, name)
    if attr in tf_compat.__all__:
        value = _tf_names[name] = getattr(tf_compat, attr)
        return value
    raise AttributeError(f"module 'tensorforge' has no attribute {name!r}")


get_backend()  # resolve the initial backend now, so a missing native module warns at import
