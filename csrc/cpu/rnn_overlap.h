// Private to csrc/cpu/rnn_*.cpp: the backward's recurrent chain on one thread beside the
// whole-sequence weight-gradient GEMMs of the steps it has finished (Note [chain beside the GEMMs]).
#pragma once
#include <atomic>
#include <chrono>

#include "rnn_bptt.h"
#include "rnn_chains.h"

namespace tf {
namespace TF_ISA {

namespace {

// Note [chain beside the GEMMs]: the backward's recurrent chain (a step's dh GEMM and pointwise
// pass) does not scale across threads (a step is ~150 us; split over two cores each half runs
// slower: bench/RESULTS.md, lstm8), while the whole-sequence GEMMs after it (dx = dG kernel^T,
// dkernel = x^T dG, drecurrent_kernel = h^T dG) scale perfectly and need only the dG of the
// steps they cover. So the chain runs on one thread, and the GEMMs are cut into time blocks
// that the other thread runs as soon as the chain has finished a block's steps: task
// parallelism instead of data parallelism. The loop then ends after about (chain + tasks) / 2:
// LSTM (64, 28, 256, 256) on Zen 5, a 4.6 ms chain beside 11.6 thread-ms of tasks, 8.3-8.9 ms.
// The ceiling is low, since one thread's GEMM blocks cost about what the whole-sequence GEMMs
// cost at two: against the data-parallel loop then the GEMMs, bwd 3-5% faster at (128, 28,
// 256, 256), 0-1% at (64, 28, 256, 256), 1-2.5% slower at (32, 100, 512, 512), whose
// two-thread chain splits well (bench/RESULTS.md, lstm9).
//
// The work is one pool loop of two chunks (tf/parallel.h); the chunk that runs is a role:
// role 0 runs chain steps while the chain is free, then tasks; role 1 runs tasks whose inputs
// are final, and takes a chain step itself only when the chain has stood free for
// kChainTakeoverUs (its owner is not running: descheduled, or busy in a task). Nobody waits
// long for a descheduled thread: a task or chain step one thread holds is the most another
// waits for, and with one thread the caller runs both roles' chunks in order (the whole chain,
// then every task). Tasks come in streams of nblk blocks: an ordered stream runs its blocks
// one after another in block order (the gradients a stream accumulates add the blocks in the
// same order on any thread count: deterministic), an unordered one claims them in any overlap.
constexpr double kChainTakeoverUs = 50.0;
constexpr double kMinOverlapFlop = 4e6;

// A stream of nblk tasks: ordered (its blocks one at a time, in block order) or not; block k
// waits for the chain to have finished it (on_chain: ready(steps done) > k) and, when dep >= 0,
// for block k of the ordered stream dep.
struct TaskStream {
  bool ordered, on_chain;
  int dep;
};

// step(i) for i in [0, nsteps) in order; task(q, k) for stream q < nq and block k < nblk when
// stream[q] allows (ready is monotone). Streams earlier in the list are tried first.
template <class Step, class Ready, class Task>
void chain_with_tasks(index_t nsteps, index_t nblk, int nq, const TaskStream* stream, int nt, const Step& step,
                      const Ready& ready, const Task& task) {
  // chain: 2 * steps done + 1 while a step runs; ordered streams: 2 * block + 1 while it runs;
  // unordered streams: the next block to claim
  std::atomic<index_t> chain{0};
  std::atomic<index_t> q[4];
  for (int i = 0; i < nq; ++i) q[i].store(0, std::memory_order_relaxed);
  auto try_chain = [&]() {
    index_t v = chain.load(std::memory_order_acquire);
    if ((v & 1) || v == 2 * nsteps) return false;
    if (!chain.compare_exchange_strong(v, v + 1, std::memory_order_acq_rel)) return false;
    step(v / 2);
    chain.store(v + 2, std::memory_order_release);
    return true;
  };
  // 1: ran a task; 0: none ready; -1: none left to claim
  auto try_task = [&]() {
    const index_t rc = ready(chain.load(std::memory_order_acquire) / 2);
    bool left = false;
    for (int i = 0; i < nq; ++i) {
      index_t v = q[i].load(std::memory_order_acquire);
      index_t r = stream[i].on_chain ? rc : nblk;  // blocks below r may start
      if (stream[i].dep >= 0) r = std::min(r, q[stream[i].dep].load(std::memory_order_acquire) / 2);
      if (stream[i].ordered) {
        if (v >= 2 * nblk - 1) continue;  // the last block claimed
        left = true;
        if ((v & 1) || v / 2 >= r) continue;
        if (!q[i].compare_exchange_strong(v, v + 1, std::memory_order_acq_rel)) continue;
        task(i, v / 2);
        q[i].store(v + 2, std::memory_order_release);
        return 1;
      }
      if (v >= nblk) continue;
      left = true;
      if (v >= r || !q[i].compare_exchange_strong(v, v + 1, std::memory_order_acq_rel)) continue;
      task(i, v);
      return 1;
    }
    return left ? 0 : -1;
  };
  using clock = std::chrono::steady_clock;
  parallel_chunks(2, nt, [&](index_t role) {
    index_t seen = -1;
    clock::time_point since{};
    for (;;) {
      if (role == 0 && try_chain()) continue;
      const int t = try_task();
      if (t > 0) continue;
      const index_t v = chain.load(std::memory_order_acquire);
      if (v == 2 * nsteps) {
        if (t < 0) return;
      } else if (role != 0 && !(v & 1)) {  // the chain stands free: take it over if it stays so
        if (v != seen) {
          seen = v;
          since = clock::now();
        } else if (std::chrono::duration<double, std::micro>(clock::now() - since).count() > kChainTakeoverUs) {
          try_chain();
          seen = -1;
          continue;
        }
      }
      spin_pause();
    }
  });
}

// Rows (steps x batch) per time block of Note [chain beside the GEMMs]: the depth of the
// dkernel / drecurrent_kernel GEMMs of a block (each block reads and writes their whole C).
// LSTM (64, 28, 256, 256) backward at 2 threads, shared machine: 128, 192, 256 and 384 rows
// within the noise (8.4-8.7 ms); 1792 (one block, no overlap) 13.3 ms.
constexpr index_t kOverlapBlockRows = 256;

// The cells' task streams, in the order they are tried: 0 dkernel, 1 drecurrent_kernel (ordered:
// each adds its blocks in block order), 2 dx (any order), 3 the block's [x_t | h_{t-1}] rows
// gathered time-major (no chain needed: the thread waiting for the chain's first blocks does
// it, block 0 first packing kernel^T for dx; the others wait for it).
constexpr TaskStream kWeightGradStreams[4] = {{true, true, 3}, {true, true, 3}, {false, true, 3}, {true, false, -1}};

// Note [padded weight gradients]: the time blocks' dkernel / drecurrent_kernel GEMMs add into a
// copy of the two gradients whose rows are ld_padded(G U) floats apart, copied out by the last
// block. With the outputs' own row stride (4U floats: 4 KiB at U = 256, 8 KiB at U = 512) every
// row of a 12-row C tile falls into the same L1 set (and few L2 sets), and each block reads and
// writes all of C (4 MiB each at U = 512) with only K = 256 products per element in between.
// sgemm alone, 1 thread, C (512, 2048) += A^T B, K = 256: 186-226 GFLOP/s at ldc 2048 against
// 224-236 at ldc 2080 (bench/RESULTS.md, lstm10). The GRU's 3U-float rows (6 KiB at U = 512):
// Zen 4, 2 threads, (32, 100, 512, 512) dkernel / drk streams 50.3 / 50.6 thread-ms padded
// against 52.2 / 52.7, bwd 102.4 against 104.6 ms; at U = 256 equal (rnn23). Rows start on a
// cache line; a multiple of 128 floats (512 B) gets a line more.
inline index_t ld_padded(index_t n) {
  const index_t ld = ceil_div(n, (index_t)16) * 16;
  return ld % 128 == 0 ? ld + 16 : ld;
}
// dst (rows, n) (row stride ldd) = src (row stride lds): a padded copy's rows copied out
inline void copy_rows(index_t rows, index_t n, const float* src, index_t lds, float* dst, index_t ldd) {
  for (index_t r = 0; r < rows; ++r) std::memcpy(dst + r * ldd, src + r * lds, sizeof(float) * n);
}

// Stream 3's gather: rows t * B + b of xh (F + U floats each) for t in [t0, t1) = [x_t | h_{t-1}]
// of batch row b, read from the (B, T, .) layouts of x and h_prev.
inline void gather_xh(index_t B, index_t T, index_t F, index_t U, const float* x, const float* h_prev,
                      index_t t0, index_t t1, float* xh) {
  const index_t FU = F + U;
  for (index_t t = t0; t < t1; ++t)
    for (index_t b = 0; b < B; ++b) {
      float* o = xh + (t * B + b) * FU;
      std::memcpy(o, x + (b * T + t) * F, sizeof(float) * F);
      std::memcpy(o + F, h_prev + (b * T + t) * U, sizeof(float) * U);
    }
}

// The backward through time of Note [chain beside the GEMMs] for a one-phase cell: the chain
// of Note [one phase per step] with one chunk of all units, dG kept time-major (T, B, W) so a
// time block is one run of rows. Chain step 0 packs R^T and runs step T-1's pointwise pass;
// step i > 0 runs step s = T-i's dh GEMM and step s-1's pointwise pass. Time block k covers
// the steps s in [T - e(k+1), T - e(k)), e(0) = 0, e(1) = ceil(tb / 2), then tb steps a block
// (clipped at T): the first block is short, so the other thread waits less for its first GEMMs.
// Its times are [t0, t1) (go_backwards: t = T-1-s); task(q, TimeBlock) runs stream q's work on it.
struct TimeBlock {
  index_t k, t0, t1, rows;  // block k: times [t0, t1), rows = (t1 - t0) * B
  const float* G;           // its dG rows: (rows, W), row (t - t0) * B + b
  float beta;               // 0 for block 0 (an ordered stream's first), else 1: C += the block's
  bool last;                // holds step 0: an ordered stream's last block
};
template <class Cell, class Task>
void bptt_overlapped(const RnnDims& d, const Cell& cell, const float* d_out, const float* d_h_T,
                     const float* mask, bool go_backwards, float* dh0, index_t tb, int nq,
                     const TaskStream* streams, const Task& task) {
  // (a one-phase cell: the LSTM, the GRU with reset_after; the chain runs one phase per step)
  const index_t B = d.B, T = d.T, U = d.U, W = cell.W;
  float* dG = workspace<float>(Ws::rnn_grad, (size_t)(B * T * W));
  std::memcpy(dh0, d_h_T, sizeof(float) * B * U);  // dh0 holds the running dh_t
  Buf Rp(Ws::rnn_wpack, (size_t)cell.packed(U));
  auto dGs = [&](index_t s) { return dG + time_of(s, T, go_backwards) * B * W; };
  auto step = [&](index_t i) {
    if (i == 0) {
      cell.pack(0, U, Rp.data());
      bptt_pointwise(d, cell, d_out, mask, go_backwards, dh0, 0, B, 0, U, T - 1, dGs(T - 1), W);
      return;
    }
    const index_t s = T - i;
    gemm_packed(B, U, cell.depth(), dGs(s), W, Rp.data(), dh0, U, true);
    if (s > 0) bptt_pointwise(d, cell, d_out, mask, go_backwards, dh0, 0, B, 0, U, s - 1, dGs(s - 1), W);
  };
  std::vector<index_t> e{0};  // block k: the chain's steps [e(k), e(k+1)) before the last
  for (index_t n = (tb + 1) / 2; e.back() < T; n = tb) e.push_back(std::min(T, e.back() + n));
  const index_t nblk = (index_t)e.size() - 1;
  // the steps whose dG is final after i chain steps: i (T after the last)
  auto ready = [&](index_t i) {
    index_t k = 0;
    while (k < nblk && e[k + 1] <= std::min(i, T)) ++k;
    return k;
  };
  // a second thread only where the sequence's GEMMs (dx, the weight gradients, the chain's dh:
  // four of ~2 B T W U flops when F ~ U) pay for waking it
  const int nt = max_threads() > 1 && 8.0 * B * T * W * U >= kMinOverlapFlop ? 2 : 1;
  chain_with_tasks(T + 1, nblk, nq, streams, nt, step, ready, [&](int q, index_t k) {
    const index_t s0 = T - e[k + 1], s1 = T - e[k];
    const index_t t0 = go_backwards ? T - s1 : s0, t1 = go_backwards ? T - s0 : s1;
    task(q, TimeBlock{k, t0, t1, (t1 - t0) * B, dG + t0 * B * W, k == 0 ? 0.0f : 1.0f, e[k + 1] == T});
  });
}

}  // namespace

}  // namespace TF_ISA
}  // namespace tf
