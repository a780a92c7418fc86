"""The package's import structure: every module imports in a fresh interpreter whichever module
comes first and whatever order the rest follow, and the modules import each other in no circle
(deferred imports inside functions and by-name imports, ``importlib.import_module("...")``,
included: tools/import_graph.py reads them) but the one named below, so an import-order bug
cannot come back silently.

The one circle kept: Tensor's operator methods (autograd/tensor.py) call the ops (ops/basic.py),
which build on Tensor and Function (autograd/function.py, itself on Tensor), as PyTorch's Tensor
methods call its ops. autograd/tensor.py imports ops.basic only on the first operator call
(``_basic()``), so importing the autograd package never needs the ops and the order is well
defined: autograd/, then ops/.
"""
import os
import subprocess
import sys

import pytest

from tfhelpers import subprocess_env

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))
from import_graph import circles as _circles, graph as _graph, modules as _modules  # noqa: E402
from import_graph import imports as _imports, reach as _reach  # noqa: E402

ALLOWED_CIRCLES = [{"tensorforge.autograd.tensor", "tensorforge.autograd.function",
                    "tensorforge.ops.basic"}]
# What importing a module runs (module-level imports and the packages above what they import):
# the engine package's __init__ serves Keras 2.2's ``keras.engine.Model`` (training.py), training
# saves through saving/, and saving's modules read the engine's layers (base_layer,
# serialization), which runs that __init__ again. It works as each module imports submodules,
# never a name the half-run engine package has yet to define; the bound keeps it from growing.
ALLOWED_IMPORT_TIME = [{"tensorforge.engine", "tensorforge.engine.saving",
                        "tensorforge.engine.sequential", "tensorforge.engine.training",
                        "tensorforge.saving", "tensorforge.saving.hdf5_format",
                        "tensorforge.saving.keras_archive", "tensorforge.saving.keras_config"}]


# ---- every module imports, whatever comes first ---------------------------------------------
_CHILD = r"""
import importlib, random, sys
first, order, names = sys.argv[1], sys.argv[2], sys.argv[3:]
importlib.import_module(first)  # the first import of the package in this interpreter
if order == "reverse":
    names.reverse()
elif order == "shuffled":
    random.Random(1234).shuffle(names)
for name in names:
    importlib.import_module(name)
import tensorforge as tf
# names that moved between modules resolve where users reach them
assert tf.backend.floatx() == "float32" and callable(tf.backend.set_backend)
assert callable(tf.backend.mean) and callable(tf.backend.clear_session)
assert callable(tf.from_dlpack) and tf.__version__
assert tf.data.experimental.make_csv_dataset.__module__ == "tensorforge.tf_data_csv"
assert tf.utils.to_categorical([1], 3).tolist() == [[0.0, 1.0, 0.0]]
# the tf ops live in tf_ops.py (below the engine); tf.* serves the engine's recording wrappers
ops = sys.modules["tensorforge.tf_ops"]
assert tf.reduce_sum is ops.reduce_sum is tf.math.reduce_sum
assert ops.reduce_sum.tf_symbol == "math.reduce_sum" and tf.concat.tf_symbol == "concat"
assert tf.nn.relu is ops.nn.relu and tf.nn.relu.tf_symbol == "nn.relu"
assert tf.compat.v1.set_random_seed is tf.random.set_seed is tf.set_random_seed
print(len(names))
"""


@pytest.mark.parametrize("first,order", [
    ("tensorforge.engine.saving", "sorted"),
    ("tensorforge.distributed._nccl", "reverse"),
    ("tensorforge.tf_data_csv", "shuffled"),
    ("tensorforge.saving.keras_model", "reverse"),
    ("tensorforge.ops.basic", "shuffled"),
    ("tensorforge.utils.np_utils", "sorted"),
])
def test_every_module_imports_in_a_fresh_interpreter(first, order):
    names = sorted(_modules())
    assert first in names
    p = subprocess.run([sys.executable, "-c", _CHILD, first, order] + names, capture_output=True,
                       text=True, timeout=300, env=subprocess_env())
    assert p.returncode == 0, f"importing {first} first, then the rest {order}:\n{p.stderr}"
    assert p.stdout.split()[-1] == str(len(names))


def test_import_tensorforge_leaves_the_tf_ops_for_first_use():
    """tf_ops.py and the tf_* modules under it load with the first tf.* name or saved TFOpLambda
    (engine/tf_op_symbols.ops()), not with ``import tensorforge``."""
    code = ("import sys, tensorforge as tf\n"
            "assert 'tensorforge.tf_ops' not in sys.modules\n"
            "assert 'tensorforge.tf_compat' not in sys.modules\n"
            "assert tf.reduce_sum.tf_symbol == 'math.reduce_sum'\n"
            "assert 'tensorforge.tf_ops' in sys.modules\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                       env=subprocess_env())
    assert p.returncode == 0, p.stderr


# ---- no import circle -----------------------------------------------------------------------
def test_the_circle_finder_finds_a_planted_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _circles(graph) == [{"a", "b", "c"}]


def test_the_reader_sees_by_name_imports(tmp_path):
    src = tmp_path / "mod.py"
    src.write_text("import importlib\n"
                   "def f():\n"
                   "    importlib.import_module('tensorforge.tf_compat')\n"
                   "    importlib.import_module(__name__ + '.layers')\n"
                   "    __import__(f'{__name__}.models')\n"
                   "    importlib.import_module(f'tensorforge.{name}')  # not spelled out\n")
    mods = {m: "" for m in ("tensorforge", "tensorforge.tf_compat", "tensorforge.layers",
                            "tensorforge.models", "tensorforge.backend")}
    assert _imports("tensorforge", str(src), mods) == {
        "tensorforge.tf_compat", "tensorforge.layers", "tensorforge.models"}


def test_the_import_time_reader_skips_function_bodies_and_adds_packages(tmp_path):
    src = tmp_path / "mod.py"
    src.write_text("from tensorforge.utils.np_utils import to_categorical\n"
                   "if True:\n"
                   "    import tensorforge.layers.core\n"
                   "def f():\n"
                   "    import tensorforge.models\n")
    mods = {m: "" for m in ("tensorforge", "tensorforge.utils", "tensorforge.utils.np_utils",
                            "tensorforge.layers", "tensorforge.layers.core", "tensorforge.models")}
    assert _imports("tensorforge.x", str(src), mods, at_import=True) == {
        "tensorforge.utils.np_utils", "tensorforge.utils", "tensorforge.layers.core",
        "tensorforge.layers"}
    assert "tensorforge.models" in _imports("tensorforge.x", str(src), mods)


def test_importing_a_module_runs_no_circle_but_the_engine_saving_one():
    """utils/__init__ imports FeatureSpace (the layers) and used to import preprocessing/: the
    convolution layers (utils.conv_utils) and preprocessing/ (utils.data_utils) ran it again, a
    16-module circle at import time, until those helpers moved below (_conv_utils.py,
    utils/image_utils.py)."""
    found = [c for c in _circles(_graph(at_import=True))
             if not any(c <= allowed for allowed in ALLOWED_IMPORT_TIME)]
    assert not found, "import-time circles: " + "; ".join(
        " <-> ".join(sorted(c)) for c in found)


def test_modules_import_each_other_in_no_circle():
    graph = _graph()
    assert "tensorforge.ops.basic" in graph["tensorforge.autograd.tensor"]  # the reader sees deferred ones
    found = [c for c in _circles(graph) if c not in ALLOWED_CIRCLES]
    assert not found, "import circles (A imports B ... imports A): " + "; ".join(
        " <-> ".join(sorted(c)) for c in found)


def test_symbolic_tensors_stand_below_the_engine():
    """KerasTensor and Node (symbolic/) are what the ops and the Keras backend build graphs
    with: nothing they import, deferred imports included, reaches the engine, the layers or the
    tf namespace (which would close a circle through every module that imports the backend)."""
    graph = _graph()
    for name in ("tensorforge.symbolic.node", "tensorforge.symbolic.operators"):
        above = sorted(m for m in _reach(graph, name)
                       if m.startswith(("tensorforge.engine", "tensorforge.layers",
                                        "tensorforge.tf_compat", "tensorforge.backend_ops")))
        assert not above, f"{name} reaches {above}"


def test_tf_ops_stand_below_the_engine():
    """The tf ops (tf_ops.py: tf.math / tf.nn / tf.linalg and the top-level ops) are what the
    engine resolves a saved TFOpLambda's function name in: nothing they import reaches the
    engine, the layers, the models, saving or the tf namespace (tf_compat), and the engine
    reaches tf_compat nowhere."""
    graph = _graph()
    above = sorted(m for m in _reach(graph, "tensorforge.tf_ops")
                   if m == "tensorforge" or m.startswith((
                       "tensorforge.engine", "tensorforge.layers", "tensorforge.models",
                       "tensorforge.saving", "tensorforge.tf_compat")))
    assert not above, f"tensorforge.tf_ops reaches {above}"
    for name in ("tensorforge.engine.tf_op_symbols", "tensorforge.engine.training",
                 "tensorforge.engine.saving", "tensorforge.layers"):
        assert "tensorforge.tf_compat" not in _reach(graph, name), name


def test_keras_2_node_path_and_old_pickles_find_the_same_classes():
    import pickle

    import tensorforge.engine.node as old
    import tensorforge.symbolic.node as new
    assert old.KerasTensor is new.KerasTensor and old.Node is new.Node
    # a pickle written before the move names the class by its old module
    blob = b"ctensorforge.engine.node\nNode\n."  # protocol 0: GLOBAL module name, STOP
    assert pickle.loads(blob) is new.Node
