"""The Dataset.map pipelines whose element_spec TensorFlow derives by tracing the function
(tests/test_keras_gaps31.py), written against a ``tf`` module argument: tensorforge in the test,
TensorFlow in tools/keras_gaps31_refs.py map_specs. Imports nothing of either."""
import numpy as np


def pipelines(tf):
    D = tf.data.Dataset
    xy = D.from_tensor_slices((np.arange(12, dtype=np.float32).reshape(6, 2), np.arange(6)))
    texts = D.from_tensor_slices(["a b c", "d e", "f"])

    def set_shape(x, y):
        out = tf.py_function(lambda a: a * 2, [x], tf.float32)
        out.set_shape([2])
        return out
    return {
        "split_scalar": texts.map(tf.strings.split),
        "split_batched": texts.batch(2).map(tf.strings.split),
        "bytes_split": D.from_tensor_slices(["abc", "de"]).map(tf.strings.bytes_split),
        "dict": xy.map(lambda x, y: {"feat": x, "label": y}),
        "dict_batched": xy.batch(4).map(lambda x, y: {"feat": x * 2.0, "label": y}),
        "tuple_batched": xy.batch(4).map(lambda x, y: (tf.expand_dims(x, -1), tf.one_hot(y, 6))),
        "reduce_batched": xy.batch(4).map(lambda x, y: tf.reduce_sum(x, axis=1)),
        "concat_batched": xy.batch(4).map(lambda x, y: tf.concat([x, x], axis=1)),
        "map_map": xy.batch(4).map(lambda x, y: x).map(lambda x: tf.reshape(x, [-1])),
        "py_function": xy.map(lambda x, y: tf.py_function(lambda a: a * 2, [x], tf.float32)),
        "py_function_pair": xy.map(lambda x, y: tuple(tf.py_function(
            lambda a, b: (a, b), [x, y], [tf.float32, tf.int64]))),
        "numpy_function": xy.map(lambda x, y: tf.numpy_function(lambda a: a * 2, [x],
                                                                tf.float32)),
        "py_function_set_shape": xy.map(set_shape),
        "py_function_ensure_shape": xy.map(lambda x, y: tf.ensure_shape(tf.py_function(
            lambda a: a, [x], tf.float32), [None])),
        "list_is_tuple": D.from_tensor_slices(["1,2", "3,4"]).map(
            lambda line: tf.io.decode_csv(line, [[0.0], [0.0]])),
        "generator": D.from_generator(lambda: iter([np.ones(3, np.float32)]),
                                      output_signature=tf.TensorSpec((None,), tf.float32))
        .map(lambda v: v * 2),
    }
