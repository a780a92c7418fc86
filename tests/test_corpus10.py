"""The gaps the tenth corpus's programs revealed (tools/keras_corpus.md, "Tenth corpus"), and
tf.config.threading. Figures marked TensorFlow's were printed by tools/keras_corpus10_refs.py
under TensorFlow 2.21 / tf_keras on a machine without a visible GPU; the others are worked out
by hand in the test."""
import os

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import layers as L


# ---- tf.config.threading / enable_op_determinism ----

@pytest.fixture
def restore_threads():
    from tensorforge import tf_config
    n = tf.get_num_threads()
    saved = dict(tf_config._threading)
    yield
    tf.set_num_threads(n)
    tf_config._threading.update(saved)


def test_threading_getters_and_setters_follow_tensorflow(restore_threads):
    from tensorforge import tf_config
    tf_config._threading.update(intra=0, inter=0, initial=None)  # a fresh process's state
    th = tf.config.threading
    start = tf.get_num_threads()
    # TensorFlow's: 0 and 0 before any set (0: the system picks)
    assert (th.get_intra_op_parallelism_threads(), th.get_inter_op_parallelism_threads()) == (0, 0)
    th.set_intra_op_parallelism_threads(1)
    th.set_inter_op_parallelism_threads(2)
    # TensorFlow's: the getters return what was set
    assert (th.get_intra_op_parallelism_threads(), th.get_inter_op_parallelism_threads()) == (1, 2)
    assert tf.get_num_threads() == 1  # intra-op threads are tensorforge's thread count
    th.set_intra_op_parallelism_threads(0)  # 0: back to the count tensorforge started with
    assert th.get_intra_op_parallelism_threads() == 0
    assert tf.get_num_threads() == start


def test_threading_refuses_bad_counts_by_name(restore_threads):
    th = tf.config.threading
    with pytest.raises(ValueError, match=r"set_intra_op_parallelism_threads: num_threads must "
                                         r"be >= 0 .*got -1"):
        th.set_intra_op_parallelism_threads(-1)  # (TensorFlow aborts the process on this)
    with pytest.raises(TypeError, match="set_inter_op_parallelism_threads: num_threads must be "
                                        "an int, got float 2.5"):
        th.set_inter_op_parallelism_threads(2.5)


def _seeded_history():
    tf.keras.utils.set_random_seed(812)
    tf.config.experimental.enable_op_determinism()  # TensorFlow's: returns None
    model = tf.keras.Sequential([L.Dense(8, activation="relu"), L.Dropout(0.2), L.Dense(3)])
    model.compile("adam", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    x = np.random.rand(64, 5).astype("float32")
    y = np.random.randint(0, 3, 64)
    return model.fit(x, y, epochs=3, batch_size=16, verbose=0).history["loss"]


def test_a_seeded_program_repeats_its_training_exactly():
    """reproducibility_recipes.py's claim: seeds set, determinism on, the same losses twice."""
    assert tf.config.experimental.enable_op_determinism() is None
    first, second = _seeded_history(), _seeded_history()
    assert first == second and len(first) == 3


# ---- tf.distribute (the TF 2 distributed-training guide) ----

def test_mirrored_strategy_is_one_replica_with_tensorflows_records():
    s = tf.distribute.MirroredStrategy()
    # TensorFlow's, on a machine without a GPU (its one GPU where the cuda backend drives one)
    assert s.num_replicas_in_sync == 1
    dev = "GPU" if tf.backend.get_backend() == "cuda" else "CPU"
    assert s.extended.worker_devices == (f"/job:localhost/replica:0/task:0/device:{dev}:0",)
    assert not tf.distribute.has_strategy()
    with s.scope():
        assert tf.distribute.has_strategy() and tf.distribute.get_strategy() is s
        model = tf.keras.Sequential([tf.keras.Input((2,)), L.Dense(1, kernel_initializer="ones")])
        model.compile("sgd", "mse")
    assert not tf.distribute.has_strategy()
    assert s.run(lambda a, b: a + b, args=(1, 2)) == 3
    v = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(s.reduce(tf.distribute.ReduceOp.SUM, v, axis=0).numpy(), [4, 6])
    np.testing.assert_array_equal(s.reduce("MEAN", v, axis=1).numpy(), [1.5, 3.5])
    np.testing.assert_array_equal(s.reduce("SUM", v, axis=None).numpy(), [[1, 2], [3, 4]])
    # the model built in the scope trains as any other: (1 + 1) -> 0 under mse, by hand
    loss = model.train_on_batch(np.ones((1, 2), "float32"), np.zeros((1, 1), "float32"))
    assert float(np.ravel(loss)[0]) == pytest.approx(4.0)


def test_strategy_arguments_are_checked_by_name():
    with pytest.raises(ValueError, match="MirroredStrategy: tensorforge trains one replica"):
        tf.distribute.MirroredStrategy(["/gpu:0", "/gpu:1"])
    assert tf.distribute.MirroredStrategy(["/cpu:0"]).extended.worker_devices[0].endswith("CPU:0")
    with pytest.raises(ValueError, match="reduce: reduce_op must be"):
        tf.distribute.MirroredStrategy().reduce("MAX", tf.constant([1.0]), axis=0)


# ---- GradientTape.gradient of several targets that share a graph ----

def test_gradient_of_a_list_of_targets_sharing_a_graph_walks_it_once():
    """By hand: h = 3 w, a = sum(h), b = sum(h ** 2); d(a + b)/dw = 3 + 2 h 3 = 39 at w = 2.
    A non-persistent tape walked the targets one by one and found the shared nodes freed."""
    w = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        h = 3.0 * w
        targets = [tf.reduce_sum(h), tf.reduce_sum(h * h)]
    assert float(tape.gradient(targets, w)) == pytest.approx(39.0)


def test_second_order_gradient_of_a_list_of_first_order_gradients():
    """TensorFlow's (and by hand): x*x*y at x = 2, y = 3: inner [2xy, x^2] = [12, 4], outer
    d(2xy + x^2)/d[x, y] = [2y + 2x, 2x] = [10, 4]."""
    x, y = tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            loss = x * x * y
        g = inner.gradient(loss, [x, y])
    assert [float(t) for t in g] == pytest.approx([12.0, 4.0])
    assert [float(t) for t in outer.gradient(g, [x, y])] == pytest.approx([10.0, 4.0])


def test_debugging_tips_second_order_step_matches_tensorflow():
    """debugging_tips.py's train_step: the outer tape differentiates the list of the weights'
    gradients (Dense(2, tanh) + MSE here; TensorFlow's figures)."""
    inp = tf.keras.Input((2,))
    dense = L.Dense(2, activation="tanh", bias_initializer="zeros",
                    kernel_initializer=tf.keras.initializers.Constant([[0.5, -0.25], [0.125, 1.0]]))
    model = tf.keras.Model(inp, dense(inp))
    xs = np.array([[1.0, 2.0], [-1.0, 0.5], [0.25, -2.0]], np.float32)
    ys = np.array([[0.5, -0.5], [0.0, 1.0], [1.0, 0.25]], np.float32)
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            loss = tf.keras.losses.MeanSquaredError()(ys, model(xs, training=True))
        g1 = t1.gradient(loss, model.trainable_variables)
    g2 = t2.gradient(g1, model.trainable_variables)
    assert float(loss) == pytest.approx(0.8577475547790527, rel=1e-5)
    np.testing.assert_allclose(g1[0].numpy(), [[0.04858018, 0.12088074], [0.7347539, 0.1239364]],
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(g1[1].numpy(), [-0.45606422, -0.04329797], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(g2[0].numpy(), [[0.22652912, -0.49095565], [1.0570261, -0.8082657]],
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(g2[1].numpy(), [0.2325767, -0.25319296], rtol=1e-4, atol=1e-6)


# ---- tf.math.l2_normalize ----

def test_l2_normalize_values_epsilon_and_second_derivative():
    x = tf.constant([[3.0, 4.0], [0.0, 0.0]])
    # by hand: / 5 over all entries; a zero row stays zero; epsilon 100 divides by 10
    np.testing.assert_allclose(tf.math.l2_normalize(x).numpy(), [[0.6, 0.8], [0, 0]], rtol=1e-6)
    np.testing.assert_allclose(tf.nn.l2_normalize(x, 1, epsilon=100.0).numpy(),
                               [[0.3, 0.4], [0, 0]], rtol=1e-6)
    w = tf.Variable([[3.0, 4.0]])
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            out = tf.reduce_sum(tf.math.l2_normalize(w * w) * tf.constant([[1.0, 2.0]]))
        g = t1.gradient(out, w)
    # TensorFlow's
    np.testing.assert_allclose(g.numpy(), [[-0.031035326, 0.023276508]], rtol=1e-4)
    np.testing.assert_allclose(t2.gradient(g, w).numpy(), [[-0.037650667, 0.030177698]], rtol=1e-4)


# ---- Tensor formatting, truth and equality (TensorFlow 2's) ----

def test_tensor_format_spec_formats_the_value():
    # TensorFlow's: '1.2346', '   3', '[1. 2.]'; a spec on a vector is NumPy's TypeError
    assert f"{tf.constant(1.23456):.4f}" == "1.2346"
    assert "{:>4}".format(tf.constant(3)) == "   3"
    assert f"{tf.constant([1.0, 2.0])}" == "[1. 2.]"
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{tf.constant([1.0, 2.0]):.2f}"


def test_tensor_equality_is_elementwise_and_tensors_stay_hashable():
    a = tf.Variable(tf.random.normal((2, 2)))
    b = tf.random.normal((2, 2))
    a.assign(b)
    assert all(a[i, j] == b[i, j] for i in range(2) for j in range(2))  # the guide's assert
    np.testing.assert_array_equal((a != b).numpy(), np.zeros((2, 2), bool))
    np.testing.assert_array_equal((tf.constant([1, 2]) == 2).numpy(), [False, True])
    assert (a == None) is False and (a != None) is True  # noqa: E711 -- TensorFlow's
    assert (a == tf.ones((3,))) is False  # incompatible shapes: False
    d = {a: 1, b: 2}
    assert d[a] == 1 and d[b] == 2 and len({a, b}) == 2
    assert a in [a] and [a, b] == [a, b]
    with pytest.raises(ValueError, match="ambiguous"):
        bool(a == b)


# ---- Metric.add_weight (DLwP 2nd ed. chapter 7) ----

class _RMSE(tf.keras.metrics.Metric):
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

    def reset_state(self):
        self.mse_sum.assign(0.)
        self.total_samples.assign(0)


def test_a_metric_with_add_weight_state():
    """By hand (and TensorFlow's 0.5400617): squared errors 0.5, 0, 0.375 over 3 samples."""
    m = _RMSE()
    assert [np.dtype(v.dtype) for v in m.variables] == [np.float32, np.int32]
    m.update_state(np.array([0, 1, 2]), np.array([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0],
                                                  [0.25, 0.25, 0.5]], np.float32))
    assert float(m.result()) == pytest.approx(np.sqrt(0.875 / 3), rel=1e-6)
    m.reset_state()
    assert [float(v) for v in m.variables] == [0.0, 0.0]

    class Summed(tf.keras.metrics.Metric):  # no reset_state of its own: Keras 2 zeroes
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.s = self.add_weight(name="s", initializer="ones")

        def update_state(self, v):
            self.s.assign_add(v)

        def result(self):
            return self.s + 0.0
    z = Summed()
    assert float(z.result()) == 1.0  # TensorFlow's: 1.0, 4.0, then 0.0
    z.update_state(3.0)
    assert float(z.result()) == 4.0
    z.reset_state()
    assert float(z.result()) == 0.0


def test_an_add_weight_metric_in_fit_matches_its_direct_value():
    model = tf.keras.Sequential([tf.keras.Input((3,)), L.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=[_RMSE()])
    x = np.random.rand(20, 3).astype("float32")
    y = np.random.randint(0, 3, 20)
    logs = model.evaluate(x, y, batch_size=7, verbose=0, return_dict=True)
    direct = _RMSE()
    direct.update_state(y, model.predict(x, verbose=0))
    assert logs["rmse"] == pytest.approx(float(direct.result()), rel=1e-5)


# ---- save / load of a model compiled with metric objects (the distributed guide) ----

def test_a_model_compiled_with_metric_objects_saves_and_loads(tmp_path):
    inp = tf.keras.Input((4,))
    model = tf.keras.Model(inp, L.Dense(3)(inp))
    model.compile("adam", tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[tf.keras.metrics.SparseCategoricalAccuracy(name="acc2"),
                           tf.keras.metrics.SparseTopKCategoricalAccuracy(k=2)])
    x = np.random.rand(16, 4).astype("float32")
    y = np.random.randint(0, 3, 16)
    model.fit(x, y, verbose=0)
    path = os.path.join(tmp_path, "ckpt-1")  # no suffix: Keras 2's SavedModel path
    model.save(path)
    loaded = tf.keras.models.load_model(path)
    want = model.evaluate(x, y, verbose=0, return_dict=True)
    got = loaded.evaluate(x, y, verbose=0, return_dict=True)
    assert set(got) == {"loss", "acc2", "sparse_top_k_categorical_accuracy"}
    assert got == pytest.approx(want)


# ---- a functional model's Input((1,)) given a batch of one (the preprocessing guide) ----

def test_a_batch_of_one_string_fits_input_of_shape_1():
    inputs = tf.keras.Input(shape=(1,), dtype="string")
    model = tf.keras.Model(inputs, L.Lambda(lambda t: t)(inputs))
    out = model(tf.constant(["a b"]))
    # TensorFlow's: tf.Tensor([[b'a b']], shape=(1, 1), dtype=string)
    assert out.shape == (1, 1) and out.numpy()[0, 0] == b"a b"
    x = tf.keras.Input((1,))
    m = tf.keras.Model(x, L.Lambda(lambda t: t * 2.0)(x))
    np.testing.assert_array_equal(m(np.ones((1,), "float32")).numpy(), [[2.0]])


# ---- tf.strings.split (a TextVectorization's custom split, DLwP 2nd ed. chapter 11) ----

def test_strings_split_scalar_batch_sep_and_maxsplit():
    # TensorFlow's, each
    assert tf.strings.split("a  b c ").numpy().tolist() == [b"a", b"b", b"c"]
    assert tf.strings.split(["a b", "", " c d e "]).to_list() == [[b"a", b"b"], [],
                                                                 [b"c", b"d", b"e"]]
    assert tf.strings.split(["a,b,,c", "x"], sep=",").to_list() == [[b"a", b"b", b"", b"c"],
                                                                    [b"x"]]
    assert tf.strings.split(["a b c d"], maxsplit=1).to_list() == [[b"a", b"b c d"]]
    with pytest.raises(ValueError, match=r"tf.strings.split: input must be .*got shape \(1, 1\)"):
        tf.strings.split([["a b"]])


def test_text_vectorization_with_custom_standardize_and_split_callables():
    import re
    import string

    def standardize(s):
        return tf.strings.regex_replace(tf.strings.lower(s), f"[{re.escape(string.punctuation)}]",
                                        "")
    tv = L.TextVectorization(output_mode="int", standardize=standardize, split=tf.strings.split)
    tv.adapt(["I write, erase, rewrite", "Erase again, and then", "A poppy blooms."])
    vocab = tv.get_vocabulary()
    # TensorFlow's: "erase" (seen twice) first, then the ties in reverse order
    assert vocab == ["", "[UNK]", "erase", "write", "then", "rewrite", "poppy", "i", "blooms",
                     "and", "again", "a"]
    enc = tv("I write, rewrite, and still rewrite again").numpy()
    assert enc.tolist() == [7, 3, 5, 9, 1, 5, 10]  # TensorFlow's (a scalar string: 1-D)


def test_text_vectorization_of_one_string_drops_the_batch_axis():
    tv = L.TextVectorization(output_mode="int", output_sequence_length=9)
    tv.adapt(["a b c", "b c"])
    # TensorFlow's: tf.Tensor([4 3 1 0 0 0 0 0 0], shape=(9,)) and [1. 0. 1. 1.]
    np.testing.assert_array_equal(tv("a b z").numpy(), [4, 3, 1, 0, 0, 0, 0, 0, 0])
    mh = L.TextVectorization(output_mode="multi_hot")
    mh.adapt(["a b c", "b c"])
    np.testing.assert_array_equal(mh("a b z").numpy(), [1.0, 0.0, 1.0, 1.0])
