"""Every exported layer class survives every way of saving a model: nothing a user saved is lost.

For each layer class that ``tensorforge.layers`` (= ``tensorforge.keras.layers``) exports, a
recipe builds a small functional model around it with non-default constructor arguments (the
ones a lost config entry would change), trains it one step (or adapts it, where the layer has
learned state), then round-trips it through

  h5      model.save('m.h5') + load_model          (Keras 2 HDF5)
  keras   model.save('m.keras') + load_model       (tensorforge's own format under that name)
  dir     model.save('m_dir') + load_model         (a Keras 2 SavedModel-style path, no suffix)
  json    model_from_json(to_json()) + set_weights
  config  Model.from_config(get_config()) + set_weights

and checks: the same predictions (bitwise where the layer is deterministic), the same config,
the same get_weights order and shapes; for the three files also the compile settings and that
two more training steps of the loaded model equal two more steps of the original (the
optimizer state travelled). A class with no recipe fails the sweep, so a new layer cannot slip
through unsaved. The expected values are the original model's own outputs: the test asks that a
round trip changes nothing, never what a layer computes.
"""
import inspect

import numpy as np
import pytest

import tensorforge as tf
from tensorforge import layers as L
from tensorforge.layers import experimental as LX

pytest.importorskip("h5py")

RNG = np.random.default_rng(0)
N = 4  # batch


def _f(*shape):
    return RNG.standard_normal((N,) + shape).astype(np.float32)


def _img(h=6, w=6, c=2):
    return RNG.uniform(0, 1, (N, h, w, c)).astype(np.float32)


REG = {"kernel_regularizer": "l2", "bias_regularizer": tf.regularizers.l1(0.01)}
CON = {"kernel_constraint": "max_norm", "bias_constraint": tf.constraints.NonNeg()}
INIT = {"kernel_initializer": "he_normal", "bias_initializer": tf.initializers.Constant(0.1)}


def _case(layer, x, shapes=None, dtypes=None, call=None, head=True, stateful=False, random=False,
          own_rng=False):
    """One recipe: ``layer`` (built into the model by ``call(layer, inputs)``, default
    ``layer(inputs)``), the data ``x`` (one array or a list), the Input shapes (default: the
    data's, without the batch), whether a trainable Dense head follows (float outputs only).
    ``own_rng``: an augmentation layer given a seed draws from its own generator, whose position
    no format saves (Keras 2's .h5 neither): after a load it starts again from the seed, so its
    training steps are not compared."""
    xs = x if isinstance(x, list) else [x]
    shapes = shapes or [a.shape[1:] for a in xs]
    dtypes = dtypes or [None] * len(xs)
    return dict(layer=layer, xs=xs, shapes=shapes, dtypes=dtypes, call=call, head=head,
                stateful=stateful, random=random, own_rng=own_rng)


def _seq(n=5, f=3):
    return _f(n, f)


def _legacy(cls, *args, **kwargs):
    """A legacy layer, made without its deprecation warning."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls(*args, **kwargs)


def _rnn_kw():
    return dict(activation="relu", use_bias=False, kernel_initializer="he_normal",
                recurrent_initializer="glorot_uniform", kernel_regularizer="l2",
                recurrent_constraint="max_norm", return_sequences=True, go_backwards=True)


def _tokens(vocab=7, t=5):
    a = RNG.integers(0, vocab, (N, t))
    a[:, -1] = 0  # padding the mask_zero layers mask out
    return a.astype(np.int64)


def _adapted(layer, data):
    layer.adapt(data)
    return layer


def _first(layer, inputs):
    out = layer(inputs)
    return out[0] if isinstance(out, (list, tuple)) else out


def _two(layer, inputs):
    return layer(inputs)


def _lstm_after(layer, inputs):  # a masking layer's mask must reach something that reads it
    return L.LSTM(3, name="reads_mask")(layer(inputs))


def _mha(layer, inputs):
    return layer(inputs[0], inputs[1])


def _text():
    return np.array([["the cat sat"], ["the dog ran"], ["a cat"], ["the cat ran far"]])


def _words():
    return np.array([["cat"], ["dog"], ["bird"], ["cat"]])


def _lambda_double(t):
    return t * 2.0


# ---- the recipes, one per layer class --------------------------------------------------------
RECIPES = {
    # core
    "Dense": lambda: _case(L.Dense(3, activation="tanh", **INIT, **REG, **CON), _f(4)),
    "Activation": lambda: _case(L.Activation("softplus"), _f(4)),
    "Dropout": lambda: _case(L.Dropout(0.3, noise_shape=(None, 4), seed=3), _f(4), random=True),
    "Flatten": lambda: _case(L.Flatten(data_format="channels_first"), _f(2, 3)),
    "Reshape": lambda: _case(L.Reshape((3, 2)), _f(6)),
    "Lambda": lambda: _case(L.Lambda(_lambda_double, output_shape=(4,)), _f(4)),
    "Permute": lambda: _case(L.Permute((2, 1)), _f(2, 3)),
    "RepeatVector": lambda: _case(L.RepeatVector(3), _f(2)),
    "Masking": lambda: _case(L.Masking(mask_value=0.5), _seq(), call=_lstm_after),
    "ActivityRegularization": lambda: _case(L.ActivityRegularization(l1=0.01, l2=0.02), _f(4)),
    "SpatialDropout1D": lambda: _case(L.SpatialDropout1D(0.3), _seq(), random=True),
    "SpatialDropout2D": lambda: _case(L.SpatialDropout2D(0.3, data_format="channels_first"),
                                      _img(), random=True),
    "SpatialDropout3D": lambda: _case(L.SpatialDropout3D(0.3), _f(2, 2, 2, 2), random=True),
    # advanced activations
    "LeakyReLU": lambda: _case(L.LeakyReLU(alpha=0.2), _f(4)),
    "PReLU": lambda: _case(L.PReLU(alpha_initializer=tf.initializers.Constant(0.25),
                                   alpha_regularizer="l2", alpha_constraint="non_neg",
                                   shared_axes=[1]), _f(3, 2)),
    "ELU": lambda: _case(L.ELU(alpha=0.5), _f(4)),
    "ReLU": lambda: _case(L.ReLU(max_value=0.5, negative_slope=0.1, threshold=0.05), _f(4)),
    "ThresholdedReLU": lambda: _case(L.ThresholdedReLU(theta=0.3), _f(4)),
    "Softmax": lambda: _case(L.Softmax(axis=1), _f(3, 2)),
    # convolutional
    "Conv1D": lambda: _case(L.Conv1D(2, 3, strides=1, padding="causal", dilation_rate=2,
                                     activation="relu", use_bias=False, groups=1,
                                     kernel_initializer="he_uniform", kernel_regularizer="l1"),
                            _seq(6, 2)),
    "Conv2D": lambda: _case(L.Conv2D(3, (2, 3), strides=(1, 2), padding="same",
                                     data_format="channels_first", **INIT, **REG, **CON), _img()),
    "Conv3D": lambda: _case(L.Conv3D(2, 2, padding="same", activation="elu"), _f(3, 3, 3, 2)),
    "Conv1DTranspose": lambda: _case(L.Conv1DTranspose(2, 3, strides=2, padding="same",
                                                       output_padding=1), _seq(4, 2)),
    "Conv2DTranspose": lambda: _case(L.Conv2DTranspose(2, 3, strides=2, padding="valid",
                                                       use_bias=False, **REG), _img(4, 4)),
    "DepthwiseConv1D": lambda: _case(L.DepthwiseConv1D(3, depth_multiplier=2, padding="same",
                                                       depthwise_regularizer="l2"), _seq(5, 2)),
    "DepthwiseConv2D": lambda: _case(L.DepthwiseConv2D(3, depth_multiplier=2, padding="same",
                                                       depthwise_initializer="he_normal",
                                                       depthwise_constraint="max_norm",
                                                       use_bias=False), _img()),
    "SeparableConv1D": lambda: _case(L.SeparableConv1D(3, 3, depth_multiplier=2, padding="same",
                                                       pointwise_regularizer="l2"), _seq(5, 2)),
    "SeparableConv2D": lambda: _case(L.SeparableConv2D(3, 3, depth_multiplier=2, padding="same",
                                                       activation="relu",
                                                       depthwise_initializer="he_normal",
                                                       pointwise_constraint="non_neg"), _img()),
    "UpSampling1D": lambda: _case(L.UpSampling1D(3), _seq(3, 2)),
    "UpSampling2D": lambda: _case(L.UpSampling2D((2, 1), interpolation="bilinear"), _img(3, 3)),
    "UpSampling3D": lambda: _case(L.UpSampling3D((1, 2, 1)), _f(2, 2, 2, 1)),
    "ZeroPadding1D": lambda: _case(L.ZeroPadding1D((1, 2)), _seq(3, 2)),
    "ZeroPadding2D": lambda: _case(L.ZeroPadding2D(((1, 0), (2, 1))), _img(3, 3)),
    "ZeroPadding3D": lambda: _case(L.ZeroPadding3D((1, 0, 2)), _f(2, 2, 2, 1)),
    "Cropping1D": lambda: _case(L.Cropping1D((1, 2)), _seq(5, 2)),
    "Cropping2D": lambda: _case(L.Cropping2D(((1, 0), (0, 2))), _img()),
    "Cropping3D": lambda: _case(L.Cropping3D((1, 0, 1)), _f(3, 3, 3, 1)),
    # pooling
    "MaxPooling1D": lambda: _case(L.MaxPooling1D(2, strides=1, padding="same"), _seq(5, 2)),
    "AveragePooling1D": lambda: _case(L.AveragePooling1D(3, padding="valid"), _seq(6, 2)),
    "MaxPooling2D": lambda: _case(L.MaxPooling2D((2, 3), strides=1, padding="same"), _img()),
    "AveragePooling2D": lambda: _case(L.AveragePooling2D(2, data_format="channels_first"), _img()),
    "MaxPooling3D": lambda: _case(L.MaxPooling3D(2, padding="same"), _f(3, 3, 3, 1)),
    "AveragePooling3D": lambda: _case(L.AveragePooling3D((1, 2, 2)), _f(2, 4, 4, 1)),
    "GlobalMaxPooling1D": lambda: _case(L.GlobalMaxPooling1D(keepdims=True), _seq()),
    "GlobalAveragePooling1D": lambda: _case(L.GlobalAveragePooling1D(data_format="channels_first"),
                                            _seq()),
    "GlobalMaxPooling2D": lambda: _case(L.GlobalMaxPooling2D(keepdims=True), _img()),
    "GlobalAveragePooling2D": lambda: _case(L.GlobalAveragePooling2D(data_format="channels_first"),
                                            _img()),
    "GlobalMaxPooling3D": lambda: _case(L.GlobalMaxPooling3D(), _f(2, 2, 2, 2)),
    "GlobalAveragePooling3D": lambda: _case(L.GlobalAveragePooling3D(keepdims=True),
                                            _f(2, 2, 2, 2)),
    # normalization (BatchNormalization's moving statistics move in the training step)
    "BatchNormalization": lambda: _case(L.BatchNormalization(axis=1, momentum=0.5, epsilon=0.01,
                                                             center=False,
                                                             gamma_initializer="random_uniform",
                                                             moving_variance_initializer="ones",
                                                             gamma_regularizer="l2",
                                                             gamma_constraint="non_neg"),
                                        _f(3, 2)),
    "LayerNormalization": lambda: _case(L.LayerNormalization(axis=[1, 2], epsilon=0.01,
                                                             scale=False,
                                                             beta_initializer="random_normal",
                                                             beta_constraint="max_norm"),
                                        _f(3, 2)),
    # embeddings, recurrent
    "Embedding": lambda: _case(L.Embedding(7, 3, embeddings_initializer="random_normal",
                                           embeddings_regularizer="l2", mask_zero=True,
                                           embeddings_constraint="unit_norm",
                                           input_length=5),
                               _tokens(), call=_lstm_after),
    "SimpleRNN": lambda: _case(L.SimpleRNN(3, **_rnn_kw()), _seq()),
    "LSTM": lambda: _case(L.LSTM(3, unit_forget_bias=False, recurrent_activation="sigmoid",
                                 return_state=True, **{**_rnn_kw(), "use_bias": True}),
                          _seq(), call=_first),
    "GRU": lambda: _case(L.GRU(3, reset_after=False, stateful=True, **_rnn_kw()),
                         _seq(), shapes=None, stateful=True),
    "ConvLSTM2D": lambda: _case(L.ConvLSTM2D(2, 2, padding="same", return_sequences=True,
                                             recurrent_regularizer="l2"), _f(2, 3, 3, 1)),
    "ConvLSTM1D": lambda: _case(L.ConvLSTM1D(2, 3, padding="same", go_backwards=True,
                                             return_sequences=True), _f(3, 4, 2)),
    "ConvLSTM3D": lambda: _case(L.ConvLSTM3D(2, 2, data_format="channels_first"),
                                _f(2, 1, 3, 3, 3)),
    "Conv3DTranspose": lambda: _case(L.Conv3DTranspose(2, (2, 3, 2), strides=(2, 1, 2),
                                                       padding="same", output_padding=(1, 0, 1),
                                                       **REG), _f(2, 3, 2, 2)),
    "RNN": lambda: _case(L.RNN(L.StackedRNNCells([L.SimpleRNNCell(2), L.LSTMCell(3)]),
                               return_sequences=True), _seq()),
    "SimpleRNNCell": lambda: _case(L.RNN(L.SimpleRNNCell(3, activation="relu", use_bias=False)),
                                   _seq()),
    "LSTMCell": lambda: _case(L.RNN(L.LSTMCell(3, unit_forget_bias=False), go_backwards=True),
                              _seq()),
    "GRUCell": lambda: _case(L.RNN(L.GRUCell(3, reset_after=False)), _seq()),
    "StackedRNNCells": lambda: _case(L.RNN(L.StackedRNNCells([L.GRUCell(2), L.GRUCell(3)])),
                                     _seq()),
    # wrappers
    "Bidirectional": lambda: _case(L.Bidirectional(L.LSTM(2, return_sequences=True),
                                                   merge_mode="mul"), _seq()),
    "TimeDistributed": lambda: _case(L.TimeDistributed(L.Dense(2, use_bias=False)), _seq()),
    # merge
    "Add": lambda: _case(L.Add(), [_f(3), _f(3)], call=_two),
    "Subtract": lambda: _case(L.Subtract(), [_f(3), _f(3)], call=_two),
    "Multiply": lambda: _case(L.Multiply(), [_f(3), _f(3)], call=_two),
    "Average": lambda: _case(L.Average(), [_f(3), _f(3)], call=_two),
    "Maximum": lambda: _case(L.Maximum(), [_f(3), _f(3)], call=_two),
    "Minimum": lambda: _case(L.Minimum(), [_f(3), _f(3)], call=_two),
    "Concatenate": lambda: _case(L.Concatenate(axis=1), [_f(3, 2), _f(2, 2)], call=_two),
    "Dot": lambda: _case(L.Dot(axes=1, normalize=True), [_f(3), _f(3)], call=_two),
    # Keras 2.1-2.2's cuDNN layers (layers/cudnn_recurrent.py)
    "CuDNNLSTM": lambda: _case(L.CuDNNLSTM(3, return_sequences=True, unit_forget_bias=False,
                                           bias_initializer="ones"), _seq()),
    "CuDNNGRU": lambda: _case(L.CuDNNGRU(3, go_backwards=True, kernel_regularizer="l2"), _seq()),
    # Keras 2.0-2.2's legacy layers (layers/legacy.py)
    "Merge": lambda: _case(_legacy(L.Merge, mode="concat", concat_axis=1),
                           [_f(3, 2), _f(2, 2)], call=_two),
    "MaxoutDense": lambda: _case(_legacy(L.MaxoutDense, 3, nb_feature=2, W_regularizer="l2"),
                                 _f(4)),
    "Highway": lambda: _case(_legacy(L.Highway, activation="relu",
                                     b_constraint=tf.constraints.NonNeg()), _f(4)),
    # attention
    "Attention": lambda: _case(L.Attention(use_scale=True, score_mode="concat"),
                               [_seq(3, 2), _seq(4, 2)], call=_two),
    "AdditiveAttention": lambda: _case(L.AdditiveAttention(use_scale=False),
                                       [_seq(3, 2), _seq(4, 2)], call=_two),
    "MultiHeadAttention": lambda: _case(L.MultiHeadAttention(2, 3, value_dim=2, use_bias=False,
                                                             output_shape=4,
                                                             kernel_regularizer="l2"),
                                        [_seq(3, 2), _seq(4, 2)], call=_mha),
    # noise
    "GaussianNoise": lambda: _case(L.GaussianNoise(0.5), _f(4), random=True),
    "GaussianDropout": lambda: _case(L.GaussianDropout(0.3), _f(4), random=True),
    "AlphaDropout": lambda: _case(L.AlphaDropout(0.3), _f(4), random=True),
    # preprocessing with learned state: adapted before the model is built
    "Normalization": lambda: _case(_adapted(L.Normalization(axis=-1), _f(3) * 3 + 1), _f(3)),
    "Discretization": lambda: _case(_adapted(L.Discretization(num_bins=4, epsilon=0.001),
                                             RNG.standard_normal((64, 1)).astype(np.float32)),
                                    _f(1), head=False),
    "CategoryEncoding": lambda: _case(L.CategoryEncoding(num_tokens=6, output_mode="count"),
                                      RNG.integers(0, 6, (N, 3)).astype(np.int64),
                                      dtypes=["int64"]),
    "Hashing": lambda: _case(L.Hashing(num_bins=5, salt=7, mask_value="cat"), _words(),
                             dtypes=["string"], head=False),
    "HashedCrossing": lambda: _case(L.HashedCrossing(num_bins=6, output_mode="one_hot"),
                                    [_words(), np.array([[3], [1], [4], [1]])],
                                    dtypes=["string", "int64"], head=False),
    "IntegerLookup": lambda: _case(_adapted(L.IntegerLookup(num_oov_indices=2, mask_token=0),
                                            np.array([5, 5, 9, 9, 9, 3, 1])),
                                   np.array([[5, 9], [3, 8], [1, 0], [9, 9]]), dtypes=["int64"],
                                   head=False),
    "StringLookup": lambda: _case(_adapted(L.StringLookup(output_mode="multi_hot"),
                                           np.array(["cat", "dog", "cat", "eel"])),
                                  _words(), dtypes=["string"]),
    "TextVectorization": lambda: _case(_adapted(L.TextVectorization(output_mode="tf_idf",
                                                                    ngrams=2, max_tokens=12),
                                                _text()[:, 0]), _text(), dtypes=["string"]),
    "Rescaling": lambda: _case(L.Rescaling(1 / 255.0, offset=-0.5), _img()),
    # image preprocessing and augmentation
    "Resizing": lambda: _case(L.Resizing(4, 5, interpolation="nearest",
                                         crop_to_aspect_ratio=True), _img()),
    "CenterCrop": lambda: _case(L.CenterCrop(4, 3), _img()),
    "RandomFlip": lambda: _case(L.RandomFlip("horizontal", seed=1), _img(), random=True,
                                own_rng=True),
    "RandomRotation": lambda: _case(L.RandomRotation(0.2, fill_mode="constant", seed=1), _img(),
                                    random=True, own_rng=True),
    "RandomZoom": lambda: _case(L.RandomZoom((-0.2, 0.1), (0.1, 0.2), fill_mode="nearest"), _img(),
                                random=True),
    "RandomTranslation": lambda: _case(L.RandomTranslation(0.2, 0.1, fill_mode="wrap"), _img(),
                                       random=True),
    "RandomContrast": lambda: _case(L.RandomContrast(0.3), _img(), random=True),
    "RandomBrightness": lambda: _case(L.RandomBrightness(0.2, value_range=(0, 1)), _img(),
                                      random=True),
    "RandomCrop": lambda: _case(L.RandomCrop(4, 4), _img(), random=True),
    "RandomHeight": lambda: _case(L.RandomHeight(0.2), _img(), random=True, head=False),
    "RandomWidth": lambda: _case(L.RandomWidth(0.2), _img(), random=True, head=False),
    "RandomFourierFeatures": lambda: _case(LX.RandomFourierFeatures(
        5, kernel_initializer="laplacian", scale=2.0, trainable=True), _f(3)),
    # keras13
    "Identity": lambda: _case(L.Identity(), _f(3)),
    "DenseFeatures": lambda: _case(
        L.DenseFeatures([
            tf.feature_column.numeric_column("age"),
            tf.feature_column.embedding_column(
                tf.feature_column.categorical_column_with_vocabulary_list(
                    "thal", ["fixed", "normal"], num_oov_buckets=2), dimension=3),
            tf.feature_column.indicator_column(tf.feature_column.bucketized_column(
                tf.feature_column.numeric_column("age"), [0.0, 1.0]))]),
        [_f(1), np.array([["fixed"], ["normal"], ["x"], ["fixed"]], dtype=object)],
        dtypes=[None, "string"], call=lambda layer, ins: layer({"age": ins[0], "thal": ins[1]})),
    "UnitNormalization": lambda: _case(L.UnitNormalization(axis=[1, 2]), _f(3, 4)),
    "GroupNormalization": lambda: _case(L.GroupNormalization(
        2, epsilon=0.01, beta_initializer="random_normal", gamma_regularizer="l2",
        beta_constraint="max_norm"), _f(5, 4)),
    "EinsumDense": lambda: _case(L.EinsumDense("abc,cde->abde", (None, 2, 3), bias_axes="de",
                                               activation="gelu", **INIT, **REG, **CON),
                                 _f(5, 4)),
    "LocallyConnected1D": lambda: _case(L.LocallyConnected1D(3, 2, strides=2, activation="swish",
                                                             **INIT, **REG, **CON), _f(7, 3)),
    "LocallyConnected2D": lambda: _case(L.LocallyConnected2D(2, (2, 3),
                                                             data_format="channels_first",
                                                             **INIT, **REG, **CON),
                                        _f(3, 5, 4)),
    "SpectralNormalization": lambda: _case(L.SpectralNormalization(L.Dense(3, **INIT),
                                                                   power_iterations=2), _f(4)),
    # the base classes a model file names
    "InputLayer": lambda: _case(L.Dense(2), _f(3)),  # every recipe's model starts with one
}


def _exported_classes():
    """Every Layer subclass the public layer namespaces export, aliases folded to their class."""
    classes = {}
    for mod in (L, tf.keras.layers, LX, LX.preprocessing):
        for name in dir(mod):
            obj = getattr(mod, name)
            if inspect.isclass(obj) and issubclass(obj, L.Layer) and obj is not L.Layer \
                    and not name.startswith("_"):
                classes.setdefault(obj, name)
    return classes


def test_every_exported_layer_class_has_a_recipe():
    missing = [f"{cls.__module__}.{cls.__name__}" for cls in _exported_classes()
               if cls.__name__ not in RECIPES and cls.__name__ not in _ABSTRACT]
    assert not missing, f"no save/load recipe for {missing}: add one to RECIPES"


_ABSTRACT = {"PreprocessingLayer", "AbstractRNNCell", "Wrapper", "Recurrent"}  # base classes: each concrete
# subclass has its recipe (a program's own subclasses: tests/test_keras13.py)


# ---- the round trips ---------------------------------------------------------------------------
def _build(case):
    ins = [L.Input(s, dtype=d) for s, d in zip(case["shapes"], case["dtypes"])] if not \
        case["stateful"] else [L.Input(batch_shape=(N,) + tuple(case["shapes"][0]))]
    layer = case["layer"]
    arg = ins if len(ins) > 1 else ins[0]
    out = case["call"](layer, arg) if case["call"] else layer(arg)
    if case["head"]:
        if len(out.shape) > 2:
            out = L.Flatten(name="flat")(out)
        out = L.Dense(2, name="head")(out)
    model = tf.keras.Model(ins if len(ins) > 1 else ins[0], out)
    trains = case["head"] and bool(model.trainable_weights)
    if trains:
        model.compile(tf.keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"],
                      loss_weights=[0.5])
    return model, trains


def _predict(model, case):
    if case["stateful"]:
        model.reset_states()
    out = model(case["xs"] if len(case["xs"]) > 1 else case["xs"][0], training=False)
    return np.asarray(out.numpy() if hasattr(out, "numpy") else out)


def _steps(model, case, y, n):
    tf.utils.set_random_seed(11)  # the random layers draw the same masks on both sides
    if case["stateful"]:
        model.reset_states()
    x = case["xs"] if len(case["xs"]) > 1 else case["xs"][0]
    losses = []
    for _ in range(n):
        r = model.train_on_batch(x, y)
        losses.append(float(np.ravel(r)[0]))
    return losses


def _roundtrip(kind, model, tmp_path):
    """The Lambda recipe's function is found by name: passed as custom_objects to load_model,
    through custom_object_scope for json and from_config (Keras 2 writes no name lookup into
    the file; tensorforge writes no bytecode)."""
    if kind in ("h5", "keras", "dir"):
        path = str(tmp_path / {"h5": "m.h5", "keras": "m.keras", "dir": "m_dir"}[kind])
        model.save(path)
        return tf.keras.models.load_model(path, custom_objects={"_lambda_double": _lambda_double})
    with tf.keras.utils.custom_object_scope({"_lambda_double": _lambda_double}):
        if kind == "json":
            again = tf.keras.models.model_from_json(model.to_json())
        else:
            again = tf.keras.Model.from_config(model.get_config())
    again.set_weights(model.get_weights())
    return again


KINDS = ("h5", "keras", "dir", "json", "config")


def _compile_settings(model):
    if not model._compiled:
        return None
    a = model._compile_args
    return (type(model.optimizer).__name__, model.optimizer.get_config(), repr(a["loss"]),
            repr(a["metrics"]), a["loss_weights"])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", sorted(RECIPES))
def test_layer_survives_save_and_load(name, kind, tmp_path):
    tf.utils.set_random_seed(0)
    case = RECIPES[name]()
    model, trains = _build(case)
    y = RNG.standard_normal((N, 2)).astype(np.float32)
    if trains:
        _steps(model, case, y, 1)
    want = _predict(model, case)
    again = _roundtrip(kind, model, tmp_path)
    assert again.get_config() == model.get_config()
    mine, theirs = model.get_weights(), again.get_weights()
    assert [w.shape for w in theirs] == [w.shape for w in mine]
    assert [w.name for w in again.weights] == [w.name for w in model.weights]
    for a, b in zip(theirs, mine):
        np.testing.assert_array_equal(a, b)
    got = _predict(again, case)
    assert got.dtype == want.dtype and got.shape == want.shape
    if want.dtype.kind in "fc":
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    else:
        np.testing.assert_array_equal(got, want)
    if kind in ("h5", "keras", "dir") and trains:
        assert _compile_settings(again) == _compile_settings(model)
        assert again.optimizer.iterations == model.optimizer.iterations
        if case["own_rng"]:
            return
        np.testing.assert_allclose(_steps(again, case, y, 2), _steps(model, case, y, 2),
                                   rtol=1e-6, atol=1e-7)
        for a, b in zip(again.get_weights(), model.get_weights()):
            np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


# ---- files real Keras 2 wrote ------------------------------------------------------------------
# tests/data/keras_sweep/<recipe>.h5: the recipe's model saved by tensorforge, loaded and saved
# again by tf_keras, with tf_keras' predictions (<recipe>.npz); made by
# tools/check_sweep_h5_in_keras.py. Each needed a loader fix: MultiHeadAttention (value= call
# argument, query/key/value_shape, the explicit default attention_axes), SeparableConv (Keras'
# unused kernel_initializer), RNN cells and StackedRNNCells, GRU(stateful=True),
# GlobalMaxPooling1D(keepdims=True), Flatten(channels_first), Embedding's input_length.
KERAS_DIR = __import__("os").path.join(__import__("os").path.dirname(__file__), "data",
                                       "keras_sweep")
KERAS_FILES = ["Embedding", "Flatten", "GRU", "GlobalMaxPooling1D", "LSTMCell",
               "MultiHeadAttention", "RNN", "SeparableConv1D", "SeparableConv2D"]


@pytest.mark.parametrize("name", KERAS_FILES)
def test_keras_written_file_loads_and_predicts_as_keras(name, tmp_path):
    import os
    ref = np.load(os.path.join(KERAS_DIR, name + ".npz"))
    xs = [ref[k] for k in sorted(k for k in ref.files if k.startswith("x"))]
    model = tf.keras.models.load_model(os.path.join(KERAS_DIR, name + ".h5"))
    if RECIPES[name]()["stateful"]:
        model.reset_states()
    got = model(xs if len(xs) > 1 else xs[0], training=False).numpy()
    np.testing.assert_allclose(got, ref["want"], rtol=1e-5, atol=1e-6)
    assert model.optimizer is not None and model.optimizer.iterations == 1  # compile travelled
    model.save(str(tmp_path / "again.h5"))  # and written again, it reads back the same
    again = tf.keras.models.load_model(str(tmp_path / "again.h5"))
    assert again.get_config() == model.get_config()
