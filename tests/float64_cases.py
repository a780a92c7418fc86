"""The float64 training scenarios of tests/test_float64.py, written once for the test
(tensorforge) and tools/gen_float64_refs.py (tf_keras 2.21): small models trained a few epochs in
float64 -- by K.set_floatx('float64') ("floatx") or by dtype='float64' on every layer with floatx
left at float32 ("layer") -- from weights and data drawn from a seed, so both sides start from the
same numbers. Each scenario records the loss History and the weights after every epoch, then
evaluate's loss and predict's outputs."""
import numpy as np

EPOCHS = 3
N = 48
BATCH = 16


def data(kind, seed=0):
    """(x, y) float64 NumPy arrays of a scenario's kind."""
    rng = np.random.default_rng(seed)
    if kind == "regression":
        x = rng.standard_normal((N, 5))
        y = np.sin(x[:, :1]) + 0.5 * x[:, 1:2] * x[:, 2:3]
    elif kind == "classes":
        x = rng.standard_normal((N, 6))
        y = np.eye(3)[(x[:, 0] + x[:, 1] > 0).astype(int) + (x[:, 2] > 0.5)]
    elif kind == "sparse":
        x = rng.standard_normal((N, 6))
        y = ((x[:, 0] > 0).astype(np.int64) + (x[:, 3] > 0.3)).astype(np.int64)
    elif kind == "binary":
        x = rng.standard_normal((N, 4))
        y = (x[:, :1] * x[:, 1:2] > 0).astype(np.float64)
    elif kind == "images":
        x = rng.standard_normal((N, 6, 6, 2))
        y = np.eye(2)[(x[:, :3, :3, 0].mean(axis=(1, 2)) > 0).astype(int)]
    elif kind == "sequences":
        x = rng.standard_normal((N, 5, 3))
        y = x[:, :, :1].sum(axis=1) * 0.5
    else:
        raise ValueError(kind)
    return x, y


# name -> (how float64 is asked for, data kind, layer specs, loss, optimizer (class, kwargs))
# A layer spec is (class name, kwargs). METRICS: the compiled metrics of some scenarios.
SCENARIOS = {
    "mlp_sgd": ("floatx", "regression",
                [("Dense", {"units": 8, "activation": "tanh"}), ("Dense", {"units": 1})],
                "mse", ("SGD", {"learning_rate": 0.1})),
    "mlp_momentum_relu": ("floatx", "regression",
                          [("Dense", {"units": 8, "activation": "relu"}),
                           ("Dense", {"units": 4, "activation": "sigmoid"}),
                           ("Dense", {"units": 1})],
                          "mae", ("SGD", {"learning_rate": 0.05, "momentum": 0.9,
                                          "nesterov": True})),
    "mlp_adam_layer_dtype": ("layer", "regression",
                             [("Dense", {"units": 8, "activation": "tanh"}),
                              ("Dense", {"units": 1})],
                             "mse", ("Adam", {"learning_rate": 0.01})),
    "softmax_rmsprop": ("floatx", "classes",
                        [("Dense", {"units": 10, "activation": "elu"}),
                         ("Dense", {"units": 3, "activation": "softmax"})],
                        "categorical_crossentropy", ("RMSprop", {"learning_rate": 0.01})),
    "sparse_adagrad_layer_dtype": ("layer", "sparse",
                                   [("Dense", {"units": 7, "activation": "relu"}),
                                    ("Dropout", {"rate": 0.0}),
                                    ("Dense", {"units": 3, "activation": "softmax"})],
                                   "sparse_categorical_crossentropy",
                                   ("Adagrad", {"learning_rate": 0.1})),
    "binary_adam_bn": ("floatx", "binary",
                       [("Dense", {"units": 6}), ("BatchNormalization", {}),
                        ("Activation", {"activation": "tanh"}),
                        ("Dense", {"units": 1, "activation": "sigmoid"})],
                       "binary_crossentropy", ("Adam", {"learning_rate": 0.02})),
    "conv_pool_sgd": ("floatx", "images",
                      [("Conv2D", {"filters": 3, "kernel_size": 3, "padding": "same",
                                   "activation": "relu"}),
                       ("MaxPooling2D", {"pool_size": 2}),
                       ("Conv2D", {"filters": 4, "kernel_size": 2, "activation": "tanh"}),
                       ("GlobalAveragePooling2D", {}),
                       ("Dense", {"units": 2, "activation": "softmax"})],
                      "categorical_crossentropy", ("SGD", {"learning_rate": 0.1})),
    "lstm_adam": ("floatx", "sequences",
                  [("LSTM", {"units": 4}), ("Dense", {"units": 1})],
                  "mse", ("Adam", {"learning_rate": 0.01})),
    "gru_layernorm_rmsprop_layer_dtype": ("layer", "sequences",
                                          [("GRU", {"units": 4, "return_sequences": True}),
                                           ("LayerNormalization", {}),
                                           ("SimpleRNN", {"units": 3}),
                                           ("Dense", {"units": 1})],
                                          "mse", ("RMSprop", {"learning_rate": 0.005})),
}


METRICS = {"mlp_sgd": ["mae", "mse"], "softmax_rmsprop": ["accuracy", "categorical_crossentropy"],
           "binary_adam_bn": ["binary_accuracy", "AUC"]}


def build(keras, name):
    """The scenario's compiled Sequential model, its weights drawn from seed 1 (uniform in
    [-0.5, 0.5), by get_weights' shapes; BatchNormalization's moving variance in [0.5, 1.5))."""
    how, kind, specs, loss, (opt, okw) = SCENARIOS[name]
    x, _ = data(kind)
    dt = {"dtype": "float64"} if how == "layer" else {}
    layers = [keras.layers.Input(x.shape[1:], dtype="float64" if how == "layer" else None)]
    for cls, kw in specs:
        layers.append(getattr(keras.layers, cls)(**kw, **dt))
    model = keras.Sequential(layers)
    rng = np.random.default_rng(1)
    ws = []
    for w in model.weights:
        v = rng.uniform(-0.5, 0.5, tuple(w.shape))
        if "moving_variance" in w.name:
            v = v + 1.0
        ws.append(v)
    model.set_weights(ws)
    model.compile(loss=loss, optimizer=getattr(keras.optimizers.legacy, opt)(**okw),
                  metrics=METRICS.get(name))
    return model


def run(keras, name):
    """{'loss': per-epoch History, 'weights_<e>_<i>': weight i after epoch e, 'eval': evaluate's
    loss, 'pred': predict's outputs, 'dtypes': [the weights' dtypes], 'pred_dtype'}."""
    how = SCENARIOS[name][0]
    K = keras.backend
    if how == "floatx":
        K.set_floatx("float64")
    try:
        model = build(keras, name)
        x, y = data(SCENARIOS[name][1])
        seen = {}

        class Record(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                for i, w in enumerate(self.model.get_weights()):
                    seen[f"weights_{epoch}_{i}"] = np.asarray(w)

        hist = model.fit(x, y, batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0,
                         callbacks=[Record()])
        pred = model.predict(x, batch_size=BATCH, verbose=0)
        out = dict(seen)
        for k, v in hist.history.items():
            out["history_" + k.split("_")[0] if k.startswith("auc") else "history_" + k] = \
                np.asarray(v, np.float64)
        out["loss"] = out.pop("history_loss")
        out["eval"] = np.asarray(model.evaluate(x, y, batch_size=BATCH, verbose=0), np.float64)
        out["pred"] = np.asarray(pred)
        out["dtypes"] = [np.dtype(getattr(w.dtype, "name", w.dtype)).name for w in model.weights]
        out["pred_dtype"] = np.asarray(pred).dtype.name
        return out
    finally:
        K.set_floatx("float32")


# ---- single layers: forward and gradients in float64 ----------------------------------------
# name -> (class name, kwargs, input shapes (with the batch axis), call kwargs); several input
# shapes make a merge layer's list input. Integer inputs (Embedding) are drawn in [0, 10).
LAYERS = {
    "dense_relu": ("Dense", {"units": 5, "activation": "relu"}, [(4, 6)], {}),
    "dense_3d": ("Dense", {"units": 3}, [(2, 4, 6)], {}),
    "act_tanh": ("Activation", {"activation": "tanh"}, [(4, 7)], {}),
    "act_sigmoid": ("Activation", {"activation": "sigmoid"}, [(4, 7)], {}),
    "act_softmax": ("Activation", {"activation": "softmax"}, [(4, 7)], {}),
    "act_elu": ("Activation", {"activation": "elu"}, [(4, 7)], {}),
    "act_selu": ("Activation", {"activation": "selu"}, [(4, 7)], {}),
    "act_softplus": ("Activation", {"activation": "softplus"}, [(4, 7)], {}),
    "act_gelu": ("Activation", {"activation": "gelu"}, [(4, 7)], {}),
    "act_swish": ("Activation", {"activation": "swish"}, [(4, 7)], {}),
    "leaky_relu": ("LeakyReLU", {"alpha": 0.2}, [(4, 7)], {}),
    "dropout_infer": ("Dropout", {"rate": 0.5}, [(4, 7)], {"training": False}),
    "conv1d_same": ("Conv1D", {"filters": 4, "kernel_size": 3, "padding": "same"}, [(2, 9, 3)], {}),
    "conv1d_causal_dil": ("Conv1D", {"filters": 2, "kernel_size": 2, "padding": "causal",
                                     "dilation_rate": 2}, [(2, 8, 3)], {}),
    "conv2d_stride": ("Conv2D", {"filters": 4, "kernel_size": 3, "strides": 2,
                                 "activation": "relu"}, [(2, 7, 8, 3)], {}),
    "conv2d_same": ("Conv2D", {"filters": 3, "kernel_size": (2, 3), "padding": "same"},
                    [(2, 5, 6, 2)], {}),
    "conv2d_transpose": ("Conv2DTranspose", {"filters": 3, "kernel_size": 3, "strides": 2,
                                             "padding": "same"}, [(2, 4, 5, 2)], {}),
    "conv1d_transpose": ("Conv1DTranspose", {"filters": 2, "kernel_size": 3, "strides": 2},
                         [(2, 5, 3)], {}),
    "depthwise_conv2d": ("DepthwiseConv2D", {"kernel_size": 3, "depth_multiplier": 2},
                         [(2, 6, 6, 3)], {}),
    "separable_conv2d": ("SeparableConv2D", {"filters": 4, "kernel_size": 3, "padding": "same"},
                         [(2, 5, 5, 3)], {}),
    "maxpool2d": ("MaxPooling2D", {"pool_size": 2}, [(2, 6, 7, 3)], {}),
    "maxpool2d_same": ("MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same"},
                       [(2, 7, 7, 2)], {}),
    "avgpool2d": ("AveragePooling2D", {"pool_size": 2, "padding": "same"}, [(2, 5, 5, 3)], {}),
    "maxpool1d": ("MaxPooling1D", {"pool_size": 2}, [(2, 8, 3)], {}),
    "avgpool1d": ("AveragePooling1D", {"pool_size": 3, "strides": 1}, [(2, 8, 3)], {}),
    "gap2d": ("GlobalAveragePooling2D", {}, [(2, 4, 5, 3)], {}),
    "gmp2d": ("GlobalMaxPooling2D", {}, [(2, 4, 5, 3)], {}),
    "gap1d": ("GlobalAveragePooling1D", {}, [(2, 6, 3)], {}),
    "upsampling2d": ("UpSampling2D", {"size": 2}, [(2, 3, 3, 2)], {}),
    "batchnorm_train": ("BatchNormalization", {}, [(6, 5)], {"training": True}),
    "batchnorm_infer": ("BatchNormalization", {"epsilon": 0.01}, [(6, 5)], {"training": False}),
    "batchnorm_conv": ("BatchNormalization", {"momentum": 0.9}, [(3, 4, 4, 2)],
                       {"training": True}),
    "layernorm": ("LayerNormalization", {}, [(4, 7)], {}),
    "layernorm_3d": ("LayerNormalization", {"axis": -1, "epsilon": 1e-5}, [(2, 3, 5)], {}),
    "embedding": ("Embedding", {"input_dim": 10, "output_dim": 4}, [(3, 5)], {}),
    "simple_rnn": ("SimpleRNN", {"units": 4, "return_sequences": True}, [(2, 5, 3)], {}),
    "lstm": ("LSTM", {"units": 3}, [(2, 6, 4)], {}),
    "lstm_seq_back": ("LSTM", {"units": 3, "return_sequences": True, "go_backwards": True},
                      [(2, 5, 2)], {}),
    "gru": ("GRU", {"units": 3}, [(2, 6, 4)], {}),
    "gru_v1": ("GRU", {"units": 3, "reset_after": False, "return_sequences": True},
               [(2, 4, 3)], {}),
    "add": ("Add", {}, [(3, 4), (3, 4)], {}),
    "multiply": ("Multiply", {}, [(3, 4), (3, 4)], {}),
    "average": ("Average", {}, [(3, 4), (3, 4), (3, 4)], {}),
    "concatenate": ("Concatenate", {"axis": -1}, [(3, 4), (3, 2)], {}),
    "subtract": ("Subtract", {}, [(3, 4), (3, 4)], {}),
    "dot": ("Dot", {"axes": 1}, [(3, 4), (3, 4)], {}),
    "reshape": ("Reshape", {"target_shape": (2, 6)}, [(3, 12)], {}),
    "flatten": ("Flatten", {}, [(3, 2, 3, 2)], {}),
    "permute": ("Permute", {"dims": (2, 1)}, [(3, 4, 5)], {}),
    "zero_padding2d": ("ZeroPadding2D", {"padding": (1, 2)}, [(2, 3, 3, 2)], {}),
    "cropping2d": ("Cropping2D", {"cropping": ((1, 0), (0, 1))}, [(2, 4, 4, 2)], {}),
    "repeat_vector": ("RepeatVector", {"n": 3}, [(2, 4)], {}),
}


def layer_inputs(name):
    """The scenario's input arrays (float64; int64 ids for an Embedding), from seed 2."""
    cls, _, shapes, _ = LAYERS[name]
    rng = np.random.default_rng(2)
    if cls == "Embedding":
        return [rng.integers(0, 10, shapes[0])]
    return [rng.standard_normal(s) for s in shapes]


def layer_weights(layer):
    """Weights for ``layer`` drawn from seed 3 by its weights' shapes (variances positive)."""
    rng = np.random.default_rng(3)
    out = []
    for w in layer.weights:
        v = rng.uniform(-0.8, 0.8, tuple(w.shape))
        if "variance" in w.name:
            v = np.abs(v) + 0.5
        out.append(v)
    return out


def cotangent(shape):
    """The w of the loss sum(output * w) whose gradients are compared (seed 4)."""
    return np.random.default_rng(4).standard_normal(shape)


# ---- losses: float64 values and gradients ---------------------------------------------------
LOSSES = ["mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
          "mean_squared_logarithmic_error", "binary_crossentropy", "categorical_crossentropy",
          "sparse_categorical_crossentropy", "kl_divergence", "poisson", "cosine_similarity",
          "hinge", "squared_hinge", "categorical_hinge", "log_cosh", "huber"]


def loss_inputs(name):
    """(y_true, y_pred) float64 (int64 labels for the sparse loss), from seed 5."""
    rng = np.random.default_rng(5)
    p = rng.uniform(0.05, 0.95, (6, 4))
    p /= p.sum(axis=1, keepdims=True)
    labels = rng.integers(0, 4, 6)
    if name == "sparse_categorical_crossentropy":
        return labels, p
    if name in ("hinge", "squared_hinge"):
        return rng.choice([-1.0, 1.0], (6, 4)), rng.standard_normal((6, 4))
    return np.eye(4)[labels] * 0.9 + 0.025, p
