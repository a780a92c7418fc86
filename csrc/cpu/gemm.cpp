// GEMM kernels (fp32 and fp64): C = alpha * op(A) * op(B) + beta * C (+ bias per column) (relu).
// Contract in tf/gemm.h (general strides for A and B, C with unit column stride and ldc, beta == 0
// never reads C, serial when called inside an OpenMP parallel region). Compiled once per ISA.
//
// Design (BLIS, Goto & van de Geijn, "Anatomy of high-performance matrix multiplication"):
//
//   for jc in [0, N) step NC                      (5th loop)
//     for pc in [0, K) step KC                    (4th loop)
//       pack B[pc:pc+KC, jc:jc+NC] -> Bp          NR-column panels, shared by all threads (L3)
//       for ic in [0, M) step MC                  (3rd loop, split across threads)
//         pack A[ic:ic+MC, pc:pc+KC] -> Ap        MR-row panels, thread-private (L2)
//         for jr in [0, NC) step NR               (2nd loop; B micro-panel stays in L1)
//           for ir in [0, MC) step MR             (1st loop; A micro-panels stream from L2)
//             micro-kernel: MR x NR tile of C += A micro-panel * B micro-panel (kc rank-1 updates)
//
// Packing reads A and B through their general strides (transposes and views cost nothing extra),
// so the micro-kernel always sees unit-stride panels. The epilogue (alpha, beta, bias, relu) is
// fused into the micro-kernel's store of the last K block; earlier K blocks store alpha*AB (+beta*C)
// and later blocks accumulate with beta = 1. See Note [GEMM epilogue].
//
// Micro-kernels (register tiles, one per ISA):
//   avx512: sgemm_avx512_12x32  24 zmm accumulators (12 rows x 2 vectors of 16)
//   avx2:   sgemm_avx2_6x16     12 ymm accumulators (6 rows x 2 vectors of 8)
//   generic: portable C++ 4x8 (fp32) / 4x4 (fp64) tile the compiler vectorizes; dgemm uses the
//            portable tile on every ISA (compiled with that ISA's flags).
// The SIMD kernels are templates on the number of rows m (1..MR) and vectors (1..NR/W), so edge
// tiles run a kernel of exactly their height and masked loads/stores cover column tails: no FMA
// is wasted on padding rows and nothing past the edge of A, B or C is touched.
//
// Small matrices: when B has unit column stride and packing does not pay (see use_unpacked), the
// SIMD micro-kernels read A and B in place (A by strided broadcasts, B by row-strided vector loads).
//
// Threads: the 3rd loop (M) or the 2nd loop (N panels) is split across the OpenMP team, whichever
// balances better (skinny M such as 6 x 25 x 36864 splits N). Called from inside a parallel region
// max_threads() is 1 and everything runs on the calling thread with no nested team.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "tf/gemm.h"

namespace tf {
namespace TF_ISA {

namespace {

// Note [GEMM epilogue]: what a micro-kernel does with its accumulator tile `acc` (= A*B over one
// K block) when storing to C: x = alpha*acc; if (beta != 0) x += beta*C (C is not read at all
// when beta == 0); if (bias) x += bias[j]; if (relu) x = max(0, x) keeping NaN. The driver passes
// the caller's beta for the first K block and beta = 1 afterwards, and bias/relu only for the
// last K block.
template <typename T>
struct Epi {
  T alpha, beta;
  const T* bias;  // bias for this tile's first column, or nullptr
  bool relu;
};

template <typename T>
inline T relu_keep_nan(T v) {
  return v > T(0) ? v : (v != v ? v : T(0));
}

// ---- thread-private, 64-byte aligned scratch that grows and is reused across calls ------------
// (a fresh malloc of a few MiB per call would page-fault on every call.)
struct Scratch {
  void* p = nullptr;
  size_t cap = 0;
  ~Scratch() { std::free(p); }
  void* get(size_t bytes) {
    if (bytes > cap) {
      std::free(p);
      cap = (bytes + 4095) & ~size_t(4095);
      p = std::aligned_alloc(64, cap);
      if (!p) {
        cap = 0;
        throw std::bad_alloc();
      }
    }
    return p;
  }
};
template <typename T>
T* scratch(int slot, size_t n) {
  static thread_local Scratch bufs[2];  // slot 0: packed A (per thread), 1: packed B (shared)
  return static_cast<T*>(bufs[slot].get(n * sizeof(T) + 64));
}

// ---- packing ----------------------------------------------------------------------------------
// Ap: ceil(mc/MR) panels, each kc x MR (element (i, k) of the panel at [k*MR + i]); rows past mc
// are zero. a points at element (0, 0) of the block; (i, k) is a[i*rsA + k*csA].
template <typename T, int MR>
void pack_A(index_t mc, index_t kc, const T* a, index_t rsA, index_t csA, T* Ap) {
  for (index_t i0 = 0; i0 < mc; i0 += MR, Ap += MR * kc) {
    const int m = (int)std::min<index_t>(MR, mc - i0);
    const T* s = a + i0 * rsA;
    if (csA == 1 && m == MR) {  // rows contiguous along k: read each row, scatter into the panel
      for (int i = 0; i < MR; ++i) {
        const T* r = s + i * rsA;
        for (index_t k = 0; k < kc; ++k) Ap[k * MR + i] = r[k];
      }
    } else {
      for (index_t k = 0; k < kc; ++k) {
        int i = 0;
        for (; i < m; ++i) Ap[k * MR + i] = s[i * rsA + k * csA];
        for (; i < MR; ++i) Ap[k * MR + i] = T(0);
      }
    }
  }
}

// Bp: panels [p0, p1) of kc x NR (element (k, j) at [k*NR + j]); columns past nc are zero.
// b points at element (0, 0) of the block; (k, j) is b[k*rsB + j*csB].
template <typename T, int NR>
void pack_B(index_t kc, index_t nc, const T* b, index_t rsB, index_t csB, T* Bp, index_t p0,
            index_t p1) {
  for (index_t p = p0; p < p1; ++p) {
    const index_t j0 = p * NR;
    const int n = (int)std::min<index_t>(NR, nc - j0);
    T* d = Bp + p * NR * kc;
    const T* s = b + j0 * csB;
    if (csB == 1) {
      for (index_t k = 0; k < kc; ++k) {
        const T* r = s + k * rsB;
        T* o = d + k * NR;
        int j = 0;
        for (; j < n; ++j) o[j] = r[j];
        for (; j < NR; ++j) o[j] = T(0);
      }
    } else {  // e.g. B transposed (rsB == 1): read each column contiguously
      for (int j = 0; j < n; ++j) {
        const T* col = s + j * csB;
        for (index_t k = 0; k < kc; ++k) d[k * NR + j] = col[k * rsB];
      }
      if (n < NR)
        for (index_t k = 0; k < kc; ++k)
          for (int j = n; j < NR; ++j) d[k * NR + j] = T(0);
    }
  }
}

// ---- portable micro-kernel (generic sgemm, dgemm on every ISA) --------------------------------
// Packed panels only (zero-padded), full MR x NR accumulation, stores the m x n corner.
template <typename T, int MR_, int NR_>
struct PortableKernel {
  using type = T;
  static constexpr int MR = MR_, NR = NR_;
  static constexpr bool kUnpacked = false, kDot = false;
  static void dot(index_t, index_t, index_t, index_t, const T*, index_t, const T*, index_t, T*) {}
  static void tile(int m, int n, index_t kc, const T* a, index_t /*rsa*/, index_t /*csa*/,
                   bool /*apack*/, const T* b, index_t /*rsb*/, bool /*bfull*/, T* c, index_t ldc,
                   const Epi<T>& e) {
    T acc[MR][NR] = {};
    for (index_t k = 0; k < kc; ++k) {
      const T* ak = a + k * MR;
      const T* bk = b + k * NR;
      for (int i = 0; i < MR; ++i)
        for (int j = 0; j < NR; ++j) acc[i][j] += ak[i] * bk[j];
    }
    for (int i = 0; i < m; ++i) {
      T* cr = c + i * ldc;
      for (int j = 0; j < n; ++j) {
        T x = e.alpha * acc[i][j];
        if (e.beta != T(0)) x += e.beta * cr[j];
        if (e.bias) x += e.bias[j];
        cr[j] = e.relu ? relu_keep_nan(x) : x;
      }
    }
  }
};

// ---- SIMD micro-kernels -----------------------------------------------------------------------
#if defined(TF_ISA_avx512) || defined(TF_ISA_avx2)

#if defined(TF_ISA_avx512)
// 16 fp32 lanes; AVX-512 mask registers give free column tails.
struct VOps {
  using V = __m512;
  using M = __mmask16;
  static constexpr int W = 16;
  static M mask(int n) { return n >= 16 ? (M)0xFFFF : n <= 0 ? (M)0 : (M)((1u << n) - 1u); }
  static V zero() { return _mm512_setzero_ps(); }
  static V set1(float x) { return _mm512_set1_ps(x); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V loadm(const float* p, M m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, V x) { _mm512_storeu_ps(p, x); }
  static void storem(float* p, M m, V x) { _mm512_mask_storeu_ps(p, m, x); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V relu(V x) { return _mm512_max_ps(_mm512_setzero_ps(), x); }  // NaN: returns x
  static float hsum(V x) { return _mm512_reduce_add_ps(x); }
};
constexpr int kSMR = 12, kSNR = 32;  // sgemm_avx512_12x32
#else
// 8 fp32 lanes; tails use vmaskmov (slow on AMD for stores, so only on edge tiles).
struct VOps {
  using V = __m256;
  using M = __m256i;
  static constexpr int W = 8;
  static M mask(int n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(float x) { return _mm256_set1_ps(x); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static V loadm(const float* p, M m) { return _mm256_maskload_ps(p, m); }
  static void store(float* p, V x) { _mm256_storeu_ps(p, x); }
  static void storem(float* p, M m, V x) { _mm256_maskstore_ps(p, m, x); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V relu(V x) { return _mm256_max_ps(_mm256_setzero_ps(), x); }  // NaN: returns x
  static float hsum(V x) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
};
constexpr int kSMR = 6, kSNR = 16;  // sgemm_avx2_6x16
#endif

// One register tile of C: MR_ rows (1..kSMR) x NV vectors (1..kSNR/W), n valid columns.
// Register use (avx512, MR_=12, NV=2): 24 zmm accumulators acc[i][v] hold C[i][16v..16v+15],
// 2 zmm hold the current row k of the B micro-panel, A[i][k] is broadcast from memory into the
// FMA; 6 zmm are left for the compiler. (avx2 6x16: 12 ymm accumulators + 2 B + 1 broadcast.)
// APACK: a is a packed panel (rsa == 1, csa == MR) so row offsets are immediates; otherwise a is
// A in place and element (i, k) is a[i*rsa + k*csa]. BFULL: b rows can be loaded unmasked (packed
// and zero-padded, or n == NV*W); otherwise masked loads keep reads inside B.
template <int MR_, int NV, bool APACK, bool BFULL>
void sgemm_tile(index_t kc, const float* a, index_t rsa, index_t csa, const float* b, index_t rsb,
                float* c, index_t ldc, int n, const Epi<float>& e) {
  using O = VOps;
  using V = O::V;
  constexpr int W = O::W;
  typename O::M mk[NV];
  for (int v = 0; v < NV; ++v) mk[v] = O::mask(n - v * W);
  V acc[MR_][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR_; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = O::zero();
  for (int i = 0; i < MR_; ++i) _mm_prefetch((const char*)(c + i * ldc), _MM_HINT_T0);
  const index_t rs = APACK ? 1 : rsa;
#pragma GCC unroll 4
  for (index_t k = 0; k < kc; ++k) {
    V bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = BFULL ? O::load(b + v * W) : O::loadm(b + v * W, mk[v]);
#pragma GCC unroll 16
    for (int i = 0; i < MR_; ++i) {
      const V ai = O::set1(a[i * rs]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] = O::fmadd(ai, bv[v], acc[i][v]);
    }
    a += csa;
    b += rsb;
  }
  // Epilogue, see Note [GEMM epilogue].
  const V va = O::set1(e.alpha), vb = O::set1(e.beta);
  const bool full = n == NV * W, use_beta = e.beta != 0.0f;
  V bias[NV];
  for (int v = 0; v < NV; ++v) bias[v] = e.bias ? O::loadm(e.bias + v * W, mk[v]) : O::zero();
#pragma GCC unroll 16
  for (int i = 0; i < MR_; ++i) {
    float* cr = c + i * ldc;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      V x = O::mul(acc[i][v], va);
      if (use_beta) x = O::fmadd(vb, full ? O::load(cr + v * W) : O::loadm(cr + v * W, mk[v]), x);
      if (e.bias) x = O::add(x, bias[v]);
      if (e.relu) x = O::relu(x);
      if (full)
        O::store(cr + v * W, x);
      else
        O::storem(cr + v * W, mk[v], x);
    }
  }
}

using sgemm_tile_fn = void (*)(index_t, const float*, index_t, index_t, const float*, index_t,
                               float*, index_t, int, const Epi<float>&);

constexpr int kSNV = kSNR / VOps::W;  // vectors per tile row (2)
static_assert(kSNV == 2, "tile table below assumes NR = 2 vectors");

template <bool AP, bool BF, int NV, int... Ms>
constexpr std::array<sgemm_tile_fn, sizeof...(Ms)> tile_row(std::integer_sequence<int, Ms...>) {
  return {{&sgemm_tile<Ms + 1, NV, AP, BF>...}};
}
// kTiles[apack][bfull][nv-1][m-1]
template <bool AP, bool BF>
constexpr std::array<std::array<sgemm_tile_fn, kSMR>, kSNV> tile_table() {
  return {{tile_row<AP, BF, 1>(std::make_integer_sequence<int, kSMR>{}),
           tile_row<AP, BF, 2>(std::make_integer_sequence<int, kSMR>{})}};
}
const std::array<std::array<sgemm_tile_fn, kSMR>, kSNV> kTiles[2][2] = {
    {tile_table<false, false>(), tile_table<false, true>()},
    {tile_table<true, false>(), tile_table<true, true>()}};

// ---- dot-product form -------------------------------------------------------------------------
// For tiny outputs with long K where A rows and B columns are both contiguous along K (csA == 1,
// rsB == 1, e.g. LeNet conv1 dW's backward 6 x 36864 x 25), packing costs more than the
// arithmetic: every packed element would be used only M or N times. Instead vectorize along K:
// a DI x DJ block of dot products keeps DI*DJ vector accumulators (avx512 3x4: 12 zmm, 7 loads
// per 12 FMAs) and reduces them horizontally once at the end. out[i*ldo + j] = sum over [k0, k1).
constexpr int kDI = 3, kDJ = 4;
template <int DI, int DJ>
void sdot_block(index_t k0, index_t k1, const float* A, index_t rsA, const float* B, index_t csB,
                float* out, index_t ldo) {
  using O = VOps;
  using V = O::V;
  constexpr int W = O::W;
  V acc[DI][DJ];
  for (int i = 0; i < DI; ++i)
    for (int j = 0; j < DJ; ++j) acc[i][j] = O::zero();
  index_t k = k0;
  for (; k + W <= k1; k += W) {
    V a[DI], b[DJ];
    for (int i = 0; i < DI; ++i) a[i] = O::load(A + i * rsA + k);
    for (int j = 0; j < DJ; ++j) b[j] = O::load(B + j * csB + k);
    for (int i = 0; i < DI; ++i)
      for (int j = 0; j < DJ; ++j) acc[i][j] = O::fmadd(a[i], b[j], acc[i][j]);
  }
  if (k < k1) {
    const typename O::M mk = O::mask((int)(k1 - k));
    V a[DI], b[DJ];
    for (int i = 0; i < DI; ++i) a[i] = O::loadm(A + i * rsA + k, mk);
    for (int j = 0; j < DJ; ++j) b[j] = O::loadm(B + j * csB + k, mk);
    for (int i = 0; i < DI; ++i)
      for (int j = 0; j < DJ; ++j) acc[i][j] = O::fmadd(a[i], b[j], acc[i][j]);
  }
  for (int i = 0; i < DI; ++i)
    for (int j = 0; j < DJ; ++j) out[i * ldo + j] = O::hsum(acc[i][j]);
}

using sdot_fn = void (*)(index_t, index_t, const float*, index_t, const float*, index_t, float*,
                         index_t);
template <int DI, int... Js>
constexpr std::array<sdot_fn, sizeof...(Js)> dot_row(std::integer_sequence<int, Js...>) {
  return {{&sdot_block<DI, Js + 1>...}};
}
const std::array<sdot_fn, kDJ> kDots[kDI] = {dot_row<1>(std::make_integer_sequence<int, kDJ>{}),
                                             dot_row<2>(std::make_integer_sequence<int, kDJ>{}),
                                             dot_row<3>(std::make_integer_sequence<int, kDJ>{})};

// All M x N dot products over k in [k0, k1) into out (M x N, row stride N).
inline void sdot_all(index_t M, index_t N, index_t k0, index_t k1, const float* A, index_t rsA,
                     const float* B, index_t csB, float* out) {
  for (index_t i = 0; i < M; i += kDI) {
    const int di = (int)std::min<index_t>(kDI, M - i);
    for (index_t j = 0; j < N; j += kDJ) {
      const int dj = (int)std::min<index_t>(kDJ, N - j);
      kDots[di - 1][dj - 1](k0, k1, A + i * rsA, rsA, B + j * csB, csB, out + i * N + j, N);
    }
  }
}

struct SimdKernel {
  using type = float;
  static constexpr int MR = kSMR, NR = kSNR;
  static constexpr bool kUnpacked = true, kDot = true;
  static void dot(index_t M, index_t N, index_t k0, index_t k1, const float* A, index_t rsA,
                  const float* B, index_t csB, float* out) {
    sdot_all(M, N, k0, k1, A, rsA, B, csB, out);
  }
  static void tile(int m, int n, index_t kc, const float* a, index_t rsa, index_t csa, bool apack,
                   const float* b, index_t rsb, bool bfull, float* c, index_t ldc,
                   const Epi<float>& e) {
    const int nv = (n + VOps::W - 1) / VOps::W;
    kTiles[apack][bfull || n == nv * VOps::W][nv - 1][m - 1](kc, a, rsa, csa, b, rsb, c, ldc, n,
                                                             e);
  }
};
using SKernel = SimdKernel;
#else
using SKernel = PortableKernel<float, 4, 8>;
#endif

using DKernel = PortableKernel<double, 4, 8>;

// ---- cache blocking ---------------------------------------------------------------------------
// Measured on AMD EPYC (Zen 4, 32 KiB L1d, 1 MiB L2 per core, 32 MiB L3), see bench/RESULTS.md:
// KC x NR B micro-panel (KC*128 B) stays in L1 with room for the streaming A panel; MC x KC
// packed A (MC*KC*4 B) fills about half of L2; KC x NC packed B lives in L3.
template <class K>
struct Blocking {
  static constexpr index_t KC0 = sizeof(typename K::type) == 4 ? 320 : 128;
  static constexpr index_t MC0 = (sizeof(typename K::type) == 4 ? 384 : 288) / K::MR * K::MR;
  static constexpr index_t NC0 = 4096;
  static index_t get(int which) {  // TUNING HACK: TF_GEMM_TUNE="MC,KC,NC"
    static index_t v[3] = {-1, -1, -1};
    if (v[0] < 0) {
      v[0] = MC0; v[1] = KC0; v[2] = NC0;
      if (const char* s = std::getenv("TF_GEMM_TUNE")) {
        long a, b, c;
        if (std::sscanf(s, "%ld,%ld,%ld", &a, &b, &c) == 3) { v[0] = a / K::MR * K::MR; v[1] = b; v[2] = c / K::NR * K::NR; }
      }
    }
    return v[which];
  }
};
inline double efficiency(index_t units, int parts) {
  const index_t per = ceil_div(units, parts);
  return (double)units / (double)(per * parts);
}

// ---- drivers ----------------------------------------------------------------------------------
template <class K>
struct Problem {
  using T = typename K::type;
  index_t M, N, K_;
  T alpha;
  const T* A;
  index_t rsA, csA;
  const T* B;
  index_t rsB, csB;
  T beta;
  T* C;
  index_t ldc;
  const T* bias;
  bool relu;
};

inline int team_size() {
#ifdef _OPENMP
  return omp_get_num_threads();
#else
  return 1;
#endif
}

inline void team_barrier(int nthreads) {
  if (nthreads > 1) {
#pragma omp barrier
  }
}

// The packed BLIS loops for thread `t` of `nthreads` (all threads run this with the same Bp).
template <class K>
void packed_body(const Problem<K>& p, typename K::type* Bp, bool split_m, int t, int nthreads) {
  using T = typename K::type;
  constexpr index_t MR = K::MR, NR = K::NR;
  const index_t MC = Blocking<K>::get(0), KC = Blocking<K>::get(1), NC = Blocking<K>::get(2);
  T* Ap = scratch<T>(0, (size_t)MC * KC);
  for (index_t jc = 0; jc < p.N; jc += NC) {
    const index_t nc = std::min(NC, p.N - jc);
    const index_t npan = ceil_div(nc, NR);
    for (index_t pc = 0; pc < p.K_; pc += KC) {
      const index_t kc = std::min(KC, p.K_ - pc);
      const bool last = pc + kc == p.K_;
      Epi<T> e{p.alpha, pc == 0 ? p.beta : T(1), nullptr, last && p.relu};
      index_t b0, b1;
      split_range(npan, nthreads, t, b0, b1);
      pack_B<T, NR>(kc, nc, p.B + pc * p.rsB + jc * p.csB, p.rsB, p.csB, Bp, b0, b1);
      team_barrier(nthreads);
      index_t m0 = 0, m1 = p.M, q0 = 0, q1 = npan;
      if (split_m) {
        split_range(ceil_div(p.M, MR), nthreads, t, m0, m1);
        m0 *= MR;
        m1 = std::min(m1 * MR, p.M);
      } else {
        split_range(npan, nthreads, t, q0, q1);
      }
      if (q0 < q1) {
        for (index_t ic = m0; ic < m1; ic += MC) {
          const index_t mc = std::min(MC, m1 - ic);
          pack_A<T, MR>(mc, kc, p.A + ic * p.rsA + pc * p.csA, p.rsA, p.csA, Ap);
          for (index_t q = q0; q < q1; ++q) {
            const index_t j = q * NR;
            const int n = (int)std::min(NR, nc - j);
            const T* bp = Bp + q * NR * kc;
            e.bias = last && p.bias ? p.bias + jc + j : nullptr;
            for (index_t ir = 0; ir < mc; ir += MR) {
              const int m = (int)std::min(MR, mc - ir);
              K::tile(m, n, kc, Ap + ir * kc, 1, MR, true, bp, NR, true,
                      p.C + (ic + ir) * p.ldc + jc + j, p.ldc, e);
            }
          }
        }
      }
      team_barrier(nthreads);  // Bp is repacked next iteration
    }
  }
}

// No packing: the micro-kernel reads A (strided broadcasts) and B (csB == 1) in place. K is still
// blocked so that a KC x NR slab of B stays in L1 across the MR row tiles.
template <class K>
void unpacked_body(const Problem<K>& p, bool split_m, int t, int nthreads) {
  using T = typename K::type;
  constexpr index_t MR = K::MR, NR = K::NR, KC = 256;
  const index_t npan = ceil_div(p.N, NR);
  index_t m0 = 0, m1 = p.M, q0 = 0, q1 = npan;
  if (split_m) {
    split_range(ceil_div(p.M, MR), nthreads, t, m0, m1);
    m0 *= MR;
    m1 = std::min(m1 * MR, p.M);
  } else {
    split_range(npan, nthreads, t, q0, q1);
  }
  for (index_t pc = 0; pc < p.K_; pc += KC) {
    const index_t kc = std::min(KC, p.K_ - pc);
    const bool last = pc + kc == p.K_;
    Epi<T> e{p.alpha, pc == 0 ? p.beta : T(1), nullptr, last && p.relu};
    for (index_t q = q0; q < q1; ++q) {
      const index_t j = q * NR;
      const int n = (int)std::min(NR, p.N - j);
      e.bias = last && p.bias ? p.bias + j : nullptr;
      for (index_t i = m0; i < m1; i += MR) {
        const int m = (int)std::min(MR, m1 - i);
        K::tile(m, n, kc, p.A + i * p.rsA + pc * p.csA, p.rsA, p.csA, false, p.B + pc * p.rsB + j,
                p.rsB, false, p.C + i * p.ldc + j, p.ldc, e);
      }
    }
  }
}

// Packing B costs K*N copies and pays back only through reuse of B across row tiles: skip it
// when A has few row tiles (skinny M, e.g. LeNet conv1 dW 6 x 25 x 36864) or the whole problem
// is tiny. B must have unit column stride to be loaded as vectors in place.
template <class K>
bool use_unpacked(const Problem<K>& p) {
  if (!K::kUnpacked || p.csB != 1) return false;
  if (p.M <= 2 * K::MR) return true;
  return (double)p.M * p.N * p.K_ <= 64.0 * 64.0 * 64.0;
}

// Dot-product form pays when packing dominates: packing moves K*(M+N) elements, the arithmetic
// is M*N*K/W vector FMAs, so when M*N < W*(M+N) (tiny outputs) and K is long enough to vectorize.
template <class K>
bool use_dot(const Problem<K>& p) {
  if (!K::kDot || p.csA != 1 || p.rsB != 1 || p.K_ < 64) return false;
  return (double)p.M * (double)p.N < 16.0 * (double)(p.M + p.N);
}

// Threads split K (split-K): each writes a private M x N partial; the epilogue sums them.
template <class K>
void dot_run(const Problem<K>& p, int nt) {
  using T = typename K::type;
  const index_t M = p.M, N = p.N, MN = M * N;
  nt = (int)std::max<index_t>(1, std::min<index_t>(nt, p.K_ / 4096));
  std::vector<T> part((size_t)nt * MN, T(0));
  const index_t chunks = ceil_div(p.K_, 64);  // thread boundaries on 64-element (cache line) steps
  auto body = [&](int t, int team) {
    index_t c0, c1;
    split_range(chunks, team, t, c0, c1);
    const index_t k0 = c0 * 64, k1 = std::min(c1 * 64, p.K_);
    if (k0 < k1) K::dot(M, N, k0, k1, p.A, p.rsA, p.B, p.csB, part.data() + t * MN);
  };
  if (nt == 1) {
    body(0, 1);
  } else {
#pragma omp parallel num_threads(nt)
    {
      FtzGuard ftz_t;
      body(thread_id(), team_size());
    }
  }
  for (index_t i = 0; i < M; ++i) {
    T* cr = p.C + i * p.ldc;
    for (index_t j = 0; j < N; ++j) {
      T acc = part[i * N + j];
      for (int t = 1; t < nt; ++t) acc += part[t * MN + i * N + j];
      T x = p.alpha * acc;
      if (p.beta != T(0)) x += p.beta * cr[j];
      if (p.bias) x += p.bias[j];
      cr[j] = p.relu ? relu_keep_nan(x) : x;
    }
  }
}

template <class K>
void gemm_run(const Problem<K>& p) {
  using T = typename K::type;
  FtzGuard ftz;
  if (p.M <= 0 || p.N <= 0) return;
  const double flops = 2.0 * p.M * p.N * p.K_;
  int nt = max_threads();
  if (flops < 2.0e5) nt = 1;  // fork/join costs more than it saves
  if (use_dot(p)) return dot_run(p, nt);
  const bool unpacked = use_unpacked(p);
  const index_t npan = ceil_div(std::min<index_t>(p.N, Blocking<K>::get(2)), K::NR);
  const index_t tiles_m = ceil_div(p.M, K::MR);
  const bool split_m = efficiency(tiles_m, nt) >= efficiency(npan, nt);
  nt = (int)std::min<index_t>(nt, split_m ? tiles_m : npan);  // no idle threads at barriers
  if (unpacked) {
    if (nt == 1) return unpacked_body(p, split_m, 0, 1);
#pragma omp parallel num_threads(nt)
    {
      FtzGuard ftz_t;
      unpacked_body(p, split_m, thread_id(), team_size());
    }
    return;
  }
  const index_t kc = std::min<index_t>(Blocking<K>::get(1), p.K_);
  T* Bp = scratch<T>(1, (size_t)npan * K::NR * kc);
  if (nt == 1) return packed_body(p, Bp, split_m, 0, 1);
#pragma omp parallel num_threads(nt)
  {
    FtzGuard ftz_t;
    packed_body(p, Bp, split_m, thread_id(), team_size());
  }
}

template <class K, typename T>
void gemm_entry(index_t M, index_t N, index_t K_, T alpha, const T* A, index_t rsA, index_t csA,
                const T* B, index_t rsB, index_t csB, T beta, T* C, index_t ldc, const T* bias,
                Act act) {
  if (K_ <= 0) {  // empty sum: C = beta*C (+bias) (relu); never reached from the bindings
    FtzGuard ftz;
    for (index_t i = 0; i < M; ++i)
      for (index_t j = 0; j < N; ++j) {
        T x = beta != T(0) ? beta * C[i * ldc + j] : T(0);
        if (bias) x += bias[j];
        C[i * ldc + j] = act == Act::relu ? relu_keep_nan(x) : x;
      }
    return;
  }
  Problem<K> p{M, N, K_, alpha, A, rsA, csA, B, rsB, csB, beta, C, ldc, bias, act == Act::relu};
  gemm_run<K>(p);
}

}  // namespace

void sgemm(index_t M, index_t N, index_t K, float alpha, const float* A, index_t rsA, index_t csA,
           const float* B, index_t rsB, index_t csB, float beta, float* C, index_t ldc,
           const float* bias, Act act) {
  gemm_entry<SKernel>(M, N, K, alpha, A, rsA, csA, B, rsB, csB, beta, C, ldc, bias, act);
}

void dgemm(index_t M, index_t N, index_t K, double alpha, const double* A, index_t rsA,
           index_t csA, const double* B, index_t rsB, index_t csB, double beta, double* C,
           index_t ldc, const double* bias, Act act) {
  gemm_entry<DKernel>(M, N, K, alpha, A, rsA, csA, B, rsB, csB, beta, C, ldc, bias, act);
}

}  // namespace TF_ISA
}  // namespace tf
