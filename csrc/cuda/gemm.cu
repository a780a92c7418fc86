// SGEMM on the GPU: launcher for the register-blocked kernels in gemm_kernel.cuh (tiling, layout
// and split-K notes there). Twin of csrc/cpu/gemm.cpp; contract in tf/cuda_kernels.h.
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "gemm_launch.cuh"
#include "tf/cuda_check.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace cuda {
namespace gemm_detail {

int sm_count() {
  static int cache[64] = {0};
  int dev = 0;
  TF_CUDA_CHECK(cudaGetDevice(&dev));
  if (dev < 0 || dev >= 64) dev = 0;
  if (cache[dev] == 0) TF_CUDA_CHECK(cudaDeviceGetAttribute(&cache[dev], cudaDevAttrMultiProcessorCount, dev));
  return cache[dev];
}

}  // namespace gemm_detail

using namespace gemm_detail;

int64_t sgemm_workspace_floats(int64_t M, int64_t N, int64_t K) {
  if (M <= 0 || N <= 0 || K <= 0) return 0;
  const Plan p = plan_sgemm(M, N, K, sm_count());
  return p.splits > 1 ? (int64_t)p.splits * M * N : 0;
}

void sgemm(cudaStream_t stream, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t rsA, int64_t csA, const float* B, int64_t rsB, int64_t csB, float beta,
           float* C, int64_t ldc, const float* bias, bool relu, float* workspace) {
  bool akf, vecA;
  choose_loader(A, M, K, rsA, csA, akf, vecA);
  gemm_run(stream, M, N, K, alpha, StridedOperand{A, rsA, csA, vecA}, akf, B, rsB, csB, beta, C,
           ldc, bias, relu, workspace);
}

}  // namespace cuda
}  // namespace tf
