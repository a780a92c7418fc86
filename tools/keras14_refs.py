"""Generate tests/data/keras14_refs.npz and keras14_refs.json: tf_keras 2.21's values for the
Keras 2 names keras14 added (grouped convolutions, ...), the oracle of tests/test_keras14*.py.

    /work/keras-venv/bin/python tools/keras14_refs.py      # tensorflow-cpu + tf_keras 2.21

Inputs and weights are drawn here from a fixed seed and stored next to the outputs, so the
tests replay exactly these; gradients are d sum(output * w) / d (input, kernel, bias) for a
stored random w.
"""
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(os.path.dirname(HERE), "tests", "data")
rng = np.random.default_rng(1414)
OUT = {}
META = {}


def f32(*shape, lo=-1.0, hi=1.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


# ---- grouped convolutions: (key, layer class, kwargs, input shape) ---------------------------
CONV_GROUPS = [
    ("c2d_g2", "Conv2D", dict(filters=6, kernel_size=3, groups=2), (2, 7, 8, 4)),
    ("c2d_g3_same_s2", "Conv2D", dict(filters=9, kernel_size=3, strides=2, padding="same",
                                      groups=3, activation="relu"), (2, 9, 7, 6)),
    ("c2d_dw_g8_same", "Conv2D", dict(filters=16, kernel_size=(3, 5), padding="same", groups=8),
     (2, 6, 7, 8)),
    ("c2d_dw_g5_dil2", "Conv2D", dict(filters=5, kernel_size=3, dilation_rate=2, groups=5),
     (1, 9, 9, 5)),
    ("c2d_g2_cf", "Conv2D", dict(filters=4, kernel_size=2, groups=2,
                                 data_format="channels_first"), (2, 4, 5, 6)),
    ("c2d_g4_nobias", "Conv2D", dict(filters=8, kernel_size=1, groups=4, use_bias=False),
     (3, 4, 4, 8)),
    ("c1d_g2_causal", "Conv1D", dict(filters=4, kernel_size=3, padding="causal", groups=2,
                                     dilation_rate=2), (2, 11, 6)),
    ("c1d_g3_s2", "Conv1D", dict(filters=6, kernel_size=4, strides=2, groups=3), (2, 13, 3)),
    ("c3d_g2", "Conv3D", dict(filters=4, kernel_size=(2, 3, 3), groups=2, padding="same"),
     (1, 4, 5, 6, 4)),
]


def conv_groups():
    for key, cls, kw, shape in CONV_GROUPS:
        layer = getattr(keras.layers, cls)(**kw)
        x = f32(*shape)
        layer.build(shape)
        ws = [f32(*w.shape) for w in layer.weights]
        layer.set_weights(ws)
        xt = tf.Variable(x)
        y = layer(xt)
        w = f32(*y.shape)
        with tf.GradientTape() as tape:
            s = tf.reduce_sum(layer(xt) * w)
        grads = tape.gradient(s, [xt] + layer.trainable_weights)
        OUT[f"conv/{key}/x"] = x
        OUT[f"conv/{key}/y"] = y.numpy()
        OUT[f"conv/{key}/w"] = w
        for i, v in enumerate(ws):
            OUT[f"conv/{key}/p{i}"] = v
        for i, g in enumerate(grads):
            OUT[f"conv/{key}/g{i}"] = g.numpy()
        META[f"conv/{key}"] = dict(cls=cls, kwargs=kw, shape=shape,
                                   config=layer.get_config())


def main():
    conv_groups()
    np.savez_compressed(os.path.join(DATA, "keras14_refs.npz"), **OUT)
    with open(os.path.join(DATA, "keras14_refs.json"), "w") as f:
        json.dump(META, f, indent=1, sort_keys=True, default=str)
        f.write("\n")


if __name__ == "__main__":
    main()
