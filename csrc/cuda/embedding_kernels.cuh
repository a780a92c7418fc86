// Embedding kernel bodies (launchers in embedding.cu), kept apart so csrc/cuda/emu/ can run them
// on the CPU model. Twin of csrc/cpu/embedding.cpp; the contract is
// python/tensorforge/reference/embedding.py's docstring.
//
// Embedding: forward one thread per output element, an id outside [0, V) gives a zero row (the
// GPU path does not check ids, see reference/embedding.py). Backward, Note [deterministic
// scatter, GPU]: `order` is a stable argsort of the ids (the binding asks CuPy), so the
// positions of one id are a run in increasing position order; the block that starts a run sums
// its dy rows in that order into dtable[id] (every other row stays as zeroed). No atomics.
#pragma once

namespace tf {
namespace cuda {
namespace embedding {

constexpr int THREADS = 256;   // forward: one thread per output element
constexpr int BWD_THREADS = 128;  // backward: one block per run of equal ids, threads over D

// y (n, D) = table[ids] (a zero row for an id outside [0, V)).
template <typename I>
__global__ void embedding_forward_kernel(long long n, long long D, long long V,
                                         const float* __restrict__ table, const I* __restrict__ ids,
                                         float* __restrict__ y) {
  for (long long e = (long long)blockIdx.x * blockDim.x + threadIdx.x; e < n * D;
       e += (long long)gridDim.x * blockDim.x) {
    const long long i = e / D, d = e - i * D;
    const long long v = (long long)ids[i];
    y[e] = (v >= 0 && v < V) ? table[v * D + d] : 0.0f;
  }
}

// dtable (V, D), zeroed by the caller: run starts of the stably sorted ids sum their dy rows.
template <typename I>
__global__ void embedding_backward_kernel(long long n, long long D, long long V,
                                          const float* __restrict__ dy, const I* __restrict__ ids,
                                          const long long* __restrict__ order,
                                          float* __restrict__ dtable) {
  for (long long j = blockIdx.x; j < n; j += gridDim.x) {
    const long long v = (long long)ids[order[j]];
    if ((j > 0 && (long long)ids[order[j - 1]] == v) || v < 0 || v >= V) continue;
    for (long long d = threadIdx.x; d < D; d += blockDim.x) {
      float acc = 0.0f;
      for (long long q = j; q < n && (long long)ids[order[q]] == v; ++q) acc += dy[order[q] * D + d];
      dtable[v * D + d] = acc;
    }
  }
}

}  // namespace embedding
}  // namespace cuda
}  // namespace tf
