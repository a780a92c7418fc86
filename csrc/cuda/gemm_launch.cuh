// The SGEMM launcher (tile plan, loaders, split-K, row chunks) as a template over the op(A)
// operand type (Note [GEMM operands] in gemm_kernel.cuh), shared by sgemm() (gemm.cu, strided
// operands) and conv2d's implicit GEMMs (conv.cu, a gather from the image). nvcc only; the CPU
// model's twin of this logic is emu/emu_sgemm.h.
#pragma once
#include <algorithm>
#include <cstdint>

#include "gemm_kernel.cuh"
#include "tf/cuda_check.h"

namespace tf {
namespace cuda {
namespace gemm_detail {

int sm_count();  // gemm.cu: multiprocessors of the current device (cached)

template <class AOp>
struct Args {
  long long M, N, K;
  float alpha;
  AOp a;
  StridedOperand b;
  float beta;
  float* C;
  long long ldc;
  bool vecC;
  const float* bias;
  bool relu;
  long long kchunk, split_stride;
};

// One launch of the kernel for the strided operand; gathers (Note [GEMM operands]) provide their
// own overload of launch_kernel beside their __global__ wrapper (found by argument-dependent
// lookup, e.g. conv.cu for ConvOperand).
template <int BM, int BK, bool AK, bool BKF>
void launch_kernel(dim3 grid, cudaStream_t s, const Args<StridedOperand>& a) {
  // through a function pointer: the launch syntax wants one name, not a template-id with commas
  auto kern = sgemm_tile<BM, BK, AK, BKF>;
  kern<<<grid, THREADS, 0, s>>>(a.M, a.N, a.K, a.alpha, a.a.p, a.a.rs, a.a.cs, a.a.vec, a.b.p,
                                a.b.cs, a.b.rs, a.b.vec, a.beta, a.C, a.ldc, a.vecC, a.bias,
                                a.relu, a.kchunk, a.split_stride);
  TF_CUDA_LAUNCH_CHECK();
}

template <int BM, int BK, class AOp>
void launch_tile(cudaStream_t s, bool akf, bool bkf, int splits, const Args<AOp>& a) {
  dim3 grid((unsigned)((a.N + BM - 1) / BM), (unsigned)((a.M + BM - 1) / BM), (unsigned)splits);
  if (akf && bkf) launch_kernel<BM, BK, true, true>(grid, s, a);
  else if (akf) launch_kernel<BM, BK, true, false>(grid, s, a);
  else if (bkf) launch_kernel<BM, BK, false, true>(grid, s, a);
  else launch_kernel<BM, BK, false, false>(grid, s, a);
}

// C = alpha * op(A) @ op(B) + beta * C (+ bias) (relu); op(A) is `a` (an (M, K) operand read
// K-fast when akf), the rest as sgemm() in tf/cuda_kernels.h.
template <class AOp>
void gemm_run(cudaStream_t stream, int64_t M, int64_t N, int64_t K, float alpha, const AOp& a,
              bool akf, const float* B, int64_t rsB, int64_t csB, float beta, float* C,
              int64_t ldc, const float* bias, bool relu, float* workspace) {
  if (M <= 0 || N <= 0 || K <= 0) return;
  Plan p = plan_sgemm(M, N, K, sm_count());
  if (p.splits > 1 && workspace == nullptr) p = Plan{64, 1, K};  // caller gave no workspace
  bool bkf, vecB;
  choose_loader(B, N, K, csB, rsB, bkf, vecB);  // op(B) read as an (N, K) operand
  Args<AOp> args{M, N, K, alpha, a, StridedOperand{B, csB, rsB, vecB}, beta, C, ldc, false, bias,
                 relu, p.kchunk, 0};
  args.vecC = ldc % 4 == 0 && (reinterpret_cast<uintptr_t>(C) & 15u) == 0;
  if (p.splits > 1) {  // partial sums to the workspace, then reduce + epilogue (Note [split-K])
    args.alpha = 1.0f;
    args.beta = 0.0f;
    args.C = workspace;
    args.ldc = N;
    args.vecC = N % 4 == 0 && (reinterpret_cast<uintptr_t>(workspace) & 15u) == 0;
    args.bias = nullptr;
    args.relu = false;
    args.split_stride = M * N;
  }
  // gridDim.y is at most 65535: very tall problems (conv2d's N*OH*OW rows) run as row chunks;
  // chunk offsets are multiples of 4 rows, so float4 alignment is unchanged.
  const int64_t max_rows = (int64_t)65535 * p.tile;
  for (int64_t m_off = 0; m_off < M; m_off += max_rows) {
    Args<AOp> c = args;
    c.M = std::min<int64_t>(max_rows, M - m_off);
    c.a = a.at_m(m_off);
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

}  // namespace gemm_detail
}  // namespace cuda
}  // namespace tf
