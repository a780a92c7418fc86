"""Callbacks: ReduceLROnPlateau (against tf_keras's learning-rate sequences,
tests/data/callback_refs.json from tools/gen_callback_refs.py), BaseLogger, ProgbarLogger
count_mode, TensorBoard event files (tensorboardX, an optional extra), CSVLogger append,
CallbackList, model.stop_training and the logs keys fit passes."""
import io
import json
import os
import struct

import numpy as np
import pytest

from tensorforge import callbacks as C
from tensorforge import layers as L
from tensorforge import models as M
from tensorforge import optimizers as O

with open(os.path.join(os.path.dirname(__file__), "data", "callback_refs.json")) as _f:
    REFS = json.load(_f)


class _FakeModel:
    def __init__(self, lr):
        self.optimizer = O.SGD(learning_rate=lr)
        self.stop_training = False


@pytest.mark.parametrize("case", sorted(REFS["cases"]))
def test_reduce_lr_on_plateau_matches_keras(case):
    kw, values = REFS["cases"][case]
    m = _FakeModel(REFS["lr0"])
    cb = C.ReduceLROnPlateau(**kw)
    cb.set_model(m)
    cb.on_train_begin()
    lrs = []
    for epoch, v in enumerate(values):
        logs = {kw["monitor"]: v}
        cb.on_epoch_end(epoch, logs)
        assert logs["lr"] == pytest.approx(lrs[-1] if lrs else REFS["lr0"])  # lr before the step
        lrs.append(m.optimizer.learning_rate)
    np.testing.assert_allclose(lrs, REFS["lrs"][case], rtol=1e-6)


def test_reduce_lr_on_plateau_arguments():
    with pytest.raises(ValueError, match="factor must be < 1.0"):
        C.ReduceLROnPlateau(factor=1.0)
    with pytest.raises(ValueError, match="mode"):
        C.ReduceLROnPlateau(mode="up")
    with pytest.warns(UserWarning, match="epsilon"):
        assert C.ReduceLROnPlateau(epsilon=0.01).min_delta == 0.01
    cb = C.ReduceLROnPlateau()
    m = _FakeModel(0.1)
    m.optimizer.learning_rate = O.schedules.ExponentialDecay(0.1, 10, 0.5)
    cb.set_model(m)
    with pytest.raises(TypeError, match="schedule"):
        cb.on_epoch_end(0, {"val_loss": 1.0})
    m = _FakeModel(0.1)
    cb.set_model(m)
    with pytest.warns(RuntimeWarning, match="val_loss.*not available"):
        cb.on_epoch_end(0, {"loss": 1.0})


def test_reduce_lr_on_plateau_in_fit_and_lr_in_history():
    x = np.random.default_rng(0).standard_normal((16, 3)).astype(np.float32)
    y = np.zeros((16, 1), np.float32)
    m = M.Sequential([L.Dense(1, input_shape=(3,), kernel_initializer="zeros")])
    m.compile(O.SGD(learning_rate=0.1), "mse")  # zero weights, zero targets: the loss is flat
    cb = C.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_delta=1e-3)
    m.fit(x, y, epochs=3, verbose=0, callbacks=[cb])
    assert m.optimizer.learning_rate == pytest.approx(0.025)


def test_base_logger_weighted_epoch_means():
    bl = C.BaseLogger(stateful_metrics=["s"])
    bl.set_params({"metrics": ["loss", "acc", "s"]})
    bl.on_epoch_begin(0)
    bl.on_batch_end(0, {"batch": 0, "size": 3, "loss": 1.0, "acc": 0.0, "s": 5})
    bl.on_batch_end(1, {"batch": 1, "size": 1, "loss": 3.0, "acc": 1.0, "s": 7})
    logs = {}
    bl.on_epoch_end(0, logs)
    assert logs == {"loss": pytest.approx(1.5), "acc": pytest.approx(0.25), "s": 7}


def test_progbar_logger_count_modes():
    for mode, target in (("samples", "10/10"), ("steps", "3/3")):
        out = io.StringIO()
        cb = C.ProgbarLogger(count_mode=mode, stream=out)
        cb.set_params({"epochs": 1, "samples": 10, "batch_size": 4, "verbose": 1,
                       "metrics": ["loss"]})
        cb.on_train_begin()
        cb.on_epoch_begin(0)
        for b, size in enumerate((4, 4, 2)):
            cb.on_batch_end(b, {"batch": b, "size": size, "loss": 0.5})
        cb.on_epoch_end(0, {"loss": 0.5})
        text = out.getvalue()
        # one epoch: no "Epoch 1/1" header (tf_keras 2; Keras 2.2 wrote it)
        assert text.startswith(target + " [====") and "loss: 0.5000" in text
        assert ("/step" in text) == (mode == "steps")
    with pytest.raises(ValueError, match="count_mode"):
        C.ProgbarLogger(count_mode="batches")


def _read_events(path):
    """Minimal TFRecord reader: (tag, step, value or histogram) from an event file."""
    from tensorboardX.proto import event_pb2
    out = []
    with open(path, "rb") as f:
        data = f.read()
    i = 0
    while i < len(data):
        (n,) = struct.unpack("<Q", data[i:i + 8])
        ev = event_pb2.Event.FromString(data[i + 12:i + 12 + n])
        i += 12 + n + 4
        for v in ev.summary.value:
            out.append((v.tag, ev.step, v.simple_value if v.HasField("simple_value") else v.histo))
    return out


def _events(log_dir, kind):
    d = os.path.join(log_dir, kind)
    return [e for f in sorted(os.listdir(d)) for e in _read_events(os.path.join(d, f))]


def test_tensorboard_writes_scalars_and_histograms_or_names_the_extra(tmp_path):
    try:
        import tensorboardX  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="tensorboardX"):
            C.TensorBoard(log_dir=str(tmp_path))
        return
    x = np.random.default_rng(1).standard_normal((20, 4)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    m = M.Sequential([L.Dense(3, input_shape=(4,), name="d1"), L.Dense(1, activation="sigmoid")])
    m.compile("sgd", "binary_crossentropy", metrics=["acc"])
    tb = C.TensorBoard(log_dir=str(tmp_path), histogram_freq=1, update_freq=2)
    h = m.fit(x, y, epochs=2, batch_size=5, verbose=0, validation_data=(x[:5], y[:5]),
              callbacks=[tb])
    train, val = _events(str(tmp_path), "train"), _events(str(tmp_path), "validation")
    scal = {(t, s): v for t, s, v in train if isinstance(v, float)}
    for epoch in range(2):
        assert scal[("epoch_loss", epoch)] == pytest.approx(h.history["loss"][epoch], rel=1e-6)
        assert scal[("epoch_acc", epoch)] == pytest.approx(h.history["acc"][epoch], rel=1e-6)
    vals = {(t, s): v for t, s, v in val}
    assert vals[("epoch_loss", 1)] == pytest.approx(h.history["val_loss"][1], rel=1e-6)
    assert sorted(s for t, s in scal if t == "batch_loss") == [2, 4, 6, 8]  # every 2nd batch
    hists = {(t, s): v for t, s, v in train if not isinstance(v, float)}
    kernel = [k for k in hists if k[0].startswith("d1/") and k[1] == 1]
    assert kernel, sorted(hists)
    assert sum(hists[k].num for k in kernel) == 4 * 3 + 3  # every weight of d1 counted
    with pytest.raises(ValueError, match="update_freq"):
        C.TensorBoard(log_dir=str(tmp_path), update_freq="often")


def test_stop_training_and_logs_keys_as_keras():
    x = np.random.default_rng(2).standard_normal((12, 3)).astype(np.float32)
    y = np.eye(2, dtype=np.float32)[np.arange(12) % 2]
    m = M.Sequential([L.Dense(2, input_shape=(3,), activation="softmax")])
    m.compile("sgd", "categorical_crossentropy", metrics=["acc", "mae"])
    batches = []
    keys = {}

    def on_batch_end(batch, logs):
        batches.append(batch)
        keys["batch"] = sorted(logs)
        if batch == 1:
            m.stop_training = True

    cb = C.LambdaCallback(on_batch_end=on_batch_end,
                          on_epoch_end=lambda e, logs: keys.setdefault("epoch", sorted(logs)))
    h = m.fit(x, y, epochs=5, batch_size=4, verbose=0, validation_data=(x, y), callbacks=[cb])
    assert batches == [0, 1] and len(h.history["loss"]) == 1
    assert keys["batch"] == ["acc", "loss", "mae"]  # tf_keras 2.21's (no 'batch', 'size')
    assert keys["epoch"] == ["acc", "loss", "mae", "val_acc", "val_loss", "val_mae"]


def test_csv_logger_append_writes_header_once(tmp_path):
    path = tmp_path / "log.csv"
    for _ in range(2):
        cb = C.CSVLogger(str(path), append=True)
        cb.on_train_begin()
        cb.on_epoch_end(0, {"loss": 1.0, "acc": 0.5})
        cb.on_train_end()
    assert path.read_text().splitlines() == ["epoch,acc,loss", "0,0.5,1.0", "0,0.5,1.0"]


def test_callback_list_forwards_and_train_batch_aliases():
    calls = []

    class Spy(C.Callback):
        def on_batch_end(self, batch, logs=None):
            calls.append(("batch_end", batch))

        def on_test_begin(self, logs=None):
            calls.append(("test_begin",))

    cl = C.CallbackList([Spy(), C.History()], model="m", params={"epochs": 1})
    assert all(cb.model == "m" and cb.params == {"epochs": 1} for cb in cl)
    cl.on_train_begin()
    cl.on_train_batch_end(3, {"loss": 1.0})  # the tf.keras name reaches the Keras 2 hook
    cl.on_test_begin()
    cl.on_predict_end()
    assert calls == [("batch_end", 3), ("test_begin",)]
    with pytest.raises(TypeError, match="Callback instances"):
        C.CallbackList([object()])


def test_progbar_keras_api_averages_values_over_steps():
    from tensorforge.utils import Progbar
    out = io.StringIO()
    bar = Progbar(4, stateful_metrics=["lr"], stream=out)
    bar.update(1, values=[("loss", 1.0), ("lr", 0.1)])
    bar.add(3, values=[("loss", 3.0), ("lr", 0.2)])  # reaches the target: finalizes
    line = out.getvalue()
    assert line.count("\n") == 1 and "4/4 [==============================]" in line
    assert "loss: 2.5000" in line and "lr: 0.2000" in line and "/step" in line
    out2 = io.StringIO()
    bar2 = Progbar(None, stream=out2)
    bar2.update(5, values=[("d_loss", 0.5)], finalize=True)
    assert "5/Unknown" in out2.getvalue()


def test_early_stopping_start_from_epoch_and_checkpoint_threshold(tmp_path):
    es = C.EarlyStopping(monitor="loss", patience=0, start_from_epoch=2)
    m = _FakeModel(0.1)
    es.set_model(m)
    es.on_train_begin()
    for epoch, loss in enumerate([1.0, 2.0, 3.0, 4.0]):  # worse every epoch
        es.on_epoch_end(epoch, {"loss": loss})
        if m.stop_training:
            break
    assert es.stopped_epoch == 3  # epochs 0 and 1 not monitored; 2 sets best; 3 stops
    ck = C.ModelCheckpoint(str(tmp_path / "w.h5"), monitor="val_loss", save_best_only=True,
                           initial_value_threshold=0.5)
    assert ck.best == 0.5


def test_tensorboard_without_tensorboardx_names_the_extra(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    with pytest.raises(ImportError, match=r"tensorboardX.*tensorforge\[tensorboard\]"):
        C.TensorBoard(log_dir=str(tmp_path))


def test_tensorboard_says_which_asked_for_outputs_it_does_not_write(tmp_path, monkeypatch):
    import warnings
    monkeypatch.setattr(C, "_summary_writer_class", lambda: object)  # (no tensorboardX needed)
    with pytest.warns(UserWarning, match="write_images, embeddings_freq asked for"):
        C.TensorBoard(log_dir=str(tmp_path), write_images=True, embeddings_freq=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        C.TensorBoard(log_dir=str(tmp_path), histogram_freq=1)  # the defaults say nothing


def test_lambda_callback_any_hook():
    seen = []
    cb = C.LambdaCallback(on_test_begin=lambda logs=None: seen.append("test"),
                          on_train_batch_end=lambda b, logs=None: seen.append(b))
    cb.on_test_begin()
    cb.on_train_batch_end(4)
    assert seen == ["test", 4]
    with pytest.raises(TypeError, match="unknown hook"):
        C.LambdaCallback(on_epoch_finish=print)


def test_keras2_lr_callback_with_backend_set_value():
    """The Keras 2 custom-callback idiom: K.get_value / K.set_value on model.optimizer.lr."""
    from tensorforge import backend as K

    class Halve(C.Callback):
        def on_epoch_end(self, epoch, logs=None):
            K.set_value(self.model.optimizer.lr, float(K.get_value(self.model.optimizer.lr)) / 2)

    x = np.random.default_rng(3).standard_normal((8, 2)).astype(np.float32)
    m = M.Sequential([L.Dense(1, input_shape=(2,))])
    m.compile(O.SGD(lr=0.1), "mse")
    m.fit(x, x[:, :1], epochs=3, verbose=0, callbacks=[Halve()])
    assert m.optimizer.learning_rate == pytest.approx(0.0125)


def test_fit_calls_the_batch_hooks_a_callback_overrides_by_either_name():
    """tf.keras 2's fit calls on_train_batch_begin/end, whose defaults call on_batch_begin/end:
    a callback overriding either name (in its class, or on the instance as LambdaCallback does)
    sees every batch, once; a duck-typed callback gets whichever of the two it has."""
    x = np.random.default_rng(3).standard_normal((12, 3)).astype(np.float32)
    y = np.eye(2, dtype=np.float32)[np.arange(12) % 2]
    m = M.Sequential([L.Dense(2, input_shape=(3,), activation="softmax")])
    m.compile("sgd", "categorical_crossentropy")
    seen = []

    class TfNames(C.Callback):  # tf.keras 2 names only
        def on_train_batch_begin(self, batch, logs=None):
            seen.append(("tf_begin", batch, sorted(logs)))

        def on_train_batch_end(self, batch, logs=None):
            seen.append(("tf_end", batch, sorted(logs)))

    class K2Names(C.Callback):
        def on_batch_end(self, batch, logs=None):
            seen.append(("k2_end", batch))

    class Duck:  # no Callback base
        def set_model(self, model): pass
        def set_params(self, params): pass
        def on_train_begin(self, logs=None): pass
        def on_train_end(self, logs=None): pass
        def on_epoch_begin(self, epoch, logs=None): pass
        def on_epoch_end(self, epoch, logs=None): pass
        def on_batch_begin(self, batch, logs=None): seen.append(("duck_begin", batch))
        def on_batch_end(self, batch, logs=None): seen.append(("duck_end", batch))

    lam = C.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(("lambda_end", b)))
    m.fit(x, y, epochs=1, batch_size=6, verbose=0, shuffle=False,
          callbacks=[TfNames(), K2Names(), Duck(), lam, C.Callback()])
    per_batch = [[("tf_begin", b, []), ("duck_begin", b), ("tf_end", b, ["loss"]),
                  ("k2_end", b), ("duck_end", b), ("lambda_end", b)] for b in (0, 1)]
    assert seen == per_batch[0] + per_batch[1]

    class Broken:  # neither hook: fit says which callback and which hooks
        def set_model(self, model): pass
        def set_params(self, params): pass
        def on_epoch_end(self, epoch, logs=None): pass
        def on_train_begin(self, logs=None): pass

    with pytest.raises(TypeError, match="on_train_batch_begin nor on_batch_begin"):
        m.fit(x, y, epochs=1, batch_size=6, verbose=0, callbacks=[Broken()])
