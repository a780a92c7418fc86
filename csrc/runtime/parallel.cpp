// The thread pool behind tf/parallel.h (Note [chunks claimed dynamically]). Compiled once, with
// the baseline flags, into _C: one pool for the kernels of every ISA.
//
// State of the current loop: one 64-bit word `claim_` = epoch (16 bits) | threads (8) |
// nchunks (20) | next chunk (20). A thread claims chunk i by a compare-and-swap of the whole word
// from (.., next = i) to (.., next = i + 1), so the count, the thread limit and the index it
// claims always belong to the same loop; the loop's function and context (fields written before
// the word was published, with release) stay valid until every claimed chunk reports done, and
// the caller returns only then. A thread that reads an old word either fails its CAS or (if the
// word is equal again) claims a chunk that really is the current loop's. Loops of more than
// 2^20 - 1 chunks are run in groups of chunks.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

#include "tf/common.h"
#include "tf/parallel.h"

namespace tf {

namespace {

constexpr uint64_t kIdxBits = 20, kIdxMask = (uint64_t(1) << kIdxBits) - 1;
constexpr uint64_t kThrShift = 2 * kIdxBits, kThrMask = 0xFF, kEpochShift = kThrShift + 8;
constexpr index_t kMaxChunks = (index_t)kIdxMask;
constexpr int kMaxThreads = 255;

inline uint64_t pack(uint64_t epoch, uint64_t threads, uint64_t n, uint64_t next) {
  return (epoch << kEpochShift) | (threads << kThrShift) | (n << kIdxBits) | next;
}
inline uint64_t w_epoch(uint64_t w) { return w >> kEpochShift; }
inline uint64_t w_threads(uint64_t w) { return (w >> kThrShift) & kThrMask; }
inline uint64_t w_n(uint64_t w) { return (w >> kIdxBits) & kIdxMask; }
inline uint64_t w_next(uint64_t w) { return w & kIdxMask; }

inline void cpu_relax() {
#ifdef TF_X86
  _mm_pause();
#endif
}

thread_local bool t_in_chunk = false;

int env_int(const char* name, int dflt) {
  const char* s = std::getenv(name);
  if (!s || !*s) return dflt;
  char* end = nullptr;
  const long v = std::strtol(s, &end, 10);
  return end != s && v > 0 && v < 1000000 ? (int)v : dflt;
}

bool env_is(const char* name, const char* value) {
  const char* s = std::getenv(name);
  return s && std::strcmp(s, value) == 0;
}

int default_threads() {
  // OMP_NUM_THREADS is honoured as before (users and CI set it); TENSORFORGE_NUM_THREADS wins.
  int n = 0;
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) n = CPU_COUNT(&set);
#endif
  if (n <= 0) n = (int)std::thread::hardware_concurrency();
  if (n <= 0) n = 1;
  n = env_int("OMP_NUM_THREADS", n);
  n = env_int("TENSORFORGE_NUM_THREADS", n);
  return std::min(n, kMaxThreads);
}

class Pool {
 public:
  Pool() : threads_(default_threads()), spin_us_(env_int("TENSORFORGE_SPIN_US", 50)) {}

  int threads() const { return threads_.load(std::memory_order_relaxed); }
  void set_threads(int n) { threads_.store(std::min(std::max(n, 1), kMaxThreads), std::memory_order_relaxed); }

  void run(index_t n, int threads, ChunkFn fn, void* ctx) {
    std::unique_lock<std::mutex> use(use_, std::try_to_lock);
    if (!use.owns_lock()) {  // another thread's loop is running: do ours here, alone
      serial(n, fn, ctx);
      return;
    }
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    if (t0 < serial_until_) {  // Note [straggler backoff]
      serial(n, fn, ctx);
      return;
    }
    threads = std::min({threads, threads_.load(std::memory_order_relaxed), kMaxThreads});
    ensure_workers(threads - 1);
    place_helpers(threads - 1);  // Note [helpers pinned off the caller's cpu]
    fn_ = fn;
    ctx_ = ctx;
    error_ = nullptr;
    done_.store(0, std::memory_order_relaxed);
    epoch_ = (epoch_ + 1) & 0xFFFF;
    claim_.store(pack(epoch_, (uint64_t)threads, (uint64_t)n, 0), std::memory_order_seq_cst);
    if (sleepers_.load(std::memory_order_seq_cst) > 0) {
      std::lock_guard<std::mutex> lk(sleep_mu_);
      sleep_cv_.notify_all();
    }
    t_in_chunk = true;
    const index_t mine = work(0);
    t_in_chunk = false;
    const auto t1 = clock::now();
    // Every chunk is claimed; wait for the ones still running on helpers.
    for (int spin = 0; done_.load(std::memory_order_acquire) < (uint64_t)n;) {
      if (++spin < 4000) cpu_relax();
      else std::this_thread::yield();  // a helper holding a chunk may share our core
    }
    backoff_update(n, mine, t0, t1, clock::now());
    if (error_) std::rethrow_exception(error_);
  }

  // After fork() only the calling thread exists in the child: forget the helpers (leaked).
  void reset_after_fork() {
    new (&use_) std::mutex();
    new (&sleep_mu_) std::mutex();
    new (&err_mu_) std::mutex();
    new (&sleep_cv_) std::condition_variable();
    workers_.clear();  // their std::thread objects are leaked: the threads are gone
    pin_.clear();
#if defined(__linux__)
    handles_.clear();
#endif
    sleepers_.store(0);
    claim_.store(0);
    stop_.store(false);
    serial_until_ = {};
    backoff_us_ = 0;
  }

 private:
  static void serial(index_t n, ChunkFn fn, void* ctx) {
    const bool outer = t_in_chunk;
    t_in_chunk = true;
    for (index_t c = 0; c < n; ++c) fn(ctx, c);
    t_in_chunk = outer;
  }

  // Note [straggler backoff]: a helper that claimed a chunk and was then descheduled (the
  // machine has more runnable threads than cores) holds the caller until the OS runs it again:
  // on a heavily shared machine that is many milliseconds. After each loop the caller compares
  // its wall time with what running every chunk itself would have cost (its own chunks' time
  // scaled to all chunks); when the loop was slower, the next loops run on the calling thread
  // alone for a while (1 ms, doubling on each bad loop up to 256 ms, halving after a good one),
  // and then threads are tried again. On a quiet machine no loop is ever that slow.
  void backoff_update(index_t n, index_t mine, std::chrono::steady_clock::time_point t0,
                      std::chrono::steady_clock::time_point t1,
                      std::chrono::steady_clock::time_point t2) {
    using us = std::chrono::duration<double, std::micro>;
    const double own = us(t1 - t0).count(), total = us(t2 - t0).count();
    const double alone = mine > 0 ? own * (double)n / (double)mine : total;
    if (total > 1.1 * alone + 20.0) {
      backoff_us_ = std::min(backoff_us_ > 0 ? 2 * backoff_us_ : 1000, 256000);
      serial_until_ = t2 + std::chrono::microseconds(backoff_us_);
      ++backoffs_;
    } else {
      backoff_us_ /= 2;
    }
  }

  // Claim and run chunks of the current loop while any is left. `slot` 0 is the caller.
  // Returns the number of chunks this thread ran.
  index_t work(int slot) {
    index_t ran = 0;
    for (;;) {
      uint64_t w = claim_.load(std::memory_order_acquire);
      const uint64_t i = w_next(w);
      if (i >= w_n(w) || (uint64_t)slot >= w_threads(w)) return ran;
      if (!claim_.compare_exchange_weak(w, w + 1, std::memory_order_acq_rel, std::memory_order_relaxed))
        continue;
      try {
        fn_(ctx_, (index_t)i);
      } catch (...) {
        std::lock_guard<std::mutex> lk(err_mu_);
        if (!error_) error_ = std::current_exception();
      }
      done_.fetch_add(1, std::memory_order_acq_rel);
      ++ran;
    }
  }

  bool has_work(int slot) const {
    const uint64_t w = claim_.load(std::memory_order_acquire);
    return w_next(w) < w_n(w) && (uint64_t)slot < w_threads(w);
  }

  void helper(int slot) {
#ifdef TF_X86
    _mm_setcsr(_mm_getcsr() | 0x8040u);  // FTZ/DAZ for good (Note [FTZ/DAZ]); runs no user code
#endif
    t_in_chunk = true;
    using clock = std::chrono::steady_clock;
    for (;;) {
      work(slot);
      // Idle: spin a while for the next loop, then sleep until one is published.
      const uint64_t seen = w_epoch(claim_.load(std::memory_order_acquire));
      const auto until = clock::now() + std::chrono::microseconds(spin_us_);
      bool again = false;
      for (int k = 1; !stop_.load(std::memory_order_relaxed); ++k) {
        if (has_work(slot)) { again = true; break; }
        cpu_relax();
        if ((k & 63) == 0 && clock::now() > until) break;
      }
      if (stop_.load(std::memory_order_relaxed)) return;
      if (again) continue;
      std::unique_lock<std::mutex> lk(sleep_mu_);
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      while (!stop_.load() && w_epoch(claim_.load(std::memory_order_seq_cst)) == seen)
        sleep_cv_.wait(lk);
      sleepers_.fetch_sub(1, std::memory_order_seq_cst);
    }
  }

  // Note [helpers pinned off the caller's cpu]: a helper asleep when a loop is published is
  // woken by the caller, and on these machines the kernel often queues it on the caller's own CPU
  // (the waker's) while the other CPU idles: the helper then waits behind the busy caller, the
  // caller runs every chunk itself, and whole stretches of loops run at one thread's speed. Zen 5
  // KVM guest, 2 threads, 512^3 SGEMM in rounds of 7 calls after a 0.2 s pause (the helper asleep
  // at each round's start): rounds read 460 or 240 GFLOP/s, the slow ones with the CPU other than
  // the caller's idle; with the helper's affinity set to that other CPU every round read 424-472.
  // So each helper is pinned to one CPU of the process's allowed set other than the caller's, and
  // helpers to different CPUs while there are enough; before every loop the caller checks that it
  // does not itself run on a helper's CPU (the scheduler may have moved it there) and otherwise
  // re-pins that helper to a free CPU (one system call; pins are counted by pool_pins). The caller's own
  // affinity is never touched. Under contention a helper pinned beside a busy process still only
  // claims chunks while it runs (Note [chunks claimed dynamically]). TENSORFORGE_PIN_THREADS=0
  // leaves placement to the kernel; helpers beyond the allowed CPUs stay unpinned.
  int free_cpu(int avoid, int self) const {
#if defined(__linux__)
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (c == avoid || !CPU_ISSET(c, &allowed_)) continue;
      bool taken = false;
      for (size_t k = 0; k < pin_.size() && !taken; ++k) taken = (int)k != self && pin_[k] == c;
      if (!taken) return c;
    }
#endif
    (void)avoid;
    (void)self;
    return -1;
  }

  void pin(size_t k, int cpu) {
#if defined(__linux__)
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (pthread_setaffinity_np(handles_[k], sizeof(one), &one) != 0) return;
    pin_[k] = cpu;
    pins_.fetch_add(1, std::memory_order_relaxed);
#endif
  }

  void place_helpers(int n) {
    if (!pin_enabled_ || n <= 0) return;
#if defined(__linux__)
    const int me = sched_getcpu();
    if (me < 0) return;
    for (int k = 0; k < n && k < (int)pin_.size(); ++k) {
      if (pin_[k] >= 0 && pin_[k] != me) continue;
      const int c = free_cpu(me, k);
      if (c >= 0) pin(k, c);
    }
#endif
  }

  void ensure_workers(int n) {
    while ((int)workers_.size() < n) {
      const int slot = (int)workers_.size() + 1;
      auto* t = new std::thread([this, slot] { helper(slot); });
#if defined(__linux__)
      if (workers_.empty() && (!pin_enabled_ || sched_getaffinity(0, sizeof(allowed_), &allowed_) != 0))
        pin_enabled_ = false;  // Note [helpers pinned off the caller's cpu]
      handles_.push_back(t->native_handle());  // before detach, which forgets it
#endif
      pin_.push_back(-1);
      t->detach();  // the pool lives until the process exits
      workers_.push_back(t);
    }
  }

  std::atomic<int> threads_;
  const int spin_us_;
  std::mutex use_;                    // one loop at a time
  std::atomic<uint64_t> claim_{0};    // see the file header
  std::atomic<uint64_t> done_{0};     // chunks of the current loop finished
  uint64_t epoch_ = 0;                // written by the loop's caller (under use_)
  ChunkFn fn_ = nullptr;
  void* ctx_ = nullptr;
  std::exception_ptr error_;
  std::mutex err_mu_;
  std::vector<std::thread*> workers_;
  std::atomic<bool> stop_{false};
  std::mutex sleep_mu_;
  std::condition_variable sleep_cv_;
  std::atomic<int> sleepers_{0};
  // Note [helpers pinned off the caller's cpu]; used by the loop's caller only (under use_)
  bool pin_enabled_ = !env_is("TENSORFORGE_PIN_THREADS", "0");
  std::vector<int> pin_;  // per helper: the CPU it is pinned to, or -1
#if defined(__linux__)
  std::vector<pthread_t> handles_;
  cpu_set_t allowed_{};
#endif
  std::atomic<long> pins_{0};
  // Note [straggler backoff]; written by the loop's caller only (under use_).
  std::chrono::steady_clock::time_point serial_until_{};
  int backoff_us_ = 0;
  long backoffs_ = 0;

 public:
  long backoffs() const { return backoffs_; }
  long pins() const { return pins_.load(std::memory_order_relaxed); }
};

Pool& pool() {
  static Pool* p = [] {
    auto* q = new Pool();  // never destroyed: detached helpers may still spin at exit
#if defined(__linux__)
    pthread_atfork(nullptr, nullptr, [] { pool().reset_after_fork(); });
#endif
    return q;
  }();
  return *p;
}

// Loops of more chunks than the claim word holds: run groups of consecutive chunks.
struct Grouped {
  ChunkFn fn;
  void* ctx;
  index_t n, per;
};

}  // namespace

int pool_threads() { return pool().threads(); }
long pool_backoffs() { return pool().backoffs(); }
long pool_pins() { return pool().pins(); }
void pool_set_threads(int n) { pool().set_threads(n); }
bool pool_in_chunk() { return t_in_chunk; }

void pool_run(index_t nchunks, int threads, ChunkFn fn, void* ctx) {
  if (nchunks <= 0) return;
  if (nchunks > kMaxChunks) {
    Grouped g{fn, ctx, nchunks, ceil_div(nchunks, kMaxChunks)};
    pool_run(ceil_div(nchunks, g.per), threads,
             [](void* c, index_t i) {
               const Grouped& gg = *static_cast<const Grouped*>(c);
               for (index_t k = i * gg.per; k < std::min(gg.n, (i + 1) * gg.per); ++k) gg.fn(gg.ctx, k);
             },
             &g);
    return;
  }
  if (threads <= 1 || nchunks == 1 || t_in_chunk) {
    const bool outer = t_in_chunk;
    t_in_chunk = true;
    for (index_t c = 0; c < nchunks; ++c) fn(ctx, c);
    t_in_chunk = outer;
    return;
  }
  pool().run(nchunks, threads, fn, ctx);
}

}  // namespace tf
