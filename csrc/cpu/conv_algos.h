// The conv algorithms' passes that the entry points in conv.cpp choose from, per layer and per
// pass: direct (implicit GEMM, conv_direct.cpp), im2col (conv_im2col.cpp) and Winograd
// (conv_winograd.cpp, geometry in conv_winograd.h), and the geometry tests the choice uses.
// Private to csrc/cpu/conv*.cpp (compiled once per ISA, tf/isa.h); shared micro-kernels, panels
// and helpers in conv_impl.h.
#pragma once
#include "tf/conv.h"

#ifndef TF_ISA
#error "conv_algos.h is for csrc/cpu/conv*.cpp, compiled once per ISA"
#endif

namespace tf {
namespace TF_ISA {

// Columns of padding past the right edge that some window reads (<= 0: none).
inline index_t right_pad_used(const ConvShape& s) {
  return (s.OW - 1) * s.sw + (s.KW - 1) * s.dw + 1 - s.W - s.pl;
}

// Few input channels, dilation 1 along W and no window crossing the left or right edge: a kernel
// row of every pixel is one contiguous run of KW*CI floats of x (Note [forward rows] and Note
// [weight gradient rows] in conv_direct.cpp).
inline bool rows_fit(const ConvShape& s) {
  return s.CI < 8 && s.dw == 1 && s.pl == 0 && right_pad_used(s) <= 0;
}

// ---- direct: implicit GEMM, A gathered in place (conv_direct.cpp) ----
void conv_forward_direct(const ConvShape& s, const float* x, const float* w, const float* b, float* y,
                         Act act);
void conv_backward_data_direct(const ConvShape& s, const float* dy, const float* w, float* dx);
// dW from x in place, for rows_fit(s) layers
void conv_backward_filter_rows(const ConvShape& s, const float* dy, const float* x, float* dw,
                               float* db, const float* y);

// ---- im2col: a column (or dcol) buffer per chunk of pixels (conv_im2col.cpp) ----
// for at most half a vector of input channels
void conv_backward_data_col2im(const ConvShape& s, const float* dy, const float* w, float* dx);
void conv_backward_filter_im2col(const ConvShape& s, const float* dy, const float* x, float* dw,
                                 float* db, const float* y);

// ---- by taps: dW tap by tap over the pixels each tap reads, from packed panels ----
// (conv_wgrad_taps.cpp, Note [weight gradient by taps]), for >= 8 input channels
void conv_backward_filter_taps(const ConvShape& s, const float* dy, const float* x, float* dw,
                               float* db, const float* y);

// ---- Winograd (conv_winograd.cpp): wino_conv, wino_backward_filter in conv_winograd.h, and ----
void wino_backward_data(const ConvShape& s, const float* dy, const float* w, float* dx);

// ---- strided layers by phases, each a Winograd convolution (conv_phases.cpp, Note [strided ----
// layers by phases]): stride > 1, dilation 1, kernel extents 2..4 times the strides
enum class PhasePass { forward, backward_data, weight_grad };
bool phases_use(const ConvShape& s, PhasePass pass);
void conv_forward_phases(const ConvShape& s, const float* x, const float* w, const float* b, float* y,
                         Act act);
void conv_backward_data_phases(const ConvShape& s, const float* dy, const float* w, float* dx);
void conv_backward_filter_phases(const ConvShape& s, const float* dy, const float* x, float* dw,
                                 float* db, const float* y);

}  // namespace TF_ISA
}  // namespace tf
