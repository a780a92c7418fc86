// Depthwise 2-D convolution, NHWC, forward and backward (kernels in csrc/cpu/conv_depthwise.cpp).
//
//   x  (N, H, W, C)      input activations
//   w  (KH, KW, C)       one filter per channel (Keras depthwise_kernel (KH, KW, C, M) with M = 1)
//   y  (N, OH, OW, C)    y[n, oh, ow, c] = sum_{kh, kw} xpad[n, oh*sh + kh*dh, ow*sw + kw*dw, c]
//                                                      * w[kh, kw, c]  (+ b[c], b may be nullptr)
//   db (C)               db[c] = sum over n, oh, ow of dy[n, oh, ow, c] (may be nullptr)
// xpad is x with pt/pl zero rows/columns before it (the bottom/right pads are implied by OH, OW).
// The padded cells are multiplied like real ones (0 * w, 0 * dy), so a NaN or Inf weight or
// gradient next to the padding gives NaN exactly as the NumPy reference's materialized padding
// does; the backward-data pass has no padded terms (padded cells have no gradient).
//
// depth_multiplier M > 1 (Keras w (KH, KW, C, M), y channel c*M + m) is the M = 1 kernel on the
// channel-expanded input xe[..., c*M + m] = x[..., c] with w read as (KH, KW, C*M): the
// bindings expand x with depthwise_expand_channels and fold dx back with
// depthwise_reduce_channels (dx[c] = sum_m dxe[c*M + m]).
//
// Contract (tf/common.h): const inputs, output pointers, explicit dimensions; no validation.
// forward and backward_data WRITE (=); backward_filter ACCUMULATES into dw and db (+=).
// Note [fused bias]: the bias is added last in the forward's epilogue (the bits of a separate
// add), and its gradient is summed from the rows of dy the weight gradient reads anyway, in the
// same fixed chunks (deterministic), so a DepthwiseConv2D layer makes no extra pass over y or dy.
// backward_filter with dw == nullptr computes db only. All arrays are
// C-contiguous float32. Vectorized over C (the contiguous axis); parallel over output rows
// (forward, dw) or input rows (dx, a gather: no two threads write one element). Note [dw
// chunks]: the weight gradient sums fixed chunks of output rows into per-chunk partials and adds
// the partials in chunk order, so dw is bit-identical at every thread count.
#pragma once
#include "tf/common.h"
#include "tf/isa.h"

namespace tf {

struct DwShape {
  index_t N, H, W, C;  // x is (N, H, W, C); w is (KH, KW, C)
  index_t KH, KW;
  index_t OH, OW;      // y is (N, OH, OW, C)
  index_t sh, sw;      // strides
  index_t pt, pl;      // top and left pads
  index_t dh, dw;      // dilations
};

TF_DECLARE_KERNEL(void, depthwise_conv2d_forward,
                  (const DwShape& s, const float* x, const float* w, const float* b, float* y))
TF_DECLARE_KERNEL(void, depthwise_conv2d_backward_data,
                  (const DwShape& s, const float* dy, const float* w, float* dx))
TF_DECLARE_KERNEL(void, depthwise_conv2d_backward_filter,
                  (const DwShape& s, const float* dy, const float* x, float* dw, float* db))
// dx (when given; written) and dw / db (when given; accumulated): backward_data then
// backward_filter, fused into one pass over dy for 3x3 stride-1 'same' (Note [fused 3x3
// backward] in csrc/cpu/conv_depthwise.cpp).
TF_DECLARE_KERNEL(void, depthwise_conv2d_backward,
                  (const DwShape& s, const float* dy, const float* x, const float* w, float* dx,
                   float* dw, float* db))
// xe (P, C*M): xe[p, c*M + m] = x[p, c].   x (P, C).
TF_DECLARE_KERNEL(void, depthwise_expand_channels,
                  (index_t P, index_t C, index_t M, const float* x, float* xe))
// dx (P, C): dx[p, c] = sum_m dxe[p, c*M + m] (m in order).   dxe (P, C*M).
TF_DECLARE_KERNEL(void, depthwise_reduce_channels,
                  (index_t P, index_t C, index_t M, const float* dxe, float* dx))

static inline void depthwise_conv2d_forward(const DwShape& s, const float* x, const float* w,
                                            const float* b, float* y) {
  TF_DISPATCH(depthwise_conv2d_forward, s, x, w, b, y);
}
static inline void depthwise_conv2d_backward_data(const DwShape& s, const float* dy, const float* w,
                                                  float* dx) {
  TF_DISPATCH(depthwise_conv2d_backward_data, s, dy, w, dx);
}
static inline void depthwise_conv2d_backward_filter(const DwShape& s, const float* dy, const float* x,
                                                    float* dw, float* db) {
  TF_DISPATCH(depthwise_conv2d_backward_filter, s, dy, x, dw, db);
}
static inline void depthwise_conv2d_backward(const DwShape& s, const float* dy, const float* x,
                                             const float* w, float* dx, float* dw, float* db) {
  TF_DISPATCH(depthwise_conv2d_backward, s, dy, x, w, dx, dw, db);
}
static inline void depthwise_expand_channels(index_t P, index_t C, index_t M, const float* x, float* xe) {
  TF_DISPATCH(depthwise_expand_channels, P, C, M, x, xe);
}
static inline void depthwise_reduce_channels(index_t P, index_t C, index_t M, const float* dxe, float* dx) {
  TF_DISPATCH(depthwise_reduce_channels, P, C, M, dxe, dx);
}

}  // namespace tf
