"""Keras 2 losses differentiated with respect to y_true (and y_pred): each case is a loss of two
float32 Variables ``y`` (y_true) and ``p`` (y_pred) of shape (2, 3), written once for both sides:
the test (tests/test_loss_ytrue_grad.py, tensorforge as ``tf``) and the recording script
(tools/loss_ytrue_grad_refs.py, TensorFlow 2.21 / tf_keras 2.21) run the very same functions."""

# the inputs: (y_true, y_pred), float32 (2, 3)
INPUTS = {
    "reg": ([[1.0, 2.0, 0.5], [3.0, 0.2, 1.5]], [[1.5, 0.8, 0.7], [1.0, 0.9, 1.2]]),
    "prob": ([[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]], [[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]]),
    "logit": ([[0.1, 0.7, 0.2], [0.5, 0.25, 0.25]], [[1.0, -0.5, 0.3], [0.2, 2.0, -1.0]]),
    "bin": ([[0.0, 1.0, 0.3], [1.0, 0.8, 0.0]], [[0.2, 0.7, 0.4], [0.9, 0.35, 0.1]]),
    "binlogit": ([[0.0, 1.0, 0.3], [1.0, 0.8, 0.0]], [[1.0, -0.5, 0.3], [0.2, 2.0, -1.0]]),
    "pm1": ([[-1.0, 1.0, 0.5], [1.0, -1.0, -0.5]], [[0.3, 0.6, -0.2], [1.4, 0.2, -0.7]]),
    "b01": ([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]], [[0.3, 0.6, -0.2], [1.4, 0.2, -0.7]]),
    "sparse": ([1.0, 0.0], [[0.2, 0.5, 0.3], [0.6, 0.1, 0.3]]),
}


def cases(tf, keras):
    """name -> (inputs, loss of the Variables y, p)."""
    K = keras.backend
    L = keras.losses
    W = tf.constant([1.0, 2.0])  # per-sample weights: the function forms' upstream gradient
    return {
        "MeanSquaredError": ("reg", lambda y, p: L.MeanSquaredError()(y, p)),
        "MeanAbsoluteError": ("reg", lambda y, p: L.MeanAbsoluteError()(y, p)),
        "MeanAbsolutePercentageError": ("reg", lambda y, p: L.MeanAbsolutePercentageError()(y, p)),
        "MeanSquaredLogarithmicError": ("reg", lambda y, p: L.MeanSquaredLogarithmicError()(y, p)),
        "Huber": ("reg", lambda y, p: L.Huber()(y, p)),
        "Huber_delta": ("reg", lambda y, p: L.Huber(delta=0.6)(y, p)),
        "LogCosh": ("reg", lambda y, p: L.LogCosh()(y, p)),
        "Poisson": ("reg", lambda y, p: L.Poisson()(y, p)),
        "CosineSimilarity": ("reg", lambda y, p: L.CosineSimilarity()(y, p)),
        "KLDivergence": ("prob", lambda y, p: L.KLDivergence()(y, p)),
        "Hinge": ("pm1", lambda y, p: L.Hinge()(y, p)),
        "Hinge_01": ("b01", lambda y, p: L.Hinge()(y, p)),
        "SquaredHinge": ("pm1", lambda y, p: L.SquaredHinge()(y, p)),
        "CategoricalHinge": ("prob", lambda y, p: L.CategoricalHinge()(y, p)),
        "CategoricalCrossentropy": ("prob", lambda y, p: L.CategoricalCrossentropy()(y, p)),
        "CategoricalCrossentropy_logits": (
            "logit", lambda y, p: L.CategoricalCrossentropy(from_logits=True)(y, p)),
        "CategoricalCrossentropy_smooth": (
            "prob", lambda y, p: L.CategoricalCrossentropy(label_smoothing=0.1)(y, p)),
        "CategoricalCrossentropy_logits_smooth": (
            "logit", lambda y, p: L.CategoricalCrossentropy(True, 0.1)(y, p)),
        "CategoricalCrossentropy_softmax": (
            "logit", lambda y, p: L.CategoricalCrossentropy()(y, keras.activations.softmax(p))),
        "BinaryCrossentropy": ("bin", lambda y, p: L.BinaryCrossentropy()(y, p)),
        "BinaryCrossentropy_logits": (
            "binlogit", lambda y, p: L.BinaryCrossentropy(from_logits=True)(y, p)),
        "BinaryCrossentropy_smooth": (
            "bin", lambda y, p: L.BinaryCrossentropy(label_smoothing=0.2)(y, p)),
        "BinaryCrossentropy_sigmoid": (
            "binlogit", lambda y, p: L.BinaryCrossentropy()(y, keras.activations.sigmoid(p))),
        "BinaryFocalCrossentropy": ("bin", lambda y, p: L.BinaryFocalCrossentropy()(y, p)),
        "BinaryFocalCrossentropy_balanced_logits": (
            "binlogit", lambda y, p: L.BinaryFocalCrossentropy(True, from_logits=True)(y, p)),
        "CategoricalFocalCrossentropy": (
            "prob", lambda y, p: L.CategoricalFocalCrossentropy()(y, p)),
        "CategoricalFocalCrossentropy_logits": (
            "logit", lambda y, p: L.CategoricalFocalCrossentropy(from_logits=True)(y, p)),
        "SparseCategoricalCrossentropy": (
            "sparse", lambda y, p: L.SparseCategoricalCrossentropy()(y, p)),
        # the functions (per sample, weighted by W), as a custom training loop calls them
        "mse": ("reg", lambda y, p: tf.reduce_sum(L.mse(y, p) * W)),
        "kld": ("prob", lambda y, p: tf.reduce_sum(L.kld(y, p) * W)),
        "categorical_crossentropy": (
            "prob", lambda y, p: tf.reduce_sum(L.categorical_crossentropy(y, p) * W)),
        "categorical_crossentropy_logits": (
            "logit", lambda y, p: tf.reduce_sum(L.categorical_crossentropy(y, p, True) * W)),
        "binary_crossentropy_logits": (
            "binlogit", lambda y, p: tf.reduce_sum(L.binary_crossentropy(y, p, True) * W)),
        "sparse_categorical_crossentropy_logits": (
            "sparse",
            lambda y, p: tf.reduce_sum(L.sparse_categorical_crossentropy(y, p, True) * W)),
        # the backend and tf.nn forms
        "K.categorical_crossentropy": (
            "prob", lambda y, p: tf.reduce_sum(K.categorical_crossentropy(y, p) * W)),
        "K.categorical_crossentropy_logits": (
            "logit", lambda y, p: tf.reduce_sum(K.categorical_crossentropy(y, p, True) * W)),
        "K.binary_crossentropy": ("bin", lambda y, p: tf.reduce_sum(K.binary_crossentropy(y, p))),
        "K.binary_crossentropy_logits": (
            "binlogit", lambda y, p: tf.reduce_sum(K.binary_crossentropy(y, p, True))),
        "K.sparse_categorical_crossentropy": (
            "sparse", lambda y, p: tf.reduce_sum(K.sparse_categorical_crossentropy(y, p) * W)),
        "nn.softmax_cross_entropy_with_logits": ("logit", lambda y, p: tf.reduce_sum(
            tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=p) * W)),
        "nn.sigmoid_cross_entropy_with_logits": ("binlogit", lambda y, p: tf.reduce_sum(
            tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=p))),
        "nn.weighted_cross_entropy_with_logits": ("binlogit", lambda y, p: tf.reduce_sum(
            tf.nn.weighted_cross_entropy_with_logits(y, p, 2.0))),
        "nn.log_poisson_loss": ("reg", lambda y, p: tf.reduce_sum(tf.nn.log_poisson_loss(y, p))),
    }
