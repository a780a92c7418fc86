// LSTM forward and backward through time (shared pieces and the file family's notes in
// rnn_impl.h, the backward driver in rnn_bptt.h; contract in tf/rnn.h).
#include "rnn_chains.h"
#include "rnn_overlap.h"

namespace tf {
namespace TF_ISA {

// =============================================== LSTM ======================================
namespace {
// Batch-row chains (Note [batch-row chains], rnn_chains.h) need rows enough for the micro-tiles
// (LSTM (8, 28, 28, 128), 2 threads: forward even, backward 1.9x slower; (16, 28, 28, 128)
// forward 22% and backward 24% faster), and each chain's step streams the whole packed weights
// (and, backward, its partial weight gradients), so they pay while those stay near the L2 of
// the core that runs the chain; the unit chunks instead split them between the threads.
constexpr index_t kRowChainMinBatch = 16;
inline double l2_per_core() {
  const CpuCaches& c = cpu_caches();
  return c.l2 > 0 ? (double)c.l2 / std::max(1, c.l2_sharing) : 512.0 * 1024;
}
// Forward: the packed weights 4 (F + U) x U floats (fused; 4 U x U not) up to kFwdRowsMaxL2 of
// the L2. Measured, LSTM fwd ms at 2 threads, unit chunks / row chains (weights / L2): (64, 28,
// 28, 64) 0.34 / 0.23 (0.09); (64, 28, 28, 128) 0.77 / 0.69 (0.31); (64, 28, 28, 160) 1.27 /
// 1.03 (0.46); (64, 28, 28, 192) 1.86 / 1.40 (0.66); near 1.0 even: (64, 28, 256, 256) 4.22 /
// 4.30 and (128, 28, 256, 256) 8.49 / 8.29 (1.0), (64, 28, 28, 256) 2.42 / 2.32 (1.11)
// (bench/RESULTS.md, lstm11).
constexpr double kFwdRowsMaxL2 = 0.75;
inline bool lstm_fwd_row_chains(index_t B, index_t F, index_t U, bool fused, int nt) {
  if (nt <= 1 || B < kRowChainMinBatch) return false;
  const double w = 4.0 * ((fused ? packed_size(F, U) : 0) + packed_size(U, U)) * sizeof(float);
  return w <= kFwdRowsMaxL2 * l2_per_core();
}
}  // namespace

void lstm_forward TF_RNN_LSTM_FWD_PARAMS {
  FtzGuard ftz;
  const index_t B = d.B, T = d.T, F = d.F, U = d.U, GU = 4 * U;
  // 1. the input projection: one GEMM over all steps into the gates buffer, or for few features
  //    a second term of every step's GEMM (Note [fused input projection])
  const bool fused = F <= kFuseMaxFeatures;
  if (!fused) seq_gemm(B * T, GU, F, x, F, 1, kernel, GU, 1, 0.0f, gates, GU, bias);
  // c lives in c_T during the loop (a chunk task touches only its own units and rows).
  if (c0) std::memcpy(c_T, c0, sizeof(float) * B * U);
  else std::memset(c_T, 0, sizeof(float) * B * U);
  const int nt = team_size(B, U, 4);
  // unit chunks with one phase per step (Note [dynamic unit chunks]), or one chunk of all units
  // stepped by independent batch-row chains (Note [batch-row chains])
  const bool rows = lstm_fwd_row_chains(B, F, U, fused, nt);
  const UnitChunks ch(U, rows ? 1 : nt);
  // per chunk: (fused) the 4 gates' kernel blocks (F x nu each), then their recurrent_kernel blocks
  const index_t Fp = fused ? F : 0;
  const std::vector<index_t> woff =
      chunk_offsets(ch, [&](index_t nu) { return 4 * (packed_size(Fp, nu) + packed_size(U, nu)); });
  Buf Wp(Ws::rnn_wpack, (size_t)woff[ch.C]);
  static const int all4[4] = {0, 1, 2, 3};
  const StepScratch R{Ws::rnn_step, (size_t)(B * 4 * ch.max_nu)};  // per executing thread
  // chunk c's (gate q's, q >= 0; all 4, q < 0) packed weights
  auto pack = [&](index_t c, int q) {
    const index_t u0 = ch.u0(c), u1 = ch.u1(c);
    const int* g = q < 0 ? all4 : all4 + q;
    const int ng = q < 0 ? 4 : 1, q0 = q < 0 ? 0 : q;
    float* wx = Wp.data() + woff[c];
    if (fused) pack_recurrent_fwd(kernel, F, 4, U, u0, u1, g, ng, wx + q0 * packed_size(Fp, u1 - u0));
    pack_recurrent_fwd(recurrent_kernel, U, 4, U, u0, u1, g, ng,
                       wx + 4 * packed_size(Fp, u1 - u0) + q0 * packed_size(U, u1 - u0));
  };
  std::vector<float> zeros(h0 ? 0 : (size_t)B * U, 0.0f);
  // Step s for batch rows [b0, b1) and the units of chunk c: the chunk's GEMM into r (row
  // stride 4 nu, gate blocks nu apart), then the pointwise pass.
  auto step = [&](index_t s, index_t b0, index_t b1, index_t c, float* r0) {
    const index_t t = time_of(s, T, go_backwards);
    // h_{s-1}: out[:, s-1] (row stride T*U) or the initial state (row stride U)
    const float* hp = s > 0 ? out + (s - 1) * U : (h0 ? h0 : zeros.data());
    const index_t rs_hp = s > 0 ? T * U : U;
    const index_t u0 = ch.u0(c), u1 = ch.u1(c), nu = u1 - u0, M = b1 - b0;
    const index_t psx = packed_size(Fp, nu), ps = packed_size(U, nu);
    const float* wx = Wp.data() + woff[c];
    const float* wp = wx + 4 * psx;
    // R = [x_t @ kernel[:, chunk] +] h_{t-1} @ recurrent_kernel[:, chunk], gate by gate
    for (int g = 0; g < 4; ++g) {
      const Term th{hp + b0 * rs_hp, rs_hp, U, wp + g * ps};
      if (fused) gemm_packed(M, nu, {Term{x + b0 * T * F + t * F, T * F, F, wx + g * psx}, th}, r0 + g * nu, 4 * nu, false);
      else gemm_packed(M, nu, {th}, r0 + g * nu, 4 * nu, false);
    }
    for (index_t b = b0; b < b1; ++b) {
      float* P = gates + (b * T + t) * GU + u0;   // projection in (unless fused), activations out
      if (b + kPfRows < b1) {  // Note [row prefetch]: the gates (read unless fused, written)
        for (index_t q = 0; q < 4; ++q) prefetch_run<1>(P + kPfRows * T * GU + q * U, nu);
      }
      const float* r = r0 + (b - b0) * 4 * nu;
      const float* hpb = hp + b * rs_hp + u0;
      float* c = c_T + b * U + u0;
      float* hs = h_prev + (b * T + t) * U + u0;
      float* cs = c_prev + (b * T + t) * U + u0;
      float* o_out = out + (b * T + s) * U + u0;
      const bool keep = !mask || mask[b * T + t] != 0.0f;
      // what R lacks, gates U apart: the bias (fused) or the projection with its bias
      const float* a = fused ? (bias ? bias + u0 : nullptr) : P;
      for_lanes(nu, [&](index_t j, int n) {
        vf zi = ld(r + j, n), zf = ld(r + nu + j, n), zg = ld(r + 2 * nu + j, n), zo = ld(r + 3 * nu + j, n);
        if (a) {
          zi = zi + ld(a + j, n);
          zf = zf + ld(a + U + j, n);
          zg = zg + ld(a + 2 * U + j, n);
          zo = zo + ld(a + 3 * U + j, n);
        }
        vf i = act_f(zi, rec_act), f = act_f(zf, rec_act), g = act_f(zg, act), o = act_f(zo, rec_act);
        st(P + j, i, n);
        st(P + U + j, f, n);
        st(P + 2 * U + j, g, n);
        st(P + 3 * U + j, o, n);
        vf cold = ld(c + j, n), hold = ld(hpb + j, n);
        st(cs + j, cold, n);
        st(hs + j, hold, n);
        vf cn = fmadd(f, cold, i * g);
        vf hn = o * act_f(cn, act);
        if (!keep) { cn = cold; hn = hold; }
        st(c + j, cn, n);
        st(o_out + j, hn, n);
      });
    }
  };
  if (rows) {
    parallel_chunks(4, nt, [&](index_t q) { pack(0, (int)q); });
    // two chains per thread of >= 8 rows: a thread whose partner is descheduled holding a chain
    // step has another chain to run meanwhile (LSTM fwd at 2 threads, 2 / 4 chains: (32, 28, 28,
    // 128) 0.34 / 0.34 ms, (64, ...) 0.69 / 0.68, (128, ...) 1.39 / 1.37)
    const index_t nc = std::max<index_t>(1, std::min<index_t>(2 * nt, B / 8));
    run_chains(nc, T, nt, [&](index_t c, index_t s) { step(s, B * c / nc, B * (c + 1) / nc, 0, R.data()); });
  } else {
    PhaseSync sync(ch.C, nt);
    int64_t ph = 0;
    for (index_t s = 0; s < T; ++s)
      sync.run(ph++, [&](index_t c) {
        if (s == 0) pack(c, -1);  // a chunk packs its weights in step 0's task (Note [one phase per step])
        step(s, 0, B, c, R.data());
      });
  }
  for (index_t b = 0; b < B; ++b)
    std::memcpy(h_T + b * U, out + (b * T + T - 1) * U, sizeof(float) * U);
}

namespace {
// The LSTM cell of Note [BPTT driver]: dG columns [di, df, dg, do]; dc0 holds the running dc_t.
// Weight gradients per step (Note [per-step weight gradients]): dkernel, drecurrent_kernel and
// dbias start at zero and each chunk adds its columns; Kp = kernel^T packed (K = 4U, N = F).
struct LstmCell {
  static constexpr int kG = 4, phases = 1;
  static constexpr bool kStepGrads = true;
  bool per_step;  // false: the whole-sequence GEMMs after the loop instead (lstm_backward)
  index_t B, U, T, W, F;
  const float *rk, *gates, *c_prev, *x, *h_prev, *Kp;
  float *dc0, *dx, *dkernel, *drk, *dbias;
  float* xh;  // per_step: two [x_t | h_{t-1}] (B, F + U), contiguous rows for chunk_grads
  float* dbias_step;  // non-null: step() adds its dG rows to it (Note [chain beside the GEMMs])
  RnnAct act, rec_act;
  index_t packed(index_t nu) const { return packed_size(W, nu); }
  index_t depth() const { return W; }  // dG columns the chain's dh GEMM reads (bptt_overlapped)
  void pack(index_t u0, index_t u1, float* Rp) const { pack_recurrent_bwd(rk, U, 4, u0, u1, 0, W, Rp); }
  void prefetch(index_t b, index_t t, index_t u0, index_t nu) const {
    for (index_t q = 0; q < 4; ++q) prefetch_run<0>(gates + (b * T + t) * W + q * U + u0, nu);
    prefetch_run<0>(c_prev + (b * T + t) * U + u0, nu);
  }
  void step(index_t b, index_t t, index_t u0, index_t nu, float* g, float* dh, const float* dout) const {
    const float* gt = gates + (b * T + t) * W + u0;
    const float* cp = c_prev + (b * T + t) * U + u0;
    float* dc = dc0 + b * U + u0;
    for_lanes(nu, [&](index_t j, int n) {
      vf dht = ld(dh + j, n) + ld(dout + j, n);
      vf i = ld(gt + j, n), f = ld(gt + U + j, n), gg = ld(gt + 2 * U + j, n),
         o = ld(gt + 3 * U + j, n), cpv = ld(cp + j, n);
      vf ac = act_f(fmadd(f, cpv, i * gg), act);
      vf dct = fmadd(dht * o, dact_f(ac, act), ld(dc + j, n));
      const vf di = dct * gg * dact_f(i, rec_act), df = dct * cpv * dact_f(f, rec_act),
               dg = dct * i * dact_f(gg, act), dov = dht * ac * dact_f(o, rec_act);
      st(g + j, di, n);
      st(g + U + j, df, n);
      st(g + 2 * U + j, dg, n);
      st(g + 3 * U + j, dov, n);
      if (dbias_step) {
        float* db = dbias_step + u0 + j;
        st(db, ld(db, n) + di, n);
        st(db + U, ld(db + U, n) + df, n);
        st(db + 2 * U, ld(db + 2 * U, n) + dg, n);
        st(db + 3 * U, ld(db + 3 * U, n) + dov, n);
      }
      st(dc + j, dct * f, n);
      st(dh + j, zero(), n);  // the GEMM accumulates dh_{t-1}
    });
  }
  // dh_{t-1}[:, chunk units] += dG_t (B, 4U) @ recurrent_kernel^T[:, chunk units] (per_step:
  // the driver's one-step dG buffer; else bptt_overlapped runs the chain)
  void recur(int, index_t, index_t u0, index_t nu, const float* Rp, const float* dG, float* dh0) const {
    gemm_packed(B, nu, W, dG, W, Rp, dh0 + u0, U, true);
  }
  void prepare(index_t t, index_t b0, index_t b1, int buf) const {
    float* o = xh + buf * B * (F + U);
    for (index_t b = b0; b < b1; ++b) {
      std::memcpy(o + b * (F + U), x + (b * T + t) * F, sizeof(float) * F);
      std::memcpy(o + b * (F + U) + F, h_prev + (b * T + t) * U, sizeof(float) * U);
    }
  }
  // the chunk's gate columns of dkernel += x_t^T dG_t, drecurrent_kernel += h_{t-1}^T dG_t,
  // dbias += column sums of dG_t
  void chunk_grads(index_t u0, index_t nu, const float* dG, int buf) const {
    const float* a = xh + buf * B * (F + U);
    for (index_t q = 0; q < 4; ++q) {
      const index_t col = q * U + u0;
      const float* g = dG + col;
      gemm_tn_acc(F, nu, B, a, F + U, g, W, dkernel + col, W);
      gemm_tn_acc(U, nu, B, a + F, F + U, g, W, drk + col, W);
      for_lanes(nu, [&](index_t j, int n) {
        vf sum = ld(dbias + col + j, n);
        for (index_t b = 0; b < B; ++b) sum = sum + ld(g + b * W + j, n);
        st(dbias + col + j, sum, n);
      });
    }
  }
  // dx_t rows [b0, b1) = dG_t rows @ kernel^T
  void dx_rows(index_t t, index_t b0, index_t b1, const float* dG) const {
    gemm_packed(b1 - b0, F, W, dG + b0 * W, W, Kp, dx + (b0 * T + t) * F, T * F, false);
  }
};
}  // namespace

// Note [backward batch-row chains]: the backward's chain is row-independent too (dh_{t-1} of row
// b needs only row b's dG_t), so with the per-step weight gradients it runs as batch-row chains
// (Note [batch-row chains]): a chain's step s runs the pointwise pass of its rows over all units
// (dG_s into the chain's own (rows, 4U) buffer, still in cache for the rest), gathers their
// [x_t | h_{t-1}], runs dx_t and dh_{t-1} for its rows against kernel^T and recurrent_kernel^T
// packed whole, and every kBwdRowsGroupSteps steps adds x^T dG and h^T dG of those steps (K = the
// group's rows, stacked) and the dG column sums into the chain's own partial weight gradients. No phase per step; the partials are summed in
// chain order at the end. The chain count depends on the shape only (never on the threads): the
// sums, and so the bits, are the same at 1 and 2 threads.
// Two chains (one per core of a 2-thread team) while a chain's footprint, the partial [dkernel;
// drk] (F + U) x 4U, recurrent_kernel^T (U x 4U) and kernel^T (4U x F) packed, stays within
// kBwdRowsMaxL2 of the L2. Measured, LSTM bwd ms at 2 threads, today's path / row chains
// (footprint / L2): (64, 28, 28, 128) 1.43 / 1.29 (0.61); (64, 28, 28, 192) 3.75 / 2.71 (1.3);
// (64, 28, 256, 128) 3.24 / 3.00 (1.5); (64, 28, 28, 256) 5.63 / 5.34 (2.2); (64, 28, 64, 256)
// 5.42 / 5.92 (2.5); (64, 28, 512, 128) 5.13 / 10.13 (2.5); (64, 28, 256, 256) 8.61 / 9.03 (4.0)
// (bench/RESULTS.md, lstm11).
constexpr double kBwdRowsMaxL2 = 2.0;
// Steps per weight-gradient product: each product reads and writes the chain's whole partial
// (F + U) x 4U. LSTM bwd ms at 2 threads, 1 / 2 / 4 steps: (64, 28, 28, 128) 1.46 / 1.42 / 1.42
// and 1.37 / 1.38 / 1.35, (64, 28, 28, 192) 2.98 / 2.98 / 2.96 (bench/RESULTS.md, lstm11).
constexpr index_t kBwdRowsGroupSteps = 2;
// Two chains keep two threads busy: a larger team (more cores than measured here) keeps the unit
// chunks, which use all of it.
inline index_t lstm_bwd_chains(index_t B, index_t F, index_t U) {
  if (B < kRowChainMinBatch || team_size(B, U, 4) > 2) return 0;
  const index_t GU = 4 * U;
  const double w = ((double)(F + U) * GU + packed_size(U, GU) + packed_size(GU, F)) * sizeof(float);
  return w <= kBwdRowsMaxL2 * l2_per_core() ? 2 : 0;
}

void lstm_backward TF_RNN_LSTM_BWD_PARAMS {
  FtzGuard ftz;
  const index_t B = d.B, T = d.T, F = d.F, U = d.U, GU = 4 * U;
  std::memcpy(dc0, d_c_T, sizeof(float) * B * U);  // dc0 holds the running dc_t
  if (const index_t nc = lstm_bwd_chains(B, F, U)) {  // Note [backward batch-row chains]
    const LstmCell cell{true, B, U, T, GU, F, recurrent_kernel, gates, c_prev, x, h_prev, nullptr,
                        dc0, dx, dkernel, drecurrent_kernel, dbias, nullptr, nullptr, act, rec_act};
    const index_t FU = F + U, ldw = ld_padded(GU), mr = ceil_div(B, nc);
    const index_t KS = kBwdRowsGroupSteps;
    // per chain: dG (KS mr, 4U), [x | h] (KS mr, F + U), partial [dkernel; drk] (F + U, ldw),
    // dbias (4U)
    const index_t pw = KS * mr * (GU + FU);  // the partials' offset in a chain's block
    const index_t per = ceil_div(pw + FU * ldw + GU, (index_t)16) * 16;
    float* ws = workspace<float>(Ws::rnn_grad, (size_t)(nc * per));
    float* Rp = workspace<float>(Ws::rnn_wpack, (size_t)packed_size(GU, U));  // recurrent_kernel^T
    float* KTp = workspace<float>(Ws::rnn_step2, (size_t)packed_size(GU, F));  // kernel^T
    std::memcpy(dh0, d_h_T, sizeof(float) * B * U);  // dh0 holds the running dh_t
    const int nt = team_size(B, U, 4);
    parallel_chunks(2, nt, [&](index_t q) {
      if (q == 0) cell.pack(0, U, Rp);
      else pack_panels(GU, F, kernel, 1, GU, KTp);
    });
    run_chains(nc, T, nt, [&](index_t c, index_t i) {
      const index_t b0 = B * c / nc, b1 = B * (c + 1) / nc, M = b1 - b0, s = T - 1 - i;
      const index_t t = time_of(s, T, go_backwards), slot = i % KS;
      float* dG0 = ws + c * per;
      float* xh0 = dG0 + KS * mr * GU;
      float* dWc = ws + c * per + pw;
      float* dbc = dWc + FU * ldw;
      float* dGc = dG0 + slot * M * GU;  // this step's rows, after the group's earlier steps
      float* xhc = xh0 + slot * M * FU;
      if (i == 0) std::memset(dWc, 0, sizeof(float) * (FU * ldw + GU));
      bptt_pointwise(d, cell, d_out, mask, go_backwards, dh0, b0, b1, 0, U, s, dGc - b0 * GU, GU);
      for (index_t b = b0; b < b1; ++b) {
        float* o = xhc + (b - b0) * FU;
        std::memcpy(o, x + (b * T + t) * F, sizeof(float) * F);
        std::memcpy(o + F, h_prev + (b * T + t) * U, sizeof(float) * U);
      }
      if (slot == KS - 1 || i == T - 1) {  // the group's weight gradients, K = its rows
        const index_t K = (slot + 1) * M;
        gemm_tn_acc(F, GU, K, xh0, FU, dG0, GU, dWc, ldw);
        gemm_tn_acc(U, GU, K, xh0 + F, FU, dG0, GU, dWc + F * ldw, ldw);
        for_lanes(GU, [&](index_t j, int n) {
          vf sum = ld(dbc + j, n);
          for (index_t r = 0; r < K; ++r) sum = sum + ld(dG0 + r * GU + j, n);
          st(dbc + j, sum, n);
        });
      }
      gemm_packed(M, F, GU, dGc, GU, KTp, dx + (b0 * T + t) * F, T * F, false);
      gemm_packed(M, U, GU, dGc, GU, Rp, dh0 + b0 * U, U, true);
    });
    // the partials' sum in chain order: row r < F of dkernel, then drecurrent_kernel, then dbias
    parallel_range(FU + 1, 16, nt, [&](index_t r0, index_t r1) {
      for (index_t r = r0; r < r1; ++r) {
        float* o = r < F ? dkernel + r * GU : r < FU ? drecurrent_kernel + (r - F) * GU : dbias;
        const index_t off = pw + (r < FU ? r : FU) * ldw;
        for_lanes(GU, [&](index_t j, int n) {
          vf sum = ld(ws + off + j, n);
          for (index_t c = 1; c < nc; ++c) sum = sum + ld(ws + c * per + off + j, n);
          st(o + j, sum, n);
        });
      }
    });
    return;
  }
  // Weight gradients per step while a thread's share of them and of the packed weights about
  // stays in its L2 (Note [per-step weight gradients]); else (many units or features) the whole-sequence GEMMs after the loop.
  const bool per_step = step_grads_fit(B, F, U, 4, team_size(B, U, 4));
  Buf Kp(per_step ? packed_size(GU, F) : 0);  // kernel^T (4U, F) as NR-wide panels, for dx_t
  Buf xh(per_step ? (size_t)(2 * B * (F + U)) : 0);
  if (per_step) {
    std::memset(dkernel, 0, sizeof(float) * F * GU);
    std::memset(drecurrent_kernel, 0, sizeof(float) * U * GU);
    std::memset(dbias, 0, sizeof(float) * GU);
    pack_panels(GU, F, kernel, 1, GU, Kp.data());
  }
  const LstmCell cell{per_step, B, U, T, GU, F, recurrent_kernel, gates, c_prev, x, h_prev, Kp.data(),
                      dc0, dx, dkernel, drecurrent_kernel, dbias, xh.data(), per_step ? nullptr : dbias,
                      act, rec_act};
  if (per_step) {
    bptt(d, cell, d_out, d_h_T, mask, go_backwards, dh0);
    return;
  }
  // Note [chain beside the GEMMs]: the whole-sequence weight gradients in time blocks beside
  // the chain, dG time-major (T, B, 4U); dbias is summed by the chain's pointwise passes (row by
  // row, steps in chain order). The streams of kWeightGradStreams: dkernel and drecurrent_kernel
  // add into the padded copies of Note [padded weight gradients] that their last block copies
  // out; the gather writes xh_tm. dx_t = dG_t kernel^T step by step with the recurrent GEMM's packed
  // kernel: its (B, 4U) x (4U, F) shape is the chain's dh GEMM's, which runs at ~97% of the FMA
  // peak on Zen 5 against ~88% for the blocked sgemm of the rows (that also repacks kernel^T
  // per block and writes rows to scatter).
  const index_t tb = std::max<index_t>(1, ceil_div(kOverlapBlockRows, B));
  const index_t FU = F + U;
  std::memset(dbias, 0, sizeof(float) * GU);
  // (T, B, F + U) rows, then [dkernel; drecurrent_kernel] (F + U, 4U) with row stride ldw
  // (Note [padded weight gradients])
  const index_t ldw = ld_padded(GU), xh_n = ceil_div(T * B * FU, (index_t)16) * 16;
  float* xh_tm = workspace<float>(Ws::rnn_step, (size_t)(xh_n + FU * ldw));
  float* dk_pad = xh_tm + xh_n;
  float* drk_pad = dk_pad + F * ldw;
  float* KTp = workspace<float>(Ws::rnn_step2, (size_t)packed_size(GU, F));  // kernel^T packed
  bptt_overlapped(d, cell, d_out, d_h_T, mask, go_backwards, dh0, tb, 4, kWeightGradStreams,
                  [&](int q, const TimeBlock& blk) {
    const index_t rows = blk.rows, t0 = blk.t0, t1 = blk.t1;
    const float *G = blk.G, *a = xh_tm + t0 * B * FU;
    switch (q) {
      case 0:  // dkernel += x^T dG
        seq_gemm(F, GU, rows, a, 1, FU, G, GU, 1, blk.beta, dk_pad, ldw, nullptr);
        if (blk.last) copy_rows(F, GU, dk_pad, ldw, dkernel, GU);
        return;
      case 1:  // drecurrent_kernel += h_{t-1}^T dG
        seq_gemm(U, GU, rows, a + F, 1, FU, G, GU, 1, blk.beta, drk_pad, ldw, nullptr);
        if (blk.last) copy_rows(U, GU, drk_pad, ldw, drecurrent_kernel, GU);
        return;
      case 2:  // dx_t = dG_t kernel^T
        for (index_t t = t0; t < t1; ++t) gemm_packed(B, F, GU, G + (t - t0) * B * GU, GU, KTp, dx + t * F, T * F, false);
        return;
      default:
        if (blk.k == 0) pack_panels(GU, F, kernel, 1, GU, KTp);
        gather_xh(B, T, F, U, x, h_prev, t0, t1, xh_tm);
    }
  });
}

}  // namespace TF_ISA
}  // namespace tf
