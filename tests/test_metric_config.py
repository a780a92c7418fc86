"""Metric configs: every metric class's get_config() has Keras 2's keys and from_config()
rebuilds it; AUC's from_logits and user thresholds (tf_keras 2.21's figures, recorded by
tools/gen_metric_config_refs.py)."""
import json
import os

import numpy as np
import pytest

import tensorforge as tf

REFS = json.load(open(os.path.join(os.path.dirname(__file__), "data",
                                   "metric_config_refs.json")))


@pytest.mark.parametrize("name", sorted(REFS["config_keys"]))
def test_config_keys_and_round_trip(name):
    cls = getattr(tf.keras.metrics, name)
    m = cls(**REFS["args"].get(name, {}))
    cfg = m.get_config()
    assert sorted(cfg) == REFS["config_keys"][name]
    back = cls.from_config(cfg)
    assert type(back) is cls and back.get_config() == cfg


def test_auc_from_logits_and_thresholds():
    y = [0, 1, 1, 0, 1]
    m = tf.keras.metrics.AUC(num_thresholds=50, from_logits=True)
    m.update_state(y, [-2.0, 1.0, 0.3, 0.5, -0.1])
    np.testing.assert_allclose(float(m.result()), REFS["auc_logits"], rtol=1e-6)
    t = tf.keras.metrics.AUC(thresholds=[0.6, 0.3])
    t.update_state(y, [0.1, 0.9, 0.5, 0.7, 0.2])
    np.testing.assert_allclose(float(t.result()), REFS["auc_thresholds"], rtol=1e-6)
    cfg = t.get_config()
    cfg.pop("name")
    assert cfg == REFS["auc_thresholds_config"]


def test_auc_refuses_what_it_cannot_do():
    with pytest.raises(NotImplementedError, match="AUC"):
        tf.keras.metrics.AUC(curve="PR")
    with pytest.raises(NotImplementedError, match="multi_label"):
        tf.keras.metrics.AUC(multi_label=True, num_labels=3)
    with pytest.raises(TypeError):
        tf.keras.metrics.AUC(bogus=1)
    with pytest.raises(ValueError, match="probabilities"):
        tf.keras.metrics.AUC().update_state([0, 1], [-1.0, 2.0])  # logits need from_logits=True
