// Bindings for the depthwise conv (kernels in csrc/cpu/conv_depthwise.cpp, contract in
// tf/conv_depthwise.h).
//
//   depthwise_conv2d_forward(x, w, sh, sw, pt, pl, pb, pr, dh, dw, b=None) -> y (N, OH, OW, C*M)
//   depthwise_conv2d_backward(dy, x, w, sh, sw, pt, pl, pb, pr, dh, dw, need_dx, need_dw,
//                             need_db=False) -> (dx | None, dw | None, db | None)
// b (C*M,) is the fused bias (Note [fused bias] in tf/conv_depthwise.h).
// w is Keras' depthwise_kernel (KH, KW, C, M). Same names, signatures and semantics as
// tensorforge.reference.conv (explicit pads). Checked here: dtype float32, rank 4,
// C-contiguity, non-empty, w's C against x's, dy's shape, strides/dilations >= 1, pads >= 0,
// every geometry product and sum overflow-checked (Note [geometry overflow]), the kernel not
// larger than the padded input, output sizes. Outputs are fresh arrays, so no output aliases an
// input; inputs may alias each other (they are only read).
// depth_multiplier M > 1: x is expanded to (N, H, W, C*M) first and dx folded back (the header).
#include <algorithm>
#include <vector>

#include "tf/bind_util.h"
#include "tf/conv_depthwise.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace bind;

py::array checked(const char* op, const char* arg, const py::object& o, const char* layout) {
  py::array a = as_array<float>(op, arg, o);
  require_ndim(op, arg, a, 4, layout);
  require_nonempty(op, arg, a);
  require_c_contiguous(op, arg, a);
  return a;
}

std::vector<py::ssize_t> shape4(index_t a, index_t b, index_t c, index_t d) {
  return {(py::ssize_t)a, (py::ssize_t)b, (py::ssize_t)c, (py::ssize_t)d};
}

// Geometry of the depthwise conv of x by w; s.C is C*M (the expanded channels the kernels see).
DwShape make_shape(const char* op, const py::array& x, const py::array& w, index_t sh, index_t sw,
                   index_t pt, index_t pl, index_t pb, index_t pr, index_t dh, index_t dw) {
  if (w.shape(2) != x.shape(3))
    value_error(op, "w has C = ", w.shape(2), " but x has ", x.shape(3), " channels: x ",
                shape_str(x), ", w ", shape_str(w), " (KH, KW, C, depth_multiplier)");
  if (sh < 1 || sw < 1) value_error(op, "strides must be >= 1, got (", sh, ", ", sw, ")");
  if (dh < 1 || dw < 1) value_error(op, "dilation must be >= 1, got (", dh, ", ", dw, ")");
  if (pt < 0 || pl < 0 || pb < 0 || pr < 0)
    value_error(op, "pads must be >= 0, got (top, left, bottom, right) = (", pt, ", ", pl, ", ",
                pb, ", ", pr, ")");
  DwShape s;
  s.N = x.shape(0); s.H = x.shape(1); s.W = x.shape(2);
  s.C = checked_mul(op, "C * depth_multiplier", x.shape(3), w.shape(3));
  s.KH = w.shape(0); s.KW = w.shape(1);
  s.sh = sh; s.sw = sw; s.pt = pt; s.pl = pl; s.dh = dh; s.dw = dw;
  // Note [geometry overflow] in tf/bind_util.h
  const index_t eh = checked_add(op, "the dilated kernel height", checked_mul(op, "(KH - 1) * dh", s.KH - 1, dh), 1);
  const index_t ew = checked_add(op, "the dilated kernel width", checked_mul(op, "(KW - 1) * dw", s.KW - 1, dw), 1);
  const index_t hp = checked_add(op, "the padded height", checked_add(op, "H + pt", s.H, pt), pb);
  const index_t wp = checked_add(op, "the padded width", checked_add(op, "W + pl", s.W, pl), pr);
  if (hp < eh || wp < ew)
    value_error(op, "the kernel (extent ", eh, "x", ew, ") is larger than the padded input (",
                hp, "x", wp, "): x ", shape_str(x), ", w ", shape_str(w));
  s.OH = (hp - eh) / sh + 1;
  s.OW = (wp - ew) / sw + 1;
  // Note [one output, any stride] in csrc/bindings/conv.cpp (keeps o*s small in the kernels)
  if (s.OH == 1) s.sh = std::min(sh, hp - eh + 1);
  if (s.OW == 1) s.sw = std::min(sw, wp - ew + 1);
  checked_mul(op, "N * H * W * C * depth_multiplier",
              checked_mul(op, "N * H * W", checked_mul(op, "N * H", s.N, s.H), s.W), s.C);
  checked_mul(op, "N * OH * OW * C * depth_multiplier",
              checked_mul(op, "N * OH * OW", checked_mul(op, "N * OH", s.N, s.OH), s.OW), s.C);
  check_output_size(op, "y", shape4(s.N, s.OH, s.OW, s.C), sizeof(float));
  return s;
}

// x itself when M = 1, else a fresh (N, H, W, C*M) array with each channel repeated M times.
py::array expanded(const py::array& x, index_t M, const DwShape& s) {
  if (M == 1) return x;
  check_output_size("depthwise_conv2d", "x with each channel repeated depth_multiplier times",
                    shape4(s.N, s.H, s.W, s.C), sizeof(float));
  auto xe = empty<float>(shape4(s.N, s.H, s.W, s.C));
  const float* xp = static_cast<const float*>(x.data());
  float* xep = xe.mutable_data();
  const index_t P = s.N * s.H * s.W, C = s.C / M;
  {
    py::gil_scoped_release nogil;
    depthwise_expand_channels(P, C, M, xp, xep);
  }
  return xe;
}

py::array fwd(const py::object& x_o, const py::object& w_o, index_t sh, index_t sw, index_t pt,
              index_t pl, index_t pb, index_t pr, index_t dh, index_t dw, const py::object& b_o) {
  const char* op = "depthwise_conv2d_forward";
  py::array x = checked(op, "x", x_o, "(N, H, W, C)");
  py::array w = checked(op, "w", w_o, "(KH, KW, C, depth_multiplier)");
  DwShape s = make_shape(op, x, w, sh, sw, pt, pl, pb, pr, dh, dw);
  py::array b;
  if (!b_o.is_none()) {
    b = as_array<float>(op, "b", b_o);
    if (b.ndim() != 1 || b.shape(0) != s.C)
      value_error(op, "b must have shape (", s.C, ",) (C * depth_multiplier), got ", shape_str(b));
    require_c_contiguous(op, "b", b);
  }
  py::array xe = expanded(x, w.shape(3), s);
  auto y = empty<float>(shape4(s.N, s.OH, s.OW, s.C));
  const float* xp = static_cast<const float*>(xe.data());
  const float* wp = static_cast<const float*>(w.data());
  const float* bp = b_o.is_none() ? nullptr : static_cast<const float*>(b.data());
  float* yp = y.mutable_data();
  {
    py::gil_scoped_release nogil;
    depthwise_conv2d_forward(s, xp, wp, bp, yp);
  }
  return y;
}

py::tuple bwd(const py::object& dy_o, const py::object& x_o, const py::object& w_o, index_t sh,
              index_t sw, index_t pt, index_t pl, index_t pb, index_t pr, index_t dh, index_t dw,
              bool need_dx, bool need_dw, bool need_db) {
  const char* op = "depthwise_conv2d_backward";
  py::array dy = checked(op, "dy", dy_o, "(N, OH, OW, C * depth_multiplier)");
  py::array x = checked(op, "x", x_o, "(N, H, W, C)");
  py::array w = checked(op, "w", w_o, "(KH, KW, C, depth_multiplier)");
  DwShape s = make_shape(op, x, w, sh, sw, pt, pl, pb, pr, dh, dw);
  if (dy.shape(0) != s.N || dy.shape(1) != s.OH || dy.shape(2) != s.OW || dy.shape(3) != s.C)
    value_error(op, "dy must have shape (", s.N, ", ", s.OH, ", ", s.OW, ", ", s.C, ") for x ",
                shape_str(x), " and w ", shape_str(w), ", got ", shape_str(dy));
  const index_t M = w.shape(3), C = x.shape(3), P = s.N * s.H * s.W;
  const float* dyp = static_cast<const float*>(dy.data());
  const float* wp = static_cast<const float*>(w.data());
  py::object dx_r = py::none(), dw_r = py::none(), db_r = py::none();
  if (M == 1 && need_dx && need_dw) {  // one pass over dy where the kernels fuse the two
    auto dx = empty<float>(shape4(s.N, s.H, s.W, C));
    auto g = empty<float>(shape4(s.KH, s.KW, C, M));
    py::array_t<float> gb;
    if (need_db) gb = empty<float>({(py::ssize_t)s.C});
    float* dxp = dx.mutable_data();
    float* gp = g.mutable_data();
    float* gbp = need_db ? gb.mutable_data() : nullptr;
    const float* xp = static_cast<const float*>(x.data());
    {
      py::gil_scoped_release nogil;
      std::fill(gp, gp + s.KH * s.KW * s.C, 0.0f);
      if (gbp) std::fill(gbp, gbp + s.C, 0.0f);
      depthwise_conv2d_backward(s, dyp, xp, wp, dxp, gp, gbp);
    }
    return py::make_tuple(dx, g, need_db ? py::object(gb) : py::none());
  }
  if (need_dx) {
    auto dx = empty<float>(shape4(s.N, s.H, s.W, C));
    py::array_t<float> dxe = M == 1 ? dx : empty<float>(shape4(s.N, s.H, s.W, s.C));
    float* dxp = dx.mutable_data();
    float* dxep = dxe.mutable_data();
    {
      py::gil_scoped_release nogil;
      depthwise_conv2d_backward_data(s, dyp, wp, dxep);
      if (M > 1) depthwise_reduce_channels(P, C, M, dxep, dxp);
    }
    dx_r = dx;
  }
  if (need_dw || need_db) {
    py::array xe = need_dw ? expanded(x, M, s) : x;
    py::array_t<float> g, gb;
    float* gp = nullptr;
    float* gbp = nullptr;
    if (need_dw) {
      g = empty<float>(shape4(s.KH, s.KW, C, M));
      gp = g.mutable_data();
      dw_r = g;
    }
    if (need_db) {
      gb = empty<float>({(py::ssize_t)s.C});
      gbp = gb.mutable_data();
      db_r = gb;
    }
    const float* xp = static_cast<const float*>(xe.data());
    {
      py::gil_scoped_release nogil;
      if (gp) std::fill(gp, gp + s.KH * s.KW * s.C, 0.0f);
      if (gbp) std::fill(gbp, gbp + s.C, 0.0f);
      depthwise_conv2d_backward_filter(s, dyp, xp, gp, gbp);
    }
  }
  return py::make_tuple(dx_r, dw_r, db_r);
}

}  // namespace

void bind_conv_depthwise(pybind11::module_& m) {
  namespace py = pybind11;
  m.def("depthwise_conv2d_forward", &fwd, py::arg("x"), py::arg("w"), py::arg("sh"), py::arg("sw"),
        py::arg("pt"), py::arg("pl"), py::arg("pb"), py::arg("pr"), py::arg("dh"), py::arg("dw"),
        py::arg("b") = py::none(),
        "depthwise conv, NHWC, w (KH, KW, C, M) -> y (N, OH, OW, C*M) (+ b); explicit pads "
        "(see tensorforge.reference.conv)");
  m.def("depthwise_conv2d_backward", &bwd, py::arg("dy"), py::arg("x"), py::arg("w"),
        py::arg("sh"), py::arg("sw"), py::arg("pt"), py::arg("pl"), py::arg("pb"), py::arg("pr"),
        py::arg("dh"), py::arg("dw"), py::arg("need_dx") = true, py::arg("need_dw") = true,
        py::arg("need_db") = false,
        "(dx | None, dw | None, db | None) of depthwise_conv2d_forward from dy");
}

}  // namespace tf
