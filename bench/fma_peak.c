// Raw AVX-512 FMA peak of one core: 24 independent zmm FMA chains (latency 4 x 2 pipes hidden).
// gcc -O2 -mavx512f -mfma bench/fma_peak.c -o /tmp/fma_peak && /tmp/fma_peak
// Zen 4 (AMD EPYC, this VM): 115 GFLOP/s = 32 fp32 FLOP/cycle at ~3.6 GHz (2 x 256-bit FMA pipes).
#include <immintrin.h>
#include <stdio.h>
#include <time.h>
int main(){ __m512 a[24]; for(int i=0;i<24;i++) a[i]=_mm512_set1_ps(i*1e-3f);
 __m512 x=_mm512_set1_ps(0.999f), y=_mm512_set1_ps(1e-6f);
 long n=200000000; struct timespec t0,t1; double best=0;
 for(int r=0;r<5;r++){ clock_gettime(CLOCK_MONOTONIC,&t0);
 for(long k=0;k<n/24/ (1) ;k+=1){
  #pragma GCC unroll 24
  for(int i=0;i<24;i++) a[i]=_mm512_fmadd_ps(a[i],x,y);}
 clock_gettime(CLOCK_MONOTONIC,&t1); double s=(t1.tv_sec-t0.tv_sec)+1e-9*(t1.tv_nsec-t0.tv_nsec);
 double g=(double)(n/24)*24*32/s/1e9; if(g>best)best=g;}
 float s=0; for(int i=0;i<24;i++) s+=_mm512_reduce_add_ps(a[i]);
 printf("peak 1 thread: %.1f GFLOP/s (%g)\n",best,s);}
