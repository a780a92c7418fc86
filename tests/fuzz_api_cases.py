"""The fuzz sweep's case builders for the public API: tensorforge.ops (with NumPy oracles),
the losses, layer constructors given nonsense and other constructor / argument cases checked
against tf_keras 2 (tests/test_fuzz.py runs them)."""
import numpy as np

from fuzz_native_cases import Case, _kernel_cases, _renamed, f32, pick, rnn_arrays


def _ops_cases():
    """Builders for the public tensorforge.ops; with grad=True the float array arguments become
    Tensors requiring grad and the case also runs backward() (gradients compared too)."""
    O = {}

    def binary(name):
        return lambda rng: Case(name, "ops", [f32(rng, 3, 4), f32(rng, *pick(rng, [(3, 4), (4,), (1, 4)]))], named=False)
    for n in ("add", "sub", "mul", "div", "maximum"):
        O[n] = binary(n)
    for n in ("neg", "exp", "abs", "sqrt", "log"):
        O[n] = (lambda n: lambda rng: Case(n, "ops", [np.abs(f32(rng, 3, 4)) + 0.1], named=False))(n)
    O["power"] = lambda rng: Case("power", "ops", [np.abs(f32(rng, 3, 4)) + 0.1, float(rng.choice([2, 0.5, -1]))], named=False)
    O["sum"] = lambda rng: Case("sum", "ops", [f32(rng, 3, 4)], {"axis": pick(rng, [None, 0, 1, -1])}, named=False)
    O["mean"] = lambda rng: Case("mean", "ops", [f32(rng, 3, 4)], {"axis": pick(rng, [None, 0, 1])}, named=False)
    O["reshape"] = lambda rng: Case("reshape", "ops", [f32(rng, 3, 4), (4, 3)], named=False)
    O["transpose"] = lambda rng: Case("transpose", "ops", [f32(rng, 3, 4)], named=False)
    O["clip"] = lambda rng: Case("clip", "ops", [f32(rng, 3, 4), -0.5, 0.5], named=False)
    O["matmul"] = lambda rng: Case("matmul", "ops", [f32(rng, 3, 4), f32(rng, 4, 5)])
    O["gemm"] = lambda rng: Case("gemm", "ops", [f32(rng, 3, 4), f32(rng, 4, 5)])
    O["concatenate"] = lambda rng: Case("concatenate", "ops", [[f32(rng, 2, 3), f32(rng, 2, 2)]], {"axis": -1}, named=False)
    kb = _kernel_cases()
    for n in ("conv2d", "max_pool2d", "avg_pool2d", "global_avg_pool2d"):
        O[n] = _relevel_from(kb[n], "ops")
    for n in ("relu", "leaky_relu", "elu", "selu", "softplus", "sigmoid", "hard_sigmoid", "tanh", "linear"):
        O[n] = (lambda n: lambda rng: Case(n, "ops", [f32(rng, 3, 5, scale=3)]))(n)
    O["softmax"] = lambda rng: Case("softmax", "ops", [f32(rng, 2, 3, 4)], {"axis": int(rng.choice([-1, 0, 1]))})

    def xent(rng):
        N, C = int(rng.integers(1, 6)), int(rng.integers(1, 8))
        sparse = bool(rng.integers(2))
        t = rng.integers(0, C, N) if sparse else np.eye(C, dtype=np.float32)[rng.integers(0, C, N)]
        return Case("softmax_cross_entropy", "ops", [f32(rng, N, C), t, sparse])
    O["softmax_cross_entropy"] = xent
    O["dropout"] = lambda rng: Case("dropout", "ops", [f32(rng, 4, 5), 0.5], {"seed": 3})

    def rnn(name, G):
        def make(rng):
            Bn, T, F, U, x, k, rk = rnn_arrays(rng, G)
            bias = f32(rng, G * U) if name != "gru" else f32(rng, 2, 3 * U)
            return Case(name, "ops", [x, k, rk, bias])
        return make
    O["lstm"], O["gru"], O["simple_rnn"] = rnn("lstm", 4), rnn("gru", 3), rnn("simple_rnn", 1)
    O["batch_norm_train"] = _renamed("batch_norm_forward_train", "batch_norm_train", "ops")
    O["batch_norm_infer"] = _renamed("batch_norm_forward_infer", "batch_norm_infer", "ops")
    O["embedding_lookup"] = _renamed("embedding_forward", "embedding_lookup", "ops")
    O["layer_norm"] = _renamed("layer_norm_forward", "layer_norm", "ops")
    O["group_norm"] = _renamed("group_norm_forward", "group_norm", "ops")
    for n in ("conv2d_transpose", "depthwise_conv2d"):
        O[n] = _relevel_from(kb[n], "ops")
    O.update(_oracle_ops_cases())
    O.update(_volume_ops_cases())
    return O


def _volume_ops_cases():
    """keras14's grouped and 3-D ops (compared with the same op on the numpy backend); swept
    apart from the seeded list (test_fuzz._LATE)."""
    O = {}

    def dims(rng, lo=1, hi=6):
        return int(rng.integers(lo, hi))

    def grouped(rng):
        G, cg, fg, k = dims(rng, 1, 4), dims(rng, 1, 4), dims(rng, 1, 3), dims(rng, 1, 4)
        x = f32(rng, dims(rng, 1, 3), dims(rng, 3, 8), dims(rng, 3, 8), G * cg)
        b = f32(rng, G * fg) if rng.random() < 0.5 else None
        return Case("grouped_conv2d", "ops", [x, f32(rng, k, k, cg, G * fg), b],
                    {"strides": dims(rng, 1, 3), "padding": pick(rng, ["valid", "same"]),
                     "groups": G})

    def conv3d(rng):
        C, F = dims(rng, 1, 4), dims(rng, 1, 4)
        x = f32(rng, dims(rng, 1, 3), dims(rng, 2, 6), dims(rng, 2, 6), dims(rng, 2, 6), C)
        w = f32(rng, dims(rng, 1, 3), dims(rng, 1, 3), dims(rng, 1, 3), C, F)
        return Case("conv3d", "ops", [x, w, f32(rng, F) if rng.random() < 0.5 else None],
                    {"strides": dims(rng, 1, 3), "padding": pick(rng, ["valid", "same"])})

    def conv3d_t(rng):
        C, F, k, s = dims(rng, 1, 4), dims(rng, 1, 4), dims(rng, 1, 4), dims(rng, 1, 3)
        D, H, W = dims(rng, 1, 4), dims(rng, 1, 4), dims(rng, 1, 4)
        pad = pick(rng, ["valid", "same"])
        out = tuple(n * s if pad == "same" else n * s + max(k - s, 0) for n in (D, H, W))
        return Case("conv3d_transpose", "ops",
                    [f32(rng, dims(rng, 1, 3), D, H, W, C), f32(rng, k, k, k, F, C), None, out],
                    {"strides": s, "padding": pad})

    def pool3d(rng):
        x = f32(rng, dims(rng, 1, 3), dims(rng, 2, 6), dims(rng, 2, 6), dims(rng, 2, 6),
                dims(rng, 1, 4))
        return Case("pool3d", "ops", [x, dims(rng, 1, 3)],
                    {"strides": dims(rng, 1, 3), "padding": pick(rng, ["valid", "same"]),
                     "mode": pick(rng, ["max", "avg"])})
    O.update(grouped_conv2d=grouped, conv3d=conv3d, conv3d_transpose=conv3d_t, pool3d=pool3d)
    return O


def _shape(rng, lo=1, hi=5, rank=None):
    r = int(rng.integers(1, 4)) if rank is None else rank
    return tuple(int(rng.integers(lo, hi)) for _ in range(r))


def _axis_pick(rng, ndim, multi=True):
    """A legal axis (None, an int, negative ints, a list) or, sometimes, an illegal one."""
    if rng.random() < 0.15:
        return pick(rng, [ndim, -ndim - 1, 1.5, "0", 2 ** 62, [0, 0] if ndim else [0]])
    if multi and rng.random() < 0.3:
        return pick(rng, [None, list(range(ndim)), [-1] if ndim else None])
    return int(rng.integers(-ndim, ndim)) if ndim else None


def _t(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _o(x):
    """The NumPy array an oracle computes on (lists become float64 arrays: the tolerance of
    compare() covers float32 vs float64)."""
    from tensorforge.autograd import Tensor
    if isinstance(x, (Tensor, np.ndarray)):
        return x.data if isinstance(x, Tensor) else x
    return Tensor(x).data  # Python numbers and lists: the dtype the ops give them (float32)


_ACT_ORACLE = {
    "linear": lambda x, a: x, "relu": lambda x, a: np.where(x > 0, x, np.where(x != x, x, 0)),
    "leaky_relu": lambda x, a: np.where(x > 0, x, a * x), "tanh": lambda x, a: np.tanh(x),
    "elu": lambda x, a: np.where(x > 0, x, a * (np.exp(np.minimum(x, 0)) - 1)),
    "sigmoid": lambda x, a: 1 / (1 + np.exp(-x)),
    "softplus": lambda x, a: np.logaddexp(0, x),
    "hard_sigmoid": lambda x, a: np.clip(0.2 * x + 0.5, 0, 1),
    "selu": lambda x, a: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(np.minimum(x, 0))),
}


def _oracle_ops_cases():
    """Builders for the public ops written on the array module (reductions, shape ops,
    elementwise): each Case carries an independent NumPy oracle (Case.ref) instead of the same
    op on the numpy backend."""
    O = {}

    def case(name, args, ref, kwargs=None):
        c = Case(name, "ops", args, kwargs)
        c.ref = ref
        return c

    def reduction(name, fn, kinds="f"):
        def make(rng):
            x = f32(rng, *_shape(rng))
            if kinds == "i" and rng.random() < 0.5:
                x = rng.integers(-3, 4, x.shape).astype(np.int32)
            axis = _axis_pick(rng, x.ndim)
            kd = bool(rng.integers(2))
            return case(name, [x, axis, kd], lambda x, axis, kd: fn(_o(x).astype(np.float64), _t(axis), kd))
        return make
    O["reduce_max"] = reduction("reduce_max", lambda x, a, k: np.max(x, axis=a, keepdims=k), "i")
    O["reduce_min"] = reduction("reduce_min", lambda x, a, k: np.min(x, axis=a, keepdims=k), "i")
    O["reduce_prod"] = reduction("reduce_prod", lambda x, a, k: np.prod(x, axis=a, keepdims=k), "i")
    O["reduce_var"] = reduction("reduce_var", lambda x, a, k: np.var(x, axis=a, keepdims=k))
    O["logsumexp"] = reduction("logsumexp", lambda x, a, k: np.log(np.sum(np.exp(x), axis=a, keepdims=k)))
    O["reduce_any"] = reduction("reduce_any", lambda x, a, k: np.any(x != 0, axis=a, keepdims=k))
    O["reduce_all"] = reduction("reduce_all", lambda x, a, k: np.all(x != 0, axis=a, keepdims=k))

    def any_all_bool(name):
        base = O[name]

        def make(rng):
            c = base(rng)
            if rng.random() < 0.5:  # masks: mostly one value, so both outcomes occur
                c.args[0] = rng.random(c.args[0].shape) < pick(rng, [0.1, 0.9])
            return c
        return make
    O["reduce_any"] = any_all_bool("reduce_any")
    O["reduce_all"] = any_all_bool("reduce_all")

    def scan(name, fn):
        def make(rng):
            x = f32(rng, *_shape(rng))
            return case(name, [x, _axis_pick(rng, x.ndim, multi=False) if rng.random() < 0.9 else None],
                        lambda x, axis: fn(_o(x).astype(np.float64), axis=axis))
        return make
    O["cumsum"] = scan("cumsum", np.cumsum)
    O["cumprod"] = scan("cumprod", np.cumprod)

    def arg(name, fn):
        def make(rng):
            x = f32(rng, *_shape(rng))
            if rng.random() < 0.3:  # ties: the first index wins, as NumPy
                x = rng.integers(0, 2, x.shape).astype(np.float32)
            axis = _axis_pick(rng, x.ndim, multi=False) if rng.random() < 0.85 else None
            return case(name, [x, axis], lambda x, axis: fn(_o(x), axis=axis))
        return make
    O["argmax"] = arg("argmax", np.argmax)
    O["argmin"] = arg("argmin", np.argmin)

    def norm_axis(rng):
        ndim = int(rng.integers(0, 5))
        axis = _axis_pick(rng, ndim)
        ndim_arg = ndim if rng.random() < 0.9 else pick(rng, [-1, 1.5, None, "2"])

        def ref(op, axis, ndim, shape):
            if axis is None:
                return None
            items = axis if isinstance(axis, (list, tuple)) else [axis]
            return tuple(sorted(a % ndim for a in items))
        c = case("normalize_axis", ["fuzz", axis, ndim_arg, (3,) * ndim], ref)
        c.named = False  # its errors name the op it is given ("fuzz")
        return c
    O["normalize_axis"] = norm_axis

    def stack(rng):
        shape = _shape(rng)
        n = int(rng.integers(1, 4))
        xs = [f32(rng, *shape) for _ in range(n)]
        if rng.random() < 0.15:
            xs[-1] = f32(rng, *(shape + (2,)))  # mismatched shapes
        axis = int(rng.integers(-len(shape) - 1, len(shape) + 1)) if rng.random() < 0.85 else pick(rng, [len(shape) + 1, 1.5, None])
        return case("stack", [xs, axis], lambda xs, axis: np.stack([_o(x) for x in xs], axis=axis))
    O["stack"] = stack

    def einsum(rng):
        eq, shapes = pick(rng, [("ab,bc->ac", [(2, 3), (3, 4)]), ("ae,pe->ap", [(3, 2), (4, 2)]),
                                ("abc,xba->xc", [(2, 3, 2), (4, 3, 2)]), ("ij,jk", [(2, 3), (3, 1)]),
                                ("ab->", [(3, 2)]), ("ab,b->a", [(2, 5), (5,)])])
        xs = [f32(rng, *sh) for sh in shapes]
        if rng.random() < 0.15:
            xs[-1] = f32(rng, *(tuple(shapes[-1][:-1]) + (shapes[-1][-1] + 1,)))  # sizes disagree
        elif rng.random() < 0.1:
            eq = pick(rng, ["aa->a", "...a->a", "ab,bc->ad"])  # diagonal, ellipsis, unknown index
        return case("einsum", [eq] + xs, lambda eq, *xs: np.einsum(eq, *[_o(x) for x in xs]))
    O["einsum"] = einsum

    def tile(rng):
        x = f32(rng, *_shape(rng))
        reps = tuple(int(rng.integers(0, 3)) for _ in range(x.ndim))
        if rng.random() < 0.2:  # huge counts are geometry only: a ValueError before allocating
            reps = reps[:-1] + (pick(rng, [2 ** 40, 2 ** 62, -1]),)
        return case("tile", [x, reps], lambda x, reps: np.tile(_o(x), reps))
    O["tile"] = tile

    def repeat(rng):
        x = f32(rng, *_shape(rng))
        rep = int(rng.integers(0, 4)) if rng.random() < 0.8 else pick(rng, [2 ** 40, 2 ** 62, -1])
        return case("repeat", [x, rep, _axis_pick(rng, x.ndim, multi=False)],
                    lambda x, rep, axis: np.repeat(_o(x), rep, axis=axis))
    O["repeat"] = repeat

    def gather(rng):
        ref = f32(rng, *_shape(rng))
        idx = rng.integers(0, ref.shape[0], _shape(rng, 0, 4)).astype(pick(rng, [np.int32, np.int64]))
        return case("gather", [ref, idx], lambda r, i: np.take(_o(r), _o(i), axis=0))
    O["gather"] = gather

    def reverse(rng):
        x = f32(rng, *_shape(rng))
        axes = _axis_pick(rng, x.ndim)
        return case("reverse", [x, axes],
                    lambda x, axes: np.flip(_o(x), axis=_t(axes) if axes is not None else ()))
    O["reverse"] = reverse

    def pad(rng):
        x = f32(rng, *_shape(rng))
        pads = [(int(rng.integers(0, 3)), int(rng.integers(0, 3))) for _ in range(x.ndim)]
        if rng.random() < 0.2:  # huge widths are geometry only
            pads[-1] = (0, pick(rng, [2 ** 40, 2 ** 62, -1]))
        return case("pad", [x, tuple(pads)], lambda x, pads: np.pad(_o(x), pads))
    O["pad"] = pad

    def unary(name, fn):
        return lambda rng: case(name, [f32(rng, *_shape(rng), scale=3)], lambda x: fn(_o(x)))
    O["square"] = unary("square", np.square)
    O["sin"] = unary("sin", np.sin)
    O["cos"] = unary("cos", np.cos)

    def minimum(rng):
        return case("minimum", [f32(rng, 3, 4), f32(rng, *pick(rng, [(3, 4), (4,), (1, 4), (2, 4)]))],
                    lambda a, b: np.minimum(_o(a), _o(b)))
    O["minimum"] = minimum

    def where(rng):
        cond = rng.random(pick(rng, [(3, 4), (4,), (1, 4), (2, 4)])) < 0.5
        if rng.random() < 0.3:
            cond = cond.astype(np.float32)
        return case("where", [cond, f32(rng, 3, 4), f32(rng, *pick(rng, [(3, 4), (4,), (1, 1)]))],
                    lambda c, a, b: np.where(_o(c).astype(bool), _o(a), _o(b)))
    O["where"] = where

    def cast(rng):
        x = f32(rng, *_shape(rng), scale=3)
        dt = pick(rng, [np.float64, np.int32, np.int64, np.float16, "float32", bool, "bogus", object, str])
        return case("cast", [x, dt], lambda x, dt: _o(x).astype(dt))
    O["cast"] = cast

    def generic_act(rng):
        x = f32(rng, *_shape(rng), scale=3).astype(pick(rng, [np.float32, np.float64]))
        kind = pick(rng, list(_ACT_ORACLE) + ["swish2"])
        alpha = float(rng.choice([0.0, 0.2, 1.0]))
        return case("generic_act", [x, kind, alpha],
                    lambda x, kind, alpha: _ACT_ORACLE[kind](_o(x).astype(np.float64), alpha))
    O["generic_act"] = generic_act

    def generic_softmax(rng):
        x = f32(rng, *_shape(rng), scale=3).astype(pick(rng, [np.float32, np.float64]))

        def ref(x, axis):
            x = _o(x).astype(np.float64)
            if x.size == 0:
                return x
            e = np.exp(x - np.max(x, axis=_t(axis), keepdims=True))
            return e / np.sum(e, axis=_t(axis), keepdims=True)
        return case("generic_softmax", [x, _axis_pick(rng, x.ndim)], ref)
    O["generic_softmax"] = generic_softmax

    def upsample(rng):
        x = f32(rng, int(rng.integers(1, 3)), int(rng.integers(1, 5)), int(rng.integers(1, 5)), 2)
        size = pick(rng, [2, (1, 3), (2, 1), 2 ** 40, (1, 2 ** 62), 0])
        interp = pick(rng, ["nearest", "nearest", "bilinear", "cubic"])
        c = Case("upsample2d", "ops", [x, size, interp])
        if interp == "nearest":
            def ref(x, size, interp):
                sh, sw = (size, size) if isinstance(size, int) else size
                return np.repeat(np.repeat(_o(x), sh, axis=1), sw, axis=2)
            c.ref = ref
        return c
    O["upsample2d"] = upsample
    return O


def _relevel_from(make0, level):
    def make(rng):
        c = make0(rng)
        c.level = level
        return c
    return make


def _public_ops():
    import tensorforge as tf
    return {n for n in dir(tf.ops) if not n.startswith("_") and callable(getattr(tf.ops, n))}


def _loss_cases():
    def scce(rng):
        N, C = int(rng.integers(1, 6)), int(rng.integers(2, 8))
        from tensorforge import reference as R
        return Case("sparse_categorical_crossentropy", "losses",
                    [rng.integers(0, C, N), R.softmax_forward(f32(rng, N, C))])
    return {"sparse_categorical_crossentropy": scce}


# Layer constructors given nonsense must raise (Keras 2 raises for these at construction or at
# the first build): (layer, keyword, good value) and the bad values tried for each.
LAYER_ARGS = [("Dense", "units", 4), ("Conv2D", "filters", 4), ("Conv2D", "kernel_size", 3),
              ("Conv2D", "strides", 1), ("Conv2D", "dilation_rate", 1), ("Conv2D", "padding", "same"),
              ("MaxPooling2D", "pool_size", 2), ("MaxPooling2D", "strides", 2),
              ("AveragePooling2D", "pool_size", 2), ("LSTM", "units", 3), ("GRU", "units", 3),
              ("SimpleRNN", "units", 3), ("Embedding", "input_dim", 10), ("Embedding", "output_dim", 3),
              ("Dropout", "rate", 0.5), ("BatchNormalization", "axis", -1), ("LeakyReLU", "alpha", 0.3)]
BAD_LAYER_VALUES = [1.5, "10", 0, -1, (0, 3), (2, -1), True, 2.5, "same2", [1, 2, 3], None]
_NONE_OK = {("MaxPooling2D", "strides"), ("AveragePooling2D", "strides")}
_REQUIRED = {"Dense": ["units"], "Conv2D": ["filters", "kernel_size"], "LSTM": ["units"],
             "GRU": ["units"], "SimpleRNN": ["units"], "Embedding": ["input_dim", "output_dim"],
             "Dropout": ["rate"]}


def _layer_case(rng):
    layer, key, good = LAYER_ARGS[int(rng.integers(len(LAYER_ARGS)))]
    bad = BAD_LAYER_VALUES[int(rng.integers(len(BAD_LAYER_VALUES)))]
    defaults = {"units": 4, "filters": 4, "kernel_size": 3, "input_dim": 10, "output_dim": 3, "rate": 0.5}
    kwargs = {k: defaults[k] for k in _REQUIRED.get(layer, [])}
    kwargs[key] = bad
    valid = ((layer, key) in _NONE_OK and bad is None) or (
        key == "rate" and bad in (0,)) or (key == "axis" and bad in (0, -1)) or (
        key == "alpha" and isinstance(bad, (int, float)) and not isinstance(bad, bool)) or (
        key == "padding" and bad == "same") or (  # Dense: int(units) >= 0, as tf_keras
        (layer, key) == ("Dense", "units") and (isinstance(bad, (int, float)) or (
            isinstance(bad, str) and bad.isdigit())) and not isinstance(bad, bool) and
        int(bad) >= 0) or (  # conv filters: int() of a float, as tf_keras (Conv2D(1.5): 1)
        (layer, key) == ("Conv2D", "filters") and isinstance(bad, float) and bad >= 1)
    c = Case(layer, "layers", [], kwargs)
    c.mutations = [f"{key}={bad!r}"]
    c.expect_error = not valid
    return c


# Constructor / argument cases beyond LAYER_ARGS, each checked against tf_keras 2 (Keras raises
# for these, or tensorforge documents a stricter check): (the name the message must contain,
# the call). All must raise TypeError or ValueError; _CTOR_OK must run.
CTOR_BAD = [
    ("Conv1D", "L.Conv1D(0, 3)"), ("Conv1D", "L.Conv1D(4, 0)"), ("Conv1D", "L.Conv1D(4, 3, strides=0)"),
    ("Conv1D", "L.Conv1D(0.5, 3)"), ("Conv2DTranspose", "L.Conv2DTranspose(4, 3, strides=2, output_padding=2)"),
    ("Conv2DTranspose", "L.Conv2DTranspose(4, 3, strides=0)"), ("Conv2DTranspose", "L.Conv2DTranspose(0, 3)"),
    ("UpSampling1D", "L.UpSampling1D(0)"), ("UpSampling2D", "L.UpSampling2D(0)"),
    ("UpSampling2D", "L.UpSampling2D(2, interpolation='cubic')"), ("ZeroPadding1D", "L.ZeroPadding1D(-1)"),
    ("ZeroPadding2D", "L.ZeroPadding2D(((1, -1), (0, 0)))"), ("Cropping1D", "L.Cropping1D(-1)"),
    ("Cropping2D", "L.Cropping2D(((1, -1), (0, 0)))"), ("SeparableConv2D", "L.SeparableConv2D(4, 3, depth_multiplier=0)"),
    ("DepthwiseConv2D", "L.DepthwiseConv2D(3, depth_multiplier=0)"), ("DepthwiseConv2D", "L.DepthwiseConv2D(0)"),
    ("MaxPooling1D", "L.MaxPooling1D(0)"), ("AveragePooling1D", "L.AveragePooling1D(2, padding='foo')"),
    ("GlobalAveragePooling2D", "L.GlobalAveragePooling2D(data_format='foo')"),
    ("GlobalMaxPooling1D", "L.GlobalMaxPooling1D(data_format='foo')"), ("TimeDistributed", "L.TimeDistributed(5)"),
    ("RepeatVector", "L.RepeatVector(0)"), ("RepeatVector", "L.RepeatVector(1.5)"), ("Permute", "L.Permute((1, 1))"),
    ("Permute", "L.Permute(5)"), ("Masking", "L.Masking(mask_value='x')"), ("Dropout", "L.SpatialDropout1D(1.5)"),
    ("Dropout", "L.SpatialDropout2D(-0.1)"), ("GaussianDropout", "L.GaussianDropout(1.0)"),
    ("AlphaDropout", "L.AlphaDropout(1.5)"), ("GaussianNoise", "L.GaussianNoise(-1)"),
    ("ActivityRegularization", "L.ActivityRegularization(l1='x')"),
    ("LayerNormalization", "L.LayerNormalization(axis=1.5)"), ("LayerNormalization", "L.LayerNormalization(epsilon=-1)"),
    ("ReLU", "L.ReLU(max_value=-1)"), ("ReLU", "L.ReLU(threshold=-1)"), ("initializer", "L.PReLU(alpha_initializer='bogus')"),
    ("ELU", "L.ELU(alpha='x')"), ("ThresholdedReLU", "L.ThresholdedReLU(theta=-1)"), ("Softmax", "L.Softmax(axis=1.5)"),
    ("ConvLSTM2D", "L.ConvLSTM2D(4, 0)"), ("ConvLSTM2D", "L.ConvLSTM2D(0, 3)"),
    ("Adadelta", "O.Adadelta(rho=1.5)"), ("Adamax", "O.Adamax(beta_1=1.0)"), ("Nadam", "O.Nadam(beta_1=1.5)"),
    ("Adam", "O.Adam(amsgrad='x')"), ("decay", "O.Adam(decay=-1)"), ("decay", "O.SGD(decay=-1)"),
    ("ExponentialDecay", "S.ExponentialDecay(0.1, 0, 0.9)"),
    ("PiecewiseConstantDecay", "S.PiecewiseConstantDecay([1, 2], [0.1])"),
    ("ReduceLROnPlateau", "C.ReduceLROnPlateau(factor=1.0)"), ("mode", "C.EarlyStopping(mode='foo')"),
    ("pad_sequences", "pad_sequences([[1, 2]], maxlen=-1)"), ("pad_sequences", "pad_sequences([[1, 2]], padding='middle')"),
    ("Tokenizer", "Tokenizer(num_words=-1)"), ("ImageDataGenerator", "ImageDataGenerator(zoom_range=(1, 2, 3))"),
    ("ImageDataGenerator", "ImageDataGenerator(rotation_range='x')"),
    ("ImageDataGenerator", "ImageDataGenerator(validation_split=1.5)"),
    ("fit", "fit(validation_split=1.5)"), ("fit", "fit(class_weight={'a': 1})"), ("fit", "fit(class_weight={5: 1.0})"),
    ("fit", "fit(sample_weight=np.ones(3))"), ("fit", "fit(steps_per_epoch=0)"), ("fit", "fit(epochs=-1)"),
    ("fit", "fit(epochs=1.5)"), ("fit", "fit(batch_size=2.5)"), ("fit", "fit(epochs=0)"),
]
CTOR_OK = ["L.Conv2DTranspose(4, 3, strides=2, output_padding=1)", "L.UpSampling2D((1, 3))",
           "L.Conv1D(1.5, 3)", "L.Dense('10')",  # (int() of each, as tf_keras 2.21)
           "L.Softmax(axis=1)", "L.ReLU(max_value=6.0)", "O.Adam(amsgrad=True)", "fit(epochs=2, initial_epoch=2)",
           "ImageDataGenerator(width_shift_range=[-1, 0, 1])", "L.Permute((2, 1))"]


def _ctor_case(rng):
    if rng.random() < 0.15:
        c = Case("ctor", "ctor", [pick(rng, CTOR_OK)])
        c.mutations = [c.args[0]]
        return c
    name, call = pick(rng, CTOR_BAD)
    c = Case(name, "ctor", [call])
    c.mutations = [call]
    c.expect_error = True
    return c


def _run_ctor(case):
    from tensorforge import callbacks as C, layers as L, models, optimizers as O
    from tensorforge.optimizers import schedules as S
    from tensorforge.preprocessing.image import ImageDataGenerator
    from tensorforge.preprocessing.sequence import pad_sequences
    from tensorforge.preprocessing.text import Tokenizer

    def fit(**kw):
        m = models.Sequential([L.Dense(2, input_shape=(3,))])
        m.compile("sgd", "mse")
        m.fit(np.zeros((8, 3), np.float32), np.zeros((8, 2), np.float32), verbose=0, **kw)
    ns = dict(L=L, O=O, S=S, C=C, np=np, fit=fit, pad_sequences=pad_sequences, Tokenizer=Tokenizer,
              ImageDataGenerator=ImageDataGenerator)
    tag = f"ctor: {case.args[0]}"
    try:
        eval(case.args[0], ns)  # noqa: S307  (a fixed table of calls)
    except (TypeError, ValueError) as e:
        if not case.expect_error:
            return "wrong-error", f"{tag}: a valid call refused: {e}"
        return ("error-ok" if case.name in str(e) else "unnamed-error"), f"{tag}: {e}"
    except Exception as e:  # noqa: BLE001
        return "wrong-exception", f"{tag}: {type(e).__name__}: {e}"
    return ("silent-acceptance", tag) if case.expect_error else ("ok", tag)
