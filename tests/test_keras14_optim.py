"""keras14: optimizers.Adafactor, optimizers.schedules.CosineDecayRestarts and
constraints.RadialConstraint / radial_constraint against tf_keras 2.21's values
(tests/data/keras14_refs.npz / .json, tools/keras14_refs.py): Adafactor's parameters after each
of 5 steps on 1-D, 2-D and 3-D variables (factored and unfactored second moments) in several
configurations; the schedule's first 40 values; the constraint on square kernels of sides 2-6.
"""
import json
import os

import numpy as np
import pytest

from tensorforge import keras

K = keras.backend
DATA = os.path.join(os.path.dirname(__file__), "data")
REF = np.load(os.path.join(DATA, "keras14_refs.npz"))
META = json.load(open(os.path.join(DATA, "keras14_refs.json")))


@pytest.mark.parametrize("key", sorted(META["adafactor"]))
def test_adafactor_matches_tf_keras(key):
    kw = dict(META["adafactor"][key])
    if isinstance(kw.get("learning_rate"), dict):
        kw["learning_rate"] = keras.optimizers.schedules.deserialize(kw["learning_rate"])
    opt = keras.optimizers.Adafactor(**kw)
    vs = [K.variable(REF[f"adafactor/p{i}"]) for i in range(4)]
    for t in range(5):
        opt.apply_gradients(list(zip([REF[f"adafactor/g{t}/{i}"] for i in range(4)], vs)))
        for i, v in enumerate(vs):
            np.testing.assert_allclose(v.numpy(), REF[f"adafactor/{key}/step{t}/{i}"],
                                       rtol=2e-5, atol=1e-6, err_msg=f"step {t} variable {i}")
    assert opt.iterations == 5


def test_adafactor_config_state_and_names():
    opt = keras.optimizers.Adafactor(learning_rate=0.01, clip_threshold=2.0)
    cfg = opt.get_config()
    for k in ("beta_2_decay", "epsilon_1", "epsilon_2", "clip_threshold", "relative_step"):
        assert k in cfg and k in META["adafactor_config"]
    assert META["adafactor_config"]["beta_2_decay"] == keras.optimizers.Adafactor().beta_2_decay
    again = keras.optimizers.deserialize(keras.optimizers.serialize(opt))
    assert type(again).__name__ == "Adafactor" and again.get_config() == cfg
    assert type(keras.optimizers.get("adafactor")).__name__ == "Adafactor"
    # the factored state of a matrix is its row and column means, not a full second moment
    v = K.variable(np.ones((3, 4), np.float32))
    opt.apply_gradients([(np.full((3, 4), 0.5, np.float32), v)])
    assert [s.shape for s in opt.get_state([v])[0]] == [(3,), (4,), (3, 4)]
    with pytest.raises(ValueError, match="Adafactor: clip_threshold"):
        keras.optimizers.Adafactor(clip_threshold=0.0)


def test_adafactor_trains_a_model_and_saves():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 3)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], np.float32)
    m = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
    m.compile(keras.optimizers.Adafactor(learning_rate=0.1, relative_step=False), "mse")
    h = m.fit(x, y, epochs=30, batch_size=16, verbose=0)
    assert h.history["loss"][-1] < 0.2 * h.history["loss"][0]


@pytest.mark.parametrize("key", sorted(META["cosine_decay_restarts"]))
def test_cosine_decay_restarts_matches_tf_keras(key):
    ref = META["cosine_decay_restarts"][key]
    sch = keras.optimizers.schedules.CosineDecayRestarts(**ref["kwargs"])
    np.testing.assert_allclose([sch(t) for t in range(40)], ref["values"], rtol=2e-6,
                               atol=1e-7)
    cfg = sch.get_config()
    assert cfg == {k: v for k, v in ref["config"].items()}
    again = keras.optimizers.schedules.deserialize(keras.optimizers.schedules.serialize(sch))
    assert again(17) == sch(17)
    opt = keras.optimizers.SGD(learning_rate=sch)
    assert keras.optimizers.deserialize(keras.optimizers.serialize(opt)).learning_rate(5) == sch(5)


def test_cosine_decay_restarts_bad_arguments():
    S = keras.optimizers.schedules.CosineDecayRestarts
    with pytest.raises(ValueError, match="CosineDecayRestarts: first_decay_steps must be a "
                                         "positive number"):
        S(0.1, 0)
    with pytest.raises(ValueError, match="CosineDecayRestarts: t_mul"):
        S(0.1, 10, t_mul=-1.0)


@pytest.mark.parametrize("k", [2, 3, 4, 5, 6])
def test_radial_constraint_matches_tf_keras(k):
    c = keras.constraints.get("radial_constraint")
    assert isinstance(c, keras.constraints.RadialConstraint)
    np.testing.assert_array_equal(c(REF[f"radial/{k}/w"]), REF[f"radial/{k}/y"])


def test_radial_constraint_on_a_layer_and_errors(tmp_path):
    layer = keras.layers.Conv2D(2, 3, kernel_constraint="radial_constraint")
    m = keras.Sequential([keras.Input((6, 6, 1)), layer])
    m.compile("sgd", "mse")
    m.fit(np.ones((4, 6, 6, 1), np.float32), np.zeros((4, 4, 4, 2), np.float32), verbose=0)
    w = layer.kernel.numpy()
    assert w[0, 0, 0, 0] == w[0, 2, 0, 0] == w[2, 1, 0, 0]  # one ring, one value
    assert keras.constraints.serialize(keras.constraints.radial_constraint()) == {
        "class_name": META["radial_serialized"]["class_name"], "config": {}}
    m.save(str(tmp_path / "m.keras"))
    again = keras.models.load_model(str(tmp_path / "m.keras"))
    assert isinstance(again.layers[0].kernel_constraint, keras.constraints.RadialConstraint)
    with pytest.raises(ValueError, match=r"RadialConstraint: the weight tensor must have rank 4, "
                                         r"got shape \(3, 3\)"):
        keras.constraints.RadialConstraint()(np.zeros((3, 3), np.float32))
    with pytest.raises(ValueError, match=r"RadialConstraint: the kernel must be square"):
        keras.constraints.RadialConstraint()(np.zeros((3, 2, 1, 1), np.float32))


def test_optimizers_experimental_and_callbacks_experimental_names():
    names = ["Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "Nadam",
             "Optimizer", "RMSprop", "SGD"]  # tf_keras 2.21's optimizers.experimental
    for n in names:
        assert getattr(keras.optimizers.experimental, n) is getattr(keras.optimizers, n), n
    assert keras.callbacks.experimental.BackupAndRestore is keras.callbacks.BackupAndRestore
    assert keras.utils.legacy.serialize_keras_object is keras.utils.serialize_keras_object
    assert keras.utils.legacy.deserialize_keras_object is keras.utils.deserialize_keras_object


@pytest.mark.parametrize("key", sorted(META["sam"]))
def test_sharpness_aware_minimization_matches_tf_keras(key, tmp_path):
    ref = META["sam"][key]
    inner = keras.Sequential([keras.layers.Dense(4, activation="tanh", input_shape=(3,)),
                              keras.layers.Dense(1)])
    inner.set_weights([REF[f"sam/w0_{i}"] for i in range(4)])
    sam = keras.models.experimental.SharpnessAwareMinimization(inner, **ref["kwargs"])
    sam.compile(keras.optimizers.SGD(0.1), "mse", metrics=["mae"])
    h = sam.fit(REF["sam/x"], REF["sam/y"], batch_size=8, epochs=2, verbose=0, shuffle=False)
    for k, v in ref["history"].items():
        np.testing.assert_allclose(h.history[k], v, rtol=2e-5, err_msg=k)
    for i, w in enumerate(inner.get_weights()):
        np.testing.assert_allclose(w, REF[f"sam/{key}/w{i}"], rtol=2e-5, atol=1e-6)
    np.testing.assert_array_equal(sam.predict(REF["sam/x"], verbose=0),
                                  inner.predict(REF["sam/x"], verbose=0))
    cfg = sam.get_config()
    again = keras.models.experimental.SharpnessAwareMinimization.from_config(cfg)
    assert again.rho == sam.rho and type(again.model).__name__ == "Sequential"


def test_sharpness_aware_minimization_uneven_split():
    inner = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
    sam = keras.models.experimental.SharpnessAwareMinimization(inner, num_batch_splits=3)
    sam.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"SharpnessAwareMinimization: the batch of 8 inputs "
                                         r"does not split into num_batch_splits=3"):
        sam.fit(np.zeros((8, 3), np.float32), np.zeros((8, 1), np.float32), batch_size=8,
                verbose=0)


def test_py_metric_subclass_in_fit():
    """keras.metrics.experimental.PyMetric: a NumPy-written metric (the median absolute error
    of every sample seen in the epoch, not a mean of batch values) in compile and fit."""
    class MedianAbsoluteError(keras.metrics.experimental.PyMetric):
        def update_state(self, y_true, y_pred, sample_weight=None):
            self.errors.append(np.abs(np.asarray(y_true) - np.asarray(y_pred)).ravel())

        def reset_state(self):
            self.errors = []

        def merge_state(self, metrics):
            for m in metrics:
                self.errors.extend(m.errors)

        def result(self):
            return float(np.median(np.concatenate(self.errors))) if self.errors else 0.0

    rng = np.random.default_rng(0)
    x = rng.standard_normal((20, 2)).astype(np.float32)
    y = rng.standard_normal((20, 1)).astype(np.float32)
    m = keras.Sequential([keras.layers.Dense(1, input_shape=(2,), kernel_initializer="ones")])
    metric = MedianAbsoluteError(name="medae")
    m.compile("sgd", "mse", metrics=[metric])
    pred0 = m.predict(x, verbose=0)
    m.evaluate(x, y, batch_size=6, verbose=0)
    assert metric.result() == pytest.approx(float(np.median(np.abs(y - pred0))), rel=1e-6)
    h = m.fit(x, y, batch_size=5, epochs=1, verbose=0)
    assert "medae" in h.history and h.history["medae"][0] > 0
    other = MedianAbsoluteError()
    other.update_state(np.zeros(3), np.ones(3))
    metric.merge_state([other])
    assert len(metric.errors[-1]) == 3
    with pytest.raises(NotImplementedError, match="Subclasses should implement `reset_state`"):
        keras.metrics.experimental.PyMetric()


def test_backend_experimental_random_generator_switch():
    E = keras.backend.experimental
    assert E.is_tf_random_generator_enabled() is False  # tf_keras 2.21's default
    E.enable_tf_random_generator()
    try:
        assert E.is_tf_random_generator_enabled() is True
        keras.utils.set_random_seed(4)
        d1 = keras.layers.Dropout(0.5)(np.ones((4, 8), np.float32), training=True).numpy()
        keras.utils.set_random_seed(4)
        d2 = keras.layers.Dropout(0.5)(np.ones((4, 8), np.float32), training=True).numpy()
        np.testing.assert_array_equal(d1, d2)  # the one random state, seeded alike
    finally:
        E.disable_tf_random_generator()
    assert E.is_tf_random_generator_enabled() is False
