// Pointwise kernels: activations, softmax, fused softmax + cross-entropy, dropout.
//
// Same formulas as python/tensorforge/reference/pointwise.py (the oracle; read its docstring for
// the exact definitions and Note [dropout RNG]). All arrays are float32, C-contiguous, and are
// seen as flat runs of n elements (activations, dropout) or as (N, C) row-major matrices
// (softmax over the C axis). Outputs are written with =, never read, and may not alias inputs
// unless a kernel says so. The kernels neither allocate nor validate: the bindings check shapes,
// dtypes and label ranges before calling them. Large arrays are split over the pool's threads (tf/parallel.h); small
// ones run on the calling thread (a fork costs microseconds, more than a (32, 10) softmax).
#pragma once
#include <cstdint>

#include "tf/common.h"
#include "tf/isa.h"

namespace tf {

// Activation kinds. Keep the names in sync with reference/pointwise.py ACT_KINDS.
enum class ActKind : int {
  linear = 0, relu, leaky_relu, elu, selu, softplus, sigmoid, hard_sigmoid, tanh, relu6, relu_max,
  swish,      // x * sigmoid(x)
  gelu,       // x / 2 (1 + erf(x / sqrt 2))
  gelu_tanh   // x / 2 (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), gelu(approximate=True)
};

// y = f(x) over n elements; alpha: leaky slope (leaky_relu), elu alpha, or the cap of relu_max
// (min(max(x, 0), alpha)). relu6 and relu_max differ in the gradient at the cap, as Keras 2's
// relu(max_value=6) (tf.nn.relu6: 0 at x = 6) and relu(max_value=m) (clip_by_value: dy at x = m)
// do. NaN stays NaN. y may alias x.
TF_DECLARE_KERNEL(void, act_forward, (index_t n, const float* x, float* y, ActKind kind, float alpha))
// dx = dy * f'(x) over n elements, using x and/or y = f(x) as the kind needs. dx may alias dy.
TF_DECLARE_KERNEL(void, act_backward,
                  (index_t n, const float* dy, const float* x, const float* y, float* dx,
                   ActKind kind, float alpha))

// x, y are (N, C): y = softmax over each row (stable: subtracts the row max).
TF_DECLARE_KERNEL(void, softmax_forward, (index_t N, index_t C, const float* x, float* y))
// dy, y, dx are (N, C): dx = y * (dy - sum_j dy_j y_j) per row.
TF_DECLARE_KERNEL(void, softmax_backward,
                  (index_t N, index_t C, const float* dy, const float* y, float* dx))

// logits, probs are (N, C), loss is (N,). Exactly one of targets ((N, C) float, dense),
// labels32, labels64 ((N,) class indices, already checked to lie in [0, C)) is non-null.
// probs = softmax(logits); loss_i = sum_j t_ij (m_i - x_ij) + T_i log s_i (see the reference).
TF_DECLARE_KERNEL(void, softmax_xent_forward,
                  (index_t N, index_t C, const float* logits, const float* targets,
                   const int32_t* labels32, const int64_t* labels64, float* loss, float* probs))
// dlogits = (probs - onehot) * scale; same target convention. dlogits may alias probs.
TF_DECLARE_KERNEL(void, softmax_xent_backward,
                  (index_t N, index_t C, const float* probs, const float* targets,
                   const int32_t* labels32, const int64_t* labels64, float scale, float* dlogits))

// The batch statistics a training step reports next to a softmax cross-entropy, in one pass
// (See Note [compiled step] in python/tensorforge/engine/compiled_step.py): loss is (N,), logits
// (N, C), targets as for softmax_xent_forward. *mean = the float32 mean of loss as NumPy computes
// loss.sum(dtype=float32) / float32(N) (its pairwise summation, Note [NumPy's pairwise sum]);
// *hits = the rows whose logits argmax (NumPy's: the first maximum; a NaN counts as the maximum)
// is the target class (dense targets: their own argmax; labels: the label).
TF_DECLARE_KERNEL(void, xent_batch_stats,
                  (index_t N, index_t C, const float* loss, const float* logits,
                   const float* targets, const int32_t* labels32, const int64_t* labels64,
                   float* mean, int64_t* hits))

// Inverted dropout over n elements: mask_i = u(seed, i) >= threshold (Note [dropout RNG]),
// y_i = x_i * (mask_i ? scale : 0). threshold = ceil(rate * 2^24), scale = 1 / (1 - rate).
TF_DECLARE_KERNEL(void, dropout_forward,
                  (index_t n, const float* x, uint64_t seed, uint32_t threshold, float scale,
                   float* y, uint8_t* mask))
// dx_i = dy_i * (mask_i ? scale : 0). dx may alias dy.
TF_DECLARE_KERNEL(void, dropout_backward,
                  (index_t n, const float* dy, const uint8_t* mask, float scale, float* dx))

static inline void act_forward(index_t n, const float* x, float* y, ActKind kind, float alpha) {
  TF_DISPATCH(act_forward, n, x, y, kind, alpha);
}
static inline void act_backward(index_t n, const float* dy, const float* x, const float* y, float* dx,
                         ActKind kind, float alpha) {
  TF_DISPATCH(act_backward, n, dy, x, y, dx, kind, alpha);
}
static inline void softmax_forward(index_t N, index_t C, const float* x, float* y) {
  TF_DISPATCH(softmax_forward, N, C, x, y);
}
static inline void softmax_backward(index_t N, index_t C, const float* dy, const float* y, float* dx) {
  TF_DISPATCH(softmax_backward, N, C, dy, y, dx);
}
static inline void softmax_xent_forward(index_t N, index_t C, const float* logits, const float* targets,
                                 const int32_t* labels32, const int64_t* labels64, float* loss,
                                 float* probs) {
  TF_DISPATCH(softmax_xent_forward, N, C, logits, targets, labels32, labels64, loss, probs);
}
static inline void softmax_xent_backward(index_t N, index_t C, const float* probs, const float* targets,
                                  const int32_t* labels32, const int64_t* labels64, float scale,
                                  float* dlogits) {
  TF_DISPATCH(softmax_xent_backward, N, C, probs, targets, labels32, labels64, scale, dlogits);
}
static inline void xent_batch_stats(index_t N, index_t C, const float* loss, const float* logits,
                                    const float* targets, const int32_t* labels32,
                                    const int64_t* labels64, float* mean, int64_t* hits) {
  TF_DISPATCH(xent_batch_stats, N, C, loss, logits, targets, labels32, labels64, mean, hits);
}
static inline void dropout_forward(index_t n, const float* x, uint64_t seed, uint32_t threshold,
                            float scale, float* y, uint8_t* mask) {
  TF_DISPATCH(dropout_forward, n, x, seed, threshold, scale, y, mask);
}
static inline void dropout_backward(index_t n, const float* dy, const uint8_t* mask, float scale,
                             float* dx) {
  TF_DISPATCH(dropout_backward, n, dy, mask, scale, dx);
}

}  // namespace tf
