"""The training API beyond plain fit(x, y): sample/class weights, masked losses, validation
options, shuffle='batch', steps, generators and Sequence, the learning phase.

The Keras figures below were produced once with tf_keras 2.x by
tools/keras_training_api_figures.py (same inputs: ``inputs()`` is repeated here); the others are
worked out by hand in the comments.
"""
import io
import contextlib

import numpy as np
import pytest

from tensorforge import backend as K
from tensorforge import layers as L
from tensorforge import models, optimizers, utils


def inputs():
    """The same NumPy calls as tools/keras_training_api_figures.py: inputs()."""
    r = np.random.default_rng(12)
    return {
        "x": r.normal(size=(6, 4)).astype(np.float32),
        "k": (r.normal(size=(4, 3)) * 0.5).astype(np.float32),
        "b": (r.normal(size=(3,)) * 0.1).astype(np.float32),
        "cls": np.array([0, 1, 2, 1, 0, 2]),
        "sw": np.array([1.0, 2.0, 0.5, 0.0, 3.0, 1.5], np.float32),
        "yreg": r.normal(size=(6, 2)).astype(np.float32),
        "k2": (r.normal(size=(4, 2)) * 0.5).astype(np.float32),
        "k1": (r.normal(size=(4, 1)) * 0.5).astype(np.float32),
        "ybin": np.array([0, 1, 1, 0, 1, 1], np.float32),
        "ids": np.array([[3, 1, 4, 0, 0], [2, 2, 0, 0, 0], [1, 4, 3, 2, 1]]),
        "yseq": np.array([[0, 2, 1, 0, 0], [1, 1, 2, 2, 2], [2, 0, 1, 1, 0]]),
        "emb": (r.normal(size=(5, 3)) * 0.5).astype(np.float32),
        "lk": (r.normal(size=(3, 16)) * 0.4).astype(np.float32),
        "lr": (r.normal(size=(4, 16)) * 0.4).astype(np.float32),
        "lb": (r.normal(size=(16,)) * 0.1).astype(np.float32),
        "dk": (r.normal(size=(4, 3)) * 0.5).astype(np.float32),
        "db": np.zeros(3, np.float32),
        "sw3": np.array([1.0, 0.5, 2.0], np.float32),
    }


# tf_keras 2.x figures (tools/keras_training_api_figures.py)
KERAS = {
    "cce_eval": [1.368561, 0.333333], "cce_eval_sw": [2.127338, 0.333333],
    "cce_eval_sw_b4": [2.127338, 0.333333], "cce_tob_sw": [2.127338, 0.333333],
    "cce_tob_sw_kernel": [[-0.290435, -0.277616, -0.173533], [-0.299497, 0.307293, -0.786884],
                          [0.428902, -0.333331, -0.269543], [-0.627257, -0.137893, -0.106226]],
    "scce_tob_cw": 1.652053,
    "scce_tob_cw_kernel": [[-0.304784, -0.285128, -0.151672], [-0.326831, 0.326144, -0.778401],
                           [0.431147, -0.34967, -0.255449], [-0.649921, -0.101098, -0.120357]],
    "cce_fit_cw_loss": [1.652602],
    "cce_fit_cw_kernel": [[-0.290451, -0.29452, -0.156613], [-0.288371, 0.285619, -0.776337],
                          [0.441269, -0.365164, -0.250077], [-0.624747, -0.123802, -0.122826]],
    "mse_fit_sw_loss": [2.899739, 1.649282],
    "mse_fit_sw_kernel": [[-0.069781, 0.541343], [-0.596475, 0.077042], [0.851172, 0.419929],
                          [0.382923, 0.080921]],
    "bce_tob_cw": 0.648718, "bce_tob_cw_kernel": [[1.14934], [0.064088], [-0.015453], [0.26625]],
    "mask_eval": 1.082276, "mask_eval_sw": 1.525812, "mask_tob": 1.082276,
    "mask_tob_dense_kernel": [[0.254113, 0.309647, -0.39509], [-0.144145, 0.041259, 0.063906],
                              [-0.011027, -0.166337, 0.32118], [0.653584, 0.277368, -0.372219]],
    "mask_eval_after": 1.059929,
    "wm_eval_sw": [2.127338, 0.333333, 0.1875, 0.315371],
    "wm_fit": [2.125547, 0.1875, 1.733367, 0.3125],
    "mask_wm_eval": [1.082276, 0.4, 0.4], "mask_wm_eval_sw_b2": [1.302357, 0.4, 0.428571],
}
TOL = dict(atol=2e-5, rtol=2e-5)
CW = {0: 1.0, 1: 2.0, 2: 0.5}


@pytest.fixture
def d():
    return inputs()


def softmax_model(d, loss="categorical_crossentropy", lr=0.1, metrics=None):
    inp = L.Input((4,))
    m = models.Model(inp, L.Dense(3, activation="softmax")(inp))
    m.set_weights([d["k"], d["b"]])
    m.compile(optimizers.SGD(lr), loss, metrics=metrics)
    return m


def mse_model(d):
    inp = L.Input((4,))
    m = models.Model(inp, L.Dense(2)(inp))
    m.set_weights([d["k2"], np.zeros(2, np.float32)])
    m.compile(optimizers.SGD(0.1), "mse")
    return m


def onehot(d):
    return np.eye(3, dtype=np.float32)[d["cls"]]


# ---- sample_weight / class_weight ------------------------------------------------------------
def test_evaluate_with_sample_weight_matches_keras(d):
    m = softmax_model(d, metrics=["accuracy"])
    np.testing.assert_allclose(m.evaluate(d["x"], onehot(d), batch_size=6, verbose=0),
                               KERAS["cce_eval"], **TOL)
    # sum(w * l) / N; metrics stay unweighted (Keras: only weighted_metrics see the weights)
    for bs in (6, 4):
        np.testing.assert_allclose(
            m.evaluate(d["x"], onehot(d), sample_weight=d["sw"], batch_size=bs, verbose=0),
            KERAS["cce_eval_sw"], **TOL)


def test_train_on_batch_sample_weight_scales_the_gradient(d):
    m = softmax_model(d, metrics=["accuracy"])
    np.testing.assert_allclose(m.train_on_batch(d["x"], onehot(d), sample_weight=d["sw"]),
                               KERAS["cce_tob_sw"], **TOL)
    np.testing.assert_allclose(m.get_weights()[0], KERAS["cce_tob_sw_kernel"], **TOL)


def test_class_weight_sparse_onehot_and_binary(d):
    m = softmax_model(d, loss="sparse_categorical_crossentropy")
    np.testing.assert_allclose(m.train_on_batch(d["x"], d["cls"], class_weight=CW),
                               KERAS["scce_tob_cw"], **TOL)
    np.testing.assert_allclose(m.get_weights()[0], KERAS["scce_tob_cw_kernel"], **TOL)
    # one-hot targets: the class is the argmax; two batches (4 + 2), no shuffling
    m = softmax_model(d)
    h = m.fit(d["x"], onehot(d), batch_size=4, epochs=1, shuffle=False, verbose=0,
              class_weight=CW)
    np.testing.assert_allclose(h.history["loss"], KERAS["cce_fit_cw_loss"], **TOL)
    np.testing.assert_allclose(m.get_weights()[0], KERAS["cce_fit_cw_kernel"], **TOL)
    # sigmoid output (the fused logits path) with (N,) 0/1 targets
    inp = L.Input((4,))
    m = models.Model(inp, L.Dense(1, activation="sigmoid")(inp))
    m.set_weights([d["k1"], np.zeros(1, np.float32)])
    m.compile(optimizers.SGD(0.1), "binary_crossentropy")
    np.testing.assert_allclose(m.train_on_batch(d["x"], d["ybin"], class_weight={0: 3.0, 1: 0.5}),
                               KERAS["bce_tob_cw"], **TOL)
    np.testing.assert_allclose(m.get_weights()[0], KERAS["bce_tob_cw_kernel"], **TOL)


def test_fit_sample_weight_mse_two_epochs(d):
    m = mse_model(d)
    h = m.fit(d["x"], d["yreg"], batch_size=3, epochs=2, shuffle=False, verbose=0,
              sample_weight=d["sw"])
    np.testing.assert_allclose(h.history["loss"], KERAS["mse_fit_sw_loss"], **TOL)
    np.testing.assert_allclose(m.get_weights()[0], KERAS["mse_fit_sw_kernel"], **TOL)


def test_sample_weight_and_class_weight_multiply(d):
    # by hand: w = sw * cw[class]; with both, the loss is sum(sw*cw*l)/N. Equivalent single
    # weight vector: sw * [1, 2, .5, 2, 1, .5]
    combined = d["sw"] * np.array([1, 2, 0.5, 2, 1, 0.5], np.float32)
    a = softmax_model(d)
    la = a.train_on_batch(d["x"], onehot(d), sample_weight=d["sw"], class_weight=CW)
    b = softmax_model(d)
    lb = b.train_on_batch(d["x"], onehot(d), sample_weight=combined)
    assert la == pytest.approx(lb, rel=1e-6)
    np.testing.assert_allclose(a.get_weights()[0], b.get_weights()[0], atol=1e-7)


def test_weight_errors(d):
    m = softmax_model(d, loss="sparse_categorical_crossentropy")
    with pytest.raises(ValueError, match=r"class_weight has no weight for class\(es\) \[2\]"):
        m.fit(d["x"], d["cls"], class_weight={0: 1.0, 1: 2.0}, verbose=0)
    with pytest.raises(ValueError, match=r"sample_weight must have shape \(6,\).*\(5,\)"):
        m.fit(d["x"], d["cls"], sample_weight=np.ones(5), verbose=0)


def test_weighted_metrics_match_keras(d):
    m = softmax_model(d, metrics=["accuracy"])
    m.compile(optimizers.SGD(0.1), "categorical_crossentropy", metrics=["accuracy"],
              weighted_metrics=["accuracy", "mse"])
    np.testing.assert_allclose(
        m.evaluate(d["x"], onehot(d), sample_weight=d["sw"], batch_size=4, verbose=0),
        KERAS["wm_eval_sw"], **TOL)
    assert m.metrics_names == ["loss", "accuracy", "weighted_accuracy", "mse"]
    # weighted accuracy by hand: right at rows 3 (w 0) and 5 (w 1.5) of total weight 8
    assert KERAS["wm_eval_sw"][2] == pytest.approx(1.5 / 8)
    m = softmax_model(d)
    m.compile(optimizers.SGD(0.1), "categorical_crossentropy", weighted_metrics=["acc"])
    h = m.fit(d["x"], onehot(d), sample_weight=d["sw"], batch_size=4, verbose=0, shuffle=False,
              validation_data=(d["x"], onehot(d), d["sw"]))
    np.testing.assert_allclose([h.history[k][0] for k in ("loss", "acc", "val_loss", "val_acc")],
                               KERAS["wm_fit"], **TOL)


# ---- masks reach the loss --------------------------------------------------------------------
def seq_model(d):
    inp = L.Input((5,))
    h = L.Embedding(5, 3, mask_zero=True)(inp)
    h = L.LSTM(4, return_sequences=True)(h)
    m = models.Model(inp, L.Dense(3, activation="softmax")(h))  # Keras: TimeDistributed(Dense)
    m.set_weights([d["emb"], d["lk"], d["lr"], d["lb"], d["dk"], d["db"]])
    m.compile(optimizers.SGD(0.5), "sparse_categorical_crossentropy")
    return m


def test_masked_sequence_loss_matches_keras(d):
    m = seq_model(d)
    assert m.evaluate(d["ids"], d["yseq"], batch_size=3, verbose=0) == pytest.approx(
        KERAS["mask_eval"], abs=2e-5)
    assert m.evaluate(d["ids"], d["yseq"], sample_weight=d["sw3"], batch_size=3,
                      verbose=0) == pytest.approx(KERAS["mask_eval_sw"], abs=2e-5)
    assert m.train_on_batch(d["ids"], d["yseq"]) == pytest.approx(KERAS["mask_tob"], abs=2e-5)
    np.testing.assert_allclose(m.get_weights()[4], KERAS["mask_tob_dense_kernel"], **TOL)
    assert m.evaluate(d["ids"], d["yseq"], batch_size=3, verbose=0) == pytest.approx(
        KERAS["mask_eval_after"], abs=2e-5)


def test_masked_sequence_metrics_match_keras(d):
    # masked accuracy by hand: 4 of the 10 unmasked steps right; weighted (1, .5, 2): 6/14
    m = seq_model(d)
    m.compile(optimizers.SGD(0.5), "sparse_categorical_crossentropy", metrics=["accuracy"],
              weighted_metrics=["accuracy"])
    np.testing.assert_allclose(m.evaluate(d["ids"], d["yseq"], batch_size=3, verbose=0),
                               KERAS["mask_wm_eval"], **TOL)
    # batches of 2 + 1: each batch's masked mean loss, batch-size weighted (as tf_keras)
    np.testing.assert_allclose(m.evaluate(d["ids"], d["yseq"], sample_weight=d["sw3"],
                                          batch_size=2, verbose=0),
                               KERAS["mask_wm_eval_sw_b2"], **TOL)


def test_masked_mse_is_the_mean_over_unmasked_steps():
    # Embedding(mask_zero) -> Dense(1, no bias, kernel 1): prediction = embedding value; with the
    # embedding table [0, 1, 2, 3] and targets 0 the per-step loss is id**2. Ids [[1, 2, 0],
    # [3, 0, 0]]: unmasked steps 1, 2, 3 -> (1 + 4 + 9) / 3 = 14/3 (unmasked mean would be /6).
    inp = L.Input((3,))
    m = models.Model(inp, L.Dense(1, use_bias=False)(L.Embedding(4, 1, mask_zero=True)(inp)))
    m.set_weights([np.arange(4, dtype=np.float32)[:, None], np.ones((1, 1), np.float32)])
    m.compile("sgd", "mse")
    ids = np.array([[1, 2, 0], [3, 0, 0]])
    assert m.evaluate(ids, np.zeros((2, 3, 1)), verbose=0) == pytest.approx(14 / 3, rel=1e-6)


# ---- validation options, shuffle='batch', initial_epoch, steps -------------------------------
def test_validation_data_with_sample_weight(d):
    m = softmax_model(d, lr=1e-12)  # no update (1e-12): val_loss is the Keras evaluate figure
    h = m.fit(d["x"], onehot(d), epochs=2, verbose=0,
              validation_data=(d["x"], onehot(d), d["sw"]))
    np.testing.assert_allclose(h.history["val_loss"], [KERAS["cce_eval_sw"][0]] * 2, **TOL)


def test_validation_split_carries_sample_weight(d):
    # the last third (rows 4, 5: sw 3 and 1.5) validates; SGD(1e-12) keeps the weights
    m = softmax_model(d, lr=1e-12)
    h = m.fit(d["x"], onehot(d), epochs=1, verbose=0, sample_weight=d["sw"],
              validation_split=1 / 3)
    ref = softmax_model(d, lr=1e-12)
    p = ref.predict(d["x"][4:])
    l = -np.log(p[np.arange(2), d["cls"][4:]])
    assert h.history["val_loss"][0] == pytest.approx(float((l * d["sw"][4:]).sum() / 2), rel=1e-5)


def test_validation_freq_int_and_list(d):
    m = softmax_model(d)
    h = m.fit(d["x"], onehot(d), epochs=5, verbose=0, validation_data=(d["x"], onehot(d)),
              validation_freq=2)
    assert len(h.history["loss"]) == 5 and len(h.history["val_loss"]) == 2  # epochs 2 and 4
    seen = []
    cb = _Cb(on_epoch_end=lambda e, logs: seen.append((e, "val_loss" in logs)))
    m.fit(d["x"], onehot(d), epochs=4, verbose=0, validation_data=(d["x"], onehot(d)),
          validation_freq=[1, 3], callbacks=[cb])
    assert seen == [(0, True), (1, False), (2, True), (3, False)]
    with pytest.raises(ValueError, match="validation_freq"):
        m.fit(d["x"], onehot(d), epochs=1, verbose=0, validation_data=(d["x"], onehot(d)),
              validation_freq=0)


def test_initial_epoch_history(d):
    h = softmax_model(d).fit(d["x"], onehot(d), epochs=5, initial_epoch=3, verbose=0)
    assert h.epoch == [3, 4] and len(h.history["loss"]) == 2


def _recording_model():
    """Identity-ish model whose Lambda records the first column of every training batch."""
    seen = []

    def rec(x):
        if K.learning_phase():
            seen.append(x.numpy()[:, 0].copy())
        return x
    inp = L.Input((1,))
    m = models.Model(inp, L.Dense(1)(L.Lambda(rec)(inp)))
    m.compile(optimizers.SGD(1e-12), "mse")
    return m, seen


def test_shuffle_batch_keeps_batch_chunks():
    # Keras 2's batch_shuffle: 10 rows, batch 3 -> chunks [0..2], [3..5], [6..8] permuted, the
    # short last batch [9] stays last
    x = np.arange(10, dtype=np.float32)[:, None]
    m2, seen2 = _recording_model()
    m2.fit(x, x, batch_size=3, epochs=2, shuffle="batch", verbose=0)
    assert len(seen2) == 8
    for e in range(2):
        batches = [b.astype(int).tolist() for b in seen2[4 * e:4 * e + 4]]
        assert batches[-1] == [9]
        assert sorted(batches[:3]) == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    with pytest.raises(ValueError, match="shuffle"):
        m2.fit(x, x, shuffle="rows", verbose=0)


def test_steps_per_epoch_and_validation_steps_with_arrays():
    m, seen = _recording_model()
    x = np.arange(10, dtype=np.float32)[:, None]
    evals = []
    orig = m._test_batch
    m._test_batch = lambda xs, ys, sws=None: (evals.append(xs[0].shape[0]), orig(xs, ys, sws))[1]
    m.fit(x, x, batch_size=3, epochs=2, steps_per_epoch=2, shuffle=False, verbose=0,
          validation_data=(x, x), validation_steps=1)
    assert [b.astype(int).tolist() for b in seen] == [[0, 1, 2], [3, 4, 5]] * 2
    assert evals == [3, 3]  # one validation batch of 3 per epoch
    assert m.evaluate(x, x, batch_size=4, steps=2, verbose=0) == pytest.approx(
        float(np.mean((m.predict(x[:8]) - x[:8]) ** 2)), rel=1e-6)
    assert m.predict(x, batch_size=4, steps=1).shape == (4, 1)


class _Cb:
    def __new__(cls, **hooks):
        from tensorforge.callbacks import Callback
        cb = Callback()
        for k, f in hooks.items():
            setattr(cb, k, f)
        return cb


# ---- generators and Sequence -----------------------------------------------------------------
def mse_batches(d, with_weights=True):
    while True:
        for s in (0, 3):
            sl = slice(s, s + 3)
            yield (d["x"][sl], d["yreg"][sl], d["sw"][sl]) if with_weights else (
                d["x"][sl], d["yreg"][sl])


class MseSequence(utils.Sequence):
    def __init__(self, d):
        self.d, self.ends = d, 0

    def __len__(self):
        return 2

    def __getitem__(self, i):
        sl = slice(3 * i, 3 * i + 3)
        return self.d["x"][sl], self.d["yreg"][sl], self.d["sw"][sl]

    def on_epoch_end(self):
        self.ends += 1


def test_fit_generator_matches_keras_array_fit(d):
    m = mse_model(d)
    h = m.fit_generator(mse_batches(d), steps_per_epoch=2, epochs=2, verbose=0, workers=4,
                        use_multiprocessing=True, max_queue_size=3)
    np.testing.assert_allclose(h.history["loss"], KERAS["mse_fit_sw_loss"], **TOL)
    np.testing.assert_allclose(m.get_weights()[0], KERAS["mse_fit_sw_kernel"], **TOL)
    m = mse_model(d)
    h = m.fit(mse_batches(d), steps_per_epoch=2, epochs=2, verbose=0)
    np.testing.assert_allclose(h.history["loss"], KERAS["mse_fit_sw_loss"], **TOL)


def test_fit_sequence_calls_on_epoch_end(d):
    seq = MseSequence(d)
    m = mse_model(d)
    h = m.fit(seq, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h.history["loss"], KERAS["mse_fit_sw_loss"], **TOL)
    np.testing.assert_allclose(m.get_weights()[0], KERAS["mse_fit_sw_kernel"], **TOL)
    assert seq.ends == 2


def test_evaluate_and_predict_generators(d):
    m = softmax_model(d, metrics=["accuracy"])

    def gen():
        yield d["x"][:4], onehot(d)[:4], d["sw"][:4]
        yield d["x"][4:], onehot(d)[4:], d["sw"][4:]
    np.testing.assert_allclose(m.evaluate_generator(gen(), steps=2), KERAS["cce_eval_sw_b4"], **TOL)
    np.testing.assert_allclose(m.evaluate(gen(), steps=2, verbose=0), KERAS["cce_eval_sw_b4"],
                               **TOL)
    z = d["x"] @ d["k"] + d["b"]
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    np.testing.assert_allclose(m.predict_generator((b[0] for b in gen()), steps=2), p, atol=1e-6)
    np.testing.assert_allclose(m.predict(gen(), steps=2), p, atol=1e-6)  # (x, y, w) tuples: x


def test_generator_validation_and_dict_inputs(d):
    a, b = L.Input((4,), name="a"), L.Input((2,), name="b")
    out = L.Dense(1, use_bias=False)(L.Concatenate()([a, b]))
    m = models.Model([a, b], out)
    m.set_weights([np.ones((6, 1), np.float32)])
    m.compile(optimizers.SGD(1e-12), "mse")

    def gen():
        while True:
            yield {"a": d["x"], "b": d["yreg"]}, np.zeros((6, 1), np.float32)
    h = m.fit(gen(), steps_per_epoch=1, epochs=1, verbose=0, validation_data=gen(),
              validation_steps=2)
    s = d["x"].sum(1) + d["yreg"].sum(1)  # prediction: the sum of all inputs
    assert h.history["val_loss"][0] == pytest.approx(float(np.mean(s ** 2)), rel=1e-5)


def test_generator_progress_bar_counts_steps(d):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        mse_model(d).fit_generator(mse_batches(d), steps_per_epoch=2, epochs=1, verbose=1)
    assert "2/2" in buf.getvalue() and "6/6" not in buf.getvalue()


def test_generator_errors(d):
    m = mse_model(d)
    with pytest.raises(ValueError, match="steps_per_epoch is required"):
        m.fit_generator(mse_batches(d), epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"tuple \(x, y\) or \(x, y, sample_weight\), found: "
                                         "ndarray of shape"):
        m.fit_generator(iter([d["x"]]), steps_per_epoch=1, verbose=0)
    with pytest.raises(ValueError, match="y, sample_weight and validation_split must not"):
        m.fit(mse_batches(d), d["yreg"], steps_per_epoch=1, verbose=0)
    with pytest.warns(RuntimeWarning, match="ran out of data"):
        h = m.fit_generator(iter([(d["x"], d["yreg"])]), steps_per_epoch=1, epochs=3, verbose=0)
    assert h.epoch == [0] and len(h.history["loss"]) == 1  # epoch 2 got no batch: stopped


# ---- learning phase ----------------------------------------------------------------------------
def test_learning_phase_is_one_in_training_steps(d):
    phases = []

    def f(x):
        phases.append(K.learning_phase())
        return K.in_train_phase(x * 2.0, x)
    inp = L.Input((1,))
    m = models.Model(inp, L.Lambda(f)(inp))
    m.compile("sgd", "mse")
    x = np.ones((2, 1), np.float32)
    # training: prediction 2x -> loss (2 - 0)^2 = 4; evaluate: x -> 1
    assert m.train_on_batch(x, np.zeros((2, 1))) == pytest.approx(4.0)
    assert m.evaluate(x, np.zeros((2, 1)), verbose=0) == pytest.approx(1.0)
    assert phases[-2:] == [1, 0] and K.learning_phase() == 0


def test_array_fit_with_sequence_validation(d):
    class Val(utils.Sequence):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            sl = slice(0, 4) if i == 0 else slice(4, 6)
            return d["x"][sl], onehot(d)[sl], d["sw"][sl]
    m = softmax_model(d, lr=1e-12, metrics=["accuracy"])
    h = m.fit(d["x"], onehot(d), epochs=1, verbose=0, validation_data=Val())
    np.testing.assert_allclose([h.history["val_loss"][0], h.history["val_accuracy"][0]],
                               KERAS["cce_eval_sw_b4"], **TOL)
