// Max / average / global-average pooling and nearest-upsampling kernels, NHWC (contract:
// tf/pool.h). Compiled once per ISA (tf/isa.h).
//
// C is the contiguous NHWC axis, so every kernel works on whole rows of C floats: the innermost
// loops run over channels with no data-dependent branches (selects only) and are vectorized
// (simd.h vectors for the sums; the max/argmax select loops are written for the compiler's
// if-conversion, checked with -fopt-info-vec). Rows of the output (n, oh) are split across
// threads; backward passes are written as gathers over the windows that contain each input
// pixel, so threads never write the same dx element (no atomics, no zero-fill pass).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "tf/cpuinfo.h"
#include "tf/parallel.h"
#include "tf/pool.h"
#include "tf/simd.h"

namespace tf {
namespace TF_ISA {

namespace {
using namespace simd;

// Real input range [lo, hi) of window o along one axis (Note [pool padding]).
inline void window(index_t o, index_t s, index_t p, index_t K, index_t H, index_t& lo, index_t& hi) {
  const index_t start = o * s - p;
  lo = std::max<index_t>(start, 0);
  hi = std::min<index_t>(start + K, H);
}

// Outputs o whose window contains input position i: [lo, hi).
inline void windows_of(index_t i, index_t s, index_t p, index_t K, index_t O, index_t& lo,
                       index_t& hi) {
  const index_t a = i + p - K + 1;  // o*s >= a
  lo = a <= 0 ? 0 : (a + s - 1) / s;
  hi = std::min<index_t>((i + p) / s + 1, O);
}

// Note [streaming stores]: an output larger than the caches is not read back before it is
// evicted, but ordinary stores first read every line they write (read-for-ownership), so the
// traffic was x + 2 * y (upsampling writes sh*sw times what it reads; a pooling forward's y is
// a quarter of x). Large outputs are built one row at a time in a small per-thread buffer and
// written with non-temporal stores: x + y.
constexpr double kStreamBytes = 4.0 * (1 << 20);  // outputs above this stream (Note above)

// dst[0:n] = src[0:n] with non-temporal stores where the ISA has them (dst is peeled to a
// vector boundary first); the caller fences (_mm_sfence) before its results are published.
inline void stream_copy(float* dst, const float* src, index_t n) {
#if defined(TF_ISA_avx512)  // 16-lane stores: one per cache line
  index_t i = 0;
  for (; i < n && (reinterpret_cast<uintptr_t>(dst + i) & 63); ++i) dst[i] = src[i];
  for (; i + 16 <= n; i += 16) _mm512_stream_ps(dst + i, _mm512_loadu_ps(src + i));
  for (; i < n; ++i) dst[i] = src[i];
#elif defined(TF_ISA_avx2)
  index_t i = 0;
  for (; i < n && (reinterpret_cast<uintptr_t>(dst + i) & 31); ++i) dst[i] = src[i];
  for (; i + 8 <= n; i += 8) _mm256_stream_ps(dst + i, _mm256_loadu_ps(src + i));
  for (; i < n; ++i) dst[i] = src[i];
#else
  std::memcpy(dst, src, sizeof(float) * n);
#endif
}

// windows_of for every column: [lo[iw], hi[iw]). The backward passes look these up per pixel
// instead of dividing per pixel (a 64-bit division is ~40 cycles on Zen 1: it was a third of the
// LeNet pool's backward).
inline void column_windows(index_t W, index_t s, index_t p, index_t K, index_t O,
                           std::vector<index_t>& lo, std::vector<index_t>& hi) {
  lo.resize((size_t)W);
  hi.resize((size_t)W);
  for (index_t iw = 0; iw < W; ++iw) windows_of(iw, s, p, K, O, lo[iw], hi[iw]);
}

int threads_for(double bytes) { return bytes < 2e5 ? 1 : max_threads(); }

// Note [channel blocks]: a window reduction is a short dependent chain per vector (2-9 taps of
// max/add), so one vector at a time leaves the core waiting on latency (the 2x2 average pool
// ran at 40% of the copy bandwidth, the 3x3/2 max pool at 45%). Every loop below takes the
// channels in blocks of 4 vectors (4 independent chains); the last block holds the rest, up to 4
// vectors whose last one may be a masked tail of C % kW lanes (C = 20 on AVX2: one block of 2
// full vectors and a 4-lane tail, one pass over the window). body(c, NV, TAIL, tail_lanes).
template <class Body>
inline void channel_blocks(index_t C, const Body& body) {
  using std::integral_constant;
  index_t c = 0;
  for (; c + 4 * kW <= C; c += 4 * kW) body(c, integral_constant<int, 4>(), std::false_type(), 0);
  const index_t rem = C - c;
  const int full = (int)(rem / kW), t = (int)(rem % kW);
  switch (full * 2 + (t > 0)) {
    case 1: body(c, integral_constant<int, 1>(), std::true_type(), t); break;
    case 2: body(c, integral_constant<int, 1>(), std::false_type(), 0); break;
    case 3: body(c, integral_constant<int, 2>(), std::true_type(), t); break;
    case 4: body(c, integral_constant<int, 2>(), std::false_type(), 0); break;
    case 5: body(c, integral_constant<int, 3>(), std::true_type(), t); break;
    case 6: body(c, integral_constant<int, 3>(), std::false_type(), 0); break;
    case 7: body(c, integral_constant<int, 4>(), std::true_type(), t); break;
    default: break;  // rem == 0
  }
}
// Vector v of a block of NV: masked to `tail` lanes when it is the block's last and TAIL.
template <int NV, bool TAIL>
inline vf ld(const float* p, int v, int tail) {
  return (TAIL && v == NV - 1) ? load_n(p, tail) : load(p);
}
template <int NV, bool TAIL>
inline vf ld_i32(const int32_t* p, int v, int tail) {
  return (TAIL && v == NV - 1) ? load_i32_n(p, tail) : load_i32(p);
}
// Stores of vector v. A masked tail store (vmaskmovps) is slow on AMD; where at least a vector
// of this row's later pixels follows, written later by this thread (spill), the tail is stored
// whole instead and its extra lanes are overwritten by those pixels.
template <int NV, bool TAIL>
inline void st(float* p, vf x, int v, int tail, bool spill) {
  if (TAIL && v == NV - 1 && !spill)
    store_n(p, x, tail);
  else
    store(p, x);
}
template <int NV, bool TAIL>
inline void st_i32(int32_t* p, vf x, int v, int tail, bool spill) {
  if (TAIL && v == NV - 1 && !spill)
    store_i32_n(p, x, tail);
  else
    store_i32(p, x);
}
#define TF_POOL_BLOCK                                  \
  constexpr int NV = decltype(nv_)::value;            \
  constexpr bool TAIL = decltype(tail_)::value;       \
  (void)tail

// Max (and, with ARG, the float-lane argmax: Note in max_pool2d_forward) of one window over
// channels [c, c + NV*kW): rows [h0, h1), columns [w0, w1) of image xn. The first real cell
// initialises the window (so a padded cell can never win).
template <bool ARG, int NV, bool TAIL>
inline void max_window(const float* xn, index_t W, index_t C, index_t h0, index_t h1, index_t w0,
                       index_t w1, index_t c, int tail, bool spill, float* best, int32_t* am) {
  vf b[NV], ai[NV];
  const float* first = xn + (h0 * W + w0) * C + c;
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) b[v] = ld<NV, TAIL>(first + v * kW, v, tail);
  if (ARG)
    for (int v = 0; v < NV; ++v) ai[v] = set1((float)(h0 * W + w0));
  for (index_t ih = h0; ih < h1; ++ih)
    for (index_t iw = (ih == h0 ? w0 + 1 : w0); iw < w1; ++iw) {
      const float* p = xn + (ih * W + iw) * C + c;
      if (ARG) {
        const vf idx = set1((float)(ih * W + iw));
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) max_argmax_update(ld<NV, TAIL>(p + v * kW, v, tail), idx, b[v], ai[v]);
      } else {
#pragma GCC unroll 4
        for (int v = 0; v < NV; ++v) max_update(ld<NV, TAIL>(p + v * kW, v, tail), b[v]);
      }
    }
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    st<NV, TAIL>(best + c + v * kW, b[v], v, tail, spill);
    if (ARG) st_i32<NV, TAIL>(am + c + v * kW, ai[v], v, tail, spill);
  }
}

// Note [rows first]: without an argmax a max or average window reduces its KH rows first and
// then its KW columns. Each output row reduces rows [h0, h1) of the image elementwise into one
// row of W*C floats (one sequential pass per input row: what the hardware prefetchers stream
// best, and no window bookkeeping per pixel), then pools that row, which sits in L1, along W.
// On Zen 5 (AVX-512, 1 thread, ResNet 32x56x56x64) the window-by-window forward ran the max 2x2
// pool at 1.7-1.8 ms (~18 GB/s of x + y), the average 2x2 at 1.6-1.8 ms, the max 3x3/2 at
// 2.0-2.2 ms; rows first: 1.1-1.2, 1.2-1.35 and 1.6-1.7 ms (bench/RESULTS.md, "pool5"). Same
// results: a max is exact in any order (a NaN anywhere in the window still gives NaN); an
// average sums each column's rows, then the columns (float rounding of a different order,
// within the tests' tolerance).
// dst[0:n] = reduce over r in [0, R) of rows[r][0:n] (rows r apart by `stride` floats); AVG
// sums, otherwise max with NaN kept. Four independent vectors per step (Note [channel blocks]).
// Note [one-lane rows]: with one-lane vectors (the portable build) a block of 4 "vectors" is 4
// floats, and the compiler left those loops scalar. There one row at a time is combined into
// dst by a plain loop over its floats, which it vectorizes (SSE2 on x86); every element sees the
// same operands in the same order, so the same bits.
// dst[0:n] = max(dst, src) with NaN kept (AVG: dst + src).
template <bool AVG>
inline void combine_row(const float* __restrict src, index_t n, float* __restrict dst) {
  for (index_t i = 0; i < n; ++i) {
    vf b = load(dst + i);
    if (AVG)
      b = b + load(src + i);
    else
      max_update(load(src + i), b);
    store(dst + i, b);
  }
}

template <bool AVG>
inline void reduce_rows(const float* src, index_t stride, index_t R, index_t n, float* dst) {
  if (kW == 1) {  // Note [one-lane rows]
    std::memcpy(dst, src, sizeof(float) * n);
    for (index_t r = 1; r < R; ++r) combine_row<AVG>(src + r * stride, n, dst);
    return;
  }
  index_t i = 0;
  for (; i + 4 * kW <= n; i += 4 * kW) {
    vf b[4];
#pragma GCC unroll 4
    for (int v = 0; v < 4; ++v) b[v] = load(src + i + v * kW);
    for (index_t r = 1; r < R; ++r) {
      const float* q = src + r * stride + i;
#pragma GCC unroll 4
      for (int v = 0; v < 4; ++v) {
        if (AVG)
          b[v] = b[v] + load(q + v * kW);
        else
          max_update(load(q + v * kW), b[v]);
      }
    }
#pragma GCC unroll 4
    for (int v = 0; v < 4; ++v) store(dst + i + v * kW, b[v]);
  }
  for (; i < n; i += kW) {
    const int m = (int)std::min<index_t>(kW, n - i);
    vf b = load_n(src + i, m);
    for (index_t r = 1; r < R; ++r) {
      if (AVG)
        b = b + load_n(src + r * stride + i, m);
      else
        max_update(load_n(src + r * stride + i, m), b);
    }
    store_n(dst + i, b, m);
  }
}

// Note [one-lane argmax]: with one-lane vectors (the portable build) the float-lane argmax
// loops run 4 channels per block, their int/float selects as branches: the training max pool
// forward and its backward ran 20-30x behind AVX2. There the int32 channel loops below (and the
// backward's) run instead, which the compiler vectorizes; same cells in the same order, so the
// same values, argmax and sums.
// best/am for one window cell: take v when it beats best (strict, so the FIRST max stays),
// or when v is the first NaN (Note [NaN in max]: NaN in -> NaN out).
inline void max_argmax_row(const float* __restrict v, float* __restrict best,
                           int32_t* __restrict am, int32_t idx, index_t C) {
  for (index_t c = 0; c < C; ++c) {
    const float b = best[c], x = v[c];
    const bool take = (x > b) | ((x != x) & (b == b));
    best[c] = take ? x : b;
    am[c] = take ? idx : am[c];
  }
}

}  // namespace

void max_pool2d_forward(const PoolShape& s, const float* x, float* y, int32_t* argmax) {
  FtzGuard ftz;
  const index_t C = s.C, rows = s.N * s.OH;
  // Indices ride in float lanes next to the values (exact below 2^24), stored as int32. Note
  // [one-lane argmax]: the portable build (kW == 1) takes the channel loops instead.
  const bool float_index = kW > 1 && s.H * s.W < (index_t(1) << 24);
  const int nt = threads_for(4.0 * s.N * s.H * s.W * C);
  const index_t orow = s.OW * C;
  const bool stream = !argmax && 4.0 * rows * orow > kStreamBytes;  // Note [streaming stores]
  parallel_range(rows, chunk_size(rows, nt, 1), nt, [&](index_t r_b, index_t r_e) {
    std::vector<float> row(stream ? (size_t)orow : 0);
    std::vector<float> vrow(argmax ? 0 : (size_t)(s.W * C));  // rows [h0, h1) reduced
    for (index_t r = r_b; r < r_e; ++r) {
      const index_t n = r / s.OH, oh = r % s.OH;
      index_t h0, h1;
      window(oh, s.sh, s.pt, s.KH, s.H, h0, h1);
      const float* xn = x + n * s.H * s.W * C;
      float* yr = stream ? row.data() : y + r * orow;
      if (!argmax) {  // Note [rows first]
        const float* v = xn + h0 * s.W * C;
        if (h1 - h0 > 1) {
          reduce_rows<false>(v, s.W * C, h1 - h0, s.W * C, vrow.data());
          v = vrow.data();
        }
        for (index_t ow = 0; ow < s.OW; ++ow) {
          index_t w0, w1;
          window(ow, s.sw, s.pl, s.KW, s.W, w0, w1);
          if (kW == 1) {  // Note [one-lane rows]: the window's columns, one at a time
            std::memcpy(yr + ow * C, v + w0 * C, sizeof(float) * C);
            for (index_t iw = w0 + 1; iw < w1; ++iw) combine_row<false>(v + iw * C, C, yr + ow * C);
            continue;
          }
          channel_blocks(C, [&](index_t c, auto nv_, auto tail_, int tail) {
            TF_POOL_BLOCK;
            max_window<false, NV, TAIL>(v, s.W, C, 0, 1, w0, w1, c, tail, (s.OW - ow - 1) * C >= kW, yr + ow * C, nullptr);
          });
        }
        if (stream) stream_copy(y + r * orow, yr, orow);
        continue;
      }
      for (index_t ow = 0; ow < s.OW; ++ow) {
        index_t w0, w1;
        window(ow, s.sw, s.pl, s.KW, s.W, w0, w1);
        float* best = yr + ow * C;
        int32_t* am = argmax + r * orow + ow * C;
        if (float_index) {
          channel_blocks(C, [&](index_t c, auto nv_, auto tail_, int tail) {
            TF_POOL_BLOCK;
            max_window<true, NV, TAIL>(xn, s.W, C, h0, h1, w0, w1, c, tail, (s.OW - ow - 1) * C >= kW, best, am);
          });
          continue;
        }
        const float* first = xn + (h0 * s.W + w0) * C;
        std::memcpy(best, first, sizeof(float) * C);
        std::fill(am, am + C, (int32_t)(h0 * s.W + w0));
        for (index_t ih = h0; ih < h1; ++ih)
          for (index_t iw = (ih == h0 ? w0 + 1 : w0); iw < w1; ++iw)
            max_argmax_row(xn + (ih * s.W + iw) * C, best, am, (int32_t)(ih * s.W + iw), C);
      }
      if (stream) stream_copy(y + r * orow, yr, orow);
    }
#if defined(TF_ISA_avx2) || defined(TF_ISA_avx512)
    if (stream) _mm_sfence();  // the streamed rows are visible before the loop's join
#endif
  });
}

void max_pool2d_backward(const PoolShape& s, const float* dy, const int32_t* argmax, float* dx) {
  FtzGuard ftz;
  const index_t C = s.C, rows = s.N * s.H;
  // compare indices in float lanes; the portable build: Note [one-lane argmax]
  const bool float_index = kW > 1 && s.H * s.W < (index_t(1) << 24);
  std::vector<index_t> qlo, qhi;
  column_windows(s.W, s.sw, s.pl, s.KW, s.OW, qlo, qhi);
  const int nt = threads_for(4.0 * s.N * s.H * s.W * C);
  parallel_range(rows, chunk_size(rows, nt, 1), nt, [&](index_t r_b, index_t r_e) {
    for (index_t r = r_b; r < r_e; ++r) {
      const index_t n = r / s.H, ih = r % s.H;
      index_t o0, o1;
      windows_of(ih, s.sh, s.pt, s.KH, s.OH, o0, o1);
      for (index_t iw = 0; iw < s.W; ++iw) {
        float* __restrict d = dx + ((n * s.H + ih) * s.W + iw) * C;
        const index_t q0 = qlo[iw], q1 = qhi[iw];
        const int32_t idx = (int32_t)(ih * s.W + iw);
        if (float_index) {
          const vf vidx = set1((float)idx);
          channel_blocks(C, [&](index_t c, auto nv_, auto tail_, int tail) {
            TF_POOL_BLOCK;
            vf acc[NV];
            for (int v = 0; v < NV; ++v) acc[v] = zero();
            for (index_t oh = o0; oh < o1; ++oh)
              for (index_t ow = q0; ow < q1; ++ow) {
                const index_t off = ((n * s.OH + oh) * s.OW + ow) * C + c;
#pragma GCC unroll 4
                for (int v = 0; v < NV; ++v) {
                  const vf a = ld_i32<NV, TAIL>(argmax + off + v * kW, v, tail);
                  const vf g = ld<NV, TAIL>(dy + off + v * kW, v, tail);
                  // g where a == idx (integer-valued floats: neither is greater), else 0
                  acc[v] = acc[v] + select_gt(a, vidx, zero(), select_gt(vidx, a, zero(), g));
                }
              }
#pragma GCC unroll 4
            for (int v = 0; v < NV; ++v) st<NV, TAIL>(d + c + v * kW, acc[v], v, tail, (s.W - iw - 1) * C >= kW);
          });
          continue;
        }
        std::fill(d, d + C, 0.0f);
        for (index_t oh = o0; oh < o1; ++oh)
          for (index_t ow = q0; ow < q1; ++ow) {
            const index_t off = ((n * s.OH + oh) * s.OW + ow) * C;
            const float* __restrict g = dy + off;
            const int32_t* __restrict am = argmax + off;
            for (index_t c = 0; c < C; ++c) {  // g read unconditionally: a select, vectorized
              const float gc = g[c];
              d[c] += am[c] == idx ? gc : 0.0f;
            }
          }
      }
    }
  });
}

void avg_pool2d_forward(const PoolShape& s, const float* x, float* y) {
  FtzGuard ftz;
  const index_t C = s.C, rows = s.N * s.OH;
  const int nt = threads_for(4.0 * s.N * s.H * s.W * C);
  const index_t orow = s.OW * C;
  const bool stream = 4.0 * rows * orow > kStreamBytes;  // Note [streaming stores]
  parallel_range(rows, chunk_size(rows, nt, 1), nt, [&](index_t r_b, index_t r_e) {
    std::vector<float> row(stream ? (size_t)orow : 0);
    std::vector<float> vrow((size_t)(s.W * C));  // column sums of rows [h0, h1)
    for (index_t r = r_b; r < r_e; ++r) {
      const index_t n = r / s.OH, oh = r % s.OH;
      index_t h0, h1;
      window(oh, s.sh, s.pt, s.KH, s.H, h0, h1);
      const float* xn = x + n * s.H * s.W * C;
      float* yr = stream ? row.data() : y + r * orow;
      const float* sums = xn + h0 * s.W * C;  // Note [rows first]
      if (h1 - h0 > 1) {
        reduce_rows<true>(sums, s.W * C, h1 - h0, s.W * C, vrow.data());
        sums = vrow.data();
      }
      for (index_t ow = 0; ow < s.OW; ++ow) {
        index_t w0, w1;
        window(ow, s.sw, s.pl, s.KW, s.W, w0, w1);
        const vf inv = set1(1.0f / (float)((h1 - h0) * (w1 - w0)));
        float* out = yr + ow * C;
        channel_blocks(C, [&](index_t c, auto nv_, auto tail_, int tail) {
          TF_POOL_BLOCK;
          vf acc[NV];
          for (int v = 0; v < NV; ++v) acc[v] = zero();
          for (index_t iw = w0; iw < w1; ++iw) {
            const float* p = sums + iw * C + c;
#pragma GCC unroll 4
            for (int v = 0; v < NV; ++v) acc[v] = acc[v] + ld<NV, TAIL>(p + v * kW, v, tail);
          }
#pragma GCC unroll 4
          for (int v = 0; v < NV; ++v)
            st<NV, TAIL>(out + c + v * kW, acc[v] * inv, v, tail, (s.OW - ow - 1) * C >= kW);
        });
      }
      if (stream) stream_copy(y + r * orow, yr, orow);
    }
#if defined(TF_ISA_avx2) || defined(TF_ISA_avx512)
    if (stream) _mm_sfence();
#endif
  });
}

void avg_pool2d_backward(const PoolShape& s, const float* dy, float* dx) {
  FtzGuard ftz;
  const index_t C = s.C, rows = s.N * s.H;
  // real cells per output row and column: window counts factor into rows x columns.
  std::vector<float> cnt_h((size_t)s.OH), cnt_w((size_t)s.OW);
  for (index_t o = 0; o < s.OH; ++o) {
    index_t lo, hi;
    window(o, s.sh, s.pt, s.KH, s.H, lo, hi);
    cnt_h[o] = (float)(hi - lo);
  }
  for (index_t o = 0; o < s.OW; ++o) {
    index_t lo, hi;
    window(o, s.sw, s.pl, s.KW, s.W, lo, hi);
    cnt_w[o] = (float)(hi - lo);
  }
  std::vector<index_t> qlo, qhi;
  column_windows(s.W, s.sw, s.pl, s.KW, s.OW, qlo, qhi);
  // 1 / (real cells) of every window, as the division per use gave it
  std::vector<float> inv((size_t)(s.OH * s.OW));
  for (index_t oh = 0; oh < s.OH; ++oh)
    for (index_t ow = 0; ow < s.OW; ++ow) inv[oh * s.OW + ow] = 1.0f / (cnt_h[oh] * cnt_w[ow]);
  const int nt = threads_for(4.0 * s.N * s.H * s.W * C);
  parallel_range(rows, chunk_size(rows, nt, 1), nt, [&](index_t r_b, index_t r_e) {
    for (index_t r = r_b; r < r_e; ++r) {
      const index_t n = r / s.H, ih = r % s.H;
      index_t o0, o1;
      windows_of(ih, s.sh, s.pt, s.KH, s.OH, o0, o1);
      for (index_t iw = 0; iw < s.W; ++iw) {
        float* d = dx + ((n * s.H + ih) * s.W + iw) * C;
        const index_t q0 = qlo[iw], q1 = qhi[iw];
        channel_blocks(C, [&](index_t c, auto nv_, auto tail_, int tail) {
          TF_POOL_BLOCK;
          vf acc[NV];
          for (int v = 0; v < NV; ++v) acc[v] = zero();
          for (index_t oh = o0; oh < o1; ++oh)
            for (index_t ow = q0; ow < q1; ++ow) {
              const float* g = dy + ((n * s.OH + oh) * s.OW + ow) * C + c;
              const vf k = set1(inv[oh * s.OW + ow]);
#pragma GCC unroll 4
              for (int v = 0; v < NV; ++v) acc[v] = fmadd(ld<NV, TAIL>(g + v * kW, v, tail), k, acc[v]);
            }
#pragma GCC unroll 4
          for (int v = 0; v < NV; ++v) st<NV, TAIL>(d + c + v * kW, acc[v], v, tail, (s.W - iw - 1) * C >= kW);
        });
      }
    }
  });
}

void global_avg_pool2d_forward(index_t N, index_t HW, index_t C, const float* x, float* y) {
  FtzGuard ftz;
  // Split (n, channel block) pairs across threads so N = 1 still uses every thread.
  const index_t CB = 16 * kW, nblk = ceil_div(C, CB), jobs = N * nblk;
  const int nt = threads_for(4.0 * N * HW * C);
  const vf inv = set1(1.0f / (float)HW);
  parallel_range(jobs, chunk_size(jobs, nt, 1), nt, [&](index_t jb_b, index_t jb_e) {
    for (index_t jb = jb_b; jb < jb_e; ++jb) {
      const index_t n = jb / nblk, c0 = (jb % nblk) * CB, c1 = std::min(C, c0 + CB);
      for (index_t c = c0; c < c1; c += kW) {
        const int nn = (int)std::min<index_t>(kW, c1 - c);
        vf a0 = zero(), a1 = zero();
        const float* p = x + n * HW * C + c;
        index_t i = 0;
        for (; i + 1 < HW; i += 2) {
          a0 = a0 + (nn == kW ? load(p + i * C) : load_n(p + i * C, nn));
          a1 = a1 + (nn == kW ? load(p + (i + 1) * C) : load_n(p + (i + 1) * C, nn));
        }
        if (i < HW) a0 = a0 + (nn == kW ? load(p + i * C) : load_n(p + i * C, nn));
        store_n(y + n * C + c, (a0 + a1) * inv, nn);
      }
    }
  });
}

void global_avg_pool2d_backward(index_t N, index_t HW, index_t C, const float* dy, float* dx) {
  FtzGuard ftz;
  const index_t rows = N * HW;
  const float inv = 1.0f / (float)HW;
  const int nt = threads_for(4.0 * N * HW * C);
  parallel_range(rows, chunk_size(rows, nt, 1), nt, [&](index_t r_b, index_t r_e) {
    for (index_t r = r_b; r < r_e; ++r) {
      const float* g = dy + (r / HW) * C;
      float* d = dx + r * C;
      for (index_t c = 0; c < C; ++c) d[c] = g[c] * inv;
    }
  });
}

#undef TF_POOL_BLOCK

// ---- nearest upsampling ----------------------------------------------------------------------
// Memory-bound copies: each input row (n, ih) becomes one output row, built once, then written
// sh times; the backward sums each block in registers.


namespace {
// One output row: each of the W pixels of xr repeated sw times, in channel blocks of full
// vector stores (Note [channel blocks]); a tail is stored as a whole vector where this row's
// later pixels overwrite its extra lanes (st), so C = 3 or 20 costs no per-pixel memcpy.
inline void upsample_row(const float* xr, index_t W, index_t C, index_t sw, float* yr) {
  const index_t OW = W * sw;
  // output pixels in order, so a spilled tail is rewritten later (the copies' loads hit L1)
  for (index_t iw = 0, ow = 0; iw < W; ++iw)
    for (index_t j = 0; j < sw; ++j, ++ow) {
      const float* src = xr + iw * C;
      float* dst = yr + ow * C;
      const bool spill = (OW - 1 - ow) * C >= kW;
      channel_blocks(C, [&](index_t c, auto nv, auto tail_t, int tail) {
        constexpr int NV = decltype(nv)::value;
        constexpr bool TAIL = decltype(tail_t)::value;
        for (int k = 0; k < NV; ++k)
          st<NV, TAIL>(dst + c + k * kW, ld<NV, TAIL>(src + c + k * kW, k, tail), k, tail, spill);
      });
    }
}
}  // namespace

void upsample_nearest2d_forward(index_t N, index_t H, index_t W, index_t C, index_t sh, index_t sw,
                                const float* x, float* y) {
  const index_t rows = N * H, OW = W * sw, orow = OW * C;
  const double out_bytes = 4.0 * rows * orow * sh;
  const int nt = threads_for(out_bytes);
  const bool stream = out_bytes > kStreamBytes;
  // Note [split forward]: the streamed stores of one core are capped (~42 GB/s on Zen 5, the
  // same at 1 and 2 threads), while ordinary stores go to the L3 at the same time. Each thread
  // writes its first rows with ordinary stores -- half of them, at most a quarter of its share
  // of the L3 -- and streams the rest: a 12.8 MB output (bench conv's "upsample 2x") took 0.16
  // instead of 0.32 ms on Zen 5 at 2 threads (ups8); a 100 MB one still streams 90% of it.
  const CpuCaches& cc = cpu_caches();
  const double l3_share = (double)cc.l3 / std::max(1, std::min(cc.l3_sharing, nt));
  const index_t plain_rows_cap = (index_t)(0.25 * l3_share / (4.0 * sh * orow));
  parallel_range(rows, chunk_size(rows, nt, 1), nt, [&](index_t r_b, index_t r_e) {
    std::vector<float> row(stream ? (size_t)orow : 0);  // one output row (a few KiB)
    float* buf = row.data();
    const index_t r_stream = r_b + std::min((r_e - r_b) / 2, plain_rows_cap);
    for (index_t r = r_b; r < r_e; ++r) {
      const float* xr = x + r * W * C;
      float* yr = y + r * sh * orow;  // output rows r*sh .. r*sh + sh - 1
      if (stream && r >= r_stream) {
        upsample_row(xr, W, C, sw, buf);
        for (index_t i = 0; i < sh; ++i) stream_copy(yr + i * orow, buf, orow);
        continue;
      }
      upsample_row(xr, W, C, sw, yr);
      for (index_t i = 1; i < sh; ++i) std::memcpy(yr + i * orow, yr, sizeof(float) * orow);
    }
#if defined(TF_ISA_avx2) || defined(TF_ISA_avx512)
    if (stream) _mm_sfence();  // the streamed rows are visible before the loop's join
#endif
  });
}

void upsample_nearest2d_backward(index_t N, index_t H, index_t W, index_t C, index_t sh, index_t sw,
                                 const float* dy, float* dx) {
  FtzGuard ftz;
  const index_t rows = N * H, orow = W * sw * C;
  const int nt = threads_for(4.0 * rows * orow * sh);
  parallel_range(rows, chunk_size(rows, nt, 1), nt, [&](index_t r_b, index_t r_e) {
    for (index_t r = r_b; r < r_e; ++r) {
      const float* g = dy + r * sh * orow;  // the block rows of input row r
      float* d = dx + r * W * C;
      for (index_t iw = 0; iw < W; ++iw) {
        const float* gb = g + iw * sw * C;
        // Note [upsample prefetch]: this pixel's block one input row ahead. In a layer's
        // forward+backward the forward's streamed y leaves dy out of the caches, and the
        // hardware prefetchers alone read dy's sh interleaved rows at ~25 GB/s: on Zen 5
        // (1 thread, 64x28x28x64 dy, after the forward) the backward took 0.52-0.66 ms, with
        // this 0.25-0.29 ms. Hints only: no effect on the results.
        if (r + 1 < r_e)
          for (index_t i = 0; i < sh; ++i)
            for (index_t b = 0; b < sw * C; b += 16) __builtin_prefetch(gb + (sh + i) * orow + b);
        // a whole-vector tail store is overwritten by this row's later pixels (st)
        const bool spill = (W - 1 - iw) * C >= kW;
        // Note [channel blocks]: NV independent sums per block, each in row-major block order
        // from the first cell (Note in tf/pool.h: bit-identical to the reference)
        channel_blocks(C, [&](index_t c, auto nv, auto tail_t, int tail) {
          constexpr int NV = decltype(nv)::value;
          constexpr bool TAIL = decltype(tail_t)::value;
          vf acc[NV];
          for (int v = 0; v < NV; ++v) acc[v] = ld<NV, TAIL>(gb + c + v * kW, v, tail);
          for (index_t j = 1; j < sw; ++j)
            for (int v = 0; v < NV; ++v) acc[v] = acc[v] + ld<NV, TAIL>(gb + j * C + c + v * kW, v, tail);
          for (index_t i = 1; i < sh; ++i)
            for (index_t j = 0; j < sw; ++j)
              for (int v = 0; v < NV; ++v)
                acc[v] = acc[v] + ld<NV, TAIL>(gb + i * orow + j * C + c + v * kW, v, tail);
          for (int v = 0; v < NV; ++v) st<NV, TAIL>(d + iw * C + c + v * kW, acc[v], v, tail, spill);
        });
      }
    }
  });
}

}  // namespace TF_ISA
}  // namespace tf
