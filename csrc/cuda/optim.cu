// Optimizer updates on the GPU: launchers for optim_kernels.cuh. Twin of csrc/cpu/optim.cpp;
// contract in tf/cuda_kernels.h and python/tensorforge/reference/optim.py.
#include <algorithm>

#include "optim_kernels.cuh"
#include "tf/cuda_check.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace cuda {
using namespace opt;

namespace {
unsigned blocks_for(long long n) {
  return (unsigned)std::max(1LL, std::min((n + THREADS - 1) / THREADS, 1LL << 20));
}
}  // namespace

void sgd_update(cudaStream_t s, int64_t n, float* p, const float* g, float* v, float lr,
                float momentum, bool nesterov) {
  if (n <= 0) return;
  if (momentum == 0.0f) v = nullptr;
  sgd_kernel<<<blocks_for(n), THREADS, 0, s>>>(n, p, g, v, lr, momentum, nesterov);
  TF_CUDA_LAUNCH_CHECK();
}

void rmsprop_update(cudaStream_t s, int64_t n, float* p, const float* g, float* ms, float lr,
                    double rho, float eps) {
  if (n <= 0) return;
  rmsprop_kernel<<<blocks_for(n), THREADS, 0, s>>>(n, p, g, ms, lr, (float)rho, (float)(1.0 - rho), eps);
  TF_CUDA_LAUNCH_CHECK();
}

void adam_update(cudaStream_t s, int64_t n, float* p, const float* g, float* m, float* v,
                 float lr_t, double beta1, double beta2, float eps) {
  if (n <= 0) return;
  adam_kernel<<<blocks_for(n), THREADS, 0, s>>>(n, p, g, m, v, lr_t, (float)beta1, (float)(1.0 - beta1),
                                                (float)beta2, (float)(1.0 - beta2), eps);
  TF_CUDA_LAUNCH_CHECK();
}

void adagrad_update(cudaStream_t s, int64_t n, float* p, const float* g, float* acc, float lr,
                    float eps) {
  if (n <= 0) return;
  adagrad_kernel<<<blocks_for(n), THREADS, 0, s>>>(n, p, g, acc, lr, eps);
  TF_CUDA_LAUNCH_CHECK();
}

}  // namespace cuda
}  // namespace tf
