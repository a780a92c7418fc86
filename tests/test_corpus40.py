"""The fortieth corpus (tools/keras_corpus.md, "Fortieth corpus"): Hvass-Labs'
TensorFlow-Tutorials Keras notebooks. What they needed of the harness (tools/parity_boot/),
the same on both sides:

- TensorFlow 1's tensorflow.examples.tutorials.mnist.input_data (03C loads MNIST through
  ``read_data_sets('data/MNIST/', one_hot=True)``; TensorFlow 2 and tensorforge have no such
  module): a stand-in over the harness's digits (datasets.py);
- a Python list of scalar targets (imdb.py's ``[1.0] * n + [0.0] * n``) is one array's worth
  of samples: capped with the inputs, and given to the oracle as a float32 array, since tf_keras
  refuses ``validation_split`` on a list (Keras 2.2 converted it) (caps.py);
- NumPy's removed ``np.int`` / ``np.float`` / ``np.object`` name the builtins again
  (``np.zeros(shape, dtype=np.int)`` in the machine-translation notebook) (era.py)."""
import os
import sys
import textwrap

TOOLS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools")
sys.path.insert(0, TOOLS)
import keras_parity as kp  # noqa: E402


def _run(tmp_path, source, samples=10):
    args = kp.argparse.Namespace(timeout=120, threads=1, nice=0)
    st = dict(epochs=1, samples=samples, max_steps=20, max_predict=300, metric=None, note="")
    (tmp_path / "root").mkdir()
    root = str(tmp_path / "root")
    kp.install_boot(root)
    prog = tmp_path / "prog.py"
    prog.write_text(textwrap.dedent(source))
    return kp.run_side("ours", str(prog), sys.executable, args, st, None, root)


def test_tf1_mnist_input_data(tmp_path):
    r = _run(tmp_path, """
        import numpy as np
        import tensorflow as tf
        from tensorflow.examples.tutorials.mnist import input_data
        data = input_data.read_data_sets('data/MNIST/', one_hot=True)
        print("sizes", len(data.train.labels), len(data.validation.labels),
              len(data.test.labels), data.train.num_examples)
        print("images", data.test.images.shape, data.test.images.dtype,
              float(data.test.images.min()), float(data.test.images.max()))
        print("onehot", data.test.labels.shape, np.unique(data.test.labels.sum(1)).tolist())
        data.test.cls = np.argmax(data.test.labels, axis=1)
        print("cls", data.test.cls.shape, data.test.cls.min(), data.test.cls.max())
        xb, yb = data.train.next_batch(50)
        print("batch", xb.shape, yb.shape)
        plain = input_data.read_data_sets('data/MNIST/')
        print("plain", plain.test.labels.shape, plain.test.labels[:3].tolist() ==
              data.test.cls[:3].tolist())
    """)
    assert r["ok"], r.get("error")
    out = r["stdout"]
    assert "sizes 55000 5000 10000 55000" in out
    assert "images (10000, 784) float32 0.0 1.0" in out
    assert "onehot (10000, 10) [1.0]" in out
    assert "cls (10000,) 0 9" in out
    assert "batch (50, 784) (50, 10)" in out
    assert "plain (10000,) True" in out


def test_list_of_scalar_targets_is_capped_with_the_inputs(tmp_path):
    r = _run(tmp_path, """
        import numpy as np
        from tensorflow.keras import layers, models
        x = np.random.default_rng(0).normal(size=(60, 4)).astype("float32")
        y = [1.0] * 30 + [0.0] * 30
        m = models.Sequential([layers.Dense(1, activation="sigmoid", input_shape=(4,))])
        m.compile("adam", "binary_crossentropy", metrics=["accuracy"])
        h = m.fit(x, y, validation_split=0.2, epochs=1, batch_size=4, verbose=0)
        print("fitted", sorted(h.history))
    """)
    assert r["ok"], r.get("error")
    assert "fitted ['accuracy', 'loss', 'val_accuracy', 'val_loss']" in r["stdout"]


def test_numpy_builtin_aliases(tmp_path):
    r = _run(tmp_path, """
        import numpy as np
        a = np.zeros(shape=(1, 3), dtype=np.int)
        print("aliases", a.dtype.kind, np.float is float, np.object is object)
    """)
    assert r["ok"], r.get("error")
    assert "aliases i True True" in r["stdout"]
