// 2-D convolution, NHWC, forward and backward (kernels in csrc/cpu/conv.cpp).
//
//   x  (N, H, W, CI)       input activations
//   w  (KH, KW, CI, CO)    weights (Keras layout); as a matrix (KH*KW*CI, CO), row-major
//   b  (CO,) or nullptr    bias
//   y  (N, OH, OW, CO)     output:
//   y[n, oh, ow, co] = act(b[co] + sum_{kh, kw, ci} x[n, oh*sh - pt + kh*dh, ow*sw - pl + kw*dw, ci]
//                                                    * w[kh, kw, ci, co])
// with out-of-range input positions reading as zero (padding). Pads are explicit (the Python
// layer resolves 'same'; see Note [same padding] in python/tensorforge/kernels/conv.py); the
// bottom/right pads are implied by OH and OW.
//
// Contract (llm.c style): kernels take const inputs, output pointers and explicit dimensions,
// and neither allocate Python objects nor validate. conv2d_backward_data WRITES dx (=);
// conv2d_backward_filter ACCUMULATES into dw and db (+=), either of which may be nullptr.
// dy is the gradient with respect to the pre-activation output (the caller applies the relu
// mask). All arrays are C-contiguous float32.
#pragma once
#include <atomic>

#include "tf/common.h"
#include "tf/isa.h"

namespace tf {

struct ConvShape {
  index_t N, H, W, CI;   // x is (N, H, W, CI)
  index_t KH, KW, CO;    // w is (KH, KW, CI, CO)
  index_t OH, OW;        // y is (N, OH, OW, CO)
  index_t sh, sw;        // strides
  index_t pt, pl;        // top and left pads
  index_t dh, dw;        // dilations
};

// Note [Winograd] (csrc/cpu/conv.cpp): stride-1 3x3..5x5 layers with >= 16 channels each way run
// all three passes as Winograd F(m, r) (6x6 tiles). Process-wide switch (on by default), for
// benchmarks and tests that compare with the direct kernels: _C._conv_winograd(bool).
inline std::atomic<bool>& conv_winograd_enabled() {
  static std::atomic<bool> on{true};
  return on;
}

// Note [Winograd against direct] (csrc/cpu/conv_winograd.cpp): Winograd runs where it beats the
// direct pass with the transformed weights' cost counted. Switched on, it runs wherever its
// multiply count alone allows (off by default): for tests that cover the Winograd path on small
// layers and batches. Process-wide: _C._conv_winograd_always(bool).
inline std::atomic<bool>& conv_winograd_always() {
  static std::atomic<bool> on{false};
  return on;
}

// Note [Winograd 8x8 tiles] (csrc/cpu/conv_winograd_tiles.h): the 2x2 phase kernels of strided
// layers on grids that 6x6 tiles cover badly (DCGAN 7->14's 7x7) run F(7, 2) on 8x8 tiles (on by
// default). Process-wide switch for benchmarks and tests: _C._conv_winograd_tile8(bool).
inline std::atomic<bool>& conv_winograd_tile8_enabled() {
  static std::atomic<bool> on{true};
  return on;
}

// Note [weight gradient by taps] (csrc/cpu/conv_wgrad_taps.cpp): the weight gradient of layers
// with >= 8 input channels outside Winograd runs tap by tap (on by default); off, the im2col path
// runs instead. Process-wide switch for benchmarks and tests: _C._conv_wgrad_taps(bool).
inline std::atomic<bool>& conv_wgrad_taps_enabled() {
  static std::atomic<bool> on{true};
  return on;
}

// Note [forward border classes] (csrc/cpu/conv_direct.cpp): strided forward tiles over pixels
// sorted by their valid taps (on by default); off, tiles of consecutive pixels. Process-wide
// switch for benchmarks and tests: _C._conv_forward_classes(bool).
inline std::atomic<bool>& conv_forward_classes_enabled() {
  static std::atomic<bool> on{true};
  return on;
}

TF_DECLARE_KERNEL(void, conv2d_forward,
                  (const ConvShape& s, const float* x, const float* w, const float* b, float* y,
                   Act act))
TF_DECLARE_KERNEL(void, conv2d_backward_data,
                  (const ConvShape& s, const float* dy, const float* w, float* dx))
// y: nullptr, or the forward's relu output: dy is then read as dy * (y > 0) (fused relu backward).
TF_DECLARE_KERNEL(void, conv2d_backward_filter,
                  (const ConvShape& s, const float* dy, const float* x, float* dw, float* db,
                   const float* y))

// out[i] = dy[i] * (y[i] > 0 ? 1 : 0): the relu backward (NaN in dy stays NaN), for the
// backward-data pass when the caller fuses the relu (conv2d_backward_filter fuses it itself).
TF_DECLARE_KERNEL(void, relu_backward_mask, (index_t n, const float* dy, const float* y, float* out))

static inline void relu_backward_mask(index_t n, const float* dy, const float* y, float* out) {
  TF_DISPATCH(relu_backward_mask, n, dy, y, out);
}
static inline void conv2d_forward(const ConvShape& s, const float* x, const float* w, const float* b,
                           float* y, Act act) {
  TF_DISPATCH(conv2d_forward, s, x, w, b, y, act);
}
static inline void conv2d_backward_data(const ConvShape& s, const float* dy, const float* w, float* dx) {
  TF_DISPATCH(conv2d_backward_data, s, dy, w, dx);
}
static inline void conv2d_backward_filter(const ConvShape& s, const float* dy, const float* x, float* dw,
                                   float* db, const float* y) {
  TF_DISPATCH(conv2d_backward_filter, s, dy, x, dw, db, y);
}

}  // namespace tf
