// 2-D convolution weight gradient tap by tap (contract: tf/conv.h), for layers with >= 64 input
// channels and >= 4 kernel taps that Winograd does not take: strided layers, among them the
// weight gradient of the transposed convolutions of DCGAN-style generators. Compiled once per
// ISA (tf/isa.h); chosen by conv2d_backward_filter in conv.cpp (declared in conv_algos.h).
//
// Note [weight gradient by taps]: the rows of dW for kernel tap t = (kh, kw) are
//   dW[t] (CI x CO) = sum over the output pixels p whose tap t reads a real input pixel (not
//                     padding) of  x[pixel(p, t)]^T (CI) * dy[p] (CO).
// Per chunk of output pixels: the chunk's dy rows are packed into column panels (NR floats per
// pixel per panel, times the relu mask when fused); then per tap, the x pixels the tap reads
// (CI contiguous floats each) are packed into A panels of MR rows, k-major, with the list of
// their pixel numbers in the chunk, and tf/ukernel.h's tile runs over the A panel and the dy
// rows read through that list. Padded taps are never multiplied (the im2col path multiplies
// their zeros: 14% of the arithmetic of DCGAN 7->14's weight gradient, 64x14x14x64 -> 7x7x128
// with a 4x4 kernel at stride 2, padding 1) and both operands are read at unit stride.
//
// Threads (Note [fixed reduction partition] in conv_impl.h): the work is cut into up to 8 items
// fixed by the shape, a power of two (2, 4 or 8 threads get equal shares): Gr row groups of dW
// (ranges of its KH*KW*CI rows, >= 512 rows each: each group reads all of x and dy again) times
// Gp pixel parts (ranges of the reduction, >= 512 pixels), each part with its own partial of dW
// when Gp > 1, summed in part order. So dW is bit-identical at every thread count. (The im2col
// path cut DCGAN 7->14's 25 chunks of 128 pixels into 3 reduction parts: at 2 threads one
// thread ran two of them while the other idled for a third of the pass.)
//
// Measured against the im2col path (1 thread, CPU time, shared Zen 1 machine, ms im2col /
// taps): DCGAN 7->14 30.4 / 23.2, 64x28x28x64 -> 14x14x128 k4 s2 120 / 96, 32x14x14x128 ->
// 7x7x64 k4 s2 17.7 / 12.6, ResNet 3x3 s2 16x56x56x64 -> 128 60.3 / 56.3; but slower with 32
// input channels (DCGAN 14->28's 64x28x28x32 -> 64 k4 s2 26.5 / 27.4, U-Net 2x2 s2 9.0 /
// 10.3), 1x1 kernels (7.4 / 7.8) and Conv1D (imdb k3 29.2 / 30.0): not understood yet (the
// tile and the packing look as efficient; the per-tap packing is a larger share at CI = 32),
// so those stay on im2col (conv.cpp). _C._conv_wgrad_taps(False) switches this path off.

#include "conv_algos.h"
#include "conv_impl.h"

namespace tf {
namespace TF_ISA {

namespace {
using namespace simd;

// B rows through a list of pixel numbers: row k is b + idx[k]*NR (NR: the panel width).
template <int NR>
struct BIdx {
  const float* b;
  const index_t* idx;
  const float* row() const { return b + *idx * NR; }
  void step() { ++idx; }
};

// C[i, 0:n] += sum_{k < L} a[k*CS + i] * b[idx[k]*NV*kW + :], rows i < m of an MR-row tile
// (rows past m computed and dropped: the A panel holds CS >= MR floats per pixel).
template <int CS, int MR, int NV>
void ukr_taps(const float* a, const float* b, const index_t* idx, index_t L, float* c, index_t ldc,
              int m, int n) {
  Tile<float, MR, NV> t;
  t.template madd<true, true>(L, APanel<float, CS>{a}, BIdx<NV * kW>{b, idx});
  t.template store_c<false>(c, ldc, m, n, Epilogue<float>{1.0f, 1.0f});
}

using TapsFn = void (*)(const float*, const float*, const index_t*, index_t, float*, index_t, int, int);

// Tiles for nv vectors: the ISA's full height mr_for(nv), and 4-, 2- and 1-row tiles over the
// same panel for the last rows of a tap (CI = 64 at MR = 6: 10 tiles of 6 and one of 4).
template <int NV>
TapsFn taps_fn_nv(int m) {
  constexpr int CS = mr_for(NV);
  if (m > 4 || CS <= 4) return m > 2 || CS <= 2 ? &ukr_taps<CS, CS, NV> : &ukr_taps<CS, 2, NV>;
  if (m > 2) return &ukr_taps<CS, 4, NV>;
  return m == 2 ? &ukr_taps<CS, 2, NV> : &ukr_taps<CS, 1, NV>;
}
template <int... V>
TapsFn taps_fn_impl(int nv, int m, std::integer_sequence<int, V...>) {
  TapsFn f = nullptr;
  ((f = (nv == V + 1 ? taps_fn_nv<V + 1>(m) : f)), ...);
  return f;
}
TapsFn taps_fn(int nv, int m) { return taps_fn_impl(nv_slot(nv) + 1, m, kNVs); }

// Column panels of equal widths where the vector count allows (all 2 vectors wide, else all 3;
// else 2s and one 3 or 1): at most two tile heights, so A is packed at most twice per tap.
Panels taps_panels(index_t CO) {
  const index_t nvtot = ceil_div(CO, kW);
  if (kMaxNV >= 3 && nvtot % 2 != 0 && nvtot % 3 == 0) {
    Panels pn(0);
    for (index_t v = 0; v < nvtot; v += 3) {
      pn.vstart.push_back(v * kW);
      pn.vnv.push_back(3);
    }
    pn.count = (int)pn.vstart.size();
    pn.padded = nvtot * kW;
    return pn;
  }
  Panels pn(0);
  for (index_t v = 0; v < nvtot;) {
    const index_t w = nvtot - v == 3 ? std::min<index_t>(3, kMaxNV) : std::min<index_t>(2, nvtot - v);
    pn.vstart.push_back(v * kW);
    pn.vnv.push_back(w);
    v += w;
  }
  pn.count = (int)pn.vstart.size();
  pn.padded = nvtot * kW;
  return pn;
}

constexpr index_t kTapChunk = 192;  // output pixels per chunk (a multiple of 1, 2, 4, 6, 8, 12)

}  // namespace

void conv_backward_filter_taps(const ConvShape& s, const float* dy, const float* x, float* dw,
                               float* db, const float* y) {
  const index_t T = s.KH * s.KW, CI = s.CI, CO = s.CO, Kd = T * CI, P = s.N * s.OH * s.OW;
  const Panels pn = taps_panels(CO);
  const index_t COp = pn.padded;
  const int nt_all = threads_for(2.0 * P * Kd * CO);

  // 1) db: one partial per block of pixels (fixed by P), summed in block order.
  if (db) {
    const index_t PB = 256, nblk = ceil_div(P, PB);
    float* dbp = workspace<float>(Ws::conv_wpack, (size_t)(nblk * COp));
    parallel_range(nblk, chunk_size(nblk, nt_all, 1), nt_all, [&](index_t b_b, index_t b_e) {
      const vf one = set1(1.0f);
      for (index_t blk = b_b; blk < b_e; ++blk) {
        float* d = dbp + blk * COp;
        for (index_t c = 0; c < COp; c += kW) {
          const int nn = (int)std::min<index_t>(kW, CO - c);
          vf acc = zero();
          for (index_t p = blk * PB; p < std::min(P, (blk + 1) * PB); ++p) {
            vf g = nn == kW ? load(dy + p * CO + c) : load_n(dy + p * CO + c, nn);
            if (y) g = g * select_gt(nn == kW ? load(y + p * CO + c) : load_n(y + p * CO + c, nn), zero(), one, zero());
            acc = acc + g;
          }
          store(d + c, acc);
        }
      }
    });
    for (index_t blk = 0; blk < nblk; ++blk)
      for (index_t c = 0; c < CO; ++c) db[c] += dbp[blk * COp + c];
  }
  if (!dw) return;

  // 2) Work items: Gr row groups of dW (boundaries at multiples of 8 rows) x Gp pixel parts.
  constexpr index_t kItems = 8;
  auto pow2_floor = [](index_t v) {
    index_t p = 1;
    while (2 * p <= v) p *= 2;
    return p;
  };
  // row groups of >= 512 rows (each group re-reads x and dy: DCGAN 7->14 at one thread ran
  // 25.5 / 24.8 / 23.5 / 23.4 ms with groups of 64 / 128 / 256 / 512 rows)
  index_t Gr = pow2_floor(std::min<index_t>(kItems, std::max<index_t>(1, Kd / 512)));
  const index_t rows_per = ceil_div(ceil_div(Kd, Gr), (index_t)8) * 8;
  Gr = ceil_div(Kd, rows_per);
  const index_t Gp = pow2_floor(std::max<index_t>(1, std::min<index_t>(kItems / Gr, P / 512)));
  const index_t items = Gr * Gp;
  float* partial = Gp > 1 ? workspace<float>(Ws::conv_aux, (size_t)(Gp * Kd * COp)) : nullptr;
  const int nt = (int)std::min<index_t>(nt_all, items);
  // the distinct tile heights of the panels (at most two)
  int mrs[2] = {0, 0}, nmr = 0;
  for (int j = 0; j < pn.count; ++j) {
    const int mr = mr_for(pn.nvec(j));
    if (mr != mrs[0] && mr != mrs[1]) mrs[nmr++] = mr;
  }

  parallel_chunks(items, nt, [&](index_t item) {
    const index_t g = item % Gr, q = item / Gr;
    const index_t r0 = g * rows_per, r1 = std::min(Kd, r0 + rows_per);
    index_t pb, pe;
    split_range(P, (int)Gp, (int)q, pb, pe);
    float* C = Gp > 1 ? partial + q * Kd * COp : dw;
    const index_t ldc = Gp > 1 ? COp : CO;
    if (Gp > 1) std::fill(C + r0 * COp, C + r1 * COp, 0.0f);
    // per thread: A panels for each tile height (tiles of one tap's CI range, kW floats of
    // slack each: the copy stores whole vectors), pixel numbers and x offsets of one chunk
    const index_t cimax = std::min(CI, r1 - r0);  // rows of one tap in this group
    index_t apan[2] = {0, 0}, afl = 0;
    for (int u = 0; u < nmr; ++u) {
      apan[u] = afl;
      afl += ceil_div(cimax, (index_t)mrs[u]) * (kTapChunk * mrs[u] + kW);
    }
    float* Ap = workspace<float>(Ws::conv_wino_v, (size_t)afl);
    index_t* pix = workspace<index_t>(Ws::conv_stage, (size_t)(5 * kTapChunk));  // n, ih0, iw0
    index_t* xoff = pix + 3 * kTapChunk;
    index_t* idx = pix + 4 * kTapChunk;
    float* Bc = workspace<float>(Ws::conv_wino_m, (size_t)(kTapChunk * COp));
    const vf one = set1(1.0f);
    for (index_t p0 = pb; p0 < pe; p0 += kTapChunk) {
      const index_t L = std::min(kTapChunk, pe - p0);
      {
        index_t n, oh, ow;
        decode(p0, s.OH, s.OW, n, oh, ow);
        for (index_t l = 0; l < L; ++l) {
          pix[3 * l] = n;
          pix[3 * l + 1] = oh * s.sh - s.pt;
          pix[3 * l + 2] = ow * s.sw - s.pl;
          next_pixel(s.OH, s.OW, n, oh, ow);
        }
      }
      // the chunk's dy rows (times the relu mask) into column panels: panel j holds L rows of
      // width(j) floats at Bc + kTapChunk*j0, zeros past CO (contiguous, so a panel's rows share
      // the L1 sets evenly: rows CO floats apart in dy would fall into a quarter of them at
      // CO = 64 and be evicted between the tiles that reuse them)
      for (index_t l = 0; l < L; ++l) {
        const float* src = dy + (p0 + l) * CO;
        const float* yr = y ? y + (p0 + l) * CO : nullptr;
        for (int j = 0; j < pn.count; ++j) {
          const index_t j0 = pn.j0(j), nr = pn.width(j);
          float* dst = Bc + kTapChunk * j0 + l * nr;
          for (index_t c = 0; c < nr; c += kW) {
            const int nn = (int)std::max<index_t>(0, std::min<index_t>(kW, CO - j0 - c));
            vf g = nn == kW ? load(src + j0 + c) : load_n(src + j0 + c, nn);
            if (yr) g = g * select_gt(nn == kW ? load(yr + j0 + c) : load_n(yr + j0 + c, nn), zero(), one, zero());
            store(dst + c, g);
          }
        }
      }
      for (index_t t = r0 / CI; t * CI < r1; ++t) {
        const index_t c0 = std::max(r0, t * CI) - t * CI, c1 = std::min(r1, (t + 1) * CI) - t * CI;
        const index_t cw = c1 - c0, kh = t / s.KW, kw = t % s.KW;
        // the chunk's pixels that tap t reads a real x pixel for
        index_t nv = 0;
        for (index_t l = 0; l < L; ++l) {
          const index_t ih = pix[3 * l + 1] + kh * s.dh, iw = pix[3 * l + 2] + kw * s.dw;
          if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) continue;
          idx[nv] = l;
          xoff[nv++] = ((pix[3 * l] * s.H + ih) * s.W + iw) * CI + c0;
        }
        if (nv == 0) continue;
        // A panels: tile i of height MR holds rows c0 + i*MR .. of the tap, MR floats per pixel
        for (int u = 0; u < nmr; ++u) {
          const index_t MR = mrs[u], ntile = ceil_div(cw, MR), tstride = kTapChunk * MR + kW;
          float* A = Ap + apan[u];
          for (index_t l = 0; l < nv; ++l) {
            const float* src = x + xoff[l];
            for (index_t i = 0; i < ntile; ++i) {
              float* dst = A + i * tstride + l * MR;
              const index_t left = cw - i * MR;  // floats of this pixel's run from row i*MR on
              for (index_t r = 0; r < MR; r += kW) {
                const int nn = (int)std::max<index_t>(0, std::min<index_t>(kW, left - r));
                store(dst + r, nn == kW ? load(src + i * MR + r) : load_n(src + i * MR + r, nn));
              }
            }
          }
        }
        for (int j = 0; j < pn.count; ++j) {
          const int nvj = pn.nvec(j), MR = mr_for(nvj);
          const int u = MR == mrs[0] ? 0 : 1;
          const index_t j0 = pn.j0(j), tstride = kTapChunk * MR + kW;
          const int ncols = (int)std::min(pn.width(j), (Gp > 1 ? COp : CO) - j0);
          const float* Bj = Bc + kTapChunk * j0;
          float* Cj = C + (t * CI + c0) * ldc + j0;
          for (index_t i0 = 0, i = 0; i0 < cw; i0 += MR, ++i) {
            const int m = (int)std::min<index_t>(MR, cw - i0);
            taps_fn(nvj, m)(Ap + apan[u] + i * tstride, Bj, idx, nv, Cj + i0 * ldc, ldc, m, ncols);
          }
        }
      }
    }
  });
  if (Gp > 1)  // in part order
    for (index_t q = 0; q < Gp; ++q) {
      const float* Cq = partial + q * Kd * COp;
      for (index_t k = 0; k < Kd; ++k)
        for (index_t c = 0; c < CO; ++c) dw[k * CO + c] += Cq[k * COp + c];
    }
}

}  // namespace TF_ISA
}  // namespace tf
