"""A layer's output shape found by running it once on stand-in inputs (what Layer does for a
symbolic call when the layer states no ``compute_output_shape``)."""
import numpy as np

from ..autograd import Tensor, no_grad
from .deferred_restore import RestoreError
from .input_spec import _fmt_shape, is_shape
from .layer_call import call_context, input_mask, invoke_call
from .node import flatten, is_symbolic, pack_like


_STAND_INS = [0]  # > 0 while a layer runs on stand-in inputs


def running_on_stand_ins():
    """True inside ``_infer_by_running``'s call: the values are stand-ins (zeros, ones, empty
    strings), so a check on values that Keras 2's symbolic call never makes must not fire (a
    StringLookup with num_oov_indices=0 inside a custom layer sees b"" here)."""
    return _STAND_INS[0] > 0


def _infer_by_running(layer, input_shape, inputs=None, kwargs=None, batch=2):
    """The output shape of ``layer`` for ``input_shape``, found by calling it on zeros (batch 2)
    under no_grad, with training=False; Tensor kwargs (initial_state) are replaced the same way.
    Unknown (None) dimensions become 1; when there are any, a second call with 2 tells which
    output dimensions follow them: those stay None (a (batch, None, F) sequence through
    BatchNormalization keeps its None time axis, as Keras 2's symbolic shapes do). A call that
    fails on zeros is tried once more on ones: Keras 2 never runs the layer here, and some code
    refuses zeros as values (a CTC loss in a Lambda checks its sequence lengths are >= 1).
    An output dimension past the first that equals the stand-in batch is checked the same way
    with a batch of 3: one that follows the batch is None too (a custom RNN returning a
    TensorArray's time-major stack, Hands-On ML 2 ch. 15's MyRNN: Keras 2 says (None, None, 20)
    where a fixed batch would give (None, 2, 20)). ``batch`` replaces the stand-in batch of 2
    (a subclassed model's build(input_shape) with a stated batch: See Note [build shapes of
    eager calls])."""
    fill = [0.0]
    fdt = np.float64 if getattr(layer, "compute_dtype", None) == "float64" else np.float32

    def dummy(shape, sub, dtype=fdt, batch=batch):
        dims = [batch] + [sub if d is None else int(d) for d in shape[1:]]
        kind = np.dtype(dtype).kind  # the dtype call() would see: See Note [integer inputs]
        if kind == "O":  # string inputs: empty strings (a Lambda of a tf.lookup table or of
            return Tensor(np.full(dims, b"", dtype=object))  # tf.strings ops needs strings)
        keep = layer._keeps_input_dtype or (layer._int_inputs and kind in "iub")  # and Note
        return Tensor(np.full(dims, fill[0], dtype=dtype if keep else fdt))  # [float64 layers]

    def run(sub, batch=batch):
        if inputs is None:
            x = (dummy(input_shape, sub, batch=batch) if is_shape(input_shape)
                 else [dummy(s, sub, batch=batch) for s in input_shape])
        else:
            x = pack_like(inputs, [dummy(t.shape, sub, t.dtype, batch)
                                   for t in flatten(inputs)])
        kw = {}
        for k, v in (kwargs or {}).items():
            if is_symbolic(v):
                v = pack_like(v, [dummy(t.shape, sub, t.dtype, batch) for t in flatten(v)])
            kw[k] = v
        kw.pop("training", None)
        m = None if inputs is None else input_mask(inputs)  # Keras 2 calls it with the mask
        if m is not None:
            m = pack_like(m, [None if k is None else
                              np.ones([batch] + [sub if d is None else d for d in k.shape[1:]],
                                      bool)
                              for k in flatten(m)])
        _STAND_INS[0] += 1
        try:
            with no_grad(), call_context(False), np.errstate(all="ignore"):  # zeros may hit log(0)
                y = invoke_call(layer, x, training=False, mask=m, **kw)
            if layer._metrics_added:  # the add_metric names the graph holds (Keras 2 lists
                layer.__dict__["_graph_metric_names"] = [  # them in a model's metrics_names)
                    n for l in layer._flatten_layers() for n, _ in l.__dict__.get("_call_metrics", ())]
        finally:
            _STAND_INS[0] -= 1
            layer._clear_call_losses()
        return y, [(None,) + tuple(t.shape[1:]) for t in flatten(y)]

    try:
        try:
            y, shapes = run(1)
        except RestoreError:  # a waiting load_weights that does not fit: not the inputs
            raise
        except Exception as first:  # noqa: BLE001 -- ones next; the zeros' error if both fail
            fill[0] = 1.0
            try:
                y, shapes = run(1)
            except Exception:  # noqa: BLE001
                raise first from None
    except Exception as e:  # noqa: BLE001 -- reported with the layer's name and the shapes
        raise ValueError(f'Layer "{layer.name}" ({type(layer).__name__}) failed on an input of '
                         f"shape {_fmt_shape(input_shape)}: {type(e).__name__}: {e}") from None
    in_shapes = ([t.shape for t in flatten(inputs)] if inputs is not None else
                 [input_shape] if is_shape(input_shape) else list(input_shape))
    unknown = any(d is None for s in in_shapes for d in tuple(s)[1:])
    if unknown or any(d == batch for s in shapes for d in s[1:]):
        try:
            _, shapes2 = run(2 if unknown else 1, batch=batch + 1)
        except Exception:  # noqa: BLE001 -- the first call's shapes stand
            shapes2 = shapes
        shapes = [tuple(None if a != b else a for a, b in zip(s1, s2)) if len(s1) == len(s2)
                  else s1 for s1, s2 in zip(shapes, shapes2)]
    return shapes[0] if not isinstance(y, (list, tuple)) else shapes
