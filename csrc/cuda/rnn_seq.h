// The recurrent sequences on the GPU as one host-side driver per op, written once over an
// executor `Ex` so that rnn.cu (CUDA launches on CuPy's stream) and csrc/cuda/emu/emu_rnn.cpp
// (the CPU model) run exactly the same sequence of GEMMs and cell launches. Plain C++ (no CUDA
// syntax); include rnn_kernels.cuh (or the emulator) first.
//
// An executor provides:
//   float* scratch(n)                 n uninitialised floats of device memory, alive for the call
//   gemm(M, N, K, A, rsA, csA, B, rsB, csB, beta, C, ldc, bias)
//                                     C = op(A) @ op(B) + beta*C (+ bias[n]) through OUR SGEMM
//                                     (tf::cuda::sgemm, contract in tf/cuda_kernels.h)
//   launch(n, kernel, args...)        kernel<<<grid-stride over n, THREADS>>>(args...)
//
// Structure (the CPU kernels' in csrc/cpu/rnn_*.cpp, see rnn_impl.h's file header and Note [saved for
// backward]; B batch, T time, F features, U units, G gates):
//   forward:  ONE GEMM for the input projection of every step, (B*T, F) @ kernel + bias, written
//             into the saved gates (cand) array; per step one recurrent GEMM h_{s-1} @ U
//             accumulated into that step's slice (beta = 1; GRU reset_after: into a (B, 3U)
//             scratch with the recurrent bias) and ONE fused cell kernel. GRU reset_before needs
//             r*h before the candidate's GEMM: GEMM z,r -> cell -> GEMM h -> cell.
//   backward: per step (reverse) ONE cell kernel giving dG_t and the direct part of dh (dc), then
//             ONE GEMM dh += dG_t @ U^T (GRU reset_before: dhh @ U_h^T -> cell -> [dz dr] @
//             [U_z U_r]^T). Then the weight gradients, one GEMM each over the whole sequence:
//             dx = dG @ kernel^T, dkernel = X^T dG, drecurrent = Hprev^T dG, dbias = 1^T dG (a
//             GEMM with a (1, B*T) row of ones read through zero strides, as conv2d's db).
// Arrays are C-contiguous float32 device pointers (the bindings check them); (B, T, .) arrays are
// indexed by input time t like x; out[:, s] is step s's output.
#pragma once
#include <cstdint>

namespace tf {
namespace cuda {

#ifndef TF_RNN_SEQ_DIMS  // the same struct as tf/cuda_kernels.h's
#define TF_RNN_SEQ_DIMS
struct RnnSeqDims {
  long long B, T, F, U;
};
#endif

namespace rnn_seq {

inline long long time_of(long long s, long long T, bool go_backwards) {
  return go_backwards ? T - 1 - s : s;
}

// h_{s-1}: out[:, s-1] (row stride T*U) or the initial state (row stride U).
inline const float* hprev_ptr(long long s, const float* out, const float* h_init, long long T,
                              long long U, long long& rs) {
  rs = s > 0 ? T * U : U;
  return s > 0 ? out + (s - 1) * U : h_init;
}

template <class Ex>
const float* initial_state(Ex& ex, const float* h0, long long n) {
  if (h0) return h0;
  float* z = ex.scratch(n);
  ex.launch(n, rnn::fill_kernel, n, 0.0f, z);
  return z;
}

// dst (N,) = column sums of src (M, N) with row stride ld: 1 (1, M) @ src (strides 0, 0 read the
// single float `one`).
template <class Ex>
void column_sums(Ex& ex, long long M, long long N, const float* one, const float* src, long long ld,
                 float* dst) {
  ex.gemm(1, N, M, one, 0, 0, src, ld, 1, 0.0f, dst, N, nullptr);
}

template <class Ex>
const float* ones(Ex& ex) {
  float* one = ex.scratch(4);
  ex.launch(1, rnn::fill_kernel, 1LL, 1.0f, one);
  return one;
}

// The forward of LSTM and SimpleRNN: the input projection of every step into P (B, T, G*U) (the
// saved gates / cand), then per step P[:, t] += h_{s-1} @ recurrent_kernel and
// cell(s, t, h_{s-1}, its row stride); then h_T = out[:, T-1].
template <class Ex, class Cell>
void accumulating_forward(Ex& ex, const RnnSeqDims& d, long long G, const float* x,
                          const float* kernel, const float* rk, const float* bias, const float* h0,
                          bool go_backwards, float* P, const float* out, float* h_T, Cell&& cell) {
  const long long B = d.B, T = d.T, F = d.F, U = d.U, GU = G * U;
  ex.gemm(B * T, GU, F, x, F, 1, kernel, GU, 1, 0.0f, P, GU, bias);
  const float* hinit = initial_state(ex, h0, B * U);
  for (long long s = 0; s < T; ++s) {
    const long long t = time_of(s, T, go_backwards);
    long long rs;
    const float* hp = hprev_ptr(s, out, hinit, T, U, rs);
    ex.gemm(B, GU, U, hp, rs, 1, rk, GU, 1, 1.0f, P + t * GU, T * GU, nullptr);
    cell(s, t, hp, rs);
  }
  ex.launch(B * U, rnn::copy_rows_kernel, B, U, out + (T - 1) * U, T * U, h_T, U);
}

}  // namespace rnn_seq

// ---- LSTM -----------------------------------------------------------------------------------
template <class Ex>
void lstm_forward_seq(Ex& ex, const RnnSeqDims& d, const float* x, const float* kernel,
                      const float* rk, const float* bias, const float* h0, const float* c0,
                      const float* mask, bool go_backwards, int act, int rec_act, float* out,
                      float* h_T, float* c_T, float* gates, float* h_prev, float* c_prev) {
  const long long B = d.B, T = d.T, U = d.U;
  // c lives in c_T during the loop
  if (c0) ex.launch(B * U, rnn::copy_rows_kernel, B, U, c0, U, c_T, U);
  else ex.launch(B * U, rnn::fill_kernel, B * U, 0.0f, c_T);
  rnn_seq::accumulating_forward(ex, d, 4, x, kernel, rk, bias, h0, go_backwards, gates, out, h_T,
                                [&](long long s, long long t, const float* hp, long long rs) {
    ex.launch(B * U, rnn::lstm_fwd_cell, B, T, U, t, s, hp, rs, gates, c_T, h_prev, c_prev, out,
              mask, act, rec_act);
  });
}

// Whole-sequence weight gradients when dG's columns line up with the G*U gate columns.
template <class Ex>
void dense_weight_grads(Ex& ex, const RnnSeqDims& d, long long GU, const float* x,
                        const float* kernel, const float* h_prev, const float* dG, float* dx,
                        float* dkernel, float* drk, float* dbias) {
  const long long BT = d.B * d.T, F = d.F, U = d.U;
  ex.gemm(BT, F, GU, dG, GU, 1, kernel, 1, GU, 0.0f, dx, F, nullptr);      // dG @ kernel^T
  ex.gemm(F, GU, BT, x, 1, F, dG, GU, 1, 0.0f, dkernel, GU, nullptr);      // X^T @ dG
  ex.gemm(U, GU, BT, h_prev, 1, U, dG, GU, 1, 0.0f, drk, GU, nullptr);     // Hprev^T @ dG
  rnn_seq::column_sums(ex, BT, GU, rnn_seq::ones(ex), dG, GU, dbias);
}

template <class Ex>
void lstm_backward_seq(Ex& ex, const RnnSeqDims& d, const float* d_out, const float* d_h_T,
                       const float* d_c_T, const float* x, const float* kernel, const float* rk,
                       const float* mask, bool go_backwards, int act, int rec_act,
                       const float* gates, const float* h_prev, const float* c_prev, float* dx,
                       float* dkernel, float* drk, float* dbias, float* dh0, float* dc0) {
  using namespace rnn_seq;
  const long long B = d.B, T = d.T, U = d.U, GU = 4 * U;
  float* dG = ex.scratch(B * T * GU);
  // dh0/dc0 hold the running dh_s / dc_s during the recurrence
  ex.launch(B * U, rnn::copy_rows_kernel, B, U, d_h_T, U, dh0, U);
  ex.launch(B * U, rnn::copy_rows_kernel, B, U, d_c_T, U, dc0, U);
  for (long long s = T - 1; s >= 0; --s) {
    const long long t = time_of(s, T, go_backwards);
    ex.launch(B * U, rnn::lstm_bwd_cell, B, T, U, t, s, gates, c_prev, d_out, dG, dh0, dc0, mask,
              act, rec_act);
    // dh_{s-1} += dG_t (B, 4U) @ recurrent_kernel^T
    ex.gemm(B, U, GU, dG + t * GU, T * GU, 1, rk, 1, GU, 1.0f, dh0, U, nullptr);
  }
  dense_weight_grads(ex, d, GU, x, kernel, h_prev, dG, dx, dkernel, drk, dbias);
}

// ---- GRU ------------------------------------------------------------------------------------
template <class Ex>
void gru_forward_seq(Ex& ex, const RnnSeqDims& d, const float* x, const float* kernel,
                     const float* rk, const float* bias, const float* h0, const float* mask,
                     bool go_backwards, bool reset_after, int act, int rec_act, float* out,
                     float* h_T, float* gates, float* h_prev, float* rec_h) {
  using namespace rnn_seq;
  const long long B = d.B, T = d.T, F = d.F, U = d.U, GU = 3 * U;
  const float* b_rec = (bias && reset_after) ? bias + GU : nullptr;
  ex.gemm(B * T, GU, F, x, F, 1, kernel, GU, 1, 0.0f, gates, GU, bias);
  const float* hinit = initial_state(ex, h0, B * U);
  float* R = reset_after ? ex.scratch(B * GU) : nullptr;
  for (long long s = 0; s < T; ++s) {
    const long long t = time_of(s, T, go_backwards);
    long long rs;
    const float* hp = hprev_ptr(s, out, hinit, T, U, rs);
    if (reset_after) {
      ex.gemm(B, GU, U, hp, rs, 1, rk, GU, 1, 0.0f, R, GU, b_rec);
      ex.launch(B * U, rnn::gru_fwd_cell_reset_after, B, T, U, t, s, hp, rs, gates,
                (const float*)R, h_prev, rec_h, out, mask, act, rec_act);
    } else {
      ex.gemm(B, 2 * U, U, hp, rs, 1, rk, GU, 1, 1.0f, gates + t * GU, T * GU, nullptr);
      ex.launch(B * U, rnn::gru_fwd_cell_zr, B, T, U, t, hp, rs, gates, h_prev, rec_h, rec_act);
      ex.gemm(B, U, U, rec_h + t * U, T * U, 1, rk + 2 * U, GU, 1, 1.0f, gates + t * GU + 2 * U,
              T * GU, nullptr);
      ex.launch(B * U, rnn::gru_fwd_cell_h, B, T, U, t, s, hp, rs, gates, out, mask, act);
    }
  }
  ex.launch(B * U, rnn::copy_rows_kernel, B, U, out + (T - 1) * U, T * U, h_T, U);
}

template <class Ex>
void gru_backward_seq(Ex& ex, const RnnSeqDims& d, const float* d_out, const float* d_h_T,
                      const float* x, const float* kernel, const float* rk, const float* mask,
                      bool go_backwards, bool reset_after, int act, int rec_act,
                      const float* gates, const float* h_prev, const float* rec_h, float* dx,
                      float* dkernel, float* drk, float* dbias, float* dh0) {
  using namespace rnn_seq;
  const long long B = d.B, T = d.T, F = d.F, U = d.U, GU = 3 * U, BT = B * T;
  const long long W = reset_after ? 4 * U : 3 * U;      // see gru_bwd_cell
  const long long o_hx = reset_after ? 3 * U : 2 * U;
  float* dG = ex.scratch(BT * W);
  float* drh = reset_after ? nullptr : ex.scratch(B * U);
  ex.launch(B * U, rnn::copy_rows_kernel, B, U, d_h_T, U, dh0, U);
  for (long long s = T - 1; s >= 0; --s) {
    const long long t = time_of(s, T, go_backwards);
    ex.launch(B * U, rnn::gru_bwd_cell, B, T, U, t, s, gates, h_prev, rec_h, d_out, dG, W, o_hx,
              dh0, mask, reset_after, act, rec_act);
    if (reset_after) {
      // dh_{s-1} += [dz dr dhh*r] (B, 3U) @ recurrent_kernel^T
      ex.gemm(B, U, GU, dG + t * W, T * W, 1, rk, 1, GU, 1.0f, dh0, U, nullptr);
    } else {
      // d(r*h) = dhh @ U_h^T, then dr and dh's r*h part, then dh += [dz dr] @ [U_z U_r]^T
      ex.gemm(B, U, U, dG + t * W + 2 * U, T * W, 1, rk + 2 * U, 1, GU, 0.0f, drh, U, nullptr);
      ex.launch(B * U, rnn::gru_bwd_cell_r, B, T, U, t, gates, h_prev, (const float*)drh, dG, dh0,
                mask, rec_act);
      ex.gemm(B, U, 2 * U, dG + t * W, T * W, 1, rk, 1, GU, 1.0f, dh0, U, nullptr);
    }
  }
  if (!reset_after) {  // dG's columns are [dz dr dhh], shared by both projections
    dense_weight_grads(ex, d, GU, x, kernel, h_prev, dG, dx, dkernel, drk, dbias);
    // ...except the candidate's recurrent block, whose GEMM input was r*h, not h
    ex.gemm(U, U, BT, rec_h, 1, U, dG + 2 * U, GU, 1, 0.0f, drk + 2 * U, GU, nullptr);
    return;
  }
  // input side: [dz dr] against kernel[:, :2U], dhh (column 3U) against kernel[:, 2U:]
  ex.gemm(BT, F, 2 * U, dG, W, 1, kernel, 1, GU, 0.0f, dx, F, nullptr);
  ex.gemm(BT, F, U, dG + o_hx, W, 1, kernel + 2 * U, 1, GU, 1.0f, dx, F, nullptr);
  ex.gemm(F, 2 * U, BT, x, 1, F, dG, W, 1, 0.0f, dkernel, GU, nullptr);
  ex.gemm(F, U, BT, x, 1, F, dG + o_hx, W, 1, 0.0f, dkernel + 2 * U, GU, nullptr);
  // recurrent side: [dz dr dhh*r] (columns 0..3U)
  ex.gemm(U, GU, BT, h_prev, 1, U, dG, W, 1, 0.0f, drk, GU, nullptr);
  const float* one = ones(ex);
  column_sums(ex, BT, 2 * U, one, dG, W, dbias);               // input bias z, r
  column_sums(ex, BT, U, one, dG + o_hx, W, dbias + 2 * U);    // input bias h
  column_sums(ex, BT, GU, one, dG, W, dbias + GU);             // recurrent bias
}

// ---- SimpleRNN ------------------------------------------------------------------------------
template <class Ex>
void simple_rnn_forward_seq(Ex& ex, const RnnSeqDims& d, const float* x, const float* kernel,
                            const float* rk, const float* bias, const float* h0, const float* mask,
                            bool go_backwards, int act, float* out, float* h_T, float* cand,
                            float* h_prev) {
  const long long B = d.B, T = d.T, U = d.U;
  rnn_seq::accumulating_forward(ex, d, 1, x, kernel, rk, bias, h0, go_backwards, cand, out, h_T,
                                [&](long long s, long long t, const float* hp, long long rs) {
    ex.launch(B * U, rnn::simple_fwd_cell, B, T, U, t, s, hp, rs, cand, h_prev, out, mask, act);
  });
}

template <class Ex>
void simple_rnn_backward_seq(Ex& ex, const RnnSeqDims& d, const float* d_out, const float* d_h_T,
                             const float* x, const float* kernel, const float* rk,
                             const float* mask, bool go_backwards, int act, const float* cand,
                             const float* h_prev, float* dx, float* dkernel, float* drk,
                             float* dbias, float* dh0) {
  using namespace rnn_seq;
  const long long B = d.B, T = d.T, U = d.U;
  float* dG = ex.scratch(B * T * U);
  ex.launch(B * U, rnn::copy_rows_kernel, B, U, d_h_T, U, dh0, U);
  for (long long s = T - 1; s >= 0; --s) {
    const long long t = time_of(s, T, go_backwards);
    ex.launch(B * U, rnn::simple_bwd_cell, B, T, U, t, s, cand, d_out, dG, dh0, mask, act);
    ex.gemm(B, U, U, dG + t * U, T * U, 1, rk, 1, U, 1.0f, dh0, U, nullptr);
  }
  dense_weight_grads(ex, d, U, x, kernel, h_prev, dG, dx, dkernel, drk, dbias);
}

}  // namespace cuda
}  // namespace tf
