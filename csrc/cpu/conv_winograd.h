// Winograd convolution (csrc/cpu/conv_winograd.cpp, Note [Winograd] there): the geometry and
// the entry points the conv passes in csrc/cpu/conv.cpp call. Private to csrc/cpu/conv*.cpp.
#pragma once
#include "tf/conv.h"
#include "tf/simd.h"

namespace tf {
namespace TF_ISA {

// Outputs per tile of a kernel extent r on tiles of A points (A = 6 by default; 8 for F(7, 2):
// Note [Winograd 8x8 tiles] in conv_winograd_tiles.h).
inline int wino_m(index_t r, int A = 6) { return A + 1 - (int)r; }

// Floats per tile row of V (or Z) for n channels: n rounded up to vectors, plus one 64-byte line
// where that is a multiple of 512 bytes. The weight gradient's micro-kernel reads a point's rows
// one per k step (a tile per step, Note [point strides] in conv_winograd.cpp): rows 1 KiB apart
// (256 channels) fell into 4 of the L1's 64 sets and evicted each other within one tile's loop.
inline index_t wino_ld(index_t n) {
  const index_t ld = ceil_div(n, simd::kW) * simd::kW;
  return ld % 128 == 0 ? ld + 16 : ld;
}

struct WinoGeom {
  index_t N, H, W, CI;   // input (N, H, W, CI)
  index_t KH, KW, CO;    // kernel (KH, KW, CI, CO)
  index_t OH, OW;        // output (N, OH, OW, CO)
  index_t pt, pl;        // output (oh, ow) reads input (oh + kh - pt, ow + kw - pl)
  int A;                 // tile size (alpha): 6, or 8 for F(7, 2) (Note [Winograd 8x8 tiles])
  int mh, mw;            // outputs per tile
  index_t TH, TW, ntiles;
  index_t ldv;           // floats per tile row of V (wino_ld(CI))
  // pixel (n, h, w) of the input at x + n*xsn + h*xsh + w*xsw, of the output at y + n*ysn +
  // h*ysh + w*ysw (contiguous NHWC by default; a phase grid of a strided layer otherwise: Note
  // [strided layers by phases] in conv_phases.cpp)
  index_t xsn, xsh, xsw, ysn, ysh, ysw;
  // tile (th, tw)'s first output pixel is (th*mh - osh, tw*mw - osw) (0 but in WinoStackOut)
  index_t osh, osw;
  WinoGeom() = default;
  WinoGeom(index_t N_, index_t H_, index_t W_, index_t CI_, index_t KH_, index_t KW_, index_t CO_,
           index_t OH_, index_t OW_, index_t pt_, index_t pl_, int A_ = 6)
      : N(N_), H(H_), W(W_), CI(CI_), KH(KH_), KW(KW_), CO(CO_), OH(OH_), OW(OW_), pt(pt_), pl(pl_), A(A_) {
    mh = wino_m(KH, A);
    mw = wino_m(KW, A);
    TH = ceil_div(OH, mh);
    TW = ceil_div(OW, mw);
    ntiles = N * TH * TW;
    ldv = wino_ld(CI);
    xsw = CI;
    xsh = W * CI;
    xsn = H * W * CI;
    ysw = CO;
    ysh = OW * CO;
    ysn = OH * OW * CO;
    osh = osw = 0;
  }
};

// Input channels stacked from several sources (Note [strided layers by phases]): source i is
// read through g[i] (its own pads, sizes and strides; the tiling, TH / TW / mh / mw, and ldv are
// the stacked conv's) into V's columns off[i] .. off[i] + g[i].CI.
struct WinoStack {
  static constexpr int kMax = 16;
  int n = 0;
  WinoGeom g[kMax];
  const float* x[kMax];
  index_t off[kMax];
};

// Note [Winograd pieces]: the weight gradient runs F(4, 3) and F(3, 4) only (F(2, 5)'s rounding
// reached ~3000 eps * sum |x| |dy| on the AlphaGo 5x5 layer: its final G^T dU G cancels large
// transformed terms). A kernel extent of 5 is covered by 3-tap pieces starting at 0 and 2 (tap 2
// computed twice, kept from the second piece): dW over rows [s, s+3) is the weight gradient of
// a 3-row kernel whose input is shifted by s (top pad pt - s). The pieces share the dy
// transform Z; each adds one input transform and 36 GEMMs: 4 x 2.25 = 9 multiplies per (pixel,
// C_in, C_out) for 5x5 instead of 25.
struct WinoPieces {
  index_t r[2];          // piece extent per axis (rows, columns)
  int n[2];              // pieces per axis
  index_t start[2][4];   // first tap of each piece
  explicit WinoPieces(index_t KH, index_t KW) {
    const index_t K[2] = {KH, KW};
    for (int d = 0; d < 2; ++d) {
      n[d] = 0;
      if (K[d] <= 4) {
        r[d] = K[d];
        start[d][n[d]++] = 0;
        continue;
      }
      r[d] = 3;
      for (index_t s0 = 0; s0 + 3 < K[d] && n[d] < 3; s0 += 3) start[d][n[d]++] = s0;
      start[d][n[d]++] = K[d] - 3;
    }
  }
};

// Output channels split among several outputs (Note [strided layers by phases]): the columns
// off[i] .. off[i] + g[i].CO of the product go to y[i] through g[i] (its own sizes, strides and
// tile origins osh / osw; the tiling TH / TW is the stacked conv's).
struct WinoStackOut {
  int n = 0;
  WinoGeom g[WinoStack::kMax];
  float* y[WinoStack::kMax];
  index_t off[WinoStack::kMax];
};

// st: the input channels come from st's sources instead of x (g.CI: their stacked width, w's
// rows in that order, zero rows where a source's channels are padded to whole vectors).
// so: the output channels go to so's outputs instead of y (b, if any, has g.CO entries).
void wino_conv(const WinoGeom& g, const float* x, const float* w, const float* b, float* y, Act act,
               const WinoStack* st = nullptr, const WinoStackOut* so = nullptr);

// st: as wino_conv's (one piece; dw then has st's stacked rows, (KH, KW, pg.CI, CO)).
void wino_backward_filter(const WinoGeom& pg, const WinoPieces& pc, index_t KH, index_t KW,
                          const float* dy, const float* x, const float* y, float* dw, float* db,
                          const WinoStack* st = nullptr);

bool wino_pays(index_t OH, index_t OW, index_t KH, index_t KW, int mh, int mw, int npieces, int A = 6);

// Whether a Winograd pass of layer s beats the direct one, the transformed weights' per-call cost
// included (Note [Winograd against direct] in conv_winograd.cpp): OH x OW the pass's output grid.
bool wino_beats_direct(const ConvShape& s, index_t OH, index_t OW, int mh, int mw, int npieces);

// The tile size for an OH x OW output of a 2x2 kernel (rh = rw = 2; 6 otherwise): 8 (F(7, 2))
// where its tiles cost fewer multiplies than F(5, 2)'s and conv_winograd_tile8_enabled().
int wino_alpha(index_t OH, index_t OW, index_t rh, index_t rw);

bool wino_use(const ConvShape& s, index_t cin, index_t cout);

}  // namespace TF_ISA
}  // namespace tf
