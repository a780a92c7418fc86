// Binding for Conv2DTranspose with kernel == stride (python/tensorforge/kernels/
// conv_transpose_taps.py, Note [kernel == stride transposed conv]):
//
//   conv2d_transpose_taps_forward(x, w, b=None) -> y
//
// x (N, H, W, C_out), w (KH, KW, C_in, C_out), b (C_in,) or None, all float32 and C-contiguous;
// y (N, H*KH, W*KW, C_in) with y[n, i*KH + a, j*KW + b_, :] = w[a, b_] @ x[n, i, j, :] + b.
// Anything else is a ValueError / TypeError naming the op, the argument and the shapes.
#include <vector>

#include "tf/bind_util.h"
#include "tf/convt_taps.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace bind;

py::array convt_taps_forward_py(const py::object& x_obj, const py::object& w_obj,
                                const py::object& b_obj) {
  const char* op = "conv2d_transpose_taps_forward";
  py::array x = as_array<float>(op, "x", x_obj);
  py::array w = as_array<float>(op, "w", w_obj);
  require_ndim(op, "x", x, 4, "(N, H, W, C_out)");
  require_ndim(op, "w", w, 4, "(KH, KW, C_in, C_out)");
  require_nonempty(op, "x", x);
  require_nonempty(op, "w", w);
  require_c_contiguous(op, "x", x);
  require_c_contiguous(op, "w", w);
  const index_t N = x.shape(0), H = x.shape(1), W = x.shape(2), C = x.shape(3);
  const index_t KH = w.shape(0), KW = w.shape(1), Ci = w.shape(2);
  if (w.shape(3) != C)
    value_error(op, "w has C_out = ", w.shape(3), " but x has ", C, " channels: x ", shape_str(x),
                ", w ", shape_str(w), " (KH, KW, C_in, C_out)");
  py::array b;
  const bool has_b = !b_obj.is_none();
  if (has_b) {
    b = as_array<float>(op, "b", b_obj);
    if (b.ndim() != 1 || b.shape(0) != Ci)
      value_error(op, "b must have shape (", Ci, ",) for C_in = ", Ci, ", got ", shape_str(b));
  }
  const index_t R = checked_mul(op, "N * H", N, H);
  const index_t KWC = checked_mul(op, "KW * C_in", KW, Ci);
  const std::vector<py::ssize_t> out_shape{(py::ssize_t)N, (py::ssize_t)checked_mul(op, "H * KH", H, KH),
                                           (py::ssize_t)checked_mul(op, "W * KW", W, KW),
                                           (py::ssize_t)Ci};
  check_output_size(op, "the output", out_shape, sizeof(float));
  py::array y = empty<float>(out_shape);
  std::vector<float> bias;  // b tiled over the KH * KW taps: the GEMM's per-column bias
  if (has_b) {
    const float* bp = static_cast<const float*>(b.data());
    const index_t bs = elem_stride(op, "b", b, 0);
    bias.resize((size_t)(KH * KWC));
    for (index_t t = 0; t < KH * KW; ++t)
      for (index_t c = 0; c < Ci; ++c) bias[(size_t)(t * Ci + c)] = bp[c * bs];
  }
  const float* X = static_cast<const float*>(x.data());
  const float* Wp = static_cast<const float*>(w.data());
  float* Y = static_cast<float*>(y.mutable_data());
  {
    py::gil_scoped_release nogil;
    convt_taps_forward(R, W, C, KH, KWC, X, Wp, has_b ? bias.data() : nullptr, Y);
  }
  return y;
}

}  // namespace

void bind_convt_taps(pybind11::module_& m) {
  m.def("conv2d_transpose_taps_forward", &convt_taps_forward_py, py::arg("x"), py::arg("w"),
        py::arg("b") = py::none(),
        "Conv2DTranspose with kernel == stride, forward (Note [kernel == stride transposed conv])");
}

}  // namespace tf
