// Batch normalization over one axis (kernels in csrc/cpu/norm.cpp, the oracle is
// python/tensorforge/reference/norm.py).
//
// Layout: x of any rank, normalized per channel of one axis, is viewed as (A, C, B): A = the
// product of the axes before the channel axis, B = of those after it, so channel c of "row" a
// is the B contiguous floats at x + (a*C + c)*B. channels_last is B == 1 (rows of C channels),
// channels_first (N, C, H, W) is A = N, B = H*W. Every statistic is over the n = A*B values of
// a channel.
//
// Note [batch norm sums]: sums are taken of values shifted by the channel's first value
// K[c] = x[0, c, 0] (mean = K + S1/n, var = S2/n - (S1/n)^2), in float over at most 16
// vectors and then in double, so neither a large mean (data offset by 1e4) nor a long batch
// wrecks the variance. The chunks of a reduction have a fixed size (not one per thread) and
// their partials are added in chunk order: results are bit-identical at every thread count.
//
// Forward (training): mean, var (biased), inv_std = 1/sqrt(var + eps),
//   y = (x - mean) * gamma * inv_std + beta; gamma/beta may be nullptr (1 / 0).
//   The moving statistics are updated IN PLACE (Keras 2): mm = mm*m + (1-m)*mean,
//   mv = mv*m + (1-m)*var*n/max(n-1, 1) when `bessel` (Bessel's correction, as Keras 2's fused
//   kernel), mv = mv*m + (1-m)*var otherwise (Keras 2's unfused ops: 2-D / 3-D, fused=False).
// Forward (inference): y = (x - mm) * gamma / sqrt(mv + eps) + beta.
// Backward: with xhat = (x - mean)*inv_std, dbeta = sum(dy), dgamma = sum(dy*xhat) (both
//   WRITTEN, never nullptr), dx = gamma*inv_std*(dy - dbeta/n - xhat*dgamma/n) (WRITTEN).
//
// Layer normalization (Keras 2's LayerNormalization over trailing axes, flattened into one):
// x is N rows of C contiguous floats, each normalized by its own statistics (sums as Note
// [batch norm sums], shifted by the row's first value); gamma / beta (C,) or nullptr.
// Forward: mean[r], inv_std[r] = 1/sqrt(var[r] + eps) (WRITTEN), y = (x - mean)*inv_std*gamma
//   + beta. Backward: xhat = (x - mean)*inv_std, g = dy*gamma; dx = inv_std*(g - mean(g) -
//   xhat*mean(g*xhat)) per row (WRITTEN); dgamma = sum over rows of dy*xhat, dbeta = sum of dy
//   (WRITTEN; fixed row chunks added in order: the same bits at every thread count).
#pragma once
#include "tf/common.h"
#include "tf/isa.h"

namespace tf {

struct BnShape {
  index_t A, C, B;  // x viewed as (A, C, B); see the header comment
};

struct LnShape {
  index_t N, C;  // N rows of C contiguous values, each normalized on its own
};

TF_DECLARE_KERNEL(void, batch_norm_forward_train,
                  (const BnShape& s, const float* x, const float* gamma, const float* beta,
                   float eps, float momentum, bool bessel, float* y, float* mean,
                   float* inv_std, float* moving_mean, float* moving_var))
TF_DECLARE_KERNEL(void, batch_norm_forward_infer,
                  (const BnShape& s, const float* x, const float* gamma, const float* beta,
                   const float* moving_mean, const float* moving_var, float eps, float* y))
TF_DECLARE_KERNEL(void, batch_norm_backward,
                  (const BnShape& s, const float* dy, const float* x, const float* mean,
                   const float* inv_std, const float* gamma, float* dx, float* dgamma,
                   float* dbeta))

TF_DECLARE_KERNEL(void, layer_norm_forward,
                  (const LnShape& s, const float* x, const float* gamma, const float* beta,
                   float eps, float* y, float* mean, float* inv_std))
TF_DECLARE_KERNEL(void, layer_norm_backward,
                  (const LnShape& s, const float* dy, const float* x, const float* mean,
                   const float* inv_std, const float* gamma, float* dx, float* dgamma,
                   float* dbeta))

static inline void layer_norm_forward(const LnShape& s, const float* x, const float* gamma,
                                      const float* beta, float eps, float* y, float* mean,
                                      float* inv_std) {
  TF_DISPATCH(layer_norm_forward, s, x, gamma, beta, eps, y, mean, inv_std);
}
static inline void layer_norm_backward(const LnShape& s, const float* dy, const float* x,
                                       const float* mean, const float* inv_std, const float* gamma,
                                       float* dx, float* dgamma, float* dbeta) {
  TF_DISPATCH(layer_norm_backward, s, dy, x, mean, inv_std, gamma, dx, dgamma, dbeta);
}
static inline void batch_norm_forward_train(const BnShape& s, const float* x, const float* gamma,
                                            const float* beta, float eps, float momentum,
                                            bool bessel, float* y, float* mean, float* inv_std,
                                            float* moving_mean, float* moving_var) {
  TF_DISPATCH(batch_norm_forward_train, s, x, gamma, beta, eps, momentum, bessel, y, mean,
              inv_std, moving_mean, moving_var);
}
static inline void batch_norm_forward_infer(const BnShape& s, const float* x, const float* gamma,
                                            const float* beta, const float* moving_mean,
                                            const float* moving_var, float eps, float* y) {
  TF_DISPATCH(batch_norm_forward_infer, s, x, gamma, beta, moving_mean, moving_var, eps, y);
}
static inline void batch_norm_backward(const BnShape& s, const float* dy, const float* x,
                                       const float* mean, const float* inv_std, const float* gamma,
                                       float* dx, float* dgamma, float* dbeta) {
  TF_DISPATCH(batch_norm_backward, s, dy, x, mean, inv_std, gamma, dx, dgamma, dbeta);
}

}  // namespace tf
