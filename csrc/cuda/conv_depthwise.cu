// Depthwise conv on the GPU: launchers for conv_depthwise_kernels.cuh (NHWC forward, backward
// data, backward filter in two deterministic stages). Twin of csrc/cpu/conv_depthwise.cpp;
// contract in tf/cuda_kernels.h and reference/conv.py.
#include <algorithm>

#include "conv_depthwise_kernels.cuh"
#include "tf/cuda_check.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace cuda {
using namespace dwconv;

namespace {
unsigned blocks_for(long long n) {
  return (unsigned)std::max(1LL, std::min((n + THREADS - 1) / THREADS, 1LL << 20));
}
Geom geom(const DwGeom& d) {
  return Geom{d.N, d.H, d.W, d.C, d.M, d.OH, d.OW, d.KH, d.KW, d.sh, d.sw, d.pt, d.pl, d.dh, d.dw};
}
}  // namespace

void depthwise_conv2d_forward(cudaStream_t s, const DwGeom& d, const float* x, const float* w,
                              const float* b, float* y) {
  const long long n = d.N * d.OH * d.OW * d.C * d.M;
  if (n <= 0) return;
  dw_forward_kernel<<<blocks_for(n), THREADS, 0, s>>>(geom(d), x, w, b, y);
  TF_CUDA_LAUNCH_CHECK();
}

void depthwise_conv2d_backward_data(cudaStream_t s, const DwGeom& d, const float* dy,
                                    const float* w, float* dx) {
  const long long n = d.N * d.H * d.W * d.C;
  if (n <= 0) return;
  dw_backward_data_kernel<<<blocks_for(n), THREADS, 0, s>>>(geom(d), dy, w, dx);
  TF_CUDA_LAUNCH_CHECK();
}

int64_t depthwise_filter_workspace_floats(const DwGeom& d) {
  const long long rows = d.N * d.OH;
  if (rows <= 0) return 0;
  const long long per = dw_rows_per_chunk(rows), nch = (rows + per - 1) / per;
  return nch * d.KH * d.KW * d.C * d.M;
}

void depthwise_conv2d_backward_filter(cudaStream_t s, const DwGeom& d, const float* dy,
                                      const float* x, float* dw, float* workspace) {
  const long long rows = d.N * d.OH, TCM = (long long)d.KH * d.KW * d.C * d.M;
  if (rows <= 0 || TCM <= 0) return;
  const long long per = dw_rows_per_chunk(rows), nch = (rows + per - 1) / per;
  dw_backward_filter_partial_kernel<<<blocks_for(nch * TCM), THREADS, 0, s>>>(geom(d), per, nch,
                                                                             dy, x, workspace);
  TF_CUDA_LAUNCH_CHECK();
  dw_backward_filter_reduce_kernel<<<blocks_for(TCM), THREADS, 0, s>>>(nch, TCM, workspace, dw);
  TF_CUDA_LAUNCH_CHECK();
}

void depthwise_conv2d_backward_bias(cudaStream_t s, const DwGeom& d, const float* dy, float* db,
                                    float* workspace) {
  const long long rows = d.N * d.OH, CM = d.C * d.M;
  if (rows <= 0 || CM <= 0) return;
  const long long per = dw_rows_per_chunk(rows), nch = (rows + per - 1) / per;
  dw_backward_bias_partial_kernel<<<blocks_for(nch * CM), THREADS, 0, s>>>(geom(d), per, nch, dy,
                                                                          workspace);
  TF_CUDA_LAUNCH_CHECK();
  dw_backward_filter_reduce_kernel<<<blocks_for(CM), THREADS, 0, s>>>(nch, CM, workspace, db);
  TF_CUDA_LAUNCH_CHECK();
}

}  // namespace cuda
}  // namespace tf
