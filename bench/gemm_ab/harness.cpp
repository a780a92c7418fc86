// A/B harness: two builds of csrc/cpu/gemm*.cpp in one binary (BASE in namespace tfm, NEW in tf),
// timed in interleaved rounds (order alternating), 1 thread by thread CPU time, T=2 by wall
// time, PROC=1 by process CPU time. BOFF: B offset in floats from a 64-byte line; HUGE=1: B on
// 2 MiB pages. ONLY=1/2: run BASE/NEW alone (for perf record). See build.sh.
#include <cstdint>
#ifndef AB_ISA
#define AB_ISA avx2  // the ISA namespace both builds were compiled for (build.sh: ISA)
#endif
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>
#include <algorithm>
#include <random>
#include <string>
#include <sys/mman.h>
using idx = int64_t;
#define DECL(NS) namespace NS { enum class Act : int { none = 0, relu = 1 }; \
  int pool_threads(); void pool_set_threads(int n); \
  namespace AB_ISA { void sgemm(idx M, idx N, idx K, float alpha, const float* A, idx rsA, idx csA, \
    const float* B, idx rsB, idx csB, float beta, float* C, idx ldc, const float* bias, Act act); } }
DECL(tf)
DECL(tfm)
static double now(bool cpu) {
  static const bool proc = getenv("PROC") != nullptr;
  timespec ts; clock_gettime(proc ? CLOCK_PROCESS_CPUTIME_ID : cpu ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}
int main(int argc, char** argv) {
  // args: M K N ta tb [rounds]
  idx M = atol(argv[1]), K = atol(argv[2]), N = atol(argv[3]);
  int ta = atoi(argv[4]), tb = atoi(argv[5]);
  int rounds = argc > 6 ? atoi(argv[6]) : 21;
  int only = getenv("ONLY") ? atoi(getenv("ONLY")) : 0;  // 1: main only, 2: new only (profiling)
  int T = getenv("T") ? atoi(getenv("T")) : 1;
  tf::pool_set_threads(T); tfm::pool_set_threads(T);
  bool cpu = T == 1;
  std::vector<float> a(M * K), bbuf(K * N + 64), c0(M * N), c1(M * N);
  int boff = getenv("BOFF") ? atoi(getenv("BOFF")) : 0;  // B's offset in floats from a 64-byte line
  float* bp0 = (float*)(((uintptr_t)bbuf.data() + 63) & ~(uintptr_t)63) + boff;
  if (getenv("HUGE")) { void* p = std::aligned_alloc(2 << 20, ((K * N * 4 + 256) / (2 << 20) + 1) * (2 << 20)); madvise(p, ((K * N * 4 + 256) / (2 << 20) + 1) * (2 << 20), MADV_HUGEPAGE); bp0 = (float*)p + boff; }
  struct BV { float* p; size_t n; float* begin() { return p; } float* end() { return p + n; } float* data() { return p; } } b{bp0, (size_t)(K * N)};
  std::mt19937 g(1); std::normal_distribution<float> d;
  for (auto& x : a) x = d(g);
  for (auto& x : b) x = d(g);
  idx rsA = ta ? 1 : K, csA = ta ? M : 1, rsB = tb ? 1 : N, csB = tb ? K : 1;
  double flop = 2.0 * M * N * K;
  int reps = std::max(1, (int)(4e7 / flop));
  auto run_new = [&] { tf::AB_ISA::sgemm(M, N, K, 1.f, a.data(), rsA, csA, b.data(), rsB, csB, 0.f, c1.data(), N, nullptr, tf::Act::none); };
  auto run_old = [&] { tfm::AB_ISA::sgemm(M, N, K, 1.f, a.data(), rsA, csA, b.data(), rsB, csB, 0.f, c0.data(), N, nullptr, tfm::Act::none); };
  for (int i = 0; i < 3; ++i) { run_new(); run_old(); }
  if (only) { for (int i = 0; i < rounds * reps; ++i) { if (only == 1) run_old(); else run_new(); } return 0; }
  double maxd = 0; for (idx i = 0; i < M * N; ++i) maxd = std::max(maxd, (double)std::abs(c0[i] - c1[i]));
  std::vector<double> tn, to;
  for (int r = 0; r < rounds; ++r) {
    if (r % 2 == 0) {
      double t0 = now(cpu); for (int i = 0; i < reps; ++i) run_old(); double t1 = now(cpu);
      for (int i = 0; i < reps; ++i) run_new(); double t2 = now(cpu);
      to.push_back((t1 - t0) / reps); tn.push_back((t2 - t1) / reps);
    } else {
      double t0 = now(cpu); for (int i = 0; i < reps; ++i) run_new(); double t1 = now(cpu);
      for (int i = 0; i < reps; ++i) run_old(); double t2 = now(cpu);
      tn.push_back((t1 - t0) / reps); to.push_back((t2 - t1) / reps);
    }
  }
  auto med = [](std::vector<double> v) { std::sort(v.begin(), v.end()); return v[v.size() / 2]; };
  double bo = *std::min_element(to.begin(), to.end()), bn = *std::min_element(tn.begin(), tn.end());
  printf("%5ldx%5ldx%5ld ta%d tb%d T%d  main %5.1f (med %5.1f)  new %5.1f (med %5.1f)  new/main best %.3f med %.3f  maxdiff %.2g\n",
         (long)M, (long)K, (long)N, ta, tb, T, flop / bo / 1e9, flop / med(to) / 1e9, flop / bn / 1e9,
         flop / med(tn) / 1e9, bo / bn, med(to) / med(tn), maxd);
}
