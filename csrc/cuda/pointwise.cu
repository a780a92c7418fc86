// Pointwise family on the GPU: launchers for pointwise_kernels.cuh (activations, softmax, fused
// softmax + cross-entropy, dropout). Twin of csrc/cpu/pointwise.cpp; contract in tf/cuda_kernels.h
// and python/tensorforge/reference/pointwise.py.
#include <algorithm>
#include <cmath>

#include "pointwise_kernels.cuh"
#include "tf/cuda_check.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace cuda {
using namespace pw;

namespace {
unsigned blocks_for(long long n, int per_thread) {
  const long long per_block = (long long)THREADS * per_thread;
  return (unsigned)std::max(1LL, std::min((n + per_block - 1) / per_block, 1LL << 20));
}
unsigned row_blocks(long long N) { return (unsigned)((N + ROWS_PER_BLOCK - 1) / ROWS_PER_BLOCK); }
}  // namespace

void act_forward(cudaStream_t s, int64_t n, const float* x, float* y, int kind, float alpha) {
  if (n <= 0) return;
  act_forward_kernel<<<blocks_for(n, UNROLL), THREADS, 0, s>>>(n, x, y, kind, alpha);
  TF_CUDA_LAUNCH_CHECK();
}

void act_backward(cudaStream_t s, int64_t n, const float* dy, const float* x, const float* y,
                  float* dx, int kind, float alpha) {
  if (n <= 0) return;
  act_backward_kernel<<<blocks_for(n, UNROLL), THREADS, 0, s>>>(n, dy, x, y, dx, kind, alpha);
  TF_CUDA_LAUNCH_CHECK();
}

void softmax_forward(cudaStream_t s, int64_t N, int64_t C, const float* x, float* y) {
  if (N <= 0 || C <= 0) return;
  softmax_forward_kernel<<<row_blocks(N), THREADS, 0, s>>>(N, C, x, y);
  TF_CUDA_LAUNCH_CHECK();
}

void softmax_backward(cudaStream_t s, int64_t N, int64_t C, const float* dy, const float* y,
                      float* dx) {
  if (N <= 0 || C <= 0) return;
  softmax_backward_kernel<<<row_blocks(N), THREADS, 0, s>>>(N, C, dy, y, dx);
  TF_CUDA_LAUNCH_CHECK();
}

void softmax_xent_forward(cudaStream_t s, int64_t N, int64_t C, const float* logits,
                          const float* targets, const void* labels, bool labels64, float* loss,
                          float* probs) {
  if (N <= 0 || C <= 0) return;
  const unsigned g = row_blocks(N);
  if (labels == nullptr)
    softmax_xent_forward_kernel<false, int><<<g, THREADS, 0, s>>>(N, C, logits, targets, nullptr, loss, probs);
  else if (labels64)
    softmax_xent_forward_kernel<true, long long><<<g, THREADS, 0, s>>>(
        N, C, logits, nullptr, static_cast<const long long*>(labels), loss, probs);
  else
    softmax_xent_forward_kernel<true, int><<<g, THREADS, 0, s>>>(
        N, C, logits, nullptr, static_cast<const int*>(labels), loss, probs);
  TF_CUDA_LAUNCH_CHECK();
}

void softmax_xent_backward(cudaStream_t s, int64_t N, int64_t C, const float* probs,
                           const float* targets, const void* labels, bool labels64, float scale,
                           float* d) {
  if (N <= 0 || C <= 0) return;
  const unsigned g = blocks_for(N * C, 1);
  if (labels == nullptr)
    softmax_xent_backward_kernel<false, int><<<g, THREADS, 0, s>>>(N, C, probs, targets, nullptr, scale, d);
  else if (labels64)
    softmax_xent_backward_kernel<true, long long><<<g, THREADS, 0, s>>>(
        N, C, probs, nullptr, static_cast<const long long*>(labels), scale, d);
  else
    softmax_xent_backward_kernel<true, int><<<g, THREADS, 0, s>>>(
        N, C, probs, nullptr, static_cast<const int*>(labels), scale, d);
  TF_CUDA_LAUNCH_CHECK();
}

void dropout_forward(cudaStream_t s, int64_t n, const float* x, double rate, uint64_t seed, float* y,
                     uint8_t* mask) {
  if (n <= 0) return;
  const unsigned long long key = mix64((unsigned long long)seed + GOLDEN);
  // threshold and scale in float64 first, exactly as the reference computes them
  const double thr_d = std::ceil((double)rate * 16777216.0);
  const unsigned long long thr = (unsigned long long)thr_d;
  const float scale = (float)(1.0 / (1.0 - (double)rate));
  dropout_forward_kernel<<<blocks_for(n, 1), THREADS, 0, s>>>(n, x, key, thr, scale, y, mask);
  TF_CUDA_LAUNCH_CHECK();
}

void dropout_backward(cudaStream_t s, int64_t n, const float* dy, const uint8_t* mask, double rate,
                      float* dx) {
  if (n <= 0) return;
  const float scale = (float)(1.0 / (1.0 - (double)rate));
  dropout_backward_kernel<<<blocks_for(n, 1), THREADS, 0, s>>>(n, dy, mask, scale, dx);
  TF_CUDA_LAUNCH_CHECK();
}

}  // namespace cuda
}  // namespace tf
