"""Losses (values and gradients vs float64 NumPy formulas), the fused softmax/sigmoid paths,
metrics (Keras' choice of accuracy), confusion_matrix and to_categorical."""
import numpy as np
import pytest

from tensorforge import losses as Ls
from tensorforge import metrics as Me
from tensorforge import layers as L
from tensorforge import models as M
from tensorforge.autograd import Tensor
from tensorforge.utils import to_categorical

from tfhelpers import assert_grad_close, numeric_grad

EPS = 1e-7


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


REFS = {
    "mse": lambda y, p: np.mean((p - y) ** 2),
    "mae": lambda y, p: np.mean(np.abs(p - y)),
    "categorical_crossentropy": lambda y, p: -np.mean(np.sum(y * np.log(np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)), -1)),
    "binary_crossentropy": lambda y, p: -np.mean(y * np.log(np.clip(p, EPS, 1 - EPS)) + (1 - y) * np.log(1 - np.clip(p, EPS, 1 - EPS))),
    "hinge": lambda y, p: np.mean(np.maximum(1 - (2 * y - 1) * p, 0)),
    "squared_hinge": lambda y, p: np.mean(np.maximum(1 - (2 * y - 1) * p, 0) ** 2),
}


@pytest.mark.parametrize("name", sorted(REFS))
def test_loss_value_and_grad(name, rng):
    n, c = 6, 4
    if name == "categorical_crossentropy":
        y = to_categorical(rng.integers(0, c, n), c).astype(np.float64)
        p = _softmax(rng.standard_normal((n, c)))
    elif name in ("binary_crossentropy", "hinge", "squared_hinge"):
        y = rng.integers(0, 2, (n, c)).astype(np.float64)
        p = rng.uniform(0.05, 0.95, (n, c))
    else:
        y = rng.standard_normal((n, c))
        p = rng.standard_normal((n, c))
    fn = Ls.batch_mean(Ls.get(name))
    pt = Tensor(p.astype(np.float32), requires_grad=True)
    loss = fn(y.astype(np.float32), pt)
    assert abs(float(loss.numpy()) - REFS[name](y, p)) < 1e-5 * max(1, abs(REFS[name](y, p)))
    loss.backward()
    num = numeric_grad(lambda: REFS[name](y, p), p)
    assert_grad_close(pt.grad, num, what=name)
    # arrays in -> number out, same value; the per-sample values average to it
    assert abs(float(fn(y, p.astype(np.float32))) - REFS[name](y, p)) < 1e-5 * max(1, abs(REFS[name](y, p)))
    per = Ls.get(name)(y, p.astype(np.float32))
    assert per.shape == (n,) and abs(float(per.mean()) - REFS[name](y, p)) < 1e-5 * max(1, abs(REFS[name](y, p)))


def test_sparse_and_fused_crossentropy_agree(rng):
    n, c = 8, 5
    z = rng.standard_normal((n, c)).astype(np.float32) * 3
    labels = rng.integers(0, c, n)
    y = to_categorical(labels, c)
    ref = -np.mean(np.log(_softmax(z.astype(np.float64))[np.arange(n), labels]))
    grads = []
    for f in (lambda t: Ls.categorical_crossentropy(y, t, from_logits=True),
              lambda t: Ls.sparse_categorical_crossentropy(labels, t, from_logits=True),
              lambda t: Ls.categorical_crossentropy(y, L.Activation("softmax")(t)),
              lambda t: Ls.sparse_categorical_crossentropy(labels, L.Activation("softmax")(t))):
        t = Tensor(z.copy(), requires_grad=True)
        values = f(t)  # per sample, as Keras 2's functions
        assert values.shape == (n,)
        loss = values.mean()
        assert abs(float(loss.numpy()) - ref) < 1e-5
        loss.backward()
        grads.append(t.grad)
    expect = (_softmax(z.astype(np.float64)) - y) / n
    for g in grads:
        np.testing.assert_allclose(g, expect, atol=1e-6)


def test_fused_crossentropy_stable_for_huge_logits():
    z = Tensor(np.array([[1000.0, -1000.0, 0.0]], dtype=np.float32), requires_grad=True)
    loss = Ls.batch_mean(Ls.categorical_crossentropy)(np.array([[0, 1, 0]], np.float32), z,
                                                      from_logits=True)
    assert np.isfinite(loss.numpy()) and abs(float(loss.numpy()) - 2000.0) < 1e-2
    per = Ls.categorical_crossentropy(np.array([[0, 1, 0]], np.float32), z, from_logits=True)
    assert per.shape == (1,) and abs(float(per.numpy()[0]) - 2000.0) < 1e-2
    loss.backward()
    assert np.all(np.isfinite(z.grad))


def test_binary_from_logits(rng):
    z = rng.standard_normal((5, 1)) * 4
    y = rng.integers(0, 2, (5, 1)).astype(np.float64)
    ref = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    t = Tensor(z.astype(np.float32), requires_grad=True)
    loss = Ls.batch_mean(Ls.binary_crossentropy)(y, t, from_logits=True)
    assert abs(float(loss.numpy()) - ref) < 1e-5
    assert Ls.binary_crossentropy(y, t, from_logits=True).shape == (5,)
    loss.backward()
    np.testing.assert_allclose(t.grad, (1 / (1 + np.exp(-z)) - y) / 5, atol=1e-6)


def test_model_uses_fused_path_for_softmax_ce():
    """The step trains from logits through the fused softmax-cross-entropy kernel, whichever
    step calls it (_SoftmaxXent, or the compiled step: Note [compiled step])."""
    from tensorforge import backend
    name = backend.get_backend()
    real = backend.lookup("softmax_xent_forward")
    calls = []

    def spy(*a, **k):
        calls.append(tuple(a[0].shape))
        return real(*a, **k)
    spy.__module__ = getattr(real, "__module__", None)  # (a native kernel stays one)
    backend.register("softmax_xent_forward", name, spy)
    try:
        m = M.Sequential([L.Dense(3, activation="softmax", input_shape=(4,))])
        m.compile("sgd", "categorical_crossentropy")
        m.fit(np.ones((4, 4)), to_categorical([0, 1, 2, 0], 3), verbose=0, batch_size=4)
    finally:
        backend.register("softmax_xent_forward", name, real)
    assert calls == [(4, 3)]  # trained from the logits, one step
    p = m.predict(np.ones((2, 4)))
    np.testing.assert_allclose(p.sum(1), 1, rtol=1e-5)  # predict still returns probabilities


def test_accuracy_resolution_like_keras():
    def pick(loss, units):
        m = M.Sequential([L.Dense(units, input_shape=(2,))])
        m.compile("sgd", loss, metrics=["accuracy"])
        return m._metric_fns[0][1]
    assert pick("categorical_crossentropy", 3) is Me.categorical_accuracy
    assert pick("sparse_categorical_crossentropy", 3) is Me.sparse_categorical_accuracy
    assert pick("binary_crossentropy", 1) is Me.binary_accuracy
    assert pick("mse", 1) is Me.binary_accuracy
    assert pick("mse", 4) is Me.categorical_accuracy


def test_metric_values():
    y = np.array([[0, 1], [1, 0], [1, 0]], np.float32)
    p = np.array([[0.2, 0.8], [0.3, 0.7], [0.9, 0.1]], np.float32)
    # Keras 2's metric functions give one value per sample; their batch mean is 2/3
    assert Me.categorical_accuracy(y, p).numpy().tolist() == [1.0, 0.0, 1.0]
    assert Me.sparse_categorical_accuracy(np.array([1, 0, 0]), p).numpy().tolist() == [1.0, 0.0, 1.0]
    assert Me.binary_accuracy(np.array([[1], [0], [1]]),
                              np.array([[0.6], [0.4], [0.2]])).numpy().tolist() == [1.0, 1.0, 0.0]
    assert Me.batch_mean(Me.categorical_accuracy)(y, p) == pytest.approx(2 / 3)
    assert Me.batch_mean(Me.binary_accuracy)(np.array([1, 0, 1]),
                                             np.array([0.6, 0.4, 0.2])) == pytest.approx(2 / 3)


def test_confusion_matrix():
    cm = Me.confusion_matrix([0, 1, 2, 2, 1], [0, 2, 2, 2, 1])
    assert cm.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 2]]
    cm = Me.confusion_matrix(to_categorical([1, 0], 3), np.array([[0.1, 0.9, 0], [0.2, 0.1, 0.7]]),
                             num_classes=3)
    assert cm.tolist() == [[0, 0, 1], [0, 1, 0], [0, 0, 0]]
    with pytest.raises(ValueError, match="same length"):
        Me.confusion_matrix([0, 1], [0])


def test_to_categorical():
    out = to_categorical(np.array([[1], [0], [3]]))
    assert out.shape == (3, 4) and out.dtype == np.float32
    assert out.tolist() == [[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 1]]
    assert to_categorical([2], num_classes=5).shape == (1, 5)
    with pytest.raises(ValueError, match="out of range"):
        to_categorical([5], num_classes=3)
    with pytest.raises(ValueError, match=">= 0"):
        to_categorical([-1])


def test_regularizers_add_to_loss_and_gradient(rng):
    from tensorforge import optimizers, regularizers
    x = rng.standard_normal((8, 3)).astype(np.float32)
    y = rng.standard_normal((8, 2)).astype(np.float32)
    m = M.Sequential([L.Dense(2, input_shape=(3,), kernel_regularizer=regularizers.l1_l2(0.05, 0.1),
                              bias_regularizer=regularizers.l2(0.2))])
    m.compile(optimizers.SGD(learning_rate=0.1), "mse")
    W, b = [w.astype(np.float64) for w in m.get_weights()]
    b += 0.5
    m.set_weights([W, b])
    pen = 0.05 * np.abs(W).sum() + 0.1 * (W ** 2).sum() + 0.2 * (b ** 2).sum()
    pred = x @ W + b
    assert m.evaluate(x, y, verbose=0) == pytest.approx(np.mean((pred - y) ** 2) + pen, rel=1e-5)
    m.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    gW = 2 * x.T @ (pred - y) / pred.size + 0.05 * np.sign(W) + 0.2 * W
    gb = 2 * (pred - y).sum(0) / pred.size + 0.4 * b
    W2, b2 = m.get_weights()
    np.testing.assert_allclose(W2, W - 0.1 * gW, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(b2, b - 0.1 * gb, rtol=1e-4, atol=1e-6)


def test_progress_bar_redraws_in_place_only_on_a_tty():
    import io
    from tensorforge.callbacks import Progbar

    class TTY(io.StringIO):
        def isatty(self):
            return True

    for stream, expect_cr in ((TTY(), True), (io.StringIO(), False)):
        bar = Progbar(100, stream=stream, interval=0.0)
        for i in range(10, 101, 10):
            bar.set_values({"loss": 1.0 / i})
            bar.update(i, finalize=(i == 100))
        out = stream.getvalue()
        assert ("\r" in out) == expect_cr
        assert out.count("\n") == 1 and "100/100 [==============================]" in out
        assert "loss: 0.0100" in out


def test_callbacks_scheduler_csv_restore_best(tmp_path):
    from tensorforge.callbacks import CSVLogger, EarlyStopping, LambdaCallback, LearningRateScheduler
    from tensorforge.optimizers import SGD
    x = np.random.default_rng(0).standard_normal((32, 3))
    y = x @ np.array([[1.0], [2.0], [-1.0]])
    m = M.Sequential([L.Dense(1, input_shape=(3,))])
    m.compile("sgd", "mse")
    seen = []
    sched = LearningRateScheduler(lambda epoch: 0.1 / (epoch + 1))
    log = tmp_path / "log.csv"
    spy = LambdaCallback(on_epoch_begin=lambda e, logs=None: seen.append(m.optimizer.learning_rate))
    m.fit(x, y, epochs=3, verbose=0, callbacks=[sched, CSVLogger(str(log)), spy])
    assert seen == pytest.approx([0.1, 0.05, 0.1 / 3])
    rows = log.read_text().splitlines()
    assert rows[0] == "epoch,loss,lr" and len(rows) == 4  # the scheduler adds lr (Keras 2)
    # restore_best_weights: a learning rate that makes training diverge gets undone. Twin models
    # from the same seed, one with restore and one without, see the same diverging updates.
    from tensorforge.utils import set_random_seed

    def diverging(callbacks):
        set_random_seed(7)
        m2 = M.Sequential([L.Dense(1, input_shape=(3,))])
        m2.compile(SGD(learning_rate=0.01), "mse")
        m2.fit(x, y, epochs=1, verbose=0, shuffle=False)
        m2.optimizer.learning_rate = 5.0  # diverges
        m2.fit(x, y, epochs=5, verbose=0, callbacks=callbacks, shuffle=False)
        return m2

    es = EarlyStopping(monitor="loss", patience=1, restore_best_weights=True)
    restored = diverging([es])
    plain = diverging([EarlyStopping(monitor="loss", patience=1)])
    assert es.stopped_epoch > 0
    assert all(np.isfinite(w).all() for w in restored.get_weights())
    assert restored.evaluate(x, y, verbose=0) < plain.evaluate(x, y, verbose=0) / 100


# ---- against tf_keras 2 (tests/data/loss_refs.npz, from tools/gen_loss_refs.py) --------------

import json  # noqa: E402
import os  # noqa: E402

_LOSS_REFS = os.path.join(os.path.dirname(__file__), "data", "loss_refs.npz")
_D = np.load(_LOSS_REFS)
_CASES = json.loads(bytes(_D["cases"]).decode())


@pytest.mark.parametrize("case", sorted(_CASES))
def test_loss_matches_keras(case):
    fn_name, kw, _ = _CASES[case]
    y, p = _D[f"{case}/y"], _D[f"{case}/p"]
    fn = Ls.get(fn_name)
    # the function: one value per sample, as Keras 2's (a Tensor for a Tensor, else an array)
    t = Tensor(p.copy(), requires_grad=True)
    values = fn(y, t, **kw)
    assert values.shape == p.shape[:-1]
    np.testing.assert_allclose(values.numpy(), _D[f"{case}/per_sample"], rtol=2e-6, atol=1e-7)
    np.testing.assert_allclose(fn(y, p, **kw), _D[f"{case}/per_sample"], rtol=2e-6, atol=1e-7)
    # the training loop's batch mean and its gradient
    t = Tensor(p.copy(), requires_grad=True)
    loss = Ls.batch_mean(fn)(y, t, **kw)
    np.testing.assert_allclose(float(loss.numpy()), _D[f"{case}/mean"], rtol=2e-6, atol=1e-7)
    loss.backward()
    np.testing.assert_allclose(t.grad, _D[f"{case}/grad"], rtol=1e-4, atol=2e-7)
    np.testing.assert_allclose(float(Ls.batch_mean(fn)(y, p, **kw)), _D[f"{case}/mean"],
                               rtol=2e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted({k.split("/")[1] for k in _D.files if k.startswith("metric/")}))
def test_metric_matches_keras(name):
    y, p = _D[f"metric/{name}/y"], _D[f"metric/{name}/p"]
    if name == "top_k_categorical_accuracy_k2":
        got = float(np.mean(Me.top_k_categorical_accuracy(y, p, k=2)))
    else:
        fn = Me.get(name)
        got = Me.batch_mean(fn)(y, p)
        assert isinstance(got, float)  # the training loop's fused form, and the mean of the
        assert float(np.mean(fn(y, p))) == pytest.approx(got, rel=2e-6, abs=1e-7)  # per-sample
    assert got == pytest.approx(float(_D[f"metric/{name}"]), rel=2e-6, abs=1e-7)


def test_loss_aliases_and_classes():
    for alias, fn in (("kld", Ls.kullback_leibler_divergence), ("KLD", Ls.kullback_leibler_divergence),
                      ("mape", Ls.mean_absolute_percentage_error), ("msle", Ls.mean_squared_logarithmic_error),
                      ("cosine_proximity", Ls.cosine_similarity), ("logcosh", Ls.logcosh),
                      ("huber_loss", Ls.huber)):
        assert Ls.get(alias) is fn
    assert Ls.cosine_proximity is Ls.cosine_similarity and Ls.kld is Ls.KLD
    y, p = _D["huber_delta/y"], _D["huber_delta/p"]
    h = Ls.Huber(delta=0.3)
    np.testing.assert_allclose(float(h(y, p)), _D["huber_delta/mean"], rtol=2e-6)
    assert h.get_config() == {"reduction": "auto", "name": "huber", "delta": 0.3}
    back = Ls.deserialize(Ls.serialize(h))
    assert isinstance(back, Ls.Huber) and back.get_config() == h.get_config()
    assert isinstance(Ls.get("Huber"), Ls.Huber) and Ls.KLDivergence().name == "kl_divergence"
    # reductions and sample weights, as tf_keras: sum(w * l) / count
    w = np.arange(1, 7, dtype=np.float32)
    per = _D["huber_delta/per_sample"].astype(np.float64)
    assert float(h(y, p, sample_weight=w)) == pytest.approx((per * w).sum() / 6, rel=1e-5)
    none = Ls.Huber(delta=0.3, reduction="none")(y, p)
    np.testing.assert_allclose(none, per, rtol=1e-5)
    assert float(Ls.Huber(delta=0.3, reduction="sum")(y, p)) == pytest.approx(per.sum(), rel=1e-5)
    with pytest.raises(ValueError, match="reduction"):
        Ls.MeanSquaredError(reduction="mean")
    with pytest.raises(TypeError, match="Huber: unexpected"):
        Ls.Huber(delt=1.0)


def test_compute_loss_weights_and_custom_per_sample_loss(rng):
    y = rng.standard_normal((4, 3)).astype(np.float32)
    p = rng.standard_normal((4, 3)).astype(np.float32)
    w = np.array([1.0, 0.0, 2.0, 0.5], np.float32)
    per = ((p - y) ** 2).mean(-1)
    t = Tensor(p.copy(), requires_grad=True)
    loss = Ls.compute_loss("mse" and Ls.mse, y, t, sample_weight=w)
    assert float(loss.numpy()) == pytest.approx((per * w).sum() / 4, rel=1e-6)
    loss.backward()
    np.testing.assert_allclose(t.grad, 2 * (p - y) / 3 * w[:, None] / 4, rtol=1e-5, atol=1e-7)

    def my_loss(y_true, y_pred):  # a Keras-style custom loss: one value per sample
        from tensorforge.ops import basic as B
        return B.mean(B.abs(y_pred - y_true), axis=-1)
    v = Ls.compute_loss(my_loss, y, Tensor(p), sample_weight=w)
    assert float(v.numpy()) == pytest.approx((np.abs(p - y).mean(-1) * w).sum() / 4, rel=1e-6)
    with pytest.raises(ValueError, match="sample_weight"):
        Ls.compute_loss(Ls.mse, y, p, sample_weight=np.ones(5, np.float32))
    # sparse labels keep their own shape through per_sample
    probs = np.full((2, 3), 1 / 3, np.float32)
    np.testing.assert_allclose(Ls.per_sample(Ls.sparse_categorical_crossentropy)([0, 2], probs),
                               [np.log(3)] * 2, rtol=1e-6)


def test_loss_shape_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match=r"poisson: y_true and y_pred must have the same shape"):
        Ls.poisson(np.ones((4, 3)), np.ones((4, 2), np.float32))
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy: integer labels"):
        Ls.sparse_categorical_crossentropy(np.zeros((4, 2)), np.ones((4, 3), np.float32))


def test_top_k_ties_and_sparse_top_k_and_cosine_sign():
    p = np.array([[0.5, 0.5, 0.0], [0.1, 0.2, 0.7]], np.float32)
    # tf.math.in_top_k: a target tied with the k-th score is in the top k
    assert Me.top_k_categorical_accuracy(to_categorical([1, 0], 3), p, k=1).numpy().tolist() == [1, 0]
    assert Me.sparse_top_k_categorical_accuracy(np.array([[1], [0]]), p, k=1).numpy().tolist() == \
        [[1], [0]]  # Keras 2 keeps a (N, 1) y_true's shape
    assert Me.sparse_top_k_categorical_accuracy([2, 1], p, k=2).numpy().tolist() == [0, 1]
    y = np.array([[1.0, 2.0]], np.float32)
    assert Me.cosine_similarity(y, 2 * y).numpy().tolist() == pytest.approx([1.0], rel=1e-6)
    # tf_keras 2 resolves the metric cosine_proximity to the positive similarity (Keras 2.2's
    # was negative); the loss of that name stays negative (tests/test_cosine_signs.py)
    assert Me.cosine_proximity(y, 2 * y).numpy().tolist() == pytest.approx([1.0], rel=1e-6)
    assert Ls.cosine_similarity(y, 2 * y).numpy().tolist() == pytest.approx([-1.0], rel=1e-6)


def test_metric_names_as_keras_logs_them():
    def names(metrics, loss="categorical_crossentropy"):
        m = M.Sequential([L.Dense(3, input_shape=(2,))])
        m.compile("sgd", loss, metrics=metrics)
        return m._all_metrics_names(), [fn for _, fn in m._metric_fns]
    assert names(["acc", "mae"])[0] == ["loss", "acc", "mae"]
    assert names(["accuracy", Me.mean_absolute_error])[0] == ["loss", "accuracy", "mean_absolute_error"]
    assert names(["top_k_categorical_accuracy", Me.mape])[0] == [
        "loss", "top_k_categorical_accuracy", "mean_absolute_percentage_error"]
    got = names(["crossentropy", "acc"], Ls.SparseCategoricalCrossentropy())[1]
    assert got == [Me.sparse_categorical_crossentropy, Me.sparse_categorical_accuracy]


_MCLASSES = json.loads(bytes(_D["metric_classes"]).decode())


@pytest.mark.parametrize("case", sorted(_MCLASSES))
def test_metric_classes_match_keras(case):
    cls, kw, _ = _MCLASSES[case]
    m = getattr(Me, cls)(**kw)
    k = f"mclass/{case}"
    import re
    # tf.keras numbers a second AUC in one process 'auc_1'; the base name is what matters
    assert m.name == re.sub(r"_\d+$", "", bytes(_D[f"{k}/name"]).decode())
    m.update_state(_D[f"{k}/y1"], _D[f"{k}/p1"])
    m.update_state(_D[f"{k}/y2"], _D[f"{k}/p2"], sample_weight=_D[f"{k}/w2"])
    assert m.result() == pytest.approx(float(_D[k]), rel=1e-5, abs=1e-6)
    m.reset_states()
    assert m.result() == 0.0


def test_metric_classes_in_compile_resolve_by_name():
    m = M.Sequential([L.Dense(3, input_shape=(2,), activation="softmax")])
    m.compile("sgd", "categorical_crossentropy",
              metrics=[Me.CategoricalAccuracy(), Me.TopKCategoricalAccuracy(k=2, name="top2"),
                       Me.AUC()])
    assert m._all_metrics_names() == ["loss", "categorical_accuracy", "top2", "auc"]
    resolved = [Me.resolve(mm, "categorical_crossentropy", (None, 3)) for mm in
                (Me.CategoricalAccuracy(), Me.TopKCategoricalAccuracy(k=2, name="top2"), Me.AUC())]
    assert [nm for nm, _ in resolved] == ["categorical_accuracy", "top2", "auc"]
    fns = [fn for _, fn in resolved]
    assert Me.is_stateful(fns[0]) is None and isinstance(Me.is_stateful(fns[2]), Me.AUC)
    # the compiled function of a stateful metric is its value on one batch alone
    y = np.array([1, 0, 1, 0], np.float32)
    p = np.array([0.9, 0.1, 0.8, 0.3], np.float32)
    assert fns[2](y, p) == pytest.approx(1.0) and fns[2](y, 1 - p) == pytest.approx(0.0)
    y = to_categorical([0, 1, 2], 3)
    p = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.3, 0.3, 0.4]], np.float32)
    # a mean-type class with its default arguments is its built-in function (per sample)
    assert fns[0] is Me.categorical_accuracy and fns[0](y, p).numpy().tolist() == [1.0, 0.0, 1.0]
    assert fns[1](y, p).numpy().tolist() == [1.0, 1.0, 1.0]  # k=2: the wrapped function, per sample
    with pytest.raises(ValueError, match="probabilities"):
        Me.AUC().update_state([1, 0], [2.0, -1.0])


def test_compute_loss_with_mask_averages_unmasked_steps(rng):
    y = rng.standard_normal((2, 4, 3)).astype(np.float32)
    p = rng.standard_normal((2, 4, 3)).astype(np.float32)
    mask = np.array([[1, 1, 1, 0], [1, 0, 0, 0]], bool)
    per = ((p - y) ** 2).mean(-1)
    got = Ls.compute_loss(Ls.mse, y, Tensor(p), mask=mask)
    assert float(got.numpy()) == pytest.approx(per[mask].mean(), rel=1e-6)  # Keras 2's masked mean
    w = np.array([2.0, 1.0], np.float32)
    got = Ls.compute_loss(Ls.mse, y, p, sample_weight=w, mask=mask)
    ref = (per * w[:, None] * mask * (mask.size / mask.sum())).sum() / mask.size
    assert float(got) == pytest.approx(ref, rel=1e-6)
    with pytest.raises(ValueError, match="labels must lie in"):
        Ls.sparse_categorical_crossentropy([0, 3], np.full((2, 3), 1 / 3, np.float32))


def test_new_losses_on_graph_tensors_record_an_op(rng):
    """Keras 2 programs write losses on the functional graph's tensors (add_loss): the new
    losses record an op layer like the old ones."""
    from tensorforge.engine.training import Model
    i = L.Input((4,))
    o = L.Dense(4, name="o")(i)
    m = Model(i, o)
    m.add_loss(Ls.logcosh(i, o) + Ls.huber(i, o, delta=0.5))
    m.compile("sgd")
    x = rng.standard_normal((6, 4)).astype(np.float32)
    W, b = m.get_weights()
    d = (x @ W + b) - x
    a = np.abs(d)
    want = np.mean(d + np.log1p(np.exp(-2 * d)) - np.log(2)) + np.mean(
        np.where(a <= 0.5, 0.5 * d * d, 0.5 * a - 0.125))
    assert m.evaluate(x, verbose=0, batch_size=6) == pytest.approx(want, rel=1e-5)
