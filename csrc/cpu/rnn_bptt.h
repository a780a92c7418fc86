// Private to csrc/cpu/rnn_*.cpp: the one backward-through-time driver over a cell functor
// (Note [BPTT driver]); the cells are in rnn_lstm.cpp, rnn_gru.cpp, rnn_simple.cpp.
#pragma once
#include "rnn_impl.h"

namespace tf {
namespace TF_ISA {

namespace {

// ---- backward through time --------------------------------------------------------------------
// Note [BPTT driver]: the three backward passes share one driver (as csrc/cuda/rnn_seq.h does on
// the GPU). bptt() owns what every cell does alike: the team and the unit chunks (Note [dynamic
// unit chunks]), the packed recurrent weights, the reversed time loop with its phases, masked
// steps (dG = 0, dh passed straight through) and the running dh_t in dh0. The cell functor brings
// only what differs:
//   kG                   gates (sizes the team)
//   W                    dG columns per (b, t) row, in blocks of U (LSTM 4, GRU 3 or 4, SimpleRNN 1)
//   packed(nu)           floats of packed recurrent weights for a chunk of nu units
//   pack(u0, u1, Rp)     pack them (pack_recurrent_bwd)
//   step(b, t, u0, nu, g, dh, dout)   the pointwise pass of an unmasked (b, t): dG of units
//                        [u0, u0 + nu) from dh_t = dh + dout and the saved gates (plus the cell's
//                        own carried gradient: LSTM dc), leaving in dh the direct part of dh_{t-1}
//   prefetch(b, t, u0, nu)  prefetch what step() reads of row b (Note [row prefetch])
//   phases               recurrent phases per step (1; GRU reset_after=False: 2)
//   recur(k, t, u0, nu, Rp, dG, dh0)  phase k: dh_{t-1}[:, u0:u0+nu] += dG_t @ R^T
//   kStepGrads           the cell may accumulate its weight gradients inside the loop (Note
//                        [per-step weight gradients]); when its per_step is true (phases must
//                        be 1), dG is one step's (B, W) (row stride W; two, alternating), one
//                        phase per step, and the driver also calls
//     prepare(t, b0, b1, buf)      gather batch rows [b0, b1) of what chunk_grads reads at time
//                                  t into buffer buf (0/1)
//     chunk_grads(u0, nu, dG, buf) after the chunk's pointwise pass (same task: dG in cache)
//     dx_rows(t, b0, b1, dG)       beside recur, for chunk c's share of the batch rows
// Returns dG (B, T, W), the calling thread's Ws::rnn_grad workspace, for the whole-sequence
// weight-gradient GEMMs the caller runs next (not per_step). The LSTM's whole-sequence backward
// and the GRU's with reset_after run instead in rnn_overlap.h (Note [chain beside the GEMMs]),
// over the same pointwise pass.
// The pointwise pass of step s for batch rows [b0, b1) and units [u0, u0 + nu): dG_s into dGs
// (row stride rs; gate block q at column q * U) from dh_t = dh0 + d_out[:, s], masked rows
// carrying dh (and the cell's own gradient) straight through with dG = 0.
template <class Cell>
void bptt_pointwise(const RnnDims& d, const Cell& cell, const float* d_out, const float* mask,
                    bool go_backwards, float* dh0, index_t b0, index_t b1, index_t u0, index_t nu,
                    index_t s, float* dGs, index_t rs) {
  const index_t T = d.T, U = d.U, nblk = cell.W / U;
  const index_t t = time_of(s, T, go_backwards);
  for (index_t b = b0; b < b1; ++b) {
    float* g = dGs + b * rs + u0;
    const float* dout = d_out + (b * T + s) * U + u0;
    if (b + kPfRows < b1) {  // Note [row prefetch]
      prefetch_run<0>(dout + kPfRows * T * U, nu);
      cell.prefetch(b + kPfRows, t, u0, nu);
    }
    float* dh = dh0 + b * U + u0;
    if (mask && mask[b * T + t] == 0.0f) {  // carried step: dh (dc) pass through, no dG
      for_lanes(nu, [&](index_t j, int n) {
        for (index_t q = 0; q < nblk; ++q) st(g + q * U + j, zero(), n);
        st(dh + j, ld(dh + j, n) + ld(dout + j, n), n);
      });
      continue;
    }
    cell.step(b, t, u0, nu, g, dh, dout);
  }
}

template <class Cell>
const float* bptt(const RnnDims& d, const Cell& cell, const float* d_out, const float* d_h_T,
                  const float* mask, bool go_backwards, float* dh0) {
  const index_t B = d.B, T = d.T, U = d.U, W = cell.W;
  bool per_step = false;
  if constexpr (Cell::kStepGrads) per_step = cell.per_step;
  // per_step: two (B, W) step buffers, alternating (step s uses dG + (s & 1) * B * W)
  float* dG = workspace<float>(Ws::rnn_grad, (size_t)(B * (per_step ? 2 : T) * W));
  std::memcpy(dh0, d_h_T, sizeof(float) * B * U);  // dh0 holds the running dh_t
  const int nt = team_size(B, U, Cell::kG);
  const UnitChunks ch(U, nt);  // Note [dynamic unit chunks]
  const std::vector<index_t> woff = chunk_offsets(ch, [&](index_t nu) { return cell.packed(nu); });
  Buf Wp(Ws::rnn_wpack, (size_t)woff[ch.C]);
  PhaseSync sync(ch.C, nt);
  int64_t ph = 0;
  // dG of step s for the units of chunk c (and the direct parts of dh_{t-1} / dc_{t-1})
  auto pointwise_rows = [&](index_t b0, index_t b1, index_t u0, index_t nu, index_t s, float* dGs, index_t rs) {
    bptt_pointwise(d, cell, d_out, mask, go_backwards, dh0, b0, b1, u0, nu, s, dGs, rs);
  };
  auto pointwise = [&](index_t c, index_t s, float* dGs, index_t rs) {
    pointwise_rows(0, B, ch.u0(c), ch.u1(c) - ch.u0(c), s, dGs, rs);
  };
  if constexpr (Cell::kStepGrads) {
    static_assert(Cell::phases == 1, "per-step weight gradients pipeline one recurrent phase");
    if (per_step) {
      // Note [per-step weight gradients]: one phase per step. Chunk c's task runs step s's dh
      // GEMM for its units and dx for its batch rows (both read all of dG_s), then step s-1's
      // pointwise pass for the same units (it needs only their dh_{s-1}, just computed) and
      // their weight gradients, and gathers its rows of step s-2's operands. dG and the
      // gathered [x | h] alternate between two buffers, so no task overwrites what another
      // task of the phase still reads.
      auto dGs = [&](index_t s) { return dG + (s & 1) * B * W; };
      auto tm = [&](index_t s) { return time_of(s, T, go_backwards); };
      cell.prepare(tm(T - 1), 0, B, (T - 1) & 1);
      sync.run(ph++, [&](index_t c) {
        const index_t u0 = ch.u0(c), b0 = B * c / ch.C, b1 = B * (c + 1) / ch.C;
        cell.pack(u0, ch.u1(c), Wp.data() + woff[c]);
        pointwise(c, T - 1, dGs(T - 1), W);
        cell.chunk_grads(u0, ch.u1(c) - u0, dGs(T - 1), (T - 1) & 1);
        if (T > 1) cell.prepare(tm(T - 2), b0, b1, (T - 2) & 1);
      });
      for (index_t s = T - 1; s >= 0; --s)
        sync.run(ph++, [&](index_t c) {
          const index_t u0 = ch.u0(c), nu = ch.u1(c) - u0, b0 = B * c / ch.C, b1 = B * (c + 1) / ch.C;
          cell.recur(0, tm(s), u0, nu, Wp.data() + woff[c], dGs(s), dh0);
          cell.dx_rows(tm(s), b0, b1, dGs(s));
          if (s == 0) return;
          pointwise(c, s - 1, dGs(s - 1), W);
          cell.chunk_grads(u0, nu, dGs(s - 1), (s - 1) & 1);
          if (s > 1) cell.prepare(tm(s - 2), b0, b1, (s - 2) & 1);
        });
      return dG;
    }
  }
  auto dGt = [&](index_t s) { return dG + time_of(s, T, go_backwards) * W; };
  if (cell.phases == 1) {
    // Note [one phase per step]: chunk c's task runs step s's dh GEMM for its units (reading
    // all of dG_s, complete since the previous phase), then step s-1's pointwise pass for the
    // same units: it needs only their dh_{s-1}, just computed by this task. One phase (one wait
    // for the slowest chunk) per step instead of two, and the pointwise pass reads the dh rows
    // the GEMM left in this core's cache. The first step's pointwise pass joins the packing.
    sync.run(ph++, [&](index_t c) {
      cell.pack(ch.u0(c), ch.u1(c), Wp.data() + woff[c]);
      pointwise(c, T - 1, dGt(T - 1), T * W);
    });
    for (index_t s = T - 1; s >= 0; --s)
      sync.run(ph++, [&](index_t c) {
        const index_t u0 = ch.u0(c);
        cell.recur(0, time_of(s, T, go_backwards), u0, ch.u1(c) - u0, Wp.data() + woff[c], dG, dh0);
        if (s > 0) pointwise(c, s - 1, dGt(s - 1), T * W);
      });
    return dG;
  }
  sync.run(ph++, [&](index_t c) { cell.pack(ch.u0(c), ch.u1(c), Wp.data() + woff[c]); });
  for (index_t s = T - 1; s >= 0; --s) {
    sync.run(ph++, [&](index_t c) { pointwise(c, s, dGt(s), T * W); });
    for (int k = 0; k < cell.phases; ++k)
      sync.run(ph++, [&](index_t c) {
        const index_t u0 = ch.u0(c);
        cell.recur(k, time_of(s, T, go_backwards), u0, ch.u1(c) - u0, Wp.data() + woff[c], dG, dh0);
      });
  }
  return dG;
}

}  // namespace

}  // namespace TF_ISA
}  // namespace tf
