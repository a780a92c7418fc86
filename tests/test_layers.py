"""Every Keras layer: forward against an independent float64 NumPy reference written here, and
gradients (input and every weight) against finite differences of that reference.

check_layer() drives one layer: y = layer(x); loss = sum(y * R) for a fixed random R; the
autograd gradients of loss must match central differences of sum(ref(x, weights) * R).
"""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import layers as L
from tensorforge.autograd import Tensor, enable_grad

from tfhelpers import assert_close, assert_grad_close, numeric_grad


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def check_layer(layer, x, ref, rng, wrt_x=True, training=False, mask=None, fwd_tol=1e-4,
                eps=1e-4):
    """Forward vs ref(x64, [w64...]) and grads of sum(y*R) vs finite differences of ref."""
    x = np.asarray(x, dtype=np.float32)
    xt = Tensor(x.copy(), requires_grad=wrt_x)
    y = layer(xt, training=training, mask=mask) if mask is not None else layer(xt, training=training)
    ws64 = [w.astype(np.float64) for w in layer.get_weights()]
    x64 = x.astype(np.float64)
    y_ref = ref(x64, ws64)
    assert y.shape == y_ref.shape, f"{layer.name}: shape {y.shape} != reference {y_ref.shape}"
    err = np.abs(y.numpy() - y_ref).max()
    assert err <= fwd_tol * max(1.0, np.abs(y_ref).max()), f"{layer.name}: forward error {err:.3g}"
    R = rng.standard_normal(y_ref.shape)
    (y * R.astype(np.float32)).sum().backward()
    targets = ([("x", xt, x64)] if wrt_x else []) + [
        (t.name, t, w) for t, w in zip(layer.weights, ws64) if t.requires_grad]
    for name, t, arr in targets:
        def f():
            return float((ref(x64, ws64) * R).sum())
        num = numeric_grad(f, arr, eps=eps)
        assert t.grad is not None, f"{name}: no gradient"
        assert_grad_close(t.grad, num, what=f"{layer.name} d/d{name}")
    return y


# ---- Dense / Activation / Flatten / Reshape / Dropout ------------------------------------------
@pytest.mark.parametrize("act", ["linear", "relu", "tanh", "sigmoid", "softmax", "elu", "selu",
                                 "softplus", "leaky_relu", "hard_sigmoid"])
def test_dense_forward_and_grads(act, rng):
    refs = {
        "linear": lambda z: z, "relu": lambda z: np.maximum(z, 0), "tanh": np.tanh,
        "sigmoid": _sig, "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0))),
        "selu": lambda z: 1.0507009873554805 * np.where(z > 0, z, 1.6732632423543772 * np.expm1(np.minimum(z, 0))),
        "softplus": lambda z: np.log1p(np.exp(z)), "leaky_relu": lambda z: np.where(z > 0, z, 0.3 * z),
        "hard_sigmoid": lambda z: np.clip(0.2 * z + 0.5, 0, 1),
        "softmax": lambda z: np.exp(z - z.max(-1, keepdims=True)) / np.exp(z - z.max(-1, keepdims=True)).sum(-1, keepdims=True),
    }
    layer = L.Dense(5, activation=act, bias_initializer="random_normal")
    x = rng.standard_normal((4, 7))
    x[np.abs(x) < 0.05] = 0.3  # keep finite differences away from kinks
    layer(x)  # build
    check_layer(layer, x, lambda x, w: refs[act](x @ w[0] + w[1]), rng)


def test_dense_on_sequences_and_no_bias(rng, backend):
    layer = L.Dense(3, use_bias=False)
    x = rng.standard_normal((2, 4, 6))
    layer(x)
    assert len(layer.weights) == 1
    check_layer(layer, x, lambda x, w: x @ w[0], rng)


def test_activation_layer_and_functions(rng):
    x = rng.standard_normal((3, 5))
    for name in ["relu", "tanh", "sigmoid", "softmax"]:
        layer = L.Activation(name)
        y = layer(x)
        z = tf.activations.get(name)(x.astype(np.float32))
        assert np.allclose(y.numpy(), np.asarray(z), atol=1e-6)
    layer = L.Activation("tanh")
    check_layer(layer, x, lambda x, w: np.tanh(x), rng)
    with pytest.raises(ValueError, match="unknown activation"):
        L.Activation("nope")


def test_flatten_reshape(rng):
    x = rng.standard_normal((2, 3, 4, 5))
    f = L.Flatten()
    check_layer(f, x, lambda x, w: x.reshape(2, -1), rng)
    assert f.compute_output_shape((None, 3, 4, 5)) == (None, 60)
    r = L.Reshape((5, -1))
    check_layer(r, x, lambda x, w: x.reshape(2, 5, 12), rng)
    assert r.compute_output_shape((None, 3, 4, 5)) == (None, 5, 12)
    with pytest.raises(ValueError, match="total size"):
        L.Reshape((7,))(x)


def test_dropout_training_vs_inference(rng):
    x = rng.standard_normal((50, 40)).astype(np.float32)
    d = L.Dropout(0.25)
    assert np.array_equal(d(x, training=False).numpy(), x)
    xt = Tensor(x, requires_grad=True)
    y = d(xt, training=True)
    yv = y.numpy()
    kept = yv != 0
    assert 0.65 < kept.mean() < 0.85
    assert np.allclose(yv[kept], x[kept] / 0.75, rtol=1e-6)
    y.sum().backward()
    assert np.allclose(xt.grad, kept / 0.75, rtol=1e-6)
    with pytest.raises(ValueError, match="rate"):
        L.Dropout(1.0)


def test_dropout_noise_shape_shares_the_mask(rng):
    # Keras 2: noise_shape (None, 1, C) keeps or drops a channel for every step of a sample
    x = rng.standard_normal((40, 6, 8)).astype(np.float32) + 5.0
    d = L.Dropout(0.5, noise_shape=(None, 1, 8))
    xt = Tensor(x, requires_grad=True)
    y = d(xt, training=True)
    keep = y.numpy() / x
    assert np.allclose(keep, keep[:, :1, :], rtol=1e-6)          # shared along the steps
    assert set(np.round(np.unique(keep), 5)) <= {0.0, 2.0}
    assert 0.35 < (keep[:, 0, :] != 0).mean() < 0.65             # drawn per (sample, channel)
    y.sum().backward()
    assert np.allclose(xt.grad, keep, rtol=1e-6)
    assert np.array_equal(d(x, training=False).numpy(), x)
    assert L.Dropout.from_config(d.get_config()).noise_shape == (None, 1, 8)
    with pytest.raises(ValueError, match=r"noise_shape \(None, 2, 8\).*\(40, 6, 8\)"):
        L.Dropout(0.5, noise_shape=(None, 2, 8))(x, training=True)
    with pytest.raises(ValueError, match="noise_shape"):
        L.Dropout(0.5, noise_shape=(None, 0, 8))


# ---- Conv2D / pooling -------------------------------------------------------------------------
def _conv_ref(x, w, b, stride, padding, dil=(1, 1)):
    """Direct NHWC convolution in float64, TF 'same' padding (extra on bottom/right)."""
    N, H, W, C = x.shape
    KH, KW, _, O = w.shape
    sh, sw = stride
    dh, dw = dil
    ekh, ekw = (KH - 1) * dh + 1, (KW - 1) * dw + 1
    if padding == "same":
        OH, OW = -(-H // sh), -(-W // sw)
        ph = max((OH - 1) * sh + ekh - H, 0)
        pw = max((OW - 1) * sw + ekw - W, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    else:
        OH, OW = (H - ekh) // sh + 1, (W - ekw) // sw + 1
    y = np.zeros((N, OH, OW, O))
    for i in range(KH):
        for j in range(KW):
            patch = x[:, i * dh:i * dh + (OH - 1) * sh + 1:sh, j * dw:j * dw + (OW - 1) * sw + 1:sw, :]
            y += patch @ w[i, j]
    return y + (b if b is not None else 0)


@pytest.mark.parametrize("padding,strides,act", [("valid", 1, None), ("same", 2, "relu"),
                                                 ("same", 1, "tanh")])
def test_conv2d(padding, strides, act, rng, backend):
    layer = L.Conv2D(4, (3, 2), strides=strides, padding=padding, activation=act,
                     bias_initializer="random_normal")
    x = rng.standard_normal((2, 6, 5, 3))
    layer(x)
    # Weights from the seeded rng, not the unseeded initializer: a pre-activation that lands
    # within eps of ReLU's kink makes the finite difference disagree with the true gradient.
    layer.set_weights([rng.standard_normal(w.shape).astype(np.float32) for w in layer.get_weights()])
    f = {None: lambda z: z, "relu": lambda z: np.maximum(z, 0), "tanh": np.tanh}[act]
    s = (strides, strides)
    y = check_layer(layer, x, lambda x, w: f(_conv_ref(x, w[0], w[1], s, padding)), rng)
    assert y.shape[1:] == layer.compute_output_shape((None, 6, 5, 3))[1:]


def test_conv2d_channels_first(rng):
    layer = L.Conv2D(3, 3, data_format="channels_first", padding="same")
    x = rng.standard_normal((2, 2, 5, 5))  # (N, C, H, W)
    layer(x)
    assert layer.kernel.shape == (3, 3, 2, 3)  # Keras keeps (KH, KW, C_in, C_out)
    check_layer(layer, x, lambda x, w: _conv_ref(x.transpose(0, 2, 3, 1), w[0], w[1], (1, 1),
                                                 "same").transpose(0, 3, 1, 2), rng)
    assert layer.compute_output_shape((None, 2, 5, 5)) == (None, 3, 5, 5)


def _pool_ref(x, k, s, padding, kind):
    N, H, W, C = x.shape
    if padding == "same":
        OH, OW = -(-H // s), -(-W // s)
        ph, pw = max((OH - 1) * s + k - H, 0), max((OW - 1) * s + k - W, 0)
        pad = ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0))
        xp = np.pad(x, pad, constant_values=np.nan)
    else:
        OH, OW = (H - k) // s + 1, (W - k) // s + 1
        xp = x
    y = np.zeros((N, OH, OW, C))
    for i in range(OH):
        for j in range(OW):
            win = xp[:, i * s:i * s + k, j * s:j * s + k, :]
            y[:, i, j] = np.nanmax(win, axis=(1, 2)) if kind == "max" else np.nanmean(win, axis=(1, 2))
    return y


@pytest.mark.parametrize("cls,kind", [(L.MaxPooling2D, "max"), (L.AveragePooling2D, "avg")])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_pooling(cls, kind, padding, rng, backend):
    layer = cls(pool_size=2, strides=2, padding=padding)
    x = rng.permutation(2 * 5 * 5 * 3).reshape(2, 5, 5, 3) / 10.0  # distinct values: no max ties
    y = check_layer(layer, x, lambda x, w: _pool_ref(x, 2, 2, padding, kind), rng, eps=1e-3)
    assert y.shape[1:] == layer.compute_output_shape((None, 5, 5, 3))[1:]


def test_global_average_pooling(rng):
    layer = L.GlobalAveragePooling2D()
    x = rng.standard_normal((3, 4, 5, 6))
    check_layer(layer, x, lambda x, w: x.mean(axis=(1, 2)), rng)


# ---- BatchNormalization ------------------------------------------------------------------------
def test_batchnorm_training_and_inference(rng):
    layer = L.BatchNormalization(gamma_initializer="random_normal", beta_initializer="random_normal")
    x = rng.standard_normal((8, 3, 4)) * 2 + 1
    layer(x)
    mm0, mv0 = layer.moving_mean.numpy().copy(), layer.moving_variance.numpy().copy()

    def ref_train(x, w):
        g, b = w[0], w[1]
        m = x.reshape(-1, 4).mean(0)
        v = x.reshape(-1, 4).var(0)
        return (x - m) / np.sqrt(v + 1e-3) * g + b

    # check_layer runs the forward several times through the reference only; the layer once.
    check_layer(layer, x, ref_train, rng, training=True)
    xm = x.reshape(-1, 4)
    assert_close(layer.moving_mean.numpy(), 0.99 * mm0 + 0.01 * xm.mean(0), factor=64)
    # a 3-D input: the biased variance, as tf_keras's unfused path (Note [moving variance])
    assert_close(layer.moving_variance.numpy(), 0.99 * mv0 + 0.01 * xm.var(0), factor=64)
    assert not layer.moving_mean.requires_grad
    w = [a.astype(np.float64) for a in layer.get_weights()]
    y = layer(x, training=False).numpy()
    assert_close(y, (x - w[2]) / np.sqrt(w[3] + 1e-3) * w[0] + w[1], factor=64, atol=1e-6)
    assert layer.count_params() == 16 and len(layer.trainable_weights) == 2


# ---- Embedding -----------------------------------------------------------------------------------
def test_embedding_lookup_grad_and_mask(rng):
    layer = L.Embedding(7, 3, mask_zero=True)
    ids = np.array([[1, 2, 0], [3, 3, 6]])
    with enable_grad():  # outside a tape a Keras call records only in grad mode asked for
        y = layer(ids)  # (Note [eager calls record nothing])
    E = layer.get_weights()[0]
    assert np.array_equal(y.numpy(), E[ids])
    (y * 2.0).sum().backward()
    expect = np.zeros_like(E)
    np.add.at(expect, ids.reshape(-1), 2.0)
    assert np.allclose(layer.embeddings.grad, expect)
    assert np.array_equal(layer.compute_mask(ids), ids != 0)
    with pytest.raises(ValueError, match="ids must lie"):
        layer(np.array([[7]]))
    pre = rng.standard_normal((5, 2)).astype(np.float32)
    fixed = L.Embedding(5, 2, weights=[pre], trainable=False)
    assert np.array_equal(fixed(np.array([[4, 0]])).numpy(), pre[[[4, 0]]])
    assert fixed.trainable_weights == []


# ---- recurrent ------------------------------------------------------------------------------------
def _run_ref(step, x, U, go_backwards, mask, n_state):
    B, T, _ = x.shape
    states = [np.zeros((B, U)) for _ in range(n_state)]
    outs = []
    order = range(T - 1, -1, -1) if go_backwards else range(T)
    for t in order:
        new = step(x[:, t], states)
        if mask is not None:
            m = mask[:, t:t + 1].astype(np.float64)
            new = [m * a + (1 - m) * b for a, b in zip(new, states)]
        states = new
        outs.append(states[0])
    return np.stack(outs, 1), states


def _lstm_ref(x, w, U, go_backwards=False, mask=None, return_sequences=False):
    k, rk, b = w

    def step(xt, st):
        h, c = st
        z = xt @ k + h @ rk + b
        i, f, g, o = _sig(z[:, :U]), _sig(z[:, U:2 * U]), np.tanh(z[:, 2 * U:3 * U]), _sig(z[:, 3 * U:])
        c = f * c + i * g
        return [o * np.tanh(c), c]
    seq, st = _run_ref(step, x, U, go_backwards, mask, 2)
    return seq if return_sequences else st[0]


def _gru_ref(x, w, U, reset_after=True, go_backwards=False, return_sequences=False):
    k, rk, b = w

    def step(xt, st):
        (h,) = st
        if reset_after:
            xz = xt @ k + b[0]
            hz = h @ rk + b[1]
            z = _sig(xz[:, :U] + hz[:, :U])
            r = _sig(xz[:, U:2 * U] + hz[:, U:2 * U])
            hh = np.tanh(xz[:, 2 * U:] + r * hz[:, 2 * U:])
        else:
            xz = xt @ k + b
            z = _sig(xz[:, :U] + h @ rk[:, :U])
            r = _sig(xz[:, U:2 * U] + h @ rk[:, U:2 * U])
            hh = np.tanh(xz[:, 2 * U:] + (r * h) @ rk[:, 2 * U:])
        return [z * h + (1 - z) * hh]
    seq, st = _run_ref(step, x, U, go_backwards, None, 1)
    return seq if return_sequences else st[0]


def _simple_ref(x, w, U, return_sequences=False, go_backwards=False):
    k, rk, b = w
    seq, st = _run_ref(lambda xt, st: [np.tanh(xt @ k + st[0] @ rk + b)], x, U, go_backwards, None, 1)
    return seq if return_sequences else st[0]


def test_lstm_layer(rng, backend):
    layer = L.LSTM(3, return_sequences=True, bias_initializer="random_normal")
    x = rng.standard_normal((2, 4, 5))
    layer(x)
    b = layer.get_weights()[2]
    assert layer.recurrent_kernel.shape == (3, 12) and b.shape == (12,)
    check_layer(layer, x, lambda x, w: _lstm_ref(x, w, 3, return_sequences=True), rng)


def test_lstm_defaults_unit_forget_bias_and_orthogonal():
    layer = L.LSTM(4)
    layer(np.zeros((1, 2, 3)))
    b = layer.get_weights()[2]
    assert np.array_equal(b, np.r_[np.zeros(4), np.ones(4), np.zeros(8)])
    rk = layer.get_weights()[1]  # (4, 16): orthogonal rows
    assert np.allclose(rk @ rk.T, np.eye(4), atol=1e-5)


def test_lstm_go_backwards_and_mask(rng):
    layer = L.LSTM(3, go_backwards=True)
    x = rng.standard_normal((3, 5, 2))
    layer(x)
    check_layer(layer, x, lambda x, w: _lstm_ref(x, w, 3, go_backwards=True), rng)
    layer2 = L.LSTM(3)
    layer2(x)
    mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 1, 1, 0]], dtype=bool)
    check_layer(layer2, x, lambda x, w: _lstm_ref(x, w, 3, mask=mask), rng, mask=mask)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_layer(reset_after, rng, backend):
    layer = L.GRU(3, reset_after=reset_after, return_sequences=True, bias_initializer="random_normal")
    x = rng.standard_normal((2, 4, 5))
    layer(x)
    assert layer.bias.shape == ((2, 9) if reset_after else (9,))
    check_layer(layer, x, lambda x, w: _gru_ref(x, w, 3, reset_after, return_sequences=True), rng)


def test_simple_rnn_layer(rng):
    layer = L.SimpleRNN(4, bias_initializer="random_normal")
    x = rng.standard_normal((3, 5, 2))
    layer(x)
    check_layer(layer, x, lambda x, w: _simple_ref(x, w, 4), rng)


def test_rnn_return_state():
    layer = L.LSTM(3, return_state=True, return_sequences=True)
    out = layer(np.ones((2, 4, 5), dtype=np.float32))
    assert [o.shape for o in out] == [(2, 4, 3), (2, 3), (2, 3)]
    assert np.allclose(out[0].numpy()[:, -1], out[1].numpy())


def test_bidirectional(rng):
    inner = L.SimpleRNN(3, return_sequences=True, bias_initializer="random_normal")
    layer = L.Bidirectional(inner)
    x = rng.standard_normal((2, 4, 2))
    layer(x)
    assert layer.count_params() == 2 * (2 * 3 + 3 * 3 + 3)

    def ref(x, w):
        f = _simple_ref(x, w[:3], 3, return_sequences=True)
        b = _simple_ref(x, w[3:], 3, return_sequences=True, go_backwards=True)[:, ::-1]
        return np.concatenate([f, b], -1)
    check_layer(layer, x, ref, rng)
    assert layer.compute_output_shape((None, 4, 2)) == (None, 4, 6)


def test_layer_weights_roundtrip_and_errors(rng):
    d = L.Dense(3)
    d(np.zeros((1, 4)))
    ws = [rng.standard_normal(w.shape).astype(np.float32) for w in d.get_weights()]
    d.set_weights(ws)
    assert all(np.array_equal(a, b) for a, b in zip(d.get_weights(), ws))
    with pytest.raises(ValueError, match="shape"):
        d.set_weights([ws[0].T, ws[1]])
    with pytest.raises(ValueError, match="expected 2 arrays"):
        d.set_weights(ws[:1])
    with pytest.raises(ValueError, match="last dimension 4|axis -1 of input shape to have value 4"):
        d(np.zeros((2, 5)))
    d.trainable = False
    assert d.trainable_weights == [] and not d.kernel.requires_grad
    with pytest.raises(TypeError, match="unexpected keyword"):
        L.Dense(3, bogus=1)


def test_batchnorm_without_scale_or_center(rng):
    x = rng.standard_normal((6, 3))
    for kw in ({"scale": False}, {"center": False}, {"scale": False, "center": False}):
        layer = L.BatchNormalization(**kw)
        layer(x)
        assert len(layer.trainable_weights) == 2 - len(kw)
        y = layer(x, training=True).numpy()
        np.testing.assert_allclose(y, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), atol=1e-5)


def test_keras_backend_helpers_translate():
    """`from keras import backend as K` becomes `from tensorforge import backend as K`."""
    from tensorforge import backend as K
    from tensorforge import layers as L2
    assert K.image_data_format() == "channels_last"
    assert K.floatx() == "float32" and K.epsilon() == 1e-7
    assert K.int_shape(np.zeros((2, 3))) == (2, 3)
    try:
        K.set_image_data_format("channels_first")
        conv = L2.Conv2D(4, 3, input_shape=(1, 8, 8))
        assert conv.data_format == "channels_first"
        x = np.random.default_rng(0).standard_normal((2, 1, 8, 8)).astype(np.float32)
        assert conv(x).shape == (2, 4, 6, 6)
    finally:
        K.set_image_data_format("channels_last")
    with pytest.raises(ValueError, match="set_image_data_format"):
        K.set_image_data_format("nhwc")


def test_a_layer_built_by_hand_is_not_built_again_when_called():
    """layer.build(shape) then a call: the weights of the hand build, as Keras 2 (whose layers'
    build() ends with built = True); before, the call created a second set."""
    from tensorforge import layers
    for layer, shape, n in ((layers.Dense(3), (None, 4), 2), (layers.LSTM(4), (None, 5, 3), 3),
                            (layers.Conv2D(2, 3), (None, 6, 6, 1), 2)):
        layer.build(shape)
        assert layer.built
        w0 = [w.copy() for w in layer.get_weights()]
        layer(np.ones((2,) + shape[1:], np.float32))
        assert len(layer.weights) == n
        for a, b in zip(w0, layer.get_weights()):
            np.testing.assert_array_equal(a, b)
