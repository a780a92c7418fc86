"""Optimizers: Keras 2 update formulas (float64 NumPy oracle written here, and tf_keras legacy
trajectories from tools/gen_optimizer_refs.py), schedules, defaults, aliases, validation,
clipping, string lookup, and that each update runs the fused in-place kernel."""
import json
import os
import sys

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


@pytest.mark.parametrize("legacy", [False, True])
def test_rmsprop(legacy, rng, backend):
    """tf_keras 2.21's RMSprop divides by sqrt(ms + eps), its legacy class by sqrt(ms) + eps
    (Note [RMSprop epsilon]); eps 1e-2 here so that the two differ by far more than rounding."""
    cls = O.legacy.RMSprop if legacy else O.RMSprop
    p0, gs, p = _run(cls(learning_rate=0.01, epsilon=1e-2), 4, rng)
    ms = np.zeros_like(p0)
    for g in gs:
        ms = 0.9 * ms + 0.1 * g * g
        p0 = p0 - 0.01 * g / ((np.sqrt(ms) + 1e-2) if legacy else np.sqrt(ms + 1e-2))
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


def test_update_is_in_place_and_one_kernel_call(rng):
    """Adam's step on the parameters' own arrays, in place: one adam_update_multi call for all
    of them (Note [multi-tensor update]), one adam_update call for a lone parameter (the spies
    keep the kernels' __module__: a native kernel is still called as one, through Note [native
    optimizer step])."""
    from tensorforge import backend
    name = backend.get_backend()
    calls = {"adam_update": [], "adam_update_multi": []}
    real = {op: backend.lookup(op) for op in calls}

    def spy(op):
        def fn(*a, **k):
            calls[op].append(a[0])
            return real[op](*a, **k)
        fn.__module__ = getattr(real[op], "__module__", None)
        return fn
    for op in calls:
        backend.register(op, name, spy(op))
    try:
        ps = [Tensor(rng.standard_normal((4, 4)).astype(np.float32), requires_grad=True)
              for _ in range(3)]
        ids = [id(p.data) for p in ps]
        before = [p.data.copy() for p in ps]
        for p in ps:
            p.grad = np.ones((4, 4), np.float32)
        O.Adam().apply_gradients(ps)
        multi, single = list(calls["adam_update_multi"]), list(calls["adam_update"])
        calls["adam_update"].clear()
        O.Adam().apply_gradients(ps[:1])
    finally:
        for op in calls:
            backend.register(op, name, real[op])
    if name == "cpu":
        assert len(multi) == 1 and [id(c) for c in multi[0]] == ids and not single
    else:  # (the reference has no multi-tensor step of its own in apply_gradients)
        assert not multi and [id(c) for c in single] == ids
    assert [id(c) for c in calls["adam_update"]] == ids[:1]
    assert [id(p.data) for p in ps] == ids
    assert all(not np.array_equal(p.data, b) for p, b in zip(ps, before))


def test_multi_tensor_step_equals_the_single_steps_and_falls_back(rng):
    """Note [multi-tensor update]: Adam over several parameters in one call gives the values of
    one adam_update per parameter (bit for bit); a gradient the binding refuses (float64,
    strided) leaves every array untouched there, and the single calls convert it as before."""
    from tensorforge.kernels import optim as K

    def run(grads, multi):
        ps = [Tensor(w.copy(), requires_grad=True) for w in w0]
        opt = O.Adam(learning_rate=0.01)
        if not multi:
            opt._native_multi = lambda lr: None
        for g in grads:
            for p, gi in zip(ps, g):
                p.grad = gi
            opt.apply_gradients(ps)
        return [p.data for p in ps] + [s for p in ps for s in opt._state[id(p)][1:]]

    w0 = [rng.standard_normal(s).astype(np.float32) for s in [(5, 3), (3,), (2, 2, 2)]]
    steps = [[rng.standard_normal(w.shape).astype(np.float32) for w in w0] for _ in range(3)]
    for a, b in zip(run(steps, True), run(steps, False)):
        np.testing.assert_array_equal(a, b)
    odd = [[g.astype(np.float64) if i == 1 else g for i, g in enumerate(s)] for s in steps]
    for a, b in zip(run(odd, True), run(steps, False)):
        np.testing.assert_array_equal(a, b)
    # a refused argument raises before anything changes (the native binding; the reference
    # validates nothing)
    fn = K.backend.lookup("adam_update_multi")
    if not K._is_native(fn):
        return
    p, g, m, v = (rng.standard_normal((3, 2)).astype(np.float32) for _ in range(4))
    v = np.abs(v)
    keep = [x.copy() for x in (p, m, v)]
    with pytest.raises(TypeError, match="adam_update_multi"):
        fn([p, p.copy()], [g, g.astype(np.float64)], [m, m.copy()], [v, v.copy()], 0.1, 0.9,
           0.999, 1e-7, 1)
    for a, b in zip((p, m, v), keep):
        np.testing.assert_array_equal(a, b)


def test_native_optimizer_step_matches_the_checked_path_and_keeps_its_checks(rng):
    """Note [native optimizer step]: SGD (momentum), legacy RMSprop and Adam take the same steps as the
    kernels.* entry points (bit for bit; float64 and strided gradients converted first, as
    before), and a state array the binding refuses goes through the checked path, which raises
    its message."""
    from tensorforge.kernels import optim as K
    w0 = rng.standard_normal((5, 3)).astype(np.float32)
    gs = [rng.standard_normal((5, 3)).astype(np.float32) for _ in range(3)]

    def sgd(p, g, st, t):
        K.sgd_update(p, g, st[0], 0.1, 0.9, False)

    def rmsprop(p, g, st, t):
        K.rmsprop_update(p, g, st[0], 0.001, 0.9, 1e-7)

    def adam(p, g, st, t):
        K.adam_update(p, g, st[0], st[1], 0.001, 0.9, 0.999, 1e-7, t)

    cases = [(lambda: O.SGD(0.1, momentum=0.9), sgd), (O.legacy.RMSprop, rmsprop), (O.Adam, adam)]
    for make, step in cases:
        opt = make()
        p = Tensor(w0.copy(), requires_grad=True)
        ref, st = w0.copy(), [np.zeros_like(w0), np.zeros_like(w0)]
        for t, g in enumerate(gs, 1):
            p.grad = g.astype(np.float64) if t == 2 else (np.asfortranarray(g) if t == 3 else g)
            opt.apply_gradients([p])
            step(ref, g, st, t)
        np.testing.assert_array_equal(p.data, ref)
    opt = O.Adam()
    p = Tensor(w0.copy(), requires_grad=True)
    p.grad = gs[0]
    opt.apply_gradients([p])
    st = opt._state[id(p)]
    opt._state[id(p)] = (p, st[1][:, :2].copy(), st[2])  # a state of the wrong shape
    p.grad = gs[1]
    with pytest.raises(ValueError, match=r"adam_update: m must have the shape of param \(5, 3\)"):
        opt.apply_gradients([p])


def test_decay_and_state_roundtrip(rng):
    opt = O.SGD(learning_rate=1.0, decay=1.0)
    p = Tensor(np.zeros(1, np.float32), requires_grad=True)
    for _ in range(2):
        p.grad = np.ones(1, np.float32)
        opt.apply_gradients([p])
    # Keras 2: lr / (1 + decay * iterations), iterations counted before the step -> 1/1, 1/2
    np.testing.assert_allclose(p.numpy(), [-(1 + 1 / 2)], rtol=1e-6)
    cfg = O.serialize(O.Adam(learning_rate=0.02, clipnorm=2.0))
    back = O.deserialize(cfg)
    assert isinstance(back, O.Adam) and back.learning_rate == 0.02 and back.clipnorm == 2.0


# ---- against tf_keras's legacy (Keras 2) optimizers: tools/gen_optimizer_refs.py -------------

_REFS = os.path.join(os.path.dirname(__file__), "data", "optimizer_refs.npz")


def _refs():
    d = np.load(_REFS)
    return d, json.loads(bytes(d["cases"]).decode()), json.loads(bytes(d["schedules"]).decode())


sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tools"))
from gen_optimizer_refs import CASES, STEPS, grads, problem  # noqa: E402  (NumPy only)


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_keras_legacy_trajectory(case, backend):
    d, cases, _ = _refs()
    cls, kw, sched = cases[case]
    kw = dict(kw)
    if sched:
        kw["learning_rate"] = getattr(O.schedules, sched[0])(**sched[1])
    # 'new:' = tf_keras 2.21's default class, here tensorforge.optimizers.X; the others are
    # tf_keras's optimizers.legacy.X, here optimizers.legacy.X (the same classes but RMSprop's
    # and Nadam's: Note [RMSprop epsilon])
    opt = getattr(O, cls[4:])(**kw) if cls.startswith("new:") else getattr(O.legacy, cls)(**kw)
    p0, target, w, c = problem()
    ps = [Tensor(tf.backend.array_module(p).asarray(p.copy()), requires_grad=True) for p in p0]
    for step in range(STEPS):
        gs = grads([p.numpy() for p in ps], step, target, w, c)
        for p, g in zip(ps, gs):
            p.grad = g
        opt.apply_gradients(ps)
        for i, p in enumerate(ps):
            np.testing.assert_allclose(p.numpy(), d[f"{case}/p{i}"][step + 1], rtol=2e-5, atol=2e-6,
                                       err_msg=f"{case}: param {i} after step {step + 1}")
    assert opt.iterations == STEPS


def test_schedules_match_keras():
    d, _, scheds = _refs()
    for name, (cls, kw) in scheds.items():
        s = getattr(O.schedules, cls)(**kw)
        got = [s(step) for step in range(len(d[f"sched/{name}"]))]
        np.testing.assert_allclose(got, d[f"sched/{name}"], rtol=1e-6, err_msg=name)
        back = O.schedules.deserialize(O.schedules.serialize(s))
        assert type(back) is type(s) and back.get_config() == s.get_config()


def test_schedule_config_roundtrip_through_optimizer():
    opt = O.Adam(learning_rate=O.schedules.ExponentialDecay(0.1, 10, 0.5))
    back = O.deserialize(O.serialize(opt))
    assert isinstance(back.learning_rate, O.schedules.ExponentialDecay)
    assert back.learning_rate.get_config() == opt.learning_rate.get_config()
    from tensorforge.optimizers.schedules import PiecewiseConstantDecay  # import path of Keras 2
    with pytest.raises(ValueError, match="one more element"):
        PiecewiseConstantDecay([1, 2], [0.1])
    with pytest.raises(ValueError, match="decay_steps"):
        O.schedules.ExponentialDecay(0.1, 0, 0.5)


def test_lowercase_aliases_legacy_module_and_defaults():
    assert (O.sgd, O.rmsprop, O.adagrad, O.adadelta, O.adam, O.adamax, O.nadam) == (
        O.SGD, O.RMSprop, O.Adagrad, O.Adadelta, O.Adam, O.Adamax, O.Nadam)
    from tensorforge.optimizers import legacy
    assert legacy.Adam is O.Adam and legacy.RMSprop is not O.RMSprop
    assert issubclass(legacy.RMSprop, O.RMSprop) and issubclass(legacy.Nadam, O.Nadam)
    # tf_keras legacy get_config() of the defaults
    assert O.Adadelta().get_config() == {"name": "Adadelta", "learning_rate": 0.001, "decay": 0.0,
                                         "rho": 0.95, "epsilon": 1e-07}
    assert O.Adamax().get_config() == {"name": "Adamax", "learning_rate": 0.001, "decay": 0.0,
                                       "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07}
    assert legacy.Nadam().get_config() == {"name": "Nadam", "learning_rate": 0.001,
                                           "decay": 0.004, "beta_1": 0.9, "beta_2": 0.999,
                                           "epsilon": 1e-07}
    # the default class has tf_keras 2.21's schedule (no schedule_decay; config without 'decay')
    assert O.Nadam().get_config() == {"name": "Nadam", "learning_rate": 0.001,
                                      "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07}
    assert O.Nadam.from_config(legacy.Nadam().get_config()).schedule_decay == 0.004
    assert O.Nadam.from_config(O.Nadam().get_config()).schedule_decay is None
    for cls in (O.RMSprop, legacy.RMSprop, O.Nadam, legacy.Nadam, legacy.Adam):
        back = O.deserialize(O.serialize(cls(learning_rate=0.01)))  # the rule survives
        assert type(back) is cls and back.learning_rate == 0.01
    assert O.Adam(amsgrad=True).get_config() == {
        "name": "Adam", "learning_rate": 0.001, "decay": 0.0, "beta_1": 0.9, "beta_2": 0.999,
        "epsilon": 1e-07, "amsgrad": True}
    assert O.SGD(clipnorm=1.0, clipvalue=2.0).get_config() == {
        "name": "SGD", "clipnorm": 1.0, "clipvalue": 2.0, "learning_rate": 0.01, "decay": 0.0,
        "momentum": 0.0, "nesterov": False}
    for name in ("adadelta", "adamax", "nadam", "Nadam"):
        assert isinstance(O.get(name), O._BY_NAME[name.lower()])
    for opt in (O.Nadam(learning_rate=0.01, schedule_decay=0.1), O.Adam(amsgrad=True, lr=0.3),
                O.Adadelta(rho=0.9, clipvalue=1.0)):
        back = O.deserialize(O.serialize(opt))
        assert back.get_config() == opt.get_config()


@pytest.mark.parametrize("make,arg", [
    (lambda: O.SGD(learning_rate=-0.1), "learning_rate"),
    (lambda: O.SGD(lr=-1), "learning_rate"),
    (lambda: O.SGD(clipnorm=-1), "clipnorm"),
    (lambda: O.Adam(clipvalue=-0.5), "clipvalue"),
    (lambda: O.SGD(momentum=1.5), "momentum"),
    (lambda: O.SGD(momentum=-0.1), "momentum"),
    (lambda: O.SGD(decay=-1), "decay"),
    (lambda: O.RMSprop(rho=1.5), "rho"),
    (lambda: O.Adadelta(rho=-0.1), "rho"),
    (lambda: O.Adam(beta_1=1.0), "beta_1"),
    (lambda: O.Adamax(beta_2=1.2), "beta_2"),
    (lambda: O.Nadam(epsilon=-1e-7), "epsilon"),
    (lambda: O.Adagrad(initial_accumulator_value=-1), "initial_accumulator_value"),
    (lambda: O.Adam(learning_rate=float("nan")), "learning_rate"),
    (lambda: O.SGD(clipnorm=1.0, global_clipnorm=1.0), "global_clipnorm"),
    (lambda: O.Nadam(learning_rate=O.schedules.ExponentialDecay(0.1, 2, 0.5)), "LearningRateSchedule"),
])
def test_constructor_validation_names_optimizer_and_argument(make, arg):
    with pytest.raises(ValueError) as e:
        make()
    msg = str(e.value)
    assert arg in msg and msg.split(":")[0] in ("SGD", "RMSprop", "Adam", "Adadelta", "Adamax",
                                                "Nadam", "Adagrad"), msg


def test_learning_rate_zero_allowed_and_type_checked():
    assert O.SGD(learning_rate=0.0).learning_rate == 0.0  # Keras allows a frozen optimizer
    with pytest.raises(TypeError, match="SGD: learning_rate must be a number"):
        O.SGD(learning_rate="0.1")
    opt = O.Adam()
    opt.lr = 0.5  # Keras 2.2 attribute, settable (LearningRateScheduler / ReduceLROnPlateau)
    assert opt.learning_rate == 0.5
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = -1.0


def test_nadam_decay_warns_and_is_ignored_as_in_keras():
    with pytest.warns(UserWarning, match="decay"):
        opt = O.legacy.Nadam(learning_rate=0.01, decay=0.5)
    assert opt.decay == 0.0 and opt.schedule_decay == 0.004


def test_global_clipnorm_clips_all_tensors_together():
    a = Tensor(np.zeros(2, np.float32), requires_grad=True)
    b = Tensor(np.zeros(1, np.float32), requires_grad=True)
    a.grad, b.grad = np.array([3.0, 0.0], np.float32), np.array([4.0], np.float32)  # norm 5
    O.SGD(learning_rate=1.0, global_clipnorm=1.0).apply_gradients([a, b])
    np.testing.assert_allclose(np.concatenate([a.numpy(), b.numpy()]), [-0.6, 0.0, -0.8], rtol=1e-6)


def test_nadam_state_survives_reload(rng):
    """The momentum-schedule product is a function of iterations: a fresh optimizer given the
    same iterations and slot arrays continues exactly."""
    ps = [Tensor(rng.standard_normal((3,)).astype(np.float32), requires_grad=True)]
    a = O.Nadam(learning_rate=0.01)
    for _ in range(3):
        ps[0].grad = np.ones(3, np.float32)
        a.apply_gradients(ps)
    b = O.Nadam(learning_rate=0.01)
    b.iterations = a.iterations
    b.set_state(ps, a.get_state(ps))
    q = [Tensor(ps[0].numpy().copy(), requires_grad=True)]
    b._state = {id(q[0]): (q[0],) + b._state.pop(id(ps[0]))[1:]}
    ps[0].grad = q[0].grad = np.full(3, 0.5, np.float32)
    a.apply_gradients(ps)
    b.apply_gradients(q)
    np.testing.assert_array_equal(ps[0].numpy(), q[0].numpy())


def test_lr_is_settable_through_keras_set_value_protocol():
    opt = O.Adam(learning_rate=0.01)
    lr = opt.lr
    assert isinstance(lr, float) and lr == 0.01 and lr.numpy() == np.float32(0.01)
    lr.assign(0.5)  # what K.set_value(model.optimizer.lr, 0.5) does
    assert opt.learning_rate == 0.5 and opt.get_config()["learning_rate"] == 0.5
    assert type(opt.get_config()["learning_rate"]) is float
    import copy
    import pickle
    assert type(copy.deepcopy(opt.lr)) is float and pickle.loads(pickle.dumps(opt.lr)) == 0.5


def test_apply_gradients_accepts_grads_and_vars_pairs(rng):
    a = Tensor(np.ones(3, np.float32), requires_grad=True)
    b = Tensor(np.ones(2, np.float32), requires_grad=True)
    opt = O.SGD(learning_rate=0.5)
    opt.apply_gradients(zip([np.array([1.0, 2.0, 3.0], np.float32), None], [a, b]))
    np.testing.assert_allclose(a.numpy(), [0.5, 0.0, -0.5])
    np.testing.assert_array_equal(b.numpy(), [1.0, 1.0])  # None gradient: untouched
    with pytest.raises(ValueError, match="shape"):
        opt.apply_gradients([(np.ones(4, np.float32), a)])


@pytest.mark.parametrize("call", [
    lambda p, g, a, b, c: K.adamax_update(p, g, a, b, 0.1, t=1),
    lambda p, g, a, b, c: K.adadelta_update(p, g, a, b, 0.1),
    lambda p, g, a, b, c: K.adam_amsgrad_update(p, g, a, b, c, 0.1, t=1),
    lambda p, g, a, b, c: K.nadam_update(p, g, a, b, 0.1, 0.9, 0.999, 1e-7, 0.5, 0.5, 0.5, 0.25, 1),
    lambda p, g, a, b, c: K.rmsprop_ext_update(p, g, a, b, c, 0.1, 0.9, 0.5),
])
def test_reference_only_kernels_check_their_arrays(call, backend):
    def arrs():
        return [np.zeros((4, 3), np.float32) for _ in range(5)]
    p, g, a, b, c = arrs()
    call(p, g, a, b, c)  # fine
    p, g, a, b, c = arrs()
    with pytest.raises(ValueError, match="C-contiguous"):
        call(np.zeros((3, 4), np.float32).T, g, a, b, c)
    with pytest.raises(ValueError, match="shape"):
        call(p, np.zeros((4, 2), np.float32), a, b, c)
    with pytest.raises(ValueError, match="share memory"):
        call(p, g, a, a, c)
    with pytest.raises(ValueError, match="t"):
        K.adamax_update(p, g, a, b, 0.1, t=0)


from tensorforge.kernels import optim as K  # noqa: E402


def test_minimize_callable_loss():
    from tensorforge.ops import basic as B
    w = Tensor(np.array([3.0, -2.0], np.float32), requires_grad=True)
    opt = O.SGD(learning_rate=0.25)
    for _ in range(20):
        opt.minimize(lambda: B.sum(w * w), [w])  # gradient 2w: w *= 0.5 each step
    np.testing.assert_allclose(w.numpy(), np.array([3.0, -2.0]) * 0.5 ** 20, rtol=1e-5)
    assert w.grad is None and opt.iterations == 20
    with pytest.raises(ValueError, match="scalar Tensor"):
        opt.minimize(lambda: w * w, [w])


def test_adamw_and_weight_decay_config():
    opt = O.get("adamw")
    assert isinstance(opt, O.AdamW) and opt.weight_decay == 0.004
    assert O.deserialize(O.serialize(opt)).get_config() == opt.get_config()
    with pytest.raises(ValueError, match="weight_decay"):
        O.SGD(weight_decay=-0.1)


# tf_keras 2.21's default RMSprop against the legacy RMSprop / Nadam where they differ:
# gradients ~1e-5 (tools/gen_optimizer_epsilon_refs.py, figures printed by tf_keras 2.21)
_EPSILON_REFS = {
    "rmsprop": [0.49999812, -0.24999803, 0.124998726, 0.7500018, -0.5000007, 0.3750018],
    "rmsprop_centered": [0.49999812, -0.24999803, 0.124998726, 0.7500018, -0.5000007, 0.3750018],
    "legacy_rmsprop": [0.49678695, -0.24666968, 0.12242321, 0.753235, -0.501705, 0.37813485],
    "legacy_rmsprop_centered": [0.49663666, -0.2465085, 0.12232588, 0.7533872, -0.50174797,
                                0.378278],
    "legacy_nadam": [0.49830413, -0.2482668, 0.123526305, 0.751703, -0.5011007, 0.37667066],
}


@pytest.mark.parametrize("case", sorted(_EPSILON_REFS))
def test_default_classes_follow_tf_keras_2_21(case):
    """compile('rmsprop') is tf_keras 2.21's default RMSprop (eps inside the root),
    optimizers.legacy.X Keras 2.0-2.10's: three train_on_batch steps with gradients ~1e-5,
    where the two RMSprops' steps differ ~1,000-fold (Note [RMSprop epsilon])."""
    from gen_optimizer_epsilon_refs import CASES, STEPS, X, Y, build
    from tensorforge import keras
    m = build(keras, dict(CASES)[case])
    for _ in range(STEPS):
        m.train_on_batch(X, Y)
    np.testing.assert_allclose(m.get_weights()[0].ravel(), _EPSILON_REFS[case], rtol=0, atol=2e-7)


@pytest.mark.parametrize("eps_in_sqrt", [False, True])
def test_rmsprop_kernel_both_epsilon_rules(eps_in_sqrt):
    """The cpu kernel's two rules (tf_keras 2.11+'s sqrt(ms + eps), the legacy sqrt(ms) + eps),
    with and without a second gradient, against the formula in float64; gradients of 1 down to
    1e-5, where the rules differ by up to ~70x."""
    rng = np.random.default_rng(11)
    n = 1037  # a partial vector at the end
    p0 = rng.standard_normal(n).astype(np.float32)
    g = (rng.standard_normal(n) * 10.0 ** rng.integers(-5, 1, n)).astype(np.float32)
    g2 = (rng.standard_normal(n) * 1e-3).astype(np.float32)
    ms0 = rng.random(n).astype(np.float32) * 1e-6
    for second in (None, g2):
        p, ms = p0.copy(), ms0.copy()
        fn = tf.backend.lookup("rmsprop_update", "cpu")
        fn(p, g, ms, 0.01, 0.9, 1e-7, second, eps_in_sqrt)
        gg = g.astype(np.float64) + (0 if second is None else second.astype(np.float64))
        want_ms = 0.9 * ms0.astype(np.float64) + 0.1 * gg * gg
        den = np.sqrt(want_ms + 1e-7) if eps_in_sqrt else np.sqrt(want_ms) + 1e-7
        np.testing.assert_allclose(ms, want_ms, rtol=1e-5, atol=1e-12)
        np.testing.assert_allclose(p, p0 - 0.01 * gg / den, rtol=1e-5, atol=1e-6)
