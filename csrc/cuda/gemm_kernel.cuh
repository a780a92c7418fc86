// The SGEMM kernel body, kept apart from its launcher so csrc/cuda/emu/ can compile the very same
// source as host C++ and run it on a CPU model of the CUDA execution model (see emu/README.md).
// Only plain CUDA C++ here: __global__, __shared__, __syncthreads, threadIdx/blockIdx, float4.
//
// C = alpha * op(A) @ op(B) + beta * C (+ bias[n]) (relu), op(A) is (M, K) with element strides
// (rsA, csA), op(B) is (K, N) with strides (rsB, csB), C is (M, N) row-major with ldc.
//
// Tiling (the classic register-blocked SGEMM, as in the CUTLASS/"how to optimize a CUDA sgemm"
// lineage, written from the idea, not copied):
//   block tile 128 (M) x 128 (N), K step 8, 256 threads as a 16 x 16 grid (ty, tx).
//   Each thread accumulates an 8 x 8 micro-tile in registers (acc[8][8], 64 FMAs per k):
//   rows {ty*4 .. ty*4+3} and {64+ty*4 .. 64+ty*4+3}, columns {tx*4 ..} and {64+tx*4 ..}, so every
//   shared-memory read is a float4 and the warp's reads of one k-row are broadcasts without bank
//   conflicts, and the epilogue stores float4 runs that coalesce into 256-byte rows.
//   Shared memory: As[2][8][128+4] holds op(A)^T (k-major, so a column of the micro-tile is one
//   float4) and Bs[2][8][128+4] holds op(B); two buffers so that the next K-step's global loads
//   (staged in registers) overlap this step's FMAs with one __syncthreads per step.
//   The +4 pad moves the two k-rows a warp stores in the K-fast loaders onto different banks and
//   keeps every row 16-byte aligned ((128+4)*4 = 528 bytes).
// Loads: each operand is read K-fast (contiguous along k: A row-major, B transposed) or MN-fast
// (contiguous along m or n: A transposed, B row-major), chosen at compile time (A_KFAST, B_KFAST),
// and as float4 when the operand is unit-stride along that direction with 16-byte-aligned rows
// (vecA, vecB at run time); otherwise, and at the matrix edges, element by element through the
// general strides, with zeros outside the matrix.
#pragma once
#include <cstdint>
#include <cstdlib>

namespace tf {
namespace cuda {
namespace gemm_detail {

constexpr int BM = 128, BN = 128, BK = 8, PAD = 4, THREADS = 256;
constexpr int LDS = BM + PAD;  // row length of As and Bs (BM == BN)

// Stage 4 elements of op(A)'s (BM x BK) tile at (m0, k0) into registers r[4].
// K-fast: thread t covers row m = t/2 and k = (t%2)*4 + i.  MN-fast: k = t/32, m = (t%32)*4 + i.
template <bool KFAST>
__device__ __forceinline__ void load_tile(float r[4], const float* __restrict__ X, long long M,
                                          long long K, long long rs, long long cs, long long m0,
                                          long long k0, bool vec, int tid) {
  if (KFAST) {
    const long long m = m0 + (tid >> 1), k = k0 + (tid & 1) * 4;
    if (vec && m < M && k + 3 < K) {
      const float4 v = *reinterpret_cast<const float4*>(X + m * rs + k);
      r[0] = v.x; r[1] = v.y; r[2] = v.z; r[3] = v.w;
    } else {
#pragma unroll
      for (int i = 0; i < 4; ++i)
        r[i] = (m < M && k + i < K) ? X[m * rs + (k + i) * cs] : 0.0f;
    }
  } else {
    const long long k = k0 + (tid >> 5), m = m0 + (tid & 31) * 4;
    if (vec && k < K && m + 3 < M) {
      const float4 v = *reinterpret_cast<const float4*>(X + k * cs + m);
      r[0] = v.x; r[1] = v.y; r[2] = v.z; r[3] = v.w;
    } else {
#pragma unroll
      for (int i = 0; i < 4; ++i)
        r[i] = (k < K && m + i < M) ? X[(m + i) * rs + k * cs] : 0.0f;
    }
  }
}

// Write the staged registers into a k-major shared tile S[BK][LDS] (same thread mapping).
template <bool KFAST>
__device__ __forceinline__ void store_tile(float* S, const float r[4], int tid) {
  if (KFAST) {
    const int m = tid >> 1, k = (tid & 1) * 4;
#pragma unroll
    for (int i = 0; i < 4; ++i) S[(k + i) * LDS + m] = r[i];
  } else {
    const int k = tid >> 5, m = (tid & 31) * 4;
    float4 v;
    v.x = r[0]; v.y = r[1]; v.z = r[2]; v.w = r[3];
    *reinterpret_cast<float4*>(S + k * LDS + m) = v;
  }
}

__device__ __forceinline__ float epilogue(float acc, float alpha, float beta, const float* cptr,
                                          const float* bias, long long n, bool relu) {
  float v = alpha * acc;
  if (beta != 0.0f) v += beta * *cptr;  // beta == 0 never reads C (it may hold NaN garbage)
  if (bias) v += bias[n];
  if (relu) v = v < 0.0f ? 0.0f : v;    // NaN < 0 is false: NaN stays NaN
  return v;
}

// An operand seen as X (R, K) with strides (rs along R, cs along K): read it K-fast or R-fast, and
// as float4 when unit-stride in that direction with every row start 16-byte aligned.
inline void choose_loader(const float* X, int64_t R, int64_t K, int64_t rs, int64_t cs, bool& kfast,
                   bool& vec) {
  const bool aligned = (reinterpret_cast<uintptr_t>(X) & 15u) == 0;
  const bool vec_k = cs == 1 && (R == 1 || rs % 4 == 0) && aligned;
  const bool vec_r = rs == 1 && (K == 1 || cs % 4 == 0) && aligned;
  if (vec_k || vec_r) {
    kfast = vec_k;
    vec = true;
    return;
  }
  vec = false;
  kfast = cs == 1 || (rs != 1 && std::llabs(cs) <= std::llabs(rs));
}

// op(B) is (K, N): as a "(N, K) matrix" with strides (csB, rsB) it loads exactly like A.
template <bool A_KFAST, bool B_KFAST>
__global__ void __launch_bounds__(THREADS, 2)
sgemm_128x128x8(long long M, long long N, long long K, float alpha, const float* __restrict__ A,
                long long rsA, long long csA, bool vecA, const float* __restrict__ B, long long rsB,
                long long csB, bool vecB, float beta, float* __restrict__ C, long long ldc,
                bool vecC, const float* __restrict__ bias, bool relu) {
  __shared__ __align__(16) float As[2][BK * LDS];
  __shared__ __align__(16) float Bs[2][BK * LDS];

  const int tid = threadIdx.x;
  const int tx = tid & 15, ty = tid >> 4;
  const long long m0 = (long long)blockIdx.y * BM, n0 = (long long)blockIdx.x * BN;

  float acc[8][8];
#pragma unroll
  for (int i = 0; i < 8; ++i)
#pragma unroll
    for (int j = 0; j < 8; ++j) acc[i][j] = 0.0f;

  float ra[4], rb[4];
  load_tile<A_KFAST>(ra, A, M, K, rsA, csA, m0, 0, vecA, tid);
  load_tile<B_KFAST>(rb, B, N, K, csB, rsB, n0, 0, vecB, tid);
  store_tile<A_KFAST>(As[0], ra, tid);
  store_tile<B_KFAST>(Bs[0], rb, tid);
  __syncthreads();

  const long long nk = (K + BK - 1) / BK;
  int cur = 0;
  for (long long kt = 0; kt < nk; ++kt) {
    const bool more = kt + 1 < nk;
    if (more) {  // issue the next step's global loads before this step's FMAs
      load_tile<A_KFAST>(ra, A, M, K, rsA, csA, m0, (kt + 1) * BK, vecA, tid);
      load_tile<B_KFAST>(rb, B, N, K, csB, rsB, n0, (kt + 1) * BK, vecB, tid);
    }
    const float* as = As[cur];
    const float* bs = Bs[cur];
#pragma unroll
    for (int k = 0; k < BK; ++k) {
      const float4 a0 = *reinterpret_cast<const float4*>(as + k * LDS + ty * 4);
      const float4 a1 = *reinterpret_cast<const float4*>(as + k * LDS + 64 + ty * 4);
      const float4 b0 = *reinterpret_cast<const float4*>(bs + k * LDS + tx * 4);
      const float4 b1 = *reinterpret_cast<const float4*>(bs + k * LDS + 64 + tx * 4);
      const float a[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
      const float b[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
      for (int i = 0; i < 8; ++i)
#pragma unroll
        for (int j = 0; j < 8; ++j) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
    }
    if (more) {  // the other buffer was last read before the previous barrier
      store_tile<A_KFAST>(As[cur ^ 1], ra, tid);
      store_tile<B_KFAST>(Bs[cur ^ 1], rb, tid);
    }
    __syncthreads();
    cur ^= 1;
  }

  // Epilogue: row i of the micro-tile is m0 + (i < 4 ? ty*4 + i : 64 + ty*4 + i-4); column
  // half h covers n0 + h*64 + tx*4 .. +3.
#pragma unroll
  for (int i = 0; i < 8; ++i) {
    const long long m = m0 + (i < 4 ? ty * 4 + i : 64 + ty * 4 + (i - 4));
    if (m >= M) continue;
    float* crow = C + m * ldc;
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const long long n = n0 + h * 64 + tx * 4;
      if (vecC && n + 3 < N) {
        float4 v;
        if (beta != 0.0f) {
          v = *reinterpret_cast<const float4*>(crow + n);
        } else {
          v.x = v.y = v.z = v.w = 0.0f;
        }
        float o[4] = {v.x, v.y, v.z, v.w};
#pragma unroll
        for (int j = 0; j < 4; ++j) o[j] = epilogue(acc[i][h * 4 + j], alpha, beta, &o[j], bias, n + j, relu);
        v.x = o[0]; v.y = o[1]; v.z = o[2]; v.w = o[3];
        *reinterpret_cast<float4*>(crow + n) = v;
      } else {
#pragma unroll
        for (int j = 0; j < 4; ++j)
          if (n + j < N) crow[n + j] = epilogue(acc[i][h * 4 + j], alpha, beta, crow + n + j, bias, n + j, relu);
      }
    }
  }
}

}  // namespace gemm_detail
}  // namespace cuda
}  // namespace tf
