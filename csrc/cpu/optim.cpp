// Optimizer update kernels: one fused, in-place pass over a parameter and its state arrays.
// Contract in tf/optim.h; formulas in python/tensorforge/reference/optim.py (the oracle).
//
// Each step reads grad and the state once and writes param and the state once, so an update costs
// one sweep of memory (NumPy's expression form makes 5-10). Whole vf vectors, then a masked tail.
#include <algorithm>
#include <cmath>

#include "tf/common.h"
#include "tf/optim.h"
#include "tf/parallel.h"
#include "tf/simd.h"

namespace tf {
namespace TF_ISA {
namespace {
using simd::kW;
using simd::set1;
using simd::vf;
using simd::vsqrt;

// See Note [pointwise threading] in pointwise.cpp: a parameter below this many elements per
// thread (every bias, most small kernels) is updated on the calling thread.
constexpr index_t kGrain = 1 << 14;

// Run body(i, r) over [0, n): r == kW for whole vectors, 0 < r < kW for the tail at the end.
// body is inlined once (Note [one instance per op] in pointwise.cpp), so every element rounds
// the same way wherever it falls relative to a thread's chunk.
template <class Body>
TF_NOINLINE void run_range(const Body& body, index_t b, index_t e) {
  for (index_t i = b; i < e; i += kW) body(i, (int)std::min<index_t>(kW, e - i));
}

template <class Body>
void for_vectors(index_t n, const Body& body) {
  tf::parallel_for(n, kGrain, [&](index_t b, index_t e) { run_range(body, b, e); }, 64);
}

inline vf ld(const float* p, int r) { return r == kW ? simd::load(p) : simd::load_n(p, r); }
inline void st(float* p, vf a, int r) {
  if (r == kW)
    simd::store(p, a);
  else
    simd::store_n(p, a, r);
}
}  // namespace

void sgd_update(index_t n, float* param, const float* grad, float* velocity, float lr,
                float momentum, bool nesterov) {
  FtzGuard ftz;
  const vf vlr = set1(lr), vmom = set1(momentum);
  if (momentum == 0.0f) {
    for_vectors(n, [&](index_t i, int r) {
      st(param + i, simd::fnmadd(vlr, ld(grad + i, r), ld(param + i, r)), r);  // p - lr*g
    });
  } else if (nesterov) {
    for_vectors(n, [&](index_t i, int r) {
      vf g = ld(grad + i, r);
      vf lg = vlr * g;
      vf v = simd::fmadd(vmom, ld(velocity + i, r), simd::zero() - lg);  // m*v - lr*g
      st(velocity + i, v, r);
      st(param + i, ld(param + i, r) + (simd::fmadd(vmom, v, simd::zero() - lg)), r);
    });
  } else {
    for_vectors(n, [&](index_t i, int r) {
      vf g = ld(grad + i, r);
      vf v = simd::fmadd(vmom, ld(velocity + i, r), simd::zero() - vlr * g);
      st(velocity + i, v, r);
      st(param + i, ld(param + i, r) + v, r);
    });
  }
}

template <bool kEpsInSqrt>
void rmsprop_steps(index_t n, float* param, const float* grad, const float* grad2, float* ms,
                   float lr, float rho, float one_minus_rho, float eps) {
  const vf vlr = set1(lr), vrho = set1(rho), v1mrho = set1(one_minus_rho), veps = set1(eps);
  auto step = [&](index_t i, int r, vf g) {
    vf s = simd::fmadd(vrho, ld(ms + i, r), v1mrho * (g * g));
    st(ms + i, s, r);
    const vf den = kEpsInSqrt ? vsqrt(s + veps) : vsqrt(s) + veps;
    st(param + i, ld(param + i, r) - vlr * g / den, r);
  };
  if (grad2 == nullptr) {
    for_vectors(n, [&](index_t i, int r) { step(i, r, ld(grad + i, r)); });
  } else {  // See Note [two gradients] in tf/optim.h
    for_vectors(n, [&](index_t i, int r) { step(i, r, ld(grad + i, r) + ld(grad2 + i, r)); });
  }
}

void rmsprop_update(index_t n, float* param, const float* grad, const float* grad2, float* ms,
                    float lr, float rho, float one_minus_rho, float eps, bool eps_in_sqrt) {
  FtzGuard ftz;
  if (eps_in_sqrt)
    rmsprop_steps<true>(n, param, grad, grad2, ms, lr, rho, one_minus_rho, eps);
  else
    rmsprop_steps<false>(n, param, grad, grad2, ms, lr, rho, one_minus_rho, eps);
}

void adam_update(index_t n, float* param, const float* grad, const float* grad2, float* m,
                 float* v, float lr_t, float beta1, float one_minus_beta1, float beta2,
                 float one_minus_beta2, float eps) {
  FtzGuard ftz;
  const vf vlr = set1(lr_t), vb1 = set1(beta1), vb2 = set1(beta2);
  const vf v1mb1 = set1(one_minus_beta1), v1mb2 = set1(one_minus_beta2), veps = set1(eps);
  auto step = [&](index_t i, int r, vf g) {
    vf mi = simd::fmadd(vb1, ld(m + i, r), v1mb1 * g);
    vf vi = simd::fmadd(vb2, ld(v + i, r), v1mb2 * (g * g));
    st(m + i, mi, r);
    st(v + i, vi, r);
    st(param + i, ld(param + i, r) - vlr * mi / (vsqrt(vi) + veps), r);
  };
  if (grad2 == nullptr) {
    for_vectors(n, [&](index_t i, int r) { step(i, r, ld(grad + i, r)); });
  } else {  // See Note [two gradients] in tf/optim.h
    for_vectors(n, [&](index_t i, int r) { step(i, r, ld(grad + i, r) + ld(grad2 + i, r)); });
  }
}

void adagrad_update(index_t n, float* param, const float* grad, float* acc, float lr, float eps) {
  FtzGuard ftz;
  const vf vlr = set1(lr), veps = set1(eps);
  for_vectors(n, [&](index_t i, int r) {
    vf g = ld(grad + i, r);
    vf a = simd::fmadd(g, g, ld(acc + i, r));
    st(acc + i, a, r);
    st(param + i, ld(param + i, r) - vlr * g / (vsqrt(a) + veps), r);
  });
}

}  // namespace TF_ISA
}  // namespace tf
