// The depth fold of 3-D convolution (contract and Note [depth fold]: tf/conv3d.h): memory-bound
// copies between x (N, D, H, W, CI) and xcol (N*OD, H, W, KD*CI). Compiled once per ISA (tf/isa.h).
#include <algorithm>
#include <vector>

#include "tf/conv3d.h"
#include "tf/parallel.h"

namespace tf {
namespace TF_ISA {

void conv3d_depth_gather(const Conv3Shape& s, const float* x, float* xcol) {
  const index_t HW = s.H * s.W, CI = s.CI, KD = s.KD, ld = KD * CI, planes = s.N * s.OD;
  // parallel over output planes; each writes its own (H, W, KD*CI) block pixel by pixel (one
  // sequential write stream; a memcpy call per CI floats cost ~10 ns, 1.7 ms of the strided C3D
  // layer's 8 MB fold at CI = 16)
  parallel_for(planes, 2, [&](index_t b, index_t e) {
    std::vector<const float*> src((size_t)KD);
    for (index_t q = b; q < e; ++q) {
      const index_t n = q / s.OD, od = q % s.OD;
      for (index_t t = 0; t < KD; ++t) {
        const index_t id = od * s.sd - s.pd + t * s.dd;
        src[t] = id >= 0 && id < s.D ? x + (n * s.D + id) * HW * CI : nullptr;
      }
      float* dst = xcol + q * HW * ld;
      for (index_t p = 0; p < HW; ++p, dst += ld)
        for (index_t t = 0; t < KD; ++t) {
          float* d = dst + t * CI;
          if (const float* sp = src[t]) {
            sp += p * CI;
            for (index_t c = 0; c < CI; ++c) d[c] = sp[c];
          } else {
            for (index_t c = 0; c < CI; ++c) d[c] = 0.0f;
          }
        }
    }
  });
}

void conv3d_depth_scatter(const Conv3Shape& s, const float* dxcol, float* dx) {
  const index_t HW = s.H * s.W, CI = s.CI, ld = s.KD * CI, planes = s.N * s.D;
  // parallel over input planes (a gather: each dx plane sums the (od, t) that read it, in tap
  // order, so no two threads write one element and the sum's order is fixed); the first tap
  // is copied, the others added (no zero fill unless no tap reads the plane)
  parallel_for(planes, 2, [&](index_t b, index_t e) {
    std::vector<const float*> src;
    for (index_t q = b; q < e; ++q) {
      const index_t n = q / s.D, id = q % s.D;
      src.clear();
      for (index_t t = 0; t < s.KD; ++t) {
        const index_t r = id + s.pd - t * s.dd;  // od * sd
        if (r >= 0 && r % s.sd == 0 && r / s.sd < s.OD)
          src.push_back(dxcol + ((n * s.OD + r / s.sd) * HW) * ld + t * CI);
      }
      float* dst = dx + q * HW * CI;
      const size_t k = src.size();
      if (k == 0) {
        std::fill(dst, dst + HW * CI, 0.0f);
        continue;
      }
      for (index_t p = 0; p < HW; ++p, dst += CI) {
        const float* g0 = src[0] + p * ld;
        for (index_t c = 0; c < CI; ++c) dst[c] = g0[c];
        for (size_t j = 1; j < k; ++j) {
          const float* g = src[j] + p * ld;
          for (index_t c = 0; c < CI; ++c) dst[c] += g[c];
        }
      }
    }
  });
}

}  // namespace TF_ISA
}  // namespace tf
