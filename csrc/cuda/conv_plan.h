// The GEMMs that make up conv2d on the GPU, as data, so that bind_conv.cpp and the CPU-model test
// (emu/emu_conv.cpp) run the very same shapes and strides. Host-only, plain C++.
//
// rows = N*OH*OW, Kc = KH*KW*C_in; every matrix is row-major and C-contiguous:
//   col (rows, Kc) = im2col(x) (or x itself, (N*H*W, C_in), for a 1x1/stride-1/unpadded conv)
//   w   (Kc, C_out)  (the (KH, KW, C_in, C_out) weight as it lies in memory)
//   y, dy (rows, C_out)
// forward: y    = col @ w                  (+ bias, relu in the GEMM epilogue)
// dW:      dw   = col^T @ dy               (Kc x C_out, K = rows: split-K)
// db:      db   = ones(1, rows) @ dy       (the ones row is one float read with strides 0, 0)
// dx:      dcol = dy @ w^T, dx = col2im(dcol)  (for 1x1 convs dcol is dx itself)
#pragma once
#include <cstdint>

namespace tf {
namespace cuda {

enum ConvOperand : int { kCol = 0, kW, kDy, kOnes, kX, kWt };

struct GemmSpec {
  int64_t M, N, K;
  int a, b;  // ConvOperand of op(A) and op(B)
  int64_t rsA, csA, rsB, csB, ldc;
};

inline GemmSpec conv_forward_gemm(int64_t rows, int64_t Kc, int64_t Cout) {
  return GemmSpec{rows, Cout, Kc, kCol, kW, Kc, 1, Cout, 1, Cout};
}
inline GemmSpec conv_dw_gemm(int64_t rows, int64_t Kc, int64_t Cout) {
  return GemmSpec{Kc, Cout, rows, kCol, kDy, 1, Kc, Cout, 1, Cout};
}
inline GemmSpec conv_db_gemm(int64_t rows, int64_t Cout) {
  return GemmSpec{1, Cout, rows, kOnes, kDy, 0, 0, Cout, 1, Cout};
}
inline GemmSpec conv_dcol_gemm(int64_t rows, int64_t Kc, int64_t Cout) {
  return GemmSpec{rows, Kc, Cout, kDy, kW, Cout, 1, 1, Cout, Kc};
}

// Implicit GEMMs (Note [implicit GEMM] in conv_kernels.cuh): op(A) is gathered (kind: which
// matrix, from x (kX) or dy (kDy)), op(B) strided; akf: op(A) read K-fast.
//   forward          y  (rows, Cout)   = col   @ w    (Kc, Cout)
//   backward-filter  dw (Kc, Cout)     = col^T @ dy   (rows, Cout)
//   backward-data    dx (N*H*W, C_in)  = dycol @ wt   (KH*KW*Cout, C_in), wt = w with its last two
//                                                      axes swapped
enum GatherKind : int { kGatherCol = 0, kGatherColT = 1, kGatherDyCol = 2 };

struct IGemmSpec {
  int64_t M, N, K;
  int kind, src, b;  // GatherKind, ConvOperand of the gathered source and of op(B)
  int64_t rsB, csB, ldc;
  bool akf;
};

inline IGemmSpec conv_forward_igemm(int64_t rows, int64_t Kc, int64_t Cout) {
  return IGemmSpec{rows, Cout, Kc, kGatherCol, kX, kW, Cout, 1, Cout, true};
}
inline IGemmSpec conv_dw_igemm(int64_t rows, int64_t Kc, int64_t Cout) {
  return IGemmSpec{Kc, Cout, rows, kGatherColT, kX, kDy, Cout, 1, Cout, false};
}
inline IGemmSpec conv_dx_igemm(int64_t NHW, int64_t Cin, int64_t KKCout) {
  return IGemmSpec{NHW, Cin, KKCout, kGatherDyCol, kDy, kWt, Cin, 1, Cin, true};
}

}  // namespace cuda
}  // namespace tf
