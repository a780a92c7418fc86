"""Gradients through complex tensors: each case is a real loss of two real float32 inputs ``a``
and ``b`` (shape (12,)) computed through complex values, written once for both sides: the test
(tests/test_complex_grad.py, tensorforge as ``tf``) and the recording script
(tools/gen_complex_grad_refs.py, TensorFlow 2.21) run the very same functions."""
import numpy as np


def inputs():
    i = np.arange(12, dtype=np.float64)
    return (np.cos(i) + 0.5).astype(np.float32), (np.sin(0.7 * i) - 0.2).astype(np.float32)


def _z(tf, a, b):
    return tf.complex(a, b)


def _w(tf, a, b):
    return tf.complex(b + 2.0, a * 0.5)


def _abs(tf, a, b):
    return tf.reduce_sum(tf.abs(_z(tf, a, b)))


def _real_imag_mul(tf, a, b):
    p = _z(tf, a, b) * _w(tf, a, b)
    return tf.reduce_sum(tf.math.real(p) * 0.3 + tf.math.imag(p) * tf.cos(a))


def _exp(tf, a, b):
    return tf.reduce_sum(tf.square(tf.abs(tf.exp(_z(tf, a, b) * 0.5))))


def _angle(tf, a, b):
    return tf.reduce_sum(tf.math.angle(_z(tf, a, b)) * tf.sin(b))


def _conj(tf, a, b):
    return tf.reduce_sum(tf.math.real(_z(tf, a, b) * tf.math.conj(_w(tf, a, b))) * tf.cos(b))


def _div(tf, a, b):
    return tf.reduce_sum(tf.math.imag(_z(tf, a, b) / _w(tf, a, b)))


def _log_sqrt(tf, a, b):
    z = _z(tf, a, b)
    return tf.reduce_sum(tf.math.imag(tf.math.log(z)) + tf.math.real(tf.sqrt(_w(tf, a, b))))


def _matmul(tf, a, b):
    x = tf.reshape(_z(tf, a, b), (3, 4))
    y = tf.reshape(_w(tf, a, b), (4, 3))
    return tf.reduce_sum(tf.abs(tf.matmul(x, y)))


def _fft(tf, a, b):
    f = tf.signal.fft(_z(tf, a, b))
    return tf.reduce_sum(tf.abs(f) * tf.cos(a)) + tf.reduce_sum(tf.math.real(tf.signal.ifft(f * f)))


def _fft2d(tf, a, b):
    f = tf.signal.fft2d(tf.reshape(_z(tf, a, b), (3, 4)))
    g = tf.signal.ifft2d(f * tf.reshape(_w(tf, a, b), (3, 4)))
    return tf.reduce_sum(tf.math.real(g) * tf.reshape(tf.cos(b), (3, 4)) + tf.math.imag(g))


def _rfft(tf, a, b):
    f = tf.signal.rfft(a)
    return tf.reduce_sum(tf.abs(f) * tf.cos(tf.range(7, dtype=tf.float32)))


def _spectral_conv(tf, a, b):
    # an FNO-style spectral layer: rfft, multiply by complex weights, irfft back
    w = tf.complex(b[:7], b[5:] * 0.5)
    y = tf.signal.irfft(tf.signal.rfft(a) * w)
    return tf.reduce_sum(tf.square(y) * tf.cos(a))


def _rfft2d(tf, a, b):
    x = tf.reshape(a, (3, 4))
    f = tf.signal.rfft2d(x)
    w = tf.complex(tf.reshape(b[:9], (3, 3)), tf.reshape(b[3:], (3, 3)))
    y = tf.signal.irfft2d(f * w)
    return tf.reduce_sum(y * tf.reshape(tf.sin(a), (3, 4)))


def _irfft_odd(tf, a, b):
    # an odd output length (fft_length 11 from 6 bins): no Nyquist bin
    w = tf.complex(a[:6], b[:6])
    return tf.reduce_sum(tf.signal.irfft(w, fft_length=[11]) * tf.cos(a[:11]))


def _cast(tf, a, b):
    c = tf.cast(a, tf.complex64) * _w(tf, a, b)
    return tf.reduce_sum(tf.math.real(c) + 2.0 * tf.cast(tf.math.imag(c), tf.float32))


def _cast_down(tf, a, b):
    return tf.reduce_sum(tf.cast(_z(tf, a, b) * _w(tf, a, b), tf.float32) * tf.cos(a))


def _einsum(tf, a, b):
    x = tf.reshape(_z(tf, a, b), (2, 2, 3))
    w = tf.reshape(_w(tf, a, b), (2, 3, 2))
    return tf.reduce_sum(tf.abs(tf.einsum("bix,bxo->bio", x, w)))


def _reduce(tf, a, b):
    z = tf.reshape(_z(tf, a, b), (3, 4))
    return tf.abs(tf.reduce_sum(z)) + tf.reduce_sum(tf.abs(tf.reduce_mean(z, axis=0)))


def _pow(tf, a, b):
    z = _z(tf, a, b)
    return tf.reduce_sum(tf.abs(z ** 2) + tf.math.real(tf.pow(z, 3.0)) * 0.1 + tf.abs(tf.square(z)))


def _trig(tf, a, b):
    z = _z(tf, a, b) * 0.3
    return tf.reduce_sum(tf.math.real(tf.sin(z)) + tf.math.imag(tf.cos(z)) + tf.abs(tf.tanh(z)))


def _stft(tf, a, b):
    s = tf.signal.stft(a, frame_length=6, frame_step=3, fft_length=8)
    return tf.reduce_sum(tf.abs(s))


def _ops_on_complex(tf, a, b):
    z = tf.reshape(_z(tf, a, b), (3, 4))
    y = tf.concat([z[:, :2], tf.transpose(tf.reshape(z[:, 2:], (2, 3)))], axis=0)
    return tf.reduce_sum(tf.abs(y - tf.reverse(y, [0]) + 1.0))


def _math(tf, a, b):
    z = _z(tf, a, b) * 0.3
    m = tf.math
    return tf.reduce_sum(tf.math.real(m.sinh(z) + m.cosh(z) * m.tan(z) + m.expm1(z))
                         + tf.math.imag(m.atan(z) + m.asin(z) + m.rsqrt(z + 2.0))
                         + tf.abs(m.asinh(z) + m.atanh(z) + m.acos(z)))


def _norm(tf, a, b):
    z = tf.reshape(_z(tf, a, b), (3, 4))
    # (TensorFlow's euclidean norms of complex values are complex, their imaginary part 0;
    # the others real)
    n = tf.norm(z) + tf.reduce_sum(tf.norm(z, axis=1))
    return tf.math.real(n) * 2.0 + tf.math.imag(n) + tf.norm(z, ord=1, axis=[0, 1])


CASES = {
    "abs": _abs, "real_imag_mul": _real_imag_mul, "exp": _exp, "angle": _angle, "conj": _conj,
    "div": _div, "log_sqrt": _log_sqrt, "matmul": _matmul, "fft": _fft, "fft2d": _fft2d,
    "rfft": _rfft, "spectral_conv": _spectral_conv, "rfft2d": _rfft2d, "irfft_odd": _irfft_odd,
    "cast": _cast, "cast_down": _cast_down, "einsum": _einsum, "reduce": _reduce, "pow": _pow,
    "trig": _trig, "stft": _stft, "ops_on_complex": _ops_on_complex, "math": _math,
    "norm": _norm,
}


def run(tf, name):
    """(loss, d loss / d a, d loss / d b) as NumPy arrays; a gradient that does not flow is None."""
    a0, b0 = inputs()
    a, b = tf.Variable(a0), tf.Variable(b0)
    with tf.GradientTape() as tape:
        loss = CASES[name](tf, a, b)
    ga, gb = tape.gradient(loss, [a, b])
    return (np.asarray(loss.numpy()), None if ga is None else np.asarray(ga.numpy()),
            None if gb is None else np.asarray(gb.numpy()))
