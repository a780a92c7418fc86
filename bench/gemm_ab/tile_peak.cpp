// The register tile alone (tf/ukernel.h's ukernel over packed A and B panels, as the packed GEMM
// path reads them), 1 thread, thread CPU time: how close each tile shape MR x NV*16 gets to the
// FMA peak (bench/fma_peak.c) when the operands sit in a given cache level, without packing,
// threads or the driver's loops (gemm14, issue 15). Modes, per shape:
//   l1    one tile repeated, kc chosen so that the A micro-panel + B panel fill ~3/4 of 48 KiB
//   l2    kc = KC (1024): one KC x NR B panel (L2) swept by MC/MR A micro-panels (MC ~ 120 rows,
//         the A block in L2), the packed path's panel order; C a small block (cache-resident)
//   c4k   as l2 but C rows 4096 floats apart over the MC rows (a 4096-wide C, as square 4096)
// and one (jc, pc) block of square 4096 as the packed path computes it (no packing: A block and
// B block packed once up front), MC-row blocks x NC/NR panels x MC/MR row tiles:
//   blk   the real operands: A block (MC x KC, L2), B block (KC x NC = 4 MiB, L3), C the 4096 x
//         4096 matrix (64 MiB, from memory; beta = 1 as in the later K blocks)
//   blkC  as blk, C a cache-resident block (each tile the same few lines): what C costs
//   blkB  as blk, every panel the same one (B from L2): what B from L3 costs
// Build (AVX-512):
//   g++ -O3 -mavx512f -mavx512dq -mavx512bw -mavx512vl -mavx2 -mfma -mf16c -DTF_ISA=avx512 \
//       -DTF_ISA_avx512=1 -Icsrc/include bench/gemm_ab/tile_peak.cpp -o /tmp/tile_peak
//   /tmp/tile_peak [KC]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "tf/ukernel.h"

using namespace tf;
using namespace tf::simd;

static double cpu_now() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

template <int MR, int NV>
__attribute__((noinline)) void tile(index_t kc, const float* a, const float* b, float* c, index_t ldc,
                                    const Epilogue<float>& e) {
  constexpr int NR = NV * lanes<float>;
  ukernel<float, MR, NV, true>(kc, APanel<float, MR>{a}, BRows<float, NR>{b}, c, ldc, MR, NR, e);
}

template <int MR, int NV>
void run(index_t KC, index_t MC) {
  constexpr int NR = NV * lanes<float>;
  const index_t tiles = std::max<index_t>(1, MC / MR);
  std::vector<float> A((size_t)(tiles * MR * KC) + 64), B((size_t)(KC * NR) + 64);
  std::vector<float> C((size_t)(tiles * MR * 4096) + 64);
  for (size_t i = 0; i < A.size(); ++i) A[i] = 1e-3f * (float)(i % 97);
  for (size_t i = 0; i < B.size(); ++i) B[i] = 1e-3f * (float)(i % 89);
  Epilogue<float> e0, e1;
  e1.beta = 1.f;  // later K blocks accumulate into C
  const index_t kc1 = std::max<index_t>(8, (index_t)(36 * 1024 / 4 / (MR + NR)) / 8 * 8);
  struct Mode {
    const char* name;
    index_t kc, ntiles, ldc;
  } modes[] = {{"l1", kc1, 1, NR}, {"l2", KC, tiles, NR}, {"c4k", KC, tiles, 4096}};
  for (const Mode& m : modes) {
    const double flop_per_pass = 2.0 * MR * NR * (double)m.kc * (double)m.ntiles;
    const int passes = std::max(1, (int)(2e9 / flop_per_pass));
    double best = 1e30;
    for (int rep = 0; rep < 7; ++rep) {
      const double t0 = cpu_now();
      for (int p = 0; p < passes; ++p)
        for (index_t t = 0; t < m.ntiles; ++t)
          tile<MR, NV>(m.kc, A.data() + t * MR * m.kc, B.data(), C.data() + t * MR * m.ldc, m.ldc,
                       p == 0 ? e0 : e1);
      best = std::min(best, cpu_now() - t0);
    }
    std::printf("%2dx%-3d %-4s kc %4ld tiles %3ld  %6.1f GFLOP/s\n", MR, NR, m.name, (long)m.kc,
                (long)m.ntiles, flop_per_pass * passes / best * 1e-9);
  }
  // one (jc, pc) block of a 4096-row GEMM: row blocks of MC rows, NC columns
  const index_t M = 4096 / (tiles * MR) * (tiles * MR), NC = 1024 / NR * NR, npan = NC / NR, ldc = 4096;
  std::vector<float> Bb((size_t)(KC * NC) + 64), Cb((size_t)(M * ldc) + 64);
  for (size_t i = 0; i < Bb.size(); ++i) Bb[i] = 1e-3f * (float)(i % 89);
  for (int mode = 0; mode < 3; ++mode) {
    const char* name = mode == 0 ? "blk" : mode == 1 ? "blkC" : "blkB";
    double best = 1e30;
    for (int rep = 0; rep < 5; ++rep) {
      const double t0 = cpu_now();
      for (index_t i0 = 0; i0 < M; i0 += tiles * MR)
        for (index_t q = 0; q < npan; ++q) {
          const float* bp = Bb.data() + (mode == 2 ? 0 : q * NR * KC);
          for (index_t t = 0; t < tiles; ++t) {
            float* c = mode == 1 ? C.data() + t * MR * NR : Cb.data() + (i0 + t * MR) * ldc + q * NR;
            tile<MR, NV>(KC, A.data() + t * MR * KC, bp, c, mode == 1 ? NR : ldc, e1);
          }
        }
      best = std::min(best, cpu_now() - t0);
    }
    std::printf("%2dx%-3d %-4s kc %4ld M %ld NC %ld  %6.1f GFLOP/s\n", MR, NR, name, (long)KC, (long)M,
                (long)NC, 2.0 * M * NC * KC / best * 1e-9);
  }
}

int main(int argc, char** argv) {
  const index_t KC = argc > 1 ? std::atol(argv[1]) : 1024;
  run<12, 2>(KC, 120);
  run<14, 2>(KC, 126);
  run<8, 3>(KC, 128);
  run<9, 3>(KC, 126);
  run<6, 4>(KC, 120);
  run<12, 2>(KC, 120);  // again: drift control
}
