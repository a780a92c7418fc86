// Pooling on the GPU: launchers for pool_kernels.cuh (NHWC max/avg/global-avg and nearest
// upsampling, forward and backward). Twin of csrc/cpu/pool.cpp; contract in tf/cuda_kernels.h and reference/pool.py.
#include <algorithm>

#include "pool_kernels.cuh"
#include "tf/cuda_check.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace cuda {
using namespace pool;

namespace {
unsigned blocks_for(long long n) {
  return (unsigned)std::max(1LL, std::min((n + THREADS - 1) / THREADS, 1LL << 20));
}
Geom geom(const PoolGeom& p) {
  return Geom{p.N, p.H, p.W, p.C, p.OH, p.OW, p.kh, p.kw, p.sh, p.sw, p.pt, p.pl};
}
}  // namespace

void max_pool2d_forward(cudaStream_t s, const PoolGeom& p, const float* x, float* y, int32_t* argmax) {
  const long long n = p.N * p.OH * p.OW * p.C;
  if (n <= 0) return;
  max_pool_forward_kernel<<<blocks_for(n), THREADS, 0, s>>>(geom(p), x, y, argmax);
  TF_CUDA_LAUNCH_CHECK();
}

void max_pool2d_backward(cudaStream_t s, const PoolGeom& p, const float* dy, const int32_t* argmax,
                         float* dx) {
  const long long n = p.N * p.H * p.W * p.C;
  if (n <= 0) return;
  max_pool_backward_kernel<<<blocks_for(n), THREADS, 0, s>>>(geom(p), dy, argmax, dx);
  TF_CUDA_LAUNCH_CHECK();
}

void avg_pool2d_forward(cudaStream_t s, const PoolGeom& p, const float* x, float* y) {
  const long long n = p.N * p.OH * p.OW * p.C;
  if (n <= 0) return;
  avg_pool_forward_kernel<<<blocks_for(n), THREADS, 0, s>>>(geom(p), x, y);
  TF_CUDA_LAUNCH_CHECK();
}

void avg_pool2d_backward(cudaStream_t s, const PoolGeom& p, const float* dy, float* dx) {
  const long long n = p.N * p.H * p.W * p.C;
  if (n <= 0) return;
  avg_pool_backward_kernel<<<blocks_for(n), THREADS, 0, s>>>(geom(p), dy, dx);
  TF_CUDA_LAUNCH_CHECK();
}

void global_avg_pool2d_forward(cudaStream_t s, int64_t N, int64_t HW, int64_t C, const float* x,
                               float* y) {
  if (N * C <= 0 || HW <= 0) return;
  global_avg_forward_kernel<<<blocks_for(N * C), THREADS, 0, s>>>(N, HW, C, x, y);
  TF_CUDA_LAUNCH_CHECK();
}

void global_avg_pool2d_backward(cudaStream_t s, int64_t N, int64_t HW, int64_t C, const float* dy,
                                float* dx) {
  if (N * C <= 0 || HW <= 0) return;
  global_avg_backward_kernel<<<blocks_for(N * HW * C), THREADS, 0, s>>>(N, HW, C, dy, dx);
  TF_CUDA_LAUNCH_CHECK();
}

void upsample_nearest2d_forward(cudaStream_t s, int64_t N, int64_t H, int64_t W, int64_t C, int sh,
                                int sw, const float* x, float* y) {
  const long long n = N * H * sh * W * sw * C;
  if (n <= 0) return;
  upsample_nearest_forward_kernel<<<blocks_for(n), THREADS, 0, s>>>(N, H, W, C, sh, sw, x, y);
  TF_CUDA_LAUNCH_CHECK();
}

void upsample_nearest2d_backward(cudaStream_t s, int64_t N, int64_t H, int64_t W, int64_t C, int sh,
                                 int sw, const float* dy, float* dx) {
  const long long n = N * H * W * C;
  if (n <= 0) return;
  upsample_nearest_backward_kernel<<<blocks_for(n), THREADS, 0, s>>>(N, H, W, C, sh, sw, dy, dx);
  TF_CUDA_LAUNCH_CHECK();
}

}  // namespace cuda
}  // namespace tf
