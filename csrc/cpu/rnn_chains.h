// Private to csrc/cpu/rnn_*.cpp: independent recurrent chains (batch-row groups) stepped by whoever
// runs, with no per-step phase across them (Note [batch-row chains]).
#pragma once
#include <atomic>
#include <memory>

#include "rnn_impl.h"

namespace tf {
namespace TF_ISA {

namespace {

inline void spin_pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Note [batch-row chains]: the LSTM's forward recurrence couples the units of a step (the next
// step's GEMM reads all of h_t) but never two batch rows: row b's h_t depends only on row b's
// h_{t-1}. So the batch rows can be cut into groups, "chains", each stepping through the whole
// sequence on its own (its rows' GEMM over all units against the whole packed weights, then the
// pointwise pass over whole rows), with no phase, no wait for the other thread's half of the
// step. A thread claims the next step of a chain nobody holds (preferring the one it ran last);
// a chain step is the longest another thread can wait for a descheduled one, as with the unit
// chunks' phases, and with one thread the chains run one after another. Every row's arithmetic
// (its tile row of the packed micro-kernel, its pointwise lanes) is the same in any grouping, so
// the outputs do not depend on the thread or chain count.
// step(c, s) for every chain c < nchains and step s < nsteps, s in order within a chain.
template <class Step>
void run_chains(index_t nchains, index_t nsteps, int nt, const Step& step) {
  if (nchains <= 0 || nsteps <= 0) return;
  if (nt <= 1 || nchains == 1) {
    for (index_t c = 0; c < nchains; ++c)
      for (index_t s = 0; s < nsteps; ++s) step(c, s);
    return;
  }
  // per chain: 2 * steps done, + 1 while a step runs
  std::unique_ptr<std::atomic<index_t>[]> st(new std::atomic<index_t>[nchains]);
  for (index_t c = 0; c < nchains; ++c) st[c].store(0, std::memory_order_relaxed);
  std::atomic<index_t> finished{0};
  parallel_chunks(nt, nt, [&](index_t role) {
    index_t pref = role * nchains / nt;
    for (;;) {
      bool ran = false;
      for (index_t k = 0; k < nchains && !ran; ++k) {
        const index_t c = (pref + k) % nchains;
        index_t v = st[c].load(std::memory_order_acquire);
        if ((v & 1) || v == 2 * nsteps) continue;
        if (!st[c].compare_exchange_strong(v, v + 1, std::memory_order_acq_rel)) continue;
        step(c, v / 2);
        st[c].store(v + 2, std::memory_order_release);
        if (v + 2 == 2 * nsteps) finished.fetch_add(1, std::memory_order_acq_rel);
        pref = c;
        ran = true;
      }
      if (ran) continue;
      if (finished.load(std::memory_order_acquire) == nchains) return;
      spin_pause();
    }
  });
}

}  // namespace

}  // namespace TF_ISA
}  // namespace tf
