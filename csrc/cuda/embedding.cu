// Embedding lookup on the GPU: launchers for embedding_kernels.cuh. Twin of
// csrc/cpu/embedding.cpp; contract in tf/cuda_kernels.h and reference/embedding.py.
#include <algorithm>

#include "embedding_kernels.cuh"
#include "tf/cuda_check.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace cuda {
using namespace embedding;

namespace {
unsigned blocks_for(long long n, int threads) {
  return (unsigned)std::max(1LL, std::min((n + threads - 1) / threads, 1LL << 20));
}
}  // namespace

void embedding_forward(cudaStream_t s, int64_t V, int64_t D, int64_t n, const float* table,
                       const void* ids, bool ids64, float* y) {
  if (n * D <= 0) return;
  if (ids64)
    embedding_forward_kernel<<<blocks_for(n * D, THREADS), THREADS, 0, s>>>(
        n, D, V, table, static_cast<const long long*>(ids), y);
  else
    embedding_forward_kernel<<<blocks_for(n * D, THREADS), THREADS, 0, s>>>(
        n, D, V, table, static_cast<const int*>(ids), y);
  TF_CUDA_LAUNCH_CHECK();
}

void embedding_backward(cudaStream_t s, int64_t V, int64_t D, int64_t n, const float* dy,
                        const void* ids, bool ids64, const int64_t* order, float* dtable) {
  TF_CUDA_CHECK(cudaMemsetAsync(dtable, 0, (size_t)V * (size_t)D * sizeof(float), s));
  if (n <= 0) return;
  const unsigned grid = (unsigned)std::min<int64_t>(n, 1 << 20);
  const long long* ord = reinterpret_cast<const long long*>(order);
  if (ids64)
    embedding_backward_kernel<<<grid, BWD_THREADS, 0, s>>>(n, D, V, dy, static_cast<const long long*>(ids),
                                                           ord, dtable);
  else
    embedding_backward_kernel<<<grid, BWD_THREADS, 0, s>>>(n, D, V, dy, static_cast<const int*>(ids),
                                                           ord, dtable);
  TF_CUDA_LAUNCH_CHECK();
}

}  // namespace cuda
}  // namespace tf
