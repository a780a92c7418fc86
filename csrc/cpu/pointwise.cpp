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
#include <limits>

#include "tf/common.h"
#include "tf/pointwise.h"
#include "tf/simd.h"

namespace tf {
namespace TF_ISA {
namespace {
using simd::kW;
using simd::vf;
using simd::set1;
using simd::zero;

// ---- helpers local to this ISA -------------------------------------------------------------

// Like load_n, but the lanes past n hold `fill` (e.g. -inf for a max, so padding never wins).
inline vf load_n_fill(const float* p, int n, float fill) {
#if defined(TF_ISA_avx512)
  return {_mm512_mask_loadu_ps(_mm512_set1_ps(fill), simd::tail_mask(n), p)};
#elif defined(TF_ISA_avx2)
  __m256i m = simd::tail_mask(n);
  return {_mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m))};
#else
  return {n > 0 ? *p : fill};
#endif
}

// e^x - 1 accurate to a few ulp also near 0 (where exp(x) - 1 would cancel): a degree-9 Taylor
// polynomial for |x| < 0.5 (truncation < 2e-8 relative), exp(x) - 1 elsewhere. NaN -> NaN.
inline vf expm1(vf x) {
  const vf one = set1(1.0f);
  vf big = simd::exp(x) - one;
  vf p = set1(1.0f / 362880.0f);
  p = simd::fmadd(p, x, set1(1.0f / 40320.0f));
  p = simd::fmadd(p, x, set1(1.0f / 5040.0f));
  p = simd::fmadd(p, x, set1(1.0f / 720.0f));
  p = simd::fmadd(p, x, set1(1.0f / 120.0f));
  p = simd::fmadd(p, x, set1(1.0f / 24.0f));
  p = simd::fmadd(p, x, set1(1.0f / 6.0f));
  p = simd::fmadd(p, x, set1(0.5f));
  vf small = simd::fmadd(p * x, x, x);
  return simd::select_gt(set1(0.5f), simd::vabs(x), small, big);  // NaN: compare false -> big
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
  vf e = expm1(set1(-2.0f) * simd::vabs(x));  // in (-1, 0]
  vf t = (zero() - e) / (set1(2.0f) + e);     // tanh|x|
  return simd::select_gt(zero(), x, zero() - t, t);
}

constexpr float kSeluAlpha = 1.6732632423543772848170429916717f;
constexpr float kSeluScale = 1.0507009873554804934193349852946f;

// Note [pointwise threading]: below kGrain elements per thread the OpenMP fork/join (a few
// microseconds) costs more than the work, so small arrays (biases, a (32, 10) softmax) stay on
// the calling thread. Chunks are cut on 64-element boundaries so threads never share a cache
// line of output and every chunk but the last runs whole vectors.
constexpr index_t kGrainCheap = 1 << 16;  // memory-bound ops (relu, dropout, optimizer steps)
constexpr index_t kGrainHeavy = 1 << 13;  // transcendental ops (exp, sigmoid, tanh, softmax)

template <class Body>
void parallel_for(index_t n, index_t grain, const Body& body) {
  int nt = max_threads();
  index_t parts = std::min<index_t>(nt, n / grain);
  if (parts < 2) {
    body(index_t(0), n);
    return;
  }
#ifdef _OPENMP
  const index_t blocks = ceil_div(n, 64);
#pragma omp parallel num_threads((int)parts)
  {
    FtzGuard ftz;
    index_t b, e;
    split_range(blocks, (int)parts, thread_id(), b, e);
    body(b * 64, std::min(e * 64, n));
  }
#else
  body(index_t(0), n);
#endif
}

// y[i] = op(x[i]) for i in [b, e)
template <class Op>
inline void map1(index_t b, index_t e, const float* x, float* y, const Op& op) {
  index_t i = b;
  for (; i + kW <= e; i += kW) simd::store(y + i, op(simd::load(x + i)));
  if (i < e) {
    int r = (int)(e - i);
    simd::store_n(y + i, op(simd::load_n(x + i, r)), r);
  }
}

// dx[i] = op(dy[i], x[i], y[i]); x or y may be null when op ignores it (NeedX / NeedY false).
template <bool NeedX, bool NeedY, class Op>
inline void map3(index_t b, index_t e, const float* dy, const float* x, const float* y, float* dx,
                 const Op& op) {
  index_t i = b;
  for (; i + kW <= e; i += kW) {
    vf vx = NeedX ? simd::load(x + i) : zero();
    vf vy = NeedY ? simd::load(y + i) : zero();
    simd::store(dx + i, op(simd::load(dy + i), vx, vy));
  }
  if (i < e) {
    int r = (int)(e - i);
    vf vx = NeedX ? simd::load_n(x + i, r) : zero();
    vf vy = NeedY ? simd::load_n(y + i, r) : zero();
    simd::store_n(dx + i, op(simd::load_n(dy + i, r), vx, vy), r);
  }
}

template <class Op>
void run_forward(index_t n, const float* x, float* y, index_t grain, const Op& op) {
  parallel_for(n, grain, [&](index_t b, index_t e) { map1(b, e, x, y, op); });
}

template <bool NeedX, bool NeedY, class Op>
void run_backward(index_t n, const float* dy, const float* x, const float* y, float* dx,
                  index_t grain, const Op& op) {
  parallel_for(n, grain, [&](index_t b, index_t e) { map3<NeedX, NeedY>(b, e, dy, x, y, dx, op); });
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
        return simd::select_gt(v, zero(), v, a * expm1(simd::vmin(zero(), v)));
      });
    case ActKind::selu:
      return run_forward(n, x, y, kGrainHeavy, [](vf v) {
        vf neg = set1(kSeluScale * kSeluAlpha) * expm1(simd::vmin(zero(), v));
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

// Rows [b, e) of an (N, C) problem go to one thread; the grain counts elements.
template <class Body>
void parallel_rows(index_t N, index_t C, index_t grain, const Body& body) {
  int nt = max_threads();
  index_t parts = std::min<index_t>({(index_t)nt, N, (N * C) / grain});
  if (parts < 2) {
    body(index_t(0), N);
    return;
  }
#ifdef _OPENMP
#pragma omp parallel num_threads((int)parts)
  {
    FtzGuard ftz;
    index_t b, e;
    split_range(N, (int)parts, thread_id(), b, e);
    body(b, e);
  }
#else
  body(index_t(0), N);
#endif
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

// ---- dropout -------------------------------------------------------------------------------------

namespace {
// SplitMix64 finalizer; see Note [dropout RNG] in reference/pointwise.py.
constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
}  // namespace

void dropout_forward(index_t n, const float* x, uint64_t seed, uint32_t threshold, float scale,
                     float* y, uint8_t* mask) {
  FtzGuard ftz;
  const uint64_t key = mix64(seed + kGolden);
  parallel_for(n, kGrainCheap / 4, [&](index_t b, index_t e) {
    // A plain loop: with AVX-512DQ the compiler vectorizes the 64-bit multiplies (vpmullq).
    uint64_t z = key + (uint64_t)b * kGolden;
    for (index_t i = b; i < e; ++i, z += kGolden) {
      const uint32_t u = (uint32_t)(mix64(z) >> 40);
      const bool keep = u >= threshold;
      mask[i] = (uint8_t)keep;
      y[i] = x[i] * (keep ? scale : 0.0f);
    }
  });
}

void dropout_backward(index_t n, const float* dy, const uint8_t* mask, float scale, float* dx) {
  FtzGuard ftz;
  parallel_for(n, kGrainCheap, [&](index_t b, index_t e) {
    for (index_t i = b; i < e; ++i) dx[i] = dy[i] * (mask[i] ? scale : 0.0f);
  });
}

}  // namespace TF_ISA
}  // namespace tf
