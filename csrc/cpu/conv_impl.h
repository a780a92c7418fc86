// Private to csrc/cpu/conv*.cpp (compiled once per ISA, tf/isa.h): the pieces every conv
// algorithm shares: the micro-kernels over tf/ukernel.h's register tile (gather: rows of A
// through pointers; strided: rows of A at a fixed stride), the output-channel panels, im2col, the per-part partial sums of
// the weight gradient, the thread threshold. In an anonymous namespace: each conv*.cpp gets its
// own copy (the per-ISA namespaces keep the ISAs apart, Note [per-ISA inline functions]).
#pragma once
#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <vector>

#include "tf/conv.h"
#include "tf/cpuinfo.h"
#include "tf/parallel.h"
#include "tf/simd.h"
#include "tf/ukernel.h"
#include "tf/workspace.h"
#include "transpose8.h"

#ifndef TF_ISA
#error "conv_impl.h is for csrc/cpu/conv*.cpp, compiled once per ISA"
#endif

namespace tf {
namespace TF_ISA {

namespace {
using namespace simd;

// The register tiles are tf/ukernel.h's (Note [ISA tiles] there): mr_for(nv) rows for nv vectors.
constexpr int kMaxNV = kUkrMaxNV;
constexpr int mr_for(int nv) { return ukr_mr(nv); }
constexpr int kMaxMR = 12;
constexpr index_t kChunk = 96;  // pixels per chunk: a multiple of every MR

// Column panels over a width of `n` channels: panels of kMaxNV vectors, the last one narrower;
// or (balanced) as few panels, of widths differing by at most one vector (AVX2, 4 vectors: 2 + 2
// instead of 3 + 1, whose 1-vector tile of 8 rows ran the strided backward data of DCGAN
// 14 -> 28 at 26 GFLOP/s per core).
struct Panels {
  int count = 0;
  index_t padded = 0;  // sum of panel widths (>= n, multiple of kW)
  std::vector<index_t> vstart, vnv;
  explicit Panels(index_t n, bool balanced = false) {
    const index_t nvtot = ceil_div(n, kW), np = ceil_div(nvtot, (index_t)kMaxNV);
    for (index_t p = 0, v = 0; v < nvtot; ++p) {
      const index_t w = balanced ? nvtot / np + (p < nvtot % np) : std::min<index_t>(kMaxNV, nvtot - v);
      vstart.push_back(v * kW);
      vnv.push_back(w);
      v += w;
    }
    count = (int)vstart.size();
    padded = nvtot * kW;
  }
  index_t j0(int j) const { return vstart[j]; }
  int nvec(int j) const { return (int)vnv[j]; }
  index_t width(int j) const { return vnv[j] * kW; }
};

// Gather micro-kernel (Note [implicit gather]), tf/ukernel.h's tile over rows read through
// pointers, segment by segment:
//   C[i, :] (+)= sum_s sum_{l < L} a[s*MR + i][l] * b[s][l*ldb + :NV*kW]   (+ bias) (relu)
// bias is padded to whole vectors. Note [gather on the shared tile]: A/B against the former
// hand-written gather kernel (Zen 1, AVX2, 1 thread, CPU time, loaded machine, medians of 6-7
// rounds): forward rows 0.97-1.04 except LeNet conv1 (nseg 5 segments of 5 floats, 20 columns)
// at 1.08; the column masks, bias and loads of the shared epilogue cost more beside 25 k steps
// per tile. Not yet resolved; a specialised epilogue for short tiles is the next thing to try.
template <int MR, int NV>
void ukr_gather(int nseg, const float* const* a, const float* const* b, index_t L, index_t ldb,
                float* c, index_t ldc, int m, int n, const float* bias, Act act, bool accumulate) {
  Tile<float, MR, NV> t;
  for (int s = 0; s < nseg; ++s) t.madd(L, ARows<float, MR>(a + s * MR), BRows<float>{b[s], ldb});
  t.template store_c<false>(c, ldc, m, n, Epilogue<float>{1.0f, accumulate ? 1.0f : 0.0f, bias, act == Act::relu});
}

// Strided micro-kernel (Note [weight gradient]), tf/ukernel.h's tile over k-major rows of A:
//   C[i, :] (+)= sum_{l < L} a[l*lda + i] * b[l*ldb + :NV*kW]
template <int MR, int NV>
void ukr_strided(const float* a, index_t lda, const float* b, index_t ldb, index_t L, float* c,
                 index_t ldc, int m, int n, bool accumulate) {
  Tile<float, MR, NV> t;
  t.madd(L, APanel<float>{a, lda}, BRows<float>{b, ldb});
  t.template store_c<false>(c, ldc, m, n, Epilogue<float>{1.0f, accumulate ? 1.0f : 0.0f});
}

using GatherFn = void (*)(int, const float* const*, const float* const*, index_t, index_t, float*,
                          index_t, int, int, const float*, Act, bool);
using StridedFn = void (*)(const float*, index_t, const float*, index_t, index_t, float*, index_t,
                           int, int, bool);

// The kernels by vector count nv (1..kMaxNV; wider asks get the widest): tables built at compile
// time. MR 0: the ISA's tile height for nv (mr_for).
template <int... V>
constexpr std::array<GatherFn, kMaxNV> gather_table(std::integer_sequence<int, V...>) {
  return {{&ukr_gather<mr_for(V + 1), V + 1>...}};
}
template <int MR, int... V>
constexpr std::array<StridedFn, kMaxNV> strided_table(std::integer_sequence<int, V...>) {
  return {{&ukr_strided<MR ? MR : mr_for(V + 1), V + 1>...}};
}
constexpr auto kNVs = std::make_integer_sequence<int, kMaxNV>{};
inline int nv_slot(int nv) { return std::min(nv, kMaxNV) - 1; }

GatherFn gather_fn(int nv) {
  static constexpr auto t = gather_table(kNVs);
  return t[nv_slot(nv)];
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
  static constexpr auto t = strided_table<0>(kNVs);
  return t[nv_slot(nv)];
}

// Short tiles for the last rows of dW (LeNet conv1: 25 rows = 12 + 12 + 1 would waste 11/12 of
// the last full-height tile): 2 rows, or 1.
constexpr int kTailMR = 2;
StridedFn strided_tail_fn(int nv) {
  static constexpr auto t = strided_table<kTailMR>(kNVs);
  return t[nv_slot(nv)];
}
StridedFn strided_one_fn(int nv) {
  static constexpr auto t = strided_table<1>(kNVs);
  return t[nv_slot(nv)];
}

// C[k, :] += sum_{l < L} a[l*lda + k] * b[l*ldb + :] for k < rows, over the column panels of pn
// (b and C padded to pn.padded columns; accumulate false: C = the sum, its old values never
// read): tiles of MR rows, the last rows by kTailMR when more than half a tile would be wasted.
// a must have MR - 1 readable floats of slack past row `rows` of its last l (rows past `rows`
// are computed and dropped).
void strided_gemm(const Panels& pn, const float* a, index_t lda, index_t rows, const float* b,
                  index_t ldb, index_t L, float* c, index_t ldc, bool accumulate = true) {
  for (int j = 0; j < pn.count; ++j) {
    const int nv = pn.nvec(j), MR = mr_for(nv);
    const index_t j0 = pn.j0(j), nr = pn.width(j);
    const StridedFn ukr = strided_fn(nv), tail = strided_tail_fn(nv);
    index_t k0 = 0;
    for (; k0 + MR <= rows || (k0 < rows && rows - k0 > MR / 2); k0 += MR)
      ukr(a + k0, lda, b + j0, ldb, L, c + k0 * ldc + j0, ldc, (int)std::min<index_t>(MR, rows - k0), (int)nr,
          accumulate);
    for (; k0 < rows; k0 += kTailMR)
      tail(a + k0, lda, b + j0, ldb, L, c + k0 * ldc + j0, ldc, (int)std::min<index_t>(kTailMR, rows - k0),
           (int)nr, accumulate);
  }
}

// Repack a row-major (rows x n) matrix, element (r, c) at src[r*rs + c*cs], into column panels:
// panel j holds rows x width(j) floats at dst + ld_panel*j0(j) + row_off*width(j) (ld_panel:
// rows by default, panels back to back), zero beyond column n. A transposed source (cs != 1) is
// read in blocks of 16 rows, so both sides move along whole cache lines: column by column it
// read one float per line, and backward data's weights (9.4 MB for 3x3x512x512) took 6.5 ms to
// pack, more than the pass's arithmetic on ResNet50's 3x3 maps (1 thread, Zen 4). Large packs
// run on the pool.
void pack_panels(const float* src, index_t rows, index_t n, index_t rs, index_t cs,
                 const Panels& pn, float* dst, index_t ld_panel = -1, index_t row_off = 0) {
  if (ld_panel < 0) ld_panel = rows;
  constexpr index_t kRB = 16;  // rows per block
  const index_t nrb = ceil_div(rows, kRB), items = pn.count * nrb;
  const int nt = rows * pn.padded >= (index_t)1 << 20 ? max_threads() : 1;
  parallel_range(items, chunk_size(items, nt, 1), nt, [&](index_t it_b, index_t it_e) {
    for (index_t it = it_b; it < it_e; ++it) {
      const int j = (int)(it / nrb);
      const index_t r0 = (it % nrb) * kRB, rn = std::min(kRB, rows - r0);
      const index_t j0 = pn.j0(j), nr = pn.width(j), nn = std::min(nr, n - j0);
      float* d = dst + ld_panel * j0 + (row_off + r0) * nr;
      const float* sb = src + r0 * rs + j0 * cs;
      if (cs == 1) {
        for (index_t r = 0; r < rn; ++r) {
          std::copy_n(sb + r * rs, nn, d + r * nr);
          std::fill(d + r * nr + nn, d + (r + 1) * nr, 0.0f);
        }
      } else {
        index_t c0 = 0;
#ifdef TF_HAVE_TRANSPOSE8
        if (rs == 1 && rn % 8 == 0)  // 8 x 8 blocks through registers
          for (; c0 + 8 <= nn; c0 += 8)
            for (index_t r = 0; r < rn; r += 8) transpose8_block(sb + c0 * cs + r, cs, d + r * nr + c0, nr);
#endif
        for (index_t c = c0; c < nn; ++c)
          for (index_t r = 0; r < rn; ++r) d[r * nr + c] = sb[r * rs + c * cs];
        for (index_t r = 0; r < rn; ++r) std::fill(d + r * nr + nn, d + (r + 1) * nr, 0.0f);
      }
    }
  });
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

// Note [fixed reduction partition] (issue 16): the weight gradient (and db) reduces over every
// output pixel. The reduction is cut into parts fixed by the problem alone, never by the thread
// count: at most kMaxParts parts, each of at least `min_units` units (pixels, rows, tiles) so that
// zeroing and summing a part's partial stays small beside its arithmetic, and all partials within
// kPartBudget floats. Each part sums its units in order into its own partial; the partials are
// summed in part order; threads claim parts dynamically (tf/parallel.h). So dW is bit-identical
// at 1, 2 or any number of threads (tests/test_conv_strided.py), and at most kMaxParts threads share one
// weight-gradient reduction. Cost, measured at one thread (CPU time, bench conv layers, Zen):
// none on the rows and im2col paths; +4-10% on the Winograd weight-gradient pass (2-4 partials of
// 36*CI*COp floats per piece to zero and sum); none at two threads, which used as many parts before.
constexpr index_t kMaxParts = 8;
constexpr size_t kPartBudget = size_t(16) << 20;  // floats (64 MiB)
inline index_t reduction_parts(index_t units, index_t min_units, size_t part_floats) {
  index_t parts = std::min<index_t>(kMaxParts, units / std::max<index_t>(1, min_units));
  parts = std::min<index_t>(parts, (index_t)(kPartBudget / std::max<size_t>(1, part_floats)));
  return std::max<index_t>(1, parts);
}

// Part `part`'s slice of sz floats at base, zeroed.
inline float* part_partial(float* base, size_t sz, index_t part) {
  float* p = base + (size_t)part * sz;
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
bool zmm_double_pumped() { return cpu_id().zmm_half_rate; }  // tf/cpuinfo.h

bool prefer_ymm(index_t width) {
  if (!zmm_double_pumped()) return false;
  const double e8 = (double)width / (double)(ceil_div(width, 8) * 8);
  const double e16 = (double)width / (double)(ceil_div(width, 16) * 16);
  return e8 > 1.05 * e16;
}
}  // namespace
#endif

}  // namespace TF_ISA
}  // namespace tf
