"""Saving whole models: Sequential versions of the layer sweep, a subclassed model with
get_config, custom layers / losses / metrics / activations found through custom_objects,
custom_object_scope and register_keras_serializable, compile settings, and where files go
(a path without a suffix, an existing directory, missing parent directories).

Expected values are the original model's own predictions and training: a round trip must change
nothing (tests/test_save_roundtrip_all_layers.py has the functional sweep over every layer).
"""
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import layers as L

import test_save_roundtrip_all_layers as sweep

pytest.importorskip("h5py")
keras = tf.keras


# ---- Sequential: every single-input recipe ---------------------------------------------------
def _sequential_recipes():
    names = []
    for name in sorted(sweep.RECIPES):
        case = sweep.RECIPES[name]()
        if len(case["xs"]) == 1 and case["call"] in (None, sweep._lstm_after) \
                and not case["stateful"]:
            names.append(name)
    return names


SEQ_NAMES = _sequential_recipes()


def test_sequential_sweep_covers_most_layers():
    assert len(SEQ_NAMES) >= 80, SEQ_NAMES  # all but the multi-input / return_state ones


@pytest.mark.parametrize("kind", ["h5", "keras", "json", "config"])
def test_sequential_models_survive_save_and_load(kind, tmp_path):
    """One Sequential model per recipe (fresh layer instances), each round-tripped."""
    bad = []
    for name in SEQ_NAMES:
        tf.utils.set_random_seed(0)
        case = sweep.RECIPES[name]()
        stack = [keras.Input(case["shapes"][0], dtype=case["dtypes"][0]), case["layer"]]
        if case["call"] is sweep._lstm_after:
            stack.append(L.LSTM(3))
        model = keras.Sequential(stack)
        if case["head"] and len(model.output_shape) > 2:
            model.add(L.Flatten())
        if case["head"]:
            model.add(L.Dense(2))
        x = case["xs"][0]
        want = np.asarray(model(x, training=False).numpy())
        with keras.utils.custom_object_scope({"_lambda_double": sweep._lambda_double}):
            if kind in ("h5", "keras"):
                path = str(tmp_path / f"{name}.{kind}")
                model.save(path)
                again = keras.models.load_model(path)
            else:
                again = (keras.models.model_from_json(model.to_json()) if kind == "json"
                         else keras.Sequential.from_config(model.get_config()))
                again.set_weights(model.get_weights())
        got = np.asarray(again(x, training=False).numpy())
        if type(again) is not keras.Sequential or again.get_config() != model.get_config() \
                or got.shape != want.shape or got.dtype != want.dtype \
                or not np.allclose(got, want, rtol=1e-6, atol=1e-6, equal_nan=True):
            bad.append(name)
    assert not bad, f"Sequential round trip via {kind} changed {bad}"


# ---- custom objects --------------------------------------------------------------------------
class PersistScale(L.Layer):
    """A custom layer with a weight and a constructor argument."""

    def __init__(self, factor=1.0, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def build(self, input_shape):
        self.w = self.add_weight("w", (input_shape[-1],), initializer="ones")

    def call(self, x):
        return x * self.w * self.factor

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def scaled_mse(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - y_pred)) * 3.0


def max_err(y_true, y_pred):
    return tf.reduce_max(tf.abs(y_true - y_pred), axis=-1)


def cube(x):
    return x * x * x


@keras.utils.register_keras_serializable(package="persist_test")
class PersistShift(L.Layer):
    def __init__(self, by=0.5, **kwargs):
        super().__init__(**kwargs)
        self.by = by

    def call(self, x):
        return x + self.by

    def get_config(self):
        return {**super().get_config(), "by": self.by}


@keras.utils.register_keras_serializable(package="persist_test")
def registered_loss(y_true, y_pred):
    return tf.reduce_mean(tf.abs(y_true - y_pred), axis=-1)


CUSTOM = {"PersistScale": PersistScale, "scaled_mse": scaled_mse, "max_err": max_err,
          "cube": cube}


def _custom_model():
    tf.utils.set_random_seed(1)
    inp = keras.Input((3,))
    h = L.Dense(4, activation=cube)(inp)
    h = PersistScale(factor=0.5)(h)
    h = PersistShift(by=0.25)(h)
    out = L.Dense(2)(h)
    model = keras.Model(inp, out)
    model.compile(keras.optimizers.Adam(0.01), loss=scaled_mse, metrics=[max_err, "mae"])
    return model


def _data():
    r = np.random.default_rng(2)
    x = r.standard_normal((6, 3)).astype(np.float32)
    return x, r.standard_normal((6, 2)).astype(np.float32)


@pytest.mark.parametrize("how", ["custom_objects", "scope"])
@pytest.mark.parametrize("suffix", [".h5", ".keras"])
def test_custom_layer_loss_metric_activation_round_trip(tmp_path, suffix, how):
    model = _custom_model()
    x, y = _data()
    model.train_on_batch(x, y)
    path = str(tmp_path / ("m" + suffix))
    model.save(path)
    if how == "custom_objects":
        again = keras.models.load_model(path, custom_objects=CUSTOM)
    else:
        with keras.utils.custom_object_scope(CUSTOM):
            again = keras.models.load_model(path)
    assert isinstance(again.layers[2], PersistScale) and again.layers[2].factor == 0.5
    assert isinstance(again.layers[3], PersistShift) and again.layers[3].by == 0.25  # registered
    assert again.layers[1].activation is cube
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    np.testing.assert_allclose(again.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0),
                               rtol=1e-6)
    assert again.metrics_names == model.metrics_names == ["loss", "max_err", "mae"]
    a = [again.train_on_batch(x, y) for _ in range(2)]
    b = [model.train_on_batch(x, y) for _ in range(2)]
    np.testing.assert_allclose(a, b, rtol=1e-6)


@pytest.mark.parametrize("suffix", [".h5", ".keras"])
def test_missing_custom_object_names_it(tmp_path, suffix):
    model = _custom_model()
    path = str(tmp_path / ("m" + suffix))
    model.save(path)
    with pytest.raises(ValueError, match="'cube'.*custom_objects"):
        keras.models.load_model(path, custom_objects={"PersistScale": PersistScale})


def test_registered_loss_needs_no_custom_objects(tmp_path):
    inp = keras.Input((3,))
    model = keras.Model(inp, L.Dense(2)(inp))
    model.compile("sgd", loss=registered_loss, metrics=["mse"], loss_weights=[2.0])
    x, y = _data()
    model.train_on_batch(x, y)
    for suffix in (".h5", ".keras"):
        path = str(tmp_path / ("m" + suffix))
        model.save(path)
        again = keras.models.load_model(path)
        assert again._compile_args["loss_weights"] == [2.0]
        np.testing.assert_allclose(again.evaluate(x, y, verbose=0),
                                   model.evaluate(x, y, verbose=0), rtol=1e-6)


def test_compile_settings_are_restored(tmp_path):
    """loss, metrics, loss_weights and the optimizer (class, hyper-parameters, iterations,
    slots) of a two-output model come back from both formats."""
    inp = keras.Input((3,))
    a = L.Dense(2, name="a")(inp)
    b = L.Dense(1, activation="sigmoid", name="b")(inp)
    model = keras.Model(inp, [a, b])
    model.compile(keras.optimizers.RMSprop(0.005, rho=0.8, momentum=0.1),
                  loss={"a": "mse", "b": "binary_crossentropy"},
                  metrics={"a": ["mae"], "b": ["accuracy"]}, loss_weights={"a": 0.3, "b": 2.0})
    r = np.random.default_rng(3)
    x = r.standard_normal((8, 3)).astype(np.float32)
    ys = [r.standard_normal((8, 2)).astype(np.float32), (r.random((8, 1)) > 0.5).astype(np.float32)]
    model.train_on_batch(x, ys)
    for suffix in (".h5", ".keras"):
        path = str(tmp_path / ("m" + suffix))
        model.save(path)
        again = keras.models.load_model(path)
        assert type(again.optimizer).__name__ == "RMSprop"
        cfg, mine = again.optimizer.get_config(), model.optimizer.get_config()
        for k in ("learning_rate", "rho", "momentum"):
            assert cfg[k] == pytest.approx(mine[k]), (suffix, k)
        assert again.optimizer.iterations == model.optimizer.iterations
        assert again.metrics_names == model.metrics_names
        assert again._compile_args["loss_weights"] == {"a": 0.3, "b": 2.0}
        np.testing.assert_allclose(again.evaluate(x, ys, verbose=0),
                                   model.evaluate(x, ys, verbose=0), rtol=1e-6)
        np.testing.assert_allclose(again.train_on_batch(x, ys), model.train_on_batch(x, ys),
                                   rtol=1e-6)
        model.set_weights(again.get_weights())  # both sides took the same step


# ---- a subclassed model ----------------------------------------------------------------------
class PersistTower(keras.Model):
    def __init__(self, units=4, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = L.Dense(units, activation="relu")
        self.norm = L.BatchNormalization(momentum=0.5)
        self.out = L.Dense(2)

    def call(self, x, training=False):
        return self.out(self.norm(self.hidden(x), training=training))

    def get_config(self):
        return {"units": self.units, "name": self.name}


@pytest.mark.parametrize("suffix", [".keras", ""])
def test_subclassed_model_with_get_config_round_trips(tmp_path, suffix):
    tf.utils.set_random_seed(4)
    model = PersistTower(units=5)
    model.compile(keras.optimizers.Adam(0.01), loss="mse")
    x, y = _data()
    model.train_on_batch(x, y)  # moves BatchNormalization's moving statistics too
    path = str(tmp_path / ("tower" + suffix))
    model.save(path)
    again = keras.models.load_model(path, custom_objects={"PersistTower": PersistTower})
    assert isinstance(again, PersistTower) and again.units == 5
    np.testing.assert_array_equal(again.predict(x, verbose=0), model.predict(x, verbose=0))
    np.testing.assert_allclose([again.train_on_batch(x, y) for _ in range(2)],
                               [model.train_on_batch(x, y) for _ in range(2)], rtol=1e-6)


def test_subclassed_model_refuses_h5_with_a_reason(tmp_path):
    """Keras 2: 'Saving the model to HDF5 format requires the model to be a Functional model
    or a Sequential model'."""
    model = PersistTower()
    model(np.zeros((1, 3), np.float32))
    with pytest.raises(NotImplementedError, match="Functional model or a Sequential model"):
        model.save(str(tmp_path / "tower.h5"))
    assert not os.path.exists(tmp_path / "tower.h5")


# ---- where the file goes (Note [saving to a directory] in engine/saving.py) --------------------
def _small():
    inp = keras.Input((3,))
    model = keras.Model(inp, L.Dense(2)(inp))
    model.compile("adam", "mse")
    return model


@pytest.mark.parametrize("name", ["saved_model/my_model", "checkpoints/run1/m.h5",
                                  "checkpoints/run2/m.keras"])
def test_save_makes_missing_parent_directories(tmp_path, name):
    """Keras 2 creates them (SavedModel, and .h5: hdf5_format.save_model_to_hdf5)."""
    model = _small()
    x, _ = _data()
    path = str(tmp_path / name)
    model.save(path)
    np.testing.assert_array_equal(keras.models.load_model(path).predict(x, verbose=0),
                                  model.predict(x, verbose=0))


def test_save_into_an_existing_directory(tmp_path):
    model = _small()
    x, _ = _data()
    d = tmp_path / "export"
    d.mkdir()
    model.save(str(d))
    assert (d / "saved_model.tfm").is_file()
    np.testing.assert_array_equal(keras.models.load_model(str(d)).predict(x, verbose=0),
                                  model.predict(x, verbose=0))
    model.save(str(d))  # saving again replaces the file in it
    keras.models.load_model(str(d))


def test_load_of_a_directory_without_a_model_says_why(tmp_path):
    with pytest.raises(ValueError, match="without a tensorforge model"):
        keras.models.load_model(str(tmp_path))
    (tmp_path / "saved_model.pb").write_bytes(b"\x08\x01")
    with pytest.raises(ValueError, match="TensorFlow SavedModel"):
        keras.models.load_model(str(tmp_path))


def test_models_save_model_writes_hdf5_for_h5(tmp_path):
    """keras.models.save_model(model, 'm.h5') is model.save('m.h5'): an HDF5 file Keras 2
    reads (it wrote tensorforge's own format under that name)."""
    import h5py
    model = _small()
    path = str(tmp_path / "m.h5")
    keras.models.save_model(model, path)
    assert h5py.is_hdf5(path)
    keras.models.save_model(model, str(tmp_path / "m2"), save_format="h5")
    assert h5py.is_hdf5(str(tmp_path / "m2"))


# ---- weight constraints (constraints.py): applied after each step, saved in every format -------
def _constrained_model():
    C = keras.constraints
    inp = keras.Input((5,))
    h = L.Embedding(6, 4, embeddings_constraint=C.MinMaxNorm(0.2, 0.8, rate=0.5, axis=1))(inp)
    h = L.Conv1D(2, 3, kernel_constraint=C.UnitNorm(axis=[0, 1]))(h)
    h = L.Flatten()(h)
    out = L.Dense(3, kernel_constraint=C.MaxNorm(0.5), bias_constraint="non_neg")(h)
    model = keras.Model(inp, out)
    model.compile(keras.optimizers.SGD(0.5), "mse")
    return model


def test_constraints_match_keras_after_training_steps():
    """tests/data/keras_constraints.npz (tools/gen_constraint_refs.py): tf_keras' weights after
    three SGD steps of the same model from the same weights. Before, the constraints were
    accepted and silently never applied."""
    ref = np.load(os.path.join(os.path.dirname(__file__), "data", "keras_constraints.npz"))
    model = _constrained_model()
    model.set_weights([ref[f"w0_{i}"] for i in range(5)])
    for _ in range(3):
        model.train_on_batch(ref["ids"], ref["y"])
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, ref[f"w3_{i}"], rtol=1e-5, atol=1e-6, err_msg=str(i))
    k = model.get_weights()[3]
    assert np.sqrt((k ** 2).sum(axis=0)).max() <= 0.5 + 1e-6  # the constraint binds here


@pytest.mark.parametrize("kind", ["h5", "keras", "json"])
def test_constraints_survive_save_and_load(tmp_path, kind):
    ref = np.load(os.path.join(os.path.dirname(__file__), "data", "keras_constraints.npz"))
    model = _constrained_model()
    model.set_weights([ref[f"w0_{i}"] for i in range(5)])
    if kind == "json":
        again = keras.models.model_from_json(model.to_json())
        again.set_weights(model.get_weights())
        again.compile(keras.optimizers.SGD(0.5), "mse")
    else:
        path = str(tmp_path / f"m.{kind}")
        model.save(path)
        again = keras.models.load_model(path)
    assert again.get_config() == model.get_config()
    assert again.layers[-1].get_config()["kernel_constraint"] == {
        "class_name": "MaxNorm", "config": {"max_value": 0.5, "axis": 0}}
    for _ in range(3):
        again.train_on_batch(ref["ids"], ref["y"])
    for i, w in enumerate(again.get_weights()):
        np.testing.assert_allclose(w, ref[f"w3_{i}"], rtol=1e-5, atol=1e-6, err_msg=str(i))


def test_unknown_constraint_is_refused_by_name():
    with pytest.raises(ValueError, match="NoSuchConstraint"):
        L.Dense(2, kernel_constraint="NoSuchConstraint")


def test_scoped_custom_layer_beats_a_registered_class_of_the_same_name(tmp_path):
    """Layer subclasses register themselves by class name, so another class named alike (in
    another module, or defined later) may hold the name: custom_object_scope must win over it,
    as custom_objects= does (the .h5 reader looked only at custom_objects=)."""
    def make(k):
        class Twin(L.Layer):
            def __init__(self, k=k, **kwargs):
                super().__init__(**kwargs)
                self.k = k

            def call(self, x):
                return x * self.k

            def get_config(self):
                return {**super().get_config(), "k": self.k}
        return Twin
    first = make(2.0)
    inp = keras.Input((3,))
    model = keras.Model(inp, first()(inp))
    x, _ = _data()
    for suffix in (".h5", ".keras"):
        path = str(tmp_path / ("twin" + suffix))
        model.save(path)
        make(5.0)  # registers another "Twin"
        with keras.utils.custom_object_scope({"Twin": first}):
            again = keras.models.load_model(path)
        assert type(again.layers[1]) is first
        np.testing.assert_array_equal(again.predict(x, verbose=0), x * 2.0)
