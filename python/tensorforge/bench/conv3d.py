"""Conv3D, MaxPooling3D, AveragePooling3D and UpSampling3D forward and forward+backward ms: the
tensorforge Keras layers called on autograd Tensors, as a Keras program runs them, against
PyTorch CPU (torch.nn.functional.conv3d / max_pool3d / avg_pool3d / interpolate, channels_last
NCDHW views prepared outside the timed region), same thread count. forward+backward = forward,
then the backward of a fixed dy into x and the layer's weights. Before timing, the outputs and
gradients of both sides are compared (geometries where TensorFlow's and PyTorch's paddings
coincide: odd kernels at stride 1, or 'valid')."""
import numpy as np

from ._util import table, timeit, timeit_alternating, try_torch
from .conv_layers import _check as _check_layers, layer_case

# name, layer kind, input shape (N, D, H, W, C), layer arguments
LAYERS = [
    ("c3d 3->32", "conv3d", (8, 16, 32, 32, 3), dict(filters=32, kernel_size=3, padding="same")),
    ("c3d 32->64", "conv3d", (8, 16, 16, 16, 32), dict(filters=64, kernel_size=3, padding="same")),
    ("strided s2", "conv3d", (8, 16, 32, 32, 16), dict(filters=32, kernel_size=3, strides=2)),
    ("dilated d2", "conv3d", (8, 16, 16, 16, 16), dict(filters=16, kernel_size=3, padding="same",
                                                       dilation_rate=2)),
    ("layer scan", "conv3d", (8, 8, 16, 16, 4), dict(filters=8, kernel_size=3, padding="same")),
    ("maxpool 2", "maxpool", (8, 16, 32, 32, 32), dict(pool_size=2)),
    ("avgpool 2", "avgpool", (8, 16, 32, 32, 32), dict(pool_size=2)),
    ("upsample 2", "upsample", (8, 8, 16, 16, 32), dict(size=2)),
]


def _layer(kind, kw):
    from .. import layers as L
    return {"conv3d": L.Conv3D, "maxpool": L.MaxPooling3D, "avgpool": L.AveragePooling3D,
            "upsample": L.UpSampling3D}[kind](**kw)


def _check(name, what, got, want):
    _check_layers(name, what, got, want, suite="conv3d")


def _torch_side(torch, kind, kw, x, ws):
    """(forward function of the torch input and weights, torch input, torch weights)."""
    F = torch.nn.functional
    xt = torch.from_numpy(x).permute(0, 4, 1, 2, 3)  # NCDHW view of NDHWC memory: channels_last
    if kind == "upsample":
        return lambda xt: F.interpolate(xt, scale_factor=kw["size"], mode="nearest"), xt, []
    if kind in ("maxpool", "avgpool"):
        fn = F.max_pool3d if kind == "maxpool" else F.avg_pool3d
        return lambda xt: fn(xt, kw["pool_size"]), xt, []
    k, s, d = kw["kernel_size"], kw.get("strides", 1), kw.get("dilation_rate", 1)
    pad = (k - 1) * d // 2 if kw.get("padding") == "same" else 0  # stride 1, odd k
    wt = torch.from_numpy(ws[0]).permute(4, 3, 0, 1, 2).contiguous(
        memory_format=torch.channels_last_3d)  # (KD, KH, KW, C, F) -> (F, C, KD, KH, KW)
    bt = torch.from_numpy(ws[1])
    return (lambda xt, wt, bt: F.conv3d(xt, wt, bt, stride=s, padding=pad, dilation=d), xt,
            [wt, bt])


def run(args):
    torch = try_torch() if "torch" in args.against else None
    rng = np.random.default_rng(0)
    rows = []
    quick = dict(min_time=0.2, min_runs=3) if args.quick else {}
    for name, kind, xs, kw in (LAYERS[::2] if args.quick else LAYERS):
        layer = _layer(kind, kw)
        x, ws, dy, xt, ours = layer_case(layer, xs, rng)

        def ours_f():
            layer(x)

        row = [name, f"{'x'.join(map(str, xs))} " + " ".join(
            f"{k}={v}" for k, v in kw.items())]
        if torch is None:
            row += [timeit(ours_f, **quick) * 1e3, timeit(ours, **quick) * 1e3]
            rows.append(row)
            continue
        fwd, xtt, wtt = _torch_side(torch, kind, kw, x, ws)
        xg = xtt.detach().clone(memory_format=torch.channels_last_3d).requires_grad_(True)
        wg = [w.detach().clone().requires_grad_(True) for w in wtt]
        dyt = torch.from_numpy(dy).permute(0, 4, 1, 2, 3)
        ours()
        y_t = fwd(xg, *wg)
        y_t.backward(dyt)
        _check(name, "output", layer(x).numpy(), y_t.detach().permute(0, 2, 3, 4, 1).numpy())
        _check(name, "dx", xt.grad, xg.grad.permute(0, 2, 3, 4, 1).numpy())
        if wg:
            _check(name, "dkernel", layer.weights[0].grad, wg[0].grad.permute(2, 3, 4, 1, 0).numpy())
            _check(name, "dbias", layer.weights[1].grad, wg[1].grad.numpy())
        xn = xtt.detach().clone(memory_format=torch.channels_last_3d)
        wn = [w.detach() for w in wtt]

        def theirs_f():
            with torch.no_grad():
                fwd(xn, *wn)

        def theirs():
            xg.grad = None
            for w in wg:
                w.grad = None
            fwd(xg, *wg).backward(dyt)
        # sampled in turns with ours (bench/_util.py timeit_alternating)
        f_o, f_t = timeit_alternating([ours_f, theirs_f], **quick)
        t_o, t_t = timeit_alternating([ours, theirs], **quick)
        rows.append(row + [f_o * 1e3, f_t * 1e3, f_t / f_o, t_o * 1e3, t_t * 1e3, t_t / t_o])
    cols = ["layer", "shape", "fwd ms", "fwd+bwd ms"]
    if torch is not None:
        cols = ["layer", "shape", "fwd ms", "torch fwd ms", "fwd vs torch", "fwd+bwd ms",
                "torch fwd+bwd ms", "fwd+bwd vs torch"]
    return table(cols, rows) + ("\n(Keras layers on autograd Tensors; vs torch = torch's time / "
                                "ours)")
