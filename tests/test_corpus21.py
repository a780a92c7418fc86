"""The gaps the twenty-first corpus's programs (Andrew Ferlitsch's keras-idiomatic-programmer
model zoo; tools/keras_corpus.md, "Twenty-first corpus") revealed. Figures marked Keras 2's were
printed by tools/keras_corpus21_refs.py under tf_keras 2.21; the others are worked out in the
test."""
import numpy as np

import tensorforge as tf
from tensorforge import keras
from tensorforge.keras import layers
from tensorforge._tensor_shape import TensorShape


# ---- tf.compat.v1.keras (models_c.py: from tensorflow.compat.v1.keras.initializers import ...) ----

def test_compat_v1_keras_is_the_keras_package():
    from tensorforge.compat.v1.keras.initializers import glorot_uniform, he_normal
    from tensorforge.compat.v1.keras import layers as v1_layers
    import tensorforge.compat.v1.keras.backend as v1_backend
    assert glorot_uniform is keras.initializers.glorot_uniform
    assert he_normal is keras.initializers.he_normal
    assert v1_layers.Dense is keras.layers.Dense
    assert v1_backend is keras.backend
    assert tf.compat.v1.keras is keras
    # the rest of tf.compat is unchanged by becoming a package
    assert tf.compat.as_bytes("a") == b"a" and tf.compat.as_str(b"b") == "b"
    assert tf.compat.v1.executing_eagerly() and tf.executing_eagerly()
    tf.compat.v1.disable_eager_execution()
    assert tf.executing_eagerly()


def test_compat_v1_initializers_draw_keras_2s_distributions():
    from tensorforge.compat.v1.keras.initializers import glorot_uniform, he_normal
    # Keras 2's v1 he_normal on a 3x3x64 -> 128 kernel: std 0.05890 against sqrt(2 / 576) =
    # 0.05893, max |k| / 0.05893 = 2.2737 (a normal truncated at 2 of its stds, 2 / 0.87963)
    k = np.asarray(he_normal(seed=1)((3, 3, 64, 128)))
    target = np.sqrt(2 / 576)
    assert abs(k.std() / target - 1) < 0.02
    assert np.abs(k).max() / target <= 2 / 0.87962566 + 1e-4
    # glorot_uniform: bounded by sqrt(6 / (fan_in + fan_out)) = 0.0589256 (Keras 2: max 0.0589252)
    g = np.asarray(glorot_uniform(seed=1)((3, 3, 64, 128)))
    limit = np.sqrt(6 / (576 + 1152))
    assert np.abs(g).max() <= limit and np.abs(g).max() > 0.99 * limit


def test_compat_v1_keras_unknown_submodule_names_itself():
    try:
        import tensorforge.compat.v1.keras.no_such_module  # noqa: F401
    except ModuleNotFoundError as e:
        assert "tensorforge.compat.v1.keras.no_such_module" in str(e)
    else:
        raise AssertionError("expected ModuleNotFoundError")


# ---- x.shape[1:3].as_list() (inception_v3.py's auxiliary classifier and classifier) ----

def test_symbolic_shape_slice_is_a_tensor_shape():
    inputs = keras.Input((17, 17, 32))
    s = inputs.shape[1:3]
    assert type(s) is TensorShape and s.as_list() == [17, 17] and s.rank == 2
    assert inputs.shape[-1] == 32 and type(inputs.shape[-1]) is int
    assert inputs.shape[:1].as_list() == [None]
    assert inputs.shape[::-1] == (32, 17, 17, None)


def test_inception_v3_auxiliary_classifier_builds_as_keras_2():
    inputs = keras.Input((17, 17, 32))
    x = layers.AveragePooling2D((5, 5), strides=(3, 3))(inputs)
    x = layers.Conv2D(128, (1, 1), use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    x = layers.ReLU()(x)
    x = layers.Conv2D(768, x.shape[1:3].as_list(), use_bias=False)(x)
    aux = layers.Dense(10, activation="softmax")(layers.Flatten()(x))
    y = layers.AveragePooling2D(inputs.shape[1:3].as_list())(inputs)
    main = layers.Dense(10, activation="softmax")(layers.Flatten()(y))
    model = keras.Model(inputs, [main, aux])
    # Keras 2: outputs [[None, 10], [None, 10]], 2,470,228 parameters
    assert [tuple(o.shape) for o in model.outputs] == [(None, 10), (None, 10)]
    assert model.count_params() == 2470228
    out = model.predict(np.ones((2, 17, 17, 32), "float32"), verbose=0)
    assert out[0].shape == (2, 10) and np.allclose(out[1].sum(axis=1), 1, atol=1e-5)
