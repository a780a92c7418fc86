// Embedding lookup and its gradient (kernels in csrc/cpu/embedding.cpp, the oracle is
// python/tensorforge/reference/embedding.py).
//
//   table (V, D) float32, ids: n int32 or int64 ids, each in [0, V) (the bindings check the
//   range before calling; the kernels never see a bad id), y / dy (n, D).
// Forward: y[i] = table[ids[i]] (WRITTEN).
// Backward: dtable[v] = sum of dy[i] over the i with ids[i] == v, in increasing i (WRITTEN,
//   zero for ids that do not occur). Note [deterministic scatter]: the ids are bucketed by row
//   (a stable counting sort) and each row of dtable is summed by one thread in that order, so
//   the result is bit-identical at every thread count, with no atomics.
#pragma once
#include <cstdint>

#include "tf/common.h"
#include "tf/isa.h"

namespace tf {

TF_DECLARE_KERNEL(void, embedding_forward_i32,
                  (index_t V, index_t D, index_t n, const float* table, const int32_t* ids, float* y))
TF_DECLARE_KERNEL(void, embedding_forward_i64,
                  (index_t V, index_t D, index_t n, const float* table, const int64_t* ids, float* y))
TF_DECLARE_KERNEL(void, embedding_backward_i32,
                  (index_t V, index_t D, index_t n, const float* dy, const int32_t* ids, float* dtable))
TF_DECLARE_KERNEL(void, embedding_backward_i64,
                  (index_t V, index_t D, index_t n, const float* dy, const int64_t* ids, float* dtable))

static inline void embedding_forward(index_t V, index_t D, index_t n, const float* table,
                                     const int32_t* ids, float* y) {
  TF_DISPATCH(embedding_forward_i32, V, D, n, table, ids, y);
}
static inline void embedding_forward(index_t V, index_t D, index_t n, const float* table,
                                     const int64_t* ids, float* y) {
  TF_DISPATCH(embedding_forward_i64, V, D, n, table, ids, y);
}
static inline void embedding_backward(index_t V, index_t D, index_t n, const float* dy,
                                      const int32_t* ids, float* dtable) {
  TF_DISPATCH(embedding_backward_i32, V, D, n, dy, ids, dtable);
}
static inline void embedding_backward(index_t V, index_t D, index_t n, const float* dy,
                                      const int64_t* ids, float* dtable) {
  TF_DISPATCH(embedding_backward_i64, V, D, n, dy, ids, dtable);
}

}  // namespace tf
