// Pooling kernel bodies (launchers in pool.cu), NHWC, kept apart so csrc/cuda/emu/ can run them on
// the CPU model. Semantics are python/tensorforge/reference/pool.py's (its docstring is the
// contract): explicit pads (pt, pl, pb, pr); padded cells never win a max and never count in an
// average; max keeps the FIRST maximal cell in row-major window order, a NaN wins over numbers
// (the first NaN stays); argmax is the int32 flat index ih * W + iw within (image, channel).
//
// Forward kernels: one thread per output element (n, oh, ow, c), c fastest, so a warp reads and
// writes consecutive channels (coalesced). Backward kernels gather: one thread per input element
// sums over the output windows that hold it (no atomics, deterministic), the window range along
// one axis being oh in [ceil((ih + pt - kh + 1) / sh), floor((ih + pt) / sh)] clipped to [0, OH).
#pragma once

namespace tf {
namespace cuda {
namespace pool {

constexpr int THREADS = 256;

#define TF_POOL_GRID_STRIDE(i, n)                                                \
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
       i += (long long)gridDim.x * blockDim.x)

struct Geom {
  long long N, H, W, C, OH, OW;
  int kh, kw, sh, sw, pt, pl;
};

// Real cells of window o along one axis of length L: [max(o*s - p, 0), min(o*s - p + k, L)).
__device__ __forceinline__ long long real_count(long long o, int s, int p, int k, long long L) {
  const long long a = o * s - p, b = a + k;
  return (b < L ? b : L) - (a > 0 ? a : 0);
}

// First and last window index (inclusive) along one axis whose window holds input position i.
__device__ __forceinline__ void windows_of(long long i, int s, int p, int k, long long O,
                                           long long& lo, long long& hi) {
  const long long t = i + p - k + 1;  // o*s >= t
  lo = t <= 0 ? 0 : (t + s - 1) / s;
  hi = (i + p) / s;
  if (hi > O - 1) hi = O - 1;
}

__global__ void max_pool_forward_kernel(Geom g, const float* __restrict__ x, float* __restrict__ y,
                                        int* __restrict__ argmax) {
  const long long total = g.N * g.OH * g.OW * g.C;
  TF_POOL_GRID_STRIDE(e, total) {
    const long long c = e % g.C;
    long long r = e / g.C;
    const long long ow = r % g.OW;
    r /= g.OW;
    const long long oh = r % g.OH, n = r / g.OH;
    const float* xn = x + n * g.H * g.W * g.C + c;
    float best = 0.0f;
    int best_i = 0;
    bool have = false;
    for (int i = 0; i < g.kh; ++i) {
      const long long ih = oh * g.sh + i - g.pt;
      if (ih < 0 || ih >= g.H) continue;
      for (int j = 0; j < g.kw; ++j) {
        const long long iw = ow * g.sw + j - g.pl;
        if (iw < 0 || iw >= g.W) continue;
        const float v = xn[(ih * g.W + iw) * g.C];
        // See Note [NaN in max] (reference): a NaN beats a number; the first NaN stays.
        if (!have || v > best || (v != v && best == best)) {
          best = v;
          best_i = (int)(ih * g.W + iw);
          have = true;
        }
      }
    }
    y[e] = best;
    if (argmax) argmax[e] = best_i;
  }
}

// dx[n, ih, iw, c] = sum of dy over the windows holding (ih, iw) whose argmax is (ih, iw).
__global__ void max_pool_backward_kernel(Geom g, const float* __restrict__ dy,
                                         const int* __restrict__ argmax, float* __restrict__ dx) {
  const long long total = g.N * g.H * g.W * g.C;
  TF_POOL_GRID_STRIDE(e, total) {
    const long long c = e % g.C;
    long long r = e / g.C;
    const long long iw = r % g.W;
    r /= g.W;
    const long long ih = r % g.H, n = r / g.H;
    const int me = (int)(ih * g.W + iw);
    long long oh0, oh1, ow0, ow1;
    windows_of(ih, g.sh, g.pt, g.kh, g.OH, oh0, oh1);
    windows_of(iw, g.sw, g.pl, g.kw, g.OW, ow0, ow1);
    float s = 0.0f;
    for (long long oh = oh0; oh <= oh1; ++oh)
      for (long long ow = ow0; ow <= ow1; ++ow) {
        const long long o = ((n * g.OH + oh) * g.OW + ow) * g.C + c;
        if (argmax[o] == me) s += dy[o];
      }
    dx[e] = s;
  }
}

__global__ void avg_pool_forward_kernel(Geom g, const float* __restrict__ x, float* __restrict__ y) {
  const long long total = g.N * g.OH * g.OW * g.C;
  TF_POOL_GRID_STRIDE(e, total) {
    const long long c = e % g.C;
    long long r = e / g.C;
    const long long ow = r % g.OW;
    r /= g.OW;
    const long long oh = r % g.OH, n = r / g.OH;
    const float* xn = x + n * g.H * g.W * g.C + c;
    float s = 0.0f;
    for (int i = 0; i < g.kh; ++i) {
      const long long ih = oh * g.sh + i - g.pt;
      if (ih < 0 || ih >= g.H) continue;
      for (int j = 0; j < g.kw; ++j) {
        const long long iw = ow * g.sw + j - g.pl;
        if (iw >= 0 && iw < g.W) s += xn[(ih * g.W + iw) * g.C];
      }
    }
    const float cnt = (float)(real_count(oh, g.sh, g.pt, g.kh, g.H) * real_count(ow, g.sw, g.pl, g.kw, g.W));
    y[e] = s / cnt;
  }
}

__global__ void avg_pool_backward_kernel(Geom g, const float* __restrict__ dy, float* __restrict__ dx) {
  const long long total = g.N * g.H * g.W * g.C;
  TF_POOL_GRID_STRIDE(e, total) {
    const long long c = e % g.C;
    long long r = e / g.C;
    const long long iw = r % g.W;
    r /= g.W;
    const long long ih = r % g.H, n = r / g.H;
    long long oh0, oh1, ow0, ow1;
    windows_of(ih, g.sh, g.pt, g.kh, g.OH, oh0, oh1);
    windows_of(iw, g.sw, g.pl, g.kw, g.OW, ow0, ow1);
    float s = 0.0f;
    for (long long oh = oh0; oh <= oh1; ++oh) {
      const long long ch = real_count(oh, g.sh, g.pt, g.kh, g.H);
      for (long long ow = ow0; ow <= ow1; ++ow) {
        const float cnt = (float)(ch * real_count(ow, g.sw, g.pl, g.kw, g.W));
        s += dy[((n * g.OH + oh) * g.OW + ow) * g.C + c] / cnt;
      }
    }
    dx[e] = s;
  }
}

// y[n, c] = mean over H*W of x[n, :, :, c]; one thread per (n, c), consecutive c in a warp.
__global__ void global_avg_forward_kernel(long long N, long long HW, long long C,
                                          const float* __restrict__ x, float* __restrict__ y) {
  TF_POOL_GRID_STRIDE(e, N * C) {
    const long long n = e / C, c = e - n * C;
    const float* p = x + n * HW * C + c;
    float s = 0.0f;
    for (long long i = 0; i < HW; ++i) s += p[i * C];
    y[e] = s / (float)HW;
  }
}

__global__ void global_avg_backward_kernel(long long N, long long HW, long long C,
                                           const float* __restrict__ dy, float* __restrict__ dx) {
  const float count = (float)HW;
  TF_POOL_GRID_STRIDE(e, N * HW * C) {
    const long long c = e % C, n = e / (HW * C);
    dx[e] = dy[n * C + c] / count;
  }
}

// Nearest upsampling by (sh, sw): y (N, H*sh, W*sw, C), y[n, oh, ow, c] = x[n, oh/sh, ow/sw, c];
// one thread per output element. Backward: one thread per input element sums its sh x sw block
// of dy in row-major order from the block's first cell (the CPU kernel's and reference's order).
__global__ void upsample_nearest_forward_kernel(long long N, long long H, long long W, long long C,
                                                int sh, int sw, const float* __restrict__ x,
                                                float* __restrict__ y) {
  const long long OH = H * sh, OW = W * sw;
  TF_POOL_GRID_STRIDE(e, N * OH * OW * C) {
    const long long c = e % C;
    long long r = e / C;
    const long long ow = r % OW;
    r /= OW;
    const long long oh = r % OH, n = r / OH;
    y[e] = x[((n * H + oh / sh) * W + ow / sw) * C + c];
  }
}

__global__ void upsample_nearest_backward_kernel(long long N, long long H, long long W, long long C,
                                                 int sh, int sw, const float* __restrict__ dy,
                                                 float* __restrict__ dx) {
  const long long OW = W * sw;
  TF_POOL_GRID_STRIDE(e, N * H * W * C) {
    const long long c = e % C;
    long long r = e / C;
    const long long iw = r % W;
    r /= W;
    const long long ih = r % H, n = r / H;
    const float* g = dy + ((n * H * sh + ih * sh) * OW + iw * sw) * C + c;
    float s = g[0];
    for (int i = 0; i < sh; ++i)
      for (int j = (i == 0 ? 1 : 0); j < sw; ++j) s += g[(i * OW + j) * C];
    dx[e] = s;
  }
}

#undef TF_POOL_GRID_STRIDE

}  // namespace pool
}  // namespace cuda
}  // namespace tf
