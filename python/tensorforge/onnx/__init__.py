"""ONNX export: ``tensorforge.onnx.export(model, 'model.onnx', opset=17)``.

Writes an inference graph of a built Sequential or functional model: weights become
initializers, the batch axis is dynamic (``batch``), every other axis keeps the model's static
size. Inputs are float32 in the model's layouts (NHWC images, (B, T, F) sequences; an Embedding
model takes its ids as float32, as ``predict`` does), named after the model's Input layers (a
Sequential model's is "<first layer>_input", as in Keras; ``input`` for a model without a
graph); outputs are ``output`` / ``output_<i>``.
The file passes ``onnx.checker`` (full check, with shape inference) before it is written;
``check(path)`` reads one back (a corrupt or truncated file raises a ValueError naming it).

Layers: Dense, Activation, Dropout (identity), Flatten, Reshape, LeakyReLU,
BatchNormalization (inference: the moving statistics folded into one scale and shift), Embedding
(mask_zero too), Conv2D, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, SimpleRNN, LSTM,
GRU (both reset_after), Bidirectional, and the merge layers Add, Subtract, Multiply, Average,
Maximum, Minimum, Concatenate, Dot; models nested as layers. Another layer raises a ValueError
naming it.
Opsets 13 .. the installed onnx's newest are accepted (17 by default).

Needs the optional ``onnx`` package (``pip install tensorforge[onnx]``); it is imported on use.
Writing is atomic (temp file in the target's directory, fsync, os.replace).
"""
import os
import tempfile

from ._builder import GraphBuilder
from ._layers import CONVERTERS

__all__ = ["export", "build", "check", "DEFAULT_OPSET", "MIN_OPSET"]

DEFAULT_OPSET = 17
MIN_OPSET = 13


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError("ONNX export needs the onnx package: pip install 'tensorforge[onnx]' "
                          "(or pip install onnx)") from None
    return onnx


def _value_info(onnx, name, shape):
    dims = ["batch" if i == 0 else (f"{name}_d{i}" if d is None else int(d))
            for i, d in enumerate(shape)]
    return onnx.helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, dims)


def _convert(g, layer, ins, mask):
    fn = CONVERTERS.get(type(layer).__name__)
    if fn is None:
        raise ValueError(f"onnx.export: layer {layer.name!r} ({type(layer).__name__}) has no ONNX "
                         f"conversion; supported: {', '.join(sorted(CONVERTERS))}")
    return fn(g, layer, ins, mask)


def _sequential(g, model):
    x = g.name("input")
    inputs = [(x, model.input_shape)]
    mask = None
    for layer in model.layers:
        x, mask = _convert(g, layer, [x], mask)
    return inputs, [(x, model.output_shape)]


def _graph_model(g, model):
    """Walk a functional model's graph (engine/functional API: nodes in topological order)."""
    from . import _functional as F
    return F.walk(g, model, _convert)


def _is_functional(model):
    return getattr(model, "_is_graph_network", False) and hasattr(model, "_plan")


def build(model, opset=DEFAULT_OPSET, name=None):
    """The onnx.ModelProto of ``model`` (checked), without writing it."""
    onnx = _onnx()
    newest = onnx.defs.onnx_opset_version()
    if not MIN_OPSET <= int(opset) <= newest:
        raise ValueError(f"onnx.export: opset must lie in [{MIN_OPSET}, {newest}], got {opset}")
    if not getattr(model, "built", False):
        raise ValueError("onnx.export: the model has not been built yet (no input shape)")
    g = GraphBuilder(onnx, int(opset))
    inputs, outputs = (_graph_model if _is_functional(model) else _sequential)(g, model)
    out_infos = []
    for i, (tensor, shape) in enumerate(outputs):
        oname = "output" if len(outputs) == 1 else f"output_{i}"
        g.node("Identity", [tensor], oname)
        g.nodes[-1].output[0] = oname
        out_infos.append(_value_info(onnx, oname, shape))
    graph = onnx.helper.make_graph(g.nodes, name or model.name,
                                   [_value_info(onnx, n, s) for n, s in inputs], out_infos,
                                   g.initializers)
    proto = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", int(opset))],
                                   producer_name="tensorforge")
    proto.ir_version = min(proto.ir_version, _max_ir(onnx, int(opset)))
    onnx.checker.check_model(proto, full_check=True)
    return proto


def _max_ir(onnx, opset):
    """The IR version that goes with ``opset`` (older runtimes refuse a newer IR)."""
    for ir_ver, op_ver in ((7, 13), (8, 14), (8, 15), (8, 16), (8, 17), (9, 18), (9, 19),
                           (10, 20), (10, 21)):
        if opset <= op_ver:
            return ir_ver
    return onnx.IR_VERSION


def export(model, path, opset=DEFAULT_OPSET):
    """Write ``model`` as an ONNX file at ``path`` (atomically). Returns the path."""
    proto = build(model, opset)
    path = os.fspath(path)
    d = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(d):
        raise FileNotFoundError(f"onnx.export: directory {d!r} does not exist")
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=d)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(proto.SerializeToString())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def check(path):
    """Read an ONNX file and run ``onnx.checker`` on it; returns the ModelProto. A missing file
    raises FileNotFoundError, a corrupt, truncated or invalid one a ValueError naming the file."""
    onnx = _onnx()
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"No file found at {path!r}")
    try:
        proto = onnx.load(path)
        onnx.checker.check_model(proto, full_check=True)
    except Exception as e:  # DecodeError, ValidationError, InferenceError: all mean a bad file
        first = str(e).splitlines()[0] if str(e) else ""
        raise ValueError(f"{path!r} is not a valid ONNX model (corrupt or truncated?): "
                         f"{type(e).__name__}: {first}") from None
    if not proto.graph.node:
        raise ValueError(f"{path!r} is not a valid ONNX model (corrupt or truncated?): the graph "
                         "is empty")
    return proto
