// GRU (reset_after True/False) forward and backward through time (shared pieces and the file
// family's notes in rnn_impl.h, the backward driver in rnn_bptt.h; contract in tf/rnn.h).
#include "rnn_overlap.h"

namespace tf {
namespace TF_ISA {

// =============================================== GRU =======================================
void gru_forward TF_RNN_GRU_FWD_PARAMS {
  FtzGuard ftz;
  const index_t B = d.B, T = d.T, F = d.F, U = d.U, GU = 3 * U;
  const float* b_in = bias;
  const float* b_rec = (bias && reset_after) ? bias + GU : nullptr;
  seq_gemm(B * T, GU, F, x, F, 1, kernel, GU, 1, 0.0f, gates, GU, b_in);
  const int nt = team_size(B, U, 3);
  const UnitChunks ch(U, nt);  // Note [dynamic unit chunks]
  const std::vector<index_t> woff = chunk_offsets(ch, [&](index_t nu) { return 3 * packed_size(U, nu); });
  Buf Wp(Ws::rnn_wpack, (size_t)woff[ch.C]);
  PhaseSync sync(ch.C, nt);
  {
    static const int all3[3] = {0, 1, 2};
    const StepScratch R{Ws::rnn_step, (size_t)(B * 3 * ch.max_nu)};  // per executing thread
    int64_t ph = 0;
    // a chunk packs its weights in step 0's first task (Note [one phase per step])
    auto pack = [&](index_t c) {
      pack_recurrent_fwd(recurrent_kernel, U, 3, U, ch.u0(c), ch.u1(c), all3, 3, Wp.data() + woff[c]);
    };
    std::vector<float> zeros(h0 ? 0 : (size_t)B * U, 0.0f);
    for (index_t s = 0; s < T; ++s) {
      const index_t t = time_of(s, T, go_backwards);
      const float* hp = s > 0 ? out + (s - 1) * U : (h0 ? h0 : zeros.data());
      const index_t rs_hp = s > 0 ? T * U : U;
      if (reset_after) {
        sync.run(ph++, [&](index_t c) {
          if (s == 0) pack(c);
          const index_t u0 = ch.u0(c), u1 = ch.u1(c), nu = u1 - u0, ps = packed_size(U, nu);
          const float* wp = Wp.data() + woff[c];
          (void)u1; (void)ps;
          for (int g = 0; g < 3; ++g)
            gemm_packed(B, nu, U, hp, rs_hp, wp + g * ps, R.data() + g * nu, 3 * nu, false);
          for (index_t b = 0; b < B; ++b) {
            float* P = gates + (b * T + t) * GU + u0;
            const float* r = R.data() + b * 3 * nu;
            const float* hpb = hp + b * rs_hp + u0;
            float* hs = h_prev + (b * T + t) * U + u0;
            float* rh_s = rec_h + (b * T + t) * U + u0;
            float* o_out = out + (b * T + s) * U + u0;
            const bool keep = !mask || mask[b * T + t] != 0.0f;
            const float* br = b_rec ? b_rec + u0 : nullptr;
            for_lanes(nu, [&](index_t j, int n) {
              vf rz = ld(r + j, n), rr = ld(r + nu + j, n), rh = ld(r + 2 * nu + j, n);
              if (br) {
                rz = rz + ld(br + j, n);
                rr = rr + ld(br + U + j, n);
                rh = rh + ld(br + 2 * U + j, n);
              }
              vf z = act_f(ld(P + j, n) + rz, rec_act);
              vf rg = act_f(ld(P + U + j, n) + rr, rec_act);
              vf hh = act_f(fmadd(rg, rh, ld(P + 2 * U + j, n)), act);
              st(P + j, z, n);
              st(P + U + j, rg, n);
              st(P + 2 * U + j, hh, n);
              st(rh_s + j, rh, n);
              vf hold = ld(hpb + j, n);
              st(hs + j, hold, n);
              vf hn = fmadd(z, hold - hh, hh);  // z*h + (1-z)*hh
              if (!keep) hn = hold;
              st(o_out + j, hn, n);
            });
          }
        });
      } else {
        // reset_before: the candidate's recurrent GEMM needs r*h of ALL units -> two phases.
        sync.run(ph++, [&](index_t c) {
          if (s == 0) pack(c);
          const index_t u0 = ch.u0(c), u1 = ch.u1(c), nu = u1 - u0, ps = packed_size(U, nu);
          const float* wp = Wp.data() + woff[c];
          (void)u1; (void)ps;
          for (int g = 0; g < 2; ++g)
            gemm_packed(B, nu, U, hp, rs_hp, wp + g * ps, R.data() + g * nu, 3 * nu, false);
          for (index_t b = 0; b < B; ++b) {
            float* P = gates + (b * T + t) * GU + u0;
            const float* r = R.data() + b * 3 * nu;
            const float* hpb = hp + b * rs_hp + u0;
            float* hs = h_prev + (b * T + t) * U + u0;
            float* rh_s = rec_h + (b * T + t) * U + u0;
            for_lanes(nu, [&](index_t j, int n) {
              vf z = act_f(ld(P + j, n) + ld(r + j, n), rec_act);
              vf rg = act_f(ld(P + U + j, n) + ld(r + nu + j, n), rec_act);
              st(P + j, z, n);
              st(P + U + j, rg, n);
              vf hold = ld(hpb + j, n);
              st(hs + j, hold, n);
              st(rh_s + j, rg * hold, n);
            });
          }
        });
        sync.run(ph++, [&](index_t c) {
          const index_t u0 = ch.u0(c), u1 = ch.u1(c), nu = u1 - u0, ps = packed_size(U, nu);
          const float* wp = Wp.data() + woff[c];
          (void)u1; (void)ps;
          // (r*h) (B, U), rows of rec_h at time t (stride T*U) @ U_h[:, chunk units]
          gemm_packed(B, nu, U, rec_h + t * U, T * U, wp + 2 * ps, R.data() + 2 * nu, 3 * nu, false);
          for (index_t b = 0; b < B; ++b) {
            float* P = gates + (b * T + t) * GU + u0;
            const float* r = R.data() + b * 3 * nu;
            const float* hpb = hp + b * rs_hp + u0;
            float* o_out = out + (b * T + s) * U + u0;
            const bool keep = !mask || mask[b * T + t] != 0.0f;
            for_lanes(nu, [&](index_t j, int n) {
              vf hh = act_f(ld(P + 2 * U + j, n) + ld(r + 2 * nu + j, n), act);
              st(P + 2 * U + j, hh, n);
              vf z = ld(P + j, n), hold = ld(hpb + j, n);
              vf hn = fmadd(z, hold - hh, hh);
              if (!keep) hn = hold;
              st(o_out + j, hn, n);
            });
          }
        });
      }
    }
  }
  for (index_t b = 0; b < B; ++b)
    std::memcpy(h_T + b * U, out + (b * T + T - 1) * U, sizeof(float) * U);
}

namespace {
// The GRU cell of Note [BPTT driver] (reset_after=False) and of bptt_overlapped (reset_after:
// Note [GRU chain beside the GEMMs]). dG columns: reset_after: [dz, dr, dhh*r (recurrent h
// block), dhh (input h block)] (W = 4U); otherwise [dz, dr, dhh] (3U), shared by the input and
// recurrent projections. Packed per chunk: reset_after: U^T over K = 3U; otherwise [U_z U_r]^T
// (K = 2U), then U_h^T (K = U), in two recurrent phases: d(r*h) and dr first, then dh_{t-1}.
struct GruCell {
  static constexpr int kG = 3;
  static constexpr bool kStepGrads = false;
  index_t B, U, T, W, Kzr, o_hx;
  const float *rk, *gates, *h_prev, *rec_h, *mask;
  bool reset_after;
  RnnAct act, rec_act;
  int phases;
  StepScratch drh;  // d(r*h) of a chunk, per executing thread (reset_after=False)
  float* dbias_step;  // non-null: step() adds its 4U dG columns (Note [GRU chain beside the GEMMs])
  index_t packed(index_t nu) const { return packed_size(Kzr, nu) + (reset_after ? 0 : packed_size(U, nu)); }
  index_t depth() const { return Kzr; }  // dG columns the chain's dh GEMM reads (bptt_overlapped)
  void pack(index_t u0, index_t u1, float* Rp) const {
    pack_recurrent_bwd(rk, U, 3, u0, u1, 0, Kzr, Rp);
    if (!reset_after) pack_recurrent_bwd(rk, U, 3, u0, u1, 2 * U, 3 * U, Rp + packed_size(Kzr, u1 - u0));
  }
  void prefetch(index_t b, index_t t, index_t u0, index_t nu) const {
    for (index_t q = 0; q < 3; ++q) prefetch_run<0>(gates + (b * T + t) * 3 * U + q * U + u0, nu);
    prefetch_run<0>(h_prev + (b * T + t) * U + u0, nu);
    if (reset_after) prefetch_run<0>(rec_h + (b * T + t) * U + u0, nu);
  }
  void step(index_t b, index_t t, index_t u0, index_t nu, float* g, float* dh, const float* dout) const {
    const float* gt = gates + (b * T + t) * 3 * U + u0;
    const float* hp = h_prev + (b * T + t) * U + u0;
    const float* rh = rec_h + (b * T + t) * U + u0;
    for_lanes(nu, [&](index_t j, int n) {
      vf dht = ld(dh + j, n) + ld(dout + j, n);
      vf z = ld(gt + j, n), hh = ld(gt + 2 * U + j, n), hpv = ld(hp + j, n);
      vf dz = dht * (hpv - hh) * dact_f(z, rec_act);
      vf dhh = dht * (set1(1.0f) - z) * dact_f(hh, act);
      st(g + j, dz, n);
      st(g + o_hx + j, dhh, n);
      st(dh + j, dht * z, n);
      if (reset_after) {
        vf r = ld(gt + U + j, n);
        const vf dr = dhh * ld(rh + j, n) * dact_f(r, rec_act), dhr = dhh * r;
        st(g + U + j, dr, n);
        st(g + 2 * U + j, dhr, n);
        if (dbias_step) {  // columns [dz, dr, dhh * r, dhh] (reset_after only)
          float* db = dbias_step + u0 + j;
          st(db, ld(db, n) + dz, n);
          st(db + U, ld(db + U, n) + dr, n);
          st(db + 2 * U, ld(db + 2 * U, n) + dhr, n);
          st(db + 3 * U, ld(db + 3 * U, n) + dhh, n);
        }
      }
    });
  }
  void recur(int k, index_t t, index_t u0, index_t nu, const float* Rp, float* dG, float* dh0) const {
    // (reset_after=False only: reset_after runs bptt_overlapped, whose chain runs its own GEMM)
    if (k == 1) {  // dh_{t-1}[:, chunk] += [dz dr] (B, 2U) @ [U_z U_r]^T[:, chunk]
      gemm_packed(B, nu, 2 * U, dG + t * W, T * W, Rp, dh0 + u0, U, true);
      return;
    }
    // d(r*h)[:, chunk] = dhh (B, U) @ U_h^T[:, chunk], then dr and dh's r*h part, pointwise
    float* d_rh = drh.data();
    gemm_packed(B, nu, U, dG + t * W + 2 * U, T * W, Rp + packed_size(Kzr, nu), d_rh, nu, false);
    for (index_t b = 0; b < B; ++b) {
      const float* gt = gates + (b * T + t) * 3 * U + u0;
      float* g = dG + (b * T + t) * W + u0;
      const float* hp = h_prev + (b * T + t) * U + u0;
      const float* dr_h = d_rh + b * nu;
      float* dh = dh0 + b * U + u0;
      if (mask && mask[b * T + t] == 0.0f) {
        for (index_t j = 0; j < nu; ++j) g[U + j] = 0.0f;
        continue;
      }
      for_lanes(nu, [&](index_t j, int n) {
        vf r = ld(gt + U + j, n), dd = ld(dr_h + j, n);
        st(g + U + j, dd * ld(hp + j, n) * dact_f(r, rec_act), n);
        st(dh + j, fmadd(dd, r, ld(dh + j, n)), n);
      });
    }
  }
};
}  // namespace

void gru_backward TF_RNN_GRU_BWD_PARAMS {
  FtzGuard ftz;
  const index_t B = d.B, T = d.T, F = d.F, U = d.U, GU = 3 * U;
  const index_t W = reset_after ? 4 * U : 3 * U;
  const index_t o_hx = reset_after ? 3 * U : 2 * U;  // column of the input-side h-gradient
  const index_t Kzr = reset_after ? GU : 2 * U;
  const index_t max_nu = UnitChunks(U, team_size(B, U, GruCell::kG)).max_nu;  // the driver's chunks
  // Note [GRU chain beside the GEMMs]: reset_after has one recurrent phase per step, so its
  // backward runs as the LSTM's (Note [chain beside the GEMMs] in rnn_overlap.h): the chain on one
  // thread, the weight gradients as time-block tasks beside it (dkernel and drecurrent_kernel into
  // padded copies, Note [padded weight gradients]), dbias summed by the chain. The unit chunks'
  // phase per step ran the chain's dh GEMMs at ~67% of two Zen 4 cores at (64, 28, 256, 256), and
  // the whole-sequence GEMMs waited for the whole chain; on one thread they run at ~96% of its
  // peak. Zen 4, 2 threads, quiet, bwd ms unit chunks -> this: (64, 28, 256, 256) 17.6 -> 15.7,
  // (128, 28, 256, 256) 34.3 -> 29.1, (64, 28, 28, 128) 3.19 -> 2.68, (32, 100, 512, 512) 105
  // -> 107 (noise; the padded rows then 102.4 against 104.6 unpadded) (bench/RESULTS.md, rnn23).
  std::vector<float> db_acc(reset_after ? (size_t)(4 * U) : 0, 0.0f);
  const GruCell cell{B, U, T, W, Kzr, o_hx, recurrent_kernel, gates, h_prev, rec_h, mask, reset_after,
                     act, rec_act, reset_after ? 1 : 2,
                     StepScratch{Ws::rnn_step2, reset_after ? 0 : (size_t)(B * max_nu)},
                     reset_after ? db_acc.data() : nullptr};
  if (reset_after) {
    const index_t FU = F + U, xh_n = ceil_div(T * B * FU, (index_t)16) * 16;
    const index_t ldw = ld_padded(GU);
    // (T, B, F + U) rows, then [dkernel; drecurrent_kernel] (F + U, 3U) with row stride ldw
    // (Note [padded weight gradients])
    float* xh_tm = workspace<float>(Ws::rnn_step, (size_t)(xh_n + FU * ldw));
    float* dk_pad = xh_tm + xh_n;
    float* drk_pad = dk_pad + F * ldw;
    // kernel^T packed for dx: K = 2U rows against [dz dr], then K = U rows against dhh
    const index_t pz = packed_size(2 * U, F);
    float* KTp = workspace<float>(Ws::rnn_step2, (size_t)(pz + packed_size(U, F)));
    const index_t tb = std::max<index_t>(1, ceil_div(kOverlapBlockRows, B));
    bptt_overlapped(d, cell, d_out, d_h_T, mask, go_backwards, dh0, tb, 4, kWeightGradStreams,
                    [&](int q, const TimeBlock& blk) {
      const index_t rows = blk.rows;
      const float *G = blk.G, *a = xh_tm + blk.t0 * B * FU;
      const float beta = blk.beta;
      switch (q) {
        case 0:  // dkernel += x^T [dz dr | dhh]
          seq_gemm(F, 2 * U, rows, a, 1, FU, G, W, 1, beta, dk_pad, ldw, nullptr);
          seq_gemm(F, U, rows, a, 1, FU, G + o_hx, W, 1, beta, dk_pad + 2 * U, ldw, nullptr);
          if (blk.last) copy_rows(F, GU, dk_pad, ldw, dkernel, GU);
          return;
        case 1:  // drecurrent_kernel += h_{t-1}^T [dz dr dhh*r]
          seq_gemm(U, GU, rows, a + F, 1, FU, G, W, 1, beta, drk_pad, ldw, nullptr);
          if (blk.last) copy_rows(U, GU, drk_pad, ldw, drecurrent_kernel, GU);
          return;
        case 2:  // dx_t = [dz dr] kernel[:, :2U]^T + dhh kernel[:, 2U:]^T
          for (index_t t = blk.t0; t < blk.t1; ++t) {
            const float* g = G + (t - blk.t0) * B * W;
            gemm_packed(B, F, {Term{g, W, 2 * U, KTp}, Term{g + o_hx, W, U, KTp + pz}}, dx + t * F, T * F,
                        false);
          }
          return;
        default:
          if (blk.k == 0) {
            pack_panels(2 * U, F, kernel, 1, GU, KTp);
            pack_panels(U, F, kernel + 2 * U, 1, GU, KTp + pz);
          }
          gather_xh(B, T, F, U, x, h_prev, blk.t0, blk.t1, xh_tm);
      }
    });
    // input bias [dz dr dhh], recurrent bias [dz dr dhh*r]
    std::memcpy(dbias, db_acc.data(), sizeof(float) * 2 * U);
    std::memcpy(dbias + 2 * U, db_acc.data() + o_hx, sizeof(float) * U);
    std::memcpy(dbias + GU, db_acc.data(), sizeof(float) * GU);
    return;
  }
  // reset_after=False: the unit-chunk phases (two per step), then the whole-sequence GEMMs
  const float* G2 = bptt(d, cell, d_out, d_h_T, mask, go_backwards, dh0);
  const index_t BT = B * T;
  // input side: [dz dr] against kernel[:, 0:2U], dhh (column o_hx) against kernel[:, 2U:3U]
  seq_gemm(BT, F, 2 * U, G2, W, 1, kernel, 1, GU, 0.0f, dx, F, nullptr);
  seq_gemm(BT, F, U, G2 + o_hx, W, 1, kernel + 2 * U, 1, GU, 1.0f, dx, F, nullptr);
  seq_gemm(F, 2 * U, BT, x, 1, F, G2, W, 1, 0.0f, dkernel, GU, nullptr);
  seq_gemm(F, U, BT, x, 1, F, G2 + o_hx, W, 1, 0.0f, dkernel + 2 * U, GU, nullptr);
  seq_gemm(U, 2 * U, BT, h_prev, 1, U, G2, W, 1, 0.0f, drecurrent_kernel, GU, nullptr);
  seq_gemm(U, U, BT, rec_h, 1, U, G2 + 2 * U, W, 1, 0.0f, drecurrent_kernel + 2 * U, GU, nullptr);
  column_sums(BT, G2, W, 0, GU, dbias);
}

}  // namespace TF_ISA
}  // namespace tf
