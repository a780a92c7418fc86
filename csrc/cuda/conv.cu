// Convolution on the GPU: launchers for conv_kernels.cuh: the implicit GEMMs (our SGEMM kernel
// with a gathered operand, Note [implicit GEMM]) and the explicit im2col / col2im helpers (kept
// for 1x1 convs' direct GEMMs' fallbacks and extents past 32-bit indexing). conv2d itself is
// composed in bind_conv.cpp.
#include <algorithm>

#include "conv_kernels.cuh"
#include "gemm_launch.cuh"
#include "tf/cuda_check.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace cuda {
using namespace conv;

namespace {
unsigned blocks_for(long long n) {
  return (unsigned)std::max(1LL, std::min((n + THREADS - 1) / THREADS, 1LL << 20));
}
Geom geom(const ConvGeom& c) {
  return Geom{c.N, c.H, c.W, c.C, c.OH, c.OW, c.KH, c.KW, c.sh, c.sw, c.pt, c.pl, c.dh, c.dw};
}
}  // namespace

namespace conv {
// The launch of the SGEMM kernel with a ConvGather operand, found by gemm_run (gemm_launch.cuh)
// through argument-dependent lookup (Note [GEMM operands]): it lives beside ConvGather.
template <int BM, int BK, bool AK, bool BKF, int KIND>
void launch_kernel(dim3 grid, cudaStream_t s, const gemm_detail::Args<ConvGather<KIND>>& a) {
  auto kern = conv_gemm_tile<BM, BK, AK, BKF, KIND>;
  kern<<<grid, gemm_detail::THREADS, 0, s>>>(a.M, a.N, a.K, a.alpha, a.a.g, a.a.src, a.a.Cout,
                                             a.a.moff, a.b.p, a.b.cs, a.b.rs, a.b.vec, a.beta,
                                             a.C, a.ldc, a.vecC, a.bias, a.relu, a.kchunk,
                                             a.split_stride);
  TF_CUDA_LAUNCH_CHECK();
}
}  // namespace conv

namespace {
template <int KIND>
void igemm(cudaStream_t s, const Geom& g, int64_t Cout, const IGemmSpec& sp, const float* src,
           const float* B, float* C, const float* bias, bool relu, float* ws) {
  gemm_detail::gemm_run(s, sp.M, sp.N, sp.K, 1.0f, ConvGather<KIND>{g, src, Cout, 0}, sp.akf, B,
                        sp.rsB, sp.csB, 0.0f, C, sp.ldc, bias, relu, ws);
}
}  // namespace

void conv2d_igemm(cudaStream_t s, const ConvGeom& c, int64_t Cout, const IGemmSpec& sp,
                  const float* src, const float* B, float* C, const float* bias, bool relu,
                  float* ws) {
  const Geom g = geom(c);
  if (sp.kind == kGatherCol) igemm<kGatherCol>(s, g, Cout, sp, src, B, C, bias, relu, ws);
  else if (sp.kind == kGatherColT) igemm<kGatherColT>(s, g, Cout, sp, src, B, C, bias, relu, ws);
  else igemm<kGatherDyCol>(s, g, Cout, sp, src, B, C, bias, relu, ws);
}

void im2col(cudaStream_t s, const ConvGeom& c, const float* x, float* col) {
  const long long n = c.N * c.OH * c.OW * (long long)c.KH * c.KW * c.C;
  if (n <= 0) return;
  im2col_kernel<<<blocks_for(n), THREADS, 0, s>>>(geom(c), x, col);
  TF_CUDA_LAUNCH_CHECK();
}

void col2im(cudaStream_t s, const ConvGeom& c, const float* dcol, float* dx) {
  const long long n = c.N * c.H * c.W * c.C;
  if (n <= 0) return;
  col2im_kernel<<<blocks_for(n), THREADS, 0, s>>>(geom(c), dcol, dx);
  TF_CUDA_LAUNCH_CHECK();
}

}  // namespace cuda
}  // namespace tf
