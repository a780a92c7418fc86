"""Attention layers (Keras 2's keras/layers/attention/): MultiHeadAttention, Attention (Luong
dot-product) and AdditiveAttention (Bahdanau), composed of autograd ops (ops.gemm for the
projections, batched matmul for scores and the weighted sum, ops.softmax, ops.dropout).

Keras 2 layouts: MultiHeadAttention's weights are its four EinsumDense sublayers' kernels and
biases in the order query, key, value, attention_output, with the per-head shapes
(dim, num_heads, key_dim), (num_heads, key_dim), ..., (num_heads, value_dim, output_dim),
(output_dim,). Masked positions get -1e9 added to their scores before the softmax, as Keras 2's
masked Softmax does for float32.
"""
import math
import warnings

import numpy as np

from .._xp import host
from .. import _random
from .. import initializers as _init
from .. import ops as _ops
from .. import regularizers as _reg
from ..engine.base_layer import InputSpec, Layer
from ..engine.dtype_policy import _input_converter
from ..ops import basic as B
from . import _args

_MASK_NEGATIVE = -1e9


def _mask_adder(mask, shape):
    """-1e9 where ``mask`` is False (0), broadcast to ``shape``; ``mask`` is an array or Tensor."""
    m = np.asarray(host(mask))
    if m.ndim > len(shape):
        raise ValueError(f"attention mask of shape {m.shape} has more axes than the scores {shape}")
    m = m.reshape((1,) * (len(shape) - m.ndim) + m.shape) if m.ndim < len(shape) else m
    try:
        np.broadcast_shapes(m.shape, shape)
    except ValueError:
        raise ValueError(f"attention mask of shape {m.shape} does not broadcast to the attention "
                         f"scores {shape}") from None
    return (1.0 - m.astype(np.float32)) * np.float32(_MASK_NEGATIVE)


def _causal(t, s):
    return np.tril(np.ones((t, s), dtype=bool))


def _softmax_dropout(scores, rate, training):
    probs = _ops.softmax(scores, axis=-1)
    if training and rate > 0:
        probs = _ops.dropout(probs, rate, training=True, seed=_random.next_seed())
    return probs


def _auto_mask(query, value, key):
    """Keras 2's MultiHeadAttention._compute_attention_mask without the explicit and causal
    parts: the query's padding mask (B, T) on the rows and the value's and key's (B, S) on the
    columns, combined into a (B, T, S) bool array (or a broadcastable (B, 1, S) / (B, T, 1));
    None when no input carries a mask (See Note [mask metadata] in engine/base_layer.py)."""
    def get(t, where):
        m = getattr(t, "_keras_mask", None)
        if m is None:
            return None
        m = np.asarray(host(m)).astype(bool)
        return m.reshape(m.shape[0], -1) if m.ndim > 2 else m
    qm = get(query, "query")
    vm = get(value, "value")
    km = None if key is None else get(key, "key")
    auto = None if qm is None else qm[:, :, None]
    for m in (vm, km):
        if m is not None:
            auto = m[:, None, :] if auto is None else np.logical_and(auto, m[:, None, :])
    return auto


class MultiHeadAttention(Layer):
    """Keras 2 MultiHeadAttention(num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
    output_shape=None, attention_axes=None, ...). Called as ``layer(query, value, key=None,
    attention_mask=None, return_attention_scores=False, training=None, use_causal_mask=False)``
    on (batch, T, dim) query and (batch, S, dim) value/key (more inner axes are flattened into
    one attention axis, as Keras' default attention_axes). Padding masks riding on the inputs
    (``_keras_mask``, e.g. from Embedding(mask_zero=True)) join the attention mask as Keras 2
    does: the query's on the rows, the value's and key's on the columns; the output carries the
    query's mask on."""
    supports_masking = True

    def __init__(self, num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
                 output_shape=None, attention_axes=None, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
                 **kwargs):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._set_constraints(kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        self.num_heads = _args.positive_int("MultiHeadAttention", "num_heads", num_heads)
        self.key_dim = _args.positive_int("MultiHeadAttention", "key_dim", key_dim)
        self.value_dim = (self.key_dim if value_dim is None
                          else _args.positive_int("MultiHeadAttention", "value_dim", value_dim))
        self.dropout = _args.rate("MultiHeadAttention", "dropout", dropout)
        self.use_bias = bool(use_bias)
        if output_shape is not None and not isinstance(output_shape, int):
            output_shape = tuple(output_shape)
            if len(output_shape) != 1:
                raise NotImplementedError("MultiHeadAttention: only a 1-D output_shape is supported,"
                                          f" got {output_shape}")
            output_shape = output_shape[0]
        self._output_dim = None if output_shape is None else _args.positive_int(
            "MultiHeadAttention", "output_shape", output_shape)
        if attention_axes is not None:
            raise NotImplementedError("MultiHeadAttention: attention_axes other than the default "
                                      "(all axes but batch and features) are not supported")
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.kernel_regularizer = _reg.get(kernel_regularizer)
        self.bias_regularizer = _reg.get(bias_regularizer)
        self._record(num_heads=self.num_heads, key_dim=self.key_dim, value_dim=self.value_dim,
                     dropout=self.dropout, use_bias=self.use_bias, output_shape=output_shape,
                     attention_axes=None, kernel_initializer=self.kernel_initializer,
                     bias_initializer=self.bias_initializer,
                     kernel_regularizer=self.kernel_regularizer,
                     bias_regularizer=self.bias_regularizer, activity_regularizer=None,
                     kernel_constraint=None, bias_constraint=None)
        self._dims = None

    def build(self, input_shape):
        # the weights depend on the value and key shapes too: created at the first call
        self.built = True

    def _build_from(self, q_dim, v_dim, k_dim):
        h, dk, dv = self.num_heads, self.key_dim, self.value_dim
        out = self._output_dim or q_dim
        self._dims = (q_dim, v_dim, k_dim)

        def dense(name, shape, bias_shape):
            w = self.add_weight(f"{name}/kernel", shape, self.kernel_initializer,
                                self.kernel_regularizer)
            b = (self.add_weight(f"{name}/bias", bias_shape, self.bias_initializer,
                                 self.bias_regularizer) if self.use_bias else None)
            return w, b

        self.query_kernel, self.query_bias = dense("query", (q_dim, h, dk), (h, dk))
        self.key_kernel, self.key_bias = dense("key", (k_dim, h, dk), (h, dk))
        self.value_kernel, self.value_bias = dense("value", (v_dim, h, dv), (h, dv))
        self.output_kernel, self.output_bias = dense("attention_output", (h, dv, out), (out,))

    @staticmethod
    def _project(x, kernel, bias):
        """(B, T, D) @ (D, *rest) + bias -> (B, T, *rest) as one GEMM."""
        rest = kernel.shape[1:]
        width = int(np.prod(rest))
        y = _ops.gemm(B.reshape(x, (-1, x.shape[-1])), B.reshape(kernel, (kernel.shape[0], width)),
                      bias=None if bias is None else B.reshape(bias, (width,)))
        return B.reshape(y, (x.shape[0], x.shape[1]) + tuple(rest))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self._output_dim or input_shape[-1],)

    def call(self, query, value=None, key=None, attention_mask=None,
             return_attention_scores=False, training=None, use_causal_mask=False):
        if value is None:
            raise TypeError(f"{self.name}: MultiHeadAttention needs a value tensor: "
                            "layer(query, value) or layer(query, value=..., key=...)")
        auto = _auto_mask(query, value, key)  # before _as_tensor: the masks ride on the inputs
        conv = _input_converter(self)  # (float32, or float64: Note [float64 layers])
        query = conv(query)
        value = conv(value)
        key = value if key is None else conv(key)
        for nm, t in (("query", query), ("value", value), ("key", key)):
            if t.ndim < 3:
                raise ValueError(f"{self.name}: {nm} must be (batch, ..., dim), got shape {t.shape}")
        if key.shape[:-1] != value.shape[:-1]:
            raise ValueError(f"{self.name}: key {key.shape} and value {value.shape} must have the "
                             "same batch and attention axes")
        if query.shape[0] != value.shape[0]:
            raise ValueError(f"{self.name}: query {query.shape} and value {value.shape} have "
                             "different batch sizes")
        if self._dims is None:
            self._build_from(query.shape[-1], value.shape[-1], key.shape[-1])
        elif (query.shape[-1], value.shape[-1], key.shape[-1]) != self._dims:
            raise ValueError(f"{self.name}: built for (query, value, key) dims {self._dims}, got "
                             f"{(query.shape[-1], value.shape[-1], key.shape[-1])}")
        q_axes, s_axes = query.shape[1:-1], value.shape[1:-1]
        t, s = int(np.prod(q_axes)), int(np.prod(s_axes))
        bsz = query.shape[0]
        q3 = B.reshape(query, (bsz, t, query.shape[-1]))
        k3 = B.reshape(key, (bsz, s, key.shape[-1]))
        v3 = B.reshape(value, (bsz, s, value.shape[-1]))
        q = self._project(q3, self.query_kernel, self.query_bias)   # (B, T, H, Dk)
        k = self._project(k3, self.key_kernel, self.key_bias)       # (B, S, H, Dk)
        v = self._project(v3, self.value_kernel, self.value_bias)   # (B, S, H, Dv)
        q = B.mul(q, 1.0 / math.sqrt(float(self.key_dim)))  # (in q's dtype)
        scores = B.matmul(B.transpose(q, (0, 2, 1, 3)), B.transpose(k, (0, 2, 3, 1)))  # (B,H,T,S)
        mask = None
        if attention_mask is not None:
            m = np.asarray(host(attention_mask)).astype(bool)
            if m.ndim == len(q_axes) + len(s_axes) + 1 and m.ndim > 3:
                m = m.reshape(m.shape[0], t, s)
            mask = m if m.ndim < 3 else m[:, None]
        if auto is not None:  # (B, T, S) from the inputs' padding masks, as Keras 2
            if auto.shape[1:] not in ((t, s), (1, s), (t, 1)):
                raise ValueError(f"{self.name}: the inputs' masks {auto.shape[1:]} do not match "
                                 f"the attention axes (query {t}, value {s} steps)")
            auto = auto[:, None]
            mask = auto if mask is None else np.logical_and(mask, auto)
        if use_causal_mask:
            c = _causal(t, s)
            mask = c if mask is None else np.logical_and(mask, c)
        if mask is not None:
            scores = B.add(scores, _mask_adder(mask, scores.shape))
        probs = _softmax_dropout(scores, self.dropout, training)
        ctx = B.matmul(probs, B.transpose(v, (0, 2, 1, 3)))                # (B, H, T, Dv)
        ctx = B.reshape(B.transpose(ctx, (0, 2, 1, 3)), (bsz * t, self.num_heads * self.value_dim))
        out_dim = self.output_kernel.shape[-1]
        out = _ops.gemm(ctx, B.reshape(self.output_kernel, (-1, out_dim)), bias=self.output_bias)
        out = B.reshape(out, (bsz,) + tuple(q_axes) + (out_dim,))
        if return_attention_scores:
            return out, B.reshape(probs, (bsz, self.num_heads) + tuple(q_axes) + tuple(s_axes))
        return out


class _BaseDenseAttention(Layer):
    """Shared call of Attention and AdditiveAttention: inputs [query, value] or
    [query, value, key]; mask [query_mask, value_mask]; returns the attended values (and the
    scores with return_attention_scores=True)."""
    supports_masking = True

    def __init__(self, dropout=0.0, causal=None, **kwargs):
        # Keras 2.1-2.9's constructor argument (Hands-On ML 2's Transformer); Keras 2.10+ warns
        # and still honours it, use_causal_mask in call is the new spelling
        if causal is not None:
            warnings.warn("`causal` argument is deprecated. Please use `use_causal_mask` in call() "
                          "method to specify causal masking.", stacklevel=3)
        super().__init__(**kwargs)
        self.causal = bool(causal)
        self.dropout = _args.rate(type(self).__name__, "dropout", dropout)
        self.input_spec = [InputSpec(ndim=3)] * 3  # (batch, steps, dim) query, value, key
        if self.causal:  # kept in the config so that a saved model stays causal (Keras 2.1-2.9)
            self._record(causal=True)

    def _split(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) not in (2, 3):
            raise ValueError(f"{self.name}: inputs must be a list [query, value] or "
                             f"[query, value, key], got {type(inputs).__name__}")
        q, v = inputs[0], inputs[1]
        k = inputs[2] if len(inputs) == 3 else v
        for nm, x in (("query", q), ("value", v), ("key", k)):
            if x.ndim != 3:
                raise ValueError(f"{self.name}: {nm} must be (batch, steps, dim), got {x.shape}")
        if k.shape[:2] != v.shape[:2]:
            raise ValueError(f"{self.name}: key {k.shape} and value {v.shape} must have the same "
                             "batch and steps")
        return q, v, k

    def build(self, input_shape):
        if not isinstance(input_shape, list) or len(input_shape) not in (2, 3):
            raise ValueError(f"{self.name}: expects a list [query, value] or [query, value, key]")
        self._build_scores(input_shape)

    def _build_scores(self, input_shape):
        pass

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0][:-1]) + (input_shape[1][-1],)

    def compute_mask(self, inputs, mask=None):
        if mask is None or not isinstance(mask, (list, tuple)) or mask[0] is None:
            return None
        return mask[0]

    def call(self, inputs, mask=None, training=None, return_attention_scores=False,
             use_causal_mask=False):
        q, v, k = self._split(inputs)
        scores = self._scores(q, k)                                      # (B, Tq, Tv)
        q_mask = v_mask = None
        if isinstance(mask, (list, tuple)):
            q_mask = mask[0] if len(mask) > 0 else None
            v_mask = mask[1] if len(mask) > 1 else None
        keep = None
        if v_mask is not None:
            keep = np.asarray(host(v_mask)).astype(bool)[:, None, :]
        if use_causal_mask or self.causal:
            c = _causal(scores.shape[1], scores.shape[2])[None]
            keep = c if keep is None else np.logical_and(keep, c)
        if keep is not None:
            scores = B.add(scores, _mask_adder(keep, scores.shape))
        probs = _softmax_dropout(scores, self.dropout, training)
        out = B.matmul(probs, v)
        if q_mask is not None:
            qm = np.asarray(host(q_mask)).astype(np.float32)[..., None]
            out = B.mul(out, qm)
        if return_attention_scores:
            return out, probs
        return out


class Attention(_BaseDenseAttention):
    """Keras 2 Attention (Luong): scores = query . key^T (times a learned scalar ``scale`` with
    use_scale=True); score_mode='concat' scores ``concat_score_weight * sum(tanh(q + k))``."""

    def __init__(self, use_scale=False, score_mode="dot", dropout=0.0, **kwargs):
        super().__init__(dropout=dropout, **kwargs)
        if score_mode not in ("dot", "concat"):
            raise ValueError(f"Attention: score_mode must be 'dot' or 'concat', got {score_mode!r}")
        self.use_scale, self.score_mode = bool(use_scale), score_mode
        self._record(use_scale=self.use_scale, score_mode=score_mode, dropout=self.dropout)

    def _build_scores(self, input_shape):
        self.scale = self.add_weight("scale", (), "ones") if self.use_scale else None
        self.concat_score_weight = (self.add_weight("concat_score_weight", (), "ones")
                                    if self.score_mode == "concat" else None)

    def _scores(self, q, k):
        if self.score_mode == "dot":
            s = B.matmul(q, B.transpose(k, (0, 2, 1)))
            return s if self.scale is None else B.mul(s, self.scale)
        qe = B.reshape(q, (q.shape[0], q.shape[1], 1, q.shape[2]))
        ke = B.reshape(k, (k.shape[0], 1, k.shape[1], k.shape[2]))
        t = B.add(qe, ke)
        if self.scale is not None:
            t = B.mul(t, self.scale)
        return B.mul(B.sum(_ops.tanh(t), axis=-1), self.concat_score_weight)


class AdditiveAttention(_BaseDenseAttention):
    """Keras 2 AdditiveAttention (Bahdanau): scores = sum(scale * tanh(q + k), -1), ``scale`` a
    learned (dim,) vector (glorot_uniform) with use_scale=True."""

    def __init__(self, use_scale=True, dropout=0.0, **kwargs):
        super().__init__(dropout=dropout, **kwargs)
        self.use_scale = bool(use_scale)
        self._record(use_scale=self.use_scale, dropout=self.dropout)

    def _build_scores(self, input_shape):
        dim = input_shape[0][-1]
        self.scale = self.add_weight("scale", (dim,), "glorot_uniform") if self.use_scale else None
        spec = InputSpec(ndim=3, axes={-1: dim})  # query and key (the value, when no key) add
        self.input_spec = [spec, spec] if len(input_shape) == 2 else [spec, None, spec]

    def _scores(self, q, k):
        qe = B.reshape(q, (q.shape[0], q.shape[1], 1, q.shape[2]))
        ke = B.reshape(k, (k.shape[0], 1, k.shape[1], k.shape[2]))
        t = _ops.tanh(B.add(qe, ke))
        if self.scale is not None:
            t = B.mul(t, self.scale)
        return B.sum(t, axis=-1)
