"""The forty-second corpus (tools/keras_corpus.md, "Forty-second corpus"): Hands-On Machine
Learning 3rd edition's chapters 10-16 (tf.keras 2.x) and what they needed of the library and the
harness. Expected values are tf_keras 2.21's, printed by tools/keras_corpus42_refs.py (which
also wrote tests/data/corpus42_custom_metric.keras); tests never import TensorFlow."""
import os
import textwrap

import numpy as np
import pytest

import tensorforge as tf
from parity_run import run_ours
from test_corpus7 import _read_events

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


def create_huber(threshold=1.0):
    def huber_fn(y_true, y_pred):
        error = y_true - y_pred
        is_small_error = tf.abs(error) < threshold
        squared_loss = tf.square(error) / 2
        linear_loss = threshold * tf.abs(error) - threshold ** 2 / 2
        return tf.where(is_small_error, squared_loss, linear_loss)
    return huber_fn


class HuberMetric(tf.keras.metrics.Metric):  # ch. 12's streaming metric, as published
    def __init__(self, threshold=1.0, **kwargs):
        super().__init__(**kwargs)
        self.threshold = threshold
        self.huber_fn = create_huber(threshold)
        self.total = self.add_weight(name="total", initializer="zeros")
        self.count = self.add_weight(name="count", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        self.total.assign_add(tf.reduce_sum(self.huber_fn(y_true, y_pred)))
        self.count.assign_add(tf.cast(tf.size(y_true), tf.float32))

    def result(self):
        return self.total / self.count

    def get_config(self):
        return {**super().get_config(), "threshold": self.threshold}


X = (np.arange(24, dtype="float32").reshape(8, 3) - 10) / 4
Y = np.cos(np.arange(8, dtype="float32")).reshape(8, 1) * 3
W = np.linspace(0.5, 2.0, 8).astype("float32")
CUSTOM = {"huber_fn": create_huber(2.0), "HuberMetric": HuberMetric}
# tf_keras 2.21: evaluate(X, Y, sample_weight=W) of the saved model (keras_corpus42_refs.py, 1.)
TF_EVAL = {"loss": 4.162326335906982, "huber_metric": 3.9106192588806152,
           "weighted_huber": 3.9106192588806152}


def _compiled_model():
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(3,))])
    model.layers[0].set_weights([np.array([[0.5], [-1.0], [2.0]], "float32"),
                                 np.array([0.25], "float32")])
    model.compile(loss=create_huber(2.0), optimizer="sgd", metrics=[HuberMetric(2.0)],
                  weighted_metrics=[HuberMetric(2.0, name="weighted_huber")])
    return model


# ---- a custom Metric subclass and a custom loss function through .keras / .h5 (ch. 12) --------
def test_tf_keras_file_with_a_custom_metric_class_and_loss_function_loads_compiled():
    model = tf.keras.models.load_model(os.path.join(DATA, "corpus42_custom_metric.keras"),
                                       custom_objects=CUSTOM)
    metrics = model._compile_args["metrics"]
    assert isinstance(metrics[0], HuberMetric) and metrics[0].threshold == 2.0
    weighted = model._compile_args["weighted_metrics"]
    assert isinstance(weighted[0], HuberMetric) and weighted[0].name == "weighted_huber"
    got = model.evaluate(X, Y, sample_weight=W, verbose=0, return_dict=True)
    assert got == pytest.approx(TF_EVAL, rel=1e-6)


@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_custom_metric_class_round_trips_with_its_config(tmp_path, ext):
    model = _compiled_model()
    assert model.evaluate(X, Y, sample_weight=W, verbose=0, return_dict=True) == \
        pytest.approx(TF_EVAL, rel=1e-6)
    path = str(tmp_path / ("m" + ext))
    model.save(path)
    loaded = tf.keras.models.load_model(path, custom_objects=CUSTOM)
    assert loaded.evaluate(X, Y, sample_weight=W, verbose=0, return_dict=True) == \
        pytest.approx(TF_EVAL, rel=1e-6)
    loaded.fit(X, Y, epochs=1, verbose=0)  # compiled: fit runs (it raised TypeError before)


def test_keras_archive_names_a_custom_metric_as_tf_keras_does(tmp_path):
    import json
    import zipfile
    path = str(tmp_path / "m.keras")
    _compiled_model().save(path)
    with zipfile.ZipFile(path) as z:
        cc = json.loads(z.read("config.json"))["compile_config"]
    for key in ("metrics", "weighted_metrics"):  # registered by class name, as tf_keras writes
        (entry,) = cc[key]
        assert entry["class_name"] == "HuberMetric" and entry["registered_name"] == "HuberMetric"
        assert entry["module"] is None and entry["config"]["threshold"] == 2.0


def test_a_model_whose_compile_failed_says_it_is_not_compiled():
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(3,))])
    with pytest.raises(ValueError):
        model.compile(loss="mse", optimizer="sgd", metrics=["no_such_metric"])
    with pytest.raises(RuntimeError, match="compile"):
        model.fit(X, Y, verbose=0)


# ---- duplicate metric names (ch. 10 of this copy: one metric per output, a Keras 3 edit) ------
def test_duplicate_metric_names_raise_as_tf_keras():
    inp = tf.keras.Input((3,))
    o1, o2 = tf.keras.layers.Dense(1)(inp), tf.keras.layers.Dense(1)(inp)
    m = tf.keras.Model(inp, [o1, o2])
    with pytest.raises(ValueError, match=r"Found two metrics with the same name: "
                       + o1.name.split("/")[0] + "_root_mean_squared_error"):
        m.compile(loss="mse", optimizer="sgd",
                  metrics=["RootMeanSquaredError", "RootMeanSquaredError"])
        m.fit(X, [Y, Y], verbose=0)
    m1 = tf.keras.Model(inp, o1)
    with pytest.raises(ValueError, match="Found two metrics with the same name: mae. All the "
                       "metrics added to the model need to have unique names."):
        m1.compile(loss="mse", optimizer="sgd", metrics=["mae", "mae"])
        m1.fit(X, Y, verbose=0)
    m1.compile(loss="mse", optimizer="sgd", metrics=["mae", "mean_absolute_error"])
    h = m1.fit(X, Y, verbose=0)
    assert sorted(h.history) == ["loss", "mae", "mean_absolute_error"]  # tf_keras's
    m.compile(loss="mse", optimizer="sgd", metrics=["RootMeanSquaredError"])  # Keras 2 spelling
    assert m.fit(X, [Y, Y], verbose=0).history


# ---- tf.queue.FIFOQueue (ch. 12's Queues cells) -----------------------------------------------
def test_fifo_queue_as_tensorflow():
    q = tf.queue.FIFOQueue(3, [tf.int32, tf.string], shapes=[(), ()])
    q.enqueue([10, b"windy"])
    q.enqueue([15, b"sunny"])
    assert int(q.size()) == 2
    a, b = q.dequeue()
    assert (a.numpy(), a.dtype, b.numpy()) == (10, np.int32, b"windy")
    q.enqueue_many([[13, 16], [b"cloudy", b"rainy"]])
    a, b = q.dequeue_many(3)
    assert a.numpy().tolist() == [15, 13, 16] and a.dtype == np.int32
    assert b.numpy().tolist() == [b"sunny", b"cloudy", b"rainy"]
    q2 = tf.queue.FIFOQueue(4, [tf.int64, tf.float32], names=["a", "b"], shapes=[[2], []])
    q2.enqueue({"a": [1, 2], "b": 0.5})
    q2.enqueue({"a": [3, 4], "b": 1.5})
    d = q2.dequeue_many(2)
    assert d["a"].numpy().tolist() == [[1, 2], [3, 4]] and d["a"].dtype == np.int64
    assert d["b"].numpy().tolist() == [0.5, 1.5] and d["b"].dtype == np.float32
    q2.close()
    assert bool(q2.is_closed())
    with pytest.raises(tf.errors.OutOfRangeError):
        q2.dequeue()
    q3 = tf.queue.FIFOQueue(5, tf.int32, shapes=[[]])
    q3.enqueue_many([[1, 2, 3]])
    q3.close()
    assert q3.dequeue_up_to(5).numpy().tolist() == [1, 2, 3]
    q4 = tf.queue.FIFOQueue(4, tf.float32)
    q4.enqueue(1.5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="specified shapes"):
        q4.dequeue_many(1)
    assert int(q4.size()) == 1  # checked before anything is taken, as TensorFlow


def test_fifo_queue_refuses_what_would_block_or_does_not_fit():
    q = tf.queue.FIFOQueue(2, [tf.int32], shapes=[[2]])
    with pytest.raises(tf.errors.OutOfRangeError, match="block"):
        q.dequeue()  # TensorFlow would wait for another thread for ever
    q.enqueue([[1, 2]])
    with pytest.raises(ValueError, match=r"shape \[3\]"):
        q.enqueue([[1, 2, 3]])
    with pytest.raises(RuntimeError, match="capacity 2"):
        q.enqueue_many([[[1, 2], [3, 4]]])
    with pytest.raises(TypeError, match="strings"):
        q.enqueue([["a", "b"]])
    with pytest.raises(ValueError, match="2 dtypes but 1 shapes"):
        tf.queue.FIFOQueue(2, [tf.int32, tf.int32], shapes=[[]])


# ---- TextVectorization(ragged=True) (ch. 13 and 16) ------------------------------------------
def test_text_vectorization_ragged_rows():
    tv = tf.keras.layers.TextVectorization(ragged=True)
    tv.adapt(["To be", "!(to be)", "That's the question", "Be, be, be."])
    r = tv(["Be good!", "Question: be or be?", ""])
    assert isinstance(r, tf.RaggedTensor)
    assert r.to_list() == [[2, 1], [6, 2, 1, 2], []]  # tf_keras's
    assert r.row_splits.numpy().tolist() == [0, 2, 6, 6] and r.values.dtype == np.int64
    assert tv.get_config()["ragged"] is True
    with pytest.raises(ValueError, match="`ragged` must not be true if `output_mode` is"):
        tf.keras.layers.TextVectorization(ragged=True, output_mode="multi_hot")
    with pytest.raises(ValueError, match="`output_sequence_length` must not be set if ragged"):
        tf.keras.layers.TextVectorization(ragged=True, output_sequence_length=3)


# ---- tf.summary.text of a list of strings (ch. 10's TensorBoard cell) ------------------------
def test_summary_text_of_strings_is_one_string_tensor(tmp_path):
    pytest.importorskip("tensorboardX")
    w = tf.summary.create_file_writer(str(tmp_path))
    with w.as_default():
        assert tf.summary.text("my_text", ["The step is 1", "Its square is 1"], step=1)
        assert tf.summary.text("grid", tf.constant([["a", "b"], ["c", "d"]]), step=2)
        with pytest.raises(TypeError, match="string"):
            tf.summary.text("t", [1, 2], step=1)
    w.flush()
    events = {tag: (step, t) for tag, step, t in _read_events(str(tmp_path))}
    step, t = events["my_text/text_summary"]
    assert step == 1 and t.string_val == [b"The step is 1", b"Its square is 1"]
    assert [d.size for d in t.tensor_shape.dim] == [2]
    assert [d.size for d in events["grid/text_summary"][1].tensor_shape.dim] == [2, 2]


# ---- TensorFlow's namespaces as modules (ch. 13: `from tensorflow.train import Example`) ------
def test_tf_namespaces_import_as_modules():
    from tensorforge.train import BytesList, Example
    from tensorforge.data import Dataset
    import tensorforge.io
    assert BytesList is tf.train.BytesList and Example is tf.train.Example
    assert Dataset is tf.data.Dataset
    assert tensorforge.io.TFRecordWriter is tf.io.TFRecordWriter
    with pytest.raises(ModuleNotFoundError):
        import tensorforge.no_such_namespace  # noqa: F401


# ---- the harness: `import tf_keras` (ch. 16: TF_USE_LEGACY_KERAS=1) --------------------------
def test_tf_keras_import_is_the_sides_keras(tmp_path):
    prog = tmp_path / "tfk_import.py"
    prog.write_text(textwrap.dedent("""
        import os
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
        import tf_keras
        from tf_keras.layers import Dense
        import tensorflow as tf
        print("same", tf_keras.layers.Dense is tf.keras.layers.Dense is Dense)
    """))
    r = run_ours(tmp_path, prog)
    assert r["ok"], r.get("error")
    assert "same True" in r["stdout"]


# ---- predict(["one string"]) on a Sequential opening with TextVectorization (ch. 16) -----------
def test_sequential_predict_of_a_list_holding_one_string_is_one_sample():
    tv = tf.keras.layers.TextVectorization(split="character", standardize="lower")
    tv.adapt(["to be or not to be, that is the question"])
    n = tv.vocabulary_size() - 2
    model = tf.keras.Sequential([
        tf.keras.layers.Embedding(input_dim=n, output_dim=4),
        tf.keras.layers.GRU(8, return_sequences=True),
        tf.keras.layers.Dense(n, activation="softmax")])
    chars = tf.keras.Sequential([tv, tf.keras.layers.Lambda(lambda X: X - 2), model])
    # Keras 2 reads a list of scalars as one array (ListsOfScalarsDataAdapter): one sample
    assert chars.predict(["To be or not to b"], verbose=0).shape == (1, 17, n)
    assert chars.predict(["to be"], verbose=0).shape == (1, 5, n)


def test_adapt_takes_a_tuple_of_strings_as_a_list():
    tv = tf.keras.layers.TextVectorization()
    tv.adapt(("a b", "b c", "b"))  # zip(*pairs) gives tuples (ch. 16)
    assert tv.get_vocabulary() == ["", "[UNK]", "b", "c", "a"]  # tf_keras's
    with pytest.raises(TypeError, match="got tuple"):
        tf.keras.layers.Normalization().adapt((np.ones((3, 2)), np.zeros((3, 2))))


def test_a_symbolic_scalar_as_a_python_number_raises_instead_of_recursing():
    inp = tf.keras.Input((None, 4))
    n = tf.shape(inp)[1]  # Hands-On ML 3 ch. 16's tf.range(tf.shape(embeddings)[1])
    with pytest.raises(TypeError, match="has no value"):
        tf.range(n)


# ---- ch. 12's tensor arrays and sparse tensors, ch. 13's parallel TFRecord reads ---------------
def test_tensor_array_clears_after_read_as_tensorflow_eager():
    array = tf.TensorArray(dtype=tf.float32, size=3)
    array = array.write(0, tf.constant([1., 2.]))
    array = array.write(1, tf.constant([3., 10.]))
    array = array.write(2, tf.constant([5., 7.]))
    assert array.read(1).numpy().tolist() == [3., 10.]
    with pytest.raises(tf.errors.InvalidArgumentError, match="Could not read index 1 twice"):
        array.read(1)
    assert array.stack().numpy().tolist() == [[1., 2.], [0., 0.], [5., 7.]]  # tf's
    assert array.read(1).numpy().tolist() == [0., 0.]  # stack filled it with zeros (tf's)
    array2 = tf.TensorArray(dtype=tf.float32, size=3, clear_after_read=False)
    array2 = array2.write(0, tf.constant([1., 2.])).write(1, tf.constant([3., 10.]))
    array2 = array2.write(2, tf.constant([5., 7.]))
    array2.read(1)
    assert array2.stack().numpy().tolist() == [[1., 2.], [3., 10.], [5., 7.]]


def test_sparse_to_dense_refuses_indices_out_of_row_major_order():
    s5 = tf.SparseTensor(indices=[[0, 2], [0, 1]], values=[1., 2.], dense_shape=[3, 4])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"indices\[1\] = \[0,1\] is out of order. Many sparse ops require "
                             "sorted indices"):
        tf.sparse.to_dense(s5)
    s7 = tf.SparseTensor(indices=[[0, 1], [0, 1]], values=[1., 2.], dense_shape=[3, 4])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = \[0,1\] is repeated"):
        tf.sparse.to_dense(s7)
    assert tf.sparse.to_dense(s5, validate_indices=False).numpy().tolist() == \
        [[0., 2., 1., 0.], [0.] * 4, [0.] * 4]
    assert tf.sparse.to_dense(tf.sparse.reorder(s5)).numpy()[0].tolist() == [0., 2., 1., 0.]


def test_tfrecord_dataset_parallel_reads_interleave_as_tensorflow(tmp_path):
    paths = []
    for i in range(5):
        paths.append(str(tmp_path / f"f{i}.tfrecord"))
        with tf.io.TFRecordWriter(paths[-1]) as f:
            for j in range(3 if i != 1 else 1):
                f.write(f"{i}.{j}".encode())
    got = {n: [x.numpy().decode() for x in tf.data.TFRecordDataset(paths, num_parallel_reads=n)]
           for n in (None, 2, 3, 8)}
    assert got == {  # tf_keras 2.21 / TensorFlow 2.21 (keras_corpus42_refs.py, 6.)
        None: ["0.0", "0.1", "0.2", "1.0", "2.0", "2.1", "2.2", "3.0", "3.1", "3.2", "4.0", "4.1",
               "4.2"],
        2: ["0.0", "1.0", "0.1", "0.2", "2.0", "2.1", "3.0", "2.2", "3.1", "3.2", "4.0", "4.1",
            "4.2"],
        3: ["0.0", "1.0", "2.0", "0.1", "2.1", "0.2", "3.0", "2.2", "3.1", "4.0", "3.2", "4.1",
            "4.2"],
        8: ["0.0", "1.0", "2.0", "3.0", "4.0", "0.1", "2.1", "3.1", "4.1", "0.2", "2.2", "3.2",
            "4.2"]}


def test_sparse_tensor_prints_as_tensorflow():
    s = tf.SparseTensor(indices=[[0, 1], [1, 0], [2, 3]], values=[1., 2., 3.], dense_shape=[3, 4])
    assert repr(s * 42.0) == (  # TensorFlow 2.21's, ch. 12's `s * 42.0` cell
        "SparseTensor(indices=tf.Tensor(\n[[0 1]\n [1 0]\n [2 3]], shape=(3, 2), dtype=int64), "
        "values=tf.Tensor([ 42.  84. 126.], shape=(3,), dtype=float32), "
        "dense_shape=tf.Tensor([3 4], shape=(2,), dtype=int64))")
    assert repr(tf.SparseTensor(indices=[[0]], values=[b"a"], dense_shape=[2])) == (
        "SparseTensor(indices=tf.Tensor([[0]], shape=(1, 1), dtype=int64), values=tf.Tensor("
        "[b'a'], shape=(1,), dtype=string), dense_shape=tf.Tensor([2], shape=(1,), dtype=int64))")


def test_parse_example_keys_in_tensorflows_order():
    from tensorforge.train import BytesList, Example, Feature, Features, Int64List
    person = Example(features=Features(feature={
        "name": Feature(bytes_list=BytesList(value=[b"Alice"])),
        "id": Feature(int64_list=Int64List(value=[123])),
        "emails": Feature(bytes_list=BytesList(value=[b"a@b.com", b"c@d.com"]))}))
    description = {"name": tf.io.FixedLenFeature([], tf.string, default_value=""),
                   "id": tf.io.FixedLenFeature([], tf.int64, default_value=0),
                   "emails": tf.io.VarLenFeature(tf.string)}
    data = person.SerializeToString()
    # TensorFlow: the sparse features, then the dense ones, each sorted (ch. 13 prints them)
    assert list(tf.io.parse_single_example(data, description)) == ["emails", "id", "name"]
    assert list(tf.io.parse_example([data, data], description)) == ["emails", "id", "name"]
