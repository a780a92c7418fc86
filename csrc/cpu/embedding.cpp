// Embedding gather / scatter-add kernels (contract: tf/embedding.h). Compiled once per ISA.
//
// Forward copies one table row per id (rows of D contiguous floats), parallel over ids.
// Backward, Note [deterministic scatter] in tf/embedding.h: a stable counting sort of the ids
// by row (O(n + V), on the calling thread: n is a batch of ids, far less work than the V*D
// output), then the rows of dtable are split across threads, each row summed in id order.
#include <algorithm>
#include <cstring>
#include <vector>

#include "tf/embedding.h"
#include "tf/parallel.h"
#include "tf/simd.h"

namespace tf {
namespace TF_ISA {

namespace {
using namespace simd;

int threads_for(double bytes) { return bytes < 2e5 ? 1 : max_threads(); }

template <typename I>
void gather(index_t V, index_t D, index_t n, const float* table, const I* ids, float* y) {
  FtzGuard ftz;
  (void)V;
  const int nt = threads_for(8.0 * n * D);
  parallel_range(n, chunk_size(n, nt, std::max<index_t>(1, 4096 / D)), nt, [&](index_t b, index_t e) {
    for (index_t i = b; i < e; ++i)
      std::memcpy(y + i * D, table + (index_t)ids[i] * D, sizeof(float) * (size_t)D);
  });
}

template <typename I>
void scatter_add(index_t V, index_t D, index_t n, const float* dy, const I* ids, float* dtable) {
  FtzGuard ftz;
  // start[v] .. start[v + 1]: the positions i (increasing) with ids[i] == v
  std::vector<index_t> start((size_t)V + 1, 0), pos((size_t)n);
  for (index_t i = 0; i < n; ++i) ++start[(index_t)ids[i] + 1];
  for (index_t v = 0; v < V; ++v) start[v + 1] += start[v];
  {
    std::vector<index_t> fill(start.begin(), start.end() - 1);
    for (index_t i = 0; i < n; ++i) pos[fill[(index_t)ids[i]]++] = i;
  }
  const int nt = threads_for(4.0 * V * D + 4.0 * n * D);
  parallel_range(V, chunk_size(V, nt, std::max<index_t>(1, 4096 / D)), nt, [&](index_t b, index_t e) {
    for (index_t v = b; v < e; ++v) {
      float* out = dtable + v * D;
      const index_t p0 = start[v], p1 = start[v + 1];
      if (p0 == p1) {
        std::memset(out, 0, sizeof(float) * (size_t)D);
        continue;
      }
      std::memcpy(out, dy + pos[p0] * D, sizeof(float) * (size_t)D);
      for (index_t p = p0 + 1; p < p1; ++p) {
        const float* g = dy + pos[p] * D;
        for (index_t d = 0; d < D; d += kW) {
          const int nn = (int)std::min<index_t>(kW, D - d);
          if (nn == kW)
            store(out + d, load(out + d) + load(g + d));
          else
            store_n(out + d, load_n(out + d, nn) + load_n(g + d, nn), nn);
        }
      }
    }
  });
}

}  // namespace

void embedding_forward_i32(index_t V, index_t D, index_t n, const float* table, const int32_t* ids,
                           float* y) {
  gather(V, D, n, table, ids, y);
}
void embedding_forward_i64(index_t V, index_t D, index_t n, const float* table, const int64_t* ids,
                           float* y) {
  gather(V, D, n, table, ids, y);
}
void embedding_backward_i32(index_t V, index_t D, index_t n, const float* dy, const int32_t* ids,
                            float* dtable) {
  scatter_add(V, D, n, dy, ids, dtable);
}
void embedding_backward_i64(index_t V, index_t D, index_t n, const float* dy, const int64_t* ids,
                            float* dtable) {
  scatter_add(V, D, n, dy, ids, dtable);
}

}  // namespace TF_ISA
}  // namespace tf
