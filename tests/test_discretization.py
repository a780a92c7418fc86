"""Discretization against tf_keras 2: Keras 2's approximate-quantile adapt reproduced step for
step, so the learned boundaries equal tf_keras's to the bit (float32), and Bucketize's bins.

The figures below were printed once by tools/gen_hashing_refs.py (tf_keras 2.21); the data sets
are that script's (NumPy's RandomState streams are stable), copied.
"""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.keras import layers


def disc_sets():
    rng = np.random.RandomState(0)
    return {
        "normal1000": rng.normal(size=(1000, 1)).astype(np.float32),
        "uniform_2d": rng.uniform(-5, 5, size=(257, 3)).astype(np.float32),
        "small": np.array([[-1.5], [1.0], [3.4], [0.5], [0.0]], np.float32),
        "ints": rng.randint(0, 50, size=(300, 2)),
        "exp5000": rng.exponential(2.0, size=(5000,)).astype(np.float32),
    }


SETS = disc_sets()
DISC_QUERY = [-2.0, -0.7, -0.6881942749023438, 0.0, 0.5, 0.6251001954078674, 3.0]

# ---- tf_keras figures (tools/gen_hashing_refs.py): (set, num_bins, epsilon, batch_size, bounds)
DISC = [
    ('normal1000', 4, 0.01, None, [-0.6881942749023438, -0.042944762855768204, 0.6251001954078674]),
    ('uniform_2d', 5, 0.01, None, [-3.0792276859283447, -0.8741238117218018, 1.2328392267227173, 3.2332041263580322]),
    ('small', 4, 0.01, None, [-1.125, 0.2499999701976776, 0.8749999403953552]),
    ('ints', 6, 0.05, None, [9.663971900939941, 19.85695457458496, 28.451711654663086, 37.77763748168945, 44.48247528076172]),
    ('exp5000', 10, 0.001, None, [0.2174692451953888, 0.46293768286705017, 0.7295283675193787, 1.0407307147979736, 1.411401629447937, 1.8428449630737305, 2.4148201942443848, 3.264564275741577, 4.601571559906006]),
    ('normal1000', 3, 0.1, None, [-0.2192945033311844, 0.5886704325675964]),
    ('normal1000', 4, 0.01, 100, [-0.6579048037528992, -0.033102504909038544, 0.6272242665290833]),
]
DISC_CALL = {
    'int': [0, 0, 1, 2, 2, 3, 3],
    'one_hot': [[1.0, 0.0, 0.0, 0.0], [1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 1.0, 0.0], [0.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 1.0]],
    'multi_hot': [1.0, 1.0, 1.0, 1.0],
    'count': [2.0, 1.0, 2.0, 2.0]}


@pytest.mark.parametrize("case", DISC, ids=[f"{c[0]}-{c[1]}-{c[2]}-{c[3]}" for c in DISC])
def test_adapt_learns_tf_keras_boundaries_exactly(case):
    name, num_bins, eps, batch_size, want = case
    d = layers.Discretization(num_bins=num_bins, epsilon=eps)
    d.adapt(SETS[name], batch_size=batch_size)
    assert len(d.bin_boundaries) == num_bins - 1
    np.testing.assert_array_equal(np.float32(d.bin_boundaries), np.float32(want))


def test_adapted_boundaries_are_quantiles_within_epsilon():
    x = SETS["exp5000"]
    d = layers.Discretization(num_bins=10, epsilon=0.001)
    d.adapt(x)
    ranks = np.searchsorted(np.sort(x), d.bin_boundaries) / x.size
    np.testing.assert_allclose(ranks, np.arange(1, 10) / 10, atol=0.01)


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
def test_call_bins_and_encodings_match_tf_keras(mode):
    bounds = [-0.6881942749023438, 0.0, 0.6251001954078674]
    y = layers.Discretization(bin_boundaries=bounds, output_mode=mode)(
        np.array(DISC_QUERY, np.float32)).numpy()
    assert y.dtype == (np.int64 if mode == "int" else np.float32)
    np.testing.assert_array_equal(y, np.array(DISC_CALL[mode]))


def test_adapt_from_a_dataset_and_in_a_model():
    x = SETS["normal1000"]
    d = layers.Discretization(num_bins=4)
    d.adapt(tf.data.Dataset.from_tensor_slices(x).batch(100))
    np.testing.assert_array_equal(np.float32(d.bin_boundaries), np.float32(DISC[-1][4]))
    inp = keras.Input(shape=(1,))
    model = keras.Model(inp, layers.Embedding(4, 2)(d(inp)))
    assert model.predict(x[:5], verbose=0).shape == (5, 1, 2)
    np.testing.assert_array_equal(d(x[:5]).numpy().ravel(),
                                  np.searchsorted(np.float32(DISC[-1][4]), x[:5].ravel(), "right"))


def test_discretization_bad_arguments_name_the_layer():
    with pytest.raises(ValueError, match="Discretization: both num_bins and bin_boundaries"):
        layers.Discretization(bin_boundaries=[0.0], num_bins=2)
    with pytest.raises(ValueError, match="Discretization: cannot adapt"):
        layers.Discretization(bin_boundaries=[0.0]).adapt(SETS["small"])
    with pytest.raises(ValueError, match="Discretization: adapt needs num_bins"):
        layers.Discretization().adapt(SETS["small"])
    with pytest.raises(TypeError, match="Discretization: expected numeric inputs"):
        layers.Discretization(bin_boundaries=[0.0])(np.array(["a"], dtype=object))
    cfg = layers.Discretization(bin_boundaries=[0.0, 1.0], name="d").get_config()
    assert cfg["bin_boundaries"] == [0.0, 1.0] and cfg["num_bins"] is None
    assert cfg["epsilon"] == 0.01 and cfg["output_mode"] == "int"


def test_adapted_boundaries_survive_save_and_load(tmp_path):
    """An adapted layer's boundaries travel in its config: the reloaded model buckets exactly as
    the saved one (before, it came back with no boundaries and put everything in bin 0), and the
    reloaded layer refuses a second adapt with an error naming the layer."""
    rng = np.random.default_rng(4)
    d = tf.layers.Discretization(num_bins=4)
    d.adapt(rng.standard_normal((300, 1)).astype(np.float32))
    inp = tf.layers.Input((1,))
    model = tf.models.Model(inp, d(inp))
    x = np.linspace(-2, 2, 41, dtype=np.float32).reshape(-1, 1)
    want = np.searchsorted(np.asarray(d.bin_boundaries, np.float32), x, side="right")
    np.testing.assert_array_equal(model.predict(x), want)
    assert len(set(want.ravel())) == 4
    path = str(tmp_path / "disc_model")
    model.save(path)
    again = tf.models.load_model(path)
    np.testing.assert_array_equal(again.predict(x), want)
    with pytest.raises(ValueError, match="Discretization: cannot adapt"):
        again.layers[-1].adapt(x)
