// Two threads rewriting one buffer (a GEMM's C written by a 2-thread pool): what it costs when each
// thread keeps its own half from one pass to the next, when the halves change hands every pass (a
// dynamically claimed chunk lands on the other core next call), with one thread alone, and with
// non-temporal stores. Thread CPU time per pass, so a loaded machine inflates less than wall time.
//   gcc -O2 -mavx2 -pthread bench/write_share.c -o /tmp/write_share
//   /tmp/write_share BYTES MODE [NT]   MODE 0: own halves, 1: halves swapped each pass, 2: one
//                                      thread writes it all; NT = 1: _mm256_stream_ps stores
// Zen 1 (KVM, 2 vCPUs), 3.7 MB (LeNet conv1's 25 x 36864 column gradient), loaded machine: see
// bench/RESULTS.md (gemm3, 2026-11-30).
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <immintrin.h>
static float* buf; static size_t S; static int mode, iters=400, nt;
static pthread_barrier_t bar;
static double cpu[2];
static void pin(int c){cpu_set_t s;CPU_ZERO(&s);CPU_SET(c,&s);pthread_setaffinity_np(pthread_self(),sizeof s,&s);}
static void wr(float* p, size_t n, float v, int nts){ __m256 x=_mm256_set1_ps(v); if(nts) for(size_t i=0;i<n;i+=8)_mm256_stream_ps(p+i,x); else for(size_t i=0;i<n;i+=8)_mm256_store_ps(p+i,x);}
static int nts;
void* th(void* a){ int id=(int)(long)a; pin(id); size_t n=S/4, h=n/2;
  struct timespec t0,t1; clock_gettime(CLOCK_THREAD_CPUTIME_ID,&t0);
  for(int it=0;it<iters;it++){ pthread_barrier_wait(&bar);
    if(mode==2){ if(id==0) wr(buf,n,it,nts);} else { int half = mode==1 ? (id^(it&1)) : id; wr(buf+half*h,h,it,nts);} 
    if(nts) _mm_sfence(); }
  clock_gettime(CLOCK_THREAD_CPUTIME_ID,&t1); cpu[id]=(t1.tv_sec-t0.tv_sec)+(t1.tv_nsec-t0.tv_nsec)*1e-9; return 0;}
int main(int c, char**v){ S=(size_t)atof(v[1]); mode=atoi(v[2]); nts=c>3?atoi(v[3]):0; buf=aligned_alloc(64,S); memset(buf,0,S);
 pthread_barrier_init(&bar,0,2); pthread_t t[2]; struct timespec a,b; clock_gettime(CLOCK_MONOTONIC,&a);
 for(long i=0;i<2;i++) pthread_create(&t[i],0,th,(void*)i); for(int i=0;i<2;i++) pthread_join(t[i],0);
 clock_gettime(CLOCK_MONOTONIC,&b); double w=(b.tv_sec-a.tv_sec)+(b.tv_nsec-a.tv_nsec)*1e-9;
 printf("S=%.1fMB mode=%d nt=%d wall %.2f GB/s; cpu/iter t0 %.1f us t1 %.1f us\n",S/1e6,mode,nts,S*(double)iters/w/1e9,cpu[0]/iters*1e6,cpu[1]/iters*1e6);}
