"""Sequential models: summary() against Keras' parameter formulas, learning real MNIST digits,
save/load (exact, atomic), seeding, progress output, and bad input."""
import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import layers as L
from tensorforge import models as M
from tensorforge.callbacks import EarlyStopping, ModelCheckpoint
from tensorforge.utils import set_random_seed, to_categorical



@pytest.fixture(scope="module")
def digits():
    """The first 1,000 real MNIST test digits (the copy the package ships, no download and nothing
    outside the repository): 600 to train, 400 to test, scaled to [0, 1]."""
    from tensorforge.datasets import mnist
    (x, y), _ = mnist.load_data()
    x = x[:1000].astype(np.float32) / 255.0
    y = y[:1000].astype(np.int64)
    return (x[:600], y[:600]), (x[600:], y[600:])


def _summary_lines(model):
    lines = []
    model.summary(print_fn=lines.append)
    return lines


def _rows(model):
    """(name, output shape string, params) from the printed summary table."""
    out = []
    for line in _summary_lines(model):
        if "(" in line and ")" in line and not line.strip().startswith(
                ("Layer", "Model", "Total", "Trainable", "Non-trainable")):
            out.append((line[:29].strip(), line[29:55].strip(), int(line[55:].strip())))
    return out


# ---- summary -----------------------------------------------------------------------------------
def test_summary_lenet_matches_keras():
    model = M.Sequential([
        L.Conv2D(20, 5, activation="relu", input_shape=(28, 28, 1)),
        L.MaxPooling2D(2, strides=2, padding="same"),
        L.Conv2D(50, 5, padding="same", activation="relu"),
        L.MaxPooling2D(2, strides=2, padding="same"),
        L.Flatten(),
        L.Dense(500, activation="relu"),
        L.Dense(10, activation="softmax"),
    ])
    rows = _rows(model)
    # Keras: Conv2D params = KH*KW*C_in*filters + filters; Dense = in*units + units.
    expect_params = [5 * 5 * 1 * 20 + 20,      # 520
                     0,
                     5 * 5 * 20 * 50 + 50,     # 25,050
                     0, 0,
                     6 * 6 * 50 * 500 + 500,   # 900,500 (Flatten of (6, 6, 50) = 1800)
                     500 * 10 + 10]            # 5,010
    expect_shapes = ["(None, 24, 24, 20)", "(None, 12, 12, 20)", "(None, 12, 12, 50)",
                     "(None, 6, 6, 50)", "(None, 1800)", "(None, 500)", "(None, 10)"]
    # 'valid' 5x5 on 28 -> 24; 'same' pools divide by the stride, rounding up: 24->12, 12->6.
    assert [r[2] for r in rows] == expect_params
    assert [r[1] for r in rows] == expect_shapes
    text = "\n".join(_summary_lines(model))
    total = sum(expect_params)
    assert f"Total params: {total} (" in text and f"Trainable params: {total} (" in text
    assert "Non-trainable params: 0" in text


def test_summary_text_layout_is_keras_2():
    set_random_seed(0)
    model = M.Sequential(name="mlp")
    model.add(L.Dense(256, activation="relu", input_shape=(784,), name="d1"))
    model.add(L.Dropout(0.2, name="drop"))
    model.add(L.Dense(10, activation="softmax", name="out"))
    lines = _summary_lines(model)
    # Keras 2 (tf_keras 2.x) print_summary: line_length 65, columns at 29 / 55 / 65, a blank
    # line after each layer, parameter memory in float32 bytes (tools/keras_model_oracle.py).
    assert lines[:4] == ['Model: "mlp"', "_" * 65,
                         " Layer (type)                Output Shape              Param #   ",
                         "=" * 65]
    assert lines[4] == " d1 (Dense)                  (None, 256)               200960    "
    assert lines[5] == " " * 65
    assert lines[-4:] == ["Total params: 203530 (795.04 KB)", "Trainable params: 203530 (795.04 KB)",
                          "Non-trainable params: 0 (0.00 Byte)", "_" * 65]


def test_summary_recurrent_embedding_bn_counts():
    F, U = 28, 64
    model = M.Sequential([L.LSTM(U, input_shape=(28, F)), L.Dense(10)])
    assert [r[2] for r in _rows(model)] == [4 * (F * U + U * U + U), U * 10 + 10]
    gru = M.Sequential([L.GRU(U, input_shape=(28, F))])          # reset_after: bias (2, 3U)
    assert gru.count_params() == 3 * (F * U + U * U) + 6 * U
    gru2 = M.Sequential([L.GRU(U, reset_after=False, input_shape=(28, F))])
    assert gru2.count_params() == 3 * (F * U + U * U) + 3 * U
    rnn = M.Sequential([L.SimpleRNN(U, input_shape=(28, F))])
    assert rnn.count_params() == F * U + U * U + U
    emb = M.Sequential([L.Embedding(1000, 32, input_length=20, mask_zero=True),
                        L.Bidirectional(L.LSTM(16, return_sequences=True)),
                        L.GRU(8), L.Dense(1, activation="sigmoid")])
    rows = _rows(emb)
    assert [r[2] for r in rows] == [1000 * 32, 2 * 4 * (32 * 16 + 16 * 16 + 16),
                                    3 * (32 * 8 + 8 * 8) + 6 * 8, 9]
    assert rows[1][1] == "(None, 20, 32)"
    bn = M.Sequential([L.Dense(8, input_dim=4), L.BatchNormalization()])
    text = "\n".join(_summary_lines(bn))
    assert "Trainable params: 56" in text and "Non-trainable params: 16" in text


def test_summary_unbuilt_model_raises():
    with pytest.raises(ValueError, match="not yet been built"):
        M.Sequential([L.Dense(3)]).summary()


# ---- learning real digits ----------------------------------------------------------------------
@pytest.fixture
def one_thread():
    """Learning tests check the library, not thread scaling (the kernel tests cover that); on a
    machine shared by many jobs a per-time-step OpenMP barrier with 2 threads can cost a whole
    scheduler quantum, so these run single-threaded to stay in seconds."""
    prev = tf.get_num_threads()
    tf.set_num_threads(1)
    yield
    tf.set_num_threads(prev)


def _accuracy(model, x, y):
    return float(np.mean(model.predict_classes(x) == y))


def test_mlp_learns_digits(digits, one_thread):
    (x, y), (xt, yt) = digits
    set_random_seed(1)
    model = M.Sequential([L.Flatten(input_shape=(28, 28)), L.Dense(128, activation="relu"),
                          L.Dropout(0.2), L.Dense(10, activation="softmax")])
    model.compile("adam", "categorical_crossentropy", metrics=["accuracy"])
    hist = model.fit(x, to_categorical(y, 10), batch_size=32, epochs=8, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]
    assert _accuracy(model, xt, yt) > 0.8  # chance is 0.1


def test_lenet_learns_digits(digits, one_thread):
    (x, y), (xt, yt) = digits
    set_random_seed(2)
    model = M.Sequential([
        L.Conv2D(8, 5, activation="relu", input_shape=(28, 28, 1)),
        L.MaxPooling2D(2, strides=2, padding="same"),
        L.Conv2D(16, 5, padding="same", activation="relu"),
        L.MaxPooling2D(2),
        L.Flatten(),
        L.Dense(64, activation="relu"),
        L.Dense(10, activation="softmax"),
    ])
    model.compile(tf.optimizers.RMSprop(), "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x[..., None], y, batch_size=32, epochs=4, verbose=0)
    loss, acc = model.evaluate(xt[..., None], yt, verbose=0)
    assert acc > 0.8, acc


def test_lstm_learns_digits_as_sequences(digits, one_thread):
    """Each digit read as 14 time steps (every other row) of 28 pixels."""
    (x, y), (xt, yt) = digits
    set_random_seed(3)
    model = M.Sequential([L.LSTM(32, input_shape=(14, 28)), L.Dense(10, activation="softmax")])
    model.compile(tf.optimizers.Adam(learning_rate=0.01), "sparse_categorical_crossentropy",
                  metrics=["acc"])
    model.fit(x[:, ::2], y, batch_size=32, epochs=6, verbose=0)
    assert _accuracy(model, xt[:, ::2], yt) > 0.6


def test_embedding_mask_zero_lstm_learns_padding_invariant_task(one_thread):
    """Label = is token 3 present; sequences are zero-padded on the right by random amounts.
    With mask_zero the padding cannot leak into the answer."""
    set_random_seed(4)
    rng = np.random.default_rng(4)
    n, T = 400, 12
    ids = rng.integers(1, 6, size=(n, T))
    lengths = rng.integers(3, T + 1, size=n)
    for i, l in enumerate(lengths):
        ids[i, l:] = 0
    y = np.array([float(3 in ids[i, :lengths[i]]) for i in range(n)])
    model = M.Sequential([L.Embedding(6, 8, mask_zero=True, input_length=T), L.LSTM(16),
                          L.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    model.fit(ids, y, epochs=25, batch_size=32, verbose=0)
    assert model.evaluate(ids, y, verbose=0)[1] > 0.9
    # masked steps really are ignored: extra padding does not change the prediction
    p1 = model.predict(ids[:5])
    longer = np.concatenate([ids[:5], np.zeros((5, 4), dtype=ids.dtype)], axis=1)
    m2 = M.Sequential([L.Embedding(6, 8, mask_zero=True), L.LSTM(16), L.Dense(1, activation="sigmoid")])
    m2.build((None, T + 4))
    m2.set_weights(model.get_weights())
    assert np.allclose(m2.predict(longer), p1, atol=1e-6)


# ---- save / load -------------------------------------------------------------------------------
def _small_model(seed=0, compile=True):
    set_random_seed(seed)
    m = M.Sequential([L.Dense(16, activation="relu", input_shape=(8,), kernel_regularizer="l2"),
                      L.BatchNormalization(), L.Dropout(0.1), L.Dense(3, activation="softmax")])
    if compile:
        m.compile(tf.optimizers.Adam(learning_rate=0.01), "categorical_crossentropy", ["accuracy"])
    return m


def _data(n=96):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 8))  # float64, as Keras users pass it
    y = to_categorical((x[:, 0] + x[:, 1] > 0).astype(int) + (x[:, 2] > 1), 3)
    return x, y


def test_save_load_roundtrip_exact_and_resumes_training(tmp_path):
    x, y = _data()
    m = _small_model()
    m.fit(x, y, epochs=2, batch_size=16, verbose=0)
    path = tmp_path / "model.h5"
    m.save(path)
    m2 = M.load_model(path)
    assert [l.name for l in m2.layers] == [l.name for l in m.layers]
    for a, b in zip(m.get_weights(), m2.get_weights()):
        assert a.dtype == b.dtype and np.array_equal(a, b)
    assert np.array_equal(m.predict(x), m2.predict(x))
    assert m2.evaluate(x, y, verbose=0) == m.evaluate(x, y, verbose=0)
    # optimizer state travels too: one more identical epoch gives identical weights
    set_random_seed(9)
    m.fit(x, y, epochs=1, batch_size=16, verbose=0, shuffle=False)
    set_random_seed(9)
    m2.fit(x, y, epochs=1, batch_size=16, verbose=0, shuffle=False)
    for a, b in zip(m.get_weights(), m2.get_weights()):
        assert np.array_equal(a, b)


def test_save_weights_load_weights(tmp_path):
    x, _ = _data()
    m = _small_model(1)
    p = tmp_path / "w.weights"
    m.save_weights(p)
    m2 = _small_model(2)
    assert not np.array_equal(m.predict(x), m2.predict(x))
    m2.load_weights(p)
    assert np.array_equal(m.predict(x), m2.predict(x))
    other = M.Sequential([L.Dense(4, input_shape=(8,))])
    with pytest.raises(ValueError, match="weight arrays"):
        other.load_weights(p)
    with pytest.raises(ValueError, match="only weights"):
        M.load_model(p)
    bad = tmp_path / "junk.h5"
    bad.write_bytes(b"not a model at all")
    with pytest.raises(ValueError, match="not a tensorforge model"):
        M.load_model(bad)
    with pytest.raises(FileNotFoundError):
        M.load_model(tmp_path / "missing.h5")


def test_crash_during_save_keeps_previous_file(tmp_path, monkeypatch):
    x, y = _data()
    m = _small_model()
    path = tmp_path / "m.tfm"
    m.save(path)
    before = m.predict(x)
    m.fit(x, y, epochs=1, verbose=0)  # weights change

    real_savez = np.savez

    def dying_savez(f, **arrays):  # writes half the container, then the "process dies"
        real_savez(f, **dict(list(arrays.items())[:2]))
        raise KeyboardInterrupt("simulated kill mid-save")

    monkeypatch.setattr(np, "savez", dying_savez)
    with pytest.raises(KeyboardInterrupt):
        m.save(path)
    monkeypatch.setattr(np, "savez", real_savez)

    def dying_replace(src, dst):
        raise OSError("simulated crash before rename")

    monkeypatch.setattr(os, "replace", dying_replace)
    with pytest.raises(OSError):
        m.save(path)
    monkeypatch.undo()
    assert np.array_equal(M.load_model(path).predict(x), before)
    assert os.listdir(tmp_path) == ["m.tfm"]  # no temp files left behind


def test_sigkill_during_save_keeps_previous_file(tmp_path):
    """A real process killed (SIGKILL) while it keeps rewriting the file: what is left loads,
    and is one complete version (every weight moved by the same number of saves)."""
    path = tmp_path / "m.tfm"
    from tfhelpers import subprocess_env  # the tensorforge (and backend) this process imported
    script = textwrap.dedent(f"""
        from tensorforge import layers as L, models as M
        from tensorforge.utils import set_random_seed
        set_random_seed(0)
        m = M.Sequential([L.Dense(512, input_shape=(512,)), L.Dense(512)])
        m.save({str(path)!r})
        print("saved", flush=True)
        while True:
            m.set_weights([w + 1 for w in m.get_weights()])
            m.save({str(path)!r})
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE,
                            env=subprocess_env())
    try:
        assert proc.stdout.readline().strip() == b"saved"
        import time
        time.sleep(0.8)
    finally:
        proc.kill()
        proc.wait()
    set_random_seed(0)
    init = M.Sequential([L.Dense(512, input_shape=(512,)), L.Dense(512)]).get_weights()
    got = M.load_model(path).get_weights()
    n = round(float(got[0].flat[0] - init[0].flat[0]))
    for a, b in zip(got, init):
        assert a.shape == b.shape
        np.testing.assert_allclose(a - b, n, atol=1e-3 * max(n, 1))


# ---- seeding -----------------------------------------------------------------------------------
def test_same_seed_bit_identical_weights_after_an_epoch():
    x, y = _data()

    def run(seed):
        m = _small_model(seed)
        m.fit(x, y, epochs=1, batch_size=8, verbose=0)  # shuffling and dropout are seeded too
        return m.get_weights()

    a, b, c = run(5), run(5), run(6)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not all(np.array_equal(u, v) for u, v in zip(a, c))


# ---- progress output ---------------------------------------------------------------------------
def test_verbose_modes(capsys):
    x, y = _data(64)
    m = _small_model()
    m.fit(x, y, epochs=2, batch_size=16, verbose=0)
    assert capsys.readouterr().out == ""
    m.fit(x, y, epochs=2, batch_size=16, verbose=2)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Epoch 1/2" and out[2] == "Epoch 2/2" and len(out) == 4
    # tf_keras 2's verbose=2 line: steps, whole seconds, the values, the epoch's and a step's time
    assert re.fullmatch(r"4/4 - \d+s - loss: \d\.\d{4} - accuracy: \d\.\d{4}"
                        r" - \d+(s|ms|us)/epoch - \d+(s|ms|us)/step", out[1]), out[1]
    m.fit(x, y, epochs=2, batch_size=16, verbose=1, validation_split=0.25)
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4  # not a TTY: one finished bar per epoch, no '\r' redraws
    # tf_keras 2 counts steps (48 training samples in batches of 16), as Keras 2.2 counted samples
    assert re.match(r"3/3 \[==============================\] - \d+s \d+(ms|us)/step - ", out[1]), out[1]
    assert "val_loss: " in out[1] and "\r" not in out[1]


# ---- bad input ---------------------------------------------------------------------------------
def test_bad_inputs_give_clear_errors():
    x, y = _data()
    m = _small_model()
    with pytest.raises(ValueError, match=r"expected input of shape \(None, 8\).*\(96, 9\)"):
        m.fit(np.zeros((96, 9)), y, verbose=0)
    with pytest.raises(ValueError, match="same number of samples"):
        m.fit(x, y[:50], verbose=0)
    with pytest.raises(ValueError, match="one-hot targets"):
        m.fit(x, np.argmax(y, 1), verbose=0)
    with pytest.raises(ValueError, match="target array with shape"):
        m.fit(x, y[:, :2], verbose=0)
    with pytest.raises(ValueError, match="expected input of shape"):
        m.predict(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="non-empty"):
        m.predict(np.zeros((0, 8)))
    with pytest.raises(TypeError, match="numeric"):
        m.predict(np.array([["a"] * 8]))
    with pytest.raises(RuntimeError, match="compile"):
        M.Sequential([L.Dense(2, input_shape=(3,))]).fit(np.zeros((2, 3)), np.zeros((2, 2)))
    s = M.Sequential([L.Dense(3, activation="softmax", input_shape=(8,))])
    s.compile("sgd", "sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\)"):
        s.fit(x, np.full(96, 5), verbose=0)


def test_nan_loss_stops_training_with_warning(capsys):
    x, y = _data()
    x[3, 0] = np.nan
    m = _small_model()
    with pytest.warns(RuntimeWarning):
        h = m.fit(x, y, epochs=5, batch_size=96, verbose=0, shuffle=False)
    assert len(h.history["loss"]) == 1  # stopped after the first epoch's bad batch
    assert "Invalid loss" in capsys.readouterr().err


# ---- callbacks ---------------------------------------------------------------------------------
def test_early_stopping_and_checkpoint(tmp_path):
    x, y = _data()
    m = _small_model()
    ck = tmp_path / "best.h5"
    # min_delta huge: nothing counts as an improvement, so patience=1 stops after epoch 2
    es = EarlyStopping(monitor="loss", patience=1, min_delta=100.0)
    h = m.fit(x, y, epochs=10, verbose=0, callbacks=[es, ModelCheckpoint(str(ck), monitor="loss",
                                                                          save_best_only=True)])
    assert len(h.history["loss"]) == 2
    assert ck.exists() and M.load_model(ck).count_params() == m.count_params()


def test_input_layer_input_dim_and_plot_model(tmp_path):
    m = M.Sequential()
    m.add(L.InputLayer(input_shape=(6,)))
    m.add(L.Dense(4, activation="tanh"))
    m.add(L.Dense(2))
    assert m.built and m.output_shape == (None, 2) and [l.name for l in m.layers][0].startswith("dense")
    m2 = M.Sequential([L.Dense(4, input_dim=6), L.Dense(2)])
    assert m2.count_params() == m.count_params() == 6 * 4 + 4 + 4 * 2 + 2
    text = tf.utils.plot_model(m, to_file=str(tmp_path / "m.txt"), show_shapes=True)
    assert "Dense" in text and "(None, 4)" in text and (tmp_path / "m.txt").read_text() == text
    # drawing with pydot + graphviz: tests/test_utils.py


def test_float64_and_uint8_inputs_cast_at_boundary():
    m = M.Sequential([L.Dense(2, input_shape=(3,))])
    m.compile("sgd", "mse")
    x64 = np.arange(12, dtype=np.float64).reshape(4, 3) / 10
    p = m.predict(x64)
    assert p.dtype == np.float32
    assert np.array_equal(p, m.predict(x64.astype(np.float32)))
    assert np.array_equal(m.predict(np.ones((2, 3), np.uint8)), m.predict(np.ones((2, 3))))
    h = m.fit(x64, np.zeros((4, 2)), verbose=0)
    assert np.isfinite(h.history["loss"][0])


def test_save_load_every_layer_type(tmp_path):
    """Config round trip for each layer class: the reloaded model predicts bit-identically."""
    set_random_seed(7)
    rng = np.random.default_rng(7)
    cnn = M.Sequential([
        L.Conv2D(4, 3, padding="same", activation="relu", input_shape=(8, 8, 2),
                 kernel_initializer="he_normal", kernel_regularizer=tf.regularizers.l2(1e-3)),
        L.BatchNormalization(), L.MaxPooling2D(), L.Conv2D(3, (2, 2), strides=2, activation="elu"),
        L.AveragePooling2D(pool_size=1), L.Dropout(0.3), L.Reshape((3, -1)), L.Flatten(),
        L.Activation("selu"), L.Dense(5, activation="softmax")])
    seq = M.Sequential([
        L.Embedding(20, 6, mask_zero=True, input_length=7),
        L.Bidirectional(L.GRU(4, return_sequences=True, reset_after=False), merge_mode="sum"),
        L.SimpleRNN(3, return_sequences=True, go_backwards=True),
        L.LSTM(5, recurrent_activation="hard_sigmoid"), L.Dense(1, activation="sigmoid")])
    gap = M.Sequential([L.Conv2D(2, 3, data_format="channels_first", input_shape=(2, 6, 6)),
                        L.GlobalAveragePooling2D(data_format="channels_first"), L.Dense(2)])
    inputs = [rng.standard_normal((4, 8, 8, 2)), rng.integers(0, 20, (4, 7)),
              rng.standard_normal((4, 2, 6, 6))]
    for i, (m, x) in enumerate(zip([cnn, seq, gap], inputs)):
        m.compile("adam", "mse")
        # move BatchNormalization's moving statistics off their initial values
        m.fit(x, m.predict(x) + 0.1, epochs=1, verbose=0)
        p = tmp_path / f"m{i}.tfm"
        m.save(p)
        back = M.load_model(p)
        assert [type(l) for l in back.layers] == [type(l) for l in m.layers]
        assert [l.output_shape for l in back.layers] == [l.output_shape for l in m.layers]
        assert np.array_equal(back.predict(x), m.predict(x))


def test_keras2_spellings():
    from tensorforge.utils import np_utils
    assert np_utils.to_categorical([1], 2).tolist() == [[0.0, 1.0]]
    m = M.Sequential([L.Dense(2, activation="softmax", input_shape=(3,))])
    m.compile(tf.optimizers.RMSprop(lr=0.01, epsilon=None, decay=0.0), "categorical_crossentropy",
              metrics=["acc"])
    assert m.metrics_names == []  # tf_keras 2: none before the first train / test call
    score = m.evaluate(np.ones((2, 3)), np.array([[0, 1], [1, 0]]), verbose=0)
    assert m.metrics_names == ["loss", "acc"]
    assert len(score) == 2 and score[1] == 0.5
