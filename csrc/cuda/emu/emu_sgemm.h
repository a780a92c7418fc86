// The emulated twin of gemm_run() in csrc/cuda/gemm_launch.cuh (emu::launch in place of <<<>>>;
// the tile and split-K plan come from the same plan_sgemm()). Shared by the emu_* programs.
#pragma once
#include <cmath>
#include <vector>

#include "cuda_emu.h"
// (cuda_emu.h first: it defines the CUDA keywords the kernel sources use)
#include "gemm_kernel.cuh"
#include "tf/gemm_batch.h"

using namespace tf::cuda::gemm_detail;

// The emulated launch of the strided kernel (gathers give their own overload, as in the CUDA
// launcher: emu_conv.cpp for ConvOperand).
template <int BM, int BK, bool AK, bool BKF>
inline void emu_kernel(dim3 grid, long long M, long long N, long long K, float alpha,
                       const StridedOperand& a, const StridedOperand& b, float beta, float* C,
                       long long ldc, bool vecC, const float* bias, bool relu, long long kchunk,
                       long long split_stride) {
  emu::launch(grid, dim3(THREADS), [&] {
    sgemm_tile<BM, BK, AK, BKF>(M, N, K, alpha, a.p, a.rs, a.cs, a.vec, b.p, b.cs, b.rs, b.vec, beta,
                                C, ldc, vecC, bias, relu, kchunk, split_stride);
  });
}

template <int BM, int BK, class AOp>
inline void launch_tile(bool akf, bool bkf, int splits, long long M, long long N, long long K,
                        float alpha, const AOp& a, const StridedOperand& b, float beta, float* C,
                        long long ldc, bool vecC, const float* bias, bool relu, long long kchunk,
                        long long split_stride) {
  dim3 grid((unsigned)((N + BM - 1) / BM), (unsigned)((M + BM - 1) / BM), (unsigned)splits);
#define TF_EMU_GO(AK, BKF) \
  emu_kernel<BM, BK, AK, BKF>(grid, M, N, K, alpha, a, b, beta, C, ldc, vecC, bias, relu, kchunk, split_stride)
  if (akf && bkf) TF_EMU_GO(true, true);
  else if (akf) TF_EMU_GO(true, false);
  else if (bkf) TF_EMU_GO(false, true);
  else TF_EMU_GO(false, false);
#undef TF_EMU_GO
}

// Mirrors gemm_run(): plan_sgemm is the same function, `sms` is the pretended multiprocessor count
// (it steers the 128/64 tile and split-K choices). op(A) is any operand (Note [GEMM operands]),
// read K-fast when akf. which[] reports the choices made (loaders, vector loads, tile, splits).
template <class AOp>
inline void run_gemm_op(long long M, long long N, long long K, float alpha, const AOp& a, bool akf,
                        bool vecA, const float* B, long long rsB, long long csB, float beta, float* C,
                        long long ldc, const float* bias, bool relu, int sms, int* which) {
  const Plan p = plan_sgemm(M, N, K, sms);
  bool bkf, vecB;
  choose_loader(B, N, K, csB, rsB, bkf, vecB);
  const StridedOperand b{B, csB, rsB, vecB};
  bool vecC = ldc % 4 == 0 && (reinterpret_cast<uintptr_t>(C) & 15u) == 0;
  which[0] = akf * 2 + bkf;
  which[1] = vecA * 2 + vecB;
  which[2] = p.tile;
  which[3] = p.splits;
  std::vector<float> ws;
  if (p.splits > 1) {
    ws.assign((size_t)(p.splits * M * N), NAN);  // poisoned: every split must write its part
    const bool vecW = N % 4 == 0;
    if (p.tile == 128)
      launch_tile<128, 8>(akf, bkf, p.splits, M, N, K, 1.f, a, b, 0.f, ws.data(), N, vecW, nullptr,
                          false, p.kchunk, M * N);
    else
      launch_tile<64, 16>(akf, bkf, p.splits, M, N, K, 1.f, a, b, 0.f, ws.data(), N, vecW, nullptr,
                          false, p.kchunk, M * N);
    emu::launch(dim3(2), dim3(256), [&] {
      sgemm_splitk_reduce(M, N, p.splits, ws.data(), alpha, beta, C, ldc, bias, relu);
    });
    return;
  }
  if (p.tile == 128)
    launch_tile<128, 8>(akf, bkf, 1, M, N, K, alpha, a, b, beta, C, ldc, vecC, bias, relu, p.kchunk, 0);
  else
    launch_tile<64, 16>(akf, bkf, 1, M, N, K, alpha, a, b, beta, C, ldc, vecC, bias, relu, p.kchunk, 0);
}

// The strided GEMM: sgemm() in gemm.cu.
inline void run_sgemm(long long M, long long N, long long K, float alpha, const float* A, long long rsA,
                      long long csA, const float* B, long long rsB, long long csB, float beta, float* C,
                      long long ldc, const float* bias, bool relu, int sms, int* which) {
  bool akf, vecA;
  choose_loader(A, M, K, rsA, csA, akf, vecA);
  run_gemm_op(M, N, K, alpha, StridedOperand{A, rsA, csA, vecA}, akf, vecA, B, rsB, csB, beta, C, ldc,
              bias, relu, sms, which);
}

// The batched GEMM: sgemm_batched() in gemm.cu (the same loaders, slice-alignment rule and tile
// choice; one emulated launch for all slices). tile[0] reports the tile used.
inline void run_sgemm_batched(const tf::GemmBatch& bt, long long M, long long N, long long K,
                              const float* A, long long rsA, long long csA, const float* B,
                              long long rsB, long long csB, float* C, long long ldc, int sms,
                              int* tile) {
  bool akf, vecA, bkf, vecB;
  choose_loader(A, M, K, rsA, csA, akf, vecA);
  choose_loader(B, N, K, csB, rsB, bkf, vecB);
  auto all4 = [](long long x, long long y) { return x % 4 == 0 && y % 4 == 0; };
  vecA = vecA && all4(bt.a[0], bt.a[1]);
  vecB = vecB && all4(bt.b[0], bt.b[1]);
  const bool vecC = ldc % 4 == 0 && (reinterpret_cast<uintptr_t>(C) & 15u) == 0 && all4(bt.c[0], bt.c[1]);
  *tile = ((M + 127) / 128) * ((N + 127) / 128) * bt.count() >= sms ? 128 : 64;
#define TF_EMU_GO(BM, BK, AK, BKF)                                                                   \
  emu::launch(dim3((unsigned)((N + BM - 1) / BM), (unsigned)((M + BM - 1) / BM), (unsigned)bt.count()), \
              dim3(THREADS), [&] {                                                                 \
                sgemm_batched_tile<BM, BK, AK, BKF>(M, N, K, A, rsA, csA, vecA, B, rsB, csB, vecB, C,  \
                                                    ldc, vecC, bt.inner, bt.a[0], bt.a[1], bt.b[0],  \
                                                    bt.b[1], bt.c[0], bt.c[1], 0);                   \
              })
#define TF_EMU_TILE(BM, BK)                          \
  if (akf && bkf) TF_EMU_GO(BM, BK, true, true);     \
  else if (akf) TF_EMU_GO(BM, BK, true, false);      \
  else if (bkf) TF_EMU_GO(BM, BK, false, true);      \
  else TF_EMU_GO(BM, BK, false, false);
  if (*tile == 128) {
    TF_EMU_TILE(128, 8)
  } else {
    TF_EMU_TILE(64, 16)
  }
#undef TF_EMU_TILE
#undef TF_EMU_GO
}
