// Group normalization (Keras 2's GroupNormalization; kernels in csrc/cpu/norm_group.cpp, the
// oracle is python/tensorforge/reference/norm_group.py).
//
// Layout: x of rank >= 2 with its channel axis (not the batch axis) holding C = G*Cg channels,
// viewed as (N, A, G, Cg, B): N the batch, A the product of the axes between the batch and the
// channel axis, B of the axes after it. channels_last (N, H, W, C) is A = H*W, B = 1;
// channels_first (N, C, H, W) is A = 1, B = H*W. Group g of sample n holds the A*Cg*B values
// x[n, a, g, j, b]; for each (n, a) they are one contiguous run of L = Cg*B floats.
//
// Forward: mean[n, g], var[n, g] (biased) over the group; inv_std = 1/sqrt(var + eps) (both
//   WRITTEN, (N, G)); y = (x - mean)*inv_std*gamma[c] + beta[c], c = g*Cg + j (gamma / beta
//   (C,) or nullptr: 1 / 0). The sums are those of Note [batch norm sums] (tf/norm.h): values
//   shifted by the group's first value, in float over at most 16 vectors, then in double.
// Backward: xhat = (x - mean)*inv_std, g = dy*gamma; per group
//   dx = inv_std*(g - mean(g) - xhat*mean(g*xhat)) (WRITTEN); dgamma[c] = sum over n, a, b of
//   dy*xhat, dbeta[c] = sum of dy (WRITTEN: per-sample partials added in sample order, so the
//   same bits at every thread count).
// Samples run in parallel (one sample: one thread).
#pragma once
#include "tf/common.h"
#include "tf/isa.h"

namespace tf {

struct GnShape {
  index_t N, A, G, Cg, B;  // x viewed as (N, A, G, Cg, B); see the header comment
};

TF_DECLARE_KERNEL(void, group_norm_forward,
                  (const GnShape& s, const float* x, const float* gamma, const float* beta,
                   float eps, float* y, float* mean, float* inv_std))
TF_DECLARE_KERNEL(void, group_norm_backward,
                  (const GnShape& s, const float* dy, const float* x, const float* mean,
                   const float* inv_std, const float* gamma, float* dx, float* dgamma,
                   float* dbeta))

static inline void group_norm_forward(const GnShape& s, const float* x, const float* gamma,
                                      const float* beta, float eps, float* y, float* mean,
                                      float* inv_std) {
  TF_DISPATCH(group_norm_forward, s, x, gamma, beta, eps, y, mean, inv_std);
}
static inline void group_norm_backward(const GnShape& s, const float* dy, const float* x,
                                       const float* mean, const float* inv_std,
                                       const float* gamma, float* dx, float* dgamma,
                                       float* dbeta) {
  TF_DISPATCH(group_norm_backward, s, dy, x, mean, inv_std, gamma, dx, dgamma, dbeta);
}

}  // namespace tf
