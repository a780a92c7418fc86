// 2-D convolution, direct algorithm (implicit GEMM, contract: tf/conv.h): forward, backward
// data and the weight gradient of few-channel layers, side by side. Compiled once per ISA
// (tf/isa.h); chosen by the entry points in conv.cpp (declarations: conv_algos.h).
//
// Note [implicit gather]: in the forward and backward-data passes a row of A is one output
// (input) pixel, and its entries for kernel tap t are CI (CO) *contiguous* floats of x (dy) at the
// pixel that tap reads, because C is the innermost NHWC axis. So the micro-kernel takes, for each
// tap, one pointer per tile row and walks the channels; a padded position (or, for backward data,
// a tap that no output reads through: stride gaps) points at a zero row. Taps that no row of a
// tile reads are dropped from that tile (borders, strided backward data). The weights (the B
// matrix) are repacked once per call into zero-padded panels NR = NV*kW floats wide, so every B
// row is one aligned-width run of vectors.
// Forward tiles whose windows all lie inside the image horizontally (dilation 1 along W) take
// one segment per kernel row instead: KW*CI contiguous floats of x. Otherwise, when CI is tiny
// (a tap too short a loop), the forward pass copies the chunk's rows of A (im2col_rows,
// conv_impl.h) into a small buffer and runs one long segment instead, and the backward-data pass
// (whose vectors would run along CI) is not done here: conv_backward_data_col2im in
// conv_im2col.cpp computes dcol = dy * Wm^T with vectors along T*CI and adds it back with col2im.
// On Zen 4 some widths run on the AVX2 build instead: Note [Zen 4 zmm].
// The GEMM of tf/gemm.h is not used: every pass here is an implicit (or chunked) GEMM whose A
// operand is gathered on the fly, which a packing GEMM would first copy out.
//
// Register tiles (acc = MR x NV vectors): avx512 (32 zmm): NV=4 x MR=6, NV=3 x 8, NV<=2 x 12;
// avx2 (16 ymm): NV=3 x 4, NV=2 x 6, NV=1 x 8; generic: 4 x 4 scalars.
#include "conv_algos.h"
#include "conv_impl.h"

namespace tf {
namespace TF_ISA {

namespace {
using namespace simd;
}  // namespace

// ---- forward ----------------------------------------------------------------------------------

namespace {

// The MR row pointers of one kernel tap (kh, kw) for output pixels whose windows start at
// (ih0[i], iw0[i]) in image nimg[i], appended to ap; a position in the padding reads the zero
// row. kw < 0: the whole kernel row kh (the caller knows every window lies inside the image
// horizontally). Returns whether any row reads the image (a tap read by no row is skipped).
inline bool tap_rows(const ConvShape& s, const float* x, index_t CI, int MR, const index_t* nimg,
                     const index_t* ih0, const index_t* iw0, index_t kh, index_t kw,
                     const float* zeros, const float** ap) {
  bool any = false;
  for (int i = 0; i < MR; ++i) {
    const index_t ih = ih0[i] + kh * s.dh, iw = iw0[i] + (kw < 0 ? 0 : kw * s.dw);
    if (ih < 0 || ih >= s.H || (kw >= 0 && (iw < 0 || iw >= s.W))) {
      ap[i] = zeros;
    } else {
      ap[i] = x + ((nimg[i] * s.H + ih) * s.W + iw) * CI;
      any = true;
    }
  }
  return any;
}

// Note [forward rows]: with few input channels (LeNet conv1: CI = 1) and no horizontal padding,
// the tile setup of the general gather path (per row: pixel, window bounds, a pointer per kernel
// row) cost a third of the pass, its micro-kernel running 25 taps of 5 floats. Here a tile is MR
// consecutive pixels of one output row: the kernel rows' bounds and x row pointers are found
// once per output row, and row i of a tile reads from those + (ow0 + i)*sw*CI.
void forward_rows(const ConvShape& s, const float* x, const float* Bp, const Panels& pn,
                  const float* bias, float* y, Act act) {
  const index_t CI = s.CI, CO = s.CO, span = s.KW * CI, Kd = s.KH * span, R = s.N * s.OH;
  const int nt = (int)std::min<index_t>(threads_for(2.0 * R * s.OW * Kd * CO), R);
  parallel_range(R, chunk_size(R, nt, 1), nt, [&](index_t r_b, index_t r_e) {
    const float* arow[8];  // KH <= 8 here: the x row of each unpadded kernel row
    const float* aptr[kMaxMR * 8];
    const float* bptr[8];
    for (index_t r = r_b; r < r_e; ++r) {
      const index_t n = r / s.OH, oh = r % s.OH;
      for (int j = 0; j < pn.count; ++j) {
        const GatherPanel pk(pn, j);
        const int MR = pk.MR, ncols = (int)std::min(pk.nr, CO - pk.j0);
        int nseg = 0;
        for (index_t kh = 0; kh < s.KH; ++kh) {
          const index_t ih = oh * s.sh - s.pt + kh * s.dh;
          if (ih < 0 || ih >= s.H) continue;  // a padded kernel row: no segment
          arow[nseg] = x + (n * s.H + ih) * s.W * CI;
          bptr[nseg++] = Bp + Kd * pk.j0 + kh * span * pk.nr;
        }
        float* yr = y + r * s.OW * CO + pk.j0;
        for (index_t ow0 = 0; ow0 < s.OW; ow0 += MR) {
          const int m = (int)std::min<index_t>(MR, s.OW - ow0);  // rows past m repeat row m - 1
          for (int g = 0; g < nseg; ++g)
            for (int i = 0; i < MR; ++i)
              aptr[g * MR + i] = arow[g] + (ow0 + std::min(i, m - 1)) * s.sw * CI;
          pk.ukr(nseg, aptr, bptr, span, pk.nr, yr + ow0 * CO, CO, m, ncols, bias + pk.j0, act, false);
        }
      }
    }
  });
}

// Note [forward border classes]: in a strided layer with padding, the output pixels whose
// windows cross an image border are a large share of small outputs (DCGAN's 7x7 output of a
// 14x14 input, kernel 4, stride 2, padding 1: 24 of 49 pixels), and a tile of consecutive pixels
// mixes them with interior ones: the taps one row's window puts on padding are then multiplied
// as zero rows for the others' sake (14% of that layer's arithmetic), and few tiles lie wholly
// inside horizontally (one segment per kernel row). The valid taps of pixel (oh, ow) are an
// interval of kh set by oh times an interval of kw set by ow, so here tiles take the pixels
// sorted by that pair (a counting sort, pixel order within a class): a tile within one class
// reads exactly its valid taps, and the interior class runs on row segments. A tile whose rows
// are not consecutive pixels of y is computed into a small buffer and its rows copied out.
// Measured (1 thread, CPU time, shared Zen 1, ms consecutive / classes): DCGAN 7->14's dx pass
// (64x14x14x64 -> 7x7x128, k4 s2 'same') 23.2 / 21.4, 64x28x28x32 -> 64 k4 s2 24.2 / 23.9,
// ResNet 3x3 s2 16x56x56x64 -> 128 52.8 / 53.3 (noise); a layer without padding has one class
// (U-Net 2x2 s2: 9.4 / 9.7, the per-row decode) and keeps the consecutive tiles.
void forward_by_class(const ConvShape& s, const float* x, const float* Bp, const Panels& pn,
                      const float* bias, float* y, Act act) {
  const index_t CI = s.CI, CO = s.CO, T = s.KH * s.KW, Kd = T * CI, P = s.N * s.OH * s.OW;
  const index_t span = s.KW * CI;
  // class of an output row (column): its interval of valid kh (kw), numbered densely
  auto classes = [](index_t O, index_t st, index_t pad, index_t K, index_t d, index_t In,
                    std::vector<index_t>& id) {
    std::vector<index_t> code((size_t)O);
    for (index_t o = 0; o < O; ++o) {
      index_t lo = 0, hi = K;
      while (lo < K && o * st - pad + lo * d < 0) ++lo;
      while (hi > lo && o * st - pad + (hi - 1) * d >= In) --hi;
      code[o] = lo * (K + 1) + hi;
    }
    std::vector<index_t> codes(code);
    std::sort(codes.begin(), codes.end());
    codes.erase(std::unique(codes.begin(), codes.end()), codes.end());
    id.resize((size_t)O);
    for (index_t o = 0; o < O; ++o)
      id[o] = std::lower_bound(codes.begin(), codes.end(), code[o]) - codes.begin();
    return (index_t)codes.size();
  };
  std::vector<index_t> hid, wid;
  const index_t nh = classes(s.OH, s.sh, s.pt, s.KH, s.dh, s.H, hid);
  const index_t nw = classes(s.OW, s.sw, s.pl, s.KW, s.dw, s.W, wid);
  std::vector<index_t> start((size_t)(nh * nw + 1), 0), order((size_t)P);
  for (index_t n = 0; n < s.N; ++n)
    for (index_t oh = 0; oh < s.OH; ++oh)
      for (index_t ow = 0; ow < s.OW; ++ow) ++start[hid[oh] * nw + wid[ow] + 1];
  for (index_t c = 0; c < nh * nw; ++c) start[c + 1] += start[c];
  {
    std::vector<index_t> fill(start.begin(), start.end() - 1);
    index_t p = 0;
    for (index_t n = 0; n < s.N; ++n)
      for (index_t oh = 0; oh < s.OH; ++oh)
        for (index_t ow = 0; ow < s.OW; ++ow, ++p) order[fill[hid[oh] * nw + wid[ow]]++] = p;
  }
  std::vector<float> zeros((size_t)std::max<index_t>(span, 1) + kW, 0.0f);
  const index_t nchunks = ceil_div(P, kChunk);
  const int nt = threads_for(2.0 * P * Kd * CO);

  parallel_range(nchunks, chunk_size(nchunks, nt, 1), nt, [&](index_t ch_b, index_t ch_e) {
    std::vector<const float*> aptr((size_t)(T * kMaxMR)), bptr((size_t)T);
    float tile[kMaxMR * kMaxNV * kW];
    index_t ih0[kMaxMR], iw0[kMaxMR], nimg[kMaxMR], pix[kMaxMR];
    std::vector<index_t> seg_off((size_t)T);
    for (index_t ch = ch_b; ch < ch_e; ++ch) {
      const index_t q0 = ch * kChunk, qc = std::min(kChunk, P - q0);
      // Panels of one tile height share a tile's row pointers (Note [implicit gather])
      for (int g0 = 0, g1; g0 < pn.count; g0 = g1) {
        const int MR = mr_for(pn.nvec(g0));
        for (g1 = g0 + 1; g1 < pn.count && mr_for(pn.nvec(g1)) == MR;) ++g1;
        for (index_t t0 = 0; t0 < qc; t0 += MR) {
          const int m = (int)std::min<index_t>(MR, qc - t0);
          bool consecutive = true, rowwise = s.dw == 1;
          for (int i = 0; i < MR; ++i) {  // rows past m repeat row m - 1
            const index_t p = order[q0 + t0 + std::min(i, m - 1)];
            index_t n, oh, ow;
            decode(p, s.OH, s.OW, n, oh, ow);
            pix[i] = p;
            nimg[i] = n;
            ih0[i] = oh * s.sh - s.pt;
            iw0[i] = ow * s.sw - s.pl;
            rowwise = rowwise && iw0[i] >= 0 && iw0[i] + s.KW <= s.W;
            consecutive = consecutive && (i == 0 || i >= m || p == pix[i - 1] + 1);
          }
          int nseg = 0;
          index_t L;  // a segment's length; seg_off: its first row of B, times the panel width
          if (rowwise) {  // one segment per kernel row, KW*CI contiguous floats of x
            L = span;
            for (index_t kh = 0; kh < s.KH; ++kh)
              if (tap_rows(s, x, CI, MR, nimg, ih0, iw0, kh, -1, zeros.data(), aptr.data() + nseg * MR))
                seg_off[nseg++] = kh * span;
          } else {
            L = CI;
            for (index_t kh = 0; kh < s.KH; ++kh)
              for (index_t kw = 0; kw < s.KW; ++kw)
                if (tap_rows(s, x, CI, MR, nimg, ih0, iw0, kh, kw, zeros.data(), aptr.data() + nseg * MR))
                  seg_off[nseg++] = (kh * s.KW + kw) * CI;
          }
          for (int j = g0; j < g1; ++j) {
            const GatherPanel pk(pn, j);
            const int ncols = (int)std::min(pk.nr, CO - pk.j0);
            const float* Bj = Bp + Kd * pk.j0;
            for (int g = 0; g < nseg; ++g) bptr[g] = Bj + seg_off[g] * pk.nr;
            if (consecutive) {
              pk.ukr(nseg, aptr.data(), bptr.data(), L, pk.nr, y + pix[0] * CO + pk.j0, CO, m, ncols,
                     bias + pk.j0, act, false);
              continue;
            }
            pk.ukr(nseg, aptr.data(), bptr.data(), L, pk.nr, tile, pk.nr, m, ncols, bias + pk.j0, act,
                   false);
            for (int i = 0; i < m; ++i) {
              float* d = y + pix[i] * CO + pk.j0;
              const float* src = tile + i * pk.nr;
              int c = 0;
              for (; c + kW <= ncols; c += kW) store(d + c, load(src + c));
              if (c < ncols) store_n(d + c, load(src + c), ncols - c);
            }
          }
        }
      }
    }
  });
}

}  // namespace

void conv_forward_direct(const ConvShape& s, const float* x, const float* w, const float* b, float* y,
                         Act act) {
  const index_t T = s.KH * s.KW, CI = s.CI, CO = s.CO, Kd = T * CI, P = s.N * s.OH * s.OW;
  const Panels pn(CO);
  float* Bp = workspace<float>(Ws::conv_wpack, (size_t)(Kd * pn.padded));  // Note [workspace]
  pack_panels(w, Kd, CO, CO, 1, pn, Bp);
  std::vector<float> bias((size_t)pn.padded, 0.0f);
  if (b) std::copy(b, b + CO, bias.begin());
  const bool im2col = CI < 8;  // Note [implicit gather]: taps too short to loop over
  if (rows_fit(s) && s.KH <= 8) {  // Note [forward rows]
    forward_rows(s, x, Bp, pn, bias.data(), y, act);
    return;
  }
  // Note [forward border classes]: strided layers whose windows read padding
  const bool pads = s.pt > 0 || s.pl > 0 || right_pad_used(s) > 0 ||
                    (s.OH - 1) * s.sh + (s.KH - 1) * s.dh + 1 - s.H - s.pt > 0;
  if (!im2col && (s.sh > 1 || s.sw > 1) && pads && conv_forward_classes_enabled()) {
    forward_by_class(s, x, Bp, pn, bias.data(), y, act);
    return;
  }
  const index_t span = s.KW * CI;  // a kernel row of x, contiguous when dw == 1
  std::vector<float> zeros((size_t)std::max<index_t>(span, 1) + kW, 0.0f);
  const index_t nchunks = ceil_div(P, kChunk);
  const int nt = threads_for(2.0 * P * Kd * CO);

  parallel_range(nchunks, chunk_size(nchunks, nt, 1), nt, [&](index_t ch_b, index_t ch_e) {
    std::vector<const float*> aptr((size_t)(T * kMaxMR)), bptr((size_t)T);
    const index_t ldcol = Kd + kW;
    float* col = im2col ? workspace<float>(Ws::conv_wino_v, (size_t)(kChunk * ldcol)) : nullptr;
    index_t ih0[kMaxMR], iw0[kMaxMR], nimg[kMaxMR];
    for (index_t ch = ch_b; ch < ch_e; ++ch) {
      const index_t p0 = ch * kChunk, pc = std::min(kChunk, P - p0);
      bool col_ready = false;
      for (int j = 0; j < pn.count; ++j) {
        const int nv = pn.nvec(j), MR = mr_for(nv);
        const index_t j0 = pn.j0(j), nr = pn.width(j);
        const GatherFn ukr = gather_fn(nv);
        const float* Bj = Bp + Kd * j0;
        for (index_t t0 = 0; t0 < pc; t0 += MR) {
          const int m = (int)std::min<index_t>(MR, pc - t0);
          float* c = y + (p0 + t0) * CO + j0;
          const int ncols = (int)std::min(nr, CO - j0);
          bool rowwise = s.dw == 1;
          index_t n, oh, ow;  // pixel of row i; rows past m repeat row m - 1
          decode(p0 + t0, s.OH, s.OW, n, oh, ow);
          for (int i = 0; i < MR; ++i) {
            nimg[i] = n;
            ih0[i] = oh * s.sh - s.pt;
            iw0[i] = ow * s.sw - s.pl;
            rowwise = rowwise && iw0[i] >= 0 && iw0[i] + s.KW <= s.W;
            if (i + 1 < m) next_pixel(s.OH, s.OW, n, oh, ow);
          }
          int nseg = 0;
          if (rowwise) {
            // Every row's window lies inside the image horizontally: one segment per kernel
            // row, KW*CI contiguous floats of x (no copy even for CI = 1).
            for (index_t kh = 0; kh < s.KH; ++kh)
              if (tap_rows(s, x, CI, MR, nimg, ih0, iw0, kh, -1, zeros.data(), aptr.data() + nseg * MR))
                bptr[nseg++] = Bj + kh * span * nr;
            ukr(nseg, aptr.data(), bptr.data(), span, nr, c, CO, m, ncols, bias.data() + j0, act, false);
            continue;
          }
          if (im2col) {
            if (!col_ready) im2col_rows(s, x, p0, pc, col, ldcol);
            col_ready = true;
            for (int i = 0; i < MR; ++i) aptr[i] = col + (t0 + std::min(i, m - 1)) * ldcol;
            bptr[0] = Bj;
            ukr(1, aptr.data(), bptr.data(), Kd, nr, c, CO, m, ncols, bias.data() + j0, act, false);
            continue;
          }
          for (index_t kh = 0; kh < s.KH; ++kh)
            for (index_t kw = 0; kw < s.KW; ++kw)
              if (tap_rows(s, x, CI, MR, nimg, ih0, iw0, kh, kw, zeros.data(), aptr.data() + nseg * MR))
                bptr[nseg++] = Bj + (kh * s.KW + kw) * CI * nr;
          ukr(nseg, aptr.data(), bptr.data(), CI, nr, c, CO, m, ncols, bias.data() + j0, act, false);
        }
      }
    }
  });
}
// ---- backward data ----------------------------------------------------------------------------

void conv_backward_data_direct(const ConvShape& s, const float* dy, const float* w, float* dx) {
  const index_t T = s.KH * s.KW, CI = s.CI, CO = s.CO, Q = s.N * s.H * s.W;
  const Panels pn(CI, s.sh > 1 || s.sw > 1);
  // Wt (T*CO x CI): row t*CO + co, column ci = w[t, ci, co]; packed per tap into CI panels.
  // Note [workspace]: Bt, Btr and tmp in distinct slots of the calling thread.
  float* Bt = workspace<float>(Ws::conv_wpack, (size_t)(T * CO * pn.padded));
  float* tmp = workspace<float>(Ws::conv_wflip, (size_t)(CO * pn.padded));
  for (index_t t = 0; t < T; ++t) {
    // tap t of Wt is the transpose of w[t] (CI x CO): element (co, ci) at w[t*CI*CO + ci*CO + co]
    pack_panels(w + t * CI * CO, CO, CI, 1, CO, pn, tmp);
    for (int j = 0; j < pn.count; ++j) {
      const index_t j0 = pn.j0(j), nr = pn.width(j);
      std::copy_n(tmp + CO * j0, CO * nr, Bt + T * CO * j0 + t * CO * nr);
    }
  }
  // Stride 1 and dilation 1 along W: the KW taps of a kernel row read KW consecutive dy pixels
  // (in reverse kw order), one contiguous run of KW*CO floats; Btr holds Wt with kw reversed so
  // one segment per kernel row can use it (see the forward's row segments).
  const bool rows_ok = s.sw == 1 && s.dw == 1;
  float* Btr = rows_ok ? workspace<float>(Ws::conv_aux, (size_t)(T * CO * pn.padded)) : nullptr;
  if (rows_ok)
    for (int j = 0; j < pn.count; ++j) {
      const index_t j0 = pn.j0(j), nr = pn.width(j);
      for (index_t kh = 0; kh < s.KH; ++kh)
        for (index_t kw = 0; kw < s.KW; ++kw)
          std::copy_n(Bt + T * CO * j0 + (kh * s.KW + kw) * CO * nr, CO * nr,
                      Btr + T * CO * j0 + (kh * s.KW + (s.KW - 1 - kw)) * CO * nr);
    }
  std::vector<float> zeros((size_t)(s.KW * CO) + kW, 0.0f);
  const index_t nchunks = ceil_div(Q, kChunk);
  const int nt = threads_for(2.0 * s.N * s.OH * s.OW * T * CI * CO);

  if (s.sh > 1 || s.sw > 1) {
    // Note [strided backward data]: with stride s, input pixel ih is read through tap kh only
    // when ih + pt - kh*dh is a multiple of s, which depends only on the phase ih mod s (the
    // sub-pixel decomposition: s^2 independent stride-1 sub-convolutions). Tiles here take
    // consecutive pixels of one phase grid (n, bh, bw) -> (ph + sh*bh, pw + sw*bw), flattened
    // across rows and images, so a tap is valid for all rows of a tile or for none (then
    // dropped), only the image borders leave zero rows, and no tile is cut short at the end of
    // an image row (DCGAN 14x14 output, stride 2: 7 pixels per phase row, which tiles of 4 or 6
    // rows covered with 8 or 12: 1.29x the arithmetic at 64 input channels). A tile within one
    // grid row is stored in place (rows sw*CI floats apart in dx); one that crosses a grid row
    // is computed into a small buffer and its rows copied to dx.
    const index_t PH = std::min(s.sh, s.H), PW = std::min(s.sw, s.W);  // a phase >= H holds no pixel
    // Work items (chunk c, phase f), the phase fastest: the phases of a chunk read the same dy
    // pixels and write neighbouring dx pixels (phase by phase, a 2x2 kernel at stride 2 read dy
    // from memory four times over: 1.25x slower than the former row order).
    struct Phase {
      index_t ph, pw, nbh, nbw;
    };
    std::vector<Phase> phases;
    index_t maxchunks = 0;
    for (index_t ph = 0; ph < PH; ++ph)
      for (index_t pw = 0; pw < PW; ++pw) {
        const index_t nbh = ceil_div(s.H - ph, s.sh), nbw = ceil_div(s.W - pw, s.sw);
        phases.push_back({ph, pw, nbh, nbw});
        maxchunks = std::max(maxchunks, ceil_div(s.N * nbh * nbw, kChunk));
      }
    const index_t nph = (index_t)phases.size(), items = maxchunks * nph;
    // valid taps of a phase along one axis: (p + pad - k*d) mod st == 0; for those, the dy row
    // (column) read by phase-grid row b is b + off with off = (p + pad - k*d) / st (exact): the
    // divisions are made once per item and axis, not per tile row and tap (they took a quarter
    // of the pass on DCGAN 14->28's forward, 1 thread).
    struct Tap {
      index_t k, off;
    };
    auto phase_taps = [](index_t p, index_t pad, index_t K, index_t d, index_t st, std::vector<Tap>& out) {
      out.clear();
      for (index_t k = 0; k < K; ++k)
        if ((p + pad - k * d) % st == 0) out.push_back({k, (p + pad - k * d) / st});
    };
    parallel_range(items, chunk_size(items, nt, 1), nt, [&](index_t it_b, index_t it_e) {
      std::vector<const float*> aptr((size_t)(T * kMaxMR)), bptr((size_t)T);
      std::vector<Tap> khs, kws;
      std::vector<index_t> seg_tap((size_t)T);
      float tile[kMaxMR * kMaxNV * kW];
      index_t nimg[kMaxMR], bhs[kMaxMR], bws[kMaxMR];
      for (index_t it = it_b; it < it_e; ++it) {
        const Phase& ph = phases[it % nph];
        const index_t npix = s.N * ph.nbh * ph.nbw, q0 = (it / nph) * kChunk;
        if (q0 >= npix) continue;  // a phase with fewer pixels (odd H or W)
        const index_t qc = std::min(kChunk, npix - q0);
        phase_taps(ph.ph, s.pt, s.KH, s.dh, s.sh, khs);
        phase_taps(ph.pw, s.pl, s.KW, s.dw, s.sw, kws);
        // Panels of one tile height share a tile's row pointers (DCGAN 14->28: two of 2 vectors)
        for (int g0 = 0, g1; g0 < pn.count; g0 = g1) {
          const int MR = mr_for(pn.nvec(g0));
          for (g1 = g0 + 1; g1 < pn.count && mr_for(pn.nvec(g1)) == MR;) ++g1;
          index_t n, bh, bw;  // the grid pixel of the tile's first row
          decode(q0, ph.nbh, ph.nbw, n, bh, bw);
          for (index_t t0 = 0; t0 < qc; t0 += MR) {
            const int m = (int)std::min<index_t>(MR, qc - t0);
            const bool one_row = bw + m <= ph.nbw;  // all rows in one grid row: sw*CI floats apart
            for (int i = 0; i < MR; ++i) {  // rows past m repeat row m - 1
              const int r = std::min(i, m - 1);
              if (i == r) {
                nimg[i] = n;
                bhs[i] = bh;
                bws[i] = bw;
                next_pixel(ph.nbh, ph.nbw, n, bh, bw);  // after row m - 1: the next tile's first
              } else {
                nimg[i] = nimg[r];
                bhs[i] = bhs[r];
                bws[i] = bws[r];
              }
            }
            int nseg = 0;
            for (const Tap& th : khs)
              for (const Tap& tw : kws) {
                const float** ap = aptr.data() + nseg * MR;
                bool any = false;
                for (int i = 0; i < MR; ++i) {
                  const index_t oh = bhs[i] + th.off, ow = bws[i] + tw.off;
                  if ((size_t)oh >= (size_t)s.OH || (size_t)ow >= (size_t)s.OW) {
                    ap[i] = zeros.data();
                  } else {
                    ap[i] = dy + ((nimg[i] * s.OH + oh) * s.OW + ow) * CO;
                    any = true;
                  }
                }
                if (any) seg_tap[nseg++] = th.k * s.KW + tw.k;
              }
            auto dx_row = [&](int i) {
              return dx + ((nimg[i] * s.H + ph.ph + s.sh * bhs[i]) * s.W + ph.pw + s.sw * bws[i]) * CI;
            };
            for (int j = g0; j < g1; ++j) {
              const GatherPanel pk(pn, j);
              const int ncols = (int)std::min(pk.nr, CI - pk.j0);
              for (int g = 0; g < nseg; ++g) bptr[g] = Bt + T * CO * pk.j0 + seg_tap[g] * CO * pk.nr;
              if (one_row) {
                pk.ukr(nseg, aptr.data(), bptr.data(), CO, pk.nr, dx_row(0) + pk.j0, s.sw * CI, m, ncols,
                       nullptr, Act::none, false);
                continue;
              }
              pk.ukr(nseg, aptr.data(), bptr.data(), CO, pk.nr, tile, pk.nr, m, ncols, nullptr,
                     Act::none, false);
              for (int i = 0; i < m; ++i) {
                float* d = dx_row(i) + pk.j0;
                const float* src = tile + i * pk.nr;
                int c = 0;
                for (; c + kW <= ncols; c += kW) store(d + c, load(src + c));
                if (c < ncols) store_n(d + c, load(src + c), ncols - c);
              }
            }
          }
        }
      }
    });
    return;
  }

  parallel_range(nchunks, chunk_size(nchunks, nt, 1), nt, [&](index_t ch_b, index_t ch_e) {
    std::vector<const float*> aptr((size_t)(T * kMaxMR)), bptr((size_t)T);
    index_t ihp[kMaxMR], iwp[kMaxMR], nimg[kMaxMR];
    std::vector<index_t> ohs((size_t)(s.KH * kMaxMR)), ows((size_t)(s.KW * kMaxMR));
    for (index_t ch = ch_b; ch < ch_e; ++ch) {
      const index_t q0 = ch * kChunk, qc = std::min(kChunk, Q - q0);
      for (int j = 0; j < pn.count; ++j) {
        const int nv = pn.nvec(j), MR = mr_for(nv);
        const index_t j0 = pn.j0(j), nr = pn.width(j);
        const GatherFn ukr = gather_fn(nv);
        const float* Bj = Bt + T * CO * j0;
        for (index_t t0 = 0; t0 < qc; t0 += MR) {
          const int m = (int)std::min<index_t>(MR, qc - t0);
          index_t n, ih, iw;  // pixel of row i; rows past m repeat row m - 1
          decode(q0 + t0, s.H, s.W, n, ih, iw);
          for (int i = 0; i < MR; ++i) {
            nimg[i] = n;
            ihp[i] = ih + s.pt;  // position in the padded input
            iwp[i] = iw + s.pl;
            if (i + 1 < m) next_pixel(s.H, s.W, n, ih, iw);
          }
          // Output pixel (oh, ow) reads padded position (oh*sh + kh*dh, ow*sw + kw*dw). The
          // divisions are done per (row, kh) and (row, kw), not per (row, tap).
          bool rowwise = rows_ok;
          for (int i = 0; i < MR; ++i) rowwise = rowwise && iwp[i] - (s.KW - 1) >= 0 && iwp[i] < s.OW;
          if (rowwise) {
            const float* Bjr = Btr + T * CO * j0;
            int nseg = 0;
            for (index_t kh = 0; kh < s.KH; ++kh) {
              const float** ap = aptr.data() + nseg * MR;
              bool any = false;
              for (int i = 0; i < MR; ++i) {
                const index_t hn = ihp[i] - kh * s.dh, oh = hn / s.sh;
                if (hn < 0 || oh * s.sh != hn || oh >= s.OH) {
                  ap[i] = zeros.data();
                } else {
                  ap[i] = dy + ((nimg[i] * s.OH + oh) * s.OW + iwp[i] - (s.KW - 1)) * CO;
                  any = true;
                }
              }
              if (any) bptr[nseg++] = Bjr + kh * s.KW * CO * nr;
            }
            ukr(nseg, aptr.data(), bptr.data(), s.KW * CO, nr, dx + (q0 + t0) * CI + j0, CI, m,
                (int)std::min(nr, CI - j0), nullptr, Act::none, false);
            continue;
          }
          for (int i = 0; i < MR; ++i) {
            for (index_t kh = 0; kh < s.KH; ++kh) {
              const index_t hn = ihp[i] - kh * s.dh, oh = hn / s.sh;
              ohs[kh * kMaxMR + i] = (hn >= 0 && oh * s.sh == hn && oh < s.OH) ? oh : -1;
            }
            for (index_t kw = 0; kw < s.KW; ++kw) {
              const index_t wn = iwp[i] - kw * s.dw, ow = wn / s.sw;
              ows[kw * kMaxMR + i] = (wn >= 0 && ow * s.sw == wn && ow < s.OW) ? ow : -1;
            }
          }
          int nseg = 0;
          for (index_t kh = 0; kh < s.KH; ++kh)
            for (index_t kw = 0; kw < s.KW; ++kw) {
              const float** ap = aptr.data() + nseg * MR;
              bool any = false;
              for (int i = 0; i < MR; ++i) {
                const index_t oh = ohs[kh * kMaxMR + i], ow = ows[kw * kMaxMR + i];
                if (oh < 0 || ow < 0) {
                  ap[i] = zeros.data();
                } else {
                  ap[i] = dy + ((nimg[i] * s.OH + oh) * s.OW + ow) * CO;
                  any = true;
                }
              }
              if (any) bptr[nseg++] = Bj + (kh * s.KW + kw) * CO * nr;
            }
          ukr(nseg, aptr.data(), bptr.data(), CO, nr, dx + (q0 + t0) * CI + j0, CI, m,
              (int)std::min(nr, CI - j0), nullptr, Act::none, false);
        }
      }
    }
  });
}
// ---- backward filter --------------------------------------------------------------------------


// Note [weight gradient rows]: when no window crosses the left or right edge (no horizontal
// padding) and dilation is 1 along W, the kernel row kh of pixel (n, oh, ow) reads KW*CI
// contiguous floats of x, and consecutive ow of one output row read them sw*CI floats apart: the
// strided micro-kernel then reads x in place (lda = sw*CI) for the KW*CI rows of dW of each kernel
// row, and no im2col copy is made. Used for few input channels (LeNet conv1: CI = 1, where the
// im2col of 5-float runs took ~40% of the pass). Rows of dW are tiled by MR, then 2, then 1, so
// the micro-kernel never reads past a window (no over-read past the end of x).
void conv_backward_filter_rows(const ConvShape& s, const float* dy, const float* x, float* dw,
                               float* db, const float* y) {
  const index_t CI = s.CI, CO = s.CO, span = s.KW * CI, Kd = s.KH * span, R = s.N * s.OH;
  const Panels pn(CO);
  const index_t COp = pn.padded;
  const size_t sz = (size_t)(Kd * COp + COp);  // per part: dW partial, then db partial
  // Note [fixed reduction partition]: parts of >= 1024 pixels (whole output rows)
  const index_t nparts = reduction_parts(R, ceil_div(1024, s.OW), sz);
  const int nt = (int)std::min<index_t>(threads_for(2.0 * R * s.OW * Kd * CO), nparts);
  float* partial = workspace<float>(Ws::conv_aux, sz * (size_t)nparts);

  parallel_chunks(nparts, nt, [&](index_t part) {
    float* dWp = part_partial(partial, sz, part);
    float* dbp = dWp + Kd * COp;
    float* dyb = workspace<float>(Ws::conv_wino_m, (size_t)(s.OW * COp));
    index_t rbeg, rend;
    split_range(R, (int)nparts, (int)part, rbeg, rend);
    const vf one = set1(1.0f);
    for (index_t r = rbeg; r < rend; ++r) {
      const index_t n = r / s.OH, oh = r % s.OH;
      // this output row of dy, masked (y > 0) when y is given, padded to COp columns
      for (index_t ow = 0; ow < s.OW; ++ow) {
        const float* src = dy + (r * s.OW + ow) * CO;
        const float* yr = y ? y + (r * s.OW + ow) * CO : nullptr;
        float* dst = dyb + ow * COp;
        for (index_t c = 0; c < CO; c += kW) {
          const int nn = (int)std::min<index_t>(kW, CO - c);
          vf g = nn == kW ? load(src + c) : load_n(src + c, nn);
          if (yr) g = g * select_gt(nn == kW ? load(yr + c) : load_n(yr + c, nn), zero(), one, zero());
          store(dst + c, g);
        }
      }
      if (db)
        for (index_t c = 0; c < COp; c += kW) {
          vf acc = zero();
          for (index_t ow = 0; ow < s.OW; ++ow) acc = acc + load(dyb + ow * COp + c);
          store(dbp + c, load(dbp + c) + acc);
        }
      if (!dw) continue;
      for (index_t kh = 0; kh < s.KH; ++kh) {
        const index_t ih = oh * s.sh - s.pt + kh * s.dh;
        if (ih < 0 || ih >= s.H) continue;
        const float* xr = x + (n * s.H + ih) * s.W * CI;  // pixel ow's window starts at ow*sw*CI
        for (int j = 0; j < pn.count; ++j) {
          const int nv = pn.nvec(j), MR = mr_for(nv);
          const index_t j0 = pn.j0(j), nr = pn.width(j);
          float* c0 = dWp + kh * span * COp + j0;
          index_t k0 = 0;
          for (const StridedFn f = strided_fn(nv); k0 + MR <= span; k0 += MR)
            f(xr + k0, s.sw * CI, dyb + j0, COp, s.OW, c0 + k0 * COp, COp, MR, (int)nr, true);
          for (const StridedFn f = strided_tail_fn(nv); k0 + kTailMR <= span; k0 += kTailMR)
            f(xr + k0, s.sw * CI, dyb + j0, COp, s.OW, c0 + k0 * COp, COp, kTailMR, (int)nr, true);
          for (const StridedFn f = strided_one_fn(nv); k0 < span; ++k0)
            f(xr + k0, s.sw * CI, dyb + j0, COp, s.OW, c0 + k0 * COp, COp, 1, (int)nr, true);
        }
      }
    }
  });
  for (index_t t = 0; t < nparts; ++t) {  // in part order
    const float* dWp = partial + (size_t)t * sz;
    if (dw)
      for (index_t k = 0; k < Kd; ++k)
        for (index_t c = 0; c < CO; ++c) dw[k * CO + c] += dWp[k * COp + c];
    if (db)
      for (index_t c = 0; c < CO; ++c) db[c] += dWp[Kd * COp + c];
  }
}

}  // namespace TF_ISA
}  // namespace tf
