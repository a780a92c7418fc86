// Convolution helper kernels (launchers in conv.cu): the im2col gather that turns conv2d into one
// GEMM, and its adjoint col2im, both NHWC, kept apart so csrc/cuda/emu/ can run them on the CPU
// model. Layouts and semantics: python/tensorforge/reference/conv.py.
//   col (N*OH*OW, KH*KW*C) row-major: col[(n*OH + oh)*OW + ow][(kh*KW + kw)*C + ci]
//       = x[n, oh*sh + kh*dh - pt, ow*sw + kw*dw - pl, ci]  (0 in the padding)
// so that y (N*OH*OW, C_out) = col @ w.reshape(KH*KW*C, C_out) is the NHWC output directly.
// col2im gathers (one thread per input element, no atomics, deterministic):
//   dx[n, ih, iw, ci] = sum over taps (kh, kw) with ih + pt - kh*dh = oh*sh, 0 <= oh < OH (and the
//   same along w) of dcol[(n*OH + oh)*OW + ow][(kh*KW + kw)*C + ci].
//
// Note [implicit GEMM]: conv2d's GEMMs read their op(A) straight from the image (or from dy)
// through ConvGather, an operand of the SGEMM kernel (Note [GEMM operands] in gemm_kernel.cuh),
// so the (rows, KH*KW*C) column matrix is never materialised:
//   forward          y  (rows, Cout)  = col  (rows, Kc)         @ w  (Kc, Cout)        (+ bias, relu)
//   backward-filter  dw (Kc, Cout)    = col^T (Kc, rows)        @ dy (rows, Cout)      (split-K)
//   backward-data    dx (N*H*W, C)    = dycol (N*H*W, KH*KW*Cout) @ wt (KH*KW*Cout, C)
// with dycol[(n, ih, iw)][(kh, kw, co)] = dy[n, oh, ow, co] where ih + pt - kh*dh = oh*sh (and
// the same along w) lands on an output position, else 0 (col2im's sum, as a GEMM), and wt the
// weights with their last two axes swapped, (KH, KW, Cout, C). Index arithmetic is 32-bit
// (the binding checks every gathered extent fits) except the final addresses.
#pragma once

#include "conv_plan.h"
#include "gemm_kernel.cuh"

namespace tf {
namespace cuda {
namespace conv {

constexpr int THREADS = 256;

struct Geom {
  long long N, H, W, C, OH, OW;
  int KH, KW, sh, sw, pt, pl, dh, dw;
};

__global__ void im2col_kernel(Geom g, const float* __restrict__ x, float* __restrict__ col) {
  const long long Kc = (long long)g.KH * g.KW * g.C;
  const long long total = g.N * g.OH * g.OW * Kc;
  for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < total;
       e += (long long)gridDim.x * blockDim.x) {
    const long long row = e / Kc, k = e - row * Kc;
    const long long ci = k % g.C, tap = k / g.C;
    const long long kw = tap % g.KW, kh = tap / g.KW;
    const long long ow = row % g.OW, r2 = row / g.OW;
    const long long oh = r2 % g.OH, n = r2 / g.OH;
    const long long ih = oh * g.sh + kh * g.dh - g.pt, iw = ow * g.sw + kw * g.dw - g.pl;
    col[e] = (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) ? x[((n * g.H + ih) * g.W + iw) * g.C + ci]
                                                          : 0.0f;
  }
}

__global__ void col2im_kernel(Geom g, const float* __restrict__ dcol, float* __restrict__ dx) {
  const long long Kc = (long long)g.KH * g.KW * g.C;
  const long long total = g.N * g.H * g.W * g.C;
  for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < total;
       e += (long long)gridDim.x * blockDim.x) {
    const long long ci = e % g.C;
    long long r = e / g.C;
    const long long iw = r % g.W;
    r /= g.W;
    const long long ih = r % g.H, n = r / g.H;
    float s = 0.0f;
    for (int kh = 0; kh < g.KH; ++kh) {
      const long long th = ih + g.pt - (long long)kh * g.dh;  // = oh * sh
      if (th < 0 || th % g.sh != 0) continue;
      const long long oh = th / g.sh;
      if (oh >= g.OH) continue;
      for (int kw = 0; kw < g.KW; ++kw) {
        const long long tw = iw + g.pl - (long long)kw * g.dw;
        if (tw < 0 || tw % g.sw != 0) continue;
        const long long ow = tw / g.sw;
        if (ow >= g.OW) continue;
        s += dcol[((n * g.OH + oh) * g.OW + ow) * Kc + ((long long)kh * g.KW + kw) * g.C + ci];
      }
    }
    dx[e] = s;
  }
}

// op(A) of an implicit GEMM (Note [implicit GEMM]); KIND picks the matrix. src is x for kGatherCol
// and kGatherColT, dy for kGatherDyCol. moff: the launcher's row-chunk offset.
template <int KIND>
struct ConvGather {
  Geom g;
  const float* __restrict__ src;
  long long Cout;
  long long moff;

  // Note [gather row cache]: one row of the gathered matrix (a row of col: an output position;
  // of dycol: an input position) decomposed once: its sample's offset in src and its window
  // origin. A K-fast loader's thread reads the same row for the whole K loop (load_tile's mapping,
  // m = m0 + tid / (BK/4)), so the kernel keeps it in the cursor and only the column index k is
  // decomposed per element (tap and channel: the divisions by C (Cout) and KW).
  struct Row {
    long long base;
    int r0, r1;  // col: oh*sh - pt, ow*sw - pl;  dycol: ih + pt, iw + pl
  };
  __device__ __forceinline__ Row row_of(unsigned m) const {
    if (KIND == kGatherDyCol) {
      const unsigned iw = m % (unsigned)g.W, r2 = m / (unsigned)g.W;
      const unsigned ih = r2 % (unsigned)g.H, n = r2 / (unsigned)g.H;
      return Row{(long long)n * g.OH * g.OW * Cout, (int)ih + g.pt, (int)iw + g.pl};
    }
    const unsigned ow = m % (unsigned)g.OW, r2 = m / (unsigned)g.OW;
    const unsigned oh = r2 % (unsigned)g.OH, n = r2 / (unsigned)g.OH;
    return Row{(long long)n * g.H * g.W * g.C, (int)(oh * g.sh) - g.pt, (int)(ow * g.sw) - g.pl};
  }
  // col[row][k], k = (kh*KW + kw)*C + ci; dycol[row][k], k = (kh*KW + kw)*Cout + co (0 where the
  // tap falls in the padding, or, for dycol, on no output position)
  __device__ __forceinline__ float at(const Row& r, unsigned k) const {
    const unsigned ch = KIND == kGatherDyCol ? (unsigned)Cout : (unsigned)g.C;
    const unsigned c = k % ch, tap = k / ch;
    const int kw = (int)(tap % (unsigned)g.KW), kh = (int)(tap / (unsigned)g.KW);
    if (KIND == kGatherDyCol) {
      const int th = r.r0 - kh * g.dh, tw = r.r1 - kw * g.dw;
      if (th < 0 || tw < 0 || th % g.sh != 0 || tw % g.sw != 0) return 0.0f;
      const int oh = th / g.sh, ow = tw / g.sw;
      if (oh >= (int)g.OH || ow >= (int)g.OW) return 0.0f;
      return src[r.base + ((long long)oh * g.OW + ow) * Cout + c];
    }
    const int ih = r.r0 + kh * g.dh, iw = r.r1 + kw * g.dw;
    if (ih < 0 || ih >= (int)g.H || iw < 0 || iw >= (int)g.W) return 0.0f;
    return src[r.base + ((long long)ih * g.W + iw) * g.C + c];
  }
  // element (m, k) of the operand (kGatherColT: the transpose of col)
  __device__ __forceinline__ float elem(long long m, long long k) const {
    if (KIND == kGatherColT) return at(row_of((unsigned)k), (unsigned)m);
    return at(row_of((unsigned)m), (unsigned)k);
  }

  struct Cursor {
    long long kbeg;  // the block's first K index (split-K)
    Row row;         // the thread's row, K-fast loads of col / dycol (Note [gather row cache])
  };
  template <int BM, int BK, bool KFAST>
  __device__ __forceinline__ Cursor cursor(long long kbeg, long long m0, int tid) const {
    Cursor c{kbeg, Row{0, 0, 0}};
    if (KFAST && KIND != kGatherColT) c.row = row_of((unsigned)(moff + m0 + tid / (BK / 4)));
    return c;
  }
  // Same thread-to-element mapping as load_tile (gemm_kernel.cuh); zeros outside the matrix.
  template <int BM, int BK, bool KFAST>
  __device__ __forceinline__ void load(float r[4], long long R, long long K, long long m0,
                                       long long k0, const Cursor& c, int tid) const {
    if (KFAST) {
      const long long m = m0 + tid / (BK / 4), k = c.kbeg + k0 + (tid % (BK / 4)) * 4;
      const long long kend = c.kbeg + K;
#pragma unroll
      for (int i = 0; i < 4; ++i)
        r[i] = (m < R && k + i < kend)
                   ? (KIND == kGatherColT ? elem(moff + m, k + i) : at(c.row, (unsigned)(k + i)))
                   : 0.0f;
    } else {
      const long long k = k0 + tid / (BM / 4), m = m0 + (tid % (BM / 4)) * 4;
#pragma unroll
      for (int i = 0; i < 4; ++i) r[i] = (k < K && m + i < R) ? elem(moff + m + i, c.kbeg + k) : 0.0f;
    }
  }
  ConvGather at_m(long long off) const { return {g, src, Cout, moff + off}; }
};

// The SGEMM kernel with a gathered op(A) (scalar parameters: see sgemm_body's comment).
template <int BM, int BK, bool A_KFAST, bool B_KFAST, int KIND>
__global__ void __launch_bounds__(gemm_detail::THREADS, 2)
conv_gemm_tile(long long M, long long N, long long K, float alpha, Geom g,
               const float* __restrict__ src, long long Cout, long long moff,
               const float* __restrict__ B, long long rsB, long long csB, bool vecB, float beta,
               float* __restrict__ C, long long ldc, bool vecC, const float* __restrict__ bias,
               bool relu, long long kchunk, long long split_stride) {
  const ConvGather<KIND> a{g, src, Cout, moff};
  const gemm_detail::StridedOperand b{B, csB, rsB, vecB};
  gemm_detail::sgemm_body<BM, BK, A_KFAST, B_KFAST>(M, N, K, alpha, a, b, beta, C, ldc, vecC, bias,
                                                    relu, kchunk, split_stride);
}

}  // namespace conv
}  // namespace cuda
}  // namespace tf
