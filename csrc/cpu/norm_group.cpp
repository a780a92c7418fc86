// Group normalization kernels (contract and layout: tf/norm_group.h). Compiled once per ISA
// (tf/isa.h). One sample at a time, two passes over x per direction, as batch normalization's
// (csrc/cpu/norm.cpp): sums, then an affine pass with per-channel coefficients.
//
// Two vector orders, by the layout:
// - B == 1 (channels_last): vectors across the C channels of each of the A rows, up to 4 vectors
//   of channels at a time with their sums in registers down the rows; the sums are kept per
//   channel (float over kFlush rows, then double) and added per group at the end.
// - B > 1 (channels_first and friends): each (a, g) run of L = Cg*B contiguous floats is summed
//   along itself (the sums per channel, for the backward's dgamma / dbeta, run along the B
//   values of each channel).
// (x - mean) is formed before scaling, never x*scale - mean*scale (a mean of 1e4 would cancel).
#include <algorithm>
#include <cmath>
#include <vector>

#include "tf/norm_group.h"
#include "tf/parallel.h"
#include "tf/simd.h"
#include "norm_lanes.h"

namespace tf {
namespace TF_ISA {

namespace {
using namespace simd;

constexpr int kFlush = 16;  // vectors (B > 1) or rows (B == 1) summed in float before double

int threads_for(const GnShape& s, double bytes_per_value) {
  const double bytes = bytes_per_value * (double)(s.N * s.A * s.G * s.Cg * s.B);
  return bytes < 2e5 || s.N < 2 ? 1 : max_threads();
}

// Per-channel sums of one sample, in double: kBwd false: S1[c] = sum (x - k[c]), S2[c] =
// sum (x - k[c])^2 (k the group's shift); kBwd true: S1[c] = sum dy, S2[c] = sum dy*(x - k[c])
// (k the group's mean). x and dy point at the sample; k has C entries.
template <bool kBwd>
void channel_sums(const GnShape& s, const float* x, const float* dy, const float* k, double* S1,
                  double* S2) {
  const index_t C = s.G * s.Cg, B = s.B;
  std::fill(S1, S1 + C, 0.0);
  std::fill(S2, S2 + C, 0.0);
  if (B == 1) {
    // blocks of up to kVec vectors of channels, their sums in registers down the A rows
    constexpr int kVec = 4;
    for (index_t c0 = 0; c0 < C; c0 += (index_t)kW * kVec) {
      const int nv = (int)std::min<index_t>(kVec, ceil_div(C - c0, (index_t)kW));
      const int last = (int)std::min<index_t>(kW, C - c0 - (index_t)(nv - 1) * kW);
      vf vk[kVec];
      for (int v = 0; v < nv; ++v) vk[v] = loadv(k + c0 + v * kW, v == nv - 1 ? last : kW);
      for (index_t a0 = 0; a0 < s.A; a0 += kFlush) {
        const index_t a1 = std::min(s.A, a0 + kFlush);
        vf s1[kVec], s2[kVec];
        for (int v = 0; v < nv; ++v) s1[v] = s2[v] = zero();
        for (index_t a = a0; a < a1; ++a) {
          const float* xr = x + a * C + c0;
          const float* gr = kBwd ? dy + a * C + c0 : nullptr;
          for (int v = 0; v < nv; ++v) {
            const int nn = v == nv - 1 ? last : kW;
            const vf xc = loadv(xr + v * kW, nn) - vk[v];
            const vf u = kBwd ? loadv(gr + v * kW, nn) : xc;
            s1[v] = s1[v] + u;
            s2[v] = fmadd(u, xc, s2[v]);
          }
        }
        for (int v = 0; v < nv; ++v) {
          float t1[kW], t2[kW];
          store(t1, s1[v]);
          store(t2, s2[v]);
          const int nn = v == nv - 1 ? last : kW;
          for (int l = 0; l < nn; ++l) {
            S1[c0 + v * kW + l] += t1[l];
            S2[c0 + v * kW + l] += t2[l];
          }
        }
      }
    }
    return;
  }
  for (index_t a = 0; a < s.A; ++a)
    for (index_t c = 0; c < C; ++c) {
      const float* xr = x + (a * C + c) * B;
      const float* gr = kBwd ? dy + (a * C + c) * B : nullptr;
      const vf vk = set1(k[c]);
      for (index_t b0 = 0; b0 < B; b0 += (index_t)kW * kFlush) {
        const index_t b1 = std::min(B, b0 + (index_t)kW * kFlush);
        vf s1 = zero(), s2 = zero();
        for (index_t b = b0; b < b1; b += kW) {
          const int nn = (int)std::min<index_t>(kW, b1 - b);
          // lanes past nn: x and dy load 0, and k is 0 there too, so they add nothing
          const vf xc = loadv(xr + b, nn) - (nn == kW ? vk : loadv_k(k[c], nn));
          const vf u = kBwd ? loadv(gr + b, nn) : xc;
          s1 = s1 + u;
          s2 = fmadd(u, xc, s2);
        }
        S1[c] += (double)reduce_add(s1);
        S2[c] += (double)reduce_add(s2);
      }
    }
}

// out = (x - m[c]) * p[c] + q[c] (kBwd false) or dy * p[c] + (x - m[c]) * r[c] + q[c] (kBwd
// true) over one sample, per-channel coefficient arrays of C floats.
template <bool kBwd>
void channel_affine(const GnShape& s, const float* x, const float* dy, const float* m,
                    const float* p, const float* r, const float* q, float* out) {
  const index_t C = s.G * s.Cg, B = s.B;
  if (B == 1) {
    for (index_t a = 0; a < s.A; ++a) {
      const float* xr = x + a * C;
      float* o = out + a * C;
      for (index_t c = 0; c < C; c += kW) {
        const int nn = (int)std::min<index_t>(kW, C - c);
        const vf xc = loadv(xr + c, nn) - loadv(m + c, nn);
        vf v;
        if (kBwd)
          v = fmadd(loadv(dy + a * C + c, nn), loadv(p + c, nn),
                    fmadd(xc, loadv(r + c, nn), loadv(q + c, nn)));
        else
          v = fmadd(xc, loadv(p + c, nn), loadv(q + c, nn));
        storev(o + c, v, nn);
      }
    }
    return;
  }
  for (index_t a = 0; a < s.A; ++a)
    for (index_t c = 0; c < C; ++c) {
      const index_t off = (a * C + c) * B;
      const vf vm = set1(m[c]), vp = set1(p[c]), vq = set1(q[c]), vr = set1(kBwd ? r[c] : 0.0f);
      for (index_t b = 0; b < B; b += kW) {
        const int nn = (int)std::min<index_t>(kW, B - b);
        const vf xc = loadv(x + off + b, nn) - vm;
        const vf v = kBwd ? fmadd(loadv(dy + off + b, nn), vp, fmadd(xc, vr, vq))
                          : fmadd(xc, vp, vq);
        storev(out + off + b, v, nn);
      }
    }
}

}  // namespace

void group_norm_forward(const GnShape& s, const float* x, const float* gamma, const float* beta,
                        float eps, float* y, float* mean, float* inv_std) {
  FtzGuard ftz;
  const index_t G = s.G, Cg = s.Cg, C = G * Cg, per = s.A * C * s.B;
  const double n = (double)(s.A * Cg * s.B);
  parallel_chunks(s.N, threads_for(s, 8.0), [&](index_t i) {
    const float* xs = x + i * per;
    std::vector<float> k((size_t)C), p((size_t)C), q((size_t)C);
    std::vector<double> S1((size_t)C), S2((size_t)C);
    for (index_t g = 0; g < G; ++g)  // the shift: the group's first value
      std::fill(k.begin() + g * Cg, k.begin() + (g + 1) * Cg, xs[g * Cg * s.B]);
    channel_sums<false>(s, xs, nullptr, k.data(), S1.data(), S2.data());
    for (index_t g = 0; g < G; ++g) {
      double d1 = 0.0, d2 = 0.0;
      for (index_t c = g * Cg; c < (g + 1) * Cg; ++c) {
        d1 += S1[c];
        d2 += S2[c];
      }
      const double d = d1 / n;
      double var = d2 / n - d * d;
      var = var < 0.0 ? 0.0 : var;  // (rounding; NaN stays NaN)
      const float mu = (float)((double)k[g * Cg] + d), inv = (float)(1.0 / std::sqrt(var + (double)eps));
      mean[i * G + g] = mu;
      inv_std[i * G + g] = inv;
      for (index_t c = g * Cg; c < (g + 1) * Cg; ++c) {
        k[c] = mu;
        p[c] = gamma ? inv * gamma[c] : inv;
        q[c] = beta ? beta[c] : 0.0f;
      }
    }
    channel_affine<false>(s, xs, nullptr, k.data(), p.data(), nullptr, q.data(), y + i * per);
  });
}

void group_norm_backward(const GnShape& s, const float* dy, const float* x, const float* mean,
                         const float* inv_std, const float* gamma, float* dx, float* dgamma,
                         float* dbeta) {
  FtzGuard ftz;
  const index_t G = s.G, Cg = s.Cg, C = G * Cg, per = s.A * C * s.B;
  const double n = (double)(s.A * Cg * s.B);
  // per sample: C doubles of sum(dy*xhat), then C of sum(dy)
  std::vector<double> part((size_t)(s.N * 2 * C), 0.0);
  parallel_chunks(s.N, threads_for(s, 12.0), [&](index_t i) {
    const float *xs = x + i * per, *gs = dy + i * per;
    std::vector<float> m((size_t)C), p((size_t)C), r((size_t)C), q((size_t)C);
    std::vector<double> D1((size_t)C), D2((size_t)C);
    for (index_t g = 0; g < G; ++g)
      std::fill(m.begin() + g * Cg, m.begin() + (g + 1) * Cg, mean[i * G + g]);
    channel_sums<true>(s, xs, gs, m.data(), D1.data(), D2.data());
    double* pg = part.data() + i * 2 * C;
    for (index_t g = 0; g < G; ++g) {
      const double inv = (double)inv_std[i * G + g];
      double sg = 0.0, sgx = 0.0;  // sum(dy*gamma), sum(dy*gamma*xhat) over the group
      bool finite_gamma = true;
      for (index_t c = g * Cg; c < (g + 1) * Cg; ++c) {
        const double gc = gamma ? (double)gamma[c] : 1.0;
        finite_gamma = finite_gamma && std::isfinite(gc);
        sg += gc * D1[c];
        sgx += gc * D2[c] * inv;
        pg[c] = D2[c] * inv;
        pg[C + c] = D1[c];
      }
      // The sums factor gamma out of the sums over a channel; with an infinite gamma the
      // per-value products dy*gamma hold infinities of both signs: NaN, as the formula's
      if (!finite_gamma) sg = sgx = std::nan("");
      // dx = dy*inv*gamma - (x - mean)*inv^2*mean(g*xhat) - inv*mean(g); a group of one value
      // is y = beta whatever x: dx = 0 exactly (not the rounding left of dy*p - dy*p)
      const bool one = n == 1.0 && finite_gamma;
      const float b = (float)(-inv * sgx / n), cc = one ? 0.0f : (float)(-inv * sg / n);
      for (index_t c = g * Cg; c < (g + 1) * Cg; ++c) {
        p[c] = one ? 0.0f : (float)(inv * (gamma ? (double)gamma[c] : 1.0));
        r[c] = one ? 0.0f : b * (float)inv;
        q[c] = cc;
      }
    }
    channel_affine<true>(s, xs, gs, m.data(), p.data(), r.data(), q.data(), dx + i * per);
  });
  for (index_t c = 0; c < C; ++c) {
    double sg = 0.0, sb = 0.0;
    for (index_t i = 0; i < s.N; ++i) {
      sg += part[(size_t)(i * 2 * C + c)];
      sb += part[(size_t)(i * 2 * C + C + c)];
    }
    dgamma[c] = (float)sg;
    dbeta[c] = (float)sb;
  }
}

}  // namespace TF_ISA
}  // namespace tf
