// LSTM / GRU recurrences under Keras 2's recurrent dropout (contract tf/rnn_dropout.h; NumPy twin
// python/tensorforge/reference/rnn_dropout.py, Note [recurrent dropout kernels]).
//
// Note [masked-state chains]: gate g's recurrent GEMM reads h * h_keep[g], one mask per gate,
// so a step runs G one-term GEMMs (the fused kernels' one GEMM of h for every gate cannot) and
// its pointwise pass also writes the G masked copies hm[g] of the new h for the next step.
// Backward: dh_{t-1} = sum_g h_keep[g] * (dG_g @ W_g^T), one GEMM per gate for the same reason.
// Every batch row's recurrence reads only its own row of h, hm and the masks, so the rows are
// cut into independent chains, one per thread, each running the whole sequence over all units:
// no synchronisation per step (the unit-chunk phases of the fused kernels, one per step, made 2
// threads slower than 1 here: LSTM(128) at batch 32, forward 4.4 -> 5.3 ms per 40 steps). The
// gate blocks of the recurrent kernel are packed once (the small packed GEMM of rnn_impl.h),
// shared read-only by the chains. Masked steps select the carried state (forward) and write
// zero gate gradients (backward), as the fused kernels do (Note [saved for backward]).
#include "rnn_impl.h"
#include "tf/rnn_dropout.h"

namespace tf {
namespace TF_ISA {

namespace {

constexpr int kGateIdx[4] = {0, 1, 2, 3};
constexpr index_t kMinParallelFlop = 4000000;  // a whole sequence's recurrent GEMMs

inline bool kept(const float* mask, index_t T, index_t b, index_t t) {
  return !mask || mask[b * T + t] != 0.0f;
}

// The G gate blocks of recurrent_kernel packed for the small GEMM, and the batch-row chains.
struct Chains {
  index_t B, U;
  int G, nt, n;
  Buf Wp;
  Chains(index_t B_, index_t U_, index_t T, int G_)
      : B(B_), U(U_), G(G_), Wp(Ws::rnn_wpack, (size_t)(G_ * packed_size(U_, U_))) {
    nt = 2.0 * B * U * U * G * T < kMinParallelFlop ? 1 : max_threads();
    n = (int)std::min<index_t>(nt, ceil_div(B, (index_t)MR));  // >= MR rows a chain
  }
  const float* block(int g) const { return Wp.data() + g * packed_size(U, U); }
  // forward: gate g's (U, U) column block
  void pack_fwd(const float* rk) { pack_recurrent_fwd(rk, U, G, U, 0, U, kGateIdx, G, Wp.data()); }
  // backward: gate g's block transposed
  void pack_bwd(const float* rk) {
    for (int g = 0; g < G; ++g)
      pack_recurrent_bwd(rk, U, G, 0, U, g * U, (g + 1) * U, Wp.data() + g * packed_size(U, U));
  }
  // fn(b0, b1, r): rows [b0, b1) with the executing thread's (G, b1 - b0, U) GEMM scratch r
  template <typename Fn>
  void run(Fn&& fn) {
    const StepScratch R{Ws::rnn_step, (size_t)(G * ceil_div(B, (index_t)n) * U)};
    parallel_chunks(n, nt, [&](index_t c) {
      const index_t b0 = B * c / n, b1 = B * (c + 1) / n;
      fn(b0, b1, R.data());
    });
  }
  // r[g] (M, U) = A_g rows [b0, b0 + M) @ gate g's block, for gates [g0, g1)
  void gemms(const float* const* A, int g0, int g1, index_t b0, index_t M, float* r) const {
    for (int g = g0; g < g1; ++g) gemm_packed(M, U, U, A[g] + b0 * U, U, block(g), r + g * M * U, U, false);
  }
};

// h (B, U) and its G masked copies hm[g] = h * h_keep[g] from h0 (or zeros).
inline void init_state(index_t BU, int G, const float* h0, const float* h_keep, float* h, float* hm) {
  for (index_t i = 0; i < BU; ++i) h[i] = h0 ? h0[i] : 0.0f;
  for (int g = 0; g < G; ++g)
    for (index_t i = 0; i < BU; ++i) hm[g * BU + i] = h[i] * h_keep[g * BU + i];
}

// The tail of a forward step for one row's lanes: h <- hn, the output, hm[g] = hn * h_keep[g].
inline void store_h(vf hn, float* hb, float* ob, float* hm, const float* hk, index_t BU, int G, index_t j,
                    int n) {
  st(hb + j, hn, n);
  st(ob + j, hn, n);
  for (int g = 0; g < G; ++g) st(hm + g * BU + j, hn * ld(hk + g * BU + j, n), n);
}

// dh_b += d_out[b, s] (when given)
inline void add_output_grad(float* dhb, const float* d_out, index_t T, index_t U, index_t b, index_t s) {
  if (!d_out) return;
  const float* dob = d_out + (b * T + s) * U;
  for_lanes(U, [&](index_t j, int n) { st(dhb + j, ld(dhb + j, n) + ld(dob + j, n), n); });
}

}  // namespace

// ============================================ LSTM =========================================
void lstm_dropout_forward TF_RNN_LSTM_DROPOUT_FWD_PARAMS {
  FtzGuard ftz;
  constexpr int G = 4;
  const index_t B = d.B, T = d.T, U = d.U, BU = B * U, GS = T * BU;  // GS: gate stride
  Chains k(B, U, T, G);
  k.pack_fwd(recurrent_kernel);
  Buf hm(G * BU), hc(2 * BU);
  float *h = hc.data(), *c = h + BU;
  init_state(BU, G, h0, h_keep, h, hm.data());
  for (index_t i = 0; i < BU; ++i) c[i] = c0 ? c0[i] : 0.0f;
  const float* A[G] = {hm.data(), hm.data() + BU, hm.data() + 2 * BU, hm.data() + 3 * BU};
  k.run([&](index_t b0, index_t b1, float* r) {
    const index_t M = b1 - b0, rg = M * U;
    for (index_t s = 0; s < T; ++s) {
      const index_t t = time_of(s, T, go_backwards);
      const float* P = proj + t * BU;
      float* gt = gates + t * BU;
      k.gemms(A, 0, G, b0, M, r);
      for (index_t b = b0; b < b1; ++b) {
        const bool keep = kept(mask, T, b, t);
        const index_t o = b * U;
        const float* rb = r + (b - b0) * U;
        float *hb = h + o, *cb = c + o;
        float *hp = h_prev + t * BU + o, *cp = c_prev + t * BU + o;
        float* ob = out + (b * T + s) * U;
        for_lanes(U, [&](index_t j, int n) {
          const vf i = act_f(ld(P + o + j, n) + ld(rb + j, n), rec_act);
          const vf f = act_f(ld(P + GS + o + j, n) + ld(rb + rg + j, n), rec_act);
          const vf g = act_f(ld(P + 2 * GS + o + j, n) + ld(rb + 2 * rg + j, n), act);
          const vf og = act_f(ld(P + 3 * GS + o + j, n) + ld(rb + 3 * rg + j, n), rec_act);
          st(gt + o + j, i, n);
          st(gt + GS + o + j, f, n);
          st(gt + 2 * GS + o + j, g, n);
          st(gt + 3 * GS + o + j, og, n);
          const vf hold = ld(hb + j, n), cold = ld(cb + j, n);
          st(hp + j, hold, n);
          st(cp + j, cold, n);
          vf cn = f * cold + i * g, hn = og * act_f(cn, act);
          if (!keep) cn = cold, hn = hold;
          st(cb + j, cn, n);
          store_h(hn, hb, ob, hm.data() + o, h_keep + o, BU, G, j, n);
        });
      }
    }
  });
  std::memcpy(h_T, h, sizeof(float) * BU);
  std::memcpy(c_T, c, sizeof(float) * BU);
}

void lstm_dropout_backward TF_RNN_LSTM_DROPOUT_BWD_PARAMS {
  FtzGuard ftz;
  constexpr int G = 4;
  const index_t B = d.B, T = d.T, U = d.U, BU = B * U, GS = T * BU;
  Chains k(B, U, T, G);
  k.pack_bwd(recurrent_kernel);
  Buf st2(2 * BU);
  float *dh = st2.data(), *dc = dh + BU;
  std::memcpy(dh, d_h_T, sizeof(float) * BU);
  std::memcpy(dc, d_c_T, sizeof(float) * BU);
  k.run([&](index_t b0, index_t b1, float* r) {
    const index_t M = b1 - b0;
    for (index_t s = T - 1; s >= 0; --s) {
      const index_t t = time_of(s, T, go_backwards);
      const float* gt = gates + t * BU;
      float* dg = d_gates + t * BU;
      for (index_t b = b0; b < b1; ++b) {  // the gate gradients of step s
        const index_t o = b * U;
        float *dhb = dh + o, *dcb = dc + o;
        add_output_grad(dhb, d_out, T, U, b, s);
        if (!kept(mask, T, b, t)) {
          for (int g = 0; g < G; ++g) std::fill_n(dg + g * GS + o, U, 0.0f);
          continue;
        }
        const float* cp = c_prev + t * BU + o;
        for_lanes(U, [&](index_t j, int n) {
          const vf i = ld(gt + o + j, n), f = ld(gt + GS + o + j, n);
          const vf g = ld(gt + 2 * GS + o + j, n), og = ld(gt + 3 * GS + o + j, n);
          const vf dhv = ld(dhb + j, n), cpv = ld(cp + j, n);
          const vf tc = act_f(f * cpv + i * g, act);
          const vf dcc = ld(dcb + j, n) + dhv * og * dact_f(tc, act);
          st(dg + o + j, dcc * g * dact_f(i, rec_act), n);
          st(dg + GS + o + j, dcc * cpv * dact_f(f, rec_act), n);
          st(dg + 2 * GS + o + j, dcc * i * dact_f(g, act), n);
          st(dg + 3 * GS + o + j, dhv * tc * dact_f(og, rec_act), n);
          st(dcb + j, dcc * f, n);
        });
      }
      // dh_{t-1} on the kept rows: sum_g h_keep[g] * (dG_g @ W_g^T)
      const float* A[G] = {dg, dg + GS, dg + 2 * GS, dg + 3 * GS};
      k.gemms(A, 0, G, b0, M, r);
      for (index_t b = b0; b < b1; ++b) {
        if (!kept(mask, T, b, t)) continue;
        const index_t o = b * U;
        for_lanes(U, [&](index_t j, int n) {
          vf acc = zero();
          for (int g = 0; g < G; ++g)
            acc = acc + ld(r + (g * M + b - b0) * U + j, n) * ld(h_keep + g * BU + o + j, n);
          st(dh + o + j, acc, n);
        });
      }
    }
  });
  std::memcpy(dh0, dh, sizeof(float) * BU);
  std::memcpy(dc0, dc, sizeof(float) * BU);
}

// ============================================ GRU ==========================================
void gru_dropout_forward TF_RNN_GRU_DROPOUT_FWD_PARAMS {
  FtzGuard ftz;
  constexpr int G = 3;
  const index_t B = d.B, T = d.T, U = d.U, BU = B * U, GS = T * BU;
  Chains k(B, U, T, G);
  k.pack_fwd(recurrent_kernel);
  Buf hm(G * BU), hb_(BU);
  float* h = hb_.data();
  init_state(BU, G, h0, h_keep, h, hm.data());
  const vf one = set1(1.0f);
  k.run([&](index_t b0, index_t b1, float* r) {
    const index_t M = b1 - b0, rg = M * U;
    for (index_t s = 0; s < T; ++s) {
      const index_t t = time_of(s, T, go_backwards);
      const float* P = proj + t * BU;
      float* gt = gates + t * BU;
      float* rh_t = rec_h + t * BU;
      // reset_after=False: the candidate's GEMM reads r * h * h_keep[2] (rec_h), after z and r
      const float* A[G] = {hm.data(), hm.data() + BU, reset_after ? hm.data() + 2 * BU : rh_t};
      k.gemms(A, 0, reset_after ? 3 : 2, b0, M, r);
      for (index_t b = b0; b < b1; ++b) {  // z, r, rec_h
        const index_t o = b * U;
        const float* rb = r + (b - b0) * U;
        const float* hb = h + o;
        float* hp = h_prev + t * BU + o;
        for_lanes(U, [&](index_t j, int n) {
          const vf z = act_f(ld(P + o + j, n) + ld(rb + j, n), rec_act);
          const vf rr = act_f(ld(P + GS + o + j, n) + ld(rb + rg + j, n), rec_act);
          st(gt + o + j, z, n);
          st(gt + GS + o + j, rr, n);
          const vf hold = ld(hb + j, n);
          st(hp + j, hold, n);
          if (reset_after) {
            vf rh = ld(rb + 2 * rg + j, n);
            if (rec_bias_h) rh = rh + ld(rec_bias_h + j, n);
            st(rh_t + o + j, rh, n);
          } else {
            st(rh_t + o + j, rr * hold * ld(h_keep + 2 * BU + o + j, n), n);
          }
        });
      }
      if (!reset_after) k.gemms(A, 2, 3, b0, M, r);
      for (index_t b = b0; b < b1; ++b) {  // the candidate and the new h
        const bool keep = kept(mask, T, b, t);
        const index_t o = b * U;
        const float* r2 = r + (2 * M + b - b0) * U;
        float* hb = h + o;
        float* ob = out + (b * T + s) * U;
        for_lanes(U, [&](index_t j, int n) {
          const vf z = ld(gt + o + j, n), rh = ld(rh_t + o + j, n);
          const vf pre = ld(P + 2 * GS + o + j, n) + (reset_after ? ld(gt + GS + o + j, n) * rh : ld(r2 + j, n));
          const vf hh = act_f(pre, act);
          st(gt + 2 * GS + o + j, hh, n);
          const vf hold = ld(hb + j, n);
          const vf hn = keep ? z * hold + (one - z) * hh : hold;
          store_h(hn, hb, ob, hm.data() + o, h_keep + o, BU, G, j, n);
        });
      }
    }
  });
  std::memcpy(h_T, h, sizeof(float) * BU);
}

void gru_dropout_backward TF_RNN_GRU_DROPOUT_BWD_PARAMS {
  FtzGuard ftz;
  constexpr int G = 3;
  const index_t B = d.B, T = d.T, U = d.U, BU = B * U, GS = T * BU;
  Chains k(B, U, T, G);
  k.pack_bwd(recurrent_kernel);
  Buf dhb_(BU);
  float* dh = dhb_.data();
  std::memcpy(dh, d_h_T, sizeof(float) * BU);
  const vf one = set1(1.0f);
  k.run([&](index_t b0, index_t b1, float* r) {
    const index_t M = b1 - b0;
    for (index_t s = T - 1; s >= 0; --s) {
      const index_t t = time_of(s, T, go_backwards);
      const float* gt = gates + t * BU;
      float* dg = d_gates + t * BU;
      float* dr = d_rec + t * BU;
      for (index_t b = b0; b < b1; ++b) {  // z's and the candidate's gradients (reset_after: r's)
        const index_t o = b * U;
        float* dhb = dh + o;
        add_output_grad(dhb, d_out, T, U, b, s);
        if (!kept(mask, T, b, t)) {
          for (int g = 0; g < G; ++g) std::fill_n(dg + g * GS + o, U, 0.0f);
          std::fill_n(dr + o, U, 0.0f);
          continue;
        }
        const float* hp = h_prev + t * BU + o;
        const float* rh = rec_h + t * BU + o;
        for_lanes(U, [&](index_t j, int n) {
          const vf z = ld(gt + o + j, n), hh = ld(gt + 2 * GS + o + j, n), dhv = ld(dhb + j, n);
          st(dg + o + j, dhv * (ld(hp + j, n) - hh) * dact_f(z, rec_act), n);
          const vf d2 = dhv * (one - z) * dact_f(hh, act);
          st(dg + 2 * GS + o + j, d2, n);
          if (reset_after) {
            const vf rr = ld(gt + GS + o + j, n);
            st(dg + GS + o + j, d2 * ld(rh + j, n) * dact_f(rr, rec_act), n);
            st(dr + o + j, d2 * rr, n);
          } else {
            st(dr + o + j, d2, n);
          }
        });
      }
      const float* A[G] = {dg, dg + GS, reset_after ? dr : dg + 2 * GS};
      if (!reset_after) {  // d_rh = d_hh' @ W_h^T: r's gradient and dh's r * h_keep[2] term
        k.gemms(A, 2, 3, b0, M, r);
        for (index_t b = b0; b < b1; ++b) {
          const index_t o = b * U;
          if (!kept(mask, T, b, t)) continue;
          const float* hp = h_prev + t * BU + o;
          const float* hk2 = h_keep + 2 * BU + o;
          const float* drb = r + (2 * M + b - b0) * U;
          for_lanes(U, [&](index_t j, int n) {
            const vf drh = ld(drb + j, n), rr = ld(gt + GS + o + j, n), k2 = ld(hk2 + j, n);
            st(dg + GS + o + j, drh * ld(hp + j, n) * k2 * dact_f(rr, rec_act), n);
            st(dh + o + j, ld(dh + o + j, n) * ld(gt + o + j, n) + drh * rr * k2, n);
          });
        }
      }
      // dh_{t-1} on the kept rows: [dh * z] + sum_g h_keep[g] * (A_g @ W_g^T)
      const int ng = reset_after ? 3 : 2;
      k.gemms(A, 0, ng, b0, M, r);
      for (index_t b = b0; b < b1; ++b) {
        if (!kept(mask, T, b, t)) continue;
        const index_t o = b * U;
        for_lanes(U, [&](index_t j, int n) {
          vf acc = ld(dh + o + j, n);
          if (reset_after) acc = acc * ld(gt + o + j, n);
          for (int g = 0; g < ng; ++g)
            acc = acc + ld(r + (g * M + b - b0) * U + j, n) * ld(h_keep + g * BU + o + j, n);
          st(dh + o + j, acc, n);
        });
      }
    }
  });
  std::memcpy(dh0, dh, sizeof(float) * BU);
}

}  // namespace TF_ISA
}  // namespace tf
