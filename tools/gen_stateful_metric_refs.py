"""Generate tests/data/stateful_metric_refs.json: what tf_keras 2 logs for stateful metric classes
(AUC, Precision, Recall, RootMeanSquaredError, TruePositives/FalsePositives/TrueNegatives/
FalseNegatives) accumulated over an epoch in fit / evaluate, and MeanIoU on fixed labels (the
oracle for tests/test_stateful_metrics.py).

The model's weights are fixed and the learning rate is 0, so every batch sees the same
predictions on both sides: the figures test how a metric is accumulated over batches (reset at
epoch start, update per batch, result at the end, val_ over the whole validation set), not
training. Data and weights come from a seeded NumPy generator and are written into the file.

    /work/keras-venv/bin/python tools/gen_stateful_metric_refs.py
"""
import json
import os

import numpy as np

N, NV, D, H, BATCH = 44, 30, 6, 5, 8  # 44 / 8: a short last batch


def problem():
    r = np.random.default_rng(12)
    x = r.standard_normal((N, D)).astype(np.float32)
    xv = r.standard_normal((NV, D)).astype(np.float32)
    w1 = (r.standard_normal((D, H)) * 0.8).astype(np.float32)
    b1 = (r.standard_normal(H) * 0.1).astype(np.float32)
    w2 = (r.standard_normal((H, 1)) * 0.8).astype(np.float32)
    b2 = np.zeros(1, np.float32)
    y = (r.random(N) < 0.45).astype(np.float32)
    yv = (r.random(NV) < 0.45).astype(np.float32)
    sw = r.uniform(0.2, 2.0, N).astype(np.float32)
    return dict(x=x, xv=xv, y=y, yv=yv, sw=sw, weights=[w1, b1, w2, b2])


def metrics(keras):
    M = keras.metrics
    return [M.AUC(name="auc"), M.Precision(name="precision"), M.Recall(name="recall"),
            M.RootMeanSquaredError(name="rmse"), M.TruePositives(name="tp"),
            M.FalsePositives(name="fp"), M.TrueNegatives(name="tn"),
            M.FalseNegatives(name="fn"), M.AUC(num_thresholds=7, name="auc7"),
            M.Precision(thresholds=0.3, name="precision_03")]


def run(keras, p, weighted):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Dense(H, activation="relu", input_shape=(D,)),
                              keras.layers.Dense(1, activation="sigmoid")])
    kw = {"weighted_metrics": metrics(keras)} if weighted else {"metrics": metrics(keras)}
    model.compile(optimizer=keras.optimizers.legacy.SGD(learning_rate=0.0),
                  loss="binary_crossentropy", **kw)
    model.set_weights(p["weights"])
    batches = []
    cb = keras.callbacks.LambdaCallback(
        on_batch_end=lambda b, logs: batches.append({k: float(v) for k, v in logs.items()}))
    h = model.fit(p["x"], p["y"], batch_size=BATCH, epochs=2, shuffle=False, verbose=0,
                  validation_data=(p["xv"], p["yv"]), callbacks=[cb],
                  sample_weight=p["sw"] if weighted else None)
    ev = model.evaluate(p["xv"], p["yv"], batch_size=BATCH, verbose=0, return_dict=True)
    return {"history": {k: [float(v) for v in vs] for k, vs in h.history.items()},
            "batch_logs": batches, "evaluate": {k: float(v) for k, v in ev.items()}}


def mean_iou(keras):
    r = np.random.default_rng(5)
    yt = [r.integers(0, 4, 20), r.integers(0, 4, 13)]
    yp = [r.integers(0, 4, 20), r.integers(0, 4, 13)]
    yp[1][yp[1] == 3] = 2  # class 3 never predicted in one batch
    m = keras.metrics.MeanIoU(num_classes=4)
    steps = []
    for a, b in zip(yt, yp):
        m.update_state(a, b)
        steps.append(float(m.result()))
    mw = keras.metrics.MeanIoU(num_classes=4)
    w = r.uniform(0, 1, 20)
    mw.update_state(yt[0], yp[0], sample_weight=w)
    return {"y_true": [a.tolist() for a in yt], "y_pred": [b.tolist() for b in yp],
            "results": steps, "sample_weight": w.tolist(), "weighted_result": float(mw.result())}


def main(out):
    import warnings
    warnings.filterwarnings("ignore")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tf_keras as keras
    p = problem()
    res = {"problem": {k: (v.tolist() if isinstance(v, np.ndarray) else [a.tolist() for a in v])
                       for k, v in p.items()},
           "batch_size": BATCH,
           "fit": run(keras, p, weighted=False),
           "fit_weighted": run(keras, p, weighted=True),
           "mean_iou": mean_iou(keras),
           "generated_by": f"tools/gen_stateful_metric_refs.py with tf_keras {keras.__version__}"}
    with open(out, "w") as f:
        json.dump(res, f, indent=1)
    print("wrote", out)


if __name__ == "__main__":
    main(os.path.join(os.path.dirname(__file__), "..", "tests", "data", "stateful_metric_refs.json"))
