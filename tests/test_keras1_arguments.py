"""Keras 1 argument names taken as Keras 2.0-2.2 took them (Note [Keras 1 arguments],
legacy_interfaces.py): each Keras 1 call builds the layer the Keras 2 spelling builds (same
config), with Keras 2.2's "Update your ... call" warning; the readings Keras 2.2's
preprocessors gave (three positional ints to Conv2D, samples_per_epoch) are checked on what
the layer / loop does."""
import warnings

import numpy as np
import pytest

from tensorforge import keras
from tensorforge.keras import layers as L

CASES = [  # (Keras 1 call, the Keras 2 call Keras 2.2 turned it into)
    (lambda: L.Dense(output_dim=4, init="uniform", W_regularizer="l2", bias=False),
     lambda: L.Dense(units=4, kernel_initializer="uniform", kernel_regularizer="l2",
                     use_bias=False)),
    (lambda: L.Convolution2D(8, 3, 3, border_mode="same", subsample=(2, 2), dim_ordering="th"),
     lambda: L.Conv2D(8, (3, 3), padding="same", strides=(2, 2), data_format="channels_first")),
    (lambda: L.Conv2D(8, 3, 3), lambda: L.Conv2D(8, (3, 3))),
    (lambda: L.Conv2D(nb_filter=8, nb_row=3, nb_col=5), lambda: L.Conv2D(8, (3, 5))),
    (lambda: L.Conv2D(8, 3, nb_col=5), lambda: L.Conv2D(8, (3, 5))),
    (lambda: L.Convolution1D(nb_filter=4, filter_length=3, subsample_length=2,
                             border_mode="same"),
     lambda: L.Conv1D(4, 3, strides=2, padding="same")),
    (lambda: L.Conv3D(4, 2, 3, 3), lambda: L.Conv3D(4, (2, 3, 3))),
    (lambda: L.Deconvolution2D(4, 3, 3, (None, 8, 8, 4), border_mode="same"),
     lambda: L.Conv2DTranspose(4, (3, 3), padding="same")),
    (lambda: L.SeparableConv2D(8, 3, 3, init="he_normal"),
     lambda: L.SeparableConv2D(8, (3, 3), depthwise_initializer="he_normal",
                               pointwise_initializer="he_normal")),
    (lambda: L.LSTM(output_dim=4, inner_init="orthogonal", inner_activation="hard_sigmoid",
                    forget_bias_init="one", dropout_W=0.1, consume_less="mem"),
     lambda: L.LSTM(4, recurrent_initializer="orthogonal", recurrent_activation="hard_sigmoid",
                    unit_forget_bias=True, dropout=0.1, implementation=1)),
    (lambda: L.GRU(4, dropout_U=0.2, U_regularizer="l1", consume_less="gpu"),
     lambda: L.GRU(4, recurrent_dropout=0.2, recurrent_regularizer="l1", implementation=2)),
    (lambda: L.SimpleRNN(output_dim=4, init="zeros"),
     lambda: L.SimpleRNN(4, kernel_initializer="zeros")),
    (lambda: L.Embedding(10, 4, init="normal", W_regularizer="l2"),
     lambda: L.Embedding(10, 4, embeddings_initializer="normal", embeddings_regularizer="l2")),
    (lambda: L.MaxPooling1D(pool_length=3, stride=2, border_mode="same"),
     lambda: L.MaxPooling1D(pool_size=3, strides=2, padding="same")),
    (lambda: L.AveragePooling2D((2, 2), border_mode="valid", dim_ordering="tf"),
     lambda: L.AveragePooling2D((2, 2), padding="valid", data_format="channels_last")),
    (lambda: L.GlobalAveragePooling2D(dim_ordering="th"),
     lambda: L.GlobalAveragePooling2D(data_format="channels_first")),
    (lambda: L.UpSampling1D(length=3), lambda: L.UpSampling1D(size=3)),
    (lambda: L.UpSampling2D((2, 2), dim_ordering="th"),
     lambda: L.UpSampling2D((2, 2), data_format="channels_first")),
    (lambda: L.ZeroPadding2D(padding={"top_pad": 1, "bottom_pad": 2, "left_pad": 3,
                                      "right_pad": 4}),
     lambda: L.ZeroPadding2D(padding=((1, 2), (3, 4)))),
    (lambda: L.Dropout(p=0.3), lambda: L.Dropout(0.3)),
    (lambda: L.SpatialDropout2D(p=0.3, dim_ordering="th"),
     lambda: L.SpatialDropout2D(0.3, data_format="channels_first")),
    (lambda: L.GaussianNoise(sigma=0.2), lambda: L.GaussianNoise(0.2)),
    (lambda: L.BatchNormalization(mode=0, gamma_init="ones", beta_init="zeros"),
     lambda: L.BatchNormalization(gamma_initializer="ones", beta_initializer="zeros")),
    (lambda: L.PReLU(init="zeros"), lambda: L.PReLU(alpha_initializer="zeros")),
]


def _config(layer):
    cfg = dict(layer.get_config())
    cfg.pop("name")
    return cfg


@pytest.mark.parametrize("case", range(len(CASES)))
def test_a_keras1_call_builds_the_keras2_layer_with_a_warning(case):
    old, new = CASES[case]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        got = old()
    assert any("to the Keras 2 API" in str(m.message) for m in w)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the Keras 2 spelling warns of nothing
        want = new()
    assert type(got) is type(want)
    assert _config(got) == _config(want)


def test_three_ints_read_as_keras_2_2_unless_a_keras_2_argument_says_tf_keras():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        k1 = L.Conv2D(8, 3, 3)
    assert (k1.kernel_size, k1.strides) == ((3, 3), (1, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tfk = L.Conv2D(8, 3, 2, padding="same")  # tf.keras: strides 2 (Keras 2.2 refused it)
    assert (tfk.kernel_size, tfk.strides) == ((3, 3), (2, 2))
    x = np.ones((1, 9, 9, 1), np.float32)
    assert keras.Sequential([k1]).predict(x, verbose=0).shape == (1, 7, 7, 8)


def test_recurrent_and_embedding_leftovers():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        emb = L.Embedding(10, 4, dropout=0.2)
        lstm = L.LSTM(4, forget_bias_init="zero")
    texts = " | ".join(str(m.message) for m in w)
    assert "`dropout` argument is no longer support in `Embedding`" in texts
    assert "`forget_bias_init` argument has been ignored" in texts
    assert "dropout" not in emb.get_config() and lstm.unit_forget_bias is True
    with pytest.raises(TypeError, match="mode=1"):
        L.BatchNormalization(mode=1)
    with pytest.raises(TypeError, match="both the Keras 1 argument 'output_dim' and its Keras 2 "
                                        "name 'units'"):
        L.Dense(units=4, output_dim=4)


def test_model_input_output_and_the_legacy_layer_names():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inp = L.Input((4,))
        model = keras.Model(input=inp, output=L.Dense(2)(inp))
        atrous = L.AtrousConvolution2D(4, 3, 3, atrous_rate=(2, 2), border_mode="same")
    assert model.output_shape == (None, 2)
    assert (atrous.kernel_size, atrous.dilation_rate, atrous.padding) == ((3, 3), (2, 2), "same")
    assert L.Deconvolution2D is L.Conv2DTranspose and L.Deconv3D is L.Conv3DTranspose


class _Flow:
    """An ImageDataGenerator flow's shape: endless batches, with a batch_size."""
    batch_size = 8

    def __init__(self):
        self.calls = 0

    def __iter__(self):
        return self

    def __next__(self):
        self.calls += 1
        return np.ones((8, 3), np.float32), np.zeros((8, 1), np.float32)


def test_fit_generator_samples_per_epoch_is_divided_by_the_batch_size():
    model = keras.Sequential([L.Dense(1, input_shape=(3,))])
    model.compile("sgd", "mse")
    flow = _Flow()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        history = model.fit_generator(flow, samples_per_epoch=32, nb_epoch=2, verbose=0)
    assert flow.calls == 8 and len(history.history["loss"]) == 2  # 32 // 8 steps, 2 epochs
    assert any("semantics of the Keras 2 argument `steps_per_epoch`" in str(m.message) for m in w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.isfinite(model.evaluate_generator(_Flow(), val_samples=3))
        assert model.predict_generator(_Flow(), val_samples=2).shape == (16, 1)
