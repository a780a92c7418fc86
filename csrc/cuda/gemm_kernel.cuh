// The SGEMM kernel body, kept apart from its launcher so csrc/cuda/emu/ can compile the very same
// source as host C++ and run it on a CPU model of the CUDA execution model (see emu/cuda_emu.h).
// Only plain CUDA C++ here: __global__, __shared__, __syncthreads, threadIdx/blockIdx, float4.
//
// C = alpha * op(A) @ op(B) + beta * C (+ bias[n]) (relu), op(A) is (M, K) with element strides
// (rsA, csA), op(B) is (K, N) with strides (rsB, csB), C is (M, N) row-major with ldc.
//
// Tiling (the classic register-blocked SGEMM, as in the CUTLASS/"how to optimize a CUDA sgemm"
// lineage, written from the idea, not copied), described for the big tile (the 64 x 64 x 16 tile
// is the same with one half instead of two, below; split-K in Note [split-K]):
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
#include <algorithm>
#include <cstdint>
#include <cstdlib>

namespace tf {
namespace cuda {
namespace gemm_detail {

// Two block tiles, both 256 threads as a 16 x 16 grid (ty, tx) and BM * BK = 1024 elements per
// operand tile (4 per thread, one float4):
//   128 x 128 x 8   8 x 8 accumulators per thread (the big-matrix kernel)
//    64 x  64 x 16  4 x 4 per thread, for grids too small to fill the GPU with 128-tiles
// A thread's micro-tile rows are {h*64 + ty*4 + i : h < BM/64, i < 4} and its columns
// {h*64 + tx*4 + j}: every shared-memory read is a float4 broadcast across the warp's two ty rows,
// conflict-free, and the epilogue stores float4 runs.
constexpr int THREADS = 256, PAD = 4;

// Stage 4 elements of an operand's (BM x BK) tile at (m0, k0) into registers r[4].
// The operand is X (R, K) with strides (rs, cs). K-fast: thread t covers row t / (BK/4) and
// k = (t % (BK/4))*4 + i. MN-fast: k = t / (BM/4) and rows (t % (BM/4))*4 + i.
template <int BM, int BK, bool KFAST>
__device__ __forceinline__ void load_tile(float r[4], const float* __restrict__ X, long long R,
                                          long long K, long long rs, long long cs, long long m0,
                                          long long k0, bool vec, int tid) {
  if (KFAST) {
    const long long m = m0 + tid / (BK / 4), k = k0 + (tid % (BK / 4)) * 4;
    if (vec && m < R && k + 3 < K) {
      const float4 v = *reinterpret_cast<const float4*>(X + m * rs + k);
      r[0] = v.x; r[1] = v.y; r[2] = v.z; r[3] = v.w;
    } else {
#pragma unroll
      for (int i = 0; i < 4; ++i)
        r[i] = (m < R && k + i < K) ? X[m * rs + (k + i) * cs] : 0.0f;
    }
  } else {
    const long long k = k0 + tid / (BM / 4), m = m0 + (tid % (BM / 4)) * 4;
    if (vec && k < K && m + 3 < R) {
      const float4 v = *reinterpret_cast<const float4*>(X + k * cs + m);
      r[0] = v.x; r[1] = v.y; r[2] = v.z; r[3] = v.w;
    } else {
#pragma unroll
      for (int i = 0; i < 4; ++i)
        r[i] = (k < K && m + i < R) ? X[(m + i) * rs + k * cs] : 0.0f;
    }
  }
}

// Write the staged registers into a k-major shared tile S[BK][BM + PAD] (same thread mapping).
template <int BM, int BK, bool KFAST>
__device__ __forceinline__ void store_tile(float* S, const float r[4], int tid) {
  constexpr int LDS = BM + PAD;
  if (KFAST) {
    const int m = tid / (BK / 4), k = (tid % (BK / 4)) * 4;
#pragma unroll
    for (int i = 0; i < 4; ++i) S[(k + i) * LDS + m] = r[i];
  } else {
    const int k = tid / (BM / 4), m = (tid % (BM / 4)) * 4;
    float4 v;
    v.x = r[0]; v.y = r[1]; v.z = r[2]; v.w = r[3];
    *reinterpret_cast<float4*>(S + k * LDS + m) = v;
  }
}

// An operand X (R, K) read through element strides: what the kernel reads for op(A) (and, with
// R = N and the strides swapped, for op(B)). Note [GEMM operands]: the kernel reads op(A) through
// any type with this interface (Cursor / cursor / load / at_m), so conv2d's implicit GEMM gathers its
// operand from the image instead (conv_kernels.cuh, ConvOperand); op(B) is always strided.
struct StridedOperand {
  const float* __restrict__ p;
  long long rs, cs;
  bool vec;  // float4 loads: unit stride in the loading direction, 16-byte aligned rows
  // The per-thread state of the loads, made once before the K loop from the block's K range
  // (split-K), row m0 and the thread: here only the position of the K range. Kept apart from the
  // (constant) operand so that the strides stay kernel parameters, not registers.
  using Cursor = const float*;
  template <int BM, int BK, bool KFAST>
  __device__ __forceinline__ Cursor cursor(long long kbeg, long long /*m0*/, int /*tid*/) const {
    return p + kbeg * cs;
  }
  // Stage the tile at (m0, k0) of the K range at `c`; K is that range's length (bounds).
  template <int BM, int BK, bool KFAST>
  __device__ __forceinline__ void load(float r[4], long long R, long long K, long long m0,
                                       long long k0, Cursor c, int tid) const {
    load_tile<BM, BK, KFAST>(r, c, R, K, rs, cs, m0, k0, vec, tid);
  }
  // the same operand starting at row moff (the launcher's row chunks)
  StridedOperand at_m(long long moff) const { return {p + moff * rs, rs, cs, vec}; }
};

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

// Note [split-K]: when even 64-tiles leave most of the GPU idle and K is long (6 x 25 x 36864,
// LeNet's conv1 weight gradient, is one tile), blockIdx.z takes one K-chunk each and writes its raw
// partial sums to a workspace W (splits, M, N); sgemm_splitk_reduce then sums the splits in a fixed
// order (deterministic) and applies the epilogue (alpha, beta * C, bias, relu).
struct Plan {
  int tile;          // 128 or 64
  int splits;        // >= 1
  long long kchunk;  // K per split (a multiple of the tile's BK)
};

inline Plan plan_sgemm(int64_t M, int64_t N, int64_t K, int sms) {
  auto tiles = [&](int t) { return ((M + t - 1) / t) * ((N + t - 1) / t); };
  Plan p{128, 1, K};
  if (tiles(128) >= sms) return p;
  p.tile = 64;
  const long long b64 = tiles(64);
  if (2 * b64 < sms && K >= 512) {
    long long s = std::min<long long>({16LL, (sms + b64 - 1) / b64, K / 256});
    if (s > 1) {
      long long chunk = (K + s - 1) / s;
      chunk = (chunk + 15) / 16 * 16;
      p.kchunk = chunk;
      p.splits = (int)((K + chunk - 1) / chunk);
    }
  }
  return p;
}

// op(B) is (K, N): as a "(N, K) matrix" with strides (csB, rsB) it loads exactly like A.
// Note [GEMM operands]: op(A) is any operand type with that interface (StridedOperand, a gather).
// Split-K (gridDim.z > 1): block z covers k in [z*kchunk, min(K, (z+1)*kchunk)) and writes C + z*
// split_stride; the caller then passes alpha = 1, beta = 0, no bias/relu (See Note [split-K]).
// The kernel body. a: op(A) as an (M, K) operand (StridedOperand, or a gather, Note [GEMM
// operands]); b: op(B) as an (N, K) StridedOperand {B, csB, rsB}. The __global__ wrappers build
// the operands as locals from scalar kernel parameters: an operand struct passed as a kernel
// parameter itself was copied to the stack by nvcc 13 (32-48 bytes of spills in the 128-tile).
// `split` is this block's K chunk (blockIdx.z in sgemm_body below; 0 in the batched kernel,
// whose blockIdx.z numbers the slices instead).
template <int BM, int BK, bool A_KFAST, bool B_KFAST, class AOp>
__device__ __forceinline__ void sgemm_body_split(long long M, long long N, long long K, float alpha,
                                                 const AOp& a, const StridedOperand& b, float beta,
                                                 float* __restrict__ C, long long ldc, bool vecC,
                                                 const float* __restrict__ bias, bool relu,
                                                 long long kchunk, long long split_stride,
                                                 long long split) {
  constexpr int BN = BM, LDS = BM + PAD, H = BM / 64, TM = 4 * H;
  __shared__ __align__(16) float As[2][BK * LDS];
  __shared__ __align__(16) float Bs[2][BK * LDS];

  const int tid = threadIdx.x;
  const int tx = tid & 15, ty = tid >> 4;
  const long long m0 = (long long)blockIdx.y * BM, n0 = (long long)blockIdx.x * BN;
  typename AOp::Cursor ca;
  StridedOperand::Cursor cb;
  {
    const long long kbeg = split * kchunk;  // this block's K range (Note [split-K])
    ca = a.template cursor<BM, BK, A_KFAST>(kbeg, m0, tid);
    cb = b.template cursor<BM, BK, B_KFAST>(kbeg, n0, tid);
    C += split * split_stride;
    K = (K - kbeg < kchunk) ? K - kbeg : kchunk;
  }

  float acc[TM][TM];
#pragma unroll
  for (int i = 0; i < TM; ++i)
#pragma unroll
    for (int j = 0; j < TM; ++j) acc[i][j] = 0.0f;

  float ra[4], rb[4];
  a.template load<BM, BK, A_KFAST>(ra, M, K, m0, 0, ca, tid);
  b.template load<BM, BK, B_KFAST>(rb, N, K, n0, 0, cb, tid);
  store_tile<BM, BK, A_KFAST>(As[0], ra, tid);
  store_tile<BM, BK, B_KFAST>(Bs[0], rb, tid);
  __syncthreads();

  const long long nk = (K + BK - 1) / BK;
  int cur = 0;
  for (long long kt = 0; kt < nk; ++kt) {
    const bool more = kt + 1 < nk;
    if (more) {  // issue the next step's global loads before this step's FMAs
      a.template load<BM, BK, A_KFAST>(ra, M, K, m0, (kt + 1) * BK, ca, tid);
      b.template load<BM, BK, B_KFAST>(rb, N, K, n0, (kt + 1) * BK, cb, tid);
    }
    const float* as = As[cur];
    const float* bs = Bs[cur];
#pragma unroll
    for (int k = 0; k < BK; ++k) {
      float a[TM], b[TM];
#pragma unroll
      for (int h = 0; h < H; ++h) {
        const float4 av = *reinterpret_cast<const float4*>(as + k * LDS + h * 64 + ty * 4);
        const float4 bv = *reinterpret_cast<const float4*>(bs + k * LDS + h * 64 + tx * 4);
        a[4 * h + 0] = av.x; a[4 * h + 1] = av.y; a[4 * h + 2] = av.z; a[4 * h + 3] = av.w;
        b[4 * h + 0] = bv.x; b[4 * h + 1] = bv.y; b[4 * h + 2] = bv.z; b[4 * h + 3] = bv.w;
      }
#pragma unroll
      for (int i = 0; i < TM; ++i)
#pragma unroll
        for (int j = 0; j < TM; ++j) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
    }
    if (more) {  // the other buffer was last read before the previous barrier
      store_tile<BM, BK, A_KFAST>(As[cur ^ 1], ra, tid);
      store_tile<BM, BK, B_KFAST>(Bs[cur ^ 1], rb, tid);
    }
    __syncthreads();
    cur ^= 1;
  }

  // Epilogue: accumulator row i is m0 + (i/4)*64 + ty*4 + i%4; column half h covers
  // n0 + h*64 + tx*4 .. +3.
#pragma unroll
  for (int i = 0; i < TM; ++i) {
    const long long m = m0 + (i / 4) * 64 + ty * 4 + (i % 4);
    if (m >= M) continue;
    float* crow = C + m * ldc;
#pragma unroll
    for (int h = 0; h < H; ++h) {
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

// The body with blockIdx.z as the split (the plain and the gathered GEMM kernels).
template <int BM, int BK, bool A_KFAST, bool B_KFAST, class AOp>
__device__ __forceinline__ void sgemm_body(long long M, long long N, long long K, float alpha,
                                           const AOp& a, const StridedOperand& b, float beta,
                                           float* __restrict__ C, long long ldc, bool vecC,
                                           const float* __restrict__ bias, bool relu,
                                           long long kchunk, long long split_stride) {
  sgemm_body_split<BM, BK, A_KFAST, B_KFAST>(M, N, K, alpha, a, b, beta, C, ldc, vecC, bias, relu,
                                             kchunk, split_stride, (long long)blockIdx.z);
}

template <int BM, int BK, bool A_KFAST, bool B_KFAST>
__global__ void __launch_bounds__(THREADS, 2)
sgemm_tile(long long M, long long N, long long K, float alpha, const float* __restrict__ A,
           long long rsA, long long csA, bool vecA, const float* __restrict__ B, long long rsB,
           long long csB, bool vecB, float beta, float* __restrict__ C, long long ldc, bool vecC,
           const float* __restrict__ bias, bool relu, long long kchunk, long long split_stride) {
  const StridedOperand a{A, rsA, csA, vecA}, b{B, csB, rsB, vecB};
  sgemm_body<BM, BK, A_KFAST, B_KFAST>(M, N, K, alpha, a, b, beta, C, ldc, vecC, bias, relu, kchunk,
                                       split_stride);
}

// Batched: block z of the grid multiplies slice s = z0 + blockIdx.z, (o, i) = (s / inner,
// s % inner), whose operands start at A + o*a_o + i*a_i (B, C alike; Note [batch levels] in
// tf/gemm_batch.h). alpha 1, beta 0, no bias, no split-K: the slices fill the GPU instead.
template <int BM, int BK, bool A_KFAST, bool B_KFAST>
__global__ void __launch_bounds__(THREADS, 2)
sgemm_batched_tile(long long M, long long N, long long K, const float* __restrict__ A, long long rsA,
                   long long csA, bool vecA, const float* __restrict__ B, long long rsB,
                   long long csB, bool vecB, float* __restrict__ C, long long ldc, bool vecC,
                   long long inner, long long a_o, long long a_i, long long b_o, long long b_i,
                   long long c_o, long long c_i, long long z0) {
  // 32-bit slice arithmetic (the launcher keeps z0 + gridDim.z and inner below 2^31): a 64-bit
  // division here made the 128-tile variants spill 64 bytes (ptxas, sm_90)
  const unsigned s = (unsigned)z0 + blockIdx.z, o = s / (unsigned)inner, i = s - o * (unsigned)inner;
  const StridedOperand a{A + o * a_o + i * a_i, rsA, csA, vecA}, b{B + o * b_o + i * b_i, csB, rsB, vecB};
  sgemm_body_split<BM, BK, A_KFAST, B_KFAST>(M, N, K, 1.0f, a, b, 0.0f, C + o * c_o + i * c_i, ldc,
                                             vecC, nullptr, false, K, 0, 0);
}

// C[m, n] = epilogue(alpha * sum_s W[s, m, n]) over the splits of Note [split-K].
// static: this header is compiled into several translation units (gemm.cu, conv.cu)
static __global__ void sgemm_splitk_reduce(long long M, long long N, int splits, const float* __restrict__ W,
                                    float alpha, float beta, float* __restrict__ C, long long ldc,
                                    const float* __restrict__ bias, bool relu) {
  const long long MN = M * N;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < MN;
       i += (long long)gridDim.x * blockDim.x) {
    float s = 0.0f;
    for (int z = 0; z < splits; ++z) s += W[z * MN + i];
    const long long m = i / N, n = i - m * N;
    float* c = C + m * ldc + n;
    *c = epilogue(s, alpha, beta, c, bias, n, relu);
  }
}

}  // namespace gemm_detail
}  // namespace cuda
}  // namespace tf
