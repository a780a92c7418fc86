// 2-D convolution kernels, NHWC, forward + backward data + backward filter (contract: tf/conv.h).
// Compiled once per ISA (tf/isa.h).
//
// Algorithms, chosen per layer and per pass:
//   - Winograd F(m, r) on 6x6 tiles (Note [Winograd]) for stride 1, dilation 1, kernels 3..5,
//     >= 16 channels in and out: all three passes (the weight gradient of 5-tap kernels in
//     3-tap pieces, Note [Winograd pieces]). 2.25-4x fewer multiplies than a direct convolution.
//   - otherwise implicit GEMM with our own register-blocked SIMD micro-kernel (no im2col copy
//     for the forward and backward-data passes; an im2col chunk only where it pays, see below;
//     the weight gradient of few-channel layers reads x in place: Note [weight gradient rows]):
//
//   forward        y (P x CO)  = A (P x T*CI)   * Wm (T*CI x CO)      P = N*OH*OW, T = KH*KW
//   backward data  dx (Q x CI) = A' (Q x T*CO)  * Wt (T*CO x CI)      Q = N*H*W
//   backward filt  dW (T*CI x CO) = col^T (T*CI x P) * dy (P x CO)
//
// Note [implicit gather]: in the forward and backward-data passes a row of A is one output
// (input) pixel, and its entries for kernel tap t are CI (CO) *contiguous* floats of x (dy) at the
// pixel that tap reads, because C is the innermost NHWC axis. So the micro-kernel takes, for each
// tap, one pointer per tile row and walks the channels; a padded position (or, for backward data,
// a tap that no output reads through: stride gaps) points at a zero row. Taps that no row of a
// tile reads are dropped from that tile (borders, strided backward data). The weights (the B
// matrix) are repacked once per call into zero-padded panels NR = NV*kW floats wide, so every B
// row is one aligned-width run of vectors.
// Forward tiles whose windows all lie inside the image horizontally (dilation 1 along W) take
// one segment per kernel row instead: KW*CI contiguous floats of x. Otherwise, when CI is tiny
// (a tap too short a loop), the forward pass copies the chunk's rows of A (im2col) into a small
// buffer and runs one long segment instead, and the
// backward-data pass (whose vectors would run along CI) computes dcol = dy * Wm^T with vectors
// along T*CI and adds it back with col2im (backward_data_col2im).
// On Zen 4 some widths run on the AVX2 build instead: Note [Zen 4 zmm].
// The GEMM of tf/gemm.h is not used: every pass here is an implicit (or chunked) GEMM whose A
// operand is gathered on the fly, which a packing GEMM would first copy out.
//
// Note [weight gradient]: dW reduces over all P output pixels. Each thread takes a range of
// pixels, im2col's a chunk of them (rows of T*CI floats) and multiplies col^T by the chunk of dy
// into its own partial dW (no atomics); partials are summed at the end. The micro-kernel tile
// holds MR consecutive rows of dW (consecutive entries of a col row, one broadcast base pointer)
// by NR output channels (a row of dy). (Tried: tiling dW^T instead, vectors along T*CI, when
// CO wastes lanes (LeNet conv2, CO = 50): no faster, 6.4 vs 6.1 ms; the strided col reads, not
// the lanes, limit this pass.)
//
// Register tiles (acc = MR x NV vectors): avx512 (32 zmm): NV=4 x MR=6, NV=3 x 8, NV<=2 x 12;
// avx2 (16 ymm): NV=3 x 4, NV=2 x 6, NV=1 x 8; generic: 4 x 4 scalars.
#include <algorithm>
#include <cstring>
#include <vector>

#include "tf/conv.h"
#include "tf/simd.h"
#include "tf/workspace.h"

#if defined(TF_ISA_avx512)
#include <cpuid.h>
#endif

namespace tf {
namespace TF_ISA {

namespace {
using namespace simd;

#if defined(TF_ISA_avx512)
constexpr int kMaxNV = 4;
constexpr int mr_for(int nv) { return nv >= 4 ? 6 : nv == 3 ? 8 : 12; }
#elif defined(TF_ISA_avx2)
constexpr int kMaxNV = 3;
constexpr int mr_for(int nv) { return nv >= 3 ? 4 : nv == 2 ? 6 : 8; }
#else
constexpr int kMaxNV = 4;
constexpr int mr_for(int) { return 4; }
#endif
constexpr int kMaxMR = 12;
constexpr index_t kChunk = 96;  // pixels per chunk: a multiple of every MR

// Column panels over a width of `n` channels: panels of kMaxNV vectors, the last one narrower.
struct Panels {
  int count = 0;
  index_t padded = 0;  // sum of panel widths (>= n, multiple of kW)
  std::vector<index_t> vstart, vnv;
  explicit Panels(index_t n) {
    index_t nvtot = ceil_div(n, kW);
    for (index_t v = 0; v < nvtot; v += kMaxNV) {
      vstart.push_back(v * kW);
      vnv.push_back(std::min<index_t>(kMaxNV, nvtot - v));
    }
    count = (int)vstart.size();
    padded = nvtot * kW;
  }
  index_t j0(int j) const { return vstart[j]; }
  int nvec(int j) const { return (int)vnv[j]; }
  index_t width(int j) const { return vnv[j] * kW; }
};

// C tile epilogue: rows [0, m), columns [0, n). store: C = acc (+ bias) (relu);
// accumulate: C += acc. bias is padded to whole vectors.
template <int MR, int NV>
inline void store_tile(vf (&acc)[MR][NV], float* c, index_t ldc, int m, int n, const float* bias,
                       Act act, bool accumulate) {
  vf bv[NV];
  if (bias) {
    for (int v = 0; v < NV; ++v) bv[v] = load(bias + v * kW);
  }
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i) {
    if (i >= m) break;
    float* cr = c + i * ldc;
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) {
      const int nn = n - v * kW;
      if (nn <= 0) break;
      vf r = acc[i][v];
      if (accumulate) r = r + (nn >= kW ? load(cr + v * kW) : load_n(cr + v * kW, nn));
      if (bias) r = r + bv[v];
      if (act == Act::relu) r = vmax(zero(), r);  // Note [NaN in max]: NaN stays NaN
      if (nn >= kW)
        store(cr + v * kW, r);
      else
        store_n(cr + v * kW, r, nn);
    }
  }
}

#if defined(TF_ISA_generic) && defined(__GNUC__)
// Note [generic 4 lanes]: the portable build has one-lane vf, and the compiler left the 4-wide
// panels of the micro-kernels scalar (mulss/addss). A 4-float GCC/Clang vector (SSE2 on x86, NEON
// on ARM: baseline everywhere) for the rows of a 4-column panel makes them packed (mul + add,
// no FMA contraction: the same rounding as the scalar code). Direct forward, one thread, LeNet
// conv2 / AlphaGo 3x3: 8.5 / 8.8 -> 20.6 / 27.5 GFLOP/s (the weight gradient's strided reads
// gained nothing: 20 / 17 GFLOP/s either way).
typedef float v4 __attribute__((vector_size(16)));
inline v4 load4(const float* p) {
  v4 r;
  std::memcpy(&r, p, sizeof r);
  return r;
}
template <int MR>
inline void spill4(const v4 (&a)[MR], vf (&acc)[MR][4]) {
  for (int i = 0; i < MR; ++i)
    for (int v = 0; v < 4; ++v) acc[i][v] = set1(a[i][v]);
}
#endif

// Gather micro-kernel (Note [implicit gather]):
//   C[i, :] (+)= sum_s sum_{l < L} a[s*MR + i][l] * b[s][l*ldb + :NV*kW]
template <int MR, int NV>
void ukr_gather(int nseg, const float* const* a, const float* const* b, index_t L, index_t ldb,
                float* c, index_t ldc, int m, int n, const float* bias, Act act, bool accumulate) {
  vf acc[MR][NV];
#if defined(TF_ISA_generic) && defined(__GNUC__)
  if constexpr (NV == 4) {  // Note [generic 4 lanes]
    v4 a4[MR] = {};
    for (int s = 0; s < nseg; ++s) {
      const float* ap[MR];
      for (int i = 0; i < MR; ++i) ap[i] = a[s * MR + i];
      const float* bp = b[s];
      for (index_t l = 0; l < L; ++l, bp += ldb) {
        const v4 bv = load4(bp);
        for (int i = 0; i < MR; ++i) a4[i] += ap[i][l] * bv;
      }
    }
    spill4<MR>(a4, acc);
    store_tile<MR, NV>(acc, c, ldc, m, n, bias, act, accumulate);
    return;
  }
#endif
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = zero();
  for (int s = 0; s < nseg; ++s) {
    const float* ap[MR];
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i) ap[i] = a[s * MR + i];
    const float* bp = b[s];
    for (index_t l = 0; l < L; ++l, bp += ldb) {
      vf bv[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) bv[v] = load(bp + v * kW);
#pragma GCC unroll 12
      for (int i = 0; i < MR; ++i) {
        const vf av = set1(ap[i][l]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) acc[i][v] = fmadd(av, bv[v], acc[i][v]);
      }
    }
  }
  store_tile<MR, NV>(acc, c, ldc, m, n, bias, act, accumulate);
}

// Strided micro-kernel (Note [weight gradient]):
//   C[i, :] += sum_{l < L} a[l*lda + i] * b[l*ldb + :NV*kW]
template <int MR, int NV>
void ukr_strided(const float* a, index_t lda, const float* b, index_t ldb, index_t L, float* c,
                 index_t ldc, int m, int n) {
  vf acc[MR][NV];
#if defined(TF_ISA_generic) && defined(__GNUC__)
  if constexpr (NV == 4) {  // Note [generic 4 lanes]
    v4 a4[MR] = {};
    for (index_t l = 0; l < L; ++l, a += lda, b += ldb) {
      const v4 bv = load4(b);
      for (int i = 0; i < MR; ++i) a4[i] += a[i] * bv;
    }
    spill4<MR>(a4, acc);
    store_tile<MR, NV>(acc, c, ldc, m, n, nullptr, Act::none, true);
    return;
  }
#endif
#pragma GCC unroll 12
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) acc[i][v] = zero();
  for (index_t l = 0; l < L; ++l, a += lda, b += ldb) {
    vf bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = load(b + v * kW);
#pragma GCC unroll 12
    for (int i = 0; i < MR; ++i) {
      const vf av = set1(a[i]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) acc[i][v] = fmadd(av, bv[v], acc[i][v]);
    }
  }
  store_tile<MR, NV>(acc, c, ldc, m, n, nullptr, Act::none, true);
}

using GatherFn = void (*)(int, const float* const*, const float* const*, index_t, index_t, float*,
                          index_t, int, int, const float*, Act, bool);
using StridedFn = void (*)(const float*, index_t, const float*, index_t, index_t, float*, index_t,
                           int, int);

GatherFn gather_fn(int nv) {
  switch (nv) {
    case 1: return ukr_gather<mr_for(1), 1>;
    case 2: return ukr_gather<mr_for(2), 2>;
#if !defined(TF_ISA_avx2)
    case 3: return ukr_gather<mr_for(3), 3>;
    default: return ukr_gather<mr_for(4), 4>;
#else
    default: return ukr_gather<mr_for(3), 3>;
#endif
  }
}

// Column panel j of pn with its gather micro-kernel and tile height.
struct GatherPanel {
  int nv, MR;
  index_t j0, nr;
  GatherFn ukr;
  GatherPanel(const Panels& pn, int j)
      : nv(pn.nvec(j)), MR(mr_for(nv)), j0(pn.j0(j)), nr(pn.width(j)), ukr(gather_fn(nv)) {}
};

StridedFn strided_fn(int nv) {
  switch (nv) {
    case 1: return ukr_strided<mr_for(1), 1>;
    case 2: return ukr_strided<mr_for(2), 2>;
#if !defined(TF_ISA_avx2)
    case 3: return ukr_strided<mr_for(3), 3>;
    default: return ukr_strided<mr_for(4), 4>;
#else
    default: return ukr_strided<mr_for(3), 3>;
#endif
  }
}

// Short tiles for the last rows of dW (LeNet conv1: 25 rows = 12 + 12 + 1 would waste 11/12 of
// the last full-height tile): 2 rows, or 4 rows when NV allows.
constexpr int kTailMR = 2;
StridedFn strided_tail_fn(int nv) {
  switch (nv) {
    case 1: return ukr_strided<kTailMR, 1>;
    case 2: return ukr_strided<kTailMR, 2>;
#if !defined(TF_ISA_avx2)
    case 3: return ukr_strided<kTailMR, 3>;
    default: return ukr_strided<kTailMR, 4>;
#else
    default: return ukr_strided<kTailMR, 3>;
#endif
  }
}

StridedFn strided_one_fn(int nv) {
  switch (nv) {
    case 1: return ukr_strided<1, 1>;
    case 2: return ukr_strided<1, 2>;
#if !defined(TF_ISA_avx2)
    case 3: return ukr_strided<1, 3>;
    default: return ukr_strided<1, 4>;
#else
    default: return ukr_strided<1, 3>;
#endif
  }
}

// C[k, :] += sum_{l < L} a[l*lda + k] * b[l*ldb + :] for k < rows, over the column panels of pn
// (b and C padded to pn.padded columns): tiles of MR rows, the last rows by kTailMR when more
// than half a tile would be wasted. a must have MR - 1 readable floats of slack past row `rows`
// of its last l (rows past `rows` are computed and dropped).
void strided_gemm(const Panels& pn, const float* a, index_t lda, index_t rows, const float* b,
                  index_t ldb, index_t L, float* c, index_t ldc) {
  for (int j = 0; j < pn.count; ++j) {
    const int nv = pn.nvec(j), MR = mr_for(nv);
    const index_t j0 = pn.j0(j), nr = pn.width(j);
    const StridedFn ukr = strided_fn(nv), tail = strided_tail_fn(nv);
    index_t k0 = 0;
    for (; k0 + MR <= rows || (k0 < rows && rows - k0 > MR / 2); k0 += MR)
      ukr(a + k0, lda, b + j0, ldb, L, c + k0 * ldc + j0, ldc, (int)std::min<index_t>(MR, rows - k0), (int)nr);
    for (; k0 < rows; k0 += kTailMR)
      tail(a + k0, lda, b + j0, ldb, L, c + k0 * ldc + j0, ldc, (int)std::min<index_t>(kTailMR, rows - k0),
           (int)nr);
  }
}

// Repack a row-major (rows x n) matrix, element (r, c) at src[r*rs + c*cs], into column panels:
// panel j holds rows x width(j) floats at dst + rows*j0(j), zero beyond column n.
void pack_panels(const float* src, index_t rows, index_t n, index_t rs, index_t cs,
                 const Panels& pn, float* dst) {
  for (int j = 0; j < pn.count; ++j) {
    const index_t j0 = pn.j0(j), nr = pn.width(j), nn = std::min(nr, n - j0);
    float* d = dst + rows * j0;
    for (index_t r = 0; r < rows; ++r) {
      for (index_t c = 0; c < nn; ++c) d[r * nr + c] = src[r * rs + (j0 + c) * cs];
      for (index_t c = nn; c < nr; ++c) d[r * nr + c] = 0.0f;
    }
  }
}

// Copy n floats (src != nullptr) or zero them, into a destination with kW floats of slack
// after the n: the last (partial) vector is stored whole (zeros past n; a masked store costs
// more than the copy on the short runs im2col makes, LeNet conv1 copies 5 floats per kernel
// row) and the next run, written left to right, overwrites the zeros. No library call either.
inline void copy_or_zero(float* dst, const float* src, index_t n) {
  index_t c = 0;
  if (src) {
    for (; c + kW <= n; c += kW) store(dst + c, load(src + c));
    if (c < n) store(dst + c, load_n(src + c, (int)(n - c)));
  } else {
    for (; c < n; c += kW) store(dst + c, zero());
  }
}

// Pixel p of an (N, OH, OW) grid -> (n, oh, ow).
inline void decode(index_t p, index_t OH, index_t OW, index_t& n, index_t& oh, index_t& ow) {
  ow = p % OW;
  index_t t = p / OW;
  oh = t % OH;
  n = t / OH;
}

// The pixel after (n, oh, ow) on an (N, OH, OW) grid (no divisions: see decode).
inline void next_pixel(index_t OH, index_t OW, index_t& n, index_t& oh, index_t& ow) {
  if (++ow == OW) {
    ow = 0;
    if (++oh == OH) {
      oh = 0;
      ++n;
    }
  }
}

// im2col: rows p0 .. p0+pc-1 of A (P x KH*KW*CI) into col (row stride ldcol >= KH*KW*CI + kW,
// see copy_or_zero). Padded positions read as zero. With dilation 1 along W and a window inside the image, a kernel row is one
// contiguous run of KW*CI floats of x.
void im2col_rows(const ConvShape& s, const float* x, index_t p0, index_t pc, float* col,
                 index_t ldcol) {
  const index_t H = s.H, W = s.W, CI = s.CI, KH = s.KH, KW = s.KW, OH = s.OH, OW = s.OW;
  const index_t sh = s.sh, sw = s.sw, pt = s.pt, pl = s.pl, dh = s.dh, dw = s.dw;
  const index_t span = KW * CI;
  index_t n, oh, ow;
  decode(p0, OH, OW, n, oh, ow);
  for (index_t r = 0; r < pc; ++r) {
    float* dst = col + r * ldcol;
    const index_t ih0 = oh * sh - pt, iw0 = ow * sw - pl;
    const bool contiguous = dw == 1 && iw0 >= 0 && iw0 + KW <= W;
    for (index_t kh = 0; kh < KH; ++kh, dst += span) {
      const index_t ih = ih0 + kh * dh;
      if (ih < 0 || ih >= H) {
        copy_or_zero(dst, nullptr, span);
        continue;
      }
      const float* row = x + (n * H + ih) * W * CI;
      if (contiguous) {
        copy_or_zero(dst, row + iw0 * CI, span);
        continue;
      }
      for (index_t kw = 0; kw < KW; ++kw) {
        const index_t iw = iw0 + kw * dw;
        copy_or_zero(dst + kw * CI, iw >= 0 && iw < W ? row + iw * CI : nullptr, CI);
      }
    }
    if (++ow == OW) {
      ow = 0;
      if (++oh == OH) {
        oh = 0;
        ++n;
      }
    }
  }
}

// Threads in the current team (1 outside a parallel region).
inline int team_size() {
#ifdef _OPENMP
  return omp_get_num_threads();
#else
  return 1;
#endif
}

// Per-thread partial sums (Note [weight gradient]): inside a parallel region, the calling thread's
// slice of sz floats at base, zeroed; thread 0 records the team's size in `used` (the caller sums
// that many slices: a team may get fewer threads than asked for).
inline float* thread_partial(float* base, size_t sz, int& used) {
  const int tid = thread_id();
  if (tid == 0) used = team_size();
  float* p = base + (size_t)tid * sz;
  std::memset(p, 0, sz * sizeof(float));
  return p;
}

int threads_for(double flops) {
  const int nt = max_threads();
  return flops < 2e5 ? 1 : nt;
}

}  // namespace

#if defined(TF_ISA_avx512)
namespace {
// Note [Zen 4 zmm]: Zen 4 runs a 512-bit FMA as two 256-bit halves, so 8-lane (AVX2) register
// tiles reach the same FLOP rate as 16-lane ones there. When the output width (C_out for
// forward and dW, C_in for dx) wastes fewer lanes in 8-lane vectors (20 channels: 24 lanes
// instead of 32; 50: 56 instead of 64), the AVX2 build of this file runs the layer faster
// (measured: LeNet conv2 dx 7.2 -> 5.3 ms, conv1 forward 1.4 -> 1.1 ms, one thread). Other
// AVX-512 CPUs (Intel; AMD family 1Ah, whose datapath is 512 bits wide) keep the 16-lane path.
bool zmm_double_pumped() {
  static const bool v = [] {
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d) || b != 0x68747541u) return false;  // "AuthenticAMD"
    if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
    return ((a >> 8) & 0xfu) + ((a >> 20) & 0xffu) == 0x19u;  // family 19h with AVX-512: Zen 4
  }();
  return v;
}

bool prefer_ymm(index_t width) {
  if (!zmm_double_pumped()) return false;
  const double e8 = (double)width / (double)(ceil_div(width, 8) * 8);
  const double e16 = (double)width / (double)(ceil_div(width, 16) * 16);
  return e8 > 1.05 * e16;
}
}  // namespace
#endif

// ---- Winograd ---------------------------------------------------------------------------------
//
// Note [Winograd]: for stride 1 and dilation 1 with kernel extents r in {3, 4, 5} and enough
// channels, the three passes run as Winograd F(m x m', r x r') (Lavin & Gray 2016) with the same
// 6x6 tile for every r (m = 7 - r: F(4, 3), F(3, 4), F(2, 5)) and the interpolation points
// 0, 1, -1, 2, -2, inf. Per tile of m x m' outputs and per channel:
//   V = B^T d B   (6x6 input tile d; B^T is the same for every r: bt6)
//   U = G w G^T   (6 x r G: G[j][k] = c_j p_j^k, G[5] = e_{r-1}; c = 1/4, -1/6, -1/6, 1/24, 1/24)
//   y = A^T (U . V) A  (m x 6 A^T: A^T[i][j] = p_j^i, A^T[m-1][5] = 1: at_rows)
// so the 36 positions xi of a tile are 36 independent GEMMs over channels,
//   M_xi (tiles x CO) = V_xi (tiles x CI) * U_xi (CI x CO),
// run by the gather micro-kernel. Multiplies per output: 36 / (m m') instead of r r' (3x3: 2.25
// instead of 9; 5x5: 9 instead of 25). Every pass here ran at ~95% of the FMA peak as a direct
// convolution, so this is the only way left to a clear margin over PyTorch (oneDNN runs direct).
// Backward data with stride 1 is the same convolution of dy with the kernel flipped and C_in /
// C_out swapped, pads KH-1-pt, KW-1-pl (wino_conv takes any pads, negative included). Backward
// filter: dU = sum over tiles of V (.) Z, Z = A dY A^T (the transpose of the output transform),
// then dW = G^T dU G (wino_backward_filter).
// Costs of the method: (1) rounding: the transforms mix the 36 inputs of a tile (entries up to 8),
// so the error grows by ~10-100x over a direct sum; fine against our tolerances
// (n * eps * |x| * |w|) once the reduction is long, hence CI >= 16 and CO >= 16 (wino_use);
// (2) an Inf or NaN input reaches every output of the tiles that read it, not only the outputs
// whose windows hold it (0 * Inf = NaN), as with cuDNN's and oneDNN's Winograd.

namespace {

constexpr int kA = 6;  // tile size (alpha) of every variant

inline int wino_m(index_t r) { return 7 - (int)r; }

// The interpolation points' matrix G (6 x r), G[j][k].
void wino_G(index_t r, float G[kA][kA]) {
  static const double p[5] = {0, 1, -1, 2, -2}, c[5] = {1.0 / 4, -1.0 / 6, -1.0 / 6, 1.0 / 24, 1.0 / 24};
  for (int j = 0; j < kA; ++j)
    for (int k = 0; k < kA; ++k) G[j][k] = 0.0f;
  for (int j = 0; j < 5; ++j) {
    double pk = 1.0;
    for (index_t k = 0; k < r; ++k, pk *= p[j]) G[j][k] = (float)(c[j] * pk);
  }
  G[5][r - 1] = 1.0f;
}

// o = B^T d for 6 vectors.
inline void bt6(const vf* d, vf* o) {
  const vf two = set1(2.0f), four = set1(4.0f), five = set1(5.0f);
  const vf s12 = d[1] + d[2], d12 = d[1] - d[2], d42 = d[4] - d[2], d31 = d[3] - d[1];
  o[0] = fmadd(four, d[0], fnmadd(five, d[2], d[4]));  //  4d0 - 5d2 + d4
  o[1] = fnmadd(four, s12, d[3] + d[4]);               // -4d1 - 4d2 + d3 + d4
  o[2] = fmadd(four, d12, d[4] - d[3]);                //  4d1 - 4d2 - d3 + d4
  o[3] = fmadd(two, d31, d42);                         // -2d1 - d2 + 2d3 + d4
  o[4] = fnmadd(two, d31, d42);                        //  2d1 - d2 - 2d3 + d4
  o[5] = fmadd(four, d[1], fnmadd(five, d[3], d[5]));  //  4d1 - 5d3 + d5
}

// o[0..m) = A^T mm for 6 vectors mm.
inline void at_rows(const vf* mm, vf* o, int m) {
  const vf s12 = mm[1] + mm[2], d12 = mm[1] - mm[2], s34 = mm[3] + mm[4], d34 = mm[3] - mm[4];
  o[0] = mm[0] + s12 + s34;
  o[1] = fmadd(set1(2.0f), d34, d12);
  if (m > 2) o[2] = fmadd(set1(4.0f), s34, s12);
  if (m > 3) o[3] = fmadd(set1(8.0f), d34, d12);
  o[m - 1] = o[m - 1] + mm[5];
}

// o[0..6) = A g for M vectors g (the transpose of at_rows: o_a = sum_i p_a^i g_i, o_5 = g_{M-1}):
// o(+-p) = even(p) +- odd(p).
template <int M>
inline void a_cols(const vf* g, vf* o) {
  const vf two = set1(2.0f), four = set1(4.0f);
  o[0] = g[0];
  if (M == 2) {
    o[1] = g[0] + g[1];
    o[2] = g[0] - g[1];
    o[3] = fmadd(two, g[1], g[0]);
    o[4] = fnmadd(two, g[1], g[0]);
  } else {
    const vf e1 = g[0] + g[2], e2 = fmadd(four, g[2], g[0]);
    vf o1 = g[1], o2 = two * g[1];
    if (M == 4) {
      o1 = o1 + g[3];
      o2 = fmadd(set1(8.0f), g[3], o2);
    }
    o[1] = e1 + o1;
    o[2] = e1 - o1;
    o[3] = e2 + o2;
    o[4] = e2 - o2;
  }
  o[5] = g[M - 1];
}

struct WinoGeom {
  index_t N, H, W, CI;   // input (N, H, W, CI)
  index_t KH, KW, CO;    // kernel (KH, KW, CI, CO)
  index_t OH, OW;        // output (N, OH, OW, CO)
  index_t pt, pl;        // output (oh, ow) reads input (oh + kh - pt, ow + kw - pl)
  int mh, mw;            // outputs per tile
  index_t TH, TW, ntiles;
  index_t ldv;           // floats per tile row of V (CI rounded up to vectors)
  WinoGeom(index_t N_, index_t H_, index_t W_, index_t CI_, index_t KH_, index_t KW_, index_t CO_,
           index_t OH_, index_t OW_, index_t pt_, index_t pl_)
      : N(N_), H(H_), W(W_), CI(CI_), KH(KH_), KW(KW_), CO(CO_), OH(OH_), OW(OW_), pt(pt_), pl(pl_) {
    mh = wino_m(KH);
    mw = wino_m(KW);
    TH = ceil_div(OH, mh);
    TW = ceil_div(OW, mw);
    ntiles = N * TH * TW;
    ldv = ceil_div(CI, kW) * kW;
  }
};

// Tiles per block: V and M (or Z) of a block take about `budget` bytes (at least 24 tiles, a
// multiple of every MR; 1 thread, Zen 4 with 1 MB L2: 0.4 / 0.8 MB for the forward / weight
// gradient ran 3-10% faster than 1.5 / 3 MB, 6 / 12 MB 10-20% slower), then the block count is
// rounded up to a multiple of the thread count and the tiles spread evenly over the blocks (static
// schedule: every thread gets the same work).
index_t wino_block(const WinoGeom& g, index_t ldm, int nt, double budget) {
  const double per = 36.0 * 4.0 * (double)(g.ldv + ldm);
  const index_t T = std::max<index_t>(24, (index_t)(budget / per) / 24 * 24);
  const index_t nb = ceil_div(ceil_div(g.ntiles, T), nt) * nt;
  return std::max<index_t>(1, ceil_div(g.ntiles, nb));
}

// V rows for tiles t0 .. t0+tc-1: V[xi][t][:] = (B^T d B)[xi] for input tile d of tile t0+t.
void wino_input(const WinoGeom& g, const float* x, index_t t0, index_t tc, float* V, index_t T) {
  vf d[kA], tmp[kA][kA], o[kA];
  const float* rows[kA][kA];
  for (index_t t = 0; t < tc; ++t) {
    const index_t tile = t0 + t, tw = tile % g.TW, th = (tile / g.TW) % g.TH, n = tile / (g.TW * g.TH);
    const index_t ih0 = th * g.mh - g.pt, iw0 = tw * g.mw - g.pl;
    for (int a = 0; a < kA; ++a)
      for (int b = 0; b < kA; ++b) {
        const index_t ih = ih0 + a, iw = iw0 + b;
        rows[a][b] = (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) ? x + ((n * g.H + ih) * g.W + iw) * g.CI : nullptr;
      }
    float* vt = V + t * g.ldv;
    for (index_t c = 0; c < g.CI; c += kW) {
      const int nn = (int)std::min<index_t>(kW, g.CI - c);
      for (int b = 0; b < kA; ++b) {  // columns: tmp[:, b] = B^T d[:, b]
        for (int a = 0; a < kA; ++a)
          d[a] = rows[a][b] ? (nn == kW ? load(rows[a][b] + c) : load_n(rows[a][b] + c, nn)) : zero();
        bt6(d, o);
        for (int a = 0; a < kA; ++a) tmp[a][b] = o[a];
      }
      for (int a = 0; a < kA; ++a) {  // rows: V[a, :] = tmp[a, :] B
        bt6(tmp[a], o);
        for (int b = 0; b < kA; ++b) store(vt + (a * kA + b) * T * g.ldv + c, o[b]);
      }
    }
  }
}

// U[xi] (CI x CO, in column panels of pn, row stride per panel) = (G w[:, :, ci, :] G^T)[xi].
// w element (kh, kw, ci, co) at w[((kh*KW + kw)*CI + ci)*CO + co].
void wino_weights(const WinoGeom& g, const float* w, const Panels& pn, float* U) {
  float Gh[kA][kA], Gw[kA][kA];
  wino_G(g.KH, Gh);
  wino_G(g.KW, Gw);
  const index_t CI = g.CI, CO = g.CO, COp = pn.padded, KH = g.KH, KW = g.KW;
  const int nt = threads_for(72.0 * CI * COp * (KH + 6));
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
  for (index_t ci = 0; ci < CI; ++ci) {
    vf wk[kA][kA], tmp[kA][kA];
    for (int j = 0; j < pn.count; ++j) {
      const index_t j0 = pn.j0(j), nr = pn.width(j);
      for (index_t c = j0; c < j0 + nr; c += kW) {
        const int nn = (int)std::min<index_t>(kW, CO - c);  // <= 0 past CO: zero columns
        for (index_t kh = 0; kh < KH; ++kh)
          for (index_t kw = 0; kw < KW; ++kw) {
            const float* src = w + ((kh * KW + kw) * CI + ci) * CO + c;
            wk[kh][kw] = nn >= kW ? load(src) : nn > 0 ? load_n(src, nn) : zero();
          }
        for (int a = 0; a < kA; ++a)  // tmp = Gh w  (6 x KW)
          for (index_t kw = 0; kw < KW; ++kw) {
            vf acc = zero();
            for (index_t kh = 0; kh < KH; ++kh) acc = fmadd(set1(Gh[a][kh]), wk[kh][kw], acc);
            tmp[a][kw] = acc;
          }
        for (int a = 0; a < kA; ++a)  // U = tmp Gw^T
          for (int b = 0; b < kA; ++b) {
            vf acc = zero();
            for (index_t kw = 0; kw < KW; ++kw) acc = fmadd(set1(Gw[b][kw]), tmp[a][kw], acc);
            store(U + (a * kA + b) * CI * COp + CI * j0 + ci * nr + (c - j0), acc);
          }
      }
    }
  }
}

// Output transform of tiles t0 .. t0+tc-1 (MH x MW outputs each): y = act(A^T M A + bias).
template <int MH, int MW>
void wino_output(const WinoGeom& g, const float* M, index_t T, index_t COp, index_t t0, index_t tc,
                 const float* bias, float* y, Act act) {
  const index_t CO = g.CO;
  vf mm[kA], tmp[MH][kA], o[kA];
  for (index_t t = 0; t < tc; ++t) {
    const index_t tile = t0 + t, tw = tile % g.TW, th = (tile / g.TW) % g.TH, n = tile / (g.TW * g.TH);
    const int mh = (int)std::min<index_t>(MH, g.OH - th * MH);
    const int mw = (int)std::min<index_t>(MW, g.OW - tw * MW);
    float* yt = y + ((n * g.OH + th * MH) * g.OW + tw * MW) * CO;
    for (index_t c = 0; c < CO; c += kW) {
      const int nn = (int)std::min<index_t>(kW, CO - c);
      for (int b = 0; b < kA; ++b) {  // columns: tmp[:, b] = A^T M[:, b]
        for (int a = 0; a < kA; ++a) mm[a] = load(M + ((a * kA + b) * T + t) * COp + c);
        at_rows(mm, o, MH);
        for (int i = 0; i < MH; ++i) tmp[i][b] = o[i];
      }
      const vf bv = load(bias + c);
      for (int i = 0; i < MH; ++i) {
        if (i >= mh) break;
        at_rows(tmp[i], o, MW);
        for (int jj = 0; jj < MW; ++jj) {
          if (jj >= mw) break;
          vf r = o[jj] + bv;
          if (act == Act::relu) r = vmax(zero(), r);  // Note [NaN in max]
          float* dst = yt + (i * g.OW + jj) * CO + c;
          if (nn == kW)
            store(dst, r);
          else
            store_n(dst, r, nn);
        }
      }
    }
  }
}

// Transformed upstream gradient of tiles t0 .. t0+tc-1: Z[xi][t] = (A g A^T)[xi] with
// g = dy (* (y > 0)) on the tile's MH x MW outputs (zero past the image); db partial += sum g.
template <int MH, int MW>
void wino_dy(const WinoGeom& g, const float* dy, const float* y, index_t t0, index_t tc, float* Z,
             index_t T, index_t COp, float* dbt) {
  const index_t CO = g.CO;
  const vf one = set1(1.0f);
  // The tile's g, pixel by pixel (sequential reads of dy and y), in a contiguous buffer first:
  // gathering 16 pixels per channel vector straight from dy took 13% of the AlphaGo 3x3 weight
  // gradient (perf, 1 thread), 8% this way.
  float* buf = workspace<float>(Ws::conv_stage, (size_t)(MH * MW * COp));
  vf gg[MW][MH], tmp[kA][MW], o[kA];
  for (index_t t = 0; t < tc; ++t) {
    const index_t tile = t0 + t, tw = tile % g.TW, th = (tile / g.TW) % g.TH, n = tile / (g.TW * g.TH);
    const int mh = (int)std::min<index_t>(MH, g.OH - th * MH);
    const int mw = (int)std::min<index_t>(MW, g.OW - tw * MW);
    const index_t off = ((n * g.OH + th * MH) * g.OW + tw * MW) * CO;
    for (int i = 0; i < MH; ++i)
      for (int j = 0; j < MW; ++j) {
        float* dst = buf + (i * MW + j) * COp;
        if (i >= mh || j >= mw) {
          for (index_t c = 0; c < COp; c += kW) store(dst + c, zero());
          continue;
        }
        const float* src = dy + off + (i * g.OW + j) * CO;
        const float* ys = y ? y + off + (i * g.OW + j) * CO : nullptr;
        for (index_t c = 0; c < COp; c += kW) {
          const int nn = (int)std::min<index_t>(kW, CO - c);  // > 0: COp < CO + kW
          vf v = nn == kW ? load(src + c) : load_n(src + c, nn);
          if (ys) v = v * select_gt(nn == kW ? load(ys + c) : load_n(ys + c, nn), zero(), one, zero());
          store(dst + c, v);
          if (dbt) store(dbt + c, load(dbt + c) + v);
        }
      }
    for (index_t c = 0; c < COp; c += kW) {
      for (int i = 0; i < MH; ++i)
        for (int j = 0; j < MW; ++j) gg[j][i] = load(buf + (i * MW + j) * COp + c);
      for (int j = 0; j < MW; ++j) {  // columns: tmp[:, j] = A g[:, j]
        a_cols<MH>(gg[j], o);
        for (int a = 0; a < kA; ++a) tmp[a][j] = o[a];
      }
      for (int a = 0; a < kA; ++a) {  // rows: Z[a, :] = tmp[a, :] A^T
        a_cols<MW>(tmp[a], o);
        for (int b = 0; b < kA; ++b) store(Z + ((a * kA + b) * T + t) * COp + c, o[b]);
      }
    }
  }
}

using WinoOutFn = void (*)(const WinoGeom&, const float*, index_t, index_t, index_t, index_t,
                           const float*, float*, Act);
using WinoDyFn = void (*)(const WinoGeom&, const float*, const float*, index_t, index_t, float*,
                          index_t, index_t, float*);

template <int MH>
WinoOutFn wino_output_fn_w(int mw) {
  return mw == 2 ? wino_output<MH, 2> : mw == 3 ? wino_output<MH, 3> : wino_output<MH, 4>;
}
WinoOutFn wino_output_fn(int mh, int mw) {
  return mh == 2 ? wino_output_fn_w<2>(mw) : mh == 3 ? wino_output_fn_w<3>(mw) : wino_output_fn_w<4>(mw);
}
template <int MH>
WinoDyFn wino_dy_fn_w(int mw) {
  return mw == 2 ? wino_dy<MH, 2> : mw == 3 ? wino_dy<MH, 3> : wino_dy<MH, 4>;
}
WinoDyFn wino_dy_fn(int mh, int mw) {
  return mh == 2 ? wino_dy_fn_w<2>(mw) : mh == 3 ? wino_dy_fn_w<3>(mw) : wino_dy_fn_w<4>(mw);
}

// y = act(b + conv(x, w)) for stride 1, dilation 1, any pads (WinoGeom); Note [Winograd].
void wino_conv(const WinoGeom& g, const float* x, const float* w, const float* b, float* y, Act act) {
  const index_t CI = g.CI, CO = g.CO;
  const Panels pn(CO);
  const index_t COp = pn.padded;
  float* U = workspace<float>(Ws::conv_wpack, (size_t)(36 * CI * COp));
  wino_weights(g, w, pn, U);
  float* bias = workspace<float>(Ws::conv_aux, (size_t)COp);
  for (index_t c = 0; c < COp; ++c) bias[c] = b && c < CO ? b[c] : 0.0f;
  const int nt = (int)std::min<index_t>(threads_for(72.0 * g.ntiles * CI * CO), g.ntiles);
  const index_t T = wino_block(g, COp, nt, 4e5);
  const index_t nblocks = ceil_div(g.ntiles, T);
  const WinoOutFn out = wino_output_fn(g.mh, g.mw);

#pragma omp parallel num_threads(nt) if (nt > 1)
  {
    FtzGuard ftz_thread;
    float* V = workspace<float>(Ws::conv_wino_v, (size_t)(36 * T * g.ldv));
    float* M = workspace<float>(Ws::conv_wino_m, (size_t)(36 * T * COp));
    const float* aptr[kMaxMR];
    const float* bptr[1];
#pragma omp for schedule(static)
    for (index_t blk = 0; blk < nblocks; ++blk) {
      const index_t t0 = blk * T, tc = std::min(T, g.ntiles - t0);
      wino_input(g, x, t0, tc, V, T);
      for (int xi = 0; xi < 36; ++xi) {
        const float* Vx = V + xi * T * g.ldv;
        float* Mx = M + xi * T * COp;
        for (int j = 0; j < pn.count; ++j) {
          const int nv = pn.nvec(j), MR = mr_for(nv);
          const index_t j0 = pn.j0(j), nr = pn.width(j);
          const GatherFn ukr = gather_fn(nv);
          bptr[0] = U + xi * CI * COp + CI * j0;
          for (index_t r0 = 0; r0 < tc; r0 += MR) {
            const int m = (int)std::min<index_t>(MR, tc - r0);
            for (int i = 0; i < MR; ++i) aptr[i] = Vx + (r0 + std::min(i, m - 1)) * g.ldv;
            ukr(1, aptr, bptr, CI, nr, Mx + r0 * COp + j0, COp, m, (int)nr, nullptr, Act::none, false);
          }
        }
      }
      out(g, M, T, COp, t0, tc, bias, y, act);
    }
  }
}

// Note [Winograd pieces]: the weight gradient runs F(4, 3) and F(3, 4) only (F(2, 5)'s rounding
// reached ~3000 eps * sum |x| |dy| on the AlphaGo 5x5 layer: its final G^T dU G cancels large
// transformed terms). A kernel extent of 5 is covered by 3-tap pieces starting at 0 and 2 (tap 2
// computed twice, kept from the second piece): dW over rows [s, s+3) is the weight gradient of
// a 3-row kernel whose input is shifted by s (top pad pt - s). The pieces share the dy
// transform Z; each adds one input transform and 36 GEMMs: 4 x 2.25 = 9 multiplies per (pixel,
// C_in, C_out) for 5x5 instead of 25.
struct WinoPieces {
  index_t r[2];          // piece extent per axis (rows, columns)
  int n[2];              // pieces per axis
  index_t start[2][4];   // first tap of each piece
  explicit WinoPieces(index_t KH, index_t KW) {
    const index_t K[2] = {KH, KW};
    for (int d = 0; d < 2; ++d) {
      n[d] = 0;
      if (K[d] <= 4) {
        r[d] = K[d];
        start[d][n[d]++] = 0;
        continue;
      }
      r[d] = 3;
      for (index_t s0 = 0; s0 + 3 < K[d] && n[d] < 3; s0 += 3) start[d][n[d]++] = s0;
      start[d][n[d]++] = K[d] - 3;
    }
  }
};

// dw (+)= dW, db (+)= sum of g over pixels, g = dy (* (y > 0) when y is given), for stride 1,
// dilation 1, kernel (KH, KW) (Note [Winograd], Note [Winograd pieces]): g's tiles are those of a
// piece-sized kernel (pg); per tile Z = A g A^T, and per piece q, dU_q[xi] += V_q[xi]^T Z[xi]
// over tiles (per thread), then dW = G^T dU_q G on the piece's taps.
void wino_backward_filter(const WinoGeom& pg, const WinoPieces& pc, index_t KH, index_t KW,
                          const float* dy, const float* x, const float* y, float* dw, float* db) {
  const index_t CI = pg.CI, CO = pg.CO;
  const Panels pn(CO);
  const index_t COp = pn.padded;
  const int npieces = pc.n[0] * pc.n[1];
  const int nt = (int)std::min<index_t>(threads_for(72.0 * npieces * pg.ntiles * CI * CO), pg.ntiles);
  const index_t T = wino_block(pg, COp, nt, 8e5);
  const index_t nblocks = ceil_div(pg.ntiles, T);
  const size_t su = (size_t)(36 * CI * COp);           // one piece's dU
  const size_t sz = su * (size_t)npieces + (size_t)COp;  // per thread: dU of every piece, db
  float* S = workspace<float>(Ws::conv_wpack, sz * (size_t)nt);
  const WinoDyFn dyf = wino_dy_fn(pg.mh, pg.mw);
  int used = 1;  // threads the team really got (only their partials are written)

#pragma omp parallel num_threads(nt) if (nt > 1)
  {
    FtzGuard ftz_thread;
    const int tid = thread_id();
    float* St = thread_partial(S, sz, used);
    float* dbt = St + su * npieces;
    // V rows get kMaxMR floats of slack: the strided micro-kernel reads MR consecutive
    // channels of a row (rows past CI are computed and dropped).
    float* V = workspace<float>(Ws::conv_wino_v, (size_t)(36 * T * pg.ldv + kMaxMR));
    float* Z = workspace<float>(Ws::conv_wino_m, (size_t)(36 * T * COp));
    index_t bbeg, bend;
    split_range(nblocks, team_size(), tid, bbeg, bend);
    for (index_t blk = bbeg; blk < bend; ++blk) {
      const index_t t0 = blk * T, tc = std::min(T, pg.ntiles - t0);
      dyf(pg, dy, y, t0, tc, Z, T, COp, db ? dbt : nullptr);
      for (int q = 0; q < npieces; ++q) {
        WinoGeom gq = pg;  // the piece's input offset
        gq.pt = pg.pt - pc.start[0][q / pc.n[1]];
        gq.pl = pg.pl - pc.start[1][q % pc.n[1]];
        wino_input(gq, x, t0, tc, V, T);
        for (int xi = 0; xi < 36; ++xi) {
          const float* Vx = V + xi * T * pg.ldv;
          const float* Zx = Z + xi * T * COp;
          float* Sx = St + su * q + xi * CI * COp;
          strided_gemm(pn, Vx, pg.ldv, CI, Zx, COp, tc, Sx, COp);
        }
      }
    }
  }
  if (db)
    for (int t = 0; t < used; ++t)
      for (index_t c = 0; c < CO; ++c) db[c] += S[(size_t)t * sz + su * npieces + c];
  float Gh[kA][kA], Gw[kA][kA];
  wino_G(pg.KH, Gh);
  wino_G(pg.KW, Gw);
  const index_t rh = pg.KH, rw = pg.KW;
  const int nt2 = threads_for(72.0 * npieces * CI * COp * (rh + 6));
#pragma omp parallel for num_threads(nt2) schedule(static) if (nt2 > 1)
  for (index_t ci = 0; ci < CI; ++ci) {
    vf sU[kA][kA], tmp[kA][kA];
    for (int q = 0; q < npieces; ++q) {
      const int qh = q / pc.n[1], qw = q % pc.n[1];
      const index_t h0 = pc.start[0][qh], w0 = pc.start[1][qw];
      // the piece's own taps: up to the next piece's first one
      const index_t h1 = qh + 1 < pc.n[0] ? pc.start[0][qh + 1] : KH;
      const index_t w1 = qw + 1 < pc.n[1] ? pc.start[1][qw + 1] : KW;
      for (index_t c = 0; c < CO; c += kW) {
        const int nn = (int)std::min<index_t>(kW, CO - c);
        for (int xi = 0; xi < 36; ++xi) {
          vf acc = zero();
          for (int t = 0; t < used; ++t) acc = acc + load(S + (size_t)t * sz + su * q + (xi * CI + ci) * COp + c);
          sU[xi / kA][xi % kA] = acc;
        }
        for (index_t kh = 0; kh < rh; ++kh)  // tmp = Gh^T dU  (rh x 6)
          for (int b = 0; b < kA; ++b) {
            vf acc = zero();
            for (int a = 0; a < kA; ++a) acc = fmadd(set1(Gh[a][kh]), sU[a][b], acc);
            tmp[kh][b] = acc;
          }
        for (index_t kh = 0; kh < rh && h0 + kh < h1; ++kh)  // dW = tmp Gw
          for (index_t kw = 0; kw < rw && w0 + kw < w1; ++kw) {
            vf acc = zero();
            for (int b = 0; b < kA; ++b) acc = fmadd(set1(Gw[b][kw]), tmp[kh][b], acc);
            float* dst = dw + (((h0 + kh) * KW + w0 + kw) * CI + ci) * CO + c;
            if (nn == kW)
              store(dst, load(dst) + acc);
            else
              store_n(dst, load_n(dst, nn) + acc, nn);
          }
      }
    }
  }
}

// Note [Winograd]: which layers take it.
// Multiplies of the Winograd pass over an OH x OW output with mh x mw tiles (npieces kernels)
// at most half the direct pass's: small images waste most of each 6x6 tile (a 2x2 output with a
// 3x3 kernel costs 36 multiplies per tile either way).
bool wino_pays(index_t OH, index_t OW, index_t KH, index_t KW, int mh, int mw, int npieces) {
  return 36.0 * npieces * (double)(ceil_div(OH, mh) * ceil_div(OW, mw)) <= 0.5 * (double)(KH * KW * OH * OW);
}

bool wino_use(const ConvShape& s, index_t cin, index_t cout) {
  if (s.sh != 1 || s.sw != 1 || s.dh != 1 || s.dw != 1) return false;
  if (s.KH < 3 || s.KH > 5 || s.KW < 3 || s.KW > 5) return false;
  if (cin < 16 || cout < 16) return false;
  if (36.0 * 4.0 * (double)cin * (double)cout > 64.0 * (1 << 20)) return false;  // U over 64 MiB
  // Pads of at most the kernel extent - 1 (every 'same' and 'valid' layer): every output window
  // then holds real input, so no output is a pure rounding residue of its tile's neighbours.
  const index_t pb = s.OH - 1 + s.KH - s.H - s.pt, pr = s.OW - 1 + s.KW - s.W - s.pl;
  if (s.pt >= s.KH || pb >= s.KH || s.pl >= s.KW || pr >= s.KW) return false;
  if (!conv_winograd_enabled().load(std::memory_order_relaxed)) return false;
  return true;
}

}  // namespace

// ---- forward ----------------------------------------------------------------------------------

namespace {

// Note [forward rows]: with few input channels (LeNet conv1: CI = 1) and no horizontal padding,
// the tile setup of the general gather path (per row: pixel, window bounds, a pointer per kernel
// row) cost a third of the pass, its micro-kernel running 25 taps of 5 floats. Here a tile is MR
// consecutive pixels of one output row: the kernel rows' bounds and x row pointers are found
// once per output row, and row i of a tile reads from those + (ow0 + i)*sw*CI.
void forward_rows(const ConvShape& s, const float* x, const float* Bp, const Panels& pn,
                  const float* bias, float* y, Act act) {
  const index_t CI = s.CI, CO = s.CO, span = s.KW * CI, Kd = s.KH * span, R = s.N * s.OH;
  const int nt = (int)std::min<index_t>(threads_for(2.0 * R * s.OW * Kd * CO), R);
#pragma omp parallel num_threads(nt) if (nt > 1)
  {
    FtzGuard ftz_thread;
    const float* arow[8];  // KH <= 8 here: the x row of each unpadded kernel row
    const float* aptr[kMaxMR * 8];
    const float* bptr[8];
#pragma omp for schedule(static)
    for (index_t r = 0; r < R; ++r) {
      const index_t n = r / s.OH, oh = r % s.OH;
      for (int j = 0; j < pn.count; ++j) {
        const GatherPanel pk(pn, j);
        const int MR = pk.MR, ncols = (int)std::min(pk.nr, CO - pk.j0);
        int nseg = 0;
        for (index_t kh = 0; kh < s.KH; ++kh) {
          const index_t ih = oh * s.sh - s.pt + kh * s.dh;
          if (ih < 0 || ih >= s.H) continue;  // a padded kernel row: no segment
          arow[nseg] = x + (n * s.H + ih) * s.W * CI;
          bptr[nseg++] = Bp + Kd * pk.j0 + kh * span * pk.nr;
        }
        float* yr = y + r * s.OW * CO + pk.j0;
        for (index_t ow0 = 0; ow0 < s.OW; ow0 += MR) {
          const int m = (int)std::min<index_t>(MR, s.OW - ow0);  // rows past m repeat row m - 1
          for (int g = 0; g < nseg; ++g)
            for (int i = 0; i < MR; ++i)
              aptr[g * MR + i] = arow[g] + (ow0 + std::min(i, m - 1)) * s.sw * CI;
          pk.ukr(nseg, aptr, bptr, span, pk.nr, yr + ow0 * CO, CO, m, ncols, bias + pk.j0, act, false);
        }
      }
    }
  }
}

}  // namespace

void conv2d_forward(const ConvShape& s, const float* x, const float* w, const float* b, float* y,
                    Act act) {
#if defined(TF_ISA_avx512)
  if (prefer_ymm(s.CO)) return ::tf::avx2::conv2d_forward(s, x, w, b, y, act);  // Note [Zen 4 zmm]
#endif
  FtzGuard ftz;
  // Note [Winograd]
  if (wino_use(s, s.CI, s.CO) && wino_pays(s.OH, s.OW, s.KH, s.KW, wino_m(s.KH), wino_m(s.KW), 1)) {
    wino_conv(WinoGeom(s.N, s.H, s.W, s.CI, s.KH, s.KW, s.CO, s.OH, s.OW, s.pt, s.pl), x, w, b, y, act);
    return;
  }
  const index_t T = s.KH * s.KW, CI = s.CI, CO = s.CO, Kd = T * CI, P = s.N * s.OH * s.OW;
  const Panels pn(CO);
  float* Bp = workspace<float>(Ws::conv_wpack, (size_t)(Kd * pn.padded));  // Note [workspace]
  pack_panels(w, Kd, CO, CO, 1, pn, Bp);
  std::vector<float> bias((size_t)pn.padded, 0.0f);
  if (b) std::copy(b, b + CO, bias.begin());
  const bool im2col = CI < 8;  // Note [implicit gather]: taps too short to loop over
  const index_t pr = (s.OW - 1) * s.sw + (s.KW - 1) * s.dw + 1 - s.W - s.pl;  // right pad in use
  if (CI < 8 && s.KH <= 8 && s.dw == 1 && s.pl == 0 && pr <= 0) {  // Note [forward rows]
    forward_rows(s, x, Bp, pn, bias.data(), y, act);
    return;
  }
  const index_t span = s.KW * CI;  // a kernel row of x, contiguous when dw == 1
  std::vector<float> zeros((size_t)std::max<index_t>(span, 1) + kW, 0.0f);
  const index_t nchunks = ceil_div(P, kChunk);
  const int nt = threads_for(2.0 * P * Kd * CO);

#pragma omp parallel num_threads(nt) if (nt > 1)
  {
    FtzGuard ftz_thread;
    std::vector<const float*> aptr((size_t)(T * kMaxMR)), bptr((size_t)T);
    const index_t ldcol = Kd + kW;
    float* col = im2col ? workspace<float>(Ws::conv_wino_v, (size_t)(kChunk * ldcol)) : nullptr;
    index_t ih0[kMaxMR], iw0[kMaxMR], nimg[kMaxMR];
#pragma omp for schedule(static)
    for (index_t ch = 0; ch < nchunks; ++ch) {
      const index_t p0 = ch * kChunk, pc = std::min(kChunk, P - p0);
      bool col_ready = false;
      for (int j = 0; j < pn.count; ++j) {
        const int nv = pn.nvec(j), MR = mr_for(nv);
        const index_t j0 = pn.j0(j), nr = pn.width(j);
        const GatherFn ukr = gather_fn(nv);
        const float* Bj = Bp + Kd * j0;
        for (index_t t0 = 0; t0 < pc; t0 += MR) {
          const int m = (int)std::min<index_t>(MR, pc - t0);
          float* c = y + (p0 + t0) * CO + j0;
          const int ncols = (int)std::min(nr, CO - j0);
          bool rowwise = s.dw == 1;
          index_t n, oh, ow;  // pixel of row i; rows past m repeat row m - 1
          decode(p0 + t0, s.OH, s.OW, n, oh, ow);
          for (int i = 0; i < MR; ++i) {
            nimg[i] = n;
            ih0[i] = oh * s.sh - s.pt;
            iw0[i] = ow * s.sw - s.pl;
            rowwise = rowwise && iw0[i] >= 0 && iw0[i] + s.KW <= s.W;
            if (i + 1 < m) next_pixel(s.OH, s.OW, n, oh, ow);
          }
          int nseg = 0;
          if (rowwise) {
            // Every row's window lies inside the image horizontally: one segment per kernel
            // row, KW*CI contiguous floats of x (no copy even for CI = 1).
            for (index_t kh = 0; kh < s.KH; ++kh) {
              const float** ap = aptr.data() + nseg * MR;
              bool any = false;
              for (int i = 0; i < MR; ++i) {
                const index_t ih = ih0[i] + kh * s.dh;
                if (ih < 0 || ih >= s.H) {
                  ap[i] = zeros.data();
                } else {
                  ap[i] = x + ((nimg[i] * s.H + ih) * s.W + iw0[i]) * CI;
                  any = true;
                }
              }
              if (any) bptr[nseg++] = Bj + kh * span * nr;
            }
            ukr(nseg, aptr.data(), bptr.data(), span, nr, c, CO, m, ncols, bias.data() + j0, act, false);
            continue;
          }
          if (im2col) {
            if (!col_ready) im2col_rows(s, x, p0, pc, col, ldcol);
            col_ready = true;
            for (int i = 0; i < MR; ++i) aptr[i] = col + (t0 + std::min(i, m - 1)) * ldcol;
            bptr[0] = Bj;
            ukr(1, aptr.data(), bptr.data(), Kd, nr, c, CO, m, ncols, bias.data() + j0, act, false);
            continue;
          }
          for (index_t kh = 0; kh < s.KH; ++kh)
            for (index_t kw = 0; kw < s.KW; ++kw) {
              const float** ap = aptr.data() + nseg * MR;
              bool any = false;
              for (int i = 0; i < MR; ++i) {
                const index_t ih = ih0[i] + kh * s.dh, iw = iw0[i] + kw * s.dw;
                if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) {
                  ap[i] = zeros.data();
                } else {
                  ap[i] = x + ((nimg[i] * s.H + ih) * s.W + iw) * CI;
                  any = true;
                }
              }
              if (any) bptr[nseg++] = Bj + (kh * s.KW + kw) * CI * nr;
            }
          ukr(nseg, aptr.data(), bptr.data(), CI, nr, c, CO, m, ncols, bias.data() + j0, act, false);
        }
      }
    }
  }
}

// ---- backward data ----------------------------------------------------------------------------

namespace {

// Backward data for tiny CI (LeNet conv1: CI = 1), where the implicit gather would fill one
// lane of each vector: dcol (P x KH*KW*CI) = dy (P x CO) * Wm^T (CO x KH*KW*CI) with the
// vector axis along KH*KW*CI, then col2im adds each row of dcol into the window it came from.
// Windows of neighbouring pixels overlap, so threads take whole images (no two write the same dx).
void backward_data_col2im(const ConvShape& s, const float* dy, const float* w, float* dx) {
  const index_t T = s.KH * s.KW, CI = s.CI, CO = s.CO, Kd = T * CI, PI = s.OH * s.OW;
  const Panels pn(Kd);
  float* Bp = workspace<float>(Ws::conv_wpack, (size_t)(CO * pn.padded));  // Note [workspace]
  pack_panels(w, CO, Kd, 1, CO, pn, Bp);  // element (co, k) = w[k*CO + co]
  const index_t ldc = pn.padded;
  const int nt = std::min<index_t>(threads_for(2.0 * s.N * PI * Kd * CO), s.N);
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
  for (index_t n = 0; n < s.N; ++n) {
    FtzGuard ftz_thread;
    float* dcol = workspace<float>(Ws::conv_wino_m, (size_t)(kChunk * ldc));
    const float* aptr[kMaxMR];
    const float* bptr[1];
    float* dxn = dx + n * s.H * s.W * CI;
    std::fill(dxn, dxn + s.H * s.W * CI, 0.0f);
    for (index_t p0 = 0; p0 < PI; p0 += kChunk) {
      const index_t pc = std::min(kChunk, PI - p0);
      for (int j = 0; j < pn.count; ++j) {
        const int nv = pn.nvec(j), MR = mr_for(nv);
        const index_t j0 = pn.j0(j), nr = pn.width(j);
        const GatherFn ukr = gather_fn(nv);
        bptr[0] = Bp + CO * j0;
        for (index_t t0 = 0; t0 < pc; t0 += MR) {
          const int m = (int)std::min<index_t>(MR, pc - t0);
          for (int i = 0; i < MR; ++i) aptr[i] = dy + (n * PI + p0 + t0 + std::min(i, m - 1)) * CO;
          ukr(1, aptr, bptr, CO, nr, dcol + t0 * ldc + j0, ldc, m, (int)std::min(nr, Kd - j0),
              nullptr, Act::none, false);
        }
      }
      for (index_t r = 0; r < pc; ++r) {
        const index_t oh = (p0 + r) / s.OW, ow = (p0 + r) % s.OW;
        const float* src = dcol + r * ldc;
        for (index_t kh = 0; kh < s.KH; ++kh) {
          const index_t ih = oh * s.sh - s.pt + kh * s.dh;
          if (ih < 0 || ih >= s.H) continue;
          for (index_t kw = 0; kw < s.KW; ++kw) {
            const index_t iw = ow * s.sw - s.pl + kw * s.dw;
            if (iw < 0 || iw >= s.W) continue;
            float* d = dxn + (ih * s.W + iw) * CI;
            const float* g = src + (kh * s.KW + kw) * CI;
            for (index_t c = 0; c < CI; ++c) d[c] += g[c];
          }
        }
      }
    }
  }
}

}  // namespace


void conv2d_backward_data(const ConvShape& s, const float* dy, const float* w, float* dx) {
  FtzGuard ftz;
#if defined(TF_ISA_avx512)
  if (2 * s.CI > kW && prefer_ymm(s.CI))  // Note [Zen 4 zmm]
    return ::tf::avx2::conv2d_backward_data(s, dy, w, dx);
#endif
  if (wino_use(s, s.CO, s.CI) && wino_pays(s.H, s.W, s.KH, s.KW, wino_m(s.KH), wino_m(s.KW), 1)) {
    // Note [Winograd]: the convolution of dy with the flipped kernel
    const index_t KH = s.KH, KW = s.KW, CI = s.CI, CO = s.CO;
    float* wf = workspace<float>(Ws::conv_wflip, (size_t)(KH * KW * CI * CO));  // (KH, KW, CO, CI)
    const int ntf = threads_for(64.0 * KH * KW * CI * CO);  // a transposing copy, split by tap
#pragma omp parallel for num_threads(ntf) schedule(static) if (ntf > 1)
    for (index_t t = 0; t < KH * KW; ++t) {
      const index_t kh = t / KW, kw = t % KW;
      const float* src = w + ((KH - 1 - kh) * KW + (KW - 1 - kw)) * CI * CO;
      float* dst = wf + t * CO * CI;
      for (index_t ci = 0; ci < CI; ++ci)
        for (index_t co = 0; co < CO; ++co) dst[co * CI + ci] = src[ci * CO + co];
    }
    wino_conv(WinoGeom(s.N, s.OH, s.OW, CO, KH, KW, CI, s.H, s.W, KH - 1 - s.pt, KW - 1 - s.pl), dy, wf,
              nullptr, dx, Act::none);
    return;
  }
  if (2 * s.CI <= kW) {  // at most half a vector of input channels: see backward_data_col2im
    backward_data_col2im(s, dy, w, dx);
    return;
  }
  const index_t T = s.KH * s.KW, CI = s.CI, CO = s.CO, Q = s.N * s.H * s.W;
  const Panels pn(CI);
  // Wt (T*CO x CI): row t*CO + co, column ci = w[t, ci, co]; packed per tap into CI panels.
  // Note [workspace]: Bt, Btr and tmp in distinct slots of the calling thread.
  float* Bt = workspace<float>(Ws::conv_wpack, (size_t)(T * CO * pn.padded));
  float* tmp = workspace<float>(Ws::conv_wflip, (size_t)(CO * pn.padded));
  for (index_t t = 0; t < T; ++t) {
    // tap t of Wt is the transpose of w[t] (CI x CO): element (co, ci) at w[t*CI*CO + ci*CO + co]
    pack_panels(w + t * CI * CO, CO, CI, 1, CO, pn, tmp);
    for (int j = 0; j < pn.count; ++j) {
      const index_t j0 = pn.j0(j), nr = pn.width(j);
      std::copy_n(tmp + CO * j0, CO * nr, Bt + T * CO * j0 + t * CO * nr);
    }
  }
  // Stride 1 and dilation 1 along W: the KW taps of a kernel row read KW consecutive dy pixels
  // (in reverse kw order), one contiguous run of KW*CO floats; Btr holds Wt with kw reversed so
  // one segment per kernel row can use it (see the forward's row segments).
  const bool rows_ok = s.sw == 1 && s.dw == 1;
  float* Btr = rows_ok ? workspace<float>(Ws::conv_aux, (size_t)(T * CO * pn.padded)) : nullptr;
  if (rows_ok)
    for (int j = 0; j < pn.count; ++j) {
      const index_t j0 = pn.j0(j), nr = pn.width(j);
      for (index_t kh = 0; kh < s.KH; ++kh)
        for (index_t kw = 0; kw < s.KW; ++kw)
          std::copy_n(Bt + T * CO * j0 + (kh * s.KW + kw) * CO * nr, CO * nr,
                      Btr + T * CO * j0 + (kh * s.KW + (s.KW - 1 - kw)) * CO * nr);
    }
  std::vector<float> zeros((size_t)(s.KW * CO) + kW, 0.0f);
  const index_t nchunks = ceil_div(Q, kChunk);
  const int nt = threads_for(2.0 * s.N * s.OH * s.OW * T * CI * CO);

  if (s.sh > 1 || s.sw > 1) {
    // Note [strided backward data]: with stride s, input pixel ih is read through tap kh only
    // when ih + pt - kh*dh is a multiple of s: in a tile of consecutive pixels half the rows (s =
    // 2) would multiply zeros on every tap. Tiles here take the pixels of one image row with one
    // phase iw mod sw (sw*CI floats apart in dx), so a tap is valid for all rows of a tile or for
    // none (then dropped); only the image borders leave zero rows.
    const index_t phases = std::min(s.sw, s.W);  // a phase pw >= W holds no pixel
    const index_t items = s.N * s.H * phases;      // (n, ih, phase pw)
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
      FtzGuard ftz_thread;
      std::vector<const float*> aptr((size_t)(T * kMaxMR)), bptr((size_t)T);
      std::vector<index_t> ows((size_t)(s.KW * kMaxMR));
#pragma omp for schedule(static)
      for (index_t it = 0; it < items; ++it) {
        const index_t pw = it % phases, ih = (it / phases) % s.H, n = it / (phases * s.H);
        if (pw >= s.W) continue;
        const index_t nb = ceil_div(s.W - pw, s.sw);  // pixels iw = pw + sw*b, b < nb
        for (int j = 0; j < pn.count; ++j) {
          const GatherPanel pk(pn, j);
          const int MR = pk.MR;
          for (index_t b0 = 0; b0 < nb; b0 += MR) {
            const int m = (int)std::min<index_t>(MR, nb - b0);
            for (int i = 0; i < MR; ++i) {
              const index_t iw = pw + s.sw * (b0 + std::min(i, m - 1));
              for (index_t kw = 0; kw < s.KW; ++kw) {
                const index_t wn = iw + s.pl - kw * s.dw, ow = wn / s.sw;
                ows[kw * kMaxMR + i] = (wn >= 0 && ow * s.sw == wn && ow < s.OW) ? ow : -1;
              }
            }
            int nseg = 0;
            for (index_t kh = 0; kh < s.KH; ++kh) {
              const index_t hn = ih + s.pt - kh * s.dh, oh = hn / s.sh;
              if (hn < 0 || oh * s.sh != hn || oh >= s.OH) continue;  // the same for every row
              const float* dyrow = dy + (n * s.OH + oh) * s.OW * CO;
              for (index_t kw = 0; kw < s.KW; ++kw) {
                const float** ap = aptr.data() + nseg * MR;
                bool any = false;
                for (int i = 0; i < MR; ++i) {
                  const index_t ow = ows[kw * kMaxMR + i];
                  ap[i] = ow < 0 ? zeros.data() : dyrow + ow * CO;
                  any = any || ow >= 0;
                }
                if (any) bptr[nseg++] = Bt + T * CO * pk.j0 + (kh * s.KW + kw) * CO * pk.nr;
              }
            }
            pk.ukr(nseg, aptr.data(), bptr.data(), CO, pk.nr,
                   dx + ((n * s.H + ih) * s.W + pw + s.sw * b0) * CI + pk.j0, s.sw * CI, m,
                   (int)std::min(pk.nr, CI - pk.j0), nullptr, Act::none, false);
          }
        }
      }
    }
    return;
  }

#pragma omp parallel num_threads(nt) if (nt > 1)
  {
    FtzGuard ftz_thread;
    std::vector<const float*> aptr((size_t)(T * kMaxMR)), bptr((size_t)T);
    index_t ihp[kMaxMR], iwp[kMaxMR], nimg[kMaxMR];
    std::vector<index_t> ohs((size_t)(s.KH * kMaxMR)), ows((size_t)(s.KW * kMaxMR));
#pragma omp for schedule(static)
    for (index_t ch = 0; ch < nchunks; ++ch) {
      const index_t q0 = ch * kChunk, qc = std::min(kChunk, Q - q0);
      for (int j = 0; j < pn.count; ++j) {
        const int nv = pn.nvec(j), MR = mr_for(nv);
        const index_t j0 = pn.j0(j), nr = pn.width(j);
        const GatherFn ukr = gather_fn(nv);
        const float* Bj = Bt + T * CO * j0;
        for (index_t t0 = 0; t0 < qc; t0 += MR) {
          const int m = (int)std::min<index_t>(MR, qc - t0);
          index_t n, ih, iw;  // pixel of row i; rows past m repeat row m - 1
          decode(q0 + t0, s.H, s.W, n, ih, iw);
          for (int i = 0; i < MR; ++i) {
            nimg[i] = n;
            ihp[i] = ih + s.pt;  // position in the padded input
            iwp[i] = iw + s.pl;
            if (i + 1 < m) next_pixel(s.H, s.W, n, ih, iw);
          }
          // Output pixel (oh, ow) reads padded position (oh*sh + kh*dh, ow*sw + kw*dw). The
          // divisions are done per (row, kh) and (row, kw), not per (row, tap).
          bool rowwise = rows_ok;
          for (int i = 0; i < MR; ++i) rowwise = rowwise && iwp[i] - (s.KW - 1) >= 0 && iwp[i] < s.OW;
          if (rowwise) {
            const float* Bjr = Btr + T * CO * j0;
            int nseg = 0;
            for (index_t kh = 0; kh < s.KH; ++kh) {
              const float** ap = aptr.data() + nseg * MR;
              bool any = false;
              for (int i = 0; i < MR; ++i) {
                const index_t hn = ihp[i] - kh * s.dh, oh = hn / s.sh;
                if (hn < 0 || oh * s.sh != hn || oh >= s.OH) {
                  ap[i] = zeros.data();
                } else {
                  ap[i] = dy + ((nimg[i] * s.OH + oh) * s.OW + iwp[i] - (s.KW - 1)) * CO;
                  any = true;
                }
              }
              if (any) bptr[nseg++] = Bjr + kh * s.KW * CO * nr;
            }
            ukr(nseg, aptr.data(), bptr.data(), s.KW * CO, nr, dx + (q0 + t0) * CI + j0, CI, m,
                (int)std::min(nr, CI - j0), nullptr, Act::none, false);
            continue;
          }
          for (int i = 0; i < MR; ++i) {
            for (index_t kh = 0; kh < s.KH; ++kh) {
              const index_t hn = ihp[i] - kh * s.dh, oh = hn / s.sh;
              ohs[kh * kMaxMR + i] = (hn >= 0 && oh * s.sh == hn && oh < s.OH) ? oh : -1;
            }
            for (index_t kw = 0; kw < s.KW; ++kw) {
              const index_t wn = iwp[i] - kw * s.dw, ow = wn / s.sw;
              ows[kw * kMaxMR + i] = (wn >= 0 && ow * s.sw == wn && ow < s.OW) ? ow : -1;
            }
          }
          int nseg = 0;
          for (index_t kh = 0; kh < s.KH; ++kh)
            for (index_t kw = 0; kw < s.KW; ++kw) {
              const float** ap = aptr.data() + nseg * MR;
              bool any = false;
              for (int i = 0; i < MR; ++i) {
                const index_t oh = ohs[kh * kMaxMR + i], ow = ows[kw * kMaxMR + i];
                if (oh < 0 || ow < 0) {
                  ap[i] = zeros.data();
                } else {
                  ap[i] = dy + ((nimg[i] * s.OH + oh) * s.OW + ow) * CO;
                  any = true;
                }
              }
              if (any) bptr[nseg++] = Bj + (kh * s.KW + kw) * CO * nr;
            }
          ukr(nseg, aptr.data(), bptr.data(), CO, nr, dx + (q0 + t0) * CI + j0, CI, m,
              (int)std::min(nr, CI - j0), nullptr, Act::none, false);
        }
      }
    }
  }
}

// ---- relu backward mask -----------------------------------------------------------------------

void relu_backward_mask(index_t n, const float* dy, const float* y, float* out) {
  FtzGuard ftz;
  const index_t B = 16384, nb = ceil_div(n, B);
  const int nt = n < 65536 ? 1 : max_threads();
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1)
  for (index_t blk = 0; blk < nb; ++blk) {
    FtzGuard ftz_thread;
    const vf one = set1(1.0f);
    const index_t end = std::min(n, (blk + 1) * B);
    index_t i = blk * B;
    for (; i + kW <= end; i += kW)
      store(out + i, load(dy + i) * select_gt(load(y + i), zero(), one, zero()));
    if (i < end) {
      const int nn = (int)(end - i);
      store_n(out + i, load_n(dy + i, nn) * select_gt(load_n(y + i, nn), zero(), one, zero()), nn);
    }
  }
}

// ---- backward filter --------------------------------------------------------------------------

namespace {

// Note [weight gradient rows]: when no window crosses the left or right edge (no horizontal
// padding) and dilation is 1 along W, the kernel row kh of pixel (n, oh, ow) reads KW*CI
// contiguous floats of x, and consecutive ow of one output row read them sw*CI floats apart: the
// strided micro-kernel then reads x in place (lda = sw*CI) for the KW*CI rows of dW of each kernel
// row, and no im2col copy is made. Used for few input channels (LeNet conv1: CI = 1, where the
// im2col of 5-float runs took ~40% of the pass). Rows of dW are tiled by MR, then 2, then 1, so
// the micro-kernel never reads past a window (no over-read past the end of x).
void backward_filter_rows(const ConvShape& s, const float* dy, const float* x, float* dw,
                          float* db, const float* y) {
  const index_t CI = s.CI, CO = s.CO, span = s.KW * CI, Kd = s.KH * span, R = s.N * s.OH;
  const Panels pn(CO);
  const index_t COp = pn.padded;
  const int nt = (int)std::min<index_t>(threads_for(2.0 * R * s.OW * Kd * CO), R);
  const size_t sz = (size_t)(Kd * COp + COp);  // per thread: dW partial, then db partial
  float* partial = workspace<float>(Ws::conv_aux, sz * (size_t)nt);
  int used = 1;  // threads the team really got (only their partials are written)

#pragma omp parallel num_threads(nt) if (nt > 1)
  {
    FtzGuard ftz_thread;
    float* dWp = thread_partial(partial, sz, used);
    float* dbp = dWp + Kd * COp;
    float* dyb = workspace<float>(Ws::conv_wino_m, (size_t)(s.OW * COp));
    index_t rbeg, rend;
    split_range(R, team_size(), thread_id(), rbeg, rend);
    const vf one = set1(1.0f);
    for (index_t r = rbeg; r < rend; ++r) {
      const index_t n = r / s.OH, oh = r % s.OH;
      // this output row of dy, masked (y > 0) when y is given, padded to COp columns
      for (index_t ow = 0; ow < s.OW; ++ow) {
        const float* src = dy + (r * s.OW + ow) * CO;
        const float* yr = y ? y + (r * s.OW + ow) * CO : nullptr;
        float* dst = dyb + ow * COp;
        for (index_t c = 0; c < CO; c += kW) {
          const int nn = (int)std::min<index_t>(kW, CO - c);
          vf g = nn == kW ? load(src + c) : load_n(src + c, nn);
          if (yr) g = g * select_gt(nn == kW ? load(yr + c) : load_n(yr + c, nn), zero(), one, zero());
          store(dst + c, g);
        }
      }
      if (db)
        for (index_t c = 0; c < COp; c += kW) {
          vf acc = zero();
          for (index_t ow = 0; ow < s.OW; ++ow) acc = acc + load(dyb + ow * COp + c);
          store(dbp + c, load(dbp + c) + acc);
        }
      if (!dw) continue;
      for (index_t kh = 0; kh < s.KH; ++kh) {
        const index_t ih = oh * s.sh - s.pt + kh * s.dh;
        if (ih < 0 || ih >= s.H) continue;
        const float* xr = x + (n * s.H + ih) * s.W * CI;  // pixel ow's window starts at ow*sw*CI
        for (int j = 0; j < pn.count; ++j) {
          const int nv = pn.nvec(j), MR = mr_for(nv);
          const index_t j0 = pn.j0(j), nr = pn.width(j);
          float* c0 = dWp + kh * span * COp + j0;
          index_t k0 = 0;
          for (const StridedFn f = strided_fn(nv); k0 + MR <= span; k0 += MR)
            f(xr + k0, s.sw * CI, dyb + j0, COp, s.OW, c0 + k0 * COp, COp, MR, (int)nr);
          for (const StridedFn f = strided_tail_fn(nv); k0 + kTailMR <= span; k0 += kTailMR)
            f(xr + k0, s.sw * CI, dyb + j0, COp, s.OW, c0 + k0 * COp, COp, kTailMR, (int)nr);
          for (const StridedFn f = strided_one_fn(nv); k0 < span; ++k0)
            f(xr + k0, s.sw * CI, dyb + j0, COp, s.OW, c0 + k0 * COp, COp, 1, (int)nr);
        }
      }
    }
  }
  for (int t = 0; t < used; ++t) {
    const float* dWp = partial + (size_t)t * sz;
    if (dw)
      for (index_t k = 0; k < Kd; ++k)
        for (index_t c = 0; c < CO; ++c) dw[k * CO + c] += dWp[k * COp + c];
    if (db)
      for (index_t c = 0; c < CO; ++c) db[c] += dWp[Kd * COp + c];
  }
}

}  // namespace

void conv2d_backward_filter(const ConvShape& s, const float* dy, const float* x, float* dw,
                            float* db, const float* y) {
#if defined(TF_ISA_avx512)
  if (prefer_ymm(s.CO)) return ::tf::avx2::conv2d_backward_filter(s, dy, x, dw, db, y);  // Note [Zen 4 zmm]
#endif
  FtzGuard ftz;
  // Note [Winograd pieces]; and only when every tap reads some real input (H >= KH, W >= KW: a
  // tap that reads only padding must get exactly 0, not a rounding residue) over >= 64 output
  // pixels (the error, relative to sum |x| |dy|, is larger on the shortest sums).
  // The per-thread dU partials (36 x CI x CO per piece, 4-16x dW) are capped at 32 MiB.
  const WinoPieces pc(s.KH, s.KW);
  const double su_bytes = 4.0 * 36 * s.CI * ceil_div(s.CO, kW) * kW * pc.n[0] * pc.n[1];
  if (dw && s.H >= s.KH && s.W >= s.KW && s.N * s.OH * s.OW >= 64 && su_bytes <= 32.0 * (1 << 20) &&
      wino_use(s, s.CI, s.CO) &&
      wino_pays(s.OH, s.OW, s.KH, s.KW, wino_m(pc.r[0]), wino_m(pc.r[1]), pc.n[0] * pc.n[1])) {
    wino_backward_filter(WinoGeom(s.N, s.H, s.W, s.CI, pc.r[0], pc.r[1], s.CO, s.OH, s.OW, s.pt, s.pl),
                         pc, s.KH, s.KW, dy, x, y, dw, db);
    return;
  }
  const index_t pr = (s.OW - 1) * s.sw + (s.KW - 1) * s.dw + 1 - s.W - s.pl;  // right pad in use
  if (s.CI < 8 && s.dw == 1 && s.pl == 0 && pr <= 0) {  // Note [weight gradient rows]
    backward_filter_rows(s, dy, x, dw, db, y);
    return;
  }
  const index_t T = s.KH * s.KW, CI = s.CI, CO = s.CO, Kd = T * CI, P = s.N * s.OH * s.OW;
  const Panels pn(CO);
  const index_t COp = pn.padded;
  const index_t ldcol = Kd + std::max(kMaxMR, kW);  // slack: see copy_or_zero; tile rows past Kd stay in bounds
  const index_t PC = 128;             // pixels per im2col chunk
  const int nt = threads_for(2.0 * P * Kd * CO);
  // Note [workspace]: per-thread partials (zeroed by their thread), col and dyb per thread.
  float* partial = workspace<float>(Ws::conv_aux, (size_t)nt * (size_t)(Kd * COp + COp));
  int used = 1;  // threads the team really got (only their partials are written)

#pragma omp parallel num_threads(nt) if (nt > 1)
  {
    FtzGuard ftz_thread;
    index_t pbeg, pend;
    split_range(P, team_size(), thread_id(), pbeg, pend);
    float* dWp = thread_partial(partial, (size_t)(Kd * COp + COp), used);
    float* dbp = dWp + Kd * COp;
    float* col = dw ? workspace<float>(Ws::conv_wino_v, (size_t)(PC * ldcol)) : nullptr;
    float* dyb = workspace<float>(Ws::conv_wino_m, (size_t)(PC * COp));
    for (index_t p0 = pbeg; p0 < pend; p0 += PC) {
      const index_t pc = std::min(PC, pend - p0);
      // dy rows padded to COp columns (zeros), so whole-vector B loads stay in bounds
      // (times the relu mask (y > 0) when y is given: dy * 1 or dy * 0, so NaN in dy stays NaN)
      const vf one = set1(1.0f);
      for (index_t r = 0; r < pc; ++r) {
        const float* src = dy + (p0 + r) * CO;
        const float* yr = y ? y + (p0 + r) * CO : nullptr;
        float* dst = dyb + r * COp;
        index_t c = 0;
        for (; c + kW <= CO; c += kW) {
          vf g = load(src + c);
          if (yr) g = g * select_gt(load(yr + c), zero(), one, zero());
          store(dst + c, g);
        }
        if (c < CO) {
          const int nn = (int)(CO - c);
          vf g = load_n(src + c, nn);
          if (yr) g = g * select_gt(load_n(yr + c, nn), zero(), one, zero());
          store(dst + c, g);
        }
      }
      if (db)
        for (index_t c = 0; c < COp; c += kW) {
          vf acc = zero();
          for (index_t r = 0; r < pc; ++r) acc = acc + load(dyb + r * COp + c);
          store(dbp + c, load(dbp + c) + acc);
        }
      if (!dw) continue;
      im2col_rows(s, x, p0, pc, col, ldcol);
      strided_gemm(pn, col, ldcol, Kd, dyb, COp, pc, dWp, COp);
    }
  }
  // Sum the per-thread partials into the caller's (accumulated) dw and db.
  for (int t = 0; t < used; ++t) {
    const float* dWp = partial + (size_t)t * (size_t)(Kd * COp + COp);
    if (dw)
      for (index_t k = 0; k < Kd; ++k)
        for (index_t c = 0; c < CO; ++c) dw[k * CO + c] += dWp[k * COp + c];
    if (db)
      for (index_t c = 0; c < CO; ++c) db[c] += dWp[Kd * COp + c];
  }
}

}  // namespace TF_ISA
}  // namespace tf
