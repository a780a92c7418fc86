"""Session 31 (lane gaps31): Keras 2 details -- tf_keras' own optimizer variables in the .keras
archives and .h5 files tensorforge writes (Nadam's among them), layer arguments given as
strings, Dataset.map's element_spec as TensorFlow's tracing gives it. The figures were printed
by tf_keras 2.21 / TensorFlow 2.21 (tools/keras_gaps31_refs.py); the tests never import
TensorFlow."""
import io
import json
import os
import re
import warnings
import zipfile

import numpy as np
import pytest

import tensorforge as tf
from map_spec_cases import pipelines
from optimizer_state_cases import OPTIMIZERS, STEPS, STEPS_OF, data, model
from tensorforge import keras

h5py = pytest.importorskip("h5py")

DATA = os.path.join(os.path.dirname(__file__), "data")
# the .h5 files where tensorforge writes the layout tf_keras writes (its default classes
# tensorforge writes as the legacy ones, which tf_keras builds from the config: same rule)
SAME_H5 = ("rmsprop_momentum_centered", "nadam", "adamw", "lion", "legacy_nadam",
           "legacy_rmsprop_momentum_centered")


def _model(name=None, steps=0):
    return model(keras, name, steps)


def _archive_vars(path):
    with zipfile.ZipFile(path) as z:
        with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as h:
            g = h.get("optimizer/vars")
            return [np.asarray(g[str(i)]) for i in range(len(g))] if g is not None else None, \
                "tensorforge_optimizer" in h


def _h5_vars(path):
    with h5py.File(path, "r") as h:
        names = [n.decode() if isinstance(n, bytes) else n
                 for n in h["optimizer_weights"].attrs["weight_names"]]
        return names, [np.asarray(h["optimizer_weights"][n]) for n in names]


def _layerless(name):
    return re.sub(r"dense(_\d+)?", "dense", name)


REFS = np.load(os.path.join(DATA, "gaps31_optimizer_vars.npz"))
IN_ARCHIVES = sorted({k.split("|")[0] for k in REFS.files if "|keras|" in k})


@pytest.mark.parametrize("name", IN_ARCHIVES)
def test_archive_holds_tf_keras_optimizer_variables(name, tmp_path):
    """The .keras archive keeps the optimizer's state where and as tf_keras keeps its own:
    optimizer/vars/<i>, iterations first, then the class's slots in its order (tf_keras'
    arrays after the same steps of the same model; without them tf_keras warned 'Skipping
    variable loading for optimizer' and started afresh, tools/keras_gaps31_refs.py check)."""
    m = _model(name, STEPS_OF.get(name, STEPS))
    path = str(tmp_path / "m.keras")
    m.save(path)
    got, own_group = _archive_vars(path)
    want = [REFS[f"{name}|keras|{i}"] for i in range(sum(
        k.startswith(name + "|keras|") for k in REFS.files))]
    assert not own_group and got is not None and len(got) == len(want) > 1
    assert got[0].dtype == np.int64 and int(got[0]) == int(want[0])
    for a, b in zip(got[1:], want[1:]):
        assert a.shape == b.shape and a.dtype == b.dtype
        if name == "sgd":  # tf_keras keeps the last -lr * g there, multiplied by momentum 0
            assert not a.any()
            continue
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=1e-6)


@pytest.mark.parametrize("name", SAME_H5)
def test_h5_holds_the_optimizer_variables_tf_keras_reads(name, tmp_path):
    """The .h5 file's optimizer_weights in the order the class tf_keras builds from its
    training_config sets them: the default RMSprop / Nadam / AdamW's own variables
    ('iteration:0', '<Opt>/<slot>/<var>:0'; RMSprop's momentum before average_gradient, which
    tensorforge wrote the other way: NaN weights in tf_keras), the legacy classes' (Nadam's
    momentum_cache, RMSprop's rms, momentum, mg). Nadam's state was not written at all."""
    m = _model(name, STEPS_OF.get(name, STEPS))
    path = str(tmp_path / "m.h5")
    m.save(path)
    names, got = _h5_vars(path)
    want_names = [str(n) for n in REFS[f"{name}|h5names"]]
    assert [_layerless(n) for n in names] == [_layerless(n) for n in want_names]
    for n, a, i in zip(names, got, range(len(got))):
        b = REFS[f"{name}|h5|{i}"]
        assert a.shape == b.shape, n
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=1e-6, err_msg=n)
    with h5py.File(path, "r") as h:
        oc = json.loads(h.attrs["training_config"])["optimizer_config"]
    # tf_keras' name for its default classes in .h5; Lion's only one it finds
    assert oc["class_name"] == ("Custom>" + OPTIMIZERS[name][0] if not name.startswith("legacy")
                                else OPTIMIZERS[name][0].split(".")[1])


# tensorforge's state order of each class's slots, by the names tf_keras gives them
_SLOTS = {"Nadam": (("m",), ("v",)),
          "RMSprop": (("velocity", "rms"), ("average_gradient", "mg"), ("momentum",))}


@pytest.mark.parametrize("name", SAME_H5[:2] + SAME_H5[-2:])
def test_h5_reads_tf_keras_optimizer_weights(name, tmp_path):
    """tf_keras' own optimizer_weights (its arrays and names, Nadam's momentum_cache among
    them) put in a file tensorforge wrote: each array lands in its slot of its weight."""
    m = _model(name, STEPS_OF.get(name, STEPS))
    path = str(tmp_path / "m.h5")
    m.save(path)
    names = [str(n) for n in REFS[f"{name}|h5names"]]
    with h5py.File(path, "r+") as h:
        del h["optimizer_weights"]
        g = h.create_group("optimizer_weights")
        for i, n in enumerate(names):
            g.create_dataset(n, data=REFS[f"{name}|h5|{i}"])
        g.attrs["weight_names"] = [n.encode() for n in names]
    r = keras.models.load_model(path)
    assert int(r.optimizer.iterations) == int(REFS[f"{name}|h5|0"]) == \
        STEPS_OF.get(name, STEPS)
    slots = _SLOTS[OPTIMIZERS[name][0].split(".")[-1]]
    want = {}  # slot index -> tf_keras' arrays of it in weight order
    for i, n in enumerate(names):
        parts = n[:-2].split("/")
        if len(parts) < 3:
            continue  # the iterations, Nadam's momentum_cache
        for j, aliases in enumerate(slots):
            if parts[1] in aliases or parts[-1] in aliases:
                want.setdefault(j, []).append(REFS[f"{name}|h5|{i}"])
    states = r.optimizer.get_state(r.trainable_weights)
    assert len(want) == len(states[0]) and all(len(v) == len(states) for v in want.values())
    for j, arrays in want.items():
        for st, a in zip(states, arrays):
            np.testing.assert_array_equal(np.asarray(st[j]), a)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_saved_optimizer_state_continues_training_here(name, ext, tmp_path):
    """Save after three steps, load, one more step: the weights of the step without the save
    (the state read back from tf_keras' layout; legacy-class archives from tensorforge's own
    group)."""
    m = _model(name, STEPS)
    path = str(tmp_path / ("m" + ext))
    m.save(path)
    x, y = data()
    m.train_on_batch(x, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = keras.models.load_model(path)
    assert int(r.optimizer.iterations) == STEPS
    r.train_on_batch(x, y)
    for a, b in zip(r.get_weights(), m.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_older_archives_keep_their_optimizer_state(tmp_path):
    """An archive tensorforge wrote before session 31 (its state in the tensorforge_optimizer
    group: tests/data/gaps31_old_adam.keras, written by the code of commit 74f51925 after
    three Adam steps) still continues training exactly."""
    r = keras.models.load_model(os.path.join(DATA, "gaps31_old_adam.keras"))
    assert int(r.optimizer.iterations) == STEPS
    x, y = data()
    r.train_on_batch(x, y)
    m = _model("adam_amsgrad", STEPS)  # the same steps under the same optimizer here
    m.train_on_batch(x, y)
    for a, b in zip(r.get_weights(), m.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_optimizers_without_a_tf_keras_layout_keep_tensorforge_group(tmp_path):
    """tf_keras' legacy classes keep no variables in an archive, nor do its moving averages
    here: those states go in tensorforge's own group, as before, and come back."""
    for opt in (keras.optimizers.legacy.RMSprop(0.01, momentum=0.5),
                keras.optimizers.Adam(0.01, use_ema=True)):
        m = _model()
        m.compile(opt, "mse")
        x, y = data()
        for _ in range(2):
            m.train_on_batch(x, y)
        path = str(tmp_path / "m.keras")
        m.save(path)
        got, own_group = _archive_vars(path)
        assert got is None and own_group
        r = keras.models.load_model(path)
        m.train_on_batch(x, y)
        r.train_on_batch(x, y)
        for a, b in zip(r.get_weights(), m.get_weights()):
            np.testing.assert_array_equal(a, b)


def test_a_never_stepped_optimizer_is_written_at_its_initial_values(tmp_path):
    """A compiled model saved before training: tf_keras builds its optimizer at load, so every
    variable is written (Adagrad's accumulators at initial_accumulator_value, not zero)."""
    m = _model()
    m.compile(keras.optimizers.Adagrad(0.1, initial_accumulator_value=0.25), "mse")
    path = str(tmp_path / "m.keras")
    m.save(path)
    got, _ = _archive_vars(path)
    assert int(got[0]) == 0 and len(got) == 5
    assert all(np.all(a == np.float32(0.25)) for a in got[1:])


def test_lion_and_adafactor_archives_compile_on_load(tmp_path):
    """load_model looked optimizers up in a table without Ftrl's siblings: a Lion archive
    came back uncompiled ('Lion is not available in tensorforge')."""
    m = _model("adam_amsgrad", 0)
    m.compile(keras.optimizers.Lion(0.01), "mse")
    path = str(tmp_path / "m.keras")
    m.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = keras.models.load_model(path)
    assert type(r.optimizer).__name__ == "Lion"
    assert r.optimizer.learning_rate == pytest.approx(0.01)


# ---- layer arguments given as strings (tf_keras 2.21: tools/keras_gaps31_refs.py refs) -------
def test_dense_takes_a_count_as_a_string():
    """tf_keras' Dense: ``int(units) if not isinstance(units, int)``: Dense('3') has 3 units,
    Dense('x') and Dense('3.0') raise int()'s ValueError."""
    d = keras.layers.Dense("3")
    assert d.units == 3 and d.get_config()["units"] == 3
    assert d(np.ones((2, 4), np.float32)).shape == (2, 3)
    for bad in ("x", "3.0"):
        with pytest.raises(ValueError, match=rf"Dense: units .*invalid literal for int\(\) with "
                                             rf"base 10: '{re.escape(bad)}'"):
            keras.layers.Dense(bad)


def test_conv_filters_float_is_truncated_a_string_refused():
    """tf_keras' conv layers take ``int(filters)`` of a float (Conv2D(8.0, 3): 8 filters,
    Conv1D(8.5, 3): 8) and raise TypeError for a string ('<=' between str and int); LSTM('4')
    and Embedding('10', 3) raise TypeError the same way."""
    L = keras.layers
    assert L.Conv2D(8.0, 3).filters == 8 and L.Conv1D(8.5, 3).filters == 8
    assert L.Conv2DTranspose(8.0, 3).get_config()["filters"] == 8
    assert L.SeparableConv2D(8.0, 3).get_config()["filters"] == 8
    for make in (lambda: L.Conv2D("8", 3), lambda: L.LSTM("4"), lambda: L.GRU("4"),
                 lambda: L.Embedding("10", 3)):
        with pytest.raises(TypeError, match="must be a positive integer, got str"):
            make()


# ---- Dataset.map's element_spec (TensorFlow: tools/keras_gaps31_refs.py map_specs) ----------
MAP_SPECS = {
    'split_scalar': 'TensorSpec(shape=(None,), dtype=tf.string, name=None)',
    'split_batched': 'RaggedTensorSpec(TensorShape([None, None]), tf.string, 1, tf.int64)',
    'bytes_split': 'TensorSpec(shape=(None,), dtype=tf.string, name=None)',
    'dict': "{'feat': TensorSpec(shape=(2,), dtype=tf.float32, name=None), 'label': TensorSpec(shape=(), dtype=tf.int64, name=None)}",
    'dict_batched': "{'feat': TensorSpec(shape=(None, 2), dtype=tf.float32, name=None), 'label': TensorSpec(shape=(None,), dtype=tf.int64, name=None)}",
    'tuple_batched': '(TensorSpec(shape=(None, 2, 1), dtype=tf.float32, name=None), TensorSpec(shape=(None, 6), dtype=tf.float32, name=None))',
    'reduce_batched': 'TensorSpec(shape=(None,), dtype=tf.float32, name=None)',
    'concat_batched': 'TensorSpec(shape=(None, 4), dtype=tf.float32, name=None)',
    'map_map': 'TensorSpec(shape=(None,), dtype=tf.float32, name=None)',
    'py_function': 'TensorSpec(shape=<unknown>, dtype=tf.float32, name=None)',
    'py_function_pair': '(TensorSpec(shape=<unknown>, dtype=tf.float32, name=None), TensorSpec(shape=<unknown>, dtype=tf.int64, name=None))',
    'numpy_function': 'TensorSpec(shape=<unknown>, dtype=tf.float32, name=None)',
    'py_function_set_shape': 'TensorSpec(shape=(2,), dtype=tf.float32, name=None)',
    'py_function_ensure_shape': 'TensorSpec(shape=(None,), dtype=tf.float32, name=None)',
    'list_is_tuple': '(TensorSpec(shape=(), dtype=tf.float32, name=None), TensorSpec(shape=(), dtype=tf.float32, name=None))',
    'generator': 'TensorSpec(shape=(None,), dtype=tf.float32, name=None)',
}


@pytest.mark.parametrize("name", sorted(MAP_SPECS))
def test_map_element_spec_is_tensorflows(name):
    """A map's spec came from its first element: the batch axis of a batched input read 4 (the
    first batch's size) where TensorFlow's trace reads None, a py_function's output had the
    first result's shape where TensorFlow's has none (until set_shape / ensure_shape), a
    split string the first text's token count, and a list returned was a list (a tuple in
    TensorFlow)."""
    assert repr(pipelines(tf)[name].element_spec) == MAP_SPECS[name]


def test_map_elements_follow_the_spec_structure():
    """The elements themselves: a list returned by the function is a tuple, as the spec says;
    a map the grown probe element breaks keeps the first element's shapes."""
    ds = tf.data.Dataset.from_tensor_slices(["1,2", "3,4"]).map(
        lambda line: tf.io.decode_csv(line, [[0.0], [0.0]]))
    first = next(iter(ds))
    assert isinstance(first, tuple) and [float(v) for v in first] == [1.0, 2.0]
    xy = tf.data.Dataset.from_tensor_slices(np.arange(12, dtype=np.float32).reshape(6, 2))
    fixed = xy.batch(4).map(lambda x: tf.reshape(x, [4, 2]))  # (the last batch would fail)
    assert fixed.element_spec == tf.TensorSpec((4, 2), tf.float32)
