// Projective image transform (contract: tf/image_transform.h). Compiled once per ISA (tf/isa.h);
// scalar per output pixel, the C channels of a pixel contiguous. Rows of output pixels run in
// parallel. The coordinate arithmetic is the reference's float32, one rounding per operation as
// written (no fused multiply-adds: a 'nearest' read at a half-pixel must pick the same pixel).
#include <algorithm>
#include <cmath>

#include "tf/image_transform.h"
#include "tf/parallel.h"

#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace tf {
namespace TF_ISA {

namespace {

// Note [fill modes] (python/tensorforge/reference/image.py): c mapped into [0, n - 1].
float map_reflect(float c, index_t n) {
  if (n <= 1) return 0.0f;
  const float sz2 = (float)(2 * n), fn = (float)n;
  float out = c;
  if (c < 0.0f) {
    const float neg = sz2 * std::trunc(-c / sz2) + c;
    out = neg < -fn ? neg + sz2 : -neg - 1.0f;
  } else if (c > fn - 1.0f) {
    const float pos = c - sz2 * std::trunc(c / sz2);
    out = pos >= fn ? sz2 - pos - 1.0f : pos;
  }
  return std::min(std::max(out, 0.0f), fn - 1.0f);
}

float map_wrap(float c, index_t n) {
  if (n <= 1) return 0.0f;
  const float sz = (float)(n - 1), fn = (float)n;
  float out = c;
  if (c < 0.0f)
    out = c + fn * (std::trunc(-c / sz) + 1.0f);
  else if (c > fn - 1.0f)
    out = c - fn * std::trunc(c / sz);
  return std::min(std::max(out, 0.0f), fn - 1.0f);
}

inline float map_coord(float c, index_t n, FillMode fill) {
  switch (fill) {
    case FillMode::reflect: return map_reflect(c, n);
    case FillMode::wrap: return map_wrap(c, n);
    case FillMode::nearest: return std::min(std::max(c, 0.0f), (float)(n - 1));
    default: return c;  // constant: reads outside give fill_value
  }
}

// Pixel (iy, ix) of an (H, W, C) image, or nullptr outside it.
inline const float* pixel(const ImgShape& s, const float* img, float fy, float fx) {
  if (!(fy >= 0.0f && fy < (float)s.H && fx >= 0.0f && fx < (float)s.W)) return nullptr;
  return img + ((index_t)fy * s.W + (index_t)fx) * s.C;
}

}  // namespace

void image_transform(const ImgShape& s, const float* x, const float* t, FillMode fill,
                     float fill_value, bool bilinear, float* y) {
  const index_t C = s.C, rows = s.N * s.Ho;
  const double bytes = 4.0 * (double)(rows * s.Wo * C) * (bilinear ? 5.0 : 2.0);
  const int nt = bytes < 2e5 ? 1 : max_threads();
  parallel_range(rows, std::max<index_t>(1, 4096 / std::max<index_t>(1, s.Wo * C)), nt,
                 [&](index_t rb, index_t re) {
    for (index_t r = rb; r < re; ++r) {
      const index_t n = r / s.Ho, oy = r % s.Ho;
      const float* tr = t + n * 8;
      const float* img = x + n * s.H * s.W * C;
      const float fy = (float)oy;
      float* out = y + r * s.Wo * C;
      for (index_t ox = 0; ox < s.Wo; ++ox, out += C) {
        const float fx = (float)ox;
        float k = tr[6] * fx + tr[7] * fy + 1.0f;
        if (k == 0.0f) {
          std::fill(out, out + C, fill_value);
          continue;
        }
        const float in_x = map_coord((tr[0] * fx + tr[1] * fy + tr[2]) / k, s.W, fill);
        const float in_y = map_coord((tr[3] * fx + tr[4] * fy + tr[5]) / k, s.H, fill);
        if (!bilinear) {  // std::round: halves away from zero
          const float* p = pixel(s, img, std::trunc(in_y + std::copysign(0.5f, in_y)),
                                 std::trunc(in_x + std::copysign(0.5f, in_x)));
          for (index_t c = 0; c < C; ++c) out[c] = p ? p[c] : fill_value;
          continue;
        }
        const float y0 = std::floor(in_y), x0 = std::floor(in_x), y1 = y0 + 1.0f, x1 = x0 + 1.0f;
        const float wx0 = x1 - in_x, wx1 = in_x - x0, wy0 = y1 - in_y, wy1 = in_y - y0;
        const float *p00 = pixel(s, img, y0, x0), *p01 = pixel(s, img, y0, x1),
                    *p10 = pixel(s, img, y1, x0), *p11 = pixel(s, img, y1, x1);
        for (index_t c = 0; c < C; ++c) {
          const float top = wx0 * (p00 ? p00[c] : fill_value) + wx1 * (p01 ? p01[c] : fill_value);
          const float bottom = wx0 * (p10 ? p10[c] : fill_value) + wx1 * (p11 ? p11[c] : fill_value);
          out[c] = wy0 * top + wy1 * bottom;
        }
      }
    }
  });
}

}  // namespace TF_ISA
}  // namespace tf
