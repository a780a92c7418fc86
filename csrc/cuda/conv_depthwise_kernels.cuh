// Depthwise conv kernel bodies (launchers in conv_depthwise.cu), NHWC, kept apart so
// csrc/cuda/emu/ can run them on the CPU model. Twin of csrc/cpu/conv_depthwise.cpp; semantics
// are python/tensorforge/reference/conv.py's depthwise_conv2d_* (x (N, H, W, C), w (KH, KW, C, M)
// = Keras' depthwise_kernel, y (N, OH, OW, C*M), output channel j = c*M + m).
//
// forward: one thread per output element, j fastest (a warp reads and writes consecutive
//   channels). A padded tap multiplies 0 (Note [padded taps] in the CPU twin: 0 * NaN = NaN, as
//   the reference's padded array gives).
// backward data: one thread per dx element gathers over the (tap, output) pairs that read it and
//   the M multipliers (no atomics, deterministic); padded cells have no gradient.
// backward filter: Note [dw chunks] as on the CPU: rows (n, oh) are cut into a fixed number of
//   chunks (shape only); stage 1 writes one partial per (chunk, tap, j), stage 2 sums the partials
//   in chunk order, so dw is the same bits on every GPU and launch configuration.
#pragma once

namespace tf {
namespace cuda {
namespace dwconv {

constexpr int THREADS = 256;

#define TF_DW_GRID_STRIDE(i, n)                                                  \
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
       i += (long long)gridDim.x * blockDim.x)

struct Geom {
  long long N, H, W, C, M, OH, OW;  // C input channels; C*M outputs
  int KH, KW, sh, sw, pt, pl, dh, dw;
};

// b (C*M,) may be nullptr; added last (Note [fused bias] in tf/conv_depthwise.h).
__global__ void dw_forward_kernel(Geom g, const float* __restrict__ x, const float* __restrict__ w,
                                  const float* __restrict__ b, float* __restrict__ y) {
  const long long CM = g.C * g.M, total = g.N * g.OH * g.OW * CM;
  TF_DW_GRID_STRIDE(e, total) {
    const long long j = e % CM, c = j / g.M;
    long long r = e / CM;
    const long long ow = r % g.OW;
    r /= g.OW;
    const long long oh = r % g.OH, n = r / g.OH;
    const float* xn = x + n * g.H * g.W * g.C + c;
    float acc = 0.0f;
    for (int kh = 0; kh < g.KH; ++kh) {
      const long long ih = oh * g.sh - g.pt + (long long)kh * g.dh;
      const bool hin = ih >= 0 && ih < g.H;
      for (int kw = 0; kw < g.KW; ++kw) {
        const long long iw = ow * g.sw - g.pl + (long long)kw * g.dw;
        const float xv = (hin && iw >= 0 && iw < g.W) ? xn[(ih * g.W + iw) * g.C] : 0.0f;
        acc = fmaf(xv, w[((long long)kh * g.KW + kw) * CM + j], acc);
      }
    }
    y[e] = b ? acc + b[j] : acc;
  }
}

__global__ void dw_backward_data_kernel(Geom g, const float* __restrict__ dy,
                                        const float* __restrict__ w, float* __restrict__ dx) {
  const long long CM = g.C * g.M, total = g.N * g.H * g.W * g.C;
  TF_DW_GRID_STRIDE(e, total) {
    const long long c = e % g.C;
    long long r = e / g.C;
    const long long iw = r % g.W;
    r /= g.W;
    const long long ih = r % g.H, n = r / g.H;
    float acc = 0.0f;
    for (int kh = 0; kh < g.KH; ++kh) {
      const long long th = ih + g.pt - (long long)kh * g.dh;  // = oh * sh
      if (th < 0 || th % g.sh) continue;
      const long long oh = th / g.sh;
      if (oh >= g.OH) continue;
      for (int kw = 0; kw < g.KW; ++kw) {
        const long long tw = iw + g.pl - (long long)kw * g.dw;
        if (tw < 0 || tw % g.sw) continue;
        const long long ow = tw / g.sw;
        if (ow >= g.OW) continue;
        const float* d = dy + ((n * g.OH + oh) * g.OW + ow) * CM + c * g.M;
        const float* wt = w + ((long long)kh * g.KW + kw) * CM + c * g.M;
        for (long long m = 0; m < g.M; ++m) acc = fmaf(d[m], wt[m], acc);
      }
    }
    dx[e] = acc;
  }
}

// Stage 1: part[k, t, j] = sum over rows r in chunk k (rows k*per .. min(R, (k+1)*per)) and all
// ow of xpad(n, oh*sh + kh*dh - pt, ow*sw + kw*dw - pl, c) * dy[r, ow, j]; t = kh*KW + kw.
__global__ void dw_backward_filter_partial_kernel(Geom g, long long per, long long nch,
                                                  const float* __restrict__ dy,
                                                  const float* __restrict__ x,
                                                  float* __restrict__ part) {
  const long long CM = g.C * g.M, T = (long long)g.KH * g.KW, R = g.N * g.OH;
  const long long total = nch * T * CM;
  TF_DW_GRID_STRIDE(e, total) {
    const long long j = e % CM, c = j / g.M;
    const long long t = (e / CM) % T, k = e / (CM * T);
    const int kh = (int)(t / g.KW), kw = (int)(t % g.KW);
    const long long r1 = (k + 1) * per < R ? (k + 1) * per : R;
    float acc = 0.0f;
    for (long long r = k * per; r < r1; ++r) {
      const long long n = r / g.OH, oh = r % g.OH;
      const long long ih = oh * g.sh - g.pt + (long long)kh * g.dh;
      const bool hin = ih >= 0 && ih < g.H;
      const float* xr = x + (n * g.H + (hin ? ih : 0)) * g.W * g.C + c;
      const float* d = dy + r * g.OW * CM + j;
      for (long long ow = 0; ow < g.OW; ++ow) {
        const long long iw = ow * g.sw - g.pl + (long long)kw * g.dw;
        const float xv = (hin && iw >= 0 && iw < g.W) ? xr[iw * g.C] : 0.0f;
        acc = fmaf(xv, d[ow * CM], acc);
      }
    }
    part[e] = acc;
  }
}

// The bias gradient's stage 1: part[k, j] = sum over rows r in chunk k and all ow of dy[r, ow, j]
// (stage 2 is the weight gradient's reduce with T = 1: deterministic as dw).
__global__ void dw_backward_bias_partial_kernel(Geom g, long long per, long long nch,
                                                const float* __restrict__ dy,
                                                float* __restrict__ part) {
  const long long CM = g.C * g.M, R = g.N * g.OH;
  TF_DW_GRID_STRIDE(e, nch * CM) {
    const long long j = e % CM, k = e / CM;
    const long long r1 = (k + 1) * per < R ? (k + 1) * per : R;
    float acc = 0.0f;
    for (long long r = k * per; r < r1; ++r) {
      const float* d = dy + r * g.OW * CM + j;
      for (long long ow = 0; ow < g.OW; ++ow) acc += d[ow * CM];
    }
    part[e] = acc;
  }
}

// Stage 2: dw[t, j] = sum_k part[k, t, j], k in order (written with =).
__global__ void dw_backward_filter_reduce_kernel(long long nch, long long TCM,
                                                 const float* __restrict__ part,
                                                 float* __restrict__ dw) {
  TF_DW_GRID_STRIDE(i, TCM) {
    float acc = 0.0f;
    for (long long k = 0; k < nch; ++k) acc += part[k * TCM + i];
    dw[i] = acc;
  }
}

// Note [dw chunks]: at most 256 chunks of whole output rows; depends on the shape only.
inline long long dw_rows_per_chunk(long long rows) {
  const long long nch = rows < 256 ? rows : 256;
  return (rows + nch - 1) / nch;
}

}  // namespace dwconv
}  // namespace cuda
}  // namespace tf
