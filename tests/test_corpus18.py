"""The gaps the eighteenth corpus's programs (Machine Learning Mastery's Keras 2 tutorials;
tools/keras_corpus.md, "Eighteenth corpus") revealed, and the harness's offline copies of the
tutorials' data files. Figures marked Keras 2's were printed by tools/keras_corpus18_refs.py
under tf_keras 2.21; the others are worked out in the test."""
import csv
import os
import sys

import numpy as np
import pytest

from tensorforge import keras

W = np.array([[3.0, 0.6, -5.0], [4.0, -0.8, 12.0]], "float32")  # column norms 5, 1, 13


# ---- keras.constraints' Keras 2.0-2.2 aliases (the dropout tutorial's maxnorm) ----

def test_legacy_constraint_aliases_are_the_classes():
    from tensorforge.keras.constraints import maxnorm, nonneg, unitnorm
    assert maxnorm is keras.constraints.MaxNorm
    assert nonneg is keras.constraints.NonNeg
    assert unitnorm is keras.constraints.UnitNorm


def test_maxnorm_rescales_only_the_columns_over_the_limit():
    from tensorforge.keras.constraints import maxnorm, nonneg, unitnorm
    # Keras 2's MaxNorm(3) / NonNeg() / UnitNorm() of W
    np.testing.assert_allclose(maxnorm(3)(W), [[1.8, 0.6, -1.1538461], [2.4, -0.8, 2.7692308]],
                               rtol=1e-6)
    np.testing.assert_allclose(nonneg()(W), [[3.0, 0.6, 0.0], [4.0, 0.0, 12.0]])
    np.testing.assert_allclose(unitnorm()(W), [[0.6, 0.6, -0.3846154], [0.8, -0.8, 0.9230769]],
                               rtol=1e-6)


def test_maxnorm_kernel_constraint_holds_after_training():
    # the tutorial's Dense(60, kernel_constraint=maxnorm(3)), trained hard with SGD(lr=0.1)
    from tensorforge.keras.constraints import maxnorm
    rng = np.random.default_rng(0)
    x = rng.normal(0, 3, (64, 6)).astype("float32")
    y = (x.sum(1) > 0).astype("float32")
    model = keras.Sequential([keras.layers.Dense(8, activation="relu", input_shape=(6,),
                                                 kernel_constraint=maxnorm(0.5)),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.SGD(lr=0.5))
    model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    norms = np.linalg.norm(model.layers[0].get_weights()[0], axis=0)
    assert norms.max() <= 0.5 + 1e-5
    assert norms.max() > 0.49  # the constraint bit (the kernel grew past the limit)


def test_constraint_configs_keep_the_values_as_given():
    # tf_keras 2.21: MaxNorm(3), MinMaxNorm(0, 2, 1), MaxNorm(2.5, axis=[0, 1]), MinMaxNorm(),
    # MaxNorm() (tools/keras_corpus18_refs.py prints the first)
    c = keras.constraints
    assert c.MaxNorm(3).get_config() == {"max_value": 3, "axis": 0}
    assert type(c.MaxNorm(3).get_config()["max_value"]) is int
    assert c.MinMaxNorm(0, 2, 1).get_config() == {"min_value": 0, "max_value": 2, "rate": 1, "axis": 0}
    assert type(c.MinMaxNorm(0, 2, 1).get_config()["rate"]) is int
    assert c.MaxNorm(max_value=2.5, axis=[0, 1]).get_config() == {"max_value": 2.5, "axis": [0, 1]}
    assert c.MinMaxNorm().get_config() == {"min_value": 0.0, "max_value": 1.0, "rate": 1.0, "axis": 0}
    assert type(c.MaxNorm().get_config()["max_value"]) is int
    # an int limit projects as the float one
    np.testing.assert_allclose(c.MaxNorm(3)(W), c.MaxNorm(3.0)(W))
    with pytest.raises(TypeError, match="MaxNorm: max_value must be a number, got 'a'"):
        c.MaxNorm("a")
    with pytest.raises(TypeError, match="MinMaxNorm: rate must be a number, got None"):
        c.MinMaxNorm(rate=None)


def test_maxnorm_by_name_in_a_layer_config():
    layer = keras.layers.Dense(3, kernel_constraint="maxnorm")
    assert isinstance(layer.kernel_constraint, keras.constraints.MaxNorm)


# ---- keras.layers.convolutional re-exports the pooling layers (Keras 2.0-2.2) ----

@pytest.mark.parametrize("name", ["MaxPooling1D", "MaxPooling2D", "MaxPooling3D",
                                  "AveragePooling1D", "AveragePooling2D", "AveragePooling3D"])
def test_convolutional_module_has_the_pooling_layers(name):
    import importlib
    mod = importlib.import_module("tensorforge.keras.layers.convolutional")
    assert getattr(mod, name) is getattr(keras.layers, name)


def test_univariate_cnn_from_the_convolutional_module():
    from tensorforge.keras.layers.convolutional import Conv1D, MaxPooling1D
    model = keras.Sequential()
    model.add(Conv1D(filters=64, kernel_size=2, activation="relu", input_shape=(3, 1)))
    model.add(MaxPooling1D(pool_size=2))
    model.add(keras.layers.Flatten())
    model.add(keras.layers.Dense(50, activation="relu"))
    model.add(keras.layers.Dense(1))
    # Keras 2's output shapes and parameter counts
    assert [tuple(l.output_shape) for l in model.layers] == [
        (None, 2, 64), (None, 1, 64), (None, 64), (None, 50), (None, 1)]
    assert [l.count_params() for l in model.layers] == [192, 0, 0, 3250, 51]
    x = np.arange(10, dtype="float32").reshape(1, 5, 2) * np.array([1, -1], "float32")
    # Keras 2's: pool windows [0, 1] and [2, 3]; the fifth step is dropped ('valid')
    np.testing.assert_array_equal(MaxPooling1D(2)(x).numpy(), [[[2.0, -1.0], [6.0, -5.0]]])


# ---- the harness's offline copies of the tutorials' files (tools/keras_offline_mlm.py) ----

@pytest.fixture(scope="module")
def mlm():
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(__file__)), "tools"))
    try:
        import keras_offline_mlm
    finally:
        del sys.path[0]
    return keras_offline_mlm


def _rows(path):
    with open(path) as f:
        return list(csv.reader(f))


def test_pima_layout(mlm, tmp_path):
    p = str(tmp_path / "pima-indians-diabetes.csv")
    mlm.pima_csv(p)
    data = np.loadtxt(p, delimiter=",")  # the tutorials' read
    assert data.shape == (768, 9)
    assert data[:, 8].sum() == 268  # the real class balance
    assert data[:, 7].min() >= 21 and (data[:, [0, 1, 7, 8]] % 1 == 0).all()
    # the signal: glucose is higher in the positive class
    assert data[data[:, 8] == 1, 1].mean() > data[data[:, 8] == 0, 1].mean() + 10


def test_sonar_ionosphere_iris_layouts(mlm, tmp_path):
    for name, n, width, labels in (("sonar.csv", 208, 61, {"R": 97, "M": 111}),
                                   ("ionosphere.csv", 351, 35, {"g": 225, "b": 126}),
                                   ("iris.csv", 150, 5, {"Iris-setosa": 50,
                                                         "Iris-versicolor": 50,
                                                         "Iris-virginica": 50})):
        p = str(tmp_path / name)
        mlm.FILES[name](p)
        rows = _rows(p)
        assert len(rows) == n and {len(r) for r in rows} == {width}
        got = {}
        for r in rows:
            got[r[-1]] = got.get(r[-1], 0) + 1
        assert got == labels
        x = np.array([r[:-1] for r in rows], float)
        assert -1 <= x.min() and x.max() <= (8 if name == "iris.csv" else 1)
    assert (np.array([r[1] for r in _rows(str(tmp_path / "ionosphere.csv"))]) == "0").all()


def test_airline_layout(mlm, tmp_path):
    p = str(tmp_path / "airline-passengers.csv")
    mlm.airline_csv(p)
    lines = open(p).read().splitlines()
    assert lines[0] == '"Month","Passengers"' and len(lines) == 145
    assert lines[1].startswith('"1949-01",') and lines[-1].startswith('"1960-12",')
    v = np.array([int(l.split(",")[1]) for l in lines[1:]])
    assert 100 <= v[0] <= 125 and v[-12:].mean() > 3 * v[:12].mean()  # the trend
