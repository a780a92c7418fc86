// The register-tile micro-kernel of csrc/cpu (issue 15): one template per ISA build, used by
// the GEMM (gemm_packed.cpp, gemm_unpacked.cpp: packed, panel and unpacked paths), by every conv path (conv_impl.h:
// direct and im2col through row gathers, the weight gradients and Winograd's batched GEMMs
// through strided rows) and by the recurrent GEMMs (rnn_impl.h: h or dG rows times pre-packed
// weight panels). Callers bring only their packers / operand gathers, as an A and a B operand:
//
//   C[i, 0:n] (op)= epilogue( sum_{k < kc} A(i, k) * B(k, 0:NV*W) )   for rows i < m
//
// The tile is MR rows x NV vectors (W = lanes<T> columns each) of accumulators (Tile<T, MR, NV>):
// A(i, k) is broadcast from a scalar, row k of B is NV vector loads, so every k step is MR*NV
// FMAs over NV loads. Tile::madd runs kc steps over an A and a B operand (below) and may run
// again (conv's gather sums several segments); Tile::store_c writes rows [0, m) and columns
// [0, n) of C through the epilogue (Note [GEMM epilogue]). Columns past n are masked (nothing
// outside C is written); rows m..MR-1 are computed and dropped (callers that want no wasted
// FMAs instantiate MR = m, as gemm_tiles.h and rnn_impl.h do for their edge tiles).
//
// Operands (element (i, k) of A, row k of B), each a small struct the compiler keeps in registers:
//   APanel<T, CS>     A panel, k-major: a[i + k*CS] (CS compile-time for packed panels: pointer
//                     steps are immediates; with runtime strides GCC spilled a general register
//                     every k step; CS = 0: runtime stride cs, conv's strided rows)
//   AStrided<T>       A in place: a[i*rs + k*cs]
//   ARows<T, MR>      rows through pointers: p[i][k] (conv's implicit gather, Note [implicit
//                     gather] in conv_direct.cpp)
//   BRows<T, RS>      B rows RS apart (RS = 0: runtime stride rs); loaded unmasked, or through
//                     the store masks when the tile's madd is told B rows are short (BFULL false).
//   BRowsPack<T, NV>  B rows in place (runtime stride) that the tile also stores, as it loads
//                     them, into a packed panel for the next row tiles (gemm_packed.cpp's few-row path)
//
// Note [ISA tiles]: the register budget per ISA (ukr_mr(nv): rows for nv vectors per row):
//   avx512 (32 zmm): nv 1-2: 12 rows (sgemm 12x32: 24 accumulators), nv 3: 8, nv 4: 6.
//   avx2   (16 ymm): nv 1: 8, nv 2: 6 (sgemm 6x16: 12 accumulators), nv 3: 4.
//   generic (1-lane vf): 4 rows; float tiles of NV % 4 == 0 accumulate in 4-float GCC vectors
//                     (Note [generic 4 lanes] in tf/simd.h), mul + add without FMA contraction.
// kUkrMaxNV is the widest tile a build instantiates.
#pragma once
#include <algorithm>
#include <type_traits>

#include "tf/simd.h"

// The micro-kernel must be inlined into each caller's instantiation: the tile height, the
// column count of full tiles and the operand strides are compile-time constants there (GCC
// left ukernel out of line with m a runtime argument: 1024^3 sgemm 5-8% slower).
#if defined(__GNUC__)
#define TF_UKR_INLINE inline __attribute__((always_inline))
#else
#define TF_UKR_INLINE inline
#endif

namespace tf {
namespace simd {
inline namespace TF_LOCAL_NS {  // See Note [per-ISA inline functions] in common.h

#if defined(TF_ISA_avx512)
constexpr int kUkrMaxNV = 4;
constexpr int ukr_mr(int nv) { return nv >= 4 ? 6 : nv == 3 ? 8 : 12; }
#elif defined(TF_ISA_avx2)
constexpr int kUkrMaxNV = 3;
constexpr int ukr_mr(int nv) { return nv >= 3 ? 4 : nv == 2 ? 6 : 8; }
#else
constexpr int kUkrMaxNV = 4;
constexpr int ukr_mr(int) { return 4; }
#endif

// ---- operands ------------------------------------------------------------------------------
template <typename T, index_t CS = 0>
struct APanel {
  const T* a;
  index_t cs = CS;
  T at(int i) const { return a[i]; }
  void step() { a += CS ? CS : cs; }
};
template <typename T>
struct AStrided {
  const T* a;
  index_t rs, cs;
  T at(int i) const { return a[i * rs]; }
  void step() { a += cs; }
};
template <typename T, int MR>
struct ARows {
  const T* p[MR];
  index_t k = 0;
  ARows(const T* const* rows) {
    for (int i = 0; i < MR; ++i) p[i] = rows[i];
  }
  T at(int i) const { return p[i][k]; }
  void step() { ++k; }
};
template <typename T, index_t RS = 0>
struct BRows {
  const T* b;
  index_t rs = RS;
  const T* row() const { return b; }
  void step() { b += RS ? RS : rs; }
};
// B rows in place (row stride rs, NV full vectors each) that are also copied, as the tile loads
// them, into a packed panel d (row k at d + k*NV*W) for the next row tiles, prefetching the row
// pf elements ahead (Note [B packed by its first tile] in gemm_packed.cpp).
template <typename T, int NV>
struct BRowsPack {
  static constexpr bool kSink = true;
  const T* b;
  index_t rs;
  T* d;
  index_t pf;
  const T* row() const { return b; }
  template <class V>
  TF_UKR_INLINE void sink(const V* bv) {
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) store(d + v * lanes<T>, bv[v]);
  }
  void step() {
    __builtin_prefetch(b + pf);
    __builtin_prefetch(b + pf + (NV * lanes<T> - 1));
    b += rs;
    d += NV * lanes<T>;
  }
};
template <class B, class = void>
struct b_sinks : std::false_type {};
template <class B>
struct b_sinks<B, std::void_t<decltype(B::kSink)>> : std::true_type {};

// Note [GEMM epilogue]: x = alpha*acc; if (beta != 0) x += beta*C (C is not read at all when
// beta == 0); if (bias) x += bias[j]; if (relu) x = max(0, x) keeping NaN (Note [NaN in max]).
// With alpha == 1 and beta == 1 this is C + acc bit for bit (acc*1 == acc, fma(1, c, acc) rounds
// c + acc once): the accumulate form of conv and the RNN. bias has the tile's columns (read
// through the column masks).
template <typename T>
struct Epilogue {
  T alpha = T(1), beta = T(0);
  const T* bias = nullptr;
  bool relu = false;
};

// ---- the tile --------------------------------------------------------------------------------
template <typename T, int MR, int NV>
struct Tile {
  using V = vec<T>;
  static constexpr int W = lanes<T>;
#if defined(TF_ISA_generic) && defined(TF_SIMD_HAVE_V4)
  static constexpr bool kV4 = std::is_same_v<T, float> && NV % 4 == 0;
  v4 acc4[MR][kV4 ? NV / 4 : 1];
#else
  static constexpr bool kV4 = false;
#endif
  V acc[MR][NV];

  TF_UKR_INLINE Tile() {
    if constexpr (kV4) {
#if defined(TF_ISA_generic) && defined(TF_SIMD_HAVE_V4)
      for (int i = 0; i < MR; ++i)
        for (int q = 0; q < NV / 4; ++q) acc4[i][q] = v4{};
#endif
    } else {
      const V z = set1(T(0));
#pragma GCC unroll 16
      for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[i][v] = z;
    }
  }

  // kc rank-1 updates: acc[i][v] += A(i, k) * B(k, v*W .. v*W+W-1). BFULL false: B rows hold
  // only n valid columns, loaded through the masks mk (lane_mask of n - v*W). UNROLL: the k loop
  // unrolled 4 times (the GEMM's long K blocks); conv's short runs (a 5-float kernel row of
  // LeNet conv1, 9-tap Winograd sums) are faster rolled (LeNet conv1 forward 1.36x slower unrolled).
  template <bool BFULL = true, bool UNROLL = false, class AOp, class BOp>
  TF_UKR_INLINE void madd(index_t kc, AOp a, BOp b, const vec_mask<T>* mk = nullptr) {
    if constexpr (kV4) {
#if defined(TF_ISA_generic) && defined(TF_SIMD_HAVE_V4)
      for (index_t k = 0; k < kc; ++k, a.step(), b.step()) {
        v4 bv[NV / 4];
        for (int q = 0; q < NV / 4; ++q) bv[q] = load4(b.row() + 4 * q);
        for (int i = 0; i < MR; ++i) {
          const float ai = a.at(i);
          for (int q = 0; q < NV / 4; ++q) acc4[i][q] += ai * bv[q];
        }
      }
#endif
    } else if constexpr (UNROLL) {
#pragma GCC unroll 4
      for (index_t k = 0; k < kc; ++k) kstep<BFULL>(a, b, mk);
    } else {
      for (index_t k = 0; k < kc; ++k) kstep<BFULL>(a, b, mk);
    }
  }
  template <bool BFULL, class AOp, class BOp>
  TF_UKR_INLINE void kstep(AOp& a, BOp& b, const vec_mask<T>* mk) {
    V bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = BFULL ? load(b.row() + v * W) : load_m(b.row() + v * W, mk[v]);
    if constexpr (b_sinks<BOp>::value) b.sink(bv);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      const V ai = set1(a.at(i));
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] = fmadd(ai, bv[v], acc[i][v]);
    }
    a.step();
    b.step();
  }

  // C rows [0, m), columns [0, n) (n <= NV*W) <- epilogue(acc); mk: lane_mask(n - v*W) per
  // vector (the caller's, when it built them for madd). SCALE false: the accumulate form (alpha
  // taken as 1, beta as 0 or 1: C = acc or C + acc), without the multiplies, for conv's short
  // tiles (LeNet conv1 forward: 25 k steps per tile, 8% slower with them).
  template <bool SCALE = true>
  TF_UKR_INLINE void store_c(T* c, index_t ldc, int m, int n, const Epilogue<T>& e,
                    const vec_mask<T>* mk = nullptr) {
    if constexpr (kV4) {
#if defined(TF_ISA_generic) && defined(TF_SIMD_HAVE_V4)
      for (int i = 0; i < MR; ++i)
        for (int v = 0; v < NV; ++v) acc[i][v] = set1(acc4[i][v / 4][v % 4]);
#endif
    }
    vec_mask<T> own[NV];
    if (!mk) {
      for (int v = 0; v < NV; ++v) own[v] = lane_mask<T>(n - v * W);
      mk = own;
    }
    const V vzero = set1(T(0)), va = set1(e.alpha), vb = set1(e.beta);
    const bool use_beta = e.beta != T(0);
    // alpha == 1 (every plain GEMM call): x * 1 == x exactly, so the accumulate form stores the
    // same bits without MR*NV multiplies on the FMA pipes (Note [short K] in gemm_small_kernels.h: tiles of
    // short K blocks spend a sizeable share of their cycles outside the k loop).
    if (SCALE && e.alpha == T(1) && !use_beta) {
      store_c<false>(c, ldc, m, n, e, mk);
      return;
    }
    V bias[NV];
    for (int v = 0; v < NV; ++v) bias[v] = e.bias ? load_m(e.bias + v * W, mk[v]) : vzero;
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      if (i >= m) break;
      T* cr = c + i * ldc;
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) {
        // whole vectors plain, the partial one by store_first (no vmaskmov: slow on AMD; LeNet
        // conv1's 20 columns stored all three vectors masked ran 1.34x slower, the last one
        // masked 4% slower than by store_first)
        const bool whole = (v + 1) * W <= n;
        if (!whole && v * W >= n) break;
        V x = SCALE ? acc[i][v] * va : acc[i][v];
        if (use_beta) {
          const V cv = whole ? load(cr + v * W) : load_m(cr + v * W, mk[v]);
          x = SCALE ? fmadd(vb, cv, x) : x + cv;
        }
        if (e.bias) x = x + bias[v];
        if (e.relu) x = vmax(vzero, x);  // Note [NaN in max]: NaN stays NaN
        if (whole)
          store(cr + v * W, x);
        else
          store_first(cr + v * W, x, n - v * W);
      }
    }
  }
};

// One whole micro-kernel call (the GEMMs): a zeroed tile, kc steps (unrolled), the epilogue into
// C (prefetched first).
template <typename T, int MR, int NV, bool BFULL = true, class AOp, class BOp>
TF_UKR_INLINE void ukernel(index_t kc, AOp a, BOp b, T* c, index_t ldc, int m, int n,
                    const Epilogue<T>& e) {
  Tile<T, MR, NV> t;
  // both lines a row of the tile may touch (its columns span two unless the row starts a line)
  for (int i = 0; i < MR && i < m; ++i) {
    __builtin_prefetch(c + i * ldc);
    __builtin_prefetch(c + i * ldc + (n - 1));
  }
  if constexpr (BFULL) {  // the column masks only after the k loop: no register held across it
    t.template madd<true, true>(kc, a, b);
    t.store_c(c, ldc, m, n, e);
  } else {
    vec_mask<T> mk[NV];
    for (int v = 0; v < NV; ++v) mk[v] = lane_mask<T>(n - v * lanes<T>);
    t.template madd<false, true>(kc, a, b, mk);
    t.store_c(c, ldc, m, n, e, mk);
  }
}

}  // inline namespace TF_LOCAL_NS
}  // namespace simd
}  // namespace tf
