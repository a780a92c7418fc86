"""Generate tests/data/keras13_refs.npz and keras13_refs.json: tf_keras 2.21's values for the
Keras 2 names keras13 added (backend functions, activations, focal losses, new layers,
to_ordinal, OrthogonalRegularizer, legacy Ftrl), the oracle of tests/test_keras13.py.

    /work/keras-venv/bin/python tools/keras13_refs.py      # tensorflow-cpu + tf_keras 2.21

Inputs are drawn here from a fixed seed and stored next to the outputs, so the test replays
exactly these inputs; gradients are d sum(output * w) / d input for a stored random w.
"""
import json
import os
import sys

import numpy as np
import tensorflow as tf
import tf_keras as keras

K = keras.backend
rng = np.random.default_rng(1313)
OUT = {}
META = {}


def f32(*shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


def grad_of(fn, *xs):
    """(fn(*xs), [d sum(fn * w) / d x], w)."""
    ts = [tf.Variable(x) for x in xs]
    with tf.GradientTape() as tape:
        y = fn(*ts)
    w = rng.uniform(-1, 1, size=y.shape).astype(np.float32)
    with tf.GradientTape() as tape:
        y = fn(*ts)
        s = tf.reduce_sum(y * w)
    return y.numpy(), [g.numpy() for g in tape.gradient(s, ts)], w


def put(key, y, grads=None, w=None, **inputs):
    OUT[key + "/y"] = np.asarray(y)
    for name, x in inputs.items():
        OUT[f"{key}/{name}"] = np.asarray(x)
    if grads is not None:
        OUT[key + "/w"] = w
        for i, g in enumerate(grads):
            OUT[f"{key}/g{i}"] = g


# ---- activations ----------------------------------------------------------------------------
x = np.concatenate([f32(40, lo=-6, hi=6), np.array([0.0, -12.0, 12.0, 1e-3], np.float32)])
for name, fn in [("gelu", lambda t: keras.activations.gelu(t)),
                 ("gelu_approx", lambda t: keras.activations.gelu(t, approximate=True)),
                 ("swish", keras.activations.swish), ("mish", keras.activations.mish),
                 ("softsign", keras.activations.softsign),
                 ("exponential", keras.activations.exponential)]:
    y, g, w = grad_of(fn, x)
    put("act/" + name, y, g, w, x=x)
META["act_serialize"] = {n: keras.activations.serialize(getattr(keras.activations, n))
                         for n in ("gelu", "swish", "mish", "softsign", "exponential")}

# ---- backend image functions ------------------------------------------------------------------
xi = f32(2, 5, 6, 3)
kt = f32(3, 3, 4, 3)  # (KH, KW, C_out, C_in)
for pad, st, oshape in [("valid", (1, 1), (2, 7, 8, 4)), ("same", (2, 2), (2, 10, 12, 4)),
                        ("valid", (2, 2), (2, 11, 13, 4))]:
    key = f"conv2d_transpose/{pad}_{st[0]}"
    y, g, w = grad_of(lambda a, b: K.conv2d_transpose(a, b, oshape, st, pad), xi, kt)
    put(key, y, g, w, x=xi, k=kt)
    META[key] = {"padding": pad, "strides": st, "output_shape": oshape}
dk = f32(3, 2, 3, 2)
pk = f32(1, 1, 6, 5)
for pad, st in [("valid", (1, 1)), ("same", (2, 2))]:
    y, g, w = grad_of(lambda a, b: K.depthwise_conv2d(a, b, st, pad), xi, dk)
    put(f"depthwise_conv2d/{pad}", y, g, w, x=xi, k=dk)
    y, g, w = grad_of(lambda a, b, c: K.separable_conv2d(a, b, c, st, pad), xi, dk, pk)
    put(f"separable_conv2d/{pad}", y, g, w, x=xi, k=dk, p=pk)
xcf = np.transpose(xi, (0, 3, 1, 2)).copy()
y, g, w = grad_of(lambda a, b: K.depthwise_conv2d(a, b, (1, 1), "same", "channels_first"), xcf, dk)
put("depthwise_conv2d/channels_first", y, g, w, x=xcf, k=dk)
for mode in ("max", "avg"):
    for pad in ("valid", "same"):
        y, g, w = grad_of(lambda a: K.pool2d(a, (2, 3), padding=pad, pool_mode=mode), xi)
        put(f"pool2d/{mode}_{pad}", y, g, w, x=xi)
    y, g, w = grad_of(lambda a: K.pool2d(a, (2, 2), (2, 2), "same", pool_mode=mode), xi)
    put(f"pool2d/{mode}_strided", y, g, w, x=xi)
for interp in ("nearest", "bilinear"):
    y, g, w = grad_of(lambda a: K.resize_images(a, 2, 3, "channels_last", interp), xi)
    put(f"resize_images/{interp}", y, g, w, x=xi)

# ---- K.rnn --------------------------------------------------------------------------------
xr = f32(3, 5, 4, lo=-1, hi=1)
W = f32(4, 6, lo=-0.5, hi=0.5)
U = f32(6, 6, lo=-0.5, hi=0.5)
h0 = f32(3, 6, lo=-0.5, hi=0.5)
mask = np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 1, 1, 0]], np.float32)
for name, kw in [("plain", {}), ("backwards", {"go_backwards": True}),
                 ("mask", {"mask": mask}), ("mask_zero", {"mask": mask,
                                                          "zero_output_for_mask": True}),
                 ("unroll", {"unroll": True})]:
    def run(x_, W_, U_, h_, kw=kw):
        def step(xt, states):
            h = tf.tanh(tf.matmul(xt, W_) + tf.matmul(states[0], U_))
            return h, [h]
        if "mask" in kw:
            kw = dict(kw, mask=tf.constant(kw["mask"] > 0))
        last, outs, st = K.rnn(step, x_, [h_], input_length=5, **kw)
        return tf.concat([tf.reshape(outs, (3, -1)), last, st[0]], axis=1)
    y, g, w = grad_of(run, xr, W, U, h0)
    put(f"rnn/{name}", y, g, w, x=xr, W=W, U=U, h0=h0, mask=mask)

# ---- moving_average_update, set_floatx, gradients ------------------------------------------------
v = tf.Variable(np.array([1.0, 2.0, -3.0], np.float32))
K.moving_average_update(v, np.array([0.5, 0.0, 1.0], np.float32), 0.9)
OUT["moving_average_update/y"] = v.numpy()
errors = {}
for value in ("bfloat16", "int32"):
    try:
        K.set_floatx(value)
    except ValueError as e:
        errors["set_floatx_" + value] = str(e)
try:
    K.gradients(tf.constant(1.0), [tf.Variable(1.0)])
except RuntimeError as e:
    errors["gradients"] = str(e)
META["errors"] = errors

# ---- K.normalize_batch_in_training ---------------------------------------------------------------
xn = f32(4, 3, 2, 5)
for key, xx, gamma, beta, axes in [
        ("nhwc", xn, f32(5), f32(5), [0, 1, 2]), ("nhwc_none", xn, None, None, [0, 1, 2]),
        ("nchw", xn, f32(3), f32(3), [0, 2, 3]), ("seq", xn[:, :, 0, :], f32(5), f32(5), [0, 1])]:
    n_, m_, v_ = K.normalize_batch_in_training(
        tf.constant(xx), None if gamma is None else tf.constant(gamma),
        None if beta is None else tf.constant(beta), axes)
    for name, val in (("x", xx), ("y", n_), ("mean", m_), ("var", v_)):
        OUT[f"nbt/{key}/{name}"] = np.asarray(val)
    if gamma is not None:
        OUT[f"nbt/{key}/gamma"], OUT[f"nbt/{key}/beta"] = gamma, beta
    META["nbt/" + key] = axes

# ---- K.function on a Sequential (the Keras FAQ's intermediate output) ----------------------------
keras.utils.set_random_seed(3)
model = keras.Sequential([keras.layers.Dense(5, activation="relu", input_shape=(4,)),
                          keras.layers.Dropout(0.5), keras.layers.Dense(3, activation="gelu"),
                          keras.layers.Dense(2)])
xf = f32(6, 4)
fn = K.function([model.layers[0].input], [model.layers[2].output])
OUT["function/x"] = xf
OUT["function/y"] = fn([xf])[0]
for i, wt in enumerate(model.get_weights()):
    OUT[f"function/w{i}"] = wt
xs_ = f32(6, 5)  # from an intermediate tensor (Dropout's output) on
OUT["function_sub/x"] = xs_
OUT["function_sub/y"] = K.function([model.layers[2].input], [model.layers[3].output])([xs_])[0]

# ---- losses -----------------------------------------------------------------------------------
yb = (rng.uniform(size=(6, 3)) > 0.5).astype(np.float32)
pb = rng.uniform(0.02, 0.98, size=(6, 3)).astype(np.float32)
zb = f32(6, 3, lo=-3, hi=3)
sw = rng.uniform(0.2, 2.0, size=(6,)).astype(np.float32)
yc = np.eye(4, dtype=np.float32)[rng.integers(0, 4, size=6)]
pc = rng.uniform(0.05, 1.0, size=(6, 4)).astype(np.float32)
pc /= pc.sum(-1, keepdims=True)
zc = f32(6, 4, lo=-3, hi=3)
LOSS_CASES = {
    "bfce": (keras.losses.binary_focal_crossentropy, {}, yb, pb),
    "bfce_balanced": (keras.losses.binary_focal_crossentropy,
                      {"apply_class_balancing": True, "alpha": 0.4, "gamma": 1.5}, yb, pb),
    "bfce_logits": (keras.losses.binary_focal_crossentropy,
                    {"from_logits": True, "label_smoothing": 0.1}, yb, zb),
    "cfce": (keras.losses.categorical_focal_crossentropy, {}, yc, pc),
    "cfce_logits": (keras.losses.categorical_focal_crossentropy,
                    {"from_logits": True, "alpha": 0.5, "gamma": 3.0, "label_smoothing": 0.2},
                    yc, zc),
}
for key, (fn_, kw, yt, yp) in LOSS_CASES.items():
    y, g, w = grad_of(lambda p, fn_=fn_, kw=kw, yt=yt: fn_(yt, p, **kw), yp)
    put("loss/" + key, y, g, w, y_true=yt, y_pred=yp)
    META["loss/" + key] = kw
y, g, w = grad_of(lambda p: K.binary_focal_crossentropy(yb, p, True, 0.3, 1.5), pb)
put("K_bfce", y, g, w, y_true=yb, y_pred=pb)
y, g, w = grad_of(lambda z: K.categorical_focal_crossentropy(yc, z, 0.5, 2.5, True), zc)
put("K_cfce", y, g, w, y_true=yc, y_pred=zc)
for red in ("none", "sum", "sum_over_batch_size", "auto"):
    OUT[f"loss_class/bfce_{red}"] = keras.losses.BinaryFocalCrossentropy(
        gamma=2.0, reduction=red)(yb, pb, sample_weight=sw).numpy()
    OUT[f"loss_class/cfce_{red}"] = keras.losses.CategoricalFocalCrossentropy(
        reduction=red)(yc, pc, sample_weight=sw).numpy()
    OUT[f"loss_class/mse_{red}"] = keras.losses.MeanSquaredError(reduction=red)(
        yb, pb, sample_weight=sw).numpy()
OUT["loss_class/sw"] = sw
META["reduction_all"] = list(keras.losses.Reduction.all())

# ---- FBetaScore / F1Score / R2Score: two batches each -----------------------------------------
ys1, ys2 = (rng.uniform(size=(6, 4)) > 0.6).astype(np.float32), (
    rng.uniform(size=(5, 4)) > 0.6).astype(np.float32)
ps1 = (0.45 * ys1 + 0.55 * rng.uniform(size=(6, 4))).astype(np.float32)  # informative
ps2 = (0.45 * ys2 + 0.55 * rng.uniform(size=(5, 4))).astype(np.float32)
ps1[0] = 0.0  # an all-zero row (the default threshold leaves it all negative)
sws1, sws2 = rng.uniform(0.2, 2, size=6).astype(np.float32), rng.uniform(
    0.2, 2, size=5).astype(np.float32)
for name, v in (("ys1", ys1), ("ys2", ys2), ("ps1", ps1), ("ps2", ps2), ("sws1", sws1),
                ("sws2", sws2)):
    OUT["score/" + name] = v
SCORES = {
    "f1_none": ("F1Score", {}), "f1_micro": ("F1Score", {"average": "micro"}),
    "f1_macro_t": ("F1Score", {"average": "macro", "threshold": 0.5}),
    "fbeta_weighted": ("FBetaScore", {"average": "weighted", "beta": 2.0}),
    "fbeta_none_t": ("FBetaScore", {"beta": 0.5, "threshold": 0.3}),
    "r2_uniform": ("R2Score", {}), "r2_var": ("R2Score",
                                               {"class_aggregation": "variance_weighted_average"}),
    "r2_none": ("R2Score", {"class_aggregation": None}),
    "r2_adjusted": ("R2Score", {"num_regressors": 3}),
}
for key, (cls_name, kw) in SCORES.items():
    for weighted in (False, True):
        metric = getattr(keras.metrics, cls_name)(**kw)
        pr1 = ps1 if cls_name != "R2Score" else ps1 * 2 - 0.5
        pr2 = ps2 if cls_name != "R2Score" else ps2 * 2 - 0.5
        metric.update_state(ys1, pr1, sws1 if weighted else None)
        metric.update_state(ys2, pr2, sws2 if weighted else None)
        OUT[f"score/{key}/{int(weighted)}"] = np.asarray(metric.result().numpy())
    META["score/" + key] = [cls_name, kw, sorted(metric.get_config())]

AT = {"p_at_r": ("PrecisionAtRecall", {"recall": 0.6}),
      "r_at_p": ("RecallAtPrecision", {"precision": 0.5, "num_thresholds": 50}),
      "s_at_s": ("SensitivityAtSpecificity", {"specificity": 0.7, "class_id": 2}),
      "sp_at_s": ("SpecificityAtSensitivity", {"sensitivity": 0.8, "num_thresholds": 1}),
      "none_feasible": ("RecallAtPrecision", {"precision": 1.0})}
for key, (cls_name, kw) in AT.items():
    for weighted in (False, True):
        metric = getattr(keras.metrics, cls_name)(**kw)
        metric.update_state(ys1, ps1, sws1 if weighted else None)
        metric.update_state(ys2, ps2, sws2 if weighted else None)
        OUT[f"at/{key}/{int(weighted)}"] = np.asarray(metric.result().numpy())
    META["at/" + key] = [cls_name, kw, sorted(metric.get_config())]

REDUCE = {"sum": ("Sum", {}), "mean_tensor": ("MeanTensor", {}),
          "mre": ("MeanRelativeError", {"normalizer": [1.0, 2.0, 0.0, 4.0]})}
for key, (cls_name, kw) in REDUCE.items():
    for weighted in (False, True):
        metric = getattr(keras.metrics, cls_name)(**kw)
        if cls_name == "MeanRelativeError":
            metric.update_state(ys1, ps1, sws1 if weighted else None)
            metric.update_state(ys2, ps2, sws2 if weighted else None)
        elif cls_name == "Sum":
            metric.update_state(ps1, sws1 if weighted else None)
            metric.update_state(ps2, sws2 if weighted else None)
        else:
            metric.update_state(ps1[:5], sws1[:5] if weighted else None)
            metric.update_state(ps2, sws2 if weighted else None)
        OUT[f"reduce/{key}/{int(weighted)}"] = np.asarray(metric.result().numpy())
    META["reduce/" + key] = [cls_name, sorted(metric.get_config())]

lab1, lab2 = rng.integers(0, 4, size=(6, 3)), rng.integers(0, 4, size=(5, 3))
pl1, pl2 = np.where(rng.uniform(size=(6, 3)) < 0.6, lab1, rng.integers(0, 4, size=(6, 3))), \
    np.where(rng.uniform(size=(5, 3)) < 0.6, lab2, rng.integers(0, 4, size=(5, 3)))
for name, v in (("lab1", lab1), ("lab2", lab2), ("pl1", pl1), ("pl2", pl2)):
    OUT["iou/" + name] = v
IOU = {"iou": ("IoU", {"num_classes": 4, "target_class_ids": [0, 2]}),
       "iou_ignore": ("IoU", {"num_classes": 4, "target_class_ids": [1, 2, 3],
                              "ignore_class": 0}),
       "binary": ("BinaryIoU", {"target_class_ids": [0, 1], "threshold": 0.4}),
       "binary_one": ("BinaryIoU", {"target_class_ids": [1]}),
       "onehot": ("OneHotIoU", {"num_classes": 4, "target_class_ids": [1, 3]}),
       "onehot_mean": ("OneHotMeanIoU", {"num_classes": 4})}
for key, (cls_name, kw) in IOU.items():
    for weighted in (False, True):
        metric = getattr(keras.metrics, cls_name)(**kw)
        for t_, p_, w_ in ((lab1, pl1, sws1), (lab2, pl2, sws2)):
            if cls_name == "BinaryIoU":
                t_, p_ = (t_ > 1).astype(np.float32), (p_ / 4.0 + 0.05).astype(np.float32)
            elif cls_name.startswith("OneHot"):
                t_, p_ = np.eye(4, dtype=np.float32)[t_], np.eye(4, dtype=np.float32)[p_]
            ww = None if not weighted else np.repeat(w_[:, None], 3, axis=1)
            metric.update_state(t_, p_, ww)
        OUT[f"iou/{key}/{int(weighted)}"] = np.asarray(metric.result().numpy())
    META["iou/" + key] = [cls_name, kw, sorted(metric.get_config())]

# ---- a custom AbstractRNNCell (the tf_keras docstring's MinimalRNNCell, no output_size) ----------
class MinimalRNNCell(keras.layers.AbstractRNNCell):
    def __init__(self, units, **kwargs):
        self.units = units
        super().__init__(**kwargs)

    @property
    def state_size(self):
        return self.units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units),
                                                name="recurrent_kernel")
        self.built = True

    def call(self, inputs, states):
        output = K.dot(inputs, self.kernel) + K.tanh(K.dot(states[0], self.recurrent_kernel))
        return output, output


xa = keras.Input((None, 5))
cell_model = keras.Model(xa, keras.layers.RNN(MinimalRNNCell(4), return_sequences=True)(xa))
cell_model.set_weights([f32(5, 4, lo=-0.5, hi=0.5), f32(4, 4, lo=-0.5, hi=0.5)])
xr2 = f32(2, 3, 5)
OUT["abstract_cell/x"] = xr2
OUT["abstract_cell/y"] = cell_model.predict(xr2, verbose=0)
for i, wt in enumerate(cell_model.get_weights()):
    OUT[f"abstract_cell/w{i}"] = wt

# ---- SpectralNormalization -----------------------------------------------------------------------
# tf_keras 2.21's build sets input_spec from tf.keras.layers.InputSpec, which under TensorFlow
# 2.21 is Keras 3's class, and its own Layer refuses it: the subclass sets tf_keras' InputSpec
# first and runs the rest of tf_keras' build, call and power iteration unchanged.
class _SN(keras.layers.SpectralNormalization):
    def build(self, input_shape):
        orig = tf.keras.layers.InputSpec
        tf.keras.layers.InputSpec = keras.layers.InputSpec
        try:
            super().build(input_shape)
        finally:
            tf.keras.layers.InputSpec = orig


for key, make, shape in (("dense", lambda: keras.layers.Dense(3), (4, 5)),
                         ("conv", lambda: keras.layers.Conv2D(3, 2), (2, 4, 4, 2))):
    sn = _SN(make(), power_iterations=2)
    sn.build((None,) + shape[1:])
    xs_ = f32(*shape)
    vals = {}
    for wt in sn.weights:
        base = wt.name.split("/")[-1].split(":")[0]
        vals[base] = rng.normal(size=wt.shape).astype(np.float32)
        wt.assign(vals[base])
        OUT[f"sn/{key}/{base}"] = vals[base]
    OUT[f"sn/{key}/x"] = xs_
    OUT[f"sn/{key}/y_infer"] = sn(xs_, training=False).numpy()
    OUT[f"sn/{key}/y_train1"] = sn(xs_, training=True).numpy()
    OUT[f"sn/{key}/y_train2"] = sn(xs_, training=True).numpy()
    OUT[f"sn/{key}/u_after"] = sn.vector_u.numpy()
    OUT[f"sn/{key}/kernel_after"] = sn.layer.kernel.numpy()

# ---- layers -----------------------------------------------------------------------------------
LAYERS = {
    "unit_norm": (lambda: keras.layers.UnitNormalization(), (2, 3, 4)),
    "unit_norm_axes": (lambda: keras.layers.UnitNormalization(axis=[1, 2]), (2, 3, 4)),
    "group_norm": (lambda: keras.layers.GroupNormalization(groups=2), (2, 3, 5, 4)),
    "group_norm_axis1": (lambda: keras.layers.GroupNormalization(groups=3, axis=1,
                                                                 epsilon=1e-2), (2, 6, 5)),
    "einsum_ab": (lambda: keras.layers.EinsumDense("ab,bc->ac", output_shape=5,
                                                   bias_axes="c"), (3, 4)),
    "einsum_seq": (lambda: keras.layers.EinsumDense("abc,cd->abd", output_shape=(None, 6),
                                                    bias_axes="d", activation="relu"), (2, 3, 4)),
    "einsum_heads": (lambda: keras.layers.EinsumDense("abc,cde->abde",
                                                      output_shape=(None, 2, 3),
                                                      bias_axes="de"), (2, 3, 4)),
    "einsum_ellipsis": (lambda: keras.layers.EinsumDense("...b,bc->...c", output_shape=5,
                                                         bias_axes="c"), (2, 3, 4)),
    "einsum_right": (lambda: keras.layers.EinsumDense("ab...,bc->ac...", output_shape=5),
                     (2, 4, 3)),
    "lc1d": (lambda: keras.layers.LocallyConnected1D(3, 2, strides=2, activation="tanh"),
             (2, 7, 4)),
    "lc2d": (lambda: keras.layers.LocallyConnected2D(3, (2, 3)), (2, 5, 6, 2)),
    "lc2d_cf": (lambda: keras.layers.LocallyConnected2D(2, 2, strides=(2, 1),
                                                        data_format="channels_first"),
                (2, 3, 5, 4)),
}
for key, (make, shape) in LAYERS.items():
    layer = make()
    xl = f32(*shape)
    layer.build(shape)
    weights = [rng.uniform(-1, 1, size=wt.shape).astype(np.float32)
               for wt in layer.get_weights()]
    if weights:
        layer.set_weights(weights)
    y, g, w = grad_of(lambda t, layer=layer: layer(t), xl)
    put("layer/" + key, y, g, w, x=xl)
    for i, wt in enumerate(weights):
        OUT[f"layer/{key}/w{i}"] = wt
    cfg = layer.get_config()
    META["layer/" + key] = {"config_keys": sorted(cfg),
                            "output_shape": list(layer.compute_output_shape(shape))}

# ---- utils, regularizers, Ftrl -------------------------------------------------------------------
OUT["to_ordinal/y"] = keras.utils.to_ordinal(np.array([[0], [2], [1], [3]]), num_classes=5)
OUT["to_ordinal/y_auto"] = keras.utils.to_ordinal(np.array([0, 2, 1]))
wr = f32(5, 3)
for mode in ("rows", "columns"):
    OUT[f"orthogonal/{mode}"] = keras.regularizers.OrthogonalRegularizer(0.1, mode)(
        tf.constant(wr)).numpy()
OUT["orthogonal/w"] = wr
FTRL = {"default": {}, "l1l2": {"l1_regularization_strength": 0.01,
                                "l2_regularization_strength": 0.02},
        "shrink_beta": {"l1_regularization_strength": 0.001,
                        "l2_shrinkage_regularization_strength": 0.05, "beta": 0.3,
                        "learning_rate_power": -0.7, "initial_accumulator_value": 0.5}}
p0 = f32(4, 3)
grads = [f32(4, 3) for _ in range(4)]
OUT["ftrl/p0"] = p0
for i, gr in enumerate(grads):
    OUT[f"ftrl/g{i}"] = gr
for key, kw in FTRL.items():
    opt = keras.optimizers.legacy.Ftrl(learning_rate=0.05, **kw)
    var = tf.Variable(p0)
    for gr in grads:
        opt.apply_gradients([(tf.constant(gr), var)])
    OUT[f"ftrl/{key}"] = var.numpy()
META["ftrl"] = FTRL
LION = {"default": {}, "wd_betas": {"weight_decay": 0.1, "beta_1": 0.8, "beta_2": 0.95}}
for key, kw in LION.items():
    opt = keras.optimizers.Lion(learning_rate=0.05, **kw)
    var = tf.Variable(p0)
    for gr in grads:
        opt.apply_gradients([(tf.constant(gr), var)])
    OUT[f"lion/{key}"] = var.numpy()
META["lion"] = LION

# ---- LossScaleOptimizer: a dynamic scale over finite and non-finite steps ------------------------
lso = keras.mixed_precision.LossScaleOptimizer(keras.optimizers.SGD(0.1), dynamic_growth_steps=2)
var = tf.Variable(p0)
LSO_GRADS = [grads[0], np.full_like(grads[1], np.inf), grads[2], grads[3], grads[0]]
scales, values = [float(lso.loss_scale)], []
for gr in LSO_GRADS:
    lso.apply_gradients([(tf.constant(gr), var)])
    scales.append(float(lso.loss_scale))
    values.append(var.numpy())
OUT["lso/values"] = np.stack(values)
META["lso_scales"] = scales
META["lso_iterations"] = int(lso.iterations.numpy())

here = os.path.dirname(os.path.abspath(__file__))
data = os.path.join(here, "..", "tests", "data")

# ---- a model saved under mixed_float16 (the mixed precision guide's layout) ----------------------
keras.mixed_precision.set_global_policy("mixed_float16")
inp = keras.Input((6,))
h = keras.layers.Dense(8, activation="relu")(inp)
h = keras.layers.Dense(3)(h)
out = keras.layers.Activation("softmax", dtype="float32")(h)
mixed = keras.Model(inp, out)
xm = f32(5, 6)
OUT["mixed/x"] = xm
OUT["mixed/y_float16"] = mixed.predict(xm, verbose=0)
mixed.save(os.path.join(data, "keras13_mixed_float16.h5"))
keras.mixed_precision.set_global_policy("float32")
inp = keras.Input((6,))  # the same layers computing in float32 (clone_model keeps policies)
out = keras.layers.Activation("softmax")(keras.layers.Dense(3)(
    keras.layers.Dense(8, activation="relu")(inp)))
plain = keras.Model(inp, out)
plain.set_weights(mixed.get_weights())
OUT["mixed/y_float32"] = plain.predict(xm, verbose=0)
META["mixed_policies"] = [str(layer.dtype_policy) for layer in mixed.layers]
np.savez_compressed(os.path.join(data, "keras13_refs.npz"), **OUT)
with open(os.path.join(data, "keras13_refs.json"), "w") as f:
    json.dump(dict(META, versions={"tf_keras": keras.__version__, "tensorflow": tf.__version__,
                                   "python": sys.version.split()[0]}), f, indent=1,
              sort_keys=True)
print(len(OUT), "arrays")
