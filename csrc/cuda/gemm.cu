// SGEMM on the GPU: launcher for the register-blocked kernel in gemm_kernel.cuh (tiling and
// layout notes there). Twin of csrc/cpu/gemm.cpp; contract in tf/cuda_kernels.h.
#include <cstdint>
#include <cstdlib>

#include "gemm_kernel.cuh"
#include "tf/cuda_check.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace cuda {
namespace {

using namespace gemm_detail;

template <bool AK, bool BK_>
void launch(dim3 grid, cudaStream_t s, int64_t M, int64_t N, int64_t K, float alpha,
            const float* A, int64_t rsA, int64_t csA, bool vecA, const float* B, int64_t rsB,
            int64_t csB, bool vecB, float beta, float* C, int64_t ldc, bool vecC,
            const float* bias, bool relu) {
  sgemm_128x128x8<AK, BK_><<<grid, THREADS, 0, s>>>(M, N, K, alpha, A, rsA, csA, vecA, B, rsB, csB,
                                                   vecB, beta, C, ldc, vecC, bias, relu);
  TF_CUDA_LAUNCH_CHECK();
}

}  // namespace

void sgemm(cudaStream_t stream, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t rsA, int64_t csA, const float* B, int64_t rsB, int64_t csB, float beta,
           float* C, int64_t ldc, const float* bias, bool relu) {
  if (M <= 0 || N <= 0 || K <= 0) return;
  bool akf, vecA, bkf, vecB;
  choose_loader(A, M, K, rsA, csA, akf, vecA);
  choose_loader(B, N, K, csB, rsB, bkf, vecB);  // op(B) read as an (N, K) operand
  const bool vecC = ldc % 4 == 0 && (reinterpret_cast<uintptr_t>(C) & 15u) == 0;
  dim3 grid((unsigned)((N + BN - 1) / BN), (unsigned)((M + BM - 1) / BM));
  if (akf && bkf)
    launch<true, true>(grid, stream, M, N, K, alpha, A, rsA, csA, vecA, B, rsB, csB, vecB, beta, C, ldc, vecC, bias, relu);
  else if (akf)
    launch<true, false>(grid, stream, M, N, K, alpha, A, rsA, csA, vecA, B, rsB, csB, vecB, beta, C, ldc, vecC, bias, relu);
  else if (bkf)
    launch<false, true>(grid, stream, M, N, K, alpha, A, rsA, csA, vecA, B, rsB, csB, vecB, beta, C, ldc, vecC, bias, relu);
  else
    launch<false, false>(grid, stream, M, N, K, alpha, A, rsA, csA, vecA, B, rsB, csB, vecB, beta, C, ldc, vecC, bias, relu);
}

}  // namespace cuda
}  // namespace tf
