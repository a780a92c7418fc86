"""The gaps the twenty-fourth corpus's programs revealed (keras-io's vision examples,
tools/keras_corpus.md "Twenty-fourth corpus"). Figures marked TensorFlow's / Keras 2's were
printed by tools/keras_corpus24_refs.py under TensorFlow 2.21 / tf_keras 2.21; the others are
worked out in the test."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.layers import convolutional_recurrent as _cr


# ---- tf.image.resize(preserve_aspect_ratio=True) (handwriting_recognition.py) ----

def test_resize_preserve_aspect_ratio_values():
    img = np.arange(2 * 6 * 1, dtype=np.float32).reshape(2, 6, 1)
    r = tf.image.resize(img, (4, 4), preserve_aspect_ratio=True)
    assert r.shape == (1, 4, 1)
    np.testing.assert_allclose(r.numpy().ravel(), [3.25, 4.75, 6.25, 7.75], rtol=1e-6)  # TF's


@pytest.mark.parametrize("shape,size,method,want", [
    ((3, 50, 200, 1), (32, 128), "bilinear", (3, 32, 128, 1)),   # TensorFlow's shapes
    ((7, 3, 1), (32, 128), "bilinear", (32, 14, 1)),
    ((5, 5, 1), (3, 4), "nearest", (3, 3, 1)),
])
def test_resize_preserve_aspect_ratio_shapes(shape, size, method, want):
    r = tf.image.resize(np.ones(shape, np.float32), size, method=method,
                        preserve_aspect_ratio=True)
    assert tuple(r.shape) == want


def test_resize_antialias_still_refused():
    with pytest.raises(ValueError, match="tf.image.resize: antialias"):
        tf.image.resize(np.ones((4, 4, 1), np.float32), (2, 2), antialias=True)


# ---- Tensor % (handwriting_recognition.py: ``pad_height % 2`` on a tf.shape difference) ----

@pytest.mark.parametrize("a,b,want,dtype", [
    (lambda: tf.constant(27), lambda: 2, 1, "int32"),            # TensorFlow's
    (lambda: tf.constant(-7), lambda: 3, 2, "int32"),
    (lambda: 7, lambda: tf.constant(3), 1, "int32"),
    (lambda: tf.constant([5.5, -1.5]), lambda: 2, [1.5, 0.5], "float32"),
    (lambda: tf.constant(7.0), lambda: -2.0, -1.0, "float32"),
])
def test_tensor_mod_is_floormod(a, b, want, dtype):
    r = a() % b()
    np.testing.assert_allclose(r.numpy(), want)
    assert np.dtype(r.dtype) == np.dtype(dtype)


def test_tensor_mod_of_a_shape_difference():
    pad = 32 - tf.shape(np.zeros((5, 3)))[0]
    assert int(pad % 2) == 1 and int(pad // 2) == 13


# ---- K.ctc_batch_cost: trailing labels >= num_classes - 1 are null labels ----

def _ctc_inputs():
    rng = np.random.default_rng(0)
    y_pred = rng.random((3, 8, 6)).astype("float32")
    y_pred /= y_pred.sum(-1, keepdims=True)
    return y_pred, np.full((3, 1), 8, "int64")


def test_ctc_batch_cost_drops_trailing_null_labels():
    y_pred, il = _ctc_inputs()
    y_true = np.array([[1, 2, 99, 99], [3, 3, 1, 99], [4, 0, 2, 5]], "float32")
    want = [10.636399, 9.03827, 9.599262]  # Keras 2's, padded and trimmed alike
    padded = keras.backend.ctc_batch_cost(y_true, y_pred, il, np.full((3, 1), 4))
    trimmed = keras.backend.ctc_batch_cost(y_true, y_pred, il, np.array([[2], [3], [3]]))
    assert padded.shape == (3, 1)
    np.testing.assert_allclose(padded.numpy().ravel(), want, rtol=1e-5)
    np.testing.assert_allclose(trimmed.numpy().ravel(), want, rtol=1e-5)


def test_ctc_batch_cost_label_after_null_label_raises():
    y_pred, il = _ctc_inputs()
    with pytest.raises(ValueError, match=r"ctc_batch_cost: saw a non-null label .* sample 0"):
        keras.backend.ctc_batch_cost(np.array([[1, 99, 2]], "float32"), y_pred[:1], il[:1],
                                     np.array([[3]]))


def test_ctc_batch_cost_negative_label_still_raises():
    y_pred, il = _ctc_inputs()
    with pytest.raises(ValueError, match="ctc_loss: labels must lie in"):
        keras.backend.ctc_batch_cost(np.array([[1, 2, -1]], "float32"), y_pred[:1], il[:1],
                                     np.array([[3]]))


# ---- tf.cast of a SparseTensor (handwriting_recognition.py's edit distance) ----

def test_cast_sparse_tensor_then_edit_distance():
    labels = tf.constant([[3.0, 1.0, 0.0], [2.0, 0.0, 0.0]])
    s = tf.cast(tf.sparse.from_dense(labels), dtype=tf.int64)
    assert s.indices.numpy().tolist() == [[0, 0], [0, 1], [1, 0]]  # TensorFlow's
    np.testing.assert_array_equal(s.values.numpy(), [3, 1, 2])
    assert np.dtype(s.values.dtype) == np.int64
    np.testing.assert_array_equal(s.dense_shape.numpy(), [2, 3])
    pred = tf.cast(tf.sparse.from_dense(tf.constant([[3, 2, 0], [2, 0, 0]], dtype=tf.int64)),
                   tf.int64)
    np.testing.assert_allclose(tf.edit_distance(pred, s, normalize=False).numpy(), [1.0, 0.0])


# ---- ConvLSTM2D's fused step (conv_lstm.py ran out of memory) ----

def _convlstm_run(act, ract, rs):
    rng = np.random.default_rng(0)
    rng.random((3, 8, 6))  # the refs script draws y_pred first from the same generator
    x = rng.standard_normal((2, 4, 6, 5, 3)).astype("float32")
    layer = keras.layers.ConvLSTM2D(4, 3, padding="same", activation=act,
                                    recurrent_activation=ract, return_sequences=rs,
                                    go_backwards=not rs)
    layer.build((None, None, 6, 5, 3))
    w = np.random.default_rng(7)
    layer.set_weights([w.standard_normal((3, 3, 3, 16)).astype("float32") * 0.3,
                       w.standard_normal((3, 3, 4, 16)).astype("float32") * 0.3,
                       w.standard_normal(16).astype("float32") * 0.1])
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = layer(xt)
        loss = tf.reduce_sum(y * y)
    g = tape.gradient(loss, layer.trainable_weights + [xt])
    return y, loss, g


@pytest.mark.parametrize("act,ract,rs,y_sum,loss,grad_sums,probe", [
    # Keras 2's (tools/keras_corpus24_refs.py)
    ("relu", "hard_sigmoid", True, 188.082581, 198.063675,
     [-1135.10657, 2313.25464, 563.90118, -341.08862],
     ((0, -1, 2, 3), [0.0244482, 0.1576422, 0.0064233, 0.0])),
    ("tanh", "sigmoid", False, -2.231564, 11.658252,
     [-25.86126, 11.29539, 13.47455, -8.27031],
     ((1, 4, 1), [-0.0492279, 0.1000115, 0.0372166, -0.0226019])),
])
def test_convlstm_matches_keras(act, ract, rs, y_sum, loss, grad_sums, probe):
    y, l, g = _convlstm_run(act, ract, rs)
    np.testing.assert_allclose(float(tf.reduce_sum(y)), y_sum, rtol=1e-4)
    np.testing.assert_allclose(float(l), loss, rtol=1e-4)
    np.testing.assert_allclose([float(tf.reduce_sum(v)) for v in g], grad_sums, rtol=1e-4,
                               atol=1e-3)
    np.testing.assert_allclose(y.numpy()[probe[0]], probe[1], rtol=1e-4, atol=1e-6)


def test_convlstm_fused_step_equals_the_op_by_op_step(monkeypatch):
    fused = _convlstm_run("relu", "hard_sigmoid", True)
    monkeypatch.setattr(_cr, "_act_kind", lambda fn: None)  # the op-by-op path
    plain = _convlstm_run("relu", "hard_sigmoid", True)
    np.testing.assert_allclose(fused[0].numpy(), plain[0].numpy(), rtol=1e-5, atol=1e-6)
    for a, b in zip(fused[2], plain[2]):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-4, atol=1e-5)


def test_convlstm_fused_step_keeps_fewer_arrays_for_backward():
    """The graph of one training step holds a few arrays a time step (its inputs, the state
    and the convolutions' outputs), not the thirty of the op-by-op step: counted as the
    distinct arrays the recorded nodes keep (a memory bound without timing or RSS), with the
    nodes keeping their inputs and in a first-order graph (Note [what a node keeps])."""
    from tensorforge.autograd import Tensor, keeping_inputs

    def held(fused, keep):
        if not fused:
            orig = _cr._act_kind
            _cr._act_kind = lambda fn: None
        try:
            layer = keras.layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True)
            with tf.GradientTape(), keeping_inputs(keep):
                y = layer(tf.constant(np.ones((1, 6, 4, 4, 1), np.float32)), training=True)
        finally:
            if not fused:
                _cr._act_kind = orig
        seen, arrays, stack = set(), set(), [y._node]
        while stack:
            node = stack.pop()
            if node is None or id(node) in seen:
                continue
            seen.add(id(node))
            # what backward saved, and the input Tensors (a leaf's, in a first-order graph:
            # Note [what a node keeps] in autograd/function.py); an _Edge holds no array
            for a in tuple(getattr(node.ctx, "saved", None) or ()) + tuple(node.inputs or ()):
                if isinstance(a, (Tensor, np.ndarray)):
                    arrays.add(id(a.data if isinstance(a, Tensor) else a))
            stack.extend(getattr(t, "_node", None) for t in node.inputs or ())
        return len(arrays)

    assert held(True, True) * 2 < held(False, True)  # nodes keeping their inputs
    assert held(True, False) < held(False, False)  # a first-order graph: what backward saved
