"""TensorFlow 2's values (and gradients) of the tf.* ops of tf_array.py, tf_math.py, tf_nn.py,
tf_linalg.py and tf_control.py, for
tests/test_tf_ops.py: tests/data/tf_ops_refs.json (cases: expression, inputs, flags) and
tests/data/tf_ops_refs.npz (inputs, outputs, gradients).

Each case is a Python expression over the inputs below with ``tf`` bound to the library under
test; the test evaluates the same expression with ``import tensorforge as tf``. The gradient is
d/d(grad input) of sum_j sum(out_j * weights_j) with weights_j = cos(arange(size)) in out_j's
shape (float outputs only). Run with the Keras 2 oracle venv, never in tests:
    ../keras-venv/bin/python tools/gen_tf_ops_refs.py
"""
import json
import os

import numpy as np
import tensorflow as tf

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "data", "tf_ops_refs")

rng = np.random.default_rng(7)
INPUTS = {
    "x": rng.normal(size=(3, 4)).astype(np.float32),
    "p": rng.uniform(0.5, 2.0, size=(3, 4)).astype(np.float32),
    "u": rng.uniform(-0.9, 0.9, size=(3, 4)).astype(np.float32),
    "v": rng.normal(size=(6,)).astype(np.float32),
    "s": rng.normal(size=(2, 3, 4)).astype(np.float32),
    "i": np.array([2, 0, 2, 3, 1, 0], np.int32),
    "b": rng.random((3, 4)) > 0.5,
    "seq": np.array([0.0, 1.0, 2.0, 3.0, 4.0], np.float32),
    "seg": np.array([0, 0, 1, 1, 1, 2], np.int32),
    "img": rng.normal(size=(2, 6, 6, 3)).astype(np.float32),
    "filt": rng.normal(size=(3, 3, 3, 4)).astype(np.float32),
    "lab": np.array([0, 2, 1], np.int32),
}

# name: (expression, input to differentiate or None)
CASES = {
    # array manipulation
    "pad_constant": ("tf.pad(x, [[1, 2], [0, 1]])", "x"),
    "pad_value": ("tf.pad(x, [[1, 0], [2, 1]], constant_values=3.0)", "x"),
    "pad_reflect": ("tf.pad(x, [[2, 1], [1, 3]], mode='REFLECT')", "x"),
    "pad_symmetric": ("tf.pad(x, [[1, 2], [3, 0]], mode='SYMMETRIC')", "x"),
    "reverse": ("tf.reverse(s, axis=[2, 0])", "s"),
    "roll": ("tf.roll(x, shift=1, axis=1)", "x"),
    "roll_two": ("tf.roll(s, shift=[1, -2], axis=[0, 2])", "s"),
    "broadcast_to": ("tf.broadcast_to(x[0], [2, 3, 4])", "x"),
    "boolean_mask": ("tf.boolean_mask(x, b)", "x"),
    "boolean_mask_rows": ("tf.boolean_mask(s, [True, False], axis=0)", "s"),
    "sequence_mask": ("tf.sequence_mask([1, 3, 0], 4)", None),
    "sequence_mask_auto": ("tf.sequence_mask(i)", None),
    "sequence_mask_dtype": ("tf.sequence_mask([2, 1], 3, dtype=tf.float32)", None),
    "eye": ("tf.eye(3)", None),
    "eye_rect_batch": ("tf.eye(2, 3, batch_shape=[2])", None),
    "meshgrid": ("tf.meshgrid(v[:2], v[:3])", "v"),
    "meshgrid_ij": ("tf.meshgrid(v[:2], v[:3], indexing='ij')", "v"),
    "sort": ("tf.sort(v)", "v"),
    "sort_desc": ("tf.sort(x, axis=0, direction='DESCENDING')", "x"),
    "argsort": ("tf.argsort(v)", None),
    "argsort_desc": ("tf.argsort(x, axis=1, direction='DESCENDING')", None),
    "unique": ("tf.unique(i)", None),
    "unique_with_counts": ("tf.unique_with_counts(i)", None),
    "slice": ("tf.slice(x, [1, 0], [2, 3])", "x"),
    "slice_rest": ("tf.slice(s, [0, 1, 1], [-1, 2, -1])", "s"),
    "strided_slice": ("tf.strided_slice(x, [0, 1], [3, 4], [2, 1])", "x"),
    "scatter_nd": ("tf.scatter_nd([[1], [3], [1]], v[:3], [5])", "v"),
    "tensor_scatter_nd_update": ("tf.tensor_scatter_nd_update(x, [[0, 1], [2, 3]], [9.0, 10.0])", "x"),
    "tensor_scatter_nd_sub": ("tf.tensor_scatter_nd_sub(x, [[1]], [v[:4]])", "x"),
    "searchsorted": ("tf.searchsorted(seq, [0.5, 3.0, -1.0, 9.0])", None),
    "searchsorted_right": ("tf.searchsorted(seq, [1.0, 3.0], side='right')", None),
    "gather_axis": ("tf.gather(x, [3, 0, 3], axis=1)", "x"),
    "gather_axis_nd": ("tf.gather(s, [[1], [0]], axis=2)", "s"),
    "convert_int": ("(tf.convert_to_tensor(3), tf.convert_to_tensor([1, 2]), tf.Variable(2))", None),
    "gather_batch": ("tf.gather(s, [[2, 0], [1, 1]], axis=1, batch_dims=1)", "s"),
    # norms and clipping
    "clip_by_norm": ("tf.clip_by_norm(x, 1.0)", "x"),
    "clip_by_norm_axes": ("tf.clip_by_norm(x, 1.0, axes=[1])", "x"),
    "clip_by_norm_noop": ("tf.clip_by_norm(x, 100.0)", "x"),
    "clip_by_global_norm": ("tf.clip_by_global_norm([x, p], 2.0)", "x"),
    "norm": ("tf.norm(x)", "x"),
    "norm_axis": ("tf.norm(s, axis=-1)", "s"),
    "norm_ord1": ("tf.norm(x, ord=1, axis=0)", "x"),
    "norm_inf": ("tf.norm(x, ord=np.inf, axis=1, keepdims=True)", "x"),
    "norm_fro": ("tf.norm(s, ord='fro', axis=[1, 2])", "s"),
    # elementwise math
    "floor": ("tf.floor(x * 3.0)", None),
    "math_ceil": ("tf.math.ceil(x * 3.0)", None),
    "math_rint": ("tf.math.rint(x * 3.0)", None),
    "cumsum": ("tf.cumsum(x, axis=1)", "x"),
    "cumsum_excl_rev": ("tf.cumsum(x, axis=1, exclusive=True, reverse=True)", "x"),
    "math_cumprod": ("tf.math.cumprod(p, axis=0)", "p"),
    "asin": ("tf.asin(u)", "u"), "acos": ("tf.acos(u)", "u"), "atan": ("tf.atan(x)", "x"),
    "atan2": ("tf.atan2(x, p)", "x"), "sinh": ("tf.sinh(x)", "x"), "cosh": ("tf.cosh(x)", "x"),
    "tan": ("tf.tan(u)", "u"), "asinh": ("tf.asinh(x)", "x"), "acosh": ("tf.acosh(p + 1.0)", "p"),
    "atanh": ("tf.atanh(u)", "u"),
    "math_expm1": ("tf.math.expm1(x)", "x"), "math_rsqrt": ("tf.math.rsqrt(p)", "p"),
    "math_erf": ("tf.math.erf(x)", "x"), "math_erfc": ("tf.math.erfc(x)", "x"),
    "math_log_sigmoid": ("tf.math.log_sigmoid(x * 10.0)", "x"),
    "math_softsign": ("tf.math.softsign(x)", "x"),
    "math_squared_difference": ("tf.math.squared_difference(x, p)", "x"),
    "truediv": ("tf.truediv(x, p)", "x"), "realdiv": ("tf.realdiv(x, p)", "p"),
    "math_floordiv": ("tf.math.floordiv(x * 5.0, p)", None),
    "math_floormod": ("tf.math.floormod(x * 5.0, p)", "x"),
    "math_mod_int": ("tf.math.mod(i, 4)", None),
    "math_divide_no_nan": ("tf.math.divide_no_nan(x, tf.where(b, p, 0.0))", "x"),
    "math_xlogy": ("tf.math.xlogy(x, p)", "x"),
    "math_polyval": ("tf.math.polyval([1.0, -2.0, 3.0], x)", "x"),
    "math_scalar_mul": ("tf.math.scalar_mul(2.5, x)", "x"),
    "math_log_softmax": ("tf.math.log_softmax(x)", "x"),
    "math_softmax_axis0": ("tf.math.softmax(x, axis=0)", "x"),
    "math_reduce_euclidean_norm": ("tf.math.reduce_euclidean_norm(x, axis=1)", "x"),
    "math_count_nonzero": ("tf.math.count_nonzero(b, axis=1)", None),
    "math_count_nonzero_all": ("tf.math.count_nonzero(x > 0.0)", None),
    "math_zero_fraction": ("tf.math.zero_fraction(tf.nn.relu(x))", None),
    "math_is_nan": ("tf.math.is_nan(tf.math.log(x))", None),
    "math_is_inf": ("tf.math.is_inf(1.0 / tf.floor(x))", None),
    "math_is_finite": ("tf.math.is_finite(tf.math.log(x))", None),
    "math_segment_sum": ("tf.math.segment_sum(v, seg)", "v"),
    "math_segment_mean": ("tf.math.segment_mean(v, seg)", "v"),
    "math_segment_max": ("tf.math.segment_max(v, seg)", "v"),
    "math_unsorted_segment_sum": ("tf.math.unsorted_segment_sum(v, i, 5)", "v"),
    "math_unsorted_segment_mean": ("tf.math.unsorted_segment_mean(v, i, 5)", "v"),
    "math_unsorted_segment_max": ("tf.math.unsorted_segment_max(v, i, 4)", "v"),
    "math_bincount": ("tf.math.bincount(i)", None),
    "math_bincount_len": ("tf.math.bincount(i, minlength=6)", None),
    "math_confusion_matrix": ("tf.math.confusion_matrix([0, 1, 2, 1], [0, 2, 2, 1])", None),
    "math_confusion_matrix_n": ("tf.math.confusion_matrix([0, 1], [1, 1], num_classes=3)", None),
    "math_in_top_k": ("tf.math.in_top_k(lab, x, 2)", None),
    "logical": ("tf.logical_and(b, tf.logical_not(tf.logical_or(b, x > 0.0)))", None),
    "logical_xor": ("tf.math.logical_xor(b, x > 0.0)", None),
    "compare": ("(tf.greater_equal(x, 0.0), tf.less_equal(x, 0.5), tf.math.less_equal(p, 1.0))", None),
    # nn
    "nn_leaky_relu": ("tf.nn.leaky_relu(x)", "x"),
    "nn_leaky_relu_alpha": ("tf.nn.leaky_relu(x, alpha=0.3)", "x"),
    "nn_relu6": ("tf.nn.relu6(x * 5.0)", "x"),
    "nn_selu": ("tf.nn.selu(x)", "x"),
    "nn_gelu": ("tf.nn.gelu(x)", "x"),
    "nn_gelu_tanh": ("tf.nn.gelu(x, approximate=True)", "x"),
    "nn_silu": ("tf.nn.silu(x)", "x"), "nn_swish": ("tf.nn.swish(x)", "x"),
    "nn_softsign": ("tf.nn.softsign(x)", "x"),
    "nn_log_softmax": ("tf.nn.log_softmax(s, axis=1)", "s"),
    "nn_l2_loss": ("tf.nn.l2_loss(x)", "x"),
    "nn_moments": ("tf.nn.moments(s, axes=[0, 1])", "s"),
    "nn_moments_keep": ("tf.nn.moments(x, axes=[1], keepdims=True)", "x"),
    "nn_top_k": ("tf.nn.top_k(x, k=2)", "x"),
    "nn_embedding_lookup": ("tf.nn.embedding_lookup(x, [2, 0, 2])", "x"),
    "nn_conv2d_same": ("tf.nn.conv2d(img, filt, strides=1, padding='SAME')", "img"),
    "nn_conv2d_valid_s2": ("tf.nn.conv2d(img, filt, strides=[1, 2, 2, 1], padding='VALID')", "img"),
    "nn_max_pool2d": ("tf.nn.max_pool2d(img, ksize=2, strides=2, padding='VALID')", "img"),
    "nn_avg_pool2d": ("tf.nn.avg_pool2d(img, ksize=3, strides=1, padding='SAME')", "img"),
    "nn_max_pool": ("tf.nn.max_pool(img, ksize=[1, 3, 3, 1], strides=[1, 2, 2, 1], padding='SAME')", "img"),
    "nn_batch_normalization": ("tf.nn.batch_normalization(x, p[0], p[1], x[0], p[2], 1e-3)", "x"),
    "nn_compute_average_loss": ("tf.nn.compute_average_loss(v, global_batch_size=12)", "v"),
    "nn_in_top_k": ("tf.nn.in_top_k(lab, x, 1)", None),
    "nn_weighted_xent": ("tf.nn.weighted_cross_entropy_with_logits(tf.cast(b, tf.float32), x, 2.0)", "x"),
    # linalg
    "linalg_det": ("tf.linalg.det(x[:, :3] + 3.0 * tf.eye(3))", "x"),
    "linalg_inv": ("tf.linalg.inv(x[:, :3] + 3.0 * tf.eye(3))", "x"),
    "linalg_trace": ("tf.linalg.trace(s[:, :, :3])", "s"),
    "linalg_diag": ("tf.linalg.diag(v[:3])", "v"),
    "linalg_diag_part": ("tf.linalg.diag_part(x)", "x"),
    "linalg_matmul": ("tf.linalg.matmul(x, p, transpose_b=True)", "x"),
    "linalg_norm": ("tf.linalg.norm(x, axis=0)", "x"),
    "linalg_band_part": ("tf.linalg.band_part(x, 1, 0)", "x"),
    "linalg_matrix_transpose": ("tf.linalg.matrix_transpose(s)", "s"),
    "linalg_l2_normalize": ("tf.linalg.l2_normalize(x, axis=1)", "x"),
    "linalg_eye": ("tf.linalg.eye(2)", None),
    "linalg_solve": ("tf.linalg.solve(x[:, :3] + 3.0 * tf.eye(3), p[:, :2])", "x"),
    "linalg_solve_rhs": ("tf.linalg.solve(x[:, :3] + 3.0 * tf.eye(3), p[:, :2])", "p"),
    "linalg_slogdet": ("tf.linalg.slogdet(x[:, :3] + 3.0 * tf.eye(3))", "x"),
    "linalg_logdet": ("tf.linalg.logdet(tf.matmul(p[:, :3], p[:, :3], transpose_a=True) + tf.eye(3))", "p"),
    "linalg_matvec": ("tf.linalg.matvec(x, p[0])", "x"),
    "linalg_matvec_batch": ("tf.linalg.matvec(s, s[:, 0, :])", "s"),
    "linalg_set_diag": ("tf.linalg.set_diag(x, v[:3])", "x"),
    "linalg_cross": ("tf.linalg.cross(x[:, :3], p[:, :3])", "x"),
    "linalg_normalize": ("tf.linalg.normalize(x, axis=1)", "x"),
    "linalg_global_norm": ("tf.linalg.global_norm([x, p])", "x"),
    # control flow (eager)
    "cond": ("tf.cond(tf.reduce_sum(x) > 0.0, lambda: x * 2.0, lambda: x - 1.0)", "x"),
    "cond_false": ("tf.cond(tf.constant(False), lambda: x * 2.0, lambda: x - 1.0)", "x"),
    "while_loop": ("tf.while_loop(lambda k, a: k < 3, lambda k, a: (k + 1, a * p), [0, x])", "x"),
    "map_fn": ("tf.map_fn(lambda r: r * r, x)", "x"),
    "scan": ("tf.scan(lambda a, r: a + r, x)", "x"),
    "scan_init": ("tf.scan(lambda a, r: a * r, p, initializer=tf.ones([4]))", "p"),
    "foldl": ("tf.foldl(lambda a, r: a + r, v)", "v"),
    "is_tensor": ("(tf.is_tensor(x), tf.is_tensor(tf.constant(1.0)))", None),
}


def _weights(shape):
    n = int(np.prod(shape)) if len(shape) else 1
    return np.cos(np.arange(n, dtype=np.float64)).reshape(shape)


def _flat(out):
    if isinstance(out, (list, tuple)):
        return [a for o in out for a in _flat(o)]
    return [out]


def record(cases, inputs, out, flat=_flat, strings_as_bytes=False):
    """Evaluate each case ``name: (expression, input to differentiate or None)`` under
    TensorFlow on ``inputs`` and write the inputs, outputs, dtypes and the gradient of the
    cos-weighted output sum to ``out``.npz / .json (also used by gen_tf_numeric14_refs.py)."""
    arrays = {f"in/{k}": v for k, v in inputs.items()}
    meta = {}
    for name, (expr, wrt) in cases.items():
        env = {k: tf.constant(v) for k, v in inputs.items()}
        env.update(tf=tf, np=np)
        watch = env[wrt] if wrt else None
        with tf.GradientTape() as tape:
            if watch is not None:
                tape.watch(watch)
            try:
                outs = flat(eval(expr, env))  # noqa: S307 -- the recorded cases
            except Exception as e:
                raise RuntimeError(f"case {name}: {expr}") from e
            loss = tf.constant(0.0, tf.float64)
            for o in outs:
                if isinstance(o, tf.Tensor) and o.dtype.is_floating:
                    loss += tf.reduce_sum(tf.cast(o, tf.float64) * _weights(o.shape))
        kinds = []
        for j, o in enumerate(outs):
            a = o.numpy() if isinstance(o, (tf.Tensor, tf.Variable)) else np.asarray(o)
            if strings_as_bytes and a.dtype == object:
                a = a.astype(bytes)
            arrays[f"{name}/out{j}"] = a
            kinds.append(str(a.dtype) if a.dtype != np.bool_ else "bool")
        meta[name] = {"expr": expr, "wrt": wrt, "dtypes": kinds,
                      "python": [not isinstance(o, (tf.Tensor, tf.Variable)) for o in outs]}
        if watch is not None:
            g = tape.gradient(loss, watch)
            g = tf.convert_to_tensor(g) if g is not None else tf.zeros_like(watch)  # IndexedSlices
            arrays[f"{name}/grad"] = g.numpy()
    np.savez_compressed(out + ".npz", **arrays)
    with open(out + ".json", "w") as f:
        json.dump({"tensorflow": tf.__version__, "cases": meta}, f, indent=1, sort_keys=True)
        f.write("\n")


def main():
    record(CASES, INPUTS, OUT)


if __name__ == "__main__":
    main()
