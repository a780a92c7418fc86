"""Keras 2.0-2.2's metric log names (``acc``, ``val_acc``, ``mean_absolute_error``) answered from
tf.keras 2's (Note [legacy metric names], metrics/legacy_names.py): History lookups, the
monitors of EarlyStopping / ModelCheckpoint / ReduceLROnPlateau and checkpoint path fields.
The keys a History lists stay tf.keras 2's."""
import json
import pickle

import numpy as np
import pytest

from tensorforge import callbacks as C
from tensorforge import layers as L
from tensorforge import models as M
from tensorforge import optimizers as O
from tensorforge.metrics import legacy_names


class _FakeModel:
    def __init__(self):
        self.optimizer = O.SGD(learning_rate=0.1)
        self.stop_training = False
        self.saved = []

    def get_weights(self):
        return []

    def save(self, path, *a, **k):
        self.saved.append(path)


def _fit(metrics, epochs=2):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    m = M.Sequential([L.Dense(2, activation="softmax", input_shape=(4,))])
    m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy", metrics=metrics)
    return m.fit(x, y, epochs=epochs, batch_size=16, validation_split=0.25, verbose=0)


def test_history_answers_keras22_accuracy_names_but_lists_tf_keras_keys():
    h = _fit(["accuracy", "mae"])
    keys = list(h.history)
    assert keys == ["loss", "accuracy", "mae", "val_loss", "val_accuracy", "val_mae"]
    assert h.history["acc"] is h.history["accuracy"]
    assert h.history["val_acc"] is h.history["val_accuracy"]
    assert h.history["mean_absolute_error"] is h.history["mae"]
    assert h.history["val_mean_absolute_error"] is h.history["val_mae"]
    assert "acc" not in h.history and len(h.history) == 6
    # (N,) labels against a 2-unit softmax: 'mae' compares each label with both columns, as
    # tf_keras's compile does (labels gain a trailing axis), so |p0 - y| + |p1 - y| = 1 per
    # sample whatever the weights: 0.5
    np.testing.assert_allclose(h.history["mae"] + h.history["val_mae"], [0.5] * 4, rtol=1e-6)
    with pytest.raises(KeyError, match="val_bogus"):
        h.history["val_bogus"]
    with pytest.raises(KeyError):
        h.history["val_mean_squared_error"]  # mse was not compiled
    # serialises and pickles as the plain dict (loads back without tensorforge)
    assert json.loads(json.dumps(h.history)) == {k: list(v) for k, v in h.history.items()}
    back = pickle.loads(pickle.dumps(h.history))
    assert type(back) is dict and back == dict(h.history)


def test_a_name_present_as_compiled_is_never_redirected():
    h = _fit(["acc"])
    assert list(h.history) == ["loss", "acc", "val_loss", "val_acc"]
    with pytest.raises(KeyError):
        h.history["accuracy"]  # tf.keras 2 logs 'acc' as given; no reverse alias
    logs = {"acc": 0.5, "accuracy": 0.25}
    assert legacy_names.resolve(logs, "acc") == "acc"
    assert legacy_names.get(logs, "acc") == 0.5


@pytest.mark.parametrize("key, logs, want", [
    ("acc", {"accuracy": 1}, "accuracy"),
    ("val_acc", {"val_accuracy": 1}, "val_accuracy"),
    ("val_out_a_acc", {"val_out_a_accuracy": 1}, "val_out_a_accuracy"),
    ("val_ce", {"val_crossentropy": 1}, "val_crossentropy"),
    ("mean_squared_error", {"mse": 1}, "mse"),
    ("val_mean_absolute_percentage_error", {"val_mape": 1}, "val_mape"),
    ("mean_squared_logarithmic_error", {"msle": 1}, "msle"),
    ("cosine_proximity", {"cosine": 1}, "cosine"),
    ("val_acc", {"accuracy": 1}, "val_acc"),  # no validation value: stays missing
    ("macc", {"maccuracy": 1}, "macc"),        # 'acc' only as a whole name part
    (3, {"accuracy": 1}, 3),
])
def test_resolve(key, logs, want):
    assert legacy_names.resolve(logs, key) == want


def test_early_stopping_on_val_acc_acts_on_val_accuracy():
    cb = C.EarlyStopping(monitor="val_acc", patience=0)
    m = _FakeModel()
    cb.set_model(m)
    cb.on_train_begin()
    cb.on_epoch_end(0, {"val_loss": 1.0, "val_accuracy": 0.5})
    assert not m.stop_training
    cb.on_epoch_end(1, {"val_loss": 0.5, "val_accuracy": 0.4})  # 'auto' for acc: max
    assert m.stop_training and cb.stopped_epoch == 1


def test_model_checkpoint_keras22_path_fields_and_monitor(tmp_path):
    path = str(tmp_path / "w.{epoch:02d}-{val_acc:.2f}.h5")
    cb = C.ModelCheckpoint(path, monitor="val_acc", save_best_only=True)
    m = _FakeModel()
    cb.set_model(m)
    cb.on_train_begin()
    cb.on_epoch_end(0, {"val_accuracy": 0.5})
    cb.on_epoch_end(1, {"val_accuracy": 0.25})  # worse: not saved
    cb.on_epoch_end(2, {"val_accuracy": 0.75})
    assert [p.rsplit("/", 1)[1] for p in m.saved] == ["w.01-0.50.h5", "w.03-0.75.h5"]
    bad = C.ModelCheckpoint(str(tmp_path / "{val_bogus}.h5"))
    bad.set_model(m)
    bad.on_train_begin()
    with pytest.raises(KeyError, match="val_bogus"):
        bad.on_epoch_end(0, {"val_accuracy": 0.5})


def test_reduce_lr_on_plateau_on_val_acc():
    cb = C.ReduceLROnPlateau(monitor="val_acc", factor=0.5, patience=0, verbose=0)
    m = _FakeModel()
    cb.set_model(m)
    cb.on_train_begin()
    cb.on_epoch_end(0, {"val_accuracy": 0.5})
    assert m.optimizer.learning_rate == pytest.approx(0.1)
    cb.on_epoch_end(1, {"val_accuracy": 0.5})  # no improvement: halve
    assert m.optimizer.learning_rate == pytest.approx(0.05)
