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
    fn = Ls.get(name)
    pt = Tensor(p.astype(np.float32), requires_grad=True)
    loss = fn(y.astype(np.float32), pt)
    assert abs(float(loss.numpy()) - REFS[name](y, p)) < 1e-5 * max(1, abs(REFS[name](y, p)))
    loss.backward()
    num = numeric_grad(lambda: REFS[name](y, p), p)
    assert_grad_close(pt.grad, num, what=name)
    # arrays in -> number out, same value
    assert abs(float(fn(y, p.astype(np.float32))) - REFS[name](y, p)) < 1e-5 * max(1, abs(REFS[name](y, p)))


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
        loss = f(t)
        assert abs(float(loss.numpy()) - ref) < 1e-5
        loss.backward()
        grads.append(t.grad)
    expect = (_softmax(z.astype(np.float64)) - y) / n
    for g in grads:
        np.testing.assert_allclose(g, expect, atol=1e-6)


def test_fused_crossentropy_stable_for_huge_logits():
    z = Tensor(np.array([[1000.0, -1000.0, 0.0]], dtype=np.float32), requires_grad=True)
    loss = Ls.categorical_crossentropy(np.array([[0, 1, 0]], np.float32), z, from_logits=True)
    assert np.isfinite(loss.numpy()) and abs(float(loss.numpy()) - 2000.0) < 1e-2
    loss.backward()
    assert np.all(np.isfinite(z.grad))


def test_binary_from_logits(rng):
    z = rng.standard_normal((5, 1)) * 4
    y = rng.integers(0, 2, (5, 1)).astype(np.float64)
    ref = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))
    t = Tensor(z.astype(np.float32), requires_grad=True)
    loss = Ls.binary_crossentropy(y, t, from_logits=True)
    assert abs(float(loss.numpy()) - ref) < 1e-5
    loss.backward()
    np.testing.assert_allclose(t.grad, (1 / (1 + np.exp(-z)) - y) / 5, atol=1e-6)


def test_model_uses_fused_path_for_softmax_ce(monkeypatch):
    import tensorforge.ops as ops
    calls = []
    real = ops.softmax_cross_entropy
    monkeypatch.setattr(ops, "softmax_cross_entropy", lambda *a, **k: calls.append(1) or real(*a, **k))
    m = M.Sequential([L.Dense(3, activation="softmax", input_shape=(4,))])
    m.compile("sgd", "categorical_crossentropy")
    m.fit(np.ones((4, 4)), to_categorical([0, 1, 2, 0], 3), verbose=0, batch_size=4)
    assert calls  # trained from logits
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
    assert Me.categorical_accuracy(y, p) == pytest.approx(2 / 3)
    assert Me.sparse_categorical_accuracy(np.array([1, 0, 0]), p) == pytest.approx(2 / 3)
    assert Me.binary_accuracy(np.array([1, 0, 1]), np.array([0.6, 0.4, 0.2])) == pytest.approx(2 / 3)


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
