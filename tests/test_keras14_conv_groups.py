"""keras14: ``groups=`` on Conv1D / Conv2D / Conv3D (Keras 2 semantics: the input channels and
the filters split into ``groups`` groups, kernel (..., C / groups, filters)) and the op behind it,
ops.grouped_conv2d (See Note [grouped convolution] in ops/conv.py).

  - values and gradients (input, kernel, bias) against tf_keras 2.21's, recorded by
    tools/keras14_refs.py in tests/data/keras14_refs.npz / .json: general groups, one channel a
    group (the depthwise route), strides, 'same', dilation, causal, channels_first, 3-D;
  - forward against a NumPy reference (a loop over groups of direct convolutions), under
    every ISA the suite forces;
  - get_config / from_config, model save / load (.h5, .keras) round trips;
  - bad arguments: errors naming the layer / op, the argument and the shapes.
"""
import json
import os

import numpy as np
import pytest

from tensorforge import keras, ops
from tensorforge.autograd import Tensor

DATA = os.path.join(os.path.dirname(__file__), "data")
REF = np.load(os.path.join(DATA, "keras14_refs.npz"))
META = json.load(open(os.path.join(DATA, "keras14_refs.json")))
CONV_KEYS = sorted(k.split("/", 1)[1] for k in META if k.startswith("conv/"))


def _layer(key):
    meta = META["conv/" + key]
    kw = {k: tuple(v) if isinstance(v, list) else v for k, v in meta["kwargs"].items()}
    layer = getattr(keras.layers, meta["cls"])(**kw)
    layer.build(tuple(meta["shape"]))
    n = len(layer.get_weights())
    weights = [REF[f"conv/{key}/p{i}"] for i in range(n)]
    assert [w.shape for w in layer.get_weights()] == [w.shape for w in weights]
    layer.set_weights(weights)
    return layer, weights


@pytest.mark.parametrize("key", CONV_KEYS)
def test_values_and_gradients_match_keras2(key):
    layer, _ = _layer(key)
    x = Tensor(REF[f"conv/{key}/x"].copy(), requires_grad=True)
    y = layer(x)
    want = REF[f"conv/{key}/y"]
    np.testing.assert_allclose(y.numpy(), want, rtol=1e-5, atol=1e-5)
    (y * REF[f"conv/{key}/w"]).sum().backward()
    grads = [x.grad] + [w.grad for w in layer.trainable_weights]
    for i, g in enumerate(grads):
        ref = REF[f"conv/{key}/g{i}"]
        np.testing.assert_allclose(np.asarray(g), ref, rtol=1e-4,
                                   atol=1e-5 * max(1.0, np.abs(ref).max()),
                                   err_msg=f"{key}: gradient {i}")


@pytest.mark.parametrize("key", CONV_KEYS)
def test_config_from_config_and_save_round_trip(key, tmp_path):
    layer, weights = _layer(key)
    meta = META["conv/" + key]
    cfg = layer.get_config()
    assert cfg["groups"] == meta["config"]["groups"] == meta["kwargs"]["groups"]
    # activity_regularizer is the lead's (session 20): not checked here
    assert set(meta["config"]) - {"activity_regularizer"} <= set(cfg), set(meta["config"]) - set(cfg)
    x = REF[f"conv/{key}/x"]
    inp = keras.Input(x.shape[1:])
    model = keras.Model(inp, type(layer).from_config(cfg)(inp))
    model.set_weights(weights)
    y = model.predict(x, verbose=0)
    np.testing.assert_allclose(y, REF[f"conv/{key}/y"], rtol=1e-5, atol=1e-5)
    for fname in ("m.h5", "m.keras"):
        model.save(str(tmp_path / fname))
        again = keras.models.load_model(str(tmp_path / fname))
        assert again.layers[-1].groups == meta["kwargs"]["groups"]
        np.testing.assert_array_equal(again.predict(x, verbose=0), y)


def _np_grouped_conv2d(x, w, b, stride, groups):
    """NumPy reference, 'valid': x (N, H, W, C), w (KH, KW, C / G, F)."""
    N, H, W, C = x.shape
    KH, KW, cg, F = w.shape
    fg = F // groups
    OH, OW = (H - KH) // stride + 1, (W - KW) // stride + 1
    y = np.zeros((N, OH, OW, F), np.float64)
    for g in range(groups):
        xs = x[..., g * cg:(g + 1) * cg].astype(np.float64)
        ws = w[..., g * fg:(g + 1) * fg].astype(np.float64)
        for i in range(KH):
            for j in range(KW):
                patch = xs[:, i:i + (OH - 1) * stride + 1:stride, j:j + (OW - 1) * stride + 1:stride]
                y[..., g * fg:(g + 1) * fg] += patch @ ws[i, j]
    return y + (0 if b is None else b)


@pytest.mark.parametrize("C,F,G,K,s", [(6, 4, 2, 3, 1), (12, 6, 3, 3, 2), (7, 14, 7, 5, 1),
                                       (16, 16, 16, 3, 2), (5, 10, 5, 1, 1), (4, 8, 1, 2, 1),
                                       (9, 3, 3, 4, 3)])
def test_grouped_conv2d_op_against_numpy(C, F, G, K, s, isa):
    rng = np.random.default_rng(C * 100 + F * 10 + G)
    x = rng.standard_normal((2, 11, 13, C)).astype(np.float32)
    w = rng.standard_normal((K, K, C // G, F)).astype(np.float32)
    b = rng.standard_normal(F).astype(np.float32)
    y = ops.grouped_conv2d(x, w, b, strides=s, groups=G)  # arrays in, array out
    assert isinstance(y, np.ndarray)
    np.testing.assert_allclose(y, _np_grouped_conv2d(x, w, b, s, G), rtol=1e-4, atol=1e-4)
    yt = ops.grouped_conv2d(Tensor(x), Tensor(w), None, strides=s, groups=G)
    np.testing.assert_allclose(yt.numpy(), _np_grouped_conv2d(x, w, None, s, G), rtol=1e-4,
                               atol=1e-4)


def test_grouped_conv2d_on_each_backend(backend):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 7, 6, 6)).astype(np.float32)
    w = rng.standard_normal((3, 3, 2, 9)).astype(np.float32)
    y = ops.grouped_conv2d(x, w, None, strides=2, groups=3)
    np.testing.assert_allclose(np.asarray(y), _np_grouped_conv2d(x, w, None, 2, 3), rtol=1e-4,
                               atol=1e-4)


def test_grouped_conv2d_gradient_against_finite_differences():
    rng = np.random.default_rng(7)
    x0 = rng.standard_normal((1, 5, 6, 4)).astype(np.float32)
    w0 = rng.standard_normal((3, 3, 2, 6)).astype(np.float32)
    r = rng.standard_normal((1, 5, 6, 6))

    def f(x, w):
        return float((_np_grouped_conv2d(np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0))), w, None,
                                         1, 2) * r).sum())
    x, w = Tensor(x0.copy(), requires_grad=True), Tensor(w0.copy(), requires_grad=True)
    (ops.grouped_conv2d(x, w, None, padding="same", groups=2) * r.astype(np.float32)).sum().backward()
    eps = 1e-2
    for arr, g, idx in [(x0, x.grad, (0, 2, 3, 1)), (x0, x.grad, (0, 0, 5, 3)),
                        (w0, w.grad, (1, 2, 0, 4)), (w0, w.grad, (0, 0, 1, 0))]:
        hi, lo = arr.astype(np.float64), arr.astype(np.float64)
        hi[idx] += eps
        lo[idx] -= eps
        args = (hi, w0) if arr is x0 else (x0, hi)
        args_lo = (lo, w0) if arr is x0 else (x0, lo)
        num = (f(*args) - f(*args_lo)) / (2 * eps)
        assert abs(float(np.asarray(g)[idx]) - num) < 1e-3 * max(1.0, abs(num)), (idx, num)


def test_bad_groups_arguments():
    with pytest.raises(ValueError, match=r"Conv2D.*filters must be evenly divisible.*groups=4, "
                                         r"filters=6"):
        keras.layers.Conv2D(6, 3, groups=4)
    with pytest.raises(ValueError, match=r"Conv1D: groups must be an int >= 1, got -2"):
        keras.layers.Conv1D(6, 3, groups=-2)
    with pytest.raises(ValueError, match=r"Conv3D.*groups=2, filters=3"):
        keras.layers.Conv3D(3, 3, groups=2)
    layer = keras.layers.Conv2D(6, 3, groups=3, name="gconv")
    with pytest.raises(ValueError, match=r"gconv: the number of input channels must be evenly "
                                         r"divisible.*groups=3.*4 channels.*\(None, 8, 8, 4\)"):
        layer(keras.Input((8, 8, 4)))
    layer = keras.layers.Conv1D(4, 3, groups=2, name="g1")
    layer.build((None, 10, 6))
    with pytest.raises(ValueError, match=r"g1: expected input \(batch, steps, 6\)"):
        layer(np.zeros((2, 10, 4), np.float32))
    assert keras.layers.Conv2D(4, 3, groups=0).groups == 1  # Keras 2: groups or 1
    x, w = np.zeros((1, 5, 5, 6), np.float32), np.zeros((3, 3, 2, 6), np.float32)
    with pytest.raises(ValueError, match=r"grouped_conv2d: groups=2 must divide.*x \(1, 5, 5, 6\), "
                                         r"w \(3, 3, 2, 6\)"):
        ops.grouped_conv2d(x, w, groups=2)
    with pytest.raises(ValueError, match=r"grouped_conv2d: x must be 4-D"):
        ops.grouped_conv2d(x[0], w, groups=3)
