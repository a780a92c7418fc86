// Winograd F(m x m', r x r') convolution: the forward pass (also backward data, as a
// convolution of dy with the flipped kernel) and the weight gradient, side by side. Compiled
// once per ISA (tf/isa.h); shared micro-kernels in conv_impl.h, the geometry in conv_winograd.h.
#include "conv_algos.h"
#include "conv_impl.h"
#include "conv_winograd.h"
#include "conv_winograd_tiles.h"

namespace tf {
namespace TF_ISA {

// ---- Winograd ---------------------------------------------------------------------------------
//
// Note [Winograd]: for stride 1 and dilation 1 with kernel extents r in {3, 4, 5} and enough
// channels, the three passes run as Winograd F(m x m', r x r') (Lavin & Gray 2016) with the same
// 6x6 tile for every r (m = 7 - r: F(4, 3), F(3, 4), F(2, 5); F(5, 2) for the 2x2 kernels of
// Note [strided layers by phases] in conv_phases.cpp) and the interpolation points
// 0, 1, -1, 2, -2, inf (and F(7, 2) on 8x8 tiles for those 2x2 kernels on grids that 6x6 tiles
// cover badly: Note [Winograd 8x8 tiles]; below, 6 reads A, 36 reads A^2). Per tile of m x m'
// outputs and per channel:
//   V = B^T d B   (6x6 input tile d; B^T is the same for every r: WinoT<6>::bt)
//   U = G w G^T   (6 x r G: G[j][k] = c_j p_j^k, G[5] = e_{r-1}; c = 1/4, -1/6, -1/6, 1/24, 1/24)
//   y = A^T (U . V) A  (m x 6 A^T: A^T[i][j] = p_j^i, A^T[m-1][5] = 1: WinoT<6>::at_rows)
// so the 36 positions xi of a tile are 36 independent GEMMs over channels,
//   M_xi (tiles x CO) = V_xi (tiles x CI) * U_xi (CI x CO),
// run by the gather micro-kernel. Multiplies per output: 36 / (m m') instead of r r' (3x3: 2.25
// instead of 9; 5x5: 9 instead of 25). Every pass here ran at ~95% of the FMA peak as a direct
// convolution, so this is the only way left to a clear margin over PyTorch (oneDNN runs direct).
// Backward data with stride 1 is the same convolution of dy with the kernel flipped and C_in /
// C_out swapped, pads KH-1-pt, KW-1-pl (wino_conv takes any pads, negative included). Backward
// filter: dU = sum over tiles of V (.) Z, Z = A dY A^T (the transpose of the output transform),
// then dW = G^T dU G (wino_backward_filter).
// Costs of the method: (1) rounding: the transforms mix the 36 inputs of a tile (entries up to 8),
// so the error grows by ~10-100x over a direct sum; fine against our tolerances
// (n * eps * |x| * |w|) once the reduction is long, hence CI >= 16 and CO >= 16 (wino_use);
// (2) an Inf or NaN input reaches every output of the tiles that read it, not only the outputs
// whose windows hold it (0 * Inf = NaN), as with cuDNN's and oneDNN's Winograd.

namespace {
using namespace simd;

// Tiles per block: V and M (or Z) of a block take about `l2_share` of the running CPU's L2 per
// core (tf/cpuinfo.h; at least 24 tiles, a multiple of every MR; 1 thread, Zen 4 with 1 MB L2:
// 0.4 / 0.8 MB for the forward / weight gradient ran 3-10% faster than 1.5 / 3 MB, 6 / 12 MB
// 10-20% slower: shares kWinoFwdL2 / kWinoWgradL2, the same blocks on Zen 5's 1 MiB L2), then
// the block count is rounded up to a multiple of the thread count and the tiles spread evenly
// over the blocks (static schedule: every thread gets the same work).
constexpr double kWinoFwdL2 = 4e5 / (1 << 20), kWinoWgradL2 = 8e5 / (1 << 20);
index_t wino_block(const WinoGeom& g, index_t ldm, int nt, double l2_share) {
  const CpuCaches& cc = cpu_caches();
  const double budget = l2_share * (double)cc.l2 / std::max(1, cc.l2_sharing);
  const double per = (double)(g.A * g.A) * 4.0 * (double)(g.ldv + ldm);
  const index_t T = std::max<index_t>(24, (index_t)(budget / per) / 24 * 24);
  const index_t nb = ceil_div(ceil_div(g.ntiles, T), nt) * nt;
  return std::max<index_t>(1, ceil_div(g.ntiles, nb));
}

// Note [point strides]: a block's V (M, Z), the transformed weights U and the weight gradient's
// dU hold the A^2 points one after another, each point's T x ld floats `point_stride` apart:
// T*ld rounded up to whole 64-byte lines, plus one line when that is an even count of lines.
// A power-of-two stride puts the A^2 points of one tile (the transforms store or load all of
// them per step) in one cache set: DCGAN 7->14's weight-gradient dU (64 points of 256 x 128
// floats, 128 KiB apart) in one set of the 1 MiB 16-way L2 (1024 sets: 64 KiB a period), and
// of the L1. With odd line counts: that pass 2.9 -> 2.1-2.4 ms, the layer's forward and dx
// 2.8-2.9 -> 2.2 ms, LeNet conv2's weight gradient 1.85 -> 1.44 ms (1 thread, CPU time; conv8 in
// bench/RESULTS.md).
index_t point_stride(index_t T, index_t ld) {
  const index_t line = 16, n = ceil_div(T * ld, line);
  return (n % 2 ? n : n + 1) * line;
}

// V rows for tiles t0 .. t0+tc-1: V[xi][t][:] = (B^T d B)[xi] for input tile d of tile t0+t.
template <int A>
void wino_input_t(const WinoGeom& g, const float* x, index_t t0, index_t tc, float* V, index_t vs) {
  vf d[A], tmp[A][A], o[A];
  const float* rows[A][A];
  for (index_t t = 0; t < tc; ++t) {
    const index_t tile = t0 + t, tw = tile % g.TW, th = (tile / g.TW) % g.TH, n = tile / (g.TW * g.TH);
    const index_t ih0 = th * g.mh - g.pt, iw0 = tw * g.mw - g.pl;
    for (int a = 0; a < A; ++a)
      for (int b = 0; b < A; ++b) {
        const index_t ih = ih0 + a, iw = iw0 + b;
        rows[a][b] = (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) ? x + n * g.xsn + ih * g.xsh + iw * g.xsw : nullptr;
      }
    float* vt = V + t * g.ldv;
    for (index_t c = 0; c < g.CI; c += kW) {
      const int nn = (int)std::min<index_t>(kW, g.CI - c);
      for (int b = 0; b < A; ++b) {  // columns: tmp[:, b] = B^T d[:, b]
        for (int a = 0; a < A; ++a)
          d[a] = rows[a][b] ? (nn == kW ? load(rows[a][b] + c) : load_n(rows[a][b] + c, nn)) : zero();
        WinoT<A>::bt(d, o);
        for (int a = 0; a < A; ++a) tmp[a][b] = o[a];
      }
      for (int a = 0; a < A; ++a) {  // rows: V[a, :] = tmp[a, :] B
        WinoT<A>::bt(tmp[a], o);
        for (int b = 0; b < A; ++b) store(vt + (a * A + b) * vs + c, o[b]);
      }
    }
  }
}

void wino_input(const WinoGeom& g, const float* x, index_t t0, index_t tc, float* V, index_t vs) {
  if (g.A == 8)
    wino_input_t<8>(g, x, t0, tc, V, vs);
  else
    wino_input_t<6>(g, x, t0, tc, V, vs);
}

// U[xi] (CI x CO, in column panels of pn, row stride per panel) = (G w[:, :, ci, :] G^T)[xi].
// w element (kh, kw, ci, co) at w[((kh*KW + kw)*CI + ci)*CO + co].
template <int A>
void wino_weights_t(const WinoGeom& g, const float* w, const Panels& pn, float* U, index_t us) {
  float Gh[kAmax][kAmax], Gw[kAmax][kAmax];
  wino_G(g.KH, A, Gh);
  wino_G(g.KW, A, Gw);
  const index_t CI = g.CI, CO = g.CO, COp = pn.padded, KH = g.KH, KW = g.KW;
  const int nt = threads_for(2.0 * A * A * CI * COp * (KH + A));
  parallel_range(CI, chunk_size(CI, nt, 1), nt, [&](index_t ci_b, index_t ci_e) {
    for (index_t ci = ci_b; ci < ci_e; ++ci) {
      vf wk[A][A], tmp[A][A];
      for (int j = 0; j < pn.count; ++j) {
        const index_t j0 = pn.j0(j), nr = pn.width(j);
        for (index_t c = j0; c < j0 + nr; c += kW) {
          const int nn = (int)std::min<index_t>(kW, CO - c);  // <= 0 past CO: zero columns
          for (index_t kh = 0; kh < KH; ++kh)
            for (index_t kw = 0; kw < KW; ++kw) {
              const float* src = w + ((kh * KW + kw) * CI + ci) * CO + c;
              wk[kh][kw] = nn >= kW ? load(src) : nn > 0 ? load_n(src, nn) : zero();
            }
          for (int a = 0; a < A; ++a)  // tmp = Gh w  (A x KW)
            for (index_t kw = 0; kw < KW; ++kw) {
              vf acc = zero();
              for (index_t kh = 0; kh < KH; ++kh) acc = fmadd(set1(Gh[a][kh]), wk[kh][kw], acc);
              tmp[a][kw] = acc;
            }
          for (int a = 0; a < A; ++a)  // U = tmp Gw^T
            for (int b = 0; b < A; ++b) {
              vf acc = zero();
              for (index_t kw = 0; kw < KW; ++kw) acc = fmadd(set1(Gw[b][kw]), tmp[a][kw], acc);
              store(U + (a * A + b) * us + CI * j0 + ci * nr + (c - j0), acc);
            }
        }
      }
    }
  });
}

void wino_weights(const WinoGeom& g, const float* w, const Panels& pn, float* U, index_t us) {
  if (g.A == 8)
    wino_weights_t<8>(g, w, pn, U, us);
  else
    wino_weights_t<6>(g, w, pn, U, us);
}

// Output transform of tiles t0 .. t0+tc-1 (MH x MW outputs each): y = act(A^T M A + bias).
template <int A, int MH, int MW>
void wino_output(const WinoGeom& g, const float* M, index_t ms, index_t COp, index_t t0, index_t tc,
                 const float* bias, float* y, Act act) {
  const index_t CO = g.CO;
  vf mm[A], tmp[MH][A], o[A];
  for (index_t t = 0; t < tc; ++t) {
    const index_t tile = t0 + t, tw = tile % g.TW, th = (tile / g.TW) % g.TH, n = tile / (g.TW * g.TH);
    const index_t r0 = th * MH - g.osh, c0 = tw * MW - g.osw;  // the tile's first output pixel
    const int mh = (int)std::min<index_t>(MH, g.OH - r0), i0 = (int)std::max<index_t>(0, -r0);
    const int mw = (int)std::min<index_t>(MW, g.OW - c0), j0 = (int)std::max<index_t>(0, -c0);
    float* yn = y + n * g.ysn;
    for (index_t c = 0; c < CO; c += kW) {
      const int nn = (int)std::min<index_t>(kW, CO - c);
      for (int b = 0; b < A; ++b) {  // columns: tmp[:, b] = A^T M[:, b]
        for (int a = 0; a < A; ++a) mm[a] = load(M + (a * A + b) * ms + t * COp + c);
        WinoT<A>::template at_rows<MH>(mm, o);
        for (int i = 0; i < MH; ++i) tmp[i][b] = o[i];
      }
      const vf bv = load(bias + c);
      for (int i = i0; i < MH; ++i) {
        if (i >= mh) break;
        WinoT<A>::template at_rows<MW>(tmp[i], o);
        for (int jj = j0; jj < MW; ++jj) {
          if (jj >= mw) break;
          vf r = o[jj] + bv;
          if (act == Act::relu) r = vmax(zero(), r);  // Note [NaN in max]
          float* dst = yn + (r0 + i) * g.ysh + (c0 + jj) * g.ysw + c;
          if (nn == kW)
            store(dst, r);
          else
            store_n(dst, r, nn);
        }
      }
    }
  }
}

// Transformed upstream gradient of tiles t0 .. t0+tc-1: Z[xi][t] = (A g A^T)[xi] with
// g = dy (* (y > 0)) on the tile's MH x MW outputs (zero past the image); db partial += sum g.
template <int A, int MH, int MW>
void wino_dy(const WinoGeom& g, const float* dy, const float* y, index_t t0, index_t tc, float* Z,
             index_t zs, index_t ldz, index_t COp, float* dbt) {
  const index_t CO = g.CO;
  const vf one = set1(1.0f);
  // The tile's g, pixel by pixel (sequential reads of dy and y), in a contiguous buffer first:
  // gathering 16 pixels per channel vector straight from dy took 13% of the AlphaGo 3x3 weight
  // gradient (perf, 1 thread), 8% this way.
  float* buf = workspace<float>(Ws::conv_stage, (size_t)(MH * MW * COp));
  vf gg[MW][MH], tmp[A][MW], o[A];
  for (index_t t = 0; t < tc; ++t) {
    const index_t tile = t0 + t, tw = tile % g.TW, th = (tile / g.TW) % g.TH, n = tile / (g.TW * g.TH);
    const int mh = (int)std::min<index_t>(MH, g.OH - th * MH);
    const int mw = (int)std::min<index_t>(MW, g.OW - tw * MW);
    const index_t off = n * g.ysn + th * MH * g.ysh + tw * MW * g.ysw;
    for (int i = 0; i < MH; ++i)
      for (int j = 0; j < MW; ++j) {
        float* dst = buf + (i * MW + j) * COp;
        if (i >= mh || j >= mw) {
          for (index_t c = 0; c < COp; c += kW) store(dst + c, zero());
          continue;
        }
        const float* src = dy + off + i * g.ysh + j * g.ysw;
        const float* ys = y ? y + off + i * g.ysh + j * g.ysw : nullptr;
        for (index_t c = 0; c < COp; c += kW) {
          const int nn = (int)std::min<index_t>(kW, CO - c);  // > 0: COp < CO + kW
          vf v = nn == kW ? load(src + c) : load_n(src + c, nn);
          if (ys) v = v * select_gt(nn == kW ? load(ys + c) : load_n(ys + c, nn), zero(), one, zero());
          store(dst + c, v);
          if (dbt) store(dbt + c, load(dbt + c) + v);
        }
      }
    for (index_t c = 0; c < COp; c += kW) {
      for (int i = 0; i < MH; ++i)
        for (int j = 0; j < MW; ++j) gg[j][i] = load(buf + (i * MW + j) * COp + c);
      for (int j = 0; j < MW; ++j) {  // columns: tmp[:, j] = A g[:, j]
        WinoT<A>::template a_cols<MH>(gg[j], o);
        for (int a = 0; a < A; ++a) tmp[a][j] = o[a];
      }
      for (int a = 0; a < A; ++a) {  // rows: Z[a, :] = tmp[a, :] A^T
        WinoT<A>::template a_cols<MW>(tmp[a], o);
        for (int b = 0; b < A; ++b) store(Z + (a * A + b) * zs + t * ldz + c, o[b]);
      }
    }
  }
}

using WinoOutFn = void (*)(const WinoGeom&, const float*, index_t, index_t, index_t, index_t,
                           const float*, float*, Act);
using WinoDyFn = void (*)(const WinoGeom&, const float*, const float*, index_t, index_t, float*,
                          index_t, index_t, index_t, float*);

// m = 5 (F(5, 2)): the 2x2 kernels of strided layers split by phases (Note [strided layers by
// phases] in conv_phases.cpp); A = 8: F(7, 2) only (Note [Winograd 8x8 tiles]).
template <int MH>
WinoOutFn wino_output_fn_w(int mw) {
  return mw == 2 ? wino_output<6, MH, 2> : mw == 3 ? wino_output<6, MH, 3> : mw == 4 ? wino_output<6, MH, 4>
                                                                                  : wino_output<6, MH, 5>;
}
WinoOutFn wino_output_fn(const WinoGeom& g) {
  const int mh = g.mh, mw = g.mw;
  if (g.A == 8) return wino_output<8, 7, 7>;
  return mh == 2 ? wino_output_fn_w<2>(mw) : mh == 3 ? wino_output_fn_w<3>(mw)
       : mh == 4 ? wino_output_fn_w<4>(mw) : wino_output_fn_w<5>(mw);
}
template <int MH>
WinoDyFn wino_dy_fn_w(int mw) {
  return mw == 2 ? wino_dy<6, MH, 2> : mw == 3 ? wino_dy<6, MH, 3> : mw == 4 ? wino_dy<6, MH, 4>
                                                                          : wino_dy<6, MH, 5>;
}
WinoDyFn wino_dy_fn(const WinoGeom& g) {
  const int mh = g.mh, mw = g.mw;
  if (g.A == 8) return wino_dy<8, 7, 7>;
  return mh == 2 ? wino_dy_fn_w<2>(mw) : mh == 3 ? wino_dy_fn_w<3>(mw)
       : mh == 4 ? wino_dy_fn_w<4>(mw) : wino_dy_fn_w<5>(mw);
}

}  // namespace

// y = act(b + conv(x, w)) for stride 1, dilation 1, any pads (WinoGeom); Note [Winograd].
void wino_conv(const WinoGeom& g, const float* x, const float* w, const float* b, float* y, Act act,
               const WinoStack* st, const WinoStackOut* so) {
  const index_t CI = g.CI, CO = g.CO;
  // the phases' stacked outputs in balanced panels (AVX2: 16 vectors as 3+3+3+3+2+2, not 5x3 + 1)
  const Panels pn(CO, st || so);
  const index_t COp = pn.padded;
  const int A2 = g.A * g.A;  // the tile's points: A2 independent GEMMs
  const index_t us = point_stride(1, CI * COp);  // Note [point strides]
  float* U = workspace<float>(Ws::conv_wpack, (size_t)(A2 * us));
  wino_weights(g, w, pn, U, us);
  float* bias = workspace<float>(Ws::conv_aux, (size_t)COp);
  for (index_t c = 0; c < COp; ++c) bias[c] = b && c < CO ? b[c] : 0.0f;
  const int nt = (int)std::min<index_t>(threads_for(2.0 * A2 * g.ntiles * CI * CO), g.ntiles);
  const index_t T = wino_block(g, COp, nt, kWinoFwdL2);
  const index_t nblocks = ceil_div(g.ntiles, T);
  const index_t vs = point_stride(T, g.ldv), ms = point_stride(T, COp);  // Note [point strides]
  const WinoOutFn out = wino_output_fn(g);

  parallel_range(nblocks, chunk_size(nblocks, nt, 1), nt, [&](index_t blk_b, index_t blk_e) {
    float* V = workspace<float>(Ws::conv_wino_v, (size_t)(A2 * vs));
    float* M = workspace<float>(Ws::conv_wino_m, (size_t)(A2 * ms));
    const float* aptr[kMaxMR];
    const float* bptr[1];
    for (index_t blk = blk_b; blk < blk_e; ++blk) {
      const index_t t0 = blk * T, tc = std::min(T, g.ntiles - t0);
      if (st)
        for (int i = 0; i < st->n; ++i) wino_input(st->g[i], st->x[i], t0, tc, V + st->off[i], vs);
      else
        wino_input(g, x, t0, tc, V, vs);
      for (int xi = 0; xi < A2; ++xi) {
        const float* Vx = V + xi * vs;
        float* Mx = M + xi * ms;
        for (int j = 0; j < pn.count; ++j) {
          const int nv = pn.nvec(j), MR = mr_for(nv);
          const index_t j0 = pn.j0(j), nr = pn.width(j);
          const GatherFn ukr = gather_fn(nv);
          bptr[0] = U + xi * us + CI * j0;
          for (index_t r0 = 0; r0 < tc; r0 += MR) {
            const int m = (int)std::min<index_t>(MR, tc - r0);
            for (int i = 0; i < MR; ++i) aptr[i] = Vx + (r0 + std::min(i, m - 1)) * g.ldv;
            ukr(1, aptr, bptr, CI, nr, Mx + r0 * COp + j0, COp, m, (int)nr, nullptr, Act::none, false);
          }
        }
      }
      if (so)
        for (int i = 0; i < so->n; ++i)
          out(so->g[i], M + so->off[i], ms, COp, t0, tc, bias + so->off[i], so->y[i], act);
      else
        out(g, M, ms, COp, t0, tc, bias, y, act);
    }
  });
}

// Backward data (Note [Winograd]): the convolution of dy with the kernel flipped and C_in / C_out
// swapped, pads KH-1-pt, KW-1-pl.
void wino_backward_data(const ConvShape& s, const float* dy, const float* w, float* dx) {
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
}

// dw (+)= dW, db (+)= sum of g over pixels, g = dy (* (y > 0) when y is given), for stride 1,
// dilation 1, kernel (KH, KW) (Note [Winograd], Note [Winograd pieces]): g's tiles are those of a
// piece-sized kernel (pg); per tile Z = A g A^T, and per piece q, dU_q[xi] += V_q[xi]^T Z[xi]
// over tiles (per thread), then dW = G^T dU_q G on the piece's taps.
template <int A>
void wino_backward_filter_t(const WinoGeom& pg, const WinoPieces& pc, index_t KH, index_t KW,
                            const float* dy, const float* x, const float* y, float* dw, float* db,
                            const WinoStack* st) {
  const index_t CI = pg.CI, CO = pg.CO;
  const Panels pn(CO);
  const index_t COp = pn.padded;
  const int npieces = pc.n[0] * pc.n[1];
  constexpr int A2 = A * A;
  const index_t ss = point_stride(1, CI * COp);        // one point's dU (Note [point strides])
  const size_t su = (size_t)(A2 * ss);                 // one piece's dU
  const size_t sz = su * (size_t)npieces + (size_t)COp;  // per part: dU of every piece, db
  // Note [fixed reduction partition]: at most 4 parts (a part's dU is A2*CI*COp floats per
  // piece, all summed below) of >= 128 tiles; the blocks of T tiles are fixed by the shape and
  // the part count alone, so each part sums the same tiles in the same order at any thread count.
  // 3 parts become 2: three parts on two threads leave one thread idle for a third of the pass
  // (AlphaGo 5x5's 400 tiles: 3 parts of ~133, split 2:1), two parts split evenly at 1, 2 or
  // 4 threads alike, and one partial fewer is zeroed and summed.
  index_t used = std::min<index_t>(4, reduction_parts(pg.ntiles, 128, sz));
  if (used == 3) used = 2;
  const int nt_all = threads_for(2.0 * A2 * npieces * pg.ntiles * CI * CO);
  const int nt = (int)std::min<index_t>(nt_all, used);
  // One part on 8x8 tiles (DCGAN 7->14: 64 tiles, one per image): its A2 GEMMs split among the
  // threads instead, each point's sum by one thread in the same order (bit-identical at any
  // thread count), and the transforms by tiles.
  const int nt_xi = used == 1 && A == 8 ? nt_all : 1;
  const index_t T = wino_block(pg, COp, (int)used, kWinoWgradL2);
  const index_t nblocks = ceil_div(pg.ntiles, T);
  // Note [point strides]
  const index_t ldz = wino_ld(COp), vs = point_stride(T, pg.ldv), zs = point_stride(T, ldz);
  float* S = workspace<float>(Ws::conv_wpack, sz * (size_t)used);
  const WinoDyFn dyf = wino_dy_fn(pg);

  parallel_chunks(used, nt, [&](index_t part) {
    // the part's first block writes its dU (no zeroing pass over dU: 8 MiB for DCGAN 7->14)
    float* St = S + (size_t)part * sz;
    float* dbt = St + su * npieces;
    std::fill(dbt, dbt + COp, 0.0f);
    // V rows get kMaxMR floats of slack: the strided micro-kernel reads MR consecutive
    // channels of a row (rows past CI are computed and dropped).
    float* V = workspace<float>(Ws::conv_wino_v, (size_t)(A2 * vs + kMaxMR));
    float* Z = workspace<float>(Ws::conv_wino_m, (size_t)(A2 * zs));
    index_t bbeg, bend;
    split_range(nblocks, (int)used, (int)part, bbeg, bend);
    if (bbeg == bend) std::fill(St, dbt, 0.0f);
    for (index_t blk = bbeg; blk < bend; ++blk) {
      const index_t t0 = blk * T, tc = std::min(T, pg.ntiles - t0);
      // With the points split among the threads (nt_xi > 1) the transforms are split too, by
      // tiles (each tile's rows are written by one thread; the same values at any split). The dy
      // transform that also sums db stays on this thread (db's order of summation).
      const int nt_dy = db ? 1 : nt_xi;
      parallel_range(tc, chunk_size(tc, nt_dy, 1), nt_dy, [&](index_t a, index_t e) {
        dyf(pg, dy, y, t0 + a, e - a, Z + a * ldz, zs, ldz, COp, db ? dbt : nullptr);
      });
      for (int q = 0; q < npieces; ++q) {
        WinoGeom gq = pg;  // the piece's input offset
        gq.pt = pg.pt - pc.start[0][q / pc.n[1]];
        gq.pl = pg.pl - pc.start[1][q % pc.n[1]];
        parallel_range(tc, chunk_size(tc, nt_xi, 1), nt_xi, [&](index_t a, index_t e) {
          if (st)  // one piece
            for (int i = 0; i < st->n; ++i)
              wino_input(st->g[i], st->x[i], t0 + a, e - a, V + st->off[i] + a * pg.ldv, vs);
          else
            wino_input(gq, x, t0 + a, e - a, V + a * pg.ldv, vs);
        });
        parallel_range(A2, chunk_size(A2, nt_xi, 1), nt_xi, [&](index_t xi_b, index_t xi_e) {
          for (index_t xi = xi_b; xi < xi_e; ++xi) {
            const float* Vx = V + xi * vs;
            const float* Zx = Z + xi * zs;
            float* Sx = St + su * q + xi * ss;
            strided_gemm(pn, Vx, pg.ldv, CI, Zx, ldz, tc, Sx, COp, blk > bbeg);
          }
        });
      }
    }
  });
  if (db)
    for (index_t t = 0; t < used; ++t)
      for (index_t c = 0; c < CO; ++c) db[c] += S[(size_t)t * sz + su * npieces + c];
  float Gh[kAmax][kAmax], Gw[kAmax][kAmax];
  wino_G(pg.KH, A, Gh);
  wino_G(pg.KW, A, Gw);
  const index_t rh = pg.KH, rw = pg.KW;
  const int nt2 = threads_for(2.0 * A2 * npieces * CI * COp * (rh + A));
  // Note [dU streamed]: the old order below reads, per (ci, channel vector), one vector of each
  // of the A^2 points' dU: A^2 streams (64 on 8x8 tiles) a few lines at a time, from memory
  // once dU outgrows the L2 (DCGAN 7->14: 8 MiB; the pass took 1.1-1.4 ms of its 2.4, 1 thread).
  // Then instead each point's dU is read as one run per block of input channels and its
  // contribution G[a][kh] * G[b][kw] * dU[xi] added to the block's taps (D, ~128 KiB: stays in
  // the L2): every element of dW still sums over (part, point) in a fixed order.
  const CpuCaches& cc = cpu_caches();
  const double l2 = (double)cc.l2 / std::max(1, cc.l2_sharing);
  if (4.0 * (double)(su * npieces * used) > 0.5 * l2) {
    parallel_range(CI, chunk_size(CI, nt2, 1), nt2, [&](index_t ci_b, index_t ci_e) {
      for (int q = 0; q < npieces; ++q) {
        const int qh = q / pc.n[1], qw = q % pc.n[1];
        const index_t h0 = pc.start[0][qh], w0 = pc.start[1][qw];
        // the piece's own taps: up to the next piece's first one
        const index_t nh = std::min(rh, (qh + 1 < pc.n[0] ? pc.start[0][qh + 1] : KH) - h0);
        const index_t nw = std::min(rw, (qw + 1 < pc.n[1] ? pc.start[1][qw + 1] : KW) - w0);
        const int ntap = (int)(nh * nw);
        const index_t cb = std::max<index_t>(1, (index_t)(l2 / 8 / (4.0 * ntap * COp)));
        for (index_t c0 = ci_b; c0 < ci_e; c0 += cb) {
          const index_t run = (std::min(ci_e, c0 + cb) - c0) * COp;  // floats of a point's dU
          float* D = workspace<float>(Ws::conv_wino_v, (size_t)(ntap * run));
          std::fill(D, D + ntap * run, 0.0f);
          for (index_t t = 0; t < used; ++t)
            for (int xi = 0; xi < A2; ++xi) {
              const float* Sx = S + (size_t)t * sz + su * q + xi * ss + c0 * COp;
              float cf[kAmax * kAmax];
              for (int k = 0; k < ntap; ++k) cf[k] = Gh[xi / A][k / nw] * Gw[xi % A][k % nw];
              for (index_t r = 0; r < run; r += kW) {
                const vf sv = load(Sx + r);
                for (int k = 0; k < ntap; ++k)
                  store(D + k * run + r, fmadd(set1(cf[k]), sv, load(D + k * run + r)));
              }
            }
          for (int k = 0; k < ntap; ++k)
            for (index_t ci = c0; ci < c0 + run / COp; ++ci) {
              float* dst = dw + (((h0 + k / nw) * KW + w0 + k % nw) * CI + ci) * CO;
              const float* src = D + k * run + (ci - c0) * COp;
              for (index_t c = 0; c < CO; ++c) dst[c] += src[c];
            }
        }
      }
    });
    return;
  }
  parallel_range(CI, chunk_size(CI, nt2, 1), nt2, [&](index_t ci_b, index_t ci_e) {
    for (index_t ci = ci_b; ci < ci_e; ++ci) {
      vf sU[A][A], tmp[A][A];
      for (int q = 0; q < npieces; ++q) {
        const int qh = q / pc.n[1], qw = q % pc.n[1];
        const index_t h0 = pc.start[0][qh], w0 = pc.start[1][qw];
        // the piece's own taps: up to the next piece's first one
        const index_t h1 = qh + 1 < pc.n[0] ? pc.start[0][qh + 1] : KH;
        const index_t w1 = qw + 1 < pc.n[1] ? pc.start[1][qw + 1] : KW;
        for (index_t c = 0; c < CO; c += kW) {
          const int nn = (int)std::min<index_t>(kW, CO - c);
          for (int xi = 0; xi < A2; ++xi) {
            vf acc = zero();
            for (index_t t = 0; t < used; ++t)
              acc = acc + load(S + (size_t)t * sz + su * q + xi * ss + ci * COp + c);
            sU[xi / A][xi % A] = acc;
          }
          for (index_t kh = 0; kh < rh; ++kh)  // tmp = Gh^T dU  (rh x A)
            for (int b = 0; b < A; ++b) {
              vf acc = zero();
              for (int a = 0; a < A; ++a) acc = fmadd(set1(Gh[a][kh]), sU[a][b], acc);
              tmp[kh][b] = acc;
            }
          for (index_t kh = 0; kh < rh && h0 + kh < h1; ++kh)  // dW = tmp Gw
            for (index_t kw = 0; kw < rw && w0 + kw < w1; ++kw) {
              vf acc = zero();
              for (int b = 0; b < A; ++b) acc = fmadd(set1(Gw[b][kw]), tmp[kh][b], acc);
              float* dst = dw + (((h0 + kh) * KW + w0 + kw) * CI + ci) * CO + c;
              if (nn == kW)
                store(dst, load(dst) + acc);
              else
                store_n(dst, load_n(dst, nn) + acc, nn);
            }
        }
      }
    }
  });
}

void wino_backward_filter(const WinoGeom& pg, const WinoPieces& pc, index_t KH, index_t KW,
                          const float* dy, const float* x, const float* y, float* dw, float* db,
                          const WinoStack* st) {
  if (pg.A == 8)
    wino_backward_filter_t<8>(pg, pc, KH, KW, dy, x, y, dw, db, st);
  else
    wino_backward_filter_t<6>(pg, pc, KH, KW, dy, x, y, dw, db, st);
}

// Note [Winograd]: which layers take it.
// Multiplies of the Winograd pass over an OH x OW output with mh x mw tiles of A x A points
// (npieces kernels) at most half the direct pass's: small images waste most of each tile (a
// 2x2 output with a 3x3 kernel costs 36 multiplies per 6x6 tile either way).
bool wino_pays(index_t OH, index_t OW, index_t KH, index_t KW, int mh, int mw, int npieces, int A) {
  return (double)(A * A) * npieces * (double)(ceil_div(OH, mh) * ceil_div(OW, mw)) <=
         0.5 * (double)(KH * KW * OH * OW);
}

// Note [Winograd against direct]: wino_pays counts multiplies per image only (Winograd's at most
// half the direct pass's), and on small feature maps that is not the whole price. Each call also
// builds and streams the transformed weights U (36 floats per input/output channel pair and
// piece; for the weight gradient, the per-thread dU partials), however few tiles use them.
// ResNet50 at 96x96 (batch 8) ends in 3x3x512 -> 512 'same' layers on 3x3 maps: one tile per
// image, 8 rows per batched GEMM against a 38 MB U. There Winograd's forward took 14.2 ms and the
// direct pass 3.7 (1 thread, Zen 4), backward data 20.2 vs 8.4. So the rule also charges U, in
// units of a direct multiply-add per channel pair:
//   direct    KH*KW*OH*OW*N
//   Winograd  2 * 36*np*tiles*N  +  beta * 36*np
// The 2 is wino_pays' half; beta, the cost of building and streaming one U float, is 8 where U
// fits the L2, 20 in half the L3 and 60 beyond, fitted to 3x3 layers of 64-512 channels on 3x3
// to 24x24 maps at batches 2-32 (1 thread, Zen 4, 2026-12-01; bench/RESULTS.md "Winograd against
// direct"). Past those sizes the term vanishes beside the tiles and the rule is wino_pays'.
bool wino_beats_direct(const ConvShape& s, index_t OH, index_t OW, int mh, int mw, int npieces) {
  if (conv_winograd_always().load(std::memory_order_relaxed))
    return wino_pays(OH, OW, s.KH, s.KW, mh, mw, npieces);
  const double u = 36.0 * npieces, tiles = (double)(ceil_div(OH, mh) * ceil_div(OW, mw));
  const double u_bytes = 4.0 * u * (double)s.CI * (double)s.CO;
  const CpuCaches& cc = cpu_caches();
  const double beta = u_bytes <= (double)cc.l2 ? 8.0 : u_bytes <= 0.5 * (double)cc.l3 ? 20.0 : 60.0;
  return 2.0 * u * tiles * (double)s.N + beta * u <= (double)(s.KH * s.KW * OH * OW) * (double)s.N;
}

int wino_alpha(index_t OH, index_t OW, index_t rh, index_t rw) {
  if (rh != 2 || rw != 2 || !conv_winograd_tile8_enabled().load(std::memory_order_relaxed)) return 6;
  const double f72 = 64.0 * (double)(ceil_div(OH, 7) * ceil_div(OW, 7));
  const double f52 = 36.0 * (double)(ceil_div(OH, 5) * ceil_div(OW, 5));
  return f72 < f52 ? 8 : 6;
}

bool wino_use(const ConvShape& s, index_t cin, index_t cout) {
  if (s.sh != 1 || s.sw != 1 || s.dh != 1 || s.dw != 1) return false;
  if (s.KH < 3 || s.KH > 5 || s.KW < 3 || s.KW > 5) return false;
  if (cin < 16 || cout < 16) return false;
  if (36.0 * 4.0 * (double)cin * (double)cout > 64.0 * (1 << 20)) return false;  // U over 64 MiB
  // Pads of at most the kernel extent - 1 (every 'same' and 'valid' layer): every output window
  // then holds real input, so no output is a pure rounding residue of its tile's neighbours.
  const index_t pb = s.OH - 1 + s.KH - s.H - s.pt, pr = s.OW - 1 + s.KW - s.W - s.pl;
  if (s.pt >= s.KH || pb >= s.KH || s.pl >= s.KW || pr >= s.KW) return false;
  if (!conv_winograd_enabled().load(std::memory_order_relaxed)) return false;
  return true;
}

}  // namespace TF_ISA
}  // namespace tf
