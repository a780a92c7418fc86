// Private to csrc/cpu/norm*.cpp (compiled once per ISA, tf/isa.h): whole-or-partial vector
// loads and stores of the normalization kernels (a row's last nn < kW lanes). In an anonymous
// namespace: each norm*.cpp gets its own copy (the per-ISA namespaces keep the ISAs apart,
// Note [per-ISA inline functions]).
#pragma once
#include <algorithm>

#include "tf/simd.h"

#ifndef TF_ISA
#error "norm_lanes.h is for csrc/cpu/norm*.cpp, compiled once per ISA"
#endif

namespace tf {
namespace TF_ISA {
namespace {

inline simd::vf loadv(const float* p, int nn) {
  return nn == simd::kW ? simd::load(p) : simd::load_n(p, nn);
}
// k in the first nn lanes, 0 past them (so that loadv(x, nn) - k is 0 there too)
inline simd::vf loadv_k(float k, int nn) {
  float t[simd::kW] = {};
  std::fill(t, t + nn, k);
  return simd::load(t);
}
inline void storev(float* p, simd::vf v, int nn) {
  if (nn == simd::kW)
    simd::store(p, v);
  else
    simd::store_n(p, v, nn);
}

}  // namespace
}  // namespace TF_ISA
}  // namespace tf
