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

namespace {

struct BatchedArgs {
  long long M, N, K;
  const float* A;
  long long rsA, csA;
  bool vecA;
  const float* B;
  long long rsB, csB;
  bool vecB;
  float* C;
  long long ldc;
  bool vecC;
  GemmBatch bt;
};

template <int BM, int BK, bool AK, bool BKF>
void launch_batched(cudaStream_t s, const BatchedArgs& a, long long m_rows, long long m_off,
                    long long z0, long long nz) {
  dim3 grid((unsigned)((a.N + BM - 1) / BM), (unsigned)((m_rows + BM - 1) / BM), (unsigned)nz);
  auto kern = sgemm_batched_tile<BM, BK, AK, BKF>;
  kern<<<grid, THREADS, 0, s>>>(m_rows, a.N, a.K, a.A + m_off * a.rsA, a.rsA, a.csA, a.vecA, a.B,
                                a.rsB, a.csB, a.vecB, a.C + m_off * a.ldc, a.ldc, a.vecC,
                                a.bt.inner, a.bt.a[0], a.bt.a[1], a.bt.b[0], a.bt.b[1], a.bt.c[0],
                                a.bt.c[1], z0);
  TF_CUDA_LAUNCH_CHECK();
}

template <int BM, int BK>
void launch_batched_tile(cudaStream_t s, bool akf, bool bkf, const BatchedArgs& a,
                         long long m_rows, long long m_off, long long z0, long long nz) {
  if (akf && bkf) launch_batched<BM, BK, true, true>(s, a, m_rows, m_off, z0, nz);
  else if (akf) launch_batched<BM, BK, true, false>(s, a, m_rows, m_off, z0, nz);
  else if (bkf) launch_batched<BM, BK, false, true>(s, a, m_rows, m_off, z0, nz);
  else launch_batched<BM, BK, false, false>(s, a, m_rows, m_off, z0, nz);
}

}  // namespace

void sgemm_batched(cudaStream_t stream, const GemmBatch& batch, int64_t M, int64_t N, int64_t K,
                   const float* A, int64_t rsA, int64_t csA, const float* B, int64_t rsB,
                   int64_t csB, float* C, int64_t ldc) {
  const int64_t count = batch.count();  // < 2^31: the kernel numbers slices in 32 bits
  if (count <= 0 || M <= 0 || N <= 0 || K <= 0) return;
  bool akf, vecA, bkf, vecB;
  choose_loader(A, M, K, rsA, csA, akf, vecA);
  choose_loader(B, N, K, csB, rsB, bkf, vecB);  // op(B) read as an (N, K) operand
  // float4 loads need every slice's rows 16-byte aligned, not only the first slice's
  auto all4 = [](int64_t x, int64_t y) { return x % 4 == 0 && y % 4 == 0; };
  BatchedArgs a{M, N, K, A, rsA, csA, vecA && all4(batch.a[0], batch.a[1]), B, rsB, csB,
                vecB && all4(batch.b[0], batch.b[1]), C, ldc, false, batch};
  a.vecC = ldc % 4 == 0 && (reinterpret_cast<uintptr_t>(C) & 15u) == 0 && all4(batch.c[0], batch.c[1]);
  // 64-tiles when 128-tiles over all slices would leave multiprocessors idle (plan_sgemm's rule)
  const int64_t tiles128 = ((M + 127) / 128) * ((N + 127) / 128) * count;
  const int tile = tiles128 >= sm_count() ? 128 : 64;
  const int64_t max_rows = (int64_t)65535 * tile, max_z = 65535;  // grid y and z limits
  for (int64_t z0 = 0; z0 < count; z0 += max_z)
    for (int64_t m_off = 0; m_off < M; m_off += max_rows) {
      const int64_t rows = std::min<int64_t>(max_rows, M - m_off), nz = std::min<int64_t>(max_z, count - z0);
      if (tile == 128) launch_batched_tile<128, 8>(stream, akf, bkf, a, rows, m_off, z0, nz);
      else launch_batched_tile<64, 16>(stream, akf, bkf, a, rows, m_off, z0, nz);
    }
}

}  // namespace cuda
}  // namespace tf
