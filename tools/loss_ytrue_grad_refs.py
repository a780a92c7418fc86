"""TensorFlow's gradients of Keras 2 losses with respect to y_true (and y_pred), the figures
tests/test_loss_ytrue_grad.py holds. Run with the Keras 2 venv (tools/keras_parity.py's oracle):

    /work/keras-venv/bin/python tools/loss_ytrue_grad_refs.py

For each case of tests/loss_ytrue_grad_cases.py, y_true and y_pred are tf.Variables (float32)
of the named inputs and the loss is computed under a GradientTape; the script prints
name: (loss, d loss / d y_true or None, d loss / d y_pred) per case, ready to paste into the
test's REFS, then the SECOND_ORDER figures. It writes nothing into the repository.
"""
import os
import sys

import numpy as np
import tensorflow as tf
import tf_keras as keras

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from loss_ytrue_grad_cases import INPUTS, cases  # noqa: E402

CASES = cases(tf, keras)


def fmt(a):
    if a is None:
        return "None"
    return repr(np.round(np.asarray(a, np.float64), 6).tolist())


def main():
    print("REFS = {")
    for name, (inputs, fn) in CASES.items():
        y0, p0 = INPUTS[inputs]
        y, p = tf.Variable(np.float32(y0)), tf.Variable(np.float32(p0))
        with tf.GradientTape() as tape:
            loss = fn(y, p)
        gy, gp = tape.gradient(loss, [y, p])
        print(f"    {name!r}: ({float(loss):.6f},\n        {fmt(gy)},\n        {fmt(gp)}),")
    print("}")
    # second order: d/dp of sum(d loss / d y_true), through the tape twice
    for name in ("MeanSquaredError", "BinaryCrossentropy", "KLDivergence",
                 "CategoricalCrossentropy_logits", "BinaryCrossentropy_logits",
                 "nn.softmax_cross_entropy_with_logits"):
        inputs, fn = CASES[name]
        y0, p0 = INPUTS[inputs]
        y, p = tf.Variable(np.float32(y0)), tf.Variable(np.float32(p0))
        with tf.GradientTape() as outer:
            with tf.GradientTape() as inner:
                loss = fn(y, p)
            gy = inner.gradient(loss, y)
            s = tf.reduce_sum(gy)
        print(f"second order {name}: {fmt(outer.gradient(s, p))}")


if __name__ == "__main__":
    main()
