// Raw FMA peak of one core: 24 independent FMA chains (enough to hide latency x pipes on every
// x86 core so far). Builds the widest vector the compiler is told about:
//   AVX-512: gcc -O2 -mavx512f -mfma bench/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak
//   AVX2:    gcc -O2 -mavx2 -mfma    bench/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak
// Measured (best of 5 repeats, single thread):
//   Zen 4 (AMD EPYC, AVX-512): 115 GFLOP/s = 32 fp32 FLOP/cycle at ~3.6 GHz (2 x 256-bit FMA pipes).
//   Zen 1 (AMD EPYC family 23 model 1, KVM, AVX2 build): see bench/RESULTS.md (2 x 128-bit pipes:
//   one 256-bit FMA per cycle = 16 fp32 FLOP/cycle).
#include <immintrin.h>
#include <stdio.h>
#include <time.h>
#if defined(__AVX512F__)
typedef __m512 V;
#define LANES 16
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
static float hsum(V v) { return _mm512_reduce_add_ps(v); }
#else
typedef __m256 V;
#define LANES 8
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
static float hsum(V v) { float t[8]; _mm256_storeu_ps(t, v); float s = 0; for (int i = 0; i < 8; i++) s += t[i]; return s; }
#endif
int main(void) {
  V a[24];
  for (int i = 0; i < 24; i++) a[i] = SET1(i * 1e-3f);
  V x = SET1(0.999f), y = SET1(1e-6f);
  long n = 200000000;
  struct timespec t0, t1, c0, c1;
  double best = 0, best_cpu = 0;
  for (int r = 0; r < 5; r++) {
    clock_gettime(CLOCK_MONOTONIC, &t0);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    for (long k = 0; k < n / 24; k += 1) {
#pragma GCC unroll 24
      for (int i = 0; i < 24; i++) a[i] = FMA(a[i], x, y);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    double s = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
    double cs = (c1.tv_sec - c0.tv_sec) + 1e-9 * (c1.tv_nsec - c0.tv_nsec);
    double flop = (double)(n / 24) * 24 * 2 * LANES;
    if (flop / s / 1e9 > best) best = flop / s / 1e9;
    if (flop / cs / 1e9 > best_cpu) best_cpu = flop / cs / 1e9;
  }
  float s = 0;
  for (int i = 0; i < 24; i++) s += hsum(a[i]);
  // per CPU-second: the core's peak even when the OS shares it with other processes
  printf("peak 1 thread (%d-lane fp32 FMA): %.1f GFLOP/s wall, %.1f GFLOP/s per CPU-second (%g)\n",
         LANES, best, best_cpu, s);
  return 0;
}
