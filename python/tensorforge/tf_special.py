"""TensorFlow 2's special functions (``tf.math.lgamma``, ``digamma``, ``polygamma``, ``erfinv``,
``erfcinv``, ``ndtri``, ``betainc``, ``igamma``, ``igammac``, ``lbeta``, ``zeta``, the modified
Bessel functions ``bessel_i0`` / ``i0e`` / ``i1`` / ``i1e``, and ``tf.math.special``), written here
on NumPy alone: float64 inside, the input's float dtype out.

Methods: lgamma by Lanczos (g = 7, 9 terms) with the reflection formula below 1/2; digamma by
the recurrence up to 10 and the asymptotic series; the Hurwitz zeta (and polygamma through it) by
Euler-Maclaurin summation (Cephes' scheme, as Eigen's, which TensorFlow uses); ndtri by Acklam's
rational approximations refined by one Halley step on erfc; the regularized incomplete gamma by
its series (x < a + 1) or Legendre's continued fraction; the regularized incomplete beta by
its continued fraction (Lentz) on the side where it converges; the Bessel functions by their
power series up to |x| = 30 and the Hankel asymptotic series beyond. Edge values follow
TensorFlow (Eigen): poles give inf (lgamma) or NaN (digamma), arguments outside the domain NaN.

Gradients (TensorFlow's): lgamma -> digamma, digamma -> polygamma(1), polygamma / zeta in x / q,
erfinv / erfcinv / ndtri by the inverse-function rule, igamma / igammac / betainc in x only
(TensorFlow's gradient in a for igamma is not reproduced: None here), the Bessel functions in x.
"""
import math as _math

import numpy as np

from . import backend_ops as K
from ._xp import host
from .autograd import Function, Tensor
from .backend_ops._args import tensor as _tensor
from .ops.smooth import erf_array as _erf_array
from .ops.basic import unbroadcast as _unbroadcast

__all__ = ["lgamma", "digamma", "polygamma", "erfinv", "erfcinv", "ndtri", "betainc", "igamma",
           "igammac", "lbeta", "zeta", "bessel_i0", "bessel_i0e", "bessel_i1", "bessel_i1e"]

_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012,
            9.9843695780195716e-6, 1.5056327351493116e-7)
_HALF_LOG_2PI = 0.5 * _math.log(2 * _math.pi)


def _h(a):
    return np.asarray(host(a), np.float64)


# ---- the float64 kernels ------------------------------------------------------------------------
def _lgamma_pos(x):
    """log Gamma(x) for x >= 0.5 (Lanczos)."""
    z = x - 1.0
    s = np.full_like(z, _LANCZOS[0])
    for i, c in enumerate(_LANCZOS[1:], 1):
        s = s + c / (z + i)
    t = z + 7.5
    return _HALF_LOG_2PI + (z + 0.5) * np.log(t) - t + np.log(s)


def lgamma64(x):
    x = np.asarray(x, np.float64)
    with np.errstate(all="ignore"):
        refl = x < 0.5
        xr = np.where(refl, 1.0 - x, x)
        out = _lgamma_pos(xr)
        sinpx = np.abs(np.sin(np.pi * (x - np.floor(x))))  # reduced: exact zeros at integers
        out = np.where(refl, np.log(np.pi / sinpx) - out, out)
        out = np.where((x <= 0) & (x == np.floor(x)), np.inf, out)
        out = np.where(np.isinf(x), np.inf, out)
    return out


def digamma64(x):
    x = np.asarray(x, np.float64)
    with np.errstate(all="ignore"):
        refl = x < 0.5
        xr = np.where(refl, 1.0 - x, x)
        acc = np.zeros_like(xr)
        for _ in range(10):  # recurrence up to xr >= 10
            small = xr < 10
            acc = acc - np.where(small, 1.0 / xr, 0.0)
            xr = np.where(small, xr + 1.0, xr)
        inv2 = 1.0 / (xr * xr)
        series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (
            1 / 240 - inv2 * (1 / 132 - inv2 * (691 / 32760 - inv2 / 12))))))
        out = np.log(xr) - 0.5 / xr - series + acc
        frac = x - np.floor(x)
        out = np.where(refl, out - np.pi / np.tan(np.pi * frac), out)
        out = np.where((x <= 0) & (x == np.floor(x)), np.nan, out)
        out = np.where(x == np.inf, np.inf, np.where(x == -np.inf, np.nan, out))
    return out


_ZETA_A = (12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1.8924375803183791606e9,
           7.47242496e10, -2.950130727918164224e12, 1.1646782814350067249e14,
           -4.5979787224074726105e15, 1.8152105401943546773e17, -7.1661652561756670113e18)


def zeta64(x, q):
    """The Hurwitz zeta function sum_k (k + q)^-x (Cephes' Euler-Maclaurin scheme)."""
    x, q = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(q, np.float64))
    with np.errstate(all="ignore"):
        s = q ** -x
        a = q.copy()
        b = np.zeros_like(s)
        i = 0
        while i < 9 or np.any(a <= 9):  # direct terms until the tail starts past 9
            more = (a <= 9) | (i < 9)
            a = np.where(more, a + 1.0, a)
            b = np.where(more, a ** -x, b)
            s = np.where(more, s + b, s)
            i += 1
            if i > 10000:
                break
        w = a
        s = s + b * w / (x - 1.0) - 0.5 * b
        fa = np.ones_like(s)
        k = 0.0
        done = np.zeros(s.shape, bool)
        for j in range(12):  # the Euler-Maclaurin tail, stopped per element at convergence
            fa = fa * (x + k)
            b = b / w
            t = fa * b / _ZETA_A[j]
            s = np.where(done, s, s + t)
            done |= np.abs(t) <= np.abs(s) * 1.1e-16
            k += 1.0
            fa = fa * (x + k)
            b = b / w
            k += 1.0
        out = np.where(x == 1.0, np.inf, s)
        out = np.where(x < 1.0, np.nan, out)
        qint = (q <= 0) & (q == np.floor(q))
        out = np.where(qint & (x >= 1.0), np.inf, out)
        out = np.where((q <= 0) & ~qint & (x != np.floor(x)), np.nan, out)
    return out


def polygamma64(n, x):
    n, x = np.broadcast_arrays(np.asarray(n, np.float64), np.asarray(x, np.float64))
    with np.errstate(all="ignore"):
        nn = np.where(n >= 1, n, 1.0)
        fact = np.exp(lgamma64(nn + 1.0))
        sign = np.where(np.mod(nn, 2.0) == 1.0, 1.0, -1.0)  # (-1)^(n+1)
        out = sign * fact * zeta64(nn + 1.0, x)
        out = np.where(n == 0, digamma64(x), out)
        out = np.where((n < 0) | (n != np.floor(n)), np.nan, out)
    return out


_ACK_A = (-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
          1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00)
_ACK_B = (-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
          6.680131188771972e+01, -1.328068155288572e+01)
_ACK_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
          -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00)
_ACK_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
          3.754408661907416e+00)


def _poly(c, x):
    out = np.full_like(x, c[0])
    for v in c[1:]:
        out = out * x + v
    return out


def _ndtri_from(p, q):
    """ndtri with p and q = p - 1/2 both given (q exact near the centre, p in the tails)."""
    with np.errstate(all="ignore"):
        r = q * q
        central = q * _poly(_ACK_A, r) / (_poly(_ACK_B, r) * r + 1.0)
        pt = np.where(q < 0, p, 1.0 - p)
        s = np.sqrt(-2.0 * np.log(pt))
        tail = _poly(_ACK_C, s) / (_poly(_ACK_D, s) * s + 1.0)
        tail = np.where(q < 0, tail, -tail)
        x = np.where(np.abs(q) <= 0.47575, central, tail)
        # one Halley step on Phi(x) - p, with Phi from the upper or lower tail as fits
        finite = np.isfinite(x)
        xf = np.where(finite, x, 0.0)
        erf_c, erfc_lo = _erf_array(np, -xf / _math.sqrt(2.0))  # -erf(x / sqrt 2), 2 Phi(x)
        erfc_hi = _erf_array(np, xf / _math.sqrt(2.0))[1]  # 2 (1 - Phi(x))
        e = np.where(xf < 0, 0.5 * erfc_lo - p, -((1.0 - p) - 0.5 * erfc_hi))
        e = np.where(np.abs(q) <= 0.47575, -0.5 * erf_c - q, e)  # Phi(x) - p from q: no p - 1/2
        u = e * _math.sqrt(2 * _math.pi) * np.exp(xf * xf / 2.0)
        x = np.where(finite, xf - u / (1.0 + xf * u / 2.0), x)
        x = np.where(p == 0, -np.inf, np.where(p == 1, np.inf, x))
        x = np.where((p < 0) | (p > 1) | np.isnan(p), np.nan, x)
    return x


def ndtri64(p):
    p = np.asarray(p, np.float64)
    return _ndtri_from(p, p - 0.5)


def erfinv64(x):
    x = np.asarray(x, np.float64)
    return _ndtri_from((x + 1.0) / 2.0, x / 2.0) / _math.sqrt(2.0)


def erfcinv64(x):
    x = np.asarray(x, np.float64)
    return -_ndtri_from(x / 2.0, (x - 1.0) / 2.0) / _math.sqrt(2.0)


_CONVERGED = 4e-16  # two ulps of 1: a term or a continued-fraction factor that changes nothing


class _Active:
    """The elements of an iteration still running: arrays are kept for those only, and each
    finished element's result is written out at once (work ~ the iterations each needs)."""

    def __init__(self, n, **arrays):
        self.idx = np.arange(n)
        self.v = dict(arrays)
        self.out = np.zeros(n)

    def retire(self, done, result):
        if done.any():
            self.out[self.idx[done]] = result[done]
            keep = ~done
            self.idx = self.idx[keep]
            self.v = {k: a[keep] for k, a in self.v.items()}
        return self.idx.size == 0


def _igamma_series(a, x):
    """P(a, x) by its power series (x < a + 1)."""
    st = _Active(a.size, a=a, x=x, ap=a.copy(), d=1.0 / a, s=1.0 / a)
    for _ in range(5000):
        v = st.v
        v["ap"] = v["ap"] + 1.0
        v["d"] = v["d"] * v["x"] / v["ap"]
        v["s"] = v["s"] + v["d"]
        if st.retire(np.abs(v["d"]) <= np.abs(v["s"]) * _CONVERGED, v["s"]):
            break
    else:
        st.out[st.idx] = st.v["s"]
    return st.out * np.exp(-x + a * np.log(x) - lgamma64(a))


def _igammac_cf(a, x):
    """Q(a, x) by Legendre's continued fraction (modified Lentz; x >= a + 1)."""
    tiny = 1e-300
    b = x + 1.0 - a
    st = _Active(a.size, a=a, b=b, c=np.full_like(b, 1.0 / tiny), d=1.0 / b, h=1.0 / b)
    for i in range(1, 5000):
        v = st.v
        an = -i * (i - v["a"])
        v["b"] = v["b"] + 2.0
        d = an * v["d"] + v["b"]
        d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
        c = v["b"] + an / v["c"]
        c = np.where(np.abs(c) < tiny, tiny, c)
        v["d"], v["c"] = d, c
        delta = d * c
        v["h"] = v["h"] * delta
        if st.retire(np.abs(delta - 1.0) <= _CONVERGED, v["h"]):
            break
    else:
        st.out[st.idx] = st.v["h"]
    return np.exp(-x + a * np.log(x) - lgamma64(a)) * st.out


def igamma64(a, x, upper=False):
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    with np.errstate(all="ignore"):
        ok = (a > 0) & (x > 0) & np.isfinite(a) & np.isfinite(x)
        aa, xx = np.where(ok, a, 1.0), np.where(ok, x, 1.0)
        use_series = xx < aa + 1.0
        p = np.zeros(aa.shape)
        if use_series.any():
            p[use_series] = _igamma_series(aa[use_series], xx[use_series])
        q = np.zeros(aa.shape)
        if (~use_series).any():
            q[~use_series] = _igammac_cf(aa[~use_series], xx[~use_series])
        lower = np.where(use_series, p, 1.0 - q)
        upper_v = np.where(use_series, 1.0 - p, q)
        out = upper_v if upper else lower
        edge0 = (x == 0) & (a > 0)
        out = np.where(edge0, 1.0 if upper else 0.0, out)
        out = np.where((x == np.inf) & (a > 0), 0.0 if upper else 1.0, out)
        out = np.where((a <= 0) | (x < 0) | np.isnan(a) | np.isnan(x), np.nan, out)
        out = np.where((a == np.inf) & np.isfinite(x) & (x >= 0), 1.0 if upper else 0.0, out)
    return out


def _betacf(a, b, x):
    """The continued fraction of I_x(a, b) (modified Lentz, Numerical Recipes' betacf)."""
    tiny = 1e-300
    d = 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
    st = _Active(x.size, a=a, b=b, x=x, c=np.ones_like(x), d=d, h=d.copy())
    for m in range(1, 5000):
        v = st.v
        a_, b_, x_ = v["a"], v["b"], v["x"]
        m2 = 2.0 * m
        aa = m * (b_ - m) * x_ / ((a_ - 1.0 + m2) * (a_ + m2))
        d = 1.0 + aa * v["d"]
        d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
        c = 1.0 + aa / v["c"]
        c = np.where(np.abs(c) < tiny, tiny, c)
        h = v["h"] * d * c
        aa = -(a_ + m) * (a_ + b_ + m) * x_ / ((a_ + m2) * (a_ + 1.0 + m2))
        d = 1.0 + aa * d
        d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        delta = d * c
        v["d"], v["c"], v["h"] = d, c, h * delta
        if st.retire(np.abs(delta - 1.0) <= _CONVERGED, v["h"]):
            break
    else:
        st.out[st.idx] = st.v["h"]
    return st.out


def betainc64(a, b, x):
    a, b, x = np.broadcast_arrays(*(np.asarray(v, np.float64) for v in (a, b, x)))
    with np.errstate(all="ignore"):
        ok = (a > 0) & (b > 0) & (x > 0) & (x < 1)
        aa, bb, xx = np.where(ok, a, 1.0), np.where(ok, b, 1.0), np.where(ok, x, 0.5)
        logbt = (lgamma64(aa + bb) - lgamma64(aa) - lgamma64(bb) + aa * np.log(xx)
                 + bb * np.log1p(-xx))
        front = np.exp(logbt)
        flip = xx >= (aa + 1.0) / (aa + bb + 2.0)
        out = np.empty(aa.shape)
        if (~flip).any():
            out[~flip] = (front[~flip] * _betacf(aa[~flip], bb[~flip], xx[~flip])
                          / aa[~flip])
        if flip.any():
            out[flip] = 1.0 - front[flip] * _betacf(bb[flip], aa[flip], 1.0 - xx[flip]) / bb[flip]
        out = np.where((x == 0) & (a > 0) & (b > 0), 0.0, out)
        out = np.where((x == 1) & (a > 0) & (b > 0), 1.0, out)
        out = np.where((a <= 0) | (b <= 0) | (x < 0) | (x > 1) | np.isnan(a + b + x), np.nan, out)
    return out


def _bessel_ie(x, order):
    """exp(-|x|) I_order(x) for order 0 or 1 (sign odd for order 1)."""
    x = np.asarray(x, np.float64)
    ax = np.abs(x)
    small = ax <= 30.0
    xs = np.where(small, ax, 0.0)
    q = xs * xs / 4.0
    term = np.ones_like(xs) if order == 0 else xs / 2.0
    s = term.copy()
    for k in range(1, 90):
        term = term * q / (k * (k + order))
        s = s + term
    series = s * np.exp(-xs)
    with np.errstate(all="ignore"):
        xl = np.where(small, 31.0, ax)
        mu = 4.0 * order * order
        term = np.ones_like(xl)
        t = term.copy()
        for k in range(1, 30):
            term = -term * (mu - (2 * k - 1) ** 2) / (k * 8.0 * xl)
            t = t + term
        asym = t / np.sqrt(2 * np.pi * xl)
    out = np.where(small, series, asym)
    out = np.where(np.isinf(x), 0.0, out)
    if order == 1:
        out = np.where(x < 0, -out, out)
    return np.where(np.isnan(x), np.nan, out)


def bessel_i0e64(x):
    return _bessel_ie(x, 0)


def bessel_i1e64(x):
    return _bessel_ie(x, 1)


def bessel_i0_64(x):
    x = np.asarray(x, np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(np.isinf(x), np.nan, _bessel_ie(x, 0) * np.exp(np.abs(x)))  # TF: NaN


def bessel_i1_64(x):
    x = np.asarray(x, np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(np.isinf(x), np.nan, _bessel_ie(x, 1) * np.exp(np.abs(x)))


# ---- the ops ------------------------------------------------------------------------------------
def _float_args(op, names, values):
    """Float Tensors of one dtype (integers become float32), broadcast to one shape."""
    ts = [_tensor(f"tf.math.{op}", n, v) for n, v in zip(names, values)]
    ts = [t if t.dtype.kind == "f" else Tensor(t.data.astype(np.float32)) for t in ts]
    if len({t.dtype for t in ts}) > 1:
        raise TypeError(f"tf.math.{op}: " + ", ".join(f"{n} is {t.dtype}" for n, t in
                                                       zip(names, ts)) + " (one dtype needed)")
    try:
        shape = np.broadcast_shapes(*[t.shape for t in ts])
    except ValueError:
        raise ValueError(f"tf.math.{op}: incompatible shapes " + ", ".join(
            f"{n} {tuple(t.shape)}" for n, t in zip(names, ts))) from None
    return ts, shape



def _special(name, fn, grads, names):
    """``tf.math.<name>(*args)``: y = fn(*float64 args); grads[i](args, y) the derivative in
    argument i (None: no gradient)."""
    class _Op(Function):
        @staticmethod
        def forward(ctx, *arrays):
            xs = [_h(a) for a in arrays]
            y = fn(*xs)
            ctx.save_for_backward(*xs, y)
            ctx.info = (arrays[0].dtype, [a.shape for a in arrays])
            return np.asarray(y).astype(arrays[0].dtype)

        @staticmethod
        def backward(ctx, g):
            *xs, y = ctx.saved
            dt, shapes = ctx.info
            g64 = _h(g)
            out = []
            for i, d in enumerate(grads):
                if d is None or not ctx.needs_input_grad[i]:
                    out.append(None)
                    continue
                with np.errstate(all="ignore"):
                    gi = np.broadcast_to(g64 * d(*xs, y), g.shape)
                out.append(_unbroadcast(gi, shapes[i]).astype(dt))
            return tuple(out)
    _Op.__name__ = _Op.__qualname__ = "".join(p.capitalize() for p in name.split("_"))

    def op(*args, name=None):
        ts, _ = _float_args(name_, names, args)
        return _Op.apply(*ts)
    name_ = name
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"TensorFlow's ``tf.math.{name}({', '.join(names)})``, elementwise (broadcast)."
    return op


_SQRT_PI_2 = _math.sqrt(_math.pi) / 2.0
_SQRT_2PI = _math.sqrt(2.0 * _math.pi)

lgamma = _special("lgamma", lgamma64, [lambda x, y: digamma64(x)], ["x"])
digamma = _special("digamma", digamma64, [lambda x, y: polygamma64(1.0, x)], ["x"])
polygamma = _special("polygamma", polygamma64, [None, lambda a, x, y: polygamma64(a + 1.0, x)],
                     ["a", "x"])
zeta = _special("zeta", zeta64, [None, lambda x, q, y: -x * zeta64(x + 1.0, q)], ["x", "q"])
erfinv = _special("erfinv", erfinv64, [lambda x, y: _SQRT_PI_2 * np.exp(y * y)], ["x"])
erfcinv = _special("erfcinv", erfcinv64, [lambda x, y: -_SQRT_PI_2 * np.exp(y * y)], ["x"])
ndtri = _special("ndtri", ndtri64, [lambda x, y: _SQRT_2PI * np.exp(y * y / 2.0)], ["x"])


def _dgamma_dx(a, x, y):
    return np.exp(-x + (a - 1.0) * np.log(x) - lgamma64(a))


igamma = _special("igamma", lambda a, x: igamma64(a, x), [None, _dgamma_dx], ["a", "x"])
igammac = _special("igammac", lambda a, x: igamma64(a, x, upper=True),
                   [None, lambda a, x, y: -_dgamma_dx(a, x, y)], ["a", "x"])
betainc = _special("betainc", betainc64, [None, None, lambda a, b, x, y: np.exp(
    (a - 1.0) * np.log(x) + (b - 1.0) * np.log1p(-x) + lgamma64(a + b) - lgamma64(a)
    - lgamma64(b))], ["a", "b", "x"])
bessel_i0 = _special("bessel_i0", bessel_i0_64, [lambda x, y: bessel_i1_64(x)], ["x"])
bessel_i0e = _special("bessel_i0e", bessel_i0e64,
                      [lambda x, y: bessel_i1e64(x) - np.sign(x) * y], ["x"])
bessel_i1 = _special("bessel_i1", bessel_i1_64, [lambda x, y: np.where(
    x == 0, 0.5, bessel_i0_64(x) - y / np.where(x == 0, 1.0, x))], ["x"])
bessel_i1e = _special("bessel_i1e", bessel_i1e64, [lambda x, y: np.where(
    x == 0, 0.5, bessel_i0e64(x) - y * (np.sign(x) + 1.0 / np.where(x == 0, 1.0, x)))], ["x"])


def lbeta(x, name=None):
    """log |B(x)| over the last axis: sum(lgamma(x)) - lgamma(sum(x)) (differentiable); an
    empty last axis gives -inf (0 - lgamma(0)), as TensorFlow."""
    t, _ = _float_args("lbeta", ["x"], [x])
    t = t[0]
    if t.ndim == 0:
        raise ValueError("tf.math.lbeta: x must have rank >= 1, got a scalar")
    return K.sum(lgamma(t), axis=-1) - lgamma(K.sum(t, axis=-1))
