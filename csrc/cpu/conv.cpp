// 2-D convolution kernels, NHWC, forward + backward data + backward filter (contract: tf/conv.h).
// Compiled once per ISA (tf/isa.h). This file: the passes' entry points and the direct / im2col
// paths; conv_winograd.cpp: Winograd (forward and weight gradient side by side, geometry in
// conv_winograd.h); conv_impl.h: the micro-kernels, panels and helpers both share.
//
// Algorithms, chosen per layer and per pass:
//   - Winograd F(m, r) on 6x6 tiles (Note [Winograd]) for stride 1, dilation 1, kernels 3..5,
//     >= 16 channels in and out: all three passes (the weight gradient of 5-tap kernels in
//     3-tap pieces, Note [Winograd pieces]). 2.25-4x fewer multiplies than a direct convolution.
//   - otherwise implicit GEMM with our own register-blocked SIMD micro-kernel (no im2col copy
//     for the forward and backward-data passes; an im2col chunk only where it pays, see below;
//     the weight gradient of few-channel layers reads x in place: Note [weight gradient rows]):
//
//   forward        y (P x CO)  = A (P x T*CI)   * Wm (T*CI x CO)      P = N*OH*OW, T = KH*KW
//   backward data  dx (Q x CI) = A' (Q x T*CO)  * Wt (T*CO x CI)      Q = N*H*W
//   backward filt  dW (T*CI x CO) = col^T (T*CI x P) * dy (P x CO)
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
// (a tap too short a loop), the forward pass copies the chunk's rows of A (im2col) into a small
// buffer and runs one long segment instead, and the
// backward-data pass (whose vectors would run along CI) computes dcol = dy * Wm^T with vectors
// along T*CI and adds it back with col2im (backward_data_col2im).
// On Zen 4 some widths run on the AVX2 build instead: Note [Zen 4 zmm].
// The GEMM of tf/gemm.h is not used: every pass here is an implicit (or chunked) GEMM whose A
// operand is gathered on the fly, which a packing GEMM would first copy out.
//
// Note [weight gradient]: dW reduces over all P output pixels. Each thread takes a range of
// pixels, im2col's a chunk of them (rows of T*CI floats) and multiplies col^T by the chunk of dy
// into its own partial dW (no atomics); partials are summed at the end. The micro-kernel tile
// holds MR consecutive rows of dW (consecutive entries of a col row, one broadcast base pointer)
// by NR output channels (a row of dy). (Tried: tiling dW^T instead, vectors along T*CI, when
// CO wastes lanes (LeNet conv2, CO = 50): no faster, 6.4 vs 6.1 ms; the strided col reads, not
// the lanes, limit this pass.)
//
// Register tiles (acc = MR x NV vectors): avx512 (32 zmm): NV=4 x MR=6, NV=3 x 8, NV<=2 x 12;
// avx2 (16 ymm): NV=3 x 4, NV=2 x 6, NV=1 x 8; generic: 4 x 4 scalars.
#include "conv_impl.h"
#include "conv_winograd.h"

namespace tf {
namespace TF_ISA {

namespace {
using namespace simd;
}  // namespace

// ---- forward ----------------------------------------------------------------------------------

namespace {

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

}  // namespace

void conv2d_forward(const ConvShape& s, const float* x, const float* w, const float* b, float* y,
                    Act act) {
#if defined(TF_ISA_avx512)
  if (prefer_ymm(s.CO)) return ::tf::avx2::conv2d_forward(s, x, w, b, y, act);  // Note [Zen 4 zmm]
#endif
  FtzGuard ftz;
  // Note [Winograd]
  if (wino_use(s, s.CI, s.CO) && wino_pays(s.OH, s.OW, s.KH, s.KW, wino_m(s.KH), wino_m(s.KW), 1)) {
    wino_conv(WinoGeom(s.N, s.H, s.W, s.CI, s.KH, s.KW, s.CO, s.OH, s.OW, s.pt, s.pl), x, w, b, y, act);
    return;
  }
  const index_t T = s.KH * s.KW, CI = s.CI, CO = s.CO, Kd = T * CI, P = s.N * s.OH * s.OW;
  const Panels pn(CO);
  float* Bp = workspace<float>(Ws::conv_wpack, (size_t)(Kd * pn.padded));  // Note [workspace]
  pack_panels(w, Kd, CO, CO, 1, pn, Bp);
  std::vector<float> bias((size_t)pn.padded, 0.0f);
  if (b) std::copy(b, b + CO, bias.begin());
  const bool im2col = CI < 8;  // Note [implicit gather]: taps too short to loop over
  const index_t pr = (s.OW - 1) * s.sw + (s.KW - 1) * s.dw + 1 - s.W - s.pl;  // right pad in use
  if (CI < 8 && s.KH <= 8 && s.dw == 1 && s.pl == 0 && pr <= 0) {  // Note [forward rows]
    forward_rows(s, x, Bp, pn, bias.data(), y, act);
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
            for (index_t kh = 0; kh < s.KH; ++kh) {
              const float** ap = aptr.data() + nseg * MR;
              bool any = false;
              for (int i = 0; i < MR; ++i) {
                const index_t ih = ih0[i] + kh * s.dh;
                if (ih < 0 || ih >= s.H) {
                  ap[i] = zeros.data();
                } else {
                  ap[i] = x + ((nimg[i] * s.H + ih) * s.W + iw0[i]) * CI;
                  any = true;
                }
              }
              if (any) bptr[nseg++] = Bj + kh * span * nr;
            }
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
            for (index_t kw = 0; kw < s.KW; ++kw) {
              const float** ap = aptr.data() + nseg * MR;
              bool any = false;
              for (int i = 0; i < MR; ++i) {
                const index_t ih = ih0[i] + kh * s.dh, iw = iw0[i] + kw * s.dw;
                if (ih < 0 || ih >= s.H || iw < 0 || iw >= s.W) {
                  ap[i] = zeros.data();
                } else {
                  ap[i] = x + ((nimg[i] * s.H + ih) * s.W + iw) * CI;
                  any = true;
                }
              }
              if (any) bptr[nseg++] = Bj + (kh * s.KW + kw) * CI * nr;
            }
          ukr(nseg, aptr.data(), bptr.data(), CI, nr, c, CO, m, ncols, bias.data() + j0, act, false);
        }
      }
    }
  });
}

// ---- backward data ----------------------------------------------------------------------------

namespace {

// Backward data for tiny CI (LeNet conv1: CI = 1), where the implicit gather would fill one
// lane of each vector: dcol (P x KH*KW*CI) = dy (P x CO) * Wm^T (CO x KH*KW*CI) with the
// vector axis along KH*KW*CI, then col2im adds each row of dcol into the window it came from.
// Windows of neighbouring pixels overlap, so threads take whole images (no two write the same dx).
void backward_data_col2im(const ConvShape& s, const float* dy, const float* w, float* dx) {
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

}  // namespace


void conv2d_backward_data(const ConvShape& s, const float* dy, const float* w, float* dx) {
  FtzGuard ftz;
#if defined(TF_ISA_avx512)
  if (2 * s.CI > kW && prefer_ymm(s.CI))  // Note [Zen 4 zmm]
    return ::tf::avx2::conv2d_backward_data(s, dy, w, dx);
#endif
  if (wino_use(s, s.CO, s.CI) && wino_pays(s.H, s.W, s.KH, s.KW, wino_m(s.KH), wino_m(s.KW), 1)) {
    // Note [Winograd]: the convolution of dy with the flipped kernel
    const index_t KH = s.KH, KW = s.KW, CI = s.CI, CO = s.CO;
    float* wf = workspace<float>(Ws::conv_wflip, (size_t)(KH * KW * CI * CO));  // (KH, KW, CO, CI)
    const int ntf = threads_for(64.0 * KH * KW * CI * CO);  // a transposing copy, split by tap
    parallel_range(KH * KW, chunk_size(KH * KW, ntf, 1), ntf, [&](index_t t_b, index_t t_e) {
      for (index_t t = t_b; t < t_e; ++t) {
        const index_t kh = t / KW, kw = t % KW;
        const float* src = w + ((KH - 1 - kh) * KW + (KW - 1 - kw)) * CI * CO;
        float* dst = wf + t * CO * CI;
        for (index_t ci = 0; ci < CI; ++ci)
          for (index_t co = 0; co < CO; ++co) dst[co * CI + ci] = src[ci * CO + co];
      }
    });
    wino_conv(WinoGeom(s.N, s.OH, s.OW, CO, KH, KW, CI, s.H, s.W, KH - 1 - s.pt, KW - 1 - s.pl), dy, wf,
              nullptr, dx, Act::none);
    return;
  }
  if (2 * s.CI <= kW) {  // at most half a vector of input channels: see backward_data_col2im
    backward_data_col2im(s, dy, w, dx);
    return;
  }
  const index_t T = s.KH * s.KW, CI = s.CI, CO = s.CO, Q = s.N * s.H * s.W;
  const Panels pn(CI);
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
    // when ih + pt - kh*dh is a multiple of s: in a tile of consecutive pixels half the rows (s =
    // 2) would multiply zeros on every tap. Tiles here take the pixels of one image row with one
    // phase iw mod sw (sw*CI floats apart in dx), so a tap is valid for all rows of a tile or for
    // none (then dropped); only the image borders leave zero rows.
    const index_t phases = std::min(s.sw, s.W);  // a phase pw >= W holds no pixel
    const index_t items = s.N * s.H * phases;      // (n, ih, phase pw)
    parallel_range(items, chunk_size(items, nt, 1), nt, [&](index_t it_b, index_t it_e) {
      std::vector<const float*> aptr((size_t)(T * kMaxMR)), bptr((size_t)T);
      std::vector<index_t> ows((size_t)(s.KW * kMaxMR));
      for (index_t it = it_b; it < it_e; ++it) {
        const index_t pw = it % phases, ih = (it / phases) % s.H, n = it / (phases * s.H);
        if (pw >= s.W) continue;
        const index_t nb = ceil_div(s.W - pw, s.sw);  // pixels iw = pw + sw*b, b < nb
        for (int j = 0; j < pn.count; ++j) {
          const GatherPanel pk(pn, j);
          const int MR = pk.MR;
          for (index_t b0 = 0; b0 < nb; b0 += MR) {
            const int m = (int)std::min<index_t>(MR, nb - b0);
            for (int i = 0; i < MR; ++i) {
              const index_t iw = pw + s.sw * (b0 + std::min(i, m - 1));
              for (index_t kw = 0; kw < s.KW; ++kw) {
                const index_t wn = iw + s.pl - kw * s.dw, ow = wn / s.sw;
                ows[kw * kMaxMR + i] = (wn >= 0 && ow * s.sw == wn && ow < s.OW) ? ow : -1;
              }
            }
            int nseg = 0;
            for (index_t kh = 0; kh < s.KH; ++kh) {
              const index_t hn = ih + s.pt - kh * s.dh, oh = hn / s.sh;
              if (hn < 0 || oh * s.sh != hn || oh >= s.OH) continue;  // the same for every row
              const float* dyrow = dy + (n * s.OH + oh) * s.OW * CO;
              for (index_t kw = 0; kw < s.KW; ++kw) {
                const float** ap = aptr.data() + nseg * MR;
                bool any = false;
                for (int i = 0; i < MR; ++i) {
                  const index_t ow = ows[kw * kMaxMR + i];
                  ap[i] = ow < 0 ? zeros.data() : dyrow + ow * CO;
                  any = any || ow >= 0;
                }
                if (any) bptr[nseg++] = Bt + T * CO * pk.j0 + (kh * s.KW + kw) * CO * pk.nr;
              }
            }
            pk.ukr(nseg, aptr.data(), bptr.data(), CO, pk.nr,
                   dx + ((n * s.H + ih) * s.W + pw + s.sw * b0) * CI + pk.j0, s.sw * CI, m,
                   (int)std::min(pk.nr, CI - pk.j0), nullptr, Act::none, false);
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

// ---- relu backward mask -----------------------------------------------------------------------

void relu_backward_mask(index_t n, const float* dy, const float* y, float* out) {
  FtzGuard ftz;
  const index_t B = 16384, nb = ceil_div(n, B);
  const int nt = n < 65536 ? 1 : max_threads();
  parallel_range(nb, chunk_size(nb, nt, 1), nt, [&](index_t blk_b, index_t blk_e) {
    for (index_t blk = blk_b; blk < blk_e; ++blk) {
      const vf one = set1(1.0f);
      const index_t end = std::min(n, (blk + 1) * B);
      index_t i = blk * B;
      for (; i + kW <= end; i += kW)
        store(out + i, load(dy + i) * select_gt(load(y + i), zero(), one, zero()));
      if (i < end) {
        const int nn = (int)(end - i);
        store_n(out + i, load_n(dy + i, nn) * select_gt(load_n(y + i, nn), zero(), one, zero()), nn);
      }
    }
  });
}

// ---- backward filter --------------------------------------------------------------------------

namespace {

// Note [weight gradient rows]: when no window crosses the left or right edge (no horizontal
// padding) and dilation is 1 along W, the kernel row kh of pixel (n, oh, ow) reads KW*CI
// contiguous floats of x, and consecutive ow of one output row read them sw*CI floats apart: the
// strided micro-kernel then reads x in place (lda = sw*CI) for the KW*CI rows of dW of each kernel
// row, and no im2col copy is made. Used for few input channels (LeNet conv1: CI = 1, where the
// im2col of 5-float runs took ~40% of the pass). Rows of dW are tiled by MR, then 2, then 1, so
// the micro-kernel never reads past a window (no over-read past the end of x).
void backward_filter_rows(const ConvShape& s, const float* dy, const float* x, float* dw,
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
            f(xr + k0, s.sw * CI, dyb + j0, COp, s.OW, c0 + k0 * COp, COp, MR, (int)nr);
          for (const StridedFn f = strided_tail_fn(nv); k0 + kTailMR <= span; k0 += kTailMR)
            f(xr + k0, s.sw * CI, dyb + j0, COp, s.OW, c0 + k0 * COp, COp, kTailMR, (int)nr);
          for (const StridedFn f = strided_one_fn(nv); k0 < span; ++k0)
            f(xr + k0, s.sw * CI, dyb + j0, COp, s.OW, c0 + k0 * COp, COp, 1, (int)nr);
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

}  // namespace

void conv2d_backward_filter(const ConvShape& s, const float* dy, const float* x, float* dw,
                            float* db, const float* y) {
#if defined(TF_ISA_avx512)
  if (prefer_ymm(s.CO)) return ::tf::avx2::conv2d_backward_filter(s, dy, x, dw, db, y);  // Note [Zen 4 zmm]
#endif
  FtzGuard ftz;
  // Note [Winograd pieces]; and only when every tap reads some real input (H >= KH, W >= KW: a
  // tap that reads only padding must get exactly 0, not a rounding residue) over >= 64 output
  // pixels (the error, relative to sum |x| |dy|, is larger on the shortest sums).
  // The per-thread dU partials (36 x CI x CO per piece, 4-16x dW) are capped at 32 MiB.
  const WinoPieces pc(s.KH, s.KW);
  const double su_bytes = 4.0 * 36 * s.CI * ceil_div(s.CO, kW) * kW * pc.n[0] * pc.n[1];
  if (dw && s.H >= s.KH && s.W >= s.KW && s.N * s.OH * s.OW >= 64 && su_bytes <= 32.0 * (1 << 20) &&
      wino_use(s, s.CI, s.CO) &&
      wino_pays(s.OH, s.OW, s.KH, s.KW, wino_m(pc.r[0]), wino_m(pc.r[1]), pc.n[0] * pc.n[1])) {
    wino_backward_filter(WinoGeom(s.N, s.H, s.W, s.CI, pc.r[0], pc.r[1], s.CO, s.OH, s.OW, s.pt, s.pl),
                         pc, s.KH, s.KW, dy, x, y, dw, db);
    return;
  }
  const index_t pr = (s.OW - 1) * s.sw + (s.KW - 1) * s.dw + 1 - s.W - s.pl;  // right pad in use
  if (s.CI < 8 && s.dw == 1 && s.pl == 0 && pr <= 0) {  // Note [weight gradient rows]
    backward_filter_rows(s, dy, x, dw, db, y);
    return;
  }
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
