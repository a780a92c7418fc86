"""A layer's output shape found by running it once on stand-in inputs (what Layer does for a
symbolic call when the layer states no ``compute_output_shape``)."""
import numpy as np

from ..autograd import Tensor, no_grad
from .._tensor_shape import ReshapeSizeError
from .deferred_restore import RestoreError
from .input_spec import _fmt_shape, is_shape
from .layer_call import call_context, input_mask, invoke_call, traced_training
from ..symbolic.node import flatten, is_symbolic, pack_like


_STAND_INS = [0]  # > 0 while a layer runs on stand-in inputs


def running_on_stand_ins():
    """True inside ``_infer_by_running``'s call: the values are stand-ins (zeros, ones, empty
    strings), so a check on values that Keras 2's symbolic call never makes must not fire (a
    StringLookup with num_oov_indices=0 inside a custom layer sees b"" here)."""
    return _STAND_INS[0] > 0


# Note [stand-in batch]: the stand-in inputs have the batch ``batch`` on an unknown first axis;
# an output axis 0 of that size is the batch (None). A known first axis is kept in the stand-in
# and an output axis 0 of another size is kept as it is, as tf_keras' symbolic shapes keep them:
# a fixed batch (Input(batch_shape=(32, 3)) through a Lambda stays (32, ...)), a reduction over
# the batch (K.mean(x, axis=0): (4, 4, 3)), a scalar (K.mean(x): ()), which then feed other ops.
def _infer_by_running(layer, input_shape, inputs=None, kwargs=None, batch=2,
                      keep_type=False, symbolic=False):
    """The output shape of ``layer`` for ``input_shape``, found by calling it on zeros (batch 2)
    under no_grad, with training=False (but See ``symbolic``); Tensor kwargs (initial_state) are replaced the same way.
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
    eager calls]). A call that fails both ways on a reshape may be written for one batch size:
    See Note [a batch the layer fixes]. ``keep_type``: the error keeps the type of the
    layer's own (an AttributeError in a Lambda's function is one, as tf_keras raises it).
    ``symbolic``: the run stands for a symbolic call, whose ``call`` receives the training
    tf_keras's trace passes (See Note [training of a symbolic call]); else training=False."""
    training = False  # (a training given to a symbolic call: See Note [training of a symbolic call])
    if symbolic and "training" not in (kwargs or {}):
        training = traced_training(layer.call)
    fill, fixed = [0.0], batch
    fdt = np.float64 if getattr(layer, "compute_dtype", None) == "float64" else np.float32

    def dummy(shape, sub, dtype=fdt, batch=batch):
        # a known first axis (a fixed batch: Input(batch_shape=(32, ...)), a tensor reduced
        # over its batch) and a scalar stay as they are (See Note [stand-in batch])
        dims = ([] if len(shape) == 0 else [batch if shape[0] is None else int(shape[0])]) + \
            [sub if d is None else int(d) for d in shape[1:]]
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
                y = invoke_call(layer, x, training=training, mask=m, **kw)
            if layer._metrics_added:  # the add_metric names the graph holds (Keras 2 lists
                layer.__dict__["_graph_metric_names"] = [  # them in a model's metrics_names)
                    n for l in layer._flatten_layers() for n, _ in l.__dict__.get("_call_metrics", ())]
        finally:
            _STAND_INS[0] -= 1
            layer._clear_call_losses()
        # a None among the outputs (a subclassed model returning (logits, None) when called
        # without targets: keras-io's GPT example builds one) has no shape: None stands for it;
        # an output axis 0 follows the batch when it has the stand-in's size (Note [stand-in
        # batch])
        return y, [None if t is None else
                   tuple(t.shape) if len(t.shape) == 0 or t.shape[0] != batch else
                   (None,) + tuple(t.shape[1:]) for t in flatten(y)]

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
                fits = _batch_fitting(first, batch)
                if fits is None:
                    raise first from None
                fill[0] = 0.0
                try:
                    y, shapes = run(1, batch=fits)
                except Exception:  # noqa: BLE001
                    raise first from None
                batch = fits
    except Exception as e:  # noqa: BLE001 -- reported with the layer's name and the shapes
        msg = (f'Layer "{layer.name}" ({type(layer).__name__}) failed on an input of shape '
               f"{_fmt_shape(input_shape)}: {type(e).__name__}: {e}")
        if keep_type and type(e) is not ValueError:
            try:
                err = type(e)(msg)
            except Exception:  # noqa: BLE001 -- a type not made from one message
                err = None
            if err is not None:
                raise err from None
        raise ValueError(msg) from None
    in_shapes = ([t.shape for t in flatten(inputs)] if inputs is not None else
                 [input_shape] if is_shape(input_shape) else list(input_shape))
    unknown = any(d is None for s in in_shapes for d in tuple(s)[1:])
    # (an output axis 0 of another size than the stand-in batch may still follow it: K.flatten
    # of a batch is batch x the rest; a second batch tells)
    if unknown or any(d == batch for s in shapes if s is not None for d in s[1:]) or \
            any(s is not None and len(s) and s[0] is not None for s in shapes):
        seen = {d for s in shapes if s is not None for d in s if d is not None}
        batch2 = batch + 1  # a size no output axis of the first call has (K.shape of a rank-3
        while batch2 in seen:  # tensor is (3,): a second batch of 3 would read it as the batch)
            batch2 += 1
        try:
            _, shapes2 = run(2 if unknown else 1, batch=batch2)
        except Exception:  # noqa: BLE001 -- the first call's shapes stand
            shapes2 = shapes
        shapes = [tuple(None if a != b else a for a, b in zip(s1, s2))
                  if s1 is not None and s2 is not None and len(s1) == len(s2)
                  else s1 for s1, s2 in zip(shapes, shapes2)]
    if batch != fixed:  # See Note [a batch the layer fixes]: Keras 2 says the batch it fits
        shapes = [(batch,) + tuple(s[1:]) if s is not None and len(s) and s[0] is None else s
                  for s in shapes]
    return shapes[0] if not isinstance(y, (list, tuple)) else shapes


# Note [a batch the layer fixes]
# Keras 2 builds a functional model by tracing each layer on a symbolic batch of unknown size,
# and TensorFlow cannot check a reshape of such a tensor: keras-io's Switch Transformer
# (text_classification_with_switch_transformer.py) reshapes its (batch, 200, 32) input to the
# fixed (batch_size * 200, 32) = (10000, 32) of its batches of 50 and back to (tf.shape(x)[0],
# 200, 32), and Keras 2 builds it (it then trains only on full batches of 50). Here a layer is
# run on a stand-in batch, and a batch of 2 fails that reshape. When it does, the reshape's
# counts name the one batch it fits (10000 * 32 elements over 200 * 32 a sample: 50), and the
# layer is run once more on that batch; if that fails too, the first error is the one reported.
# Keras 2's shape inference then knows the batch too: its output shape says (50, 200, 32), not
# (None, 200, 32), and so does this one.
def _batch_fitting(e, batch):
    """The stand-in batch size a failed reshape (``e``, of a call on ``batch`` samples) fits,
    or None when the error is not such a reshape, no whole batch fits it, or the batch would
    be over 4,096 samples (too big a stand-in to run)."""
    if not isinstance(e, ReshapeSizeError) or not e.target or e.size % batch:
        return None
    per = e.size // batch  # the elements of one sample in the reshaped tensor
    fits = e.target // per if per and e.target % per == 0 else None
    return fits if fits and fits != batch and fits <= 4096 else None
