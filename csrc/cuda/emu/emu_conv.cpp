// Runs csrc/cuda/conv_kernels.cuh (im2col, col2im) on the CPU model in cuda_emu.h: conv2d as
// im2col + a float64 matmul against the direct definition in python/tensorforge/reference/conv.py's
// docstring (strides, dilations, asymmetric pads), and col2im against a direct scatter of dcol.
//   g++ -std=c++20 -O0 -fsanitize=address -I csrc/include -I csrc/cuda \
//       csrc/cuda/emu/emu_conv.cpp -o /tmp/emu_conv -pthread && /tmp/emu_conv
#include "cuda_emu.h"
// (cuda_emu.h first: it defines the CUDA keywords the kernel sources use)
#include "conv_kernels.cuh"

#include <cstdio>
#include <random>
#include <string>

using namespace tf::cuda::conv;

int main() {
  std::mt19937 gen(3);
  std::normal_distribution<float> nd;
  int fails = 0;
  struct Case { long long N, H, W, C, Cout; int KH, KW, sh, sw, pt, pl, pb, pr, dh, dw; };
  const Case cases[] = {
      {2, 7, 6, 3, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 9, 8, 2, 3, 3, 2, 2, 3, 0, 1, 1, 0, 1, 1},
      {2, 10, 9, 1, 2, 3, 3, 1, 2, 2, 1, 2, 0, 2, 2}, {1, 5, 5, 4, 1, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1},
      {3, 4, 4, 5, 6, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},  {1, 6, 7, 2, 2, 2, 3, 2, 2, 1, 0, 0, 2, 1, 1},
  };
  for (const Case& c : cases) {
    const long long OH = (c.H + c.pt + c.pb - ((c.KH - 1) * c.dh + 1)) / c.sh + 1;
    const long long OW = (c.W + c.pl + c.pr - ((c.KW - 1) * c.dw + 1)) / c.sw + 1;
    Geom g{c.N, c.H, c.W, c.C, OH, OW, c.KH, c.KW, c.sh, c.sw, c.pt, c.pl, c.dh, c.dw};
    const long long rows = c.N * OH * OW, Kc = (long long)c.KH * c.KW * c.C;
    std::vector<float> x(c.N * c.H * c.W * c.C), w(Kc * c.Cout), col(rows * Kc, NAN), dcol(rows * Kc),
        dx(x.size(), NAN);
    for (auto& v : x) v = nd(gen);
    for (auto& v : w) v = nd(gen);
    for (auto& v : dcol) v = nd(gen);
    emu::launch(dim3(3), dim3(THREADS), [&] { im2col_kernel(g, x.data(), col.data()); });
    emu::launch(dim3(3), dim3(THREADS), [&] { col2im_kernel(g, dcol.data(), dx.data()); });
    double worst_y = 0, worst_dx = 0;
    std::vector<double> rdx(x.size(), 0.0);
    for (long long n = 0; n < c.N; ++n)
      for (long long oh = 0; oh < OH; ++oh)
        for (long long ow = 0; ow < OW; ++ow) {
          const long long row = (n * OH + oh) * OW + ow;
          for (long long co = 0; co < c.Cout; ++co) {
            double direct = 0, viacol = 0;
            for (int kh = 0; kh < c.KH; ++kh)
              for (int kw = 0; kw < c.KW; ++kw)
                for (long long ci = 0; ci < c.C; ++ci) {
                  const long long k = ((long long)kh * c.KW + kw) * c.C + ci;
                  viacol += (double)col[row * Kc + k] * w[k * c.Cout + co];
                  const long long ih = oh * c.sh + kh * c.dh - c.pt, iw = ow * c.sw + kw * c.dw - c.pl;
                  if (ih >= 0 && ih < c.H && iw >= 0 && iw < c.W)
                    direct += (double)x[((n * c.H + ih) * c.W + iw) * c.C + ci] * w[k * c.Cout + co];
                }
            const double e = std::fabs(viacol - direct) / (1 + std::fabs(direct));
            if (!(e <= worst_y)) worst_y = e;
          }
          for (int kh = 0; kh < c.KH; ++kh)
            for (int kw = 0; kw < c.KW; ++kw) {
              const long long ih = oh * c.sh + kh * c.dh - c.pt, iw = ow * c.sw + kw * c.dw - c.pl;
              if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
              for (long long ci = 0; ci < c.C; ++ci)
                rdx[((n * c.H + ih) * c.W + iw) * c.C + ci] += dcol[row * Kc + ((long long)kh * c.KW + kw) * c.C + ci];
            }
        }
    for (size_t i = 0; i < x.size(); ++i) {
      const double e = std::fabs(dx[i] - rdx[i]) / (1 + std::fabs(rdx[i]));
      if (!(e <= worst_dx)) worst_dx = e;
    }
    const bool ok = worst_y < 1e-12 && worst_dx < 1e-5;
    fails += !ok;
    std::printf("%s conv N=%lld H=%lld W=%lld C=%lld k=%dx%d s=%dx%d pads=%d,%d,%d,%d dil=%dx%d  "
                "im2col err %.1e, col2im err %.1e\n", ok ? "ok  " : "FAIL", c.N, c.H, c.W, c.C,
                c.KH, c.KW, c.sh, c.sw, c.pt, c.pl, c.pb, c.pr, c.dh, c.dw, worst_y, worst_dx);
  }
  std::printf("%s\n", fails ? "SOME CASES FAILED" : "all cases passed");
  return fails ? 1 : 0;
}
