"""Print the figures of tests/test_optimizers.py::test_default_classes_follow_tf_keras_2_21:
a Dense(2, use_bias=False) model trained by train_on_batch under tf_keras 2.21's default
RMSprop (compile('rmsprop'), keras.optimizers.RMSprop(centered=True)) and the optimizers.legacy
RMSprop / Nadam, on inputs of size ~1e-4 so that the gradients (~1e-5) sit below
sqrt(epsilon / (1 - rho)), where the default and legacy RMSprop differ (Note [RMSprop epsilon]).

    /work/keras-venv/bin/python tools/gen_optimizer_epsilon_refs.py

tf_keras 2.21's default Nadam is left out: inside a traced train step its momentum product is
chosen by a Python counter read at trace time (_u_product_counter), so its fit does not follow
its own formula (NaN weights after these three steps of this one-weight model; with a kernel
and a bias, figures other than its apply_gradients'). tensorforge's Nadam follows the formula,
as tf_keras's apply_gradients takes it (the 'nadam_new' case of tools/gen_optimizer_refs.py).
"""
import os

import numpy as np

STEPS = 3
KERNEL = np.array([[0.5, -0.25], [0.125, 0.75], [-0.5, 0.375]], np.float32)
X = (np.arange(12, dtype=np.float32).reshape(4, 3) - 5.0) * np.float32(1e-4)
Y = np.array([[1e-3, -2e-3], [0.0, 1e-3], [2e-3, 0.0], [-1e-3, 1e-3]], np.float32)
# (name, how the Keras side builds it, how tensorforge's test builds it)
CASES = [("rmsprop", "'rmsprop'"), ("rmsprop_centered", "RMSprop(centered=True)"),
         ("legacy_rmsprop", "legacy.RMSprop()"),
         ("legacy_rmsprop_centered", "legacy.RMSprop(centered=True)"),
         ("legacy_nadam", "legacy.Nadam()")]


def build(keras, how):
    opt = eval(how, {"RMSprop": keras.optimizers.RMSprop, "legacy": keras.optimizers.legacy})
    m = keras.Sequential([keras.layers.Dense(2, use_bias=False, input_shape=(3,))])
    m.compile(optimizer=opt, loss="mse")
    m.set_weights([KERNEL])
    return m


def main():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tf_keras as keras
    np.set_printoptions(precision=9)
    for name, how in CASES:
        m = build(keras, how)
        for _ in range(STEPS):
            m.train_on_batch(X, Y)
        print(f'    "{name}": {np.array2string(m.get_weights()[0].ravel(), separator=", ")},')


if __name__ == "__main__":
    main()
