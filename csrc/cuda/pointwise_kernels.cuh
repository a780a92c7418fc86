// Pointwise-family kernel bodies (launchers in pointwise.cu), kept apart so csrc/cuda/emu/ can run
// the same source on the CPU model. Formulas, NaN behaviour and the dropout hash are those of
// python/tensorforge/reference/pointwise.py (its docstring is the contract):
//   act_forward / act_backward     elementwise, grid-stride, 4 elements in flight per thread
//   softmax_* / softmax_xent_*     one warp per row of (N, C): lanes stride over the row, warp
//                                  shuffle reductions (max with NaN kept, sums); 8 rows per block
//   dropout_*                      SplitMix64 of (seed, flat index), See Note [dropout hash]
// Every thread of a block reaches every shuffle (rows past N compute on zeros and store nothing),
// which the real hardware does not need but the CPU model's block-wide shuffle does.
#pragma once
#include <cstdint>

namespace tf {
namespace cuda {
namespace pw {

constexpr int THREADS = 256;
constexpr int ROWS_PER_BLOCK = THREADS / 32;
constexpr float SELU_ALPHA = 1.6732632423543772848170429916717f;
constexpr float SELU_SCALE = 1.0507009873554804934193349852946f;

// NaN-propagating max (fmaxf would drop a NaN operand): once m is NaN it stays NaN.
__device__ __forceinline__ float max_nan(float m, float x) { return (x > m || x != x) ? x : m; }

__device__ __forceinline__ float warp_max(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v = max_nan(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}
__device__ __forceinline__ float warp_sum(float v) {
#pragma unroll
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

__device__ __forceinline__ float sigmoid_stable(float x) {
  const float e = expf(-fabsf(x));  // never overflows
  return x >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

// kind codes: tf/cuda_kernels.h ActKind
__device__ __forceinline__ float act_f(float x, int kind, float alpha) {
  switch (kind) {
    case 0: return x > 0.0f ? x : (x != x ? x : 0.0f);                        // relu (NaN kept)
    case 1: return x > 0.0f ? x : x * alpha;                                   // leaky_relu
    case 2: return x > 0.0f ? x : alpha * expm1f(x);                           // elu (x <= 0 or NaN)
    case 3: return x > 0.0f ? SELU_SCALE * x : (SELU_SCALE * SELU_ALPHA) * expm1f(x);  // selu
    case 4: return (x > 0.0f ? x : (x != x ? x : 0.0f)) + log1pf(expf(-fabsf(x)));  // softplus
    case 5: return sigmoid_stable(x);
    case 6: {                                                                   // hard_sigmoid
      const float t = x * 0.2f + 0.5f;
      return t > 1.0f ? 1.0f : (t < 0.0f ? 0.0f : t);
    }
    case 7: return tanhf(x);
    case 9:                                                                     // relu6
    case 10: {                                                                  // relu_max
      const float cap = kind == 9 ? 6.0f : alpha;
      return x > 0.0f ? (x > cap ? cap : x) : (x != x ? x : 0.0f);            // NaN kept
    }
    case 11: return x * sigmoid_stable(x);                                      // swish
    case 12: return 0.5f * x * erfcf(-x * 0.70710678118654752f);               // gelu
    case 13: return x * sigmoid_stable(1.5957691216f * (x + 0.044715f * x * x * x));  // gelu_tanh
    default: return x;                                                          // linear
  }
}

__device__ __forceinline__ float act_df(float dy, float x, float y, int kind, float alpha) {
  switch (kind) {
    case 0: return x > 0.0f ? dy : 0.0f;
    case 1: return x > 0.0f ? dy : dy * alpha;
    case 2: return x > 0.0f ? dy : dy * (y + alpha);
    case 3: return x > 0.0f ? dy * SELU_SCALE : dy * (y + SELU_SCALE * SELU_ALPHA);
    case 4: return dy * sigmoid_stable(x);
    case 5: return dy * (y * (1.0f - y));
    case 6: return (x > -2.5f && x < 2.5f) ? dy * 0.2f : 0.0f;
    case 7: return dy * (1.0f - y * y);
    case 9: return (x > 0.0f && x < 6.0f) ? dy : 0.0f;
    case 10: return (x > 0.0f && x <= alpha) ? dy : 0.0f;
    case 11: {
      const float s = sigmoid_stable(x);
      return dy * (s * (1.0f + x * (1.0f - s)));
    }
    case 12:
      return dy * (0.5f * erfcf(-x * 0.70710678118654752f) +
                   x * expf(-0.5f * x * x) * 0.39894228040143267f);
    case 13: {  // 1 + tanh(u) = 2 sigmoid(2 u)
      const float s = sigmoid_stable(1.5957691216f * (x + 0.044715f * x * x * x));
      return dy * (s + x * s * (1.0f - s) * 1.5957691216f * (1.0f + 3.0f * 0.044715f * x * x));
    }
    default: return dy;
  }
}

// Grid-stride loop with UNROLL independent elements per thread per trip (loads in flight).
constexpr int UNROLL = 4;

__global__ void act_forward_kernel(long long n, const float* __restrict__ x, float* __restrict__ y,
                                   int kind, float alpha) {
  const long long stride = (long long)gridDim.x * blockDim.x * UNROLL;
  for (long long base = (long long)blockIdx.x * blockDim.x * UNROLL + threadIdx.x; base < n;
       base += stride) {
    float v[UNROLL];
#pragma unroll
    for (int u = 0; u < UNROLL; ++u) {
      const long long i = base + (long long)u * blockDim.x;
      v[u] = i < n ? x[i] : 0.0f;
    }
#pragma unroll
    for (int u = 0; u < UNROLL; ++u) {
      const long long i = base + (long long)u * blockDim.x;
      if (i < n) y[i] = act_f(v[u], kind, alpha);
    }
  }
}

__global__ void act_backward_kernel(long long n, const float* __restrict__ dy,
                                    const float* __restrict__ x, const float* __restrict__ y,
                                    float* __restrict__ dx, int kind, float alpha) {
  const long long stride = (long long)gridDim.x * blockDim.x * UNROLL;
  for (long long base = (long long)blockIdx.x * blockDim.x * UNROLL + threadIdx.x; base < n;
       base += stride) {
    float g[UNROLL], xv[UNROLL], yv[UNROLL];
#pragma unroll
    for (int u = 0; u < UNROLL; ++u) {
      const long long i = base + (long long)u * blockDim.x;
      g[u] = i < n ? dy[i] : 0.0f;
      xv[u] = i < n ? x[i] : 0.0f;
      yv[u] = i < n ? y[i] : 0.0f;
    }
#pragma unroll
    for (int u = 0; u < UNROLL; ++u) {
      const long long i = base + (long long)u * blockDim.x;
      if (i < n) dx[i] = act_df(g[u], xv[u], yv[u], kind, alpha);
    }
  }
}

// ---- softmax over rows of (N, C) ---------------------------------------------------------------

__global__ void softmax_forward_kernel(long long N, long long C, const float* __restrict__ x,
                                       float* __restrict__ y) {
  const int lane = threadIdx.x & 31;
  const long long row = (long long)blockIdx.x * ROWS_PER_BLOCK + (threadIdx.x >> 5);
  const bool live = row < N;
  const float* xr = x + (live ? row : 0) * C;
  float m = -INFINITY;
  if (live)
    for (long long j = lane; j < C; j += 32) m = max_nan(m, xr[j]);
  m = warp_max(m);
  float s = 0.0f;
  if (live)
    for (long long j = lane; j < C; j += 32) s += expf(xr[j] - m);
  s = warp_sum(s);
  if (live) {
    const float inv = 1.0f / s;
    float* yr = y + row * C;
    for (long long j = lane; j < C; j += 32) yr[j] = expf(xr[j] - m) * inv;
  }
}

__global__ void softmax_backward_kernel(long long N, long long C, const float* __restrict__ dy,
                                        const float* __restrict__ y, float* __restrict__ dx) {
  const int lane = threadIdx.x & 31;
  const long long row = (long long)blockIdx.x * ROWS_PER_BLOCK + (threadIdx.x >> 5);
  const bool live = row < N;
  const long long off = (live ? row : 0) * C;
  float d = 0.0f;
  if (live)
    for (long long j = lane; j < C; j += 32) d += dy[off + j] * y[off + j];
  d = warp_sum(d);
  if (live)
    for (long long j = lane; j < C; j += 32) dx[off + j] = y[off + j] * (dy[off + j] - d);
}

// loss_i = sum_j t_ij (m_i - x_ij) + T_i log s_i (dense) or (m_i - x_{i,label}) + log s_i (sparse).
// L is the label type (int or long long); SPARSE picks labels over dense targets.
template <bool SPARSE, typename L>
__global__ void softmax_xent_forward_kernel(long long N, long long C, const float* __restrict__ x,
                                            const float* __restrict__ t,
                                            const L* __restrict__ labels, float* __restrict__ loss,
                                            float* __restrict__ probs) {
  const int lane = threadIdx.x & 31;
  const long long row = (long long)blockIdx.x * ROWS_PER_BLOCK + (threadIdx.x >> 5);
  const bool live = row < N;
  const long long off = (live ? row : 0) * C;
  float m = -INFINITY;
  if (live)
    for (long long j = lane; j < C; j += 32) m = max_nan(m, x[off + j]);
  m = warp_max(m);
  float s = 0.0f, ts = 0.0f, tsum = 0.0f;
  if (live)
    for (long long j = lane; j < C; j += 32) {
      const float sh = m - x[off + j];
      s += expf(-sh);
      if (!SPARSE) {
        const float tj = t[off + j];
        ts += tj * sh;
        tsum += tj;
      }
    }
  s = warp_sum(s);
  if (!SPARSE) {
    ts = warp_sum(ts);
    tsum = warp_sum(tsum);
  }
  if (live) {
    const float inv = 1.0f / s;
    for (long long j = lane; j < C; j += 32) probs[off + j] = expf(x[off + j] - m) * inv;
    if (lane == 0) {
      const float log_s = logf(s);
      if (SPARSE) {
        const long long lab = (long long)labels[row];
        loss[row] = (lab >= 0 && lab < C) ? (m - x[off + lab]) + log_s : NAN;
      } else {
        loss[row] = ts + tsum * log_s;
      }
    }
  }
}

// dlogits = (probs - onehot) * scale, elementwise over N*C (row = i / C).
template <bool SPARSE, typename L>
__global__ void softmax_xent_backward_kernel(long long N, long long C,
                                             const float* __restrict__ probs,
                                             const float* __restrict__ t,
                                             const L* __restrict__ labels, float scale,
                                             float* __restrict__ d) {
  const long long n = N * C;
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += (long long)gridDim.x * blockDim.x) {
    float v;
    if (SPARSE) {
      const long long r = i / C, j = i - r * C;
      v = probs[i] - ((long long)labels[r] == j ? 1.0f : 0.0f);
    } else {
      v = probs[i] - t[i];
    }
    d[i] = v * scale;
  }
}

// ---- dropout -----------------------------------------------------------------------------------
// Note [dropout hash]: keep element i (flat C-order index) iff u(seed, i) >= thr, where
//   mix(z)  = SplitMix64 finalizer (z ^= z>>30; z *= 0xBF58476D1CE4E5B9; z ^= z>>27;
//             z *= 0x94D049BB133111EB; z ^ z>>31), arithmetic mod 2^64
//   key     = mix(seed + 0x9E3779B97F4A7C15)            (computed on the host)
//   u(i)    = mix(key + i * 0x9E3779B97F4A7C15) >> 40   (24 bits)
//   thr     = ceil(rate * 2^24)                         (computed on the host in float64)
// exactly the reference's Note [dropout RNG], so every backend draws the same mask. Dropped
// elements are multiplied by 0 (NaN stays NaN).
constexpr unsigned long long GOLDEN = 0x9E3779B97F4A7C15ull;

__device__ __host__ __forceinline__ unsigned long long mix64(unsigned long long z) {
  z ^= z >> 30;
  z *= 0xBF58476D1CE4E5B9ull;
  z ^= z >> 27;
  z *= 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

__global__ void dropout_forward_kernel(long long n, const float* __restrict__ x,
                                       unsigned long long key, unsigned long long thr, float scale,
                                       float* __restrict__ y, unsigned char* __restrict__ mask) {
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += (long long)gridDim.x * blockDim.x) {
    const unsigned long long u = mix64(key + (unsigned long long)i * GOLDEN) >> 40;
    const bool keep = u >= thr;
    mask[i] = keep ? 1 : 0;
    y[i] = x[i] * (keep ? scale : 0.0f);
  }
}

__global__ void dropout_backward_kernel(long long n, const float* __restrict__ dy,
                                        const unsigned char* __restrict__ mask, float scale,
                                        float* __restrict__ dx) {
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n;
       i += (long long)gridDim.x * blockDim.x)
    dx[i] = dy[i] * (mask[i] != 0 ? scale : 0.0f);
}

}  // namespace pw
}  // namespace cuda
}  // namespace tf
