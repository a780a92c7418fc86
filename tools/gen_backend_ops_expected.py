"""Generate tests/data/backend_ops_expected.json: Keras 2 (tf_keras) backend results for
tests/test_backend_ops.py, where the semantics are subtle (batch_dot axes, cross-entropy
clipping, tie gradients, ...). Run once with an environment that has tf_keras:

    /work/keras-venv/bin/python tools/gen_backend_ops_expected.py

Each case records its inputs, the call (function name, positional args, keyword args), the
forward result and, for "grad" cases, d sum(out * R) / d args[0] computed by GradientTape.
"""
import json
import os

import numpy as np
import tensorflow as tf
from tf_keras.src import backend as K  # the full Keras 2 backend (the public one lists fewer)

rng = np.random.default_rng(7)


def arr(shape, lo=-2.0, hi=2.0, dtype="float32"):
    return rng.uniform(lo, hi, shape).astype(dtype)


def probs(shape):
    p = rng.uniform(0.05, 1.0, shape).astype("float32")
    return p / p.sum(-1, keepdims=True)


ties = np.array([[1.0, 3.0, 3.0, -1.0], [2.0, 2.0, 2.0, 0.5]], np.float32)
withzero = np.array([[1.5, 0.0, -2.0], [0.5, 0.7, -1.2]], np.float32)
cases = [
    ("batch_dot_3d_default", "batch_dot", [arr((2, 3, 4)), arr((2, 4, 5))], {}, True),
    ("batch_dot_2d_2d", "batch_dot", [arr((3, 4)), arr((3, 4))], {}, True),
    ("batch_dot_2d_3d", "batch_dot", [arr((2, 4)), arr((2, 4, 3))], {}, True),
    ("batch_dot_3d_2d", "batch_dot", [arr((2, 3, 4)), arr((2, 4))], {}, True),
    ("batch_dot_axes_1_2", "batch_dot", [arr((2, 4, 3)), arr((2, 5, 4))], {"axes": [1, 2]}, True),
    ("batch_dot_axes_int", "batch_dot", [arr((2, 3, 4)), arr((2, 3, 5))], {"axes": 1}, True),
    ("batch_dot_4d_3d", "batch_dot", [arr((2, 3, 2, 4)), arr((2, 4, 5))], {"axes": [3, 1]}, True),
    ("batch_dot_3d_4d_neg", "batch_dot", [arr((2, 3, 4)), arr((2, 2, 4, 3))], {"axes": [-1, -2]}, True),
    ("dot_2d", "dot", [arr((3, 4)), arr((4, 2))], {}, True),
    ("dot_3d_2d", "dot", [arr((2, 3, 4)), arr((4, 5))], {}, True),
    ("dot_3d_3d", "dot", [arr((2, 3, 4)), arr((3, 4, 2))], {}, True),
    ("max_ties", "max", [ties], {"axis": 1}, True),
    ("max_all", "max", [ties], {}, True),
    ("min_ties_keepdims", "min", [ties], {"axis": -1, "keepdims": True}, True),
    ("prod_zero", "prod", [withzero], {"axis": 1}, True),
    ("prod_all", "prod", [withzero[:, :2] + 1.0], {}, True),
    ("var_axis0", "var", [arr((3, 4))], {"axis": 0}, True),
    ("std_keepdims", "std", [arr((3, 4))], {"axis": -1, "keepdims": True}, True),
    ("logsumexp", "logsumexp", [arr((3, 4), -30, 30)], {"axis": 1}, True),
    ("cumsum", "cumsum", [arr((3, 4))], {"axis": 1}, True),
    ("cumprod", "cumprod", [arr((2, 3), 0.5, 2.0)], {"axis": 0}, True),
    ("sqrt_neg", "sqrt", [np.array([[-1.0, 0.25, 4.0]], np.float32)], {}, True),
    ("clip_swapped", "clip", [arr((2, 5))], {"min_value": 0.5, "max_value": -0.5}, False),
    ("clip_none", "clip", [arr((2, 5))], {"min_value": None, "max_value": 0.3}, True),
    ("clip_bounds_grad", "clip", [np.array([[-1.0, -0.5, 0.0, 0.5, 1.0]], np.float32)],
     {"min_value": -0.5, "max_value": 0.5}, True),
    ("round_half_even", "round", [np.array([0.5, 1.5, 2.5, -0.5, -1.5, 0.4], np.float32)], {}, False),
    ("maximum_ties", "maximum", [np.array([1.0, 2.0, 3.0], np.float32),
                                 np.array([1.0, 1.0, 4.0], np.float32)], {}, True),
    ("minimum_ties", "minimum", [np.array([1.0, 2.0, 3.0], np.float32),
                                 np.array([1.0, 1.0, 4.0], np.float32)], {}, True),
    ("pow_scalar", "pow", [arr((2, 3), 0.1, 2.0)], {"a": 3}, True),
    ("pow_tensor", "pow", [arr((2, 3), 0.1, 2.0), arr((2, 3), -1.0, 2.0)], {}, True),
    ("l2_normalize_all", "l2_normalize", [arr((2, 3))], {}, True),
    ("l2_normalize_axis", "l2_normalize", [arr((2, 3))], {"axis": -1}, True),
    ("cce_probs_unnormalized", "categorical_crossentropy",
     [probs((3, 4)), rng.uniform(0.0, 2.0, (3, 4)).astype("float32")], {}, False),
    ("cce_zero_prob", "categorical_crossentropy",
     [np.eye(3, dtype="float32"), np.array([[1, 0, 0], [1, 0, 0], [0.5, 0.5, 0]], "float32")], {}, False),
    ("cce_logits", "categorical_crossentropy", [probs((3, 4)), arr((3, 4), -5, 5)],
     {"from_logits": True}, False),
    ("cce_axis1", "categorical_crossentropy", [probs((2, 4, 3)).transpose(0, 2, 1).copy(),
                                               probs((2, 4, 3)).transpose(0, 2, 1).copy()],
     {"axis": 1}, False),
    ("scce_probs", "sparse_categorical_crossentropy",
     [np.array([0, 2, 1]), rng.uniform(0.0, 1.0, (3, 3)).astype("float32")], {}, False),
    ("scce_labels_n1", "sparse_categorical_crossentropy",
     [np.array([[0], [2], [1]]), probs((3, 3))], {}, False),
    ("scce_logits_3d", "sparse_categorical_crossentropy",
     [np.array([[0, 2], [1, 1]]), arr((2, 2, 3), -4, 4)], {"from_logits": True}, False),
    ("scce_axis1", "sparse_categorical_crossentropy",
     [np.array([0, 2]), probs((2, 3))], {"axis": -1}, False),
    ("bce_clip", "binary_crossentropy",
     [np.array([[0.0, 1.0, 1.0, 0.0, 0.3]], "float32"),
      np.array([[0.0, 1.0, 0.0, 1.0, 0.6]], "float32")], {}, False),
    ("bce_logits", "binary_crossentropy",
     [np.array([[0.0, 1.0, 1.0, 0.0, 0.3]], "float32"), arr((1, 5), -30, 30)],
     {"from_logits": True}, False),
    ("softmax_axis1", "softmax", [arr((2, 3, 4))], {"axis": 1}, False),
    ("relu_all_args", "relu", [arr((2, 6), -3, 9)], {"alpha": 0.1, "max_value": 6.0, "threshold": 0.5}, False),
    ("relu_max6", "relu", [arr((2, 6), -3, 9)], {"max_value": 6.0}, False),
    ("elu_alpha", "elu", [arr((2, 5))], {"alpha": 0.5}, False),
    ("hard_sigmoid", "hard_sigmoid", [arr((2, 5), -4, 4)], {}, False),
    ("softsign", "softsign", [arr((2, 5))], {}, False),
    ("softplus", "softplus", [arr((2, 5), -30, 30)], {}, False),
    ("repeat_elements", "repeat_elements", [arr((2, 3))], {"rep": 2, "axis": 1}, False),
    ("repeat", "repeat", [arr((2, 3))], {"n": 2}, False),
    ("tile", "tile", [arr((2, 3))], {"n": [2, 1]}, False),
    ("one_hot_out_of_range", "one_hot", [np.array([[0, 3], [5, -1]], np.int32)], {"num_classes": 4}, False),
    ("batch_flatten", "batch_flatten", [arr((2, 3, 2))], {}, False),
    ("expand_dims_neg", "expand_dims", [arr((2, 3))], {"axis": -2}, False),
    ("permute", "permute_dimensions", [arr((2, 3, 4))], {"pattern": [2, 0, 1]}, False),
    ("stack_neg", "stack", [[arr((2, 3)), arr((2, 3))]], {"axis": -1}, False),
    ("concat_axis1", "concatenate", [[arr((2, 1)), arr((2, 3))]], {"axis": 1}, False),
    ("gather_2d_idx", "gather", [arr((4, 3)), np.array([[0, 3], [3, 3]], np.int32)], {}, False),
    ("argmax_ties", "argmax", [ties], {"axis": -1}, False),
    ("argmin_axis0", "argmin", [ties], {"axis": 0}, False),
    ("mean_bool", "mean", [np.array([[True, False], [True, True]])], {"axis": 0}, False),
    ("any_keepdims", "any", [np.array([[0.0, 0.0], [1.0, 0.0]], np.float32)], {"axis": 1, "keepdims": True}, False),
    ("all", "all", [np.array([[1.0, 2.0], [1.0, 0.0]], np.float32)], {"axis": 0}, False),
    ("transpose3d", "transpose", [arr((2, 3, 4))], {}, False),
    ("switch_rank2_cond", "switch", [np.array([[True, False, True], [False, True, True]]),
                                      arr((2, 3, 2)), arr((2, 3, 2))], {}, False),
    ("temporal_padding", "temporal_padding", [arr((2, 3, 2))], {"padding": [2, 1]}, True),
    ("spatial_2d_padding_cf", "spatial_2d_padding", [arr((1, 2, 2, 3))],
     {"padding": [[1, 0], [0, 2]], "data_format": "channels_first"}, True),
    ("in_top_k_ties", "in_top_k", [np.array([[0.1, 0.5, 0.5, 0.2], [0.4, 0.3, 0.2, 0.1]], np.float32),
                                   np.array([2, 1], np.int32)], {"k": 1}, False),
    ("batch_normalization", "batch_normalization",
     [arr((2, 3, 2, 4)), arr((4,)), arr((4,), 0.5, 2.0), arr((4,)), arr((4,))], {"axis": -1}, True),
    ("switch_rank1_cond", "switch", [np.array([True, False, True]), arr((2, 3)), arr((2, 3))], {}, False),
]


def enc(a):
    if isinstance(a, list):
        return {"list": [enc(x) for x in a]}
    a = np.asarray(a)
    return {"array": a.tolist(), "dtype": a.dtype.name, "shape": list(a.shape)}


out = []
for name, fn, args, kwargs, want_grad in cases:
    targs = [[tf.constant(x) for x in a] if isinstance(a, list) else tf.constant(a) for a in args]
    with tf.GradientTape() as tape:
        if want_grad:
            tape.watch(targs[0])
        y = getattr(K, fn)(*targs, **kwargs)
        R = None
        if want_grad:
            R = rng.standard_normal(tuple(y.shape)).astype("float32")
            s = tf.reduce_sum(y * R)
    case = {"name": name, "fn": fn, "args": [enc(a) for a in args], "kwargs": kwargs,
            "out": enc(np.asarray(y))}
    if want_grad:
        case["R"] = enc(R)
        case["grad"] = enc(tape.gradient(s, targs[0]).numpy())
    out.append(case)

path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "backend_ops_expected.json")
with open(path, "w") as f:
    json.dump({"generator": "tools/gen_backend_ops_expected.py", "tf_keras": K.__name__,
               "tensorflow": tf.__version__, "cases": out}, f, indent=None, separators=(",", ":"))
print(f"wrote {len(out)} cases to {os.path.normpath(path)}")
