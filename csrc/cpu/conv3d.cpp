// The depth fold of 3-D convolution (contract and Note [depth fold]: tf/conv3d.h): memory-bound
// copies between x (N, D, H, W, CI) and xcol (N*OD, H, W, KD*CI). Compiled once per ISA (tf/isa.h).
#include <algorithm>
#include <utility>
#include <vector>

#include "tf/conv3d.h"
#include "tf/parallel.h"
#include "tf/simd.h"

namespace tf {
namespace TF_ISA {

namespace {
// The input depth of output plane od's tap t, or -1 in the padding.
inline index_t tap_depth(const Conv3Shape& s, index_t od, index_t t) {
  const index_t id = od * s.sd - s.pd + t * s.dd;
  return id >= 0 && id < s.D ? id : -1;
}

// d[0..n) = sp[0..n), or zeros when sp is null; the last partial vector through a masked store
// (the runs are 3-16 floats: C3D's first layer copies runs of 3 or 9, at ~1 ns a float as a
// scalar loop).
inline void copy_run(float* d, const float* sp, index_t n) {
  using namespace simd;
  index_t c = 0;
  if (sp) {
    for (; c + kW <= n; c += kW) store(d + c, load(sp + c));
    if (c < n) store_n(d + c, load_n(sp + c, (int)(n - c)), (int)(n - c));
  } else {
    for (; c + kW <= n; c += kW) store(d + c, zero());
    if (c < n) store_n(d + c, zero(), (int)(n - c));
  }
}

// d[0..n) += g[0..n).
inline void add_run(float* d, const float* g, index_t n) {
  using namespace simd;
  index_t c = 0;
  for (; c + kW <= n; c += kW) store(d + c, load(d + c) + load(g + c));
  if (c < n) store_n(d + c, load_n(d + c, (int)(n - c)) + load_n(g + c, (int)(n - c)), (int)(n - c));
}
}  // namespace

void conv3d_depth_gather(const Conv3Shape& s, const float* x, float* xcol) {
  const index_t HW = s.H * s.W, CI = s.CI, KD = s.KD, planes = s.N * s.OD;
  const index_t ld = s.fold_taps() * CI, OWc = s.fold_w ? s.OW : s.W;
  // parallel over output planes; each writes its own (H, W or OW, ld) block pixel by pixel (one
  // sequential write stream; a memcpy call per CI floats cost ~10 ns, 1.7 ms of the strided C3D
  // layer's 8 MB fold at CI = 16)
  parallel_for(planes, 2, [&](index_t b, index_t e) {
    std::vector<const float*> src((size_t)KD);
    for (index_t q = b; q < e; ++q) {
      const index_t n = q / s.OD, od = q % s.OD;
      for (index_t t = 0; t < KD; ++t) {
        const index_t id = tap_depth(s, od, t);
        src[t] = id >= 0 ? x + (n * s.D + id) * HW * CI : nullptr;
      }
      float* dst = xcol + q * s.H * OWc * ld;
      if (!s.fold_w) {
        for (index_t p = 0; p < HW; ++p, dst += ld)
          for (index_t t = 0; t < KD; ++t) copy_run(dst + t * CI, src[t] ? src[t] + p * CI : nullptr, CI);
        continue;
      }
      for (index_t h = 0; h < s.H; ++h)  // Note [width fold]
        for (index_t ow = 0; ow < s.OW; ++ow, dst += ld) {
          const index_t iw0 = ow * s.sw - s.pw;
          const bool inside = s.dw == 1 && iw0 >= 0 && iw0 + s.KW <= s.W;  // one run of KW*CI
          for (index_t t = 0; t < KD; ++t) {
            float* d = dst + t * s.KW * CI;
            if (!src[t] || inside) {
              copy_run(d, src[t] ? src[t] + (h * s.W + iw0) * CI : nullptr, s.KW * CI);
              continue;
            }
            for (index_t kw = 0; kw < s.KW; ++kw) {
              const index_t iw = iw0 + kw * s.dw;
              copy_run(d + kw * CI, iw >= 0 && iw < s.W ? src[t] + (h * s.W + iw) * CI : nullptr, CI);
            }
          }
        }
    }
  });
}

void conv3d_depth_scatter(const Conv3Shape& s, const float* dxcol, float* dx) {
  const index_t HW = s.H * s.W, CI = s.CI, planes = s.N * s.D;
  const index_t ld = s.fold_taps() * CI, OWc = s.fold_w ? s.OW : s.W;
  // parallel over input planes (a gather: each dx plane sums the (od, t) that read it, in tap
  // order, so no two threads write one element and the sum's order is fixed); without the
  // width fold the first tap is copied, the others added (no zero fill unless no tap reads the
  // plane)
  parallel_for(planes, 2, [&](index_t b, index_t e) {
    std::vector<std::pair<const float*, index_t>> src;  // (plane of dxcol, tap t)
    for (index_t q = b; q < e; ++q) {
      const index_t n = q / s.D, id = q % s.D;
      src.clear();
      for (index_t t = 0; t < s.KD; ++t) {
        const index_t r = id + s.pd - t * s.dd;  // od * sd
        if (r >= 0 && r % s.sd == 0 && r / s.sd < s.OD)
          src.emplace_back(dxcol + (n * s.OD + r / s.sd) * s.H * OWc * ld, t);
      }
      float* dst = dx + q * HW * CI;
      if (src.empty() || s.fold_w) std::fill(dst, dst + HW * CI, 0.0f);
      if (src.empty()) continue;
      if (s.fold_w) {  // Note [width fold]: each (ow, kw) adds into column ow*sw - pw + kw*dw
        for (const auto& [plane, t] : src)
          for (index_t h = 0; h < s.H; ++h)
            for (index_t ow = 0; ow < s.OW; ++ow) {
              const float* g = plane + (h * s.OW + ow) * ld + t * s.KW * CI;
              const index_t iw0 = ow * s.sw - s.pw;
              if (s.dw == 1 && iw0 >= 0 && iw0 + s.KW <= s.W) {  // one run of KW*CI
                add_run(dst + (h * s.W + iw0) * CI, g, s.KW * CI);
                continue;
              }
              for (index_t kw = 0; kw < s.KW; ++kw) {
                const index_t iw = iw0 + kw * s.dw;
                if (iw >= 0 && iw < s.W) add_run(dst + (h * s.W + iw) * CI, g + kw * CI, CI);
              }
            }
        continue;
      }
      for (index_t p = 0; p < HW; ++p, dst += CI) {
        copy_run(dst, src[0].first + p * ld + src[0].second * CI, CI);
        for (size_t j = 1; j < src.size(); ++j) add_run(dst, src[j].first + p * ld + src[j].second * CI, CI);
      }
    }
  });
}

}  // namespace TF_ISA
}  // namespace tf
