// Host-side launchers of the CUDA kernels (csrc/cuda/<family>.cu). Plain C++: no pybind11, so the
// bindings (csrc/cuda/bind_<family>.cpp, compiled by the host compiler) and the kernels (nvcc)
// meet here.
//
// Contract (as for the CPU kernels, see tf/common.h): launchers take const device pointers for
// inputs, device pointers for outputs, explicit dimensions and element strides, and the stream
// to launch on. They neither allocate nor validate Python objects (the bindings do); they do
// check every launch (TF_CUDA_LAUNCH_CHECK), so a bad configuration raises at once. Asynchronous
// faults surface at the next checked call on the stream.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "tf/gemm_batch.h"

namespace tf {
namespace cuda {

// C = alpha * op(A) @ op(B) + beta * C, then + bias[n] (when bias != nullptr), then relu
// (keeps NaN). op(A) is (M, K) with element strides (rsA, csA); op(B) is (K, N) with strides
// (rsB, csB) (transposes are just swapped strides; negative strides allowed). C is (M, N)
// row-major with leading dimension ldc >= N. beta == 0 never reads C.
// workspace: sgemm_workspace_floats(M, N, K) floats of device memory (split-K partial sums, see
// Note [split-K] in csrc/cuda/gemm_kernel.cuh), or nullptr (then no split-K).
int64_t sgemm_workspace_floats(int64_t M, int64_t N, int64_t K);
void sgemm(cudaStream_t stream, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
           int64_t rsA, int64_t csA, const float* B, int64_t rsB, int64_t csB, float beta,
           float* C, int64_t ldc, const float* bias, bool relu, float* workspace);

// Batched: C_s = op(A)_s @ op(B)_s for every slice s of `batch` (Note [batch levels] in
// tf/gemm_batch.h), each slice with the strides above, alpha 1, beta 0 (C write-only), no bias,
// no split-K; the C slices must not overlap. One launch covers up to 65535 slices.
void sgemm_batched(cudaStream_t stream, const GemmBatch& batch, int64_t M, int64_t N, int64_t K,
                   const float* A, int64_t rsA, int64_t csA, const float* B, int64_t rsB,
                   int64_t csB, float* C, int64_t ldc);

// Pointwise activations. Codes shared with bind_pointwise.cpp's parser.
enum ActKind : int {
  kActRelu = 0,
  kActLeakyRelu = 1,
  kActElu = 2,
  kActSelu = 3,
  kActSoftplus = 4,
  kActSigmoid = 5,
  kActHardSigmoid = 6,
  kActTanh = 7,
  kActLinear = 8,
  kActRelu6 = 9,    // min(max(x, 0), 6); gradient where 0 < x < 6
  kActReluMax = 10,  // min(max(x, 0), alpha); gradient where 0 < x <= alpha
  kActSwish = 11,    // x * sigmoid(x)
  kActGelu = 12,     // x / 2 (1 + erf(x / sqrt 2))
  kActGeluTanh = 13,  // gelu(approximate=True)
};

// y = f(x) over n contiguous elements.
void act_forward(cudaStream_t stream, int64_t n, const float* x, float* y, int kind, float alpha);
// dx = dy * f'(x) (using y = f(x) where cheaper).
void act_backward(cudaStream_t stream, int64_t n, const float* dy, const float* x, const float* y,
                  float* dx, int kind, float alpha);

// Row softmax of x (N, C) contiguous.
void softmax_forward(cudaStream_t stream, int64_t N, int64_t C, const float* x, float* y);
// dx = y * (dy - sum(dy * y, row)).
void softmax_backward(cudaStream_t stream, int64_t N, int64_t C, const float* dy, const float* y,
                      float* dx);
// loss[n] = -sum_c t[n,c] * log_softmax(x)[n,c] (dense), or -log_softmax(x)[n, label[n]] (sparse;
// labels int64 when labels64 else int32); probs = softmax(x). A label outside [0, C) gives NaN.
void softmax_xent_forward(cudaStream_t stream, int64_t N, int64_t C, const float* logits,
                          const float* targets, const void* labels, bool labels64, float* loss,
                          float* probs);
// dlogits = (probs - onehot) * scale (dense targets or sparse labels as above).
void softmax_xent_backward(cudaStream_t stream, int64_t N, int64_t C, const float* probs,
                           const float* targets, const void* labels, bool labels64, float scale,
                           float* dlogits);

// Inverted dropout with the counter-based hash of (seed, element index) shared with the NumPy
// reference (see Note [dropout hash] in csrc/cuda/pointwise.cu): keep iff u(seed, i) >= rate.
void dropout_forward(cudaStream_t stream, int64_t n, const float* x, double rate, uint64_t seed,
                     float* y, uint8_t* mask);
void dropout_backward(cudaStream_t stream, int64_t n, const float* dy, const uint8_t* mask,
                      double rate, float* dx);

// Optimizer updates, in place on param and state (Keras 2 formulas, see reference/optim.py).
void sgd_update(cudaStream_t stream, int64_t n, float* p, const float* g, float* v, float lr,
                float momentum, bool nesterov);
// rho and the betas are passed in float64 so that 1 - rho, 1 - beta round once, as in the reference;
// lr_t is Adam's bias-corrected step, computed in float64 by the caller.
void rmsprop_update(cudaStream_t stream, int64_t n, float* p, const float* g, float* ms, float lr,
                    double rho, float eps);
void adam_update(cudaStream_t stream, int64_t n, float* p, const float* g, float* m, float* v,
                 float lr_t, double beta1, double beta2, float eps);
void adagrad_update(cudaStream_t stream, int64_t n, float* p, const float* g, float* acc, float lr,
                    float eps);

}  // namespace cuda
}  // namespace tf

namespace tf {
namespace cuda {

// Pooling, NHWC (csrc/cuda/pool.cu; semantics of python/tensorforge/reference/pool.py).
// x (N, H, W, C), y (N, OH, OW, C); windows (kh, kw), strides (sh, sw), top/left pads (pt, pl)
// (bottom/right pads only shape OH/OW).
struct PoolGeom {
  int64_t N, H, W, C, OH, OW;
  int kh, kw, sh, sw, pt, pl;
};
// argmax may be nullptr (not wanted).
void max_pool2d_forward(cudaStream_t stream, const PoolGeom& g, const float* x, float* y,
                        int32_t* argmax);
void max_pool2d_backward(cudaStream_t stream, const PoolGeom& g, const float* dy,
                         const int32_t* argmax, float* dx);
void avg_pool2d_forward(cudaStream_t stream, const PoolGeom& g, const float* x, float* y);
void avg_pool2d_backward(cudaStream_t stream, const PoolGeom& g, const float* dy, float* dx);
// x (N, HW, C) -> y (N, C) mean; dx (N, HW, C) = dy / HW.
void global_avg_pool2d_forward(cudaStream_t stream, int64_t N, int64_t HW, int64_t C,
                               const float* x, float* y);
void global_avg_pool2d_backward(cudaStream_t stream, int64_t N, int64_t HW, int64_t C,
                                const float* dy, float* dx);
// Nearest upsampling: x (N, H, W, C) -> y (N, H*sh, W*sw, C); dx (N, H, W, C) sums each
// sh x sw block of dy (row-major, from the block's first cell).
void upsample_nearest2d_forward(cudaStream_t stream, int64_t N, int64_t H, int64_t W, int64_t C,
                                int sh, int sw, const float* x, float* y);
void upsample_nearest2d_backward(cudaStream_t stream, int64_t N, int64_t H, int64_t W, int64_t C,
                                 int sh, int sw, const float* dy, float* dx);

}  // namespace cuda
}  // namespace tf

namespace tf {
namespace cuda {

// Convolution helpers, NHWC (csrc/cuda/conv.cu; layouts in csrc/cuda/conv_kernels.cuh).
struct ConvGeom {
  int64_t N, H, W, C, OH, OW;
  int KH, KW, sh, sw, pt, pl, dh, dw;
};
// col (N*OH*OW, KH*KW*C) <- x (N, H, W, C), zeros in the padding.
void im2col(cudaStream_t stream, const ConvGeom& g, const float* x, float* col);
// dx (N, H, W, C) = the adjoint of im2col applied to dcol (written with =).
void col2im(cudaStream_t stream, const ConvGeom& g, const float* dcol, float* dx);
// One implicit GEMM of conv2d (Note [implicit GEMM] in csrc/cuda/conv_kernels.cuh; the specs
// in csrc/cuda/conv_plan.h): C = gather(src) @ op(B) (+ bias) (relu), written with =.
// workspace: sgemm_workspace_floats(spec.M, spec.N, spec.K) floats, or nullptr (no split-K).
struct IGemmSpec;
void conv2d_igemm(cudaStream_t stream, const ConvGeom& g, int64_t Cout, const IGemmSpec& spec,
                  const float* src, const float* B, float* C, const float* bias, bool relu,
                  float* workspace);

}  // namespace cuda
}  // namespace tf

namespace tf {
namespace cuda {

// Depthwise conv, NHWC (csrc/cuda/conv_depthwise.cu; semantics of reference/conv.py's
// depthwise_conv2d_*): x (N, H, W, C), w (KH, KW, C, M), y (N, OH, OW, C*M). All three WRITE
// their output (=). The weight gradient needs depthwise_filter_workspace_floats(g) floats of
// device scratch (per-chunk partials, summed in a fixed order: deterministic).
struct DwGeom {
  int64_t N, H, W, C, M, OH, OW;
  int KH, KW, sh, sw, pt, pl, dh, dw;
};
// b (C*M,) may be nullptr (Note [fused bias] in tf/conv_depthwise.h).
void depthwise_conv2d_forward(cudaStream_t stream, const DwGeom& g, const float* x,
                              const float* w, const float* b, float* y);
void depthwise_conv2d_backward_data(cudaStream_t stream, const DwGeom& g, const float* dy,
                                    const float* w, float* dx);
int64_t depthwise_filter_workspace_floats(const DwGeom& g);
void depthwise_conv2d_backward_filter(cudaStream_t stream, const DwGeom& g, const float* dy,
                                      const float* x, float* dw, float* workspace);
// db (C*M,) = dy summed over N, OH, OW; workspace as the weight gradient's (it needs less).
void depthwise_conv2d_backward_bias(cudaStream_t stream, const DwGeom& g, const float* dy,
                                    float* db, float* workspace);

}  // namespace cuda
}  // namespace tf

#include <functional>

namespace tf {
namespace cuda {

// Recurrent sequences, forward and BPTT (csrc/cuda/rnn.cu; driver csrc/cuda/rnn_seq.h, cell
// kernels csrc/cuda/rnn_kernels.cuh). Arguments, layouts and saved arrays are tf/rnn.h's
// (the CPU twins) on device pointers; act / rec_act are tf::RnnAct codes. Scratch (gate
// gradients, zero initial state, split-K workspace) comes from `alloc` (n floats, device memory
// that stays alive until the call returns; the bindings take it from CuPy's pool).
using ScratchAlloc = std::function<float*(int64_t n)>;
#ifndef TF_RNN_SEQ_DIMS  // also defined by csrc/cuda/rnn_seq.h, which the emulator uses alone
#define TF_RNN_SEQ_DIMS
struct RnnSeqDims {
  long long B, T, F, U;
};
#endif

void lstm_forward(cudaStream_t stream, const ScratchAlloc& alloc, const RnnSeqDims& d,
                  const float* x, const float* kernel, const float* rk, const float* bias,
                  const float* h0, const float* c0, const float* mask, bool go_backwards, int act,
                  int rec_act, float* out, float* h_T, float* c_T, float* gates, float* h_prev,
                  float* c_prev);
void lstm_backward(cudaStream_t stream, const ScratchAlloc& alloc, const RnnSeqDims& d,
                   const float* d_out, const float* d_h_T, const float* d_c_T, const float* x,
                   const float* kernel, const float* rk, const float* mask, bool go_backwards,
                   int act, int rec_act, const float* gates, const float* h_prev,
                   const float* c_prev, float* dx, float* dkernel, float* drk, float* dbias,
                   float* dh0, float* dc0);
void gru_forward(cudaStream_t stream, const ScratchAlloc& alloc, const RnnSeqDims& d,
                 const float* x, const float* kernel, const float* rk, const float* bias,
                 const float* h0, const float* mask, bool go_backwards, bool reset_after, int act,
                 int rec_act, float* out, float* h_T, float* gates, float* h_prev, float* rec_h);
void gru_backward(cudaStream_t stream, const ScratchAlloc& alloc, const RnnSeqDims& d,
                  const float* d_out, const float* d_h_T, const float* x, const float* kernel,
                  const float* rk, const float* mask, bool go_backwards, bool reset_after, int act,
                  int rec_act, const float* gates, const float* h_prev, const float* rec_h,
                  float* dx, float* dkernel, float* drk, float* dbias, float* dh0);
void simple_rnn_forward(cudaStream_t stream, const ScratchAlloc& alloc, const RnnSeqDims& d,
                        const float* x, const float* kernel, const float* rk, const float* bias,
                        const float* h0, const float* mask, bool go_backwards, int act, float* out,
                        float* h_T, float* cand, float* h_prev);
void simple_rnn_backward(cudaStream_t stream, const ScratchAlloc& alloc, const RnnSeqDims& d,
                         const float* d_out, const float* d_h_T, const float* x,
                         const float* kernel, const float* rk, const float* mask,
                         bool go_backwards, int act, const float* cand, const float* h_prev,
                         float* dx, float* dkernel, float* drk, float* dbias, float* dh0);

}  // namespace cuda
}  // namespace tf

namespace tf {
namespace cuda {

// Batch normalization (csrc/cuda/norm.cu; semantics of python/tensorforge/reference/norm.py),
// x viewed as (A, C, B) as in tf/norm.h. Scratch from the caller: `part` holds 2*P*C doubles
// (batch_norm_parts gives P), `scratch` 3*C floats (2*C for inference). moving_* in place,
// the variance with Bessel's correction n/(n-1) when `bessel`.
void batch_norm_parts(int64_t A, int64_t C, int64_t B, int64_t& P, int64_t& per);
void batch_norm_forward_train(cudaStream_t stream, int64_t A, int64_t C, int64_t B, const float* x,
                              const float* gamma, const float* beta, float eps, float momentum,
                              bool bessel, float* y, float* mean, float* inv_std,
                              float* moving_mean, float* moving_var, double* part, float* scratch);
void batch_norm_forward_infer(cudaStream_t stream, int64_t A, int64_t C, int64_t B, const float* x,
                              const float* gamma, const float* beta, const float* moving_mean,
                              const float* moving_var, float eps, float* y, float* scratch);
void batch_norm_backward(cudaStream_t stream, int64_t A, int64_t C, int64_t B, const float* dy,
                         const float* x, const float* mean, const float* inv_std, const float* gamma,
                         float* dx, float* dgamma, float* dbeta, double* part, float* scratch);

// Embedding (csrc/cuda/embedding.cu; semantics of python/tensorforge/reference/embedding.py):
// table (V, D), n ids (int64 when ids64, else int32), y / dy (n, D). order: a stable argsort of
// the ids (int64), so the backward is deterministic (Note [deterministic scatter, GPU]).
void embedding_forward(cudaStream_t stream, int64_t V, int64_t D, int64_t n, const float* table,
                       const void* ids, bool ids64, float* y);
void embedding_backward(cudaStream_t stream, int64_t V, int64_t D, int64_t n, const float* dy,
                        const void* ids, bool ids64, const int64_t* order, float* dtable);

}  // namespace cuda
}  // namespace tf
