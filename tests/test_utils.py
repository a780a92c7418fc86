"""utils: Sequence, get_file (local path / cache, never downloads), normalize, plot_model and
model_to_dot (pydot + graphviz optional: drawn when present, a clear ImportError otherwise)."""
import hashlib
import os
import tarfile

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import layers as L
from tensorforge import models as M
from tensorforge import utils as U


def test_sequence_base_class():
    class Batches(U.Sequence):
        def __init__(self):
            self.epochs = 0

        def __len__(self):
            return 3

        def __getitem__(self, i):
            return np.full((2, 1), i), np.zeros(2)

        def on_epoch_end(self):
            self.epochs += 1
    s = Batches()
    assert [int(x[0, 0]) for x, _ in s] == [0, 1, 2]
    s.on_epoch_end()
    assert s.epochs == 1
    with pytest.raises(NotImplementedError, match="__len__"):
        len(U.Sequence())


def test_normalize_as_keras():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    out = U.normalize(x)
    np.testing.assert_allclose(out, [[0.6, 0.8], [0, 0]])
    assert out.dtype == np.float64  # Keras keeps NumPy's dtype
    np.testing.assert_allclose(U.normalize(np.array([1.0, 1.0]), order=1), [[0.5, 0.5]])  # as Keras
    np.testing.assert_allclose(U.normalize(x, axis=0)[:, 1], [1.0, 0.0])


def test_get_file_local_cache_hash_extract_and_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("KERAS_HOME", raising=False)
    # an existing path is returned as is
    f = tmp_path / "data.txt"
    f.write_text("hello")
    assert U.get_file(str(f)) == str(f)
    # the Keras cache ~/.keras/datasets
    cache = tmp_path / "home" / ".keras" / "datasets"
    cache.mkdir(parents=True)
    (cache / "mnist.npz").write_bytes(b"abc")
    got = U.get_file("mnist.npz", origin="https://example.com/mnist.npz",
                     file_hash=hashlib.sha256(b"abc").hexdigest())
    assert got == str(cache / "mnist.npz")
    with pytest.raises(ValueError, match="corrupt"):
        U.get_file("mnist.npz", md5_hash="0" * 32)
    # ~/.tensorforge/datasets and untar
    tf_cache = tmp_path / "home" / ".tensorforge" / "datasets"
    tf_cache.mkdir(parents=True)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.txt").write_text("x")
    with tarfile.open(tf_cache / "pkg.tar.gz", "w:gz") as t:
        t.add(tmp_path / "pkg", arcname="pkg")
    out = U.get_file("pkg", origin="https://example.com/pkg.tar.gz", untar=True)
    assert out == str(tf_cache / "pkg") and (tf_cache / "pkg" / "a.txt").read_text() == "x"
    # missing: a clear error naming the places to put the file and the origin, no download
    with pytest.raises(FileNotFoundError) as e:
        U.get_file("imdb.npz", origin="https://example.com/imdb.npz")
    msg = str(e.value)
    assert "does not download" in msg and str(cache / "imdb.npz") in msg
    assert "https://example.com/imdb.npz" in msg and os.path.join(".tensorforge", "datasets") in msg


def _seq_model():
    return M.Sequential([L.Dense(4, input_shape=(6,), name="hidden"), L.Dense(2, name="out")])


class _Node:  # the duck-typed node interface of tensorforge's functional graph
    def __init__(self, parents):
        self._parents = parents

    def iterate_inbound(self):
        return [(p, 0, 0) for p in self._parents]


class _Layer:
    def __init__(self, name, parents=(), shape=(None, 3)):
        self.name, self.input_shape, self.output_shape = name, shape, shape
        self._inbound_nodes = [_Node(list(parents))]


class _Model:
    def __init__(self):
        a = _Layer("in_a")
        b = _Layer("in_b")
        d1 = _Layer("d1", [a])
        cat = _Layer("cat", [d1, b])
        self.layers, self.built = [a, b, d1, cat], True


def test_plot_model_text_and_graph_edges(tmp_path):
    text = U.plot_model(_seq_model(), to_file=str(tmp_path / "m.txt"), show_shapes=True)
    assert text.splitlines() == ["hidden: Dense  in: (None, 6)  out: (None, 4)",
                                 "out: Dense  in: (None, 4)  out: (None, 2)  <- hidden"]
    text = U.plot_model(_Model(), to_file=str(tmp_path / "f.txt"))
    assert text.splitlines()[-1] == "cat: _Layer  <- d1, in_b"


def test_plot_model_with_pydot_or_clear_error(tmp_path):
    try:
        import pydot  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="pydot and graphviz.*pip install pydot"):
            U.plot_model(_seq_model(), to_file=str(tmp_path / "m.png"))
        return
    dot = U.model_to_dot(_Model(), show_shapes=True)
    ids = {n.get_name(): n.get("label") for n in dot.get_nodes() if n.get_name() not in ("node",)}
    names = {v.strip('"').split(":")[0]: k for k, v in ids.items()}
    edges = {(e.get_source(), e.get_destination()) for e in dot.get_edges()}
    assert edges == {(names["in_a"], names["d1"]), (names["d1"], names["cat"]),
                     (names["in_b"], names["cat"])}
    U.plot_model(_seq_model(), to_file=str(tmp_path / "m.dot"), show_shapes=True)
    src = (tmp_path / "m.dot").read_text()
    assert "hidden: Dense|{input:|output:}|{{(None, 6)}|{(None, 4)}}" in src and "->" in src
    import shutil
    if shutil.which("dot"):
        U.plot_model(_seq_model(), to_file=str(tmp_path / "m.png"), show_shapes=True)
        assert (tmp_path / "m.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="rankdir"):
        U.plot_model(_seq_model(), to_file=str(tmp_path / "m.dot"), rankdir="BT")


def test_keras_import_paths():
    from tensorforge.preprocessing.image import ImageDataGenerator  # noqa: F401
    from tensorforge.preprocessing.sequence import pad_sequences  # noqa: F401
    from tensorforge.preprocessing.text import Tokenizer  # noqa: F401
    from tensorforge.optimizers.schedules import ExponentialDecay  # noqa: F401
    assert tf.preprocessing.sequence.pad_sequences is pad_sequences
    assert tf.preprocessing.image.ImageDataGenerator is ImageDataGenerator
    assert tf.preprocessing.text.Tokenizer is Tokenizer
    assert tf.optimizers.schedules.ExponentialDecay is ExponentialDecay
    assert tf.utils.Sequence is U.Sequence


def test_keras2_utils_submodules():
    from tensorforge.utils.data_utils import Sequence, get_file
    from tensorforge.utils.generic_utils import Progbar
    from tensorforge.utils.np_utils import normalize, to_categorical
    from tensorforge.utils.vis_utils import model_to_dot, plot_model
    assert (Sequence, get_file, Progbar, to_categorical, normalize, plot_model, model_to_dot) == (
        U.Sequence, U.get_file, U.Progbar, U.to_categorical, U.normalize, U.plot_model,
        U.model_to_dot)
    assert U.np_utils.to_categorical([2], 3).tolist() == [[0, 0, 1]]


def test_plot_model_without_pydot_names_the_extra(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(ImportError, match="pydot and graphviz.*pip install pydot"):
        U.plot_model(_seq_model(), to_file=str(tmp_path / "m.png"))
    # the text listing needs neither
    assert "hidden: Dense" in U.plot_model(_seq_model(), to_file=str(tmp_path / "m.txt"))
