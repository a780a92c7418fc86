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
// Note [forward K groups]: the implicit GEMM streams a tile's whole B panel (Kd = KH*KW*CI
// rows by one panel's width; for backward data KH*KW*CO rows) per tile of pixels. Past the L2
// that is a stream from L3 for every tile: ResNet50's last 3x3 layer at 96x96 (8x3x3x512 -> 512
// 'same', Kd 4608, 1.2 MB panels). So the taps are cut into groups of kgroup rows of B (whole
// kernel rows where they fit, else whole taps) whose B slice and the chunk's A slice share half
// the L2; each group passes over every tile of the chunk, adding into the output (the bias with
// the first group, the ReLU with the last). kgroup == Kd: one group, as before. The groups
// depend on the shape and the L2 size only, not the thread count (Note [fixed reduction
// partition]). Work items are (chunk, panel), so the one chunk of such a layer still feeds every
// thread. That layer, 1 thread, quiet Zen 4 (noisy: +-15% between runs): forward 4.6-5.5 ->
// 3.3-4.2 ms; backward data 8.4-9.3 -> 4.7 ms, with its weights packed through 8 x 8 register
// transposes (pack_panels; the scalar transpose alone took 6.5 ms).
// Rows of B per K group (Note [forward K groups]) for Kd rows of B whose segments are `unit` rows
// (one tap) or `span` rows (a kernel row), panels up to `nr` floats wide.
index_t k_group(index_t Kd, index_t span, index_t unit, index_t nr) {
  const index_t l2 = cpu_caches().l2 / std::max(1, cpu_caches().l2_sharing);
  const index_t rows = std::max<index_t>(l2, 256 * 1024) / 2 / (4 * (nr + kChunk));
  if (rows >= Kd) return Kd;
  const index_t u = rows >= span ? span : unit;
  return std::max<index_t>(1, rows / u) * u;
}
index_t forward_kgroup(const ConvShape& s, const Panels& pn) {
  return k_group(s.KH * s.KW * s.CI, s.KW * s.CI, s.CI, pn.width(0));
}

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
  const index_t nchunks = ceil_div(P, kChunk), items = nchunks * pn.count;
  const int nt = threads_for(2.0 * P * Kd * CO);
  const index_t kgroup = forward_kgroup(s, pn);
  const index_t ntile_max = ceil_div(kChunk, mr_for(kMaxNV));

  // Work items (chunk of pixels, output-channel panel); in an item, Note [forward K groups]:
  // the taps in groups of kgroup rows of B, every tile of the chunk per group.
  parallel_range(items, chunk_size(items, nt, 1), nt, [&](index_t it_b, index_t it_e) {
    // per tile: its segments' row pointers, first rows of B, lengths; computed once per item
    std::vector<const float*> aptr((size_t)(ntile_max * T * kMaxMR)), bptr((size_t)T);
    std::vector<index_t> seg_off((size_t)(ntile_max * T)), pix((size_t)(ntile_max * kMaxMR));
    std::vector<int> nseg((size_t)ntile_max), mrows((size_t)ntile_max);
    std::vector<char> consecutive((size_t)ntile_max);
    std::vector<float> cbuf((size_t)(kChunk * kMaxNV * kW));
    index_t ih0[kMaxMR], iw0[kMaxMR], nimg[kMaxMR];
    std::vector<index_t> seglen((size_t)ntile_max);  // CI (taps) or KW*CI (kernel rows)
    for (index_t it = it_b; it < it_e; ++it) {
      const index_t ch = it / pn.count, q0 = ch * kChunk, qc = std::min(kChunk, P - q0);
      const GatherPanel pk(pn, (int)(it % pn.count));
      const int MR = pk.MR, ntiles = (int)ceil_div(qc, MR);
      const int ncols = (int)std::min(pk.nr, CO - pk.j0);
      const float* Bj = Bp + Kd * pk.j0;
      for (int tl = 0; tl < ntiles; ++tl) {
        const int m = (int)std::min<index_t>(MR, qc - tl * MR);
        index_t* px = pix.data() + tl * kMaxMR;
        // a kernel row is one segment of KW*CI floats when every row's window lies inside the
        // image horizontally (dw 1) and the groups hold whole kernel rows
        bool cons = true, rowwise = s.dw == 1 && kgroup % span == 0;
        for (int i = 0; i < MR; ++i) {  // rows past m repeat row m - 1
          const index_t p = order[q0 + tl * MR + std::min(i, m - 1)];
          index_t n, oh, ow;
          decode(p, s.OH, s.OW, n, oh, ow);
          px[i] = p;
          nimg[i] = n;
          ih0[i] = oh * s.sh - s.pt;
          iw0[i] = ow * s.sw - s.pl;
          rowwise = rowwise && iw0[i] >= 0 && iw0[i] + s.KW <= s.W;
          cons = cons && (i == 0 || i >= m || p == px[i - 1] + 1);
        }
        seglen[tl] = rowwise ? span : CI;
        const float** ap = aptr.data() + (size_t)tl * T * kMaxMR;
        index_t* so = seg_off.data() + (size_t)tl * T;
        int ns = 0;
        if (rowwise) {
          for (index_t kh = 0; kh < s.KH; ++kh)
            if (tap_rows(s, x, CI, MR, nimg, ih0, iw0, kh, -1, zeros.data(), ap + ns * MR)) so[ns++] = kh * span;
        } else {
          for (index_t kh = 0; kh < s.KH; ++kh)
            for (index_t kw = 0; kw < s.KW; ++kw)
              if (tap_rows(s, x, CI, MR, nimg, ih0, iw0, kh, kw, zeros.data(), ap + ns * MR))
                so[ns++] = (kh * s.KW + kw) * CI;
        }
        nseg[tl] = ns;
        mrows[tl] = m;
        consecutive[tl] = cons;
      }
      std::vector<int> first(ntiles, 0);  // per tile: its first segment of the current group
      for (index_t k0 = 0; k0 < Kd; k0 += kgroup) {
        const bool head = k0 == 0, tail = k0 + kgroup >= Kd;
        for (int tl = 0; tl < ntiles; ++tl) {
          const index_t* so = seg_off.data() + (size_t)tl * T;
          int g0 = first[tl], g1 = g0;
          while (g1 < nseg[tl] && so[g1] < k0 + kgroup) bptr[g1 - g0] = Bj + so[g1] * pk.nr, ++g1;
          first[tl] = g1;
          const index_t* px = pix.data() + tl * kMaxMR;
          float* c = consecutive[tl] ? y + px[0] * CO + pk.j0 : cbuf.data() + tl * MR * pk.nr;
          const index_t ldc = consecutive[tl] ? CO : pk.nr;
          pk.ukr(g1 - g0, aptr.data() + (size_t)tl * T * kMaxMR + g0 * MR, bptr.data(), seglen[tl], pk.nr, c, ldc,
                 mrows[tl], ncols, head ? bias + pk.j0 : nullptr, tail ? act : Act::none, !head);
          if (!tail || consecutive[tl]) continue;
          for (int i = 0; i < mrows[tl]; ++i) {  // a tile of scattered pixels: rows copied out
            float* d = y + px[i] * CO + pk.j0;
            const float* src = c + i * pk.nr;
            int cc = 0;
            for (; cc + kW <= ncols; cc += kW) store(d + cc, load(src + cc));
            if (cc < ncols) store_n(d + cc, load(src + cc), ncols - cc);
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
  // Note [forward border classes]: strided layers whose windows read padding; and layers whose
  // B panels outgrow the L2 (Note [forward K groups])
  const bool pads = s.pt > 0 || s.pl > 0 || right_pad_used(s) > 0 ||
                    (s.OH - 1) * s.sh + (s.KH - 1) * s.dh + 1 - s.H - s.pt > 0;
  if (!im2col && (((s.sh > 1 || s.sw > 1) && pads) || forward_kgroup(s, pn) < Kd) &&
      conv_forward_classes_enabled()) {
    forward_by_class(s, x, Bp, pn, bias.data(), y, act);
    return;
  }
  const index_t span = s.KW * CI;  // a kernel row of x, contiguous when dw == 1
  std::vector<float> zeros((size_t)std::max<index_t>(span, 1) + kW, 0.0f);
  // Work items: (chunk of pixels, output-channel panel), so that a few chunks still feed every
  // thread (ResNet50's 3x3 maps at batch 8: one chunk); with im2col, whole chunks (their
  // column buffer serves every panel).
  const index_t nchunks = ceil_div(P, kChunk), per = im2col ? 1 : pn.count, items = nchunks * per;
  const int nt = threads_for(2.0 * P * Kd * CO);

  parallel_range(items, chunk_size(items, nt, 1), nt, [&](index_t it_b, index_t it_e) {
    std::vector<const float*> aptr((size_t)(T * kMaxMR)), bptr((size_t)T);
    const index_t ldcol = Kd + kW;
    float* col = im2col ? workspace<float>(Ws::conv_wino_v, (size_t)(kChunk * ldcol)) : nullptr;
    index_t ih0[kMaxMR], iw0[kMaxMR], nimg[kMaxMR];
    for (index_t it = it_b; it < it_e; ++it) {
      const index_t ch = it / per, p0 = ch * kChunk, pc = std::min(kChunk, P - p0);
      bool col_ready = false;
      const int jb = im2col ? 0 : (int)(it % per), je = im2col ? pn.count : jb + 1;
      for (int j = jb; j < je; ++j) {
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
  // Note [workspace]: Bt and Btr in distinct slots of the calling thread.
  float* Bt = workspace<float>(Ws::conv_wpack, (size_t)(T * CO * pn.padded));
  // tap t of Wt is the transpose of w[t] (CI x CO): element (co, ci) at w[t*CI*CO + ci*CO + co]
  for (index_t t = 0; t < T; ++t) pack_panels(w + t * CI * CO, CO, CI, 1, CO, pn, Bt, T * CO, t * CO);
  // Stride 1 and dilation 1 along W: the KW taps of a kernel row read KW consecutive dy pixels
  // (in reverse kw order), one contiguous run of KW*CO floats; Btr holds Wt with kw reversed so
  // one segment per kernel row can use it (see the forward's row segments). Only where a tile
  // of the narrowest height can lie wholly in the image's interior columns (none on 3x3 maps).
  const bool rows_ok = s.sw == 1 && s.dw == 1 && s.OW - s.KW + 1 >= mr_for(kMaxNV);
  float* Btr = rows_ok ? workspace<float>(Ws::conv_aux, (size_t)(T * CO * pn.padded)) : nullptr;
  if (rows_ok)
    for (index_t kh = 0; kh < s.KH; ++kh)
      for (index_t kw = 0; kw < s.KW; ++kw)
        pack_panels(w + (kh * s.KW + kw) * CI * CO, CO, CI, 1, CO, pn, Btr, T * CO,
                    (kh * s.KW + (s.KW - 1 - kw)) * CO);
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

  // Work items: (chunk of pixels, input-channel panel), as the forward's, and in an item the
  // taps in K groups over every tile of the chunk (Note [forward K groups]): the B panel of a
  // 3x3x512 -> 512 layer is 1.2 MB, streamed from L3 once per tile otherwise.
  const index_t kgroup = k_group(T * CO, s.KW * CO, CO, pn.width(0));
  const index_t ntile_max = ceil_div(kChunk, mr_for(kMaxNV));
  parallel_range(nchunks * pn.count, chunk_size(nchunks * pn.count, nt, 1), nt, [&](index_t it_b, index_t it_e) {
    // per tile: its segments' row pointers and first rows of B, their count and length
    std::vector<const float*> aptr((size_t)(ntile_max * T * kMaxMR)), bptr((size_t)T);
    std::vector<index_t> seg_off((size_t)(ntile_max * T)), seglen((size_t)ntile_max);
    std::vector<int> nseg((size_t)ntile_max), first((size_t)ntile_max);
    std::vector<char> from_btr((size_t)ntile_max);
    index_t ihp[kMaxMR], iwp[kMaxMR], nimg[kMaxMR];
    std::vector<index_t> ohs((size_t)(s.KH * kMaxMR)), ows((size_t)(s.KW * kMaxMR));
    for (index_t it = it_b; it < it_e; ++it) {
      const index_t ch = it / pn.count, q0 = ch * kChunk, qc = std::min(kChunk, Q - q0);
      const int j = (int)(it % pn.count);
      const int nv = pn.nvec(j), MR = mr_for(nv), ntiles = (int)ceil_div(qc, MR);
      const index_t j0 = pn.j0(j), nr = pn.width(j);
      const GatherFn ukr = gather_fn(nv);
      for (int tl = 0; tl < ntiles; ++tl) {
        const index_t t0 = tl * MR;
        const int m = (int)std::min<index_t>(MR, qc - t0);
        index_t n, ih, iw;  // pixel of row i; rows past m repeat row m - 1
        decode(q0 + t0, s.H, s.W, n, ih, iw);
        for (int i = 0; i < MR; ++i) {
          nimg[i] = n;
          ihp[i] = ih + s.pt;  // position in the padded input
          iwp[i] = iw + s.pl;
          if (i + 1 < m) next_pixel(s.H, s.W, n, ih, iw);
        }
        const float** ap0 = aptr.data() + (size_t)tl * T * kMaxMR;
        index_t* so = seg_off.data() + (size_t)tl * T;
        int ns = 0;
        // Output pixel (oh, ow) reads padded position (oh*sh + kh*dh, ow*sw + kw*dw). The
        // divisions are done per (row, kh) and (row, kw), not per (row, tap).
        bool rowwise = rows_ok && kgroup % (s.KW * CO) == 0;
        for (int i = 0; i < MR; ++i) rowwise = rowwise && iwp[i] - (s.KW - 1) >= 0 && iwp[i] < s.OW;
        if (rowwise) {
          for (index_t kh = 0; kh < s.KH; ++kh) {
            const float** ap = ap0 + ns * MR;
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
            if (any) so[ns++] = kh * s.KW * CO;
          }
        } else {
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
          for (index_t kh = 0; kh < s.KH; ++kh)
            for (index_t kw = 0; kw < s.KW; ++kw) {
              const float** ap = ap0 + ns * MR;
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
              if (any) so[ns++] = (kh * s.KW + kw) * CO;
            }
        }
        nseg[tl] = ns;
        seglen[tl] = rowwise ? s.KW * CO : CO;
        from_btr[tl] = rowwise;
        first[tl] = 0;
      }
      for (index_t k0 = 0; k0 < T * CO; k0 += kgroup) {
        for (int tl = 0; tl < ntiles; ++tl) {
          const index_t* so = seg_off.data() + (size_t)tl * T;
          const float* Bj = (from_btr[tl] ? Btr : Bt) + T * CO * j0;
          int g0 = first[tl], g1 = g0;
          while (g1 < nseg[tl] && so[g1] < k0 + kgroup) bptr[g1 - g0] = Bj + so[g1] * nr, ++g1;
          first[tl] = g1;
          const index_t t0 = tl * MR;
          ukr(g1 - g0, aptr.data() + (size_t)tl * T * kMaxMR + g0 * MR, bptr.data(), seglen[tl], nr,
              dx + (q0 + t0) * CI + j0, CI, (int)std::min<index_t>(MR, qc - t0), (int)std::min(nr, CI - j0),
              nullptr, Act::none, k0 > 0);
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
