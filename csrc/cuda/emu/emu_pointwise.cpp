// Runs csrc/cuda/pointwise_kernels.cuh and optim_kernels.cuh on the CPU model in cuda_emu.h
// against float64 formulas written out here from python/tensorforge/reference/{pointwise,optim}.py,
// and the dropout kernel against masks produced by the reference's NumPy code (strings below).
//   g++ -std=c++20 -O0 -fsanitize=address -I csrc/include -I csrc/cuda \
//       csrc/cuda/emu/emu_pointwise.cpp -o /tmp/emu_pw -pthread && /tmp/emu_pw
#include "cuda_emu.h"
// (cuda_emu.h first: it defines the CUDA keywords the kernel sources use)
#include "optim_kernels.cuh"
#include "pointwise_kernels.cuh"

#include <cstdio>
#include <random>
#include <string>

using namespace tf::cuda;

static int fails = 0;

static void report(const char* what, double worst, double tol) {
  const bool ok = worst <= tol;  // NaN worst fails
  fails += !ok;
  std::printf("%s %-48s max rel.err %.2e\n", ok ? "ok  " : "FAIL", what, worst);
}

// |got - ref| / (1 + |ref|), with NaN required exactly where the reference has NaN.
static double rel_err(float got, double ref) {
  if (std::isnan(ref) || std::isnan(got)) return std::isnan(ref) && std::isnan(got) ? 0.0 : INFINITY;
  if (std::isinf(ref)) return got == ref ? 0.0 : INFINITY;
  return std::fabs(got - ref) / (1.0 + std::fabs(ref));
}

static double sigm(double x) { return 1.0 / (1.0 + std::exp(-x)); }

static double act_ref(double x, int k, double a) {
  const double SA = 1.6732632423543772848170429916717, SS = 1.0507009873554804934193349852946;
  if (std::isnan(x)) return x;
  switch (k) {
    case 0: return x > 0 ? x : 0;
    case 1: return x > 0 ? x : a * x;
    case 2: return x > 0 ? x : a * std::expm1(x);
    case 3: return x > 0 ? SS * x : SS * SA * std::expm1(x);
    case 4: return std::max(x, 0.0) + std::log1p(std::exp(-std::fabs(x)));
    case 5: return sigm(x);
    case 6: return std::min(1.0, std::max(0.0, 0.2 * x + 0.5));
    case 7: return std::tanh(x);
    case 9: return std::min(6.0, std::max(0.0, x));
    case 10: return std::min(a, std::max(0.0, x));
    case 11: return x * sigm(x);
    case 12: return 0.5 * x * std::erfc(-x / std::sqrt(2.0));
    case 13: return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
    default: return x;
  }
}

static double dact_ref(double dy, double x, double y, int k, double a) {
  const double SA = 1.6732632423543772848170429916717, SS = 1.0507009873554804934193349852946;
  switch (k) {
    case 0: return x > 0 ? dy : 0;
    case 1: return x > 0 ? dy : dy * a;
    case 2: return x > 0 ? dy : dy * (y + a);
    case 3: return x > 0 ? dy * SS : dy * (y + SS * SA);
    case 4: return dy * sigm(x);
    case 5: return dy * y * (1 - y);
    case 6: return (x > -2.5 && x < 2.5) ? dy * 0.2 : 0;
    case 7: return dy * (1 - y * y);
    case 9: return (x > 0 && x < 6) ? dy : 0;
    case 10: return (x > 0 && x <= a) ? dy : 0;
    case 11: return dy * sigm(x) * (1 + x * (1 - sigm(x)));
    case 12: return dy * (0.5 * std::erfc(-x / std::sqrt(2.0)) + x * std::exp(-0.5 * x * x) / std::sqrt(2 * M_PI));
    case 13: {
      const double c = std::sqrt(2 / M_PI), t = std::tanh(c * (x + 0.044715 * x * x * x));
      return dy * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * c * (1 + 3 * 0.044715 * x * x));
    }
    default: return dy;
  }
}

int main() {
  std::mt19937 gen(11);
  std::normal_distribution<float> nd;
  const char* kinds[] = {"relu", "leaky_relu", "elu", "selu", "softplus", "sigmoid", "hard_sigmoid", "tanh", "linear",
                         "relu6", "relu_max", "swish", "gelu", "gelu_tanh"};

  // ---- activations: n not a multiple of the block's 1024-element stride, kinks, NaN ---------
  for (long long n : {1LL, 7LL, 3000LL}) {
    std::vector<float> x(n), dy(n), y(n, -7.f), dx(n, -7.f);
    for (long long i = 0; i < n; ++i) { x[i] = 3 * nd(gen); dy[i] = nd(gen); }
    for (long long i = 0; i < n; i += 11) x[i] = 0.f;
    if (n > 5) x[5] = NAN;
    if (n > 9) x[7] = 6.0f, x[9] = 2.5f;  // relu6's and relu_max's caps exactly
    for (int k = 0; k < 14; ++k) {
      const float alpha = k == 1 ? 0.3f : k == 10 ? 2.5f : 1.0f;
      // 2 blocks of 256 so the grid-stride loop wraps for n = 3000
      emu::launch(dim3(2), dim3(pw::THREADS), [&] { pw::act_forward_kernel(n, x.data(), y.data(), k, alpha); });
      emu::launch(dim3(2), dim3(pw::THREADS), [&] {
        pw::act_backward_kernel(n, dy.data(), x.data(), y.data(), dx.data(), k, alpha);
      });
      double wf = 0, wb = 0;
      for (long long i = 0; i < n; ++i) {
        wf = std::max(wf, rel_err(y[i], act_ref(x[i], k, alpha)));
        wb = std::max(wb, rel_err(dx[i], dact_ref(dy[i], x[i], y[i], k, alpha)));
      }
      std::string w = std::string("act ") + kinds[k] + " n=" + std::to_string(n);
      // gelu's argument (x / sqrt 2, or the cubic) rounds to float: ~x^2 eps relative
      const double tol = k >= 12 ? 1e-5 : 1e-6;
      report((w + " fwd").c_str(), wf, tol);
      report((w + " bwd").c_str(), wb, tol);
    }
  }

  // ---- softmax and fused softmax-xent over rows (N not a multiple of 8 rows/block) ----------
  for (auto [N, C] : {std::pair<long long, long long>{1, 1}, {3, 10}, {9, 33}, {17, 100}}) {
    std::vector<float> x(N * C), y(N * C), dy(N * C), dx(N * C), t(N * C), probs(N * C), loss(N), d(N * C);
    std::vector<long long> lab64(N);
    std::vector<int> lab32(N);
    for (auto& v : x) v = 4 * nd(gen);
    x[0] = 80.f;  // large logit
    for (auto& v : dy) v = nd(gen);
    for (long long r = 0; r < N; ++r) {
      double s = 0;
      for (long long j = 0; j < C; ++j) s += (t[r * C + j] = std::fabs(nd(gen)));
      for (long long j = 0; j < C; ++j) t[r * C + j] /= (float)s;
      lab64[r] = lab32[r] = (int)(gen() % C);
    }
    if (N > 2) x[2 * C] = NAN;  // poisons row 2 only
    const unsigned g = (unsigned)((N + pw::ROWS_PER_BLOCK - 1) / pw::ROWS_PER_BLOCK);
    emu::launch(dim3(g), dim3(pw::THREADS), [&] { pw::softmax_forward_kernel(N, C, x.data(), y.data()); });
    emu::launch(dim3(g), dim3(pw::THREADS), [&] { pw::softmax_backward_kernel(N, C, dy.data(), y.data(), dx.data()); });
    double wf = 0, wb = 0, wl = 0, wp = 0, wd = 0;
    std::vector<double> sm(N * C), lref(N);
    for (long long r = 0; r < N; ++r) {
      double m = -INFINITY, s = 0, dot = 0;
      bool nan = false;
      for (long long j = 0; j < C; ++j) { nan |= std::isnan(x[r * C + j]); m = std::max(m, (double)x[r * C + j]); }
      for (long long j = 0; j < C; ++j) s += std::exp(x[r * C + j] - m);
      for (long long j = 0; j < C; ++j) sm[r * C + j] = nan ? NAN : std::exp(x[r * C + j] - m) / s;
      for (long long j = 0; j < C; ++j) dot += (double)dy[r * C + j] * y[r * C + j];
      for (long long j = 0; j < C; ++j) {
        wf = std::max(wf, rel_err(y[r * C + j], sm[r * C + j]));
        wb = std::max(wb, rel_err(dx[r * C + j], y[r * C + j] * (dy[r * C + j] - dot)));
      }
    }
    std::string w = "softmax " + std::to_string(N) + "x" + std::to_string(C);
    report((w + " fwd").c_str(), wf, 1e-6);
    report((w + " bwd").c_str(), wb, 1e-5);
    for (int mode = 0; mode < 3; ++mode) {  // dense, sparse int64, sparse int32
      if (mode == 0)
        emu::launch(dim3(g), dim3(pw::THREADS), [&] {
          pw::softmax_xent_forward_kernel<false, int>(N, C, x.data(), t.data(), nullptr, loss.data(), probs.data());
        });
      else if (mode == 1)
        emu::launch(dim3(g), dim3(pw::THREADS), [&] {
          pw::softmax_xent_forward_kernel<true, long long>(N, C, x.data(), nullptr, lab64.data(), loss.data(), probs.data());
        });
      else
        emu::launch(dim3(g), dim3(pw::THREADS), [&] {
          pw::softmax_xent_forward_kernel<true, int>(N, C, x.data(), nullptr, lab32.data(), loss.data(), probs.data());
        });
      const float scale = 1.0f / N;
      emu::launch(dim3(2), dim3(pw::THREADS), [&] {
        if (mode == 0) pw::softmax_xent_backward_kernel<false, int>(N, C, probs.data(), t.data(), nullptr, scale, d.data());
        else if (mode == 1) pw::softmax_xent_backward_kernel<true, long long>(N, C, probs.data(), nullptr, lab64.data(), scale, d.data());
        else pw::softmax_xent_backward_kernel<true, int>(N, C, probs.data(), nullptr, lab32.data(), scale, d.data());
      });
      wl = wp = wd = 0;
      for (long long r = 0; r < N; ++r) {
        double l = 0;
        for (long long j = 0; j < C; ++j) {
          const double tj = mode == 0 ? t[r * C + j] : (j == lab64[r] ? 1.0 : 0.0);
          l -= sm[r * C + j] > 0 ? tj * std::log(sm[r * C + j]) : (tj == 0 ? 0 : -INFINITY);
          if (std::isnan(sm[r * C + j])) l = NAN;
          wp = std::max(wp, rel_err(probs[r * C + j], sm[r * C + j]));
          wd = std::max(wd, rel_err(d[r * C + j], (probs[r * C + j] - tj) * scale));
        }
        wl = std::max(wl, rel_err(loss[r], l));
      }
      std::string wx = "xent " + std::string(mode == 0 ? "dense " : mode == 1 ? "int64 " : "int32 ") +
                       std::to_string(N) + "x" + std::to_string(C);
      report((wx + " loss").c_str(), wl, 1e-5);
      report((wx + " probs").c_str(), wp, 1e-6);
      report((wx + " bwd").c_str(), wd, 1e-6);
    }
  }

  // ---- dropout: masks from the reference's NumPy code (seed, n, rate, expected keep bits) ----
  struct Drop { unsigned long long seed; long long n; double rate; const char* bits; };
  const Drop drops[] = {
      {42ULL, 96, 0.5, "101001001011000111010111011111111101011110111100110010011110011010101110000110001111010000101111"},
      {0ULL, 64, 0.1, "1111111111111011111101111110111111111110011111110111011101111111"},
      {9223372036854775813ULL, 64, 0.9, "0100000000100000000010100000000100000000010000000010000000000000"},
      {18446744073709551613ULL, 64, 0.3, "0111101101011110111101111111111110101101011111001111111110010011"},
  };
  for (const Drop& dr : drops) {
    std::vector<float> x(dr.n), y(dr.n), dx(dr.n);
    std::vector<unsigned char> mask(dr.n, 7);
    for (auto& v : x) v = nd(gen);
    x[1] = NAN;
    const unsigned long long key = pw::mix64(dr.seed + pw::GOLDEN);
    const unsigned long long thr = (unsigned long long)std::ceil(dr.rate * 16777216.0);
    const float scale = (float)(1.0 / (1.0 - dr.rate));
    emu::launch(dim3(1), dim3(pw::THREADS), [&] {
      pw::dropout_forward_kernel(dr.n, x.data(), key, thr, scale, y.data(), mask.data());
    });
    emu::launch(dim3(1), dim3(pw::THREADS), [&] {
      pw::dropout_backward_kernel(dr.n, x.data(), mask.data(), scale, dx.data());
    });
    bool same = true;
    double wy = 0;
    for (long long i = 0; i < dr.n; ++i) {
      same &= mask[i] == (unsigned char)(dr.bits[i] - '0');
      const double ref = (double)x[i] * (dr.bits[i] == '1' ? (double)scale : 0.0);
      wy = std::max(wy, rel_err(y[i], ref));
      wy = std::max(wy, rel_err(dx[i], ref));
    }
    std::string w = "dropout seed=" + std::to_string(dr.seed) + " rate=" + std::to_string(dr.rate);
    report((w + " mask == reference").c_str(), same ? 0.0 : 1.0, 0.0);
    report((w + " values").c_str(), wy, 1e-7);
  }

  // ---- optimizer updates ----------------------------------------------------------------------
  {
    const long long n = 1000;
    std::vector<float> p0(n), g(n), s10(n), s20(n);
    for (long long i = 0; i < n; ++i) { p0[i] = nd(gen); g[i] = nd(gen); s10[i] = std::fabs(nd(gen)); s20[i] = std::fabs(nd(gen)); }
    auto run = [&](const char* name, auto launch, auto ref) {
      std::vector<float> p = p0, s1 = s10, s2 = s20;
      std::vector<double> rp(p0.begin(), p0.end()), r1(s10.begin(), s10.end()), r2(s20.begin(), s20.end());
      emu::launch(dim3(2), dim3(opt::THREADS), [&] { launch(p.data(), s1.data(), s2.data()); });
      double w = 0;
      for (long long i = 0; i < n; ++i) {
        ref(rp[i], (double)g[i], r1[i], r2[i]);
        const double sc = std::fabs(p0[i]) + std::fabs(g[i]) + 1;
        w = std::max(w, std::fabs(p[i] - rp[i]) / sc);
        w = std::max(w, std::fabs(s1[i] - r1[i]) / (std::fabs(r1[i]) + 1));
        w = std::max(w, std::fabs(s2[i] - r2[i]) / (std::fabs(r2[i]) + 1));
      }
      report(name, w, 2e-6);
    };
    run("sgd momentum=0", [&](float* p, float*, float*) { opt::sgd_kernel(n, p, g.data(), nullptr, 0.1f, 0.f, false); },
        [](double& p, double g, double&, double&) { p -= 0.1 * g; });
    run("sgd momentum=0.9", [&](float* p, float* v, float*) { opt::sgd_kernel(n, p, g.data(), v, 0.1f, 0.9f, false); },
        [](double& p, double g, double& v, double&) { v = 0.9 * v - 0.1 * g; p += v; });
    run("sgd nesterov", [&](float* p, float* v, float*) { opt::sgd_kernel(n, p, g.data(), v, 0.05f, 0.9f, true); },
        [](double& p, double g, double& v, double&) { v = 0.9 * v - 0.05 * g; p += 0.9 * v - 0.05 * g; });
    run("rmsprop", [&](float* p, float* ms, float*) { opt::rmsprop_kernel(n, p, g.data(), ms, 1e-3f, 0.9f, 0.1f, 1e-7f); },
        [](double& p, double g, double& ms, double&) { ms = 0.9 * ms + 0.1 * g * g; p -= 1e-3 * g / (std::sqrt(ms) + 1e-7); });
    const double lr_t = 1e-3 * std::sqrt(1 - std::pow(0.999, 3)) / (1 - std::pow(0.9, 3));
    run("adam t=3", [&](float* p, float* m, float* v) {
          opt::adam_kernel(n, p, g.data(), m, v, (float)lr_t, 0.9f, 0.1f, 0.999f, (float)(1 - 0.999), 1e-7f); },
        [&](double& p, double g, double& m, double& v) {
          m = 0.9 * m + 0.1 * g; v = 0.999 * v + 0.001 * g * g; p -= lr_t * m / (std::sqrt(v) + 1e-7); });
    run("adagrad", [&](float* p, float* acc, float*) { opt::adagrad_kernel(n, p, g.data(), acc, 0.01f, 1e-7f); },
        [](double& p, double g, double& acc, double&) { acc += g * g; p -= 0.01 * g / (std::sqrt(acc) + 1e-7); });
  }

  std::printf("%s\n", fails ? "SOME CASES FAILED" : "all cases passed");
  return fails ? 1 : 0;
}
