// SimpleRNN forward and backward through time (shared pieces and the file family's notes in
// rnn_impl.h, the backward driver in rnn_bptt.h; contract in tf/rnn.h).
#include "rnn_bptt.h"

namespace tf {
namespace TF_ISA {

// ============================================ SimpleRNN ====================================
void simple_rnn_forward TF_RNN_SIMPLE_FWD_PARAMS {
  FtzGuard ftz;
  const index_t B = d.B, T = d.T, F = d.F, U = d.U;
  seq_gemm(B * T, U, F, x, F, 1, kernel, U, 1, 0.0f, cand, U, bias);
  const int nt = team_size(B, U, 1);
  const UnitChunks ch(U, nt);  // Note [dynamic unit chunks]
  const std::vector<index_t> woff = chunk_offsets(ch, [&](index_t nu) { return packed_size(U, nu); });
  Buf Wp(Ws::rnn_wpack, (size_t)woff[ch.C]);
  PhaseSync sync(ch.C, nt);
  {
    static const int g0[1] = {0};
    const StepScratch R{Ws::rnn_step, (size_t)(B * ch.max_nu)};  // per executing thread
    int64_t ph = 0;
    // a chunk packs its weights in step 0's task (Note [one phase per step])
    auto pack = [&](index_t c) {
      pack_recurrent_fwd(recurrent_kernel, U, 1, U, ch.u0(c), ch.u1(c), g0, 1, Wp.data() + woff[c]);
    };
    std::vector<float> zeros(h0 ? 0 : (size_t)B * U, 0.0f);
    for (index_t s = 0; s < T; ++s) {
      const index_t t = time_of(s, T, go_backwards);
      const float* hp = s > 0 ? out + (s - 1) * U : (h0 ? h0 : zeros.data());
      const index_t rs_hp = s > 0 ? T * U : U;
      sync.run(ph++, [&](index_t c) {
        if (s == 0) pack(c);
        const index_t u0 = ch.u0(c), u1 = ch.u1(c), nu = u1 - u0, ps = packed_size(U, nu);
        const float* wp = Wp.data() + woff[c];
        (void)u1; (void)ps;
        gemm_packed(B, nu, U, hp, rs_hp, wp, R.data(), nu, false);
        for (index_t b = 0; b < B; ++b) {
          float* P = cand + (b * T + t) * U + u0;
          const float* r = R.data() + b * nu;
          const float* hpb = hp + b * rs_hp + u0;
          float* hs = h_prev + (b * T + t) * U + u0;
          float* o_out = out + (b * T + s) * U + u0;
          const bool keep = !mask || mask[b * T + t] != 0.0f;
          for_lanes(nu, [&](index_t j, int n) {
            vf y = act_f(ld(P + j, n) + ld(r + j, n), act);
            st(P + j, y, n);
            vf hold = ld(hpb + j, n);
            st(hs + j, hold, n);
            st(o_out + j, keep ? y : hold, n);
          });
        }
      });
    }
  }
  for (index_t b = 0; b < B; ++b)
    std::memcpy(h_T + b * U, out + (b * T + T - 1) * U, sizeof(float) * U);
}

namespace {
// The SimpleRNN cell of Note [BPTT driver]: dG = dh_t * act'(y).
struct SimpleCell {
  static constexpr int kG = 1, phases = 1;
  static constexpr bool kStepGrads = false;
  index_t B, U, T, W;
  const float *rk, *cand;
  RnnAct act;
  index_t packed(index_t nu) const { return packed_size(U, nu); }
  void pack(index_t u0, index_t u1, float* Rp) const { pack_recurrent_bwd(rk, U, 1, u0, u1, 0, U, Rp); }
  void prefetch(index_t b, index_t t, index_t u0, index_t nu) const {
    prefetch_run<0>(cand + (b * T + t) * U + u0, nu);
  }
  void step(index_t b, index_t t, index_t u0, index_t nu, float* g, float* dh, const float* dout) const {
    const float* y = cand + (b * T + t) * U + u0;
    for_lanes(nu, [&](index_t j, int n) {
      st(g + j, (ld(dh + j, n) + ld(dout + j, n)) * dact_f(ld(y + j, n), act), n);
      st(dh + j, zero(), n);
    });
  }
  void recur(int, index_t t, index_t u0, index_t nu, const float* Rp, const float* dG, float* dh0) const {
    gemm_packed(B, nu, U, dG + t * U, T * U, Rp, dh0 + u0, U, true);
  }
};
}  // namespace

void simple_rnn_backward TF_RNN_SIMPLE_BWD_PARAMS {
  FtzGuard ftz;
  const index_t B = d.B, T = d.T, F = d.F, U = d.U;
  const SimpleCell cell{B, U, T, U, recurrent_kernel, cand, act};
  const float* G2 = bptt(d, cell, d_out, d_h_T, mask, go_backwards, dh0);
  seq_gemm(B * T, F, U, G2, U, 1, kernel, 1, U, 0.0f, dx, F, nullptr);
  seq_gemm(F, U, B * T, x, 1, F, G2, U, 1, 0.0f, dkernel, U, nullptr);
  seq_gemm(U, U, B * T, h_prev, 1, U, G2, U, 1, 0.0f, drecurrent_kernel, U, nullptr);
  column_sums(B * T, G2, U, 0, U, dbias);
}

}  // namespace TF_ISA
}  // namespace tf
