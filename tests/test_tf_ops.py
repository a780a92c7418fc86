"""tf.* ops of TensorFlow 2 that Keras 2 programs call (tf.pad, tf.clip_by_global_norm,
tf.math.segment_sum, tf.nn.gelu, tf.linalg.inv, tf.cond, ...): values, dtypes and gradients
against TensorFlow's, which tools/gen_tf_ops_refs.py recorded in tests/data/tf_ops_refs.*
(each case is an expression evaluated here with ``import tensorforge as tf``)."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge.autograd import Tensor

import tf_refs

META, REF, INPUTS = tf_refs.load("tf_ops_refs")
_weights, _flat = tf_refs.weights, tf_refs.flat


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # cases take log(x < 0) on purpose
@pytest.mark.parametrize("case", sorted(META))
def test_tf_op_matches_tensorflow(case):
    tf_refs.check_case(tf, case, META[case], REF, INPUTS)


# ---- first-principles checks: bad input, custom gradients, eager utilities ---------------------

@pytest.mark.parametrize("call, exc, words", [
    (lambda: tf.pad(np.ones((2, 3), np.float32), [[1, 1]]), ValueError, ["tf.pad", "paddings"]),
    (lambda: tf.pad(np.ones((2, 3), np.float32), [[2, 0], [0, 0]], mode="REFLECT"), ValueError,
     ["REFLECT", "axis 0"]),
    (lambda: tf.pad(np.ones((2,), np.float32), [[1, 1]], mode="WRAP"), ValueError, ["mode"]),
    (lambda: tf.boolean_mask(np.ones((2, 3)), [True, False, True]), ValueError,
     ["boolean_mask", "(3,)", "(2, 3)"]),
    (lambda: tf.math.segment_sum(np.ones(3, np.float32), [1, 0, 0]), ValueError, ["sorted"]),
    (lambda: tf.math.unsorted_segment_sum(np.ones(3, np.float32), [0, 5, 1], 3), ValueError,
     ["[0, 3)"]),
    (lambda: tf.math.confusion_matrix([0, 3], [1, 1], num_classes=3), ValueError, ["[0, 3)"]),
    (lambda: tf.gather(np.ones((2, 3)), [0, 3], axis=1), IndexError, ["gather", "[0, 3)"]),
    (lambda: tf.slice(np.ones((2, 3)), [1, 1], [2, 1]), ValueError, ["tf.slice", "(2, 3)"]),
    (lambda: tf.norm(np.ones((2, 3)), ord=2, axis=[0, 1]), ValueError, ["tf.norm", "matrix ord"]),
    (lambda: tf.broadcast_to(np.ones((2, 3)), [3, 3]), ValueError, ["(2, 3)", "(3, 3)"]),
    (lambda: tf.linalg.det(np.ones((2, 3), np.float32)), ValueError, ["det", "(2, 3)"]),
    (lambda: tf.sort(np.ones(3), direction="UP"), ValueError, ["direction"]),
    (lambda: tf.nn.conv2d(np.ones((1, 4, 4, 1)), np.ones((2, 2, 1, 1)), 1, [[0, 0]] * 4),
     ValueError, ["conv2d", "padding"]),
    (lambda: tf.while_loop(lambda a, b: a < 2, lambda a, b: a + 1, [0, 1]), ValueError,
     ["while_loop", "1 values", "2 loop variables"]),
    (lambda: tf.cond(tf.constant([True, False]), lambda: 1, lambda: 2), ValueError,
     ["cond", "scalar"]),
])
def test_bad_arguments_name_the_op(call, exc, words):
    with pytest.raises(exc) as e:
        call()
    for w in words:
        assert w in str(e.value), (w, str(e.value))


def test_custom_gradient_replaces_the_gradient():
    @tf.custom_gradient
    def clip_grad(x):
        def grad(dy):
            return tf.clip_by_value(dy, -0.5, 0.5)
        return x * 1.0, grad

    x = Tensor(np.array([1.0, 2.0, 3.0], np.float32), requires_grad=True)
    y = clip_grad(x * 2.0)  # d(sum(y * [3, 0.1, -2]))/dx = 2 * clip([3, 0.1, -2])
    np.testing.assert_array_equal(y.numpy(), [2.0, 4.0, 6.0])
    (y * Tensor(np.array([3.0, 0.1, -2.0], np.float32))).sum().backward()
    np.testing.assert_allclose(x.grad, [1.0, 0.2, -1.0], rtol=1e-6)


def test_py_and_numpy_function_convert_results():
    seen = []

    def f(a, b):
        seen.append((type(a).__name__, type(b).__name__))
        return a * 2, b + 1

    out = tf.numpy_function(f, [np.array([1.5], np.float32), np.array([2], np.int32)],
                            [tf.float32, tf.int64])
    assert seen == [("ndarray", "ndarray")]
    assert out[0].numpy().tolist() == [3.0] and out[1].dtype == np.int64
    one = tf.py_function(lambda a: a + 1.0, [tf.constant([1.0])], tf.float32)
    assert isinstance(one, Tensor) and one.numpy().tolist() == [2.0]


def test_assertions_and_errors():
    tf.debugging.assert_equal(tf.constant([1, 2]), [1, 2])
    with pytest.raises(tf.errors.InvalidArgumentError) as e:
        tf.debugging.assert_equal(tf.constant([1, 2]), [1, 3], message="labels")
    assert "labels" in str(e.value) and isinstance(e.value, ValueError)
    with pytest.raises(tf.errors.InvalidArgumentError, match="NaN"):
        tf.debugging.check_numerics(tf.constant([1.0, np.nan]), "after layer 3")
    tf.assert_less(tf.constant([1.0]), 2.0)
    with pytest.raises(ValueError, match="rank 2"):
        tf.debugging.assert_rank(tf.constant([1.0]), 2)
    try:
        raise tf.errors.OutOfRangeError(None, None, "end of sequence")
    except tf.errors.OpError as err:
        assert err.message == "end of sequence"


def test_name_scope_control_dependencies_and_dtypes():
    with tf.name_scope("block") as scope:
        with tf.control_dependencies([tf.no_op()]):
            y = tf.constant(1.0) + 1.0
    assert scope == "block/" and y.numpy() == 2.0
    assert tf.dtypes.float32 == np.float32 and tf.dtypes.cast(tf.constant([1.7]), tf.int32).numpy().tolist() == [1]


def test_clip_by_global_norm_keeps_none_entries():
    a, b = np.array([3.0, 0.0], np.float32), np.array([[4.0]], np.float32)
    clipped, gn = tf.clip_by_global_norm([a, None, b], 1.0)
    assert clipped[1] is None and gn.numpy() == pytest.approx(5.0)
    np.testing.assert_allclose(clipped[0].numpy(), [0.6, 0.0], rtol=1e-6)
    np.testing.assert_allclose(clipped[2].numpy(), [[0.8]], rtol=1e-6)


def test_custom_training_loop_with_clipping_and_gelu_trains():
    """The ops in a Keras 2 custom loop: gelu activations, clip_by_global_norm, apply_gradients."""
    from tensorforge import keras
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32)).astype(np.float32)
    model = keras.Sequential([keras.layers.Dense(16, activation=tf.nn.gelu, input_shape=(3,)),
                              keras.layers.Dense(1)])
    opt = keras.optimizers.Adam(0.05)
    losses = []
    for _ in range(60):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.math.squared_difference(model(x), y))
        grads = tape.gradient(loss, model.trainable_variables)
        grads, _ = tf.clip_by_global_norm(grads, 1.0)
        opt.apply_gradients(zip(grads, model.trainable_variables))
        losses.append(float(loss.numpy()))
    assert losses[-1] < 0.1 * losses[0]


def test_more_debugging_assertions():
    d = tf.debugging
    d.assert_greater_equal(tf.constant([2, 3]), 2)
    d.assert_positive(tf.constant([0.5]))
    d.assert_non_negative(tf.constant([0.0, 1.0]))
    d.assert_near(tf.constant([1.0]), [1.0 + 1e-7])
    d.assert_rank_at_least(tf.zeros((2, 3)), 1)
    d.assert_rank_in(tf.zeros((2, 3)), [1, 2])
    d.assert_integer(tf.constant([1, 2]))
    d.assert_shapes([(tf.zeros((2, 3)), ("N", "D")), (tf.zeros((2,)), ("N",))])
    for call in (lambda: d.assert_less_equal(tf.constant([3]), 2),
                 lambda: d.assert_negative(tf.constant([0.0])),
                 lambda: d.assert_none_equal(tf.constant([1, 2]), [3, 2]),
                 lambda: d.assert_near(tf.constant([1.0]), [1.1]),
                 lambda: tf.Assert(tf.constant(False), ["bad", tf.constant(3)])):
        with pytest.raises(tf.errors.InvalidArgumentError):
            call()
    with pytest.raises(ValueError, match="'N' is 2 elsewhere, 4"):
        d.assert_shapes([(tf.zeros((2, 3)), ("N", "D")), (tf.zeros((4,)), ("N",))])
    with pytest.raises(ValueError, match="rank >= 3"):
        d.assert_rank_at_least(tf.zeros((2, 3)), 3)
    with pytest.raises(TypeError, match="integer"):
        d.assert_integer(tf.constant([1.0]))
    with pytest.raises(TypeError, match="expected int64"):
        d.assert_type(tf.constant([1]), tf.int64)


def test_concat_dtypes_as_tensorflow():
    """tf.concat of tensors of two dtypes is TensorFlow's InvalidArgumentError (it gave a silent
    float64 result); arrays and lists take the first tensor's dtype. Messages and dtypes printed
    by TensorFlow 2.21."""
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"input #1\(zero-based\) was expected to be a int32 tensor but is a float tensor"):
        tf.concat([tf.constant([1]), tf.constant([2.5])], 0)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"expected to be a float tensor but is a double tensor \[Op:ConcatV2\]"):
        tf.concat([tf.constant([1.0]), tf.constant([2.0], tf.float64)], 0)
    for other in (np.array([2.0]), np.array([2], np.int32)):
        r = tf.concat([tf.constant([1.0]), other], 0)
        assert r.dtype == tf.float32
        np.testing.assert_array_equal(r.numpy(), [1.0, 2.0])
