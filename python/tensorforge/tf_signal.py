"""TensorFlow 2's ``tf.signal``: frame, overlap_and_add, the raised-cosine windows (hann,
hamming), stft / inverse_stft / inverse_stft_window_fn, the FFTs (fft / ifft / fft2d / ifft2d /
fft3d / ifft3d, rfft / irfft / rfft2d / irfft2d / rfft3d / irfft3d, fftnd / ifftnd / rfftnd /
irfftnd over any axes), linear_to_mel_weight_matrix,
mfccs_from_log_mel_spectrograms, dct / idct.

Every op is differentiable: frame is a gather, overlap_and_add a scatter-add Function whose
gradient frames the incoming gradient, dct / idct a product with the cosine matrix, and the FFTs
(ops/fft.py: NumPy's FFT in float64, rounded to the input's precision) send their adjoints back
through complex64 / complex128 Tensors (Note [complex gradients] in ops/complex.py), so stft
magnitudes and spectral layers train as in TensorFlow.
"""
import math as _math

import numpy as np

from . import backend_ops as K
from ._xp import host
from .autograd import Function, Tensor
from .ops import fft as _F
from .ops.basic import transpose as _transpose
from .ops.manip import pad as _pad
from .backend_ops._args import tensor as _tensor

__all__ = ["frame", "overlap_and_add", "hann_window", "hamming_window", "kaiser_window",
           "kaiser_bessel_derived_window", "vorbis_window", "fftshift", "ifftshift", "mdct",
           "inverse_mdct", "stft",
           "inverse_stft", "inverse_stft_window_fn", "fft", "ifft", "fft2d", "ifft2d", "fft3d",
           "ifft3d", "rfft", "irfft", "rfft2d", "irfft2d", "rfft3d", "irfft3d",
           "fftnd", "ifftnd", "rfftnd", "irfftnd", "linear_to_mel_weight_matrix", "mfccs_from_log_mel_spectrograms", "dct", "idct"]


def _t(op, x, name):
    return _tensor(f"tf.signal.{op}", name, x)


def _int(op, name, v):
    v = np.asarray(host(getattr(v, "data", v)))
    if v.size != 1 or (v.dtype.kind not in "iu" and float(v.reshape(())) != int(v.reshape(()))):
        raise ValueError(f"tf.signal.{op}: {name} must be an integer scalar, got {v!r}")
    return int(v.reshape(()))


# ---- framing -----------------------------------------------------------------------------------
def frame(signal, frame_length, frame_step, pad_end=False, pad_value=0, axis=-1, name=None):
    """The frames of ``signal`` along ``axis``: that axis (n) becomes (frames, frame_length),
    frames = 1 + (n - frame_length) // frame_step (0 if n < frame_length), or
    ceil(n / frame_step) with ``pad_end`` (the end padded with ``pad_value``). Differentiable."""
    x = _t("frame", signal, "signal")
    length, step = _int("frame", "frame_length", frame_length), _int("frame", "frame_step",
                                                                       frame_step)
    if length < 1 or step < 1:
        raise ValueError(f"tf.signal.frame: frame_length {length} and frame_step {step} must "
                         "be >= 1")
    if x.ndim == 0 or not -x.ndim <= int(axis) < x.ndim:
        raise ValueError(f"tf.signal.frame: axis {axis} is out of range for signal of shape "
                         f"{tuple(x.shape)}")
    ax = int(axis) % x.ndim
    n = x.shape[ax]
    if pad_end:
        frames = -(-n // step)
        extra = max((frames - 1) * step + length - n, 0)
        if extra:
            from .tf_array import pad
            pads = [[0, 0]] * x.ndim
            pads[ax] = [0, extra]
            x = pad(x, pads, constant_values=pad_value)
    else:
        frames = max(1 + (n - length) // step, 0) if n >= length else 0
    idx = np.arange(frames)[:, None] * step + np.arange(length)[None, :]
    perm = (ax,) + tuple(i for i in range(x.ndim) if i != ax)
    front = K.permute_dimensions(x, perm) if ax else x
    g = K.reshape(K.gather(front, idx.reshape(-1)), (frames, length) + tuple(front.shape[1:]))
    # (frames, length, rest...) back to rest[:ax] + (frames, length) + rest[ax:]
    back = tuple(range(2, ax + 2)) + (0, 1) + tuple(range(ax + 2, x.ndim + 1))
    return K.permute_dimensions(g, back) if ax else g


class _OverlapAdd(Function):
    @staticmethod
    def forward(ctx, x, step):
        f, length = x.shape[-2:]
        n = (f - 1) * step + length if f else 0
        out = np.zeros(x.shape[:-2] + (n,), x.dtype)
        for i in range(f):
            out[..., i * step: i * step + length] += x[..., i, :]
        ctx.info = (f, length, step)
        return out

    @staticmethod
    def backward(ctx, g):
        f, length, step = ctx.info
        idx = np.arange(f)[:, None] * step + np.arange(length)[None, :]
        return g[..., idx], None


def overlap_and_add(signal, frame_step, name=None):
    """[..., frames, frame_length] -> [..., (frames - 1) * frame_step + frame_length], the
    frames added at their offsets. Differentiable."""
    x = _t("overlap_and_add", signal, "signal")
    if x.ndim < 2:
        raise ValueError(f"tf.signal.overlap_and_add: signal must have rank >= 2, got shape "
                         f"{tuple(x.shape)}")
    step = _int("overlap_and_add", "frame_step", frame_step)
    if step < 1 or step > x.shape[-1]:
        raise ValueError(f"tf.signal.overlap_and_add: frame_step {step} must be in [1, "
                         f"frame_length={x.shape[-1]}]")
    return _OverlapAdd.apply(x, step)


# ---- windows -----------------------------------------------------------------------------------
def _raised_cosine(op, window_length, periodic, dtype, a, b):
    n = _int(op, "window_length", window_length)
    dt = np.dtype(getattr(dtype, "name", dtype))
    if dt.kind != "f":
        raise ValueError(f"tf.signal.{op}: dtype must be a float dtype, got {dt}")
    if n == 1:
        return Tensor(np.ones(1, dt))
    even = 1 - n % 2
    denom = n + int(bool(periodic)) * even - 1  # TensorFlow: periodic matters for even n only
    w = a - b * np.cos(2.0 * np.pi * np.arange(n) / denom)
    return Tensor(w.astype(dt))


def hann_window(window_length, periodic=True, dtype=np.float32, name=None):
    return _raised_cosine("hann_window", window_length, periodic, dtype, 0.5, 0.5)


def hamming_window(window_length, periodic=True, dtype=np.float32, name=None):
    return _raised_cosine("hamming_window", window_length, periodic, dtype, 0.54, 0.46)


def kaiser_window(window_length, beta=12.0, dtype=np.float32, name=None):
    """I0(beta sqrt(1 - (2 n / (N - 1) - 1)^2)) / I0(beta)."""
    from .tf_special import bessel_i0e64
    n = _int("kaiser_window", "window_length", window_length)
    dt = np.dtype(getattr(dtype, "name", dtype))
    if n == 1:
        return Tensor(np.ones(1, dt))
    r = 2.0 * np.arange(n) / (n - 1) - 1.0
    arg = beta * np.sqrt(np.clip(1.0 - r * r, 0.0, None))
    w = bessel_i0e64(arg) * np.exp(arg - abs(beta)) / bessel_i0e64(np.asarray(beta))
    return Tensor(w.astype(dt))


def kaiser_bessel_derived_window(window_length, beta=12.0, dtype=np.float32, name=None):
    """The KBD window: sqrt of the normalized cumulative Kaiser window, mirrored."""
    n = _int("kaiser_bessel_derived_window", "window_length", window_length)
    half = n // 2
    k = np.asarray(kaiser_window(half + 1, beta, dtype=np.float64).data)
    c = np.cumsum(k)
    hw = np.sqrt(c[:-1] / c[-1])
    return Tensor(np.concatenate([hw, hw[::-1]]).astype(np.dtype(getattr(dtype, "name", dtype))))


def vorbis_window(window_length, dtype=np.float32, name=None):
    """sin(pi / 2 * sin(pi * (n + 1/2) / N) ** 2) (the Vorbis / MDCT power-complementary one)."""
    n = _int("vorbis_window", "window_length", window_length)
    w = np.sin(np.pi / 2.0 * np.sin(np.pi / n * (np.arange(n) + 0.5)) ** 2)
    return Tensor(w.astype(np.dtype(getattr(dtype, "name", dtype))))


def _shift(op, x, axes, inverse):
    t = _t(op, x, "x")
    ax = tuple(range(t.ndim)) if axes is None else tuple(np.atleast_1d(axes).tolist())
    shift = [(-(t.shape[a] // 2) if inverse else t.shape[a] // 2) for a in ax]
    if t.dtype.kind == "c":
        return Tensor(np.roll(np.asarray(host(t.data)), shift, ax))
    from .tf_array import roll
    return roll(t, shift, list(ax))


def fftshift(x, axes=None, name=None):
    """Rolls the zero frequency to the centre of ``axes`` (all by default)."""
    return _shift("fftshift", x, axes, False)


def ifftshift(x, axes=None, name=None):
    return _shift("ifftshift", x, axes, True)


# ---- FFTs --------------------------------------------------------------------------------------
def _cx(op, x, name="input"):
    t = _t(op, x, name)
    if t.dtype.kind != "c":
        raise TypeError(f"tf.signal.{op}: {name} must be complex64 or complex128, got {t.dtype} "
                        f"(tf.complex / tf.cast make one)")
    return t


def _rl(op, x, name="input_tensor"):
    t = _t(op, x, name)
    if t.dtype.kind != "f":
        raise TypeError(f"tf.signal.{op}: {name} must be float32 or float64, got {t.dtype}")
    return t


def _rank(op, t, k, name):
    if t.ndim < k:
        raise ValueError(f"tf.signal.{op}: {name} must have rank >= {k}, got {t.shape}")


def _fft(op, k, inverse):
    def fn(input, name=None):  # noqa: A002
        t = _cx(op, input)
        _rank(op, t, k, "input")
        return _F.fftn(t, k, inverse)
    fn.__name__ = fn.__qualname__ = op
    fn.__doc__ = (f"The {'inverse ' if inverse else ''}{k}-D discrete Fourier transform over the "
                  f"last {k} axes of a complex tensor.")
    return fn


fft, ifft = _fft("fft", 1, False), _fft("ifft", 1, True)
fft2d, ifft2d = _fft("fft2d", 2, False), _fft("ifft2d", 2, True)
fft3d, ifft3d = _fft("fft3d", 3, False), _fft("ifft3d", 3, True)


def _lengths(op, fft_length, k, default):
    if fft_length is None:
        return tuple(default)
    v = [int(a) for a in np.ravel(np.asarray(host(getattr(fft_length, "data", fft_length))))]
    if len(v) != k:
        raise ValueError(f"tf.signal.{op}: fft_length must have {k} entries, got {v}")
    if min(v) < 1:
        raise ValueError(f"tf.signal.{op}: fft_length must be positive, got {v}")
    return tuple(v)


def _rfft(op, k):
    def fn(input_tensor, fft_length=None, name=None):
        t = _rl(op, input_tensor)
        _rank(op, t, k, "input_tensor")
        return _F.rfftn(t, _lengths(op, fft_length, k, t.shape[-k:]))
    fn.__name__ = fn.__qualname__ = op
    fn.__doc__ = (f"The {k}-D FFT of a real tensor over its last {k} axes (each cropped or "
                  f"zero-padded to fft_length): the last axis has fft_length // 2 + 1 entries. "
                  f"complex64 for float32.")
    return fn


def _irfft(op, k):
    def fn(input_tensor, fft_length=None, name=None):
        t = _cx(op, input_tensor, "input_tensor")
        _rank(op, t, k, "input_tensor")
        # TensorFlow crops / zero-pads the inner axes to s and the last to s[-1] // 2 + 1
        return _F.irfftn(t, _lengths(op, fft_length, k,
                                     tuple(t.shape[-k:-1]) + (2 * (t.shape[-1] - 1),)))
    fn.__name__ = fn.__qualname__ = op
    fn.__doc__ = f"The inverse of {op[1:]}: a real tensor of fft_length along the last {k} axes."
    return fn


rfft, irfft = _rfft("rfft", 1), _irfft("irfft", 1)
rfft2d, irfft2d = _rfft("rfft2d", 2), _irfft("irfft2d", 2)
rfft3d, irfft3d = _rfft("rfft3d", 3), _irfft("irfft3d", 3)


# ---- the N-D FFTs over chosen axes (TensorFlow runs them on GPUs only; NumPy's fftn values) -----
def _nd_axes(op, t, axes):
    if axes is None:
        return list(range(t.ndim))
    ax = [int(a) for a in np.ravel(np.asarray(host(getattr(axes, "data", axes))))]
    norm = [a + t.ndim if a < 0 else a for a in ax]
    if not ax or any(not 0 <= a < t.ndim for a in norm) or len(set(norm)) != len(norm):
        raise ValueError(f"tf.signal.{op}: axes must be distinct axes of the input (rank "
                         f"{t.ndim}), got {ax}")
    return norm


def _nd_scale(op, norm, lengths, inverse):
    """The factor TensorFlow's wrappers apply for ``norm`` (NumPy's conventions)."""
    n = float(np.prod(lengths))
    if norm in (None, "backward"):
        return 1.0
    if norm == "forward":
        return n if inverse else 1.0 / n
    if norm == "ortho":
        return _math.sqrt(n) if inverse else 1.0 / _math.sqrt(n)
    raise ValueError(f"tf.signal.{op}: norm must be 'backward', 'forward' or 'ortho', got "
                     f"{norm!r}")


def _nd(op, kind, inverse):
    def fn(input_tensor, fft_length=None, axes=None, norm=None, name=None):
        t = _rl(op, input_tensor) if kind == "r" else _cx(op, input_tensor, "input_tensor")
        ax = _nd_axes(op, t, axes)
        k = len(ax)
        shape = [t.shape[a] for a in ax]
        if kind == "ir":
            shape[-1] = 2 * (shape[-1] - 1)
        lengths = _lengths(op, fft_length, k, shape)
        if min(lengths) < 1:
            raise ValueError(f"tf.signal.{op}: the transform's lengths must be >= 1, got "
                             f"{list(lengths)} (input shape {tuple(t.shape)}, axes {ax})")
        perm = [d for d in range(t.ndim) if d not in ax] + ax
        moved = _transpose(t, perm) if perm != list(range(t.ndim)) else t
        if kind == "c":  # fftn takes the lengths as they are: crop, then zero-pad
            moved = moved[(Ellipsis,) + tuple(slice(0, n) for n in lengths)]
            pads = [(0, 0)] * (t.ndim - k) + [(0, n - m) for n, m in
                                                zip(lengths, moved.shape[-k:])]
            moved = _pad(moved, pads) if any(p[1] for p in pads) else moved
            out = _F.fftn(moved, k, inverse)
        else:
            out = (_F.rfftn if kind == "r" else _F.irfftn)(moved, lengths)
        scale = _nd_scale(op, norm, lengths, inverse)
        out = out * scale if scale != 1.0 else out
        back = list(np.argsort(perm))
        return _transpose(out, back) if perm != list(range(t.ndim)) else out
    fn.__name__ = fn.__qualname__ = op
    fn.__doc__ = (f"TensorFlow's {op}: the {'inverse ' if inverse else ''}"
                  f"{'real ' if kind != 'c' else ''}FFT over ``axes`` (all by default), each "
                  f"cropped or zero-padded to ``fft_length``; ``norm`` 'backward' / 'forward' / "
                  f"'ortho' as NumPy's.")
    return fn


fftnd, ifftnd = _nd("fftnd", "c", False), _nd("ifftnd", "c", True)
rfftnd, irfftnd = _nd("rfftnd", "r", False), _nd("irfftnd", "ir", True)


# ---- short-time Fourier transform ---------------------------------------------------------------
def _default_fft_length(frame_length):
    return 1 << max(int(frame_length) - 1, 0).bit_length()


def stft(signals, frame_length, frame_step, fft_length=None, window_fn=hann_window,
         pad_end=False, name=None):
    """[..., samples] -> complex [..., frames, fft_length // 2 + 1]: the rfft of each windowed
    frame (fft_length: the next power of 2 from frame_length by default). Differentiable."""
    x = _t("stft", signals, "signals")
    if x.dtype.kind != "f":
        raise TypeError(f"tf.signal.stft: signals must be float32 or float64, got {x.dtype}")
    if x.ndim < 1:
        raise ValueError("tf.signal.stft: signals must have rank >= 1, got a scalar")
    length = _int("stft", "frame_length", frame_length)
    n_fft = _default_fft_length(length) if fft_length is None else _int("stft", "fft_length",
                                                                        fft_length)
    frames = frame(x, length, frame_step, pad_end=pad_end)
    if window_fn is not None:
        frames = frames * _t("stft", window_fn(length, dtype=x.dtype), "window")
    return _F.rfftn(frames, (n_fft,))


def inverse_stft_window_fn(frame_step, forward_window_fn=hann_window, name=None):
    """The window that makes inverse_stft invert stft with ``forward_window_fn``: the forward
    window divided by the overlapping sum of its squares."""
    step = _int("inverse_stft_window_fn", "frame_step", frame_step)

    def window(frame_length, dtype=np.float32):
        fw = np.asarray(host(forward_window_fn(frame_length, dtype=dtype).data), np.float64)
        overlaps = -(-int(frame_length) // step)
        den = np.pad(fw * fw, (0, overlaps * step - int(frame_length)))
        den = np.tile(den.reshape(overlaps, step).sum(0, keepdims=True), (overlaps, 1)).ravel()
        return Tensor((fw / den[:int(frame_length)]).astype(np.dtype(getattr(dtype, "name",
                                                                            dtype))))
    return window


def inverse_stft(stfts, frame_length, frame_step, fft_length=None, window_fn=hann_window,
                 name=None):
    """complex [..., frames, fft_length // 2 + 1] -> real [..., samples]: irfft of each frame,
    windowed, overlap-added (use inverse_stft_window_fn for a perfect inverse)."""
    t = _cx("inverse_stft", stfts, "stfts")
    if t.ndim < 2:
        raise ValueError(f"tf.signal.inverse_stft: stfts must have rank >= 2, got {t.shape}")
    length = _int("inverse_stft", "frame_length", frame_length)
    n_fft = _default_fft_length(length) if fft_length is None else _int("inverse_stft",
                                                                        "fft_length", fft_length)
    frames = _F.irfftn(t, (n_fft,))[..., :length]
    if frames.shape[-1] < length:
        frames = _pad(frames, [(0, 0)] * (frames.ndim - 1) + [(0, length - frames.shape[-1])])
    if window_fn is not None:
        frames = frames * _t("inverse_stft", window_fn(length, dtype=frames.dtype), "window")
    return overlap_and_add(frames, frame_step)


def mdct(signals, frame_length, window_fn=vorbis_window, pad_end=False, norm=None, name=None):
    """The modified DCT of frames of ``frame_length`` (a multiple of 4) with a hop of half a
    frame: [..., samples] -> [..., frames, frame_length / 2]. Differentiable."""
    x = _t("mdct", signals, "signals")
    length = _int("mdct", "frame_length", frame_length)
    if length % 4:
        raise ValueError(f"tf.signal.mdct: frame_length must be a multiple of 4, got {length}")
    f = frame(x, length, length // 2, pad_end=pad_end)
    if window_fn is not None:
        f = f * window_fn(length, dtype=f.dtype)
    else:
        f = f * float(1.0 / np.sqrt(2.0))
    q = length // 4
    p0, p1, p2, p3 = (f[..., i * q:(i + 1) * q] for i in range(4))
    first = -K.reverse(p2, -1) - p3
    second = p0 - K.reverse(p1, -1)
    return dct(K.concatenate([first, second], axis=-1), type=4, norm=norm)


def inverse_mdct(mdcts, window_fn=vorbis_window, norm=None, name=None):
    """The inverse of mdct (with a power-complementary window): [..., frames, half] ->
    [..., samples]. Differentiable."""
    m = _t("inverse_mdct", mdcts, "mdcts")
    if m.ndim < 2:
        raise ValueError(f"tf.signal.inverse_mdct: mdcts must have rank >= 2, got "
                         f"{tuple(m.shape)}")
    half = m.shape[-1]
    if norm is None:
        r = dct(m, type=4) * float(0.5 / half)
    else:
        r = dct(m, type=4, norm=norm)
    h = half // 2
    a, b = r[..., :h], r[..., h:]
    frames = K.concatenate([b, -K.reverse(b, -1), -K.reverse(a, -1), -a], axis=-1)
    if window_fn is not None:
        frames = frames * window_fn(2 * half, dtype=m.dtype)
    else:
        frames = frames * float(1.0 / np.sqrt(2.0))
    return overlap_and_add(frames, half)


# ---- mel scale, DCT, MFCCs ----------------------------------------------------------------------
def _hz_to_mel(f):
    return 1127.0 * np.log(1.0 + f / 700.0)


def linear_to_mel_weight_matrix(num_mel_bins=20, num_spectrogram_bins=129, sample_rate=8000,
                                lower_edge_hertz=125.0, upper_edge_hertz=3800.0,
                                dtype=np.float32, name=None):
    """(num_spectrogram_bins, num_mel_bins) triangular filters on the HTK mel scale; the first
    (DC) bin's row is zero, as TensorFlow's."""
    nb, ns = int(num_mel_bins), int(num_spectrogram_bins)
    sr = float(np.asarray(host(getattr(sample_rate, "data", sample_rate))))
    lo, hi = float(lower_edge_hertz), float(upper_edge_hertz)
    if nb <= 0 or ns <= 0:
        raise ValueError(f"tf.signal.linear_to_mel_weight_matrix: num_mel_bins {nb} and "
                         f"num_spectrogram_bins {ns} must be positive")
    if lo < 0 or lo >= hi or hi > sr / 2:
        raise ValueError(f"tf.signal.linear_to_mel_weight_matrix: need 0 <= lower_edge_hertz "
                         f"({lo}) < upper_edge_hertz ({hi}) <= sample_rate / 2 ({sr / 2})")
    dt = np.dtype(getattr(dtype, "name", dtype))
    freqs = np.linspace(0.0, sr / 2.0, ns)[1:]
    bins_mel = _hz_to_mel(freqs)[:, None]
    edges = np.linspace(_hz_to_mel(lo), _hz_to_mel(hi), nb + 2)
    lower, center, upper = edges[:-2][None], edges[1:-1][None], edges[2:][None]
    lower_slopes = (bins_mel - lower) / (center - lower)
    upper_slopes = (upper - bins_mel) / (upper - center)
    w = np.maximum(0.0, np.minimum(lower_slopes, upper_slopes))
    return Tensor(np.pad(w, [(1, 0), (0, 0)]).astype(dt))


def _dct_matrix(kind, n, norm):
    """M with dct(x) = x @ M (scipy.fftpack's definitions, TensorFlow's)."""
    i = np.arange(n)[:, None].astype(np.float64)  # input index
    k = np.arange(n)[None, :].astype(np.float64)  # output index
    if kind == 1:
        if n < 2:
            raise ValueError("tf.signal.dct: type 1 needs a length > 1")
        m = 2.0 * np.cos(np.pi * i * k / (n - 1))
        m[0, :] = 1.0
        m[-1, :] = (-1.0) ** np.arange(n)
    elif kind == 2:
        m = 2.0 * np.cos(np.pi * k * (2 * i + 1) / (2 * n))
        if norm == "ortho":
            m[:, 0] *= np.sqrt(1.0 / (4 * n))
            m[:, 1:] *= np.sqrt(1.0 / (2 * n))
    elif kind == 3:
        m = 2.0 * np.cos(np.pi * i * (2 * k + 1) / (2 * n))
        m[0, :] = 1.0
        if norm == "ortho":
            m[0, :] = 1.0 / np.sqrt(n)
            m[1:, :] *= np.sqrt(1.0 / (2 * n))
    else:
        m = 2.0 * np.cos(np.pi * (2 * i + 1) * (2 * k + 1) / (4 * n))
        if norm == "ortho":
            m *= np.sqrt(1.0 / (2 * n))
    return m


def dct(input, type=2, n=None, axis=-1, norm=None, name=None):  # noqa: A002
    """The discrete cosine transform of types 1-4 over the last axis (scipy.fftpack's
    unnormalized definitions, or norm='ortho'; type 1 has no ortho form); ``n`` crops or
    zero-pads that axis first. Differentiable (a product with the cosine matrix)."""
    x = _t("dct", input, "input")
    if x.dtype.kind != "f":
        raise TypeError(f"tf.signal.dct: input must be float32 or float64, got {x.dtype}")
    if type not in (1, 2, 3, 4):
        raise ValueError(f"tf.signal.dct: type must be 1, 2, 3 or 4, got {type!r}")
    if norm not in (None, "ortho"):
        raise ValueError(f"tf.signal.dct: norm must be None or 'ortho', got {norm!r}")
    if type == 1 and norm == "ortho":
        raise ValueError("tf.signal.dct: norm='ortho' is not supported for type 1")
    if axis not in (-1, x.ndim - 1):
        raise NotImplementedError(f"tf.signal.dct: only axis=-1 is supported, got {axis}")
    if n is not None:
        n = int(n)
        if n < 1:
            raise ValueError(f"tf.signal.dct: n must be positive, got {n}")
        if n < x.shape[-1]:
            x = x[..., :n]
        elif n > x.shape[-1]:
            from .tf_array import pad
            x = pad(x, [[0, 0]] * (x.ndim - 1) + [[0, n - x.shape[-1]]])
    size = x.shape[-1]
    m = Tensor(_dct_matrix(type, size, norm).astype(x.dtype))
    flat = K.reshape(x, (-1, size))
    return K.reshape(K.dot(flat, m), tuple(x.shape))


def idct(input, type=2, n=None, axis=-1, norm=None, name=None):  # noqa: A002
    """The inverse DCT as TensorFlow defines it: dct of the inverse type (2 <-> 3), so that
    idct(dct(x)) is x * 2N unnormalized and x with norm='ortho'."""
    return dct(input, type={1: 1, 2: 3, 3: 2, 4: 4}.get(type, type), n=n, axis=axis, norm=norm)


def mfccs_from_log_mel_spectrograms(log_mel_spectrograms, name=None):
    """The MFCCs of [..., num_mel_bins] log-mel spectrograms: dct type 2 / sqrt(2 N)."""
    x = _t("mfccs_from_log_mel_spectrograms", log_mel_spectrograms, "log_mel_spectrograms")
    if x.ndim < 1 or x.shape[-1] < 1:
        raise ValueError(f"tf.signal.mfccs_from_log_mel_spectrograms: need [..., num_mel_bins] "
                         f"with num_mel_bins > 0, got {tuple(x.shape)}")
    return dct(x, type=2) * float(1.0 / _math.sqrt(2.0 * x.shape[-1]))
