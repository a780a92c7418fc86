"""Conv1D, Conv2DTranspose, UpSampling2D and DepthwiseConv2D forward+backward ms (issue 12): the
tensorforge layers called on autograd Tensors, as a Keras program runs them, against the same
layers in PyTorch CPU (torch.nn.functional.conv1d / conv_transpose2d / interpolate / conv2d with
groups = C), same thread count.
PyTorch gets its preferred layouts (NCW for conv1d, channels_last NCHW for the 2-D ops), prepared
outside the timed region. Before timing, every side's output and input/weight gradients are
checked against the other's (the geometries are chosen so that TensorFlow's and PyTorch's
padding conventions coincide). Part of ``tensorforge bench conv``."""
import numpy as np

from ._util import table, timeit, timeit_alternating, try_torch

# name, layer kind, input shape (channels_last), layer arguments
LAYERS = [
    ("imdb cnn", "conv1d", (32, 400, 50), dict(filters=250, kernel_size=3)),
    ("wavenet causal d4", "conv1d", (16, 1000, 32), dict(filters=32, kernel_size=2,
                                                          padding="causal", dilation_rate=4)),
    ("dcgan 7->14", "conv2dt", (64, 7, 7, 128), dict(filters=64, kernel_size=4, strides=2,
                                                     padding="same")),
    ("dcgan 14->28", "conv2dt", (64, 14, 14, 64), dict(filters=32, kernel_size=4, strides=2,
                                                       padding="same")),
    ("unet up 2x2", "conv2dt", (16, 32, 32, 64), dict(filters=32, kernel_size=2, strides=2)),
    ("upsample 2x", "upsample", (64, 14, 14, 64), dict(size=(2, 2))),
    ("upsample 2x large", "upsample", (32, 56, 56, 64), dict(size=(2, 2))),
    # MobileNet v1 depthwise layers; the stride-2 one is 'valid' as in keras.applications
    # (ZeroPadding2D first), where PyTorch's symmetric padding = 0 is the same geometry
    ("mobilenet dw 112", "dwconv", (32, 112, 112, 32), dict(kernel_size=3, padding="same")),
    ("mobilenet dw 56 s2", "dwconv", (32, 56, 56, 128), dict(kernel_size=3, strides=2)),
    ("mobilenet dw 14", "dwconv", (32, 14, 14, 512), dict(kernel_size=3, padding="same")),
]


def _layer(kind, kw):
    from .. import layers as L
    return {"conv1d": L.Conv1D, "conv2dt": L.Conv2DTranspose, "upsample": L.UpSampling2D,
            "dwconv": L.DepthwiseConv2D}[kind](**kw)


def _check(name, what, got, want, suite="conv layers"):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    tol = 1e-4 * max(1.0, np.abs(want).max())
    if got.shape != want.shape or not (np.abs(got - want) <= tol).all():
        raise AssertionError(f"bench {suite} {name}: {what} differs from PyTorch's "
                             f"(shapes {got.shape} / {want.shape})")


def _torch_side(torch, kind, kw, x, ws):
    """(forward function of the torch input and weights, torch input, weights)."""
    F = torch.nn.functional
    if kind == "conv1d":
        k, d = kw["kernel_size"], kw.get("dilation_rate", 1)
        xt = torch.from_numpy(x).permute(0, 2, 1).contiguous()  # NCW
        wt = torch.from_numpy(ws[0]).permute(2, 1, 0).contiguous()  # (F, C, K)
        bt = torch.from_numpy(ws[1])
        left = (k - 1) * d if kw.get("padding") == "causal" else 0

        def fwd(xt, wt, bt):
            return F.conv1d(F.pad(xt, (left, 0)) if left else xt, wt, bt, dilation=d)
        return fwd, xt, [wt, bt], lambda y: y.permute(0, 2, 1)
    xt = torch.from_numpy(x).permute(0, 3, 1, 2)  # channels_last memory
    if kind == "upsample":
        return (lambda xt: F.interpolate(xt, scale_factor=kw["size"], mode="nearest"), xt, [],
                lambda y: y.permute(0, 2, 3, 1))
    if kind == "dwconv":
        k, s, C = kw["kernel_size"], kw.get("strides", 1), x.shape[3]
        pad = (k - 1) // 2 if kw.get("padding") == "same" else 0  # stride 1, odd k: TF's split
        # (KH, KW, C, M) -> (C*M, 1, KH, KW)
        wt = torch.from_numpy(np.ascontiguousarray(ws[0].transpose(2, 3, 0, 1)).reshape(
            -1, 1, k, k)).contiguous(memory_format=torch.channels_last)
        bt = torch.from_numpy(ws[1])
        return (lambda xt, wt, bt: F.conv2d(xt, wt, bt, stride=s, padding=pad, groups=C), xt,
                [wt, bt], lambda y: y.permute(0, 2, 3, 1))
    k, s = kw["kernel_size"], kw["strides"]
    # TF 'same' with k = 2s splits the padding evenly: PyTorch's padding = (k - s) // 2
    pad = (k - s) // 2 if kw.get("padding") == "same" else 0
    wt = torch.from_numpy(ws[0]).permute(3, 2, 0, 1).contiguous(memory_format=torch.channels_last)
    bt = torch.from_numpy(ws[1])
    return (lambda xt, wt, bt: F.conv_transpose2d(xt, wt, bt, stride=s, padding=pad), xt,
            [wt, bt], lambda y: y.permute(0, 2, 3, 1))


def layer_case(layer, xs, rng, one_dy=False):
    """A built layer with random weights (SD 0.1) on a random input x of shape ``xs``, an
    upstream gradient dy (one sample's repeated over the batch with ``one_dy``), xt (x as a
    Tensor) and ours(): forward, then backward of dy into xt and the weights, grads cleared
    first. Returns (x, weights, dy, xt, ours); the random draws come in that order."""
    from ..autograd import Tensor
    x = rng.standard_normal(xs).astype(np.float32)
    layer(x[:1])
    ws = [(rng.standard_normal(w.shape) * 0.1).astype(np.float32) for w in layer.get_weights()]
    layer.set_weights(ws)
    out = tuple(layer(x[:1]).shape[1:])
    if one_dy:
        dy = rng.standard_normal(out).astype(np.float32)
        dy = np.ascontiguousarray(np.broadcast_to(dy, (xs[0],) + out))
    else:
        dy = rng.standard_normal((xs[0],) + out).astype(np.float32)
    xt = Tensor(x, requires_grad=True)

    def ours():
        xt.grad = None
        for t in layer.weights:
            t.grad = None
        layer(xt).backward(dy)
    return x, ws, dy, xt, ours


def run(args):
    torch = try_torch() if "torch" in args.against else None
    rng = np.random.default_rng(0)
    rows = []
    quick = dict(min_time=0.2, min_runs=3) if args.quick else {}
    for name, kind, xs, kw in (LAYERS[::2] if args.quick else LAYERS):
        layer = _layer(kind, kw)
        x, ws, dy, xt, ours = layer_case(layer, xs, rng, one_dy=True)

        row = [name, f"{'x'.join(map(str, xs))} {kind} " + " ".join(
            f"{k}={v}" for k, v in kw.items() if k not in ("filters",))]
        if torch is None:
            t_o = timeit(ours, **quick)
            row.append(t_o * 1e3)
        if torch is not None:
            fwd, xtt, wtt, to_nhwc = _torch_side(torch, kind, kw, x, ws)
            xg = xtt.detach().clone(memory_format=torch.channels_last if xtt.dim() == 4
                                    else torch.contiguous_format).requires_grad_(True)
            wg = [w.detach().clone().requires_grad_(True) for w in wtt]
            dyt = torch.from_numpy(dy).permute(*((0, 2, 1) if dy.ndim == 3 else (0, 3, 1, 2)))
            # check: outputs and gradients agree before timing
            ours()
            y_t = fwd(xg, *wg)
            y_t.backward(dyt)
            _check(name, "output", layer(x).numpy(), to_nhwc(y_t.detach()).numpy())
            _check(name, "dx", xt.grad, to_nhwc(xg.grad).numpy())
            if wg:  # torch kernels back to Keras layouts: (F, C, K) -> (K, C, F); (C, F, KH, KW) -> (KH, KW, F, C)
                kperm = (2, 1, 0) if kind == "conv1d" else (2, 3, 1, 0)
                gk = wg[0].grad
                if kind == "dwconv":  # (C*M, 1, KH, KW) -> (KH, KW, C, M)
                    gk, kperm = gk.reshape(xs[3], -1, *gk.shape[2:]), (2, 3, 0, 1)
                _check(name, "dkernel", layer.weights[0].grad, gk.permute(*kperm).numpy())
                _check(name, "dbias", layer.weights[1].grad, wg[1].grad.numpy())

            def theirs():
                xg.grad = None
                for w in wg:
                    w.grad = None
                fwd(xg, *wg).backward(dyt)
            # sampled in turns with ours (bench/_util.py timeit_alternating)
            t_o, t_t = timeit_alternating([ours, theirs], **quick)
            row += [t_o * 1e3, t_t * 1e3, t_t / t_o]
        rows.append(row)
    cols = ["layer", "shape", "fwd+bwd ms"]
    if torch is not None:
        cols += ["torch fwd+bwd ms", "fwd+bwd vs torch"]
    return table(cols, rows) + ("\n(Keras layers on autograd Tensors: forward, then backward of a "
                                "fixed dy into x, kernel and bias; vs torch = torch's time / ours)")
