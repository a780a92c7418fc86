"""Keras 2's (tf_keras') figures the tests in tests/test_corpus42.py hold, printed by running the
same calls under TensorFlow 2.21 / tf_keras 2.21, and the small model file they load. Run with
the Keras 2 venv (the oracle of tools/keras_parity.py) from the repository root:

    /work/keras-venv/bin/python tools/keras_corpus42_refs.py

It writes tests/data/corpus42_custom_metric.keras: Hands-On ML 3's ch. 12 model compiled with a
custom loss function (huber_fn) and a custom Metric subclass (HuberMetric(2.0)) as metric and
weighted metric, saved by tf_keras (its compile_config: {"class_name": "function"} for the
loss, the metric by class name and config). The printed values were copied into the tests.
"""
import numpy as np
import tensorflow as tf
import tf_keras as keras

np.set_printoptions(precision=7, suppress=True)
FILE = "tests/data/corpus42_custom_metric.keras"


def create_huber(threshold=1.0):
    def huber_fn(y_true, y_pred):
        error = y_true - y_pred
        is_small_error = tf.abs(error) < threshold
        squared_loss = tf.square(error) / 2
        linear_loss = threshold * tf.abs(error) - threshold ** 2 / 2
        return tf.where(is_small_error, squared_loss, linear_loss)
    return huber_fn


class HuberMetric(keras.metrics.Metric):
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

# 1. the file: a Dense(1) with fixed weights
model = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
model.layers[0].set_weights([np.array([[0.5], [-1.0], [2.0]], "float32"),
                             np.array([0.25], "float32")])
model.compile(loss=create_huber(2.0), optimizer="sgd", metrics=[HuberMetric(2.0)],
              weighted_metrics=[HuberMetric(2.0, name="weighted_huber")])
print("1. evaluate:", model.evaluate(X, Y, sample_weight=W, verbose=0, return_dict=True))
model.save(FILE)
loaded = keras.models.load_model(FILE, custom_objects={"huber_fn": create_huber(2.0),
                                                        "HuberMetric": HuberMetric})
print("1. loaded evaluate:", loaded.evaluate(X, Y, sample_weight=W, verbose=0,
                                             return_dict=True))

# 2. duplicate metric names (the notebook's Keras 3 edit: one metric per output, under Keras 2)
inp = keras.Input((3,))
o1, o2 = keras.layers.Dense(1)(inp), keras.layers.Dense(1)(inp)
for outs, ms in (([o1, o2], ["RootMeanSquaredError", "RootMeanSquaredError"]),
                 ([o1], ["mae", "mae"]), ([o1], ["mae", "mean_absolute_error"])):
    m = keras.Model(inp, outs)
    m.compile(loss="mse", optimizer="sgd", metrics=ms)
    y = np.zeros((8, 1), "float32")
    try:
        h = m.fit(X, [y] * len(outs) if len(outs) > 1 else y, verbose=0)
        print("2.", ms, sorted(h.history))
    except ValueError as e:
        print("2.", ms, str(e).strip().splitlines()[-1].strip())

# 3. tf.queue.FIFOQueue, as the notebook's Queues cells
q = tf.queue.FIFOQueue(3, [tf.int32, tf.string], shapes=[(), ()])
q.enqueue([10, b"windy"])
q.enqueue([15, b"sunny"])
print("3. size:", q.size().numpy(), "dequeue:", [t.numpy() for t in q.dequeue()])
q.enqueue_many([[13, 16], [b"cloudy", b"rainy"]])
print("3. dequeue_many(3):", [t.numpy() for t in q.dequeue_many(3)])
q2 = tf.queue.FIFOQueue(4, [tf.int64, tf.float32], names=["a", "b"], shapes=[[2], []])
q2.enqueue({"a": [1, 2], "b": 0.5})
q2.enqueue({"a": [3, 4], "b": 1.5})
print("3. named:", {k: v.numpy() for k, v in q2.dequeue_many(2).items()})
q2.close()
try:
    q2.dequeue()
except tf.errors.OutOfRangeError:
    print("3. closed and empty: OutOfRangeError")
q3 = tf.queue.FIFOQueue(5, tf.int32, shapes=[[]])
q3.enqueue_many([[1, 2, 3]])
q3.close()
print("3. dequeue_up_to(5) closed:", q3.dequeue_up_to(5).numpy())
q4 = tf.queue.FIFOQueue(4, tf.float32)
q4.enqueue(1.5)
try:
    q4.dequeue_many(1)
except tf.errors.InvalidArgumentError:
    print("3. no shapes: dequeue_many InvalidArgumentError; size after:", q4.size().numpy())

# 4. TextVectorization(ragged=True), the notebook's Text Preprocessing cell
tv = keras.layers.TextVectorization(ragged=True)
tv.adapt(["To be", "!(to be)", "That's the question", "Be, be, be."])
r = tv(["Be good!", "Question: be or be?", ""])
print("4. ragged:", r.to_list(), r.row_splits.numpy(), r.values.dtype.name)
for kw in (dict(ragged=True, output_mode="multi_hot"), dict(ragged=True, output_sequence_length=3)):
    try:
        keras.layers.TextVectorization(**kw)
    except ValueError as e:
        print("4.", e)

# 5. ch. 12's tensor arrays (clear_after_read) and out-of-order sparse indices
array = tf.TensorArray(dtype=tf.float32, size=3)
array = array.write(0, tf.constant([1., 2.]))
array = array.write(1, tf.constant([3., 10.]))
array = array.write(2, tf.constant([5., 7.]))
print("5. read:", array.read(1).numpy())
try:
    array.read(1)
except tf.errors.InvalidArgumentError as e:
    print("5. second read:", str(e).splitlines()[0])
print("5. stack:", array.stack().numpy().tolist(), "then read:", array.read(1).numpy())
array2 = tf.TensorArray(dtype=tf.float32, size=3, clear_after_read=False)
array2 = array2.write(0, tf.constant([1., 2.])).write(1, tf.constant([3., 10.]))
array2 = array2.write(2, tf.constant([5., 7.]))
array2.read(1)
print("5. no clear:", array2.stack().numpy().tolist())
s5 = tf.SparseTensor(indices=[[0, 2], [0, 1]], values=[1., 2.], dense_shape=[3, 4])
try:
    tf.sparse.to_dense(s5)
except tf.errors.InvalidArgumentError as e:
    print("5. out of order:", e.message.split("}} ")[-1].splitlines()[0])
s7 = tf.SparseTensor(indices=[[0, 1], [0, 1]], values=[1., 2.], dense_shape=[3, 4])
try:
    tf.sparse.to_dense(s7)
except tf.errors.InvalidArgumentError as e:
    print("5. repeated:", e.message.split("}} ")[-1].splitlines()[0])
print("5. no validation:", tf.sparse.to_dense(s5, validate_indices=False).numpy().tolist())

# 6. TFRecordDataset(num_parallel_reads=n): the files interleaved (file 1 one record only)
paths = []
for i in range(5):
    paths.append(f"/tmp/corpus42_refs_{i}.tfrecord")
    with tf.io.TFRecordWriter(paths[-1]) as f:
        for j in range(3 if i != 1 else 1):
            f.write(f"{i}.{j}".encode())
for n in (None, 2, 3, 8):
    print("6.", n, [x.numpy().decode() for x in tf.data.TFRecordDataset(paths, num_parallel_reads=n)])
