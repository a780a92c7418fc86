// A CPU model of the CUDA execution model, just enough to run our kernel sources as host C++:
// every block runs as blockDim.x std::threads (blocks one after another), __shared__ variables
// become function statics (one block at a time, so one copy is right), __syncthreads() is a
// std::barrier. Built with -fsanitize=address it catches out-of-bounds global reads and writes
// (including float4 loads past a row's end); with -fsanitize=thread, shared-memory races that a
// missing barrier would cause. It says nothing about speed, warp-level behaviour or the real
// compiler; it exists because this project had no GPU to run on when these kernels were written.
#pragma once
#include <barrier>
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
inline std::barrier<>* emu_barrier = nullptr;
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
template <class F>
void launch(dim3 grid, dim3 block, F&& kernel) {
  gridDim = grid;
  blockDim = block;
  const unsigned nthreads = block.x * block.y * block.z;
  for (unsigned bz = 0; bz < grid.z; ++bz)
    for (unsigned by = 0; by < grid.y; ++by)
      for (unsigned bx = 0; bx < grid.x; ++bx) {
        std::barrier<> bar(nthreads);
        emu_barrier = &bar;
        std::vector<float> shfl(nthreads);
        emu_shfl = &shfl;
        std::vector<std::thread> ts;
        ts.reserve(nthreads);
        for (unsigned t = 0; t < nthreads; ++t)
          ts.emplace_back([&, t] {
            blockIdx = dim3(bx, by, bz);
            threadIdx = dim3(t % block.x, (t / block.x) % block.y, t / (block.x * block.y));
            kernel();
          });
        for (auto& th : ts) th.join();
      }
}
}  // namespace emu
