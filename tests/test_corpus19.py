"""The gaps the nineteenth corpus's programs (Gulli & Pal, "Deep Learning with Keras", Packt
2017; tools/keras_corpus.md, "Nineteenth corpus") revealed. Figures marked Keras 2's were
printed by tools/keras_corpus19_refs.py under tf_keras 2.21; the others are worked out here."""
import os
import sys

import numpy as np
import pytest

from tensorforge import keras
from tensorforge.keras import backend as K


@pytest.fixture
def restore_data_format():
    before = K.image_data_format()
    yield
    K.set_image_data_format(before)


# ---- K.image_dim_ordering / K.set_image_dim_ordering (Keras 2.0-2.2's legacy names) ----

def test_image_dim_ordering_follows_image_data_format(restore_data_format):
    K.set_image_data_format("channels_last")
    assert K.image_dim_ordering() == "tf"
    K.set_image_dim_ordering("th")
    assert K.image_data_format() == "channels_first"
    assert K.image_dim_ordering() == "th"
    K.set_image_dim_ordering("tf")
    assert K.image_data_format() == "channels_last"


def test_set_image_dim_ordering_refuses_other_names(restore_data_format):
    with pytest.raises(ValueError, match="set_image_dim_ordering.*'channels_first'"):
        K.set_image_dim_ordering("channels_first")
    assert K.image_data_format() == "channels_last"  # unchanged by the refused call


def test_lenet_after_set_image_dim_ordering_th_is_channels_first(restore_data_format):
    # keras_LeNet.py: K.set_image_dim_ordering("th"), then Conv2D / MaxPooling2D with no
    # data_format on (1, 28, 28) inputs. Keras 2's figures (channels_first) on a small stack.
    K.set_image_dim_ordering("th")
    m = keras.Sequential([
        keras.layers.Conv2D(2, kernel_size=3, padding="same", input_shape=(1, 4, 4)),
        keras.layers.MaxPooling2D(pool_size=(2, 2), strides=(2, 2))])
    k = (np.arange(18, dtype="float32").reshape(3, 3, 1, 2) - 8.0) / 10.0
    m.layers[0].set_weights([k, np.array([0.5, -0.5], "float32")])
    assert [tuple(l.output_shape) for l in m.layers] == [(None, 2, 4, 4), (None, 2, 2, 2)]
    x = np.arange(16, dtype="float32").reshape(1, 1, 4, 4) / 4.0
    np.testing.assert_allclose(m.predict(x, verbose=0),
                               [[[[4.4, 4.4], [4.4, 4.4]], [[4.525, 4.75], [5.425, 5.65]]]],
                               rtol=1e-5)


# ---- keras.engine.topology's Layer in a custom layer (tf-keras-func.py) ----

class LocalResponseNormalization(keras.layers.Layer):
    """The book's layer, as published (its channels_last branch)."""

    def __init__(self, n=5, alpha=0.0005, beta=0.75, k=2, **kwargs):
        self.n, self.alpha, self.beta, self.k = n, alpha, beta, k
        super().__init__(**kwargs)

    def build(self, input_shape):
        self.shape = input_shape
        super().build(input_shape)

    def call(self, x, mask=None):
        _, r, c, f = self.shape
        squared = K.square(x)
        pooled = K.pool2d(squared, (self.n // 2, self.n // 2), strides=(1, 1), padding="same",
                          pool_mode="avg")
        summed = K.sum(pooled, axis=3, keepdims=True)
        averaged = (self.alpha / self.n) * K.repeat_elements(summed, f, axis=3)
        return x / K.pow(self.k + averaged, self.beta)

    def compute_output_shape(self, input_shape):
        return input_shape


def test_engine_topology_names_the_layer_classes():
    from tensorforge.keras.engine.topology import InputSpec, Layer
    assert Layer is keras.layers.Layer
    assert InputSpec is keras.layers.InputSpec


def test_local_response_normalization_matches_keras():
    x = (np.arange(48, dtype="float32").reshape(1, 4, 4, 3) - 20.0) / 3.0
    model = keras.Sequential([LocalResponseNormalization(input_shape=(4, 4, 3))])
    model.compile("rmsprop", "mse")
    y = model.predict(x, verbose=0)
    assert y.shape == x.shape
    # Keras 2's figures
    np.testing.assert_allclose(y[0, :, :, 0], [
        [-3.9555631, -3.3647454, -2.7724197, -2.1787789],
        [-1.5848337, -0.9903725, -0.3960007, 0.1979522],
        [0.7908762, 1.3825865, 1.9726205, 2.5626407],
        [3.1576049, 3.7440734, 4.3278365, 4.9135275]], rtol=1e-5)
    np.testing.assert_allclose(y[0, 3, 3, :], [4.9135275, 5.1100688, 5.3066096], rtol=1e-5)


# ---- the harness: a book's programs read data/ and ../data/ from their chapter's folder ----

BOOK_PROGRAM = """
import os
print("data", open("data/a.txt").read().strip())
print("up", open("../data/b.txt", "rb").read().decode().strip())
with open("out.txt", "w") as f:
    f.write("x")
print("written in the working folder", os.path.exists(os.path.join(os.getcwd(), "out.txt")))
try:
    open("data/missing.txt")
except FileNotFoundError:
    print("a missing file is still missing")
print("nltk data", os.environ.get("NLTK_DATA") == os.path.join(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__))), "nltk_data"))
"""


def test_harness_reads_data_beside_the_program(tmp_path):
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "tools"))
    try:
        import keras_parity as kp
    finally:
        del sys.path[0]
    book = tmp_path / "book"
    (book / "ch06" / "data").mkdir(parents=True)
    (book / "data").mkdir()
    (book / "nltk_data").mkdir()
    (book / "ch06" / "data" / "a.txt").write_text("chapter data\n")
    (book / "data" / "b.txt").write_text("book data\n")
    prog = book / "ch06" / "prog.py"
    prog.write_text(BOOK_PROGRAM)
    (tmp_path / "root").mkdir()
    root = str(tmp_path / "root")
    kp.install_boot(root)
    args = kp.argparse.Namespace(timeout=120, threads=1, nice=0)
    st = dict(epochs=1, samples=100, max_steps=5, max_predict=10, metric=None, note="")
    r = kp.run_side("ours", str(prog), sys.executable, args, st, None, root)
    assert r["ok"], r.get("error")
    for line in ("data chapter data", "up book data", "written in the working folder True",
                 "a missing file is still missing", "nltk data True"):
        assert line in r["stdout"]
    assert not (book / "ch06" / "out.txt").exists()
