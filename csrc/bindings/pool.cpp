// Bindings for the pool op family (kernels in csrc/cpu/pool.cpp, contract in tf/pool.h).
//
//   max_pool2d_forward(x, kh, kw, sh, sw, pt, pl, pb, pr, with_argmax) -> (y, argmax | None)
//   max_pool2d_backward(dy, argmax, H, W, kh, kw, sh, sw, pt, pl, pb, pr) -> dx
//   avg_pool2d_forward(x, kh, kw, sh, sw, pt, pl, pb, pr) -> y
//   avg_pool2d_backward(dy, H, W, kh, kw, sh, sw, pt, pl, pb, pr) -> dx
//   global_avg_pool2d_forward(x) -> y (N, C);  global_avg_pool2d_backward(dy, H, W) -> dx
//   upsample_nearest2d_forward(x, sh, sw) -> y (N, H*sh, W*sw, C)
//   upsample_nearest2d_backward(dy, sh, sw) -> dx (N, OH/sh, OW/sw, C)
// Same names, signatures and semantics as tensorforge.reference.pool (see its docstring).
#include <algorithm>
#include <cstdint>
#include <limits>

#include "tf/bind_util.h"
#include "tf/pool.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace bind;

template <typename T>
py::array checked(const char* op, const char* arg, const py::object& o, int nd, const char* layout) {
  py::array a = as_array<T>(op, arg, o);
  require_ndim(op, arg, a, nd, layout);
  require_nonempty(op, arg, a);
  require_c_contiguous(op, arg, a);
  return a;
}

std::vector<py::ssize_t> nhwc(index_t N, index_t H, index_t W, index_t C) {
  return {(py::ssize_t)N, (py::ssize_t)H, (py::ssize_t)W, (py::ssize_t)C};
}

// Geometry of a pool over an (N, H, W, C) input; checks the integer arguments.
PoolShape make_shape(const char* op, index_t N, index_t H, index_t W, index_t C, index_t kh,
                     index_t kw, index_t sh, index_t sw, index_t pt, index_t pl, index_t pb,
                     index_t pr) {
  if (kh < 1 || kw < 1) value_error(op, "pool size must be >= 1, got (", kh, ", ", kw, ")");
  if (sh < 1 || sw < 1) value_error(op, "strides must be >= 1, got (", sh, ", ", sw, ")");
  if (pt < 0 || pl < 0 || pb < 0 || pr < 0)
    value_error(op, "pads must be >= 0, got (", pt, ", ", pl, ", ", pb, ", ", pr, ")");
  if (H < 1 || W < 1) value_error(op, "H and W must be >= 1, got (", H, ", ", W, ")");
  // Note [pool padding]: every window must hold a real cell, so a pad must be < the window.
  if (pt >= kh || pb >= kh || pl >= kw || pr >= kw)
    value_error(op, "pads (", pt, ", ", pl, ", ", pb, ", ", pr, ") must be smaller than the pool size (",
                kh, ", ", kw, ")");
  // Note [geometry overflow] in tf/bind_util.h
  const index_t hp = checked_add(op, "the padded height", checked_add(op, "H + pt", H, pt), pb);
  const index_t wp = checked_add(op, "the padded width", checked_add(op, "W + pl", W, pl), pr);
  if (hp < kh || wp < kw)
    value_error(op, "pool size (", kh, ", ", kw, ") is larger than the padded input (", hp, "x", wp, ")");
  const index_t hw = checked_mul(op, "H*W", H, W);
  if (hw > std::numeric_limits<int32_t>::max())
    value_error(op, "H*W = ", hw, " overflows the int32 argmax");
  PoolShape s;
  s.N = N; s.H = H; s.W = W; s.C = C; s.KH = kh; s.KW = kw; s.sh = sh; s.sw = sw; s.pt = pt; s.pl = pl;
  s.OH = (hp - kh) / sh + 1;
  s.OW = (wp - kw) / sw + 1;
  // Note [one output, any stride] in csrc/bindings/conv.cpp
  if (s.OH == 1) s.sh = std::min(sh, hp - kh + 1);
  if (s.OW == 1) s.sw = std::min(sw, wp - kw + 1);
  check_output_size(op, "the output", nhwc(N, s.OH, s.OW, C), sizeof(float));
  check_output_size(op, "the input gradient", nhwc(N, H, W, C), sizeof(float));
  return s;
}

py::tuple max_fwd(const py::object& x_o, index_t kh, index_t kw, index_t sh, index_t sw, index_t pt,
                  index_t pl, index_t pb, index_t pr, bool with_argmax) {
  const char* op = "max_pool2d_forward";
  py::array x = checked<float>(op, "x", x_o, 4, "(N, H, W, C)");
  PoolShape s = make_shape(op, x.shape(0), x.shape(1), x.shape(2), x.shape(3), kh, kw, sh, sw, pt, pl, pb, pr);
  auto y = empty<float>(nhwc(s.N, s.OH, s.OW, s.C));
  py::object am_r = py::none();
  int32_t* amp = nullptr;
  if (with_argmax) {
    auto am = empty<int32_t>(nhwc(s.N, s.OH, s.OW, s.C));
    amp = am.mutable_data();
    am_r = am;
  }
  const float* xp = static_cast<const float*>(x.data());
  float* yp = y.mutable_data();
  {
    py::gil_scoped_release nogil;
    max_pool2d_forward(s, xp, yp, amp);
  }
  return py::make_tuple(y, am_r);
}

py::array max_bwd(const py::object& dy_o, const py::object& am_o, index_t H, index_t W, index_t kh,
                  index_t kw, index_t sh, index_t sw, index_t pt, index_t pl, index_t pb, index_t pr) {
  const char* op = "max_pool2d_backward";
  py::array dy = checked<float>(op, "dy", dy_o, 4, "(N, OH, OW, C)");
  py::array am = checked<int32_t>(op, "argmax", am_o, 4, "(N, OH, OW, C)");
  for (int d = 0; d < 4; ++d)
    if (am.shape(d) != dy.shape(d))
      value_error(op, "argmax must have the shape of dy ", shape_str(dy), ", got ", shape_str(am));
  PoolShape s = make_shape(op, dy.shape(0), H, W, dy.shape(3), kh, kw, sh, sw, pt, pl, pb, pr);
  if (dy.shape(1) != s.OH || dy.shape(2) != s.OW)
    value_error(op, "dy must have shape (", s.N, ", ", s.OH, ", ", s.OW, ", ", s.C, ") for an input of ",
                H, "x", W, ", got ", shape_str(dy));
  // The kernel gathers: dx at a pixel sums dy over the windows holding it whose argmax names it,
  // so an argmax value outside its window is never followed (no out-of-bounds write).
  auto dx = empty<float>(nhwc(s.N, H, W, s.C));
  const float* dyp = static_cast<const float*>(dy.data());
  const int32_t* amp = static_cast<const int32_t*>(am.data());
  float* dxp = dx.mutable_data();
  {
    py::gil_scoped_release nogil;
    max_pool2d_backward(s, dyp, amp, dxp);
  }
  return dx;
}

py::array avg_fwd(const py::object& x_o, index_t kh, index_t kw, index_t sh, index_t sw, index_t pt,
                  index_t pl, index_t pb, index_t pr) {
  const char* op = "avg_pool2d_forward";
  py::array x = checked<float>(op, "x", x_o, 4, "(N, H, W, C)");
  PoolShape s = make_shape(op, x.shape(0), x.shape(1), x.shape(2), x.shape(3), kh, kw, sh, sw, pt, pl, pb, pr);
  auto y = empty<float>(nhwc(s.N, s.OH, s.OW, s.C));
  const float* xp = static_cast<const float*>(x.data());
  float* yp = y.mutable_data();
  {
    py::gil_scoped_release nogil;
    avg_pool2d_forward(s, xp, yp);
  }
  return y;
}

py::array avg_bwd(const py::object& dy_o, index_t H, index_t W, index_t kh, index_t kw, index_t sh,
                  index_t sw, index_t pt, index_t pl, index_t pb, index_t pr) {
  const char* op = "avg_pool2d_backward";
  py::array dy = checked<float>(op, "dy", dy_o, 4, "(N, OH, OW, C)");
  PoolShape s = make_shape(op, dy.shape(0), H, W, dy.shape(3), kh, kw, sh, sw, pt, pl, pb, pr);
  if (dy.shape(1) != s.OH || dy.shape(2) != s.OW)
    value_error(op, "dy must have shape (", s.N, ", ", s.OH, ", ", s.OW, ", ", s.C, ") for an input of ",
                H, "x", W, ", got ", shape_str(dy));
  auto dx = empty<float>(nhwc(s.N, H, W, s.C));
  const float* dyp = static_cast<const float*>(dy.data());
  float* dxp = dx.mutable_data();
  {
    py::gil_scoped_release nogil;
    avg_pool2d_backward(s, dyp, dxp);
  }
  return dx;
}

py::array gap_fwd(const py::object& x_o) {
  const char* op = "global_avg_pool2d_forward";
  py::array x = checked<float>(op, "x", x_o, 4, "(N, H, W, C)");
  const index_t N = x.shape(0), HW = x.shape(1) * x.shape(2), C = x.shape(3);
  auto y = empty<float>({(py::ssize_t)N, (py::ssize_t)C});
  const float* xp = static_cast<const float*>(x.data());
  float* yp = y.mutable_data();
  {
    py::gil_scoped_release nogil;
    global_avg_pool2d_forward(N, HW, C, xp, yp);
  }
  return y;
}

py::array gap_bwd(const py::object& dy_o, index_t H, index_t W) {
  const char* op = "global_avg_pool2d_backward";
  py::array dy = checked<float>(op, "dy", dy_o, 2, "(N, C)");
  if (H < 1 || W < 1) value_error(op, "H and W must be >= 1, got (", H, ", ", W, ")");
  const index_t N = dy.shape(0), C = dy.shape(1);
  checked_mul(op, "H*W", H, W);
  check_output_size(op, "dx", nhwc(N, H, W, C), sizeof(float));
  auto dx = empty<float>(nhwc(N, H, W, C));
  const float* dyp = static_cast<const float*>(dy.data());
  float* dxp = dx.mutable_data();
  {
    py::gil_scoped_release nogil;
    global_avg_pool2d_backward(N, H * W, C, dyp, dxp);
  }
  return dx;
}

void upsample_factors(const char* op, index_t sh, index_t sw) {
  if (sh < 1 || sw < 1) value_error(op, "size must be >= 1, got (", sh, ", ", sw, ")");
}

py::array up_fwd(const py::object& x_o, index_t sh, index_t sw) {
  const char* op = "upsample_nearest2d_forward";
  py::array x = checked<float>(op, "x", x_o, 4, "(N, H, W, C)");
  upsample_factors(op, sh, sw);
  const index_t N = x.shape(0), H = x.shape(1), W = x.shape(2), C = x.shape(3);
  // Note [geometry overflow] in tf/bind_util.h
  const index_t OH = checked_mul(op, "H * sh", H, sh), OW = checked_mul(op, "W * sw", W, sw);
  checked_mul(op, "N * OH * OW * C", checked_mul(op, "N * OH * OW", checked_mul(op, "N * OH", N, OH), OW), C);
  check_output_size(op, "y", nhwc(N, OH, OW, C), sizeof(float));
  auto y = empty<float>(nhwc(N, OH, OW, C));
  const float* xp = static_cast<const float*>(x.data());
  float* yp = y.mutable_data();
  {
    py::gil_scoped_release nogil;
    upsample_nearest2d_forward(N, H, W, C, sh, sw, xp, yp);
  }
  return y;
}

py::array up_bwd(const py::object& dy_o, index_t sh, index_t sw) {
  const char* op = "upsample_nearest2d_backward";
  py::array dy = checked<float>(op, "dy", dy_o, 4, "(N, H * sh, W * sw, C)");
  upsample_factors(op, sh, sw);
  if (dy.shape(1) % sh || dy.shape(2) % sw)
    value_error(op, "dy's height and width must be multiples of size (", sh, ", ", sw, "), got ",
                shape_str(dy));
  const index_t N = dy.shape(0), H = dy.shape(1) / sh, W = dy.shape(2) / sw, C = dy.shape(3);
  auto dx = empty<float>(nhwc(N, H, W, C));
  const float* dyp = static_cast<const float*>(dy.data());
  float* dxp = dx.mutable_data();
  {
    py::gil_scoped_release nogil;
    upsample_nearest2d_backward(N, H, W, C, sh, sw, dyp, dxp);
  }
  return dx;
}

}  // namespace

void bind_pool(pybind11::module_& m) {
  namespace py = pybind11;
  m.def("max_pool2d_forward", &max_fwd, py::arg("x"), py::arg("kh"), py::arg("kw"), py::arg("sh"),
        py::arg("sw"), py::arg("pt"), py::arg("pl"), py::arg("pb"), py::arg("pr"),
        py::arg("with_argmax") = false, "(y, int32 argmax | None) of a max pool (NHWC)");
  m.def("max_pool2d_backward", &max_bwd, py::arg("dy"), py::arg("argmax"), py::arg("H"), py::arg("W"),
        py::arg("kh"), py::arg("kw"), py::arg("sh"), py::arg("sw"), py::arg("pt"), py::arg("pl"),
        py::arg("pb"), py::arg("pr"), "dx: each dy routed to its window's first argmax");
  m.def("avg_pool2d_forward", &avg_fwd, py::arg("x"), py::arg("kh"), py::arg("kw"), py::arg("sh"),
        py::arg("sw"), py::arg("pt"), py::arg("pl"), py::arg("pb"), py::arg("pr"),
        "average pool (NHWC); divides by the count of real cells");
  m.def("avg_pool2d_backward", &avg_bwd, py::arg("dy"), py::arg("H"), py::arg("W"), py::arg("kh"),
        py::arg("kw"), py::arg("sh"), py::arg("sw"), py::arg("pt"), py::arg("pl"), py::arg("pb"),
        py::arg("pr"), "dx of avg_pool2d_forward");
  m.def("global_avg_pool2d_forward", &gap_fwd, py::arg("x"), "(N, H, W, C) -> (N, C) mean over H, W");
  m.def("global_avg_pool2d_backward", &gap_bwd, py::arg("dy"), py::arg("H"), py::arg("W"),
        "dx (N, H, W, C) = dy / (H*W)");
  m.def("upsample_nearest2d_forward", &up_fwd, py::arg("x"), py::arg("sh"), py::arg("sw"),
        "nearest upsampling (NHWC): each pixel repeated sh x sw times");
  m.def("upsample_nearest2d_backward", &up_bwd, py::arg("dy"), py::arg("sh"), py::arg("sw"),
        "dx of upsample_nearest2d_forward: the sum of each pixel's sh x sw block of dy");
}

}  // namespace tf
