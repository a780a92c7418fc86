// Binding for the projective image transform (kernel csrc/cpu/image_transform.cpp, contract
// tf/image_transform.h), with the signature of python/tensorforge/reference/image.py:
//
//   image_transform(images, transforms, fill_mode, fill_value, interpolation, out_h, out_w) -> y
//
// images (N, H, W, C) float32 C-contiguous; transforms (N, 8) float32; fill_mode one of
// 'reflect', 'wrap', 'constant', 'nearest'; interpolation 'nearest' or 'bilinear'; y (N, out_h,
// out_w, C). Anything else is a ValueError / TypeError naming the op, the argument and the shapes.
#include <string>
#include <vector>

#include "tf/bind_util.h"
#include "tf/image_transform.h"

namespace tf {
namespace {
namespace py = pybind11;
using namespace bind;

py::array transform_py(const py::object& x_obj, const py::object& t_obj, const std::string& fill_mode,
                       double fill_value, const std::string& interpolation, index_t out_h,
                       index_t out_w) {
  const char* op = "image_transform";
  py::array x = as_array<float>(op, "images", x_obj);
  py::array t = as_array<float>(op, "transforms", t_obj);
  require_ndim(op, "images", x, 4, "(N, H, W, C)");
  require_c_contiguous(op, "images", x);
  require_c_contiguous(op, "transforms", t);
  const index_t N = x.shape(0), H = x.shape(1), W = x.shape(2), C = x.shape(3);
  if (t.ndim() != 2 || t.shape(0) != N || t.shape(1) != 8)
    value_error(op, "transforms must have shape (", N, ", 8) (one row per image of images ",
                shape_str(x), "), got ", shape_str(t));
  FillMode fill;
  if (fill_mode == "reflect")
    fill = FillMode::reflect;
  else if (fill_mode == "wrap")
    fill = FillMode::wrap;
  else if (fill_mode == "constant")
    fill = FillMode::constant;
  else if (fill_mode == "nearest")
    fill = FillMode::nearest;
  else
    value_error(op, "unknown fill_mode '", fill_mode, "'; expected 'reflect', 'wrap', 'constant' or 'nearest'");
  if (interpolation != "nearest" && interpolation != "bilinear")
    value_error(op, "unknown interpolation '", interpolation, "'; expected 'nearest' or 'bilinear'");
  if (out_h < 0 || out_w < 0)
    value_error(op, "the output size must be >= 0, got (", out_h, ", ", out_w, ")");
  const std::vector<py::ssize_t> shape{(py::ssize_t)N, (py::ssize_t)out_h, (py::ssize_t)out_w,
                                       (py::ssize_t)C};
  check_output_size(op, "the output", shape, sizeof(float));
  auto y = empty<float>(shape);
  const ImgShape s{N, H, W, C, out_h, out_w};
  const float* X = static_cast<const float*>(x.data());
  const float* T = static_cast<const float*>(t.data());
  float* Y = y.mutable_data();
  const float fv = (float)fill_value;
  const bool bilinear = interpolation == "bilinear";
  {
    py::gil_scoped_release nogil;
    image_transform(s, X, T, fill, fv, bilinear, Y);
  }
  return y;
}

}  // namespace

void bind_image(pybind11::module_& m) {
  namespace py = pybind11;
  m.def("image_transform", &transform_py, py::arg("images"), py::arg("transforms"),
        py::arg("fill_mode"), py::arg("fill_value"), py::arg("interpolation"), py::arg("out_h"),
        py::arg("out_w"), "(N, out_h, out_w, C): ImageProjectiveTransformV3");
}

}  // namespace tf
