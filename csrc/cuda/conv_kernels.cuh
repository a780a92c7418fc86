// Convolution helper kernels (launchers in conv.cu): the im2col gather that turns conv2d into one
// GEMM, and its adjoint col2im, both NHWC, kept apart so csrc/cuda/emu/ can run them on the CPU
// model. Layouts and semantics: python/tensorforge/reference/conv.py.
//   col (N*OH*OW, KH*KW*C) row-major: col[(n*OH + oh)*OW + ow][(kh*KW + kw)*C + ci]
//       = x[n, oh*sh + kh*dh - pt, ow*sw + kw*dw - pl, ci]  (0 in the padding)
// so that y (N*OH*OW, C_out) = col @ w.reshape(KH*KW*C, C_out) is the NHWC output directly.
// col2im gathers (one thread per input element, no atomics, deterministic):
//   dx[n, ih, iw, ci] = sum over taps (kh, kw) with ih + pt - kh*dh = oh*sh, 0 <= oh < OH (and the
//   same along w) of dcol[(n*OH + oh)*OW + ow][(kh*KW + kw)*C + ci].
#pragma once

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

}  // namespace conv
}  // namespace cuda
}  // namespace tf
