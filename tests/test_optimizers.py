"""Optimizers: Keras 2 update formulas (float64 NumPy oracle written here), defaults, aliases,
clipping, string lookup, and that each update runs the fused in-place kernel."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import optimizers as O
from tensorforge.autograd import Tensor


def _run(opt, steps, rng, shape=(5, 3)):
    p0 = rng.standard_normal(shape).astype(np.float32)
    grads = [rng.standard_normal(shape).astype(np.float32) for _ in range(steps)]
    p = Tensor(p0.copy(), requires_grad=True)
    for g in grads:
        p.grad = g
        opt.apply_gradients([p])
    return p0.astype(np.float64), [g.astype(np.float64) for g in grads], p.numpy()


def _sgd_ref(p, gs, lr, mom=0.0, nesterov=False):
    v = np.zeros_like(p)
    for g in gs:
        v = mom * v - lr * g
        p = p + (mom * v - lr * g if nesterov else v)
    return p


@pytest.mark.parametrize("mom,nesterov", [(0.0, False), (0.9, False), (0.9, True)])
def test_sgd(mom, nesterov, rng, backend):
    p0, gs, p = _run(O.SGD(learning_rate=0.1, momentum=mom, nesterov=nesterov), 4, rng)
    np.testing.assert_allclose(p, _sgd_ref(p0, gs, 0.1, mom, nesterov), rtol=1e-5, atol=1e-6)


def test_rmsprop(rng, backend):
    p0, gs, p = _run(O.RMSprop(learning_rate=0.01), 4, rng)
    ms = np.zeros_like(p0)
    for g in gs:
        ms = 0.9 * ms + 0.1 * g * g
        p0 = p0 - 0.01 * g / (np.sqrt(ms) + 1e-7)
    np.testing.assert_allclose(p, p0, rtol=1e-5, atol=1e-6)


def test_adam(rng, backend):
    p0, gs, p = _run(O.Adam(), 5, rng)
    m = v = np.zeros_like(p0)
    for t, g in enumerate(gs, 1):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        lr_t = 0.001 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        p0 = p0 - lr_t * m / (np.sqrt(v) + 1e-7)
    np.testing.assert_allclose(p, p0, rtol=1e-5, atol=1e-6)


def test_adagrad(rng, backend):
    p0, gs, p = _run(O.Adagrad(learning_rate=0.05), 3, rng)
    acc = np.full_like(p0, 0.1)
    for g in gs:
        acc = acc + g * g
        p0 = p0 - 0.05 * g / (np.sqrt(acc) + 1e-7)
    np.testing.assert_allclose(p, p0, rtol=1e-5, atol=1e-6)


def test_defaults_strings_and_lr_alias():
    assert O.get("sgd").learning_rate == 0.01 and O.get("SGD").momentum == 0.0
    assert O.get("rmsprop").learning_rate == 0.001 and O.get("rmsprop").rho == 0.9
    a = O.get("adam")
    assert (a.learning_rate, a.beta_1, a.beta_2, a.epsilon) == (0.001, 0.9, 0.999, 1e-7)
    assert O.get("adagrad").initial_accumulator_value == 0.1
    assert O.SGD(lr=0.5).learning_rate == 0.5 and O.Adam(lr=0.2).lr == 0.2
    with pytest.raises(ValueError, match="unknown optimizer"):
        O.get("adamw2")
    with pytest.raises(ValueError, match="learning_rate"):
        O.SGD(learning_rate=-1)
    with pytest.raises(TypeError, match="unexpected"):
        O.Adam(bogus=3)


def test_clipnorm_and_clipvalue(rng):
    g = np.array([3.0, 4.0], dtype=np.float32)  # norm 5
    p = Tensor(np.zeros(2, np.float32), requires_grad=True)
    p.grad = g.copy()
    O.SGD(learning_rate=1.0, clipnorm=1.0).apply_gradients([p])
    np.testing.assert_allclose(p.numpy(), -g / 5, rtol=1e-6)
    p = Tensor(np.zeros(2, np.float32), requires_grad=True)
    p.grad = g.copy()
    O.SGD(learning_rate=1.0, clipvalue=3.5).apply_gradients([p])
    np.testing.assert_allclose(p.numpy(), [-3.0, -3.5])


def test_update_is_in_place_and_one_kernel_call(monkeypatch, rng):
    from tensorforge.kernels import optim as K
    calls = []
    real = K.adam_update

    def spy(*a, **k):
        calls.append(a[0])
        return real(*a, **k)

    monkeypatch.setattr(K, "adam_update", spy)
    ps = [Tensor(rng.standard_normal((4, 4)).astype(np.float32), requires_grad=True) for _ in range(3)]
    ids = [id(p.data) for p in ps]
    for p in ps:
        p.grad = np.ones((4, 4), np.float32)
    O.Adam().apply_gradients(ps)
    assert len(calls) == 3 and [id(c) for c in calls] == ids
    assert [id(p.data) for p in ps] == ids


def test_decay_and_state_roundtrip(rng):
    opt = O.SGD(learning_rate=1.0, decay=1.0)
    p = Tensor(np.zeros(1, np.float32), requires_grad=True)
    for _ in range(2):
        p.grad = np.ones(1, np.float32)
        opt.apply_gradients([p])
    # Keras 2: lr / (1 + decay * iterations), iterations counted after increment here -> 1/2, 1/3
    np.testing.assert_allclose(p.numpy(), [-(1 / 2 + 1 / 3)], rtol=1e-6)
    cfg = O.serialize(O.Adam(learning_rate=0.02, clipnorm=2.0))
    back = O.deserialize(cfg)
    assert isinstance(back, O.Adam) and back.learning_rate == 0.02 and back.clipnorm == 2.0
