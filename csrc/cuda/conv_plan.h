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

enum ConvOperand : int { kCol = 0, kW, kDy, kOnes };

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

}  // namespace cuda
}  // namespace tf
