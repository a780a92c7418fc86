"""The rest of TensorFlow 2's ``tf.math.special``: the Bessel functions bessel_j0 / j1 / y0 / y1
/ k0 / k0e / k1 / k1e, the Dawson integral dawsn, the exponential integral expint (Ei), the
Fresnel integrals fresnel_cos / fresnel_sin and Spence's function spence (Li2(1 - x)), on NumPy
alone, float64 inside (tf_special.py holds the rest and the ``_special`` op builder).

Methods: J / Y by their power series up to |x| = 12 and Hankel's asymptotic expansion beyond
(its smallest term there ~ e^-24); K by its series up to 2, the trapezoidal rule on
K_n(x) e^x = integral of exp(-x (cosh t - 1)) cosh(n t) dt (spectrally accurate: an even
analytic integrand) up to 30 and the asymptotic series beyond; dawsn by Rybicki's method (step
0.2); Ei by its series (x <= 40) or asymptotic series (NaN for x < 0, as TensorFlow's);
the Fresnel integrals by 200-point Gauss-Legendre quadrature up to |x| = 6 and the
auxiliary functions' asymptotic series beyond; spence by the dilogarithm series with the
reflection and Landen identities. Gradients, where the derivative is elementary or another of
these: J0' = -J1, Y0' = -Y1, K0' = -K1, J1' = J0 - J1 / x, dawsn' = 1 - 2 x F, Ei' = e^x / x,
C' = cos(pi x^2 / 2), S' = sin(pi x^2 / 2), spence' = log(x) / (1 - x).
"""
import math as _math

import numpy as np

from .tf_special import _special, bessel_i0_64, bessel_i1_64, digamma64

__all__ = ["bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "bessel_k0", "bessel_k0e",
           "bessel_k1", "bessel_k1e", "dawsn", "expint", "fresnel_cos", "fresnel_sin", "spence"]

_EULER = 0.57721566490153286
_TWO_PI = 2.0 / _math.pi


# ---- J and Y -----------------------------------------------------------------------------------
def _hankel_pq(x, n):
    """Hankel's P and Q of order n at x > 0."""
    mu = 4.0 * n * n
    p, q = np.ones_like(x), np.zeros_like(x)
    term = np.ones_like(x)
    live = np.ones(x.shape, bool)  # stop each element at its smallest term (asymptotic)
    for k in range(1, 40):
        nxt = term * (mu - (2 * k - 1) ** 2) / (k * 8.0 * x)
        live &= np.abs(nxt) <= np.abs(term)
        term = nxt
        add = np.where(live, term, 0.0)
        if k % 2:
            q = q + (add if k % 4 == 1 else -add)
        else:
            p = p + (-add if k % 4 == 2 else add)
    return p, q


def _jy(x, n, want_y):
    ax = np.abs(x)
    small = ax <= 12.0
    xs = np.where(small, ax, 1.0)
    q = -(xs * xs) / 4.0
    # J_n series, and Y_n's extra sum alongside
    term = np.ones_like(xs) if n == 0 else xs / 2.0
    j, extra = term.copy(), np.zeros_like(xs)
    harm = 0.0  # H_k for Y0; psi(k+1) + psi(k+2) for Y1
    if n == 1:
        extra = (digamma64(1.0) + digamma64(2.0)) * term
    for k in range(1, 60):
        term = term * q / (k * (k + n))
        j = j + term
        if n == 0:
            harm += 1.0 / k
            extra = extra - harm * term  # (-1)^(k+1) H_k (x^2/4)^k / (k!)^2: term has (-1)^k
        else:
            extra = extra + (digamma64(k + 1.0) + digamma64(k + 2.0)) * term
    with np.errstate(all="ignore"):
        xl = np.where(small, 20.0, ax)
        p, qq = _hankel_pq(xl, n)
        chi = xl - (n / 2.0 + 0.25) * np.pi
        amp = np.sqrt(2.0 / (np.pi * xl))
        if not want_y:
            big = amp * (p * np.cos(chi) - qq * np.sin(chi))
            out = np.where(small, j, big)
            return np.where(x < 0, -out, out) if n == 1 else out
        big = amp * (p * np.sin(chi) + qq * np.cos(chi))
        if n == 0:
            ser = _TWO_PI * ((np.log(xs / 2.0) + _EULER) * j + extra)
        else:
            ser = _TWO_PI * np.log(xs / 2.0) * j - _TWO_PI / xs - extra / np.pi
        out = np.where(small, ser, big)
        out = np.where(x == 0, -np.inf, out)
        return np.where(x < 0, np.nan, out)


# edge values as TensorFlow's (Cephes): J(+-inf), Y(inf), Y1(0) NaN; Y(x < 0) -inf


def j0_64(x):
    x = np.asarray(x, np.float64)
    return np.where(np.isinf(x), np.nan, _jy(np.where(np.isinf(x), 1.0, x), 0, False))


def j1_64(x):
    x = np.asarray(x, np.float64)
    return np.where(np.isinf(x), np.nan, _jy(np.where(np.isinf(x), 1.0, x), 1, False))


def _y(x, n):
    x = np.asarray(x, np.float64)
    out = _jy(np.where(np.isinf(x), 1.0, x), n, True)
    out = np.where(x < 0, -np.inf, out)
    out = np.where(x == np.inf, np.nan, out)
    return np.where(x == 0, -np.inf if n == 0 else np.nan, out)


def y0_64(x):
    return _y(x, 0)


def y1_64(x):
    return _y(x, 1)


# ---- K -----------------------------------------------------------------------------------------
_T = np.arange(0.0, 6.0, 0.1)  # trapezoid error ~ exp(-pi^2 / h): far below float64's


def _k_scaled(x, n):
    """K_n(x) e^x for x > 0."""
    small = x <= 2.0
    mid = (x > 2.0) & (x <= 30.0)
    out = np.empty_like(x)
    if small.any():
        xs = x[small]
        q = xs * xs / 4.0
        if n == 0:
            term, s, harm = np.ones_like(xs), np.zeros_like(xs), 0.0
            for k in range(1, 40):
                term = term * q / (k * k)
                harm += 1.0 / k
                s = s + harm * term
            k0 = -(np.log(xs / 2.0) + _EULER) * bessel_i0_64(xs) + s
        else:
            term = np.ones_like(xs)
            s = (digamma64(1.0) + digamma64(2.0)) * term
            for k in range(1, 40):
                term = term * q / (k * (k + 1))
                s = s + (digamma64(k + 1.0) + digamma64(k + 2.0)) * term
            k0 = 1.0 / xs + np.log(xs / 2.0) * bessel_i1_64(xs) - xs / 4.0 * s
        out[small] = k0 * np.exp(xs)
    if mid.any():
        xm = x[mid][:, None]
        f = np.exp(-xm * (np.cosh(_T) - 1.0)) * np.cosh(n * _T)
        out[mid] = 0.1 * (f.sum(1) - 0.5 * f[:, 0])
    big = ~small & ~mid
    if big.any():
        xb = x[big]
        mu = 4.0 * n * n
        term, s = np.ones_like(xb), np.ones_like(xb)
        for k in range(1, 30):
            term = term * (mu - (2 * k - 1) ** 2) / (k * 8.0 * xb)
            s = s + term
        out[big] = np.sqrt(np.pi / (2.0 * xb)) * s
    return out


def _k(x, n, scaled):
    x = np.asarray(x, np.float64)
    ok = (x > 0) & np.isfinite(x)
    out = np.zeros(x.shape)
    if ok.any():
        v = _k_scaled(x[ok], n)
        out[ok] = v if scaled else v * np.exp(-x[ok])
    out = np.where(x <= 0, np.inf, out)  # TensorFlow (Cephes): inf for x <= 0
    out = np.where(x == np.inf, 0.0, out)
    return np.where(np.isnan(x), np.nan, out)


# ---- Dawson, Ei, Fresnel, Spence ----------------------------------------------------------------
_H = 0.2
_C = np.exp(-((2.0 * np.arange(1, 21) - 1.0) * _H) ** 2)


def dawsn64(x):
    x = np.asarray(x, np.float64)
    ax = np.abs(x)
    small = ax < 0.2
    xs = np.where(small, x, 0.0)
    term, s = xs.copy(), xs.copy()
    for k in range(1, 12):
        term = term * (-2.0 * xs * xs) / (2 * k + 1)
        s = s + term
    with np.errstate(all="ignore"):
        xx = np.where(small | ~np.isfinite(ax), 1.0, ax)
        n0 = 2.0 * np.floor(0.5 * xx / _H + 0.5)
        xp = xx - n0 * _H
        e1 = np.exp(2.0 * xp * _H)
        e2 = e1 * e1
        d1, d2 = n0 + 1.0, n0 - 1.0
        total = np.zeros_like(xx)
        for c in _C:
            total = total + c * (e1 / d1 + 1.0 / (d2 * e1))
            d1, d2, e1 = d1 + 2.0, d2 - 2.0, e1 * e2
        big = np.sign(x) * np.exp(-xp * xp) * total / np.sqrt(np.pi)
    out = np.where(small, s, big)
    return np.where(np.isinf(x), 0.0, out)


def expint64(x):
    """Ei(x) for x > 0 (Ei(0) = -inf); NaN for x < 0 and x = inf, as TensorFlow's (Eigen's)
    expint, though Ei(x) = -E1(-x) is defined there."""
    x = np.asarray(x, np.float64)
    out = np.full(x.shape, np.nan)
    pos = (x > 0) & (x <= 40.0)
    if pos.any():
        xp = x[pos]
        term, s = np.ones_like(xp), np.zeros_like(xp)
        for k in range(1, 200):
            term = term * xp / k
            s = s + term / k
        out[pos] = _EULER + np.log(xp) + s
    big = (x > 40.0) & np.isfinite(x)
    if big.any():
        xb = x[big]
        term, s = np.ones_like(xb), np.ones_like(xb)
        for k in range(1, 40):
            term = term * k / xb
            s = s + term
        with np.errstate(over="ignore"):
            out[big] = np.exp(xb) / xb * s
    return np.where(x == 0, -np.inf, out)


_GL_X, _GL_W = np.polynomial.legendre.leggauss(200)


def _fresnel(x, want_sin):
    x = np.asarray(x, np.float64)
    ax = np.abs(x)
    near = ax <= 6.0
    out = np.empty(x.shape)
    if near.any():
        a = ax[near][:, None]
        t = 0.5 * a * (_GL_X + 1.0)
        f = np.sin(np.pi * t * t / 2.0) if want_sin else np.cos(np.pi * t * t / 2.0)
        out[near] = 0.5 * ax[near] * (f * _GL_W).sum(1)
    far = ~near & np.isfinite(ax)
    if far.any():
        xf = ax[far]
        z = np.pi * xf * xf
        fsum, gsum = np.zeros_like(xf), np.zeros_like(xf)
        tf_, tg = np.ones_like(xf), 1.0 / z
        for k in range(0, 40):
            fsum = fsum + tf_
            gsum = gsum + tg
            tf_ = -tf_ * (4 * k + 1) * (4 * k + 3) / (z * z)
            tg = -tg * (4 * k + 3) * (4 * k + 5) / (z * z)
        f = fsum / (np.pi * xf)
        g = gsum / (np.pi * xf)
        arg = np.pi * xf * xf / 2.0
        if want_sin:
            out[far] = 0.5 - f * np.cos(arg) - g * np.sin(arg)
        else:
            out[far] = 0.5 + f * np.sin(arg) - g * np.cos(arg)
    out = np.where(np.isinf(ax), 0.5, out)
    return np.where(x < 0, -out, out)


def fresnel_cos64(x):
    return _fresnel(x, False)


def fresnel_sin64(x):
    return _fresnel(x, True)


def _li2_unit(w):
    """Li2(w) for 0 <= w <= 1."""
    out = np.empty_like(w)
    lo = w <= 0.5
    for mask, v in ((lo, w), (~lo, 1.0 - w)):
        if mask.any():
            z = v[mask]
            term, s = np.ones_like(z), np.zeros_like(z)
            for k in range(1, 70):
                term = term * z
                s = s + term / (k * k)
            out[mask] = s
    hi = ~lo
    if hi.any():
        wh = w[hi]
        with np.errstate(divide="ignore", invalid="ignore"):
            lg = np.where((wh > 0) & (wh < 1), np.log(wh) * np.log1p(-wh), 0.0)
        out[hi] = np.pi ** 2 / 6.0 - lg - out[hi]
    return out


def spence64(x):
    """Li2(1 - x) for x >= 0 (NaN below)."""
    x = np.asarray(x, np.float64)
    z = 1.0 - x
    out = np.full(x.shape, np.nan)
    unit = (x >= 0) & (x <= 1)
    if unit.any():
        out[unit] = _li2_unit(z[unit])
    negz = (x > 1) & np.isfinite(x)
    if negz.any():  # z < 0: Landen, w = z / (z - 1) in (0, 1)
        zn = z[negz]
        out[negz] = -_li2_unit(zn / (zn - 1.0)) - 0.5 * np.log1p(-zn) ** 2
    return out  # inf: NaN, as TensorFlow's


# ---- the ops ------------------------------------------------------------------------------------
bessel_j0 = _special("bessel_j0", j0_64, [lambda x, y: -j1_64(x)], ["x"])
bessel_j1 = _special("bessel_j1", j1_64, [lambda x, y: np.where(
    x == 0, 0.5, j0_64(x) - y / np.where(x == 0, 1.0, x))], ["x"])
bessel_y0 = _special("bessel_y0", y0_64, [lambda x, y: -y1_64(x)], ["x"])
bessel_y1 = _special("bessel_y1", y1_64, [lambda x, y: y0_64(x) - y / x], ["x"])
bessel_k0 = _special("bessel_k0", lambda x: _k(x, 0, False), [lambda x, y: -_k(x, 1, False)],
                     ["x"])
bessel_k0e = _special("bessel_k0e", lambda x: _k(x, 0, True),
                      [lambda x, y: y - _k(x, 1, True)], ["x"])
bessel_k1 = _special("bessel_k1", lambda x: _k(x, 1, False),
                     [lambda x, y: -_k(x, 0, False) - y / x], ["x"])
bessel_k1e = _special("bessel_k1e", lambda x: _k(x, 1, True),
                      [lambda x, y: y - _k(x, 0, True) - y / x], ["x"])
dawsn = _special("dawsn", dawsn64, [lambda x, y: 1.0 - 2.0 * x * y], ["x"])
expint = _special("expint", expint64, [lambda x, y: np.exp(x) / x], ["x"])
fresnel_cos = _special("fresnel_cos", fresnel_cos64, [lambda x, y: np.cos(np.pi * x * x / 2)],
                       ["x"])
fresnel_sin = _special("fresnel_sin", fresnel_sin64, [lambda x, y: np.sin(np.pi * x * x / 2)],
                       ["x"])
spence = _special("spence", spence64, [lambda x, y: np.where(
    x == 1, -1.0, np.log(x) / (1.0 - np.where(x == 1, 0.0, x)))], ["x"])
