// Depthwise conv on the GPU (bindings; kernels in conv_depthwise.cu). Names, signatures and
// semantics are tensorforge.reference.conv's, on CuPy float32 NHWC arrays, as the CPU binding
// (csrc/bindings/conv_depthwise.cpp) checks them:
//   depthwise_conv2d_forward(x, w, sh, sw, pt, pl, pb, pr, dh, dw, b=None) -> y (N, OH, OW, C*M)
//   depthwise_conv2d_backward(dy, x, w, sh, sw, pt, pl, pb, pr, dh, dw, need_dx, need_dw,
//                             need_db=False) -> (dx | None, dw | None, db | None)
// The kernels index with 64-bit element offsets and 32-bit kernel/stride/pad/dilation ints: those
// are checked to fit. Outputs and scratch come from CuPy's pool (fresh: no output aliases an input).
#include <algorithm>
#include <climits>

#include "tf/cuda_array.h"
#include "tf/cuda_kernels.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace cuda;
using bind::checked_add;
using bind::checked_mul;

CudaArray dense4(const char* op, const char* arg, const py::handle& h, const char* layout) {
  CudaArray a = cuda_array(op, arg, h);
  require_ndim(op, arg, a, 4, layout);
  require_nonempty(op, arg, a);
  require_c_contiguous(op, arg, a);
  return a;
}

int small_int(const char* op, const char* what, int64_t v) {
  if (v > INT_MAX) value_error(op, what, " = ", v, " is too large for the CUDA kernels (the limit is 2**31 - 1)");
  return (int)v;
}

DwGeom geometry(const char* op, const CudaArray& x, const CudaArray& w, int64_t sh, int64_t sw,
                int64_t pt, int64_t pl, int64_t pb, int64_t pr, int64_t dh, int64_t dw) {
  if (w.shape[2] != x.shape[3])
    value_error(op, "w has C = ", w.shape[2], " but x has ", x.shape[3], " channels: x ",
                x.shape_str(), ", w ", w.shape_str(), " (KH, KW, C, depth_multiplier)");
  if (sh < 1 || sw < 1) value_error(op, "strides must be >= 1, got (", sh, ", ", sw, ")");
  if (dh < 1 || dw < 1) value_error(op, "dilation must be >= 1, got (", dh, ", ", dw, ")");
  if (pt < 0 || pl < 0 || pb < 0 || pr < 0)
    value_error(op, "pads must be >= 0, got (top, left, bottom, right) = (", pt, ", ", pl, ", ",
                pb, ", ", pr, ")");
  const int64_t KH = w.shape[0], KW = w.shape[1];
  // Note [geometry overflow] in tf/bind_util.h
  const int64_t eh = checked_add(op, "the dilated kernel height", checked_mul(op, "(KH - 1) * dh", KH - 1, dh), 1);
  const int64_t ew = checked_add(op, "the dilated kernel width", checked_mul(op, "(KW - 1) * dw", KW - 1, dw), 1);
  const int64_t hp = checked_add(op, "the padded height", checked_add(op, "H + pt", x.shape[1], pt), pb);
  const int64_t wp = checked_add(op, "the padded width", checked_add(op, "W + pl", x.shape[2], pl), pr);
  if (hp < eh || wp < ew)
    value_error(op, "the kernel (extent ", eh, "x", ew, ") is larger than the padded input (",
                hp, "x", wp, "): x ", x.shape_str(), ", w ", w.shape_str());
  DwGeom g;
  g.N = x.shape[0]; g.H = x.shape[1]; g.W = x.shape[2]; g.C = x.shape[3]; g.M = w.shape[3];
  g.OH = (hp - eh) / sh + 1;
  g.OW = (wp - ew) / sw + 1;
  // Note [one output, any stride] in csrc/bindings/conv.cpp
  if (g.OH == 1) sh = std::min<int64_t>(sh, hp - eh + 1);
  if (g.OW == 1) sw = std::min<int64_t>(sw, wp - ew + 1);
  g.KH = small_int(op, "KH", KH); g.KW = small_int(op, "KW", KW);
  g.sh = small_int(op, "sh", sh); g.sw = small_int(op, "sw", sw);
  g.pt = small_int(op, "pt", pt); g.pl = small_int(op, "pl", pl);
  g.dh = small_int(op, "dh", dh); g.dw = small_int(op, "dw", dw);
  const int64_t CM = checked_mul(op, "C * depth_multiplier", g.C, g.M);
  checked_mul(op, "N * OH * OW * C * depth_multiplier",
              checked_mul(op, "N * OH * OW", checked_mul(op, "N * OH", g.N, g.OH), g.OW), CM);
  return g;
}

py::object dw_fwd(const py::object& x_o, const py::object& w_o, int64_t sh, int64_t sw, int64_t pt,
                  int64_t pl, int64_t pb, int64_t pr, int64_t dh, int64_t dw, const py::object& b_o) {
  const char* op = "depthwise_conv2d_forward";
  CudaArray x = dense4(op, "x", x_o, "(N, H, W, C)");
  CudaArray w = dense4(op, "w", w_o, "(KH, KW, C, depth_multiplier)");
  DwGeom g = geometry(op, x, w, sh, sw, pt, pl, pb, pr, dh, dw);
  CudaArray b;
  if (!b_o.is_none()) {
    b = cuda_array(op, "b", b_o);
    require_ndim(op, "b", b, 1, "(C * depth_multiplier,)");
    require_c_contiguous(op, "b", b);
    if (b.shape[0] != g.C * g.M)
      value_error(op, "b must have shape (", g.C * g.M, ",) (C * depth_multiplier), got ",
                  b.shape_str());
  }
  CudaArray y = cupy_empty({g.N, g.OH, g.OW, g.C * g.M});
  depthwise_conv2d_forward(current_stream(), g, x.ptr<const float>(), w.ptr<const float>(),
                           b_o.is_none() ? nullptr : b.ptr<const float>(), y.ptr<float>());
  return y.obj;
}

py::tuple dw_bwd(const py::object& dy_o, const py::object& x_o, const py::object& w_o, int64_t sh,
                 int64_t sw, int64_t pt, int64_t pl, int64_t pb, int64_t pr, int64_t dh, int64_t dw,
                 bool need_dx, bool need_dw, bool need_db) {
  const char* op = "depthwise_conv2d_backward";
  CudaArray dy = dense4(op, "dy", dy_o, "(N, OH, OW, C * depth_multiplier)");
  CudaArray x = dense4(op, "x", x_o, "(N, H, W, C)");
  CudaArray w = dense4(op, "w", w_o, "(KH, KW, C, depth_multiplier)");
  DwGeom g = geometry(op, x, w, sh, sw, pt, pl, pb, pr, dh, dw);
  if (dy.shape != std::vector<int64_t>{g.N, g.OH, g.OW, g.C * g.M})
    value_error(op, "dy must have shape (", g.N, ", ", g.OH, ", ", g.OW, ", ", g.C * g.M,
                ") for x ", x.shape_str(), " and w ", w.shape_str(), ", got ", dy.shape_str());
  cudaStream_t s = current_stream();
  py::object dx_r = py::none(), dw_r = py::none(), db_r = py::none();
  if (need_dx) {
    CudaArray dx = cupy_empty({g.N, g.H, g.W, g.C});
    depthwise_conv2d_backward_data(s, g, dy.ptr<const float>(), w.ptr<const float>(), dx.ptr<float>());
    dx_r = dx.obj;
  }
  if (need_dw) {
    CudaArray gw = cupy_empty({w.shape[0], w.shape[1], g.C, g.M});
    CudaArray ws = cupy_empty({depthwise_filter_workspace_floats(g)});
    depthwise_conv2d_backward_filter(s, g, dy.ptr<const float>(), x.ptr<const float>(),
                                     gw.ptr<float>(), ws.ptr<float>());
    dw_r = gw.obj;
  }
  if (need_db) {
    CudaArray gb = cupy_empty({g.C * g.M});
    CudaArray ws = cupy_empty({std::max<int64_t>(depthwise_filter_workspace_floats(g), 1)});
    depthwise_conv2d_backward_bias(s, g, dy.ptr<const float>(), gb.ptr<float>(), ws.ptr<float>());
    db_r = gb.obj;
  }
  return py::make_tuple(dx_r, dw_r, db_r);
}

}  // namespace

void bind_conv_depthwise_cuda(pybind11::module_& m) {
  namespace py = pybind11;
  m.def("depthwise_conv2d_forward", &dw_fwd, py::arg("x"), py::arg("w"), py::arg("sh"),
        py::arg("sw"), py::arg("pt"), py::arg("pl"), py::arg("pb"), py::arg("pr"), py::arg("dh"),
        py::arg("dw"), py::arg("b") = py::none(),
        "depthwise conv, NHWC, w (KH, KW, C, M) -> y (N, OH, OW, C*M) (+ b)");
  m.def("depthwise_conv2d_backward", &dw_bwd, py::arg("dy"), py::arg("x"), py::arg("w"),
        py::arg("sh"), py::arg("sw"), py::arg("pt"), py::arg("pl"), py::arg("pb"), py::arg("pr"),
        py::arg("dh"), py::arg("dw"), py::arg("need_dx") = true, py::arg("need_dw") = true,
        py::arg("need_db") = false,
        "(dx | None, dw | None, db | None) of depthwise_conv2d_forward from dy");
}

}  // namespace tf
