// Optimizer update kernels: one fused pass over a parameter and its state, IN PLACE.
//
// Keras 2 formulas, the same as python/tensorforge/reference/optim.py (the oracle). All arrays
// are float32, C-contiguous, n elements, distinct (no aliasing). The bindings check dtypes,
// shapes and writability, and compute scalar step sizes (Adam's bias-corrected lr_t) in float64.
// Large parameters are split over the pool's threads (tf/parallel.h); small ones (biases) run on the calling thread.
#pragma once
#include "tf/common.h"
#include "tf/isa.h"

namespace tf {

// momentum == 0: p -= lr*g (velocity unused, may be null).
// else v = momentum*v - lr*g; p += v (nesterov: p += momentum*v - lr*g).
TF_DECLARE_KERNEL(void, sgd_update,
                  (index_t n, float* param, const float* grad, float* velocity, float lr,
                   float momentum, bool nesterov))
// Note [1 - beta]: the complements 1-rho, 1-beta1, 1-beta2 are passed in, computed in float64
// by the caller: 1.0f - (float)0.999 is off by 1.3e-5 relative, 1.0 - 0.999 rounded once is not.
// ms = rho*ms + (1-rho)*g^2; p -= lr*g/(sqrt(ms)+eps), g = grad (+ grad2 when not null);
// eps_in_sqrt: p -= lr*g/sqrt(ms+eps) (tf_keras 2.11+'s RMSprop; the above is its legacy class)
// Note [two gradients]: grad2 (may be null) is added to grad elementwise, in float32, before the
// step: g = grad[i] + grad2[i] rounds exactly as a separate sum would, so the update equals
// the one of the summed array (bit for bit; except that a denormal grad / grad2 entry is read
// as zero here, FtzGuard's DAZ, where a NumPy sum would keep it), without writing that sum and
// reading it back. The sharded update
// on a shared-memory window (python/tensorforge/distributed/shm.py) reads two ranks' gradient
// regions this way; the update is bound by the divider (sqrt, div), so the second load is free.
TF_DECLARE_KERNEL(void, rmsprop_update,
                  (index_t n, float* param, const float* grad, const float* grad2, float* ms,
                   float lr, float rho, float one_minus_rho, float eps, bool eps_in_sqrt))
// m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; p -= lr_t*m/(sqrt(v)+eps), g = grad (+ grad2)
TF_DECLARE_KERNEL(void, adam_update,
                  (index_t n, float* param, const float* grad, const float* grad2, float* m,
                   float* v, float lr_t, float beta1, float one_minus_beta1, float beta2,
                   float one_minus_beta2, float eps))
// acc += g^2; p -= lr*g/(sqrt(acc)+eps)
TF_DECLARE_KERNEL(void, adagrad_update,
                  (index_t n, float* param, const float* grad, float* acc, float lr, float eps))

static inline void sgd_update(index_t n, float* param, const float* grad, float* velocity, float lr,
                       float momentum, bool nesterov) {
  TF_DISPATCH(sgd_update, n, param, grad, velocity, lr, momentum, nesterov);
}
static inline void rmsprop_update(index_t n, float* param, const float* grad, const float* grad2,
                                  float* ms, float lr, float rho, float one_minus_rho, float eps,
                                  bool eps_in_sqrt) {
  TF_DISPATCH(rmsprop_update, n, param, grad, grad2, ms, lr, rho, one_minus_rho, eps, eps_in_sqrt);
}
static inline void adam_update(index_t n, float* param, const float* grad, const float* grad2,
                               float* m, float* v, float lr_t, float beta1, float one_minus_beta1,
                               float beta2, float one_minus_beta2, float eps) {
  TF_DISPATCH(adam_update, n, param, grad, grad2, m, v, lr_t, beta1, one_minus_beta1, beta2,
              one_minus_beta2, eps);
}
static inline void adagrad_update(index_t n, float* param, const float* grad, float* acc, float lr,
                           float eps) {
  TF_DISPATCH(adagrad_update, n, param, grad, acc, lr, eps);
}

}  // namespace tf
