"""Stateful metric classes accumulate over the epoch in fit / evaluate as Keras 2 does: reset at
each epoch (and evaluate) start, update_state per batch, result() in the batch logs, the epoch
logs and val_ over the whole validation set. Expected figures: tf_keras 2, written by
tools/gen_stateful_metric_refs.py into tests/data/stateful_metric_refs.json (fixed weights, a
learning rate of 0, so every batch sees the same predictions on both sides)."""
import io
import json
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import callbacks, layers, metrics as M
from tensorforge.models import Sequential
from tensorforge.optimizers import SGD

REFS = json.load(open(os.path.join(os.path.dirname(__file__), "data",
                                   "stateful_metric_refs.json")))
P = {k: ([np.asarray(a, np.float32) for a in v] if k == "weights" else np.asarray(v, np.float32))
     for k, v in REFS["problem"].items()}


def _metrics():
    return [M.AUC(name="auc"), M.Precision(name="precision"), M.Recall(name="recall"),
            M.RootMeanSquaredError(name="rmse"), M.TruePositives(name="tp"),
            M.FalsePositives(name="fp"), M.TrueNegatives(name="tn"),
            M.FalseNegatives(name="fn"), M.AUC(num_thresholds=7, name="auc7"),
            M.Precision(thresholds=0.3, name="precision_03")]


def _run(weighted, verbose=0):
    model = Sequential([layers.Dense(5, activation="relu", input_shape=(6,)),
                        layers.Dense(1, activation="sigmoid")])
    kw = {"weighted_metrics": _metrics()} if weighted else {"metrics": _metrics()}
    model.compile(optimizer=SGD(learning_rate=0.0), loss="binary_crossentropy", **kw)
    model.set_weights(P["weights"])
    batches = []
    cb = callbacks.LambdaCallback(on_batch_end=lambda b, logs: batches.append(dict(logs)))
    h = model.fit(P["x"], P["y"], batch_size=REFS["batch_size"], epochs=2, shuffle=False,
                  verbose=verbose, validation_data=(P["xv"], P["yv"]), callbacks=[cb],
                  sample_weight=P["sw"] if weighted else None)
    ev = model.evaluate(P["xv"], P["yv"], batch_size=REFS["batch_size"], verbose=0)
    return model, h.history, batches, dict(zip(model.metrics_names, ev))


@pytest.mark.parametrize("case", ["fit", "fit_weighted"])
def test_epoch_and_validation_values_match_keras(case):
    ref = REFS[case]
    _, hist, batches, ev = _run(case == "fit_weighted")
    assert list(hist) == list(ref["history"])  # same keys, same order
    for k, want in ref["history"].items():
        np.testing.assert_allclose(hist[k], want, rtol=2e-5, atol=1e-6, err_msg=k)
    for k, want in ref["evaluate"].items():
        np.testing.assert_allclose(ev[k], want, rtol=2e-5, atol=1e-6, err_msg=k)
    # batch logs: the running result over the epoch so far, as tf_keras shows (loss excepted:
    # our batch logs keep the batch's own loss)
    assert len(batches) == len(ref["batch_logs"])
    for got, want in zip(batches, ref["batch_logs"]):
        for k, v in want.items():
            if k != "loss":
                np.testing.assert_allclose(got[k], v, rtol=2e-5, atol=1e-6, err_msg=k)


def test_epoch_value_is_not_the_mean_of_batch_values():
    # the bug this guards against: AUC averaged per batch differs from AUC over the epoch
    ref = REFS["fit"]
    per_batch = [b["auc"] for b in ref["batch_logs"][:6]]
    assert abs(np.mean(per_batch) - ref["history"]["auc"][0]) > 1e-3
    _, hist, _, _ = _run(False)
    np.testing.assert_allclose(hist["auc"][0], ref["history"]["auc"][0], rtol=2e-5)


def test_progress_bar_shows_the_epoch_result(capsys):
    model = Sequential([layers.Dense(5, activation="relu", input_shape=(6,)),
                        layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=SGD(learning_rate=0.0), loss="binary_crossentropy",
                  metrics=[M.AUC(name="auc")])
    model.set_weights(P["weights"])
    model.fit(P["x"], P["y"], batch_size=REFS["batch_size"], epochs=1, shuffle=False, verbose=1)
    want = REFS["fit"]["history"]["auc"][0]
    assert f"auc: {want:.4f}" in capsys.readouterr().out
    # the bar of fit is told which values are running results (shown as given, not averaged)
    bar = callbacks.ProgbarLogger(stateful_metrics=["auc"], stream=io.StringIO())
    bar.set_params({"verbose": 1, "epochs": 1, "samples": 16})
    bar.on_train_begin()
    bar.on_epoch_begin(0)
    bar.on_batch_end(0, {"size": 8, "auc": 0.2})
    bar.on_batch_end(1, {"size": 8, "auc": 0.6})
    assert bar._sums["auc"] == [0.6, 1]


def test_train_on_batch_resets_by_default_and_accumulates_when_asked():
    model, _, _, _ = _run(False)
    auc = model._stateful["auc"]
    b = REFS["batch_size"]
    v1 = model.train_on_batch(P["x"][:b], P["y"][:b], return_dict=True)["auc"]
    np.testing.assert_allclose(v1, REFS["fit"]["batch_logs"][0]["auc"], rtol=2e-5)
    model.train_on_batch(P["x"][b:2 * b], P["y"][b:2 * b], reset_metrics=False)
    np.testing.assert_allclose(auc.result(), REFS["fit"]["batch_logs"][1]["auc"], rtol=2e-5)


def test_one_instance_for_two_outputs_is_copied_per_output():
    inp = layers.Input((6,))
    a = layers.Dense(1, activation="sigmoid", name="a")(inp)
    b = layers.Dense(1, activation="sigmoid", name="b")(inp)
    model = tf.models.Model(inp, [a, b])
    model.compile(optimizer=SGD(learning_rate=0.0), loss="binary_crossentropy",
                  metrics=[M.Recall(name="rec")])
    objs = model._stateful
    assert set(objs) == {"a_rec", "b_rec"} and objs["a_rec"] is not objs["b_rec"]


def test_mean_iou_matches_keras():
    ref = REFS["mean_iou"]
    m = M.MeanIoU(num_classes=4)
    assert m.name == "mean_io_u"
    for yt, yp, want in zip(ref["y_true"], ref["y_pred"], ref["results"]):
        m.update_state(np.array(yt), np.array(yp))
        np.testing.assert_allclose(m.result(), want, rtol=1e-6)
    w = M.MeanIoU(4)
    w.update_state(np.array(ref["y_true"][0]), np.array(ref["y_pred"][0]),
                   sample_weight=np.array(ref["sample_weight"]))
    np.testing.assert_allclose(w.result(), ref["weighted_result"], rtol=1e-6)
    with pytest.raises(ValueError, match="MeanIoU: labels must lie in"):
        M.MeanIoU(2).update_state(np.array([0, 2]), np.array([0, 1]))


def test_confusion_counts_are_sums():
    y = np.array([1, 0, 1, 1, 0], np.float32)
    p = np.array([0.9, 0.8, 0.2, 0.6, 0.1], np.float32)
    got = [c()(y, p) for c in (M.TruePositives, M.FalsePositives, M.TrueNegatives,
                                M.FalseNegatives)]
    assert got == [2.0, 1.0, 1.0, 1.0]


def test_several_thresholds_log_an_array_and_the_bar_its_mean(capsys):
    model = Sequential([layers.Dense(5, activation="relu", input_shape=(6,)),
                        layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=SGD(learning_rate=0.0), loss="binary_crossentropy",
                  metrics=[M.Precision(thresholds=[0.3, 0.5], name="p")])
    model.set_weights(P["weights"])
    h = model.fit(P["x"], P["y"], batch_size=REFS["batch_size"], epochs=1, shuffle=False,
                  verbose=1)
    got = h.history["p"][0]
    # the single-threshold Keras figures of the same run, one per threshold
    np.testing.assert_allclose(got, [REFS["fit"]["history"]["precision_03"][0],
                                     REFS["fit"]["history"]["precision"][0]], rtol=2e-5)
    assert f"p: {np.mean(got):.4f}" in capsys.readouterr().out


@pytest.mark.parametrize("make,expected", [
    # tf_keras 2's get_config() of the same objects
    (lambda: M.Mean(), {"name": "mean", "dtype": "float32"}),
    (lambda: M.BinaryAccuracy(), {"name": "binary_accuracy", "dtype": "float32", "threshold": 0.5}),
    (lambda: M.TopKCategoricalAccuracy(k=3, name="top3"),
     {"name": "top3", "dtype": "float32", "k": 3}),
    (lambda: M.RootMeanSquaredError(), {"name": "root_mean_squared_error", "dtype": "float32"}),
    (lambda: M.MeanIoU(num_classes=3),
     {"name": "mean_io_u", "dtype": "float32", "num_classes": 3, "ignore_class": None,
      "sparse_y_true": True, "sparse_y_pred": True, "axis": -1}),
])
def test_get_config_matches_keras_and_rebuilds_the_metric(make, expected):
    m = make()
    assert m.get_config() == expected
    again = type(m)(**m.get_config())
    assert type(again) is type(m) and again.get_config() == expected


def test_cosine_similarity_by_class_name_in_compile():
    """compile(metrics=["CosineSimilarity"]) as Keras 2: logged as cosine_similarity, the mean
    over samples of the cosine between target and prediction."""
    from tensorforge import layers
    rng = np.random.default_rng(3)
    x = rng.standard_normal((8, 4)).astype("f4")
    y = rng.standard_normal((8, 3)).astype("f4")
    model = tf.keras.Sequential([layers.Dense(3, input_shape=(4,))])
    model.compile("sgd", "mse", metrics=["CosineSimilarity"])
    got = model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True)
    p = model.predict(x, verbose=0)
    cos = (p * y).sum(1) / np.linalg.norm(p, axis=1) / np.linalg.norm(y, axis=1)
    np.testing.assert_allclose(got["cosine_similarity"], cos.mean(), rtol=1e-5)

