"""The gaps the sixth corpus's programs revealed (tools/keras_corpus.md, "Sixth corpus"):
tf.data.experimental.make_csv_dataset, tf.random.gamma, tf.expand_dims on a string Input in a
functional model (wide_deep_cross_networks), metrics_names after fit / evaluate on a Dataset
(mixup), and an InputLayer's .input (captcha_ocr's prediction model). Figures marked
TensorFlow's were printed by tools/keras_corpus6_refs.py under TensorFlow 2.21 / tf_keras."""
import os
import sys

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import layers, models

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from keras_corpus6_refs import CSV_DEFAULTS, CSV_TEXT  # noqa: E402
from tfhelpers import to_numpy  # noqa: E402

CSV_BATCHES = [  # TensorFlow's
    ({"a": ("int32", [1, 2]), "b": ("float32", [0.5, -1.0]), "c": ("string", [b"x", b"y"])},
     ("int32", [0, 1])),
    ({"a": ("int32", [3, 4]), "b": ("float32", [2.25, 1.0]), "c": ("string", [b"NA", b"x"])},
     ("int32", [2, 1])),
    ({"a": ("int32", [5]), "b": ("float32", [3.5]), "c": ("string", [b"z"])},
     ("int32", [0])),
]


def _dtype_name(a):
    return "string" if a.dtype == object else a.dtype.name


@pytest.fixture
def csv_file(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text(CSV_TEXT)
    return str(p)


def test_make_csv_dataset_matches_tensorflow(csv_file):
    ds = tf.data.experimental.make_csv_dataset(csv_file, batch_size=2,
                                               column_defaults=CSV_DEFAULTS, label_name="label",
                                               num_epochs=1, shuffle=False)
    got = [({k: (_dtype_name(np.asarray(v)), np.asarray(v).tolist()) for k, v in f.items()},
            (_dtype_name(np.asarray(y)), np.asarray(y).tolist())) for f, y in ds]
    assert got == CSV_BATCHES
    assert [list(f) for f, _ in ds][0] == ["a", "b", "c"]  # column order, as TensorFlow


def test_make_csv_dataset_shuffles_all_rows_and_repeats(csv_file):
    ds = tf.data.experimental.make_csv_dataset(csv_file, batch_size=3, label_name="label",
                                               column_defaults=CSV_DEFAULTS, num_epochs=2,
                                               shuffle=True, shuffle_seed=3)
    a = np.concatenate([np.asarray(f["a"]) for f, _ in ds])
    assert sorted(a.tolist()) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    with pytest.raises(ValueError, match="column 'c' is required"):
        tf.data.experimental.make_csv_dataset(csv_file, 5, num_epochs=1, shuffle=False,
                                              column_defaults=[[0], [0.0], [], [0]])


def test_make_csv_dataset_infers_types_without_defaults(tmp_path):
    p = tmp_path / "n.csv"
    p.write_text("x,y,z\n1,2.5,a\n3,,\n")
    f = next(iter(tf.data.experimental.make_csv_dataset(str(p), 2, num_epochs=1,
                                                        shuffle=False)))
    assert [np.asarray(f[k]).dtype for k in "xy"] == [np.int32, np.float32]
    assert np.asarray(f["y"]).tolist() == [2.5, 0.0]  # empty: 0 and "", as TensorFlow
    assert np.asarray(f["z"]).tolist() == [b"a", b""]


def test_make_csv_dataset_bad_input(tmp_path, csv_file):
    with pytest.raises(ValueError, match="make_csv_dataset: no file matches"):
        tf.data.experimental.make_csv_dataset(str(tmp_path / "none*.csv"), 2)
    with pytest.raises(ValueError, match="label_name 'y' is not a column"):
        tf.data.experimental.make_csv_dataset(csv_file, 2, label_name="y")
    with pytest.raises(ValueError, match="column_defaults has 2 entries for 4 columns"):
        tf.data.experimental.make_csv_dataset(csv_file, 2, column_defaults=[[0], [0]])


def test_random_gamma_shape_and_moments():
    tf.random.set_seed(0)
    n = tf.shape(np.zeros((20000, 2)))[0]  # a Tensor in the shape list, as mixup.py passes
    g = tf.random.gamma(shape=[n], alpha=0.2)
    assert g.shape == (20000,) and g.dtype == np.float32
    v = g.numpy().astype(np.float64)
    assert abs(v.mean() - 0.2) < 0.02 and abs(v.var() - 0.2) < 0.03  # Gamma(0.2, 1)
    g2 = tf.random.gamma([4000, 3], alpha=[1.0, 5.0], beta=2.0)  # shape + alpha's shape
    assert g2.shape == (4000, 3, 2)
    np.testing.assert_allclose(g2.numpy().mean(axis=(0, 1)), [0.5, 2.5], rtol=0.05)
    with pytest.raises(ValueError, match="tf.random.gamma: alpha and beta must be positive"):
        tf.random.gamma([2], alpha=0.0)


def test_expand_dims_of_a_string_input_feeds_a_lookup():
    """wide_deep_cross_networks: tf.expand_dims(string Input) -> StringLookup(binary) and a
    float Input's expand_dims, concatenated, trained from a dict."""
    s = layers.Input(name="s", shape=(), dtype=tf.string)
    x = layers.Input(name="x", shape=(), dtype=tf.float32)
    lookup = layers.StringLookup(vocabulary=["a", "b", "c"], mask_token=None,
                                 num_oov_indices=0, output_mode="binary")
    feats = layers.concatenate([lookup(tf.expand_dims(s, -1)), tf.expand_dims(x, -1)])
    assert tuple(feats.shape) == (None, 4)
    out = layers.Dense(1, kernel_initializer="ones")(feats)
    model = models.Model(inputs={"s": s, "x": x}, outputs=out)
    data = {"s": np.array([b"a", b"c", b"b"], dtype=object),
            "x": np.array([1.0, 2.0, 3.0], np.float32)}
    np.testing.assert_allclose(model.predict(data, verbose=0)[:, 0], [2.0, 3.0, 4.0])


def test_metrics_names_after_fit_and_evaluate_on_a_dataset():
    model = models.Sequential([layers.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    assert model.metrics_names == []  # tf_keras: empty until the first fit / evaluate
    x = np.ones((10, 4), np.float32)
    y = np.eye(3, dtype=np.float32)[np.zeros(10, int)]
    ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)
    res = model.evaluate(ds, verbose=0)
    assert model.metrics_names == ["loss", "accuracy"] and len(res) == 2


# TensorFlow's, for x = arange(96).reshape(2, 2, 3, 8) (tools/keras_corpus6_refs.py)
D2S_0 = [[1.0, 3.0, 9.0, 11.0, 17.0, 19.0], [5.0, 7.0, 13.0, 15.0, 21.0, 23.0],
         [25.0, 27.0, 33.0, 35.0, 41.0, 43.0], [29.0, 31.0, 37.0, 39.0, 45.0, 47.0]]
S2D_0 = [88.0, 89.0, 90.0, 91.0, 92.0, 93.0, 94.0, 95.0]


def test_depth_to_space_matches_tensorflow_and_inverts():
    x = np.arange(96, dtype=np.float32).reshape(2, 2, 3, 8)
    y = tf.nn.depth_to_space(x, 2)
    assert y.shape == (2, 4, 6, 2)
    assert y.numpy()[0, :, :, 1].tolist() == D2S_0
    back = tf.nn.space_to_depth(y, 2)
    assert back.numpy()[1, 1, 2].tolist() == S2D_0
    np.testing.assert_array_equal(back.numpy(), x)


def test_depth_to_space_gradient_and_functional_use():
    from tensorforge.autograd import Tensor
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(1, 2, 2, 9)).astype(np.float32), requires_grad=True)
    w = rng.normal(size=(1, 6, 6, 1)).astype(np.float32)
    tf.reduce_sum(tf.nn.depth_to_space(x, 3) * w).backward()
    # a permutation: each input gets the weight of the output it lands on
    np.testing.assert_array_equal(x.grad, tf.nn.space_to_depth(w, 3).numpy())
    inp = layers.Input((4, 4, 8))  # the sub-pixel CNN's last step, in a functional model
    out = tf.nn.depth_to_space(layers.Conv2D(8, 3, padding="same")(inp), 2)
    assert tuple(out.shape) == (None, 8, 8, 2)
    model = models.Model(inp, out)
    assert model.predict(np.zeros((3, 4, 4, 8), np.float32), verbose=0).shape == (3, 8, 8, 2)
    with pytest.raises(ValueError, match="depth_to_space: channels 9 must be divisible by"):
        tf.nn.depth_to_space(np.zeros((1, 2, 2, 9)), 2)


def test_split_equal_and_sized():
    x = np.arange(12.0).reshape(2, 6)
    a, b, c = tf.split(x, 3, axis=1)
    assert a.numpy().tolist() == [[0.0, 1.0], [6.0, 7.0]] and c.shape == (2, 2)
    p, q = tf.split(x, [4, -1], axis=1)
    assert p.shape == (2, 4) and q.numpy().tolist() == [[4.0, 5.0], [10.0, 11.0]]
    with pytest.raises(ValueError, match="split: axis 1 of size 6 cannot be split into 4"):
        tf.split(x, 4, axis=1)


# TensorFlow's (tools/keras_corpus6_refs.py), m = arange(6.0).reshape(2, 3)
REPEAT_FLAT = [0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0, 4.0, 5.0, 5.0]
REPEAT_AXIS0 = [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [3.0, 4.0, 5.0]]
REPEAT_AXIS1 = [[0.0, 0.0, 1.0, 1.0, 2.0, 2.0], [3.0, 3.0, 4.0, 4.0, 5.0, 5.0]]


def test_repeat_matches_tensorflow_and_has_a_gradient():
    from tensorforge.autograd import Tensor
    m = np.arange(6.0).reshape(2, 3)
    assert tf.repeat(m, repeats=[2]).numpy().tolist() == REPEAT_FLAT
    assert tf.repeat(m, repeats=[1, 2], axis=0).numpy().tolist() == REPEAT_AXIS0
    assert tf.repeat(m, repeats=2, axis=1).numpy().tolist() == REPEAT_AXIS1
    x = Tensor(m.astype(np.float32), requires_grad=True)
    tf.reduce_sum(tf.repeat(x, repeats=[1, 3, 2], axis=1)).backward()
    np.testing.assert_array_equal(to_numpy(x.grad), [[1, 3, 2], [1, 3, 2]])  # each copy adds its 1
    with pytest.raises(ValueError, match="repeat: repeats must be one non-negative count or 3"):
        tf.repeat(m, repeats=[1, 2], axis=1)


def test_linspace_dtypes_as_tensorflow():
    a, b = tf.linspace(0, 1, 5), tf.linspace(0.0, 1.0, 5)
    assert (a.dtype, b.dtype) == (np.float64, np.float32)  # TensorFlow's
    assert a.numpy().tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
