"""Keras 2.0-2.2 module paths and names programs import (keras.engine.topology.Container,
keras.utils.generic_utils.get_custom_objects, keras.utils.conv_utils, keras.utils.layer_utils,
keras.layers.local, keras.objectives, initializers.zero / one / normal / uniform), and
conv_utils' figures against tf_keras 2.21's (printed by tf_keras.src.utils.conv_utils in
session 24; convert_kernel, which tf_keras dropped, checked on its definition)."""
import importlib

import numpy as np
import pytest

from tensorforge import keras

PATHS = {
    "tensorforge.keras.engine.topology": ["Container", "get_source_inputs", "Layer", "InputSpec"],
    "tensorforge.keras.utils.generic_utils": ["get_custom_objects", "custom_object_scope",
                                              "CustomObjectScope", "serialize_keras_object",
                                              "deserialize_keras_object", "Progbar"],
    "tensorforge.keras.utils.conv_utils": ["conv_output_length", "normalize_tuple",
                                           "convert_kernel"],
    "tensorforge.keras.utils.layer_utils": ["print_summary", "count_params",
                                            "convert_all_kernels_in_model"],
    "tensorforge.keras.layers.local": ["LocallyConnected1D", "LocallyConnected2D"],
    "tensorforge.keras.layers.convolutional": ["Deconvolution2D", "AtrousConvolution2D"],
    "tensorforge.keras.objectives": ["categorical_crossentropy", "mean_squared_error"],
    "tensorforge.keras.initializers": ["zero", "one", "normal", "uniform"],
}


@pytest.mark.parametrize("module", sorted(PATHS))
def test_keras22_module_paths(module):
    mod = importlib.import_module(module)
    assert [n for n in PATHS[module] if not hasattr(mod, n)] == []


def test_the_aliases_are_the_same_objects():
    from tensorforge.keras.engine.topology import Container
    from tensorforge.keras.utils.generic_utils import get_custom_objects
    assert Container is keras.engine.network.Network
    assert get_custom_objects is keras.utils.get_custom_objects
    assert keras.objectives.categorical_crossentropy is keras.losses.categorical_crossentropy
    assert type(keras.initializers.get("zero")) is keras.initializers.Zeros
    assert type(keras.initializers.get("one")) is keras.initializers.Ones


def test_custom_activation_registered_through_generic_utils():
    from tensorforge.keras.utils.generic_utils import get_custom_objects

    def swish_k2(x):
        return x * keras.backend.sigmoid(x)
    get_custom_objects().update({"swish_k2": keras.layers.Activation(swish_k2)})
    try:
        model = keras.Sequential([keras.layers.Dense(2, input_shape=(3,), activation="swish_k2",
                                                     kernel_initializer="ones")])
        x = np.ones((1, 3), np.float32)
        np.testing.assert_allclose(model.predict(x, verbose=0), [[3 / (1 + np.exp(-3))] * 2],
                                   rtol=1e-6)
    finally:
        get_custom_objects().pop("swish_k2")


def test_conv_utils_match_tf_keras():
    from tensorforge.keras.utils import conv_utils as c
    assert [c.conv_output_length(*a) for a in [
        (10, 3, "same", 2, 1), (10, 3, "valid", 1, 1), (10, 3, "valid", 2, 2), (10, 3, "full", 1, 1),
        (10, 3, "causal", 3, 1), (2, 5, "valid", 1, 1), (None, 3, "same", 1, 1)]] == \
        [5, 8, 3, 12, 4, -2, None]
    assert [c.conv_input_length(*a) for a in [(5, 3, "same", 2), (8, 3, "valid", 1),
                                              (12, 3, "full", 1), (None, 3, "same", 1)]] == \
        [9, 10, 10, None]
    assert [c.deconv_output_length(*a) for a in [
        (5, 3, "same", None, 2, 1), (5, 3, "valid", None, 2, 1), (5, 3, "full", None, 2, 1),
        (5, 3, "same", 1, 2, 1), (5, 3, "valid", 0, 1, 2), (None, 3, "same", None, 1, 1)]] == \
        [10, 11, 7, 10, 9, None]
    assert c.normalize_tuple(3, 2, "k") == (3, 3) and c.normalize_tuple((1, 2), 2, "k") == (1, 2)
    with pytest.raises(ValueError, match=r"The `kernel_size` argument must be a tuple of 2 "
                                         r"integers. Received: \(1, 2, 3\)"):
        c.normalize_tuple((1, 2, 3), 2, "kernel_size")
    with pytest.raises(ValueError, match="requirement `> 0`"):
        c.normalize_tuple((1, 0), 2, "strides")
    assert c.normalize_tuple((1, 0), 2, "strides", allow_zero=True) == (1, 0)
    assert [c.normalize_padding("SAME"), c.normalize_padding("causal")] == ["same", "causal"]
    with pytest.raises(ValueError, match="Received: full"):
        c.normalize_padding("full")
    assert c.normalize_data_format("Channels_First") == "channels_first"
    assert c.normalize_data_format(None) == keras.backend.image_data_format()
    with pytest.raises(ValueError, match="Received: nhwc"):
        c.normalize_data_format("nhwc")


def test_convert_kernel_flips_the_spatial_axes():
    from tensorforge.keras.utils.conv_utils import convert_kernel
    from tensorforge.keras.utils.layer_utils import convert_all_kernels_in_model, count_params
    k = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    got = convert_kernel(k)
    np.testing.assert_array_equal(got, k[::-1, ::-1, :, :])
    assert got is not k and not np.shares_memory(got, k)
    model = keras.Sequential([keras.layers.Conv2D(2, (2, 3), input_shape=(5, 5, 1)),
                              keras.layers.Flatten(), keras.layers.Dense(1)])
    before = model.get_weights()
    convert_all_kernels_in_model(model)
    after = model.get_weights()
    np.testing.assert_array_equal(after[0], before[0][::-1, ::-1])
    for a, b in zip(after[1:], before[1:]):  # bias and the Dense untouched
        np.testing.assert_array_equal(a, b)
    # tf_keras' count_params: 26 for a 3-4-2 MLP's weights, 12 for its first kernel
    mlp = keras.Sequential([keras.layers.Dense(4, input_shape=(3,)), keras.layers.Dense(2)])
    assert count_params(mlp.weights) == 26 and count_params(mlp.trainable_weights[:1]) == 12
    with pytest.raises(ValueError, match="at least 3 axes"):
        convert_kernel(np.ones((3, 3)))
