// Runs csrc/cuda/conv_kernels.cuh (im2col, col2im) on the CPU model in cuda_emu.h: conv2d as
// im2col + a float64 matmul against the direct definition in python/tensorforge/reference/conv.py's
// docstring (strides, dilations, asymmetric pads), and col2im against a direct scatter of dcol.
// Then the whole conv2d forward/backward as bind_conv.cpp runs it: the GemmSpecs of conv_plan.h
// through the emulated SGEMM (split-K included), against direct float64 loops; and the implicit
// GEMMs (conv_plan.h's IGemmSpecs, the SGEMM kernel reading the image through ConvGather, Note
// [implicit GEMM]) for forward, backward-filter and backward-data, with both tile sizes.
//   g++ -std=c++20 -O0 -fsanitize=address -I csrc/include -I csrc/cuda \
//       csrc/cuda/emu/emu_conv.cpp -o /tmp/emu_conv -pthread && /tmp/emu_conv
#include "cuda_emu.h"
// (cuda_emu.h first: it defines the CUDA keywords the kernel sources use)
#include "conv_kernels.cuh"
#include "conv_plan.h"
#include "emu_sgemm.h"

#include <cstdio>
#include <random>
#include <string>

using namespace tf::cuda::conv;
using tf::cuda::GemmSpec;
using tf::cuda::IGemmSpec;

namespace tf {
namespace cuda {
namespace conv {
// The emulated launch of the SGEMM kernel with a ConvGather operand (conv.cu's launch_kernel twin),
// found by emu_sgemm.h's launch_tile through argument-dependent lookup.
template <int BM, int BK, bool AK, bool BKF, int KIND>
void emu_kernel(dim3 grid, long long M, long long N, long long K, float alpha, const ConvGather<KIND>& a,
                const gemm_detail::StridedOperand& b, float beta, float* C, long long ldc, bool vecC,
                const float* bias, bool relu, long long kchunk, long long split_stride) {
  emu::launch(grid, dim3(gemm_detail::THREADS), [&] {
    conv_gemm_tile<BM, BK, AK, BKF, KIND>(M, N, K, alpha, a.g, a.src, a.Cout, a.moff, b.p, b.cs, b.rs,
                                          b.vec, beta, C, ldc, vecC, bias, relu, kchunk, split_stride);
  });
}
}  // namespace conv
}  // namespace cuda
}  // namespace tf

// conv2d_igemm() of conv.cu on the CPU model
static void run_igemm(const Geom& g, long long Cout, const IGemmSpec& sp, const float* src, const float* B,
                      float* C, const float* bias, bool relu, int sms) {
  int which[4];
  if (sp.kind == tf::cuda::kGatherCol)
    run_gemm_op(sp.M, sp.N, sp.K, 1.f, ConvGather<tf::cuda::kGatherCol>{g, src, Cout, 0}, sp.akf, false, B,
                sp.rsB, sp.csB, 0.f, C, sp.ldc, bias, relu, sms, which);
  else if (sp.kind == tf::cuda::kGatherColT)
    run_gemm_op(sp.M, sp.N, sp.K, 1.f, ConvGather<tf::cuda::kGatherColT>{g, src, Cout, 0}, sp.akf, false, B,
                sp.rsB, sp.csB, 0.f, C, sp.ldc, bias, relu, sms, which);
  else
    run_gemm_op(sp.M, sp.N, sp.K, 1.f, ConvGather<tf::cuda::kGatherDyCol>{g, src, Cout, 0}, sp.akf, false, B,
                sp.rsB, sp.csB, 0.f, C, sp.ldc, bias, relu, sms, which);
}

int main() {
  std::mt19937 gen(3);
  std::normal_distribution<float> nd;
  int fails = 0;
  struct Case { long long N, H, W, C, Cout; int KH, KW, sh, sw, pt, pl, pb, pr, dh, dw; };
  const Case cases[] = {
      {2, 7, 6, 3, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 9, 8, 2, 3, 3, 2, 2, 3, 0, 1, 1, 0, 1, 1},
      {2, 10, 9, 1, 2, 3, 3, 1, 2, 2, 1, 2, 0, 2, 2}, {1, 5, 5, 4, 1, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1},
      {3, 4, 4, 5, 6, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1},  {1, 6, 7, 2, 2, 2, 3, 2, 2, 1, 0, 0, 2, 1, 1},
      {8, 14, 14, 1, 6, 5, 5, 1, 1, 0, 0, 0, 0, 1, 1},  // 800 rows: split-K (3 splits) for dW, db
  };
  for (const Case& c : cases) {
    const long long OH = (c.H + c.pt + c.pb - ((c.KH - 1) * c.dh + 1)) / c.sh + 1;
    const long long OW = (c.W + c.pl + c.pr - ((c.KW - 1) * c.dw + 1)) / c.sw + 1;
    Geom g{c.N, c.H, c.W, c.C, OH, OW, c.KH, c.KW, c.sh, c.sw, c.pt, c.pl, c.dh, c.dw};
    const long long rows = c.N * OH * OW, Kc = (long long)c.KH * c.KW * c.C;
    std::vector<float> x(c.N * c.H * c.W * c.C), w(Kc * c.Cout), col(rows * Kc, NAN), dcol(rows * Kc),
        dx(x.size(), NAN);
    for (auto& v : x) v = nd(gen);
    for (auto& v : w) v = nd(gen);
    for (auto& v : dcol) v = nd(gen);
    emu::launch(dim3(3), dim3(tf::cuda::conv::THREADS), [&] { im2col_kernel(g, x.data(), col.data()); });
    emu::launch(dim3(3), dim3(tf::cuda::conv::THREADS), [&] { col2im_kernel(g, dcol.data(), dx.data()); });
    double worst_y = 0, worst_dx = 0;
    std::vector<double> rdx(x.size(), 0.0);
    for (long long n = 0; n < c.N; ++n)
      for (long long oh = 0; oh < OH; ++oh)
        for (long long ow = 0; ow < OW; ++ow) {
          const long long row = (n * OH + oh) * OW + ow;
          for (long long co = 0; co < c.Cout; ++co) {
            double direct = 0, viacol = 0;
            for (int kh = 0; kh < c.KH; ++kh)
              for (int kw = 0; kw < c.KW; ++kw)
                for (long long ci = 0; ci < c.C; ++ci) {
                  const long long k = ((long long)kh * c.KW + kw) * c.C + ci;
                  viacol += (double)col[row * Kc + k] * w[k * c.Cout + co];
                  const long long ih = oh * c.sh + kh * c.dh - c.pt, iw = ow * c.sw + kw * c.dw - c.pl;
                  if (ih >= 0 && ih < c.H && iw >= 0 && iw < c.W)
                    direct += (double)x[((n * c.H + ih) * c.W + iw) * c.C + ci] * w[k * c.Cout + co];
                }
            const double e = std::fabs(viacol - direct) / (1 + std::fabs(direct));
            if (!(e <= worst_y)) worst_y = e;
          }
          for (int kh = 0; kh < c.KH; ++kh)
            for (int kw = 0; kw < c.KW; ++kw) {
              const long long ih = oh * c.sh + kh * c.dh - c.pt, iw = ow * c.sw + kw * c.dw - c.pl;
              if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
              for (long long ci = 0; ci < c.C; ++ci)
                rdx[((n * c.H + ih) * c.W + iw) * c.C + ci] += dcol[row * Kc + ((long long)kh * c.KW + kw) * c.C + ci];
            }
        }
    for (size_t i = 0; i < x.size(); ++i) {
      const double e = std::fabs(dx[i] - rdx[i]) / (1 + std::fabs(rdx[i]));
      if (!(e <= worst_dx)) worst_dx = e;
    }
    // ---- the whole conv2d, GEMMs exactly as conv_plan.h specifies them ----------------------
    auto run_spec = [&](const GemmSpec& gs, const float* const ops[4], float* C, const float* bias, bool relu) {
      int which[4];
      run_sgemm(gs.M, gs.N, gs.K, 1.f, ops[gs.a], gs.rsA, gs.csA, ops[gs.b], gs.rsB, gs.csB, 0.f, C,
                gs.ldc, bias, relu, 132, which);
    };
    const bool pw = c.KH == 1 && c.KW == 1 && c.sh == 1 && c.sw == 1 && c.pt == 0 && c.pl == 0 && OH == c.H && OW == c.W;
    std::vector<float> bias(c.Cout), y(rows * c.Cout, NAN), dyv(rows * c.Cout), one(1, 1.f);
    std::vector<float> gdw(Kc * c.Cout, NAN), gdb(c.Cout, NAN), gdx(x.size(), NAN), gdcol(rows * Kc, NAN);
    for (auto& v : bias) v = nd(gen);
    for (auto& v : dyv) v = nd(gen);
    const float* ops[4] = {pw ? x.data() : col.data(), w.data(), dyv.data(), one.data()};
    run_spec(tf::cuda::conv_forward_gemm(rows, Kc, c.Cout), ops, y.data(), bias.data(), true);
    run_spec(tf::cuda::conv_dw_gemm(rows, Kc, c.Cout), ops, gdw.data(), nullptr, false);
    run_spec(tf::cuda::conv_db_gemm(rows, c.Cout), ops, gdb.data(), nullptr, false);
    if (pw) {
      run_spec(tf::cuda::conv_dcol_gemm(rows, Kc, c.Cout), ops, gdx.data(), nullptr, false);
    } else {
      run_spec(tf::cuda::conv_dcol_gemm(rows, Kc, c.Cout), ops, gdcol.data(), nullptr, false);
      emu::launch(dim3(3), dim3(tf::cuda::conv::THREADS), [&] { col2im_kernel(g, gdcol.data(), gdx.data()); });
    }
    std::vector<double> ry(rows * c.Cout, 0.0), rdw(Kc * c.Cout, 0.0), rdb(c.Cout, 0.0), rgx(x.size(), 0.0);
    for (long long n = 0; n < c.N; ++n)
      for (long long oh = 0; oh < OH; ++oh)
        for (long long ow = 0; ow < OW; ++ow) {
          const long long row = (n * OH + oh) * OW + ow;
          for (long long co = 0; co < c.Cout; ++co) {
            double acc = bias[co];
            const double d = dyv[row * c.Cout + co];
            rdb[co] += d;
            for (int kh = 0; kh < c.KH; ++kh)
              for (int kw = 0; kw < c.KW; ++kw) {
                const long long ih = oh * c.sh + kh * c.dh - c.pt, iw = ow * c.sw + kw * c.dw - c.pl;
                if (ih < 0 || ih >= c.H || iw < 0 || iw >= c.W) continue;
                for (long long ci = 0; ci < c.C; ++ci) {
                  const long long k = ((long long)kh * c.KW + kw) * c.C + ci, xi = ((n * c.H + ih) * c.W + iw) * c.C + ci;
                  acc += (double)x[xi] * w[k * c.Cout + co];
                  rdw[k * c.Cout + co] += (double)x[xi] * d;
                  rgx[xi] += (double)w[k * c.Cout + co] * d;
                }
              }
            ry[row * c.Cout + co] = acc > 0 ? acc : 0;
          }
        }
    double wy = 0, wdw = 0, wdb = 0, wgx = 0;
    auto upd = [](double& wv, float got, double ref, double scale) {
      const double e = std::fabs(got - ref) / scale;
      if (!(e <= wv)) wv = e;
    };
    const double sc = 1.0 + std::sqrt((double)rows);
    for (size_t i = 0; i < ry.size(); ++i) upd(wy, y[i], ry[i], 1 + std::fabs(ry[i]));
    for (size_t i = 0; i < rdw.size(); ++i) upd(wdw, gdw[i], rdw[i], sc);
    for (size_t i = 0; i < rdb.size(); ++i) upd(wdb, gdb[i], rdb[i], sc);
    for (size_t i = 0; i < rgx.size(); ++i) upd(wgx, gdx[i], rgx[i], 1 + std::fabs(rgx[i]));
    const bool ok_full = wy < 1e-5 && wdw < 1e-5 && wdb < 1e-5 && wgx < 1e-5;
    fails += !ok_full;
    std::printf("%s   conv2d via conv_plan GEMMs: y %.1e dw %.1e db %.1e dx %.1e\n", ok_full ? "ok  " : "FAIL",
                wy, wdw, wdb, wgx);
    // ---- implicit GEMMs (no column matrix), as bind_conv.cpp issues them ---------------------
    std::vector<float> wt(w.size());  // (KH, KW, Cout, C): w with its last two axes swapped
    for (long long tap = 0; tap < (long long)c.KH * c.KW; ++tap)
      for (long long ci = 0; ci < c.C; ++ci)
        for (long long co = 0; co < c.Cout; ++co)
          wt[(tap * c.Cout + co) * c.C + ci] = w[(tap * c.C + ci) * c.Cout + co];
    for (int sms : {132, 1}) {  // 64-tiles with split-K for dw / 128-tiles everywhere
      std::vector<float> iy(rows * c.Cout, NAN), idw(Kc * c.Cout, NAN), idx(x.size(), NAN);
      run_igemm(g, c.Cout, tf::cuda::conv_forward_igemm(rows, Kc, c.Cout), x.data(), w.data(), iy.data(),
                bias.data(), true, sms);
      run_igemm(g, c.Cout, tf::cuda::conv_dw_igemm(rows, Kc, c.Cout), x.data(), dyv.data(), idw.data(),
                nullptr, false, sms);
      run_igemm(g, c.Cout, tf::cuda::conv_dx_igemm(c.N * c.H * c.W, c.C, (long long)c.KH * c.KW * c.Cout),
                dyv.data(), wt.data(), idx.data(), nullptr, false, sms);
      double iwy = 0, iwdw = 0, iwgx = 0;
      for (size_t i = 0; i < ry.size(); ++i) upd(iwy, iy[i], ry[i], 1 + std::fabs(ry[i]));
      for (size_t i = 0; i < rdw.size(); ++i) upd(iwdw, idw[i], rdw[i], sc);
      for (size_t i = 0; i < rgx.size(); ++i) upd(iwgx, idx[i], rgx[i], 1 + std::fabs(rgx[i]));
      const bool ok_i = iwy < 1e-5 && iwdw < 1e-5 && iwgx < 1e-5;
      fails += !ok_i;
      std::printf("%s   conv2d implicit GEMMs (sms=%d): y %.1e dw %.1e dx %.1e\n", ok_i ? "ok  " : "FAIL", sms,
                  iwy, iwdw, iwgx);
    }
    const bool ok = worst_y < 1e-12 && worst_dx < 1e-5;
    fails += !ok;
    std::printf("%s conv N=%lld H=%lld W=%lld C=%lld k=%dx%d s=%dx%d pads=%d,%d,%d,%d dil=%dx%d  "
                "im2col err %.1e, col2im err %.1e\n", ok ? "ok  " : "FAIL", c.N, c.H, c.W, c.C,
                c.KH, c.KW, c.sh, c.sw, c.pt, c.pl, c.pb, c.pr, c.dh, c.dw, worst_y, worst_dx);
  }
  std::printf("%s\n", fails ? "SOME CASES FAILED" : "all cases passed");
  return fails ? 1 : 0;
}
