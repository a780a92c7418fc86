// Batch normalization on the GPU: launchers for norm_kernels.cuh. Twin of csrc/cpu/norm.cpp;
// contract in tf/cuda_kernels.h and reference/norm.py.
#include <algorithm>

#include "norm_kernels.cuh"
#include "tf/cuda_check.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace cuda {
using namespace norm;

namespace {
unsigned blocks_for(long long n) {
  return (unsigned)std::max(1LL, std::min((n + THREADS - 1) / THREADS, 1LL << 20));
}
long long channel_blocks(long long C) { return (C + TX - 1) / TX; }
}  // namespace

void batch_norm_parts(int64_t A, int64_t C, int64_t B, int64_t& P, int64_t& per) {
  long long p, q;
  parts_for(A, C, B, p, q);
  P = p;
  per = q;
}

static void partials(cudaStream_t s, bool bwd, int64_t A, int64_t C, int64_t B, int64_t P,
                     int64_t per, const float* x, const float* dy, const float* k, double* part) {
  const dim3 grid((unsigned)channel_blocks(C), (unsigned)P), block(TX, TY);
  if (bwd)
    channel_partials_kernel<true><<<grid, block, 0, s>>>(A, C, B, per, x, dy, k, part, part + P * C);
  else
    channel_partials_kernel<false><<<grid, block, 0, s>>>(A, C, B, per, x, nullptr, k, part, part + P * C);
  TF_CUDA_LAUNCH_CHECK();
}

void batch_norm_forward_train(cudaStream_t s, int64_t A, int64_t C, int64_t B, const float* x,
                              const float* gamma, const float* beta, float eps, float momentum,
                              bool bessel, float* y, float* mean, float* inv_std,
                              float* moving_mean, float* moving_var, double* part, float* scratch) {
  int64_t P, per;
  batch_norm_parts(A, C, B, P, per);
  // k[c] = x[0, c, 0]: channel c's first value, B floats apart (a strided copy into scratch).
  float* k = scratch;
  float* scale = scratch + C;
  float* bias = scratch + 2 * C;
  TF_CUDA_CHECK(cudaMemcpy2DAsync(k, sizeof(float), x, (size_t)B * sizeof(float), sizeof(float),
                                  (size_t)C, cudaMemcpyDeviceToDevice, s));
  partials(s, false, A, C, B, P, per, x, nullptr, k, part);
  train_finalize_kernel<<<blocks_for(C), THREADS, 0, s>>>(C, P, (double)A * (double)B, part, part + P * C,
                                                          k, gamma, beta, eps, momentum, bessel, mean,
                                                          inv_std, scale, bias, moving_mean, moving_var);
  TF_CUDA_LAUNCH_CHECK();
  const long long total = A * C * B;
  channel_affine_kernel<false><<<blocks_for(total), THREADS, 0, s>>>(total, C, B, x, nullptr, mean,
                                                                     nullptr, scale, bias, y);
  TF_CUDA_LAUNCH_CHECK();
}

void batch_norm_forward_infer(cudaStream_t s, int64_t A, int64_t C, int64_t B, const float* x,
                              const float* gamma, const float* beta, const float* moving_mean,
                              const float* moving_var, float eps, float* y, float* scratch) {
  float* scale = scratch;
  float* bias = scratch + C;
  infer_params_kernel<<<blocks_for(C), THREADS, 0, s>>>(C, gamma, beta, moving_var, eps, scale, bias);
  TF_CUDA_LAUNCH_CHECK();
  const long long total = A * C * B;
  channel_affine_kernel<false><<<blocks_for(total), THREADS, 0, s>>>(total, C, B, x, nullptr,
                                                                     moving_mean, nullptr, scale, bias, y);
  TF_CUDA_LAUNCH_CHECK();
}

void batch_norm_backward(cudaStream_t s, int64_t A, int64_t C, int64_t B, const float* dy,
                         const float* x, const float* mean, const float* inv_std, const float* gamma,
                         float* dx, float* dgamma, float* dbeta, double* part, float* scratch) {
  int64_t P, per;
  batch_norm_parts(A, C, B, P, per);
  partials(s, true, A, C, B, P, per, x, dy, mean, part);
  float* a = scratch;
  float* b = scratch + C;
  float* c3 = scratch + 2 * C;
  backward_finalize_kernel<<<blocks_for(C), THREADS, 0, s>>>(C, P, (double)A * (double)B, part,
                                                             part + P * C, inv_std, gamma, dgamma,
                                                             dbeta, a, b, c3);
  TF_CUDA_LAUNCH_CHECK();
  const long long total = A * C * B;
  channel_affine_kernel<true><<<blocks_for(total), THREADS, 0, s>>>(total, C, B, x, dy, mean, a, b,
                                                                    c3, dx);
  TF_CUDA_LAUNCH_CHECK();
}

}  // namespace cuda
}  // namespace tf
