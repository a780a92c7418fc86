"""Per-layer ONNX converters: ``CONVERTERS[class name](g, layer, inputs, mask) -> (output, mask)``.

Layouts: tensors stay in Keras' layouts between layers (NHWC images, batch-major (B, T, F)
sequences); a converter that needs ONNX's NCHW (Conv, MaxPool, AveragePool) or time-major
(RNN, LSTM, GRU) layout transposes around its op, and ONNX Runtime folds the back-to-back
transposes of consecutive layers.

Recurrent layers map onto the native ONNX ops (See Note [rnn gates]). With a mask (from
Embedding(mask_zero=True)) the sequence is run one step at a time through the same native op and
each step's state is kept only where the mask is set, exactly Keras' "a masked step carries the
previous state" rule, for any mask (pre- or post-padding).

Masks are bool (B, T) tensors, passed on by the layers that support masking, as in the model.
"""
import numpy as np

__all__ = ["CONVERTERS", "convert_activation"]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _act_name(act):
    return act if isinstance(act, str) else getattr(act, "__name__", repr(act))


def convert_activation(g, x, act, base="act", axis=-1):
    name = _act_name(act)
    if name in ("linear", None):
        return x
    if name == "relu":
        return g.node("Relu", [x], base)
    if name == "sigmoid":
        return g.node("Sigmoid", [x], base)
    if name == "tanh":
        return g.node("Tanh", [x], base)
    if name == "softmax":
        return g.node("Softmax", [x], base, axis=axis)
    if name == "elu":
        return g.node("Elu", [x], base, alpha=1.0)
    if name == "selu":
        return g.node("Selu", [x], base, alpha=_SELU_ALPHA, gamma=_SELU_SCALE)
    if name == "softplus":
        return g.node("Softplus", [x], base)
    if name == "hard_sigmoid":
        return g.node("HardSigmoid", [x], base, alpha=0.2, beta=0.5)  # Keras 2's 0.2 x + 0.5
    if name == "leaky_relu":
        return g.node("LeakyRelu", [x], base, alpha=0.3)
    raise ValueError(f"onnx.export: activation {name!r} has no ONNX conversion")


# ---- core ---------------------------------------------------------------------------------------

def _dense(g, layer, ins, mask):
    (x,) = ins
    y = g.node("MatMul", [x, g.const(layer.kernel.numpy(), layer.name + "/kernel")], layer.name)
    if layer.bias is not None:
        y = g.node("Add", [y, g.const(layer.bias.numpy(), layer.name + "/bias")], layer.name)
    return convert_activation(g, y, layer.activation, layer.name + "/act"), mask


def _activation(g, layer, ins, mask):
    return convert_activation(g, ins[0], layer.activation, layer.name), mask


def _identity(g, layer, ins, mask):
    return ins[0], mask


def _flatten(g, layer, ins, mask):
    return g.node("Flatten", [ins[0]], layer.name, axis=1), None


def _reshape(g, layer, ins, mask):
    shape = g.i64([0] + list(layer.target_shape), layer.name + "/shape")
    return g.node("Reshape", [ins[0], shape], layer.name), None


def _leaky_relu(g, layer, ins, mask):
    return g.node("LeakyRelu", [ins[0]], layer.name, alpha=float(layer.alpha)), mask


def _batch_norm(g, layer, ins, mask):
    """Inference: x * scale + shift with the moving statistics folded (channels last)."""
    mean = layer.moving_mean.numpy().astype(np.float64)
    var = layer.moving_variance.numpy().astype(np.float64)
    inv = 1.0 / np.sqrt(var + layer.epsilon)
    gamma = layer.gamma.numpy() if layer.gamma is not None else 1.0
    beta = layer.beta.numpy() if layer.beta is not None else 0.0
    scale = (gamma * inv).astype(np.float32)
    shift = (beta - mean * gamma * inv).astype(np.float32)
    y = g.node("Mul", [ins[0], g.const(scale, layer.name + "/scale")], layer.name)
    return g.node("Add", [y, g.const(shift, layer.name + "/shift")], layer.name), mask


def _embedding(g, layer, ins, mask):
    (x,) = ins
    ids = g.node("Cast", [x], layer.name + "/ids", to=g.onnx.TensorProto.INT64)
    y = g.node("Gather", [g.const(layer.embeddings.numpy(), layer.name + "/embeddings"), ids],
               layer.name, axis=0)
    if not layer.mask_zero:
        return y, None
    zero = g.const(np.zeros((), np.int64), layer.name + "/zero")
    m = g.node("Not", [g.node("Equal", [ids, zero], layer.name + "/pad")], layer.name + "/mask")
    return y, m


# ---- convolution and pooling --------------------------------------------------------------------

def _same_pads(in_hw, k, s, d):
    """TensorFlow's SAME padding (the odd pixel after), as ONNX pads [top, left, bottom, right]."""
    before, after = [], []
    for n, kk, ss, dd in zip(in_hw, k, s, d):
        if n is None:
            raise ValueError("onnx.export: 'same' padding needs static image sizes")
        out = -(-n // ss)
        total = max((out - 1) * ss + (kk - 1) * dd + 1 - n, 0)
        before.append(total // 2)
        after.append(total - total // 2)
    return before + after


def _hw(layer, shape):
    return (shape[1], shape[2]) if layer.data_format == "channels_last" else (shape[2], shape[3])


def _to_nchw(g, layer, x):
    return g.node("Transpose", [x], layer.name + "/nchw", perm=[0, 3, 1, 2]) \
        if layer.data_format == "channels_last" else x


def _from_nchw(g, layer, y):
    return g.node("Transpose", [y], layer.name + "/nhwc", perm=[0, 2, 3, 1]) \
        if layer.data_format == "channels_last" else y


def _conv2d(g, layer, ins, mask):
    k = layer.kernel.numpy()  # (KH, KW, C_in, F)
    w = np.ascontiguousarray(np.transpose(k, (3, 2, 0, 1)))  # ONNX (F, C_in, KH, KW)
    pads = ([0, 0, 0, 0] if layer.padding == "valid" else
            _same_pads(_hw(layer, layer.input_shape), layer.kernel_size, layer.strides,
                       layer.dilation_rate))
    conv_in = [_to_nchw(g, layer, ins[0]), g.const(w, layer.name + "/kernel")]
    if layer.bias is not None:
        conv_in.append(g.const(layer.bias.numpy(), layer.name + "/bias"))
    y = g.node("Conv", conv_in, layer.name, kernel_shape=list(layer.kernel_size),
               strides=list(layer.strides), dilations=list(layer.dilation_rate), pads=pads)
    y = convert_activation(g, y, layer.activation, layer.name + "/act", axis=1)
    return _from_nchw(g, layer, y), None


def _pool(op):
    def convert(g, layer, ins, mask):
        pads = ([0, 0, 0, 0] if layer.padding == "valid" else
                _same_pads(_hw(layer, layer.input_shape), layer.pool_size, layer.strides, (1, 1)))
        attrs = dict(kernel_shape=list(layer.pool_size), strides=list(layer.strides), pads=pads)
        if op == "AveragePool":
            attrs["count_include_pad"] = 0  # Keras averages over the valid pixels only
        y = g.node(op, [_to_nchw(g, layer, ins[0])], layer.name, **attrs)
        return _from_nchw(g, layer, y), None
    return convert


def _global_avg(g, layer, ins, mask):
    axes = [1, 2] if layer.data_format == "channels_last" else [2, 3]
    return g.reduce_mean(ins[0], axes, keepdims=0, base=layer.name), None


# ---- recurrent ----------------------------------------------------------------------------------

# Note [rnn gates]
# Keras stores kernel (F, G*U) and recurrent_kernel (U, G*U), gates side by side in columns and
# used as x @ kernel; ONNX wants W (1, G*H, F) and R (1, G*H, H), used as X @ W^T, with its own
# gate order: LSTM Keras i, f, c, o -> ONNX i, o, f, c; GRU z, r, h -> ONNX z, r, h (same);
# SimpleRNN one gate. ONNX's bias B (1, 2*G*H) is [Wb, Rb]: Keras LSTM / SimpleRNN have one bias
# (-> Wb, Rb = 0), GRU(reset_after=True) has (2, 3U) = [input bias, recurrent bias] and maps to
# linear_before_reset=1, GRU(reset_after=False) has one bias and linear_before_reset=0.
_ORDER = {"LSTM": [0, 3, 1, 2], "GRU": [0, 1, 2], "SimpleRNN": [0]}
_OP = {"LSTM": "LSTM", "GRU": "GRU", "SimpleRNN": "RNN"}
_RNN_ACT = {"sigmoid": ("Sigmoid", None, None), "tanh": ("Tanh", None, None),
            "relu": ("Relu", None, None), "hard_sigmoid": ("HardSigmoid", 0.2, 0.5),
            "linear": ("Affine", 1.0, 0.0), "softplus": ("Softplus", None, None)}


def _gates(a, order, U):
    return np.concatenate([a[..., i * U:(i + 1) * U] for i in order], axis=-1)


def _rnn_params(g, layer):
    kind = type(layer).__name__
    U = layer.units
    order = _ORDER[kind]
    W = _gates(layer.kernel.numpy(), order, U).T[None]
    R = _gates(layer.recurrent_kernel.numpy(), order, U).T[None]
    G = len(order)
    if layer.bias is None:
        B = np.zeros((1, 2 * G * U), np.float32)
    else:
        b = layer.bias.numpy()
        if b.ndim == 2:  # GRU reset_after: [input bias, recurrent bias]
            B = np.concatenate([_gates(b[0], order, U), _gates(b[1], order, U)])[None]
        else:
            B = np.concatenate([_gates(b, order, U), np.zeros(G * U, np.float32)])[None]
    acts, alphas, betas = [], [], []
    names = ([layer.activation] if kind == "SimpleRNN" else
             [layer.recurrent_activation, layer.activation] +
             ([layer.activation] if kind == "LSTM" else []))
    for a in names:
        a = _act_name(a)
        if a not in _RNN_ACT:
            raise ValueError(f"onnx.export: {layer.name}: activation {a!r} has no ONNX RNN form")
        op, al, be = _RNN_ACT[a]
        acts.append(op)
        alphas.append(al)
        betas.append(be)
    attrs = dict(hidden_size=U, activations=acts)
    if any(a is not None for a in alphas):
        attrs["activation_alpha"] = [1.0 if a is None else a for a in alphas]
        attrs["activation_beta"] = [0.0 if b is None else b for b in betas]
    if kind == "GRU":
        attrs["linear_before_reset"] = int(layer.reset_after)
    consts = [g.const(W.astype(np.float32), layer.name + "/W"),
              g.const(R.astype(np.float32), layer.name + "/R"),
              g.const(B.astype(np.float32), layer.name + "/B")]
    return _OP[kind], consts, attrs


def _rnn(g, layer, ins, mask):
    if layer.return_state:
        raise ValueError(f"onnx.export: {layer.name}: return_state=True is not supported")
    x = ins[0]
    is_lstm = type(layer).__name__ == "LSTM"
    op, (W, R, B), attrs = _rnn_params(g, layer)
    if layer.go_backwards:  # Keras feeds the reversed sequence (and mask) and keeps that order
        x = g.reverse_time(x, 1, layer.name + "/reverse")
        if mask is not None:
            mask = g.reverse_time(mask, 1, layer.name + "/reverse_mask")
    xt = g.node("Transpose", [x], layer.name + "/time_major", perm=[1, 0, 2])  # (T, B, F)
    n_out = 3 if is_lstm else 2
    if mask is None:
        outs = g.node(op, [xt, W, R, B], layer.name, n_out=n_out, **attrs)
        y_seq, y_h = outs[0], outs[1]  # (T, 1, B, U), (1, B, U)
        if layer.return_sequences:
            y = g.node("Transpose", [g.squeeze(y_seq, [1], layer.name + "/seq")],
                       layer.name + "/batch_major", perm=[1, 0, 2])
            return y, None
        return g.squeeze(y_h, [0], layer.name + "/last"), None
    return _rnn_masked(g, layer, xt, mask, op, (W, R, B), attrs, is_lstm)


def _rnn_masked(g, layer, xt, mask, op, consts, attrs, is_lstm):
    T = layer.input_shape[1]
    if T is None:
        raise ValueError(f"onnx.export: {layer.name}: a masked recurrent layer needs a static "
                         "sequence length")
    W, R, B = consts
    U = layer.units
    mt = g.node("Transpose", [mask], layer.name + "/mask_tm", perm=[1, 0])  # (T, B)
    # zeros (1, B, U) with the batch size of the input
    bdim = g.slice(g.node("Shape", [xt], layer.name + "/shape"), [1], [2], [0])
    zshape = g.node("Concat", [g.i64([1], "one"), bdim, g.i64([U], "units")],
                    layer.name + "/zshape", axis=0)
    zero = g.node("ConstantOfShape", [zshape], layer.name + "/zeros",
                  value=g.onnx.helper.make_tensor("z", g.onnx.TensorProto.FLOAT, [1], [0.0]))
    h, c = zero, zero
    seq = []
    n_out = 3 if is_lstm else 2
    for t in range(T):
        x_t = g.slice(xt, [t], [t + 1], [0], base=f"{layer.name}/x{t}")
        m_t = g.unsqueeze(g.slice(mt, [t], [t + 1], [0], base=f"{layer.name}/m{t}"), [2])
        ins = [x_t, W, R, B, "", h] + ([c] if is_lstm else [])
        outs = g.node(op, ins, f"{layer.name}/step{t}", n_out=n_out, **attrs)
        h = g.node("Where", [m_t, outs[1], h], f"{layer.name}/h{t}")
        if is_lstm:
            c = g.node("Where", [m_t, outs[2], c], f"{layer.name}/c{t}")
        seq.append(h)
    if layer.return_sequences:
        y = g.node("Concat", seq, layer.name + "/seq", axis=0)  # (T, B, U)
        return g.node("Transpose", [y], layer.name + "/batch_major", perm=[1, 0, 2]), mask
    return g.squeeze(h, [0], layer.name + "/last"), None


def _bidirectional(g, layer, ins, mask):
    yf, _ = _rnn(g, layer.forward_layer, ins, mask)
    yb, _ = _rnn(g, layer.backward_layer, ins, mask)
    if layer.return_sequences:
        yb = g.reverse_time(yb, 1, layer.name + "/unreverse")
    mode = layer.merge_mode
    if mode == "concat":
        y = g.node("Concat", [yf, yb], layer.name, axis=-1)
    elif mode == "sum":
        y = g.node("Add", [yf, yb], layer.name)
    elif mode == "mul":
        y = g.node("Mul", [yf, yb], layer.name)
    elif mode == "ave":
        y = g.node("Mul", [g.node("Add", [yf, yb], layer.name),
                           g.const(np.float32(0.5), "half")], layer.name)
    else:
        raise ValueError(f"onnx.export: {layer.name}: merge_mode={mode!r} is not supported")
    return y, (mask if layer.return_sequences else None)


# ---- merge layers (functional models) -----------------------------------------------------------

def _fold(op):
    def convert(g, layer, ins, mask):
        y = ins[0]
        for other in ins[1:]:
            y = g.node(op, [y, other], layer.name)
        return y, None
    return convert


def _average(g, layer, ins, mask):
    y, _ = _fold("Add")(g, layer, ins, mask)
    return g.node("Div", [y, g.const(np.float32(len(ins)), layer.name + "/n")], layer.name), None


def _subtract(g, layer, ins, mask):
    if len(ins) != 2:
        raise ValueError(f"onnx.export: {layer.name}: Subtract takes exactly 2 inputs")
    return g.node("Sub", ins, layer.name), None


def _concatenate(g, layer, ins, mask):
    return g.node("Concat", list(ins), layer.name, axis=int(getattr(layer, "axis", -1))), None


def _reduce_sum(g, x, axis, base):
    return g.node("ReduceSum", [x, g.i64([axis], "axes")], base, keepdims=1)


def _l2_normalize(g, x, axis, base):
    sq = _reduce_sum(g, g.node("Mul", [x, x], base), axis, base)
    n = g.node("Sqrt", [g.node("Max", [sq, g.const(np.float32(1e-12), "eps12")], base)], base)
    return g.node("Div", [x, n], base)


def _dot(g, layer, ins, mask):
    """Keras Dot: 2-D inputs -> (B, 1) sums of products; 3-D -> a batched matrix product."""
    a, b = ins
    rank = len(layer.input_shape[0])
    ax, bx = (x % rank for x in layer.axes)
    if layer.normalize:
        a = _l2_normalize(g, a, ax, layer.name + "/norm_a")
        b = _l2_normalize(g, b, bx, layer.name + "/norm_b")
    if rank == 2:
        return _reduce_sum(g, g.node("Mul", [a, b], layer.name), 1, layer.name), None
    if ax == 1:
        a = g.node("Transpose", [a], layer.name + "/ta", perm=[0, 2, 1])
    if bx == 2:
        b = g.node("Transpose", [b], layer.name + "/tb", perm=[0, 2, 1])
    return g.node("MatMul", [a, b], layer.name), None


CONVERTERS = {
    "Dense": _dense, "Activation": _activation, "Dropout": _identity, "InputLayer": _identity,
    "Flatten": _flatten, "Reshape": _reshape, "LeakyReLU": _leaky_relu,
    "BatchNormalization": _batch_norm, "Embedding": _embedding, "Conv2D": _conv2d,
    "MaxPooling2D": _pool("MaxPool"), "AveragePooling2D": _pool("AveragePool"),
    "GlobalAveragePooling2D": _global_avg, "SimpleRNN": _rnn, "LSTM": _rnn, "GRU": _rnn,
    "Bidirectional": _bidirectional, "Add": _fold("Add"), "Multiply": _fold("Mul"),
    "Maximum": _fold("Max"), "Minimum": _fold("Min"), "Average": _average,
    "Subtract": _subtract, "Concatenate": _concatenate, "Dot": _dot,
}
