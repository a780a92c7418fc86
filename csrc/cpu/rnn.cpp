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
// it for every cell (Note [BPTT driver]). Chunks are claimed dynamically, see Note [dynamic unit chunks].
// Small GEMM (Note [packed recurrent weights]): the recurrent weights are multiplied T times, so
// each thread packs its columns once into NR-wide panels (K x NR contiguous, zero padded) and
// every step runs a register-tiled MR x NR micro-kernel that streams h (or dG) rows: no packing
// and no thread fork inside the time loop. The whole-sequence GEMMs go through this ISA's sgemm
// (tf/gemm.h; called qualified, because the Act argument would also find the dispatcher
// tf::sgemm by ADL), which is parallel by itself.
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
void pack_panels(index_t K, index_t N, const float* B, index_t rsB, index_t csB, float* Bp) {
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
void gemm_packed(index_t M, index_t N, std::initializer_list<Term> terms, float* C, index_t ldc,
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
void gemm_packed(index_t M, index_t N, index_t K, const float* A, index_t rsA, const float* Bp,
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
void gemm_tn_acc(index_t M, index_t N, index_t K, const float* A, index_t rsA, const float* Bm,
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
bool step_grads_fit(index_t B, index_t F, index_t U, index_t G, int nt) {
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

int team_size(index_t B, index_t U, index_t G) {
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
void pack_recurrent_fwd(const float* w, index_t K, index_t G, index_t U, index_t u0, index_t u1,
                        const int* gates, int ng, float* Rp) {
  const index_t nu = u1 - u0;
  for (int q = 0; q < ng; ++q)
    pack_panels(K, nu, w + gates[q] * U + u0, G * U, 1, Rp + q * packed_size(K, nu));
}

// Pack recurrent_kernel^T rows for units [u0, u1), restricted to gate columns [k0, k1):
// element (k, n) = rk[(u0 + n) * G*U + k0 + k]  (K = k1 - k0, N = nu).
void pack_recurrent_bwd(const float* rk, index_t U, index_t G, index_t u0, index_t u1, index_t k0,
                        index_t k1, float* Rp) {
  pack_panels(k1 - k0, u1 - u0, rk + u0 * G * U + k0, 1, G * U, Rp);
}

// Column sums of A (M rows, stride lda) for columns [c0, c1) into out[0 .. c1-c0).
void column_sums(index_t M, const float* A, index_t lda, index_t c0, index_t c1, float* out) {
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
// weight-gradient GEMMs the caller runs next (not per_step).
template <class Cell>
const float* bptt(const RnnDims& d, const Cell& cell, const float* d_out, const float* d_h_T,
                  const float* mask, bool go_backwards, float* dh0) {
  const index_t B = d.B, T = d.T, U = d.U, W = cell.W, nblk = W / U;
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
  auto pointwise = [&](index_t c, index_t s, float* dGs, index_t rs) {
    const index_t t = time_of(s, T, go_backwards), u0 = ch.u0(c), nu = ch.u1(c) - u0;
    for (index_t b = 0; b < B; ++b) {
      float* g = dGs + b * rs + u0;
      const float* dout = d_out + (b * T + s) * U + u0;
      if (b + kPfRows < B) {  // Note [row prefetch]
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

// =============================================== LSTM ======================================
void lstm_forward TF_RNN_LSTM_FWD_PARAMS {
  FtzGuard ftz;
  const index_t B = d.B, T = d.T, F = d.F, U = d.U, GU = 4 * U;
  // 1. the input projection: one GEMM over all steps into the gates buffer, or for few features
  //    a second term of every step's GEMM (Note [fused input projection])
  const bool fused = F <= kFuseMaxFeatures;
  if (!fused) seq_gemm(B * T, GU, F, x, F, 1, kernel, GU, 1, 0.0f, gates, GU, bias);
  // c lives in c_T during the loop (a chunk task touches only its own units).
  if (c0) std::memcpy(c_T, c0, sizeof(float) * B * U);
  else std::memset(c_T, 0, sizeof(float) * B * U);
  const int nt = team_size(B, U, 4);
  const UnitChunks ch(U, nt);  // Note [dynamic unit chunks]
  // per chunk: (fused) the 4 gates' kernel blocks (F x nu each), then their recurrent_kernel blocks
  const index_t Fp = fused ? F : 0;
  const std::vector<index_t> woff =
      chunk_offsets(ch, [&](index_t nu) { return 4 * (packed_size(Fp, nu) + packed_size(U, nu)); });
  Buf Wp(Ws::rnn_wpack, (size_t)woff[ch.C]);
  PhaseSync sync(ch.C, nt);
  {
    static const int all4[4] = {0, 1, 2, 3};
    const StepScratch R{Ws::rnn_step, (size_t)(B * 4 * ch.max_nu)};  // per executing thread
    int64_t ph = 0;
    // a chunk packs its weights in step 0's task (Note [one phase per step])
    auto pack = [&](index_t c) {
      const index_t u0 = ch.u0(c), u1 = ch.u1(c);
      float* wx = Wp.data() + woff[c];
      if (fused) pack_recurrent_fwd(kernel, F, 4, U, u0, u1, all4, 4, wx);
      pack_recurrent_fwd(recurrent_kernel, U, 4, U, u0, u1, all4, 4, wx + 4 * packed_size(Fp, u1 - u0));
    };
    std::vector<float> zeros(h0 ? 0 : (size_t)B * U, 0.0f);
    for (index_t s = 0; s < T; ++s) {
      const index_t t = time_of(s, T, go_backwards);
      // h_{s-1}: out[:, s-1] (row stride T*U) or the initial state (row stride U)
      const float* hp = s > 0 ? out + (s - 1) * U : (h0 ? h0 : zeros.data());
      const index_t rs_hp = s > 0 ? T * U : U;
      sync.run(ph++, [&](index_t c) {
        if (s == 0) pack(c);
        const index_t u0 = ch.u0(c), u1 = ch.u1(c), nu = u1 - u0;
        const index_t psx = packed_size(Fp, nu), ps = packed_size(U, nu);
        const float* wx = Wp.data() + woff[c];
        const float* wp = wx + 4 * psx;
        // R = [x_t @ kernel[:, chunk] +] h_{t-1} @ recurrent_kernel[:, chunk], gate by gate
        for (int g = 0; g < 4; ++g) {
          const Term th{hp, rs_hp, U, wp + g * ps};
          if (fused) gemm_packed(B, nu, {Term{x + t * F, T * F, F, wx + g * psx}, th}, R.data() + g * nu, 4 * nu, false);
          else gemm_packed(B, nu, {th}, R.data() + g * nu, 4 * nu, false);
        }
        for (index_t b = 0; b < B; ++b) {
          float* P = gates + (b * T + t) * GU + u0;   // projection in (unless fused), activations out
          if (b + kPfRows < B) {  // Note [row prefetch]: the gates (read unless fused, written)
            for (index_t q = 0; q < 4; ++q) prefetch_run<1>(P + kPfRows * T * GU + q * U, nu);
          }
          const float* r = R.data() + b * 4 * nu;
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
      });
    }
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
  RnnAct act, rec_act;
  index_t packed(index_t nu) const { return packed_size(W, nu); }
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
      st(g + j, dct * gg * dact_f(i, rec_act), n);
      st(g + U + j, dct * cpv * dact_f(f, rec_act), n);
      st(g + 2 * U + j, dct * i * dact_f(gg, act), n);
      st(g + 3 * U + j, dht * ac * dact_f(o, rec_act), n);
      st(dc + j, dct * f, n);
      st(dh + j, zero(), n);  // the GEMM accumulates dh_{t-1}
    });
  }
  // dh_{t-1}[:, chunk units] += dG_t (B, 4U) @ recurrent_kernel^T[:, chunk units]
  void recur(int, index_t t, index_t u0, index_t nu, const float* Rp, const float* dG, float* dh0) const {
    if (per_step) gemm_packed(B, nu, W, dG, W, Rp, dh0 + u0, U, true);
    else gemm_packed(B, nu, W, dG + t * W, T * W, Rp, dh0 + u0, U, true);
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

void lstm_backward TF_RNN_LSTM_BWD_PARAMS {
  FtzGuard ftz;
  const index_t B = d.B, T = d.T, F = d.F, U = d.U, GU = 4 * U;
  std::memcpy(dc0, d_c_T, sizeof(float) * B * U);  // dc0 holds the running dc_t
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
                      dc0, dx, dkernel, drecurrent_kernel, dbias, xh.data(), act, rec_act};
  const float* G2 = bptt(d, cell, d_out, d_h_T, mask, go_backwards, dh0);
  if (per_step) return;
  // whole-sequence weight gradients: one GEMM each (Note [saved for backward])
  seq_gemm(B * T, F, GU, G2, GU, 1, kernel, 1, GU, 0.0f, dx, F, nullptr);
  seq_gemm(F, GU, B * T, x, 1, F, G2, GU, 1, 0.0f, dkernel, GU, nullptr);
  seq_gemm(U, GU, B * T, h_prev, 1, U, G2, GU, 1, 0.0f, drecurrent_kernel, GU, nullptr);
  column_sums(B * T, G2, GU, 0, GU, dbias);
}

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
// The GRU cell of Note [BPTT driver]. dG columns: reset_after: [dz, dr, dhh*r (recurrent h
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
  index_t packed(index_t nu) const { return packed_size(Kzr, nu) + (reset_after ? 0 : packed_size(U, nu)); }
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
        st(g + U + j, dhh * ld(rh + j, n) * dact_f(r, rec_act), n);
        st(g + 2 * U + j, dhh * r, n);
      }
    });
  }
  void recur(int k, index_t t, index_t u0, index_t nu, const float* Rp, float* dG, float* dh0) const {
    if (reset_after) {  // dh_{t-1}[:, chunk] += dG_t (B, 3U) @ U^T[:, chunk]
      gemm_packed(B, nu, 3 * U, dG + t * W, T * W, Rp, dh0 + u0, U, true);
      return;
    }
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
  const GruCell cell{B, U, T, W, Kzr, o_hx, recurrent_kernel, gates, h_prev, rec_h, mask, reset_after,
                     act, rec_act, reset_after ? 1 : 2,
                     StepScratch{Ws::rnn_step2, reset_after ? 0 : (size_t)(B * max_nu)}};
  const float* G2 = bptt(d, cell, d_out, d_h_T, mask, go_backwards, dh0);
  const index_t BT = B * T;
  // input side: [dz dr] against kernel[:, 0:2U], dhh (column o_hx) against kernel[:, 2U:3U]
  seq_gemm(BT, F, 2 * U, G2, W, 1, kernel, 1, GU, 0.0f, dx, F, nullptr);
  seq_gemm(BT, F, U, G2 + o_hx, W, 1, kernel + 2 * U, 1, GU, 1.0f, dx, F, nullptr);
  seq_gemm(F, 2 * U, BT, x, 1, F, G2, W, 1, 0.0f, dkernel, GU, nullptr);
  seq_gemm(F, U, BT, x, 1, F, G2 + o_hx, W, 1, 0.0f, dkernel + 2 * U, GU, nullptr);
  if (reset_after) {
    seq_gemm(U, GU, BT, h_prev, 1, U, G2, W, 1, 0.0f, drecurrent_kernel, GU, nullptr);
    column_sums(BT, G2, W, 0, 2 * U, dbias);
    column_sums(BT, G2, W, o_hx, o_hx + U, dbias + 2 * U);
    column_sums(BT, G2, W, 0, GU, dbias + GU);
  } else {
    seq_gemm(U, 2 * U, BT, h_prev, 1, U, G2, W, 1, 0.0f, drecurrent_kernel, GU, nullptr);
    seq_gemm(U, U, BT, rec_h, 1, U, G2 + 2 * U, W, 1, 0.0f, drecurrent_kernel + 2 * U, GU, nullptr);
    column_sums(BT, G2, W, 0, GU, dbias);
  }
}

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
