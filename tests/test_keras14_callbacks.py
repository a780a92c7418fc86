"""keras14: callbacks BackupAndRestore and RemoteMonitor.

BackupAndRestore: a fit that crashes resumes, in a new model and a new fit, at the epoch /
batch tf_keras 2.21 resumes at (tests/data/keras14_refs.json, tools/keras14_refs.py: the
epochs and (epoch, batch) pairs its resumed fit runs), with the weights and optimizer state of
the backup, so the result equals an uninterrupted fit's; the backup file is written atomically
(a failing write keeps the previous backup), deleted after a normal end (or kept with
delete_checkpoint=False).

RemoteMonitor: against a local http.server thread (no network): the form field / JSON body
Keras 2 posts; an unreachable server logs Keras 2's warning and training goes on.
"""
import http.server
import json
import logging
import os
import threading
import urllib.parse

import numpy as np
import pytest

from tensorforge import _fileio, keras

import backup_restore_cases

DATA = os.path.join(os.path.dirname(__file__), "data")
META = json.load(open(os.path.join(DATA, "keras14_refs.json")))
RNG = np.random.default_rng(5)
X = RNG.standard_normal((64, 4)).astype(np.float32)
Y = (X.sum(1, keepdims=True) > 0).astype(np.float32)


def _model():
    keras.utils.set_random_seed(3)
    m = keras.Sequential([keras.layers.Dense(3, input_shape=(4,)), keras.layers.Dense(1)])
    m.compile(keras.optimizers.Adam(0.01), "mse")
    return m


_Crash, _Seen = backup_restore_cases.callbacks(keras)


@pytest.mark.parametrize("key", sorted(META["backup_and_restore"]))
def test_backup_and_restore_resumes_where_keras2_does(key, tmp_path):
    ref = META["backup_and_restore"][key]
    d = str(tmp_path / "backup")
    m = _model()
    with pytest.raises(RuntimeError, match="crash"):
        m.fit(X, Y, epochs=4, batch_size=16, verbose=0, shuffle=False,
              callbacks=[keras.callbacks.BackupAndRestore(d, save_freq=ref["save_freq"]),
                         _Crash(*ref["crash"])])
    assert os.path.exists(os.path.join(d, "chief", "backup.tfm"))  # left for the next run
    m2, seen = _model(), _Seen()
    h = m2.fit(X, Y, epochs=4, batch_size=16, verbose=0, shuffle=False,
               callbacks=[keras.callbacks.BackupAndRestore(d, save_freq=ref["save_freq"]), seen])
    assert h.epoch == ref["epochs"]
    assert seen.batches == [[e, int(b)] for e, b in ref["batches"]]
    assert sorted(os.listdir(d)) == ref["left"]  # deleted after the normal end
    whole = _model()
    whole.fit(X, Y, epochs=4, batch_size=16, verbose=0, shuffle=False)
    for a, b in zip(m2.get_weights(), whole.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)  # nothing lost, nothing redone
    assert m2.optimizer.iterations == whole.optimizer.iterations == 16


def test_backup_kept_without_delete_checkpoint_and_atomic_writes(tmp_path, monkeypatch):
    d = str(tmp_path / "b")
    m = _model()
    m.fit(X, Y, epochs=2, batch_size=32, verbose=0,
          callbacks=[keras.callbacks.BackupAndRestore(d, delete_checkpoint=False)])
    path = os.path.join(d, "chief", "backup.tfm")
    meta, arrays = _fileio.read(path)
    with arrays:
        assert (meta["epoch"], meta["batch"]) == (1, 0)
        np.testing.assert_array_equal(arrays["w/0"], m.get_weights()[0])
    before = open(path, "rb").read()

    def failing_savez(f, **arrays):  # the write dies half-way
        f.write(b"partial")
        raise OSError("disk full")
    monkeypatch.setattr(_fileio.np, "savez", failing_savez)
    m2 = _model()
    with pytest.raises(OSError, match="disk full"):
        m2.fit(X, Y, epochs=4, batch_size=32, verbose=0,
               callbacks=[keras.callbacks.BackupAndRestore(d, delete_checkpoint=False)])
    monkeypatch.undo()
    assert open(path, "rb").read() == before  # the previous backup is whole
    assert sorted(os.listdir(os.path.dirname(path))) == ["backup.tfm"]  # no temp file left


def test_backup_and_restore_with_a_custom_train_step(tmp_path):
    class Custom(keras.Model):
        def train_step(self, data):
            return super().train_step(data)
    d = str(tmp_path / "c")
    inp = keras.Input((4,))
    keras.utils.set_random_seed(3)
    m = Custom(inp, keras.layers.Dense(1)(inp))
    m.compile("sgd", "mse")
    with pytest.raises(RuntimeError):
        m.fit(X, Y, epochs=3, batch_size=16, verbose=0, shuffle=False,
              callbacks=[keras.callbacks.BackupAndRestore(d), _Crash(0)])
    h = m.fit(X, Y, epochs=3, batch_size=16, verbose=0, shuffle=False,
              callbacks=[keras.callbacks.BackupAndRestore(d)])
    assert h.epoch == [1, 2]


def test_backup_of_another_model_and_bad_arguments(tmp_path):
    d = str(tmp_path / "x")
    _model().fit(X, Y, epochs=1, verbose=0,
                 callbacks=[keras.callbacks.BackupAndRestore(d, delete_checkpoint=False)])
    other = keras.Sequential([keras.layers.Dense(2, input_shape=(4,)), keras.layers.Dense(1)])
    other.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"BackupAndRestore: the backup .* holds weights of "
                                         r"shapes \[\[4, 3\]"):
        other.fit(X, Y, epochs=1, verbose=0, callbacks=[keras.callbacks.BackupAndRestore(d)])
    with pytest.raises(ValueError, match="Either `save_freq` or `save_before_preemption`"):
        keras.callbacks.BackupAndRestore(d, save_freq=False)
    with pytest.raises(ValueError, match=r"BackupAndRestore: save_freq must be 'epoch', a "
                                         r"positive int"):
        keras.callbacks.BackupAndRestore(d, save_freq="batch")
    with pytest.raises(ValueError, match="backup_dir"):
        keras.callbacks.BackupAndRestore("")


class _Handler(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((self.path, self.headers["Content-Type"],
                                    self.headers.get("X-Token"), body))
        self.send_response(404 if self.path.startswith("/missing") else 200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Handler.received = []
    srv = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", _Handler.received
    srv.shutdown()
    srv.server_close()


def test_remote_monitor_posts_each_epoch(server):
    root, received = server
    m = _model()
    h = m.fit(X, Y, epochs=2, batch_size=32, verbose=0,
              callbacks=[keras.callbacks.RemoteMonitor(root=root, headers={"X-Token": "t"})])
    assert len(received) == 2
    path, ctype, token, body = received[1]
    assert path == "/publish/epoch/end/" and token == "t"
    assert ctype == "application/x-www-form-urlencoded"
    sent = json.loads(urllib.parse.parse_qs(body.decode())["data"][0])
    assert sent["epoch"] == 1 and sent["loss"] == pytest.approx(h.history["loss"][1], rel=1e-6)


def test_remote_monitor_as_json_field_and_http_errors(server):
    root, received = server
    cb = keras.callbacks.RemoteMonitor(root=root, path="/p", send_as_json=True)
    cb.on_epoch_end(3, {"loss": np.float32(0.5), "acc": np.array(0.25)})
    assert received[-1][1] == "application/json"
    assert json.loads(received[-1][3]) == {"epoch": 3, "loss": 0.5, "acc": 0.25}
    cb = keras.callbacks.RemoteMonitor(root=root, path="/missing", field="payload")
    cb.on_epoch_end(0, {"loss": 1.0})  # a 404 answer: silently done, as requests.post
    assert json.loads(urllib.parse.parse_qs(received[-1][3].decode())["payload"][0]) == \
        {"epoch": 0, "loss": 1.0}


def test_remote_monitor_unreachable_warns_and_training_goes_on(caplog):
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    m = _model()
    with caplog.at_level(logging.WARNING, logger="tensorforge.callbacks"):
        h = m.fit(X, Y, epochs=2, batch_size=32, verbose=0,
                  callbacks=[keras.callbacks.RemoteMonitor(root=f"http://127.0.0.1:{port}")])
    assert h.epoch == [0, 1]
    msgs = [r.getMessage() for r in caplog.records]
    assert msgs.count(f"Warning: could not reach RemoteMonitor root server at "
                      f"http://127.0.0.1:{port}") == 2
