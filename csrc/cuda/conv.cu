// Convolution helpers on the GPU: launchers for conv_kernels.cuh (im2col, col2im). conv2d itself is
// composed in bind_conv.cpp as im2col + our SGEMM (+ fused bias/relu epilogue); see there.
#include <algorithm>

#include "conv_kernels.cuh"
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
