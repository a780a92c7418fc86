"""TensorFlow 2 / Keras 2's printed tensors, variable names and tf.constant dtypes, for
tests/test_tensor_print.py (tests/data/tensor_print_refs.json).

Run with the Keras 2 oracle venv (tensorflow + tf_keras), never in tests:
    ../keras-venv/bin/python tools/gen_tensor_print_refs.py
"""
import json
import os

import numpy as np
import tensorflow as tf
import tf_keras as keras

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "tensor_print_refs.json")


def main():
    ref = {}
    x = tf.constant([[5, 2], [1, 3]])
    ref["int_matrix"] = {"str": str(x), "repr": repr(x)}
    ref["float_scalar"] = {"str": str(tf.constant(0.1)), "repr": repr(tf.constant(0.1))}
    ref["float_vector"] = {"str": str(tf.constant([1.5, -2.0])), "repr": repr(tf.constant([1.5, -2.0]))}
    ref["string_vector"] = {"str": str(tf.constant(["a", "bc"])), "repr": repr(tf.constant(["a", "bc"]))}
    ref["bool_scalar"] = {"str": str(tf.constant(True)), "repr": repr(tf.constant(True))}
    ref["long_vector"] = {"str": str(tf.constant(np.arange(2000, dtype=np.float32)))}
    v = tf.Variable([1.0, 2.0])
    w = tf.Variable(3.0, name="w")
    ref["variable"] = {"str": str(v), "repr": repr(v), "name": v.name}
    ref["named_variable"] = {"str": str(w), "repr": repr(w), "name": w.name}
    inp = keras.Input((3,), name="pixels")
    ref["keras_input"] = {"str": str(inp), "repr": repr(inp), "format": f"{inp}"}
    ref["k_variable_names"] = [keras.backend.variable(np.zeros(2)).name,
                               keras.backend.variable(np.zeros(2), name="v").name]
    m = keras.Sequential([keras.layers.Dense(2, input_shape=(3,), name="dense"),
                          keras.layers.LayerNormalization(name="ln")])
    ref["sequential_weight_names"] = [t.name for t in m.weights]
    ref["constant_dtypes"] = {
        "[1, 2]": tf.constant([1, 2]).dtype.name,
        "3": tf.constant(3).dtype.name,
        "[1.0, 2]": tf.constant([1.0, 2]).dtype.name,
        "[True, False]": tf.constant([True, False]).dtype.name,
        "np.int64(3)": tf.constant(np.int64(3)).dtype.name,
        "np.array([1, 2], np.int16)": tf.constant(np.array([1, 2], np.int16)).dtype.name,
        "2**40": tf.constant(2**40).dtype.name,
    }
    with open(OUT, "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
