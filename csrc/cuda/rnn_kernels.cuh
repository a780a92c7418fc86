// Fused pointwise cell kernels of the recurrent family (LSTM, GRU both formulations, SimpleRNN),
// forward and backward, one launch per time step (the sequence driver is rnn_seq.h, the launcher
// rnn.cu). Kept apart so csrc/cuda/emu/ can run the very same source on the CPU model.
//
// Same math and same saved arrays as csrc/cpu/rnn_*.cpp (see Note [saved for backward] in rnn_impl.h) and
// python/tensorforge/reference/rnn.py. Dimensions B batch, T time, U units; every (B, T, .) array
// is indexed like x by the input time t of the step (not by processing order s); out[:, s] is
// step s's output (go_backwards: s reads x[:, T-1-s]). One thread per (b, u), grid-stride.
// The recurrent GEMM of step s has already run (through our SGEMM) when its cell kernel starts:
//   LSTM, SimpleRNN, GRU reset_before: accumulated (beta = 1) into the step's pre-activations;
//   GRU reset_after: into a (B, 3U) scratch R with the recurrent bias (r multiplies R's h block).
// Masked steps (mask[b, t] == 0) compute the step, then select the carried state (a select, not a
// multiply: NaN in a masked input cannot leak); backward writes dG = 0 there and passes dh (dc)
// straight through.
#pragma once

namespace tf {
namespace cuda {
namespace rnn {

constexpr int THREADS = 256;

// Activation codes: tf::RnnAct's values (tf/rnn.h), repeated for the device side.
constexpr int kTanh = 0, kRelu = 1, kSigmoid = 2, kHardSigmoid = 3;

__device__ __forceinline__ float act_f(float z, int k) {
  switch (k) {
    case kRelu: return z > 0.0f ? z : (z != z ? z : 0.0f);  // NaN stays NaN
    case kSigmoid: {
      const float e = expf(-fabsf(z));  // never overflows
      return z >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
    }
    case kHardSigmoid: {
      const float t = fmaf(z, 0.2f, 0.5f);
      return t > 1.0f ? 1.0f : (t < 0.0f ? 0.0f : t);  // NaN falls through both tests
    }
    default: return tanhf(z);
  }
}

// Derivatives written in terms of the activation's output y (Note [saved for backward]).
__device__ __forceinline__ float dact_f(float y, int k) {
  switch (k) {
    case kRelu: return y > 0.0f ? 1.0f : 0.0f;
    case kSigmoid: return y * (1.0f - y);
    case kHardSigmoid: return (y > 0.0f && y < 1.0f) ? 0.2f : 0.0f;
    default: return 1.0f - y * y;
  }
}

__device__ __forceinline__ bool kept(const float* mask, long long b, long long T, long long t) {
  return mask == nullptr || mask[b * T + t] != 0.0f;
}

#define TF_RNN_FOR_EACH(e, n)                                                    \
  for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < (n); \
       e += (long long)gridDim.x * blockDim.x)

// ---- small helpers: fill, row copy ----------------------------------------------------------
__global__ void fill_kernel(long long n, float v, float* __restrict__ p) {
  TF_RNN_FOR_EACH(e, n) p[e] = v;
}

// dst (rows, cols) with row stride ldd <- src (rows, cols) with row stride lds.
__global__ void copy_rows_kernel(long long rows, long long cols, const float* __restrict__ src,
                                 long long lds, float* __restrict__ dst, long long ldd) {
  TF_RNN_FOR_EACH(e, rows * cols) {
    const long long r = e / cols, c = e - r * cols;
    dst[r * ldd + c] = src[r * lds + c];
  }
}

// ---- LSTM -----------------------------------------------------------------------------------
// gates (B, T, 4U): at t, x W + b + h_{s-1} U in, activated i, f, g, o out. c (B, U): the cell
// state, updated in place. hp: h_{s-1} (B, U) with row stride rs_hp.
__global__ void lstm_fwd_cell(long long B, long long T, long long U, long long t, long long s,
                              const float* __restrict__ hp, long long rs_hp,
                              float* __restrict__ gates, float* __restrict__ c,
                              float* __restrict__ h_prev, float* __restrict__ c_prev,
                              float* __restrict__ out, const float* __restrict__ mask, int act,
                              int rec_act) {
  TF_RNN_FOR_EACH(e, B * U) {
    const long long b = e / U, u = e - b * U;
    float* P = gates + (b * T + t) * 4 * U + u;
    const float i = act_f(P[0], rec_act), f = act_f(P[U], rec_act);
    const float g = act_f(P[2 * U], act), o = act_f(P[3 * U], rec_act);
    P[0] = i;
    P[U] = f;
    P[2 * U] = g;
    P[3 * U] = o;
    const float cold = c[e], hold = hp[b * rs_hp + u];
    h_prev[(b * T + t) * U + u] = hold;
    c_prev[(b * T + t) * U + u] = cold;
    float cn = fmaf(f, cold, i * g);
    float hn = o * act_f(cn, act);
    if (!kept(mask, b, T, t)) {
      cn = cold;
      hn = hold;
    }
    c[e] = cn;
    out[(b * T + s) * U + u] = hn;
  }
}

// dh, dc (B, U): in: the gradient arriving at h_s, c_s from later steps; out: dc_{s-1} and the
// direct part of dh_{s-1} (0 for a real step: the GEMM dh += dG_t @ recurrent_kernel^T follows).
// dG (B, T, 4U): the gate pre-activation gradients of step t.
__global__ void lstm_bwd_cell(long long B, long long T, long long U, long long t, long long s,
                              const float* __restrict__ gates, const float* __restrict__ c_prev,
                              const float* __restrict__ d_out, float* __restrict__ dG,
                              float* __restrict__ dh, float* __restrict__ dc,
                              const float* __restrict__ mask, int act, int rec_act) {
  TF_RNN_FOR_EACH(e, B * U) {
    const long long b = e / U, u = e - b * U;
    const float dht = dh[e] + d_out[(b * T + s) * U + u];
    float* g = dG + (b * T + t) * 4 * U + u;
    if (!kept(mask, b, T, t)) {  // carried step: dh, dc pass through, no gate gradient
      g[0] = g[U] = g[2 * U] = g[3 * U] = 0.0f;
      dh[e] = dht;
      continue;
    }
    const float* G = gates + (b * T + t) * 4 * U + u;
    const float i = G[0], f = G[U], gg = G[2 * U], o = G[3 * U];
    const float cp = c_prev[(b * T + t) * U + u];
    const float ac = act_f(fmaf(f, cp, i * gg), act);
    const float dct = fmaf(dht * o, dact_f(ac, act), dc[e]);
    g[0] = dct * gg * dact_f(i, rec_act);
    g[U] = dct * cp * dact_f(f, rec_act);
    g[2 * U] = dct * i * dact_f(gg, act);
    g[3 * U] = dht * ac * dact_f(o, rec_act);
    dc[e] = dct * f;
    dh[e] = 0.0f;
  }
}

// ---- GRU ------------------------------------------------------------------------------------
// reset_after: gates (B, T, 3U) holds x W + b_in at t (in) and z, r, hh (out); R (B, 3U) is
// h_{s-1} U + b_rec. rec_h saves R's h block (before r multiplies it).
__global__ void gru_fwd_cell_reset_after(long long B, long long T, long long U, long long t,
                                         long long s, const float* __restrict__ hp, long long rs_hp,
                                         float* __restrict__ gates, const float* __restrict__ R,
                                         float* __restrict__ h_prev, float* __restrict__ rec_h,
                                         float* __restrict__ out, const float* __restrict__ mask,
                                         int act, int rec_act) {
  TF_RNN_FOR_EACH(e, B * U) {
    const long long b = e / U, u = e - b * U;
    float* P = gates + (b * T + t) * 3 * U + u;
    const float* r = R + b * 3 * U + u;
    const float z = act_f(P[0] + r[0], rec_act), rg = act_f(P[U] + r[U], rec_act);
    const float rh = r[2 * U];
    const float hh = act_f(fmaf(rg, rh, P[2 * U]), act);
    P[0] = z;
    P[U] = rg;
    P[2 * U] = hh;
    rec_h[(b * T + t) * U + u] = rh;
    const float hold = hp[b * rs_hp + u];
    h_prev[(b * T + t) * U + u] = hold;
    float hn = fmaf(z, hold - hh, hh);  // z*h + (1-z)*hh
    if (!kept(mask, b, T, t)) hn = hold;
    out[(b * T + s) * U + u] = hn;
  }
}

// reset_before, phase 1: gates[:, t, :2U] holds x W + b + h U (z, r blocks) -> z, r; saves h_prev
// and rec_h = r * h_{s-1} (the A operand of the candidate's recurrent GEMM, which follows).
__global__ void gru_fwd_cell_zr(long long B, long long T, long long U, long long t,
                                const float* __restrict__ hp, long long rs_hp,
                                float* __restrict__ gates, float* __restrict__ h_prev,
                                float* __restrict__ rec_h, int rec_act) {
  TF_RNN_FOR_EACH(e, B * U) {
    const long long b = e / U, u = e - b * U;
    float* P = gates + (b * T + t) * 3 * U + u;
    const float z = act_f(P[0], rec_act), rg = act_f(P[U], rec_act);
    P[0] = z;
    P[U] = rg;
    const float hold = hp[b * rs_hp + u];
    h_prev[(b * T + t) * U + u] = hold;
    rec_h[(b * T + t) * U + u] = rg * hold;
  }
}

// reset_before, phase 2: gates[:, t, 2U:] holds x W_h + b_h + (r*h) U_h -> hh; the new state.
__global__ void gru_fwd_cell_h(long long B, long long T, long long U, long long t, long long s,
                               const float* __restrict__ hp, long long rs_hp,
                               float* __restrict__ gates, float* __restrict__ out,
                               const float* __restrict__ mask, int act) {
  TF_RNN_FOR_EACH(e, B * U) {
    const long long b = e / U, u = e - b * U;
    float* P = gates + (b * T + t) * 3 * U + u;
    const float hh = act_f(P[2 * U], act);
    P[2 * U] = hh;
    const float z = P[0], hold = hp[b * rs_hp + u];
    float hn = fmaf(z, hold - hh, hh);
    if (!kept(mask, b, T, t)) hn = hold;
    out[(b * T + s) * U + u] = hn;
  }
}

// dG (B, T, W): reset_after W = 4U, columns [dz, dr, dhh*r (recurrent h block), dhh (input h
// block)]; otherwise W = 3U, [dz, dr, dhh] (dr written by gru_bwd_cell_r). o_hx = the column of
// dhh (3U or 2U). dh (B, U): in: gradient at h_s; out: its direct part dh * z.
__global__ void gru_bwd_cell(long long B, long long T, long long U, long long t, long long s,
                             const float* __restrict__ gates, const float* __restrict__ h_prev,
                             const float* __restrict__ rec_h, const float* __restrict__ d_out,
                             float* __restrict__ dG, long long W, long long o_hx,
                             float* __restrict__ dh, const float* __restrict__ mask,
                             bool reset_after, int act, int rec_act) {
  TF_RNN_FOR_EACH(e, B * U) {
    const long long b = e / U, u = e - b * U;
    const float dht = dh[e] + d_out[(b * T + s) * U + u];
    float* g = dG + (b * T + t) * W + u;
    if (!kept(mask, b, T, t)) {
      g[0] = g[U] = g[2 * U] = 0.0f;
      if (reset_after) g[3 * U] = 0.0f;
      dh[e] = dht;
      continue;
    }
    const float* G = gates + (b * T + t) * 3 * U + u;
    const float z = G[0], hh = G[2 * U], hpv = h_prev[(b * T + t) * U + u];
    const float dhh = dht * (1.0f - z) * dact_f(hh, act);
    g[0] = dht * (hpv - hh) * dact_f(z, rec_act);
    g[o_hx] = dhh;
    dh[e] = dht * z;
    if (reset_after) {
      const float r = G[U];
      g[U] = dhh * rec_h[(b * T + t) * U + u] * dact_f(r, rec_act);
      g[2 * U] = dhh * r;
    }
  }
}

// reset_before, after drh (B, U) = dhh @ U_h^T: dr = drh * h_{s-1} * r'; dh += drh * r.
__global__ void gru_bwd_cell_r(long long B, long long T, long long U, long long t,
                               const float* __restrict__ gates, const float* __restrict__ h_prev,
                               const float* __restrict__ drh, float* __restrict__ dG,
                               float* __restrict__ dh, const float* __restrict__ mask,
                               int rec_act) {
  TF_RNN_FOR_EACH(e, B * U) {
    const long long b = e / U, u = e - b * U;
    float* g = dG + (b * T + t) * 3 * U + u;
    if (!kept(mask, b, T, t)) {
      g[U] = 0.0f;
      continue;
    }
    const float r = gates[(b * T + t) * 3 * U + U + u], d = drh[e];
    g[U] = d * h_prev[(b * T + t) * U + u] * dact_f(r, rec_act);
    dh[e] = fmaf(d, r, dh[e]);
  }
}

// ---- SimpleRNN ------------------------------------------------------------------------------
// cand (B, T, U): x W + b + h U in, act(.) out.
__global__ void simple_fwd_cell(long long B, long long T, long long U, long long t, long long s,
                                const float* __restrict__ hp, long long rs_hp,
                                float* __restrict__ cand, float* __restrict__ h_prev,
                                float* __restrict__ out, const float* __restrict__ mask, int act) {
  TF_RNN_FOR_EACH(e, B * U) {
    const long long b = e / U, u = e - b * U;
    const long long i = (b * T + t) * U + u;
    const float y = act_f(cand[i], act);
    cand[i] = y;
    const float hold = hp[b * rs_hp + u];
    h_prev[i] = hold;
    out[(b * T + s) * U + u] = kept(mask, b, T, t) ? y : hold;
  }
}

__global__ void simple_bwd_cell(long long B, long long T, long long U, long long t, long long s,
                                const float* __restrict__ cand, const float* __restrict__ d_out,
                                float* __restrict__ dG, float* __restrict__ dh,
                                const float* __restrict__ mask, int act) {
  TF_RNN_FOR_EACH(e, B * U) {
    const long long b = e / U, u = e - b * U;
    const long long i = (b * T + t) * U + u;
    const float dht = dh[e] + d_out[(b * T + s) * U + u];
    if (!kept(mask, b, T, t)) {
      dG[i] = 0.0f;
      dh[e] = dht;
    } else {
      dG[i] = dht * dact_f(cand[i], act);
      dh[e] = 0.0f;
    }
  }
}

#undef TF_RNN_FOR_EACH

}  // namespace rnn
}  // namespace cuda
}  // namespace tf
