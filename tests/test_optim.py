"""Optimizer update kernels (in place, Keras 2 formulas) against a float64 transcription of the
Keras update rules over several steps, on every backend and ISA path, plus bad input."""
import math

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import _native
from tfhelpers import assert_close, on_backend, to_numpy

SHAPES = [(1,), (7,), (16,), (17,), (3, 5), (31, 33), (129,), (5, 5, 1, 20), (70001,)]
STEPS = 4


def keras64(name, p, grads, hp):
    """Run the Keras 2 update rule in float64; returns (param, state arrays, scale).

    scale accumulates |param| plus the magnitude of every update term, for the tolerance."""
    p = p.astype(np.float64).copy()
    scale = np.abs(p)
    st = {}
    sc = {}  # the same recurrences on |terms|: the error scale of each state array
    for t, g in enumerate(grads, start=1):
        g = g.astype(np.float64)
        if name == "sgd":
            lr, mom, nest = hp["lr"], hp["momentum"], hp["nesterov"]
            if mom == 0:
                step = -lr * g
            else:
                v = st.get("velocity", np.zeros_like(p))
                v = mom * v - lr * g
                st["velocity"] = v
                sc["velocity"] = mom * sc.get("velocity", 0) + lr * np.abs(g)
                step = mom * v - lr * g if nest else v
            scale = scale + np.abs(step) + lr * np.abs(g)
        elif name == "rmsprop":
            ms = st.get("ms", np.zeros_like(p))
            ms = hp["rho"] * ms + (1 - hp["rho"]) * g * g
            st["ms"] = ms
            step = -hp["lr"] * g / (np.sqrt(ms) + hp["eps"])
            scale = scale + 4 * np.abs(step)
        elif name == "adam":
            b1, b2 = hp["beta1"], hp["beta2"]
            m = b1 * st.get("m", np.zeros_like(p)) + (1 - b1) * g
            v = b2 * st.get("v", np.zeros_like(p)) + (1 - b2) * g * g
            st["m"], st["v"] = m, v
            sc["m"] = b1 * sc.get("m", 0) + (1 - b1) * np.abs(g)
            sc["v"] = v
            lr_t = hp["lr"] * math.sqrt(1 - b2**t) / (1 - b1**t)
            step = -lr_t * m / (np.sqrt(v) + hp["eps"])
            scale = scale + 4 * np.abs(step)
        elif name == "adagrad":
            acc = st.get("acc", np.full_like(p, 0.1)) + g * g
            st["acc"] = acc
            step = -hp["lr"] * g / (np.sqrt(acc) + hp["eps"])
            scale = scale + 4 * np.abs(step)
        p = p + step
    return p, st, scale, sc


CASES = [
    ("sgd", {"lr": 0.01, "momentum": 0.0, "nesterov": False}),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "nesterov": False}),
    ("sgd", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("rmsprop", {"lr": 0.001, "rho": 0.9, "eps": 1e-7}),
    ("adam", {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-7}),
    ("adam", {"lr": 0.1, "beta1": 0.5, "beta2": 0.9, "eps": 1e-3}),
    ("adagrad", {"lr": 0.01, "eps": 1e-7}),
]


def run_ours(name, hp, p, grads, backend=None):
    """Run our kernel on float32 copies; returns (param, state dict) as NumPy arrays."""
    put = (lambda a: on_backend(a, backend)) if backend else (lambda a: a)
    P = put(p.copy())
    z = lambda: put(np.zeros_like(p))  # noqa: E731
    st = {}
    if name == "sgd":
        st["velocity"] = z() if hp["momentum"] else None
    elif name == "rmsprop":
        st["ms"] = z()
    elif name == "adam":
        st["m"], st["v"] = z(), z()
    elif name == "adagrad":
        st["acc"] = put(np.full_like(p, 0.1))
    ids = {k: id(v) for k, v in st.items()}
    for t, g in enumerate(grads, start=1):
        G = put(g)
        if name == "sgd":
            r = tf.kernels.sgd_update(P, G, st["velocity"], hp["lr"], hp["momentum"], hp["nesterov"])
        elif name == "rmsprop":
            r = tf.kernels.rmsprop_update(P, G, st["ms"], hp["lr"], hp["rho"], hp["eps"])
        elif name == "adam":
            r = tf.kernels.adam_update(P, G, st["m"], st["v"], hp["lr"], hp["beta1"], hp["beta2"],
                                       hp["eps"], t)
        else:
            r = tf.kernels.adagrad_update(P, G, st["acc"], hp["lr"], hp["eps"])
        assert r is None, "updates are in place and return None"
    assert {k: id(v) for k, v in st.items()} == ids
    return to_numpy(P), {k: to_numpy(v) for k, v in st.items() if v is not None}


def _check(rng, name, hp, shapes, backend=None):
    for shape in shapes:
        p = rng.standard_normal(shape).astype(np.float32)
        grads = [rng.standard_normal(shape).astype(np.float32) * s for s in (1.0, 0.1, 3.0, 1e-3)]
        grads = grads[:STEPS]
        got_p, got_st = run_ours(name, hp, p, grads, backend)
        ref_p, ref_st, scale, st_scale = keras64(name, p, grads, hp)
        what = f"{name} {hp} {shape}"
        assert_close(got_p, ref_p, scale=scale, n=STEPS, factor=16, what=what + " param")
        for k, v in ref_st.items():
            assert_close(got_st[k], v, scale=st_scale.get(k), n=STEPS, factor=16, what=f"{what} {k}")


@pytest.mark.parametrize("name,hp", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_update_matches_keras(backend, rng, name, hp):
    _check(rng, name, hp, SHAPES, backend)


@pytest.mark.parametrize("name,hp", CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_update_isa_paths(isa, rng, name, hp):
    _check(rng, name, hp, SHAPES + [(262147,)])


def test_threaded_equals_serial(isa, rng):
    """A large parameter (threaded) gets bit-for-bit the update of the same values done in
    small pieces (serial), so results do not depend on the thread split."""
    n = 400009
    p = rng.standard_normal(n).astype(np.float32)
    g = rng.standard_normal(n).astype(np.float32)
    whole_p, m, v = p.copy(), np.zeros(n, np.float32), np.zeros(n, np.float32)
    tf.kernels.adam_update(whole_p, g, m, v, 0.01, 0.9, 0.999, 1e-7, 3)
    part_p, m2, v2 = p.copy(), np.zeros(n, np.float32), np.zeros(n, np.float32)
    for idx in np.array_split(np.arange(n), 61):
        s = slice(idx[0], idx[-1] + 1)
        tf.kernels.adam_update(part_p[s], g[s], m2[s], v2[s], 0.01, 0.9, 0.999, 1e-7, 3)
    assert np.array_equal(whole_p, part_p) and np.array_equal(m, m2) and np.array_equal(v, v2)


def test_sgd_velocity_untouched_without_momentum(backend, rng):
    p = rng.standard_normal(10).astype(np.float32)
    g = rng.standard_normal(10).astype(np.float32)
    v = np.full(10, 7.0, np.float32)
    P, V = on_backend(p.copy(), backend), on_backend(v.copy(), backend)
    tf.kernels.sgd_update(P, on_backend(g, backend), V, 0.1, 0.0, False)
    assert np.array_equal(to_numpy(V), v)
    tf.kernels.sgd_update(P, on_backend(g, backend), None, 0.1, 0.0, False)
    assert_close(P, p - 2 * 0.1 * g.astype(np.float64), scale=np.abs(p) + 0.2 * np.abs(g), n=2)


def test_nan_gradient_propagates(backend):
    p = np.ones(20, np.float32)
    g = np.ones(20, np.float32)
    g[3] = np.nan
    P = on_backend(p.copy(), backend)
    m, v = on_backend(np.zeros(20, np.float32), backend), on_backend(np.zeros(20, np.float32), backend)
    tf.kernels.adam_update(P, on_backend(g, backend), m, v, 0.1, 0.9, 0.999, 1e-7, 1)
    P = to_numpy(P)
    assert np.isnan(P[3]) and not np.isnan(np.delete(P, 3)).any()


def test_noncontiguous_grad_is_accepted(backend, rng):
    p = rng.standard_normal((6, 4)).astype(np.float32)
    g = rng.standard_normal((4, 6)).astype(np.float32).T  # a transposed view
    P = on_backend(p.copy(), backend)
    tf.kernels.sgd_update(P, on_backend(g, backend), None, 0.5, 0.0, False)
    assert_close(P, p - 0.5 * g.astype(np.float64), scale=np.abs(p) + 0.5 * np.abs(g))


# ---- bad input ------------------------------------------------------------------------------------

def _f(*shape):
    return np.ones(shape, np.float32)


def _readonly():
    a = _f(3)
    a.flags.writeable = False
    return a


BAD = [
    (lambda: tf.kernels.sgd_update(_f(3).astype(np.float16), _f(3), None, 0.1), TypeError, "sgd_update: param must be float32 or float64, got float16"),
    (lambda: tf.kernels.sgd_update(_f(3).astype(np.float64), _f(3), None, 0.1), TypeError, "sgd_update: grad must be float64, got float32"),
    (lambda: tf.kernels.sgd_update(_f(3), _f(3).astype(np.float16), None, 0.1), TypeError, "grad must be float32"),
    (lambda: tf.kernels.sgd_update(_f(3), _f(4), None, 0.1), ValueError, r"grad must have the shape of param \(3,\), got \(4,\)"),
    (lambda: tf.kernels.sgd_update(_f(3), _f(3), None, 0.1, 0.9), ValueError, "velocity is None but momentum"),
    (lambda: tf.kernels.sgd_update(_f(4, 6)[:, ::2], _f(4, 3), None, 0.1), ValueError, "param must be C-contiguous"),
    (lambda: tf.kernels.sgd_update(_readonly(), _f(3), None, 0.1), ValueError, "param must be writable"),
    (lambda: tf.kernels.sgd_update(np.ones(0, np.float32), np.ones(0, np.float32), None, 0.1), ValueError, "must not be empty"),
    (lambda: tf.kernels.rmsprop_update(_f(3), _f(3), _f(2), 0.1), ValueError, r"ms must have the shape of param"),
    (lambda: tf.kernels.adam_update(_f(3), _f(3), _f(3), _f(3), 0.1, t=0), ValueError, r"t \(the step count\) must be >= 1"),
    (lambda: tf.kernels.adam_update(_f(4, 6), _f(4, 6), _f(6, 4).T, _f(4, 6), 0.1), ValueError, "m must be C-contiguous"),
    (lambda: tf.kernels.adagrad_update(_f(3), _f(3), [0.1, 0.1, 0.1], 0.1), TypeError, "acc must be an array"),
]


@pytest.mark.parametrize("call,exc,msg", BAD)
def test_optim_bad_input(backend, call, exc, msg):
    if backend == "cuda":
        pytest.skip("bad-input cases use NumPy arrays")
    with pytest.raises(exc, match=msg):
        call()


def test_state_aliasing_param_rejected(backend):
    if backend == "cuda":
        pytest.skip("NumPy arrays")
    p = _f(5)
    with pytest.raises(ValueError, match="must not share memory with param"):
        tf.kernels.adagrad_update(p, _f(5), p, 0.1)
    m = _f(5)
    with pytest.raises(ValueError, match="v must not share memory with m"):
        tf.kernels.adam_update(p, _f(5), m, m, 0.1)


@pytest.mark.skipif(_native._C is None, reason="native CPU module unavailable")
def test_native_bindings_check_directly():
    C = _native._C
    with pytest.raises(TypeError, match="adam_update: m must be float32"):
        C.adam_update(_f(3), _f(3), _f(3).astype(np.float64), _f(3), 0.1, 0.9, 0.999, 1e-7, 1)
    with pytest.raises(ValueError, match="param must be writable"):
        C.rmsprop_update(_readonly(), _f(3), _f(3), 0.1, 0.9, 1e-7)
    with pytest.raises(ValueError, match="velocity is None"):
        C.sgd_update(_f(3), _f(3), None, 0.1, 0.5, False)
    with pytest.raises(ValueError, match=r"v must have the shape of param \(3,\)"):
        C.adam_update(_f(3), _f(3), _f(3), _f(3, 1), 0.1, 0.9, 0.999, 1e-7, 1)
    with pytest.raises(ValueError, match="t \\(the step count\\)"):
        C.adam_update(_f(3), _f(3), _f(3), _f(3), 0.1, 0.9, 0.999, 1e-7, 0)
    with pytest.raises(ValueError, match="must not share memory"):
        p = _f(3)
        C.adagrad_update(p, _f(3), p, 0.1, 1e-7)


def _rmsprop(C, p, g, st, **kw):
    C.rmsprop_update(p, g, st[0], 0.01, 0.9, 1e-7, **kw)


def _adam(C, p, g, st, **kw):
    C.adam_update(p, g, st[0], st[1], 0.01, 0.9, 0.999, 1e-7, 3, **kw)


@pytest.mark.skipif(_native._C is None, reason="native CPU module unavailable")
@pytest.mark.parametrize("update,slots", [(_rmsprop, 1), (_adam, 2)], ids=["rmsprop", "adam"])
def test_update_of_two_gradients_equals_the_update_of_their_sum(isa, rng, update, slots):
    """rmsprop_update / adam_update(..., grad2=g2) (Note [two gradients] in tf/optim.h: the
    sharded update on a shared-memory window reads two ranks' gradients this way) give bit for
    bit the update with the float32 sum g + g2, whole vectors, tails and threaded sizes alike;
    a bad grad2 is refused by name, before anything changes."""
    C = _native._C
    for n in (1, 7, 16, 17, 129, 70001, 262147):
        p = rng.standard_normal(n).astype(np.float32)
        g, g2 = (rng.standard_normal(n).astype(np.float32) for _ in range(2))
        st = [np.abs(rng.standard_normal(n)).astype(np.float32) for _ in range(slots)]
        want_p, want_st = p.copy(), [s.copy() for s in st]
        update(C, want_p, g + g2, want_st)
        got_p, got_st = p.copy(), [s.copy() for s in st]
        update(C, got_p, g, got_st, grad2=g2)
        assert np.array_equal(got_p, want_p), n
        assert all(np.array_equal(a, b) for a, b in zip(got_st, want_st)), n
        assert not np.array_equal(got_p, p)
    name = update.__name__[1:]
    p, st = _f(3), [_f(3) for _ in range(slots)]
    with pytest.raises(ValueError, match=rf"{name}_update: grad2 must have the shape of param"):
        update(C, p, _f(3), st, grad2=_f(4))
    with pytest.raises(TypeError, match=rf"{name}_update: grad2 must be float32"):
        update(C, p, _f(3), st, grad2=_f(3).astype(np.float64))
    assert np.array_equal(p, _f(3)) and all(np.array_equal(s, _f(3)) for s in st)
    # grad2 sharing memory with a state array (updated in place) is read as before the step
    p, g = _f(5), np.full(5, 0.5, np.float32)
    st = [np.full(5, 2.0, np.float32) for _ in range(slots)]
    want_p, want_st = p.copy(), [s.copy() for s in st]
    update(C, want_p, g + st[0], want_st)
    update(C, p, g, st, grad2=st[0])
    assert np.array_equal(p, want_p) and all(np.array_equal(a, b) for a, b in zip(st, want_st))
