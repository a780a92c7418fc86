// Depthwise 2-D convolution kernels, NHWC (contract: tf/conv_depthwise.h). Compiled once per ISA
// (tf/isa.h).
//
// Each output pixel is a short dot product per channel over the KH*KW taps, so every pass is a
// loop over pixels whose body runs over C (contiguous) in SIMD vectors, four at a time (tails by
// masked loads). A pixel's taps are first resolved to row pointers: the forward and the weight
// gradient point a padded tap at a zero row (Note [padded taps]), the backward-data gather lists
// only the (tap, output) pairs that reach the input pixel (stride 1: Note [stride-1 dx as a
// forward]). Work is split by rows of the output
// (forward, dw) or of the input (dx); the weight gradient uses fixed chunks (Note [dw chunks] in
// the header).
//
// Note [padded taps]: the definition multiplies the zero padding, and 0 * NaN = NaN. Pointing a
// padded tap at zeros keeps that (a NaN weight next to the padding makes those outputs NaN, as
// the reference's padded array does) at the cost of the border pixels' padded FMAs only.
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "tf/conv_depthwise.h"
#include "tf/parallel.h"
#include "tf/simd.h"
#include "conv_depthwise_packed.h"

namespace tf {
namespace TF_ISA {

namespace {
using namespace simd;

int threads_for(double flops) { return flops < 4e5 ? 1 : max_threads(); }

// y[0:C] = sum_k a[k][0:C] * b[k][0:C] over K pairs (y = 0 when K = 0), plus bias[0:C] when
// given (added last, as a separate bias add would: the same bits).
inline void dot_pairs(index_t K, const float* const* a, const float* const* b, index_t C,
                      const float* bias, float* y) {
  index_t c = 0;
  for (; c + 4 * kW <= C; c += 4 * kW) {
    vf s0 = zero(), s1 = zero(), s2 = zero(), s3 = zero();
    for (index_t k = 0; k < K; ++k) {
      const float* ap = a[k] + c;
      const float* bp = b[k] + c;
      s0 = fmadd(load(ap), load(bp), s0);
      s1 = fmadd(load(ap + kW), load(bp + kW), s1);
      s2 = fmadd(load(ap + 2 * kW), load(bp + 2 * kW), s2);
      s3 = fmadd(load(ap + 3 * kW), load(bp + 3 * kW), s3);
    }
    if (bias) {
      s0 = s0 + load(bias + c);
      s1 = s1 + load(bias + c + kW);
      s2 = s2 + load(bias + c + 2 * kW);
      s3 = s3 + load(bias + c + 3 * kW);
    }
    store(y + c, s0);
    store(y + c + kW, s1);
    store(y + c + 2 * kW, s2);
    store(y + c + 3 * kW, s3);
  }
  for (; c + kW <= C; c += kW) {
    vf s0 = zero();
    for (index_t k = 0; k < K; ++k) s0 = fmadd(load(a[k] + c), load(b[k] + c), s0);
    if (bias) s0 = s0 + load(bias + c);
    store(y + c, s0);
  }
  if (c < C) {
    const int n = (int)(C - c);
    vf s0 = zero();
    for (index_t k = 0; k < K; ++k) s0 = fmadd(load_n(a[k] + c, n), load_n(b[k] + c, n), s0);
    if (bias) s0 = s0 + load_n(bias + c, n);
    store_n(y + c, s0, n);
  }
}

// acc[0:nv vectors] += sum over outputs ow in [o0, o1) of xr[(ow*sw + off)*C] * dyr[ow*C],
// channels c.. of one (tap, output row); xr == nullptr reads zeros (a padded row).
template <int NV>
inline void tap_row_sums(const float* xr, index_t off, index_t sw, const float* dyr, index_t C,
                         index_t c, index_t o0, index_t o1, int tail, vf* acc) {
  for (index_t ow = o0; ow < o1; ++ow) {
    const float* d = dyr + ow * C + c;
    if (xr) {
      const float* xp = xr + (ow * sw + off) * C + c;
      for (int v = 0; v < NV; ++v)
        acc[v] = fmadd(tail ? load_n(xp + v * kW, tail) : load(xp + v * kW),
                       tail ? load_n(d + v * kW, tail) : load(d + v * kW), acc[v]);
    } else {
      for (int v = 0; v < NV; ++v)
        acc[v] = fmadd(zero(), tail ? load_n(d + v * kW, tail) : load(d + v * kW), acc[v]);
    }
  }
}

// Outputs o in [0, O) whose tap at offset i (= k*d) reads a real cell (0 <= o*s - p + i < L):
// [lo, hi), clipped to [0, O) (lo >= hi when none).
inline void real_outputs(index_t L, index_t O, index_t s, index_t p, index_t i, index_t& lo,
                         index_t& hi) {
  const index_t a = p - i;  // o*s >= a
  lo = a <= 0 ? 0 : (a + s - 1) / s;
  const index_t b = L - 1 + p - i;  // o*s <= b
  hi = b < 0 ? 0 : std::min<index_t>(O, b / s + 1);
  if (lo > O) lo = O;
}

// Note [next-row prefetch]: the 3x3 passes run along an output row in channel blocks, reading
// each pixel's block at a stride of C floats; when the rows come from memory (MobileNet dw 14:
// 12.8 MB arrays) the hardware prefetchers fetch those short strided runs late (Zen 5, 1 thread:
// the weight gradient with the taps in registers took 78 us per 14x14x512 image from memory
// against 37 us from cache). So while one row runs, each channel block prefetches its share of
// the next row's new input rows (and dy row): whole contiguous rows, a slice per block. Hints
// only: no effect on the results.
struct NextRows {
  const float* p[4];
  index_t n = 0, len = 0;  // n rows of len floats
  void add(const float* q) { if (n < 4) p[n++] = q; }
  // lines of slice i of nb of every row
  void prefetch(index_t i, index_t nb) const {
    const index_t b = len * i / nb, e = len * (i + 1) / nb;
    for (index_t k = 0; k < n; ++k)
      for (index_t j = b; j < e; j += 16) __builtin_prefetch(p[k] + j);
  }
};

// The input rows output row r + 1 reads that output row r does not (stride sh > 0: the last
// min(sh, KH) taps' rows), when r + 1 is in [0, rows) and the row is real.
template <int KH>
inline void next_input_rows(const DwShape& s, const float* x, index_t r, index_t rows, NextRows& nr) {
  nr.n = 0;
  nr.len = s.W * s.C;
  if (r + 1 >= rows) return;
  const index_t n = (r + 1) / s.OH, oh = (r + 1) % s.OH;
  for (int kh = std::max(0, KH - (int)std::min<index_t>(s.sh, KH)); kh < KH; ++kh) {
    const index_t ih = oh * s.sh - s.pt + kh * s.dh;
    if (ih >= 0 && ih < s.H) nr.add(x + (n * s.H + ih) * s.W * s.C);
  }
}

// Note [depthwise taps in registers]: a KH x KW kernel known at compile time (3x3: MobileNet's,
// and the stride-1 backward data run as a forward) keeps a channel block's KH*KW weight vectors
// in registers and runs along the output row: one load of x per FMA, where dot_pairs (any
// kernel) loads x and w for each (Zen 5, AVX-512, 1 thread: the forward was load-bound there,
// MobileNet dw 14 2.7 ms against PyTorch's 1.8), and OB outputs at a time (independent sums).
// Padded rows read zero_row, padded columns the zeros at zero_row's start (Note [padded taps]);
// the sum is formed in tap order from zero and the bias added last, as dot_pairs does: the same
// bits.
template <int KH, int KW, int NV, int OB, bool TAIL>
void dw_row_taps(const DwShape& s, const float* const* xrow, const float* w, const float* b,
                 const float* zero_row, index_t ow_lo, index_t ow_hi, index_t c, int tail, float* yr) {
  const index_t C = s.C;
  auto ld = [tail](const float* p) { return TAIL ? load_n(p, tail) : load(p); };
  vf wv[KH * KW][NV];
  for (int t = 0; t < KH * KW; ++t)
    for (int v = 0; v < NV; ++v) wv[t][v] = ld(w + t * C + c + v * kW);
  auto put = [&](index_t ow, const vf* acc) {  // y = sum (+ b, added last)
    float* yp = yr + ow * C + c;
    for (int v = 0; v < NV; ++v) {
      const vf r = b ? acc[v] + ld(b + c + v * kW) : acc[v];
      if (TAIL)
        store_n(yp + v * kW, r, tail);
      else
        store(yp + v * kW, r);
    }
  };
  auto border = [&](index_t ow) {  // some column of the window in the padding
    const index_t iw0 = ow * s.sw - s.pl;
    vf acc[NV];
    for (int v = 0; v < NV; ++v) acc[v] = zero();
    for (int kh = 0; kh < KH; ++kh)
      for (int kw = 0; kw < KW; ++kw) {
        const index_t iw = iw0 + kw * s.dw;
        const float* xp = (iw >= 0 && iw < s.W ? xrow[kh] + iw * C : zero_row) + c;
        for (int v = 0; v < NV; ++v) acc[v] = fmadd(ld(xp + v * kW), wv[kh * KW + kw][v], acc[v]);
      }
    put(ow, acc);
  };
  for (index_t ow = 0; ow < ow_lo; ++ow) border(ow);
  // OB outputs at a time: OB * NV independent sums (one output's KH*KW FMAs are one dependent
  // chain)
  const index_t step = s.sw * C;
  index_t ow = ow_lo;
  for (; ow + OB <= ow_hi; ow += OB) {
    vf acc[OB][NV];
    for (int o = 0; o < OB; ++o)
      for (int v = 0; v < NV; ++v) acc[o][v] = zero();
    const index_t iw0 = ow * s.sw - s.pl;
    for (int kh = 0; kh < KH; ++kh)
      for (int kw = 0; kw < KW; ++kw) {
        const float* xp = xrow[kh] + (iw0 + kw * s.dw) * C + c;
        for (int o = 0; o < OB; ++o)
          for (int v = 0; v < NV; ++v) acc[o][v] = fmadd(ld(xp + o * step + v * kW), wv[kh * KW + kw][v], acc[o][v]);
      }
    for (int o = 0; o < OB; ++o) put(ow + o, acc[o]);
  }
  for (; ow < ow_hi; ++ow) border(ow);  // the last < OB (all columns real: no padded reads)
  for (ow = std::max(ow_lo, ow_hi); ow < s.OW; ++ow) border(ow);
}

// [*lo, *hi): the outputs whose every column is real (ow*sw - pl >= 0 and
// ow*sw - pl + (KW-1)*dw < W), empty (hi == lo) when there is none.
inline void real_columns(const DwShape& s, index_t KW, index_t* lo, index_t* hi) {
  *lo = s.pl <= 0 ? 0 : std::min<index_t>(s.OW, ceil_div(s.pl, s.sw));
  const index_t last = s.W - 1 + s.pl - (KW - 1) * s.dw;
  *hi = last < 0 ? *lo : std::max(*lo, std::min<index_t>(s.OW, last / s.sw + 1));
}

// The forward of a KH x KW kernel known at compile time over output rows [r_b, r_e) (Note
// [depthwise taps in registers]): channel blocks of 2 vectors (for 3x3 on AVX-512: 18 weight
// and kDwOB2 * 2 accumulator registers), then 1, then the masked tail.
// Outputs per step for 2- and 1-vector channel blocks: 2 (4 sums beside 18 weights for 3x3 at
// NV = 2) ran the MobileNet forwards 5-10% faster than 1 (Zen 5, 1 thread, CPU time, shared
// machine); 3 and 4 were not clearly faster (dw 14 1.39-1.93 ms against 1.82-1.83).
constexpr int kDwOB2 = 2, kDwOB1 = 2;
template <int KH, int KW>
void dw_forward_rows(const DwShape& s, const float* x, const float* w, const float* b,
                     const float* zero_row, index_t r_b, index_t r_e, float* y) {
  const index_t C = s.C;
  index_t ow_lo, ow_hi;
  real_columns(s, KW, &ow_lo, &ow_hi);
  const float* xrow[KH];
  for (index_t r = r_b; r < r_e; ++r) {
    const index_t n = r / s.OH, oh = r % s.OH;
    for (int kh = 0; kh < KH; ++kh) {
      const index_t ih = oh * s.sh - s.pt + kh * s.dh;
      xrow[kh] = (ih >= 0 && ih < s.H) ? x + (n * s.H + ih) * s.W * C : zero_row;
    }
    float* yr = y + r * s.OW * C;
    NextRows next;  // Note [next-row prefetch]
    next_input_rows<KH>(s, x, r, r_e, next);
    const index_t nb = ceil_div(C, 2 * kW);
    index_t c = 0;
    for (; c + 2 * kW <= C; c += 2 * kW) {
      next.prefetch(c / (2 * kW), nb);
      dw_row_taps<KH, KW, 2, kDwOB2, false>(s, xrow, w, b, zero_row, ow_lo, ow_hi, c, 0, yr);
    }
    if (c < C) next.prefetch(nb - 1, nb);
    for (; c + kW <= C; c += kW) dw_row_taps<KH, KW, 1, kDwOB1, false>(s, xrow, w, b, zero_row, ow_lo, ow_hi, c, 0, yr);
    if (c < C) dw_row_taps<KH, KW, 1, kDwOB1, true>(s, xrow, w, b, zero_row, ow_lo, ow_hi, c, (int)(C - c), yr);
  }
}

// The 3x3 forward of output rows [r_b, r_e): the packed order where it applies (Note
// [channel-block packed 3x3]), else the row-outer one.
void dw3x3_forward_rows(const DwShape& s, const float* x, const float* w, const float* b,
                        const float* zero_row, index_t r_b, index_t r_e, float* y) {
  if (dw_packed_fits(s, kDwPackedFwdC))
    dw_packed_rows(s, x, w, b, r_b, r_e, y);
  else
    dw_forward_rows<3, 3>(s, x, w, b, zero_row, r_b, r_e, y);
}

// Note [depthwise dw taps in registers]: the weight gradient of a KH x KW kernel known at
// compile time (3x3) runs one channel block along an output row with the block's KH*KW tap sums
// (and the bias-gradient sum) in registers: per output pixel one load of dy for KH*KW FMAs, each
// with one load of x. The loop over taps outside the pixels (tap_row_sums: any kernel) loads x
// and dy per FMA and re-reads the row of dy once per tap (Zen 5, AVX-512, 1 thread: MobileNet
// dw 14's weight gradient took 2.2-2.3 ms, PyTorch's 2.2). Each tap's sum runs over ow in order
// from zero and is then added to the chunk's partial, as before: the same bits (padded cells
// read zero_row: Note [padded taps]). NV vectors per block: 2 on AVX-512 (18 sums, 2 dy, 2 db
// sums of 32 registers), 1 elsewhere (16 registers).
#if defined(TF_ISA_avx512)
constexpr int kDwFilterNV = 2;
#else
constexpr int kDwFilterNV = 1;
#endif
template <int KH, int KW, int NV, bool TAIL>
void dw_filter_row_taps(const DwShape& s, const float* const* xrow, const float* dyr,
                        const float* zero_row, index_t ow_lo, index_t ow_hi, index_t c, int tail,
                        float* P, float* pb) {
  const index_t C = s.C;
  auto ld = [tail](const float* p) { return TAIL ? load_n(p, tail) : load(p); };
  vf acc[KH * KW][NV], accb[NV];
  for (int t = 0; t < KH * KW; ++t)
    for (int v = 0; v < NV; ++v) acc[t][v] = zero();
  for (int v = 0; v < NV; ++v) accb[v] = zero();
  auto pixel = [&](index_t ow, bool check) {
    vf d[NV];
    for (int v = 0; v < NV; ++v) d[v] = ld(dyr + ow * C + c + v * kW);
    if (pb)
      for (int v = 0; v < NV; ++v) accb[v] = accb[v] + d[v];
    const index_t iw0 = ow * s.sw - s.pl;
    for (int kh = 0; kh < KH; ++kh)
      for (int kw = 0; kw < KW; ++kw) {
        const index_t iw = iw0 + kw * s.dw;
        const float* xp = (check && (iw < 0 || iw >= s.W) ? zero_row : xrow[kh] + iw * C) + c;
        for (int v = 0; v < NV; ++v) acc[kh * KW + kw][v] = fmadd(ld(xp + v * kW), d[v], acc[kh * KW + kw][v]);
      }
  };
  index_t ow = 0;
  for (; ow < ow_lo; ++ow) pixel(ow, true);
  for (; ow < ow_hi; ++ow) pixel(ow, false);
  for (; ow < s.OW; ++ow) pixel(ow, true);
  auto add = [&](float* p, vf a) {
    if (TAIL) store_n(p, load_n(p, tail) + a, tail);
    else store(p, load(p) + a);
  };
  for (int t = 0; t < KH * KW; ++t)
    for (int v = 0; v < NV; ++v) add(P + t * C + c + v * kW, acc[t][v]);
  if (pb)
    for (int v = 0; v < NV; ++v) add(pb + c + v * kW, accb[v]);
}

// The weight (and bias) gradient of output rows [r_b, r_e) into the chunk partial P (T*C, then
// C for db when pb is given) for a compile-time KH x KW kernel: Note [depthwise dw taps in
// registers].
template <int KH, int KW>
void dw_filter_rows(const DwShape& s, const float* dy, const float* x, const float* zero_row,
                    index_t r_b, index_t r_e, float* P, float* pb) {
  const index_t C = s.C;
  index_t ow_lo, ow_hi;
  real_columns(s, KW, &ow_lo, &ow_hi);
  const float* xrow[KH];
  for (index_t r = r_b; r < r_e; ++r) {
    const index_t n = r / s.OH, oh = r % s.OH;
    for (int kh = 0; kh < KH; ++kh) {
      const index_t ih = oh * s.sh - s.pt + kh * s.dh;
      xrow[kh] = (ih >= 0 && ih < s.H) ? x + (n * s.H + ih) * s.W * C : zero_row;
    }
    const float* dyr = dy + r * s.OW * C;
    NextRows next, next_dy;  // Note [next-row prefetch]
    next_input_rows<KH>(s, x, r, r_e, next);
    next_dy.len = s.OW * C;
    if (r + 1 < r_e) next_dy.add(dyr + s.OW * C);
    constexpr int NV = kDwFilterNV;
    const index_t nb = ceil_div(C, NV * kW);
    index_t c = 0;
    for (; c + NV * kW <= C; c += NV * kW) {
      next.prefetch(c / (NV * kW), nb);
      next_dy.prefetch(c / (NV * kW), nb);
      dw_filter_row_taps<KH, KW, NV, false>(s, xrow, dyr, zero_row, ow_lo, ow_hi, c, 0, P, pb);
    }
    if (c < C) {
      next.prefetch(nb - 1, nb);
      next_dy.prefetch(nb - 1, nb);
    }
    for (; c + kW <= C; c += kW)
      dw_filter_row_taps<KH, KW, 1, false>(s, xrow, dyr, zero_row, ow_lo, ow_hi, c, 0, P, pb);
    if (c < C)
      dw_filter_row_taps<KH, KW, 1, true>(s, xrow, dyr, zero_row, ow_lo, ow_hi, c, (int)(C - c), P, pb);
  }
}

}  // namespace

void depthwise_conv2d_forward(const DwShape& s, const float* x, const float* w, const float* b,
                              float* y) {
  FtzGuard ftz;
  const index_t C = s.C, T = s.KH * s.KW, rows = s.N * s.OH;
  const int nt = threads_for(2.0 * rows * s.OW * T * C);
  if (s.KH == 3 && s.KW == 3) {  // Note [depthwise taps in registers]
    const std::vector<float> zero_row((size_t)(s.W * C), 0.0f);  // Note [padded taps]
    parallel_range(rows, chunk_size(rows, nt, 1), nt, [&](index_t r_b, index_t r_e) {
      dw3x3_forward_rows(s, x, w, b, zero_row.data(), r_b, r_e, y);
    });
    return;
  }
  const std::vector<float> zeros((size_t)C, 0.0f);  // Note [padded taps]
  std::vector<const float*> wt((size_t)T);
  for (index_t t = 0; t < T; ++t) wt[t] = w + t * C;
  // iw of (ow, kw), or -1 in the padding
  std::vector<index_t> col((size_t)(s.OW * s.KW));
  for (index_t ow = 0; ow < s.OW; ++ow)
    for (index_t kw = 0; kw < s.KW; ++kw) {
      const index_t iw = ow * s.sw - s.pl + kw * s.dw;
      col[ow * s.KW + kw] = (iw >= 0 && iw < s.W) ? iw : -1;
    }
  parallel_range(rows, chunk_size(rows, nt, 1), nt, [&](index_t r_b, index_t r_e) {
    std::vector<const float*> xs((size_t)T), xrow((size_t)s.KH);
    for (index_t r = r_b; r < r_e; ++r) {
      const index_t n = r / s.OH, oh = r % s.OH;
      for (index_t kh = 0; kh < s.KH; ++kh) {
        const index_t ih = oh * s.sh - s.pt + kh * s.dh;
        xrow[kh] = (ih >= 0 && ih < s.H) ? x + (n * s.H + ih) * s.W * C : nullptr;
      }
      float* yr = y + r * s.OW * C;
      for (index_t ow = 0; ow < s.OW; ++ow) {
        const index_t* cw = col.data() + ow * s.KW;
        for (index_t kh = 0; kh < s.KH; ++kh)
          for (index_t kw = 0; kw < s.KW; ++kw)
            xs[kh * s.KW + kw] = (xrow[kh] && cw[kw] >= 0) ? xrow[kh] + cw[kw] * C : zeros.data();
        dot_pairs(T, xs.data(), wt.data(), C, b, yr + ow * C);
      }
    }
  });
}

void depthwise_conv2d_backward_data(const DwShape& s, const float* dy, const float* w, float* dx) {
  FtzGuard ftz;
  const index_t C = s.C, T = s.KH * s.KW, rows = s.N * s.H;
  // Note [stride-1 dx as a forward]: with stride 1, dx is the forward of dy with the flipped
  // kernel and pads (K-1)*d - p, which runs ~1.7x faster than the gather below (no per-pixel
  // pair lists). Its padded taps multiply 0 * w, so it is used only when w is finite (else the
  // gather keeps dx free of the NaN that the padding would add) and the pads are not negative.
  const index_t ptf = (s.KH - 1) * s.dh - s.pt, plf = (s.KW - 1) * s.dw - s.pl;
  if (s.sh == 1 && s.sw == 1 && ptf >= 0 && plf >= 0 &&
      std::all_of(w, w + T * C, [](float v) { return std::isfinite(v); })) {
    std::vector<float> wf((size_t)(T * C));
    for (index_t kh = 0; kh < s.KH; ++kh)
      for (index_t kw = 0; kw < s.KW; ++kw)
        std::copy_n(w + ((s.KH - 1 - kh) * s.KW + (s.KW - 1 - kw)) * C, C, wf.data() + (kh * s.KW + kw) * C);
    DwShape f = s;
    f.H = s.OH; f.W = s.OW; f.OH = s.H; f.OW = s.W;
    f.pt = ptf; f.pl = plf;
    ::tf::TF_ISA::depthwise_conv2d_forward(f, dy, wf.data(), nullptr, dx);  // this ISA's, not the dispatcher
    return;
  }
  // For each input column iw: the (kw, ow) pairs with ow*sw - pl + kw*dw = iw, 0 <= ow < OW.
  std::vector<index_t> ccount((size_t)s.W, 0), ctab((size_t)(s.W * s.KW * 2));
  for (index_t iw = 0; iw < s.W; ++iw)
    for (index_t kw = 0; kw < s.KW; ++kw) {
      const index_t num = iw + s.pl - kw * s.dw;
      if (num < 0 || num % s.sw) continue;
      const index_t ow = num / s.sw;
      if (ow >= s.OW) continue;
      index_t& k = ccount[iw];
      ctab[(iw * s.KW + k) * 2] = kw;
      ctab[(iw * s.KW + k) * 2 + 1] = ow;
      ++k;
    }
  const int nt = threads_for(2.0 * s.N * s.OH * s.OW * T * C);
  parallel_range(rows, chunk_size(rows, nt, 1), nt, [&](index_t r_b, index_t r_e) {
    std::vector<const float*> ds((size_t)T), ws((size_t)T);
    std::vector<index_t> rk((size_t)s.KH), ro((size_t)s.KH);
    for (index_t r = r_b; r < r_e; ++r) {
      const index_t n = r / s.H, ih = r % s.H;
      index_t nr = 0;
      for (index_t kh = 0; kh < s.KH; ++kh) {
        const index_t num = ih + s.pt - kh * s.dh;
        if (num < 0 || num % s.sh || num / s.sh >= s.OH) continue;
        rk[nr] = kh;
        ro[nr++] = num / s.sh;
      }
      float* dxr = dx + r * s.W * C;
      for (index_t iw = 0; iw < s.W; ++iw) {
        index_t K = 0;
        const index_t* ct = ctab.data() + iw * s.KW * 2;
        for (index_t i = 0; i < nr; ++i) {
          const float* dyr = dy + (n * s.OH + ro[i]) * s.OW * C;
          const float* wr = w + rk[i] * s.KW * C;
          for (index_t j = 0; j < ccount[iw]; ++j) {
            ds[K] = dyr + ct[2 * j + 1] * C;
            ws[K++] = wr + ct[2 * j] * C;
          }
        }
        dot_pairs(K, ds.data(), ws.data(), C, nullptr, dxr + iw * C);
      }
    }
  });
}

namespace {
// The weight (and bias) gradient; extra(r_b, r_e, P, pb) runs first in each chunk of output rows
// (the fused backward's dx rows: Note [fused 3x3 backward]) and returns true when it has also
// summed the chunk's weight gradient into its partial P (and pb: Note [packed fused backward]).
template <class Extra>
void filter_chunks(const DwShape& s, const float* dy, const float* x, float* dw, float* db,
                   const Extra& extra) {
  const index_t C = s.C, T = s.KH * s.KW, rows = s.N * s.OH;
  // per chunk: the T*C weight-gradient partial, then (db given) the C bias-gradient partial
  const index_t TC = T * C + (db ? C : 0);
  // Note [dw chunks]: the partition depends on the shape only, never on the thread count.
  constexpr index_t kMaxChunks = 32;
  const index_t per = ceil_div(rows, std::min<index_t>(rows, kMaxChunks));
  const index_t nch = ceil_div(rows, per);
  std::vector<float> part((size_t)(nch * TC), 0.0f);
  std::vector<index_t> lo((size_t)s.KW), hi((size_t)s.KW);
  for (index_t kw = 0; kw < s.KW; ++kw) real_outputs(s.W, s.OW, s.sw, s.pl, kw * s.dw, lo[kw], hi[kw]);
  const int nt = (int)std::min<index_t>(threads_for(2.0 * rows * s.OW * TC), nch);
  // Note [depthwise dw taps in registers]; not on the one-lane generic path, where a block is
  // one channel read at a stride of C floats (dw 14 there: 5.2-6.2 ms -> 11.1 ms), nor at stride
  // > 1 (MobileNet dw 56 s2, quiet, 1 thread: 2.70 -> 3.10 ms; its x reads are 2C apart)
  const bool taps3 = kW > 1 && dw && s.KH == 3 && s.KW == 3 && s.sh == 1 && s.sw == 1;
  const bool packed = taps3 && dw_packed_fits(s, kDwPackedGradC);  // Note [packed 3x3 weight gradient]
  const std::vector<float> zero_row(taps3 && !packed ? (size_t)(s.W * C) : 0, 0.0f);  // Note [padded taps]
  parallel_chunks(nch, nt, [&](index_t k) {
    float* P = part.data() + k * TC;
    if (extra(k * per, std::min(rows, (k + 1) * per), P, db ? P + T * C : nullptr)) return;
    if constexpr (kW > 1) {  // (compiled out of the generic path: see taps3)
      const index_t r_b = k * per, r_e = std::min(rows, (k + 1) * per);
      if (packed) {  // Note [packed 3x3 weight gradient]
        dw_packed_filter_rows(s, dy, x, r_b, r_e, P, db ? P + T * C : nullptr);
        return;
      }
      if (taps3) {
        dw_filter_rows<3, 3>(s, dy, x, zero_row.data(), r_b, r_e, P, db ? P + T * C : nullptr);
        return;
      }
    }
    for (index_t r = k * per; r < std::min(rows, (k + 1) * per); ++r) {
      const index_t n = r / s.OH, oh = r % s.OH;
      const float* dyr = dy + r * s.OW * C;
      if (db) {  // the row's dy sums (in cache: the taps below read the same row)
        float* pb = P + T * C;
        auto run = [&](auto nv_tag, index_t c, int tail) {
          constexpr int NV = decltype(nv_tag)::value;
          vf acc[NV];
          for (int v = 0; v < NV; ++v) acc[v] = zero();
          for (index_t ow = 0; ow < s.OW; ++ow)
            for (int v = 0; v < NV; ++v) {
              const float* d = dyr + ow * C + c + v * kW;
              acc[v] = acc[v] + (tail ? load_n(d, tail) : load(d));
            }
          for (int v = 0; v < NV; ++v) {
            float* p = pb + c + v * kW;
            if (tail) store_n(p, load_n(p, tail) + acc[v], tail);
            else store(p, load(p) + acc[v]);
          }
        };
        index_t c = 0;
        for (; c + 4 * kW <= C; c += 4 * kW) run(std::integral_constant<int, 4>(), c, 0);
        for (; c + kW <= C; c += kW) run(std::integral_constant<int, 1>(), c, 0);
        if (c < C) run(std::integral_constant<int, 1>(), c, (int)(C - c));
      }
      for (index_t kh = 0; dw && kh < s.KH; ++kh) {
        const index_t ih = oh * s.sh - s.pt + kh * s.dh;
        const float* xr = (ih >= 0 && ih < s.H) ? x + (n * s.H + ih) * s.W * C : nullptr;
        for (index_t kw = 0; kw < s.KW; ++kw) {
          const index_t off = kw * s.dw - s.pl;  // iw = ow*sw + off
          const index_t a = xr ? lo[kw] : s.OW, b = xr ? std::max(lo[kw], hi[kw]) : s.OW;
          float* pt = P + (kh * s.KW + kw) * C;
          // Padded outputs (ow < a, ow >= b, or every ow on a padded row) add 0 * dy: Note [padded taps].
          auto run = [&](auto nv_tag, index_t c, int tail) {
            constexpr int NV = decltype(nv_tag)::value;
            vf acc[NV];
            for (int v = 0; v < NV; ++v) acc[v] = zero();
            tap_row_sums<NV>(nullptr, 0, s.sw, dyr, C, c, 0, std::min(a, s.OW), tail, acc);
            tap_row_sums<NV>(xr, off, s.sw, dyr, C, c, a, b, tail, acc);
            tap_row_sums<NV>(nullptr, 0, s.sw, dyr, C, c, std::max(a, b), s.OW, tail, acc);
            for (int v = 0; v < NV; ++v) {
              float* p = pt + c + v * kW;
              if (tail) store_n(p, load_n(p, tail) + acc[v], tail);
              else store(p, load(p) + acc[v]);
            }
          };
          index_t c = 0;
          for (; c + 4 * kW <= C; c += 4 * kW) run(std::integral_constant<int, 4>(), c, 0);
          for (; c + kW <= C; c += kW) run(std::integral_constant<int, 1>(), c, 0);
          if (c < C) run(std::integral_constant<int, 1>(), c, (int)(C - c));
        }
      }
    }
  });
  // dw (and db) += the partials, in chunk order (the same sum at every thread count)
  const int nr = threads_for(1.0 * nch * TC);
  parallel_range(TC, chunk_size(TC, nr, 256, 64), nr, [&](index_t b, index_t e) {
    for (index_t k = 0; k < nch; ++k) {
      const float* P = part.data() + k * TC;
      for (index_t i = b; i < e; ++i) {
        if (i >= T * C)
          db[i - T * C] += P[i];
        else if (dw)
          dw[i] += P[i];
      }
    }
  });
}
}  // namespace

void depthwise_conv2d_backward_filter(const DwShape& s, const float* dy, const float* x, float* dw,
                                      float* db) {
  FtzGuard ftz;
  filter_chunks(s, dy, x, dw, db, [](index_t, index_t, float*, float*) { return false; });
}

// Note [fused 3x3 backward]: with stride 1 and 'same' geometry (H = OH, W = OW) the dx rows are
// the output rows, so each weight-gradient chunk first runs its rows of dx (the flipped-kernel
// forward, Note [stride-1 dx as a forward]) and then its weight gradient, which finds the
// chunk's dy rows in L2: dy is read from memory once instead of twice (12.8 MB for MobileNet dw
// 14), and the backward is one parallel loop instead of two. The same sums as the two passes:
// the same bits. Other geometries (and a non-finite w) run the two passes.
void depthwise_conv2d_backward(const DwShape& s, const float* dy, const float* x, const float* w,
                               float* dx, float* dw, float* db) {
  const index_t T = s.KH * s.KW, C = s.C;
  const bool fuse = dx && dw && s.KH == 3 && s.KW == 3 && s.sh == 1 && s.sw == 1 && s.H == s.OH &&
                    s.W == s.OW && (s.KH - 1) * s.dh - s.pt >= 0 && (s.KW - 1) * s.dw - s.pl >= 0 &&
                    std::all_of(w, w + T * C, [](float v) { return std::isfinite(v); });
  if (!fuse) {
    if (dx) ::tf::TF_ISA::depthwise_conv2d_backward_data(s, dy, w, dx);
    if (dw || db) ::tf::TF_ISA::depthwise_conv2d_backward_filter(s, dy, x, dw, db);
    return;
  }
  FtzGuard ftz;
  std::vector<float> wf((size_t)(T * C));  // the flipped kernel, as backward_data
  for (index_t kh = 0; kh < s.KH; ++kh)
    for (index_t kw = 0; kw < s.KW; ++kw)
      std::copy_n(w + ((s.KH - 1 - kh) * s.KW + (s.KW - 1 - kw)) * C, C, wf.data() + (kh * s.KW + kw) * C);
  DwShape f = s;
  f.pt = (s.KH - 1) * s.dh - s.pt;
  f.pl = (s.KW - 1) * s.dw - s.pl;
  const std::vector<float> zero_row((size_t)(s.W * C), 0.0f);  // Note [padded taps]
  const bool packed = dw_packed_fits(s, kDwPackedGradC) && dw_packed_fits(f, kDwPackedGradC);
  filter_chunks(s, dy, x, dw, db, [&](index_t r_b, index_t r_e, float* P, float* pb) {
    if (packed) {  // Note [packed fused backward]
      dw_packed_backward_rows(s, f, dy, x, wf.data(), r_b, r_e, dx, P, pb);
      return true;
    }
    dw3x3_forward_rows(f, dy, wf.data(), nullptr, zero_row.data(), r_b, r_e, dx);
    return false;
  });
}

void depthwise_expand_channels(index_t P, index_t C, index_t M, const float* x, float* xe) {
  parallel_for(P * C, 1 << 16, [&](index_t b, index_t e) {
    for (index_t i = b; i < e; ++i) {
      const float v = x[i];
      float* o = xe + i * M;
      for (index_t m = 0; m < M; ++m) o[m] = v;
    }
  });
}

void depthwise_reduce_channels(index_t P, index_t C, index_t M, const float* dxe, float* dx) {
  parallel_for(P * C, 1 << 16, [&](index_t b, index_t e) {
    for (index_t i = b; i < e; ++i) {
      const float* g = dxe + i * M;
      float acc = g[0];
      for (index_t m = 1; m < M; ++m) acc += g[m];
      dx[i] = acc;
    }
  });
}

}  // namespace TF_ISA
}  // namespace tf
