"""How to make and call every layer class of the Keras API, as plain data: shared by
tools/gen_layer_robustness_refs.py (which runs each probe in Keras 2) and
tests/test_layer_robustness.py (which runs the same probes here and compares). No imports of
either library: a recipe names its class and arguments, and nested layers or functions by name.

RECIPES[class_name] = dict(
    kwargs=   constructor arguments; ("layer", name, kwargs) makes a nested layer,
              ("fn", name) a function from FUNCTIONS
    shape=    the input shape without the batch axis (a list of shapes for several inputs)
    dtype=    the valid input's dtype ("float32", "int32", "int64", "str")
    style=    "list": several inputs go in as one list; "args": as positional arguments
    wrap=     "rnn": a cell, probed inside RNN(cell)
    text_ok=  strings are a valid input too (Hashing)
    random=   the output's size or values are random (the random crop and resize layers):
              only its rank is compared
    bad=      {probe name: constructor arguments that override kwargs}: absurd arguments)
NOT_CALLED: classes with no call of their own to probe, and why.
"""

FUNCTIONS = {"double": lambda x: x * 2.0}

_IMG = [4, 4, 3]
_HUGE = 10 ** 12


def _conv(filters, shape, **extra):
    k = dict(filters=2, kernel_size=2) if filters else dict(kernel_size=2)
    k.update(extra)
    big = 9  # larger than every spatial axis of ``shape``
    bad = {"kernel_larger_than_input": dict(kernel_size=big), "strides_0": dict(strides=0),
           "kernel_size_0": dict(kernel_size=0)}
    if filters:
        bad["filters_huge"] = dict(filters=_HUGE)
        bad["filters_negative"] = dict(filters=-2)
    return dict(kwargs=k, shape=shape, bad=bad)


def _pool(shape):
    return dict(kwargs={}, shape=shape, bad={"pool_size_0": dict(pool_size=0),
                                              "strides_0": dict(strides=0),
                                              "pool_larger_than_input": dict(pool_size=9)})


def _drop(shape, arg="rate", value=0.5):
    return dict(kwargs={arg: value}, shape=shape,
                bad={f"{arg}_negative": {arg: -0.5}, f"{arg}_above_1": {arg: 1.5}}
                if arg == "rate" else {f"{arg}_negative": {arg: -0.5}})


def _rnn(name):
    return dict(kwargs=dict(units=3), shape=[4, 8],
                bad={"units_huge": dict(units=_HUGE), "units_0": dict(units=0),
                     "dropout_above_1": dict(dropout=1.5)})


RECIPES = {
    "Layer": dict(kwargs={}, shape=[8]),
    "Dense": dict(kwargs=dict(units=3), shape=[8],
                  bad={"units_huge": dict(units=_HUGE), "units_0": dict(units=0),
                       "units_negative": dict(units=-1)}),
    "Activation": dict(kwargs=dict(activation="relu"), shape=[8],
                       bad={"unknown_activation": dict(activation="no_such_activation")}),
    "ActivityRegularization": dict(kwargs={}, shape=[8]),
    "Dropout": _drop([8]),
    "SpatialDropout1D": _drop([3, 4]),
    "SpatialDropout2D": _drop([3, 3, 4]),
    "SpatialDropout3D": _drop([2, 2, 2, 4]),
    "AlphaDropout": _drop([8]),
    "GaussianDropout": _drop([8]),
    "GaussianNoise": _drop([8], "stddev", 0.1),
    "Flatten": dict(kwargs={}, shape=[3, 4]),
    "Reshape": dict(kwargs=dict(target_shape=[2, 4]), shape=[8],
                    bad={"target_incompatible": dict(target_shape=[3, 3])}),
    "Permute": dict(kwargs=dict(dims=[2, 1]), shape=[3, 4],
                    bad={"dims_repeated": dict(dims=[1, 1])}),
    "RepeatVector": dict(kwargs=dict(n=3), shape=[4], bad={"n_huge": dict(n=_HUGE)}),
    "Masking": dict(kwargs={}, shape=[3, 4]),
    "Lambda": dict(kwargs=dict(function=("fn", "double")), shape=[8]),
    "Add": dict(kwargs={}, shape=[[8], [8]], style="list"),
    "Subtract": dict(kwargs={}, shape=[[8], [8]], style="list"),
    "Multiply": dict(kwargs={}, shape=[[8], [8]], style="list"),
    "Average": dict(kwargs={}, shape=[[8], [8]], style="list"),
    "Maximum": dict(kwargs={}, shape=[[8], [8]], style="list"),
    "Minimum": dict(kwargs={}, shape=[[8], [8]], style="list"),
    "Concatenate": dict(kwargs={}, shape=[[4], [4]], style="list",
                        bad={"axis_out_of_range": dict(axis=5)}),
    "Dot": dict(kwargs=dict(axes=1), shape=[[4], [4]], style="list"),
    "Attention": dict(kwargs={}, shape=[[3, 4], [5, 4]], style="list"),
    "AdditiveAttention": dict(kwargs={}, shape=[[3, 4], [5, 4]], style="list"),
    "MultiHeadAttention": dict(kwargs=dict(num_heads=2, key_dim=2), shape=[[3, 4], [5, 4]],
                               style="args",
                               bad={"num_heads_huge": dict(num_heads=_HUGE),
                                    "key_dim_0": dict(key_dim=0)}),
    "BatchNormalization": dict(kwargs={}, shape=[8], bad={"axis_out_of_range": dict(axis=5)}),
    "LayerNormalization": dict(kwargs={}, shape=[8], bad={"axis_out_of_range": dict(axis=5)}),
    "Normalization": dict(kwargs=dict(mean=0.0, variance=1.0), shape=[8]),
    "Rescaling": dict(kwargs=dict(scale=0.5), shape=[8]),
    "ELU": dict(kwargs={}, shape=[8]),
    "ReLU": dict(kwargs={}, shape=[8], bad={"negative_slope_negative": dict(negative_slope=-1.0)}),
    "LeakyReLU": dict(kwargs={}, shape=[8]),
    "PReLU": dict(kwargs={}, shape=[8]),
    "Softmax": dict(kwargs={}, shape=[8]),
    "ThresholdedReLU": dict(kwargs={}, shape=[8], bad={"theta_negative": dict(theta=-1.0)}),
    "Embedding": dict(kwargs=dict(input_dim=10, output_dim=3), shape=[4], dtype="int32",
                      bad={"input_dim_huge": dict(input_dim=_HUGE),
                           "output_dim_0": dict(output_dim=0)}),
    "Conv1D": _conv(True, [5, 3]),
    "Conv1DTranspose": _conv(True, [5, 3]),
    "Conv2D": _conv(True, [5, 5, 3]),
    "Conv2DTranspose": _conv(True, [5, 5, 3]),
    "Conv3D": _conv(True, [4, 4, 4, 3]),
    "DepthwiseConv1D": _conv(False, [5, 3]),
    "DepthwiseConv2D": _conv(False, [5, 5, 3]),
    "SeparableConv1D": _conv(True, [5, 3]),
    "SeparableConv2D": _conv(True, [5, 5, 3]),
    "ConvLSTM2D": _conv(True, [2, 4, 4, 3]),
    "ConvLSTM1D": _conv(True, [2, 4, 3]),
    "ConvLSTM3D": _conv(True, [2, 4, 4, 4, 3]),
    "Conv3DTranspose": _conv(True, [4, 4, 4, 3]),
    "Cropping1D": dict(kwargs=dict(cropping=1), shape=[5, 3],
                       bad={"cropping_larger_than_input": dict(cropping=4)}),
    "Cropping2D": dict(kwargs=dict(cropping=1), shape=[5, 5, 3],
                       bad={"cropping_larger_than_input": dict(cropping=4)}),
    "Cropping3D": dict(kwargs=dict(cropping=1), shape=[4, 4, 4, 3],
                       bad={"cropping_larger_than_input": dict(cropping=3)}),
    "ZeroPadding1D": dict(kwargs=dict(padding=1), shape=[5, 3],
                          bad={"padding_huge": dict(padding=10 ** 9)}),
    "ZeroPadding2D": dict(kwargs=dict(padding=1), shape=[5, 5, 3],
                          bad={"padding_huge": dict(padding=10 ** 9)}),
    "ZeroPadding3D": dict(kwargs=dict(padding=1), shape=[4, 4, 4, 3],
                          bad={"padding_huge": dict(padding=10 ** 9)}),
    "UpSampling1D": dict(kwargs=dict(size=2), shape=[3, 2], bad={"size_huge": dict(size=10 ** 9)}),
    "UpSampling2D": dict(kwargs=dict(size=2), shape=[3, 3, 2],
                         bad={"size_huge": dict(size=10 ** 9)}),
    "UpSampling3D": dict(kwargs=dict(size=2), shape=[2, 2, 2, 2],
                         bad={"size_huge": dict(size=10 ** 9)}),
    "MaxPooling1D": _pool([4, 3]),
    "MaxPooling2D": _pool([4, 4, 3]),
    "MaxPooling3D": _pool([4, 4, 4, 3]),
    "AveragePooling1D": _pool([4, 3]),
    "AveragePooling2D": _pool([4, 4, 3]),
    "AveragePooling3D": _pool([4, 4, 4, 3]),
    "GlobalMaxPooling1D": dict(kwargs={}, shape=[4, 3]),
    "GlobalMaxPooling2D": dict(kwargs={}, shape=[4, 4, 3]),
    "GlobalMaxPooling3D": dict(kwargs={}, shape=[4, 4, 4, 3]),
    "GlobalAveragePooling1D": dict(kwargs={}, shape=[4, 3]),
    "GlobalAveragePooling2D": dict(kwargs={}, shape=[4, 4, 3]),
    "GlobalAveragePooling3D": dict(kwargs={}, shape=[4, 4, 4, 3]),
    "SimpleRNN": _rnn("SimpleRNN"),
    "LSTM": _rnn("LSTM"),
    "GRU": _rnn("GRU"),
    "RNN": dict(kwargs=dict(cell=("layer", "LSTMCell", dict(units=3))), shape=[4, 8]),
    "SimpleRNNCell": dict(kwargs=dict(units=3), shape=[4, 8], wrap="rnn"),
    "LSTMCell": dict(kwargs=dict(units=3), shape=[4, 8], wrap="rnn"),
    "GRUCell": dict(kwargs=dict(units=3), shape=[4, 8], wrap="rnn"),
    "StackedRNNCells": dict(kwargs=dict(cells=[("layer", "LSTMCell", dict(units=3)),
                                               ("layer", "LSTMCell", dict(units=2))]),
                            shape=[4, 8], wrap="rnn"),
    "Bidirectional": dict(kwargs=dict(layer=("layer", "LSTM", dict(units=3))), shape=[4, 8]),
    "TimeDistributed": dict(kwargs=dict(layer=("layer", "Dense", dict(units=3))), shape=[3, 8]),
    "CategoryEncoding": dict(kwargs=dict(num_tokens=5, output_mode="multi_hot"), shape=[3],
                             dtype="int32", bad={"num_tokens_huge": dict(num_tokens=_HUGE)}),
    "Discretization": dict(kwargs=dict(bin_boundaries=[0.0, 1.0]), shape=[4]),
    "Hashing": dict(kwargs=dict(num_bins=4), shape=[4], dtype="int64", text_ok=True,
                    bad={"num_bins_0": dict(num_bins=0)}),
    "IntegerLookup": dict(kwargs=dict(vocabulary=[1, 2, 3]), shape=[4], dtype="int64"),
    "HashedCrossing": dict(kwargs=dict(num_bins=5), shape=[[1], [1]], style="list",
                           dtype="int64", text_ok=True, bad={"num_bins_0": dict(num_bins=0)}),
    "StringLookup": dict(kwargs=dict(vocabulary=["a", "b"]), shape=[4], dtype="str"),
    "TextVectorization": dict(kwargs=dict(vocabulary=["a", "b"], output_sequence_length=4),
                              shape=[1], dtype="str"),
    "CenterCrop": dict(kwargs=dict(height=2, width=2), shape=_IMG),
    "Resizing": dict(kwargs=dict(height=2, width=2), shape=_IMG,
                     bad={"size_huge": dict(height=10 ** 6, width=10 ** 6)}),
    "RandomBrightness": dict(kwargs=dict(factor=0.1), shape=_IMG),
    "RandomContrast": dict(kwargs=dict(factor=0.1), shape=_IMG,
                           bad={"factor_negative": dict(factor=-0.5)}),
    "RandomCrop": dict(random=True, kwargs=dict(height=2, width=2), shape=_IMG),
    "RandomFlip": dict(kwargs={}, shape=_IMG),
    "RandomHeight": dict(random=True, kwargs=dict(factor=0.1), shape=_IMG),
    "RandomRotation": dict(kwargs=dict(factor=0.1), shape=_IMG),
    "RandomTranslation": dict(kwargs=dict(height_factor=0.1, width_factor=0.1), shape=_IMG),
    "RandomWidth": dict(random=True, kwargs=dict(factor=0.1), shape=_IMG),
    "RandomZoom": dict(kwargs=dict(height_factor=0.1), shape=_IMG),
    "RandomFourierFeatures": dict(kwargs=dict(output_dim=4), shape=[8],
                                  bad={"output_dim_huge": dict(output_dim=_HUGE)}),
    # keras13
    "Identity": dict(kwargs={}, shape=[8]),
    "UnitNormalization": dict(kwargs={}, shape=[8], bad={"axis_out_of_range": dict(axis=5)}),
    "GroupNormalization": dict(kwargs=dict(groups=2), shape=[4, 6],
                               bad={"groups_not_dividing": dict(groups=4),
                                    "groups_0": dict(groups=0),
                                    "axis_out_of_range": dict(axis=5)}),
    "EinsumDense": dict(kwargs=dict(equation="abc,cd->abd", output_shape=[None, 3],
                                    bias_axes="d"), shape=[4, 6],
                        bad={"bias_axis_not_in_output": dict(bias_axes="z"),
                             "equation_bad": dict(equation="ab->b")}),
    "LocallyConnected1D": _conv(True, [5, 3]),
    "LocallyConnected2D": _conv(True, [5, 5, 3]),
}

NOT_CALLED = {"InputLayer": "makes the graph's input tensor; probed through Input() in the "
                            "model-level tests, never called on data",
              "AbstractRNNCell": "an abstract base: a program's cell subclasses it",
              "Wrapper": "an abstract base: a program's wrapper subclasses it",
              "SpectralNormalization": "tf_keras 2.21's own build fails under TensorFlow 2.21 "
                                       "(Keras 3's InputSpec): no oracle for the probes; "
                                       "tests/test_keras13.py checks its numerics",
              "DenseFeatures": "takes a dict of named features, not the array the probes "
                               "change; tests/test_feature_column.py checks it (bad features "
                               "included)",
              # Keras 2.0-2.2's legacy layers and the cuDNN layers: tf_keras 2.21 has none (or
              # cannot run them on a CPU), so there is no oracle for the probes
              **{name: "not in tf_keras 2.21 (Keras 2.0-2.2's, layers/legacy.py): no oracle "
                       "for the probes; tests/test_keras_legacy_layers.py checks it"
                 for name in ("Merge", "MaxoutDense", "Highway", "Recurrent")},
              **{name: "tf_keras 2.21's cannot run without a GPU: no oracle for the probes; "
                       "tests/test_cudnn_layers.py checks it (a mask included)"
                 for name in ("CuDNNLSTM", "CuDNNGRU")}}

# The probes of every recipe, each a change of the valid input (see make_inputs in the tool and
# the test): rank one more / one less, the last axis changed after the layer was built, a batch
# of 0, NaN and inf values, and inputs of the wrong dtype.
PROBES = ("valid", "rank_plus", "rank_minus", "last_dim", "zero_batch", "nan", "str", "complex",
          "object")


def _resolve(L, v):
    if isinstance(v, tuple) and v and v[0] == "layer":
        return getattr(L, v[1])(**{k: _resolve(L, x) for k, x in v[2].items()})
    if isinstance(v, tuple) and v and v[0] == "fn":
        return FUNCTIONS[v[1]]
    if isinstance(v, list):
        return [_resolve(L, x) for x in v]
    return v


def make_layer(L, name, overrides=None):
    """The layer of RECIPES[name] from the layers module ``L`` (keras.layers or ours); a cell
    comes wrapped in RNN."""
    r = RECIPES[name]
    kw = dict(r["kwargs"], **(overrides or {}))
    cls = getattr(L, name, None)
    if cls is None:  # RandomFourierFeatures lives in layers.experimental
        cls = getattr(L.experimental, name)
    layer = cls(**{k: _resolve(L, v) for k, v in kw.items()})
    return L.RNN(layer) if r.get("wrap") == "rnn" else layer


def input_shapes(name):
    s = RECIPES[name]["shape"]
    return [list(x) for x in s] if isinstance(s[0], list) else [list(s)]


def make_inputs(name, probe, np):
    """The input arrays of ``probe`` for RECIPES[name] (a list, one per input), or None where the
    probe does not apply (NaN into integer ids, strings into a string layer)."""
    r = RECIPES[name]
    dtype = r.get("dtype", "float32")
    if (probe == "nan" and dtype != "float32") or (probe in ("str", "complex") and dtype == "str"):
        return None
    rng = np.random.default_rng(0)
    out = []
    for s in input_shapes(name):
        full = [2] + s
        if probe == "rank_plus":
            full = [2, 2] + s
        elif probe == "rank_minus":
            full = [2] + (s[:-2] + s[-1:] if len(s) >= 2 else [])
        elif probe == "last_dim":
            full[-1] += 1
        elif probe == "zero_batch":
            full[0] = 0
        if dtype == "str":
            x = np.array(["a", "b", "c"])[rng.integers(0, 3, size=full)]
        elif dtype.startswith("int"):
            x = rng.integers(1, 3, size=full).astype(dtype)
        else:
            x = rng.uniform(0.1, 1.0, size=full).astype(np.float32)
        if probe == "nan" and x.size >= 2:
            x.reshape(-1)[0], x.reshape(-1)[1] = np.nan, np.inf
        elif probe == "str":
            x = np.full(full, "a")
        elif probe == "complex":
            x = x.astype(np.complex64) + 1j
        elif probe == "object":
            x = x.astype(object)
        out.append(x)
    return out


def call_layer(layer, name, xs):
    style = RECIPES[name].get("style")
    if style == "args":
        return layer(*xs)
    return layer(xs if style == "list" else xs[0])


def outcome(fn, np):
    """{"ok": True, "shape": [...], "nan": any NaN in the output} or {"ok": False, "error": the
    exception's class name, "message": its text}."""
    try:
        y = fn()
    except Exception as e:  # noqa: BLE001 -- the outcome records it
        return {"ok": False, "error": type(e).__name__, "message": str(e)[:200]}
    ys = y if isinstance(y, (list, tuple)) else [y]
    arrs = [np.asarray(t.numpy() if hasattr(t, "numpy") else t) for t in ys]
    return {"ok": True, "shape": [list(a.shape) for a in arrs],
            "nan": bool(any(a.dtype.kind in "fc" and np.isnan(a).any() for a in arrs))}


def run_probe(L, name, probe, np):
    """The outcome of ``probe`` on a fresh RECIPES[name] layer; "last_dim" first calls it on the
    valid input (building it), then on the changed one."""
    xs = make_inputs(name, probe, np)
    if xs is None:
        return None
    try:
        layer = make_layer(L, name)
    except Exception as e:  # noqa: BLE001
        return {"ok": False, "error": type(e).__name__, "message": "constructor: " + str(e)[:200]}
    if probe == "last_dim":
        first = outcome(lambda: call_layer(layer, name, make_inputs(name, "valid", np)), np)
        if not first["ok"]:
            return {"ok": False, "error": "valid call failed", "message": first["message"]}
    return outcome(lambda: call_layer(layer, name, xs), np)


def run_bad_argument(L, name, bad, np):
    """The outcome of RECIPES[name]["bad"][bad]: {"stage": "constructor"} and the error when the
    constructor refuses it, else the outcome of a call on the valid input with "stage": "call"."""
    try:
        layer = make_layer(L, name, RECIPES[name]["bad"][bad])
    except Exception as e:  # noqa: BLE001
        return {"ok": False, "stage": "constructor", "error": type(e).__name__,
                "message": str(e)[:200]}
    got = outcome(lambda: call_layer(layer, name, make_inputs(name, "valid", np)), np)
    got["stage"] = "call"
    return got
