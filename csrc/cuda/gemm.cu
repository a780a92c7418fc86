// SGEMM on the GPU: launcher for the register-blocked kernels in gemm_kernel.cuh (tiling, layout
// and split-K notes there). Twin of csrc/cpu/gemm.cpp; contract in tf/cuda_kernels.h.
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "gemm_kernel.cuh"
#include "tf/cuda_check.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace cuda {
namespace {

using namespace gemm_detail;

int sm_count() {
  static int cache[64] = {0};
  int dev = 0;
  TF_CUDA_CHECK(cudaGetDevice(&dev));
  if (dev < 0 || dev >= 64) dev = 0;
  if (cache[dev] == 0) TF_CUDA_CHECK(cudaDeviceGetAttribute(&cache[dev], cudaDevAttrMultiProcessorCount, dev));
  return cache[dev];
}

struct Args {
  int64_t M, N, K;
  float alpha;
  const float* A;
  int64_t rsA, csA;
  bool vecA;
  const float* B;
  int64_t rsB, csB;
  bool vecB;
  float beta;
  float* C;
  int64_t ldc;
  bool vecC;
  const float* bias;
  bool relu;
  long long kchunk, split_stride;
};

template <int BM, int BK, bool AK, bool BKF>
void launch(dim3 grid, cudaStream_t s, const Args& a) {
  // through a function pointer: the launch syntax wants one name, not a template-id with commas
  auto kern = sgemm_tile<BM, BK, AK, BKF>;
  kern<<<grid, THREADS, 0, s>>>(a.M, a.N, a.K, a.alpha, a.A, a.rsA, a.csA, a.vecA, a.B, a.rsB, a.csB,
                                a.vecB, a.beta, a.C, a.ldc, a.vecC, a.bias, a.relu, a.kchunk,
                                a.split_stride);
  TF_CUDA_LAUNCH_CHECK();
}

template <int BM, int BK>
void launch_tile(cudaStream_t s, bool akf, bool bkf, int splits, const Args& a) {
  dim3 grid((unsigned)((a.N + BM - 1) / BM), (unsigned)((a.M + BM - 1) / BM), (unsigned)splits);
  if (akf && bkf) launch<BM, BK, true, true>(grid, s, a);
  else if (akf) launch<BM, BK, true, false>(grid, s, a);
  else if (bkf) launch<BM, BK, false, true>(grid, s, a);
  else launch<BM, BK, false, false>(grid, s, a);
}

}  // namespace

int64_t sgemm_workspace_floats(int64_t M, int64_t N, int64_t K) {
  if (M <= 0 || N <= 0 || K <= 0) return 0;
  const Plan p = plan_sgemm(M, N, K, sm_count());
  return p.splits > 1 ? (int64_t)p.splits * M * N : 0;
}

void sgemm(cudaStream_t stream, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t rsA, int64_t csA, const float* B, int64_t rsB, int64_t csB, float beta,
           float* C, int64_t ldc, const float* bias, bool relu, float* workspace) {
  if (M <= 0 || N <= 0 || K <= 0) return;
  Plan p = plan_sgemm(M, N, K, sm_count());
  if (p.splits > 1 && workspace == nullptr) p = Plan{64, 1, K};  // caller gave no workspace
  Args a{M, N, K, alpha, A, rsA, csA, false, B, rsB, csB, false, beta, C, ldc, false, bias, relu,
         p.kchunk, 0};
  bool akf, bkf;
  choose_loader(A, M, K, rsA, csA, akf, a.vecA);
  choose_loader(B, N, K, csB, rsB, bkf, a.vecB);  // op(B) read as an (N, K) operand
  a.vecC = ldc % 4 == 0 && (reinterpret_cast<uintptr_t>(C) & 15u) == 0;
  if (p.splits > 1) {  // partial sums to the workspace, then reduce + epilogue (Note [split-K])
    a.alpha = 1.0f;
    a.beta = 0.0f;
    a.C = workspace;
    a.ldc = N;
    a.vecC = N % 4 == 0 && (reinterpret_cast<uintptr_t>(workspace) & 15u) == 0;
    a.bias = nullptr;
    a.relu = false;
    a.split_stride = M * N;
  }
  // gridDim.y is at most 65535: very tall problems (conv2d's N*OH*OW rows) run as row chunks;
  // chunk offsets are multiples of 4 rows, so float4 alignment is unchanged.
  const int64_t max_rows = (int64_t)65535 * p.tile;
  for (int64_t m_off = 0; m_off < M; m_off += max_rows) {
    Args c = a;
    c.M = std::min<int64_t>(max_rows, M - m_off);
    c.A = A + m_off * rsA;
    if (p.splits == 1) c.C = C + m_off * ldc;  // split-K plans are small: one chunk
    if (p.tile == 128) launch_tile<128, 8>(stream, akf, bkf, p.splits, c);
    else launch_tile<64, 16>(stream, akf, bkf, p.splits, c);
  }
  if (p.splits > 1) {
    const long long MN = M * N;
    const unsigned blocks = (unsigned)std::min<long long>((MN + 255) / 256, 1 << 16);
    sgemm_splitk_reduce<<<blocks, 256, 0, stream>>>(M, N, p.splits, workspace, alpha, beta, C, ldc,
                                                    bias, relu);
    TF_CUDA_LAUNCH_CHECK();
  }
}

}  // namespace cuda
}  // namespace tf
