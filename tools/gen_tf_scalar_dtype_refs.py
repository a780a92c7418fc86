"""TensorFlow 2's dtypes for constants of NumPy scalars and lists of them (tf.convert_to_tensor,
tf.constant, tf.fill), hard-coded in tests/test_tf_compat.py
(test_numpy_scalar_dtypes_as_tensorflow). Run with the Keras 2 oracle venv, never in tests:
    ../keras-venv/bin/python tools/gen_tf_scalar_dtype_refs.py
"""
import numpy as np
import tensorflow as tf

CASES = [("np.float64(1.5)", np.float64(1.5)), ("[np.float64(1.5)]", [np.float64(1.5)]),
         ("np.float16(1.5)", np.float16(1.5)), ("np.float32(2)", np.float32(2)),
         ("[1.5, 2.0]", [1.5, 2.0]), ("np.int64(3)", np.int64(3)), ("[np.int64(3)]", [np.int64(3)]),
         ("np.bool_(True)", np.bool_(True)), ("1.5", 1.5),
         ("[1.5, np.float64(2.0)]", [1.5, np.float64(2.0)]),
         ("[np.float64(2.0), 1.5]", [np.float64(2.0), 1.5]),
         ("[np.float32(1), np.float64(2)]", [np.float32(1), np.float64(2)]),
         ("[[np.float64(1)], [np.float64(2)]]", [[np.float64(1)], [np.float64(2)]]),
         ("(np.float64(1),)", (np.float64(1),))]
for text, v in CASES:
    fill = tf.fill([2], v).dtype.name if np.ndim(v) == 0 else None
    print(f"({text}, {tf.convert_to_tensor(v).dtype.name!r}, {tf.constant(v).dtype.name!r}, {fill!r}),")
