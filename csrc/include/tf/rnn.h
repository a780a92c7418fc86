// Recurrent kernels: LSTM, GRU (both Keras formulations) and SimpleRNN over a whole sequence,
// forward and backward through time (kernels in csrc/cpu/rnn_*.cpp, one per ISA; see tf/isa.h).
//
// Dimensions: B batch, T time, F features, U units, G gates (LSTM 4, GRU 3, SimpleRNN 1).
// Layouts (Keras, all C-contiguous float32):
//   x (B, T, F); kernel (F, G*U); recurrent_kernel (U, G*U)
//   LSTM gate order i, f, c, o; bias (4U,).  GRU gate order z, r, h; bias (2, 3U) when
//   reset_after (row 0: input bias, row 1: recurrent bias) else (3U,).  SimpleRNN bias (U,).
//   bias, h0, c0, mask may be nullptr (no bias / zero initial state / every step real).
//   mask (B, T): 0.0f means the step that reads x[b, t] keeps the state and repeats it as output.
//   go_backwards: step s reads x[:, T-1-s]; out[:, s] is that step's output (Keras order).
// Saved arrays (gates, h_prev, c_prev, rec_h, cand) are (B, T, .) indexed like x by the time of
// the input the step read; see Note [saved for backward] in csrc/cpu/rnn_impl.h.
// Contract: every output array is written with = (the bindings allocate them fresh); inputs are
// const; kernels neither allocate Python objects nor validate (the bindings do).
#pragma once
#include "tf/common.h"
#include "tf/isa.h"

namespace tf {

enum class RnnAct : int { tanh = 0, relu = 1, sigmoid = 2, hard_sigmoid = 3 };

struct RnnDims {
  index_t B, T, F, U;
};

#define TF_RNN_LSTM_FWD_PARAMS                                                                 \
  (const RnnDims& d, const float* x, const float* kernel, const float* recurrent_kernel,      \
   const float* bias, const float* h0, const float* c0, const float* mask, bool go_backwards, \
   RnnAct act, RnnAct rec_act, float* out, float* h_T, float* c_T, float* gates,              \
   float* h_prev, float* c_prev)
#define TF_RNN_LSTM_BWD_PARAMS                                                                 \
  (const RnnDims& d, const float* d_out, const float* d_h_T, const float* d_c_T,              \
   const float* x, const float* kernel, const float* recurrent_kernel, const float* mask,     \
   bool go_backwards, RnnAct act, RnnAct rec_act, const float* gates, const float* h_prev,    \
   const float* c_prev, float* dx, float* dkernel, float* drecurrent_kernel, float* dbias,    \
   float* dh0, float* dc0)
#define TF_RNN_GRU_FWD_PARAMS                                                                  \
  (const RnnDims& d, const float* x, const float* kernel, const float* recurrent_kernel,      \
   const float* bias, const float* h0, const float* mask, bool go_backwards, bool reset_after, \
   RnnAct act, RnnAct rec_act, float* out, float* h_T, float* gates, float* h_prev,           \
   float* rec_h)
#define TF_RNN_GRU_BWD_PARAMS                                                                  \
  (const RnnDims& d, const float* d_out, const float* d_h_T, const float* x,                  \
   const float* kernel, const float* recurrent_kernel, const float* mask, bool go_backwards,  \
   bool reset_after, RnnAct act, RnnAct rec_act, const float* gates, const float* h_prev,     \
   const float* rec_h, float* dx, float* dkernel, float* drecurrent_kernel, float* dbias,     \
   float* dh0)
#define TF_RNN_SIMPLE_FWD_PARAMS                                                               \
  (const RnnDims& d, const float* x, const float* kernel, const float* recurrent_kernel,      \
   const float* bias, const float* h0, const float* mask, bool go_backwards, RnnAct act,      \
   float* out, float* h_T, float* cand, float* h_prev)
#define TF_RNN_SIMPLE_BWD_PARAMS                                                               \
  (const RnnDims& d, const float* d_out, const float* d_h_T, const float* x,                  \
   const float* kernel, const float* recurrent_kernel, const float* mask, bool go_backwards,  \
   RnnAct act, const float* cand, const float* h_prev, float* dx, float* dkernel,             \
   float* drecurrent_kernel, float* dbias, float* dh0)

TF_DECLARE_KERNEL(void, lstm_forward, TF_RNN_LSTM_FWD_PARAMS)
TF_DECLARE_KERNEL(void, lstm_backward, TF_RNN_LSTM_BWD_PARAMS)
TF_DECLARE_KERNEL(void, gru_forward, TF_RNN_GRU_FWD_PARAMS)
TF_DECLARE_KERNEL(void, gru_backward, TF_RNN_GRU_BWD_PARAMS)
TF_DECLARE_KERNEL(void, simple_rnn_forward, TF_RNN_SIMPLE_FWD_PARAMS)
TF_DECLARE_KERNEL(void, simple_rnn_backward, TF_RNN_SIMPLE_BWD_PARAMS)

// Dispatchers (active ISA).
template <typename... A>
static inline void lstm_forward(A... a) { TF_DISPATCH(lstm_forward, a...); }
template <typename... A>
static inline void lstm_backward(A... a) { TF_DISPATCH(lstm_backward, a...); }
template <typename... A>
static inline void gru_forward(A... a) { TF_DISPATCH(gru_forward, a...); }
template <typename... A>
static inline void gru_backward(A... a) { TF_DISPATCH(gru_backward, a...); }
template <typename... A>
static inline void simple_rnn_forward(A... a) { TF_DISPATCH(simple_rnn_forward, a...); }
template <typename... A>
static inline void simple_rnn_backward(A... a) { TF_DISPATCH(simple_rnn_backward, a...); }

}  // namespace tf
