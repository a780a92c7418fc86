// The GEMM's packed paths (compiled once per ISA): the BLIS loops (packed_run: B packed per
// (NC, KC) block and shared by the threads, A packed per chunk) and the few-row panel path
// (panel_run: A packed once per thread, B one panel at a time). Design: gemm.cpp's header.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "gemm_pack.h"
#include "gemm_paths.h"
#include "tf/cpuinfo.h"
#include "tf/parallel.h"
#include "tf/workspace.h"

namespace tf {
namespace TF_ISA {
namespace gemm_impl {

// The packed BLIS loops (Note [GEMM chunks]): one pool loop per (jc, pc) block of B, whose
// chunks pack B by groups of panels and compute the output (Note [B packed in the compute loop]).
//
// Note [B packed in the compute loop]: B's packing used to be a pool loop of its own before each
// block's compute loop: two loops per block, so the caller waited for the helper's last pack
// chunk before any tile ran, a helper asleep at the call's start (its 50 us spin long over) was
// woken twice, and each block's compute loop ended with one thread idle while the other ran its
// last chunk. Now a block's loop is [pack chunks of this block's B, first block only] + [compute
// chunks] + [pack chunks of the next block's B, into the other of two buffers]. Claims go in
// order, so every pack chunk of a block is claimed, by a running thread, before any of its compute
// chunks; each pack chunk marks its panel group ready (a flag holding the block's number), and a
// compute chunk packs its A block first and then waits only for the group of the panel it is
// about to read (the first block's groups; later blocks were packed by the previous loop). The
// next block's packing fills the end of the loop: the thread whose compute chunks end first packs.
// A waiting thread waits for a chunk that a running thread claimed, as the old loop's end did.
// Same packed B, same tiles, same sums (same bits). One thread runs the chunks in order.
//
// Note [rows first]: a chunk runs its tiles panel by panel (a KC x NR panel of B stays in L1
// while the MR-row micro-panels of A stream from L2), except when all its packed panels fit in
// half of L2 (short K: dW = x^T dy of a Dense layer, K = the batch): then row tile by row tile,
// each MR x kc micro-panel of A in L1 sweeping the chunk's panels, so C is written row block
// after row block along N (MR sequential write streams) instead of MR rows at a time down a
// 16-column strip. Each tile computes the same sums either way (same bits). Zen 1, 1 thread,
// best GFLOP/s per CPU-second, interleaved A/B in one process (loaded machine): 1800x16x500
// (A^T) 23.7 -> 24.0, 1800x32x500 28.2 -> 29.5, 512x64x1024 32.3 -> 32.8.
template <class K>
void packed_run(const Problem<K>& p, int nt) {
  using T = typename K::type;
  constexpr index_t MR = K::MR, NR = K::NR;
  const BlockSizes& bs = blocking<K>();
  const index_t MC = bs.MC, KC = k_step(p.K_, bs.KC), NC = bs.NC;  // Note [even K blocks]
  const index_t kcmax = std::min<index_t>(KC, p.K_), maxpan = ceil_div(std::min(NC, p.N), NR);
  const index_t l2_half = cpu_caches().l2 / std::max(1, cpu_caches().l2_sharing) / 2;
  struct Block {
    index_t jc, pc, nc, kc;
  };
  std::vector<Block> blocks;  // in the BLIS loops' order: jc outer, pc inner
  for (index_t jc = 0; jc < p.N; jc += NC)
    for (index_t pc = 0; pc < p.K_; pc += KC)
      blocks.push_back({jc, pc, std::min(NC, p.N - jc), std::min(KC, p.K_ - pc)});
  const index_t nb = (index_t)blocks.size(), nbuf = nb > 1 ? 2 : 1, bsz = maxpan * NR * kcmax;
  T* Bbuf = workspace<T>(Ws::gemm_b, (size_t)(nbuf * bsz));
  // Per buffer: panels per pack chunk of the block it holds, and ready[buffer * maxpan + group]
  // == that block's number + 1 once the group is packed.
  index_t bper[2] = {1, 1};
  std::unique_ptr<std::atomic<index_t>[]> ready(new std::atomic<index_t>[(size_t)(nbuf * maxpan)]);
  for (index_t j = 0; j < nbuf * maxpan; ++j) ready[j].store(0, std::memory_order_relaxed);
  // Pack chunks of block b on a loop of ntc threads: moving kc*nc elements is split between
  // threads only from ~64k of them.
  auto pack_chunks = [&](index_t b, int ntc) {
    const Block& k = blocks[b];
    const index_t npan = ceil_div(k.nc, NR);
    bper[b % nbuf] = ntc > 1 && k.kc * k.nc >= 65536 ? chunk_size(npan, ntc, 1) : npan;
    return ceil_div(npan, bper[b % nbuf]);
  };
  auto pack = [&](index_t b, index_t c) {  // pack chunk c of block b
    const Block& k = blocks[b];
    const index_t per = bper[b % nbuf], npan = ceil_div(k.nc, NR);
    pack_B<T, NR>(k.kc, k.nc, p.B + k.pc * p.rsB + k.jc * p.csB, p.rsB, p.csB, Bbuf + (b % nbuf) * bsz,
                  c * per, std::min(npan, (c + 1) * per));
    ready[(b % nbuf) * maxpan + c].store(b + 1, std::memory_order_release);
  };
  for (index_t b = 0; b < nb; ++b) {
    const index_t jc = blocks[b].jc, pc = blocks[b].pc, nc = blocks[b].nc, kc = blocks[b].kc;
    const bool last = pc + kc == p.K_;
    const index_t npan = ceil_div(nc, NR);
    const Grid g = make_guided_grid(p.M, npan, MR, MC, nt);  // Note [guided chunks]
    const int ntc = (int)std::min<index_t>(nt, g.count());
    const index_t nown = b == 0 ? pack_chunks(b, ntc) : 0;
    const index_t nnext = b + 1 < nb ? pack_chunks(b + 1, ntc) : 0;
    const T* Bp = Bbuf + (b % nbuf) * bsz;
    const index_t per = bper[b % nbuf];
    auto wait_panel = [&](index_t q) {
      std::atomic<index_t>& r = ready[(b % nbuf) * maxpan + q / per];
      for (int spin = 0; r.load(std::memory_order_acquire) != b + 1;)
        if (++spin >= 4000) std::this_thread::yield();  // the packing thread may share our core
#ifdef TF_X86
        else _mm_pause();
#endif
    };
    parallel_chunks(nown + g.count() + nnext, ntc, [&](index_t c) {
      if (c < nown) return pack(b, c);
      c -= nown;
      if (c >= g.count()) return pack(b + 1, c - g.count());
      const index_t ci = c / g.cn, cj = c % g.cn;
      const index_t i0 = g.tile0(ci) * MR, mc = std::min(g.tile0(ci + 1) * MR, p.M) - i0;
      const index_t q0 = g.pan0(cj), q1 = g.pan0(cj + 1);
      T* Ap = workspace<T>(Ws::gemm_a, (size_t)MC * KC);
      pack_A<T, MR>(mc, kc, p.A + i0 * p.rsA + pc * p.csA, p.rsA, p.csA, Ap);
      Epi<T> e{p.alpha, pc == 0 ? p.beta : T(1), nullptr, last && p.relu};
      if (kc * (q1 - q0) * NR * (index_t)sizeof(T) <= l2_half) {  // Note [rows first]
        for (index_t q = q0; q < q1; q += per) wait_panel(q);
        wait_panel(q1 - 1);
        // whole panels in one call per row tile (Note [tile rows]), the partial last one alone
        const index_t qf = std::min(q1, nc / NR);
        for (index_t ir = 0; ir < mc; ir += MR) {
          const int m = (int)std::min(MR, mc - ir);
          T* crow = p.C + (i0 + ir) * p.ldc + jc;
          if (qf > q0) {
            e.bias = last && p.bias ? p.bias + jc + q0 * NR : nullptr;
            K::tile_row(m, kc, Ap + ir * kc, Bp + q0 * NR * kc, qf - q0, crow + q0 * NR, p.ldc, e);
          }
          for (index_t q = std::max(q0, qf); q < q1; ++q) {
            const index_t j = q * NR;
            const int n = (int)std::min(NR, nc - j);
            e.bias = last && p.bias ? p.bias + jc + j : nullptr;
            K::tile(m, n, kc, Ap + ir * kc, 1, MR, true, Bp + q * NR * kc, NR, true, crow + j,
                    p.ldc, e);
          }
        }
        return;
      }
      for (index_t q = q0; q < q1; ++q) {
        const index_t j = q * NR;
        const int n = (int)std::min(NR, nc - j);
        const T* bp = Bp + q * NR * kc;
        e.bias = last && p.bias ? p.bias + jc + j : nullptr;
        if (q == q0 || q % per == 0) wait_panel(q);
        for (index_t ir = 0; ir < mc; ir += MR) {
          const int m = (int)std::min(MR, mc - ir);
          K::tile(m, n, kc, Ap + ir * kc, 1, MR, true, bp, NR, true,
                  p.C + (i0 + ir) * p.ldc + jc + j, p.ldc, e);
        }
      }
    });
  }
}

// Few rows (at most kPanelTiles MR tiles): every packed element of B is used by only those few
// tiles, so a separate pass that packs a whole KC x NC block of B to memory and reads it back
// costs as much as the packing itself. Here chunks are groups of NR panels (all M rows; columns
// split between threads, Note [GEMM chunks]); each chunk packs one KC x NR panel of B at a time
// into a thread-private buffer (L1/L2) and runs the M rows over it at once, every K block of a
// panel before the next panel (its C columns stay cached). K blocks are the packed path's (KC),
// so results match it bit for bit at any thread count. Zen 1, 1 thread, GFLOP/s per CPU-second as
// a fraction of OpenBLAS's in the same process (loaded machine): LSTM forward 64x512x1024 0.67
// (unpacked) / 0.83 (packed path) -> 0.99, its dA 64x1024x512 (B^T) 0.88 -> 1.04, LeNet fc dA
// 32x500x1800 (B^T) 0.87 -> 1.17.
//
// Note [A once per thread]: A (all its K blocks, tiles*MR*K values) is packed once per call by
// each thread that runs a chunk, on its first chunk, into that thread's copy in the caller's
// workspace; its later chunks reuse it. The first version packed A per chunk, i.e. 4x per thread
// per call at 2 threads (perf, 1 thread: one pack of A is ~1% of 64x512x1024), and kept the cut at 16 tiles
// for that reason; without it 22 tiles (M = 128: MLP fc dA 128x256x784 B^T) run here, not in the
// packed path, whose shared B pack ends in a wait for both threads before any tile runs. Packed A
// is bounded (kPanelABytes per copy); beyond it the packed path runs.
//
// Note [B packed by its first tile]: with B in place at unit column stride (op(B) = B, e.g. the
// LSTM forward's x W, rows 4 KiB apart), the first row tile of each panel reads its KC x NR slab of
// B directly, stores every row into the packed panel as it loads it (tf/ukernel.h's BRowsPack)
// and prefetches the row kPackPf rows ahead; the other row tiles read the packed copy. The copy's
// loads were a separate pass of strided, page-crossing reads (perf: pack_B 15% of 64x512x1024,
// 1 thread); now they overlap the first tile's FMAs. Same sums in the same order (same bits).
// Zen 1, 1 thread, CPU time, interleaved with the separate pack in one process: 64x512x1024
// 1.05-1.09x (RESULTS, gemm4 2026-11-30). Packing 4 or 8 panels per pass row by row (reads of
// 256-512 contiguous bytes per row of B), with or without prefetch, measured no gain, nor did
// prefetching the next panel's rows into L2 during the second row tile.
constexpr index_t kPanelTiles = 22;
constexpr index_t kPanelABytes = index_t(4) << 20;
constexpr index_t kPackPf = 16;

template <class K>
bool use_panel(const Problem<K>& p) {
  const index_t tiles = ceil_div(p.M, (index_t)K::MR);
  return tiles <= kPanelTiles &&
         tiles * K::MR * p.K_ * (index_t)sizeof(typename K::type) <= kPanelABytes;
}

namespace {
// panel_run's per-call identity for its packed A copies (Note [A once per thread])
std::atomic<uint64_t> g_panel_calls{0};
struct PanelTag {
  uint64_t call = 0;
  int slot = -1;
};
thread_local PanelTag t_panel_tag;
}  // namespace

template <class K>
void panel_run(const Problem<K>& p, int nt) {
  using T = typename K::type;
  constexpr index_t MR = K::MR, NR = K::NR;
  const index_t KC = k_step(p.K_, blocking<K>().KC), tiles = ceil_div(p.M, MR), npan = ceil_div(p.N, NR);
  const index_t nch = nt > 1 ? std::min<index_t>(npan, 4 * (index_t)nt) : 1;
  const int ntc = (int)std::min<index_t>(nt, nch);
  const index_t asz = tiles * MR * p.K_, bsz = NR * std::min(KC, p.K_);
  const bool fused = K::kPackB && p.csB == 1;  // Note [B packed by its first tile]
  auto pack_all_A = [&](T* Ap) {  // K block pc at Ap + tiles*MR*pc
    for (index_t pc = 0; pc < p.K_; pc += KC)
      pack_A<T, MR>(p.M, std::min(KC, p.K_ - pc), p.A + pc * p.csA, p.rsA, p.csA, Ap + tiles * MR * pc);
  };
  // 2+ threads: one copy of packed A per thread that runs a chunk, claimed by its first chunk
  const uint64_t call = g_panel_calls.fetch_add(1, std::memory_order_relaxed) + 1;
  std::atomic<int> next_slot{0};
  T* copies = ntc > 1 ? workspace<T>(Ws::gemm_a, (size_t)(ntc * asz)) : nullptr;
  parallel_chunks(nch, ntc, [&](index_t c) {
    const index_t q0 = c * npan / nch, q1 = (c + 1) * npan / nch;
    T* Ap;
    T* Bq;
    if (ntc <= 1) {
      Ap = workspace<T>(Ws::gemm_a, (size_t)asz);
      Bq = workspace<T>(Ws::gemm_b, (size_t)bsz);
      pack_all_A(Ap);
    } else {
      PanelTag& tag = t_panel_tag;
      if (tag.call != call) {
        tag.call = call;
        tag.slot = next_slot.fetch_add(1, std::memory_order_relaxed);
        if (tag.slot < ntc) pack_all_A(copies + tag.slot * asz);
      }
      if (tag.slot < ntc) {
        Ap = copies + tag.slot * asz;
        Bq = workspace<T>(Ws::gemm_b, (size_t)bsz);
      } else {  // more threads than copies (the pool never runs more than ntc): A per chunk
        Ap = workspace<T>(Ws::gemm_b, (size_t)(asz + bsz));
        Bq = Ap + asz;
        pack_all_A(Ap);
      }
    }
    for (index_t q = q0; q < q1; ++q) {
      const index_t j = q * NR;
      const int n = (int)std::min(NR, p.N - j);
      const bool first_packs = fused && n == NR;
      for (index_t pc = 0; pc < p.K_; pc += KC) {
        const index_t kc = std::min(KC, p.K_ - pc);
        const bool last = pc + kc == p.K_;
        const T* ap = Ap + tiles * MR * pc;
        const T* b = p.B + pc * p.rsB + j * p.csB;
        Epi<T> e{p.alpha, pc == 0 ? p.beta : T(1), last && p.bias ? p.bias + j : nullptr, last && p.relu};
        index_t ir = 0;
        if (first_packs) {
          K::tile_packb((int)std::min(MR, p.M), kc, ap, b, p.rsB, kPackPf * p.rsB, Bq, p.C + j, p.ldc, e);
          ir = MR;
        } else {
          pack_B<T, NR>(kc, p.N - j, b, p.rsB, p.csB, Bq, 0, 1);
        }
        for (; ir < p.M; ir += MR) {
          const int m = (int)std::min(MR, p.M - ir);
          K::tile(m, n, kc, ap + ir * kc, 1, MR, true, Bq, NR, true, p.C + ir * p.ldc + j, p.ldc, e);
        }
      }
    }
  });
}

template void packed_run<SKernel>(const Problem<SKernel>&, int);
template void packed_run<DKernel>(const Problem<DKernel>&, int);
template bool use_panel<SKernel>(const Problem<SKernel>&);
template bool use_panel<DKernel>(const Problem<DKernel>&);
template void panel_run<SKernel>(const Problem<SKernel>&, int);
template void panel_run<DKernel>(const Problem<DKernel>&, int);

}  // namespace gemm_impl
}  // namespace TF_ISA
}  // namespace tf
