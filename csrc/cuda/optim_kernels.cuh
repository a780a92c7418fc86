// Optimizer-update kernel bodies (launchers in optim.cu): one fused pass over param, grad and the
// state arrays, in place, Keras 2 formulas exactly as python/tensorforge/reference/optim.py writes
// them (scalars rounded to float32 by the host, 1 - rho and 1 - beta computed in float64 first,
// Adam's bias-corrected lr_t computed in float64 by the host).
#pragma once

namespace tf {
namespace cuda {
namespace opt {

constexpr int THREADS = 256;

#define TF_GRID_STRIDE(i, n)                                                     \
  for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
       i += (long long)gridDim.x * blockDim.x)

// momentum == 0: p -= lr*g (v untouched, may be null).
// else v = momentum*v - lr*g ; p += v  (nesterov: p += momentum*v - lr*g)
__global__ void sgd_kernel(long long n, float* __restrict__ p, const float* __restrict__ g,
                           float* __restrict__ v, float lr, float momentum, bool nesterov) {
  TF_GRID_STRIDE(i, n) {
    const float lg = lr * g[i];
    if (v == nullptr) {
      p[i] -= lg;
    } else {
      const float vi = v[i] * momentum - lg;
      v[i] = vi;
      p[i] += nesterov ? momentum * vi - lg : vi;
    }
  }
}

// ms = rho*ms + (1-rho)*g^2 ; p -= lr*g/(sqrt(ms)+eps)
__global__ void rmsprop_kernel(long long n, float* __restrict__ p, const float* __restrict__ g,
                               float* __restrict__ ms, float lr, float rho, float one_m_rho,
                               float eps) {
  TF_GRID_STRIDE(i, n) {
    const float gi = g[i];
    const float m = ms[i] * rho + one_m_rho * (gi * gi);
    ms[i] = m;
    p[i] -= lr * gi / (sqrtf(m) + eps);
  }
}

// m = b1*m + (1-b1)*g ; v = b2*v + (1-b2)*g^2 ; p -= lr_t*m/(sqrt(v)+eps)
__global__ void adam_kernel(long long n, float* __restrict__ p, const float* __restrict__ g,
                            float* __restrict__ m, float* __restrict__ v, float lr_t, float b1,
                            float one_m_b1, float b2, float one_m_b2, float eps) {
  TF_GRID_STRIDE(i, n) {
    const float gi = g[i];
    const float mi = m[i] * b1 + one_m_b1 * gi;
    const float vi = v[i] * b2 + one_m_b2 * (gi * gi);
    m[i] = mi;
    v[i] = vi;
    p[i] -= lr_t * mi / (sqrtf(vi) + eps);
  }
}

// acc += g^2 ; p -= lr*g/(sqrt(acc)+eps)
__global__ void adagrad_kernel(long long n, float* __restrict__ p, const float* __restrict__ g,
                               float* __restrict__ acc, float lr, float eps) {
  TF_GRID_STRIDE(i, n) {
    const float gi = g[i];
    const float a = acc[i] + gi * gi;
    acc[i] = a;
    p[i] -= lr * gi / (sqrtf(a) + eps);
  }
}

#undef TF_GRID_STRIDE

}  // namespace opt
}  // namespace cuda
}  // namespace tf
