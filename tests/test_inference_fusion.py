"""Note [inference fusion]: predict / evaluate run a convolution followed by a
BatchNormalization (and a plain ReLU) as one folded convolution. The folded run must equal the
plain steps (each tested against its own reference elsewhere) up to float32 rounding, be taken
only where nothing needs the gradient, and leave alone whatever another consumer reads."""
import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from tensorforge.autograd import no_grad
from tensorforge.engine.inference_fusion import FusedStep

L = keras.layers


def _randomize_bn(model, rng):
    for layer in model.layers:
        if isinstance(layer, L.BatchNormalization):
            c = layer.moving_mean.shape[0]
            ws = [rng.uniform(0.5, 2.0, c) if layer.scale else None,
                  rng.normal(size=c) if layer.center else None,
                  rng.normal(size=c), rng.uniform(0.2, 2.0, c)]
            layer.set_weights([w.astype(np.float32) for w in ws if w is not None])


def _kinds(model):
    return [type(s).__name__ for s in model._plans[frozenset()]]


def _model(rng):
    inp = keras.Input((12, 12, 3))
    x = L.Conv2D(8, 3, padding="same", use_bias=False)(inp)
    x = L.BatchNormalization()(x)
    x = L.Activation("relu")(x)  # conv + BN + relu: one folded conv, relu in its epilogue
    y = L.DepthwiseConv2D(3, padding="same", depth_multiplier=2)(x)
    y = L.BatchNormalization(epsilon=1e-5)(y)
    y = L.ReLU()(y)
    z = L.SeparableConv2D(8, 3, strides=2, padding="same")(y)
    z = L.BatchNormalization(center=False, scale=False)(z)
    z = L.ReLU(6.0)(z)  # relu6 stays its own step
    w = L.Conv2D(8, 1, strides=2)(x)  # x read twice: its chain ends at the Activation
    w = L.BatchNormalization()(w)
    out = L.Add()([z, w])
    m = keras.Model(inp, [out, L.GlobalAveragePooling2D()(out)])
    _randomize_bn(m, rng)
    return m


def test_folded_predict_equals_the_plain_steps():
    rng = np.random.default_rng(0)
    m = _model(rng)
    x = rng.normal(size=(4, 12, 12, 3)).astype(np.float32)
    plain = [o.numpy() for o in m(x, training=False)]  # recorded (grad mode): the plain steps
    fused = m.predict(x, verbose=0)
    assert _kinds(m).count("FusedStep") == 4
    for f, p in zip(fused, plain):
        np.testing.assert_allclose(f, p, rtol=2e-5, atol=2e-5)
    with no_grad():
        again = m(x, training=False)
    np.testing.assert_allclose(again[0].numpy(), plain[0], rtol=2e-5, atol=2e-5)
    # evaluate reads the same folded outputs
    m.compile("sgd", ["mse", "mse"])
    got = m.evaluate(x, [plain[0], plain[1]], verbose=0)
    assert got[0] < 1e-8


def test_no_fusion_where_a_gradient_or_training_needs_the_steps():
    rng = np.random.default_rng(1)
    m = _model(rng)
    x = rng.normal(size=(2, 12, 12, 3)).astype(np.float32)
    m.predict(x, verbose=0)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(m(x, training=False)[1])
    grads = tape.gradient(loss, m.trainable_weights)
    assert all(g is not None for g in grads)
    before = [l.moving_mean.numpy().copy() for l in m.layers if isinstance(l, L.BatchNormalization)]
    with no_grad():
        m(x, training=True)  # batch statistics, moving averages updated: the plain steps
    after = [l.moving_mean.numpy() for l in m.layers if isinstance(l, L.BatchNormalization)]
    assert all(not np.array_equal(a, b) for a, b in zip(after, before))


@pytest.mark.parametrize("case", ["output", "kernel_large", "activation", "activity_reg",
                                  "channels_first"])
def test_unfused_cases_keep_the_plain_steps(case):
    rng = np.random.default_rng(2)
    inp = keras.Input((3, 3, 64) if case != "channels_first" else (8, 5, 5))
    kw = {}
    if case == "activation":
        kw["activation"] = "tanh"
    if case == "activity_reg":
        kw["activity_regularizer"] = "l2"
    if case == "channels_first":
        kw["data_format"] = "channels_first"
    # kernel_large: 3 * 3 * 64 weights per output channel against 1 * 2 * 2 outputs
    c = L.Conv2D(4, 3, strides=2 if case == "kernel_large" else 1, padding="same", **kw)(inp)
    b = L.BatchNormalization(axis=1 if case == "channels_first" else -1)(c)
    outs = [b, c] if case == "output" else [b]
    m = keras.Model(inp, outs)
    _randomize_bn(m, rng)
    x = rng.normal(size=(1,) + tuple(inp.shape[1:])).astype(np.float32)
    plain = m(x, training=False)
    got = m.predict(x, verbose=0)
    plain = plain if isinstance(plain, list) else [plain]
    got = got if isinstance(got, list) else [got]
    for g, p in zip(got, plain):
        np.testing.assert_allclose(g, p.numpy(), rtol=2e-5, atol=2e-5)
    kinds = _kinds(m)
    if case in ("output", "activity_reg"):  # another reader, an activity loss: not chained
        assert "FusedStep" not in kinds
        return
    # chained in the plan, but the layers refuse the fold, so the plain steps run
    step = next(s for s in m._plans[frozenset()] if isinstance(s, FusedStep))
    affine = step.steps[1].layer._inference_scale_shift(4)
    assert affine is None or step.layer._inference_fold_bn(tf.constant(x), *affine,
                                                           False) is None
    assert (affine is None) == (case == "channels_first")


def test_subclassed_layers_are_not_folded():
    class MyConv(L.Conv2D):
        def call(self, x, training=False, mask=None):
            return super().call(x) * 2.0

    rng = np.random.default_rng(3)
    inp = keras.Input((6, 6, 2))
    m = keras.Model(inp, L.BatchNormalization()(MyConv(4, 1)(inp)))
    _randomize_bn(m, rng)
    x = rng.normal(size=(3, 6, 6, 2)).astype(np.float32)
    np.testing.assert_allclose(m.predict(x, verbose=0), m(x, training=False).numpy(),
                               rtol=2e-5, atol=2e-5)
    step = next(s for s in m._plans[frozenset()] if isinstance(s, FusedStep))
    assert step.layer._inference_fold_bn(tf.constant(x), np.ones(4, np.float32),
                                         np.zeros(4, np.float32), False) is None
