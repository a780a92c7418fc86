"""The forty-first corpus (tools/keras_corpus.md, "Forty-first corpus"): James Loy's Neural
Network Projects with Python and the Keras Deep Learning Cookbook. What they needed of the
harness (tools/parity_boot/): the book's programs call ``matplotlib.use("TkAgg")`` before
pyplot, which a headless run cannot load (display.py keeps Agg); the cookbook opens its GloVe
file at its author's absolute path (paths.py serves data/downloads/<name>, as read_csv of such
a path already did).

What they revealed in tensorforge: tf_keras (and Keras 2) store a Lambda's function as bytecode
whether it is a lambda expression or a named ``def`` (func_dump of any Python function); the
book's siamese network saves ``Lambda(utils.euclidean_distance)`` and its face recognition
program loads it with ``custom_objects={'euclidean_distance': ...}``, which tensorforge refused
(it only took custom_objects['<lambda>'] for bytecode). Figures and the tf_keras file
tests/data/corpus41_siamese_lambda.h5 from tools/keras_corpus41_refs.py (tf_keras 2.21)."""
import base64
import marshal
import os
import sys
import textwrap

import numpy as np
import pytest

from tensorforge import keras
from tensorforge.keras import backend as K

from parity_run import run_ours as _run


def test_interactive_backend_request_keeps_agg(tmp_path):
    pytest.importorskip("matplotlib")  # (the plot extra: not in the test extra)
    prog = tmp_path / "plots.py"
    prog.write_text(textwrap.dedent("""
        import matplotlib
        matplotlib.use("TkAgg")
        import matplotlib.pyplot as plt
        plt.plot([0, 1], [1, 0])
        plt.show()
        print("backend", matplotlib.get_backend().lower())
        matplotlib.use("pdf")  # a non-interactive backend is honoured
        print("then", matplotlib.get_backend().lower())
    """))
    r = _run(tmp_path, prog)
    assert r["ok"], r.get("error")
    assert "backend agg" in r["stdout"]
    assert "then pdf" in r["stdout"]


def test_absolute_path_read_is_served_from_data_downloads(tmp_path):
    chapter = tmp_path / "ch08"
    (chapter / "data" / "downloads").mkdir(parents=True)
    (chapter / "data" / "downloads" / "glove.6B.100d.txt").write_text("good 0.5 -0.25\n")
    prog = chapter / "glove.py"
    prog.write_text(textwrap.dedent("""
        f = open('/Users/someone/git/ch08/embeddings/glove.6B.100d.txt')
        print("line", f.read().split())
        f.close()
        try:
            open('/Users/someone/git/ch08/embeddings/missing.txt')
        except FileNotFoundError:
            print("missing stays missing")
    """))
    r = _run(tmp_path, prog)
    assert r["ok"], r.get("error")
    assert "line ['good', '0.5', '-0.25']" in r["stdout"]
    assert "missing stays missing" in r["stdout"]


# ---- a named function a tf_keras file holds as bytecode (Note [lambdas in model files]) ----

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
XA = np.sin(np.arange(12, dtype="float32")).reshape(3, 4)
XB = np.cos(np.arange(12, dtype="float32") * 0.5).reshape(3, 4)
Y = np.array([1.0, 0.0, 1.0], dtype="float32")


def euclidean_distance(vectors):  # Neural Network Projects with Python, chapter7/utils.py
    vector1, vector2 = vectors
    sum_square = K.sum(K.square(vector1 - vector2), axis=1, keepdims=True)
    return K.sqrt(K.maximum(sum_square, K.epsilon()))


def contrastive_loss(Y_true, D):
    margin = 1
    return K.mean(Y_true * K.square(D) + (1 - Y_true) * K.maximum((margin-D),0))


def test_tf_keras_siamese_file_loads_with_named_custom_objects():
    path = os.path.join(DATA, "corpus41_siamese_lambda.h5")
    objs = {'contrastive_loss': contrastive_loss, 'euclidean_distance': euclidean_distance}
    if sys.version_info[:2] != (3, 11):  # the file's bytecode is Python 3.11's marshal format
        with pytest.raises(ValueError, match="custom_objects"):
            keras.models.load_model(path, custom_objects=objs)
        return
    model = keras.models.load_model(path, custom_objects=objs)
    lam = [l for l in model.layers if isinstance(l, keras.layers.Lambda)][0]
    assert lam.function is euclidean_distance
    # tf_keras 2.21's figures from the same file (tools/keras_corpus41_refs.py)
    np.testing.assert_allclose(model.predict([XA, XB], verbose=0).ravel(),
                               [0.35600897669792175, 0.5060788989067078, 0.46265700459480286],
                               rtol=1e-6)
    assert model.evaluate([XA, XB], Y, verbose=0) == pytest.approx(0.27823832631111145, rel=1e-6)


def _dump_config(fn, module):
    code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
    return {"name": "distance", "function": [code, None, None], "function_type": "lambda",
            "module": module, "arguments": {}, "output_shape": [1],
            "output_shape_type": "raw", "output_shape_module": None}


def test_named_dump_is_found_in_its_imported_module():
    # Keras 2 runs the dump with the module's globals; here the module's own function of that
    # name is taken when its code is the dumped code
    layer = keras.layers.Lambda.from_config(_dump_config(euclidean_distance, __name__))
    assert layer.function is euclidean_distance


def test_named_dump_with_other_code_in_the_module_is_refused():
    def euclidean_distance(vectors):  # same name, other code: not the module's function
        return vectors[0] - vectors[1]
    with pytest.raises(ValueError, match="custom_objects"):
        keras.layers.Lambda.from_config(_dump_config(euclidean_distance, __name__))


def test_damaged_dump_is_refused_with_an_error():
    cfg = _dump_config(euclidean_distance, __name__)
    cfg["function"][0] = base64.encodebytes(b"\xffnot marshal data").decode("ascii")
    with pytest.raises(ValueError, match="custom_objects"):
        keras.layers.Lambda.from_config(cfg)
