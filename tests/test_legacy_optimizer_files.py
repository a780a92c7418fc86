"""RMSprop and Nadam configs and files keep their own rule (Note [legacy optimizer configs] in
optimizers/__init__.py): a legacy class's (tf_keras ``optimizers.legacy``, Keras 2.0-2.10) loads
as ``optimizers.legacy.RMSprop`` / ``Nadam``, a default class's as the default one, and ours
round-trip the same way. The files tests/data/gaps30_*.h5 / .keras and the weights below were
written and printed by tools/keras_gaps30_refs.py under tf_keras 2.21."""
import json
import os
import warnings

import h5py
import numpy as np
import pytest

from tensorforge import keras
from tensorforge.optimizers import legacy

DATA = os.path.join(os.path.dirname(__file__), "data")
X = (np.arange(24, dtype="float32").reshape(8, 3) % 5 - 2) / 2
Y = np.stack([X.sum(1), X[:, 0] - X[:, 2]], 1).astype("float32")

# tf_keras 2.21: each file reloaded, then one more fit step on the same batch (kernel, bias).
# A legacy class's .keras archive holds no optimizer state: that step is a fresh optimizer's.
AFTER = {
    ("legacy_rmsprop", "h5"): ([[0.4998598, -0.220748], [0.1385071, 0.7479559],
                                [-0.4797215, 0.2211715]], [0.0898311, -0.1014001]),
    ("legacy_rmsprop", "keras"): ([[0.4998597, -0.2187727], [0.1389243, 0.7479467],
                                   [-0.4787776, 0.2192538]], [0.0895931, -0.1014047]),
    ("rmsprop", "h5"): ([[0.4999018, -0.2187481], [0.136631, 0.7485052],
                         [-0.4807464, 0.2193582]], [0.0916365, -0.1010153]),
    ("rmsprop", "keras"): ([[0.4999018, -0.2187481], [0.136631, 0.7485052],
                            [-0.4807464, 0.2193582]], [0.0916365, -0.1010153]),
    ("legacy_nadam", "h5"): ([[0.4931337, -0.2243574], [0.1506479, 0.7250884],
                              [-0.4743739, 0.224337]], [0.0747218, -0.1195024]),
    ("legacy_nadam", "keras"): ([[0.4842923, -0.2210675], [0.1539452, 0.7213718],
                                 [-0.4710854, 0.2210583]], [0.0711992, -0.1265437]),
}
# (tensorforge before: the legacy RMSprop files stepped 1e-3 away, the legacy Nadam ones 2e-4)


@pytest.mark.parametrize("name,ext", sorted(AFTER))
def test_tf_keras_files_load_with_their_own_rule(name, ext):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (a legacy Nadam's decay is its schedule_decay)
        m = keras.models.load_model(os.path.join(DATA, f"gaps30_{name}.{ext}"))
    opt = m.optimizer
    assert type(opt).__name__ == ("Nadam" if "nadam" in name else "RMSprop")
    assert (type(opt).__module__ == legacy.__name__) == name.startswith("legacy")
    assert int(opt.iterations) == (0 if name.startswith("legacy") and ext == "keras" else 2)
    if "nadam" in name:
        assert opt.schedule_decay == pytest.approx(0.004)
    m.fit(X, Y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    kernel, bias = AFTER[(name, ext)]
    np.testing.assert_allclose(m.trainable_weights[0].numpy(), kernel, rtol=0, atol=2e-6)
    np.testing.assert_allclose(m.trainable_weights[1].numpy(), bias, rtol=0, atol=2e-6)


def _fitted(opt):
    m = keras.Sequential([keras.layers.Dense(2, input_shape=(3,))])
    m.compile(opt, "mse")
    m.fit(X, Y, batch_size=8, epochs=2, verbose=0, shuffle=False)
    return m


OURS = {"legacy_rmsprop": lambda: legacy.RMSprop(0.01, epsilon=0.5),
        "rmsprop": lambda: keras.optimizers.RMSprop(0.01, epsilon=0.5),
        "legacy_nadam": lambda: legacy.Nadam(0.01),
        "nadam": lambda: keras.optimizers.Nadam(0.01)}


@pytest.mark.parametrize("ext", ["h5", "keras"])
@pytest.mark.parametrize("name", sorted(OURS))
def test_our_files_round_trip_with_their_own_rule(tmp_path, name, ext):
    """Saved and reloaded, each optimizer keeps its class: the reloaded model's next step is
    the one the model itself takes (the optimizer's state kept; a Nadam's HDF5 file too since
    session 31, as Keras 2 writes it)."""
    m = _fitted(OURS[name]())
    path = str(tmp_path / f"m.{ext}")
    m.save(path)
    r = keras.models.load_model(path)
    assert type(r.optimizer) is type(m.optimizer)
    assert int(r.optimizer.iterations) == 2
    for model in (m, r):
        model.fit(X, Y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    for a, b in zip(m.trainable_weights, r.trainable_weights):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_h5_training_config_marks_the_default_classes_as_tf_keras_does(tmp_path):
    """tf_keras 2.21 builds its legacy class from a config without is_legacy_optimizer and its
    default class from one with the key false (and refuses a decay there)."""
    for make, marked in ((lambda: keras.optimizers.RMSprop(0.01), True),
                         (lambda: keras.optimizers.Nadam(0.01), True),
                         (lambda: legacy.RMSprop(0.01), False),
                         (lambda: legacy.Nadam(0.01), False),
                         (lambda: keras.optimizers.RMSprop(0.01, decay=1e-3), False),
                         (lambda: keras.optimizers.Adam(0.01), False)):
        path = str(tmp_path / "m.h5")
        _fitted(make()).save(path)
        with h5py.File(path, "r") as f:
            cfg = json.loads(f.attrs["training_config"])["optimizer_config"]["config"]
        if marked:
            assert cfg["is_legacy_optimizer"] is False and "decay" not in cfg, cfg
        else:
            assert "is_legacy_optimizer" not in cfg, cfg


def test_serialize_and_deserialize_follow_tf_keras_configs():
    # tf_keras 2.21's optimizers.serialize of legacy.RMSprop() and RMSprop() (trimmed)
    leg = {"module": "keras.optimizers.legacy", "class_name": "RMSprop",
           "config": {"name": "RMSprop", "learning_rate": 0.001, "decay": 0.0, "rho": 0.9,
                      "momentum": 0.0, "epsilon": 1e-07, "centered": False},
           "registered_name": None}
    new = {"module": "keras.optimizers", "class_name": "RMSprop",
           "config": {"name": "RMSprop", "is_legacy_optimizer": False, "learning_rate": 0.001,
                      "rho": 0.9, "momentum": 0.0, "epsilon": 1e-07, "centered": False},
           "registered_name": None}
    nadam = {"module": "keras.optimizers.legacy", "class_name": "Nadam",
             "config": {"name": "Nadam", "learning_rate": 0.001, "decay": 0.004, "beta_1": 0.9,
                        "beta_2": 0.999, "epsilon": 1e-07}, "registered_name": None}
    assert type(keras.optimizers.deserialize(leg)) is legacy.RMSprop
    assert type(keras.optimizers.deserialize(new)) is keras.optimizers.RMSprop
    got = keras.optimizers.deserialize(nadam)
    assert type(got) is legacy.Nadam and got.schedule_decay == pytest.approx(0.004)
    # as in tf_keras: a name alone (or an empty config) is the default class; the key set to
    # true (what serialize wrote for the legacy classes before) still means legacy
    assert type(keras.optimizers.get({"class_name": "rmsprop", "config": {}})) is \
        keras.optimizers.RMSprop
    assert type(keras.optimizers.deserialize(
        {"class_name": "RMSprop", "config": {"is_legacy_optimizer": True}})) is legacy.RMSprop
    # Keras 2.2's config (lr, no key): its rule, epsilon outside the root
    k22 = {"class_name": "RMSprop", "config": {"lr": 0.001, "rho": 0.9, "decay": 0.0,
                                               "epsilon": 1e-07}}
    assert type(keras.optimizers.deserialize(k22)) is legacy.RMSprop
    # ours: the default classes carry tf_keras' mark, the legacy ones none; each comes back
    for opt in (keras.optimizers.RMSprop(0.01), legacy.RMSprop(0.01), keras.optimizers.Nadam(),
                legacy.Nadam(schedule_decay=0.002)):
        cfg = keras.optimizers.serialize(opt)
        legacy_cls = type(opt).__module__ == legacy.__name__
        assert ("is_legacy_optimizer" in cfg["config"]) != legacy_cls
        back = keras.optimizers.deserialize(cfg)
        assert type(back) is type(opt) and back.get_config() == opt.get_config()


def test_keras22_training_configs_read_as_the_legacy_classes():
    """Keras 2.2's HDF5 training_config (lr, no is_legacy_optimizer key) is read with Keras
    2.2's rules, as tf_keras 2.21 reads it."""
    from tensorforge.saving import keras_config
    tc = {"loss": "mse", "metrics": [], "optimizer_config": {"class_name": "RMSprop", "config": {
        "lr": 0.002, "rho": 0.9, "decay": 0.0, "epsilon": 1e-07}}}
    opt = keras_config.compile_args_from_training_config(tc)["optimizer"]
    assert type(opt) is legacy.RMSprop and opt.learning_rate == pytest.approx(0.002)
    tc["optimizer_config"] = {"class_name": "Nadam", "config": {
        "lr": 0.002, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "schedule_decay": 0.003}}
    opt = keras_config.compile_args_from_training_config(tc)["optimizer"]
    assert type(opt) is legacy.Nadam and opt.schedule_decay == pytest.approx(0.003)
    tc["optimizer_config"] = {"class_name": "RMSprop", "config": {
        "learning_rate": 0.002, "is_legacy_optimizer": False}}
    assert type(keras_config.compile_args_from_training_config(tc)["optimizer"]) is \
        keras.optimizers.RMSprop
