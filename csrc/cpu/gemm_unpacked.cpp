// The GEMM's unpacked path (compiled once per ISA): B with unit column stride read in place by
// the micro-kernels, no packing (skinny M, or a small B). Design: gemm.cpp's header.
#include <algorithm>
#include <numeric>

#include "gemm_paths.h"
#include "tf/cpuinfo.h"
#include "tf/parallel.h"

namespace tf {
namespace TF_ISA {
namespace gemm_impl {

// Note [unpacked KC]: the unpacked path reuses a KC x NR slab of B in place across the row tiles
// of a chunk, so the slab's KC rows must stay cached. Rows s bytes apart fall into the same L2
// sets every way/gcd(s, way) rows (way = L2 size / associativity, 64 KiB on Zen 1): B rows of
// 1024 floats (s = 4 KiB) use only 16 of Zen 1's 1024 L2 sets, and 256 of them overflow those
// sets' 8 ways, so every row tile re-read its slab from L3 (and every row sat in its own 4 KiB
// page: LSTM forward 64x512x1024 ran at 0.61-0.67x OpenBLAS per CPU-second, 1 thread). unpacked_kc
// is the depth whose slab takes at most half the ways of the sets it maps to; below the path's
// KC = 256 (that example: 64; cutting KC there only reached 0.78x) B is packed instead
// (use_unpacked). Rows of 500 or 256 floats keep 256.
template <class K>
index_t unpacked_kc(index_t rsB) {
  using T = typename K::type;
  const CpuCaches& c = cpu_caches();
  const index_t ways = std::max(2, c.l2_ways);
  const index_t way = std::max<index_t>(4096, (index_t)c.l2 / ways), sets = way / 64;
  const index_t s = (rsB < 0 ? -rsB : rsB) * (index_t)sizeof(T);
  const index_t period = s == 0 ? sets : std::min(sets, way / std::gcd(s, way));
  return std::max<index_t>(16, std::min<index_t>(256, period * ways / 2 / 8 * 8));
}

// No packing: the micro-kernel reads A (strided broadcasts) and B (csB == 1) in place. K is still
// blocked so that a KC x NR slab of B stays cached across the MR row tiles (Note [unpacked KC]).
// Each chunk of the grid runs every K block of its part of C (nothing is shared).
//
// Note [unpacked tile rows]: when the chunk's whole K block of B (kc x its panels) fits half of
// L1d, every panel's slab stays cached anyway, and the chunk runs row tile by row tile, each one
// call over all of its full panels (the unpacked twin of Note [tile rows]): a 64^3 product is 12
// tiles of 64 k steps, and each call's set-up (12 row addresses, C prefetches, the table call)
// was paid per tile. Same sums per tile (same bits). Zen 5, 1 thread, thread_time per call, best
// of 7 x 2000, interleaved with the base build (shared machine): 64^3 tf.ops.gemm 3.13-3.14 ->
// 2.96-3.01 us (NumPy 2.79-2.90; RESULTS, gemm7).
template <class K>
void unpacked_run(const Problem<K>& p, int nt) {
  using T = typename K::type;
  constexpr index_t MR = K::MR, NR = K::NR;
  constexpr index_t KC = 256;
  const index_t npan = ceil_div(p.N, NR);
  const index_t l1_half = cpu_caches().l1d / 2;
  // Every chunk reads its rows of A and its columns of B in place, so a cm x cn grid reads A cn
  // times and B cm times: pick the grid of ~2 chunks per thread with the least of that traffic
  // (128x784x256 at 2 threads: 2 x 2, not 8 row blocks each streaming all of B). Past 256 rows
  // (2+ threads only, Note [unpacked at 2 threads]) ~4 chunks per thread, as the packed path's
  // grid: a helper descheduled on a busy machine then holds back at most an eighth of the work.
  const index_t tiles_m = ceil_div(p.M, MR);
  const index_t target = nt > 1 ? (p.M > 256 ? 4 : 2) * (index_t)nt : 1;
  Grid g{tiles_m, npan, 1, 1};
  double best = -1.0;
  for (index_t cm = 1; cm <= std::min(tiles_m, target); ++cm) {
    const index_t cn = std::min(npan, ceil_div(target, cm));
    const double cost = (double)cn * (double)p.M * (double)p.K_ + (double)cm * (double)p.K_ * (double)p.N;
    if (best >= 0.0 && cost >= best) continue;
    best = cost;
    g.cm = cm;
    g.cn = cn;
  }
  parallel_chunks(g.count(), (int)std::min<index_t>(nt, g.count()), [&](index_t c) {
    const index_t ci = c / g.cn, cj = c % g.cn;
    const index_t m0 = g.tile0(ci) * MR, m1 = std::min(p.M, g.tile0(ci + 1) * MR);
    const index_t q0 = g.pan0(cj), q1 = g.pan0(cj + 1);
    for (index_t pc = 0; pc < p.K_; pc += KC) {
      const index_t kc = std::min(KC, p.K_ - pc);
      const bool last = pc + kc == p.K_;
      Epi<T> e{p.alpha, pc == 0 ? p.beta : T(1), nullptr, last && p.relu};
      if (kc * (q1 - q0) * NR * (index_t)sizeof(T) <= l1_half) {  // Note [unpacked tile rows]
        const index_t qf = std::min(q1, p.N / NR);  // full panels in one call per row tile
        for (index_t i = m0; i < m1; i += MR) {
          const int m = (int)std::min(MR, m1 - i);
          const T* ai = p.A + i * p.rsA + pc * p.csA;
          T* ci = p.C + i * p.ldc;
          if (qf > q0) {
            e.bias = last && p.bias ? p.bias + q0 * NR : nullptr;
            K::tile_row_inplace(m, kc, ai, p.rsA, p.csA, p.B + pc * p.rsB + q0 * NR, p.rsB, qf - q0,
                                ci + q0 * NR, p.ldc, e);
          }
          for (index_t q = std::max(q0, qf); q < q1; ++q) {
            const index_t j = q * NR;
            e.bias = last && p.bias ? p.bias + j : nullptr;
            K::tile(m, (int)std::min(NR, p.N - j), kc, ai, p.rsA, p.csA, false, p.B + pc * p.rsB + j,
                    p.rsB, false, ci + j, p.ldc, e);
          }
        }
        continue;
      }
      for (index_t q = q0; q < q1; ++q) {
        const index_t j = q * NR;
        const int n = (int)std::min(NR, p.N - j);
        e.bias = last && p.bias ? p.bias + j : nullptr;
        for (index_t i = m0; i < m1; i += MR) {
          const int m = (int)std::min(MR, m1 - i);
          K::tile(m, n, kc, p.A + i * p.rsA + pc * p.csA, p.rsA, p.csA, false, p.B + pc * p.rsB + j,
                  p.rsB, false, p.C + i * p.ldc + j, p.ldc, e);
        }
      }
    }
  });
}

// Packing B costs K*N copies and pays back only through reuse of B across row tiles. Measured on
// Zen 4 (1 thread, bench/tune_gemm.py): reading B in place wins for M <= 72 at any N (the KC x NR
// slab of B is reused from L1/L2 across all row tiles; 32x1800x500: 106 vs 80 GFLOP/s packed) and
// for M <= 256 while B is small (256^3, 128x784x256: 111 vs 103); for larger problems packing
// wins (B rows at power-of-two strides collide in L1/L2 sets: 1024^3 unpacked 22 vs 99 packed).
// B must have unit column stride to be loaded as vectors in place.
//
// Note [unpacked at 2 threads]: with 2+ threads and a small B the unpacked path also takes up
// to 1024 rows. The packed path packs B (on the calling thread below 64k elements) in a pool
// loop of its own before the compute loop, so the helper joins the compute late or the caller
// waits for it twice; the unpacked path is one pool loop with nothing shared. At 1 thread the
// two are even there (784x128x256 A^T: 233 vs 227-234 GFLOP/s per CPU-second, RESULTS gemm7),
// so the 1-thread cut stays at 256 rows. Only K within one K block of both paths (K <= 256,
// the unpacked KC, and <= the packed KC) takes this route: then both run the same sums in the
// same order, and 1, 2 and 3 threads give the same bits (README "Reliability"; with K = 300 the
// unpacked path's two blocks of 256 + 44 differed from the packed path's one block). Square 512
// (K = 512, gemm8: +7% at 2 threads) therefore stays packed. Zen 5, 2 threads, best GFLOP/s of interleaved rounds
// against the packed route (bench/gemm_ab): 784x128x256 A^T +3-5% (quiet, gemm8);
// +1-3% on 784x128x256 with medians 1.02-1.30x at 4 chunks per thread (loaded, gemm9).
template <class K>
bool use_unpacked(const Problem<K>& p, int nt) {
  if (!K::kUnpacked || p.csB != 1) return false;
  // B rows whose stride maps them onto few L2 sets (Note [unpacked KC]) are better packed.
  if (ceil_div(p.M, (index_t)K::MR) > 1 && unpacked_kc<K>(p.rsB) < 256) return false;
  if (p.M <= 72) return true;
  if ((double)p.K_ * (double)p.N > 256.0 * 1024.0) return false;
  if (p.M <= 256) return true;
  // Note [unpacked at 2 threads]: one K block on both routes, so the same sums as 1 thread
  return nt > 1 && p.M <= 1024 && p.K_ <= std::min<index_t>(256, blocking<K>().KC);
}

template bool use_unpacked<SKernel>(const Problem<SKernel>&, int);
template bool use_unpacked<DKernel>(const Problem<DKernel>&, int);
template void unpacked_run<SKernel>(const Problem<SKernel>&, int);
template void unpacked_run<DKernel>(const Problem<DKernel>&, int);

}  // namespace gemm_impl
}  // namespace TF_ISA
}  // namespace tf
