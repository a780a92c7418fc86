"""Optimizers' use_ema (Note [weights' moving average], optimizers/optimizer.py) against tf_keras
2.21's weights after fit and after a hand loop of apply_gradients + finalize_variable_values
(tools/gen_optimizer_ema_refs.py)."""
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras

import ema_models as M

REFS = np.load(os.path.join(os.path.dirname(__file__), "data", "optimizer_ema_refs.npz"))
W0 = [REFS[f"w0_{i}"] for i in range(4)]


def _close(got, name, kind):
    for i, w in enumerate(got):
        np.testing.assert_allclose(w, REFS[f"{name}/{kind}_{i}"], rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("name", sorted(M.CASES))
def test_fit_matches_keras(name):
    cls, kw = M.CASES[name]
    x, y = M.data()
    m = M.model(keras, W0)
    m.compile(getattr(keras.optimizers, cls)(**kw), "mse")
    h = m.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(h.history["loss"], REFS[f"{name}/loss"], rtol=2e-5)
    _close(m.get_weights(), name, "fit")


@pytest.mark.parametrize("name", sorted(M.CASES))
def test_hand_loop_and_finalize_match_keras(name):
    m, opt = M.hand_loop(tf, keras, name, W0)
    _close(m.get_weights(), name, "loop")
    opt.finalize_variable_values(m.trainable_variables)
    _close(m.get_weights(), name, "final")


def test_config_and_argument_checks():
    opt = keras.optimizers.Adam(use_ema=True, ema_momentum=0.9, ema_overwrite_frequency=2)
    cfg = opt.get_config()
    assert (cfg["use_ema"], cfg["ema_momentum"], cfg["ema_overwrite_frequency"]) == (True, 0.9, 2)
    assert keras.optimizers.Adam.from_config(cfg).ema_overwrite_frequency == 2
    assert "use_ema" not in keras.optimizers.Adam().get_config()
    with pytest.raises(ValueError, match="ema_momentum"):
        keras.optimizers.SGD(use_ema=True, ema_momentum=1.5)
    with pytest.raises(ValueError, match="ema_overwrite_frequency"):
        keras.optimizers.SGD(use_ema=True, ema_overwrite_frequency=0.5)
