"""Per-layer weight conversions between a Keras 2 file's arrays and a tensorforge layer.

The arrays of one layer in a Keras 2 HDF5 file are in ``trainable_weights +
non_trainable_weights`` order (Keras' ``_legacy_weights``): Dense (kernel (in, units), bias),
Conv2D (kernel (KH, KW, C_in, filters), bias), BatchNormalization (gamma, beta, moving_mean,
moving_variance; gamma / beta absent with scale / center False), Embedding (embeddings), SimpleRNN /
LSTM / GRU (kernel (F, G*U), recurrent_kernel (U, G*U), bias), Bidirectional (forward layer's,
then backward layer's). tensorforge keeps the same layouts, so most layers load unchanged; what
``keras_to_layer`` converts is what Keras 2's own ``preprocess_weights_for_loading`` converts:

  * Conv2D kernels in the Keras 1 / Theano layout (filters, C_in, KH, KW) ->
    (KH, KW, C_in, filters);
  * cuDNN-saved LSTM (CuDNNLSTM: bias (8U,), input / recurrent biases apart, per-gate kernels in
    cuDNN's column-major order) -> LSTM (bias (4U,) = the sum of the two);
  * cuDNN-saved GRU (CuDNNGRU: bias (6U,)) -> GRU(reset_after=True) (bias (2, 3U));
  * LSTM -> CuDNN layout and GRU(reset_after=True) -> CuDNN layout when writing for those classes is
    not needed: we write our own classes.

A GRU saved with reset_after=False cannot feed a GRU with reset_after=True (or the reverse): the two
formulations compute different functions, and Keras refuses that too.
"""
import numpy as np

__all__ = ["bare_name", "keras_to_layer", "layer_weight_names"]


def _per_gate(kernel, func, n_gates):
    return np.hstack([func(k) for k in np.hsplit(kernel, n_gates)])


def _from_cudnn_input(kernel):
    return kernel.T.reshape(kernel.shape, order="F")


def _lstm(layer, ws, where):
    if len(ws) != 3:
        return ws
    units = ws[1].shape[0]
    if ws[2].shape == (8 * units,):  # CuDNNLSTM
        return [_per_gate(ws[0], _from_cudnn_input, 4), _per_gate(ws[1], lambda k: k.T, 4),
                ws[2][:4 * units] + ws[2][4 * units:]]
    if ws[2].shape != (4 * units,):
        raise ValueError(f"{where}: LSTM bias of shape {ws[2].shape} (units {units}) is neither "
                         f"the LSTM ({4 * units},) nor the CuDNNLSTM ({8 * units},) layout")
    return ws


def _gru(layer, ws, where):
    if len(ws) != 3:
        return ws
    units = ws[1].shape[0]
    shape = ws[2].shape
    if shape == (6 * units,):
        source = "CuDNNGRU"
    elif shape == (2, 3 * units):
        source = "GRU(reset_after=True)"
    elif shape == (3 * units,):
        source = "GRU(reset_after=False)"
    else:
        raise ValueError(f"{where}: GRU bias of shape {shape} (units {units}) matches no GRU "
                         "layout")
    target = "GRU(reset_after=True)" if layer.reset_after else "GRU(reset_after=False)"
    if source == target:
        return ws
    if "GRU(reset_after=False)" in (source, target):
        raise ValueError(f"{where}: weights saved by {source} cannot be loaded into {target} (the "
                         f"two GRU formulations compute different functions)")
    return [_per_gate(ws[0], _from_cudnn_input, 3), _per_gate(ws[1], lambda k: k.T, 3),
            ws[2].reshape(2, -1)]


def _conv2d(layer, ws, where, keras_version):
    if not ws:
        return ws
    want = tuple(layer.kernel.shape)
    k = ws[0]
    if keras_version == "1" and getattr(layer, "data_format", None) == "channels_first" \
            and k.ndim == 4:
        k = np.transpose(k, (2, 3, 1, 0))
    if k.shape != want and k.ndim == 4:
        k = np.transpose(k, (3, 2, 0, 1))  # Keras 2: a Theano-layout kernel
    return [k] + list(ws[1:])


def keras_to_layer(layer, ws, where, keras_version=None):
    """The arrays ``ws`` of one Keras layer, converted to ``layer``'s layouts (a new list)."""
    ws = [np.asarray(w) for w in ws]
    kind = type(layer).__name__
    if hasattr(layer, "layers"):  # a nested model: its arrays are used as they are
        return ws
    if kind == "Bidirectional":
        half = len(ws) // 2
        return (keras_to_layer(layer.forward_layer, ws[:half], where, keras_version) +
                keras_to_layer(layer.backward_layer, ws[half:], where, keras_version))
    if kind == "Conv2D":
        return _conv2d(layer, ws, where, keras_version)
    if kind == "LSTM":
        return _lstm(layer, ws, where)
    if kind == "GRU":
        return _gru(layer, ws, where)
    return ws


def bare_name(name):
    """A variable's name without TensorFlow's output index: "dense/kernel:0" -> "dense/kernel"
    (None stays None)."""
    return name[:-2] if name is not None and name.endswith(":0") else name


def layer_weight_names(layer, weights=None):
    """Keras-style dataset names ``<layer>/<weight>:0`` of ``weights`` (default: the layer's)."""
    names = []
    for t in (layer.weights if weights is None else weights):
        n = bare_name(t.name) or f"{layer.name}/w{len(names)}"
        if not n.startswith(layer.name + "/"):
            n = f"{layer.name}/{n}"
        names.append(n + ":0")
    if len(set(names)) < len(names):
        names = _nested_names(layer, weights, names)
    return names


def _nested_names(layer, weights, names):
    """When names collide (keras-tcn's residual blocks each build a ``conv1D_0``), each weight is
    named by the path of layers down to its owner, as TensorFlow's name scopes make them
    (``tcn/residual_block_0/conv1D_0/kernel:0``)."""
    paths, stack = {}, [(layer, layer.name)]
    while stack:
        l, path = stack.pop()
        for _, t, _ in getattr(l, "_weights", []):
            paths.setdefault(id(t), f"{path}/{(bare_name(t.name) or '').split('/')[-1]}:0")
        stack.extend((sub, f"{path}/{sub.name}") for sub in reversed(l._sublayers()))
    ws = layer.weights if weights is None else weights
    return [paths.get(id(t), n) for n, t in zip(names, ws)]
