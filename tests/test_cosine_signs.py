"""The sign of every cosine loss and metric, as tf_keras 2 gives it: the loss cosine_similarity is
negative when the vectors agree, the metric (by function, name or class) positive, and the
metric name cosine_proximity resolves to the positive similarity. The loss names
cosine_proximity / cosine, which tf_keras no longer knows, keep Keras 2.2's loss (negative):
the one place where Keras 2.2 is followed (losses.py).

COSINE was printed once by tools/gen_keras2_gap_refs.py (tf_keras 2.21).
"""
import numpy as np
import pytest

from tensorforge import keras

COSINE = {
    'losses.cosine_similarity': [-0.774597, -0.316228, -0.83666],
    'losses.CosineSimilarity': -0.642495,
    'metrics.get(cosine_similarity)': [0.774597, 0.316228, 0.83666],
    'metrics.get(cosine_proximity)': [0.774597, 0.316228, 0.83666],
    'metrics.CosineSimilarity': 0.288222,
    'compile(loss=cosine_similarity, metrics=[cosine_similarity])': (['loss', 'cosine_similarity'], [-0.642495, 0.642495]),
    'compile(loss=cosine_similarity, metrics=[cosine_proximity])': (['loss', 'cosine_proximity'], [-0.642495, 0.642495]),
}
YT = np.array([[1., 2., 0.], [0., 1., 1.], [3., -1., 2.]], np.float32)
YP = np.array([[1., 1., 1.], [0., 2., -1.], [1., 0., 2.]], np.float32)


def close(got, want):
    got = got.numpy() if hasattr(got, "numpy") else got
    np.testing.assert_allclose(np.asarray(got, np.float64), want, rtol=1e-5, atol=1e-6)


def test_loss_functions_and_names_are_negative():
    want = COSINE["losses.cosine_similarity"]
    close(keras.losses.cosine_similarity(YT, YP), want)
    close(keras.losses.CosineSimilarity()(YT, YP), COSINE["losses.CosineSimilarity"])
    close(keras.losses.get("cosine_similarity")(YT, YP), want)
    # Keras 2.2's loss names, absent from tf_keras: the same negative loss
    close(keras.losses.cosine_proximity(YT, YP), want)
    close(keras.losses.get("cosine_proximity")(YT, YP), want)


def test_metric_functions_names_and_class_are_positive():
    close(keras.metrics.cosine_similarity(YT, YP), COSINE["metrics.get(cosine_similarity)"])
    close(keras.metrics.get("cosine_similarity")(YT, YP), COSINE["metrics.get(cosine_similarity)"])
    close(keras.metrics.get("cosine_proximity")(YT, YP), COSINE["metrics.get(cosine_proximity)"])
    close(keras.metrics.cosine_proximity(YT, YP), COSINE["metrics.get(cosine_proximity)"])
    m = keras.metrics.CosineSimilarity()
    m.update_state(YT, YP)
    m.update_state(YT[:1], -YP[:1])
    close(m.result(), COSINE["metrics.CosineSimilarity"])
    assert m.name == "cosine_similarity"


@pytest.mark.parametrize("loss", ["cosine_similarity", "cosine_proximity"])
@pytest.mark.parametrize("metric", ["cosine_similarity", "cosine_proximity"])
def test_compile_by_name_logs_tf_keras_signs(loss, metric):
    names, want = COSINE[f"compile(loss=cosine_similarity, metrics=[{metric}])"]
    inp = keras.Input(shape=(3,))
    model = keras.Model(inp, keras.layers.Dense(3, kernel_initializer="identity",
                                                use_bias=False)(inp))
    model.compile("sgd", loss=loss, metrics=[metric])
    got = model.evaluate(YP, YT, verbose=0)
    assert model.metrics_names == names
    close(got, want)


def test_cosine_similarity_metric_object_in_compile():
    inp = keras.Input(shape=(3,))
    model = keras.Model(inp, keras.layers.Dense(3, kernel_initializer="identity",
                                                use_bias=False)(inp))
    model.compile("sgd", loss="mse", metrics=[keras.metrics.CosineSimilarity()])
    close(model.evaluate(YP, YT, verbose=0)[1], -COSINE["losses.CosineSimilarity"])
