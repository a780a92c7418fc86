// Private to csrc/cpu/conv_winograd.cpp (compiled once per ISA, tf/isa.h): the Winograd tile
// transforms per tile size A (6: Note [Winograd]; 8: Note [Winograd 8x8 tiles]) and the
// interpolation points' matrix G. In an anonymous namespace (Note [per-ISA inline functions]).
#pragma once
#include "tf/simd.h"
#include "tf/conv.h"

namespace tf {
namespace TF_ISA {
namespace {
using namespace simd;

constexpr int kAmax = 8;  // the largest tile size (alpha)

// The interpolation points' matrix G (A x r), G[j][k] (Note [Winograd], Note [Winograd 8x8 tiles]).
void wino_G(index_t r, int A, float G[kAmax][kAmax]) {
  static const double p6[5] = {0, 1, -1, 2, -2}, c6[5] = {1.0 / 4, -1.0 / 6, -1.0 / 6, 1.0 / 24, 1.0 / 24};
  static const double p8[7] = {0, 1, -1, 2, -2, 0.5, -0.5},
                      c8[7] = {-1.0 / 4, -1.0 / 18, -1.0 / 18, 1.0 / 360, 1.0 / 360, 8.0 / 45, 8.0 / 45};
  const double* p = A == 8 ? p8 : p6;
  const double* c = A == 8 ? c8 : c6;
  for (int j = 0; j < kAmax; ++j)
    for (int k = 0; k < kAmax; ++k) G[j][k] = 0.0f;
  for (int j = 0; j < A - 1; ++j) {
    double pk = 1.0;
    for (index_t k = 0; k < r; ++k, pk *= p[j]) G[j][k] = (float)(c[j] * pk);
  }
  G[A - 1][r - 1] = A == 8 ? 0.25f : 1.0f;
}

// The transforms of a tile of A points: bt (o = B^T d), at_rows<M> (o[0..M) = A^T mm) and
// a_cols<M> (o[0..A) = A g for M vectors g, the transpose of at_rows: o_a = sum_i p_a^i g_i,
// o_{A-1} = g_{M-1}; o(+-p) = even(p) +- odd(p)).
template <int A>
struct WinoT;

template <>
struct WinoT<6> {
  static void bt(const vf* d, vf* o) {
    const vf two = set1(2.0f), four = set1(4.0f), five = set1(5.0f);
    const vf s12 = d[1] + d[2], d12 = d[1] - d[2], d42 = d[4] - d[2], d31 = d[3] - d[1];
    o[0] = fmadd(four, d[0], fnmadd(five, d[2], d[4]));  //  4d0 - 5d2 + d4
    o[1] = fnmadd(four, s12, d[3] + d[4]);               // -4d1 - 4d2 + d3 + d4
    o[2] = fmadd(four, d12, d[4] - d[3]);                //  4d1 - 4d2 - d3 + d4
    o[3] = fmadd(two, d31, d42);                         // -2d1 - d2 + 2d3 + d4
    o[4] = fnmadd(two, d31, d42);                        //  2d1 - d2 - 2d3 + d4
    o[5] = fmadd(four, d[1], fnmadd(five, d[3], d[5]));  //  4d1 - 5d3 + d5
  }
  template <int M>
  static void at_rows(const vf* mm, vf* o) {
    const vf s12 = mm[1] + mm[2], d12 = mm[1] - mm[2], s34 = mm[3] + mm[4], d34 = mm[3] - mm[4];
    o[0] = mm[0] + s12 + s34;
    o[1] = fmadd(set1(2.0f), d34, d12);
    if (M > 2) o[2] = fmadd(set1(4.0f), s34, s12);
    if (M > 3) o[3] = fmadd(set1(8.0f), d34, d12);
    if (M > 4) o[4] = fmadd(set1(16.0f), s34, s12);
    o[M - 1] = o[M - 1] + mm[5];
  }
  template <int M>
  static void a_cols(const vf* g, vf* o) {
    const vf two = set1(2.0f), four = set1(4.0f);
    o[0] = g[0];
    if (M == 2) {
      o[1] = g[0] + g[1];
      o[2] = g[0] - g[1];
      o[3] = fmadd(two, g[1], g[0]);
      o[4] = fnmadd(two, g[1], g[0]);
    } else {
      vf e1 = g[0] + g[2], e2 = fmadd(four, g[2], g[0]);
      if (M == 5) {
        e1 = e1 + g[4];
        e2 = fmadd(set1(16.0f), g[4], e2);
      }
      vf o1 = g[1], o2 = two * g[1];
      if (M >= 4) {
        o1 = o1 + g[3];
        o2 = fmadd(set1(8.0f), g[3], o2);
      }
      o[1] = e1 + o1;
      o[2] = e1 - o1;
      o[3] = e2 + o2;
      o[4] = e2 - o2;
    }
    o[5] = g[M - 1];
  }
};

// Note [Winograd 8x8 tiles]: F(7, 2) on 8x8 tiles, points 0, 1, -1, 2, -2, 1/2, -1/2, inf, for
// the 2x2 phase kernels of strided layers (Note [strided layers by phases]) on grids where 6x6
// tiles of 5 outputs waste most of a tile (DCGAN 7->14's 7x7 phase grids: one 8x8 tile, 64
// multiplies, against 4 tiles of 36 with F(5, 2) and 4 x 49 direct). B^T's rows are the
// coefficients of prod_{l != j} (x - p_l) (the last row's: of prod_l (x - p_l)) times 4, so
// that B^T is integer; G[j] = c_j p_j^k / 4 with c_j = 1 / prod_{l != j} (p_j - p_l) (G's last
// row e_{r-1} / 4); A^T[i][j] = p_j^i. The points are NNPACK's and wincnn's for F(6, 3) (the same
// 8 points); rounding: tests/test_conv_winograd.py test_conv_winograd_tile8_error.
template <>
struct WinoT<8> {
  static void bt(const vf* d, vf* o) {
    const vf four = set1(4.0f), c21 = set1(21.0f), c17 = set1(17.0f);
    const vf two = set1(2.0f), five = set1(5.0f), eight = set1(8.0f), ten = set1(10.0f);
    const vf s16 = fmadd(four, d[6], zero());
    // -4d0 + 21d2 - 21d4 + 4d6
    o[0] = fmadd(c21, d[2] - d[4], fnmadd(four, d[0], s16));
    // (4d2 - 17d4 + 4d6) +- (4d1 - 17d3 + 4d5)
    vf e = fnmadd(c17, d[4], fmadd(four, d[2], s16)), od = fnmadd(c17, d[3], four * (d[1] + d[5]));
    o[1] = e + od;
    o[2] = e - od;
    // (d2 - 5d4 + 4d6) +- (2d1 - 10d3 + 8d5)
    e = fnmadd(five, d[4], d[2] + s16);
    od = fnmadd(ten, d[3], fmadd(two, d[1], eight * d[5]));
    o[3] = e + od;
    o[4] = e - od;
    // (16d2 - 20d4 + 4d6) +- (8d1 - 10d3 + 2d5)
    e = fmadd(four, fnmadd(five, d[4], four * d[2]), s16);
    od = fnmadd(ten, d[3], fmadd(eight, d[1], two * d[5]));
    o[5] = e + od;
    o[6] = e - od;
    // -4d1 + 21d3 - 21d5 + 4d7
    o[7] = fmadd(c21, d[3] - d[5], four * (d[7] - d[1]));
  }
  template <int M>
  static void at_rows(const vf* mm, vf* o) {
    static_assert(M == 7, "8x8 tiles: F(7, 2) only");
    const vf s1 = mm[1] + mm[2], d1 = mm[1] - mm[2], s2 = mm[3] + mm[4], d2 = mm[3] - mm[4];
    const vf s3 = mm[5] + mm[6], d3 = mm[5] - mm[6];
    o[0] = mm[0] + s1 + s2 + s3;
    o[1] = fmadd(set1(2.0f), d2, fmadd(set1(0.5f), d3, d1));
    o[2] = fmadd(set1(4.0f), s2, fmadd(set1(0.25f), s3, s1));
    o[3] = fmadd(set1(8.0f), d2, fmadd(set1(0.125f), d3, d1));
    o[4] = fmadd(set1(16.0f), s2, fmadd(set1(1.0f / 16), s3, s1));
    o[5] = fmadd(set1(32.0f), d2, fmadd(set1(1.0f / 32), d3, d1));
    o[6] = fmadd(set1(64.0f), s2, fmadd(set1(1.0f / 64), s3, s1)) + mm[7];
  }
  template <int M>
  static void a_cols(const vf* g, vf* o) {
    static_assert(M == 7, "8x8 tiles: F(7, 2) only");
    o[0] = g[0];
    // p = 1, 2, 1/2: even(p) = g0 + p^2 g2 + p^4 g4 + p^6 g6, odd(p) = p g1 + p^3 g3 + p^5 g5
    vf e = g[0] + g[2] + g[4] + g[6], od = g[1] + g[3] + g[5];
    o[1] = e + od;
    o[2] = e - od;
    e = fmadd(set1(4.0f), g[2], fmadd(set1(16.0f), g[4], fmadd(set1(64.0f), g[6], g[0])));
    od = fmadd(set1(2.0f), g[1], fmadd(set1(8.0f), g[3], set1(32.0f) * g[5]));
    o[3] = e + od;
    o[4] = e - od;
    e = fmadd(set1(0.25f), g[2], fmadd(set1(1.0f / 16), g[4], fmadd(set1(1.0f / 64), g[6], g[0])));
    od = fmadd(set1(0.5f), g[1], fmadd(set1(0.125f), g[3], set1(1.0f / 32) * g[5]));
    o[5] = e + od;
    o[6] = e - od;
    o[7] = g[6];
  }
};

}  // namespace
}  // namespace TF_ISA
}  // namespace tf
