// Argument checking for the pybind11 bindings. Every check raises a Python TypeError or
// ValueError whose message names the op, the argument and the shapes, e.g.
//   "conv2d_forward: w must be 4-D (KH, KW, C_in, C_out), got shape (5, 5, 20)".
// The bindings accept py::array (not py::array_t<float>, which would silently cast), check,
// allocate outputs, release the GIL and call the kernel.
#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "tf/common.h"

namespace tf {
namespace bind {
namespace py = pybind11;

inline std::string shape_str(const py::array& a) {
  std::ostringstream s;
  s << "(";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s << (i ? ", " : "") << a.shape(i);
  if (a.ndim() == 1) s << ",";
  s << ")";
  return s.str();
}

inline std::string dtype_str(const py::array& a) { return py::str(a.dtype()).cast<std::string>(); }

template <typename... Args>
[[noreturn]] void value_error(const char* op, Args&&... parts) {
  std::ostringstream s;
  s << op << ": ";
  (s << ... << parts);
  throw py::value_error(s.str());
}

template <typename... Args>
[[noreturn]] void type_error(const char* op, Args&&... parts) {
  std::ostringstream s;
  s << op << ": ";
  (s << ... << parts);
  throw py::type_error(s.str());
}

// Accept only numpy ndarrays (not lists, not CuPy arrays), of exactly dtype T.
template <typename T>
inline py::array as_array(const char* op, const char* arg, const py::handle& h) {
  if (!py::isinstance<py::array>(h))
    type_error(op, arg, " must be a numpy.ndarray, got ", py::str(py::type::of(h)).cast<std::string>());
  py::array a = py::reinterpret_borrow<py::array>(h);
  if (!a.dtype().is(py::dtype::of<T>()))
    type_error(op, arg, " must be ", py::str(py::dtype::of<T>()).cast<std::string>(), ", got ",
               dtype_str(a), " with shape ", shape_str(a));
  return a;
}

inline void require_ndim(const char* op, const char* arg, const py::array& a, int nd,
                         const char* layout) {
  if (a.ndim() != nd)
    value_error(op, arg, " must be ", nd, "-D ", layout, ", got shape ", shape_str(a));
}

inline void require_nonempty(const char* op, const char* arg, const py::array& a) {
  if (a.size() == 0) value_error(op, arg, " must not be empty, got shape ", shape_str(a));
}

inline void require_c_contiguous(const char* op, const char* arg, const py::array& a) {
  if (!(a.flags() & py::array::c_style))
    value_error(op, arg, " must be C-contiguous, got a strided view with shape ", shape_str(a));
}

inline void require_writable(const char* op, const char* arg, const py::array& a) {
  if (!a.writeable()) value_error(op, arg, " must be writable, got a read-only array with shape ", shape_str(a));
}

// Stride of dimension d in elements; a byte stride that is not a multiple of the item size
// (a view into a record array, say) is rejected.
inline index_t elem_stride(const char* op, const char* arg, const py::array& a, int d) {
  py::ssize_t s = a.strides(d), item = a.itemsize();
  if (s % item != 0)
    value_error(op, arg, " has a byte stride ", s, " that is not a multiple of its item size ",
                item, " (shape ", shape_str(a), ")");
  return (index_t)(s / item);
}

template <typename T>
inline py::array_t<T> empty(const std::vector<py::ssize_t>& shape) {
  return py::array_t<T>(shape);
}

inline bool is_none(const py::handle& h) { return h.is_none(); }

}  // namespace bind

// One registration function per op family (csrc/bindings/<family>.cpp).
void bind_core(pybind11::module_& m);
void bind_gemm(pybind11::module_& m);
void bind_conv(pybind11::module_& m);
void bind_pool(pybind11::module_& m);
void bind_rnn(pybind11::module_& m);
void bind_pointwise(pybind11::module_& m);
void bind_optim(pybind11::module_& m);

}  // namespace tf
