// Max / average / global-average pooling kernels, NHWC (contract: tf/pool.h). Compiled once per
// ISA (tf/isa.h).
//
// C is the contiguous NHWC axis, so every kernel works on whole rows of C floats: the innermost
// loops run over channels with no data-dependent branches (selects only) and are vectorized
// (simd.h vectors for the sums; the max/argmax select loops are written for the compiler's
// if-conversion, checked with -fopt-info-vec). Rows of the output (n, oh) are split across
// threads; backward passes are written as gathers over the windows that contain each input
// pixel, so threads never write the same dx element (no atomics, no zero-fill pass).
#include <algorithm>
#include <cstring>
#include <vector>

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

int threads_for(double bytes) { return bytes < 2e5 ? 1 : max_threads(); }

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
  // Indices ride in float lanes next to the values (exact below 2^24), stored as int32.
  const bool float_index = s.H * s.W < (index_t(1) << 24);
  const int nt = threads_for(4.0 * s.N * s.H * s.W * C);
  parallel_range(rows, chunk_size(rows, nt, 1), nt, [&](index_t r_b, index_t r_e) {
    for (index_t r = r_b; r < r_e; ++r) {
      const index_t n = r / s.OH, oh = r % s.OH;
      index_t h0, h1;
      window(oh, s.sh, s.pt, s.KH, s.H, h0, h1);
      const float* xn = x + n * s.H * s.W * C;
      for (index_t ow = 0; ow < s.OW; ++ow) {
        index_t w0, w1;
        window(ow, s.sw, s.pl, s.KW, s.W, w0, w1);
        const index_t out = ((n * s.OH + oh) * s.OW + ow) * C;
        float* best = y + out;
        int32_t* am = argmax ? argmax + out : nullptr;
        // The first real cell initialises the window (so a padded cell can never win).
        const float* first = xn + (h0 * s.W + w0) * C;
        if (!am || float_index) {
          for (index_t c = 0; c < C; c += kW) {
            const int nn = (int)std::min<index_t>(kW, C - c);
            const bool full = nn == kW;
            vf b = full ? load(first + c) : load_n(first + c, nn);
            vf ai = set1((float)(h0 * s.W + w0));
            for (index_t ih = h0; ih < h1; ++ih)
              for (index_t iw = (ih == h0 ? w0 + 1 : w0); iw < w1; ++iw) {
                const float* p = xn + (ih * s.W + iw) * C + c;
                const vf v = full ? load(p) : load_n(p, nn);
                if (am)
                  max_argmax_update(v, set1((float)(ih * s.W + iw)), b, ai);
                else
                  max_update(v, b);
              }
            if (full) {
              store(best + c, b);
              if (am) store_i32(am + c, ai);
            } else {
              store_n(best + c, b, nn);
              if (am) store_i32_n(am + c, ai, nn);
            }
          }
          continue;
        }
        std::memcpy(best, first, sizeof(float) * C);
        std::fill(am, am + C, (int32_t)(h0 * s.W + w0));
        for (index_t ih = h0; ih < h1; ++ih)
          for (index_t iw = (ih == h0 ? w0 + 1 : w0); iw < w1; ++iw)
            max_argmax_row(xn + (ih * s.W + iw) * C, best, am, (int32_t)(ih * s.W + iw), C);
      }
    }
  });
}

void max_pool2d_backward(const PoolShape& s, const float* dy, const int32_t* argmax, float* dx) {
  FtzGuard ftz;
  const index_t C = s.C, rows = s.N * s.H;
  const bool float_index = s.H * s.W < (index_t(1) << 24);  // compare indices in float lanes
  const int nt = threads_for(4.0 * s.N * s.H * s.W * C);
  parallel_range(rows, chunk_size(rows, nt, 1), nt, [&](index_t r_b, index_t r_e) {
    for (index_t r = r_b; r < r_e; ++r) {
      const index_t n = r / s.H, ih = r % s.H;
      index_t o0, o1;
      windows_of(ih, s.sh, s.pt, s.KH, s.OH, o0, o1);
      for (index_t iw = 0; iw < s.W; ++iw) {
        float* __restrict d = dx + ((n * s.H + ih) * s.W + iw) * C;
        index_t q0, q1;
        windows_of(iw, s.sw, s.pl, s.KW, s.OW, q0, q1);
        const int32_t idx = (int32_t)(ih * s.W + iw);
        if (float_index) {
          const vf vidx = set1((float)idx);
          for (index_t c = 0; c < C; c += kW) {
            const int nn = (int)std::min<index_t>(kW, C - c);
            const bool full = nn == kW;
            vf acc = zero();
            for (index_t oh = o0; oh < o1; ++oh)
              for (index_t ow = q0; ow < q1; ++ow) {
                const index_t off = ((n * s.OH + oh) * s.OW + ow) * C + c;
                const vf a = full ? load_i32(argmax + off) : load_i32_n(argmax + off, nn);
                const vf g = full ? load(dy + off) : load_n(dy + off, nn);
                // g where a == idx (integer-valued floats: neither is greater), else 0
                acc = acc + select_gt(a, vidx, zero(), select_gt(vidx, a, zero(), g));
              }
            if (full)
              store(d + c, acc);
            else
              store_n(d + c, acc, nn);
          }
          continue;
        }
        std::fill(d, d + C, 0.0f);
        for (index_t oh = o0; oh < o1; ++oh)
          for (index_t ow = q0; ow < q1; ++ow) {
            const index_t off = ((n * s.OH + oh) * s.OW + ow) * C;
            const float* __restrict g = dy + off;
            const int32_t* __restrict am = argmax + off;
            for (index_t c = 0; c < C; ++c) d[c] += am[c] == idx ? g[c] : 0.0f;
          }
      }
    }
  });
}

void avg_pool2d_forward(const PoolShape& s, const float* x, float* y) {
  FtzGuard ftz;
  const index_t C = s.C, rows = s.N * s.OH;
  const int nt = threads_for(4.0 * s.N * s.H * s.W * C);
  parallel_range(rows, chunk_size(rows, nt, 1), nt, [&](index_t r_b, index_t r_e) {
    for (index_t r = r_b; r < r_e; ++r) {
      const index_t n = r / s.OH, oh = r % s.OH;
      index_t h0, h1;
      window(oh, s.sh, s.pt, s.KH, s.H, h0, h1);
      const float* xn = x + n * s.H * s.W * C;
      for (index_t ow = 0; ow < s.OW; ++ow) {
        index_t w0, w1;
        window(ow, s.sw, s.pl, s.KW, s.W, w0, w1);
        const vf inv = set1(1.0f / (float)((h1 - h0) * (w1 - w0)));
        float* out = y + ((n * s.OH + oh) * s.OW + ow) * C;
        for (index_t c = 0; c < C; c += kW) {
          const int nn = (int)std::min<index_t>(kW, C - c);
          vf acc = zero();
          for (index_t ih = h0; ih < h1; ++ih)
            for (index_t iw = w0; iw < w1; ++iw) {
              const float* v = xn + (ih * s.W + iw) * C + c;
              acc = acc + (nn == kW ? load(v) : load_n(v, nn));
            }
          if (nn == kW)
            store(out + c, acc * inv);
          else
            store_n(out + c, acc * inv, nn);
        }
      }
    }
  });
}

void avg_pool2d_backward(const PoolShape& s, const float* dy, float* dx) {
  FtzGuard ftz;
  const index_t C = s.C, rows = s.N * s.H;
  // 1 / (real cells) per output row and column: window counts factor into rows x columns.
  std::vector<float> inv_h((size_t)s.OH), inv_w((size_t)s.OW);
  for (index_t o = 0; o < s.OH; ++o) {
    index_t lo, hi;
    window(o, s.sh, s.pt, s.KH, s.H, lo, hi);
    inv_h[o] = (float)(hi - lo);
  }
  for (index_t o = 0; o < s.OW; ++o) {
    index_t lo, hi;
    window(o, s.sw, s.pl, s.KW, s.W, lo, hi);
    inv_w[o] = (float)(hi - lo);
  }
  const int nt = threads_for(4.0 * s.N * s.H * s.W * C);
  parallel_range(rows, chunk_size(rows, nt, 1), nt, [&](index_t r_b, index_t r_e) {
    for (index_t r = r_b; r < r_e; ++r) {
      const index_t n = r / s.H, ih = r % s.H;
      index_t o0, o1;
      windows_of(ih, s.sh, s.pt, s.KH, s.OH, o0, o1);
      for (index_t iw = 0; iw < s.W; ++iw) {
        float* d = dx + ((n * s.H + ih) * s.W + iw) * C;
        index_t q0, q1;
        windows_of(iw, s.sw, s.pl, s.KW, s.OW, q0, q1);
        for (index_t c = 0; c < C; c += kW) {
          const int nn = (int)std::min<index_t>(kW, C - c);
          vf acc = zero();
          for (index_t oh = o0; oh < o1; ++oh)
            for (index_t ow = q0; ow < q1; ++ow) {
              const float* g = dy + ((n * s.OH + oh) * s.OW + ow) * C + c;
              const vf inv = set1(1.0f / (inv_h[oh] * inv_w[ow]));
              acc = fmadd(nn == kW ? load(g) : load_n(g, nn), inv, acc);
            }
          if (nn == kW)
            store(d + c, acc);
          else
            store_n(d + c, acc, nn);
        }
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

}  // namespace TF_ISA
}  // namespace tf
