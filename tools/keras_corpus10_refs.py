"""Figures for tests/test_corpus10.py, printed once under TensorFlow 2.21 / tf_keras (never a test
dependency), on a machine without a visible GPU:

    CUDA_VISIBLE_DEVICES= /work/keras-venv/bin/python tools/keras_corpus10_refs.py

Each section prints what the test's "TensorFlow's" comments and constants hold.
"""
import os

os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")


def threading_refs():
    """tf.config.threading before and after a set (the runtime not started yet)."""
    import tensorflow as tf
    th = tf.config.threading
    print("defaults intra, inter:", th.get_intra_op_parallelism_threads(),
          th.get_inter_op_parallelism_threads())
    th.set_intra_op_parallelism_threads(3)
    th.set_inter_op_parallelism_threads(2)
    print("after set(3), set(2):", th.get_intra_op_parallelism_threads(),
          th.get_inter_op_parallelism_threads())
    th.set_intra_op_parallelism_threads(0)
    print("after set(0):", th.get_intra_op_parallelism_threads())
    print("enable_op_determinism():", tf.config.experimental.enable_op_determinism())


def distribute_refs():
    """A one-device MirroredStrategy: replicas, scope, run, reduce."""
    import tensorflow as tf
    s = tf.distribute.MirroredStrategy()
    print("num_replicas_in_sync:", s.num_replicas_in_sync)
    print("worker_devices:", s.extended.worker_devices)
    print("has_strategy outside / inside scope:", tf.distribute.has_strategy(), end=" ")
    with s.scope():
        print(tf.distribute.has_strategy(), tf.distribute.get_strategy() is s)
    print("run(lambda a, b: a + b, args=(1, 2)):", s.run(lambda a, b: a + b, args=(1, 2)))
    v = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    print("reduce SUM axis 0:", s.reduce(tf.distribute.ReduceOp.SUM, v, axis=0).numpy())
    print("reduce 'MEAN' axis 1:", s.reduce("MEAN", v, axis=1).numpy())
    print("reduce SUM axis None:", s.reduce("SUM", v, axis=None).numpy())


def second_order_refs():
    """The outer tape's gradient of a list of inner gradients that share one graph."""
    import numpy as np
    import tensorflow as tf
    import tf_keras as keras
    x, y = tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            loss = x * x * y
        g = inner.gradient(loss, [x, y])
    print("x*x*y: inner", [float(t) for t in g], "outer", [float(t) for t in
                                                         outer.gradient(g, [x, y])])
    inp = keras.Input((2,))
    dense = keras.layers.Dense(2, activation="tanh", kernel_initializer=keras.initializers.Constant(
        [[0.5, -0.25], [0.125, 1.0]]), bias_initializer="zeros")
    model = keras.Model(inp, dense(inp))
    xs = np.array([[1.0, 2.0], [-1.0, 0.5], [0.25, -2.0]], np.float32)
    ys = np.array([[0.5, -0.5], [0.0, 1.0], [1.0, 0.25]], np.float32)
    lf = keras.losses.MeanSquaredError()
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            loss = lf(ys, model(xs, training=True))
        g1 = t1.gradient(loss, model.trainable_variables)
    g2 = t2.gradient(g1, model.trainable_variables)
    np.set_printoptions(precision=8)
    print("dense tanh + mse: loss", float(loss))
    print("  dl/dw:", [t.numpy().tolist() for t in g1])
    print("  d(sum dl/dw)/dw:", [t.numpy().tolist() for t in g2])


def l2_normalize_refs():
    import tensorflow as tf
    x = tf.constant([[3.0, 4.0], [0.0, 0.0]])
    print("l2_normalize(x):", tf.math.l2_normalize(x).numpy().tolist())
    print("axis 1, epsilon 100:", tf.nn.l2_normalize(x, 1, epsilon=100.0).numpy().tolist())
    w = tf.Variable([[3.0, 4.0]])
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            out = tf.reduce_sum(tf.math.l2_normalize(w * w) * tf.constant([[1.0, 2.0]]))
        g = t1.gradient(out, w)
    print("d/dw:", g.numpy().tolist(), "d2:", t2.gradient(g, w).numpy().tolist())


def format_refs():
    import tensorflow as tf
    print(repr(f"{tf.constant(1.23456):.4f}"), repr("{:>4}".format(tf.constant(3))),
          repr(f"{tf.constant([1.0, 2.0])}"))
    try:
        print(f"{tf.constant([1.0, 2.0]):.2f}")
    except TypeError as e:
        print("vector with a spec:", type(e).__name__, e)


def metric_add_weight_refs():
    """DLwP 2nd ed. chapter 7's RootMeanSquaredError (add_weight state) on one batch."""
    import numpy as np
    import tensorflow as tf
    import tf_keras as keras

    class RMSE(keras.metrics.Metric):
        def __init__(self, name="rmse", **kwargs):
            super().__init__(name=name, **kwargs)
            self.mse_sum = self.add_weight(name="mse_sum", initializer="zeros")
            self.total_samples = self.add_weight(name="total_samples", initializer="zeros",
                                                 dtype="int32")

        def update_state(self, y_true, y_pred, sample_weight=None):
            y_true = tf.one_hot(y_true, depth=tf.shape(y_pred)[1])
            self.mse_sum.assign_add(tf.reduce_sum(tf.square(y_true - y_pred)))
            self.total_samples.assign_add(tf.shape(y_pred)[0])

        def result(self):
            return tf.sqrt(self.mse_sum / tf.cast(self.total_samples, tf.float32))

    m = RMSE()
    m.update_state(np.array([0, 1, 2]), np.array([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0],
                                                  [0.25, 0.25, 0.5]], np.float32))
    print("rmse:", float(m.result()), "variables:", [(v.name, v.dtype.name) for v in m.variables])
    m.reset_state()
    print("after reset_state:", [v.numpy() for v in m.variables])

    class Zeroed(keras.metrics.Metric):  # no reset_state of its own
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.s = self.add_weight(name="s", initializer="ones")

        def update_state(self, v):
            self.s.assign_add(v)

        def result(self):
            return self.s + 0.0
    z = Zeroed()
    print("initial:", float(z.result()), end=" ")
    z.update_state(3.0)
    print("updated:", float(z.result()), end=" ")
    z.reset_state()
    print("default reset_state:", float(z.result()))


def string_input_refs():
    import tensorflow as tf
    import tf_keras as keras
    inputs = keras.Input(shape=(1,), dtype="string")
    m = keras.Model(inputs, keras.layers.Lambda(lambda t: t)(inputs))
    print("Input((1,), string)(['a b']):", m(tf.constant(["a b"])))


def strings_split_refs():
    """tf.strings.split, and a TextVectorization with custom standardize / split callables
    (DLwP 2nd ed. chapter 11) and on one string."""
    import re
    import string
    import tensorflow as tf
    import tf_keras as keras
    print(tf.strings.split("a  b c ").numpy().tolist())
    print(tf.strings.split(["a b", "", " c d e "]).to_list())
    print(tf.strings.split(["a,b,,c", "x"], sep=",").to_list())
    print(tf.strings.split(["a b c d"], maxsplit=1).to_list())

    def standardize(s):
        return tf.strings.regex_replace(tf.strings.lower(s), f"[{re.escape(string.punctuation)}]",
                                        "")
    tv = keras.layers.TextVectorization(output_mode="int", standardize=standardize,
                                        split=tf.strings.split)
    tv.adapt(["I write, erase, rewrite", "Erase again, and then", "A poppy blooms."])
    print(tv.get_vocabulary())
    print(tv("I write, rewrite, and still rewrite again"))
    tv = keras.layers.TextVectorization(output_mode="int", output_sequence_length=9)
    tv.adapt(["a b c", "b c"])
    print(tv("a b z"))
    tv = keras.layers.TextVectorization(output_mode="multi_hot")
    tv.adapt(["a b c", "b c"])
    print(tv("a b z"))


if __name__ == "__main__":
    for f in (threading_refs, distribute_refs, second_order_refs, l2_normalize_refs,
              format_refs, metric_add_weight_refs, string_input_refs, strings_split_refs):
        print(f"---- {f.__name__}")
        f()
