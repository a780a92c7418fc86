"""TensorFlow 2's results for tf.TensorArray, tf.nest and the dtypes / shapes of the tf.random
additions, for tests/test_tf_misc.py (tests/data/tf_misc_refs.json). Run with the Keras 2
oracle venv, never in tests:
    ../keras-venv/bin/python tools/gen_tf_misc_refs.py
"""
import json
import os

import numpy as np
import tensorflow as tf

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data",
                   "tf_misc_refs.json")


def tensor_array():
    ta = tf.TensorArray(tf.float32, size=4)
    for i in range(4):
        ta = ta.write(i, tf.constant([1.0, -2.0]) * float(i))
    stacked = ta.stack()
    ta2 = tf.TensorArray(tf.int32, size=3).unstack(tf.constant([[1, 2], [3, 4], [5, 6]]))
    int_dtype = ta2.stack().dtype.name  # (before a read: eager reads clear their element)
    return {"stack": stacked.numpy().tolist(), "size": int(ta.size()),
            "read2": ta.read(2).numpy().tolist(), "gather": ta.gather([3, 0]).numpy().tolist(),
            "unstack_read1": ta2.read(1).numpy().tolist(), "stack_dtype": stacked.dtype.name,
            "int_dtype": int_dtype}


def tensor_array_grad():
    x = tf.constant([0.5, -1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        ta = tf.TensorArray(tf.float32, size=3)
        for i in range(3):
            ta = ta.write(i, x * x[i])
        y = tf.reduce_sum(ta.stack() * tf.constant([[1.0], [2.0], [3.0]]))
    return tape.gradient(y, x).numpy().tolist()


def nest():
    s = {"b": [1, (2, 3)], "a": 4, "c": {"z": 5, "y": 6}}
    return {"flatten": tf.nest.flatten(s),
            "map": tf.nest.map_structure(lambda v: v * 10, s),
            "pack": tf.nest.pack_sequence_as(s, list(range(100, 106))),
            "is_nested": [tf.nest.is_nested(s), tf.nest.is_nested(3)]}


def random_dtypes():
    return {"shuffle": tf.random.shuffle([1, 2, 3]).dtype.name,
            "shuffle_f": tf.random.shuffle([1.0, 2.0]).dtype.name,
            "poisson_shape": tf.random.poisson([4, 2], [1.0, 5.0]).shape.as_list(),
            "poisson_dtype": tf.random.poisson([3], 2.0).dtype.name,
            "stateless_uniform": tf.random.stateless_uniform([2, 3], seed=[1, 2]).dtype.name,
            "stateless_int": tf.random.stateless_uniform([4], seed=[1, 2], minval=0, maxval=5,
                                                         dtype=tf.int32).dtype.name,
            "gen_normal": tf.random.Generator.from_seed(1).normal([2, 2]).dtype.name,
            "make_seeds": tf.random.Generator.from_seed(1).make_seeds(3).shape.as_list()}


def main():
    ref = {"tensor_array": tensor_array(), "tensor_array_grad": tensor_array_grad(),
           "nest": nest(), "random": random_dtypes()}
    with open(OUT, "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
