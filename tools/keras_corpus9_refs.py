"""Figures for tests/test_corpus9.py, printed once under TensorFlow 2.21 / tf_keras (never a test
dependency), on a machine without a visible GPU:

    CUDA_VISIBLE_DEVICES= /work/keras-venv/bin/python tools/keras_corpus9_refs.py

Each section prints what the test's "TensorFlow's" comments and constants hold.
"""
import os

os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")


def config_refs():
    """tf.config's device lists and memory-growth errors (the TF 2 programs' GPU preamble)."""
    import tensorflow as tf
    print("list_physical_devices():", tf.config.list_physical_devices())
    print("('GPU'), ('CPU'), ('cpu'):", tf.config.list_physical_devices("GPU"),
          tf.config.list_physical_devices("CPU"), tf.config.list_physical_devices("cpu"))
    print("experimental('GPU'):", tf.config.experimental.list_physical_devices("GPU"))
    print("list_logical_devices():", tf.config.list_logical_devices())
    cpu = tf.config.list_physical_devices("CPU")[0]
    print("tuple(cpu):", tuple(cpu), cpu.name, cpu.device_type)
    for what, f in (("set_memory_growth(cpu)",
                     lambda: tf.config.experimental.set_memory_growth(cpu, True)),
                    ("get_memory_growth(cpu)",
                     lambda: tf.config.experimental.get_memory_growth(cpu)),
                    ("set_memory_growth('gpu0')",
                     lambda: tf.config.experimental.set_memory_growth("gpu0", True))):
        try:
            print(what, "->", f())
        except Exception as e:  # noqa: BLE001 -- the error is the figure
            print(what, "raises", type(e).__name__, str(e))
    print("get_visible_devices():", tf.config.get_visible_devices())


def compat_v1_refs():
    """tf.compat.v1.disable_eager_execution: Keras 2 still fits a model (the VAE's path)."""
    import numpy as np
    import tensorflow as tf
    import tf_keras
    tf.compat.v1.disable_eager_execution()
    print("executing_eagerly after disable:", tf.executing_eagerly())
    inp = tf_keras.Input((3,))
    model = tf_keras.Model(inp, tf_keras.layers.Dense(1, kernel_initializer="ones")(inp))
    model.compile(tf_keras.optimizers.legacy.SGD(0.1), "mse")
    h = model.fit(np.ones((4, 3)), np.zeros((4, 1)), epochs=2, batch_size=4, verbose=0)
    print("graph-mode fit losses:", h.history["loss"])


def layer_alias_refs():
    import tf_keras
    print("Convolution aliases:", [n for n in dir(tf_keras.layers) if "Convolution" in n])
    print("Convolution1D is Conv1D:", tf_keras.layers.Convolution1D is tf_keras.layers.Conv1D)


if __name__ == "__main__":
    config_refs()
    layer_alias_refs()
    compat_v1_refs()  # last: it switches TensorFlow to graph mode for the rest of the process
