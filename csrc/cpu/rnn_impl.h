// Private to csrc/cpu/rnn_*.cpp (compiled once per ISA, tf/isa.h): what the recurrent kernels
// share: the small packed GEMM and its per-step weight-gradient twin, the whole-sequence GEMM,
// the activations, the unit chunks and their phases, the packers. In an anonymous namespace:
// each rnn_*.cpp gets its own copy (the per-ISA namespaces keep the ISAs apart). The backward
// driver is rnn_bptt.h; the cells are rnn_lstm.cpp, rnn_gru.cpp, rnn_simple.cpp.
//
// Fused recurrent kernels: LSTM, GRU (reset_after True/False) and SimpleRNN over a whole
// sequence, forward and backward through time. Contract and layouts in tf/rnn.h; the NumPy twin
// (same math, same saved arrays) is python/tensorforge/reference/rnn.py.
//
// Structure of every forward (B batch, T time, F features, U units, G gates):
//   1. The input projection of ALL time steps is ONE GEMM: (B*T, F) @ kernel (F, G*U) + bias,
//      written straight into the `gates` (or `cand`) output, which the steps then overwrite in
//      place with the activated gates (so it costs no extra buffer). LSTM with few features
//      instead adds x_t @ kernel as a second term of each step's GEMM (Note [fused input
//      projection]).
//   2. Per step: one recurrent GEMM h_{t-1} (B, U) @ recurrent_kernel (U, G*U) and ONE fused
//      SIMD pointwise pass that applies every gate nonlinearity, the cell/hidden update and the
//      mask select. GRU reset_after=False needs r*h before the candidate's recurrent GEMM, so
//      its step is split: GEMM for z,r -> pointwise (z, r, r*h) -> GEMM for h -> pointwise.
// Every backward:
//   Per step (reverse order): ONE fused pointwise pass producing the gate pre-activation
//   gradients dG for that step (and the direct parts of dh_{t-1}, dc_{t-1}), then ONE GEMM
//   dh_{t-1} += dG_t (B, G*U) @ recurrent_kernel^T (GRU reset_after=False: two, as forward).
//   After the recurrence the weight gradients are one GEMM each over the whole sequence:
//   dx = dG @ kernel^T, dkernel = X^T dG, drecurrent_kernel = Hprev^T dG, dbias = column sums;
//   the LSTM accumulates them inside the loop instead while they fit the L2 (Note [per-step
//   weight gradients]).
//
// Note [saved for backward]
// The forward saves, indexed like x by the input time t (not processing order), (B, T, .):
//   - the ACTIVATED gates (LSTM i,f,g,o; GRU z,r,hh; SimpleRNN its output act(.)): every
//     derivative needed (sigmoid' = y(1-y), tanh' = 1-y^2, relu' = [y>0], hard_sigmoid' =
//     0.2[0<y<1]) is a function of the activation's output, so no pre-activation is kept and
//     backward calls no exp at all except LSTM's tanh(c_t) (cheaper to recompute than to store);
//   - h_prev (the state entering each step): it is the A operand of the one drecurrent GEMM
//     (Hprev^T dG) and the GRU's z-gradient needs it; laid out like x so dG lines up with both
//     x and h_prev row by row, whatever go_backwards and the mask did;
//   - LSTM c_prev (df = dc * c_prev and c_t = f c_prev + i g is recomputed from it);
//   - GRU rec_h: reset_after: h_prev @ U_h + b_rec_h (dr needs it); reset_after=False: r*h_prev
//     (the A operand of the candidate block of drecurrent).
// Masked steps: the forward still computes the step, then selects the carried state (a select,
// not a multiply, so NaN in a masked input cannot leak); the backward writes dG = 0 there and
// passes dh (dc) straight through.
//
// Parallelism: every phase of the time loop is one loop of chunk tasks on the pool
// (tf/parallel.h), whose helpers stay awake between the phases of a sequence. The units are cut into chunks; a chunk task computes the recurrent GEMM columns of
// ITS units for all G gates (pre-packed weights, see below) and then the pointwise update of
// exactly those units. A step is one phase of chunk tasks (two for GRU reset_after=False); the
// next phase starts when all chunks are done, because the next step's GEMM reads the whole h.
// Backward: one phase per step whose chunk task runs the GEMM giving dh_{t-1} for its units
// from the whole dG row, then the next step's pointwise pass (dG) for the same units (Note [one
// phase per step]; GRU reset_after=False: pointwise, then its two GEMM phases); one driver runs
// it for every cell (Note [BPTT driver]); the LSTM's whole-sequence backward and the GRU's with
// reset_after instead run their chain on one thread beside the weight-gradient GEMMs of the
// steps it has finished (Note [chain beside the GEMMs] in rnn_overlap.h). Chunks are claimed
// dynamically, see Note [dynamic unit chunks]. Where the whole packed weights stay near a core's L2, the LSTM instead cuts the batch
// rows into independent chains, one per thread, with no phase per step (Note [batch-row chains]
// in rnn_chains.h; the backward's in rnn_lstm.cpp).
// Small GEMM (Note [packed recurrent weights]): the recurrent weights are multiplied T times, so
// each thread packs its columns once into NR-wide panels (K x NR contiguous, zero padded) and
// every step runs a register-tiled MR x NR micro-kernel that streams h (or dG) rows: no packing
// and no thread fork inside the time loop. The whole-sequence GEMMs go through this ISA's sgemm
// (tf/gemm.h; called qualified, because the Act argument would also find the dispatcher
// tf::sgemm by ADL), which is parallel by itself.
#pragma once
#include <algorithm>
#include <array>
#include <utility>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <vector>

#include "tf/cpuinfo.h"
#include "tf/gemm.h"
#include "tf/parallel.h"
#include "tf/rnn.h"
#include "tf/simd.h"
#include "tf/ukernel.h"
#include "tf/workspace.h"

#ifndef TF_ISA
#error "rnn_impl.h is for csrc/cpu/rnn_*.cpp, compiled once per ISA"
#endif

namespace tf {
namespace TF_ISA {

namespace {

using namespace simd;

// ---- small packed GEMM (see Note [packed recurrent weights]) --------------------------------
// Uninitialised float workspace (every element is written before it is read; a zeroing
// std::vector would cost a full extra pass over the multi-MB dG / packed buffers).
// The large ones (dG, packed weights) are the calling thread's workspaces (Note [workspace]):
// resident after the first call instead of page-faulting in on every call.
struct Buf {
  std::unique_ptr<float[]> own;
  float* p;
  explicit Buf(size_t n) : own(n ? new float[n] : nullptr), p(own.get()) {}
  Buf(Ws slot, size_t n) : p(workspace<float>(slot, n)) {}
  float* data() { return p; }
  const float* data() const { return p; }
};

constexpr int NV = 2;           // vectors per micro-tile row
constexpr int NR = NV * kW;     // micro-tile width (32 avx512, 16 avx2, 2 generic)
// micro-tile height: MR x NV accumulators (16 zmm of 32 / 12 ymm of 16); ceil(B / MR) tiles of
// near-equal height (gemm_packed) suit the batch sizes of recurrent layers
constexpr int MR = kW == 16 ? 8 : 6;

inline vf ld(const float* p, int n) { return n == kW ? load(p) : load_n(p, n); }
inline void st(float* p, vf v, int n) {
  if (n == kW) store(p, v);
  else store_n(p, v, n);
}

// Note [row prefetch]: the pointwise passes walk a chunk's units of one time step batch row by
// batch row, and in the (B, T, .) layouts every row is its own short run (4 lines for 64
// units) a page or more from the next, so the hardware prefetchers do not run ahead and each
// row's loads wait for L3 or DRAM. Each row therefore prefetches the same runs kPfRows rows on.
constexpr index_t kPfRows = 4;
template <int RW>
inline void prefetch_run(const float* p, index_t n) {
  for (index_t o = 0; o < n; o += 64 / (index_t)sizeof(float)) __builtin_prefetch(p + o, RW, 3);
}

inline index_t packed_size(index_t K, index_t N) { return ceil_div(N, NR) * NR * K; }

// Bp <- B (K, N) (element (k, n) at B[k*rsB + n*csB]) as ceil(N/NR) panels of K x NR.
inline void pack_panels(index_t K, index_t N, const float* B, index_t rsB, index_t csB, float* Bp) {
  for (index_t p = 0; p < ceil_div(N, NR); ++p) {
    float* dst = Bp + p * K * NR;
    const index_t n0 = p * NR, nc = std::min<index_t>(NR, N - n0);
    for (index_t k = 0; k < K; ++k) {
      for (index_t j = 0; j < nc; ++j) dst[k * NR + j] = B[k * rsB + (n0 + j) * csB];
      for (index_t j = nc; j < NR; ++j) dst[k * NR + j] = 0.0f;
    }
  }
}

// One term A (M, K) @ B (K, N) of a packed GEMM: A's rows in place (row stride rsA, unit
// column stride), B packed by pack_panels.
struct Term {
  const float* A;
  index_t rsA, K;
  const float* Bp;
};

// One MR_ x NR tile of panel p: tf/ukernel.h's tile, summing the terms' products (one k loop
// per term, as conv's gather sums segments), then the store (C = or += the sum).
template <int MR_>
void micro_kernel(const Term* terms, int nterms, index_t i, index_t p, float* C, index_t ldc,
                  int ncols, bool accumulate) {
  Tile<float, MR_, NV> tile;
  for (int q = 0; q < nterms; ++q) {
    const Term& t = terms[q];
    tile.template madd<true, true>(t.K, AStrided<float>{t.A + i * t.rsA, t.rsA, 1},
                                   BRows<float, NR>{t.Bp + p * t.K * NR});
  }
  tile.store_c(C, ldc, MR_, ncols, Epilogue<float>{1.0f, accumulate ? 1.0f : 0.0f});
}

// C (M, N) (row stride ldc) = [C +] sum of the terms' A @ B (every term M x N). The M rows are
// cut into ceil(M / MR) tiles of near-equal height (B = 32, MR = 8: 4 x 8 rows; MR = 6:
// 6,6,5,5,5,5 rather than 5 x 6 + 2, whose 2-row tile has too few accumulators to hide the FMA
// latency).
using MicroKernel = void (*)(const Term*, int, index_t, index_t, float*, index_t, int, bool);
template <int... I>
constexpr std::array<MicroKernel, sizeof...(I)> micro_table(std::integer_sequence<int, I...>) {
  return {&micro_kernel<I + 1>...};
}
inline void gemm_packed(index_t M, index_t N, std::initializer_list<Term> terms, float* C, index_t ldc,
                 bool accumulate) {
  static constexpr auto kTable = micro_table(std::make_integer_sequence<int, MR>());
  if (M <= 0) return;  // (tiles would be 0 below)
  const index_t tiles = ceil_div(M, MR), base = M / tiles, extra = M % tiles;
  for (index_t p = 0; p < ceil_div(N, NR); ++p) {
    const int nc = (int)std::min<index_t>(NR, N - p * NR);
    float* cp = C + p * NR;
    for (index_t q = 0, i = 0; q < tiles; ++q) {
      const index_t m = base + (q < extra ? 1 : 0);
      kTable[m - 1](terms.begin(), (int)terms.size(), i, p, cp + i * ldc, ldc, nc, accumulate);
      i += m;
    }
  }
}
// The one-term form: C = [C +] A (M, K) @ Bp.
inline void gemm_packed(index_t M, index_t N, index_t K, const float* A, index_t rsA, const float* Bp,
                 float* C, index_t ldc, bool accumulate) {
  gemm_packed(M, N, {Term{A, rsA, K, Bp}}, C, ldc, accumulate);
}

// Note [per-step weight gradients]: the LSTM's weight gradients are accumulated inside the BPTT
// loop, while the step's dG is still in cache, instead of three whole-sequence GEMMs after it:
// each unit chunk owns the weight columns of its units (4 gate blocks of kernel,
// recurrent_kernel and bias), so a chunk task adds x_t^T dG_t and h_{t-1}^T dG_t (K = B) into
// its own columns with no reduction, in step order whatever thread runs it (deterministic).
// The whole-sequence GEMMs re-read the (B, T, 4U) dG from L3 and, with F = 28 features, ran
// narrow (dkernel M = 28, dx N = 28: ~60% of the FMA peak, 1 thread; rnn3's profile in
// bench/RESULTS.md). dx_t = dG_t kernel^T joins the step's dh GEMM phase: each chunk task also
// computes dx for its share of the batch rows against kernel^T packed once.
// Both operands of these K = B products are contiguous rows: dG_t is one (B, 4U) buffer reused
// every step (not the (B, T, 4U) the whole-sequence GEMMs need), and [x_t | h_{t-1}] is gathered
// into (B, F + U) rows (by chunk c for its batch rows, in the step before). Read in place from the
// (B, T, .) layouts, every batch row lies on its own page (57 KB apart for dG at U = 128) and
// the per-step form was no faster than the whole-sequence GEMMs (LSTM (64, 28, 28, 128)
// backward, 1 thread: 20.9 ms both); contiguous: 18.7 ms.
//
// C (M, N) (row stride ldc) += A^T B, A (K, M) and B (K, N) row-major with row strides rsA and
// rsB (unit column stride): K = the batch, A = x_t or h_{t-1} rows, B = a gate block of dG_t.
template <int MR_>
void tn_kernel(index_t K, const float* A, index_t rsA, const float* Bm, index_t rsB, float* C,
               index_t ldc, int ncols) {
  Tile<float, MR_, NV> tile;
  const Epilogue<float> acc{1.0f, 1.0f};
  if (ncols == NR) {
    tile.template madd<true, true>(K, AStrided<float>{A, 1, rsA}, BRows<float>{Bm, rsB});
    tile.store_c(C, ldc, MR_, ncols, acc);
  } else {  // the last chunk's partial panel: B rows read through the column masks
    vec_mask<float> mk[NV];
    for (int v = 0; v < NV; ++v) mk[v] = lane_mask<float>(ncols - v * kW);
    tile.template madd<false, true>(K, AStrided<float>{A, 1, rsA}, BRows<float>{Bm, rsB}, mk);
    tile.store_c(C, ldc, MR_, ncols, acc, mk);
  }
}
using TnKernel = void (*)(index_t, const float*, index_t, const float*, index_t, float*, index_t, int);
template <int... I>
constexpr std::array<TnKernel, sizeof...(I)> tn_table(std::integer_sequence<int, I...>) {
  return {&tn_kernel<I + 1>...};
}
inline void gemm_tn_acc(index_t M, index_t N, index_t K, const float* A, index_t rsA, const float* Bm,
                 index_t rsB, float* C, index_t ldc) {
  static constexpr auto kTable = tn_table(std::make_integer_sequence<int, MR>());
  if (M <= 0) return;
  const index_t tiles = ceil_div(M, MR), base = M / tiles, extra = M % tiles;
  for (index_t q = 0, i = 0; q < tiles; ++q) {
    const index_t m = base + (q < extra ? 1 : 0);
    for (index_t p = 0; p < ceil_div(N, NR); ++p)
      kTable[m - 1](K, A + i, rsA, Bm + p * NR, rsB, C + i * ldc + p * NR, ldc,
                    (int)std::min<index_t>(NR, N - p * NR));
    i += m;
  }
}

// Per-step weight gradients pay while what a thread touches every step stays about in its L2:
// its share of the (F + U, G*U) weight gradients and of the packed recurrent weights
// (U, G*U), plus the whole packed kernel^T (G*U, F) that every chunk's dx rows read. Past that
// every step streams them through L3, where the blocked whole-sequence GEMMs are the faster.
// Measured (LSTM fwd+bwd, per-step / whole-sequence time; footprint / L2 per core):
//   Zen 1, 512 KiB L2, 1 thread: (B, 28, 28, 128) 1.23 x L2: B = 32, 64 8-11% faster;
//   Zen 5, 1 MiB L2, 1 thread (CPU time): (64, 28, 28, 128) 0.62 x: 0.93; (64, 28, 128, 128)
//   1.0 x: 0.98; (64, 28, 64, 192) 1.5 x: 0.98; (64, 28, 28, 256) 2.2 x: 1.05;
//   (64, 28, 256, 256) 4 x: 1.38; 2 threads (wall, shared machine): (128, 28, 256, 256)
//   2.5 x: 1.23 (bench/RESULTS.md, rnn5). Counting only the gradients (the rule set on Zen 1)
//   chose per-step there at 2 threads. The bound keeps Zen 1's measured choice; between 1.25
//   and ~2 x the two are within a few percent. The depth of these K = B products is the batch: a tile
//   adds B products per load and store of its C rows ((B, 28, 28, 128), 1 thread: Zen 1
//   B = 8 15% slower, 16 equal, 32 and 64 8-11% faster; Zen 5 B = 8 8% slower, 16 1% slower,
//   24 2% faster, 32 5% faster).
constexpr index_t kStepGradsMinBatch = 24;
constexpr double kStepGradsMaxL2 = 1.25;  // footprint per thread / L2 per core
inline bool step_grads_fit(index_t B, index_t F, index_t U, index_t G, int nt) {
  if (B < kStepGradsMinBatch) return false;
  const CpuCaches& c = cpu_caches();
  const double l2 = c.l2 > 0 ? (double)c.l2 / std::max(1, c.l2_sharing) : 512.0 * 1024;
  const double shared = (double)(F + U) * (G * U) + (double)packed_size(U, G * U);
  const double floats = shared / std::max(nt, 1) + (double)packed_size(G * U, F);
  return floats * sizeof(float) <= kStepGradsMaxL2 * l2;
}

// ---- whole-sequence GEMM ----------------------------------------------------------------------
// The projection and weight-gradient GEMMs (M or K = B*T) go to this ISA's tf::sgemm (blocked,
// parallel by itself). A packed copy of our small micro-kernel for them was measured against
// it (CPU time, 1 thread, LSTM/GRU fwd+bwd at (64,28,256,256) and (32,100,512,512)) and lost by
// 10-20%, so it was removed.
inline void seq_gemm(index_t M, index_t N, index_t K, const float* A, index_t rsA, index_t csA,
                     const float* B, index_t rsB, index_t csB, float beta, float* C, index_t ldc,
                     const float* bias) {
  TF_ISA::sgemm(M, N, K, 1.0f, A, rsA, csA, B, rsB, csB, beta, C, ldc, bias, Act::none);
}

// Note [fused input projection]: the LSTM's input projection x_t @ kernel is a GEMM with K = F.
// Done once over all steps (M = B*T) it writes the (B, T, 4U) pre-activations to memory and the
// steps read them back; with few features that pass costs more than its FLOPs (LSTM
// (64, 28, 28, 128): the K = 28 GEMM ran at 65% of the FMA peak, 1 thread). Up to
// kFuseMaxFeatures features the projection is instead a second term of each step's packed GEMM
// (kernel packed per chunk beside recurrent_kernel): R = x_t @ W + h_{t-1} @ U in one register
// tile, and the pointwise pass adds the bias. With many features the one big GEMM is the faster
// (fused at F = 256: LSTM (64, 28, 256, 256) forward 4% slower, 1 thread).
constexpr index_t kFuseMaxFeatures = 64;

// ---- activations (vector), derivatives from the activation's output -------------------------
inline vf act_f(vf z, RnnAct k) {
  switch (k) {
    case RnnAct::relu: return vmax(zero(), z);  // NaN stays NaN (Note [NaN in max])
    case RnnAct::sigmoid: return sigmoid(z);
    case RnnAct::hard_sigmoid: return vmin(set1(1.0f), vmax(zero(), fmadd(z, set1(0.2f), set1(0.5f))));
    default: return simd::tanh(z);
  }
}
inline vf dact_f(vf y, RnnAct k) {
  const vf one = set1(1.0f);
  switch (k) {
    case RnnAct::relu: return select_gt(y, zero(), one, zero());
    case RnnAct::sigmoid: return y * (one - y);
    case RnnAct::hard_sigmoid: return select_gt(y, zero(), select_gt(one, y, set1(0.2f), zero()), zero());
    default: return one - y * y;
  }
}

// Vector loop over [0, n) with a masked tail: f(j, lanes).
template <typename Fn>
inline void for_lanes(index_t n, Fn&& f) {
  index_t j = 0;
  for (; j + kW <= n; j += kW) f(j, kW);
  if (j < n) f(j, (int)(n - j));
}

// ---- threads -------------------------------------------------------------------------------------
constexpr index_t kUnitGrain = 16;  // chunk sizes are multiples of max(16, NR)
constexpr index_t kMinParallelStepFlop = 2000000;  // tests/test_rnn.py has shapes above it

inline int team_size(index_t B, index_t U, index_t G) {
  int nt = max_threads();
  nt = (int)std::min<index_t>(nt, ceil_div(U, kUnitGrain));
  // A step under ~2 MFLOP (~20 us on one core) gains little from a second thread and pays a
  // synchronisation per phase.
  if (2 * B * U * U * G < kMinParallelStepFlop) nt = 1;
  return std::max(nt, 1);
}

// Note [dynamic unit chunks]: the units are cut into chunks (a multiple of the micro-tile
// width, ~2 per thread) and every phase of a step (e.g. "recurrent GEMM + pointwise of these
// units") is a set of chunk tasks that the team's threads claim from an atomic ticket counter;
// a phase may start once every chunk of the previous phase is done (a counter, not a thread
// barrier). On a quiet machine this behaves like a static split; on an oversubscribed one a
// descheduled thread no longer stalls the step: the running thread takes its chunks.
struct UnitChunks {
  index_t C = 0, max_nu = 0;
  std::vector<index_t> bound;  // C + 1 unit boundaries
  UnitChunks(index_t U, int nt) {
    const index_t grain = std::max<index_t>(kUnitGrain, NR);
    index_t per = ceil_div(ceil_div(U, (index_t)(nt > 1 ? 2 * nt : 1)), grain) * grain;
    per = std::max(per, grain);
    for (index_t u = 0; u < U; u += per) bound.push_back(u);
    bound.push_back(U);
    C = (index_t)bound.size() - 1;
    for (index_t c = 0; c < C; ++c) max_nu = std::max(max_nu, bound[c + 1] - bound[c]);
  }
  index_t u0(index_t c) const { return bound[c]; }
  index_t u1(index_t c) const { return bound[c + 1]; }
};

// Offsets of each chunk's packed weights: per_chunk(nu) floats for a chunk of nu units.
template <typename Fn>
std::vector<index_t> chunk_offsets(const UnitChunks& ch, Fn per_chunk) {
  std::vector<index_t> off(ch.C + 1, 0);
  for (index_t c = 0; c < ch.C; ++c) off[c + 1] = off[c] + per_chunk(ch.u1(c) - ch.u0(c));
  return off;
}

// A phase of chunk tasks is one loop on the pool (tf/parallel.h): the calling thread and the
// running helpers claim the chunks; the call returns when all are done (Note [dynamic unit chunks]).
class PhaseSync {
 public:
  PhaseSync(index_t chunks, int nt) : C_(chunks), nt_(nt) {}
  template <typename Fn>
  void run(int64_t /*phase*/, Fn&& fn) {
    parallel_chunks(C_, nt_, fn);
  }

 private:
  const index_t C_;
  const int nt_;
};

// Scratch for one chunk task: the executing thread's Ws::rnn_step buffer (tf/workspace.h).
struct StepScratch {
  Ws slot;
  size_t n;
  float* data() const { return n ? workspace<float>(slot, n) : nullptr; }
};

// Pack, for units [u0, u1), the gates' column blocks of a (K, G*U) weight (recurrent_kernel:
// K = U; kernel: K = F): gate gates[q]'s block is Rp + q * packed_size(K, nu), columns
// gates[q]*U + u0 .. gates[q]*U + u1.
inline void pack_recurrent_fwd(const float* w, index_t K, index_t G, index_t U, index_t u0, index_t u1,
                        const int* gates, int ng, float* Rp) {
  const index_t nu = u1 - u0;
  for (int q = 0; q < ng; ++q)
    pack_panels(K, nu, w + gates[q] * U + u0, G * U, 1, Rp + q * packed_size(K, nu));
}

// Pack recurrent_kernel^T rows for units [u0, u1), restricted to gate columns [k0, k1):
// element (k, n) = rk[(u0 + n) * G*U + k0 + k]  (K = k1 - k0, N = nu).
inline void pack_recurrent_bwd(const float* rk, index_t U, index_t G, index_t u0, index_t u1, index_t k0,
                        index_t k1, float* Rp) {
  pack_panels(k1 - k0, u1 - u0, rk + u0 * G * U + k0, 1, G * U, Rp);
}

// Column sums of A (M rows, stride lda) for columns [c0, c1) into out[0 .. c1-c0).
inline void column_sums(index_t M, const float* A, index_t lda, index_t c0, index_t c1, float* out) {
  const index_t n = c1 - c0;
  const int nt = M * n > 65536 ? max_threads() : 1;
  parallel_range(ceil_div(n, 64), 1, nt, [&](index_t b0, index_t b1) {
    for (index_t j0 = b0 * 64; j0 < std::min(n, b1 * 64); j0 += 64) {
      const index_t j1 = std::min(n, j0 + 64);
      float acc[64];
      for (index_t j = j0; j < j1; ++j) acc[j - j0] = 0.0f;
      for (index_t i = 0; i < M; ++i) {
        const float* a = A + i * lda + c0;
        for (index_t j = j0; j < j1; ++j) acc[j - j0] += a[j];
      }
      for (index_t j = j0; j < j1; ++j) out[j] = acc[j - j0];
    }
  });
}

inline index_t time_of(index_t s, index_t T, bool go_backwards) { return go_backwards ? T - 1 - s : s; }

}  // namespace

}  // namespace TF_ISA
}  // namespace tf
