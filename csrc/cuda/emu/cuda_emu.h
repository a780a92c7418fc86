// A CPU model of the CUDA execution model, just enough to run our kernel sources as host C++:
// every block runs as blockDim.x std::threads (blocks one after another), __shared__ variables
// become function statics (one block at a time, so one copy is right), __syncthreads() is a
// blocking barrier. Built with -fsanitize=address it catches out-of-bounds global reads and writes
// (including float4 loads past a row's end); with -fsanitize=thread, shared-memory races that a
// missing barrier would cause. It says nothing about speed, warp-level behaviour or the real
// compiler; it exists because this project had no GPU to run on when these kernels were written.
#pragma once
#include <condition_variable>
#include <mutex>
#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static
#define __align__(n) __attribute__((aligned(n)))
#define __restrict__ __restrict

struct alignas(16) float4 {
  float x, y, z, w;
};
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
struct dim3 {
  unsigned x, y, z;
  dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
inline thread_local dim3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;
// A blocking barrier (mutex + condition variable): with hundreds of threads on a few cores,
// spinning barriers (std::barrier) waste the cores the other threads need.
class Barrier {
 public:
  explicit Barrier(unsigned n) : n_(n) {}
  void arrive_and_wait() {
    std::unique_lock<std::mutex> lk(m_);
    const unsigned long gen = gen_;
    if (++count_ == n_) {
      count_ = 0;
      ++gen_;
      cv_.notify_all();
    } else {
      cv_.wait(lk, [&] { return gen_ != gen; });
    }
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  unsigned n_, count_ = 0;
  unsigned long gen_ = 0;
};
inline Barrier* emu_barrier = nullptr;
inline void __syncthreads() { emu_barrier->arrive_and_wait(); }
#include <math.h>  // fmaf, expf, ... as the CUDA math library names them

// Warp shuffles: modelled with a block-wide exchange buffer and two barriers, so every thread of
// the block must reach every shuffle (our kernels are written that way; real hardware only needs
// the 32 lanes of the mask).
inline std::vector<float>* emu_shfl = nullptr;
inline float __shfl_xor_sync(unsigned /*mask*/, float v, int lane_mask) {
  const unsigned t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
  (*emu_shfl)[t] = v;
  __syncthreads();
  const float r = (*emu_shfl)[(t & ~31u) | ((t & 31u) ^ (unsigned)lane_mask)];
  __syncthreads();
  return r;
}

namespace emu {
// One persistent std::thread per CUDA thread of a block (created once per block size, reused by
// every block and launch: thread creation would dominate the run time otherwise).
class Pool {
 public:
  explicit Pool(unsigned n) : n_(n), start_(n + 1), done_(n + 1), sync_(n), shfl_(n) {
    for (unsigned t = 0; t < n; ++t)
      threads_.emplace_back([this, t] {
        for (;;) {
          start_.arrive_and_wait();
          if (quit_) return;
          job_(t);
          done_.arrive_and_wait();
        }
      });
  }
  ~Pool() {
    quit_ = true;
    start_.arrive_and_wait();
    for (auto& th : threads_) th.join();
  }
  void run_block(const std::function<void(unsigned)>& job) {
    job_ = job;
    emu_barrier = &sync_;
    emu_shfl = &shfl_;
    start_.arrive_and_wait();
    done_.arrive_and_wait();
  }
  unsigned size() const { return n_; }

 private:
  unsigned n_;
  Barrier start_, done_, sync_;
  std::vector<float> shfl_;
  std::function<void(unsigned)> job_;
  bool quit_ = false;
  std::vector<std::thread> threads_;
};

template <class F>
void launch(dim3 grid, dim3 block, F&& kernel) {
  gridDim = grid;
  blockDim = block;
  const unsigned nthreads = block.x * block.y * block.z;
  static std::vector<std::unique_ptr<Pool>> pools;
  Pool* pool = nullptr;
  for (auto& p : pools)
    if (p->size() == nthreads) pool = p.get();
  if (!pool) {
    pools.push_back(std::make_unique<Pool>(nthreads));
    pool = pools.back().get();
  }
  for (unsigned bz = 0; bz < grid.z; ++bz)
    for (unsigned by = 0; by < grid.y; ++by)
      for (unsigned bx = 0; bx < grid.x; ++bx)
        pool->run_block([&, bx, by, bz](unsigned t) {
          blockIdx = dim3(bx, by, bz);
          threadIdx = dim3(t % block.x, (t / block.x) % block.y, t / (block.x * block.y));
          kernel();
        });
}
}  // namespace emu
