// The batch layout of a batched GEMM (C_s = op(A)_s @ op(B)_s for every slice s), shared by the
// CPU kernels (tf/gemm.h), the CUDA launcher (tf/cuda_kernels.h) and both bindings. Plain C++:
// no pybind11, no CUDA.
//
// Note [batch levels]: the slices form an outer x inner grid; slice (o, i) of A starts at
// A + o*a[0] + i*a[1] (element offsets; 0 = the operand is broadcast along that level), likewise
// B and C. Two levels cover what the layers produce without a copy: any contiguous batch
// (one level), the attention layers' per-head views (B, T, H, D) -> (B, H, T, D) (batch strides
// T*H*D and D: two levels), and a broadcast operand (stride 0). plan_gemm_batch merges the
// broadcast batch dimensions of an np.matmul call into at most two levels; a layout that needs
// three (e.g. (2, 1, 3) against (1, 4, 1) batches) is reported so the binding can copy.
#pragma once
#include <cstdint>
#include <vector>

namespace tf {

struct GemmBatch {
  int64_t outer = 1, inner = 1;  // slices: outer x inner
  int64_t a[2] = {0, 0};         // element offset between consecutive outer / inner slices of A
  int64_t b[2] = {0, 0};         // ... of B
  int64_t c[2] = {0, 0};         // ... of C
  int64_t count() const { return outer * inner; }
};

// n[d]: the broadcast batch shape; sa/sb/sc[d]: each operand's element stride along d (0 where it
// is broadcast). Dimensions of size 1 are dropped, and neighbours d, d+1 merge when every operand
// steps over d as n[d+1] steps of d+1. Returns false (out untouched) when more than two levels
// remain.
inline bool plan_gemm_batch(const std::vector<int64_t>& n, const std::vector<int64_t>& sa,
                            const std::vector<int64_t>& sb, const std::vector<int64_t>& sc,
                            GemmBatch& out) {
  struct Dim { int64_t n, a, b, c; };
  std::vector<Dim> dims;
  for (size_t d = 0; d < n.size(); ++d) {
    if (n[d] == 1) continue;
    const Dim x{n[d], sa[d], sb[d], sc[d]};
    if (!dims.empty()) {
      Dim& p = dims.back();
      if (p.a == x.a * x.n && p.b == x.b * x.n && p.c == x.c * x.n) {
        p = Dim{p.n * x.n, x.a, x.b, x.c};
        continue;
      }
    }
    dims.push_back(x);
  }
  if (dims.size() > 2) return false;
  GemmBatch g;
  if (dims.size() == 2) {
    g.outer = dims[0].n;
    g.a[0] = dims[0].a; g.b[0] = dims[0].b; g.c[0] = dims[0].c;
  }
  if (!dims.empty()) {
    const Dim& in = dims.back();
    g.inner = in.n;
    g.a[1] = in.a; g.b[1] = in.b; g.c[1] = in.c;
  }
  out = g;
  return true;
}

}  // namespace tf
