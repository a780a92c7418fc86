// Private to csrc/cpu/gemm*.cpp (compiled once per ISA): the cache blocking (KC, MC, NC from
// the running CPU's caches, Note [cache blocking]), the K step (Note [even K blocks]), the problem
// every path takes, and the chunk grid the threads claim (Note [GEMM chunks]).
#pragma once
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "tf/cpuinfo.h"
#include "tf/gemm.h"

#ifndef TF_ISA
#error "gemm_blocking.h is for csrc/cpu/gemm*.cpp, compiled once per ISA"
#endif

namespace tf {
namespace TF_ISA {
namespace gemm_impl {

// ---- cache blocking ---------------------------------------------------------------------------
// Note [cache blocking]: computed once per ISA from the caches the running CPU reports
// (tf/cpuinfo.h), overridable with TENSORFORGE_GEMM_BLOCKING=KC,MC,NC for tuning sweeps:
//   KC  depth of one rank-KC update: the KC x NR packed B micro-panel is re-read by every MR-row
//       tile. 8-lane kernels (avx2 6x16, generic): the panel fills half of L1d (BLIS's Haswell
//       choice, KC = 256 at 32 KiB). 16-lane kernels (avx512 12x32): 1.25x L1d, i.e. the panel
//       streams partly from L2 (swept on Zen 4 with bench/tune_gemm.py, 1 thread, n = 1024/2048,
//       128x784x256: KC = 320 best, 192: -5%, 128: -8%; 16-lane kernels issue half the loads
//       per FMA, so an L2-resident panel costs little). The avx2 kernels on a core that runs a
//       ymm FMA as two 128-bit halves (Zen 1, CpuId::ymm_half_rate) take twice the cycles per k
//       step, so the same holds there: the panel fills all of L1d (KC = 512 at 32 KiB; Zen 1,
//       1 thread, GFLOP/s per CPU-second as a fraction of OpenBLAS's in the same process,
//       n = 1024 / 2048, two runs: KC 256: 0.94 0.92 / 0.95 0.94; 384: 0.96 0.92 / 0.95 0.95;
//       512: 0.96 0.95 / 0.96 0.97: fewer C round trips per tile).
//       AMD cores with a full 512-bit FMA datapath (Zen 5: not CpuId::zmm_half_rate) run a k step
//       of the 12x32 tile in half Zen 4's cycles, so each K block's fixed costs (a C round trip
//       per tile, one pack of A and of B per block) weigh twice as much: there the panel comes
//       from L2, an eighth of the core's L2 (<= 1024; 1 MiB: KC = 1024, MC = 120). Zen 5, 1
//       thread, GFLOP/s per CPU-second (shared machine), with even K blocks: KC,MC 480,264:
//       1024^3 203 / 2048^3 201 / 4096^3 202; 640,192: 218 / 215 / 205; 768,160: 215 / 214 / 218;
//       1024,120: 235-239 / 226-228 / 223; 1024,240: 218 / 217 (RESULTS, gemm5). Intel's AVX-512
//       cores keep the L1 rule above until measured.
//   MC  rows of the packed MC x KC A block, which stays in the core's share of L2: half of it
//       (Zen 4, 1 MiB L2: 408; the sweep's best was 384).
//   NC  columns of the packed KC x NC B block, shared by the threads, in half of L3 (<= 4096,
//       the largest size measured). With KC from L2 (Zen 5) an eighth of L3: at KC 1024 the
//       half-L3 rule's 16 MiB block (NC 4096) ran every N >= 4096 at 0.92-0.94x the speed of NC
//       1024 (4 MiB; 1 thread, 2048x2048x4096: NC 4096 219-224, 2048 230-236, 1024 236-239
//       GFLOP/s per CPU-second, shared machine: RESULTS, gemm6).
// dgemm (8-byte elements) gets the same byte budgets.
struct BlockSizes {
  index_t KC, MC, NC;
};

inline index_t env_blocking(int which) {
  const char* s = std::getenv("TENSORFORGE_GEMM_BLOCKING");
  if (!s) return 0;
  index_t v[3] = {0, 0, 0};
  for (int i = 0; i < 3 && *s; ++i) {
    char* end = nullptr;
    v[i] = (index_t)std::strtol(s, &end, 10);
    if (end == s) return 0;
    s = *end == ',' ? end + 1 : end;
  }
  return v[which] > 0 ? v[which] : 0;
}

template <class K>
BlockSizes compute_blocking() {
  using T = typename K::type;
  constexpr index_t MR = K::MR, NR = K::NR, E = (index_t)sizeof(T);
  const CpuCaches& c = cpu_caches();
  const double l1 = (double)c.l1d, l2 = (double)c.l2 / std::max(1, c.l2_sharing);
  const double l3 = (double)c.l3;
  // panel bytes per k: 128 for 16 fp32 lanes x 2, 64 for the avx2 kernels
  const double kc_share = NR * E >= 128 ? 1.25 : NR * E == 64 && cpu_id().ymm_half_rate ? 1.0 : 0.5;
  BlockSizes b;
  b.KC = std::max<index_t>(64, std::min<index_t>(512, (index_t)(kc_share * l1 / (double)(NR * E)) / 8 * 8));
  const CpuId& id = cpu_id();
  const bool amd_full_zmm = NR * E >= 128 && std::strcmp(id.vendor, "AuthenticAMD") == 0 && !id.zmm_half_rate;
  if (amd_full_zmm)
    b.KC = std::max<index_t>(64, std::min<index_t>(1024, (index_t)(l2 / 8.0 / (double)(NR * E)) / 8 * 8));
  b.MC = std::max<index_t>(4 * MR, std::min<index_t>(1536, (index_t)(0.5 * l2 / (double)(b.KC * E)) / MR * MR));
  b.NC = std::max<index_t>(8 * NR, std::min<index_t>(4096, (index_t)(0.5 * l3 / (double)(b.KC * E)) / NR * NR));
  if (amd_full_zmm)  // an eighth of L3 at KC from L2 (32 MiB, KC 1024: NC = 1024)
    b.NC = std::max<index_t>(8 * NR, std::min<index_t>(4096, (index_t)(l3 / 8.0 / (double)(b.KC * E)) / NR * NR));
  if (index_t v = env_blocking(0)) b.KC = v;
  if (index_t v = env_blocking(1)) b.MC = std::max<index_t>(MR, v / MR * MR);
  if (index_t v = env_blocking(2)) b.NC = std::max<index_t>(NR, v / NR * NR);
  return b;
}

template <class K>
const BlockSizes& blocking() {
  static const BlockSizes b = compute_blocking<K>();
  return b;
}

// Note [even K blocks]: K is cut into ceil(K / KC) blocks of equal depth (rounded up to 8), not
// KC, KC, ..., remainder: K = 1024 at KC = 480 ran blocks of 480, 480 and 64, and the 64-deep
// block paid a whole pass of C loads/stores and A/B packing for 1/16 of the FMAs (Zen 5, 1 thread,
// 1024^3: 212 -> 224 GFLOP/s per CPU-second with blocks of 512). The packed and panel paths both
// step K by k_step(K, KC), so they keep matching bit for bit.
inline index_t k_step(index_t K, index_t KC) {
  if (K <= KC) return K;
  const index_t nb = ceil_div(K, KC);
  return std::min(KC, ceil_div(ceil_div(K, nb), index_t(8)) * 8);
}

// One GEMM call as every path takes it: C (M x N, row stride ldc) = epilogue(alpha * A B + beta * C),
// A (M x K_) and B (K_ x N) through general strides.
template <class K>
struct Problem {
  using T = typename K::type;
  index_t M, N, K_;
  T alpha;
  const T* A;
  index_t rsA, csA;
  const T* B;
  index_t rsB, csB;
  T beta;
  T* C;
  index_t ldc;
  const T* bias;
  bool relu;
};

// Note [GEMM chunks]: the output is cut into a grid of chunks, cm row blocks (whole MR tiles, at
// most MC rows: one packed A block) x cn column groups (whole NR panels), about four chunks per
// thread (Note [chunks claimed dynamically] in tf/parallel.h: a descheduled thread delays the
// call by at most one chunk). Rows are split first (splitting columns makes every column group
// pack the same rows of A again). The blocks are as equal as whole tiles allow (171 tiles in 10
// blocks: 17 or 18 each, never 9 x 18 + 9) and the chunk count is a multiple of the thread count
// where the problem has enough tiles (Zen 1, 2 threads, n = 2048: 9 chunks of 38 tiles left one
// thread idle for a ninth of every K block). One thread: chunks of MC rows x all panels, the
// plain BLIS loops. With enough row tiles the packed path cuts rows by Note [guided chunks].
//
// Note [guided chunks]: equal row blocks still left one thread idle at the end of every loop.
// Threads of equal speed claim in lockstep, so with blocks of 9 and 10 tiles alternating (171
// tiles in 18 blocks of at most MC / MR = 10) one thread got every 10-tile block: Zen 5, 2
// threads, 2048^3, a CLOCK_MONOTONIC trace per chunk: the helper ran its 9 chunks in 8.2 ms and
// the next block's B packing (0.3 ms), the caller its 9 in 9.1 ms: ~0.5 ms of one thread idle in
// each of the 4 loops of ~9 ms (0.85 ms in the last, which has no packing to fill it); 4096^3:
// ~0.3 ms of 18.5 ms per loop, 512^3 0.064 of 0.67 ms. So row blocks shrink towards the end
// (guided self-scheduling): each is ceil(R / (2 nt)) tiles of the R tiles left, at most MC / MR,
// at least one, and the last blocks of one to three tiles end the threads within about a tile
// row of each other whatever the order of claims. Which thread computes a tile changes; a tile's
// sums do not (same bits at every thread count).
struct Grid {
  index_t tiles, npan;        // MR row tiles and NR panels of the whole block
  index_t cm, cn;             // chunks along M and along N
  std::vector<index_t> rows;  // Note [guided chunks]: cm + 1 row block bounds (tiles), or empty
  index_t count() const { return cm * cn; }
  index_t tile0(index_t ci) const {  // first row tile of row block ci
    return rows.empty() ? ci * tiles / cm : rows[(size_t)ci];
  }
  index_t pan0(index_t cj) const { return cj * npan / cn; }  // first panel of column group cj
};

inline Grid make_grid(index_t M, index_t npan, index_t MR, index_t MC, int nt) {
  const index_t tiles = ceil_div(M, MR);
  Grid g{tiles, npan, ceil_div(tiles, std::max<index_t>(1, MC / MR)), 1, {}};
  if (nt > 1) {
    const index_t target = 4 * (index_t)nt;
    g.cm = std::max(g.cm, std::min(tiles, target));
    if (g.cm < target) g.cn = std::min(npan, ceil_div(target, g.cm));
    for (int i = 0; i < 2 * nt && g.count() % nt != 0; ++i) {  // whole rounds of nt chunks
      if (g.cn == 1 && g.cm < tiles) ++g.cm;
      else if (g.cn < npan) ++g.cn;
      else break;
    }
  }
  return g;
}

// The packed path's grid: make_grid's, except that with 2+ threads and at least 2 target rounds
// of row tiles the rows are cut by Note [guided chunks] (all panels per chunk).
inline Grid make_guided_grid(index_t M, index_t npan, index_t MR, index_t MC, int nt) {
  Grid g = make_grid(M, npan, MR, MC, nt);
  if (nt <= 1 || g.tiles < 8 * (index_t)nt) return g;
  const index_t most = std::max<index_t>(1, MC / MR);
  g.rows.assign(1, 0);
  for (index_t t = 0; t < g.tiles;) {
    t += std::max<index_t>(1, std::min(most, ceil_div(g.tiles - t, 2 * (index_t)nt)));
    g.rows.push_back(std::min(t, g.tiles));
  }
  g.cm = (index_t)g.rows.size() - 1;
  g.cn = 1;
  return g;
}

}  // namespace gemm_impl
}  // namespace TF_ISA
}  // namespace tf
