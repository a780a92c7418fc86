// Runs csrc/cuda/conv_depthwise_kernels.cuh on the CPU model in cuda_emu.h against direct loops
// in double written from python/tensorforge/reference/conv.py's docstring (padded taps multiply
// zeros: a NaN weight next to the padding gives NaN; backward by scatter, the kernels gather).
//   g++ -std=c++20 -O0 -fsanitize=address -I csrc/include -I csrc/cuda \
//       csrc/cuda/emu/emu_conv_depthwise.cpp -o /tmp/emu_dw -pthread && /tmp/emu_dw
#include "cuda_emu.h"
// (cuda_emu.h first: it defines the CUDA keywords the kernel sources use)
#include "conv_depthwise_kernels.cuh"

#include <cstdio>
#include <random>
#include <string>

using namespace tf::cuda::dwconv;

static int fails = 0;
static void report(const std::string& what, bool ok, double err) {
  fails += !ok;
  std::printf("%s %-70s max err %.2e\n", ok ? "ok  " : "FAIL", what.c_str(), err);
}
static bool same(float a, double b, double scale, double& worst) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(b) || std::isinf(scale)) return a == b || std::isinf(scale);
  const double e = std::fabs(a - b) / (1 + scale);
  worst = std::max(worst, e);
  return e <= 1e-5;
}

int main() {
  std::mt19937 gen(11);
  std::normal_distribution<float> nd;
  struct Case { long long N, H, W, C, M; int KH, KW, sh, sw, pt, pl, pb, pr, dh, dw; bool nan_w; };
  const Case cases[] = {
      {2, 7, 5, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false},
      {1, 9, 8, 5, 2, 3, 2, 2, 3, 0, 1, 2, 0, 1, 1, false},
      {3, 6, 11, 4, 3, 2, 3, 3, 1, 1, 0, 1, 2, 2, 2, false},
      {1, 1, 1, 33, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, false},
      {2, 8, 10, 7, 1, 2, 2, 3, 3, 0, 1, 1, 1, 1, 1, false},   // stride > kernel
      {1, 5, 5, 6, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, true},     // Inf weight: NaN (0 * Inf) next to the padding only
      {40, 9, 9, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, false},   // 360 rows: several rows per dw chunk
  };
  for (const Case& c : cases) {
    const long long OH = (c.H + c.pt + c.pb - (c.KH - 1) * c.dh - 1) / c.sh + 1;
    const long long OW = (c.W + c.pl + c.pr - (c.KW - 1) * c.dw - 1) / c.sw + 1;
    const long long CM = c.C * c.M, T = (long long)c.KH * c.KW;
    Geom g{c.N, c.H, c.W, c.C, c.M, OH, OW, c.KH, c.KW, c.sh, c.sw, c.pt, c.pl, c.dh, c.dw};
    const long long nx = c.N * c.H * c.W * c.C, ny = c.N * OH * OW * CM, nw = T * CM;
    std::vector<float> x(nx), w(nw), dy(ny), y(ny, -7.f), dx(nx, -7.f), dw(nw, -7.f), b(CM),
        yb(ny, -7.f), db(CM, -7.f);
    for (auto& v : b) v = nd(gen);
    for (auto& v : x) v = nd(gen);
    for (auto& v : w) v = nd(gen);
    for (auto& v : dy) v = nd(gen);
    if (c.nan_w) w[1 * CM + 2] = INFINITY;  // tap (0, 1), channel j = 2: padded for oh = 0
    const long long rows = c.N * OH, per = dw_rows_per_chunk(rows), nch = (rows + per - 1) / per;
    std::vector<float> part(nch * nw, -7.f);
    auto blocks = [](long long n) { return dim3((unsigned)((n + THREADS - 1) / THREADS)); };
    emu::launch(blocks(ny), dim3(THREADS), [&] { dw_forward_kernel(g, x.data(), w.data(), nullptr, y.data()); });
    emu::launch(blocks(ny), dim3(THREADS), [&] { dw_forward_kernel(g, x.data(), w.data(), b.data(), yb.data()); });
    emu::launch(blocks(nx), dim3(THREADS), [&] { dw_backward_data_kernel(g, dy.data(), w.data(), dx.data()); });
    emu::launch(blocks(nch * nw), dim3(THREADS),
                [&] { dw_backward_filter_partial_kernel(g, per, nch, dy.data(), x.data(), part.data()); });
    emu::launch(blocks(nw), dim3(THREADS),
                [&] { dw_backward_filter_reduce_kernel(nch, nw, part.data(), dw.data()); });
    std::vector<float> partb(nch * CM, -7.f);
    emu::launch(blocks(nch * CM), dim3(THREADS),
                [&] { dw_backward_bias_partial_kernel(g, per, nch, dy.data(), partb.data()); });
    emu::launch(blocks(CM), dim3(THREADS),
                [&] { dw_backward_filter_reduce_kernel(nch, CM, partb.data(), db.data()); });
    std::vector<double> ry(ny, 0.0), sy(ny, 0.0), rdx(nx, 0.0), sdx(nx, 0.0), rdw(nw, 0.0), sdw(nw, 0.0);
    for (long long n = 0; n < c.N; ++n)
      for (long long oh = 0; oh < OH; ++oh)
        for (long long ow = 0; ow < OW; ++ow)
          for (int kh = 0; kh < c.KH; ++kh)
            for (int kw = 0; kw < c.KW; ++kw) {
              const long long ih = oh * c.sh - c.pt + kh * c.dh, iw = ow * c.sw - c.pl + kw * c.dw;
              const bool in = ih >= 0 && ih < c.H && iw >= 0 && iw < c.W;
              for (long long j = 0; j < CM; ++j) {
                const long long ch = j / c.M, o = ((n * OH + oh) * OW + ow) * CM + j;
                const long long xi = in ? ((n * c.H + ih) * c.W + iw) * c.C + ch : -1;
                const double xv = in ? x[xi] : 0.0, wv = w[(kh * c.KW + kw) * CM + j];
                ry[o] += xv * wv;  // 0 * NaN = NaN on padded taps, as the reference
                sy[o] += std::fabs(xv * wv);
                rdw[(kh * c.KW + kw) * CM + j] += xv * dy[o];
                sdw[(kh * c.KW + kw) * CM + j] += std::fabs(xv * dy[o]);
                if (in) {
                  rdx[xi] += dy[o] * wv;
                  sdx[xi] += std::fabs(dy[o] * wv);
                }
              }
            }
    bool oky = true, okdx = true, okdw = true;
    double ey = 0, edx = 0, edw = 0;
    for (long long i = 0; i < ny; ++i) oky &= same(y[i], ry[i], sy[i], ey);
    for (long long i = 0; i < nx; ++i) okdx &= same(dx[i], rdx[i], sdx[i], edx);
    for (long long i = 0; i < nw; ++i) okdw &= same(dw[i], rdw[i], sdw[i], edw);
    if (c.nan_w) oky &= std::isnan(y[2]) && std::isinf(y[(OW * (OH - 1)) * CM + 2]);
    bool okyb = true, okdb = true;
    double eyb = 0, edb = 0;
    for (long long i = 0; i < ny; ++i) okyb &= (std::isnan(y[i]) && std::isnan(yb[i])) || yb[i] == y[i] + b[i % CM];
    for (long long j = 0; j < CM; ++j) {
      double r = 0, sc = 0;
      for (long long i = j; i < ny; i += CM) {
        r += dy[i];
        sc += std::fabs(dy[i]);
      }
      okdb &= same(db[j], r, sc, edb);
    }
    char s[200];
    std::snprintf(s, sizeof s, "N=%lld H=%lld W=%lld C=%lld M=%lld k=%dx%d s=%dx%d pads=%d,%d,%d,%d d=%dx%d",
                  c.N, c.H, c.W, c.C, c.M, c.KH, c.KW, c.sh, c.sw, c.pt, c.pl, c.pb, c.pr, c.dh, c.dw);
    report(std::string(s) + " y", oky, ey);
    report(std::string(s) + " dx", okdx, edx);
    report(std::string(s) + " dw", okdw, edw);
    report(std::string(s) + " y + b (fused: the bits of y then + b)", okyb, eyb);
    report(std::string(s) + " db", okdb, edb);
  }
  std::printf("%s\n", fails ? "SOME CASES FAILED" : "all cases passed");
  return fails ? 1 : 0;
}
