"""cifar10_resnet's ResNet v1 (keras-team Keras 2 examples) against real Keras 2 from the same
weights: outputs in training and inference mode, the loss with its l2 terms, the gradient of
every weight, and three Adam steps (weights and BatchNormalization's moving statistics after).
Expected figures: tools/gen_keras_resnet_refs.py (tf_keras); the full-size comparison behind
them is tools/keras_resnet_identical.py (bench/RESULTS.md, 2026-11-30)."""
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import keras
from resnet_v1 import resnet_v1  # (tests/, on the path through conftest)

REFS = os.path.join(os.path.dirname(__file__), "data", "keras_resnet_refs.npz")


@pytest.fixture(scope="module")
def refs():
    return np.load(REFS)


def _model(refs):
    m, _ = resnet_v1(keras)
    layers = [l for l in m.layers if l.get_weights()]
    for l in layers:
        l.set_weights([refs[f"w0/{l.name}/{i}"] for i in range(len(l.get_weights()))])
    return m, layers


def _pre_bn_biases(m):
    """Conv biases followed by a BatchNormalization (every conv but the 1x1 shortcuts): their
    exact gradient is zero (the batch mean cancels them), so both engines give float32 noise
    there (See Note [bias before BatchNormalization] in tools/keras_resnet_identical.py)."""
    return {l.name for l in m.layers if l.name.startswith("conv") and
            tuple(l.kernel_size) != (1, 1)}


def _close(a, b, what, rtol=1e-4):
    """|a - b| <= rtol * max |b| (float32 rounding through 8 layers of BatchNormalization)."""
    scale = max(float(np.abs(b).max()), 1e-12)
    err = float(np.abs(np.asarray(a) - b).max())
    assert err <= rtol * scale, f"{what}: max |ours - keras| = {err:.3g}, max |keras| = {scale:.3g}"


def test_outputs_and_loss_with_l2_terms(refs):
    m, _ = _model(refs)
    x, y = refs["x"][0], refs["y"][0]
    _close(m(x, training=False).numpy(), refs["infer"], "inference-mode output")
    with tf.GradientTape() as tape:
        p = m(x, training=True)
        ce = keras.losses.categorical_crossentropy(y, p).mean()
        assert len(m.losses) == 9  # one l2 term per Conv2D (9 at depth 8), as in Keras 2
        reg = m.losses[0]
        for r in m.losses[1:]:
            reg = reg + r
        total = ce + reg
    _close(p.numpy(), refs["train"], "training-mode output")
    np.testing.assert_allclose([float(ce.numpy()), float(reg.numpy()), float(total.numpy())],
                               refs["loss"], rtol=1e-5)
    skip = _pre_bn_biases(m)
    pairs = [(l.name, i, w) for l in m.layers for i, w in enumerate(l.trainable_weights)]
    grads = tape.gradient(total, [w for _, _, w in pairs])
    assert len(grads) == len([k for k in refs.files if k.startswith("grad/")])
    for (name, i, _), g in zip(pairs, grads):
        ref = refs[f"grad/{name}/{i}"]
        if name in skip and i == 1:  # zero up to rounding on both sides
            kernel = np.abs(refs[f"grad/{name}/0"]).max()
            assert np.abs(g.numpy()).max() < 1e-4 * kernel, name
            continue
        _close(g.numpy(), ref, f"gradient of {name} weight {i}", rtol=1e-3)


def test_adam_steps_weights_and_moving_statistics(refs):
    m, layers = _model(refs)
    m.compile(loss="categorical_crossentropy", optimizer=keras.optimizers.Adam(lr=1e-3),
              metrics=["accuracy"])
    steps = [m.train_on_batch(refs["x"][s], refs["y"][s]) for s in range(1, 4)]
    np.testing.assert_allclose(steps, refs["steps"], rtol=1e-4)
    skip = _pre_bn_biases(m)
    for l in layers:
        for i, w in enumerate(l.get_weights()):
            ref = refs[f"after/{l.name}/{i}"]
            if l.name in skip and i == 1:
                # moved by Adam on rounding noise: at most lr per step on either side
                assert np.abs(w - refs[f"w0/{l.name}/1"]).max() <= 3.1e-3, l.name
                continue
            # BatchNormalization's moving mean carries 1% of those biases' drift per step
            atol = 1e-4 if l.name.startswith("bn") and i == 2 else 0
            np.testing.assert_allclose(w, ref, rtol=2e-4, atol=atol,
                                       err_msg=f"{l.name} weight {i} after 3 Adam steps")
    _close(m.predict(refs["x"][0], verbose=0), refs["after_infer"],
           "inference-mode output after the steps", rtol=1e-3)
