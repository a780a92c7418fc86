// Runs csrc/cuda/norm_kernels.cuh and embedding_kernels.cuh on the CPU model in cuda_emu.h, in the
// launch sequence of norm.cu / embedding.cu, against float64 loops written from the docstrings
// of python/tensorforge/reference/norm.py and reference/embedding.py.
//   g++ -std=c++20 -O0 -fsanitize=address -I csrc/include -I csrc/cuda \
//       csrc/cuda/emu/emu_norm.cpp -o /tmp/emu_norm -pthread && /tmp/emu_norm
#include "cuda_emu.h"
// (cuda_emu.h first: it defines the CUDA keywords the kernel sources use)
#include "embedding_kernels.cuh"
#include "norm_kernels.cuh"

#include <algorithm>
#include <cstdio>
#include <numeric>
#include <random>

using namespace tf::cuda;

static int fails = 0;
static void report(const char* what, bool ok, double err) {
  fails += !ok;
  std::printf("%s %-64s max err %.2e\n", ok ? "ok  " : "FAIL", what, err);
}
static double rel(double a, double b) { return std::fabs(a - b) / (1.0 + std::fabs(b)); }
static unsigned blocks(long long n, int t) { return (unsigned)std::max(1LL, (n + t - 1) / t); }

static void batch_norm_case(long long A, long long C, long long B, float offset, bool affine,
                            std::mt19937& gen, bool bessel = true) {
  std::normal_distribution<float> nd;
  const long long n = A * B, total = A * C * B;
  std::vector<float> x(total), dy(total), gamma(C), beta(C), mm(C), mv(C);
  for (auto& v : x) v = offset + 2 * nd(gen);
  for (auto& v : dy) v = nd(gen);
  for (long long c = 0; c < C; ++c) {
    gamma[c] = 1 + 0.3f * nd(gen);
    beta[c] = nd(gen);
    mm[c] = nd(gen);
    mv[c] = 1 + 0.1f * std::fabs(nd(gen));
  }
  const std::vector<float> mm0 = mm, mv0 = mv;
  const float eps = 1e-3f, mom = 0.9f;
  const float* G = affine ? gamma.data() : nullptr;
  const float* Bt = affine ? beta.data() : nullptr;
  long long P, per;
  norm::parts_for(A, C, B, P, per);
  std::vector<double> part(2 * P * C, -7.0);
  std::vector<float> k(C), scale(C), bias(C), y(total, -7.f), mean(C), inv(C);
  for (long long c = 0; c < C; ++c) k[c] = x[c * B];  // norm.cu's strided copy
  const dim3 grid((unsigned)((C + norm::TX - 1) / norm::TX), (unsigned)P), block(norm::TX, norm::TY);
  emu::launch(grid, block, [&] {
    norm::channel_partials_kernel<false>(A, C, B, per, x.data(), nullptr, k.data(), part.data(),
                                         part.data() + P * C);
  });
  emu::launch(dim3(blocks(C, norm::THREADS)), dim3(norm::THREADS), [&] {
    norm::train_finalize_kernel(C, P, (double)n, part.data(), part.data() + P * C, k.data(), G, Bt,
                                eps, mom, bessel, mean.data(), inv.data(), scale.data(),
                                bias.data(), mm.data(), mv.data());
  });
  emu::launch(dim3(blocks(total, norm::THREADS)), dim3(norm::THREADS), [&] {
    norm::channel_affine_kernel<false>(total, C, B, x.data(), nullptr, mean.data(), nullptr,
                                       scale.data(), bias.data(), y.data());
  });
  // backward
  std::vector<float> dx(total, -7.f), dgamma(C), dbeta(C), a(C), b(C), c3(C);
  emu::launch(grid, block, [&] {
    norm::channel_partials_kernel<true>(A, C, B, per, x.data(), dy.data(), mean.data(), part.data(),
                                        part.data() + P * C);
  });
  emu::launch(dim3(blocks(C, norm::THREADS)), dim3(norm::THREADS), [&] {
    norm::backward_finalize_kernel(C, P, (double)n, part.data(), part.data() + P * C, inv.data(), G,
                                   dgamma.data(), dbeta.data(), a.data(), b.data(), c3.data());
  });
  emu::launch(dim3(blocks(total, norm::THREADS)), dim3(norm::THREADS), [&] {
    norm::channel_affine_kernel<true>(total, C, B, x.data(), dy.data(), mean.data(), a.data(),
                                      b.data(), c3.data(), dx.data());
  });
  // inference
  std::vector<float> yi(total, -7.f);
  emu::launch(dim3(blocks(C, norm::THREADS)), dim3(norm::THREADS), [&] {
    norm::infer_params_kernel(C, G, Bt, mv.data(), eps, scale.data(), bias.data());
  });
  emu::launch(dim3(blocks(total, norm::THREADS)), dim3(norm::THREADS), [&] {
    norm::channel_affine_kernel<false>(total, C, B, x.data(), nullptr, mm.data(), nullptr,
                                       scale.data(), bias.data(), yi.data());
  });
  // float64 reference
  double e_y = 0, e_stat = 0, e_dx = 0, e_dp = 0, e_yi = 0;
  for (long long c = 0; c < C; ++c) {
    double s = 0, q = 0, sdy = 0, sdyx = 0;
    for (long long aa = 0; aa < A; ++aa)
      for (long long bb = 0; bb < B; ++bb) s += x[(aa * C + c) * B + bb];
    const double mu = s / n;
    for (long long aa = 0; aa < A; ++aa)
      for (long long bb = 0; bb < B; ++bb) q += (x[(aa * C + c) * B + bb] - mu) * (x[(aa * C + c) * B + bb] - mu);
    const double var = q / n, iv = 1 / std::sqrt(var + eps);
    const double g = affine ? gamma[c] : 1.0, be = affine ? beta[c] : 0.0;
    e_stat = std::max({e_stat, rel(mean[c], mu), rel(inv[c], iv),
                       rel(mm[c], 0.9 * mm0[c] + 0.1 * mu),
                       rel(mv[c], 0.9 * mv0[c] + 0.1 * var * (bessel ? n / std::max(n - 1.0, 1.0) : 1.0))});
    for (long long aa = 0; aa < A; ++aa)
      for (long long bb = 0; bb < B; ++bb) {
        const long long o = (aa * C + c) * B + bb;
        sdy += dy[o];
        sdyx += dy[o] * (x[o] - mu) * iv;
        e_y = std::max(e_y, rel(y[o], (x[o] - mu) * iv * g + be));
        e_yi = std::max(e_yi, rel(yi[o], (x[o] - mm[c]) / std::sqrt((double)mv[c] + eps) * g + be));
      }
    e_dp = std::max({e_dp, rel(dbeta[c], sdy), rel(dgamma[c], sdyx)});
    for (long long aa = 0; aa < A; ++aa)
      for (long long bb = 0; bb < B; ++bb) {
        const long long o = (aa * C + c) * B + bb;
        const double xh = (x[o] - mu) * iv;
        e_dx = std::max(e_dx, rel(dx[o], g * iv / n * (n * dy[o] - sdy - xh * sdyx)));
      }
  }
  char what[160];
  std::snprintf(what, sizeof what, "batch_norm (A, C, B) = (%lld, %lld, %lld) offset %g%s%s P=%lld", A,
                C, B, offset, affine ? "" : " no gamma/beta", bessel ? "" : " biased", P);
  // float32 holds a mean of 1e4 only to ~5e-4, so every output is that far off (relative to 1 + |ref|)
  const double tol = offset > 100 ? 1e-3 : 1e-5;
  const double worst = std::max({e_y, e_stat, e_dx, e_dp, e_yi});
  if (worst > tol)
    std::printf("     y %.2e stats %.2e dx %.2e dgamma/dbeta %.2e y(infer) %.2e\n", e_y, e_stat, e_dx, e_dp, e_yi);
  report(what, worst <= tol, worst);
}

template <typename I>
static void embedding_case(long long V, long long D, long long n, std::mt19937& gen) {
  std::normal_distribution<float> nd;
  std::uniform_int_distribution<long long> ud(0, V - 1);
  std::vector<float> table(V * D), dy(n * D), y(n * D, -7.f), dt(V * D, -7.f);
  std::vector<I> ids(n);
  for (auto& v : table) v = nd(gen);
  for (auto& v : dy) v = nd(gen);
  for (auto& v : ids) v = (I)(ud(gen) % (V / 2 + 1));  // repeats
  if (n > 3) ids[3] = (I)V;                            // out of range: zero row, no contribution
  if (n > 5) ids[5] = (I)-1;
  std::vector<long long> order(n);
  std::iota(order.begin(), order.end(), 0LL);
  std::stable_sort(order.begin(), order.end(), [&](long long a, long long b) { return ids[a] < ids[b]; });
  emu::launch(dim3(blocks(n * D, embedding::THREADS)), dim3(embedding::THREADS), [&] {
    embedding::embedding_forward_kernel(n, D, V, table.data(), ids.data(), y.data());
  });
  std::fill(dt.begin(), dt.end(), 0.0f);  // embedding.cu's cudaMemsetAsync
  emu::launch(dim3((unsigned)std::min(n, 40LL)), dim3(embedding::BWD_THREADS), [&] {
    embedding::embedding_backward_kernel(n, D, V, dy.data(), ids.data(), order.data(), dt.data());
  });
  bool ok = true;
  std::vector<float> want(V * D, 0.0f);  // float sums in position order: bit-identical expected
  for (long long i = 0; i < n; ++i) {
    const long long v = (long long)ids[i];
    const bool in = v >= 0 && v < V;
    for (long long d = 0; d < D; ++d) {
      ok &= y[i * D + d] == (in ? table[v * D + d] : 0.0f);
      if (in) want[v * D + d] += dy[i * D + d];
    }
  }
  ok &= want == dt;
  char what[160];
  std::snprintf(what, sizeof what, "embedding V=%lld D=%lld n=%lld ids %d-bit", V, D, n, (int)sizeof(I) * 8);
  report(what, ok, 0.0);
}

int main() {
  std::mt19937 gen(11);
  const long long cases[][3] = {{7, 3, 1}, {1, 5, 1}, {33, 1, 1}, {5, 40, 1}, {3, 4, 30},
                                {2, 17, 25}, {600, 3, 1}, {4, 2, 700}};
  for (const auto& c : cases) batch_norm_case(c[0], c[1], c[2], 1.5f, true, gen);
  batch_norm_case(600, 3, 1, 1e4f, false, gen);
  batch_norm_case(4, 2, 700, 1e4f, true, gen);
  batch_norm_case(7, 3, 1, 1.5f, true, gen, false);  // the moving variance without n/(n-1)
  batch_norm_case(3, 4, 30, 1.5f, false, gen, false);
  embedding_case<int>(11, 5, 37, gen);
  embedding_case<long long>(50, 130, 200, gen);
  embedding_case<int>(1, 1, 1, gen);
  if (fails) {
    std::printf("%d case(s) FAILED\n", fails);
    return 1;
  }
  std::printf("all cases passed\n");
  return 0;
}
