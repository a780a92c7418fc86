// Batch and layer normalization kernels (contract and layout: tf/norm.h). Compiled once per ISA
// (tf/isa.h). Layer normalization (the end of this file) runs one row per sample: its sums and
// its affine pass are those of a batch-norm row of B >= 16 values, with per-row statistics.
//
// Two passes over x per direction, as the closed forms need: forward (training) = per-channel
// sums (Note [batch norm sums] in tf/norm.h) then y = (x - mean) * scale + beta; backward =
// sums of dy and dy*(x - mean), then dx = dy*a + (x - mean)*b + c per channel. (x - mean) is
// formed before scaling, never x*scale - mean*scale: with a mean of 1e4 the latter cancels.
// channels_last (B == 1) runs whole vf vectors across the C channels of a row (the statistics
// also for B < 16, folded); any other axis runs vectors along the B contiguous values of one
// channel (channels_first: H*W).
#include <algorithm>
#include <cmath>
#include <vector>

#include "tf/norm.h"
#include "tf/parallel.h"
#include "tf/simd.h"
#include "norm_lanes.h"

namespace tf {
namespace TF_ISA {

namespace {
using namespace simd;

constexpr int kFlush = 16;            // vectors summed in float per lane before going to double
constexpr index_t kChunkFloats = 16384;  // a reduction chunk reads about this many floats of x

int threads_for(double bytes) { return bytes < 2e5 ? 1 : max_threads(); }

// One vector's contribution to the two sums: kBwd false: u = x - k, v = u*u (statistics, k the
// shift); kBwd true: u = dy, v = dy*(x - k) (backward, k the mean). Lanes past nn load 0 and k
// is 0 there too, so they add nothing.
template <bool kBwd>
inline void accumulate(const float* x, const float* dy, vf k, int nn, vf& s1, vf& s2) {
  const vf xc = loadv(x, nn) - k;
  if (kBwd) {
    const vf g = loadv(dy, nn);
    s1 = s1 + g;
    s2 = fmadd(g, xc, s2);
  } else {
    s1 = s1 + xc;
    s2 = fmadd(xc, xc, s2);
  }
}

// S1[c], S2[c] (double) = the sums above over every (a, b) of channel c; ctr[c] is k.
// Deterministic: fixed-size chunks, partials added in chunk order (Note [batch norm sums]).
template <bool kBwd>
void channel_sums(const BnShape& s, const float* x, const float* dy, const float* ctr, double* S1,
                  double* S2) {
  const index_t A = s.A, C = s.C, B = s.B;
  const int nt = threads_for((kBwd ? 8.0 : 4.0) * A * C * B);
  if (B < 16) {
    // Rows of CV = C*B values (channels_last: B == 1). A short B is folded into the row as B
    // "virtual channels" per channel (one per b, same shift), summed per column and folded back
    // in order below. A chunk is R rows (a multiple of kFlush) with 2*CV double partials; R
    // grows so the partials never pass 2^21 doubles (16 MiB), a bound set by the shape alone.
    const index_t CV = C * B;
    std::vector<float> kv((size_t)CV);
    for (index_t c = 0; c < C; ++c) std::fill(kv.begin() + c * B, kv.begin() + (c + 1) * B, ctr[c]);
    index_t R = kFlush * std::max<index_t>(1, ceil_div(kChunkFloats, CV * kFlush));
    const index_t max_chunks = std::max<index_t>(1, ((index_t)1 << 20) / CV);
    if (ceil_div(A, R) > max_chunks) R = kFlush * ceil_div(ceil_div(A, max_chunks), kFlush);
    const index_t nch = ceil_div(A, R);
    std::vector<double> part((size_t)(nch * 2 * CV), 0.0);
    parallel_chunks(nch, nt, [&](index_t ch) {
      double* p1 = part.data() + ch * 2 * CV;
      double* p2 = p1 + CV;
      const index_t r_end = std::min(A, (ch + 1) * R);
      for (index_t r0 = ch * R; r0 < r_end; r0 += kFlush) {
        const index_t r1 = std::min(r_end, r0 + kFlush);
        index_t c = 0;
        // Note [four columns at once]: four vectors of a row per step, eight independent sum
        // chains, each row's 4*kW values read contiguously. One vector at a time left the FMA
        // latency chain (kFlush steps) exposed and walked the 16 rows once per vector: the
        // ResNet channels_last training forward took 3.4 ms at 1 thread on Zen 5, now 2.2 (the
        // backward's sums over x and dy stayed at ~2.7 ms: bench/RESULTS.md, "pool5").
        // Every lane still adds rows r0..r1 in order, so the sums are the same bits.
        for (; c + 4 * kW <= CV; c += 4 * kW) {
          vf k[4], s1[4], s2[4];
          for (int v = 0; v < 4; ++v) {
            k[v] = load(kv.data() + c + v * kW);
            s1[v] = zero();
            s2[v] = zero();
          }
          for (index_t r = r0; r < r1; ++r)
#pragma GCC unroll 4
            for (int v = 0; v < 4; ++v)
              accumulate<kBwd>(x + r * CV + c + v * kW, dy ? dy + r * CV + c + v * kW : nullptr, k[v],
                               kW, s1[v], s2[v]);
          for (int v = 0; v < 4; ++v) {
            float t1[kW], t2[kW];
            store(t1, s1[v]);
            store(t2, s2[v]);
            for (int l = 0; l < kW; ++l) {
              p1[c + v * kW + l] += t1[l];
              p2[c + v * kW + l] += t2[l];
            }
          }
        }
        for (; c < CV; c += kW) {
          const int nn = (int)std::min<index_t>(kW, CV - c);
          const vf k = loadv(kv.data() + c, nn);
          vf s1 = zero(), s2 = zero();
          for (index_t r = r0; r < r1; ++r)
            accumulate<kBwd>(x + r * CV + c, dy ? dy + r * CV + c : nullptr, k, nn, s1, s2);
          float t1[kW], t2[kW];
          store(t1, s1);
          store(t2, s2);
          for (int l = 0; l < nn; ++l) {
            p1[c + l] += t1[l];
            p2[c + l] += t2[l];
          }
        }
      }
    });
    std::fill(S1, S1 + C, 0.0);
    std::fill(S2, S2 + C, 0.0);
    for (index_t ch = 0; ch < nch; ++ch) {
      const double* p1 = part.data() + ch * 2 * CV;
      for (index_t c = 0; c < C; ++c)
        for (index_t b = 0; b < B; ++b) {
          S1[c] += p1[c * B + b];
          S2[c] += p1[CV + c * B + b];
        }
    }
    return;
  }
  // rows (a, c) of B >= 16 contiguous values: one double pair per row (at most 1/4 of x's bytes),
  // then per channel over a in order
  const index_t rows = A * C;
  const index_t R = std::max<index_t>(1, kChunkFloats / B);
  std::vector<double> row1((size_t)rows), row2((size_t)rows);
  parallel_range(rows, R, nt, [&](index_t rb, index_t re) {
    for (index_t r = rb; r < re; ++r) {
      const index_t c = r % C;
      const float* xr = x + r * B;
      const float* gr = dy ? dy + r * B : nullptr;
      float kb[kW];
      std::fill(kb, kb + kW, ctr[c]);
      double d1 = 0.0, d2 = 0.0;
      for (index_t b0 = 0; b0 < B; b0 += (index_t)kW * kFlush) {
        const index_t b1 = std::min(B, b0 + (index_t)kW * kFlush);
        vf s1 = zero(), s2 = zero();
        for (index_t b = b0; b < b1; b += kW) {
          const int nn = (int)std::min<index_t>(kW, b1 - b);
          accumulate<kBwd>(xr + b, gr ? gr + b : nullptr, loadv(kb, nn), nn, s1, s2);
        }
        d1 += (double)reduce_add(s1);
        d2 += (double)reduce_add(s2);
      }
      row1[r] = d1;
      row2[r] = d2;
    }
  });
  std::fill(S1, S1 + C, 0.0);
  std::fill(S2, S2 + C, 0.0);
  for (index_t a = 0; a < A; ++a)
    for (index_t c = 0; c < C; ++c) {
      S1[c] += row1[a * C + c];
      S2[c] += row2[a * C + c];
    }
}

// out = (x - ctr[c]) * b[c] + c3[c]  (+ dy * a[c] when kBwd), elementwise (WRITTEN).
template <bool kBwd>
void channel_affine(const BnShape& s, const float* x, const float* dy, const float* ctr,
                    const float* a, const float* b, const float* c3, float* out) {
  const index_t A = s.A, C = s.C, B = s.B;
  const int nt = threads_for((kBwd ? 12.0 : 8.0) * A * C * B);
  if (B == 1) {
    parallel_range(A, chunk_size(A, nt, std::max<index_t>(1, 4096 / C)), nt, [&](index_t rb, index_t re) {
      for (index_t r = rb; r < re; ++r) {
        const float* xr = x + r * C;
        float* o = out + r * C;
        for (index_t c = 0; c < C; c += kW) {
          const int nn = (int)std::min<index_t>(kW, C - c);
          vf v = fmadd(loadv(xr + c, nn) - loadv(ctr + c, nn), loadv(b + c, nn), loadv(c3 + c, nn));
          if (kBwd) v = fmadd(loadv(dy + r * C + c, nn), loadv(a + c, nn), v);
          storev(o + c, v, nn);
        }
      }
    });
    return;
  }
  const index_t rows = A * C;
  parallel_range(rows, chunk_size(rows, nt, std::max<index_t>(1, 4096 / B)), nt,
                 [&](index_t rb, index_t re) {
    for (index_t r = rb; r < re; ++r) {
      const index_t c = r % C;
      const vf k = set1(ctr[c]), vb = set1(b[c]), vc = set1(c3[c]), va = set1(kBwd ? a[c] : 0.0f);
      const float* xr = x + r * B;
      float* o = out + r * B;
      for (index_t i = 0; i < B; i += kW) {
        const int nn = (int)std::min<index_t>(kW, B - i);
        vf v = fmadd(loadv(xr + i, nn) - k, vb, vc);
        if (kBwd) v = fmadd(loadv(dy + r * B + i, nn), va, v);
        storev(o + i, v, nn);
      }
    }
  });
}

}  // namespace

void batch_norm_forward_train(const BnShape& s, const float* x, const float* gamma,
                              const float* beta, float eps, float momentum, bool bessel, float* y,
                              float* mean, float* inv_std, float* moving_mean, float* moving_var) {
  FtzGuard ftz;
  const index_t C = s.C;
  const double n = (double)s.A * (double)s.B;
  std::vector<float> shift((size_t)C), scale((size_t)C), bias((size_t)C);
  for (index_t c = 0; c < C; ++c) shift[c] = x[c * s.B];  // K[c] = x[0, c, 0]
  std::vector<double> S1((size_t)C), S2((size_t)C);
  channel_sums<false>(s, x, nullptr, shift.data(), S1.data(), S2.data());
  const float m = momentum, one_m = 1.0f - momentum;
  const double corr = bessel ? n / std::max(n - 1.0, 1.0) : 1.0;  // Bessel's, or none
  for (index_t c = 0; c < C; ++c) {
    const double d = S1[c] / n;
    double var = S2[c] / n - d * d;
    var = var < 0.0 ? 0.0 : var;  // (rounding; NaN stays NaN)
    const float mu = (float)(shift[c] + d);
    const double inv = 1.0 / std::sqrt(var + (double)eps);
    mean[c] = mu;
    inv_std[c] = (float)inv;
    scale[c] = (float)(gamma ? gamma[c] * inv : inv);
    bias[c] = beta ? beta[c] : 0.0f;
    moving_mean[c] = moving_mean[c] * m + one_m * mu;
    moving_var[c] = moving_var[c] * m + one_m * (float)(var * corr);
  }
  channel_affine<false>(s, x, nullptr, mean, nullptr, scale.data(), bias.data(), y);
}

void batch_norm_forward_infer(const BnShape& s, const float* x, const float* gamma,
                              const float* beta, const float* moving_mean, const float* moving_var,
                              float eps, float* y) {
  FtzGuard ftz;
  const index_t C = s.C;
  std::vector<float> scale((size_t)C), bias((size_t)C);
  for (index_t c = 0; c < C; ++c) {
    const double inv = 1.0 / std::sqrt((double)moving_var[c] + (double)eps);
    scale[c] = (float)(gamma ? gamma[c] * inv : inv);
    bias[c] = beta ? beta[c] : 0.0f;
  }
  channel_affine<false>(s, x, nullptr, moving_mean, nullptr, scale.data(), bias.data(), y);
}

void batch_norm_backward(const BnShape& s, const float* dy, const float* x, const float* mean,
                         const float* inv_std, const float* gamma, float* dx, float* dgamma,
                         float* dbeta) {
  FtzGuard ftz;
  const index_t C = s.C;
  const double n = (double)s.A * (double)s.B;
  std::vector<double> Sdy((size_t)C), Sdyxc((size_t)C);
  channel_sums<true>(s, x, dy, mean, Sdy.data(), Sdyxc.data());
  std::vector<float> a((size_t)C), b((size_t)C), c3((size_t)C);
  for (index_t c = 0; c < C; ++c) {
    const double inv = inv_std[c], g = gamma ? gamma[c] : 1.0;
    const double dg = inv * Sdyxc[c];
    dbeta[c] = (float)Sdy[c];
    dgamma[c] = (float)dg;
    a[c] = (float)(g * inv);
    b[c] = (float)(-g * inv * inv * dg / n);
    c3[c] = (float)(-g * inv * Sdy[c] / n);
  }
  channel_affine<true>(s, x, dy, mean, a.data(), b.data(), c3.data(), dx);
}

namespace {

// (sum(u), sum(v)) over a row of C floats, in double per kFlush vectors: kBwd false: u = x - k,
// v = u*u; kBwd true: u = g, v = g*xhat with g = dy*gamma and xhat = (x - mean)*inv.
template <bool kBwd>
void row_sums(const float* x, const float* dy, const float* gamma, index_t C, float k, float inv,
              double& d1, double& d2) {
  d1 = d2 = 0.0;
  const vf vk = set1(k), vi = set1(inv);
  for (index_t c0 = 0; c0 < C; c0 += (index_t)kW * kFlush) {
    const index_t c1 = std::min(C, c0 + (index_t)kW * kFlush);
    vf s1 = zero(), s2 = zero();
    for (index_t c = c0; c < c1; c += kW) {
      const int nn = (int)std::min<index_t>(kW, c1 - c);
      const vf xc = loadv(x + c, nn) - (nn == kW ? vk : loadv_k(k, nn));
      if (kBwd) {
        vf g = loadv(dy + c, nn);
        if (gamma) g = g * loadv(gamma + c, nn);
        s1 = s1 + g;
        s2 = fmadd(g, xc * vi, s2);
      } else {
        s1 = s1 + xc;
        s2 = fmadd(xc, xc, s2);
      }
    }
    d1 += (double)reduce_add(s1);
    d2 += (double)reduce_add(s2);
  }
}

// Rows per chunk of a layer-norm pass: about kChunkFloats floats, a count fixed by the shape
// (the dgamma / dbeta partials are per chunk: the same bits at every thread count).
index_t ln_rows(index_t C) { return std::max<index_t>(1, kChunkFloats / std::max<index_t>(C, 1)); }

}  // namespace

void layer_norm_forward(const LnShape& s, const float* x, const float* gamma, const float* beta,
                        float eps, float* y, float* mean, float* inv_std) {
  FtzGuard ftz;
  const index_t N = s.N, C = s.C;
  const int nt = threads_for(8.0 * N * C);
  parallel_range(N, ln_rows(C), nt, [&](index_t rb, index_t re) {
    for (index_t r = rb; r < re; ++r) {
      const float* xr = x + r * C;
      const float k = xr[0];
      double d1, d2;
      row_sums<false>(xr, nullptr, nullptr, C, k, 0.0f, d1, d2);
      const double d = d1 / (double)C;
      double var = d2 / (double)C - d * d;
      var = var < 0.0 ? 0.0 : var;  // (rounding; NaN stays NaN)
      const float mu = (float)(k + d), inv = (float)(1.0 / std::sqrt(var + (double)eps));
      mean[r] = mu;
      inv_std[r] = inv;
      const vf vm = set1(mu), vi = set1(inv);
      float* yr = y + r * C;
      for (index_t c = 0; c < C; c += kW) {
        const int nn = (int)std::min<index_t>(kW, C - c);
        vf v = (loadv(xr + c, nn) - vm) * vi;
        if (gamma) v = v * loadv(gamma + c, nn);
        if (beta) v = v + loadv(beta + c, nn);
        storev(yr + c, v, nn);
      }
    }
  });
}

void layer_norm_backward(const LnShape& s, const float* dy, const float* x, const float* mean,
                         const float* inv_std, const float* gamma, float* dx, float* dgamma,
                         float* dbeta) {
  FtzGuard ftz;
  const index_t N = s.N, C = s.C, R = ln_rows(C), nch = ceil_div(N, R);
  const int nt = threads_for(12.0 * N * C);
  // per chunk: C doubles of sum(dy*xhat), then C of sum(dy), over the chunk's rows in order
  std::vector<double> part((size_t)(nch * 2 * C), 0.0);
  parallel_chunks(nch, nt, [&](index_t ch) {
    double* pg = part.data() + ch * 2 * C;
    double* pb = pg + C;
    std::vector<float> fg((size_t)C), fb((size_t)C);
    const index_t r_end = std::min(N, (ch + 1) * R);
    for (index_t r0 = ch * R; r0 < r_end; r0 += kFlush) {
      const index_t r1 = std::min(r_end, r0 + kFlush);
      std::fill(fg.begin(), fg.end(), 0.0f);
      std::fill(fb.begin(), fb.end(), 0.0f);
      for (index_t r = r0; r < r1; ++r) {
        const float *xr = x + r * C, *gr = dy + r * C;
        const float mu = mean[r], inv = inv_std[r];
        double sg, sgx;
        row_sums<true>(xr, gr, gamma, C, mu, inv, sg, sgx);
        const vf vm = set1(mu), vi = set1(inv), a = set1((float)(sg / (double)C)),
                 b = set1((float)(sgx / (double)C));
        float* dr = dx + r * C;
        for (index_t c = 0; c < C; c += kW) {
          const int nn = (int)std::min<index_t>(kW, C - c);
          const vf d = loadv(gr + c, nn), xh = (loadv(xr + c, nn) - vm) * vi;
          const vf g = gamma ? d * loadv(gamma + c, nn) : d;
          storev(dr + c, (g - a - xh * b) * vi, nn);
          storev(fg.data() + c, fmadd(d, xh, loadv(fg.data() + c, nn)), nn);
          storev(fb.data() + c, loadv(fb.data() + c, nn) + d, nn);
        }
      }
      for (index_t c = 0; c < C; ++c) {
        pg[c] += fg[c];
        pb[c] += fb[c];
      }
    }
  });
  std::vector<double> sg((size_t)C, 0.0), sb((size_t)C, 0.0);
  for (index_t ch = 0; ch < nch; ++ch) {
    const double* pg = part.data() + ch * 2 * C;
    for (index_t c = 0; c < C; ++c) {
      sg[c] += pg[c];
      sb[c] += pg[C + c];
    }
  }
  for (index_t c = 0; c < C; ++c) {
    dgamma[c] = (float)sg[c];
    dbeta[c] = (float)sb[c];
  }
}

}  // namespace TF_ISA
}  // namespace tf
