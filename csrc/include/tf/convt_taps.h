// Conv2DTranspose whose kernel equals its stride (U-Net's 2x2 / stride 2 up-sampling), forward:
// Note [kernel == stride transposed conv] in python/tensorforge/kernels/conv_transpose_taps.py.
//
// y[r, a, j, :] = x[r, j, :] @ w[a, :, :]^T + bias  for r < R (the (n, i) input rows), a < KH,
// j < W, where x is (R, W, C) = (N*H, W, C_out), w is (KH, KWC, C) = (KH, KW*C_in, C_out)
// (conv2d_transpose's w layout), bias is (KH*KWC,) (b tiled over the KH*KW taps) or nullptr,
// and y is (R, KH, W, KWC) = (N, H*KH, W*KW, C_in). All C-contiguous float32; y write-only.
//
// Threads split the rows r in chunks (tf/parallel.h); for each (r, a) the product x[r] @ w[a]^T is
// stored by the conv micro-kernel straight into y[r, a], a contiguous (W x KWC) block (Note
// [taps stored in place] in csrc/cpu/convt_taps.cpp): no buffer, no copy, x read in place.
#pragma once
#include "tf/common.h"
#include "tf/isa.h"

namespace tf {
TF_DECLARE_KERNEL(void, convt_taps_forward,
                  (index_t R, index_t W, index_t C, index_t KH, index_t KWC, const float* x,
                   const float* w, const float* bias, float* y))
static inline void convt_taps_forward(index_t R, index_t W, index_t C, index_t KH, index_t KWC,
                                      const float* x, const float* w, const float* bias,
                                      float* y) {
  TF_DISPATCH(convt_taps_forward, R, W, C, KH, KWC, x, w, bias, y);
}
}  // namespace tf
