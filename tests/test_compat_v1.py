"""tf.compat.v1 (python/tensorforge/compat/v1/): TensorFlow 1's optimizers under compile / fit,
the v1 signatures of the common ops, the names TensorFlow serves from a v2 function, and the
behaviour switches. Expected values: TensorFlow 2.21 / tf_keras 2.21 running the same cases
(tools/compat_v1_cases.py, recorded by tools/gen_compat_v1_refs.py)."""
import json
import os
import sys
import warnings

import numpy as np
import pytest

import tensorforge as tf

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))
from compat_v1_cases import CASES, OPTIMIZERS, optimizer_run, results  # noqa: E402

with open(os.path.join(HERE, "data", "compat_v1_refs.json")) as _f:
    REFS = json.load(_f)

v1 = tf.compat.v1


def _close(got, want, tol):
    if isinstance(want, list) and want and isinstance(want[0], list) and not isinstance(got, np.ndarray) \
            and isinstance(got, list) and len(got) == len(want) and all(isinstance(g, list) for g in got):
        for g, w in zip(got, want):
            _close(g, w, tol)
        return
    g, w = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    assert g.shape == w.shape, (g.shape, w.shape)
    np.testing.assert_allclose(g, w, rtol=tol, atol=tol)


@pytest.mark.parametrize("name", sorted(CASES))
def test_v1_op_matches_tensorflow(name):
    assert name in REFS["cases"]
    _close(results(CASES[name](tf)), REFS["cases"][name], 1e-5)


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_tf1_optimizer_trains_as_tensorflow(name):
    got = optimizer_run(tf, tf, name)
    for g, w in zip(got, REFS["optimizers"][name]):
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=2e-5, atol=2e-6)
    assert len(got) == len(REFS["optimizers"][name]) == 4


def test_rmsprop_starts_its_mean_square_at_one():
    # TensorFlow 1's RMSProp initialises ms to ones: the first step of a gradient g moves by
    # lr * g / sqrt(0.9 + 0.1 g^2), not lr * g / sqrt(0.1 g^2) (the zero start)
    p = tf.Variable(np.array([1.0], "float32"))
    opt = v1.train.RMSPropOptimizer(0.1)
    opt.apply_gradients([(np.array([2.0], "float32"), p)])
    np.testing.assert_allclose(p.numpy(), [1.0 - 0.1 * 2 / np.sqrt(0.9 + 0.4 + 1e-10)], rtol=1e-6)


def test_dropout_keep_prob_is_the_kept_fraction():
    x = np.ones((200, 100), "float32")
    y = v1.nn.dropout(x, 0.8).numpy()  # keep_prob 0.8: about 80% kept, scaled by 1 / 0.8
    kept = y != 0
    assert 0.75 < kept.mean() < 0.85
    np.testing.assert_allclose(y[kept], 1 / 0.8, rtol=1e-6)
    with pytest.raises(ValueError, match="both"):
        v1.nn.dropout(x, keep_prob=0.5, rate=0.5)
    with pytest.raises(ValueError, match="keep_prob"):
        v1.nn.dropout(x, 0.0)


def test_deprecated_and_new_name_together_raise():
    with pytest.raises(ValueError, match="axis.*reduction_indices"):
        v1.reduce_sum(np.ones((2, 2)), axis=0, reduction_indices=0)
    with pytest.raises(ValueError, match="axis.*dimension"):
        v1.argmax(np.ones((2, 2)), axis=0, dimension=1)


def test_where_refuses_shapes_tf1_refused():
    with pytest.raises(ValueError, match="same shape"):
        v1.where(np.array([True]), np.ones((1, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="first dimension"):
        v1.where(np.array([True, False, True]), np.ones((2, 3)), np.ones((2, 3)))


def test_constant_verify_shape_refuses():
    with pytest.raises(TypeError, match="shape"):
        v1.constant([1.0, 2.0, 3.0], shape=[2], verify_shape=True)


def test_names_served_from_v2_functions():
    assert v1.random_normal is tf.random.normal
    assert v1.nn.relu6 is not None and v1.math.log is tf.math.log
    assert "relu" in dir(v1.nn) and "reduce_sum" in dir(v1.math)
    with pytest.raises(AttributeError, match="get_variable"):
        v1.get_variable  # noqa: B018  (graph mode: not served)
    with pytest.raises(AttributeError, match="conv1d"):
        v1.nn.conv1d  # noqa: B018  (a v1 signature not mapped)


def test_behaviour_switches_are_accepted():
    for name in ("disable_v2_behavior", "enable_v2_behavior", "disable_resource_variables",
                 "disable_control_flow_v2", "disable_tensor_equality"):
        assert getattr(v1, name)() is None
    assert v1.executing_eagerly()


def test_model_with_tf1_optimizer_saves_without_compile(tmp_path):
    m = tf.Sequential([tf.layers.Dense(2, input_shape=(3,))])
    m.compile(optimizer=v1.train.AdamOptimizer(0.01), loss="mse")
    x = np.ones((4, 3), "float32")
    m.fit(x, np.ones((4, 2), "float32"), verbose=0)
    with pytest.raises(NotImplementedError):
        m.optimizer.get_config()
    assert "AdamOptimizer object at" in repr(m.optimizer)
    for suffix in ("h5", "keras", "tfm"):
        path = str(tmp_path / f"m.{suffix}")
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            m.save(path)
        assert any("compile your model again" in str(x.message) for x in w)
        m2 = tf.models.load_model(path)
        assert m2.optimizer is None
        np.testing.assert_allclose(m2.predict(x, verbose=0), m.predict(x, verbose=0), rtol=1e-6)


def test_tf1_optimizer_arguments_checked():
    with pytest.raises(TypeError, match="use_locking"):
        v1.train.AdamOptimizer(0.1, use_locking="yes")
    with pytest.raises((TypeError, ValueError), match="momentum"):
        v1.train.MomentumOptimizer(0.1, momentum=-1)
    with pytest.raises((TypeError, ValueError), match="initial_accumulator_value"):
        v1.train.AdagradOptimizer(0.1, initial_accumulator_value=0.0)
