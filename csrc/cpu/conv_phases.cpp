// 2-D convolution of strided layers split into stride-1 convolutions by input phase, each run
// as a Winograd convolution (contract: tf/conv.h): forward, backward data and the weight
// gradient side by side. Compiled once per ISA (tf/isa.h); chosen by the entry points in
// conv.cpp (declarations: conv_algos.h); the Winograd passes are conv_winograd.cpp's.
//
// Note [strided layers by phases]: in a layer with stride s (per axis), dilation 1 and a kernel
// of K = r*s taps, the input pixels of one phase (ih % sh, iw % sw) = (a, b) are read only by
// the taps (ka + sh*u, kb + sw*v), u < rh, v < rw, with ka = (a + pt) % sh; output pixel oh reads
// phase row oh - qa + u, qa = (a + pt) / sh. So the layer is the sum over the sh*sw phases of
// stride-1 convolutions of the phase grids (x read at strides sh, sw) with rh x rw kernels, and
//   forward        y = sum_phases conv_phase(x_phase): one Winograd convolution whose input
//                  channels are the phases' channels stacked (its GEMMs reduce over
//                  sh*sw*CI; each phase's input transform reads its own grid, WinoStack);
//   backward data  dx_phase = conv_phase^T(dy): per phase, a Winograd convolution of dy with
//                  the phase's taps flipped, written into dx at strides sh, sw;
//   weight grad.   dW at the phase's taps = the Winograd weight gradient of conv_phase.
// This is the sub-pixel decomposition of the transposed convolution read from the other side:
// Conv2DTranspose's forward is conv2d's backward data, its input gradient a strided conv2d
// forward and its kernel gradient conv2d's weight gradient, so DCGAN's k4 s2 'same' layers run
// three passes of 2x2 Winograd convolutions F(5, 2) or F(7, 2) (36 multiplies per 25 outputs
// or 64 per 49 instead of 4 per output, and no multiplies by padding) instead of three implicit
// GEMMs.
// Taken (phases_use) where every pass of conv_winograd.cpp would take a stride-1 layer: >= 16
// channels each way, every phase's pads within its kernel extent (no output is a pure rounding
// residue), Winograd paying for the output grid (wino_pays), and the same process switch
// (_C._conv_winograd(False) turns this off too). For r = 2 the tile size is per pass
// (phase_alpha): F(7, 2) on 8x8 tiles where 6x6 tiles of 5 outputs waste most of a tile (DCGAN
// 7->14's 7x7 grids: one 8x8 tile, 64 multiplies, against 4 x 36; Note [Winograd 8x8 tiles]).
// The rounding is Winograd's (Note [Winograd]).
#include <vector>

#include "conv_algos.h"
#include "conv_impl.h"
#include "conv_winograd.h"

namespace tf {
namespace TF_ISA {

namespace {
using namespace simd;

struct Phase {
  index_t a, b;    // the phase: input pixels (ih, iw) with ih % sh == a, iw % sw == b
  index_t ka, kb;  // its first taps: it is read through taps (ka + sh*u, kb + sw*v)
  index_t qa, qb;  // output (oh, ow) reads phase pixel (oh - qa + u, ow - qb + v)
  index_t Ha, Wb;  // the phase grid
};

struct Phases {
  index_t rh = 0, rw = 0;  // taps per phase and axis
  int n = 0;
  Phase p[WinoStack::kMax];
};

// The phases of s, or n == 0 when s is not such a layer.
Phases phases_of(const ConvShape& s) {
  Phases ph;
  if (s.dh != 1 || s.dw != 1 || (s.sh == 1 && s.sw == 1) || s.sh * s.sw > WinoStack::kMax) return ph;
  if (s.KH % s.sh != 0 || s.KW % s.sw != 0 || s.H < s.sh || s.W < s.sw) return ph;
  const index_t rh = s.KH / s.sh, rw = s.KW / s.sw;
  if (rh < 2 || rh > 4 || rw < 2 || rw > 4) return ph;  // 1 tap: no Winograd; 5: pieces
  ph.rh = rh;
  ph.rw = rw;
  for (index_t a = 0; a < s.sh; ++a)
    for (index_t b = 0; b < s.sw; ++b) {
      Phase& p = ph.p[ph.n++];
      p.a = a;
      p.b = b;
      p.ka = (a + s.pt) % s.sh;
      p.kb = (b + s.pl) % s.sw;
      p.qa = (a + s.pt) / s.sh;
      p.qb = (b + s.pl) / s.sw;
      p.Ha = ceil_div(s.H - a, s.sh);
      p.Wb = ceil_div(s.W - b, s.sw);
    }
  return ph;
}

// A pad of a stride-1 convolution (input In, output O, r taps, top pad t) within [.., r - 1] on
// both sides: every output window holds real input (wino_use's rule).
bool pads_ok(index_t In, index_t O, index_t r, index_t t) {
  return t <= r - 1 && (O - 1) + r - In - t <= r - 1;
}

// The phase grid of phase p as an input (forward, weight gradient) or output (backward data) of
// a WinoGeom: x + (a*W + b)*CI, pixels sh*W*CI and sw*CI floats apart.
void phase_strides(const ConvShape& s, index_t C, index_t& n, index_t& h, index_t& w) {
  n = s.H * s.W * C;
  h = s.sh * s.W * C;
  w = s.sw * C;
}

// The tile size of the pass (wino_alpha, Note [Winograd 8x8 tiles]): by its output grid; for
// backward data 8 only where each phase grid is one tile (<= 7 x 7): there the 8x8 tiles run
// phase by phase (conv_backward_data_phases), and on DCGAN 14->28's 14x14 grids that (4 phases of
// 2 x 2 tiles, 32 dx channels each) ran 8% slower than 6x6 tiles stacked (1 thread), while the
// forward and weight gradient on 8x8 tiles ran 7-10% faster.
int phase_alpha(const ConvShape& s, const Phases& ph, PhasePass pass) {
  if (pass != PhasePass::backward_data) return wino_alpha(s.OH, s.OW, ph.rh, ph.rw);
  const Phase& p0 = ph.p[0];  // phase 0's grid is the largest
  return p0.Ha <= 7 && p0.Wb <= 7 ? wino_alpha(p0.Ha, p0.Wb, ph.rh, ph.rw) : 6;
}

}  // namespace

bool phases_use(const ConvShape& s, PhasePass pass) {
  if (s.CI < 16 || s.CO < 16 || !conv_winograd_enabled().load(std::memory_order_relaxed)) return false;
  const Phases ph = phases_of(s);
  if (ph.n == 0) return false;
  const int A = phase_alpha(s, ph, pass), mh = wino_m(ph.rh, A), mw = wino_m(ph.rw, A);
  const index_t CIt = ph.n * ceil_div(s.CI, kW) * kW;
  // U (A^2 x CIt x CO floats) within 64 MiB, the weight gradient's per-part dU within 32 MiB
  const double u_bytes = (double)(A * A) * 4.0 * (double)CIt * (double)(ceil_div(s.CO, kW) * kW);
  if (u_bytes > (pass == PhasePass::weight_grad ? 32.0 : 64.0) * (1 << 20)) return false;
  for (int i = 0; i < ph.n; ++i) {
    const Phase& p = ph.p[i];
    if (pass == PhasePass::backward_data) {  // dy (OH x OW) -> the phase grid, pads r - 1 - q
      if (!pads_ok(s.OH, p.Ha, ph.rh, ph.rh - 1 - p.qa) || !pads_ok(s.OW, p.Wb, ph.rw, ph.rw - 1 - p.qb) ||
          !wino_pays(p.Ha, p.Wb, ph.rh, ph.rw, mh, mw, 1, A))
        return false;
    } else if (!pads_ok(p.Ha, s.OH, ph.rh, p.qa) || !pads_ok(p.Wb, s.OW, ph.rw, p.qb) ||
               (pass == PhasePass::weight_grad && (p.Ha < ph.rh || p.Wb < ph.rw))) {
      return false;
    }
  }
  if (pass == PhasePass::backward_data) return true;
  if (pass == PhasePass::weight_grad && s.N * s.OH * s.OW < 64) return false;
  return wino_pays(s.OH, s.OW, ph.rh, ph.rw, mh, mw, 1, A);
}

// The phases of x as the stacked input channels of one stride-1 convolution (rh x rw kernel,
// CIt = phases * CI rounded up to vectors channels: phase i's at i*CIp): its geometry, returned,
// and the sources in st.
WinoGeom phase_stack(const ConvShape& s, const Phases& ph, const float* x, WinoStack& st, int A) {
  const index_t CI = s.CI, CIp = ceil_div(CI, kW) * kW, CIt = ph.n * CIp;
  st.n = ph.n;
  for (int i = 0; i < ph.n; ++i) {
    const Phase& p = ph.p[i];
    WinoGeom& g = st.g[i];
    g = WinoGeom(s.N, p.Ha, p.Wb, CI, ph.rh, ph.rw, s.CO, s.OH, s.OW, p.qa, p.qb, A);
    phase_strides(s, CI, g.xsn, g.xsh, g.xsw);
    g.ldv = wino_ld(CIt);
    st.x[i] = x + (p.a * s.W + p.b) * CI;
    st.off[i] = i * CIp;
  }
  const Phase& p0 = ph.p[0];
  return WinoGeom(s.N, p0.Ha, p0.Wb, CIt, ph.rh, ph.rw, s.CO, s.OH, s.OW, p0.qa, p0.qb, A);
}

// The first row of w (KH, KW, CI, CO) that phase i's tap (u, v) of the stacked kernel reads.
inline index_t phase_tap(const ConvShape& s, const Phase& p, index_t u, index_t v) {
  return ((p.ka + s.sh * u) * s.KW + p.kb + s.sw * v) * s.CI;
}

void conv_forward_phases(const ConvShape& s, const float* x, const float* w, const float* b, float* y,
                         Act act) {
  const Phases ph = phases_of(s);
  WinoStack st;
  const WinoGeom g = phase_stack(s, ph, x, st, phase_alpha(s, ph, PhasePass::forward));
  const index_t rh = ph.rh, rw = ph.rw, CI = s.CI, CO = s.CO, CIt = g.CI;
  // the stacked kernel (rh, rw, CIt, CO): rows st.off[i] + ci hold phase i's taps, zeros past CI
  float* ws = workspace<float>(Ws::conv_wflip, (size_t)(rh * rw * CIt * CO));
  std::fill(ws, ws + rh * rw * CIt * CO, 0.0f);
  for (int i = 0; i < ph.n; ++i)
    for (index_t u = 0; u < rh; ++u)
      for (index_t v = 0; v < rw; ++v)
        std::copy_n(w + phase_tap(s, ph.p[i], u, v) * CO, CI * CO, ws + ((u * rw + v) * CIt + st.off[i]) * CO);
  wino_conv(g, nullptr, ws, b, y, act, &st);
}

namespace {

// Backward data phase by phase: one Winograd convolution of dy per phase (its own dy transform),
// where sharing one would cost more tiles than it saves (conv_backward_data_phases).
// Note [phases side by side]: when the threads divide the phases evenly, each thread runs whole
// phases on its own (the phases write disjoint pixels of dx; inside a pool chunk the phase's
// transposing copy and Winograd convolution run on that thread: tf/parallel.h), instead of every
// phase split over the threads in turn: DCGAN 7->14's phases are 64 tiles each (one 8x8 tile per
// image), too few to split four ways without three fork-joins and four reads of the phase's
// transformed kernel per phase (RESULTS, cavx8). Each tile's sums are the same either way (a
// tile's GEMM rows never depend on the block it is in), so dx has the same bits at every
// thread count.
void backward_data_by_phase(const ConvShape& s, const Phases& ph, int A, const float* dy, const float* w,
                            float* dx) {
  const index_t rh = ph.rh, rw = ph.rw, CI = s.CI, CO = s.CO;
  const auto phase = [&](int i) {
    const Phase& p = ph.p[i];
    float* ws = workspace<float>(Ws::conv_wflip, (size_t)(rh * rw * CO * CI));  // (rh, rw, CO, CI)
    // the transposing copy split by tap (on the calling thread it was a serial stretch of each
    // phase's pass at 2 threads; inside a chunk it runs on the chunk's thread)
    const int ntf = threads_for(64.0 * rh * rw * CI * CO);
    parallel_range(rh * rw, 1, ntf, [&](index_t t_b, index_t t_e) {
      for (index_t t = t_b; t < t_e; ++t) {
        const index_t u = t / rw, v = t % rw;
        const float* src = w + phase_tap(s, p, rh - 1 - u, rw - 1 - v) * CO;
        float* dst = ws + t * CO * CI;
        for (index_t ci = 0; ci < CI; ++ci)
          for (index_t co = 0; co < CO; ++co) dst[co * CI + ci] = src[ci * CO + co];
      }
    });
    WinoGeom g(s.N, s.OH, s.OW, CO, rh, rw, CI, p.Ha, p.Wb, rh - 1 - p.qa, rw - 1 - p.qb, A);
    phase_strides(s, CI, g.ysn, g.ysh, g.ysw);
    wino_conv(g, dy, ws, nullptr, dx + (p.a * s.W + p.b) * CI, Act::none);
  };
  const int nt = max_threads();
  if (nt > 1 && ph.n % nt == 0) {  // Note [phases side by side]
    parallel_chunks(ph.n, nt, [&](index_t i) { phase((int)i); });
    return;
  }
  for (int i = 0; i < ph.n; ++i) phase(i);
}

}  // namespace

void conv_backward_data_phases(const ConvShape& s, const float* dy, const float* w, float* dx) {
  // One Winograd convolution of dy whose output channels are the phases' dx channels stacked:
  // phase i is conv_phase^T (its taps flipped, pads r - 1 - q), and its tiles start osh = P - (r -
  // 1 - q) rows (osw columns) early, so that every phase's tile reads the same dy rows (pad P,
  // the largest): one input transform of dy for all phases. Where that shift costs whole tiles
  // (DCGAN 7->14 on 8x8 tiles: 7 outputs per tile, and the shifted phases' 7x7 grids start one
  // row and column early, 2 x 2 tiles each instead of 1), phase by phase instead: per phase the
  // same GEMMs as its share of the stacked ones, and its own transform of dy.
  const Phases ph = phases_of(s);
  const index_t rh = ph.rh, rw = ph.rw, CI = s.CI, CO = s.CO;
  const index_t CIp = ceil_div(CI, kW) * kW, CIt = ph.n * CIp;
  const int A = phase_alpha(s, ph, PhasePass::backward_data), mh = wino_m(rh, A), mw = wino_m(rw, A);
  index_t Ph = 0, Pw = 0;
  for (int i = 0; i < ph.n; ++i) {
    Ph = std::max(Ph, rh - 1 - ph.p[i].qa);
    Pw = std::max(Pw, rw - 1 - ph.p[i].qb);
  }
  index_t TH = 0, TW = 0;
  for (int i = 0; i < ph.n; ++i) {
    const Phase& p = ph.p[i];
    TH = std::max(TH, ceil_div(p.Ha + Ph - (rh - 1 - p.qa), (index_t)mh));
    TW = std::max(TW, ceil_div(p.Wb + Pw - (rw - 1 - p.qb), (index_t)mw));
  }
  index_t own = 0;  // the most tiles of one phase on its own
  for (int i = 0; i < ph.n; ++i)
    own = std::max(own, ceil_div(ph.p[i].Ha, (index_t)mh) * ceil_div(ph.p[i].Wb, (index_t)mw));
  if (TH * TW > own) {
    backward_data_by_phase(s, ph, A, dy, w, dx);
    return;
  }
  // the stacked kernel (rh, rw, CO, CIt): element (u, v, co, off_i + ci) = w[phase i's tap
  // (rh-1-u, rw-1-v), ci, co]; zeros past CI
  float* ws = workspace<float>(Ws::conv_wflip, (size_t)(rh * rw * CO * CIt));
  std::fill(ws, ws + rh * rw * CO * CIt, 0.0f);
  WinoStackOut so;
  so.n = ph.n;
  for (int i = 0; i < ph.n; ++i) {
    const Phase& p = ph.p[i];
    for (index_t u = 0; u < rh; ++u)
      for (index_t v = 0; v < rw; ++v) {
        const float* src = w + phase_tap(s, p, rh - 1 - u, rw - 1 - v) * CO;
        float* dst = ws + (u * rw + v) * CO * CIt + i * CIp;
        for (index_t ci = 0; ci < CI; ++ci)
          for (index_t co = 0; co < CO; ++co) dst[co * CIt + ci] = src[ci * CO + co];
      }
    WinoGeom& g = so.g[i];
    g = WinoGeom(s.N, s.OH, s.OW, CO, rh, rw, CI, p.Ha, p.Wb, rh - 1 - p.qa, rw - 1 - p.qb, A);
    phase_strides(s, CI, g.ysn, g.ysh, g.ysw);
    g.osh = Ph - (rh - 1 - p.qa);
    g.osw = Pw - (rw - 1 - p.qb);
    g.TH = TH;
    g.TW = TW;
    g.ntiles = s.N * TH * TW;
    so.y[i] = dx + (p.a * s.W + p.b) * CI;
    so.off[i] = i * CIp;
  }
  WinoGeom g(s.N, s.OH, s.OW, CO, rh, rw, CIt, TH * mh, TW * mw, Ph, Pw, A);
  wino_conv(g, dy, ws, nullptr, nullptr, Act::none, nullptr, &so);
}

void conv_backward_filter_phases(const ConvShape& s, const float* dy, const float* x, float* dw,
                                 float* db, const float* y) {
  // the weight gradient of the stacked convolution (one transform of dy for every phase),
  // (rh, rw, CIt, CO), then its rows added to the phases' taps of dw
  const Phases ph = phases_of(s);
  WinoStack st;
  const WinoGeom g = phase_stack(s, ph, x, st, phase_alpha(s, ph, PhasePass::weight_grad));
  const index_t rh = ph.rh, rw = ph.rw, CI = s.CI, CO = s.CO, CIt = g.CI;
  std::vector<float> dws((size_t)(rh * rw * CIt * CO), 0.0f);
  wino_backward_filter(g, WinoPieces(rh, rw), rh, rw, dy, nullptr, y, dws.data(), db, &st);
  for (int i = 0; i < ph.n; ++i)
    for (index_t u = 0; u < rh; ++u)
      for (index_t v = 0; v < rw; ++v) {
        float* d = dw + phase_tap(s, ph.p[i], u, v) * CO;
        const float* src = dws.data() + ((u * rw + v) * CIt + st.off[i]) * CO;
        for (index_t k = 0; k < CI * CO; ++k) d[k] += src[k];
      }
}

}  // namespace TF_ISA
}  // namespace tf
