// The depth fold of 3-D convolution (contract and Note [depth fold]: tf/conv3d.h): memory-bound
// copies between x (N, D, H, W, CI) and xcol (N*OD, H, W, KD*CI). Compiled once per ISA (tf/isa.h).
#include <algorithm>
#include <cstring>

#include "tf/conv3d.h"
#include "tf/parallel.h"

namespace tf {
namespace TF_ISA {

namespace {
// dst[p*ld + c] = src[p*CI + c] for p < n, c < CI (or 0 when src is null).
inline void copy_block(float* dst, index_t ld, const float* src, index_t CI, index_t n) {
  if (!src) {
    for (index_t p = 0; p < n; ++p) std::fill(dst + p * ld, dst + p * ld + CI, 0.0f);
  } else if (CI == 1) {
    for (index_t p = 0; p < n; ++p) dst[p * ld] = src[p];
  } else if (CI == 3) {
    for (index_t p = 0; p < n; ++p) {
      dst[p * ld] = src[p * 3]; dst[p * ld + 1] = src[p * 3 + 1]; dst[p * ld + 2] = src[p * 3 + 2];
    }
  } else {
    for (index_t p = 0; p < n; ++p) std::memcpy(dst + p * ld, src + p * CI, CI * sizeof(float));
  }
}

// dst[p*CI + c] += src[p*ld + c].
inline void add_block(float* dst, const float* src, index_t ld, index_t CI, index_t n) {
  for (index_t p = 0; p < n; ++p) {
    float* d = dst + p * CI;
    const float* g = src + p * ld;
    for (index_t c = 0; c < CI; ++c) d[c] += g[c];
  }
}
}  // namespace

void conv3d_depth_gather(const Conv3Shape& s, const float* x, float* xcol) {
  const index_t HW = s.H * s.W, CI = s.CI, ld = s.KD * CI, planes = s.N * s.OD;
  // parallel over output planes; each writes its own (H, W, KD*CI) block
  parallel_for(planes, 2, [&](index_t b, index_t e) {
    for (index_t q = b; q < e; ++q) {
      const index_t n = q / s.OD, od = q % s.OD;
      float* dst = xcol + q * HW * ld;
      for (index_t t = 0; t < s.KD; ++t) {
        const index_t id = od * s.sd - s.pd + t * s.dd;
        const float* src = id >= 0 && id < s.D ? x + (n * s.D + id) * HW * CI : nullptr;
        copy_block(dst + t * CI, ld, src, CI, HW);
      }
    }
  });
}

void conv3d_depth_scatter(const Conv3Shape& s, const float* dxcol, float* dx) {
  const index_t HW = s.H * s.W, CI = s.CI, ld = s.KD * CI, planes = s.N * s.D;
  // parallel over input planes (a gather: each dx plane sums the (od, t) that read it, in tap
  // order, so no two threads write one element and the sum's order is fixed)
  parallel_for(planes, 2, [&](index_t b, index_t e) {
    for (index_t q = b; q < e; ++q) {
      const index_t n = q / s.D, id = q % s.D;
      float* dst = dx + q * HW * CI;
      std::fill(dst, dst + HW * CI, 0.0f);
      for (index_t t = 0; t < s.KD; ++t) {
        const index_t r = id + s.pd - t * s.dd;  // od * sd
        if (r < 0 || r % s.sd != 0 || r / s.sd >= s.OD) continue;
        add_block(dst, dxcol + ((n * s.OD + r / s.sd) * HW) * ld + t * CI, ld, CI, HW);
      }
    }
  });
}

}  // namespace TF_ISA
}  // namespace tf
