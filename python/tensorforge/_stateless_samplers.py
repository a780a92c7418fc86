"""TensorFlow's CPU samplers behind tf.random.stateless_poisson / stateless_gamma /
stateless_binomial, reproduced draw for draw (tf_random.py holds the functions and their
argument checks; See Note [stateless poisson] there).

Each output i (the parameters' batch-major order, as the kernels count outputs) reads the
Philox stream of the seed (_philox.py) from block ``reserve * i`` on (reserve: 256; 42 for
the binomial's inversion), taking float64 uniforms two a block (random_distributions.h's
Uint64ToDouble) and Box-Muller normal pairs one a block, each buffer read from its end:
- poisson (random_poisson_op.cc): Knuth's product of uniforms below rate 10, Hormann's
  transformed rejection from 10 on;
- gamma (stateless_random_gamma_op.cc): Marsaglia and Tsang's rejection from a normal and a
  uniform (alpha < 1: from alpha + 1, times u ** (1 / alpha)); alpha 1: an exponential;
- binomial (random_binomial_op.cc): inversion where count * p < 10, BTRS from 10 on.
All arithmetic is float64 as the kernels'; the first attempts run for all outputs at once
where that is simple (poisson, gamma), the rest step by step.
"""
import math

import numpy as np

from . import _philox

__all__ = ["poisson", "gamma", "binomial", "doubles"]


def _uniform_blocks(seed, offsets):
    """The float64 uniforms of the Philox blocks at ``offsets``, (n, 2), in the order
    TensorFlow's UNIFORM macro takes them (the block's last value first): 20 + 32 random
    mantissa bits from each pair of words (random_distributions.h's Uint64ToDouble)."""
    w = _philox.blocks(seed, offsets).astype(np.uint64)
    man = ((w[:, 0::2] & np.uint64(0xFFFFF)) << np.uint64(32)) | w[:, 1::2]
    d = (man | (np.uint64(1023) << np.uint64(52))).view(np.float64) - 1.0
    return d[:, ::-1]


def poisson(seed, rate):
    """TensorFlow's Poisson draws for the flat rate-major ``rate`` array (one an output)."""
    from math import lgamma
    ct = np.float64
    n = len(rate)
    out = np.zeros(n, ct)
    idx = np.arange(n, dtype=np.uint64) * np.uint64(256)
    rate = rate.astype(ct)
    # Knuth below 10
    small = np.nonzero(rate < ct(10))[0]
    prod, x = np.ones(len(small), ct), np.zeros(len(small), ct)
    limit = np.exp(-rate[small]).astype(ct)
    active, j = np.arange(len(small)), 0
    while len(active):
        us = _uniform_blocks(seed, idx[small[active]] + np.uint64(j))
        for c in range(us.shape[1]):
            prod[active] = (prod[active] * us[:, c]).astype(ct)
            fin = prod[active] <= limit[active]
            out[small[active[fin]]] = x[active[fin]]
            x[active[~fin]] += ct(1)
            active, us = active[~fin], us[~fin]
        j += 1
    # Hormann's transformed rejection from 10 on
    big = np.nonzero(rate >= ct(10))[0]
    r = rate[big]
    log_r = np.log(r).astype(ct)
    b = (ct(0.931) + ct(2.53) * np.sqrt(r)).astype(ct)
    a = (ct(-0.059) + ct(0.02483) * b).astype(ct)
    inv_alpha = (ct(1.1239) + ct(1.1328) / (b - ct(3.4))).astype(ct)
    v_r = (ct(0.9277) - ct(3.6224) / (b - ct(2))).astype(ct)
    active, j = np.arange(len(big)), 0
    while len(active):
        us = _uniform_blocks(seed, idx[big[active]] + np.uint64(j))
        for c in range(0, us.shape[1], 2):
            u, v = (us[:, c] - ct(0.5)).astype(ct), us[:, c + 1]
            A, B, R = a[active], b[active], r[active]
            ushift = (ct(0.5) - np.abs(u)).astype(ct)
            k = np.floor((ct(2) * A / ushift + B) * u + R + ct(0.43)).astype(ct)
            ok = (ushift >= ct(0.07)) & (v <= v_r[active])
            skip = ~ok & ((k < 0) | ((ushift < ct(0.013)) & (v > ushift)))
            test = ~ok & ~skip
            with np.errstate(all="ignore"):
                s_ = np.log(v * inv_alpha[active] / (A / (ushift * ushift) + B)).astype(ct)
            lg = np.array([lgamma(float(q) + 1.0) if t else 0.0 for q, t in zip(k, test)], ct)
            t_ = (-R + k * log_r[active] - lg).astype(ct)
            fin = ok | (test & (s_ <= t_))
            out[big[active[fin]]] = k[fin]
            active, us = active[~fin], us[~fin]
        j += 1
    return out


def _u64_to_double(hi, lo):
    """random_distributions.h's Uint64ToDouble: [0, 1) from 20 bits of ``hi``, 32 of ``lo``."""
    man = ((np.uint64(hi) & np.uint64(0xFFFFF)) << np.uint64(32)) | np.uint64(lo)
    return float((man | (np.uint64(1023) << np.uint64(52))).view(np.float64)) - 1.0


class _Buffers:
    """One gamma output's PhiloxRandom (the seed's stream skipped 256 blocks an output) and
    its two SampleBuffers: Box-Muller normals and uniforms, each refilled from the next block
    and read from its end, as stateless_random_gamma_op.cc's."""

    def __init__(self, seed, output_idx):
        self.seed, self.block = seed, 256 * int(output_idx)
        self.normals, self.uniforms = [], []

    def _next(self):
        w = _philox.blocks(self.seed, [self.block])[0]
        self.block += 1
        return [int(v) for v in w]

    def normal(self):
        if not self.normals:
            x0, x1, x2, x3 = self._next()
            u1 = max(_u64_to_double(x0, x1), 1.0e-7)
            v1 = 2 * math.pi * _u64_to_double(x2, x3)
            u2 = math.sqrt(-2.0 * math.log(u1))
            self.normals = [math.sin(v1) * u2, math.cos(v1) * u2]
        return self.normals.pop()

    def uniform(self):
        if not self.uniforms:
            x0, x1, x2, x3 = self._next()
            self.uniforms = [_u64_to_double(x0, x1), _u64_to_double(x2, x3)]
        return self.uniforms.pop()


def _gamma_one(seed, i, alpha):
    """Output ``i``'s Gamma(alpha, 1) draw, the kernel's loop step by step (_Buffers)."""
    g = _Buffers(seed, i)
    if alpha == 1.0:
        return -math.log1p(-g.uniform())
    small = alpha < 1
    d = alpha + (2.0 / 3 if small else -1.0 / 3)
    c = 1.0 / 3 / math.sqrt(d)
    while True:
        x = g.normal()
        v = 1 + c * x
        if v <= 0:
            continue
        v = v * v * v
        u = g.uniform()
        if u < 1 - 0.0331 * (x * x) * (x * x) or \
                math.log(u) < 0.5 * x * x + d * (1 - v + math.log(v)):
            return d * v * (math.pow(g.uniform(), 1 / alpha) if small else 1.0)


def doubles(w):
    """Uint64ToDouble of the word pairs (0, 1) and (2, 3) of (n, 4) Philox blocks."""
    w = w.astype(np.uint64)
    man = ((w[:, 0::2] & np.uint64(0xFFFFF)) << np.uint64(32)) | w[:, 1::2]
    return (man | (np.uint64(1023) << np.uint64(52))).view(np.float64) - 1.0


def gamma(seed, alphas):
    """TensorFlow's Gamma(alpha, 1) draws (float64) for the flat alpha-major ``alphas``:
    Marsaglia and Tsang's transformation-rejection (alpha < 1: from alpha + 1, times
    u ** (1 / alpha)), an exponential for alpha == 1. The first attempt (a normal from the
    output's first block, a uniform from its second: accepted 95+% of the time) runs for all
    outputs at once; the rest take _gamma_one's loop."""
    n = len(alphas)
    base = np.arange(n, dtype=np.uint64) * np.uint64(256)
    first, second = doubles(_philox.blocks(seed, base)), doubles(
        _philox.blocks(seed, base + np.uint64(1)))
    out = np.empty(n)
    one = alphas == 1.0
    out[one] = -np.log1p(-first[one, 1])
    small = alphas < 1
    d = alphas + np.where(small, 2.0 / 3, -1.0 / 3)
    c = 1.0 / 3 / np.sqrt(d)
    u1 = np.maximum(first[:, 0], 1.0e-7)
    x = np.cos(2 * np.pi * first[:, 1]) * np.sqrt(-2.0 * np.log(u1))  # the buffer's last
    v = 1 + c * x
    with np.errstate(all="ignore"):
        v3 = v * v * v
        u = second[:, 1]
        ok = ~one & (v > 0) & ((u < 1 - 0.0331 * (x * x) * (x * x)) |
                               (np.log(u) < 0.5 * x * x + d * (1 - v3 + np.log(v3))))
        res = d * v3 * np.where(small, np.power(second[:, 0], 1 / alphas), 1.0)
    out[ok] = res[ok]
    for i in np.nonzero(~one & ~ok)[0]:
        out[i] = _gamma_one(seed, int(i), float(alphas[i]))
    return out


class _Uniforms:
    """One binomial output's float64 uniforms: its Philox blocks from ``block`` on, each
    read from its end (random_binomial_op.cc's UNIFORM macro)."""

    def __init__(self, seed, block):
        self.seed, self.block, self.buf = seed, block, []

    def __call__(self):
        if not self.buf:
            w = [int(v) for v in _philox.blocks(self.seed, [self.block])[0]]
            self.block += 1
            self.buf = [_u64_to_double(w[0], w[1]), _u64_to_double(w[2], w[3])]
        return self.buf.pop()


_STIRLING_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983,
                  0.02079067210376509, 0.0166446911898211, 0.0138761288230707,
                  0.0118967099458917, 0.0104112652619720, 0.00925546218271273,
                  0.00833056343336287)


def _stirling_tail(k):
    if k <= 9:
        return _STIRLING_TAIL[int(k)]
    kp1sq = (k + 1) * (k + 1)
    return (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)


def _binomial_inversion(count, prob, uniform):
    geom_sum, num = 0.0, 0
    while True:
        geom_sum += math.ceil(math.log(uniform()) / math.log1p(-prob))
        if geom_sum > count:
            return float(num)
        num += 1


def _btrs(count, prob, uniform):
    """Hormann's BTRS transformed rejection, as TensorFlow's kernel writes it."""
    stddev = math.sqrt(count * prob * (1 - prob))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = count * prob + 0.5
    v_r = 0.92 - 4.2 / b
    r = prob / (1 - prob)
    alpha = (2.83 + 5.1 / b) * stddev
    m = math.floor((count + 1) * prob)
    while True:
        u = uniform()
        v = uniform()
        u = u - 0.5
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + c)
        if us >= 0.07 and v <= v_r:
            return float(k)
        if k < 0 or k > count:
            continue
        v = math.log(v * alpha / (a / (us * us) + b))
        upper = ((m + 0.5) * math.log((m + 1) / (r * (count - m + 1)))
                 + (count + 1) * math.log((count - m + 1) / (count - k + 1))
                 + (k + 0.5) * math.log(r * (count - k + 1) / (k + 1))
                 + _stirling_tail(m) + _stirling_tail(count - m)
                 - _stirling_tail(k) - _stirling_tail(count - k))
        if v <= upper:
            return float(k)


def binomial(seed, counts, probs):
    """TensorFlow's Binomial(count, prob) draws (float64) for the flat batch-major pairs:
    inversion (42 blocks an output) where count * p < 10, BTRS (256) from 10 on, with
    p = min(prob, 1 - prob) (and count minus the draw for prob > 0.5); the products and
    comparisons in the probabilities' dtype, as the kernel's."""
    out = np.empty(len(counts))
    t = probs.dtype.type
    for i, (n_t, p_t) in enumerate(zip(counts, probs)):
        n = float(n_t)
        if n <= 0.0 or p_t <= t(0):
            out[i] = 0.0
            continue
        if p_t >= t(1):
            out[i] = n
            continue
        if np.isnan(p_t):
            out[i] = np.nan
            continue
        flip = p_t > t(0.5)
        q = t(1) - p_t if flip else p_t
        big = t(n_t * q) >= t(10)
        uniform = _Uniforms(seed, (256 if big else 42) * i)
        k = (_btrs if big else _binomial_inversion)(n, float(q), uniform)
        out[i] = n - k if flip else k
    return out
