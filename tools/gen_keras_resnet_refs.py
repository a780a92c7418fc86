"""Expected figures for tests/test_keras_resnet_parity.py from real Keras 2 (tf_keras): the
ResNet v1 of keras-team's cifar10_resnet example (every layer kind of it: Conv2D 'same' with
l2(1e-4), strides 1 and 2, 3x3 and the 1x1 shortcut; BatchNormalization; Activation; add;
AveragePooling2D; Flatten; Dense softmax) at depth 8 on 16x16x3 inputs (pool size 4 instead of
8, so the last stack's 4x4 maps pool to one pixel as the program's 8x8 ones do; 4, 8, 16 filters
instead of 16, 32, 64, to keep the file small), from fixed
weights drawn here, on a fixed batch of 8. Recorded:
  - the softmax output in training mode (batch statistics) and in inference mode (moving ones);
  - the loss of the batch: categorical cross-entropy, the sum of model.losses (the l2 terms);
  - the gradient of their sum with respect to every trainable weight (tf.GradientTape);
  - train_on_batch's [loss, accuracy] for 3 steps of optimizers.legacy.Adam(1e-3) (what the
    harness, tools/keras_parity.py, gives the program for Adam(lr=...)), then every weight
    (BatchNormalization's moving mean and variance included) and the inference-mode output.
Run with /work/keras-venv/bin/python tools/gen_keras_resnet_refs.py; writes
tests/data/keras_resnet_refs.npz. The full-size check behind it is
tools/keras_resnet_identical.py (bench/RESULTS.md, 2026-11-30)."""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "tests", "data", "keras_resnet_refs.npz")
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))
from resnet_v1 import resnet_v1  # noqa: E402  (the builder the test uses too)


def fixed_weights(model, rng):
    """{layer/i: array}: kernels N(0, 2 / fan_in), small biases, BatchNormalization's gamma near
    1, beta near 0, moving mean and variance away from their 0 / 1 start (so the inference
    output depends on them)."""
    out = {}
    for l in model.layers:
        for i, w in enumerate(l.get_weights()):
            if w.ndim > 1:
                v = rng.standard_normal(w.shape) * np.sqrt(2.0 / np.prod(w.shape[:-1]))
            elif l.name.startswith("bn"):
                v = [1 + 0.1 * rng.standard_normal(w.shape), 0.1 * rng.standard_normal(w.shape),
                     0.1 * rng.standard_normal(w.shape), 1 + 0.5 * rng.random(w.shape)][i]
            else:
                v = 0.05 * rng.standard_normal(w.shape)
            out[f"{l.name}/{i}"] = v.astype(np.float32)
    return out


def main():
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    rng = np.random.default_rng(12)
    m, _ = resnet_v1(keras)
    w0 = fixed_weights(m, rng)
    xs = rng.standard_normal((4, 8, 16, 16, 3)).astype(np.float32)
    ys = np.eye(10, dtype=np.float32)[rng.integers(0, 10, (4, 8))]
    layers = [l for l in m.layers if l.get_weights()]

    def reset():
        for l in layers:
            l.set_weights([w0[f"{l.name}/{i}"] for i in range(len(l.get_weights()))])

    ref = {f"w0/{k}": v for k, v in w0.items()}
    ref.update(x=xs, y=ys)
    reset()
    ref["infer"] = m(xs[0], training=False).numpy()
    tw = [(l.name, i, w) for l in layers for i, w in enumerate(l.trainable_weights)]
    with tf.GradientTape() as tape:
        p = m(xs[0], training=True)
        ce = tf.reduce_mean(keras.losses.categorical_crossentropy(ys[0], p))
        reg = tf.add_n(m.losses)
        total = ce + reg
    for (name, i, _), g in zip(tw, tape.gradient(total, [w for _, _, w in tw])):
        ref[f"grad/{name}/{i}"] = g.numpy()
    ref.update(train=p.numpy(), loss=np.array([ce.numpy(), reg.numpy(), total.numpy()]))
    reset()
    m.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.legacy.Adam(1e-3),
              metrics=["accuracy"])
    ref["steps"] = np.array([m.train_on_batch(xs[s], ys[s]) for s in range(1, 4)])
    for l in layers:
        for i, w in enumerate(l.get_weights()):
            ref[f"after/{l.name}/{i}"] = w
    ref["after_infer"] = m.predict(xs[0], verbose=0)
    np.savez_compressed(OUT, **ref)
    print(f"wrote {OUT}: loss {ref['loss']}, steps {ref['steps'].tolist()}")


if __name__ == "__main__":
    main()
