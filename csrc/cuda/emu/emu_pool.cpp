// Runs csrc/cuda/pool_kernels.cuh on the CPU model in cuda_emu.h against direct loops written from
// python/tensorforge/reference/pool.py's docstring (first argmax in row-major window order, NaN
// wins, padded cells never count; backward by scatter, the kernels gather).
//   g++ -std=c++20 -O0 -fsanitize=address -I csrc/include -I csrc/cuda \
//       csrc/cuda/emu/emu_pool.cpp -o /tmp/emu_pool -pthread && /tmp/emu_pool
#include "cuda_emu.h"
// (cuda_emu.h first: it defines the CUDA keywords the kernel sources use)
#include "pool_kernels.cuh"

#include <cstdio>
#include <random>

using namespace tf::cuda::pool;

static int fails = 0;
static void report(const char* what, bool ok, double err) {
  fails += !ok;
  std::printf("%s %-60s max err %.2e\n", ok ? "ok  " : "FAIL", what, err);
}
static bool same(float a, double b, double tol, double& worst) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  const double e = std::fabs(a - b) / (1 + std::fabs(b));
  worst = std::max(worst, e);
  return e <= tol;
}

int main() {
  std::mt19937 gen(5);
  std::normal_distribution<float> nd;
  struct Case { long long N, H, W, C; int kh, kw, sh, sw, pt, pl, pb, pr; };
  const Case cases[] = {
      {2, 7, 5, 3, 3, 2, 2, 1, 1, 0, 1, 1}, {1, 4, 4, 1, 2, 2, 2, 2, 0, 0, 0, 0},
      {2, 6, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1}, {1, 3, 3, 2, 5, 5, 1, 1, 2, 2, 2, 2},
      {3, 9, 1, 4, 4, 1, 3, 1, 0, 0, 2, 0}, {1, 1, 1, 33, 1, 1, 1, 1, 0, 0, 0, 0},
  };
  for (const Case& c : cases) {
    const long long OH = (c.H + c.pt + c.pb - c.kh) / c.sh + 1, OW = (c.W + c.pl + c.pr - c.kw) / c.sw + 1;
    Geom g{c.N, c.H, c.W, c.C, OH, OW, c.kh, c.kw, c.sh, c.sw, c.pt, c.pl};
    const long long nx = c.N * c.H * c.W * c.C, ny = c.N * OH * OW * c.C;
    std::vector<float> x(nx), y(ny, -7.f), dy(ny), dx(nx, -7.f), ya(ny, -7.f), dxa(nx, -7.f);
    std::vector<int> am(ny, -7);
    for (auto& v : x) v = std::round(nd(gen) * 2) / 2;  // ties on purpose
    for (auto& v : dy) v = nd(gen);
    if (nx > 7) x[7] = NAN;
    const unsigned by = (unsigned)((ny + 255) / 256), bx = (unsigned)((nx + 255) / 256);
    emu::launch(dim3(by), dim3(THREADS), [&] { max_pool_forward_kernel(g, x.data(), y.data(), am.data()); });
    emu::launch(dim3(bx), dim3(THREADS), [&] { max_pool_backward_kernel(g, dy.data(), am.data(), dx.data()); });
    emu::launch(dim3(by), dim3(THREADS), [&] { avg_pool_forward_kernel(g, x.data(), ya.data()); });
    emu::launch(dim3(bx), dim3(THREADS), [&] { avg_pool_backward_kernel(g, dy.data(), dxa.data()); });
    // reference loops
    std::vector<double> rdx(nx, 0.0), rdxa(nx, 0.0);
    bool ok_y = true, ok_am = true, ok_dx = true, ok_ya = true, ok_dxa = true;
    double w_y = 0, w_dx = 0, w_ya = 0, w_dxa = 0;
    for (long long n = 0; n < c.N; ++n)
      for (long long oh = 0; oh < OH; ++oh)
        for (long long ow = 0; ow < OW; ++ow)
          for (long long ch = 0; ch < c.C; ++ch) {
            double best = 0, sum = 0;
            long long bi = 0, cnt = 0;
            bool have = false;
            for (int i = 0; i < c.kh; ++i)
              for (int j = 0; j < c.kw; ++j) {
                const long long ih = oh * c.sh + i - c.pt, iw = ow * c.sw + j - c.pl;
                if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
                const double v = x[((n * c.H + ih) * c.W + iw) * c.C + ch];
                sum += v;
                ++cnt;
                if (!have || v > best || (std::isnan(v) && !std::isnan(best))) {
                  best = v;
                  bi = ih * c.W + iw;
                  have = true;
                }
              }
            const long long o = ((n * OH + oh) * OW + ow) * c.C + ch;
            ok_y &= same(y[o], best, 0, w_y);
            ok_am &= am[o] == bi;
            ok_ya &= same(ya[o], sum / cnt, 1e-6, w_ya);
            rdx[(n * c.H * c.W + bi) * c.C + ch] += dy[o];  // scatter, as the reference's bincount
            for (int i = 0; i < c.kh; ++i)
              for (int j = 0; j < c.kw; ++j) {
                const long long ih = oh * c.sh + i - c.pt, iw = ow * c.sw + j - c.pl;
                if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
                rdxa[((n * c.H + ih) * c.W + iw) * c.C + ch] += dy[o] / cnt;
              }
          }
    for (long long i = 0; i < nx; ++i) {
      ok_dx &= same(dx[i], rdx[i], 1e-6, w_dx);
      ok_dxa &= same(dxa[i], rdxa[i], 1e-6, w_dxa);
    }
    char w[160];
    std::snprintf(w, sizeof w, "N=%lld H=%lld W=%lld C=%lld k=%dx%d s=%dx%d pads=%d,%d,%d,%d", c.N, c.H,
                  c.W, c.C, c.kh, c.kw, c.sh, c.sw, c.pt, c.pl, c.pb, c.pr);
    std::string s(w);
    report((s + " max y").c_str(), ok_y, w_y);
    report((s + " argmax").c_str(), ok_am, 0);
    report((s + " max dx").c_str(), ok_dx, w_dx);
    report((s + " avg y").c_str(), ok_ya, w_ya);
    report((s + " avg dx").c_str(), ok_dxa, w_dxa);
    // global average
    std::vector<float> gy(c.N * c.C, -7.f), gdx(nx, -7.f), gdy(c.N * c.C);
    for (auto& v : gdy) v = nd(gen);
    const long long HW = c.H * c.W;
    emu::launch(dim3(1), dim3(THREADS), [&] { global_avg_forward_kernel(c.N, HW, c.C, x.data(), gy.data()); });
    emu::launch(dim3(2), dim3(THREADS), [&] { global_avg_backward_kernel(c.N, HW, c.C, gdy.data(), gdx.data()); });
    bool ok_g = true, ok_gd = true;
    double w_g = 0, w_gd = 0;
    for (long long n = 0; n < c.N; ++n)
      for (long long ch = 0; ch < c.C; ++ch) {
        double s2 = 0;
        for (long long i = 0; i < HW; ++i) {
          s2 += x[(n * HW + i) * c.C + ch];
          ok_gd &= same(gdx[(n * HW + i) * c.C + ch], (double)gdy[n * c.C + ch] / HW, 1e-6, w_gd);
        }
        ok_g &= same(gy[n * c.C + ch], s2 / HW, 1e-6, w_g);
      }
    report((s + " global avg y").c_str(), ok_g, w_g);
    report((s + " global avg dx").c_str(), ok_gd, w_gd);
  }
  // nearest upsampling: forward against the index formula, backward exactly against the
  // row-major block sum (the order the kernel and the reference use)
  struct Up { long long N, H, W, C; int sh, sw; };
  const Up ups[] = {{2, 3, 5, 3, 2, 2}, {1, 1, 1, 33, 3, 1}, {3, 4, 2, 1, 1, 4}, {1, 2, 3, 300, 2, 3}};
  for (const Up& u : ups) {
    const long long nx = u.N * u.H * u.W * u.C, ny = nx * u.sh * u.sw, OH = u.H * u.sh, OW = u.W * u.sw;
    std::vector<float> x(nx), y(ny, -7.f), dy(ny), dx(nx, -7.f);
    for (auto& v : x) v = nd(gen);
    for (auto& v : dy) v = nd(gen);
    emu::launch(dim3((unsigned)((ny + 255) / 256)), dim3(THREADS),
                [&] { upsample_nearest_forward_kernel(u.N, u.H, u.W, u.C, u.sh, u.sw, x.data(), y.data()); });
    emu::launch(dim3(2), dim3(THREADS),
                [&] { upsample_nearest_backward_kernel(u.N, u.H, u.W, u.C, u.sh, u.sw, dy.data(), dx.data()); });
    bool ok_y = true, ok_dx = true;
    for (long long n = 0; n < u.N; ++n)
      for (long long oh = 0; oh < OH; ++oh)
        for (long long ow = 0; ow < OW; ++ow)
          for (long long c = 0; c < u.C; ++c)
            ok_y &= y[((n * OH + oh) * OW + ow) * u.C + c] ==
                    x[((n * u.H + oh / u.sh) * u.W + ow / u.sw) * u.C + c];
    for (long long n = 0; n < u.N; ++n)
      for (long long ih = 0; ih < u.H; ++ih)
        for (long long iw = 0; iw < u.W; ++iw)
          for (long long c = 0; c < u.C; ++c) {
            float s = 0.0f;
            bool first = true;
            for (int i = 0; i < u.sh; ++i)
              for (int j = 0; j < u.sw; ++j) {
                const float v = dy[((n * OH + ih * u.sh + i) * OW + iw * u.sw + j) * u.C + c];
                s = first ? v : s + v;
                first = false;
              }
            ok_dx &= dx[((n * u.H + ih) * u.W + iw) * u.C + c] == s;
          }
    char w[120];
    std::snprintf(w, sizeof w, "upsample N=%lld H=%lld W=%lld C=%lld size=%dx%d", u.N, u.H, u.W, u.C,
                  u.sh, u.sw);
    report((std::string(w) + " y").c_str(), ok_y, 0);
    report((std::string(w) + " dx").c_str(), ok_dx, 0);
  }
  std::printf("%s\n", fails ? "SOME CASES FAILED" : "all cases passed");
  return fails ? 1 : 0;
}
