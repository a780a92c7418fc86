// The GEMM's paths for shapes the register tile serves badly (compiled once per ISA): short K
// (Note [short K]), dot products along K for tiny outputs, and streamed B^T for few rows (Note
// [streamed B^T]). Their kernels are in gemm_small_kernels.h.
#include <algorithm>
#include <vector>

#include "gemm_paths.h"
#include "tf/parallel.h"

namespace tf {
namespace TF_ISA {
namespace gemm_impl {

// K <= kShortK (Note [short K]): row blocks of C swept along N. Chunks are column blocks whose
// K x nb slab of B (read in place) fits L1d, at least ~4 per thread, each running every row of C
// (each thread writes its own columns; no sum is split, so any thread count gives the same bits).
// A slab of all of L1d rather than half of it: longer C row streams per block, the slab's few
// misses are L2 hits (Zen 1, 1 thread, 25 x 6 x 36864: nb 672 -> 1344 -> 2688 columns measured
// 23.7 -> 25.5 -> 25.7 GFLOP/s per CPU-second, loaded machine).
template <class K>
bool use_short_k(const Problem<K>& p) {
  return K::kShortK > 0 && p.csB == 1 && p.K_ <= K::kShortK && p.N >= 4 * (index_t)K::kLanes;
}

template <class K>
void short_k_run(const Problem<K>& p, int nt) {
  using T = typename K::type;
  constexpr index_t U = 4 * (index_t)K::kLanes;
  const index_t l1 = std::max<long>(16384, cpu_caches().l1d);
  index_t nb = std::max<index_t>(U, l1 / (p.K_ * (index_t)sizeof(T)) / U * U);
  if (nt > 1) nb = std::min(nb, std::max<index_t>(U, ceil_div(ceil_div(p.N, 4 * (index_t)nt), U) * U));
  const index_t nblk = ceil_div(p.N, nb);
  // too few column blocks for the threads (tall C, e.g. 100000 x 4 x 64): rows are split too
  const index_t rblk = nt > 1 && nblk < 4 * (index_t)nt ? std::min(p.M, ceil_div(4 * (index_t)nt, nblk)) : 1;
  const Epi<T> e{p.alpha, p.beta, p.bias, p.relu};
  parallel_chunks(nblk * rblk, (int)std::min<index_t>(nt, nblk * rblk), [&](index_t c) {
    const index_t cj = c % nblk, ci = c / nblk;
    const index_t j0 = cj * nb, n = std::min(nb, p.N - j0);
    const index_t i0 = ci * p.M / rblk, i1 = (ci + 1) * p.M / rblk;
    Epi<T> ec = e;
    ec.bias = p.bias ? p.bias + j0 : nullptr;
    K::short_k(i1 - i0, n, p.K_, p.A + i0 * p.rsA, p.rsA, p.csA, p.B + j0, p.rsB,
               p.C + i0 * p.ldc + j0, p.ldc, ec);
  });
}

// Dot-product form pays when packing dominates: packing moves K*(M+N) elements, the arithmetic
// is M*N*K/W vector FMAs, so when M*N < W*(M+N) (tiny outputs) and K is long enough to vectorize.
template <class K>
bool use_dot(const Problem<K>& p) {
  if (!K::kDot || p.csA != 1 || p.rsB != 1 || p.K_ < 64) return false;
  return (double)p.M * (double)p.N < 16.0 * (double)(p.M + p.N);
}

// Split-K: chunk c (at most 8, >= 2048 k each, on 64-element steps: fixed by K alone, never by
// the thread count) writes a private M x N partial; the epilogue sums the partials in chunk order,
// so the result is bit-identical at every thread count (Note [fixed reduction partition] in
// conv_impl.h). The partials are tiny (M*N is, see use_dot).
template <class K>
void dot_run(const Problem<K>& p, int nt) {
  using T = typename K::type;
  const index_t M = p.M, N = p.N, MN = M * N;
  const index_t nch = std::max<index_t>(1, std::min<index_t>(8, p.K_ / 2048));
  const index_t klen = ceil_div(ceil_div(p.K_, nch), 64) * 64;
  const index_t nparts = ceil_div(p.K_, klen);
  std::vector<T> part((size_t)nparts * MN, T(0));
  parallel_chunks(nparts, (int)std::min<index_t>(nt, nparts), [&](index_t c) {
    const index_t k0 = c * klen, k1 = std::min(p.K_, k0 + klen);
    K::dot(M, N, k0, k1, p.A, p.rsA, p.B, p.csB, part.data() + c * MN);
  });
  for (index_t i = 0; i < M; ++i) {
    T* cr = p.C + i * p.ldc;
    for (index_t j = 0; j < N; ++j) {
      T acc = part[i * N + j];
      for (index_t t = 1; t < nparts; ++t) acc += part[t * MN + i * N + j];
      T x = p.alpha * acc;
      if (p.beta != T(0)) x += p.beta * cr[j];
      if (p.bias) x += p.bias[j];
      cr[j] = p.relu ? relu_keep_nan(x) : x;
    }
  }
}

// Note [streamed B^T]: few rows, A rows and B columns contiguous along K. Chunks are groups of
// whole kSJ-column blocks, about four per thread; every chunk runs all rows over its columns
// (no sum is split: the same bits at any thread count).
template <class K>
bool use_stream(const Problem<K>& p) {
  return K::kDot && p.csA == 1 && p.rsB == 1 && p.M <= kStreamRows && p.K_ >= 2 * K::kLanes &&
         p.N >= 4 * kSJ;
}

template <class K>
void stream_run(const Problem<K>& p, int nt) {
  const index_t blocks = ceil_div(p.N, (index_t)kSJ);
  const index_t nch = nt > 1 ? std::min<index_t>(blocks, 4 * (index_t)nt) : 1;
  const Epi<typename K::type> e{p.alpha, p.beta, p.bias, p.relu};
  parallel_chunks(nch, (int)std::min<index_t>(nt, nch), [&](index_t c) {
    const index_t j0 = c * blocks / nch * kSJ, j1 = std::min(p.N, (c + 1) * blocks / nch * kSJ);
    K::stream(p.M, j0, j1, p.K_, p.A, p.rsA, p.B, p.csB, p.C, p.ldc, e);
  });
}

template bool use_short_k<SKernel>(const Problem<SKernel>&);
template bool use_short_k<DKernel>(const Problem<DKernel>&);
template void short_k_run<SKernel>(const Problem<SKernel>&, int);
template void short_k_run<DKernel>(const Problem<DKernel>&, int);
template bool use_dot<SKernel>(const Problem<SKernel>&);
template bool use_dot<DKernel>(const Problem<DKernel>&);
template void dot_run<SKernel>(const Problem<SKernel>&, int);
template void dot_run<DKernel>(const Problem<DKernel>&, int);
template bool use_stream<SKernel>(const Problem<SKernel>&);
template bool use_stream<DKernel>(const Problem<DKernel>&);
template void stream_run<SKernel>(const Problem<SKernel>&, int);
template void stream_run<DKernel>(const Problem<DKernel>&, int);

}  // namespace gemm_impl
}  // namespace TF_ISA
}  // namespace tf
