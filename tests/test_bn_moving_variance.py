"""BatchNormalization's moving variance as Keras 2 under TensorFlow 2 keeps it (Note [moving
variance] in layers/normalization.py): the unbiased batch variance for a 4-D / 5-D input with
its channels on axis 1 or the last (TensorFlow's fused kernel), the biased one otherwise or with
fused=False. The figures are tf_keras 2.21's, printed by tools/keras_bn_variance_refs.py."""
import numpy as np
import pytest

from tensorforge import keras


def _moving_variance(x, **kw):
    bn = keras.layers.BatchNormalization(**kw)
    bn(x, training=True)
    return np.asarray(bn.moving_variance.numpy())


def test_moving_variance_by_rank_matches_keras():
    rng = np.random.default_rng(0)
    want = {(8, 3): [5.58983, 1.69834, 1.35268],          # 2-D: biased
            (8, 4, 4, 3): [4.94818, 3.98741, 3.36939],    # 4-D, channels last: unbiased
            (2, 5, 3): [3.58691, 4.41975, 5.58341]}       # 3-D: biased
    for shape, ref in want.items():
        x = rng.normal(1.0, 2.0, shape).astype("float32")
        got = _moving_variance(x, momentum=0.0)
        np.testing.assert_allclose(got, ref, atol=2e-5, err_msg=str(shape))
        n = x.size // 3
        v = x.reshape(-1, 3).astype(np.float64).var(0)
        np.testing.assert_allclose(got, v * n / (n - 1) if len(shape) == 4 else v, rtol=1e-5)


def test_fused_false_and_channels_first_match_keras():
    x = np.random.default_rng(1).normal(1.0, 2.0, (4, 3, 3, 2)).astype("float32")
    np.testing.assert_allclose(_moving_variance(x, momentum=0.5), [2.11489, 1.84677], atol=2e-5)
    np.testing.assert_allclose(_moving_variance(x, momentum=0.5, fused=False), [2.07003, 1.80936],
                               atol=2e-5)
    np.testing.assert_allclose(_moving_variance(x, axis=1, momentum=0.0),
                               [2.83226, 2.43812, 3.29307], atol=2e-5)


def test_fused_true_needs_a_fusable_input():
    with pytest.raises(ValueError, match="fused=True"):
        keras.layers.BatchNormalization(fused=True)(np.zeros((4, 3), "float32"), training=True)
    with pytest.raises(ValueError, match="fused"):
        keras.layers.BatchNormalization(fused="yes")
    # not part of the config, as in tf_keras
    assert "fused" not in keras.layers.BatchNormalization(fused=False).get_config()


def test_a_fit_after_dense_keeps_the_biased_variance():
    # an MLP's BatchNormalization (2-D input), one SGD step on one batch of 8
    x = np.random.default_rng(2).normal(0.0, 1.0, (8, 4)).astype("float32")
    inp = keras.Input((4,))
    bn = keras.layers.BatchNormalization(momentum=0.0)
    m = keras.Model(inp, bn(inp))
    m.compile("sgd", "mse")
    m.fit(x, np.zeros((8, 4), "float32"), batch_size=8, epochs=1, verbose=0, shuffle=False)
    np.testing.assert_allclose(bn.moving_variance.numpy(), x.astype(np.float64).var(0), rtol=1e-5)
