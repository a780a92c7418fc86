"""MultiHeadAttention, Attention, AdditiveAttention and Conv1DTranspose against figures recorded
once from real Keras 2 (tf_keras) by tools/keras_attention_refs.py
(tests/data/keras_attention_refs.{json,npz}): get_weights() shapes and order, count_params(),
the output for Keras' own weights, and the gradients of sum(output * r) with respect to every
input and weight; plus a finite-difference check of our own gradients, the parameter counts of
whole models, the positional call convention and the error messages."""
import json
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import layers as L
from tensorforge.autograd import Tensor

DATA = os.path.join(os.path.dirname(__file__), "data")
with open(os.path.join(DATA, "keras_attention_refs.json")) as _f:
    META = json.load(_f)
REF = np.load(os.path.join(DATA, "keras_attention_refs.npz"))
MHA = [k for k in META if k.startswith("mha_")]
DENSE = [k for k in META if k.startswith(("att_", "add_att"))]
C1T = [k for k in META if k.startswith("c1t_")]


def _close(got, ref, what):
    tol = 5e-5 * max(1.0, float(np.abs(ref).max()))
    np.testing.assert_allclose(np.asarray(got), ref, atol=tol, rtol=2e-4, err_msg=what)


def _run(name, layer, call):
    """Load Keras' weights, run, backprop sum(y * r); compare y and every gradient."""
    n_in = sum(1 for k in REF.files if k.startswith(f"{name}/x"))
    xs = [Tensor(REF[f"{name}/x{i}"], requires_grad=True) for i in range(n_in)]
    call([Tensor(x.numpy()) for x in xs])  # builds
    meta = META[name]
    assert [list(w.shape) for w in layer.get_weights()] == meta["weight_shapes"]
    assert layer.count_params() == meta["count_params"]
    layer.set_weights([REF[f"{name}/w{i}"] for i in range(len(meta["weight_shapes"]))])
    y = call(xs)
    assert list(y.shape) == meta["output_shape"]
    _close(y.numpy(), REF[f"{name}/y"], f"{name} output")
    (y * Tensor(REF[f"{name}/r"])).sum().backward()
    for i, x in enumerate(xs):
        _close(x.grad, REF[f"{name}/gx{i}"], f"{name} d/dx{i}")
    for i, w in enumerate(layer.trainable_weights):
        _close(w.grad, REF[f"{name}/gw{i}"], f"{name} d/dw{i}")


@pytest.mark.parametrize("name", MHA)
def test_multi_head_attention_matches_keras(name, backend):
    meta = META[name]
    layer = L.MultiHeadAttention(**meta["kwargs"])
    mask = REF[f"{name}/mask"] if f"{name}/mask" in REF.files else None

    def call(xs):
        return layer(xs[0], xs[1], key=xs[2] if len(xs) > 2 else None, attention_mask=mask,
                     use_causal_mask=meta["causal"])
    _run(name, layer, call)
    assert [w.name.split("/", 1)[1] for w in layer.weights] == meta["weight_names"]
    n_in = meta["n_inputs"]
    xs = [REF[f"{name}/x{i}"] for i in range(n_in)]
    _, scores = layer(xs[0], xs[1], key=xs[2] if n_in > 2 else None, attention_mask=mask,
                      use_causal_mask=meta["causal"], return_attention_scores=True)
    _close(scores.numpy(), REF[f"{name}/scores"], f"{name} scores")


@pytest.mark.parametrize("name", DENSE)
def test_dense_attention_matches_keras(name, backend):
    meta = META[name]
    layer = getattr(L, meta["class"])(**meta["kwargs"])
    masks = ([REF[f"{name}/qmask"], REF[f"{name}/vmask"]] if meta["masked"] else None)
    _run(name, layer, lambda xs: layer(list(xs), mask=masks))


@pytest.mark.parametrize("name", C1T)
def test_conv1d_transpose_matches_keras(name, backend):
    layer = L.Conv1DTranspose(**META[name]["kwargs"])
    _run(name, layer, lambda xs: layer(xs[0]))
    shape = layer.compute_output_shape((None,) + REF[f"{name}/x0"].shape[1:])
    assert list(shape[1:]) == META[name]["output_shape"][1:]


def _numeric_grad(f, x, idx, eps=1e-3):
    x = x.astype(np.float64)
    hi, lo = x.copy(), x.copy()
    hi[idx] += eps
    lo[idx] -= eps
    return (f(hi) - f(lo)) / (2 * eps)


def test_multi_head_attention_gradient_finite_differences():
    rng = np.random.default_rng(3)
    q = rng.normal(size=(2, 3, 4)).astype(np.float32)
    v = rng.normal(size=(2, 5, 4)).astype(np.float32)
    mask = rng.random((2, 3, 5)) > 0.3
    mask[..., 0] = True
    layer = L.MultiHeadAttention(num_heads=2, key_dim=3)
    layer(q, v, attention_mask=mask)
    r = rng.normal(size=(2, 3, 4))

    def loss(qa, va):
        return float((np.asarray(layer(qa.astype(np.float32), va.astype(np.float32),
                                       attention_mask=mask).numpy(), np.float64) * r).sum())
    qt, vt = Tensor(q, requires_grad=True), Tensor(v, requires_grad=True)
    (layer(qt, vt, attention_mask=mask) * Tensor(r.astype(np.float32))).sum().backward()
    for idx in [(0, 0, 0), (1, 2, 3), (0, 1, 2)]:
        np.testing.assert_allclose(qt.grad[idx], _numeric_grad(lambda a: loss(a, v), q, idx),
                                   rtol=2e-2, atol=2e-3)
    for idx in [(0, 0, 1), (1, 4, 0), (1, 2, 2)]:
        np.testing.assert_allclose(vt.grad[idx], _numeric_grad(lambda a: loss(q, a), v, idx),
                                   rtol=2e-2, atol=2e-3)


def test_masked_keys_get_no_attention():
    rng = np.random.default_rng(5)
    q, v = rng.normal(size=(1, 2, 4)), rng.normal(size=(1, 4, 4))
    mask = np.array([[[True, False, True, False]] * 2])
    _, scores = L.MultiHeadAttention(num_heads=1, key_dim=2)(q, v, attention_mask=mask,
                                                             return_attention_scores=True)
    s = scores.numpy()
    assert np.all(s[..., 1] == 0) and np.all(s[..., 3] == 0)
    np.testing.assert_allclose(s.sum(-1), 1.0, rtol=1e-5)


def _transformer_block_model():
    inp = L.Input(shape=(200, 32))
    att = L.MultiHeadAttention(num_heads=2, key_dim=32)(inp, inp)
    out1 = L.LayerNormalization(epsilon=1e-6)(L.add([inp, att]))
    ffn = L.Dense(32)(L.Dense(32, activation="relu")(out1))
    out = L.LayerNormalization(epsilon=1e-6)(L.add([out1, ffn]))
    return tf.Model(inp, L.Dense(2, activation="softmax")(L.GlobalAveragePooling1D()(out)))


def test_model_parameter_counts_match_keras():
    q_in, v_in = L.Input(shape=(None, 16)), L.Input(shape=(None, 16))
    a = L.Attention(use_scale=True)([q_in, v_in])
    b = L.AdditiveAttention()([q_in, v_in])
    models = {
        "transformer_block": _transformer_block_model(),
        "dense_attention": tf.Model([q_in, v_in], L.Concatenate()([a, b])),
        "conv1d_transpose_ae": tf.Sequential([
            L.Input(shape=(288, 1)),
            L.Conv1D(32, 7, padding="same", strides=2, activation="relu"),
            L.Conv1D(16, 7, padding="same", strides=2, activation="relu"),
            L.Conv1DTranspose(16, 7, padding="same", strides=2, activation="relu"),
            L.Conv1DTranspose(32, 7, padding="same", strides=2, activation="relu"),
            L.Conv1DTranspose(1, 7, padding="same")]),
    }
    for name, m in models.items():
        want = META["models"][name]
        assert m.count_params() == want["count_params"], name
        assert [lay.count_params() for lay in m.layers][-len(want["layer_params"]):] == \
            [p for p in want["layer_params"]][-len(m.layers):], name
        assert list(m.output_shape) == want["output_shape"], name


def test_layer_call_passes_positional_arguments_to_call():
    class Endpoint(L.Layer):
        def call(self, targets, logits, sample_weights=None):
            return logits - targets

    t, lg = np.ones((2, 3), np.float32), np.full((2, 3), 3.0, np.float32)
    np.testing.assert_allclose(Endpoint()(t, lg).numpy(), 2.0)
    a, b = L.Input(shape=(3,)), L.Input(shape=(3,))
    m = tf.Model([a, b], Endpoint()(a, b))
    np.testing.assert_allclose(m.predict([t, lg], verbose=0), 2.0)
    with pytest.raises(TypeError, match="positional"):
        Endpoint()(t, lg, None, 4)


def test_attention_errors_name_the_layer_and_shapes():
    x = np.zeros((2, 3, 4), np.float32)
    with pytest.raises(TypeError, match="value"):
        L.MultiHeadAttention(num_heads=2, key_dim=2)(x)
    with pytest.raises(ValueError, match="batch"):
        L.MultiHeadAttention(num_heads=2, key_dim=2)(x, np.zeros((3, 3, 4), np.float32))
    with pytest.raises(ValueError, match="num_heads"):
        L.MultiHeadAttention(num_heads=0, key_dim=2)
    with pytest.raises(ValueError, match="list"):
        L.Attention()(x)
    with pytest.raises(ValueError, match="output_padding"):
        L.Conv1DTranspose(2, 3, strides=2, output_padding=2)


def test_config_round_trip():
    for layer in (L.MultiHeadAttention(num_heads=3, key_dim=4, value_dim=2, dropout=0.1),
                  L.Attention(use_scale=True, score_mode="concat"), L.AdditiveAttention(),
                  L.Conv1DTranspose(4, 3, strides=2, padding="same")):
        twin = type(layer).from_config(layer.get_config())
        assert twin.get_config() == layer.get_config()
