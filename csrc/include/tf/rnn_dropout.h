// Recurrences of the LSTM / GRU under Keras 2's recurrent dropout: one (B, U) mask per gate on
// the recurrent state, h_keep (G, B, U), fixed over time (kernels in csrc/cpu/rnn_dropout.cpp,
// one per ISA). Only the recurrence: the caller projects the inputs of all steps before and
// computes the weight gradients after (python/tensorforge/ops/rnn_dropout.py). Layouts and the
// NumPy twin: python/tensorforge/reference/rnn_dropout.py (Note [recurrent dropout kernels]).
//   proj, gates, d_gates (G, T, B, U); h_prev, c_prev, rec_h, d_rec (T, B, U), all indexed by
//   the input time t; out, d_out (B, T, U) by processing step s; mask (B, T) 0/1 or nullptr;
//   h0, c0, rec_bias_h, d_out may be nullptr (zeros / no bias). RnnDims.F is unused.
// Contract as tf/rnn.h: outputs written with =, inputs const, no validation (the bindings do).
#pragma once
#include "tf/rnn.h"

namespace tf {

#define TF_RNN_LSTM_DROPOUT_FWD_PARAMS                                                        \
  (const RnnDims& d, const float* proj, const float* recurrent_kernel, const float* h_keep,  \
   const float* h0, const float* c0, const float* mask, bool go_backwards, RnnAct act,       \
   RnnAct rec_act, float* out, float* h_T, float* c_T, float* gates, float* h_prev,           \
   float* c_prev)
#define TF_RNN_LSTM_DROPOUT_BWD_PARAMS                                                        \
  (const RnnDims& d, const float* d_out, const float* d_h_T, const float* d_c_T,             \
   const float* recurrent_kernel, const float* h_keep, const float* mask, bool go_backwards,  \
   RnnAct act, RnnAct rec_act, const float* gates, const float* c_prev, float* d_gates,       \
   float* dh0, float* dc0)
#define TF_RNN_GRU_DROPOUT_FWD_PARAMS                                                         \
  (const RnnDims& d, const float* proj, const float* recurrent_kernel,                        \
   const float* rec_bias_h, const float* h_keep, const float* h0, const float* mask,          \
   bool go_backwards, bool reset_after, RnnAct act, RnnAct rec_act, float* out, float* h_T,   \
   float* gates, float* h_prev, float* rec_h)
#define TF_RNN_GRU_DROPOUT_BWD_PARAMS                                                         \
  (const RnnDims& d, const float* d_out, const float* d_h_T, const float* recurrent_kernel,  \
   const float* h_keep, const float* mask, bool go_backwards, bool reset_after, RnnAct act,   \
   RnnAct rec_act, const float* gates, const float* h_prev, const float* rec_h,               \
   float* d_gates, float* d_rec, float* dh0)

TF_DECLARE_KERNEL(void, lstm_dropout_forward, TF_RNN_LSTM_DROPOUT_FWD_PARAMS)
TF_DECLARE_KERNEL(void, lstm_dropout_backward, TF_RNN_LSTM_DROPOUT_BWD_PARAMS)
TF_DECLARE_KERNEL(void, gru_dropout_forward, TF_RNN_GRU_DROPOUT_FWD_PARAMS)
TF_DECLARE_KERNEL(void, gru_dropout_backward, TF_RNN_GRU_DROPOUT_BWD_PARAMS)

template <typename... A>
static inline void lstm_dropout_forward(A... a) { TF_DISPATCH(lstm_dropout_forward, a...); }
template <typename... A>
static inline void lstm_dropout_backward(A... a) { TF_DISPATCH(lstm_dropout_backward, a...); }
template <typename... A>
static inline void gru_dropout_forward(A... a) { TF_DISPATCH(gru_dropout_forward, a...); }
template <typename... A>
static inline void gru_dropout_backward(A... a) { TF_DISPATCH(gru_dropout_backward, a...); }

}  // namespace tf
