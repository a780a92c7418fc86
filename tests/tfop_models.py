"""The models of tests/test_tfop_interop.py, written once for both sides: the test builds them with
tensorforge, tools/gen_tfop_h5.py with tf_keras 2.21 (each function takes the Keras module ``k``
and the TensorFlow module ``tf``: tensorforge.keras and tensorforge, or tf_keras and tensorflow).
Functional models whose graphs hold TF ops on symbolic tensors (TFOpLambda / SlicingOpLambda)."""
import numpy as np


def _basic(k, tf):
    """The lead's example: operators, K.mean, a slice, concat / reshape / relu / transpose."""
    inp = k.Input((4,))
    h = k.layers.Dense(3)(inp)
    o = k.backend.mean(h * 2.0 + 1.0, axis=1, keepdims=True)
    o2 = o[:, 0]
    c = tf.concat([h, 1.0 - h], 1)
    t = tf.transpose(tf.nn.relu(tf.reshape(c, (-1, 3, 2))), [0, 2, 1])
    return k.Model(inp, [o, o2, t])


def _math(k, tf):
    """Element-wise math, reductions, matmul and shape ops on two inputs."""
    x = k.Input((3, 4))
    y = k.Input((3, 4))
    d = k.layers.Dense(4)(x)
    a = (d - y) / 2.0 + (-y) ** 2
    b = tf.matmul(a, tf.transpose(y, [0, 2, 1]))                       # (None, 3, 3)
    e = tf.sqrt(tf.abs(a)) + tf.exp(-tf.square(a)) + tf.math.log(tf.abs(a) + 1.0)
    f = tf.maximum(a, 0.0) - tf.minimum(a, y) + 1.0 / (tf.abs(a) + 1.0)
    r = tf.stack([tf.reduce_sum(e, 1), tf.reduce_max(f, 1), tf.reduce_min(e, axis=1),
                  tf.reduce_prod(tf.clip_by_value(f, 0.5, 1.5), 1)], axis=1)  # (None, 4, 4)
    s = tf.squeeze(tf.expand_dims(b, 1), 1) @ a                          # (None, 3, 4)
    g = tf.nn.softmax(s) + tf.nn.sigmoid(a) + tf.math.l2_normalize(a, axis=-1)
    z = k.backend.concatenate([k.backend.sum(g, axis=1), k.backend.max(r, 1)])   # (None, 8)
    w = k.backend.permute_dimensions(k.backend.expand_dims(z), (0, 2, 1))      # (None, 1, 8)
    return k.Model([x, y], [z, w[:, 0, 1:7:2], a[:, None, 1]])


def _int(k, tf):
    """Integer ids: one_hot, cast, a Dense in between."""
    ids = k.Input((3,), dtype="int32")
    oh = tf.one_hot(ids, 5)                                              # (None, 3, 5)
    h = k.layers.Dense(2)(tf.reduce_mean(oh, axis=1))
    c = tf.cast(ids, "float32") * h[:, :1]
    return k.Model(ids, [h, tf.reduce_sum(c, axis=-1, keepdims=True)])


def _more(k, tf):
    """More element-wise ops, reductions, padding / reversing, pooling and keras.backend's."""
    x = k.Input((3, 4))
    y = k.Input((3, 4))
    im = k.Input((4, 4, 2))
    e = (tf.sign(x) + tf.round(x) + tf.floor(y) + tf.math.erf(x) + tf.cos(x) * tf.sin(y)
         + tf.atan(x) + tf.math.log_sigmoid(x) + tf.nn.silu(y) + tf.stop_gradient(x)
         + tf.math.squared_difference(x, y) + tf.zeros_like(x)
         + tf.cast(tf.math.not_equal(tf.round(x), 0.0), "float32"))
    r = tf.stack([tf.math.reduce_variance(e, 1), tf.math.reduce_euclidean_norm(e, 1),
                  tf.norm(e, axis=1), k.backend.var(e, 1), k.backend.std(e, axis=1),
                  tf.cast(tf.reduce_any(e > 0.5, 1), "float32")], axis=1)   # (None, 6, 4)
    c = tf.pad(tf.reverse(tf.math.cumprod(x, 1), [1]), [[0, 0], [1, 0], [0, 0]])  # (None, 4, 4)
    kb = (k.backend.softplus(x) + k.backend.sign(y) + k.backend.round(x) + k.backend.elu(y)
          + tf.cast(k.backend.equal(k.backend.round(x), k.backend.round(y)), "float32"))
    t = k.backend.tile(kb, [1, 2, 1])                                    # (None, 6, 4)
    am = tf.cast(k.backend.argmax(t), "float32")                         # (None, 6)
    p = tf.nn.avg_pool2d(im, 2, 2, "VALID")                              # (None, 2, 2, 2)
    return k.Model([x, y, im], [r, c, t, am, p])


MODELS = {"basic": _basic, "math": _math, "int": _int, "more": _more}
_RNG = np.random.default_rng(7)
INPUTS = {
    "basic": [np.round(_RNG.normal(size=(2, 4)), 3).astype("float32")],
    "math": [np.round(_RNG.normal(size=(2, 3, 4)), 3).astype("float32") for _ in range(2)],
    "int": [np.array([[0, 4, 2], [3, 3, 1]], dtype="int32")],
    "more": [np.round(_RNG.normal(size=(2, 3, 4)), 3).astype("float32") for _ in range(2)]
    + [np.round(_RNG.normal(size=(2, 4, 4, 2)), 3).astype("float32")],
}


def build(name, k, tf):
    """Model ``name`` with fixed weights (the i-th layer holding weights: (arange % 7 - 3 + i) / 10)."""
    m = MODELS[name](k, tf)
    for i, layer in enumerate([l for l in m.layers if l.get_weights()]):
        layer.set_weights([((np.arange(w.size).reshape(w.shape) % 7) - 3.0 + i) / 10.0
                           for w in layer.get_weights()])
    return m
