"""The package's import structure: every module imports in a fresh interpreter whichever module
comes first and whatever order the rest follow, and the modules import each other in no circle
(deferred imports inside functions included) but the one named below, so an import-order bug
cannot come back silently.

The one circle kept: Tensor's operator methods (autograd/tensor.py) call the ops (ops/basic.py),
which build on Tensor and Function (autograd/function.py, itself on Tensor), as PyTorch's Tensor
methods call its ops. autograd/tensor.py imports ops.basic only on the first operator call
(``_basic()``), so importing the autograd package never needs the ops and the order is well
defined: autograd/, then ops/.
"""
import ast
import os
import subprocess
import sys

import pytest

import tensorforge
from tfhelpers import subprocess_env

ROOT = os.path.dirname(os.path.abspath(tensorforge.__file__))
ALLOWED_CIRCLES = [{"tensorforge.autograd.tensor", "tensorforge.autograd.function",
                    "tensorforge.ops.basic"}]
_NATIVE = ("_C", "_C_cuda")


def _modules():
    """{module name: path} of every module of the package (__main__ files run a program: left
    out)."""
    mods = {}
    for d, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(x for x in dirs if x != "__pycache__")
        for f in sorted(files):
            if f.endswith(".py") and f != "__main__.py":
                rel = os.path.relpath(os.path.join(d, f), ROOT)[:-3].replace(os.sep, ".")
                rel = "" if rel == "__init__" else rel.removesuffix(".__init__")
                mods["tensorforge" + ("." + rel if rel else "")] = os.path.join(d, f)
    return mods


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


# ---- no import circle -----------------------------------------------------------------------
def _imports(name, path, mods):
    """The package modules ``name`` imports anywhere in its file (deferred imports too)."""
    is_pkg = path.endswith("__init__.py")
    out = set()
    for node in ast.walk(ast.parse(open(path, encoding="utf-8").read(), path)):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")[:len(name.split(".")) - (node.level - (1 if is_pkg else 0))]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from pkg import sub` imports the submodule pkg.sub; `from mod import name`, mod;
            # the native extensions (_C, _C_cuda) are no Python modules
            targets = [module + "." + a.name if module + "." + a.name in mods else module
                       for a in node.names if a.name not in _NATIVE]
        else:
            continue
        for t in targets:
            while t not in mods and "." in t:  # a name inside a module, or an extension (_C)
                t = t.rsplit(".", 1)[0]
            if t in mods and t != name and t.startswith("tensorforge"):
                out.add(t)
    return out


def _circles(graph):
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = set()
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.add(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    comps.append(comp)
    return comps


def test_the_circle_finder_finds_a_planted_circle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _circles(graph) == [{"a", "b", "c"}]


def test_modules_import_each_other_in_no_circle():
    mods = _modules()
    graph = {m: _imports(m, p, mods) for m, p in mods.items()}
    assert "tensorforge.ops.basic" in graph["tensorforge.autograd.tensor"]  # the reader sees deferred ones
    found = [c for c in _circles(graph) if c not in ALLOWED_CIRCLES]
    assert not found, "import circles (A imports B ... imports A): " + "; ".join(
        " <-> ".join(sorted(c)) for c in found)


def _reach(graph, start):
    seen, todo = set(), [start]
    while todo:
        for w in graph[todo.pop()]:
            if w not in seen:
                seen.add(w)
                todo.append(w)
    return seen


def test_symbolic_tensors_stand_below_the_engine():
    """KerasTensor and Node (symbolic/) are what the ops and the Keras backend build graphs
    with: nothing they import, deferred imports included, reaches the engine, the layers or the
    tf namespace (which would close a circle through every module that imports the backend)."""
    mods = _modules()
    graph = {m: _imports(m, p, mods) for m, p in mods.items()}
    for name in ("tensorforge.symbolic.node", "tensorforge.symbolic.operators"):
        above = sorted(m for m in _reach(graph, name)
                       if m.startswith(("tensorforge.engine", "tensorforge.layers",
                                        "tensorforge.tf_compat", "tensorforge.backend_ops")))
        assert not above, f"{name} reaches {above}"


def test_keras_2_node_path_and_old_pickles_find_the_same_classes():
    import pickle

    import tensorforge.engine.node as old
    import tensorforge.symbolic.node as new
    assert old.KerasTensor is new.KerasTensor and old.Node is new.Node
    # a pickle written before the move names the class by its old module
    blob = b"ctensorforge.engine.node\nNode\n."  # protocol 0: GLOBAL module name, STOP
    assert pickle.loads(blob) is new.Node
