"""Generate tests/data/float64_refs.npz: tf_keras 2.21's float64 values, the oracle of
tests/test_float64.py.

    /work/keras-venv/bin/python tools/gen_float64_refs.py      # tensorflow-cpu + tf_keras 2.21

Two parts, both defined in tests/float64_cases.py (the test runs the same code on tensorforge):
- 'train/<scenario>/...': small models trained EPOCHS epochs in float64 (K.set_floatx('float64')
  or dtype='float64' layers) from seeded weights and data: the loss History, the weights after
  each epoch, evaluate's loss and predict's outputs;
- 'loss/<name>/...': each built-in loss on float64 (y_true, y_pred): the per-sample 'value',
  the 'grad' of its sum with respect to y_pred, and the loss class's batch mean 'class';
- 'layer/<name>/...': one float64 layer with seeded weights on seeded inputs: its output 'y' and
  the gradients of sum(y * cotangent) with respect to each float input ('dx<i>') and each
  trainable weight ('dw<i>', in layer.trainable_weights order).
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
import float64_cases as C  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_PATH = os.path.join(os.path.dirname(HERE), "tests", "data", "float64_refs.npz")


def train_refs(out):
    for name in C.SCENARIOS:
        r = C.run(keras, name)
        for k, v in r.items():
            if k in ("dtypes", "pred_dtype"):
                out[f"train/{name}/{k}"] = np.asarray(json.dumps(v))
            else:
                out[f"train/{name}/{k}"] = np.asarray(v)
        print(name, r["loss"], r["dtypes"][:2], r["pred_dtype"])


def layer_refs(out):
    for name, (cls, kw, _, call_kw) in C.LAYERS.items():
        xs = C.layer_inputs(name)
        layer = getattr(keras.layers, cls)(**kw, dtype="float64")
        ts = [tf.constant(x) for x in xs]
        arg = ts if len(ts) > 1 else ts[0]
        layer(arg, **call_kw)  # builds
        layer.set_weights(C.layer_weights(layer))
        floats = [t for t in ts if t.dtype.is_floating]
        with tf.GradientTape(persistent=True) as tape:
            for t in floats:
                tape.watch(t)
            y = layer(arg, **call_kw)
            loss = tf.reduce_sum(y * C.cotangent(tuple(y.shape)))
        out[f"layer/{name}/y"] = y.numpy()
        for i, g in enumerate(tape.gradient(loss, floats)):
            out[f"layer/{name}/dx{i}"] = g.numpy()
        for i, g in enumerate(tape.gradient(loss, layer.trainable_weights)):
            out[f"layer/{name}/dw{i}"] = g.numpy() if not hasattr(g, "indices") else \
                tf.convert_to_tensor(g).numpy()
        out[f"layer/{name}/dtype"] = np.asarray(y.dtype.name)


def loss_refs(out):
    for name in C.LOSSES:
        yt, yp = C.loss_inputs(name)
        p = tf.constant(yp)
        fn = keras.losses.get(name)
        with tf.GradientTape() as tape:
            tape.watch(p)
            v = fn(tf.constant(yt), p)
            total = tf.reduce_sum(v)
        out[f"loss/{name}/value"] = v.numpy()
        out[f"loss/{name}/grad"] = tape.gradient(total, p).numpy()
        out[f"loss/{name}/class"] = getattr(keras.losses, _class(name))()(yt, yp).numpy()


def _class(name):
    special = {"kl_divergence": "KLDivergence", "log_cosh": "LogCosh", "huber": "Huber"}
    return special.get(name, "".join(w.title() for w in name.split("_")))


def main():
    out = {}
    loss_refs(out)
    layer_refs(out)
    train_refs(out)
    np.savez_compressed(OUT_PATH, **out)
    print("wrote", OUT_PATH, len(out), "arrays")


if __name__ == "__main__":
    main()
