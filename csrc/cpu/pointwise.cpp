// Pointwise kernels: activations, softmax, fused softmax + cross-entropy, dropout.
// Contract in tf/pointwise.h; formulas in python/tensorforge/reference/pointwise.py (the oracle).
//
// Every loop runs whole vf vectors (16/8/1 lanes, see tf/simd.h) and finishes the row or the
// array with a masked tail, so no element is read or written out of bounds. NaN in -> NaN out:
// max/min take the data operand second (Note [NaN in max] in simd.h) and selects put the data
// branch on the side that a false (unordered) comparison picks.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "tf/common.h"
#include "tf/parallel.h"
#include "tf/pointwise.h"
#include "tf/simd.h"

namespace tf {
namespace TF_ISA {
namespace {
using simd::kW;
using simd::vf;
using simd::set1;
using simd::zero;
using simd::load_n_fill;

// ---- helpers local to this ISA -------------------------------------------------------------

// e^x - 1 for x <= 0 (every caller clamps or negates first), accurate to a few ulp also near 0
// where exp(x) - 1 would cancel. Same reduction as simd::exp, x = n ln2 + r with |r| <= ln2/2,
// but the polynomial is kept as e^r - 1 = r + r^2 q(r) and recombined as
// e^x - 1 = 2^n (e^r - 1) + (2^n - 1): exact for n = 0, no cancellation for n < 0.
// x < -87.3 gives -1; NaN gives NaN.
inline vf expm1_neg(vf x) {
  x = simd::vmax(set1(-87.33654022216796875f), x);  // NaN stays NaN (Note [NaN in max])
  vf n = simd::round_nearest(x * set1(1.44269504088896341f));
  vf r = simd::fnmadd(n, set1(0.693359375f), x);
  r = simd::fnmadd(n, set1(-2.12194440e-4f), r);
  vf q = set1(1.9875691500e-4f);
  q = simd::fmadd(q, r, set1(1.3981999507e-3f));
  q = simd::fmadd(q, r, set1(8.3334519073e-3f));
  q = simd::fmadd(q, r, set1(4.1665795894e-2f));
  q = simd::fmadd(q, r, set1(1.6666665459e-1f));
  q = simd::fmadd(q, r, set1(5.0000001201e-1f));
  vf em1r = simd::fmadd(q * r, r, r);
  vf s = simd::pow2i(n);
  return simd::fmadd(s, em1r, s - set1(1.0f));
}

// log(1 + t) for t in [0, 1]: 2 atanh(s) with s = t / (2 + t) in [0, 1/3], as the odd series
// 2 s (1 + z/3 + z^2/5 + ... + z^7/15), z = s^2 <= 1/9 (truncation < 2e-8 relative).
inline vf log1p_unit(vf t) {
  vf s = t / (set1(2.0f) + t);
  vf z = s * s;
  vf p = set1(1.0f / 15.0f);
  p = simd::fmadd(p, z, set1(1.0f / 13.0f));
  p = simd::fmadd(p, z, set1(1.0f / 11.0f));
  p = simd::fmadd(p, z, set1(1.0f / 9.0f));
  p = simd::fmadd(p, z, set1(1.0f / 7.0f));
  p = simd::fmadd(p, z, set1(1.0f / 5.0f));
  p = simd::fmadd(p, z, set1(1.0f / 3.0f));
  p = simd::fmadd(p, z, set1(1.0f));
  return set1(2.0f) * s * p;
}

// tanh via expm1 so that small |x| keeps full relative precision.
inline vf tanh_accurate(vf x) {
  vf e = expm1_neg(set1(-2.0f) * simd::vabs(x));  // in [-1, 0]
  vf t = (zero() - e) / (set1(2.0f) + e);     // tanh|x|
  return simd::select_gt(zero(), x, zero() - t, t);
}

// The polynomial of Numerical Recipes' erfc fit: erfc(z) = t e^(-z^2 + p(t)), t = 1 / (1 + z / 2).
inline vf erfc_exponent(vf t) {
  vf p = set1(0.17087277f);
  p = simd::fmadd(p, t, set1(-0.82215223f));
  p = simd::fmadd(p, t, set1(1.48851587f));
  p = simd::fmadd(p, t, set1(-1.13520398f));
  p = simd::fmadd(p, t, set1(0.27886807f));
  p = simd::fmadd(p, t, set1(-0.18628806f));
  p = simd::fmadd(p, t, set1(0.09678418f));
  p = simd::fmadd(p, t, set1(0.37409196f));
  p = simd::fmadd(p, t, set1(1.00002368f));
  p = simd::fmadd(p, t, set1(-1.26551223f));
  return p;
}

// 1 + erf(u) = erfc(-u) by Numerical Recipes' Chebyshev fit of erfc (relative error < 1.2e-7
// over all u), as reference/pointwise.py's one_plus_erf_fast: relative, so gelu stays accurate where
// 1 + erf is tiny (u very negative). NaN -> NaN.
inline vf one_plus_erf(vf u) {
  const vf one = set1(1.0f);
  vf z = simd::vabs(u);
  vf t = one / simd::fmadd(z, set1(0.5f), one);
  vf p = erfc_exponent(t);
  vf erfc_z = t * simd::exp(simd::fnmadd(z, z, p));
  return simd::select_gt(zero(), u, erfc_z, set1(2.0f) - erfc_z);
}

// x / 2 (1 + erf(x / sqrt 2)) to ~3e-7 relative over all x: as one_plus_erf, but carrying the
// rounding of u = x / sqrt 2 (1/sqrt 2 split into two floats), of z^2 (an FMA) and of -z^2 + p
// (Fast2Sum) into the exponent, since e^(-z^2 + p) magnifies an absolute error of the exponent
// (z^2 ~ 72 at x = -12 carries 4e-6) into a relative one of the result.
// v as a value the compiler cannot see through: GCC contracts a * b + c written with the
// intrinsics into an FMA on its own, which would break the error-free transformations below.
inline vf opaque(vf v) {
#if defined(__GNUC__)
  __asm__("" : "+x"(v.v));
#endif
  return v;
}

inline vf gelu_accurate(vf x) {
  const vf one = set1(1.0f), c_hi = set1(0.70710676908493042f), c_lo = set1(1.2101617e-8f);
  vf u = opaque(x * c_hi);
  vf u_lo = simd::fmadd(x, c_lo, simd::fmadd(x, c_hi, zero() - u));  // u + u_lo = x / sqrt 2
  vf z = simd::vabs(u);
  vf z_lo = simd::select_gt(zero(), u, zero() - u_lo, u_lo);  // |u| = z + z_lo
  vf t = one / simd::fmadd(z, set1(0.5f), one);
  vf p = erfc_exponent(t);
  vf z2 = opaque(z * z);
  vf z2_lo = simd::fmadd(z, z, zero() - z2);
  vf a = opaque(p - z2);  // Fast2Sum (|z2| >= |p| where the result is small): a + z2 exact
  vf a_lo = (p - (a + z2)) - z2_lo - set1(2.0f) * z * z_lo;
  vf erfc_z = t * simd::exp(a) * (one + a_lo);
  return set1(0.5f) * x * simd::select_gt(zero(), u, erfc_z, set1(2.0f) - erfc_z);
}

constexpr float kInvSqrt2 = 0.70710678118654752440f, kInvSqrt2Pi = 0.39894228040143267794f;
constexpr float kSqrt2OverPi = 0.79788456080286535588f, kGeluC = 0.044715f;

constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kSeluScale = 1.0507009873554804934193349852946f;

// Note [pointwise threading]: below kGrain elements per thread waking a helper (a few
// microseconds, more when the machine is busy) costs more than the work, so small arrays
// (biases, a (32, 10) softmax, a 32k-element activation) stay on the calling thread. Chunks are
// cut on 64-element boundaries so threads never share a cache line of output and every chunk but
// the last runs whole vectors.
constexpr index_t kGrainCheap = 1 << 16;  // memory-bound ops (relu, dropout, optimizer steps)
constexpr index_t kGrainHeavy = 1 << 14;  // transcendental ops (exp, sigmoid, tanh, softmax)

// The one call site of a chunk body, shared by the serial and the threaded paths, so the body is
// compiled once (Note [one instance per op]).
template <class Body>
TF_NOINLINE void run_chunk(const Body& body, index_t b, index_t e) {
  body(b, e);
}

// Chunks of [0, n) on the pool (tf/parallel.h), each through run_chunk: one instance of the body.
template <class Body>
void parallel_elems(index_t n, index_t grain, const Body& body) {
  tf::parallel_for(n, grain, [&](index_t b, index_t e) { run_chunk(body, b, e); }, 64);
}

// Note [one instance per op]: with -ffp-contract=fast (GCC's default) the compiler may fuse a
// multiply and an add into an FMA differently in two inlined copies of the same lambda, so a
// main loop plus a separate tail would round the tail elements differently and a result would
// depend on where an element falls relative to a thread's chunk. Each loop below therefore
// inlines `op` exactly once and picks full or masked loads/stores around it.

// y[i] = op(x[i]) for i in [b, e)
template <class Op>
inline void map1(index_t b, index_t e, const float* x, float* y, const Op& op) {
  for (index_t i = b; i < e; i += kW) {
    const int r = (int)std::min<index_t>(kW, e - i);
    vf v = r == kW ? simd::load(x + i) : simd::load_n(x + i, r);
    v = op(v);
    if (r == kW)
      simd::store(y + i, v);
    else
      simd::store_n(y + i, v, r);
  }
}

// dx[i] = op(dy[i], x[i], y[i]); x or y may be null when op ignores it (NeedX / NeedY false).
template <bool NeedX, bool NeedY, class Op>
inline void map3(index_t b, index_t e, const float* dy, const float* x, const float* y, float* dx,
                 const Op& op) {
  for (index_t i = b; i < e; i += kW) {
    const int r = (int)std::min<index_t>(kW, e - i);
    const bool full = r == kW;
    vf vx = !NeedX ? zero() : full ? simd::load(x + i) : simd::load_n(x + i, r);
    vf vy = !NeedY ? zero() : full ? simd::load(y + i) : simd::load_n(y + i, r);
    vf g = full ? simd::load(dy + i) : simd::load_n(dy + i, r);
    vf d = op(g, vx, vy);
    if (full)
      simd::store(dx + i, d);
    else
      simd::store_n(dx + i, d, r);
  }
}

template <class Op>
void run_forward(index_t n, const float* x, float* y, index_t grain, const Op& op) {
  parallel_elems(n, grain, [&](index_t b, index_t e) { map1(b, e, x, y, op); });
}

template <bool NeedX, bool NeedY, class Op>
void run_backward(index_t n, const float* dy, const float* x, const float* y, float* dx,
                  index_t grain, const Op& op) {
  parallel_elems(n, grain, [&](index_t b, index_t e) { map3<NeedX, NeedY>(b, e, dy, x, y, dx, op); });
}

}  // namespace

// ---- activations -----------------------------------------------------------------------------

void act_forward(index_t n, const float* x, float* y, ActKind kind, float alpha) {
  FtzGuard ftz;
  const vf a = set1(alpha), one = set1(1.0f);
  switch (kind) {
    case ActKind::linear:
      if (x != y) std::copy(x, x + n, y);
      return;
    case ActKind::relu:
      return run_forward(n, x, y, kGrainCheap, [](vf v) { return simd::vmax(zero(), v); });
    case ActKind::leaky_relu:
      return run_forward(n, x, y, kGrainCheap,
                         [a](vf v) { return simd::select_gt(v, zero(), v, v * a); });
    case ActKind::elu:
      return run_forward(n, x, y, kGrainHeavy, [a](vf v) {
        return simd::select_gt(v, zero(), v, a * expm1_neg(simd::vmin(zero(), v)));
      });
    case ActKind::selu:
      return run_forward(n, x, y, kGrainHeavy, [](vf v) {
        vf neg = set1(kSeluScale * kSeluAlpha) * expm1_neg(simd::vmin(zero(), v));
        return simd::select_gt(v, zero(), set1(kSeluScale) * v, neg);
      });
    case ActKind::softplus:
      return run_forward(n, x, y, kGrainHeavy, [](vf v) {
        return simd::vmax(zero(), v) + log1p_unit(simd::exp(zero() - simd::vabs(v)));
      });
    case ActKind::sigmoid:
      return run_forward(n, x, y, kGrainHeavy, [](vf v) { return simd::sigmoid(v); });
    case ActKind::hard_sigmoid:
      return run_forward(n, x, y, kGrainCheap, [one](vf v) {
        vf t = simd::fmadd(v, set1(0.2f), set1(0.5f));
        return simd::vmin(one, simd::vmax(zero(), t));  // NaN stays NaN
      });
    case ActKind::tanh:
      return run_forward(n, x, y, kGrainHeavy, [](vf v) { return tanh_accurate(v); });
    case ActKind::relu6:
    case ActKind::relu_max: {
      const vf cap = set1(kind == ActKind::relu6 ? 6.0f : alpha);
      // the data operand second: NaN stays NaN (Note [NaN in max] in tf/simd.h)
      return run_forward(n, x, y, kGrainCheap,
                         [cap](vf v) { return simd::vmin(cap, simd::vmax(zero(), v)); });
    }
    case ActKind::swish:
      return run_forward(n, x, y, kGrainHeavy, [](vf v) { return v * simd::sigmoid(v); });
    case ActKind::gelu:
      return run_forward(n, x, y, kGrainHeavy, [](vf v) { return gelu_accurate(v); });
    case ActKind::gelu_tanh:  // 1 + tanh(u) = 2 sigmoid(2 u): no cancellation where u < 0
      return run_forward(n, x, y, kGrainHeavy, [](vf v) {
        vf u2 = set1(2.0f * kSqrt2OverPi) * simd::fmadd(set1(kGeluC) * v * v, v, v);
        return v * simd::sigmoid(u2);
      });
  }
}

void act_backward(index_t n, const float* dy, const float* x, const float* y, float* dx,
                  ActKind kind, float alpha) {
  FtzGuard ftz;
  const vf a = set1(alpha), one = set1(1.0f);
  switch (kind) {
    case ActKind::linear:
      if (dy != dx) std::copy(dy, dy + n, dx);
      return;
    case ActKind::relu:
      return run_backward<true, false>(n, dy, x, y, dx, kGrainCheap, [](vf g, vf vx, vf) {
        return simd::select_gt(vx, zero(), g, zero());
      });
    case ActKind::leaky_relu:
      return run_backward<true, false>(n, dy, x, y, dx, kGrainCheap, [a](vf g, vf vx, vf) {
        return simd::select_gt(vx, zero(), g, g * a);
      });
    case ActKind::elu:
      return run_backward<true, true>(n, dy, x, y, dx, kGrainCheap, [a](vf g, vf vx, vf vy) {
        return simd::select_gt(vx, zero(), g, g * (vy + a));
      });
    case ActKind::selu:
      return run_backward<true, true>(n, dy, x, y, dx, kGrainCheap, [](vf g, vf vx, vf vy) {
        return simd::select_gt(vx, zero(), g * set1(kSeluScale),
                               g * (vy + set1(kSeluScale * kSeluAlpha)));
      });
    case ActKind::softplus:
      return run_backward<true, false>(n, dy, x, y, dx, kGrainHeavy,
                                       [](vf g, vf vx, vf) { return g * simd::sigmoid(vx); });
    case ActKind::sigmoid:
      return run_backward<false, true>(n, dy, x, y, dx, kGrainCheap,
                                       [one](vf g, vf, vf vy) { return g * (vy * (one - vy)); });
    case ActKind::hard_sigmoid:
      return run_backward<true, false>(n, dy, x, y, dx, kGrainCheap, [](vf g, vf vx, vf) {
        vf in_hi = simd::select_gt(set1(2.5f), vx, g * set1(0.2f), zero());
        return simd::select_gt(vx, set1(-2.5f), in_hi, zero());
      });
    case ActKind::tanh:
      return run_backward<false, true>(n, dy, x, y, dx, kGrainCheap,
                                       [one](vf g, vf, vf vy) { return g * (one - vy * vy); });
    case ActKind::relu6:  // dy where 0 < x < 6
      return run_backward<true, false>(n, dy, x, y, dx, kGrainCheap, [](vf g, vf vx, vf) {
        return simd::select_gt(vx, zero(), simd::select_gt(set1(6.0f), vx, g, zero()), zero());
      });
    case ActKind::relu_max:  // dy where 0 < x <= alpha (not above it)
      return run_backward<true, false>(n, dy, x, y, dx, kGrainCheap, [a](vf g, vf vx, vf) {
        return simd::select_gt(vx, zero(), simd::select_gt(vx, a, zero(), g), zero());
      });
    case ActKind::swish:  // s (1 + x (1 - s)), s = sigmoid(x)
      return run_backward<true, false>(n, dy, x, y, dx, kGrainHeavy, [one](vf g, vf vx, vf) {
        const vf s = simd::sigmoid(vx);
        return g * (s * simd::fmadd(vx, one - s, one));
      });
    case ActKind::gelu:  // (1 + erf(x / sqrt 2)) / 2 + x e^(-x^2 / 2) / sqrt(2 pi)
      return run_backward<true, false>(n, dy, x, y, dx, kGrainHeavy, [](vf g, vf vx, vf) {
        vf e = simd::exp(set1(-0.5f) * vx * vx) * set1(kInvSqrt2Pi);
        return g * simd::fmadd(vx, e, set1(0.5f) * one_plus_erf(vx * set1(kInvSqrt2)));
      });
    case ActKind::gelu_tanh:  // s + 2 x s (1 - s) u', s = sigmoid(2 u)
      return run_backward<true, false>(n, dy, x, y, dx, kGrainHeavy, [one](vf g, vf vx, vf) {
        vf x2 = vx * vx;
        vf s = simd::sigmoid(set1(2.0f * kSqrt2OverPi) * simd::fmadd(set1(kGeluC) * x2, vx, vx));
        vf du2 = set1(2.0f * kSqrt2OverPi) * simd::fmadd(set1(3.0f * kGeluC), x2, one);
        return g * simd::fmadd(vx * s * (one - s), du2, s);
      });
  }
}

// ---- softmax ---------------------------------------------------------------------------------

namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

// Row max (NaN lanes may be dropped by the lane reduction; a NaN element still turns the row
// sum, hence the whole row, into NaN in the exp pass).
inline float row_max(const float* x, index_t C) {
  vf m = set1(kNegInf);
  index_t j = 0;
  for (; j + kW <= C; j += kW) m = simd::vmax(m, simd::load(x + j));
  if (j < C) m = simd::vmax(m, load_n_fill(x + j, (int)(C - j), kNegInf));
  return simd::reduce_max(m);
}

// e[j] = exp(x[j] - m); returns sum_j e[j]. e may alias x.
inline float row_exp_sum(const float* x, index_t C, float m, float* e) {
  const vf vm = set1(m);
  vf s = zero();
  index_t j = 0;
  for (; j + kW <= C; j += kW) {
    vf v = simd::exp(simd::load(x + j) - vm);
    simd::store(e + j, v);
    s = s + v;
  }
  if (j < C) {
    int r = (int)(C - j);
    vf v = simd::exp(load_n_fill(x + j, r, kNegInf) - vm);  // padding: exp(-inf) = 0
    simd::store_n(e + j, v, r);
    s = s + v;
  }
  return simd::reduce_add(s);
}

inline void row_scale(float* y, index_t C, float k) {
  const vf vk = set1(k);
  index_t j = 0;
  for (; j + kW <= C; j += kW) simd::store(y + j, simd::load(y + j) * vk);
  if (j < C) {
    int r = (int)(C - j);
    simd::store_n(y + j, simd::load_n(y + j, r) * vk, r);
  }
}

// Rows [b, e) of an (N, C) problem go to one chunk; the grain counts elements per thread.
template <class Body>
void parallel_rows(index_t N, index_t C, index_t grain, const Body& body) {
  const int nt = (int)std::min<index_t>({(index_t)max_threads(), N, (N * C) / grain});
  if (nt < 2) {
    body(index_t(0), N);
    return;
  }
  parallel_range(N, chunk_size(N, nt, 1), nt, body);
}
}  // namespace

void softmax_forward(index_t N, index_t C, const float* x, float* y) {
  FtzGuard ftz;
  parallel_rows(N, C, kGrainHeavy, [&](index_t b, index_t e) {
    for (index_t i = b; i < e; ++i) {
      const float* xi = x + i * C;
      float* yi = y + i * C;
      float s = row_exp_sum(xi, C, row_max(xi, C), yi);
      row_scale(yi, C, 1.0f / s);
    }
  });
}

void softmax_backward(index_t N, index_t C, const float* dy, const float* y, float* dx) {
  FtzGuard ftz;
  parallel_rows(N, C, kGrainCheap, [&](index_t b, index_t e) {
    for (index_t i = b; i < e; ++i) {
      const float* gi = dy + i * C;
      const float* yi = y + i * C;
      float* di = dx + i * C;
      vf acc = zero();
      index_t j = 0;
      for (; j + kW <= C; j += kW) acc = simd::fmadd(simd::load(gi + j), simd::load(yi + j), acc);
      if (j < C) {
        int r = (int)(C - j);
        acc = simd::fmadd(simd::load_n(gi + j, r), simd::load_n(yi + j, r), acc);
      }
      const vf dot = set1(simd::reduce_add(acc));
      for (j = 0; j + kW <= C; j += kW)
        simd::store(di + j, simd::load(yi + j) * (simd::load(gi + j) - dot));
      if (j < C) {
        int r = (int)(C - j);
        simd::store_n(di + j, simd::load_n(yi + j, r) * (simd::load_n(gi + j, r) - dot), r);
      }
    }
  });
}

// ---- fused softmax + cross-entropy -------------------------------------------------------------

void softmax_xent_forward(index_t N, index_t C, const float* logits, const float* targets,
                          const int32_t* labels32, const int64_t* labels64, float* loss,
                          float* probs) {
  FtzGuard ftz;
  parallel_rows(N, C, kGrainHeavy, [&](index_t b, index_t e) {
    for (index_t i = b; i < e; ++i) {
      const float* xi = logits + i * C;
      float* pi = probs + i * C;
      const float m = row_max(xi, C);
      const float s = row_exp_sum(xi, C, m, pi);
      const float log_s = std::log(s);
      if (targets) {
        // sum_j t_j (m - x_j) + (sum_j t_j) log s
        const float* ti = targets + i * C;
        const vf vm = set1(m);
        vf acc = zero(), tsum = zero();
        index_t j = 0;
        for (; j + kW <= C; j += kW) {
          vf t = simd::load(ti + j);
          acc = simd::fmadd(t, vm - simd::load(xi + j), acc);
          tsum = tsum + t;
        }
        if (j < C) {
          int r = (int)(C - j);
          vf t = simd::load_n(ti + j, r);
          acc = simd::fmadd(t, vm - load_n_fill(xi + j, r, m), acc);  // padding: t = 0, m - m = 0
          tsum = tsum + t;
        }
        loss[i] = simd::reduce_add(acc) + simd::reduce_add(tsum) * log_s;
      } else {
        const index_t l = labels32 ? (index_t)labels32[i] : (index_t)labels64[i];
        loss[i] = (m - xi[l]) + log_s;
      }
      row_scale(pi, C, 1.0f / s);
    }
  });
}

void softmax_xent_backward(index_t N, index_t C, const float* probs, const float* targets,
                           const int32_t* labels32, const int64_t* labels64, float scale,
                           float* dlogits) {
  FtzGuard ftz;
  const vf k = set1(scale);
  parallel_rows(N, C, kGrainCheap, [&](index_t b, index_t e) {
    for (index_t i = b; i < e; ++i) {
      const float* pi = probs + i * C;
      float* di = dlogits + i * C;
      if (targets) {
        const float* ti = targets + i * C;
        index_t j = 0;
        for (; j + kW <= C; j += kW)
          simd::store(di + j, (simd::load(pi + j) - simd::load(ti + j)) * k);
        if (j < C) {
          int r = (int)(C - j);
          simd::store_n(di + j, (simd::load_n(pi + j, r) - simd::load_n(ti + j, r)) * k, r);
        }
      } else {
        const index_t l = labels32 ? (index_t)labels32[i] : (index_t)labels64[i];
        const float pl = pi[l];  // read before the row is overwritten (dlogits may alias probs)
        index_t j = 0;
        for (; j + kW <= C; j += kW) simd::store(di + j, simd::load(pi + j) * k);
        if (j < C) {
          int r = (int)(C - j);
          simd::store_n(di + j, simd::load_n(pi + j, r) * k, r);
        }
        di[l] = (pl - 1.0f) * scale;
      }
    }
  });
}

// ---- batch statistics of a cross-entropy step ----------------------------------------------------

namespace {
// Note [NumPy's pairwise sum]: float32 add.reduce over a contiguous run (numpy/_core/src/umath/
// loops_utils.h.src, FLOAT_pairwise_sum, float accumulators): below 8 elements a plain loop; up to
// 128, eight running sums r0..r7 over the whole groups of 8, combined as
// ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)), then the tail added one by one; above 128,
// the two halves (the first a multiple of 8 long) summed recursively. The reduction starts from
// add's identity, so loss.sum(dtype=float32) is 0.0f + pairwise_sum(loss) bit for bit (tested
// against NumPy for every length up to 1,000 and beyond). Only additions: the compiler may not
// reorder them (no -ffast-math), so every ISA gives NumPy's value.
float pairwise_sum(const float* a, index_t n) {
  if (n < 8) {
    float res = 0.0f;
    for (index_t i = 0; i < n; ++i) res += a[i];
    return res;
  }
  if (n <= 128) {
    float r[8];
    for (int j = 0; j < 8; ++j) r[j] = a[j];
    index_t i = 8;
    for (; i < n - (n % 8); i += 8)
      for (int j = 0; j < 8; ++j) r[j] += a[i + j];
    float res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; ++i) res += a[i];
    return res;
  }
  index_t n2 = n / 2;
  n2 -= n2 % 8;
  return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

// NumPy's argmax of a row: the first maximum; the first NaN wins (it counts as the maximum).
index_t argmax_row(const float* x, index_t C) {
  float best = x[0];
  index_t at = 0;
  if (std::isnan(best)) return 0;
  for (index_t j = 1; j < C; ++j)
    if (!(x[j] <= best)) {  // (negated: a NaN is taken)
      best = x[j];
      at = j;
      if (std::isnan(best)) break;
    }
  return at;
}
}  // namespace

void xent_batch_stats(index_t N, index_t C, const float* loss, const float* logits,
                      const float* targets, const int32_t* labels32, const int64_t* labels64,
                      float* mean, int64_t* hits) {
  // (no FtzGuard: NumPy's sum keeps subnormals)
  *mean = (0.0f + pairwise_sum(loss, N)) / (float)N;
  int64_t h = 0;
  for (index_t i = 0; i < N; ++i) {
    const index_t want = targets ? argmax_row(targets + i * C, C)
                                 : labels32 ? (index_t)labels32[i] : (index_t)labels64[i];
    h += argmax_row(logits + i * C, C) == want;
  }
  *hits = h;
}

// ---- dropout -------------------------------------------------------------------------------------

namespace {
// SplitMix64 (simd::splitmix64) of a counter; see Note [dropout RNG] in reference/pointwise.py.
// The vector loop computes the same integer function lane by lane (simd::CounterStream), so every
// ISA gives the same mask bit for bit.
constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;
inline void dropout_scalar(index_t b, index_t e, const float* x, uint64_t key, uint32_t threshold,
                           float scale, float* y, uint8_t* mask) {
  for (index_t i = b; i < e; ++i) {
    const bool keep = (uint32_t)(simd::splitmix64(key + (uint64_t)i * kGolden) >> 40) >= threshold;
    mask[i] = (uint8_t)keep;
    y[i] = x[i] * (keep ? scale : 0.0f);  // a multiply, not a select: NaN stays NaN
  }
}

// Whole vectors of [b, e) (simd::CounterStream: the same integers lane by lane), then the scalar tail.
void dropout_range(index_t b, index_t e, const float* x, uint64_t key, uint32_t threshold,
                   float scale, float* y, uint8_t* mask) {
  index_t i = b;
  simd::CounterStream rng(key + (uint64_t)i * kGolden, kGolden);
  const vf vscale = set1(scale);
  for (; i + kW <= e; i += kW) {
    const simd::mask_f keep = rng.next_ge(threshold);
    simd::store(y + i, simd::load(x + i) * simd::keep_m(keep, vscale));  // NaN stays NaN
    simd::store_u8(mask + i, keep);
  }
  dropout_scalar(i, e, x, key, threshold, scale, y, mask);
}

void dropout_backward_range(index_t b, index_t e, const float* dy, const uint8_t* mask,
                            float scale, float* dx) {
  index_t i = b;
  const vf vscale = set1(scale);
  for (; i + kW <= e; i += kW)
    simd::store(dx + i, simd::load(dy + i) * simd::keep_m(simd::load_u8(mask + i), vscale));
  for (; i < e; ++i) dx[i] = dy[i] * (mask[i] ? scale : 0.0f);
}
}  // namespace

void dropout_forward(index_t n, const float* x, uint64_t seed, uint32_t threshold, float scale,
                     float* y, uint8_t* mask) {
  FtzGuard ftz;
  const uint64_t key = simd::splitmix64(seed + kGolden);
  parallel_elems(n, kGrainCheap / 2, [&](index_t b, index_t e) {
    dropout_range(b, e, x, key, threshold, scale, y, mask);
  });
}

void dropout_backward(index_t n, const float* dy, const uint8_t* mask, float scale, float* dx) {
  FtzGuard ftz;
  parallel_elems(n, kGrainCheap, [&](index_t b, index_t e) {
    dropout_backward_range(b, e, dy, mask, scale, dx);
  });
}

}  // namespace TF_ISA
}  // namespace tf
