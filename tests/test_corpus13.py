"""The gaps the thirteenth corpus's programs revealed (tools/keras_corpus.md, "Thirteenth
corpus"). Figures marked Keras 2's / TensorFlow's were printed by tools/keras_corpus13_refs.py
under TensorFlow 2.21 / tf_keras 2.21 on a machine without a visible GPU; the others are worked
out from first principles in the test (NumPy loops, hand-derived gradients)."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge import layers as L


def _x():
    return np.arange(24, dtype="float32").reshape(2, 3, 4) ** 1.5 / 10


def _inp_ker():
    inp = np.arange(2 * 5 * 6 * 3, dtype="float32").reshape(2, 5, 6, 3) / 50
    ker = np.linspace(-1, 1, 3 * 3 * 3 * 4, dtype="float32").reshape(3, 3, 3, 4)
    return inp, ker


def _np_conv_valid(x, k, s=1):
    """Cross-correlation, NHWC, 'VALID', stride s: the definition, one output at a time."""
    n, h, w, _ = x.shape
    kh, kw, _, co = k.shape
    oh, ow = (h - kh) // s + 1, (w - kw) // s + 1
    out = np.zeros((n, oh, ow, co), np.float64)
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * s:i * s + kh, j * s:j * s + kw, :].astype(np.float64)
            out[:, i, j, :] = np.tensordot(patch, k.astype(np.float64), axes=([1, 2, 3], [0, 1, 2]))
    return out


# ---- tf.nn.moments (keras-io subclassing_conv_layers' StandardizedConv2D) ----

def test_moments_values_shapes_and_gradient():
    m, v = tf.nn.moments(_x(), axes=[0, 1])
    assert m.shape == (4,) and v.shape == (4,)
    # TensorFlow's figures
    np.testing.assert_allclose(m.numpy(), [3.7606556, 4.206323, 4.6848, 5.190287], rtol=1e-6)
    np.testing.assert_allclose(v.numpy(), [9.857468, 11.016846, 12.132645, 13.230918], rtol=1e-6)
    m, v = tf.nn.moments(_x(), axes=[-1], keepdims=True)
    assert m.shape == (2, 3, 1) and v.shape == (2, 3, 1)  # TensorFlow's shapes
    np.testing.assert_allclose(v.numpy()[..., 0], _x().var(axis=-1), rtol=1e-5)  # population
    m, v = tf.nn.moments(_x(), axes=2)  # an int axis
    np.testing.assert_allclose(m.numpy(), _x().mean(axis=2), rtol=1e-6)
    xv = tf.Variable(_x())
    with tf.GradientTape() as t:
        _, v = tf.nn.moments(xv, axes=[0, 1, 2])
    g = t.gradient(v, xv).numpy()
    # TensorFlow's figures, and the hand-derived d var / dx = 2 (x - mean) / N
    np.testing.assert_allclose(g[0, 0], [-0.3717097, -0.3633764, -0.3481395, -0.3284084],
                               rtol=1e-5)
    np.testing.assert_allclose(g, 2 * (_x() - _x().mean()) / _x().size, rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="moments.*axis 3"):
        tf.nn.moments(_x(), axes=[3])


# ---- tf.nn.conv2d ----

@pytest.mark.parametrize("strides,padding,shape,total", [
    (1, "VALID", (2, 3, 4, 4), 444.4351501464844),  # TensorFlow's figures
    ([1, 1], "VALID", (2, 3, 4, 4), 444.4351501464844),
    ([2, 2], "SAME", (2, 3, 3, 4), -60.45905303955078),
    ([1, 2, 2, 1], "SAME", (2, 3, 3, 4), -60.45905303955078)])
def test_conv2d_argument_forms(strides, padding, shape, total):
    inp, ker = _inp_ker()
    y = tf.nn.conv2d(inp, ker, strides=strides, padding=padding)
    assert y.shape == shape
    np.testing.assert_allclose(float(np.sum(y.numpy())), total, rtol=1e-5)


def test_conv2d_matches_the_definition_and_nchw():
    inp, ker = _inp_ker()
    y = tf.nn.conv2d(inp, ker, strides=[1, 2], padding="VALID").numpy()
    ref = _np_conv_valid(inp, ker, 1)[:, :, ::2, :]  # stride (1, 2): every other column
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)
    # NCHW (TensorFlow runs it on a GPU only): the NHWC result, transposed
    yc = tf.nn.conv2d(np.transpose(inp, (0, 3, 1, 2)), ker, strides=1, padding="VALID",
                      data_format="NCHW").numpy()
    np.testing.assert_allclose(np.transpose(yc, (0, 2, 3, 1)), _np_conv_valid(inp, ker),
                               rtol=1e-5, atol=1e-5)


def test_conv2d_gradient_is_the_input_correlation():
    inp, ker = _inp_ker()
    kv = tf.Variable(ker)
    with tf.GradientTape() as t:
        y = tf.nn.conv2d(inp, kv, strides=1, padding="VALID")
        s = tf.reduce_sum(y)
    g = t.gradient(s, kv).numpy()
    # d sum / d k[a, b, c, o] = sum of the input window x[:, a:a+3, b:b+4, c] (any o)
    ref = np.stack([[inp[:, a:a + 3, b:b + 4, :].sum(axis=(0, 1, 2)) for b in range(3)]
                    for a in range(3)])
    np.testing.assert_allclose(g, np.repeat(ref[..., None], 4, axis=-1), rtol=1e-5)


def test_conv2d_refuses_bad_arguments():
    inp, ker = _inp_ker()
    for bad in ("valid", "FULL"):  # TensorFlow refuses both (InvalidArgumentError)
        with pytest.raises(ValueError, match="conv2d: padding"):
            tf.nn.conv2d(inp, ker, strides=1, padding=bad)
    with pytest.raises(ValueError, match="strides .* batch and channel"):
        tf.nn.conv2d(inp, ker, strides=[2, 1, 1, 1], padding="SAME")
    with pytest.raises(ValueError, match="4-D"):
        tf.nn.conv2d(inp[0], ker, strides=1, padding="SAME")
    with pytest.raises(ValueError, match="data_format"):
        tf.nn.conv2d(inp, ker, strides=1, padding="SAME", data_format="NWHC")


# ---- Conv.convolution_op (Keras 2.7+) ----

def _conv_with_weights(cls):
    inp, ker = _inp_ker()
    c = cls(4, 3, activation="relu")
    c.build((None, 5, 6, 3))
    c.set_weights([ker, np.arange(4, dtype="float32") - 2])
    return c, inp


def test_convolution_op_is_the_bare_convolution():
    c, inp = _conv_with_weights(L.Conv2D)
    op = c.convolution_op(tf.constant(inp), c.kernel).numpy()
    # Keras 2's figures: the convolution alone, then the call with bias and relu
    np.testing.assert_allclose(op.sum(), 444.4351501464844, rtol=1e-5)
    np.testing.assert_allclose(c(inp).numpy().sum(), 396.4351501464844, rtol=1e-5)
    np.testing.assert_allclose(op, _np_conv_valid(inp, c.kernel.numpy()), rtol=1e-5, atol=1e-5)


def test_convolution_op_override_keeps_bias_and_activation():
    class Override(L.Conv2D):
        def convolution_op(self, inputs, kernel):
            return tf.nn.conv2d(inputs, kernel * 2.0, padding="VALID",
                                strides=list(self.strides))

    c, inp = _conv_with_weights(Override)
    y = c(inp).numpy()
    np.testing.assert_allclose(y.sum(), 840.8703002929688, rtol=1e-5)  # Keras 2's figure
    ref = np.maximum(_np_conv_valid(inp, 2 * c.kernel.numpy()) + (np.arange(4) - 2), 0)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)


def test_standardized_conv_trains_in_a_sequential():
    """subclassing_conv_layers.py's two patterns: an override and a call that uses it."""
    class WithOverride(L.Conv2D):
        def convolution_op(self, inputs, kernel):
            mean, var = tf.nn.moments(kernel, axes=[0, 1, 2], keepdims=True)
            return tf.nn.conv2d(inputs, (kernel - mean) / tf.sqrt(var + 1e-10),
                                padding="VALID", strides=list(self.strides))

    class WithCall(L.Conv2D):
        def call(self, inputs):
            mean, var = tf.nn.moments(self.kernel, axes=[0, 1, 2], keepdims=True)
            result = self.convolution_op(inputs, (self.kernel - mean) / tf.sqrt(var + 1e-10))
            return result + self.bias if self.use_bias else result

    m = keras.Sequential([L.InputLayer(input_shape=(8, 8, 1)), WithCall(3, 3),
                          WithOverride(2, 3, activation="relu"), L.Flatten(), L.Dense(2)])
    m.compile("sgd", "mse")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(8, 8, 8, 1)).astype("float32"), rng.normal(size=(8, 2))
    w0 = [w.copy() for w in m.get_weights()]
    m.fit(x, y, epochs=1, verbose=0)
    assert all(not np.allclose(a, b) for a, b in zip(w0, m.get_weights()))  # all trained
    # the override's kernel is standardized per output filter: mean 0, variance 1
    k = m.layers[1].kernel.numpy()
    ks = (k - k.mean(axis=(0, 1, 2))) / np.sqrt(k.var(axis=(0, 1, 2)) + 1e-10)
    h = m.layers[0](x).numpy()
    ref = np.maximum(_np_conv_valid(h, ks) + m.layers[1].bias.numpy(), 0)
    np.testing.assert_allclose(m.layers[1](h).numpy(), ref, rtol=1e-4, atol=1e-4)


# ---- tf.Module (tensorflow/docs guide basic_training_loops) ----

class MyModel(tf.Module):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.w = tf.Variable(5.0)
        self.b = tf.Variable(0.0)

    def __call__(self, x):
        return self.w * x + self.b


class Outer(tf.Module):
    def __init__(self):
        super().__init__()
        self.z_inner = MyModel(name="inner")
        self.a = [tf.Variable(1.0), {"k": tf.Variable(2.0, trainable=False)}]
        self.dense = L.Dense(2)
        self.dense.build((None, 3))


def test_module_variables_in_tensorflows_order():
    m = MyModel()
    assert m.name == "my_model"  # TensorFlow's name
    assert type("HTTPServer2", (tf.Module,), {})().name == "http_server2"  # camel -> snake
    assert [float(v.numpy()) for v in m.variables] == [0.0, 5.0]  # sorted: b, then w
    assert isinstance(m.variables, tuple)
    assert float(m(3.0).numpy()) == 15.0
    o = Outer()
    assert o.name == "outer"
    # TensorFlow's: own variables (a's list and dict), then sub-modules depth first
    assert [tuple(v.shape) for v in o.variables] == [(), (), (3, 2), (2,), (), ()]
    assert [float(v.numpy()) for v in o.variables[:2]] == [1.0, 2.0]
    assert [tuple(v.shape) for v in o.trainable_variables] == [(), (3, 2), (2,), (), ()]
    assert [float(v.numpy()) for v in o.non_trainable_variables] == [2.0]
    assert [type(s).__name__ for s in o.submodules] == ["Dense", "MyModel"]
    assert o.variables[-1] is o.z_inner.w and o.variables[2] is o.dense.kernel
    with pytest.raises(ValueError, match="module name"):
        MyModel(name="1bad name")  # TensorFlow: ValueError


def test_module_gradient_tape_training_step():
    """The guide's train(): one gradient-descent step on y = 3x + 2, derived by hand."""
    m = MyModel()
    x = np.linspace(-2, 2, 5).astype("float32")
    y = 3 * x + 2
    with tf.GradientTape() as t:
        loss = tf.reduce_mean(tf.square(y - m(x)))
    dw, db = t.gradient(loss, [m.w, m.b])
    # err = 2x - 2: dL/dw = mean(2 err x) = 8, dL/db = mean(2 err) = -4 (mean x = 0, x^2 = 2)
    np.testing.assert_allclose([float(dw.numpy()), float(db.numpy())], [8.0, -4.0], rtol=1e-6)
    m.w.assign_sub(0.1 * dw)
    m.b.assign_sub(0.1 * db)
    np.testing.assert_allclose([float(m.w.numpy()), float(m.b.numpy())], [4.2, 0.4], rtol=1e-6)


# ---- what a GradientTape watches (tensorflow/docs guide/autodiff) ----

def _num(g):
    return None if g is None else float(g.numpy())


def test_tape_gives_none_for_unwatched_sources():
    x0 = tf.Variable(3.0, name="x0")
    x1 = tf.Variable(3.0, name="x1", trainable=False)
    x2 = tf.Variable(2.0, name="x2") + 1.0  # a tensor made before the tape: not watched
    x3 = tf.constant(3.0, name="x3")
    with tf.GradientTape() as tape:
        y = (x0 ** 2) + (x1 ** 2) + (x2 ** 2)
    # TensorFlow's: [6.0, None, None, None], and only x0 watched
    assert [_num(g) for g in tape.gradient(y, [x0, x1, x2, x3])] == [6.0, None, None, None]
    assert [v is x0 for v in tape.watched_variables()] == [True]


def test_tape_without_watch_accessed_variables():
    a0, a1 = tf.Variable(0.0), tf.Variable(10.0)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(a1)
        ys = tf.reduce_sum(tf.math.sin(a0) + tf.nn.softplus(a1))
    g = tape.gradient(ys, {"x0": a0, "x1": a1})
    assert g["x0"] is None  # TensorFlow's
    np.testing.assert_allclose(_num(g["x1"]), 1 / (1 + np.exp(-10.0)), rtol=1e-6)  # sigmoid(10)
    assert len(tape.watched_variables()) == 1 and tape.watched_variables()[0] is a1


def test_tape_replaced_variable_and_intermediates():
    x = tf.Variable(2.0)
    out = []
    for _ in range(2):
        with tf.GradientTape() as tape:
            y = x + 1
        out.append(_num(tape.gradient(y, x)))
        x = x + 1  # a Tensor now, made outside the next tape
    assert out == [1.0, None]  # TensorFlow's
    t = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(t)
        h = t * t
        z = tf.reduce_sum(h * 3.0)
    np.testing.assert_allclose(tape.gradient(z, h).numpy(), [3.0, 3.0])  # made in the block


def test_tape_int_watch_warns_and_nested_watched_variables():
    with tf.GradientTape() as tape:
        xi = tf.constant(10)
        with pytest.warns(UserWarning, match="watched tensor must be floating"):
            tape.watch(xi)
        yi = xi * xi
    assert tape.gradient(yi, xi) is None  # TensorFlow's (with the same warning)
    v = tf.Variable(2.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            y = v * v
        w2 = tf.Variable(1.0)
        z = w2 * 3.0
        s = y + z
    # TensorFlow's: the inner tape watched v, the outer one v and w2
    assert [u is v for u in inner.watched_variables()] == [True]
    assert len(outer.watched_variables()) == 2 and outer.watched_variables()[1] is w2
    np.testing.assert_allclose(_num(outer.gradient(s, v)), 4.0)


def test_tape_walk_passes_only_through_its_block():
    v = tf.Variable(2.0)
    u = v * 3.0  # before the block: TensorFlow did not record it
    with tf.GradientTape(persistent=True) as tape:
        y = u * v
    assert _num(tape.gradient(y, v)) == 6.0  # TensorFlow's: u, not u + 3v = 12
    z = y * 2.0  # after the block
    assert tape.gradient(z, v) is None  # TensorFlow's
    with tf.GradientTape() as tape:
        y = u * v
        w = y * 2.0
    assert _num(tape.gradient(w, v)) == 12.0  # 2u, through the block's two ops


def test_tape_layer_weights_and_unconnected_zero():
    layer = L.Dense(2, activation="relu", kernel_initializer="ones")
    x = tf.constant([[1.0, 2.0, 3.0]])
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(layer(x) ** 2)
    gk, gb = tape.gradient(loss, layer.trainable_variables)
    # y = 6 per unit: d mean(y^2) / d y = y = 6; kernel grad = x^T * 6, bias grad 6
    np.testing.assert_allclose(gk.numpy(), np.outer([1.0, 2.0, 3.0], [6.0, 6.0]))
    np.testing.assert_allclose(gb.numpy(), [6.0, 6.0])
    assert len(tape.watched_variables()) == 2
    x, y = tf.Variable([2.0, 2.0]), tf.Variable(3.0)
    for how in (tf.UnconnectedGradients.ZERO, "zero"):
        with tf.GradientTape() as tape:
            z = y ** 2
        np.testing.assert_array_equal(tape.gradient(z, x, unconnected_gradients=how).numpy(),
                                      [0.0, 0.0])
    assert tf.UnconnectedGradients.ZERO.value == "zero"  # TensorFlow's enum values
    assert tf.UnconnectedGradients.NONE.value == "none"


def test_train_step_override_still_trains():
    """A train_step override's tape (engine/custom_step.py) gives every weight its gradient."""
    class M(keras.Model):
        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(self(x, training=True) - y))
            grads = tape.gradient(loss, self.trainable_variables)
            assert all(g is not None for g in grads)
            self.optimizer.apply_gradients(zip(grads, self.trainable_variables))
            return {"loss": loss}

    inp = keras.Input((3,))
    m = M(inp, L.Dense(1)(L.Dense(4)(inp)))
    m.compile("sgd")
    rng = np.random.default_rng(1)
    w0 = [w.copy() for w in m.get_weights()]
    m.fit(rng.normal(size=(16, 3)), rng.normal(size=(16, 1)), epochs=1, verbose=0)
    assert all(not np.allclose(a, b) for a, b in zip(w0, m.get_weights()))


# ---- tf.image.adjust_contrast ----

def test_adjust_contrast_values_and_no_gradient():
    img = np.arange(12, dtype="float32").reshape(2, 2, 3) / 10
    out = tf.image.adjust_contrast(img, 2.0).numpy()
    # TensorFlow's figures, and (x - per-channel mean) * 2 + mean
    np.testing.assert_allclose(out.ravel(), [-0.45, -0.35, -0.25, 0.15, 0.25, 0.35, 0.75, 0.85,
                                             0.95, 1.35, 1.45, 1.55], rtol=1e-5, atol=1e-6)
    mean = img.mean(axis=(0, 1))
    np.testing.assert_allclose(out, (img - mean) * 2 + mean, rtol=1e-6, atol=1e-6)
    u8 = (np.arange(12).reshape(2, 2, 3) * 20).astype("uint8")
    r = tf.image.adjust_contrast(u8, 3.0).numpy()
    assert r.dtype == np.uint8  # TensorFlow's, saturated
    assert r.ravel().tolist() == [0, 0, 0, 0, 20, 40, 180, 200, 220, 255, 255, 255]
    image = tf.Variable([[[0.5, 0.0, 0.0]]])
    with tf.GradientTape() as tape:
        new_image = tf.image.adjust_contrast(image, 0.1)
    with pytest.raises(LookupError, match="no entry for: AdjustContrastv2"):  # TensorFlow's
        tape.gradient(new_image, image)
    with pytest.raises(ValueError, match="at least 3-D"):
        tf.image.adjust_contrast(np.zeros((2, 3), "float32"), 2.0)


@pytest.mark.parametrize("pad,op_shape,op_sum,call_sum,over_shape,over_sum", [
    # Keras 2's figures (tools/keras_corpus13_refs.py)
    ("valid", (2, 5, 2), 14.11764907836914, 14.117647171020508, (2, 5, 2), 28.282352447509766),
    ("same", (2, 7, 2), 9.411765098571777, 9.411766052246094, (2, 7, 2), 40.94117736816406),
    ("causal", (2, 3, 2), 16.094118118286133, 43.764705657958984, (2, 7, 2), 87.75293731689453)])
def test_conv1d_convolution_op(pad, op_shape, op_sum, call_sum, over_shape, over_sum):
    seq = np.arange(2 * 7 * 3, dtype="float32").reshape(2, 7, 3) / 20
    k1 = np.linspace(-1, 1, 3 * 3 * 2, dtype="float32").reshape(3, 3, 2)

    class Override1D(L.Conv1D):
        def convolution_op(self, inputs, kernel):
            return super().convolution_op(inputs, kernel * 2.0)

    d = 2 if pad == "causal" else 1
    c1 = L.Conv1D(2, 3, padding=pad, dilation_rate=d)
    c1.build((None, 7, 3))
    c1.set_weights([k1, np.array([0.5, -0.5], "float32")])
    o1 = Override1D(2, 3, padding=pad, activation="relu", dilation_rate=d)
    o1.build((None, 7, 3))
    o1.set_weights([k1, np.array([0.5, -0.5], "float32")])
    op = c1.convolution_op(tf.constant(seq), c1.kernel).numpy()
    assert op.shape == op_shape
    np.testing.assert_allclose(op.sum(), op_sum, rtol=1e-5)
    np.testing.assert_allclose(c1(seq).numpy().sum(), call_sum, rtol=1e-5)
    y = o1(seq).numpy()
    assert y.shape == over_shape
    np.testing.assert_allclose(y.sum(), over_sum, rtol=1e-5)
    if pad == "causal":  # the override's output: relu(causal conv with 2k + bias), by hand
        xp = np.concatenate([np.zeros((2, 4, 3), "float32"), seq], axis=1)
        ref = np.stack([np.einsum("bkc,kco->bo", xp[:, t:t + 5:2, :], 2 * k1)
                        for t in range(7)], axis=1) + [0.5, -0.5]
        np.testing.assert_allclose(y, np.maximum(ref, 0), rtol=1e-5, atol=1e-5)
