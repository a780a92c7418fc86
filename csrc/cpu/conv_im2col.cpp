// 2-D convolution through an im2col (or col2im) buffer per chunk of pixels (contract:
// tf/conv.h): backward data for tiny C_in and the weight gradient. (The direct forward copies
// the chunks of its border tiles with the same im2col_rows, conv_impl.h, when C_in is tiny.)
// Compiled once per ISA (tf/isa.h); chosen by the entry points in conv.cpp (conv_algos.h).
//
// Note [weight gradient]: dW reduces over all P output pixels. Each part (a range of pixels
// fixed by the shape, Note [fixed reduction partition] in conv_impl.h) im2col's a chunk of its
// pixels at a time (rows of T*CI floats) and multiplies col^T by the chunk of dy into the part's
// own partial dW (no atomics); partials are summed in part order at the end. The micro-kernel tile
// holds MR consecutive rows of dW (consecutive entries of a col row, one broadcast base pointer)
// by NR output channels (a row of dy). (Tried: tiling dW^T instead, vectors along T*CI, when
// CO wastes lanes (LeNet conv2, CO = 50): no faster, 6.4 vs 6.1 ms; the strided col reads, not
// the lanes, limit this pass.)
// (Tried on the DCGAN stride-2 layers, 64x14x14x64 -> 7x7x128 and 64x28x28x32 -> 14x14x64, k 4,
// ~28-31 GFLOP/s per core at 1 thread, loaded Zen 1; none measurably faster, all within +-5%
// noise: dy packed by column panel (B rows contiguous instead of COp floats apart), col re-laid in
// blocks of 48 columns (A rows 192 bytes apart instead of ~4 KiB), row blocks of 24/48 across the
// panels, 64- and 256-pixel chunks, balanced CO panels, a prefetch of the C tile, the k loop
// unrolled. The im2col copy and dy packing take ~2 ms of the ~29 (7x7x128 layer): the strided
// micro-kernel itself runs at ~75% of peak here against ~91% for the gather forward. The 7x7x128
// layer's weight gradient now runs tap by tap: Note [weight gradient by taps].)
//
#include "conv_algos.h"
#include "conv_impl.h"

namespace tf {
namespace TF_ISA {

namespace {
using namespace simd;
}  // namespace

// ---- backward data (tiny C_in) ----------------------------------------------------------------

// Backward data for tiny CI (LeNet conv1: CI = 1), where the implicit gather would fill one
// lane of each vector: dcol (P x KH*KW*CI) = dy (P x CO) * Wm^T (CO x KH*KW*CI) with the
// vector axis along KH*KW*CI, then col2im adds each row of dcol into the window it came from.
// Windows of neighbouring pixels overlap, so threads take whole images (no two write the same dx).
void conv_backward_data_col2im(const ConvShape& s, const float* dy, const float* w, float* dx) {
  const index_t T = s.KH * s.KW, CI = s.CI, CO = s.CO, Kd = T * CI, PI = s.OH * s.OW;
  const Panels pn(Kd);
  float* Bp = workspace<float>(Ws::conv_wpack, (size_t)(CO * pn.padded));  // Note [workspace]
  pack_panels(w, CO, Kd, 1, CO, pn, Bp);  // element (co, k) = w[k*CO + co]
  const index_t ldc = pn.padded;
  const int nt = std::min<index_t>(threads_for(2.0 * s.N * PI * Kd * CO), s.N);
  parallel_range(s.N, chunk_size(s.N, nt, 1), nt, [&](index_t n_b, index_t n_e) {
    for (index_t n = n_b; n < n_e; ++n) {
      float* dcol = workspace<float>(Ws::conv_wino_m, (size_t)(kChunk * ldc));
      const float* aptr[kMaxMR];
      const float* bptr[1];
      float* dxn = dx + n * s.H * s.W * CI;
      std::fill(dxn, dxn + s.H * s.W * CI, 0.0f);
      for (index_t p0 = 0; p0 < PI; p0 += kChunk) {
        const index_t pc = std::min(kChunk, PI - p0);
        for (int j = 0; j < pn.count; ++j) {
          const int nv = pn.nvec(j), MR = mr_for(nv);
          const index_t j0 = pn.j0(j), nr = pn.width(j);
          const GatherFn ukr = gather_fn(nv);
          bptr[0] = Bp + CO * j0;
          for (index_t t0 = 0; t0 < pc; t0 += MR) {
            const int m = (int)std::min<index_t>(MR, pc - t0);
            for (int i = 0; i < MR; ++i) aptr[i] = dy + (n * PI + p0 + t0 + std::min(i, m - 1)) * CO;
            ukr(1, aptr, bptr, CO, nr, dcol + t0 * ldc + j0, ldc, m, (int)std::min(nr, Kd - j0),
                nullptr, Act::none, false);
          }
        }
        for (index_t r = 0; r < pc; ++r) {
          const index_t oh = (p0 + r) / s.OW, ow = (p0 + r) % s.OW;
          const float* src = dcol + r * ldc;
          for (index_t kh = 0; kh < s.KH; ++kh) {
            const index_t ih = oh * s.sh - s.pt + kh * s.dh;
            if (ih < 0 || ih >= s.H) continue;
            for (index_t kw = 0; kw < s.KW; ++kw) {
              const index_t iw = ow * s.sw - s.pl + kw * s.dw;
              if (iw < 0 || iw >= s.W) continue;
              float* d = dxn + (ih * s.W + iw) * CI;
              const float* g = src + (kh * s.KW + kw) * CI;
              for (index_t c = 0; c < CI; ++c) d[c] += g[c];
            }
          }
        }
      }
    }
  });
}

// ---- backward filter --------------------------------------------------------------------------

void conv_backward_filter_im2col(const ConvShape& s, const float* dy, const float* x, float* dw,
                                 float* db, const float* y) {
  const index_t T = s.KH * s.KW, CI = s.CI, CO = s.CO, Kd = T * CI, P = s.N * s.OH * s.OW;
  const Panels pn(CO);
  const index_t COp = pn.padded;
  const index_t ldcol = Kd + std::max(kMaxMR, kW);  // slack: see copy_or_zero; tile rows past Kd stay in bounds
  const index_t PC = 128;             // pixels per im2col chunk
  // Note [workspace]: per-part partials (zeroed by the part's chunk), col and dyb per thread.
  // Note [fixed reduction partition]: parts of >= 8 whole chunks of PC pixels
  const index_t nchunks = ceil_div(P, PC);
  const index_t nparts = reduction_parts(nchunks, 8, (size_t)(Kd * COp + COp));
  const int nt = (int)std::min<index_t>(threads_for(2.0 * P * Kd * CO), nparts);
  float* partial = workspace<float>(Ws::conv_aux, (size_t)nparts * (size_t)(Kd * COp + COp));

  parallel_chunks(nparts, nt, [&](index_t part) {
    index_t pbeg, pend;  // whole chunks of PC pixels
    split_range(nchunks, (int)nparts, (int)part, pbeg, pend);
    pbeg *= PC;
    pend = std::min(P, pend * PC);
    float* dWp = part_partial(partial, (size_t)(Kd * COp + COp), part);
    float* dbp = dWp + Kd * COp;
    float* col = dw ? workspace<float>(Ws::conv_wino_v, (size_t)(PC * ldcol)) : nullptr;
    float* dyb = workspace<float>(Ws::conv_wino_m, (size_t)(PC * COp));
    for (index_t p0 = pbeg; p0 < pend; p0 += PC) {
      const index_t pc = std::min(PC, pend - p0);
      // dy rows padded to COp columns (zeros), so whole-vector B loads stay in bounds
      // (times the relu mask (y > 0) when y is given: dy * 1 or dy * 0, so NaN in dy stays NaN)
      const vf one = set1(1.0f);
      for (index_t r = 0; r < pc; ++r) {
        const float* src = dy + (p0 + r) * CO;
        const float* yr = y ? y + (p0 + r) * CO : nullptr;
        float* dst = dyb + r * COp;
        index_t c = 0;
        for (; c + kW <= CO; c += kW) {
          vf g = load(src + c);
          if (yr) g = g * select_gt(load(yr + c), zero(), one, zero());
          store(dst + c, g);
        }
        if (c < CO) {
          const int nn = (int)(CO - c);
          vf g = load_n(src + c, nn);
          if (yr) g = g * select_gt(load_n(yr + c, nn), zero(), one, zero());
          store(dst + c, g);
        }
      }
      if (db)
        for (index_t c = 0; c < COp; c += kW) {
          vf acc = zero();
          for (index_t r = 0; r < pc; ++r) acc = acc + load(dyb + r * COp + c);
          store(dbp + c, load(dbp + c) + acc);
        }
      if (!dw) continue;
      im2col_rows(s, x, p0, pc, col, ldcol);
      strided_gemm(pn, col, ldcol, Kd, dyb, COp, pc, dWp, COp);
    }
  });
  // Sum the per-part partials, in part order, into the caller's (accumulated) dw and db.
  for (index_t t = 0; t < nparts; ++t) {
    const float* dWp = partial + (size_t)t * (size_t)(Kd * COp + COp);
    if (dw)
      for (index_t k = 0; k < Kd; ++k)
        for (index_t c = 0; c < CO; ++c) dw[k * CO + c] += dWp[k * COp + c];
    if (db)
      for (index_t c = 0; c < CO; ++c) db[c] += dWp[Kd * COp + c];
  }
}

}  // namespace TF_ISA
}  // namespace tf
