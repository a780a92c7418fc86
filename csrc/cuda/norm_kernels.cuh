// Batch normalization kernel bodies (launchers in norm.cu), kept apart so csrc/cuda/emu/ can run
// them on the CPU model. Twin of csrc/cpu/norm.cpp; the contract is
// python/tensorforge/reference/norm.py's docstring, the layout tf/norm.h's.
//
// Batch norm: x viewed as (A, C, B) (channel c of row a is the B contiguous floats at
// (a*C + c)*B), n = A*B values per channel. Note [batch norm sums, GPU]: block (cb, p) of
// channel_partials_kernel holds 32 channels (threadIdx.x, so channels_last rows are read
// coalesced) x 8 walkers (threadIdx.y) over part p of the channel's values; each walker sums in
// double values shifted by k[c] (the first value for the statistics, the mean for the backward),
// the 8 walkers are added in a fixed order and written as one partial per (p, c). The finalize
// kernels add the P partials of a channel in order. Fixed assignment, fixed order: the result is
// the same on every run and every GPU.

#pragma once

namespace tf {
namespace cuda {
namespace norm {

constexpr int TX = 32, TY = 8;  // channel_partials_kernel's block: 32 channels x 8 walkers
constexpr int THREADS = 256;

// P parts of `per` values per channel: about 1024 blocks in all, each walking at least 256 values
// of its channels; a function of the shape only, so the partials (and the result) do not depend
// on the device.
inline void parts_for(long long A, long long C, long long B, long long& P, long long& per) {
  const long long n = A * B, cblocks = (C + TX - 1) / TX;
  long long want = 1024 / cblocks;
  if (want < 1) want = 1;
  P = (n + 255) / 256 < want ? (n + 255) / 256 : want;
  if (P > 65535) P = 65535;  // gridDim.y
  if (P < 1) P = 1;
  per = (n + P - 1) / P;
  P = (n + per - 1) / per;
}

#define TF_NORM_GRID_STRIDE(i, n)                                                \
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
       i += (long long)gridDim.x * blockDim.x)

// part1/part2 (P, C) double: kBwd false: sums of u = x - k[c] and u*u; kBwd true: sums of dy
// and dy*(x - k[c]); over values [p*per, min(n, (p+1)*per)) of channel c.
template <bool kBwd>
__global__ void channel_partials_kernel(long long A, long long C, long long B, long long per,
                                        const float* __restrict__ x, const float* __restrict__ dy,
                                        const float* __restrict__ k, double* __restrict__ part1,
                                        double* __restrict__ part2) {
  __shared__ double s1[TY][TX], s2[TY][TX];
  const long long c = (long long)blockIdx.x * TX + threadIdx.x;
  const long long p = blockIdx.y, n = A * B;
  double a1 = 0.0, a2 = 0.0;
  if (c < C) {
    const float kc = k[c];
    const long long i0 = p * per, i1 = (i0 + per < n) ? i0 + per : n;
    for (long long i = i0 + threadIdx.y; i < i1; i += TY) {
      long long off;
      if (B == 1) {
        off = i * C + c;
      } else {
        const long long a = i / B;
        off = (a * C + c) * B + (i - a * B);
      }
      const float xc = x[off] - kc;
      if (kBwd) {
        const float g = dy[off];
        a1 += g;
        a2 += (double)g * xc;
      } else {
        a1 += xc;
        a2 += (double)xc * xc;
      }
    }
  }
  s1[threadIdx.y][threadIdx.x] = a1;
  s2[threadIdx.y][threadIdx.x] = a2;
  __syncthreads();
  if (threadIdx.y == 0 && c < C) {
    double t1 = 0.0, t2 = 0.0;
    for (int j = 0; j < TY; ++j) {
      t1 += s1[j][threadIdx.x];
      t2 += s2[j][threadIdx.x];
    }
    part1[p * C + c] = t1;
    part2[p * C + c] = t2;
  }
}

// One thread per channel: statistics from the partials, the moving update (in place), and the
// forward's per-channel scale and bias (y = (x - mean) * scale + bias).
__global__ void train_finalize_kernel(long long C, long long P, double n, const double* __restrict__ part1,
                                      const double* __restrict__ part2, const float* __restrict__ k,
                                      const float* __restrict__ gamma, const float* __restrict__ beta,
                                      float eps, float momentum, bool bessel,
                                      float* __restrict__ mean, float* __restrict__ inv_std,
                                      float* __restrict__ scale, float* __restrict__ bias,
                                      float* __restrict__ moving_mean,
                                      float* __restrict__ moving_var) {
  TF_NORM_GRID_STRIDE(c, C) {
    double S1 = 0.0, S2 = 0.0;
    for (long long p = 0; p < P; ++p) {
      S1 += part1[p * C + c];
      S2 += part2[p * C + c];
    }
    const double d = S1 / n;
    double var = S2 / n - d * d;
    var = var < 0.0 ? 0.0 : var;
    const float mu = (float)(k[c] + d);
    const double inv = 1.0 / sqrt(var + (double)eps);
    const double corr = bessel ? n / (n - 1.0 > 1.0 ? n - 1.0 : 1.0) : 1.0;  // Bessel's, or none
    mean[c] = mu;
    inv_std[c] = (float)inv;
    scale[c] = (float)(gamma ? gamma[c] * inv : inv);
    bias[c] = beta ? beta[c] : 0.0f;
    moving_mean[c] = moving_mean[c] * momentum + (1.0f - momentum) * mu;
    moving_var[c] = moving_var[c] * momentum + (1.0f - momentum) * (float)(var * corr);
  }
}

// Inference: scale = gamma / sqrt(mv + eps), bias = beta.
__global__ void infer_params_kernel(long long C, const float* __restrict__ gamma,
                                    const float* __restrict__ beta, const float* __restrict__ moving_var,
                                    float eps, float* __restrict__ scale, float* __restrict__ bias) {
  TF_NORM_GRID_STRIDE(c, C) {
    const double inv = 1.0 / sqrt((double)moving_var[c] + (double)eps);
    scale[c] = (float)(gamma ? gamma[c] * inv : inv);
    bias[c] = beta ? beta[c] : 0.0f;
  }
}

// Backward: from the partials of dy and dy*(x - mean): dbeta, dgamma (written) and the
// coefficients of dx = dy*a + (x - mean)*b + c3.
__global__ void backward_finalize_kernel(long long C, long long P, double n, const double* __restrict__ part1,
                                         const double* __restrict__ part2, const float* __restrict__ inv_std,
                                         const float* __restrict__ gamma, float* __restrict__ dgamma,
                                         float* __restrict__ dbeta, float* __restrict__ a,
                                         float* __restrict__ b, float* __restrict__ c3) {
  TF_NORM_GRID_STRIDE(c, C) {
    double Sdy = 0.0, Sdyxc = 0.0;
    for (long long p = 0; p < P; ++p) {
      Sdy += part1[p * C + c];
      Sdyxc += part2[p * C + c];
    }
    const double inv = inv_std[c], g = gamma ? gamma[c] : 1.0, dg = inv * Sdyxc;
    dbeta[c] = (float)Sdy;
    dgamma[c] = (float)dg;
    a[c] = (float)(g * inv);
    b[c] = (float)(-g * inv * inv * dg / n);
    c3[c] = (float)(-g * inv * Sdy / n);
  }
}

// out = (x - ctr[c]) * b[c] + c3[c] (+ dy * a[c] when kBwd), over all A*C*B elements.
template <bool kBwd>
__global__ void channel_affine_kernel(long long total, long long C, long long B,
                                      const float* __restrict__ x, const float* __restrict__ dy,
                                      const float* __restrict__ ctr, const float* __restrict__ a,
                                      const float* __restrict__ b, const float* __restrict__ c3,
                                      float* __restrict__ out) {
  TF_NORM_GRID_STRIDE(e, total) {
    const long long c = (B == 1 ? e : e / B) % C;
    float v = (x[e] - ctr[c]) * b[c] + c3[c];
    if (kBwd) v += dy[e] * a[c];
    out[e] = v;
  }
}

}  // namespace norm
}  // namespace cuda
}  // namespace tf
