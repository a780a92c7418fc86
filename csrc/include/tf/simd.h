// A thin fp32 SIMD vector for kernels compiled once per ISA (see isa.h).
//
//   TF_ISA_avx512: vf = 16 lanes (__m512)    TF_ISA_avx2: vf = 8 lanes (__m256)
//   otherwise:     vf = 1 lane (plain float; the compiler may auto-vectorize loops over it)
//
// kW is the lane count. load/store are unaligned. load_n/store_n touch only the first n lanes
// (n <= kW), for loop tails. vd is the fp64 vector (kWd lanes) with the same names (set1(double),
// load(const double*), operators, fmadd, vmax, reduce_add); lane_mask<T>(n) gives a tail mask for
// the first n lanes (any n: <= 0 none, >= the lane count all) that load_m/store_m reuse across a
// tile (GEMM micro-kernels). vec<T> / lanes<T> name the vector of T and its lane count, so one
// template serves fp32 and fp64. This is the one SIMD vocabulary of csrc/cpu (issue 15): the GEMM
// micro-kernels (tf/ukernel.h), conv, pooling, pointwise, optimizers and RNN cells all use it,
// and no csrc/cpu kernel file spells a raw intrinsic except transpose8.h's packing transposes and
// pool.cpp's streaming stores; the generic build adds v4 (Note [generic 4 lanes]). Masks from a lane mask: keep_m, store_u8 /
// load_u8 (0/1 bytes); counter-based random lanes: splitmix64 / CounterStream (dropout). Note [NaN in max]: vmax(a, b)/vmin(a, b) follow x86 MAXPS: when
// either operand is NaN they return b. Put the data operand second (vmax(zero, x)) so that NaN
// input gives NaN output; put a bound second (vmin(x, hi)) only where clamping NaN is intended.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "tf/common.h"

#ifndef TF_ISA
#error "tf/simd.h is for kernel files compiled once per ISA (csrc/cpu/*.cpp)"
#endif

namespace tf {
namespace simd {
inline namespace TF_LOCAL_NS {  // See Note [per-ISA inline functions] in common.h

// SplitMix64 finalizer (Steele, Lea, Flood 2014), scalar; CounterStream is its vector form.
constexpr uint64_t kSplitmix1 = 0xBF58476D1CE4E5B9ull;
constexpr uint64_t kSplitmix2 = 0x94D049BB133111EBull;
inline uint64_t splitmix64(uint64_t z) {
  z = (z ^ (z >> 30)) * kSplitmix1;
  z = (z ^ (z >> 27)) * kSplitmix2;
  return z ^ (z >> 31);
}

#if defined(TF_ISA_avx512)
constexpr int kW = 16;
struct vf { __m512 v; };
inline vf zero() { return {_mm512_setzero_ps()}; }
inline vf set1(float x) { return {_mm512_set1_ps(x)}; }
inline vf load(const float* p) { return {_mm512_loadu_ps(p)}; }
inline void store(float* p, vf a) { _mm512_storeu_ps(p, a.v); }
inline __mmask16 tail_mask(int n) { return (__mmask16)((1u << n) - 1u); }
inline vf load_n(const float* p, int n) { return {_mm512_maskz_loadu_ps(tail_mask(n), p)}; }
inline void store_n(float* p, vf a, int n) { _mm512_mask_storeu_ps(p, tail_mask(n), a.v); }
inline vf operator+(vf a, vf b) { return {_mm512_add_ps(a.v, b.v)}; }
inline vf operator-(vf a, vf b) { return {_mm512_sub_ps(a.v, b.v)}; }
inline vf operator*(vf a, vf b) { return {_mm512_mul_ps(a.v, b.v)}; }
inline vf operator/(vf a, vf b) { return {_mm512_div_ps(a.v, b.v)}; }
inline vf fmadd(vf a, vf b, vf c) { return {_mm512_fmadd_ps(a.v, b.v, c.v)}; }   // a*b + c
inline vf fnmadd(vf a, vf b, vf c) { return {_mm512_fnmadd_ps(a.v, b.v, c.v)}; } // c - a*b
inline vf vmax(vf a, vf b) { return {_mm512_max_ps(a.v, b.v)}; }
inline vf vmin(vf a, vf b) { return {_mm512_min_ps(a.v, b.v)}; }
inline vf vabs(vf a) { return {_mm512_abs_ps(a.v)}; }
// Lane-wise select: where a > b (ordered) take x, else y.
inline vf select_gt(vf a, vf b, vf x, vf y) {
  return {_mm512_mask_blend_ps(_mm512_cmp_ps_mask(a.v, b.v, _CMP_GT_OQ), y.v, x.v)};
}
inline float reduce_add(vf a) { return _mm512_reduce_add_ps(a.v); }
inline float reduce_max(vf a) { return _mm512_reduce_max_ps(a.v); }
// 2^n for integer-valued n in [-126, 127]
inline vf pow2i(vf n) {
  __m512i i = _mm512_cvtps_epi32(n.v);
  return {_mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(i, _mm512_set1_epi32(127)), 23))};
}
inline vf round_nearest(vf a) { return {_mm512_roundscale_ps(a.v, _MM_FROUND_TO_NEAREST_INT)}; }
// Pooling helpers (added by the conv/pool kernels). Note [NaN in max] for both:
// max_update: best = max(best, v), where a NaN in either wins (the first NaN stays).
// max_argmax_update: take v (and its index) where v > best or v is the first NaN.
inline void max_update(vf v, vf& best) {
  const __m512 m = _mm512_max_ps(best.v, v.v);  // v where either is NaN
  best.v = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(best.v, best.v, _CMP_UNORD_Q), m, best.v);
}
inline void max_argmax_update(vf v, vf idx, vf& best, vf& am) {
  const __mmask16 k = _mm512_cmp_ps_mask(v.v, best.v, _CMP_GT_OQ) |
                      (_mm512_cmp_ps_mask(v.v, v.v, _CMP_UNORD_Q) &
                       _mm512_cmp_ps_mask(best.v, best.v, _CMP_ORD_Q));
  best.v = _mm512_mask_blend_ps(k, best.v, v.v);
  am.v = _mm512_mask_blend_ps(k, am.v, idx.v);
}
// Store integer-valued lanes (|a| < 2^24) as int32 / load int32 lanes as float.
inline void store_i32(int32_t* p, vf a) { _mm512_storeu_si512((void*)p, _mm512_cvttps_epi32(a.v)); }
inline vf load_i32(const int32_t* p) { return {_mm512_cvtepi32_ps(_mm512_loadu_si512((const void*)p))}; }
inline vf load_i32_n(const int32_t* p, int n) {
  return {_mm512_cvtepi32_ps(_mm512_maskz_loadu_epi32(tail_mask(n), p))};
}
inline void store_i32_n(int32_t* p, vf a, int n) {
  _mm512_mask_storeu_epi32(p, tail_mask(n), _mm512_cvttps_epi32(a.v));
}

// fp64 and tile masks (the GEMM micro-kernels); AVX-512 mask registers give free column tails.
constexpr int kWd = 8;
struct vd { __m512d v; };
struct mask_f { __mmask16 k; };
struct mask_d { __mmask8 k; };
inline vd set1(double x) { return {_mm512_set1_pd(x)}; }
inline vd load(const double* p) { return {_mm512_loadu_pd(p)}; }
inline void store(double* p, vd a) { _mm512_storeu_pd(p, a.v); }
inline vd operator+(vd a, vd b) { return {_mm512_add_pd(a.v, b.v)}; }
inline vd operator*(vd a, vd b) { return {_mm512_mul_pd(a.v, b.v)}; }
inline vd fmadd(vd a, vd b, vd c) { return {_mm512_fmadd_pd(a.v, b.v, c.v)}; }
inline vd vmax(vd a, vd b) { return {_mm512_max_pd(a.v, b.v)}; }
inline mask_f lanes_f(int n) { return {n >= 16 ? (__mmask16)0xFFFF : n <= 0 ? (__mmask16)0 : (__mmask16)((1u << n) - 1u)}; }
inline mask_d lanes_d(int n) { return {n >= 8 ? (__mmask8)0xFF : n <= 0 ? (__mmask8)0 : (__mmask8)((1u << n) - 1u)}; }
inline vf load_m(const float* p, mask_f m) { return {_mm512_maskz_loadu_ps(m.k, p)}; }
inline void store_m(float* p, mask_f m, vf a) { _mm512_mask_storeu_ps(p, m.k, a.v); }
inline vd load_m(const double* p, mask_d m) { return {_mm512_maskz_loadu_pd(m.k, p)}; }
inline void store_m(double* p, mask_d m, vd a) { _mm512_mask_storeu_pd(p, m.k, a.v); }
// The first n lanes of a (0 < n < kW): see the avx2 block (AVX-512 masked stores are fast).
inline void store_first(float* p, vf a, int n) { store_n(p, a, n); }
inline void store_first(double* p, vd a, int n) { store_m(p, lanes_d(n), a); }

// Pointwise/optimizer helpers: lanes past n of load_n_fill hold fill; sqrt; keep_m(m, a): a where
// m is set, else 0; u8 masks: kW bytes of 0/1 (dropout's saved mask) to and from a lane mask.
inline vf load_n_fill(const float* p, int n, float fill) {
  return {_mm512_mask_loadu_ps(_mm512_set1_ps(fill), tail_mask(n), p)};
}
inline vf vsqrt(vf a) { return {_mm512_sqrt_ps(a.v)}; }
inline vf keep_m(mask_f m, vf a) { return {_mm512_maskz_mov_ps(m.k, a.v)}; }
inline void store_u8(uint8_t* p, mask_f m) {
  _mm_storeu_si128((__m128i*)p, _mm_maskz_mov_epi8(m.k, _mm_set1_epi8(1)));
}
inline mask_f load_u8(const uint8_t* p) {
  return {_mm_test_epi8_mask(_mm_loadu_si128((const __m128i*)p), _mm_set1_epi8(-1))};
}
// Note [counter stream]: SplitMix64 finalizer of the counters z, z + step, z + 2 step, ... (kW per
// next_ge); lane j is set where the top 24 bits of splitmix64(counter j) are >= threshold (< 2^24).
// Every ISA computes the same integers, so the lanes match splitmix64() bit for bit.
struct CounterStream {
  __m512i z0, z1, step;
  CounterStream(uint64_t z, uint64_t st) {
    z0 = _mm512_setr_epi64((long long)z, (long long)(z + st), (long long)(z + 2 * st), (long long)(z + 3 * st),
                           (long long)(z + 4 * st), (long long)(z + 5 * st), (long long)(z + 6 * st),
                           (long long)(z + 7 * st));
    z1 = _mm512_add_epi64(z0, _mm512_set1_epi64((long long)(8 * st)));
    step = _mm512_set1_epi64((long long)(16 * st));
  }
  static __m512i mix(__m512i z) {
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), _mm512_set1_epi64((long long)kSplitmix1));
    z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), _mm512_set1_epi64((long long)kSplitmix2));
    return _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
  }
  mask_f next_ge(uint32_t threshold) {
    const __m512i thr = _mm512_set1_epi64((long long)threshold);
    const __mmask8 k0 = _mm512_cmpge_epu64_mask(_mm512_srli_epi64(mix(z0), 40), thr);
    const __mmask8 k1 = _mm512_cmpge_epu64_mask(_mm512_srli_epi64(mix(z1), 40), thr);
    z0 = _mm512_add_epi64(z0, step);
    z1 = _mm512_add_epi64(z1, step);
    return {(__mmask16)((unsigned)k0 | ((unsigned)k1 << 8))};
  }
};

#elif defined(TF_ISA_avx2)
constexpr int kW = 8;
struct vf { __m256 v; };
inline vf zero() { return {_mm256_setzero_ps()}; }
inline vf set1(float x) { return {_mm256_set1_ps(x)}; }
inline vf load(const float* p) { return {_mm256_loadu_ps(p)}; }
inline void store(float* p, vf a) { _mm256_storeu_ps(p, a.v); }
inline __m256i tail_mask(int n) {
  static const int32_t m[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256((const __m256i*)(m + 8 - n));
}
inline vf load_n(const float* p, int n) { return {_mm256_maskload_ps(p, tail_mask(n))}; }
inline void store_n(float* p, vf a, int n) { _mm256_maskstore_ps(p, tail_mask(n), a.v); }
inline vf operator+(vf a, vf b) { return {_mm256_add_ps(a.v, b.v)}; }
inline vf operator-(vf a, vf b) { return {_mm256_sub_ps(a.v, b.v)}; }
inline vf operator*(vf a, vf b) { return {_mm256_mul_ps(a.v, b.v)}; }
inline vf operator/(vf a, vf b) { return {_mm256_div_ps(a.v, b.v)}; }
inline vf fmadd(vf a, vf b, vf c) { return {_mm256_fmadd_ps(a.v, b.v, c.v)}; }
inline vf fnmadd(vf a, vf b, vf c) { return {_mm256_fnmadd_ps(a.v, b.v, c.v)}; }
inline vf vmax(vf a, vf b) { return {_mm256_max_ps(a.v, b.v)}; }
inline vf vmin(vf a, vf b) { return {_mm256_min_ps(a.v, b.v)}; }
inline vf vabs(vf a) { return {_mm256_andnot_ps(_mm256_set1_ps(-0.0f), a.v)}; }
inline vf select_gt(vf a, vf b, vf x, vf y) {
  return {_mm256_blendv_ps(y.v, x.v, _mm256_cmp_ps(a.v, b.v, _CMP_GT_OQ))};
}
inline float reduce_add(vf a) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(a.v), _mm256_extractf128_ps(a.v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
inline float reduce_max(vf a) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(a.v), _mm256_extractf128_ps(a.v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
inline vf pow2i(vf n) {
  __m256i i = _mm256_cvtps_epi32(n.v);
  return {_mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(i, _mm256_set1_epi32(127)), 23))};
}
inline vf round_nearest(vf a) { return {_mm256_round_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)}; }
inline void max_update(vf v, vf& best) {
  const __m256 m = _mm256_max_ps(best.v, v.v);
  best.v = _mm256_blendv_ps(m, best.v, _mm256_cmp_ps(best.v, best.v, _CMP_UNORD_Q));
}
inline void max_argmax_update(vf v, vf idx, vf& best, vf& am) {
  const __m256 k = _mm256_or_ps(_mm256_cmp_ps(v.v, best.v, _CMP_GT_OQ),
                                _mm256_and_ps(_mm256_cmp_ps(v.v, v.v, _CMP_UNORD_Q),
                                              _mm256_cmp_ps(best.v, best.v, _CMP_ORD_Q)));
  best.v = _mm256_blendv_ps(best.v, v.v, k);
  am.v = _mm256_blendv_ps(am.v, idx.v, k);
}
inline void store_i32(int32_t* p, vf a) { _mm256_storeu_si256((__m256i*)p, _mm256_cvttps_epi32(a.v)); }
inline vf load_i32(const int32_t* p) { return {_mm256_cvtepi32_ps(_mm256_loadu_si256((const __m256i*)p))}; }
inline vf load_i32_n(const int32_t* p, int n) {
  return {_mm256_cvtepi32_ps(_mm256_maskload_epi32((const int*)p, tail_mask(n)))};
}
inline void store_i32_n(int32_t* p, vf a, int n) {
  _mm256_maskstore_epi32((int*)p, tail_mask(n), _mm256_cvttps_epi32(a.v));
}

// fp64 and tile masks (the GEMM micro-kernels); tails use vmaskmov (slow on AMD for stores, so
// only on edge tiles).
constexpr int kWd = 4;
struct vd { __m256d v; };
struct mask_f { __m256i k; };
struct mask_d { __m256i k; };
inline vd set1(double x) { return {_mm256_set1_pd(x)}; }
inline vd load(const double* p) { return {_mm256_loadu_pd(p)}; }
inline void store(double* p, vd a) { _mm256_storeu_pd(p, a.v); }
inline vd operator+(vd a, vd b) { return {_mm256_add_pd(a.v, b.v)}; }
inline vd operator*(vd a, vd b) { return {_mm256_mul_pd(a.v, b.v)}; }
inline vd fmadd(vd a, vd b, vd c) { return {_mm256_fmadd_pd(a.v, b.v, c.v)}; }
inline vd vmax(vd a, vd b) { return {_mm256_max_pd(a.v, b.v)}; }
inline mask_f lanes_f(int n) {
  return {_mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))};
}
inline mask_d lanes_d(int n) {
  return {_mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3))};
}
inline vf load_m(const float* p, mask_f m) { return {_mm256_maskload_ps(p, m.k)}; }
inline void store_m(float* p, mask_f m, vf a) { _mm256_maskstore_ps(p, m.k, a.v); }
inline vd load_m(const double* p, mask_d m) { return {_mm256_maskload_pd(p, m.k)}; }
inline void store_m(double* p, mask_d m, vd a) { _mm256_maskstore_pd(p, m.k, a.v); }
// The first n lanes of a (0 < n < kW) through plain 128/64/32-bit stores: a vmaskmovps store
// is microcoded on AMD Zen (LeNet conv1's 20-channel rows: a masked store per tile row cost a
// fifth of the forward), and the partial vector of a tile row is stored once per row.
inline void store_first(float* p, vf a, int n) {
  __m128 h = _mm256_castps256_ps128(a.v);
  if (n >= 4) {
    _mm_storeu_ps(p, h);
    h = _mm256_extractf128_ps(a.v, 1);
    p += 4;
    n -= 4;
  }
  if (n >= 2) {
    _mm_storel_pi((__m64*)p, h);
    h = _mm_movehl_ps(h, h);
    p += 2;
    n -= 2;
  }
  if (n >= 1) _mm_store_ss(p, h);
}
inline void store_first(double* p, vd a, int n) {
  __m128d h = _mm256_castpd256_pd128(a.v);
  if (n >= 2) {
    _mm_storeu_pd(p, h);
    h = _mm256_extractf128_pd(a.v, 1);
    p += 2;
    n -= 2;
  }
  if (n >= 1) _mm_store_sd(p, h);
}

// Pointwise/optimizer helpers (see the avx512 block).
inline vf load_n_fill(const float* p, int n, float fill) {
  const __m256i m = tail_mask(n);
  return {_mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m))};
}
inline vf vsqrt(vf a) { return {_mm256_sqrt_ps(a.v)}; }
inline vf keep_m(mask_f m, vf a) { return {_mm256_and_ps(_mm256_castsi256_ps(m.k), a.v)}; }
inline void store_u8(uint8_t* p, mask_f m) {
  __m256i w = _mm256_packs_epi32(m.k, m.k);  // [k0..k3 k0..k3 | k4..k7 k4..k7] as int16
  w = _mm256_packs_epi16(w, w);              // bytes; low 4 of each 128-bit half
  uint64_t bytes = (uint64_t)(uint32_t)_mm_cvtsi128_si32(_mm256_castsi256_si128(w)) |
                   ((uint64_t)(uint32_t)_mm_cvtsi128_si32(_mm256_extracti128_si256(w, 1)) << 32);
  bytes &= 0x0101010101010101ull;
  std::memcpy(p, &bytes, 8);
}
inline mask_f load_u8(const uint8_t* p) {
  const __m256i m8 = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i*)p));
  return {_mm256_cmpgt_epi32(m8, _mm256_setzero_si256())};
}
// Note [counter stream] (avx512 block). AVX2 has no 64-bit mullo: mullo64 builds it from
// 32 x 32 -> 64 products.
struct CounterStream {
  __m256i z0, z1, step;
  CounterStream(uint64_t z, uint64_t st) {
    z0 = _mm256_setr_epi64x((long long)z, (long long)(z + st), (long long)(z + 2 * st), (long long)(z + 3 * st));
    z1 = _mm256_add_epi64(z0, _mm256_set1_epi64x((long long)(4 * st)));
    step = _mm256_set1_epi64x((long long)(8 * st));
  }
  static __m256i mullo64(__m256i a, __m256i b_lo, __m256i b_hi) {
    __m256i lo = _mm256_mul_epu32(a, b_lo);
    __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(_mm256_srli_epi64(a, 32), b_lo), _mm256_mul_epu32(a, b_hi));
    return _mm256_add_epi64(lo, _mm256_slli_epi64(cross, 32));
  }
  static __m256i mix(__m256i z) {
    const __m256i m1 = _mm256_set1_epi64x((long long)kSplitmix1), m1h = _mm256_set1_epi64x((long long)(kSplitmix1 >> 32));
    const __m256i m2 = _mm256_set1_epi64x((long long)kSplitmix2), m2h = _mm256_set1_epi64x((long long)(kSplitmix2 >> 32));
    z = mullo64(_mm256_xor_si256(z, _mm256_srli_epi64(z, 30)), m1, m1h);
    z = mullo64(_mm256_xor_si256(z, _mm256_srli_epi64(z, 27)), m2, m2h);
    return _mm256_xor_si256(z, _mm256_srli_epi64(z, 31));
  }
  mask_f next_ge(uint32_t threshold) {
    const __m256i thr_m1 = _mm256_set1_epi32((int)threshold - 1);  // u, threshold < 2^24: signed ok
    const __m256i u0 = _mm256_srli_epi64(mix(z0), 40), u1 = _mm256_srli_epi64(mix(z1), 40);
    // low dwords of the 8 u64 lanes, in order: [u0.0 u0.1 u1.0 u1.1 | u0.2 u0.3 u1.2 u1.3] -> permute
    const __m256 packed = _mm256_shuffle_ps(_mm256_castsi256_ps(u0), _mm256_castsi256_ps(u1), _MM_SHUFFLE(2, 0, 2, 0));
    const __m256i u = _mm256_permute4x64_epi64(_mm256_castps_si256(packed), _MM_SHUFFLE(3, 1, 2, 0));
    z0 = _mm256_add_epi64(z0, step);
    z1 = _mm256_add_epi64(z1, step);
    return {_mm256_cmpgt_epi32(u, thr_m1)};  // all-ones where u >= threshold
  }
};

#else  // generic: one lane
constexpr int kW = 1;
struct vf { float v; };
inline vf zero() { return {0.0f}; }
inline vf set1(float x) { return {x}; }
inline vf load(const float* p) { return {*p}; }
inline void store(float* p, vf a) { *p = a.v; }
inline vf load_n(const float* p, int n) { return {n > 0 ? *p : 0.0f}; }
inline void store_n(float* p, vf a, int n) { if (n > 0) *p = a.v; }
inline vf operator+(vf a, vf b) { return {a.v + b.v}; }
inline vf operator-(vf a, vf b) { return {a.v - b.v}; }
inline vf operator*(vf a, vf b) { return {a.v * b.v}; }
inline vf operator/(vf a, vf b) { return {a.v / b.v}; }
inline vf fmadd(vf a, vf b, vf c) { return {a.v * b.v + c.v}; }
inline vf fnmadd(vf a, vf b, vf c) { return {c.v - a.v * b.v}; }
inline vf vmax(vf a, vf b) { return {a.v > b.v ? a.v : b.v}; }  // b when NaN, like MAXPS
inline vf vmin(vf a, vf b) { return {a.v < b.v ? a.v : b.v}; }
inline vf vabs(vf a) { return {std::fabs(a.v)}; }
inline vf select_gt(vf a, vf b, vf x, vf y) { return {a.v > b.v ? x.v : y.v}; }
inline float reduce_add(vf a) { return a.v; }
inline float reduce_max(vf a) { return a.v; }
inline vf pow2i(vf n) {
  // NaN -> int is undefined behaviour (the SIMD paths' cvtps gives INT_MIN): any value will do,
  // the caller's result is NaN anyway; the shift is done unsigned (UBSan, issue 16)
  const int32_t k = n.v == n.v ? (int32_t)n.v : 0;
  uint32_t i = (uint32_t)(k + 127) << 23;
  float f;
  std::memcpy(&f, &i, 4);
  return {f};
}
inline vf round_nearest(vf a) { return {std::nearbyint(a.v)}; }
// Selects, not branches (the SIMD blocks' sequence): compare + blend, so loops over these
// vectorize; a branch per element kept the portable max pool ~15x behind the AVX2 one.
inline void max_update(vf v, vf& best) {
  const float m = best.v > v.v ? best.v : v.v;  // v where either is NaN (MAXPS)
  best.v = best.v != best.v ? best.v : m;       // a NaN best stays
}
inline void max_argmax_update(vf v, vf idx, vf& best, vf& am) {
  const bool take = (v.v > best.v) | ((v.v != v.v) & (best.v == best.v));
  best.v = take ? v.v : best.v;
  am.v = take ? idx.v : am.v;
}
inline void store_i32(int32_t* p, vf a) { *p = (int32_t)a.v; }
inline vf load_i32(const int32_t* p) { return {(float)*p}; }
inline vf load_i32_n(const int32_t* p, int n) { return {n > 0 ? (float)*p : 0.0f}; }
inline void store_i32_n(int32_t* p, vf a, int n) { if (n > 0) *p = (int32_t)a.v; }

// fp64 and tile masks: one lane each.
constexpr int kWd = 1;
struct vd { double v; };
struct mask_f { bool on; };
struct mask_d { bool on; };
inline vd set1(double x) { return {x}; }
inline vd load(const double* p) { return {*p}; }
inline void store(double* p, vd a) { *p = a.v; }
inline vd operator+(vd a, vd b) { return {a.v + b.v}; }
inline vd operator*(vd a, vd b) { return {a.v * b.v}; }
inline vd fmadd(vd a, vd b, vd c) { return {a.v * b.v + c.v}; }
inline vd vmax(vd a, vd b) { return {a.v > b.v ? a.v : b.v}; }
inline mask_f lanes_f(int n) { return {n > 0}; }
inline mask_d lanes_d(int n) { return {n > 0}; }
inline vf load_m(const float* p, mask_f m) { return {m.on ? *p : 0.0f}; }
inline void store_m(float* p, mask_f m, vf a) { if (m.on) *p = a.v; }
inline vd load_m(const double* p, mask_d m) { return {m.on ? *p : 0.0}; }
inline void store_m(double* p, mask_d m, vd a) { if (m.on) *p = a.v; }
inline void store_first(float* p, vf a, int n) { store_n(p, a, n); }
inline void store_first(double* p, vd a, int n) { if (n > 0) *p = a.v; }

// Pointwise/optimizer helpers (see the avx512 block).
inline vf load_n_fill(const float* p, int n, float fill) { return {n > 0 ? *p : fill}; }
inline vf vsqrt(vf a) { return {std::sqrt(a.v)}; }
inline vf keep_m(mask_f m, vf a) { return {m.on ? a.v : 0.0f}; }
inline void store_u8(uint8_t* p, mask_f m) { *p = (uint8_t)m.on; }
inline mask_f load_u8(const uint8_t* p) { return {*p != 0}; }
struct CounterStream {  // Note [counter stream] (avx512 block)
  uint64_t z, step;
  CounterStream(uint64_t z0, uint64_t st) : z(z0), step(st) {}
  mask_f next_ge(uint32_t threshold) {
    const bool k = (uint32_t)(splitmix64(z) >> 40) >= threshold;
    z += step;
    return {k};
  }
};

#if defined(__GNUC__)
// Note [generic 4 lanes]: the portable build has one-lane vf, and the compiler left the 4-wide
// panels of the conv micro-kernels scalar (mulss/addss). A 4-float GCC/Clang vector (SSE2 on x86,
// NEON on ARM: baseline everywhere) for the rows of a 4-column panel makes them packed (mul + add,
// no FMA contraction: the same rounding as the scalar code). Direct forward, one thread, LeNet
// conv2 / AlphaGo 3x3: 8.5 / 8.8 -> 20.6 / 27.5 GFLOP/s (the weight gradient's strided reads
// gained nothing: 20 / 17 GFLOP/s either way).
#define TF_SIMD_HAVE_V4 1
typedef float v4 __attribute__((vector_size(16)));
inline v4 load4(const float* p) {
  v4 r;
  std::memcpy(&r, p, sizeof r);
  return r;
}
#endif
#endif

// The vector of T (float: vf, double: vd), its lane count and tail mask, for templates on T.
template <typename T> struct vec_of;
template <> struct vec_of<float> {
  using type = vf;
  using mask = mask_f;
  static constexpr int lanes = kW;
  static mask_f lane_mask(int n) { return lanes_f(n); }
};
template <> struct vec_of<double> {
  using type = vd;
  using mask = mask_d;
  static constexpr int lanes = kWd;
  static mask_d lane_mask(int n) { return lanes_d(n); }
};
template <typename T> using vec = typename vec_of<T>::type;
template <typename T> using vec_mask = typename vec_of<T>::mask;
template <typename T> constexpr int lanes = vec_of<T>::lanes;
template <typename T> inline vec_mask<T> lane_mask(int n) { return vec_of<T>::lane_mask(n); }

// e^x for x already in [-87.34, 88.38] (no special cases): Cody-Waite reduction x = n ln2 + r,
// |r| <= ln2/2, degree-6 polynomial; max relative error ~2 ulp. NaN in -> NaN out.
inline vf exp_in_range(vf x) {
  vf n = round_nearest(x * set1(1.44269504088896341f));
  vf r = fnmadd(n, set1(0.693359375f), x);
  r = fnmadd(n, set1(-2.12194440e-4f), r);
  vf p = set1(1.9875691500e-4f);
  p = fmadd(p, r, set1(1.3981999507e-3f));
  p = fmadd(p, r, set1(8.3334519073e-3f));
  p = fmadd(p, r, set1(4.1665795894e-2f));
  p = fmadd(p, r, set1(1.6666665459e-1f));
  p = fmadd(p, r, set1(5.0000001201e-1f));
  p = fmadd(p * r, r, r + set1(1.0f));
  return p * pow2i(n);
}

// exp(x), max relative error ~2 ulp over the float range; NaN in -> NaN out; x > 88.7 -> +inf,
// x < -87.3 -> 0.
inline vf exp(vf x) {
  const vf hi = set1(88.72283935546875f), lo = set1(-87.33654022216796875f);
  vf big = select_gt(x, hi, set1(INFINITY), zero());  // +inf where x > hi
  vf small = select_gt(lo, x, set1(1.0f), zero());     // flag where x < lo
  x = vmin(hi, x);  // NaN stays NaN (see Note [NaN in max])
  x = vmax(lo, x);
  vf e = exp_in_range(x);
  e = select_gt(small, zero(), zero(), e);
  return select_gt(big, zero(), big, e);
}

// 1 / (1 + e^-x), max relative error ~2e-7. e^-x is taken at -x clamped to [-87.3, 89], so
// exp's special cases are not needed: at the clamps e^-x is +inf (the quotient is exactly 0, as
// it is for x <= -88.4) or 1.2e-38 (exactly 1). NaN -> NaN.
inline vf sigmoid(vf x) {
  const vf one = set1(1.0f);
  vf z = vmin(set1(89.0f), zero() - x);  // NaN stays NaN (Note [NaN in max])
  z = vmax(set1(-87.33654022216796875f), z);
  return one / (one + exp_in_range(z));
}

// tanh(x) as an odd rational minimax approximation p(x)/q(x) of degrees 13/6 on [0, 7.9053]
// (Eigen's generic_fast_tanh_float coefficients), taken at |x|: exactly 1 beyond |x| = 9 (where
// tanh rounds to 1 in float; the rational stops at 1 - 2.4e-7, and 1 - tanh^2 must be 0 there),
// x itself below |x| = 4e-4 (tanh x = x in float; keeps -0). Max relative error ~3e-7 over the
// float range; half the cost of an exp-based form, and exact in relative terms near 0
// (1 - e^-2|x| cancels there). NaN -> NaN, +-inf -> +-1.
inline vf tanh(vf a) {
  const vf ax = vabs(a), one = set1(1.0f);
  vf x = vmin(set1(7.90531110763549805f), ax);  // NaN stays NaN (Note [NaN in max])
  vf x2 = x * x;
  vf p = set1(-2.76076847742355e-16f);
  p = fmadd(p, x2, set1(2.00018790482477e-13f));
  p = fmadd(p, x2, set1(-8.60467152213735e-11f));
  p = fmadd(p, x2, set1(5.12229709037114e-08f));
  p = fmadd(p, x2, set1(1.48572235717979e-05f));
  p = fmadd(p, x2, set1(6.37261928875436e-04f));
  p = fmadd(p, x2, set1(4.89352455891786e-03f));
  vf q = set1(1.19825839466702e-06f);
  q = fmadd(q, x2, set1(1.18534705686654e-04f));
  q = fmadd(q, x2, set1(2.26843463243900e-03f));
  q = fmadd(q, x2, set1(4.89352518554385e-03f));
  vf t = select_gt(ax, set1(9.0f), one, (p * x) / q);  // tanh |a|
  t = select_gt(zero(), a, zero() - t, t);
  return select_gt(set1(4e-4f), ax, a, t);
}

}  // inline namespace TF_LOCAL_NS
}  // namespace simd
}  // namespace tf
