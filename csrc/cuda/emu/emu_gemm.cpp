// Runs csrc/cuda/gemm_kernel.cuh on the CPU model in cuda_emu.h against a float64 reference over
// shapes that hit every tile edge, both loader orientations, float4 and scalar paths, strided,
// transposed and negative-stride views, alpha/beta (beta == 0 with NaN in C), bias and relu.
//   g++ -std=c++20 -O0 -fsanitize=address -I csrc/include -I csrc/cuda \
//       csrc/cuda/emu/emu_gemm.cpp -o /tmp/emu_gemm -lpthread && /tmp/emu_gemm
#include "cuda_emu.h"
// (cuda_emu.h first: it defines the CUDA keywords the kernel source uses)
#include "emu_sgemm.h"

#include <cstdio>
#include <random>

using namespace tf::cuda::gemm_detail;

int main() {
  std::mt19937 gen(7);
  std::normal_distribution<float> nd;
  struct Case { long long M, N, K; int ta, tb, astep; float alpha, beta; bool bias, relu; int sms = 1; };
  std::vector<Case> cases = {
      {1, 1, 1, 0, 0, 1, 1.f, 0.f, false, false},    {7, 1, 1, 0, 0, 1, 1.f, 0.f, true, true},
      {1, 7, 300, 0, 0, 1, 1.f, 0.f, false, false},  {129, 65, 257, 0, 0, 1, 1.f, 0.f, true, true},
      {129, 65, 257, 1, 0, 1, 0.5f, 1.f, false, false}, {129, 65, 257, 0, 1, 1, 1.f, 0.f, true, false},
      {129, 65, 257, 1, 1, 1, -2.f, 0.25f, true, true}, {130, 131, 17, 0, 0, 2, 1.f, 0.f, false, false},
      {64, 200, 12, 1, 0, 2, 1.f, 1.f, false, true},  {33, 17, 65, 0, 0, -1, 1.f, 0.f, false, false},
      {256, 256, 16, 0, 0, 1, 1.f, 0.f, true, true},  {5, 260, 9, 1, 1, 1, 1.f, 0.f, false, false},
      {128, 128, 8, 0, 0, 1, 1.f, 0.f, false, false}, {3, 5, 40, 1, 0, 3, 1.f, 0.f, false, false},
      {132, 68, 44, 1, 1, 1, 1.f, 0.f, true, true},   {132, 68, 42, 1, 0, 1, 1.f, 0.5f, true, false},
      {260, 4, 36, 0, 1, 1, 1.f, 0.f, false, true},   {4, 132, 20, 0, 0, 1, 1.f, 0.f, true, true},
      // 64 x 64 x 16 tiles (pretend a GPU with many multiprocessors)
      {129, 65, 257, 0, 0, 1, 1.f, 0.f, true, true, 64}, {129, 65, 257, 1, 1, 1, 0.5f, 1.f, true, false, 64},
      {68, 132, 44, 1, 0, 1, 1.f, 0.f, false, false, 64}, {65, 7, 33, 0, 1, 2, 1.f, 0.f, false, true, 64},
      // split-K: tiny outputs, long K (LeNet conv1 dW is 6 x 25 x 36864)
      {6, 25, 4000, 0, 0, 1, 1.f, 0.f, true, true, 132}, {6, 25, 4000, 1, 1, 1, -1.f, 0.5f, true, false, 132},
      {3, 8, 1030, 0, 1, 1, 1.f, 0.f, false, false, 132}, {70, 9, 2050, 1, 0, 3, 1.f, 1.f, true, true, 132},
  };
  int fails = 0;
  for (const Case& c : cases) {
    const long long M = c.M, N = c.N, K = c.K;
    // A stored as (M, K) or (K, M) for ta, with every `astep`-th column used (|astep| > 1: a strided
    // view; astep < 0: a reversed view), B stored as (K, N) or (N, K).
    const long long step = c.astep < 0 ? -c.astep : c.astep;
    const long long ar = c.ta ? K : M, ac = (c.ta ? M : K) * step;
    std::vector<float> Ast(ar * ac), Bst(K * N), Cm(M * N), bias(N);
    for (auto& v : Ast) v = nd(gen);
    for (auto& v : Bst) v = nd(gen);
    for (auto& v : Cm) v = c.beta != 0.f ? nd(gen) : NAN;  // beta == 0 must never read C
    for (auto& v : bias) v = nd(gen);
    // element (i, j) of the stored view of A
    const float* Abase = Ast.data();
    long long ars = ac, acs = step;
    if (c.astep < 0) { Abase = Ast.data() + ac - 1; acs = -step; }
    long long rsA = ars, csA = acs;
    if (c.ta) std::swap(rsA, csA);
    long long rsB = c.tb ? 1 : N, csB = c.tb ? K : 1;
    std::vector<double> ref(M * N);
    for (long long i = 0; i < M; ++i)
      for (long long j = 0; j < N; ++j) {
        double s = 0;
        for (long long k = 0; k < K; ++k) s += (double)Abase[i * rsA + k * csA] * Bst[k * rsB + j * csB];
        double v = c.alpha * s + (c.beta != 0.f ? c.beta * (double)Cm[i * N + j] : 0.0);
        if (c.bias) v += bias[j];
        if (c.relu && v < 0) v = 0;
        ref[i * N + j] = v;
      }
    int which[4];
    run_sgemm(M, N, K, c.alpha, Abase, rsA, csA, Bst.data(), rsB, csB, c.beta, Cm.data(), N,
              c.bias ? bias.data() : nullptr, c.relu, c.sms, which);
    double worst = 0;
    for (long long i = 0; i < M * N; ++i) {
      double err = std::fabs(Cm[i] - ref[i]) / (1.0 + std::fabs(ref[i]));
      if (!(err <= worst)) worst = err;  // NaN-safe
    }
    const bool ok = worst < 1e-4 * (1 + K / 64.0);
    fails += !ok;
    std::printf("%s M=%lld N=%lld K=%lld ta=%d tb=%d astep=%d alpha=%g beta=%g bias=%d relu=%d "
                "kfast(A,B)=%d%d vec(A,B)=%d%d tile=%d splits=%d  rel.err %.2e\n",
                ok ? "ok  " : "FAIL", M, N, K, c.ta, c.tb, c.astep, c.alpha, c.beta, c.bias, c.relu,
                which[0] >> 1, which[0] & 1, which[1] >> 1, which[1] & 1, which[2], which[3], worst);
  }
  // Batched (sgemm_batched_tile): slices of A stored as (outer, M, inner, K) (the attention
  // layers' per-head views: two batch levels), op(B) read transposed or broadcast (stride 0), C
  // contiguous (outer, inner, M, N) inside a NaN-poisoned buffer (no write may fall outside).
  struct BCase { long long outer, inner, M, N, K; int tb, bcast, sms; };
  const std::vector<BCase> bcases = {{2, 3, 13, 17, 9, 0, 0, 1},   {1, 5, 1, 1, 1, 1, 0, 1},
                                     {3, 2, 70, 33, 20, 1, 0, 1},  {2, 2, 64, 64, 16, 0, 1, 1},
                                     {2, 3, 13, 17, 9, 1, 1, 132}, {1, 4, 129, 8, 40, 0, 0, 1}};
  for (const BCase& c : bcases) {
    const long long M = c.M, N = c.N, K = c.K, S = c.outer * c.inner;
    std::vector<float> Ast(c.outer * M * c.inner * K), Bst((c.bcast ? 1 : S) * K * N);
    std::vector<float> Cst(S * M * N + 8, NAN);
    for (auto& v : Ast) v = nd(gen);
    for (auto& v : Bst) v = nd(gen);
    tf::GemmBatch bt;
    bt.outer = c.outer;
    bt.inner = c.inner;
    bt.a[0] = M * c.inner * K; bt.a[1] = K;                  // A[o][m][i][k]
    bt.b[0] = c.bcast ? 0 : c.inner * K * N; bt.b[1] = c.bcast ? 0 : K * N;
    bt.c[0] = c.inner * M * N; bt.c[1] = M * N;
    const long long rsA = c.inner * K, csA = 1;
    const long long rsB = c.tb ? 1 : N, csB = c.tb ? K : 1;  // B slices (K, N) or (N, K)
    int tile = 0;
    run_sgemm_batched(bt, M, N, K, Ast.data(), rsA, csA, Bst.data(), rsB, csB, Cst.data(), N, c.sms, &tile);
    double worst = 0;
    for (long long o = 0; o < c.outer; ++o)
      for (long long i = 0; i < c.inner; ++i)
        for (long long m = 0; m < M; ++m)
          for (long long n = 0; n < N; ++n) {
            double s = 0;
            const float* a = Ast.data() + o * bt.a[0] + i * bt.a[1] + m * rsA;
            const float* b = Bst.data() + o * bt.b[0] + i * bt.b[1] + n * csB;
            for (long long k = 0; k < K; ++k) s += (double)a[k * csA] * b[k * rsB];
            const double err = std::fabs(Cst[o * bt.c[0] + i * bt.c[1] + m * N + n] - s) / (1.0 + std::fabs(s));
            if (!(err <= worst)) worst = err;
          }
    bool ok = worst < 1e-4 * (1 + K / 64.0);
    for (long long t = S * M * N; t < S * M * N + 8; ++t) ok = ok && std::isnan(Cst[t]);
    fails += !ok;
    std::printf("%s batched %lldx%lld slices M=%lld N=%lld K=%lld tb=%d broadcast B=%d tile=%d  rel.err %.2e\n",
                ok ? "ok  " : "FAIL", c.outer, c.inner, M, N, K, c.tb, c.bcast, tile, worst);
  }
  std::printf("%s\n", fails ? "SOME CASES FAILED" : "all cases passed");
  return fails ? 1 : 0;
}
