// The emulated twin of sgemm() in csrc/cuda/gemm.cu (emu::launch in place of <<<>>>; the tile
// and split-K plan come from the same plan_sgemm()). Shared by the emu_* programs.
#pragma once
#include <cmath>
#include <vector>

#include "cuda_emu.h"
// (cuda_emu.h first: it defines the CUDA keywords the kernel sources use)
#include "gemm_kernel.cuh"

using namespace tf::cuda::gemm_detail;

// Mirrors sgemm() in gemm.cu with emu::launch for <<<>>>: plan_sgemm is the same function, `sms`
// is the pretended multiprocessor count (it steers the 128/64 tile and split-K choices).
template <int BM, int BK>
inline void launch_tile(bool akf, bool bkf, int splits, long long M, long long N, long long K,
                        float alpha, const float* A, long long rsA, long long csA, bool vecA,
                        const float* B, long long rsB, long long csB, bool vecB, float beta, float* C,
                        long long ldc, bool vecC, const float* bias, bool relu, long long kchunk,
                        long long split_stride) {
  dim3 grid((unsigned)((N + BM - 1) / BM), (unsigned)((M + BM - 1) / BM), (unsigned)splits);
  auto go = [&](auto kern) {
    emu::launch(grid, dim3(THREADS), [&] {
      kern(M, N, K, alpha, A, rsA, csA, vecA, B, rsB, csB, vecB, beta, C, ldc, vecC, bias, relu,
           kchunk, split_stride);
    });
  };
  if (akf && bkf) go(sgemm_tile<BM, BK, true, true>);
  else if (akf) go(sgemm_tile<BM, BK, true, false>);
  else if (bkf) go(sgemm_tile<BM, BK, false, true>);
  else go(sgemm_tile<BM, BK, false, false>);
}

inline void run_sgemm(long long M, long long N, long long K, float alpha, const float* A, long long rsA,
                      long long csA, const float* B, long long rsB, long long csB, float beta, float* C,
                      long long ldc, const float* bias, bool relu, int sms, int* which) {
  const Plan p = plan_sgemm(M, N, K, sms);
  bool akf, vecA, bkf, vecB;
  choose_loader(A, M, K, rsA, csA, akf, vecA);
  choose_loader(B, N, K, csB, rsB, bkf, vecB);
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
      launch_tile<128, 8>(akf, bkf, p.splits, M, N, K, 1.f, A, rsA, csA, vecA, B, rsB, csB, vecB, 0.f,
                          ws.data(), N, vecW, nullptr, false, p.kchunk, M * N);
    else
      launch_tile<64, 16>(akf, bkf, p.splits, M, N, K, 1.f, A, rsA, csA, vecA, B, rsB, csB, vecB, 0.f,
                          ws.data(), N, vecW, nullptr, false, p.kchunk, M * N);
    emu::launch(dim3(2), dim3(256), [&] {
      sgemm_splitk_reduce(M, N, p.splits, ws.data(), alpha, beta, C, ldc, bias, relu);
    });
    return;
  }
  if (p.tile == 128)
    launch_tile<128, 8>(akf, bkf, 1, M, N, K, alpha, A, rsA, csA, vecA, B, rsB, csB, vecB, beta, C,
                        ldc, vecC, bias, relu, p.kchunk, 0);
  else
    launch_tile<64, 16>(akf, bkf, 1, M, N, K, alpha, A, rsA, csA, vecA, B, rsB, csB, vecB, beta, C,
                        ldc, vecC, bias, relu, p.kchunk, 0);
}

