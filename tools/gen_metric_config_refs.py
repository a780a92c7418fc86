"""Keras 2's (tf_keras 2.21) metric configs and AUC figures, for tests/test_metric_config.py
(tests/data/metric_config_refs.json). Run with the Keras 2 oracle venv, never in tests:
    ../keras-venv/bin/python tools/gen_metric_config_refs.py
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tf_keras as keras  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "metric_config_refs.json")

# metric class -> constructor arguments (the ones that need some)
ARGS = {"IoU": {"num_classes": 3, "target_class_ids": [0, 2]}, "MeanIoU": {"num_classes": 3},
        "OneHotIoU": {"num_classes": 3, "target_class_ids": [1]},
        "OneHotMeanIoU": {"num_classes": 3}, "PrecisionAtRecall": {"recall": 0.5},
        "RecallAtPrecision": {"precision": 0.5}, "SensitivityAtSpecificity": {"specificity": 0.5},
        "SpecificityAtSensitivity": {"sensitivity": 0.5}, "MeanRelativeError": {"normalizer": [1.0]},
        "AUC": {"num_thresholds": 50}}


def main():
    keys = {}
    for name in sorted(dir(keras.metrics)):
        cls = getattr(keras.metrics, name)
        if not (isinstance(cls, type) and issubclass(cls, keras.metrics.Metric)) or \
                name in ("Metric", "MeanMetricWrapper", "SumOverBatchSize", "MeanTensor"):
            continue
        try:
            keys[name] = sorted(cls(**ARGS.get(name, {})).get_config())
        except Exception:  # a class that needs arguments this table does not give
            continue
    y, logits = [0, 1, 1, 0, 1], [-2.0, 1.0, 0.3, 0.5, -0.1]
    m = keras.metrics.AUC(num_thresholds=50, from_logits=True)
    m.update_state(y, logits)
    t = keras.metrics.AUC(thresholds=[0.3, 0.6])
    t.update_state(y, [0.1, 0.9, 0.5, 0.7, 0.2])
    out = {"config_keys": keys, "args": ARGS, "auc_logits": float(m.result()),
           "auc_thresholds": float(t.result()),
           "auc_thresholds_config": {k: v
                                     for k, v in t.get_config().items()
                                     if k not in ("name", "thresholds")}}
    out["auc_thresholds_config"]["thresholds"] = [float(v) for v in t.get_config()["thresholds"]]
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
    print("wrote", OUT, len(keys), "classes")


if __name__ == "__main__":
    main()
