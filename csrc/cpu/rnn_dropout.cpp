// LSTM / GRU recurrences under Keras 2's recurrent dropout (contract tf/rnn_dropout.h; NumPy twin
// python/tensorforge/reference/rnn_dropout.py, Note [recurrent dropout kernels]).
//
// Note [masked-state steps]: built like the fused kernels (rnn_impl.h): the units cut into
// chunks, each chunk's gate blocks of the recurrent kernel packed once (in the first phase), one
// phase of chunk tasks per step (GRU reset_after=False: two), a chunk computing the GEMM columns
// of its units and then the pointwise pass of exactly those units. The difference: gate g's GEMM
// reads h * h_keep[g], so a step's pointwise pass also writes the G masked copies of its units'
// new h (hm, double-buffered: the next step's GEMMs read every unit of it), and the step runs G
// one-term GEMMs whose outputs the pointwise pass combines per gate. Backward: dh_{t-1} =
// sum_g h_keep[g] * (dG_g @ W_g^T), each product its own GEMM for the same reason. Masked steps
// select the carried state (forward) and write zero gate gradients (backward), as the fused
// kernels do (Note [saved for backward] in rnn_impl.h).
#include "rnn_impl.h"
#include "tf/rnn_dropout.h"

namespace tf {
namespace TF_ISA {

namespace {

constexpr int kGateIdx[4] = {0, 1, 2, 3};

inline bool kept(const float* mask, index_t T, index_t b, index_t t) {
  return !mask || mask[b * T + t] != 0.0f;
}

// The chunks of a team and each chunk's G packed gate blocks (G * packed_size(U, nu) floats).
struct Chunked {
  int nt;
  UnitChunks ch;
  std::vector<index_t> woff;
  Buf Wp;
  index_t U;
  Chunked(index_t B, index_t U_, int G)
      : nt(team_size(B, U_, G)), ch(U_, nt),
        woff(chunk_offsets(ch, [&](index_t nu) { return G * packed_size(U_, nu); })),
        Wp(Ws::rnn_wpack, (size_t)woff[ch.C]), U(U_) {}
  float* block(index_t c, int g) {
    return Wp.data() + woff[c] + g * packed_size(U, ch.u1(c) - ch.u0(c));
  }
  // Forward: gate g's columns of recurrent_kernel for the chunk's units.
  void pack_fwd(const float* rk, int G, index_t c) {
    pack_recurrent_fwd(rk, U, G, U, ch.u0(c), ch.u1(c), kGateIdx, G, block(c, 0));
  }
  // Backward: gate g's block transposed (K = the gate's U columns, N = the chunk's units).
  void pack_bwd(const float* rk, int G, index_t c) {
    for (int g = 0; g < G; ++g) pack_recurrent_bwd(rk, U, G, ch.u0(c), ch.u1(c), g * U, (g + 1) * U, block(c, g));
  }
  template <typename Fn>
  void phase(Fn&& fn) {
    parallel_chunks(ch.C, nt, [&](index_t c) { fn(c, ch.u0(c), ch.u1(c) - ch.u0(c)); });
  }
};

// r[g] (B, nu) = A_g (B, U rows) @ gate g's packed block, for gates [g0, g1).
inline void gate_gemms(Chunked& k, index_t c, index_t B, index_t nu, const float* const* A, int g0,
                       int g1, float* r) {
  for (int g = g0; g < g1; ++g) gemm_packed(B, nu, k.U, A[g], k.U, k.block(c, g), r + g * B * nu, nu, false);
}

// h (B, U) and its G masked copies hm[g] = h * h_keep[g] from h0 (or zeros).
inline void init_state(index_t BU, int G, const float* h0, const float* h_keep, float* h, float* hm) {
  for (index_t i = 0; i < BU; ++i) h[i] = h0 ? h0[i] : 0.0f;
  for (int g = 0; g < G; ++g)
    for (index_t i = 0; i < BU; ++i) hm[g * BU + i] = h[i] * h_keep[g * BU + i];
}

// The pointwise tail of a forward step for one row's lanes: h <- hn (or hold), out, hm[g].
inline void store_h(vf hn, float* hb, float* ob, float* hm, const float* hk, index_t BU, int G, index_t j,
                    int n) {
  st(hb + j, hn, n);
  st(ob + j, hn, n);
  for (int g = 0; g < G; ++g) st(hm + g * BU + j, hn * ld(hk + g * BU + j, n), n);
}

}  // namespace

// ============================================ LSTM =========================================
void lstm_dropout_forward TF_RNN_LSTM_DROPOUT_FWD_PARAMS {
  FtzGuard ftz;
  constexpr int G = 4;
  const index_t B = d.B, T = d.T, U = d.U, BU = B * U, GS = T * BU;  // GS: gate stride
  Chunked k(B, U, G);
  Buf hm(2 * G * BU), hc(2 * BU);
  float *h = hc.data(), *c = h + BU;
  init_state(BU, G, h0, h_keep, h, hm.data());
  for (index_t i = 0; i < BU; ++i) c[i] = c0 ? c0[i] : 0.0f;
  const StepScratch R{Ws::rnn_step, (size_t)(G * B * k.ch.max_nu)};
  for (index_t s = 0; s < T; ++s) {
    const index_t t = time_of(s, T, go_backwards);
    const float* hin = hm.data() + (s & 1) * G * BU;
    float* hout = hm.data() + ((s + 1) & 1) * G * BU;
    const float* A[G] = {hin, hin + BU, hin + 2 * BU, hin + 3 * BU};
    const float* P = proj + t * BU;
    float* gt = gates + t * BU;
    k.phase([&](index_t ci, index_t u0, index_t nu) {
      if (s == 0) k.pack_fwd(recurrent_kernel, G, ci);
      float* r = R.data();
      gate_gemms(k, ci, B, nu, A, 0, G, r);
      for (index_t b = 0; b < B; ++b) {
        const bool keep = kept(mask, T, b, t);
        const index_t o = b * U + u0;
        const float* rb = r + b * nu;
        const index_t rg = B * nu;
        float *hb = h + o, *cb = c + o;
        float *hp = h_prev + t * BU + o, *cp = c_prev + t * BU + o;
        float* ob = out + (b * T + s) * U + u0;
        for_lanes(nu, [&](index_t j, int n) {
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
          store_h(hn, hb, ob, hout + o, h_keep + o, BU, G, j, n);
        });
      }
    });
  }
  std::memcpy(h_T, h, sizeof(float) * BU);
  std::memcpy(c_T, c, sizeof(float) * BU);
}

void lstm_dropout_backward TF_RNN_LSTM_DROPOUT_BWD_PARAMS {
  FtzGuard ftz;
  constexpr int G = 4;
  const index_t B = d.B, T = d.T, U = d.U, BU = B * U, GS = T * BU;  // GS: gate stride
  Chunked k(B, U, G);
  Buf st2(2 * BU);
  float *dh = st2.data(), *dc = dh + BU;
  std::memcpy(dh, d_h_T, sizeof(float) * BU);
  std::memcpy(dc, d_c_T, sizeof(float) * BU);
  const StepScratch R{Ws::rnn_step, (size_t)(G * B * k.ch.max_nu)};
  // step s's gate gradients for units [u0, u0 + nu); dh gets d_out[:, s] added
  auto pointwise = [&](index_t s, index_t u0, index_t nu) {
    const index_t t = time_of(s, T, go_backwards);
    const float* gt = gates + t * BU;
    float* dg = d_gates + t * BU;
    for (index_t b = 0; b < B; ++b) {
      const index_t o = b * U + u0;
      float *dhb = dh + o, *dcb = dc + o;
      const float* dob = d_out ? d_out + (b * T + s) * U + u0 : nullptr;
      if (dob) for_lanes(nu, [&](index_t j, int n) { st(dhb + j, ld(dhb + j, n) + ld(dob + j, n), n); });
      if (!kept(mask, T, b, t)) {
        for (int g = 0; g < G; ++g) std::fill_n(dg + g * GS + o, nu, 0.0f);
        continue;
      }
      const float* cp = c_prev + t * BU + o;
      for_lanes(nu, [&](index_t j, int n) {
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
  };
  // dh for units [u0, u0 + nu) of the rows step s kept: sum_g h_keep[g] * (dG_g @ W_g^T)
  auto recur = [&](index_t s, index_t ci, index_t u0, index_t nu) {
    const index_t t = time_of(s, T, go_backwards);
    const float* dg = d_gates + t * BU;
    const float* A[G] = {dg, dg + GS, dg + 2 * GS, dg + 3 * GS};
    float* r = R.data();
    gate_gemms(k, ci, B, nu, A, 0, G, r);
    for (index_t b = 0; b < B; ++b) {
      if (!kept(mask, T, b, t)) continue;
      const index_t o = b * U + u0;
      for_lanes(nu, [&](index_t j, int n) {
        vf acc = zero();
        for (int g = 0; g < G; ++g) acc = acc + ld(r + g * B * nu + b * nu + j, n) * ld(h_keep + g * BU + o + j, n);
        st(dh + o + j, acc, n);
      });
    }
  };
  k.phase([&](index_t ci, index_t u0, index_t nu) {
    k.pack_bwd(recurrent_kernel, G, ci);
    pointwise(T - 1, u0, nu);
  });
  for (index_t s = T - 1; s >= 0; --s)
    k.phase([&](index_t ci, index_t u0, index_t nu) {
      recur(s, ci, u0, nu);
      if (s > 0) pointwise(s - 1, u0, nu);
    });
  std::memcpy(dh0, dh, sizeof(float) * BU);
  std::memcpy(dc0, dc, sizeof(float) * BU);
}

// ============================================ GRU ==========================================
void gru_dropout_forward TF_RNN_GRU_DROPOUT_FWD_PARAMS {
  FtzGuard ftz;
  constexpr int G = 3;
  const index_t B = d.B, T = d.T, U = d.U, BU = B * U, GS = T * BU;  // GS: gate stride
  Chunked k(B, U, G);
  Buf hm(2 * G * BU), hb_(BU);
  float* h = hb_.data();
  init_state(BU, G, h0, h_keep, h, hm.data());
  const StepScratch R{Ws::rnn_step, (size_t)(G * B * k.ch.max_nu)};
  const vf one = set1(1.0f);
  for (index_t s = 0; s < T; ++s) {
    const index_t t = time_of(s, T, go_backwards);
    const float* hin = hm.data() + (s & 1) * G * BU;
    float* hout = hm.data() + ((s + 1) & 1) * G * BU;
    const float* P = proj + t * BU;
    float* gt = gates + t * BU;
    float* rh_t = rec_h + t * BU;
    const float* A[G] = {hin, hin + BU, reset_after ? hin + 2 * BU : rh_t};
    // z, r (and, reset_after, the candidate's recurrent term) for units [u0, u0 + nu)
    auto gates_zr = [&](index_t ci, index_t u0, index_t nu, float* r) {
      if (s == 0) k.pack_fwd(recurrent_kernel, G, ci);
      gate_gemms(k, ci, B, nu, A, 0, reset_after ? 3 : 2, r);
      for (index_t b = 0; b < B; ++b) {
        const index_t o = b * U + u0;
        const float* rb = r + b * nu;
        const float* hb = h + o;
        float* hp = h_prev + t * BU + o;
        for_lanes(nu, [&](index_t j, int n) {
          const vf z = act_f(ld(P + o + j, n) + ld(rb + j, n), rec_act);
          const vf rr = act_f(ld(P + GS + o + j, n) + ld(rb + B * nu + j, n), rec_act);
          st(gt + o + j, z, n);
          st(gt + GS + o + j, rr, n);
          const vf hold = ld(hb + j, n);
          st(hp + j, hold, n);
          if (reset_after) {
            vf rh = ld(rb + 2 * B * nu + j, n);
            if (rec_bias_h) rh = rh + ld(rec_bias_h + u0 + j, n);
            st(rh_t + o + j, rh, n);
          } else {
            st(rh_t + o + j, rr * hold * ld(h_keep + 2 * BU + o + j, n), n);
          }
        });
      }
    };
    // the candidate and the new h; r2 (B, nu): reset_after=False's candidate GEMM, else unused
    auto update = [&](index_t u0, index_t nu, const float* r2) {
      for (index_t b = 0; b < B; ++b) {
        const bool keep = kept(mask, T, b, t);
        const index_t o = b * U + u0;
        float* hb = h + o;
        float* ob = out + (b * T + s) * U + u0;
        for_lanes(nu, [&](index_t j, int n) {
          const vf z = ld(gt + o + j, n), rh = ld(rh_t + o + j, n);
          const vf pre = ld(P + 2 * GS + o + j, n) +
                         (reset_after ? ld(gt + GS + o + j, n) * rh : ld(r2 + b * nu + j, n));
          const vf hh = act_f(pre, act);
          st(gt + 2 * GS + o + j, hh, n);
          const vf hold = ld(hb + j, n);
          const vf hn = keep ? z * hold + (one - z) * hh : hold;
          store_h(hn, hb, ob, hout + o, h_keep + o, BU, G, j, n);
        });
      }
    };
    if (reset_after) {
      k.phase([&](index_t ci, index_t u0, index_t nu) {
        gates_zr(ci, u0, nu, R.data());
        update(u0, nu, nullptr);
      });
    } else {
      k.phase([&](index_t ci, index_t u0, index_t nu) { gates_zr(ci, u0, nu, R.data()); });
      k.phase([&](index_t ci, index_t u0, index_t nu) {
        float* r = R.data();
        gate_gemms(k, ci, B, nu, A, 2, 3, r - 2 * B * nu);
        update(u0, nu, r);
      });
    }
  }
  std::memcpy(h_T, h, sizeof(float) * BU);
}

void gru_dropout_backward TF_RNN_GRU_DROPOUT_BWD_PARAMS {
  FtzGuard ftz;
  constexpr int G = 3;
  const index_t B = d.B, T = d.T, U = d.U, BU = B * U, GS = T * BU;  // GS: gate stride
  Chunked k(B, U, G);
  Buf dhb_(BU);
  float* dh = dhb_.data();
  std::memcpy(dh, d_h_T, sizeof(float) * BU);
  const StepScratch R{Ws::rnn_step, (size_t)(G * B * k.ch.max_nu)};
  const vf one = set1(1.0f);
  // step s's z and candidate gradients (reset_after: r's and d_rec too) for units [u0, u0 + nu)
  auto pointwise = [&](index_t s, index_t u0, index_t nu) {
    const index_t t = time_of(s, T, go_backwards);
    const float* gt = gates + t * BU;
    float* dg = d_gates + t * BU;
    float* dr = d_rec + t * BU;
    for (index_t b = 0; b < B; ++b) {
      const index_t o = b * U + u0;
      float* dhb = dh + o;
      const float* dob = d_out ? d_out + (b * T + s) * U + u0 : nullptr;
      if (dob) for_lanes(nu, [&](index_t j, int n) { st(dhb + j, ld(dhb + j, n) + ld(dob + j, n), n); });
      if (!kept(mask, T, b, t)) {
        for (int g = 0; g < G; ++g) std::fill_n(dg + g * GS + o, nu, 0.0f);
        std::fill_n(dr + o, nu, 0.0f);
        continue;
      }
      const float* hp = h_prev + t * BU + o;
      const float* rh = rec_h + t * BU + o;
      for_lanes(nu, [&](index_t j, int n) {
        const vf z = ld(gt + o + j, n), hh = ld(gt + 2 * GS + o + j, n), dhv = ld(dhb + j, n);
        st(dg + o + j, dhv * (ld(hp + j, n) - hh) * dact_f(z, rec_act), n);
        const vf d2 = dhv * (one - z) * dact_f(hh, act);
        st(dg + 2 * GS + o + j, d2, n);
        if (reset_after) {
          const vf r = ld(gt + GS + o + j, n);
          st(dg + GS + o + j, d2 * ld(rh + j, n) * dact_f(r, rec_act), n);
          st(dr + o + j, d2 * r, n);
        } else {
          st(dr + o + j, d2, n);
        }
      });
    }
  };
  // dh = dh * z + sum over gates [g0, g1) of h_keep[g] * (A_g @ W_g^T) on the kept rows
  // (with_z: the dh * z term, once per step)
  auto recur = [&](index_t s, index_t ci, index_t u0, index_t nu, int g0, int g1, bool with_z) {
    const index_t t = time_of(s, T, go_backwards);
    const float* dg = d_gates + t * BU;
    const float* A[G] = {dg, dg + GS, reset_after ? d_rec + t * BU : dg + 2 * GS};
    float* r = R.data();
    gate_gemms(k, ci, B, nu, A, g0, g1, r);
    const float* z = gates + t * BU;
    for (index_t b = 0; b < B; ++b) {
      if (!kept(mask, T, b, t)) continue;
      const index_t o = b * U + u0;
      for_lanes(nu, [&](index_t j, int n) {
        vf acc = with_z ? ld(dh + o + j, n) * ld(z + o + j, n) : ld(dh + o + j, n);
        for (int g = g0; g < g1; ++g)
          acc = acc + ld(r + g * B * nu + b * nu + j, n) * ld(h_keep + g * BU + o + j, n);
        st(dh + o + j, acc, n);
      });
    }
  };
  // reset_after=False: d_rh = d_hh' @ W_h^T gives r's gradient and dh's r * h_keep[2] term
  auto recur_rh = [&](index_t s, index_t ci, index_t u0, index_t nu) {
    const index_t t = time_of(s, T, go_backwards);
    const float* gt = gates + t * BU;
    float* dg = d_gates + t * BU;
    float* r = R.data();
    gemm_packed(B, nu, U, dg + 2 * GS, U, k.block(ci, 2), r, nu, false);
    for (index_t b = 0; b < B; ++b) {
      const index_t o = b * U + u0;
      if (!kept(mask, T, b, t)) {
        std::fill_n(dg + GS + o, nu, 0.0f);
        continue;
      }
      const float* hp = h_prev + t * BU + o;
      const float* hk2 = h_keep + 2 * BU + o;
      for_lanes(nu, [&](index_t j, int n) {
        const vf drh = ld(r + b * nu + j, n), rr = ld(gt + GS + o + j, n), k2 = ld(hk2 + j, n);
        st(dg + GS + o + j, drh * ld(hp + j, n) * k2 * dact_f(rr, rec_act), n);
        st(dh + o + j, ld(dh + o + j, n) * ld(gt + o + j, n) + drh * rr * k2, n);
      });
    }
  };
  k.phase([&](index_t ci, index_t u0, index_t nu) {
    k.pack_bwd(recurrent_kernel, G, ci);
    pointwise(T - 1, u0, nu);
  });
  for (index_t s = T - 1; s >= 0; --s) {
    if (!reset_after) k.phase([&](index_t ci, index_t u0, index_t nu) { recur_rh(s, ci, u0, nu); });
    k.phase([&](index_t ci, index_t u0, index_t nu) {
      if (reset_after) recur(s, ci, u0, nu, 0, 3, true);
      else recur(s, ci, u0, nu, 0, 2, false);
      if (s > 0) pointwise(s - 1, u0, nu);
    });
  }
  std::memcpy(dh0, dh, sizeof(float) * BU);
}

}  // namespace TF_ISA
}  // namespace tf
