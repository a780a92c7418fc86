"""The tf.compat.v1 calls compared with TensorFlow: one function per case taking the module
under test as ``tf`` (TensorFlow itself in tools/gen_compat_v1_refs.py, which records the
results in tests/data/compat_v1_refs.json; tensorforge in tests/test_compat_v1.py).

OPTIMIZERS: TensorFlow 1's optimizers training a small Dense model under Keras 2 (tf_keras /
tensorforge) from the same weights on the same batches; their final weights are compared.
"""
import numpy as np

X = np.random.default_rng(1).standard_normal((6, 4, 3)).astype("float32")
L = np.random.default_rng(2).standard_normal((5, 4)).astype("float32")


def _np(v):
    return np.asarray(v.numpy() if hasattr(v, "numpy") else v)


CASES = {
    "reduce_sum_keep_dims": lambda tf: tf.compat.v1.reduce_sum(X, reduction_indices=[1], keep_dims=True),
    "reduce_mean_axis": lambda tf: tf.compat.v1.reduce_mean(X, 2),
    "math_reduce_max_keep_dims": lambda tf: tf.compat.v1.math.reduce_max(X, axis=0, keep_dims=True),
    "reduce_logsumexp": lambda tf: tf.compat.v1.reduce_logsumexp(L, reduction_indices=1),
    "argmax_dimension": lambda tf: tf.compat.v1.argmax(L, dimension=1),
    "argmin_default_axis": lambda tf: tf.compat.v1.argmin(L),
    "expand_dims_dim": lambda tf: tf.compat.v1.expand_dims(L, dim=1),
    "squeeze_dims": lambda tf: tf.compat.v1.squeeze(X[:, :1], squeeze_dims=[1]),
    "to_float": lambda tf: tf.compat.v1.to_float(np.arange(4)),
    "to_int32": lambda tf: tf.compat.v1.to_int32(np.array([1.7, -2.2])),
    "where_rows": lambda tf: tf.compat.v1.where(np.array([True, False, True, False, True]), L, -L),
    "where_same_shape": lambda tf: tf.compat.v1.where(L > 0, L, L * 0.5),
    "shape": lambda tf: tf.compat.v1.shape(X),
    "random_normal_shape": lambda tf: tf.compat.v1.shape(tf.compat.v1.random_normal([3, 2])),
    "log": lambda tf: tf.compat.v1.log(np.abs(L) + 1),
    "matrix_transpose": lambda tf: tf.compat.v1.matrix_transpose(L),
    "nn_softmax_dim": lambda tf: tf.compat.v1.nn.softmax(L, dim=0),
    "nn_log_softmax": lambda tf: tf.compat.v1.nn.log_softmax(L),
    "nn_in_top_k": lambda tf: tf.compat.v1.nn.in_top_k(L, np.array([0, 1, 2, 3, 0]), 1),
    "nn_moments_keep_dims": lambda tf: tf.compat.v1.nn.moments(X, [0, 1], keep_dims=True),
    "nn_dropout_keep_all": lambda tf: tf.compat.v1.nn.dropout(L, 1.0),
    "nn_softmax_xent": lambda tf: tf.compat.v1.nn.softmax_cross_entropy_with_logits(
        labels=np.eye(4, dtype="float32")[[0, 1, 2, 3, 1]], logits=L),
    "nn_softmax_xent_v2": lambda tf: tf.compat.v1.nn.softmax_cross_entropy_with_logits_v2(
        np.eye(4, dtype="float32")[[3, 1, 2, 0, 1]], L),
    "nn_sparse_xent": lambda tf: tf.compat.v1.nn.sparse_softmax_cross_entropy_with_logits(
        labels=np.array([0, 1, 2, 3, 1]), logits=L),
    "nn_sigmoid_xent": lambda tf: tf.compat.v1.nn.sigmoid_cross_entropy_with_logits(
        labels=(L > 0).astype("float32"), logits=L * 2),
    "nn_conv2d_filter": lambda tf: tf.compat.v1.nn.conv2d(
        X[None, :, :, :], filter=np.ones((2, 2, 3, 2), "float32"), strides=[1, 1, 1, 1],
        padding="SAME"),
    "nn_max_pool_value": lambda tf: tf.compat.v1.nn.max_pool(
        value=X[None], ksize=[1, 2, 2, 1], strides=[1, 2, 2, 1], padding="VALID"),
    "nn_avg_pool": lambda tf: tf.compat.v1.nn.avg_pool(
        X[None], [1, 2, 2, 1], [1, 1, 1, 1], "SAME"),
    "nn_relu_sigmoid_tanh": lambda tf: tf.compat.v1.nn.relu(L) + tf.compat.v1.nn.sigmoid(L)
    + tf.compat.v1.nn.tanh(L),
    "nn_embedding_lookup": lambda tf: tf.compat.v1.nn.embedding_lookup([L], np.array([4, 0, 4])),
    "nn_l2_normalize": lambda tf: tf.compat.v1.nn.l2_normalize(L, 1),
    "constant_verify_shape": lambda tf: tf.compat.v1.constant([1.0, 2.0], shape=[2],
                                                              verify_shape=True),
    "multinomial_shape": lambda tf: tf.compat.v1.shape(tf.compat.v1.multinomial(L, 7)),
}

# name: (constructor arguments (TensorFlow 1's names), TensorFlow class)
OPTIMIZERS = {
    "adam": ("AdamOptimizer", dict(learning_rate=0.01)),
    "adam_betas": ("AdamOptimizer", dict(learning_rate=0.02, beta1=0.8, beta2=0.99, epsilon=1e-4)),
    "sgd": ("GradientDescentOptimizer", dict(learning_rate=0.1)),
    "momentum": ("MomentumOptimizer", dict(learning_rate=0.05, momentum=0.9)),
    "nesterov": ("MomentumOptimizer", dict(learning_rate=0.05, momentum=0.8, use_nesterov=True)),
    "rmsprop": ("RMSPropOptimizer", dict(learning_rate=0.01)),
    "rmsprop_centered_momentum": ("RMSPropOptimizer", dict(learning_rate=0.01, decay=0.8,
                                                          momentum=0.5, centered=True)),
    "adagrad": ("AdagradOptimizer", dict(learning_rate=0.1)),
    "adagrad_init": ("AdagradOptimizer", dict(learning_rate=0.2, initial_accumulator_value=1.0)),
    "adadelta": ("AdadeltaOptimizer", dict(learning_rate=1.0)),
}


def optimizer_run(keras, tf, name):
    """Final weights after 6 train_on_batch steps of Dense(3, tanh) -> Dense(1), MSE, from the
    same initial weights and batches on either library."""
    cls, kw = OPTIMIZERS[name]
    rng = np.random.default_rng(0)
    ws = [rng.standard_normal((4, 3)).astype("float32") * 0.5,
          rng.standard_normal(3).astype("float32") * 0.1,
          rng.standard_normal((3, 1)).astype("float32") * 0.5,
          rng.standard_normal(1).astype("float32") * 0.1]
    x = rng.standard_normal((6, 8, 4)).astype("float32")
    y = rng.standard_normal((6, 8, 1)).astype("float32")
    m = keras.Sequential([keras.layers.Dense(3, activation="tanh", input_shape=(4,)),
                          keras.layers.Dense(1)])
    m.set_weights(ws)
    m.compile(optimizer=getattr(tf.compat.v1.train, cls)(**kw), loss="mse")
    for i in range(6):
        m.train_on_batch(x[i], y[i])
    return [w.tolist() for w in m.get_weights()]


def results(value):
    """A case's value as nested lists (a tuple of tensors: a list of them)."""
    if isinstance(value, (tuple, list)):
        return [_np(v).tolist() for v in value]
    return _np(value).tolist()
