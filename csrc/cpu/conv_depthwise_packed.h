// Private to csrc/cpu/conv_depthwise.cpp (compiled once per ISA, tf/isa.h): the 3x3 depthwise
// passes in the channel-block packed order (Note [channel-block packed 3x3]). In an anonymous
// namespace (Note [per-ISA inline functions]).
#pragma once
#include <algorithm>
#include <cstdint>
#include <type_traits>
#include <vector>

#include "tf/conv_depthwise.h"
#include "tf/simd.h"

namespace tf {
namespace TF_ISA {
namespace {
using namespace simd;

// Note [channel-block packed 3x3]: at many channels (MobileNet dw 14: C = 512) the row-outer
// order (dw_forward_rows, dw_filter_rows in conv_depthwise.cpp) reads each pixel's channel block
// at a stride of C floats; at a power-of-two C those 3 x W reads per block map to a few L1 sets,
// so the next row re-reads all three input rows from L2 (Zen 4, 1 thread, one 14x14x512 image
// in cache: 67-79 ns per image and channel, 40 at C = 496; 31 is the FMA bound), and from memory
// the short strided runs come late (150-190 ns). So a 3x3 kernel with column stride and dilation
// 1 on a SIMD build runs the other order at many channels (dw_packed_fits): a band of output
// rows at a time, one channel block (one vector) at a time, walking the band's rows with a ring
// of the KH input rows of that block packed contiguously, the padding columns as zeros (each
// input row copied once per block, then read from L1 only), the block's 9 weight vectors in
// registers and OB outputs a step sharing each input row's column loads. While one (band,
// block) unit runs, each of its rows prefetches a slice of the next unit's input and output
// lines into L2 (a standalone microbenchmark of the forward, 14x14x512 from memory: 65-75 ns per
// image and channel instead of 150-190). A band is the rows of one image whose input fits ~half
// of L2. Each output is still the sum from zero in tap order plus the bias last (Note
// [depthwise taps in registers]): the same bits as the row-outer order.
constexpr index_t kDwBandBytes = 512 << 10;
#if defined(TF_ISA_avx512)
constexpr int kDwPackOB = 4;
#else
constexpr int kDwPackOB = 2;  // 9 weights + 2 sums + 4 columns of 16 registers
#endif

// One unit: output rows [oh0, oh1) of image n, channels [c, c + kW) (masked past C).
struct DwUnit {
  index_t n, oh0, oh1, c;
};

// The lines of unit u's input rows and output rows, in slices (Note [channel-block packed 3x3]).
struct DwUnitLines {
  const float* x = nullptr;  // first input row's block
  const float* x2 = nullptr;  // the same rows of a second input (or none)
  const float* y = nullptr;
  index_t xrows = 0, W = 0, yrows = 0, OW = 0, C = 0;
  void set(const DwShape& s, const float* xb, const float* x2b, const float* yb, const DwUnit& u,
           index_t KH) {
    const index_t ih0 = std::max<index_t>(0, u.oh0 * s.sh - s.pt);
    const index_t ih1 = std::min<index_t>(s.H, (u.oh1 - 1) * s.sh - s.pt + (KH - 1) * s.dh + 1);
    xrows = std::max<index_t>(0, ih1 - ih0);
    x = xb + ((u.n * s.H + ih0) * s.W) * s.C + u.c;
    x2 = x2b ? x2b + ((u.n * s.H + ih0) * s.W) * s.C + u.c : nullptr;
    y = yb + ((u.n * s.OH + u.oh0) * s.OW) * s.C + u.c;
    yrows = u.oh1 - u.oh0;
    W = s.W; OW = s.OW; C = s.C;
  }
  // prefetch slice i of nsl (into L2; the output lines for writing)
  void prefetch(index_t i, index_t nsl) const {
    const index_t lx = xrows * W, lx2 = x2 ? 2 * lx : lx, l = lx2 + yrows * OW;
    for (index_t q = l * i / nsl, e = l * (i + 1) / nsl; q < e; ++q) {
      if (q < lx) __builtin_prefetch(x + q * C, 0, 2);  // rows of W pixels, consecutive: q*C
      else if (q < lx2) __builtin_prefetch(x2 + (q - lx) * C, 0, 2);
      else __builtin_prefetch(y + (q - lx2) * C, 1, 2);
    }
  }
};

// run(B, ow) over outputs [0, OW): kDwPackOB at a time, then one step of the rest (B outputs are
// B independent sums: a 1-output step of the forward is one chain of 9 dependent FMAs).
template <class Run>
inline void dw_packed_steps(index_t OW, const Run& run) {
  index_t ow = 0;
  for (; ow + kDwPackOB <= OW; ow += kDwPackOB) run(std::integral_constant<int, kDwPackOB>(), ow);
  switch (OW - ow) {
    case 1: run(std::integral_constant<int, 1>(), ow); break;
#if defined(TF_ISA_avx512)
    case 2: run(std::integral_constant<int, 2>(), ow); break;
    case 3: run(std::integral_constant<int, 3>(), ow); break;
#endif
    default: break;
  }
}

// y[ow, block] for ow in [0, OW) from the KH packed rows pr (column j: input column j - pl, kW
// floats), OB outputs a step: each packed row's B + KW - 1 columns loaded once; plus the block's
// bias bv when given.
template <int KH, int KW, bool TAIL>
inline void dw_packed_row(const float* const* pr, const vf* wv, const vf* bv, index_t c, index_t C,
                          index_t OW, int tail, float* yr) {
  auto run = [&](auto btag, index_t ow) {
    constexpr int B = decltype(btag)::value, NC = B + KW - 1;
    vf acc[B];
    for (int o = 0; o < B; ++o) acc[o] = zero();
    for (int kh = 0; kh < KH; ++kh) {
      vf xc[NC];
      for (int j = 0; j < NC; ++j) xc[j] = load(pr[kh] + (ow + j) * kW);
      for (int kw = 0; kw < KW; ++kw)
        for (int o = 0; o < B; ++o) acc[o] = fmadd(xc[o + kw], wv[kh * KW + kw], acc[o]);
    }
    for (int o = 0; o < B; ++o) {
      float* yp = yr + (ow + o) * C + c;
      if (TAIL) store_n(yp, bv ? acc[o] + *bv : acc[o], tail);
      else store(yp, bv ? acc[o] + *bv : acc[o]);
    }
  };
  dw_packed_steps(OW, run);
}

// The ring of one unit's packed input rows (Note [channel-block packed 3x3]): KH + 1 buffers
// of Wp * kW floats (Wp packed columns: column j holds input column j - pl), zero where never
// written; the last stays all zeros (padded rows).
template <int KH, bool TAIL>
struct DwRing {
  float* buf;
  index_t Wp, tag[KH];
  DwRing(float* b, index_t wp) : buf(b), Wp(wp) {
    for (int k = 0; k < KH; ++k) tag[k] = -1;
  }
  // pr[kh]: the packed input row of tap row kh for output row oh of unit u, packing the rows the
  // ring lacks into slots this row does not read.
  void rows(const DwShape& s, const float* x, const DwUnit& u, index_t oh, int tail, const float** pr) {
    bool keep[KH] = {};
    index_t want[KH];
    for (int kh = 0; kh < KH; ++kh) {
      const index_t ih = oh * s.sh - s.pt + kh * s.dh;
      want[kh] = (ih >= 0 && ih < s.H) ? ih : -1;
      for (int k = 0; k < KH; ++k)
        if (want[kh] >= 0 && tag[k] == want[kh]) keep[k] = true;
    }
    const index_t iw_end = std::min<index_t>(s.W, Wp - s.pl);  // the columns packed: iw + pl < Wp
    for (int kh = 0; kh < KH; ++kh) {
      if (want[kh] < 0) {
        pr[kh] = buf + KH * Wp * kW;
        continue;
      }
      int k = 0;
      while (k < KH && tag[k] != want[kh]) ++k;
      if (k == KH) {
        k = 0;
        while (keep[k]) ++k;
        keep[k] = true;
        tag[k] = want[kh];
        float* d = buf + (k * Wp + s.pl) * kW;
        const float* src = x + ((u.n * s.H + want[kh]) * s.W) * s.C + u.c;
        for (index_t iw = 0; iw < iw_end; ++iw)
          store(d + iw * kW, TAIL ? load_n(src + iw * s.C, tail) : load(src + iw * s.C));
      }
      pr[kh] = buf + k * Wp * kW;
    }
  }
};

// The forward of one unit; `next` is prefetched in slices, one per output row.
template <bool TAIL>
void dw_packed_unit(const DwShape& s, const float* x, const float* w, const float* b, const DwUnit& u,
                    float* ring, index_t Wp, const DwUnitLines* next, float* y) {
  const index_t C = s.C, c = u.c;
  const int tail = (int)std::min<index_t>(kW, C - c);
  vf wv[9];
  for (int t = 0; t < 9; ++t) wv[t] = TAIL ? load_n(w + t * C + c, tail) : load(w + t * C + c);
  const vf bv = !b ? zero() : TAIL ? load_n(b + c, tail) : load(b + c);
  DwRing<3, TAIL> rg(ring, Wp);
  for (index_t oh = u.oh0; oh < u.oh1; ++oh) {
    const float* pr[3];
    rg.rows(s, x, u, oh, tail, pr);
    if (next) next->prefetch(oh - u.oh0, u.oh1 - u.oh0);
    dw_packed_row<3, 3, TAIL>(pr, wv, b ? &bv : nullptr, c, C, s.OW, tail,
                              y + ((u.n * s.OH + oh) * s.OW) * C);
  }
}

// Note [packed 3x3 weight gradient]: the weight (and bias) gradient in the same order: per unit
// row, the 9 tap sums and the dy sum of the block run over the row's outputs in order from zero
// (OB outputs a step: one load of dy each, the packed rows' columns loaded once per step) and are
// then added to the chunk partial, as Note [depthwise dw taps in registers] does: the same bits.
template <bool TAIL>
void dw_packed_filter_unit(const DwShape& s, const float* x, const float* dy, const DwUnit& u,
                           float* ring, index_t Wp, const DwUnitLines* next, float* P, float* pb) {
  const index_t C = s.C, c = u.c;
  const int tail = (int)std::min<index_t>(kW, C - c);
  auto ld = [tail](const float* p) { return TAIL ? load_n(p, tail) : load(p); };
  auto add = [tail](float* p, vf a) {
    if (TAIL) store_n(p, load_n(p, tail) + a, tail);
    else store(p, load(p) + a);
  };
  DwRing<3, TAIL> rg(ring, Wp);
  for (index_t oh = u.oh0; oh < u.oh1; ++oh) {
    const float* pr[3];
    rg.rows(s, x, u, oh, tail, pr);
    if (next) next->prefetch(oh - u.oh0, u.oh1 - u.oh0);
    const float* dyr = dy + ((u.n * s.OH + oh) * s.OW) * C + c;
    vf acc[9], accb = zero();
    for (int t = 0; t < 9; ++t) acc[t] = zero();
    auto run = [&](auto btag, index_t ow) {
      constexpr int B = decltype(btag)::value, NC = B + 2;
      vf d[B];
      for (int o = 0; o < B; ++o) d[o] = ld(dyr + (ow + o) * C);
      if (pb)
        for (int o = 0; o < B; ++o) accb = accb + d[o];
      for (int kh = 0; kh < 3; ++kh) {
        vf xc[NC];
        for (int j = 0; j < NC; ++j) xc[j] = load(pr[kh] + (ow + j) * kW);
        for (int o = 0; o < B; ++o)
          for (int kw = 0; kw < 3; ++kw) acc[kh * 3 + kw] = fmadd(xc[o + kw], d[o], acc[kh * 3 + kw]);
      }
    };
    dw_packed_steps(s.OW, run);
    for (int t = 0; t < 9; ++t) add(P + t * C + c, acc[t]);
    if (pb) add(pb + c, accb);
  }
}

// Whether the packed order runs this pass (Note [channel-block packed 3x3]): stride 1 in columns
// and C >= min_c, kDwPackedFwdC for the forward and the dx run alone, kDwPackedGradC for the
// weight gradient and the fused backward. Below those, a row-outer block is a larger share of a
// pixel's lines and the rows stream well; measured (Zen 4, 1 thread, quiet, ms, row-outer /
// packed): the forward at 112x112x32 4.9-6.5 / 7.4-11.0, 56x56x128 2.4-2.8 / 2.6-3.2, 28x28x256
// 2.3-3.6 / 2.9-3.9, 14x14x512 2.2-3.5 / 1.9-2.6; the fused backward at 56x56x128 6.1-6.4 /
// 4.7-5.2. At stride 2 the packed order paid for two packed rows per output row and was not
// faster (28x28x256 'valid', four alternated runs: forward 0.48-1.01 / 0.60-2.43, weight
// gradient 0.49-0.86 / 0.96-2.64).
constexpr index_t kDwPackedFwdC = 512, kDwPackedGradC = 128;
inline bool dw_packed_fits(const DwShape& s, index_t min_c) {
  return kW > 1 && s.KH == 3 && s.KW == 3 && s.sw == 1 && s.dw == 1 && s.pl >= 0 && s.pt >= 0 &&
         s.C >= min_c;
}

// Output rows [r_b, r_e) as units: bands of rows within an image, each band's channel blocks in
// turn; run(unit, the next unit's lines or nullptr, rings, Wp) for each (`nring` rings of 4 * Wp
// * kW floats, one after the other). `yb` is the output (forward) or dy (weight gradient) whose
// unit rows are prefetched with the input's (and x2's, when given).
template <class Run>
void dw_packed_units(const DwShape& s, const float* x, const float* x2, const float* yb, index_t r_b,
                     index_t r_e, int nring, const Run& run) {
  const index_t C = s.C, Wp = s.OW + 2;
  // the rings, at a 64-byte boundary (the packed columns' loads do not split cache lines)
  std::vector<float> ring_mem((size_t)(nring * 4 * Wp * kW + 16), 0.0f);
  float* ring = ring_mem.data() + ((64 - (uintptr_t)ring_mem.data() % 64) % 64) / sizeof(float);
  const index_t band = std::max<index_t>(1, kDwBandBytes / std::max<index_t>(1, s.sh * s.W * C * 4));
  std::vector<DwUnit> units;
  for (index_t r = r_b; r < r_e;) {
    const index_t n = r / s.OH, oh0 = r % s.OH, oh_end = std::min(s.OH, oh0 + (r_e - r));
    const index_t nb = ceil_div(oh_end - oh0, band);  // bands of even size
    for (index_t i = 0; i < nb; ++i) {
      const index_t a = oh0 + (oh_end - oh0) * i / nb, e = oh0 + (oh_end - oh0) * (i + 1) / nb;
      for (index_t c = 0; c < C; c += kW) units.push_back({n, a, e, c});
    }
    r += oh_end - oh0;
  }
  DwUnitLines next;
  for (size_t i = 0; i < units.size(); ++i) {
    if (i + 1 < units.size()) next.set(s, x, x2, yb, units[i + 1], 3);
    run(units[i], i + 1 < units.size() ? &next : nullptr, ring, Wp);
  }
}

// The forward of output rows [r_b, r_e) in the packed order.
inline void dw_packed_rows(const DwShape& s, const float* x, const float* w, const float* b,
                           index_t r_b, index_t r_e, float* y) {
  dw_packed_units(s, x, nullptr, y, r_b, r_e, 1, [&](const DwUnit& u, const DwUnitLines* nx,
                                                     float* ring, index_t Wp) {
    if (u.c + kW <= s.C) dw_packed_unit<false>(s, x, w, b, u, ring, Wp, nx, y);
    else dw_packed_unit<true>(s, x, w, b, u, ring, Wp, nx, y);
  });
}

// The weight (and bias) gradient of output rows [r_b, r_e) into the chunk partial P (and pb) in
// the packed order (Note [packed 3x3 weight gradient]).
inline void dw_packed_filter_rows(const DwShape& s, const float* dy, const float* x, index_t r_b,
                                  index_t r_e, float* P, float* pb) {
  dw_packed_units(s, x, nullptr, dy, r_b, r_e, 1, [&](const DwUnit& u, const DwUnitLines* nx,
                                                      float* ring, index_t Wp) {
    if (u.c + kW <= s.C) dw_packed_filter_unit<false>(s, x, dy, u, ring, Wp, nx, P, pb);
    else dw_packed_filter_unit<true>(s, x, dy, u, ring, Wp, nx, P, pb);
  });
}

// Note [packed fused backward]: the fused 3x3 backward (Note [fused 3x3 backward]) in the packed
// order runs each unit's dx rows (the flipped-kernel forward f over dy) and then the same unit's
// weight gradient, which finds the unit's dy lines (just packed for dx) in L1 or L2 instead of
// after the whole chunk's dx. Each pass's sums as run alone: the same bits.
inline void dw_packed_backward_rows(const DwShape& s, const DwShape& f, const float* dy,
                                    const float* x, const float* wf, index_t r_b, index_t r_e,
                                    float* dx, float* P, float* pb) {
  dw_packed_units(f, dy, x, dx, r_b, r_e, 2, [&](const DwUnit& u, const DwUnitLines* nx,
                                                 float* ring, index_t Wp) {
    float* ring2 = ring + 4 * Wp * kW;
    if (u.c + kW <= s.C) {
      dw_packed_unit<false>(f, dy, wf, nullptr, u, ring, Wp, nx, dx);
      dw_packed_filter_unit<false>(s, x, dy, u, ring2, Wp, nullptr, P, pb);
    } else {
      dw_packed_unit<true>(f, dy, wf, nullptr, u, ring, Wp, nx, dx);
      dw_packed_filter_unit<true>(s, x, dy, u, ring2, Wp, nullptr, P, pb);
    }
  });
}

}  // namespace
}  // namespace TF_ISA
}  // namespace tf
