"""keras13's metric classes against tf_keras 2.21 (tests/data/keras13_refs.npz / .json, written
by tools/keras13_refs.py under /work/keras-venv): metrics serialize / deserialize, FBetaScore /
F1Score / R2Score, PrecisionAtRecall and its kin, Sum / MeanTensor / MeanRelativeError, the IoU
family; each over two batches, unweighted and weighted."""
import json
import os

import numpy as np
import pytest

from tensorforge import keras

DATA = os.path.join(os.path.dirname(__file__), "data")
REF = np.load(os.path.join(DATA, "keras13_refs.npz"))
META = json.load(open(os.path.join(DATA, "keras13_refs.json")))


def test_metrics_serialize_round_trip():
    auc = keras.metrics.AUC(name="my_auc")
    cfg = keras.metrics.serialize(auc)
    assert cfg["module"] == "keras.metrics" and cfg["class_name"] == "AUC"
    assert cfg["registered_name"] is None
    again = keras.metrics.deserialize(cfg)
    assert isinstance(again, keras.metrics.AUC) and again.name == "my_auc"
    assert keras.metrics.deserialize("mse") is keras.metrics.mean_squared_error
    with pytest.warns(UserWarning, match="should only be used for objects of type"):
        fcfg = keras.metrics.serialize(keras.metrics.mean_squared_error)
    assert keras.metrics.deserialize(fcfg) is keras.metrics.mean_squared_error
    with pytest.raises(ValueError, match="unknown metric class 'Nope'"):
        keras.metrics.deserialize({"class_name": "Nope", "config": {}})



SCORE_KEYS = ["f1_none", "f1_micro", "f1_macro_t", "fbeta_weighted", "fbeta_none_t",
              "r2_uniform", "r2_var", "r2_none", "r2_adjusted"]


@pytest.mark.parametrize("key", SCORE_KEYS)
def test_score_metrics(key):
    cls_name, kw, config_keys = META["score/" + key]
    for weighted in (0, 1):
        m = getattr(keras.metrics, cls_name)(**kw)
        for b in ("1", "2"):
            p = REF["score/ps" + b]
            if cls_name == "R2Score":
                p = p * 2 - 0.5
            m.update_state(REF["score/ys" + b], p, REF["score/sws" + b] if weighted else None)
        np.testing.assert_allclose(np.asarray(m.result(), dtype=np.float64),
                                   REF[f"score/{key}/{weighted}"], rtol=1e-5, atol=1e-6,
                                   err_msg=f"{key} weighted={weighted}")
    assert sorted(m.get_config()) == config_keys
    again = keras.metrics.deserialize(keras.metrics.serialize(m))
    assert type(again) is type(m) and again.get_config() == m.get_config()
    m.reset_state()
    assert m.result() == 0.0


def test_score_metrics_in_compile_and_errors():
    x = np.random.default_rng(6).normal(size=(20, 3)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[np.argmax(x, axis=1)]
    m = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(3,))])
    m.compile("adam", "categorical_crossentropy",
              metrics=[keras.metrics.F1Score(average="macro"), "R2Score"])
    h = m.fit(x, y, epochs=2, verbose=0)
    assert 0.0 <= h.history["f1_score"][-1] <= 1.0 and "r2_score" in h.history
    with pytest.raises(ValueError, match="Invalid `average` argument value"):
        keras.metrics.FBetaScore(average="mean")
    with pytest.raises(ValueError, match="It should be > 0"):
        keras.metrics.FBetaScore(beta=0.0)
    with pytest.raises(ValueError, match=r"R2Score expects 2D inputs .* y_pred.shape=\(4,\)"):
        keras.metrics.R2Score().update_state(np.zeros(4), np.zeros(4))
    with pytest.raises(ValueError, match="Expected a value >= 0"):
        keras.metrics.R2Score(num_regressors=-1)


@pytest.mark.parametrize("key", ["p_at_r", "r_at_p", "s_at_s", "sp_at_s", "none_feasible"])
def test_rate_at_constraint_metrics(key):
    cls_name, kw, config_keys = META["at/" + key]
    for weighted in (0, 1):
        m = getattr(keras.metrics, cls_name)(**kw)
        for b in ("1", "2"):
            m.update_state(REF["score/ys" + b], REF["score/ps" + b],
                           REF["score/sws" + b] if weighted else None)
        np.testing.assert_allclose(float(m.result()), REF[f"at/{key}/{weighted}"], rtol=1e-5,
                                   atol=1e-7, err_msg=f"{key} weighted={weighted}")
    assert sorted(m.get_config()) == config_keys
    again = keras.metrics.deserialize(keras.metrics.serialize(m))
    assert type(again) is type(m) and again.get_config() == m.get_config()
    with pytest.raises(ValueError, match="must be in the range"):
        getattr(keras.metrics, cls_name)(1.5)


@pytest.mark.parametrize("key,kw", [("sum", {}), ("mean_tensor", {}),
                                    ("mre", {"normalizer": [1.0, 2.0, 0.0, 4.0]})])
def test_reduce_metrics(key, kw):
    cls_name, config_keys = META["reduce/" + key]
    for weighted in (0, 1):
        m = getattr(keras.metrics, cls_name)(**kw)
        w1, w2 = (REF["score/sws1"], REF["score/sws2"]) if weighted else (None, None)
        if key == "mre":
            m.update_state(REF["score/ys1"], REF["score/ps1"], w1)
            m.update_state(REF["score/ys2"], REF["score/ps2"], w2)
        elif key == "sum":
            m.update_state(REF["score/ps1"], w1)
            m.update_state(REF["score/ps2"], w2)
        else:
            m.update_state(REF["score/ps1"][:5], None if w1 is None else w1[:5])
            m.update_state(REF["score/ps2"], w2)
        np.testing.assert_allclose(np.asarray(m.result(), dtype=np.float64),
                                   REF[f"reduce/{key}/{weighted}"], rtol=1e-5, atol=1e-6,
                                   err_msg=f"{key} weighted={weighted}")
    assert set(config_keys) <= set(m.get_config())
    again = keras.metrics.deserialize(keras.metrics.serialize(m))
    assert type(again) is type(m)
    if key == "mean_tensor":
        with pytest.raises(ValueError, match=r"MeanTensor: input value shape \(2,\) does not"):
            m.update_state(np.zeros(2))
        with pytest.raises(ValueError, match="does not have any value yet"):
            keras.metrics.MeanTensor().result()


@pytest.mark.parametrize("key", ["iou", "iou_ignore", "binary", "binary_one", "onehot",
                                 "onehot_mean"])
def test_iou_metrics(key):
    cls_name, kw, config_keys = META["iou/" + key]
    eye = np.eye(4, dtype=np.float32)
    for weighted in (0, 1):
        m = getattr(keras.metrics, cls_name)(**kw)
        for b in ("1", "2"):
            t, p = REF["iou/lab" + b], REF["iou/pl" + b]
            if cls_name == "BinaryIoU":
                t, p = (t > 1).astype(np.float32), (p / 4.0 + 0.05).astype(np.float32)
            elif cls_name.startswith("OneHot"):
                t, p = eye[t], eye[p]
            w = np.repeat(REF["score/sws" + b][:, None], 3, axis=1) if weighted else None
            m.update_state(t, p, w)
        np.testing.assert_allclose(float(m.result()), REF[f"iou/{key}/{weighted}"], rtol=1e-5,
                                   err_msg=f"{key} weighted={weighted}")
    assert sorted(m.get_config()) == config_keys
    again = keras.metrics.deserialize(keras.metrics.serialize(m))
    assert type(again) is type(m) and again.get_config() == m.get_config()
    if cls_name == "IoU":
        with pytest.raises(ValueError, match=r"target_class_ids must lie in \[0, 4\)"):
            keras.metrics.IoU(4, [4])
