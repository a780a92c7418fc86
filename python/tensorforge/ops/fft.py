"""Differentiable FFTs over the last k axes (tf.signal's fft / ifft / rfft / irfft families):
NumPy's FFT in float64 on the host, rounded to the input's precision. Each op crops or
zero-pads its input to the transform's lengths first, as TensorFlow's do; the backward sends
the adjoint of the linear map back (See Note [complex gradients] in ops/complex.py):
fft: n ifft(g); ifft: fft(g) / n; rfft: real(n ifft(g zero-padded to the full spectrum));
irfft: rfft(g) / n with the bins that stand for two (all but the DC and Nyquist) doubled."""
import numpy as np

from .._xp import host
from ..autograd import Function

__all__ = ["fftn", "rfftn", "irfftn"]


def _complex_dtype(dt):
    return np.dtype(np.complex64) if np.dtype(dt) in (np.float32, np.complex64) or \
        np.dtype(dt).itemsize <= 4 else np.dtype(np.complex128)


def _real_dtype(dt):
    return np.dtype(np.float32) if np.dtype(dt) == np.complex64 else np.dtype(np.float64)


def _fit(a, lengths):
    """``a`` with its last len(lengths) axes cropped or zero-padded to ``lengths``."""
    k = len(lengths)
    a = a[(Ellipsis,) + tuple(slice(0, n) for n in lengths)]
    pads = [(0, 0)] * (a.ndim - k) + [(0, n - a.shape[a.ndim - k + i])
                                      for i, n in enumerate(lengths)]
    return np.pad(a, pads) if any(p[1] for p in pads) else a


class FFTn(Function):
    """Complex to complex over the last k axes; ``inverse``: ifft."""

    @staticmethod
    def forward(ctx, a, k, inverse):
        a = np.asarray(host(a))
        ctx.meta = (k, inverse, a.dtype)
        axes = tuple(range(-k, 0))
        out = (np.fft.ifftn if inverse else np.fft.fftn)(a.astype(np.complex128), axes=axes)
        return out.astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        k, inverse, dt = ctx.meta
        axes = tuple(range(-k, 0))
        n = int(np.prod(g.shape[-k:]))
        g = np.asarray(host(g)).astype(np.complex128)
        out = np.fft.fftn(g, axes=axes) / n if inverse else np.fft.ifftn(g, axes=axes) * n
        return out.astype(dt), None, None


class RFFTn(Function):
    """Real to complex over the last k axes, each first cropped / padded to ``lengths``."""

    @staticmethod
    def forward(ctx, a, lengths):
        a = np.asarray(host(a))
        ctx.meta = (a.shape, a.dtype, lengths)
        out = np.fft.rfftn(_fit(a.astype(np.float64), lengths), axes=tuple(range(-len(lengths), 0)))
        return out.astype(_complex_dtype(a.dtype))

    @staticmethod
    def backward(ctx, g):
        shape, dt, lengths = ctx.meta
        k = len(lengths)
        g = _fit(np.asarray(host(g)).astype(np.complex128), lengths[:-1] + (lengths[-1],))
        n = int(np.prod(lengths))
        full = np.fft.ifftn(g, axes=tuple(range(-k, 0))).real * n
        return _fit(full, shape[-k:]).astype(dt), None


class IRFFTn(Function):
    """Complex (half spectrum) to real over the last k axes: the inner axes cropped / padded to
    ``lengths``, the last to lengths[-1] // 2 + 1 bins."""

    @staticmethod
    def forward(ctx, a, lengths):
        a = np.asarray(host(a))
        ctx.meta = (a.shape, a.dtype, lengths)
        half = lengths[:-1] + (lengths[-1] // 2 + 1,)
        out = np.fft.irfftn(_fit(a.astype(np.complex128), half), s=lengths,
                            axes=tuple(range(-len(lengths), 0)))
        return out.astype(_real_dtype(a.dtype))

    @staticmethod
    def backward(ctx, g):
        shape, dt, lengths = ctx.meta
        k = len(lengths)
        last = lengths[-1]
        spec = np.fft.rfftn(np.asarray(host(g)).astype(np.float64), axes=tuple(range(-k, 0)))
        mask = np.full(last // 2 + 1, 2.0)
        mask[0] = 1.0
        if last % 2 == 0:
            mask[-1] = 1.0
        spec = spec * mask / int(np.prod(lengths))
        return _fit(spec, shape[-k:]).astype(dt), None


def fftn(a, k, inverse=False):
    return FFTn.apply(a, k, inverse)


def rfftn(a, lengths):
    return RFFTn.apply(a, tuple(int(n) for n in lengths))


def irfftn(a, lengths):
    return IRFFTn.apply(a, tuple(int(n) for n in lengths))
